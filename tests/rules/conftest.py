"""One collector for every rule's YAML test cases (tests/rules/DWnnn.yml).

A case writes `files` into a fresh folder, analyses it with only that rule selected,
and compares (rule, line[, path]) of the findings with `expect`. With `fixed`, the fixes
are applied to the Dockerfile and must give that text; the fixed text must then lint clean
for this rule, and fixing it again must change nothing.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from dockwright.model.findings import Finding
from dockwright.model.project import discover
from dockwright.rules.engine import RuleSelection, analyze
from dockwright.rules.fixes import apply_edits


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yml" and file_path.name.startswith("DW"):
        return RuleFile.from_parent(parent, path=file_path)
    return None


class RuleFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        data = yaml.safe_load(self.path.read_text())
        rule = data["rule"]
        for index, case in enumerate(data["cases"]):
            name = f"{rule}[{index}] {case.get('name', '')}".strip()
            yield RuleCase.from_parent(self, name=name, rule=rule, case=case)


def _write(root: Path, files: dict[str, Any]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict) and "size" in content:
            path.write_bytes(b"x" * int(content["size"]))
        elif isinstance(content, dict) and "symlink" in content:
            path.symlink_to(content["symlink"])
        else:
            path.write_text(str(content))


def _key(root: Path, f: Finding, with_path: bool) -> tuple[Any, ...]:
    rel = f.location.path.resolve().relative_to(root.resolve()).as_posix() if with_path else ""
    return (f.rule_id, f.location.line, rel)


def _findings(root: Path, rule: str) -> tuple[list[Finding], list[str]]:
    result = analyze(discover([root]), RuleSelection(select=(rule,)))
    return [f for f in result.findings if f.rule_id == rule], [
        p.one_line() for p in result.problems
    ]


class RuleCase(pytest.Item):
    def __init__(self, *, rule: str, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule
        self.case = case

    def runtest(self) -> None:
        real_popen = subprocess.Popen
        subprocess.Popen = _refuse  # type: ignore[misc,assignment]
        try:
            with tempfile.TemporaryDirectory() as tmp:
                self._run(Path(tmp))
        finally:
            subprocess.Popen = real_popen  # type: ignore[misc]

    def _run(self, root: Path) -> None:
        _write(root, self.case["files"])
        found, problems = _findings(root, self.rule)
        if "problems" in self.case:
            assert len(problems) == len(self.case["problems"]), problems
        else:
            assert not problems, problems
        expected = self.case.get("expect") or []
        with_path = any("path" in e for e in expected)
        got = sorted(_key(root, f, with_path) for f in found)
        want = sorted((e["rule"], e["line"], e.get("path", "")) for e in expected)
        assert got == want, f"findings {got} != expected {want}: {[f.message for f in found]}"
        if "fixed" in self.case:
            self._check_fix(root, found)

    def _check_fix(self, root: Path, found: list[Finding]) -> None:
        target = root / self.case.get("dockerfile", "Dockerfile")
        edits = [
            e for f in found if f.fix for e in f.fix.edits if e.path.resolve() == target.resolve()
        ]
        assert edits, "case has `fixed` but the findings carry no fix"
        fixed = apply_edits(target.read_text(), edits)
        assert fixed == self.case["fixed"]
        target.write_text(fixed)
        again, problems = _findings(root, self.rule)
        assert not problems, problems
        assert not again, f"fixed text still has findings: {[f.message for f in again]}"

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.name


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("rule tests must not start processes")

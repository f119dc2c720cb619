#!/usr/bin/env python3
"""Regenerate the expected reports of every golden case (tests/golden/<case>/expected.*).

Each case is `tests/golden/<case>/input/` (a small repository, with its dockwright.toml)
and one expected file per output format. Paths and the tool version are normalised so the
files do not depend on where the repository is checked out or on the release.
tests/unit/report/test_golden.py renders through `render_case` below and compares.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from dockwright import api

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden"
FORMATS = {
    "terminal": "expected.txt",
    "markdown": "expected.md",
    "json": "expected.json",
    "sarif": "expected.sarif",
}
VERSION = "0.0.0-golden"


def _normalise_json(text: str, fmt: str) -> str:
    data: Any = json.loads(text)
    if fmt == "json":
        data["tool"]["version"] = VERSION
    else:
        run = data["runs"][0]
        run["tool"]["driver"]["version"] = VERSION
        run["originalUriBaseIds"]["SRCROOT"]["uri"] = "file:///ROOT/"
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_case(case: Path) -> dict[str, str]:
    """Expected file name -> normalised report text, for one golden case."""
    root = (case / "input").resolve()
    config = api.configure([root], env={})
    result = api.analyze_with_config([root], config)
    rendered = {}
    for fmt, name in FORMATS.items():
        text = api.render(result, fmt)
        if fmt in {"json", "sarif"}:
            text = _normalise_json(text, fmt)
        rendered[name] = text.replace(root.as_uri(), "file:///ROOT").replace(str(root), "ROOT")
    return rendered


def cases() -> list[Path]:
    """Every golden case folder of `analyze` (optimize cases have their own function)."""
    return sorted(
        p
        for p in GOLDEN.iterdir()
        if (p / "input").is_dir() and not p.name.startswith(OPTIMIZE_PREFIX)
    )


OPTIMIZE_PREFIX = "optimize-repo-"
REPO_FILES = ("compose.dev.yaml", "compose.prod.yaml", "docker-bake.hcl", "Makefile")


def optimize_cases() -> list[Path]:
    """Golden cases of `optimize`'s repository-level files (tests/golden/optimize-repo-*)."""
    return sorted(p for p in GOLDEN.glob(OPTIMIZE_PREFIX + "*") if p.is_dir())


def _optimize_source(case: Path) -> tuple[Path, bool]:
    """(repository to optimize, use the stand-in generators?) of an optimize case.

    `input/` is a small repository optimized with the stand-in per-service generators of
    tests/unit/generate/repo_fakes.py; a `source` file names an example stack (relative to
    the repository root) optimized with the real generators.
    """
    if (case / "input").is_dir():
        return case / "input", True
    return GOLDEN.parents[1] / (case / "source").read_text(encoding="utf-8").strip(), False


def render_optimize_case(case: Path) -> dict[str, str]:
    """`expected/<path>` -> text for every file optimize writes (repository-level files only
    when the real generators run), plus `expected/summary.txt` for stand-in cases."""
    import shutil
    import tempfile

    from dockwright.generate.diff import render_summary
    from dockwright.generate.project import plan_optimization
    from dockwright.model.project import discover

    sys.path.insert(0, str(GOLDEN.parents[1]))
    from tests.unit.generate.repo_fakes import fake_generators

    source, fake = _optimize_source(case)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        shutil.copytree(source, root, ignore=shutil.ignore_patterns(".ruff_cache", "__pycache__"))
        plan = plan_optimization(discover([root]), generators=fake_generators() if fake else None)
        rendered = {
            f"expected/{c.path.as_posix()}": c.after
            for c in plan.changes
            if fake or c.path.name in REPO_FILES or c.path.name.startswith("docker-compose")
        }
        if fake:
            rendered["expected/summary.txt"] = render_summary(plan).replace(str(root), "ROOT")
    return rendered


def main(argv: list[str]) -> int:
    selected = [c for c in cases() if not argv or c.name in argv]
    for case in selected:
        for name, text in render_case(case).items():
            (case / name).write_text(text, encoding="utf-8")
            print(f"wrote {case.relative_to(GOLDEN.parent.parent)}/{name}")
    for case in (c for c in optimize_cases() if not argv or c.name in argv):
        shutil_rmtree(case / "expected")
        for name, text in render_optimize_case(case).items():
            (case / name).parent.mkdir(parents=True, exist_ok=True)
            (case / name).write_text(text, encoding="utf-8")
            print(f"wrote {case.relative_to(GOLDEN.parent.parent)}/{name}")
    return 0


def shutil_rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

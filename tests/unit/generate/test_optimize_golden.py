"""Generated Dockerfiles and ignore files of the golden repositories and both example stacks.

For each case: the files match `expected/`, every Dockerfile parses, `analyze` on a copy with
the files applied finds none of the fixable findings, and optimizing again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright import api
from dockwright.model.dockerfile import parse_text
from dockwright.model.project import discover
from dockwright.rules import registry
from tests.unit.generate.optimize_cases import apply, cases, copy_repo, generate, render_case

FIXABLE = frozenset(r.id for r in registry.all_rules() if r.fixable)
CASES = cases()


def test_every_fixture_kind_has_a_case() -> None:
    names = {c.name for c in CASES}
    for kind in ("requirements", "poetry", "uv", "pdm", "pipfile", "apt", "monorepo"):
        assert f"optimize-{kind}" in names
    assert {"optimize-private-index", "optimize-example-transcription"} <= names


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_generated_files_match_golden(case: Path) -> None:
    for rel, text in render_case(case).items():
        expected = (case / "expected" / rel).read_text(encoding="utf-8")
        assert text == expected, (
            f"{case.name}/{rel} differs; if intended, run "
            "`.venv/bin/python tests/unit/generate/optimize_cases.py` and review the diff"
        )


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_optimized_copy_parses_has_no_fixable_findings_and_is_stable(
    case: Path, tmp_path: Path
) -> None:
    repo = copy_repo(case, tmp_path)
    project = discover([repo])
    first = generate(project)
    for file in first:
        if file.path.name.endswith("Dockerfile"):
            parse_text(file.text, file.path)
    apply(project, first)
    found = [f for f in api.analyze([repo]).findings if f.rule_id in FIXABLE]
    assert not found, [(f.rule_id, f.service, f.location.line, f.message) for f in found]
    again = generate(discover([repo]))
    assert {f.path: f.text for f in again} == {f.path: f.text for f in first}

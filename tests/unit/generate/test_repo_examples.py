"""The issue's promises on both example stacks, with the real generators (no Docker).

`optimize --write` twice writes nothing the second time, and `analyze` on its output finds
none of the fixable findings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dockwright.generate.project import is_fixable, plan_optimization
from dockwright.generate.writer import write_in_place
from dockwright.model.project import discover
from dockwright.rules.engine import analyze

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.mark.parametrize("name", ["transcription-system", "voice-connector-llm"])
def test_optimize_is_idempotent_and_fixes_every_fixable_finding(tmp_path: Path, name: str) -> None:
    root = tmp_path / name
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns(".ruff_cache"))
    plan = plan_optimization(discover([root]))
    assert plan.changes and any(is_fixable(f) for f in plan.before.findings)
    assert plan.remaining_fixable == ()
    write_in_place(root, plan.writes())
    after = analyze(discover([root]))
    assert [f for f in after.findings if is_fixable(f)] == []
    assert plan_optimization(discover([root])).changes == ()

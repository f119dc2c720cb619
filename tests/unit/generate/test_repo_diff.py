"""Showing a plan: unified diffs with git-style paths, and the summary."""

from __future__ import annotations

from pathlib import Path

from dockwright.generate.diff import render_diff, render_summary, unified_diff
from dockwright.generate.project import FileChange, plan_optimization
from dockwright.model.project import discover
from tests.unit.generate.repo_fakes import fake_generators, make_repo


def test_new_file_diff_comes_from_dev_null() -> None:
    text = unified_diff(FileChange(Path("compose.dev.yaml"), None, "a\nb\n"))
    assert text.splitlines()[:3] == ["--- /dev/null", "+++ b/compose.dev.yaml", "@@ -0,0 +1,2 @@"]


def test_updated_file_diff_and_missing_final_newline() -> None:
    text = unified_diff(FileChange(Path("svc/Dockerfile"), "FROM a\n", "FROM b"))
    assert "--- a/svc/Dockerfile\n+++ b/svc/Dockerfile\n" in text
    assert text.endswith("+FROM b\n\\ No newline at end of file\n")


def test_plan_diff_and_summary(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    plan = plan_optimization(discover([root]), generators=fake_generators())
    diff = render_diff(plan)
    assert diff.count("+++ b/") == len(plan.changes)
    summary = render_summary(plan)
    assert summary.startswith("9 file(s) to change: 5 to create, 4 to update\n")
    assert "  update  docker-compose.prod.yml  resolves DW601\n" in summary
    assert "note: service api: `target: runtime` now targets `production`" in summary
    assert "resolves " in summary.splitlines()[-1] or "still to fix" not in summary


def test_summary_of_an_empty_plan(tmp_path: Path) -> None:
    plan = plan_optimization(discover([tmp_path]), generators=fake_generators())
    assert render_summary(plan) == "nothing to change\n"

from __future__ import annotations

from pathlib import Path

import pytest

from dockwright.errors import UsageError
from dockwright.measure.workspace import baseline_tree, copy_tree


def test_copy_tree_leaves_out_vcs_caches_and_history(project: Path, tmp_path: Path) -> None:
    for junk in (".git/HEAD", ".dockwright/history.db", "api/__pycache__/x.pyc", ".venv/bin/py"):
        (project / junk).parent.mkdir(parents=True, exist_ok=True)
        (project / junk).write_text("x")
    copy = copy_tree(project, tmp_path / "scratch")
    assert copy == tmp_path / "scratch" / "proj"
    assert (copy / "api" / "Dockerfile").is_file()
    assert not any((copy / j).exists() for j in (".git", ".dockwright", "api/__pycache__", ".venv"))
    (copy / "api" / "app" / "main.py").write_text("changed")
    assert (project / "api" / "app" / "main.py").read_text() == "print('hi')\n"


def test_baseline_folder_is_copied_under_the_after_name(project: Path, tmp_path: Path) -> None:
    before = tmp_path / "old-version"
    copy_tree(project, tmp_path, "old-version")
    copy = baseline_tree(project, str(before), tmp_path / "scratch")
    assert copy.name == "proj" and (copy / "worker" / "Dockerfile").is_file()


def test_copy_tree_needs_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a directory"):
        copy_tree(tmp_path / "missing", tmp_path / "scratch")

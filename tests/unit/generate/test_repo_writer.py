"""Writing plans: atomic replacement, backups, stale-file refusal, optimized copies."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dockwright.errors import InputError, UsageError
from dockwright.generate import writer
from dockwright.generate.writer import (
    BACKUP_DIR,
    PlannedWrite,
    atomic_write,
    copy_tree,
    write_copy,
    write_in_place,
)

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "svc").mkdir(parents=True)
    (repo / "svc" / "Dockerfile").write_text("FROM python:3.11\n")
    (repo / "Makefile").write_text("all:\n\ttrue\n")
    (repo / "Makefile").chmod(0o640)
    return repo


def _writes() -> list[PlannedWrite]:
    return [
        PlannedWrite(Path("svc/Dockerfile"), "FROM python:3.11\n", "FROM python:3.11-slim\n"),
        PlannedWrite(Path("Makefile"), "all:\n\ttrue\n", "all:\n\tfalse\n"),
        PlannedWrite(Path("compose.dev.yaml"), None, "services: {}\n"),
    ]


def test_write_in_place_backs_up_replaced_files(root: Path) -> None:
    result = write_in_place(root, _writes(), NOW)
    assert (root / "svc" / "Dockerfile").read_text() == "FROM python:3.11-slim\n"
    assert (root / "compose.dev.yaml").read_text() == "services: {}\n"
    assert result.backup_dir == root / BACKUP_DIR / "20250102T030405Z"
    assert (result.backup_dir / "svc" / "Dockerfile").read_text() == "FROM python:3.11\n"
    assert (result.backup_dir / "Makefile").read_text() == "all:\n\ttrue\n"
    assert not (result.backup_dir / "compose.dev.yaml").exists()  # nothing to back up
    assert len(result.written) == 3 and len(result.backups) == 2


def test_write_keeps_the_file_mode_and_leaves_no_temp_files(root: Path) -> None:
    write_in_place(root, _writes(), NOW)
    assert (root / "Makefile").stat().st_mode & 0o777 == 0o640
    assert (root / "compose.dev.yaml").stat().st_mode & 0o777 == 0o644
    assert not list(root.rglob("*.dwtmp"))


def test_backups_never_overwrite_earlier_backups(root: Path) -> None:
    first = write_in_place(root, _writes()[:1], NOW)
    again = [PlannedWrite(Path("svc/Dockerfile"), "FROM python:3.11-slim\n", "FROM x\n")]
    second = write_in_place(root, again, NOW)
    assert first.backup_dir != second.backup_dir
    assert second.backup_dir is not None and second.backup_dir.name.endswith("-2")
    assert (first.backup_dir / "svc" / "Dockerfile").read_text() == "FROM python:3.11\n"


def test_a_file_changed_since_the_plan_stops_every_write(root: Path) -> None:
    (root / "Makefile").write_text("edited by the user\n")
    with pytest.raises(InputError, match="changed since the plan was made: Makefile"):
        write_in_place(root, _writes(), NOW)
    assert (root / "svc" / "Dockerfile").read_text() == "FROM python:3.11\n"
    assert not (root / "compose.dev.yaml").exists() and not (root / ".dockwright").exists()


def test_a_file_created_since_the_plan_is_not_overwritten(root: Path) -> None:
    (root / "compose.dev.yaml").write_text("mine\n")
    with pytest.raises(InputError, match=r"compose\.dev\.yaml"):
        write_in_place(root, _writes(), NOW)
    assert (root / "compose.dev.yaml").read_text() == "mine\n"


def test_a_failure_while_staging_changes_nothing(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_stage = writer._stage
    calls = []

    def failing(path: Path, text: str) -> Path:
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_stage(path, text)

    monkeypatch.setattr(writer, "_stage", failing)
    with pytest.raises(OSError, match="disk full"):
        write_in_place(root, _writes(), NOW)
    assert (root / "svc" / "Dockerfile").read_text() == "FROM python:3.11\n"
    assert not list(root.rglob("*.dwtmp"))


def test_line_endings_are_compared_exactly(root: Path) -> None:
    (root / "Makefile").write_bytes(b"all:\r\n\ttrue\r\n")
    with pytest.raises(InputError):
        write_in_place(root, _writes(), NOW)


def test_write_copy_copies_the_repository_without_vcs_and_venvs(root: Path, tmp_path: Path) -> None:
    for junk in (".git/config", ".venv/bin/python", "svc/__pycache__/x.pyc"):
        (root / junk).parent.mkdir(parents=True, exist_ok=True)
        (root / junk).write_text("junk")
    (root / "svc" / "app.py").write_text("print(1)\n")
    out = tmp_path / "out"
    result = write_copy(root, out, _writes())
    assert (out / "svc" / "Dockerfile").read_text() == "FROM python:3.11-slim\n"
    assert (out / "svc" / "app.py").read_text() == "print(1)\n"
    assert not (out / ".git").exists() and not (out / ".venv").exists()
    assert not (out / "svc" / "__pycache__").exists()
    assert (root / "svc" / "Dockerfile").read_text() == "FROM python:3.11\n"  # untouched
    assert set(result.written) == {out / w.rel for w in _writes()}


def test_write_copy_refuses_a_folder_inside_the_repository(root: Path) -> None:
    with pytest.raises(UsageError, match="inside the repository"):
        write_copy(root, root / "optimized", _writes())


def test_write_copy_refuses_a_non_empty_folder(root: Path, tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x")
    with pytest.raises(UsageError, match="not an empty folder"):
        write_copy(root, tmp_path / "busy", _writes())
    (tmp_path / "empty").mkdir()
    write_copy(root, tmp_path / "empty", _writes())
    assert (tmp_path / "empty" / "compose.dev.yaml").is_file()


def test_scratch_copies_never_write_through_hard_links(root: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    copy_tree(root, scratch, link=True)
    assert (scratch / "Makefile").stat().st_ino == (root / "Makefile").stat().st_ino  # linked
    atomic_write(scratch / "Makefile", "changed\n")
    assert (root / "Makefile").read_text() == "all:\n\ttrue\n"
    assert (scratch / "Makefile").read_text() == "changed\n"


def test_cross_device_scratch_copies_make_big_files_sparse(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "model.bin").write_bytes(b"\1" * (2 << 20))

    def no_links(src: str, dst: str) -> None:
        raise OSError("cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    copy_tree(root, tmp_path / "scratch", link=True)
    copy = tmp_path / "scratch" / "model.bin"
    assert copy.stat().st_size == 2 << 20 and copy.read_bytes()[:1] == b"\0"
    assert (tmp_path / "scratch" / "Makefile").read_text() == "all:\n\ttrue\n"

"""Walking build contexts: exclusions, skipped folders, symlinks, unreadable and vanishing files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dockwright.model.context import iter_files, scan_context
from dockwright.model.dockerignore import DockerIgnore, load


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_sizes_and_exclusions(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": "12345", "data/big.bin": "x" * 100, ".dockerignore": "data\n"})
    scan = scan_context(tmp_path, load(tmp_path, tmp_path / "Dockerfile"))
    by_rel = {e.rel: e for e in scan.entries}
    assert by_rel["app.py"].size == 5 and not by_rel["app.py"].excluded
    assert by_rel["data"].is_dir and by_rel["data"].excluded
    assert scan.sent_bytes == 5 + len("data\n")
    assert [e.rel for e in iter_files(scan)] == [".dockerignore", "app.py"]


def test_excluded_folder_is_not_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path, {"node_modules/a/b.js": "x", "src/app.py": "x", ".dockerignore": "node_modules"}
    )
    walked: list[str] = []
    real = os.scandir

    def spy(path: str) -> object:
        walked.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(os, "scandir", spy)
    scan_context(tmp_path, load(tmp_path, tmp_path / "Dockerfile"))
    assert "node_modules" not in walked and "src" in walked


def test_excluded_folder_is_walked_when_an_exception_reaches_inside(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"vendor/keep/x.py": "x", "vendor/drop.py": "x", ".dockerignore": "vendor\n!vendor/keep\n"},
    )
    scan = scan_context(tmp_path, load(tmp_path, tmp_path / "Dockerfile"))
    sent = {e.rel for e in iter_files(scan)}
    assert "vendor/keep/x.py" in sent and "vendor/drop.py" not in sent


def test_symlink_loops_are_listed_not_followed(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/mod.py": "x"})
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg")
    (tmp_path / "self").symlink_to(tmp_path / "self")
    scan = scan_context(tmp_path, DockerIgnore(None))
    rels = {e.rel: e for e in scan.entries}
    assert rels["pkg/loop"].is_symlink and rels["self"].is_symlink
    assert scan.problems == ()


def test_unreadable_folder_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"secret/x": "x", "ok.py": "x"})
    real = os.scandir

    def deny(path: str) -> object:
        if path.endswith("secret"):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", deny)
    scan = scan_context(tmp_path, DockerIgnore(None))
    assert [e.rel for e in scan.entries] == ["ok.py"]
    assert [(p.path.name, p.message) for p in scan.problems] == [
        ("secret", "cannot read folder: Permission denied")
    ]


def test_unreadable_excluded_folder_is_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"secret/x": "x", ".dockerignore": "secret\n!secret/*.md\n"})
    real = os.scandir

    def deny(path: str) -> object:
        if path.endswith("secret"):
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", deny)
    scan = scan_context(tmp_path, load(tmp_path, tmp_path / "Dockerfile"))
    assert scan.problems == ()  # BuildKit ignores permission errors under excluded paths


def test_vanishing_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"gone.txt": "x", "kept.txt": "x"})
    real = os.scandir

    def vanish(path: str) -> object:
        entries = list(real(path))
        (tmp_path / "gone.txt").unlink(missing_ok=True)
        return _Ctx(entries)

    monkeypatch.setattr(os, "scandir", vanish)
    scan = scan_context(tmp_path, DockerIgnore(None))
    assert [e.rel for e in scan.entries] == ["kept.txt"] and scan.problems == ()


class _Ctx(list[os.DirEntry[str]]):
    def __enter__(self) -> _Ctx:
        return self

    def __exit__(self, *args: object) -> None:
        return None


def test_missing_context_is_a_problem(tmp_path: Path) -> None:
    scan = scan_context(tmp_path / "nope", DockerIgnore(None))
    assert scan.entries == () and scan.problems[0].path == tmp_path / "nope"

"""Apply an optimization plan: in place (with backups) or into a copy of the repository.

In place: every target file is first checked against the text the plan was made from
(a file changed since then stops the whole write, nothing is touched); each file that is
replaced is copied to `.dockwright/backups/<UTC timestamp>/<path>` (a folder discovery and
analysis skip); then all new texts are staged as temporary files beside their targets and
moved over them with `os.replace`, so no file is ever left half-written.

Copy (`--out DIR`): the repository is copied to DIR without `.git`, virtualenvs, caches and
`.dockwright`, then the planned files are written there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dockwright.errors import InputError, UsageError
from dockwright.model.project import SKIP_DIRS

__all__ = [
    "BACKUP_DIR",
    "PlannedWrite",
    "WriteResult",
    "atomic_write",
    "copy_tree",
    "read_exact",
    "write_copy",
    "write_in_place",
]

BACKUP_DIR = Path(".dockwright") / "backups"
_SPARSE_FROM = 1 << 20  # cross-device scratch copies: files from 1 MiB on are made sparse


@dataclass(frozen=True)
class PlannedWrite:
    """One file to write: its path relative to the root, the text it had, the new text."""

    rel: Path
    before: str | None  # None: the file did not exist
    after: str


@dataclass(frozen=True)
class WriteResult:
    """Files written and backups made (absolute paths)."""

    written: tuple[Path, ...]
    backups: tuple[Path, ...] = ()
    backup_dir: Path | None = None


def read_exact(path: Path) -> str | None:
    """The text of `path` with its line endings as they are; None when it does not exist."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", path) from exc


def _mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o644


def _stage(path: Path, text: str) -> Path:
    """Write `text` to a temporary file beside `path` (same mode as `path`); return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".dwtmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        Path(name).chmod(_mode(path))
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def atomic_write(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step (temp file + os.replace); keeps the file mode."""
    _stage(path, text).replace(path)


def _replace_all(targets: Sequence[tuple[Path, str]]) -> None:
    """Stage every text first, then move them all in place; nothing changes if staging fails."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in targets:
            staged.append((_stage(path, text), path))
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    for temp, path in staged:
        temp.replace(path)


def check_unchanged(root: Path, writes: Iterable[PlannedWrite]) -> None:
    """InputError naming every file whose text differs from the one the plan was made from."""
    stale = [w.rel.as_posix() for w in writes if read_exact(root / w.rel) != w.before]
    if stale:
        raise InputError(
            f"changed since the plan was made: {', '.join(stale)}; nothing was written, "
            "run `dockwright optimize` again"
        )


def _backup_dir(root: Path, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate, number = root / BACKUP_DIR / stamp, 1
    while candidate.exists():
        number += 1
        candidate = root / BACKUP_DIR / f"{stamp}-{number}"
    return candidate


def _backup(root: Path, writes: Sequence[PlannedWrite], now: datetime) -> WriteResult:
    replaced = [w for w in writes if w.before is not None]
    if not replaced:
        return WriteResult(())
    folder = _backup_dir(root, now)
    copies = []
    for write in replaced:
        target = folder / write.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / write.rel, target)
        copies.append(target)
    return WriteResult((), tuple(copies), folder)


def write_in_place(
    root: Path, writes: Sequence[PlannedWrite], now: datetime | None = None
) -> WriteResult:
    """Write the planned texts under `root`, backing up every file that is replaced."""
    check_unchanged(root, writes)
    backups = _backup(root, writes, now or datetime.now(UTC))
    _replace_all([(root / w.rel, w.after) for w in writes])
    return WriteResult(tuple(root / w.rel for w in writes), backups.backups, backups.backup_dir)


def _ignore(folder: str, names: list[str]) -> set[str]:
    del folder
    return {n for n in names if n in SKIP_DIRS}


def _link_or_copy(src: str, dst: str) -> object:
    """Hard link (cheap scratch copies); across devices big files become sparse stand-ins."""
    try:
        os.link(src, dst)
    except OSError:
        size = Path(src).stat().st_size
        if size < _SPARSE_FROM:
            return shutil.copy2(src, dst)
        with Path(dst).open("wb") as handle:  # same size for context rules, no data copied
            handle.truncate(size)
    return dst


def copy_tree(src: Path, dst: Path, *, link: bool = False) -> None:
    """Copy a repository without .git, virtualenvs and caches; symlinks stay symlinks.

    `link=True` makes a read-only scratch copy (hard links): never write into its files in
    place, replace them (see `atomic_write`).
    """
    copier = _link_or_copy if link else shutil.copy2
    shutil.copytree(src, dst, symlinks=True, ignore=_ignore, copy_function=copier)


def _check_out(root: Path, out: Path) -> None:
    real_root, real_out = root.resolve(), out.resolve()
    if real_out == real_root or real_out.is_relative_to(real_root):
        raise UsageError(f"--out {out} is inside the repository; choose a folder outside it")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"--out {out} exists and is not an empty folder")


def write_copy(root: Path, out: Path, writes: Sequence[PlannedWrite]) -> WriteResult:
    """Copy the repository to `out` (a new or empty folder), then write the planned texts."""
    _check_out(root, out)
    check_unchanged(root, writes)
    if out.exists():
        out.rmdir()
    copy_tree(root, out)
    for write in writes:
        atomic_write(out / write.rel, write.after)
    return WriteResult(tuple(out / w.rel for w in writes))

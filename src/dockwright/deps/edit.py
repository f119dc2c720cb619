"""Write version moves into the user's files.

Only the version text changes (comments, spacing, markers and quoting stay), the write is
atomic and the file mode is kept.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dockwright.deps.records import Change
from dockwright.model.findings import Edit, EditKind

_LOCK_NAMES = {"uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock"}


@dataclass(frozen=True)
class EditResult:
    """Files written and changes that could not be written (with the reason)."""

    written: tuple[Path, ...]
    refused: tuple[str, ...]


def _name_pattern(name: str) -> str:
    return "[-_.]".join(re.escape(part) for part in re.split(r"[-_.]+", name))


def edit_line(line: str, change: Change) -> str | None:
    """The line with `change.old` replaced by `change.new` after the package name, or None."""
    name = re.search(rf"(?<![\w.-]){_name_pattern(change.package)}(?![\w-])", line, re.I)
    if name is None:
        return None
    version = re.compile(rf"(?<![\w.]){re.escape(change.old)}(?![\w.])")
    match = version.search(line, name.end())
    if match is None:
        return None
    return line[: match.start()] + change.new + line[match.end() :]


def edits_for(change: Change, text: str) -> Edit | str:
    """The line edit for one change, or why it cannot be written."""
    if change.path is None or change.line is None:
        return f"{change.package}: no file and line to edit"
    if change.path.name in _LOCK_NAMES:
        return f"{change.path}: a lock file; regenerate it with its tool"
    lines = text.splitlines(keepends=True)
    if not 0 < change.line <= len(lines):
        return f"{change.path}:{change.line}: line not found"
    if "--hash" in "".join(lines[change.line - 1 : change.line + 1]):
        return f"{change.path}:{change.line}: hash-pinned; regenerate the lock with --lock"
    new = edit_line(lines[change.line - 1], change)
    if new is None:
        return f"{change.path}:{change.line}: {change.package}=={change.old} not found on the line"
    return Edit(EditKind.REPLACE, change.path, change.line, change.line, new)


def write_atomic(path: Path, text: str) -> None:
    """Replace a file's content atomically, keeping its permission bits."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply_changes(changes: Iterable[Change]) -> EditResult:
    """Write every change; a file is written only when all of its changes apply."""
    by_file: dict[Path, list[Change]] = {}
    for change in changes:
        by_file.setdefault(change.path or Path(), []).append(change)
    written: list[Path] = []
    refused: list[str] = []
    for path, group in by_file.items():
        text = path.read_bytes().decode("utf-8") if path.is_file() else ""
        edits = [edits_for(c, text) for c in group]
        problems = [e for e in edits if isinstance(e, str)]
        if problems:
            refused.extend(problems)
            continue
        lines = text.splitlines(keepends=True)
        for edit in (e for e in edits if isinstance(e, Edit)):
            lines[edit.start_line - 1] = edit.text
        write_atomic(path, "".join(lines))
        written.append(path)
    return EditResult(tuple(written), tuple(refused))

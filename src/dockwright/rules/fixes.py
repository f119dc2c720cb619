"""Apply typed line edits to text."""

from __future__ import annotations

from collections.abc import Iterable

from dockwright.model.findings import Edit, EditKind


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply edits bottom-up; an edit overlapping one already applied is skipped."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    taken: list[tuple[int, int]] = []
    for edit in sorted(edits, key=lambda e: (e.start_line, e.end_line), reverse=True):
        span = (edit.start_line, max(edit.start_line, edit.end_line))
        if any(not (span[1] < a or span[0] > b) for a, b in taken):
            continue
        taken.append(span)
        new = edit.text.splitlines(keepends=True)
        start = edit.start_line - 1
        if edit.kind is EditKind.INSERT:
            lines[start:start] = new
        elif edit.kind is EditKind.REPLACE:
            lines[start : edit.end_line] = new
        else:
            lines[start : edit.end_line] = []
    return "".join(lines)

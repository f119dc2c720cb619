"""Show a plan: a unified diff per file (git-style paths) and a summary of the changes.

The diff uses `a/<path>` and `b/<path>` names relative to the repository root (and
`/dev/null` for new files), so `dockwright optimize . > fix.patch && git apply fix.patch`
works from the root.
"""

from __future__ import annotations

import difflib
from collections import Counter

from dockwright.generate.project import FileChange, OptimizationPlan, inside

__all__ = ["render_diff", "render_summary", "unified_diff"]


def unified_diff(change: FileChange) -> str:
    """The unified diff of one change (empty when the texts are equal)."""
    name = change.path.as_posix()
    old = (change.before or "").splitlines(keepends=True)
    new = change.after.splitlines(keepends=True)
    lines = list(
        difflib.unified_diff(
            old,
            new,
            "/dev/null" if change.created else f"a/{name}",
            f"b/{name}",
        )
    )
    return "".join(
        ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in lines
    )


def render_diff(plan: OptimizationPlan) -> str:
    """Every change's diff, in path order."""
    return "".join(unified_diff(c) for c in plan.changes)


def _counted(ids: list[str]) -> str:
    counts = Counter(ids)
    return ", ".join(f"{i} x{n}" if n > 1 else i for i, n in sorted(counts.items()))


def _change_lines(change: FileChange) -> list[str]:
    verb = "create" if change.created else "update"
    fixes = f"  resolves {' '.join(change.resolves)}" if change.resolves else ""
    lines = [f"  {verb}  {change.path.as_posix()}{fixes}"]
    lines += [f"          note: {note}" for note in change.notes]
    return lines


def render_summary(plan: OptimizationPlan) -> str:
    """What changes, which rule ids each change resolves, and what is left to do by hand."""
    if not plan.changes:
        return "nothing to change\n"
    created = sum(c.created for c in plan.changes)
    head = (
        f"{len(plan.changes)} file(s) to change: {created} to create, "
        f"{len(plan.changes) - created} to update"
    )
    lines = [head]
    for change in plan.changes:
        lines += _change_lines(change)
    resolved = [f.rule_id for f in plan.resolved]
    lines.append(f"resolves {len(resolved)} finding(s): {_counted(resolved) or '-'}")
    for finding in plan.remaining_fixable:
        rel = inside(finding.location.path, plan.root) or finding.location.path
        where = f"{rel.as_posix()}:{finding.location.line}"
        lines.append(f"still to fix: {where}: {finding.rule_id} {finding.message}")
    lines += [f"note: {note}" for note in plan.notes]
    return "\n".join(lines) + "\n"

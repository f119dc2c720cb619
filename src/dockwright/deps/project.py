"""`deps` over a whole project: every service, then alignment across services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dockwright.deps import align
from dockwright.deps.analysis import ServiceRun, analyse_service
from dockwright.deps.imports import missing_imports
from dockwright.deps.records import DepsError, DepsReport, Misalignment
from dockwright.deps.sources import DepsOptions, Sources
from dockwright.deps.uvrun import Resolver
from dockwright.model.project import Project


def _planned(run: ServiceRun) -> align.Planned:
    fix = run.conflict.fix if run.conflict else None
    moved = {c.package: c.new for c in fix.changes} if fix and fix.verified else {}
    return align.Planned(run.inputs, moved, bool(fix and fix.applied))


@dataclass
class _Aligned:
    found: list[Misalignment] = field(default_factory=list)
    errors: list[DepsError] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def _groups(runs: Sequence[ServiceRun], roots: Sequence[Path]) -> list[list[align.Planned]]:
    """Resolved services per project root: unrelated stacks are never aligned together."""
    planned = [(root, _planned(r)) for r, root in zip(runs, roots, strict=True) if not r.error]
    return [[p for r, p in planned if r == root] for root in dict.fromkeys(roots)]


def _align(runs: Sequence[ServiceRun], roots: Sequence[Path], sources: Sources) -> _Aligned:
    out = _Aligned()
    for group in _groups(runs, roots):
        for item in align.find(group):
            if sources.options.align:
                item = align.verify(item, group, sources)
            if item.verified:
                item, result = align.write(item, group)
                out.errors += [DepsError("", f"alignment not written: {r}") for r in result.refused]
                out.written += result.written
            out.found.append(item)
    return out


def analyse_project(
    project: Project, options: DepsOptions, resolver: Resolver | None = None
) -> DepsReport:
    """Resolve every service; conflicts with their smallest fix, errors, alignment."""
    sources = Sources.create(options, resolver)
    runs = [analyse_service(s, sources) for s in project.services]
    aligned = _align(runs, [s.root for s in project.services], sources)
    missing = [
        m for s, r in zip(project.services, runs, strict=True) for m in missing_imports(s, r.deps)
    ]
    written = {*(p for r in runs for p in r.written), *aligned.written}
    return DepsReport(
        tuple(r.deps for r in runs),
        tuple(r.conflict for r in runs if r.conflict),
        tuple([*(r.error for r in runs if r.error), *aligned.errors]),
        tuple(aligned.found),
        tuple(missing),
        tuple(sorted(written)),
        project.roots,
    )

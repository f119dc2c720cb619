"""Alignment across services: one package pinned to different versions in different services.

The proposal is the highest pinned version that every service resolves with (verified by
resolving each service that would change); `--align` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from dockwright.deps.edit import EditResult, apply_changes
from dockwright.deps.inputs import ServiceInputs
from dockwright.deps.records import Change, Misalignment
from dockwright.deps.request import request_for
from dockwright.deps.sources import Sources


@dataclass(frozen=True)
class Planned:
    """A service's inputs and the versions its verified fix moves (name -> version)."""

    inputs: ServiceInputs
    moved: Mapping[str, str]
    written: bool = False  # the moves are already in the files

    def in_file(self, name: str) -> str | None:
        """The version the file pins `name` to now."""
        req = self.inputs.requirement(name)
        if req is None or req.pinned_version is None:
            return None
        return self.moved.get(name, req.pinned_version) if self.written else req.pinned_version

    def pin(self, name: str) -> str | None:
        """The version this service pins `name` to (after its fix)."""
        req = self.inputs.requirement(name)
        if req is None or req.marker or req.pinned_version is None:
            return None
        return self.moved.get(name, req.pinned_version)


def _key(version: str) -> Version:
    try:
        return Version(version)
    except InvalidVersion:
        return Version("0")


def find(planned: Sequence[Planned]) -> list[Misalignment]:
    """Packages pinned to more than one version across services, with the highest proposed."""
    names = sorted({r.name for p in planned for r in p.inputs.requirements if r.name})
    found = []
    for name in names:
        by = {p.inputs.service: v for p in planned if (v := p.pin(name)) is not None}
        if len(set(by.values())) > 1:
            found.append(Misalignment(name, by, max(by.values(), key=_key)))
    return found


def _changes(
    m: Misalignment, planned: Sequence[Planned], version: str
) -> list[tuple[Planned, Change]]:
    """The edits that bring every service of `m` to `version` (from what its file says now)."""
    out = []
    for p in planned:
        req, now = p.inputs.requirement(m.package), p.in_file(m.package)
        if p.inputs.service in m.versions and req and now and now != version:
            out.append((p, Change(m.package, now, version, req.path, req.line)))
    return out


def verify(m: Misalignment, planned: Sequence[Planned], sources: Sources) -> Misalignment:
    """The highest version every affected service resolves with (tried from the top)."""
    for version in sorted(set(m.versions.values()), key=_key, reverse=True):
        moves = _changes(m, planned, version)
        if all(_resolves(p, c, sources) for p, c in moves):
            return Misalignment(m.package, m.versions, version, verified=True)
    return m


def _resolves(p: Planned, change: Change, sources: Sources) -> bool:
    moved = {**p.moved, change.package: change.new}
    return sources.resolver.resolve(request_for(p.inputs, sources.options.source, moved)).ok


def write(m: Misalignment, planned: Sequence[Planned]) -> tuple[Misalignment, EditResult]:
    """Write a verified proposal into every service that differs."""
    result = apply_changes(c for _, c in _changes(m, planned, m.proposal))
    applied = bool(result.written) and not result.refused
    return Misalignment(m.package, m.versions, m.proposal, m.verified, applied), result

"""Dependency rules (DW7xx), static: read from the dependency files a service installs.

Resolver-based checks (conflicts through dependency metadata, CUDA wheels, sdists) belong to
`dockwright deps`; these rules never start a process.
"""

from __future__ import annotations

from collections.abc import Iterator

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from dockwright.model.depfiles import DepFile, DepKind, Requirement
from dockwright.model.findings import Finding, Group, Location, Severity
from dockwright.rules import _installs
from dockwright.rules.base import Rule, RuleContext


def installed_files(ctx: RuleContext) -> list[DepFile]:
    """The dependency files the service's install commands read (with their includes)."""
    found: dict[object, DepFile] = {}
    for inst in _installs.python_installs(ctx.dockerfile.stages):
        for dep in _installs.dep_files_of(ctx, inst):
            found.setdefault(dep.path.resolve(), dep)
    return list(found.values())


def _requirements(ctx: RuleContext) -> list[Requirement]:
    return [r for d in installed_files(ctx) for r in d.requirements if r.name and not r.group]


def _where(req: Requirement) -> Location:
    return Location(req.path, req.line)


def _admits(spec: str, version: str) -> bool:
    try:
        return Version(version) in SpecifierSet(spec, prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return True


class ConflictingPins(Rule):
    """A package is pinned to a version that another of the service's files excludes.

    pip stops with ResolutionImpossible and the image never builds. `dockwright deps`
    explains conflicts that come through dependencies' metadata too, and fixes them.

    Anti-pattern::

        # requirements.txt          # constraints.txt
        pydantic==2.5.0             pydantic>=2.5.2

    Better: one version that every file admits (`pydantic==2.5.2`).
    """

    id = "DW701"
    name = "deps.conflicting-pins"
    severity = Severity.ERROR
    group = Group.DEPS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        reqs = [r for r in _requirements(ctx) if not r.marker]
        for pin in reqs:
            blocker = _blocker(pin, reqs)
            if blocker is not None:
                yield self.report(
                    ctx,
                    _where(pin),
                    f"{pin.name}=={pin.pinned_version} is excluded by `{blocker.raw}` "
                    f"({blocker.path.name}:{blocker.line}): the install cannot resolve",
                )


def _blocker(pin: Requirement, reqs: list[Requirement]) -> Requirement | None:
    """Another requirement on the same package that excludes `pin`'s version.

    A pair of pins is reported once, at the first.
    """
    version = pin.pinned_version
    if version is None:
        return None
    for other in reqs:
        if other.name != pin.name or other is pin or not other.specifier:
            continue
        earlier_pin = other.pinned_version and (other.path, other.line) < (pin.path, pin.line)
        if not earlier_pin and not _admits(other.specifier, version):
            return other
    return None


class MisalignedPins(Rule):
    """The same package is pinned to different versions in different services.

    Shared code then runs against different library versions per image, and a fix made in
    one service (a security bump) silently misses the others.

    Anti-pattern: `pydantic==2.5.0` in one service, `pydantic==2.5.2` in another.

    Better: one version everywhere (`dockwright deps --align` verifies and writes it).
    """

    id = "DW702"
    name = "deps.misaligned-pins"
    severity = Severity.INFO
    group = Group.DEPS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        others = _other_pins(ctx)
        for req in _requirements(ctx):
            version = req.pinned_version
            differ = {s: v for s, v in others.get(req.name, {}).items() if version and v != version}
            if version and differ and not req.marker:
                listed = ", ".join(f"{s} {v}" for s, v in sorted(differ.items()))
                yield self.report(ctx, _where(req), f"{req.name}=={version} here, but {listed}")


def _other_pins(ctx: RuleContext) -> dict[str, dict[str, str]]:
    """Pins of the other services under the same root: name -> service -> version."""
    out: dict[str, dict[str, str]] = {}
    for service in ctx.project.services:
        if service.name == ctx.service.name or service.root != ctx.service.root:
            continue
        other = RuleContext(service, ctx.project, ctx.options)
        for req in _requirements(other):
            if req.pinned_version and not req.marker:
                out.setdefault(req.name, {}).setdefault(service.name, req.pinned_version)
    return out


_LOCKED = {DepKind.UV_LOCK, DepKind.POETRY_LOCK, DepKind.PDM_LOCK, DepKind.PIPFILE_LOCK}


class UnpinnedRequirement(Rule):
    """A requirements file names a package without an exact version, and nothing locks it.

    Each build may install a different version: the image is not reproducible and a new
    release can break it without any change in the repository.

    Anti-pattern::

        fastapi>=0.100

    Better: pin it, or keep the loose file as input and install from a lock with hashes
    (`dockwright deps --lock` writes `requirements.lock`).
    """

    id = "DW703"
    name = "deps.unpinned"
    severity = Severity.INFO
    group = Group.DEPS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        files = installed_files(ctx)
        if any(d.kind in _LOCKED for d in files):
            return
        constrained = {
            r.name
            for d in files
            for r in d.requirements
            if r.pinned and d.kind is DepKind.CONSTRAINTS
        }
        for dep in (d for d in files if d.kind is DepKind.REQUIREMENTS):
            for req in dep.requirements:
                if req.name and not req.pinned and req.name not in constrained:
                    yield self.report(
                        ctx, _where(req), f"`{req.raw}` is not pinned: builds are not reproducible"
                    )

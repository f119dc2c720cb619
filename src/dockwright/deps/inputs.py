"""What a service's image installs, built from the project model.

Requirements and constraints with their file and line, index options, the target platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dockwright.deps.target import Target, target_of
from dockwright.model.depfiles import (
    DepFile,
    DepKind,
    Requirement,
    parse_requirement,
    real_path,
    with_includes,
)
from dockwright.model.findings import Problem
from dockwright.model.installs import DockerInstall, installs
from dockwright.model.project import Service

_PROJECT_KINDS = frozenset({DepKind.PYPROJECT, DepKind.SETUP_PY, DepKind.SETUP_CFG})
_CONSTRAINT_KINDS = frozenset({DepKind.CONSTRAINTS})


@dataclass(frozen=True)
class ServiceInputs:
    """The dependency inputs of one service's image."""

    service: str
    target: Target
    files: tuple[DepFile, ...]
    requirements: tuple[Requirement, ...]
    constraints: tuple[Requirement, ...] = ()
    index_urls: tuple[str, ...] = ()
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    def requirement(self, name: str) -> Requirement | None:
        """The service's own requirement on `name` (requirements before constraints)."""
        return next((r for r in (*self.requirements, *self.constraints) if r.name == name), None)


def _declared(service: Service) -> list[DepFile]:
    """Without an install command naming files: the declared files, else the lock files."""
    declared = [d for d in service.dep_files if not d.is_lock]
    return declared or [d for d in service.dep_files if d.is_lock]


def _files(service: Service, found: list[DockerInstall]) -> list[DepFile]:
    known = {real_path(d.path): d for d in service.dep_files}
    named = [p for i in found for p in (*i.requirement_files, *i.constraint_files)]
    files = with_includes(named, known)
    if any(i.installs_project for i in found):
        files += [d for d in service.dep_files if d.kind in _PROJECT_KINDS and d not in files]
    if not found:
        files = with_includes([d.path for d in _declared(service)], known)
    return files


def _command_line(found: list[DockerInstall], dockerfile: Path) -> list[Requirement]:
    reqs = []
    for inst in found:
        for word in inst.packages:
            try:
                reqs.append(parse_requirement(word.strip("'\""), dockerfile, inst.instruction.line))
            except ValueError:
                continue  # a variable or an option value, not a requirement
    return reqs


def service_inputs(service: Service) -> ServiceInputs:
    """Requirements, constraints and index options of the image the service builds."""
    found = list(installs(service.dockerfile, service.context))
    files = _files(service, found)
    cons = {real_path(p) for i in found for p in i.constraint_files}
    is_cons = [d.kind in _CONSTRAINT_KINDS or real_path(d.path) in cons for d in files]
    main = [r for d, c in zip(files, is_cons, strict=True) if not c for r in d.requirements]
    main += _command_line(found, service.dockerfile_path)
    return ServiceInputs(
        service.name,
        target_of(service.dockerfile, service.target),
        tuple(files),
        tuple(r for r in main if not r.group),
        tuple(r for d, c in zip(files, is_cons, strict=True) if c for r in d.requirements),
        tuple(dict.fromkeys(u for d in files for u in d.index_urls)),
        tuple(dict.fromkeys(u for d in files for u in d.extra_index_urls)),
        tuple(dict.fromkeys(_link(d, u) for d in files for u in d.find_links)),
        tuple(p for d in files for p in d.problems),
    )


def _link(dep: DepFile, value: str) -> str:
    if "://" in value or "$" in value:
        return value
    return str(real_path(dep.path.parent / value))

"""The smallest change that resolves a conflict, verified by resolving again.

Candidates are version moves of the directly pinned packages in the conflict chain:
- a package that a dependency demands within a spec moves to the nearest version inside it;
- a pinned package that makes the demand moves to its nearest other versions (speculative:
  only resolving tells whether its metadata demands something else).
They are tried cheapest first: fewest packages changed, directed before speculative, upgrades
before downgrades, then the fewest releases moved. A candidate that meets a new conflict is
extended with the moves that conflict suggests (best-first search, bounded attempts).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from dockwright.deps.explain import explain
from dockwright.deps.index import PackageIndex, versions
from dockwright.deps.inputs import ServiceInputs
from dockwright.deps.records import Change, Conflict, ProposedFix
from dockwright.deps.uvrun import Outcome
from dockwright.model.depfiles import Requirement

Attempt = Callable[[Mapping[str, str]], Outcome]
Cost = tuple[int, int, int, int]
SPECULATIVE_PER_SIDE = 2


@dataclass(frozen=True)
class Move:
    """One candidate version move with its cost parts."""

    change: Change
    speculative: bool
    distance: int


def _releases(index: PackageIndex, name: str, current: Version) -> list[Version]:
    found = [v for v in versions(index, name) if not v.is_prerelease or v == current]
    return sorted({*found, current})


def _nearest(candidates: list[Version], current: Version) -> list[Version]:
    """The nearest candidate above and below `current`."""
    up = [v for v in candidates if v > current]
    down = [v for v in candidates if v < current]
    return [*up[:1], *down[-1:]]


def _distance(releases: list[Version], old: Version, new: Version) -> int:
    return abs(releases.index(new) - releases.index(old))


def moves(
    conflict: Conflict, inputs: ServiceInputs, index: PackageIndex, fixed: frozenset[str]
) -> Iterator[Move]:
    """Candidate single moves for one conflict (packages in `fixed` are not moved again)."""
    for name in conflict.packages:
        req = inputs.requirement(name)
        pinned = req.pinned_version if req else None
        if req is None or pinned is None or name in fixed:
            continue
        current = Version(pinned)
        releases = _releases(index, name, current)
        demanded = _demanded_spec(conflict, name)
        if demanded is not None:
            inside = [v for v in releases if v in demanded and v != current]
            for new in _nearest(inside, current):
                yield Move(_change(req, name, new), False, _distance(releases, current, new))
        if any(
            d.who.startswith(f"{name}==") or d.who.startswith(f"{name}[") for d in conflict.chain
        ):
            others = [v for v in releases if v != current]
            up = [v for v in others if v > current][:SPECULATIVE_PER_SIDE]
            down = [v for v in others if v < current][-SPECULATIVE_PER_SIDE:]
            for new in [*up, *down]:
                yield Move(_change(req, name, new), True, _distance(releases, current, new))


def _change(req: Requirement, name: str, new: Version) -> Change:
    return Change(name, req.pinned_version or "", str(new), req.path, req.line)


def _demanded_spec(conflict: Conflict, name: str) -> SpecifierSet | None:
    specs = [d.spec for d in conflict.chain if d.package == name and d.who and d.spec]
    try:
        return SpecifierSet(",".join(specs)) if specs else None
    except InvalidSpecifier:
        return None


def _cost(chosen: tuple[Move, ...]) -> Cost:
    return (
        len(chosen),
        sum(m.speculative for m in chosen),
        sum(not m.change.is_upgrade for m in chosen),
        sum(m.distance for m in chosen),
    )


def smallest_fix(
    conflict: Conflict,
    inputs: ServiceInputs,
    index: PackageIndex,
    attempt: Attempt,
    max_attempts: int = 12,
) -> ProposedFix | None:
    """The cheapest set of moves whose resolution succeeds, or None within `max_attempts`."""
    frontier: list[tuple[Cost, int, tuple[Move, ...], Conflict]] = []
    counter = 0
    for move in moves(conflict, inputs, index, frozenset()):
        counter += 1
        heapq.heappush(frontier, (_cost((move,)), counter, (move,), conflict))
    seen: set[frozenset[tuple[str, str]]] = set()
    while frontier and max_attempts > 0:
        _, _, chosen, _ = heapq.heappop(frontier)
        key = frozenset((m.change.package, m.change.new) for m in chosen)
        if key in seen:
            continue
        seen.add(key)
        max_attempts -= 1
        outcome = attempt({m.change.package: m.change.new for m in chosen})
        if outcome.ok:
            return ProposedFix(tuple(m.change for m in chosen), verified=True)
        found = explain(inputs, outcome)
        if isinstance(found, Conflict) and len(chosen) < 3:
            fixed = frozenset(m.change.package for m in chosen)
            for move in moves(found, inputs, index, fixed):
                counter += 1
                extended = (*chosen, move)
                heapq.heappush(frontier, (_cost(extended), counter, extended, found))
    return None

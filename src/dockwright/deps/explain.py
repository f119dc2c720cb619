"""Turn uv's failure text into a conflict chain, or into one clear error line per service.

A chain says who demands what, with the file and line of the service's own requirements.
"""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

from dockwright.deps.inputs import ServiceInputs
from dockwright.deps.records import Conflict, Demand, DepsError
from dockwright.deps.request import requirement_line
from dockwright.deps.uvrun import Outcome, Status

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]+\])?"
_SPEC = r"(?:[=!<>~]{1,3}[A-Za-z0-9.*+!]+(?:,[=!<>~]{1,3}[A-Za-z0-9.*+!]+)*)?"
_DEPENDS = re.compile(rf"(?:all versions of )?({_NAME})({_SPEC}) depends? on ({_NAME})({_SPEC})")
_REQUIRE = re.compile(rf"(?<!conclude that )you require ({_NAME})({_SPEC})")
_NOT_FOUND = re.compile(
    rf"({_NAME}) was not found in the (package registry|provided package locations|cache)"
)
_NO_VERSION = re.compile(rf"there (?:is|are) no versions? of ({_NAME})({_SPEC})")


def _canon(name: str) -> str:
    return canonicalize_name(name.split("[", 1)[0])


def chain_of(text: str, inputs: ServiceInputs) -> tuple[Demand, ...]:
    """Every `X depends on Y spec` and `you require Y spec` in uv's explanation, in order."""
    found: list[tuple[int, Demand]] = []
    for match in _DEPENDS.finditer(text):
        who = f"{_canon(match.group(1))}{match.group(2)}"
        found.append((match.start(), Demand(_canon(match.group(3)), match.group(4), who)))
    for match in _REQUIRE.finditer(text):
        req = inputs.requirement(_canon(match.group(1)))
        where = (req.path, req.line) if req else (None, None)
        found.append((match.start(), Demand(_canon(match.group(1)), match.group(2), "", *where)))
    return tuple(dict.fromkeys(d for _, d in sorted(found, key=lambda item: item[0])))


def _located(inputs: ServiceInputs, name: str, message: str) -> DepsError:
    req = inputs.requirement(name)
    first = inputs.files[0].path if inputs.files else None
    return DepsError(inputs.service, message, req.path if req else first, req.line if req else None)


def _missing(inputs: ServiceInputs, text: str, offline: bool) -> DepsError | None:
    if match := _NOT_FOUND.search(text):
        name = _canon(match.group(1))
        where = "in the wheelhouse" if offline or "provided" in match.group(2) else "in the index"
        return _located(inputs, name, f"unknown package {name!r}: not found {where}")
    if match := _NO_VERSION.search(text):
        name = _canon(match.group(1))
        return _located(inputs, name, f"no version of {name}{match.group(2)} in the index")
    return None


def explain(inputs: ServiceInputs, outcome: Outcome, offline: bool = False) -> Conflict | DepsError:
    """A Conflict for unsatisfiable requirements, else a one-line DepsError."""
    text = " ".join(outcome.error.split())
    missing = _missing(inputs, text, offline)
    if missing is not None:
        return missing
    if outcome.status is Status.UNSATISFIABLE:
        chain = chain_of(text, inputs)
        packages = tuple(dict.fromkeys(d.package for d in chain))
        return Conflict(
            inputs.service, packages, chain, _summary(chain) or _last_cause(outcome.error)
        )
    first = inputs.files[0].path if inputs.files else None
    if outcome.status is Status.INVALID:
        return _invalid(inputs, outcome.error)
    if outcome.status is Status.NETWORK:
        return DepsError(
            inputs.service, f"cannot reach the package index: {_last_cause(outcome.error)}", first
        )
    return DepsError(inputs.service, _last_cause(outcome.error) or "resolution failed", first)


def _last_cause(error: str) -> str:
    lines = [
        ln.strip().removeprefix("cause:").removeprefix("error:").strip()
        for ln in error.splitlines()
    ]
    useful = [ln for ln in lines if ln]
    return useful[-1] if useful else ""


def _summary(chain: tuple[Demand, ...]) -> str:
    parts = [
        f"{d.who} requires {d.package}{d.spec}" if d.who else f"you require {d.package}{d.spec}"
        for d in chain
    ]
    return "; ".join(parts)


def _invalid(inputs: ServiceInputs, error: str) -> DepsError:
    """A line uv could not parse: name the requirement's own file and line."""
    lines = [ln.strip() for ln in error.splitlines()]
    marked = next((lines[i - 1] for i, ln in enumerate(lines) if ln.startswith("^") and i), "")
    causes = [ln.removeprefix("cause:").strip() for ln in lines if ln.startswith("cause:")]
    reason = causes[0] if causes else "invalid requirement"
    for req in (*inputs.requirements, *inputs.constraints):
        if requirement_line(req) == marked or req.raw == marked:
            return DepsError(
                inputs.service, f"malformed requirement {req.raw!r}: {reason}", req.path, req.line
            )
    first = inputs.files[0].path if inputs.files else None
    return DepsError(inputs.service, f"malformed requirement {marked!r}: {reason}", first)

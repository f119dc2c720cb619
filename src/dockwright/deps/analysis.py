"""`deps` for one service: resolve, explain a conflict and find its smallest fix.

A resolved service is then reported on: PyTorch/CUDA, loose pins, sdist-only packages and
runtime libraries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from dockwright.deps.edit import apply_changes, write_atomic
from dockwright.deps.explain import explain
from dockwright.deps.imports import reached_sources
from dockwright.deps.inputs import ServiceInputs, service_inputs
from dockwright.deps.minfix import Attempt, smallest_fix
from dockwright.deps.native import native_needs
from dockwright.deps.records import Conflict, DepsError, NativeNeeds, ServiceDeps
from dockwright.deps.request import ResolveRequest, request_for
from dockwright.deps.sources import Sources, prefetch
from dockwright.deps.torch import torch_report
from dockwright.deps.uvrun import Outcome
from dockwright.model.project import Service


@dataclass(frozen=True)
class ServiceRun:
    """The outcome for one service: its report, and a conflict or an error when it failed."""

    inputs: ServiceInputs
    deps: ServiceDeps
    outcome: Outcome | None = None
    conflict: Conflict | None = None
    error: DepsError | None = None
    written: tuple[Path, ...] = ()


def _base(inputs: ServiceInputs) -> ServiceDeps:
    return ServiceDeps(
        inputs.service,
        inputs.target.python,
        inputs.target.uv_platform,
        tuple(d.path for d in inputs.files),
        loose=tuple(r.raw for r in inputs.requirements if not r.pinned),
    )


def _problem_error(inputs: ServiceInputs) -> DepsError | None:
    if not inputs.problems:
        return None
    first = inputs.problems[0]
    return DepsError(inputs.service, first.message, first.path, first.line)


def attempt_for(inputs: ServiceInputs, sources: Sources) -> Attempt:
    """A function resolving the service with some packages moved (for the fix search)."""

    def attempt(changes: Mapping[str, str]) -> Outcome:
        return sources.resolver.resolve(request_for(inputs, sources.options.source, changes))

    return attempt


def _conflict(
    inputs: ServiceInputs, outcome: Outcome, sources: Sources, service: Service
) -> ServiceRun:
    found = explain(inputs, outcome, sources.options.offline)
    base = _base(inputs)
    if isinstance(found, DepsError):
        return ServiceRun(inputs, base, outcome, error=found)
    fix = smallest_fix(found, inputs, sources.index_for(inputs), attempt_for(inputs, sources))
    if fix is None or not sources.options.fix or not fix.verified:
        return ServiceRun(inputs, base, outcome, conflict=replace(found, fix=fix))
    result = apply_changes(fix.changes)
    applied = not result.refused
    conflict = replace(found, fix=replace(fix, applied=applied))
    if not applied:
        error = DepsError(inputs.service, "fix not written: " + "; ".join(result.refused))
        return ServiceRun(inputs, base, outcome, conflict, error, result.written)
    request = request_for(inputs, sources.options.source, {c.package: c.new for c in fix.changes})
    fixed = _resolved(inputs, request, sources.resolver.resolve(request), sources, service)
    return replace(fixed, conflict=conflict, written=result.written)


def _resolved(
    inputs: ServiceInputs,
    request: ResolveRequest,
    outcome: Outcome,
    sources: Sources,
    service: Service,
) -> ServiceRun:
    if not outcome.ok:
        return _conflict(inputs, outcome, sources, service)
    index = sources.index_for(inputs)
    prefetch(index, [p.name for p in outcome.pins])
    direct = {r.name for r in inputs.requirements}
    wheelhouse = tuple(str(p) for p in sources.options.find_links)
    torch = torch_report(
        outcome, request, direct, reached_sources(service), sources.resolver, index, wheelhouse
    )
    native: NativeNeeds = native_needs(outcome.pins, index, inputs.target)
    deps = replace(
        _base(inputs), resolution=outcome.pins, torch=torch, native=native, cached=outcome.cached
    )
    written = _write_lock(inputs, request, sources) if sources.options.lock and deps.loose else ()
    return ServiceRun(inputs, deps, outcome, written=written)


def analyse_service(service: Service, sources: Sources) -> ServiceRun:
    """Resolve one service and report on it; never raises for bad input."""
    inputs = service_inputs(service)
    error = _problem_error(inputs)
    if error is not None:
        return ServiceRun(inputs, _base(inputs), error=error)
    if not inputs.requirements:
        return ServiceRun(inputs, _base(inputs))
    request = request_for(inputs, sources.options.source)
    return _resolved(inputs, request, sources.resolver.resolve(request), sources, service)


def lock_path(inputs: ServiceInputs) -> Path | None:
    """Where the lock of a service goes: `<first requirements file stem>.lock` beside it."""
    first = next((d.path for d in inputs.files if not d.is_lock), None)
    return first.with_name(first.stem + ".lock") if first else None


def _write_lock(
    inputs: ServiceInputs, request: ResolveRequest, sources: Sources
) -> tuple[Path, ...]:
    path = lock_path(inputs)
    outcome = sources.resolver.resolve(replace(request, hashes=True))
    if path is None or not outcome.ok:
        return ()
    header = f"# Generated by dockwright deps --lock for {inputs.target.label}; install with\n"
    header += "#   pip install --require-hashes -r " + path.name + "\n"
    write_atomic(path, header + outcome.lock_text)
    return (path,)

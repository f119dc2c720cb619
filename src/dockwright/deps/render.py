"""`deps` results as text: a terminal summary, or JSON built from the typed records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from dockwright.deps.records import (
    Conflict,
    DepsReport,
    Misalignment,
    ServiceDeps,
    TorchReport,
)

JSON_VERSION = 1
_ADAPTER = TypeAdapter(DepsReport)


def to_json(report: DepsReport) -> str:
    """The report as JSON: `services`, `conflicts` (service, packages, chain, fix), `errors`..."""
    data: dict[str, Any] = {"version": JSON_VERSION, **_ADAPTER.dump_python(report, mode="json")}
    for item, conflict in zip(data["conflicts"], report.conflicts, strict=True):
        if conflict.fix is not None:
            item["fix"]["summary"] = conflict.fix.summary
    for item, error in zip(data["errors"], report.errors, strict=True):
        item["text"] = error.one_line()
    return json.dumps(data, indent=2) + "\n"


def _rel(path: Path | None, base: Path | None) -> str:
    if path is None:
        return "?"
    try:
        return str(path.relative_to(base)) if base else str(path)
    except ValueError:
        return str(path)


def _mb(size: int | None) -> str:
    return "unknown size" if size is None else f"{size / 1e6:,.0f} MB"


def _conflict_lines(c: Conflict, base: Path | None) -> Iterator[str]:
    yield f"  conflict: {', '.join(c.packages)}"
    for d in c.chain:
        if d.who:
            yield f"    {d.who} requires {d.package}{d.spec}"
        else:
            yield f"    {_rel(d.path, base)}:{d.line}: requires {d.package}{d.spec}"
    if c.fix is None:
        yield "  no single version move resolves it; change the requirements by hand"
    elif c.fix.applied:
        yield f"  fixed: {c.fix.summary} (verified by resolving again; written)"
    else:
        yield f"  smallest fix: {c.fix.summary} (verified by resolving again; --fix writes it)"


def _torch_lines(t: TorchReport) -> Iterator[str]:
    yield f"  torch {t.torch_version} via {', '.join(t.pulled_by) or 'a dependency'}"
    if not t.cuda_packages:
        return
    uses = "uses CUDA" if t.code_uses_cuda else "never uses CUDA"
    yield f"    CUDA wheels: {len(t.cuda_packages)} packages, {_mb(t.cuda_bytes)}; the code {uses}"
    if t.cpu_resolution:
        yield f"    CPU-only resolution: {len(t.cpu_resolution)} packages from {t.cpu_source}"
    else:
        yield f"    CPU-only resolution failed: {t.cpu_error}"


def _service_lines(s: ServiceDeps) -> Iterator[str]:
    count = f"{len(s.resolution)} packages" if s.resolution else "not resolved"
    cached = " (cached)" if s.cached else ""
    yield f"{s.service}: python {s.python} on {s.platform}, {count}{cached}"
    if s.loose:
        yield f"  not pinned: {', '.join(s.loose)} (--lock writes a hashed lock)"
    if s.torch:
        yield from _torch_lines(s.torch)
    n = s.native
    if n.sdist_only:
        build = ", ".join(n.build_packages)
        yield f"  sdist only: {', '.join(n.sdist_only)} (build stage: {build})"
    if n.system_libraries:
        yield f"  runtime system packages: {', '.join(n.system_libraries)}"


def _align_line(m: Misalignment) -> str:
    pins = ", ".join(f"{svc} {v}" for svc, v in sorted(m.versions.items()))
    state = "verified; --align writes it" if m.verified else "--align verifies and writes it"
    state = "written" if m.applied else state
    return f"  {m.package}: {pins} -> {m.proposal} ({state})"


def to_terminal(report: DepsReport, base: Path | None = None) -> str:
    """A human summary, one block per service, then alignment, imports and errors."""
    out: list[str] = []
    conflicts = {c.service: c for c in report.conflicts}
    for s in report.services:
        out += _service_lines(s)
        if s.service in conflicts:
            out += _conflict_lines(conflicts[s.service], base)
    if report.misalignments:
        out += ["pinned differently across services:", *map(_align_line, report.misalignments)]
    out += [
        f"{_rel(m.path, base)}:{m.line}: {m.service} imports {m.module!r}, "
        "which its dependencies do not provide"
        for m in report.missing_imports
    ]
    out += [f"error: {e.one_line()}" for e in report.errors]
    out += [f"wrote {_rel(p, base)}" for p in report.written]
    return "\n".join(out) + "\n"

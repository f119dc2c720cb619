"""Image-size rule (DW217): meta-packages that install every transport when code uses one.

Table-driven: the rule knows only the meta-packages listed in `BUNDLES`, each with the
per-transport packages it installs and the module each transport is imported from. It says
nothing about packages that are not in the table.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dockwright.model.depfiles import Requirement
from dockwright.model.dockerfile import Stage
from dockwright.model.findings import Cost, Finding, Group, Location, Severity
from dockwright.rules import _installs, _layers, pysource
from dockwright.rules._size_support import human
from dockwright.rules.base import Rule, RuleContext

_GRPCIO_BYTES = 20_000_000  # grpcio 1.85 measured at 19 MB installed on linux/x86_64
_MAX_SOURCE_BYTES = 1_000_000
# Exporters chosen by configuration (entry points) rather than by import.
_AUTO_CONFIG = ("opentelemetry-instrument", "opentelemetry-distro")


@dataclass(frozen=True)
class Transport:
    """One transport a meta-package installs: its own package and its import path."""

    package: str
    module: str
    pulls: str  # what it brings in, for the message
    size: int  # estimated installed bytes of what only this transport needs


@dataclass(frozen=True)
class Bundle:
    """A meta-package that installs all of `transports` (from version `since` on)."""

    meta: str
    transports: tuple[Transport, ...]
    since: str


BUNDLES = (
    Bundle(
        "opentelemetry-exporter-otlp",
        (
            Transport(
                "opentelemetry-exporter-otlp-proto-grpc",
                "opentelemetry.exporter.otlp.proto.grpc",
                "grpcio and googleapis-common-protos",
                _GRPCIO_BYTES,
            ),
            Transport(
                "opentelemetry-exporter-otlp-proto-http",
                "opentelemetry.exporter.otlp.proto.http",
                "requests",
                500_000,
            ),
        ),
        since="1.5",
    ),
    Bundle(
        "opentelemetry-exporter-jaeger",
        (
            Transport(
                "opentelemetry-exporter-jaeger-proto-grpc",
                "opentelemetry.exporter.jaeger.proto.grpc",
                "grpcio",
                _GRPCIO_BYTES,
            ),
            Transport(
                "opentelemetry-exporter-jaeger-thrift",
                "opentelemetry.exporter.jaeger.thrift",
                "thrift",
                1_000_000,
            ),
        ),
        since="1.5",
    ),
)


@cache
def imported_modules(path: Path) -> frozenset[str]:
    """Full dotted names a Python file imports (`from a.b import c` gives a.b and a.b.c)."""
    try:
        if path.stat().st_size > _MAX_SOURCE_BYTES:
            return frozenset()
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return frozenset()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return frozenset(found)


def _uses(modules: set[str], prefix: str) -> bool:
    return any(m == prefix or m.startswith(prefix + ".") for m in modules)


def _too_old(req: Requirement, bundle: Bundle) -> bool:
    """True when the pin is older than the version that started bundling every transport."""
    try:
        return req.pinned_version is not None and Version(req.pinned_version) < Version(
            bundle.since
        )
    except InvalidVersion:
        return True


def unused_transports(bundle: Bundle, modules: set[str]) -> tuple[Transport, list[Transport]]:
    """(the one transport the code imports, the others) — ValueError unless exactly one."""
    used = [t for t in bundle.transports if _uses(modules, t.module)]
    if len(used) != 1:
        raise ValueError(bundle.meta)
    return used[0], [t for t in bundle.transports if t is not used[0]]


class MetaPackageUnusedTransports(Rule):
    """A meta-package installs every transport while the code imports only one.

    `opentelemetry-exporter-otlp` installs both the gRPC and the HTTP exporter; the gRPC
    one brings grpcio (about 20 MB installed). When the code imports only
    `opentelemetry.exporter.otlp.proto.http`, the gRPC half is dead weight. The rule knows a
    small table of such meta-packages (the OTLP and Jaeger exporters) and keeps quiet when
    the exporter may be chosen by configuration (`opentelemetry-instrument`, the distro).

    Anti-pattern (requirements.txt, code imports `...otlp.proto.http.trace_exporter`)::

        opentelemetry-exporter-otlp==1.21.0

    Better: install only the transport that is used::

        opentelemetry-exporter-otlp-proto-http==1.21.0
    """

    id = "DW217"
    name = "size.meta-package-unused-transports"
    severity = Severity.INFO
    group = Group.SIZE

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings for one service."""
        if _auto_configured(ctx):
            return
        stages = _layers.contributing_stages(ctx)
        modules = {m for p in pysource.code_files(ctx) for m in imported_modules(p)}
        for req, bundle in _bundled_requirements(ctx, stages):
            try:
                used, unused = unused_transports(bundle, modules)
            except ValueError:
                continue
            if _too_old(req, bundle) or _listed(ctx, {t.package for t in unused}):
                continue
            yield self._finding(ctx, req, used, unused)

    def _finding(
        self, ctx: RuleContext, req: Requirement, used: Transport, unused: list[Transport]
    ) -> Finding:
        size = sum(t.size for t in unused)
        names = ", ".join(f"`{t.package}` ({t.pulls})" for t in unused)
        return self.report(
            ctx,
            Location(req.path, req.line),
            f"`{req.name}` also installs {names}, but the code only imports `{used.module}`: "
            f"require `{used.package}` instead (~{human(size)} less)",
            cost=Cost(bytes_added=size, note="installed size of the unused transport's deps"),
        )


def _bundled_requirements(
    ctx: RuleContext, stages: list[Stage]
) -> Iterator[tuple[Requirement, Bundle]]:
    """Requirements (in files the image's installs read) that name a known meta-package."""
    by_name = {b.meta: b for b in BUNDLES}
    seen: set[tuple[Path, int]] = set()
    for inst in _installs.python_installs(stages):
        for dep in _installs.dep_files_of(ctx, inst):
            for req in dep.requirements:
                key = (req.path, req.line)
                if req.name in by_name and not req.group and not req.url and key not in seen:
                    seen.add(key)
                    yield req, by_name[req.name]


def _auto_configured(ctx: RuleContext) -> bool:
    """True when an exporter may be picked by configuration (auto-instrumentation, distro)."""
    text = " ".join(i.original for i in ctx.runtime_instructions("CMD", "ENTRYPOINT", "RUN"))
    if "opentelemetry-instrument" in text:
        return True
    return _listed(ctx, {"opentelemetry-distro"})


def _listed(ctx: RuleContext, names: set[str]) -> bool:
    """True when one of `names` is a requirement of the service's dependency files."""
    wanted = {canonicalize_name(n) for n in names}
    return any(r.name in wanted for d in ctx.service.dep_files for r in d.requirements)

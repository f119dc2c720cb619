"""Where a service is built from: its context, shared code outside it, its ignore file.

A service whose code imports a repository package that lives outside its build context (a
monorepo `shared/`) gets its context widened to the nearest folder holding both, with a
per-Dockerfile `.dockerignore` so the wider context stays small. Named build contexts
(`--build-context shared=../../shared`, `COPY --from=shared`) are the alternative when the
client supports them; `named_contexts` gives them for a build plan.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dockwright.model.project import Project, Service
from dockwright.rules import pysource
from dockwright.rules.base import RuleContext


@dataclass(frozen=True)
class SharedCode:
    """A repository package the service imports from outside its original context."""

    module: str
    path: Path  # absolute folder or .py file


@dataclass(frozen=True)
class ContextPlan:
    """The build context a generated Dockerfile expects."""

    context: Path  # absolute
    prefix: str  # original context relative to `context` ('' when unchanged)
    shared: tuple[SharedCode, ...] = ()
    ignore_file: Path | None = None  # where the generated .dockerignore goes

    @property
    def widened(self) -> bool:
        """True when the context moved up to reach shared code."""
        return bool(self.prefix)

    def rel(self, path: Path) -> str:
        """`path` relative to the (new) context, '/'-separated."""
        return PurePosixPath(os.path.relpath(path, self.context)).as_posix()

    def source(self, original: str) -> str:
        """A COPY source of the original context, seen from the new context."""
        if not self.prefix:
            return original
        joined = posixpath.normpath(posixpath.join(self.prefix, original.lstrip("/")))
        return joined + ("/" if original.endswith("/") else "")


def shared_code(service: Service, project: Project) -> tuple[SharedCode, ...]:
    """Repository packages imported from outside the context (one entry per module)."""
    found: dict[str, Path] = {}
    for _, module, _, where in pysource.outside_imports(RuleContext(service, project)):
        found.setdefault(module, where)
    return tuple(SharedCode(m, p) for m, p in sorted(found.items()))


def _common(paths: list[Path], limit: Path) -> Path:
    common = Path(os.path.commonpath([str(p) for p in paths]))
    return common if common.is_relative_to(limit) else limit


def context_plan(service: Service, project: Project) -> ContextPlan:
    """The context to build `service` with, and where its ignore file belongs."""
    shared = shared_code(service, project)
    context = service.context
    if shared:
        context = _common([context, *(s.path.parent for s in shared)], service.root)
    prefix = os.path.relpath(service.context, context) if context != service.context else ""
    plan = ContextPlan(context, PurePosixPath(prefix).as_posix() if prefix else "", shared)
    return ContextPlan(plan.context, plan.prefix, shared, _ignore_file(service, project, plan))


def _ignore_file(service: Service, project: Project, plan: ContextPlan) -> Path:
    """`<Dockerfile>.dockerignore` when the context is shared or widened, else `.dockerignore`."""
    others = [
        s
        for s in project.services
        if s.context == plan.context and s.dockerfile_path != service.dockerfile_path
    ]
    if plan.widened or others or service.dockerfile_path.parent != plan.context:
        return service.dockerfile_path.with_name(service.dockerfile_path.name + ".dockerignore")
    return plan.context / ".dockerignore"


def named_contexts(plan: ContextPlan) -> dict[str, Path]:
    """The named build contexts (`--build-context name=path`) that replace widening."""
    return {s.module: s.path if s.path.is_dir() else s.path.parent for s in plan.shared}

"""What a repository is: services (Dockerfile + context + deps + compose) discovered from paths."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from dockwright.errors import InputError
from dockwright.model import dockerignore
from dockwright.model.compose import COMPOSE_GLOBS, ComposeBuild, ComposeFile, load_compose
from dockwright.model.depfiles import DepFile, load_dep_files
from dockwright.model.dockerfile import Dockerfile, parse_file
from dockwright.model.dockerignore import DockerIgnore
from dockwright.model.findings import Problem

DOCKERFILE_GLOBS = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile")
SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache", ".dockwright"}


@dataclass(frozen=True)
class ContextEntry:
    """A file in a build context."""

    rel: str  # '/'-separated, relative to the context
    size: int
    excluded: bool  # excluded by .dockerignore


@dataclass(frozen=True)
class Service:
    """A buildable service: one Dockerfile, its context, target, ignore rules and deps."""

    name: str
    dockerfile: Dockerfile
    context: Path
    root: Path
    dockerignore: DockerIgnore = field(default_factory=lambda: DockerIgnore(None))
    target: str | None = None
    dep_files: tuple[DepFile, ...] = ()
    compose: tuple[ComposeBuild, ...] = ()

    @property
    def dockerfile_path(self) -> Path:
        """Path of the Dockerfile."""
        return self.dockerfile.path

    @cached_property
    def context_entries(self) -> tuple[ContextEntry, ...]:
        """Every file under the context, with size and whether .dockerignore drops it."""
        return tuple(_walk_context(self.context, self.dockerignore))

    @property
    def sent_bytes(self) -> int:
        """Bytes of the context actually sent to the builder."""
        return sum(e.size for e in self.context_entries if not e.excluded)

    @cached_property
    def python_sources(self) -> tuple[Path, ...]:
        """Python files of the service's code that reach the build."""
        return tuple(
            self.context / e.rel for e in self.context_entries if e.rel.endswith(".py") and not e.excluded
        )


@dataclass(frozen=True)
class Project:
    """Everything discovered under the given paths."""

    roots: tuple[Path, ...]
    services: tuple[Service, ...]
    compose_files: tuple[ComposeFile, ...] = ()
    problems: tuple[Problem, ...] = ()

    def service(self, name: str) -> Service | None:
        """Service by name."""
        return next((s for s in self.services if s.name == name), None)


def _walk_context(context: Path, ignore: DockerIgnore) -> Iterator[ContextEntry]:
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(context, followlinks=False):
        st = os.stat(dirpath)
        if (st.st_dev, st.st_ino) in seen:
            dirnames[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        base = Path(dirpath)
        for name in filenames:
            full = base / name
            rel = full.relative_to(context).as_posix()
            try:
                size = full.lstat().st_size
            except OSError:
                continue
            yield ContextEntry(rel, size, ignore.excluded(rel))


def is_dockerfile(path: Path) -> bool:
    """True when a file name follows one of the Dockerfile naming conventions."""
    name = path.name
    if name.endswith(".dockerignore"):
        return False
    return any(fnmatch.fnmatchcase(name, g) for g in DOCKERFILE_GLOBS)


def _find(root: Path, predicate: callable) -> Iterator[Path]:  # type: ignore[valid-type]
    if root.is_file():
        if predicate(root):
            yield root
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if predicate(path):
                yield path


def _is_compose(path: Path) -> bool:
    return any(fnmatch.fnmatchcase(path.name, g) for g in COMPOSE_GLOBS)


def _service_name(dockerfile: Path, root: Path) -> str:
    folder = dockerfile.parent
    base = folder.name if folder != root.parent else dockerfile.stem
    if dockerfile.name != "Dockerfile":
        suffix = dockerfile.name.replace("Dockerfile", "").strip(".") or dockerfile.stem
        return f"{base}-{suffix}".strip("-")
    return base


def discover(paths: Sequence[Path | str]) -> Project:
    """Find every service under `paths`; bad files become Problems, never exceptions."""
    roots = tuple(Path(p).resolve() for p in paths)
    problems: list[Problem] = []
    composes: list[ComposeFile] = []
    for root in roots:
        if not root.exists():
            problems.append(Problem(root, "no such file or directory"))
            continue
        for path in _find(root, _is_compose):
            try:
                composes.append(load_compose(path))
            except InputError as exc:
                problems.append(Problem(path, exc.message, exc.line))
    builds = [s.build for c in composes for s in c.services if s.build is not None]
    services: list[Service] = []
    for root in roots:
        for path in _find(root, is_dockerfile) if root.exists() else ():
            try:
                services.extend(_services_for(path.resolve(), root, builds))
            except InputError as exc:
                problems.append(Problem(path, exc.message, exc.line))
    return Project(roots, tuple(services), tuple(composes), tuple(problems))


def _services_for(path: Path, root: Path, builds: list[ComposeBuild]) -> list[Service]:
    dockerfile = parse_file(path)
    mine = [b for b in builds if b.dockerfile == path]
    root_dir = root if root.is_dir() else root.parent
    if not mine:
        context = path.parent
        ignore = dockerignore.load(context, path)
        deps = load_dep_files(context)
        return [Service(_service_name(path, root_dir), dockerfile, context, root_dir, ignore, None, deps)]
    by_context: dict[tuple[Path, str | None], list[ComposeBuild]] = {}
    for build in mine:
        by_context.setdefault((build.context, None), []).append(build)
    services = []
    for (context, _), group in by_context.items():
        ignore = dockerignore.load(context, path)
        name = group[0].service
        target = next((b.target for b in group if not b.compose_file.stem.endswith(("prod", "dev"))), None)
        deps = load_dep_files(context)
        services.append(Service(name, dockerfile, context, root_dir, ignore, target, deps, tuple(group)))
    return services

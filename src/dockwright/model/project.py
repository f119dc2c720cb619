"""What a repository is: services (Dockerfile + context + deps + compose) discovered from paths.

See docs/model.md for the rules that decide contexts, targets and names. Discovery never
raises on bad input: each unreadable or unparsable file becomes one Problem and the other
services are still discovered.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from dockwright.errors import InputError
from dockwright.model import dockerignore
from dockwright.model.compose import COMPOSE_GLOBS, ComposeBuild, ComposeFile, load_compose_files
from dockwright.model.context import ContextEntry, ContextScan, scan_context
from dockwright.model.depfiles import DepFile, kind_of, load_dep_files
from dockwright.model.dockerfile import Dockerfile, parse_file
from dockwright.model.dockerignore import DockerIgnore
from dockwright.model.findings import Problem
from dockwright.model.installs import installs

__all__ = ["ContextEntry", "Project", "Service", "discover", "is_dockerfile"]

DOCKERFILE_GLOBS = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile")
SKIP_DIRS = {
    ".git",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".dockwright",
}
_NOT_DOCKERFILE = (".dockerignore", ".md", ".txt", ".rst", ".orig", ".bak", ".swp", ".j2")


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
    scan: ContextScan | None = field(default=None, compare=False, repr=False)

    @property
    def dockerfile_path(self) -> Path:
        """Path of the Dockerfile."""
        return self.dockerfile.path

    @cached_property
    def context_scan(self) -> ContextScan:
        """The walk of the build context (shared with services that have the same context)."""
        return self.scan or scan_context(self.context, self.dockerignore)

    @property
    def context_entries(self) -> tuple[ContextEntry, ...]:
        """Every file under the context, with size and whether .dockerignore drops it.

        Excluded folders that nothing can re-include are listed once (`is_dir`, size 0).
        """
        return self.context_scan.entries

    @property
    def sent_bytes(self) -> int:
        """Bytes of the context actually sent to the builder."""
        return self.context_scan.sent_bytes

    @cached_property
    def python_sources(self) -> tuple[Path, ...]:
        """Python files of the service's code that reach the build."""
        return tuple(
            self.context / e.rel
            for e in self.context_entries
            if e.rel.endswith(".py") and not e.excluded and not e.is_dir
        )

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Bad input met for this service (dependency files, .dockerignore, context walk)."""
        found = [p for d in self.dep_files for p in d.problems]
        return (*found, *self.dockerignore.problems, *self.context_scan.problems)


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

    @cached_property
    def _builds_index(self) -> dict[tuple[Path, Path], tuple[ComposeBuild, ...]]:
        index: dict[tuple[Path, Path], list[ComposeBuild]] = {}
        for file in self.compose_files:
            for build in file.builds():
                index.setdefault((build.dockerfile, build.context), []).append(build)
        return {key: tuple(value) for key, value in index.items()}

    def compose_builds(self, dockerfile: Path, context: Path) -> tuple[ComposeBuild, ...]:
        """Every compose build (overlays included) of this Dockerfile with this context."""
        return self._builds_index.get((dockerfile, context), ())


def is_dockerfile(path: Path) -> bool:
    """True when a file name follows one of the Dockerfile naming conventions."""
    name = path.name
    if name.endswith(_NOT_DOCKERFILE):
        return False
    return any(fnmatch.fnmatchcase(name, g) for g in DOCKERFILE_GLOBS)


def is_compose(path: Path) -> bool:
    """True for `docker-compose*.yml`, `compose*.yaml` and their .yml/.yaml variants."""
    return any(fnmatch.fnmatchcase(path.name, g) for g in COMPOSE_GLOBS)


def _real(path: Path) -> Path:
    """Absolute path with symlinks resolved; never raises on loops (unlike Path.resolve)."""
    return Path(os.path.realpath(path))


@dataclass
class _Found:
    dockerfiles: dict[Path, Path] = field(default_factory=dict)  # real path -> root folder
    composes: dict[Path, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add_root(self, root: Path) -> None:
        folder = root if root.is_dir() else root.parent
        if not root.exists() and not root.is_symlink():
            self.problems.append(Problem(root, "no such file or directory"))
        elif root.is_dir():
            self.walk(root)
        elif is_compose(root):
            self.composes.setdefault(_real(root), folder)
        else:
            self.dockerfiles.setdefault(_real(root), folder)  # a named file is a Dockerfile

    def walk(self, root: Path) -> None:
        def unreadable(exc: OSError) -> None:
            where = Path(exc.filename) if exc.filename else root
            self.problems.append(Problem(where, f"cannot read folder: {exc.strerror}"))

        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for name in sorted(filenames):
                path = Path(dirpath, name)
                if is_compose(path):
                    self.composes.setdefault(_real(path), root)
                elif is_dockerfile(path):
                    self.dockerfiles.setdefault(_real(path), root)


@dataclass
class _Plan:
    """A service before naming: Dockerfile, context, target and the compose builds behind it."""

    dockerfile: Path
    context: Path
    root: Path
    target: str | None
    builds: list[ComposeBuild] = field(default_factory=list)

    @property
    def key(self) -> tuple[Path, Path, str]:
        return self.dockerfile, self.context, self.target or ""


def _plans(found: _Found, builds: list[ComposeBuild], problems: list[Problem]) -> list[_Plan]:
    plans: dict[tuple[Path, Path, str], _Plan] = {}
    for build in sorted(builds, key=lambda b: b.is_overlay):
        if not _build_inputs_exist(build, problems):
            continue
        root = found.composes.get(build.base_file or build.compose_file, build.context)
        plan = _plan_for(plans, build) or _Plan(build.dockerfile, build.context, root, build.target)
        plans.setdefault(plan.key, plan).builds.append(build)
    built = {p.dockerfile for p in plans.values()}
    for path, root in found.dockerfiles.items():
        if path not in built:
            plan = _Plan(path, path.parent, root, None)
            plans[plan.key] = plan
    return sorted(plans.values(), key=lambda p: (str(p.dockerfile), str(p.context), p.target or ""))


def _plan_for(plans: dict[tuple[Path, Path, str], _Plan], build: ComposeBuild) -> _Plan | None:
    """An overlay joins the plan of its base service; a base build joins an equal one."""
    if not build.is_overlay:
        return plans.get((build.dockerfile, build.context, build.target or ""))
    same = [
        p for p in plans.values() if (p.dockerfile, p.context) == (build.dockerfile, build.context)
    ]
    named = [p for p in same if any(b.service == build.service for b in p.builds)]
    return next(iter(named or same), None)


def _build_inputs_exist(build: ComposeBuild, problems: list[Problem]) -> bool:
    where = build.compose_file
    if not build.context.is_dir():
        problems.append(
            Problem(
                where,
                f"service {build.service!r}: build context {build.context} not found",
                build.line,
            )
        )
        return False
    if not build.dockerfile.is_file():
        problems.append(
            Problem(
                where,
                f"service {build.service!r}: Dockerfile {build.dockerfile} not found",
                build.line,
            )
        )
        return False
    return True


def _candidates(plan: _Plan) -> list[str]:
    """Names from most to least preferred; later ones disambiguate collisions."""
    if plan.builds:
        service = plan.builds[0].service
        project = (plan.builds[0].base_file or plan.builds[0].compose_file).parent.name
        return [service, f"{project}-{service}"]
    folder, name, root = plan.dockerfile.parent, plan.dockerfile.name, _real(plan.root)
    suffix = name[len("Dockerfile.") :] if name.startswith("Dockerfile.") else ""
    stem = name.rsplit(".", 1)[0] if name.lower().endswith(".dockerfile") else ""
    words = [w for w in (stem, suffix) if w]
    try:
        parts = list(folder.relative_to(root).parts)
    except ValueError:
        parts = [folder.name]
    first = stem or "-".join([folder.name, *words])
    return [
        first,
        "-".join([*(parts or [root.name]), *words]),
        "-".join([root.name, *parts, *words]),
    ]


def _sanitize(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "service"


def unique_names(candidates: list[list[str]], taken: frozenset[str] = frozenset()) -> list[str]:
    """Unique service names from per-service candidate lists (most preferred first).

    Colliding names (or ones in `taken`) move to their next candidate; what still collides
    gets `-2`, `-3`...
    """
    names = [_sanitize(c[0]) for c in candidates]
    for level in range(1, max((len(c) for c in candidates), default=1)):
        counts = Counter(names)
        names = [
            _sanitize(c[level]) if (counts[n] > 1 or n in taken) and level < len(c) else n
            for n, c in zip(names, candidates, strict=True)
        ]
    used = set(taken)
    out = []
    for name in names:
        final, number = name, 1
        while final in used:
            number += 1
            final = f"{name}-{number}"
        used.add(final)
        out.append(final)
    return out


def _names(plans: list[_Plan]) -> list[str]:
    """Compose service names win; folder-derived names give way to them."""
    composed = [i for i, p in enumerate(plans) if p.builds]
    others = [i for i, p in enumerate(plans) if not p.builds]
    names: dict[int, str] = {}
    first = unique_names([_candidates(plans[i]) for i in composed])
    names.update(zip(composed, first, strict=True))
    rest = unique_names([_candidates(plans[i]) for i in others], frozenset(first))
    names.update(zip(others, rest, strict=True))
    return [names[i] for i in range(len(plans))]


_INCLUDE_ARG = re.compile(r"(?:^|\s)(?:-r|--requirement|-c|--constraint)[\s=]+([^\s;&|]+)")


def installed_dep_files(dockerfile: Dockerfile, context: Path) -> tuple[Path, ...]:
    """Requirement and constraint files that the Dockerfile's pip/uv installs read."""
    return tuple(
        path
        for install in installs(dockerfile, context)
        for path in (*install.requirement_files, *install.constraint_files)
    )


def copied_dep_files(dockerfile: Dockerfile, context: Path) -> tuple[Path, ...]:
    """Dependency files that COPY/ADD take from the context (relative to it, `..` allowed)."""
    used = {Path(m).name for m in _INCLUDE_ARG.findall(dockerfile.text)}
    found: list[Path] = []
    for ins in (i for i in dockerfile.instructions() if i.cmd in {"COPY", "ADD"}):
        if ins.flag("from") is not None:
            continue
        for source in (s for s in ins.sources if "$" not in s and "://" not in s):
            found += _dep_sources(context, source.lstrip("/"), used)
    return tuple(dict.fromkeys(found))


def _dep_sources(context: Path, source: str, used: set[str]) -> list[Path]:
    from dockwright.model.depfiles import candidates

    if any(c in source for c in "*?["):
        paths = list(context.glob(source)) if ".." not in source else []
    else:
        paths = [context / source]
    out: list[Path] = []
    for path in paths:
        if path.is_dir() and _real(path) != _real(context):
            out += candidates(path)
        elif path.is_file() and (kind_of(path) or path.name in used):
            out.append(path)
    return out


@dataclass
class _Caches:
    dockerfiles: dict[Path, Dockerfile | None] = field(default_factory=dict)
    deps: dict[Path, DepFile] = field(default_factory=dict)
    scans: dict[tuple[Path, DockerIgnore], ContextScan] = field(default_factory=dict)
    ignores: dict[tuple[Path, Path], DockerIgnore] = field(default_factory=dict)

    def dockerfile(self, path: Path, problems: list[Problem]) -> Dockerfile | None:
        if path not in self.dockerfiles:
            try:
                self.dockerfiles[path] = parse_file(path)
            except InputError as exc:
                problems.append(Problem(exc.path or path, exc.message, exc.line))
                self.dockerfiles[path] = None
        return self.dockerfiles[path]

    def ignore(self, context: Path, dockerfile: Path) -> DockerIgnore:
        key = (context, dockerfile)
        if key not in self.ignores:
            self.ignores[key] = dockerignore.load(context, dockerfile)
        return self.ignores[key]

    def scan(self, context: Path, ignore: DockerIgnore) -> ContextScan:
        if (context, ignore) not in self.scans:
            self.scans[(context, ignore)] = scan_context(context, ignore)
        return self.scans[(context, ignore)]


def _service(plan: _Plan, name: str, caches: _Caches, problems: list[Problem]) -> Service | None:
    parsed = caches.dockerfile(plan.dockerfile, problems)
    if parsed is None:
        return None
    ignore = caches.ignore(plan.context, plan.dockerfile)
    named = (*installed_dep_files(parsed, plan.context), *copied_dep_files(parsed, plan.context))
    deps = load_dep_files(plan.context, tuple(dict.fromkeys(named)), caches.deps)
    scan = caches.scan(plan.context, ignore)
    return Service(
        name, parsed, plan.context, plan.root, ignore, plan.target, deps, tuple(plan.builds), scan
    )


def discover(paths: Sequence[Path | str]) -> Project:
    """Find every service under `paths`; bad files become Problems, never exceptions."""
    roots = tuple(Path(os.path.abspath(p)) for p in paths)  # noqa: PTH100 (keeps symlinked roots)
    found = _Found()
    for root in roots:
        found.add_root(root)
    composes, compose_problems = load_compose_files(found.composes)
    problems = [*found.problems, *compose_problems]
    plans = _plans(found, [b for c in composes for b in c.builds()], problems)
    names = _names(plans)
    caches = _Caches()
    services = [
        s
        for p, n in zip(plans, names, strict=True)
        if (s := _service(p, n, caches, problems)) is not None
    ]
    for service in services:
        problems.extend(service.problems)
    return Project(roots, tuple(services), composes, tuple(dict.fromkeys(problems)))

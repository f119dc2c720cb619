"""Plan the builds of a discovered project: one BuildStep per service (pure, no process).

A service's step takes its context, Dockerfile and target from the project model, build args and
additional contexts from its compose `build:` section, and tags the image
`dockwright/<service>:<target or latest>`. `--target` overrides every service's target. Cache
options depend on the client:

- buildx: `--cache-from/--cache-to type=local,...` (a directory) or `type=registry,ref=...`;
- classic client (`DOCKER_BUILDKIT=1 docker build`): a registry cache is an *inline* cache: the
  image is built with `BUILDKIT_INLINE_CACHE=1`, tagged with the cache reference, pushed after a
  good build and read back with `--cache-from REF`. A directory cache needs buildx.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dockwright.build.engine import ClientKind
from dockwright.build.plan import BuildStep
from dockwright.errors import EngineError, UsageError
from dockwright.model.compose import ComposeBuild
from dockwright.model.project import Project, Service

IMAGE_PREFIX = "dockwright"
INLINE_CACHE_ARG = "BUILDKIT_INLINE_CACHE"
NO_LOCAL_CACHE = (
    "--cache-dir needs docker buildx (the classic `docker build` cannot export a cache to a "
    "directory): install the buildx plugin (docker-buildx-plugin from Docker's apt repository, "
    "or docker-buildx on Debian 13+) or use --cache-registry REF"
)
_REPO_CHARS = re.compile(r"[^a-z0-9._-]+")
_TAG_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")
_NOT_A_PATH = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[a-z-]+:[^/])", re.IGNORECASE)


@dataclass(frozen=True)
class CacheOptions:
    """Where build cache is exported to and imported from (at most one of the two)."""

    directory: Path | None = None
    registry: str | None = None  # a repository prefix, e.g. 127.0.0.1:5000/cache


@dataclass(frozen=True)
class PlanOptions:
    """What the user asked for on the command line."""

    target: str | None = None
    cache: CacheOptions = field(default_factory=CacheOptions)
    no_cache: bool = False
    services: tuple[str, ...] = ()  # empty: every service
    environ: Mapping[str, str] = field(default_factory=dict)  # for compose args without value


def image_tag(service: str, target: str | None) -> str:
    """`dockwright/<service>:<target or latest>`, made valid for Docker's reference grammar."""
    repo = _REPO_CHARS.sub("-", service.lower()).strip("-._") or "service"
    tag = _TAG_CHARS.sub("-", target or "latest").lstrip("-.")[:128] or "latest"
    return f"{IMAGE_PREFIX}/{repo}:{tag}"


def cache_ref(registry: str, service: str, target: str | None) -> str:
    """The registry cache reference of one service: `<registry>/<service>:<target>-cache`."""
    repo, tag = image_tag(service, target).removeprefix(f"{IMAGE_PREFIX}/").split(":")
    return f"{registry.rstrip('/')}/{repo}:{tag}-cache"


def check_cache(cache: CacheOptions, kind: ClientKind) -> None:
    """Raise a one-line error for cache options this client cannot honour."""
    if cache.directory is not None and cache.registry is not None:
        raise UsageError("use either --cache-dir or --cache-registry, not both")
    if cache.registry is not None and not re.fullmatch(
        r"[^\s:/@]+(?::\d+)?(?:/[^\s:@]+)*", cache.registry
    ):
        raise UsageError(
            "--cache-registry wants a repository prefix like HOST:PORT/NAME, "
            f"not {cache.registry!r}"
        )
    if cache.directory is not None and kind is not ClientKind.BUILDX:
        raise EngineError(NO_LOCAL_CACHE)


def compose_build(service: Service) -> ComposeBuild | None:
    """The compose build a plain `docker compose build` uses: the base file's, else an overlay."""
    base = [b for b in service.compose if not b.is_overlay]
    return next(iter(base or service.compose), None)


def build_args(build: ComposeBuild | None, environ: Mapping[str, str]) -> dict[str, str]:
    """Compose build args; a key without a value takes the environment's value or is dropped."""
    if build is None:
        return {}
    args = {k: v for k, v in build.args.items() if v != ""}
    args.update({k: environ[k] for k, v in build.args.items() if v == "" and k in environ})
    return args


def named_contexts(build: ComposeBuild | None) -> dict[str, Path]:
    """Compose `additional_contexts` that are local folders (relative to the project folder)."""
    if build is None:
        return {}
    folder = (build.base_file or build.compose_file).parent
    return {
        name: folder / value
        for name, value in build.additional_contexts.items()
        if value and not _NOT_A_PATH.match(value)
    }


@dataclass(frozen=True)
class _Cache:
    cache_from: tuple[str, ...] = ()
    cache_to: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    push: tuple[str, ...] = ()
    args: Mapping[str, str] = field(default_factory=dict)


def _cache_for(service: str, target: str | None, cache: CacheOptions, kind: ClientKind) -> _Cache:
    if cache.directory is not None:
        folder = cache.directory / image_tag(service, target).split("/", 1)[1].replace(":", "-")
        return _Cache((f"type=local,src={folder}",), (f"type=local,dest={folder},mode=max",))
    if cache.registry is None:
        return _Cache()
    ref = cache_ref(cache.registry, service, target)
    if kind is ClientKind.BUILDX:
        return _Cache((f"type=registry,ref={ref}",), (f"type=registry,ref={ref},mode=max",))
    return _Cache((f"type=registry,ref={ref}",), (), (ref,), (ref,), {INLINE_CACHE_ARG: "1"})


def plan_service(service: Service, options: PlanOptions, kind: ClientKind) -> BuildStep:
    """The build step of one service."""
    target = options.target or service.target
    build = compose_build(service)
    cache = _cache_for(service.name, target, options.cache, kind)
    return BuildStep(
        service=service.name,
        context=service.context,
        dockerfile=service.dockerfile_path,
        tags=(image_tag(service.name, target), *cache.tags),
        target=target,
        build_args={**build_args(build, options.environ), **cache.args},
        named_contexts=named_contexts(build),
        cache_from=cache.cache_from,
        cache_to=cache.cache_to,
        no_cache=options.no_cache,
        push=cache.push,
    )


def select_services(project: Project, names: Sequence[str]) -> tuple[Service, ...]:
    """The services named (all when none is); an unknown name is a usage error."""
    known = {s.name for s in project.services}
    unknown = [n for n in names if n not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise UsageError(f"no service named {', '.join(unknown)} (services: {listed})")
    return tuple(s for s in project.services if not names or s.name in names)


def plan_project(project: Project, options: PlanOptions, kind: ClientKind) -> list[BuildStep]:
    """One build step per selected service, in discovery order."""
    check_cache(options.cache, kind)
    return [plan_service(s, options, kind) for s in select_services(project, options.services)]

"""Build plans: frozen steps computed by pure functions, and the docker command lines for them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dockwright.build.engine import ClientKind, Engine


@dataclass(frozen=True)
class BuildStep:
    """One image build: what to build and how to cache it."""

    service: str
    context: Path
    dockerfile: Path
    tags: tuple[str, ...]
    target: str | None = None
    build_args: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, Path] = field(default_factory=dict)  # id -> file
    named_contexts: Mapping[str, Path] = field(default_factory=dict)
    cache_from: tuple[str, ...] = ()  # e.g. "type=local,src=DIR", "type=registry,ref=REF"
    cache_to: tuple[str, ...] = ()
    no_cache: bool = False
    network: str = "host"
    progress: str = "plain"
    push: tuple[str, ...] = ()  # tags pushed after a successful build (inline registry cache)


def build_argv(engine: Engine, step: BuildStep) -> list[str]:
    """The full command line for a step (pure: no process is started)."""
    argv = [*engine.build_argv(), "--progress", step.progress, "-f", str(step.dockerfile)]
    for tag in step.tags:
        argv += ["-t", tag]
    if step.target:
        argv += ["--target", step.target]
    for key, value in sorted(step.build_args.items()):
        argv += ["--build-arg", f"{key}={value}"]
    for ident, path in sorted(step.secrets.items()):
        argv += ["--secret", f"id={ident},src={path}"]
    argv += _buildx_only(engine, step)
    argv += _classic_cache(engine, step)
    if step.no_cache:
        argv.append("--no-cache")
    if step.network:
        argv += ["--network", step.network]
    argv.append(str(step.context))
    return argv


def _buildx_only(engine: Engine, step: BuildStep) -> list[str]:
    """Cache export/import and named contexts need buildx; the classic client ignores them."""
    if engine.kind is not ClientKind.BUILDX:
        return []
    argv: list[str] = []
    for name, path in sorted(step.named_contexts.items()):
        argv += ["--build-context", f"{name}={path}"]
    for ref in step.cache_from:
        argv += ["--cache-from", ref]
    for ref in step.cache_to:
        argv += ["--cache-to", ref]
    return argv


def registry_ref(cache: str) -> str | None:
    """The image reference of a `type=registry,ref=REF[,...]` cache option (None otherwise)."""
    fields = dict(part.partition("=")[::2] for part in cache.split(","))
    return fields.get("ref") if fields.get("type") == "registry" else None


def _classic_cache(engine: Engine, step: BuildStep) -> list[str]:
    """The classic client imports registry caches as images (`--cache-from REF`, inline cache)."""
    if engine.kind is ClientKind.BUILDX:
        return []
    refs = [ref for ref in map(registry_ref, step.cache_from) if ref]
    return [arg for ref in refs for arg in ("--cache-from", ref)]

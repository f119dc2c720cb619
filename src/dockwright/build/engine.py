"""Find a working BuildKit client instead of assuming `docker` on PATH.

Candidates, in order: a buildx builder named by DOCKWRIGHT_BUILDER or BUILDX_BUILDER, every
docker CLI found ($DOCKWRIGHT_DOCKER, PATH, /usr/bin/docker, /usr/local/bin/docker) with buildx,
then the same CLIs with the classic builder switched to BuildKit (`DOCKER_BUILDKIT=1`). Each
candidate is proven by a tiny real build, not by version strings. A remote BuildKit daemon is
reached through a buildx builder (`docker buildx create --driver remote tcp://...`), so BuildKit
itself does the scaling out.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from dockwright import _subprocess
from dockwright.errors import EngineError, ProcessError

DEFAULT_DOCKERS = ("/usr/bin/docker", "/usr/local/bin/docker")
PROBE_DOCKERFILE = "FROM scratch\nLABEL dockwright.probe=1\n"


class ClientKind(StrEnum):
    """How builds are sent to BuildKit."""

    BUILDX = "buildx"  # docker buildx build
    CLASSIC_BUILDKIT = "classic+buildkit"  # DOCKER_BUILDKIT=1 docker build


@dataclass(frozen=True)
class Engine:
    """A proven BuildKit client: argv prefixes and environment for builds and other docker calls."""

    docker: str
    kind: ClientKind
    server_version: str
    builder: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)

    def build_argv(self) -> list[str]:
        """Command prefix for a build (context and options are appended by the caller)."""
        if self.kind is ClientKind.BUILDX:
            builder = ["--builder", self.builder] if self.builder else []
            return [self.docker, "buildx", "build", *builder, "--load"]
        return [self.docker, "build"]

    def docker_argv(self, *args: str) -> list[str]:
        """A plain docker command (run, image inspect, rm...)."""
        return [self.docker, *args]

    def describe(self) -> str:
        """One line for logs and reports."""
        via = f"buildx builder {self.builder}" if self.builder else self.kind.value
        return f"{self.docker} ({via}, engine {self.server_version})"


def candidate_dockers(environ: Mapping[str, str]) -> list[str]:
    """Docker CLIs to try, deduplicated by real path, in preference order."""
    names = [
        environ.get("DOCKWRIGHT_DOCKER", ""),
        shutil.which("docker", path=environ.get("PATH")) or "",
    ]
    names.extend(DEFAULT_DOCKERS)
    seen: set[str] = set()
    found = []
    for name in names:
        if not name or not os.access(name, os.X_OK):
            continue
        real = os.path.realpath(name)
        if real not in seen:
            seen.add(real)
            found.append(name)
    return found


def _server_version(docker: str) -> str:
    done = _subprocess.run(
        [docker, "version", "--format", "{{.Server.Version}}"], check=False, timeout=20
    )
    if not done.ok or not done.stdout.strip():
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise EngineError(f"{docker}: no engine answers ({reason[-1] if reason else 'no output'})")
    return done.stdout.strip()


def _probe(engine: Engine, scratch: Path) -> str | None:
    """Run a tiny build; None on success, else the reason it failed."""
    argv = [*engine.build_argv(), "-q", "-t", "dockwright-probe:latest", str(scratch)]
    done = _subprocess.run(argv, env=engine.env, check=False, timeout=120)
    if done.ok:
        _subprocess.run(
            engine.docker_argv("image", "rm", "-f", "dockwright-probe:latest"), check=False
        )
        return None
    lines = (done.stderr + done.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit {done.returncode}"


def _candidates(docker: str, version: str, environ: Mapping[str, str]) -> list[Engine]:
    builder = environ.get("DOCKWRIGHT_BUILDER") or environ.get("BUILDX_BUILDER")
    buildkit_env = {"DOCKER_BUILDKIT": "1"}
    engines = []
    has_buildx = _subprocess.run([docker, "buildx", "version"], check=False, timeout=20).ok
    if has_buildx:
        engines.append(Engine(docker, ClientKind.BUILDX, version, builder, buildkit_env))
    if not builder:
        engines.append(Engine(docker, ClientKind.CLASSIC_BUILDKIT, version, None, buildkit_env))
    return engines


def find_engine(environ: Mapping[str, str] | None = None, scratch: Path | None = None) -> Engine:
    """Return the first client that really builds with BuildKit, or raise one clear EngineError."""
    environ = dict(os.environ if environ is None else environ)
    reasons: list[str] = []
    work = scratch or Path(os.environ.get("TMPDIR", "/tmp")) / "dockwright-probe"
    work.mkdir(parents=True, exist_ok=True)
    (work / "Dockerfile").write_text(PROBE_DOCKERFILE)
    for docker in candidate_dockers(environ):
        try:
            version = _server_version(docker)
        except (EngineError, ProcessError) as exc:
            reasons.append(str(exc))
            continue
        for engine in _candidates(docker, version, environ):
            failure = _probe(engine, work)
            if failure is None:
                return engine
            reasons.append(f"{docker} ({engine.kind.value}): {failure}")
    raise EngineError(_no_engine_message(reasons))


def _no_engine_message(reasons: list[str]) -> str:
    tried = "; ".join(reasons) if reasons else "no docker CLI found"
    return (
        f"no working BuildKit client ({tried}). Fix: run scripts/ensure-docker (as root on Debian "
        "it installs docker.io and starts dockerd), or install the docker buildx plugin, or point "
        "DOCKWRIGHT_DOCKER at a docker CLI that builds with BuildKit, or DOCKWRIGHT_BUILDER at a "
        "buildx builder (remote BuildKit: docker buildx create --driver remote tcp://HOST:PORT)"
    )

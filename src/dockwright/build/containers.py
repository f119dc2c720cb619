"""Containers for validation: pure command lines, typed `docker inspect` records, cleanup.

The argv builders and parsers here start no process; `Containers` runs them and removes every
container it started when its `with` block ends.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from dockwright import _subprocess
from dockwright.build.engine import Engine
from dockwright.errors import DockwrightError

_ROOT_USERS = {"", "root", "0"}


@dataclass(frozen=True)
class ImageConfig:
    """What validation needs from an image's `.Config`."""

    user: str = ""
    exposed_ports: tuple[int, ...] = ()  # TCP ports, ascending
    healthcheck: tuple[str, ...] = ()  # empty when none (or `HEALTHCHECK NONE`)
    env: Mapping[str, str] = field(default_factory=dict)
    cmd: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] = ()

    @property
    def config_user_is_root(self) -> bool:
        """True when the image runs as root (no USER, `root`, `0`, `0:0`, `root:group`)."""
        return self.user.split(":", 1)[0] in _ROOT_USERS

    @property
    def honours_port(self) -> bool:
        """True when the start command reads $PORT (or the image sets a PORT default)."""
        command = " ".join((*self.entrypoint, *self.cmd))
        return "PORT" in self.env or "$PORT" in command or "${PORT" in command


def parse_image_config(text: str) -> ImageConfig:
    """Parse `docker image inspect --format '{{json .Config}}'` output."""
    raw: dict[str, Any] = json.loads(text) or {}
    ports = sorted(
        int(key.split("/")[0])
        for key in raw.get("ExposedPorts") or {}
        if key.endswith("/tcp") or "/" not in key
    )
    test = tuple((raw.get("Healthcheck") or {}).get("Test") or ())
    env = dict(item.partition("=")[::2] for item in raw.get("Env") or ())
    return ImageConfig(
        user=str(raw.get("User") or ""),
        exposed_ports=tuple(ports),
        healthcheck=() if not test or test[0] == "NONE" else test,
        env=env,
        cmd=tuple(raw.get("Cmd") or ()),
        entrypoint=tuple(raw.get("Entrypoint") or ()),
    )


@dataclass(frozen=True)
class ContainerState:
    """What validation needs from a container's `.State`."""

    running: bool
    exit_code: int = 0
    health: str | None = None  # starting, healthy, unhealthy; None without a health check
    health_log: str = ""  # output of the last health check
    error: str = ""


def parse_state(text: str) -> ContainerState:
    """Parse `docker inspect --format '{{json .State}}'` output."""
    raw: dict[str, Any] = json.loads(text) or {}
    health = raw.get("Health") or {}
    log = health.get("Log") or []
    return ContainerState(
        running=bool(raw.get("Running")),
        exit_code=int(raw.get("ExitCode") or 0),
        health=health.get("Status"),
        health_log=str(log[-1].get("Output", "")).strip() if log else "",
        error=str(raw.get("Error") or ""),
    )


@dataclass(frozen=True)
class RunSpec:
    """How to start one validation container."""

    image: str
    name: str
    env: Mapping[str, str] = field(default_factory=dict)
    read_only: bool = False
    tmpfs: tuple[str, ...] = ()
    network: str = "host"
    health_interval: str | None = None  # poll Docker's health check faster than the image says
    health_start_period: str | None = None  # failures before this do not count (slow starts)


def run_argv(engine: Engine, spec: RunSpec) -> list[str]:
    """`docker run -d ...` for a spec (pure)."""
    argv = ["run", "-d", "--name", spec.name, "--network", spec.network]
    for key, value in sorted(spec.env.items()):
        argv += ["-e", f"{key}={value}"]
    if spec.read_only:
        argv.append("--read-only")
    for mount in spec.tmpfs:
        argv += ["--tmpfs", mount]
    if spec.health_interval:
        argv += ["--health-interval", spec.health_interval]
    if spec.health_start_period:
        argv += ["--health-start-period", spec.health_start_period]
    return engine.docker_argv(*argv, spec.image)


def container_name(label: str) -> str:
    """A unique container name for one validation run."""
    return f"dockwright-validate-{label}-{uuid.uuid4().hex[:8]}"


class Containers:
    """Starts, inspects and (on exit) removes validation containers."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.started: list[str] = []
        self.last_error = ""

    def __enter__(self) -> Containers:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for name in self.started:
            self.remove(name)

    def docker(self, *args: str, timeout: float = 60) -> _subprocess.Completed:
        """Run a docker command without raising on a non-zero exit."""
        return _subprocess.run(self.engine.docker_argv(*args), check=False, timeout=timeout)

    def image_config(self, image: str) -> ImageConfig:
        """The image's `.Config` (raises DockwrightError when the image is unknown)."""
        argv = self.engine.docker_argv("image", "inspect", "--format", "{{json .Config}}", image)
        return parse_image_config(_subprocess.run(argv, timeout=60).stdout)

    def start(self, spec: RunSpec) -> str | None:
        """Start a container; None when `docker run` itself failed (see `last_error`)."""
        self.started.append(spec.name)
        done = _subprocess.run(run_argv(self.engine, spec), check=False, timeout=120)
        self.last_error = "" if done.ok else (done.stderr or done.stdout).strip()
        return spec.name if done.ok else None

    def state(self, name: str) -> ContainerState:
        """The container's state (not running when it is gone)."""
        done = self.docker("inspect", "--format", "{{json .State}}", name)
        return parse_state(done.stdout) if done.ok else ContainerState(False, error="gone")

    def exec(self, name: str, argv: Sequence[str]) -> _subprocess.Completed:
        """Run a command inside a running container."""
        return self.docker("exec", name, *argv)

    def logs(self, name: str, lines: int = 15) -> str:
        """The last lines of the container's output."""
        done = self.docker("logs", "--tail", str(lines), name)
        return (done.stdout + done.stderr).strip()

    def remove(self, name: str) -> None:
        """Remove a container (running or not); never raises."""
        try:
            self.docker("rm", "-f", "-v", name)
        except DockwrightError:
            pass

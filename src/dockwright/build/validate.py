"""Validate a built image: starts, turns healthy, non-root, read-only root, no secret files.

It must start and keep running, turn healthy, run as non-root, survive a read-only root
filesystem, and no layer may hold a secret file.

Health is Docker's own HEALTHCHECK status when the image has one (polled every second), else an
HTTP GET of `/health` on the EXPOSEd port; when the start command reads $PORT, a free port is
chosen and passed as PORT. Containers run with `--network host` and are always removed. Every
check becomes a `Check` record; a failing check never raises.
"""

from __future__ import annotations

import socket
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from dockwright import _subprocess
from dockwright.build.containers import (
    Containers,
    ContainerState,
    ImageConfig,
    RunSpec,
    container_name,
)
from dockwright.build.engine import Engine
from dockwright.build.secrets import SecretFile, scan_saved_image
from dockwright.errors import DockwrightError

HEALTH_PATH = "/health"
CHECKS = ("starts", "healthy", "non-root", "read-only", "no-secrets")


@dataclass(frozen=True)
class Check:
    """One validation check."""

    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class ValidationResult:
    """Every check of one image, and the secret files found in its layers."""

    service: str
    image: str
    checks: tuple[Check, ...]
    secrets: tuple[SecretFile, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(c.ok for c in self.checks)

    def check(self, name: str) -> Check | None:
        """The check called `name`."""
        return next((c for c in self.checks if c.name == name), None)


@dataclass(frozen=True)
class ValidateOptions:
    """Time limits of a validation."""

    timeout: float = 60.0  # for the container to turn healthy
    settle: float = 2.0  # it must still run this long after turning healthy
    poll: float = 0.5
    scan_secrets: bool = True


class ProbeKind(StrEnum):
    """How health is judged."""

    DOCKER = "docker"  # the image's HEALTHCHECK
    HTTP = "http"  # GET /health on a port
    NONE = "none"  # nothing to probe: only "it keeps running"


@dataclass(frozen=True)
class Probe:
    """The health probe of one image and the environment it needs."""

    kind: ProbeKind
    port: int | None = None
    env: Mapping[str, str] = field(default_factory=dict)


def plan_probe(config: ImageConfig, free_port: Callable[[], int]) -> Probe:
    """Pick the probe: HEALTHCHECK, else HTTP on a free $PORT or the EXPOSEd port, else none."""
    port, env = None, {}
    if config.exposed_ports:
        port = free_port() if config.honours_port else config.exposed_ports[0]
        env = {"PORT": str(port)} if config.honours_port else {}
    if config.healthcheck:
        return Probe(ProbeKind.DOCKER, port, env)
    return Probe(ProbeKind.HTTP if port else ProbeKind.NONE, port, env)


class Verdict(StrEnum):
    """One look at a container."""

    WAIT = "wait"
    OK = "ok"
    FAIL = "fail"


def judge(state: ContainerState, probe: Probe, http_status: int | None) -> tuple[Verdict, str]:
    """Decide from one observation whether the container is healthy, failed, or not yet."""
    if not state.running:
        return Verdict.FAIL, f"exited with code {state.exit_code}"
    if probe.kind is ProbeKind.DOCKER:
        if state.health == "healthy":
            return Verdict.OK, "HEALTHCHECK reports healthy"
        if state.health == "unhealthy":
            return Verdict.FAIL, f"HEALTHCHECK reports unhealthy: {state.health_log or 'no output'}"
        return Verdict.WAIT, f"HEALTHCHECK status {state.health or 'unknown'}"
    if probe.kind is ProbeKind.HTTP:
        where = f"GET {HEALTH_PATH} on port {probe.port}"
        if http_status is not None and 200 <= http_status < 400:
            return Verdict.OK, f"{where} -> {http_status}"
        if http_status in {404, 405}:
            return Verdict.FAIL, f"{where} -> {http_status}"
        return Verdict.WAIT, f"{where}: {http_status or 'no answer'}"
    return Verdict.OK, "running (no HEALTHCHECK and no EXPOSEd port to probe)"


def user_check(config: ImageConfig, uid_output: str | None) -> Check:
    """Non-root: `id -u` inside the container when it could run, else the image's USER."""
    declared = f"USER {config.user or 'not set'}"
    uid = (uid_output or "").strip()
    if uid.isdigit():
        return Check("non-root", uid != "0", f"uid {uid} ({declared})")
    return Check("non-root", not config.config_user_is_root, f"{declared} (id -u unavailable)")


def secrets_check(found: list[SecretFile]) -> Check:
    """No secret file in any layer."""
    lines = [f"{f.path} ({f.reason}) in layer {f.layer}: {f.created_by[:80]}" for f in found]
    return Check("no-secrets", not found, "; ".join(lines) or "no secret files in any layer")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_status(port: int, path: str = HEALTH_PATH) -> int | None:
    """Status of GET http://127.0.0.1:port/path (None when nothing answers)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class _Run:
    """One container run: did it stay up, did it turn healthy, and why not."""

    up: bool
    healthy: bool
    detail: str
    uid: str | None = None


def _watch(box: Containers, name: str, probe: Probe, options: ValidateOptions) -> tuple[bool, str]:
    deadline = time.perf_counter() + options.timeout
    while True:
        state = box.state(name)
        status = http_status(probe.port) if probe.kind is ProbeKind.HTTP and probe.port else None
        verdict, detail = judge(state, probe, status if state.running else None)
        if verdict is Verdict.FAIL:
            return False, detail
        if verdict is Verdict.OK:
            break
        if time.perf_counter() > deadline:
            return False, f"not healthy within {options.timeout:g}s ({detail})"
        time.sleep(options.poll)
    time.sleep(options.settle)
    still = box.state(name)
    if not still.running:
        return False, f"stopped {options.settle:g}s after start: exit code {still.exit_code}"
    return True, detail


def _run(box: Containers, spec: RunSpec, probe: Probe, options: ValidateOptions) -> _Run:
    """Start a container, watch it, ask its uid, remove it."""
    name = box.start(spec)
    if name is None:
        return _Run(False, False, f"docker run failed: {box.last_error}")
    healthy, detail = _watch(box, name, probe, options)
    up = box.state(name).running
    if not up:
        detail += f"\n{box.logs(name)}".rstrip()
    uid = box.exec(name, ["id", "-u"]) if up else None
    box.remove(name)
    return _Run(
        up,
        healthy and probe.kind is not ProbeKind.NONE,
        detail,
        uid.stdout if uid and uid.ok else None,
    )


def _containers_checks(
    box: Containers, image: str, config: ImageConfig, options: ValidateOptions
) -> list[Check]:
    probe = plan_probe(config, free_port)
    # Polled every second, the image's retries would run out while a model server still loads:
    # failures within the validation timeout do not count (Docker's start period).
    docker = probe.kind is ProbeKind.DOCKER
    every, grace = ("1s", f"{options.timeout:g}s") if docker else (None, None)
    spec = RunSpec(image, container_name("run"), probe.env)
    spec = replace(spec, health_interval=every, health_start_period=grace)
    first = _run(box, spec, probe, options)
    ro_spec = replace(spec, name=container_name("ro"), read_only=True, tmpfs=("/tmp",))
    second = _run(box, ro_spec, probe, options)
    read_only_ok = second.up and (second.healthy or probe.kind is ProbeKind.NONE)
    return [
        Check("starts", first.up, "running" if first.up else first.detail),
        Check("healthy", first.healthy, first.detail),
        user_check(config, first.uid),
        Check("read-only", read_only_ok, f"--read-only --tmpfs /tmp: {second.detail}"),
    ]


def scan_image(engine: Engine, image: str) -> list[SecretFile]:
    """Secret files in every layer of a local image (via `docker save`)."""
    with tempfile.TemporaryDirectory(prefix="dockwright-save-") as folder:
        archive = Path(folder) / "image.tar"
        _subprocess.run(engine.docker_argv("save", "-o", str(archive), image), timeout=600)
        return scan_saved_image(archive)


def validate_image(
    engine: Engine, image: str, service: str = "", options: ValidateOptions | None = None
) -> ValidationResult:
    """Run every check on a local image; problems become failed checks, never exceptions."""
    options = options or ValidateOptions()
    try:
        with Containers(engine) as box:
            config = box.image_config(image)
            checks = _containers_checks(box, image, config, options)
    except DockwrightError as exc:
        checks = [Check("starts", False, exc.one_line())]
    secrets: list[SecretFile] = []
    if options.scan_secrets:
        try:
            secrets = scan_image(engine, image)
            checks.append(secrets_check(secrets))
        except (DockwrightError, OSError, ValueError, KeyError, tarfile.TarError) as exc:
            checks.append(Check("no-secrets", False, f"could not scan layers: {exc}"))
    return ValidationResult(service, image, tuple(checks), tuple(secrets))

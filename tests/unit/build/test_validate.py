"""Validation decisions without Docker: image config, probe choice, verdicts, user, run argv."""

from __future__ import annotations

import json

import pytest

from dockwright.build.containers import (
    ContainerState,
    ImageConfig,
    RunSpec,
    parse_image_config,
    parse_state,
    run_argv,
)
from dockwright.build.engine import ClientKind, Engine
from dockwright.build.secrets import SecretFile
from dockwright.build.validate import (
    Check,
    Probe,
    ProbeKind,
    ValidationResult,
    Verdict,
    judge,
    plan_probe,
    secrets_check,
    user_check,
)

ENGINE = Engine("/usr/bin/docker", ClientKind.CLASSIC_BUILDKIT, "20.10")


def config(**raw: object) -> ImageConfig:
    return parse_image_config(json.dumps(raw))


def test_image_config_parsing() -> None:
    parsed = config(
        User="app:app",
        ExposedPorts={"9000/tcp": {}, "8000/tcp": {}, "53/udp": {}},
        Healthcheck={"Test": ["CMD-SHELL", "curl -f localhost:8000/health"]},
        Env=["PATH=/usr/bin", "PORT=8000"],
        Cmd=["python", "app.py"],
    )
    assert parsed.exposed_ports == (8000, 9000) and parsed.user == "app:app"
    assert parsed.healthcheck[0] == "CMD-SHELL" and parsed.env["PORT"] == "8000"
    assert parsed.honours_port and not parsed.config_user_is_root
    assert parse_image_config("null") == ImageConfig()
    assert config(Healthcheck={"Test": ["NONE"]}).healthcheck == ()


@pytest.mark.parametrize("user", ["", "root", "0", "0:0", "root:staff"])
def test_root_users(user: str) -> None:
    assert config(User=user).config_user_is_root


def test_probe_uses_a_free_port_only_when_the_command_reads_port() -> None:
    reads = config(ExposedPorts={"8000/tcp": {}}, Cmd=["sh", "-c", "serve --port ${PORT:-8000}"])
    assert plan_probe(reads, lambda: 41234) == Probe(ProbeKind.HTTP, 41234, {"PORT": "41234"})
    fixed = config(ExposedPorts={"8000/tcp": {}}, Cmd=["python", "app.py"])
    assert plan_probe(fixed, lambda: 41234) == Probe(ProbeKind.HTTP, 8000, {})
    checked = config(Healthcheck={"Test": ["CMD", "true"]})
    assert plan_probe(checked, lambda: 1).kind is ProbeKind.DOCKER
    assert plan_probe(config(), lambda: 1) == Probe(ProbeKind.NONE)


def test_state_parsing() -> None:
    raw = {
        "Running": True,
        "ExitCode": 0,
        "Health": {"Status": "unhealthy", "Log": [{"Output": "old"}, {"Output": "refused\n"}]},
    }
    state = parse_state(json.dumps(raw))
    assert state == ContainerState(True, 0, "unhealthy", "refused")
    assert parse_state('{"Running": false, "ExitCode": 3}') == ContainerState(False, 3)


HTTP = Probe(ProbeKind.HTTP, 8000)
DOCKER = Probe(ProbeKind.DOCKER)


@pytest.mark.parametrize(
    ("state", "probe", "status", "verdict", "words"),
    [
        (ContainerState(False, 3), HTTP, None, Verdict.FAIL, "exited with code 3"),
        (ContainerState(True), HTTP, None, Verdict.WAIT, "no answer"),
        (ContainerState(True), HTTP, 503, Verdict.WAIT, "503"),
        (ContainerState(True), HTTP, 200, Verdict.OK, "GET /health on port 8000 -> 200"),
        (ContainerState(True), HTTP, 404, Verdict.FAIL, "404"),
        (ContainerState(True, health="starting"), DOCKER, None, Verdict.WAIT, "starting"),
        (ContainerState(True, health="healthy"), DOCKER, None, Verdict.OK, "healthy"),
        (ContainerState(True, 0, "unhealthy", "boom"), DOCKER, None, Verdict.FAIL, "boom"),
        (ContainerState(True), Probe(ProbeKind.NONE), None, Verdict.OK, "no HEALTHCHECK"),
    ],
)
def test_judge(
    state: ContainerState, probe: Probe, status: int | None, verdict: Verdict, words: str
) -> None:
    got, detail = judge(state, probe, status)
    assert got is verdict and words in detail


def test_user_check_prefers_the_real_uid() -> None:
    assert user_check(config(User="app"), "1000\n") == Check(
        "non-root", True, "uid 1000 (USER app)"
    )
    assert not user_check(config(User="app"), "0").ok  # USER names a uid-0 account
    assert not user_check(config(), None).ok
    fallback = user_check(config(User="1000"), None)
    assert fallback.ok and "id -u unavailable" in fallback.detail


def test_run_argv_read_only_with_tmpfs_and_port() -> None:
    spec = RunSpec("img:1", "c1", {"PORT": "4000"}, True, ("/tmp",), health_interval="1s")
    assert run_argv(ENGINE, spec) == [
        "/usr/bin/docker", "run", "-d", "--name", "c1", "--network", "host",
        "-e", "PORT=4000", "--read-only", "--tmpfs", "/tmp", "--health-interval", "1s", "img:1",
    ]  # fmt: skip
    slow = RunSpec("img:1", "c2", health_interval="1s", health_start_period="60s")
    assert run_argv(ENGINE, slow)[-5:] == [
        "--health-interval", "1s", "--health-start-period", "60s", "img:1"
    ]  # fmt: skip


def test_secrets_check_and_result() -> None:
    leak = SecretFile("/app/.env", "dotenv file", 3, "COPY . .")
    failed = secrets_check([leak])
    assert not failed.ok and "/app/.env (dotenv file) in layer 3: COPY . ." in failed.detail
    assert secrets_check([]).ok
    result = ValidationResult("api", "img", (Check("starts", True), failed), (leak,))
    assert not result.ok and result.check("no-secrets") is failed and result.check("x") is None

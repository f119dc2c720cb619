"""examples/voice-connector-llm: the before image builds, starts offline, answers, shows defects.

Default tier: the before Dockerfile built unchanged except for `--build-arg PIP_FIND_LINKS`, which
points pip at the CPU torch wheel copied into a temporary context (the engine's classic client has
no named contexts), so no CUDA download happens. The slow tier builds it exactly as a user would,
pulling the CUDA build of torch from PyPI (~5 GB).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockwright import _subprocess
from dockwright.build.engine import Engine
from tests.integration.conftest import Images

STACK = Path(__file__).resolve().parents[2] / "examples" / "voice-connector-llm"
SERVICE = STACK / "services" / "llm-service"
WHEELHOUSE = Path(os.environ.get("VOICE_TORCH_WHEELHOUSE", "/opt/wheels"))
MODEL_IN_IMAGE = "/models/all-MiniLM-L6-v2"


def cpu_torch_wheel() -> Path:
    wheels = sorted(WHEELHOUSE.glob("torch-*+cpu-cp311-*.whl"))
    if not wheels:
        pytest.skip(f"no CPU torch wheel for cp311 in {WHEELHOUSE} (set VOICE_TORCH_WHEELHOUSE)")
    return wheels[-1]


def cpu_context(scratch: Path) -> Path:
    """A copy of the service's build context plus `wheelhouse/` with the CPU torch wheel."""
    context = scratch / "llm-service"
    shutil.copytree(SERVICE, context, ignore=shutil.ignore_patterns("__pycache__", "cache"))
    wheel = cpu_torch_wheel()
    (context / "wheelhouse").mkdir()
    shutil.copy2(wheel, context / "wheelhouse" / wheel.name)
    return context


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(port: int, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.load(response))


def docker(engine: Engine, *args: str, check: bool = True) -> _subprocess.Completed:
    return _subprocess.run(engine.docker_argv(*args), check=check, timeout=180)


def wait_healthy(engine: Engine, cid: str, port: int, timeout: float = 240.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return call(port, "/health")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            state = docker(engine, "inspect", "-f", "{{.State.Running}}", cid).stdout.strip()
            if state != "true":
                pytest.fail(f"container exited:\n{docker(engine, 'logs', cid).stderr[-3000:]}")
            time.sleep(2)
    pytest.fail(f"no /health on port {port} after {timeout}s")


def start(images: Images, tag: str, *args: str) -> tuple[str, int]:
    port = free_port()
    cid = images.run_detached(tag, "-e", f"PORT={port}", *args)
    return cid, port


def exec_in(engine: Engine, cid: str, script: str) -> _subprocess.Completed:
    return docker(engine, "exec", cid, "sh", "-c", script, check=False)


def assert_serves(port: int) -> None:
    intent = call(port, "/intent", {"text": "could you get me a live operator"})
    assert intent["intent"] == "transfer_call", intent
    hits = call(port, "/search", {"text": "my wifi stopped working", "top_k": 3})["results"]
    assert hits[0]["intent"] == "tech_support"
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]


@pytest.fixture(scope="module")
def cpu_image(
    engine: Engine, base_image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Images, str]]:
    """The before image with torch from the local CPU wheel; removed after the module."""
    tracker = Images(engine)
    try:
        context = cpu_context(tmp_path_factory.mktemp("voice"))
        tracker.build(context, "voice-llm-cpu", build_args={"PIP_FIND_LINKS": "/app/wheelhouse"})
        yield tracker, tracker.tags[-1]
    finally:
        tracker.cleanup()


def test_before_image_serves_the_real_model_offline(cpu_image: tuple[Images, str]) -> None:
    images, tag = cpu_image
    cid, port = start(images, tag)
    health = wait_healthy(images.engine, cid, port)
    assert health["status"] == "healthy"
    assert health["model_path"] == MODEL_IN_IMAGE and health["dimension"] == 384
    assert_serves(port)
    torch = exec_in(images.engine, cid, "python -c 'import torch; print(torch.__version__)'")
    assert torch.stdout.strip().endswith("+cpu")


def test_documented_defects_show_in_the_container(cpu_image: tuple[Images, str]) -> None:
    images, tag = cpu_image
    cid, port = start(images, tag)
    wait_healthy(images.engine, cid, port)
    engine = images.engine
    assert exec_in(engine, cid, "id -u").stdout.strip() == "0"  # runs as root
    assert exec_in(engine, cid, "command -v curl").returncode != 0  # HEALTHCHECK needs curl
    assert exec_in(engine, cid, "command -v gcc").returncode == 0  # build tools shipped
    assert "HF_TOKEN=" in exec_in(engine, cid, "cat /app/.env").stdout  # no .dockerignore
    pid1 = exec_in(engine, cid, "tr '\\0' ' ' < /proc/1/cmdline").stdout
    assert pid1.startswith("/bin/sh -c uvicorn")  # shell-form CMD
    copies = exec_in(engine, cid, "find / -xdev -name model.safetensors | wc -l").stdout
    assert int(copies) == 2  # site-packages + /models (the chmod layer holds a third)


def test_shell_form_cmd_ignores_sigterm(cpu_image: tuple[Images, str]) -> None:
    images, tag = cpu_image
    cid, port = start(images, tag)
    wait_healthy(images.engine, cid, port)
    docker(images.engine, "stop", "-t", "2", cid)
    code = docker(images.engine, "inspect", "-f", "{{.State.ExitCode}}", cid).stdout.strip()
    assert code == "137"  # SIGKILLed after the grace period: /bin/sh never passed SIGTERM on


def test_read_only_root_filesystem_crashes_at_start(cpu_image: tuple[Images, str]) -> None:
    images, tag = cpu_image
    cid, _port = start(images, tag, "--read-only", "--tmpfs", "/tmp")  # docker-compose.prod.yml
    code = docker(images.engine, "wait", cid).stdout.strip()
    assert code != "0"
    assert "Read-only file system: '/app/cache'" in docker(images.engine, "logs", cid).stderr


@pytest.mark.slow
def test_cuda_before_image_builds_and_answers(images: Images) -> None:
    images.build(SERVICE, "voice-llm-cuda")
    tag = images.tags[-1]
    cid, port = start(images, tag)
    assert wait_healthy(images.engine, cid, port)["status"] == "healthy"
    assert_serves(port)
    nvidia = exec_in(images.engine, cid, "pip list 2>/dev/null | grep -c '^nvidia-'").stdout
    assert int(nvidia) >= 5  # the CUDA stack a CPU-only service never uses
    size = docker(images.engine, "image", "inspect", "-f", "{{.Size}}", tag).stdout
    assert int(size) > 4_000_000_000

"""Optimized Dockerfiles of both example stacks, built and run on the real engine.

Each service is optimized in a scratch copy of its stack (generated Dockerfile and ignore file
applied; a widened context gets its compose entry updated, as `optimize --write` does). The
production target must build, start as a non-root user on a read-only root filesystem (tmpfs
on /tmp, the only declared writable path), pass its own HEALTHCHECK, and answer the requests
the "before" images answer (tests/integration/test_example_*.py).

Two edits to the scratch copies are not the generator's: llm-worker's pydantic pin is raised to
2.5.2 (the conflict TS22 is the dependency helper's to fix), and torch is taken from the local
CPU wheel (/opt/wheels, through `--wheelhouse`), since nothing else can be downloaded here.
The transcription worker (openai-whisper pulls numba and triton) is in the slow tier.
"""

from __future__ import annotations

import io
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockwright import _subprocess
from dockwright.build.engine import Engine
from dockwright.generate.files import OptimizeOptions
from dockwright.generate.svc_context import context_plan
from dockwright.model.project import Project, discover
from tests.integration.conftest import Images
from tests.unit.generate.optimize_cases import apply, generate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WHEELS = Path("/opt/wheels")
HEALTHY = {"status": "healthy", "dependencies": {"redis": "healthy"}}
OPTIONS = OptimizeOptions(wheelhouse="wheelhouse")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_wheel() -> Path:
    wheels = sorted(WHEELS.glob("torch-*+cpu-cp311-*.whl"))
    if not wheels:
        pytest.skip(f"no CPU torch wheel for cp311 in {WHEELS}")
    return wheels[-1]


def optimized_copy(stack: str, scratch: Path, wheel_into: list[str]) -> Project:
    """Copy a stack, add the CPU torch wheel to `wheel_into` contexts, optimize every service."""
    root = scratch / stack
    ignore = shutil.ignore_patterns(".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__")
    shutil.copytree(EXAMPLES / stack, root, ignore=ignore)
    for rel in wheel_into:
        (root / rel / "wheelhouse").mkdir(parents=True)
        shutil.copy2(cpu_wheel(), root / rel / "wheelhouse")
    _pin(root / "services/llm-worker/requirements.txt", "pydantic==2.5.0", "pydantic==2.5.2")
    _pin(root / "services/transcription-worker/requirements.txt", "torch==2.1.1", "torch==2.13.0")
    project = discover([root])
    apply(project, generate(project, OPTIONS))
    return discover([root])


def _pin(path: Path, old: str, new: str) -> None:
    if path.is_file():
        path.write_text(path.read_text().replace(old, new))


def build(images: Images, project: Project, name: str) -> str:
    service = project.service(name)
    assert service is not None, name
    context = context_plan(service, project).context
    images.build(context, f"opt-{name}", dockerfile=service.dockerfile_path, target="production")
    return images.tags[-1]


def docker(engine: Engine, *args: str) -> _subprocess.Completed:
    return _subprocess.run(engine.docker_argv(*args), check=False, timeout=120)


def run(images: Images, tag: str, *env: str) -> str:
    """Start read-only, tmpfs on /tmp, health checked every 2 s."""
    flags = ["--read-only", "--tmpfs", "/tmp", "--health-interval", "2s"]
    return images.run_detached(tag, *flags, *(a for e in env for a in ("-e", e)))


def call(port: int, path: str, body: bytes | None = None, ctype: str = "") -> tuple[int, Any]:
    headers = {"Content-Type": ctype} if ctype else {}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", body, headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def wait_ready(engine: Engine, cid: str, port: int, seconds: float = 180) -> Any:
    """GET /health answers and Docker reports the image's own HEALTHCHECK as healthy."""
    deadline, body = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        try:
            body = body or call(port, "/health")[1]
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        state = docker(engine, "inspect", "-f", "{{.State.Running}} {{.State.Health.Status}}", cid)
        if state.stdout.split() == ["true", "healthy"] and body is not None:
            return body
        if state.stdout.startswith("false"):
            break
        time.sleep(1)
    logs = docker(engine, "logs", cid)
    raise AssertionError(f"{cid[:12]} not healthy: {state.stdout}\n{logs.stdout}{logs.stderr}")


def assert_non_root(engine: Engine, cid: str) -> None:
    assert docker(engine, "exec", cid, "id", "-u").stdout.strip() == "10001"
    assert docker(engine, "exec", cid, "sh", "-c", "command -v gcc").returncode != 0
    pid1 = docker(engine, "exec", cid, "cat", "/proc/1/cmdline").stdout.replace("\0", " ")
    assert not pid1.startswith(("/bin/sh", "sh ")), pid1


def wav_upload(seconds: float = 1.0) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        tone = (
            int(8000 * ((i // 18) % 2 * 2 - 1)).to_bytes(2, "little", signed=True)
            for i in range(int(16000 * seconds))
        )
        out.writeframes(b"".join(tone))
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\n"
        ).encode()
        + buffer.getvalue()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    port = free_port()
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def transcription(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return optimized_copy("transcription-system", tmp_path_factory.mktemp("ts"), [""])


def test_transcription_apis_and_llm_worker(
    engine: Engine, images: Images, transcription: Project, redis_url: str
) -> None:
    env = (f"REDIS_URL={redis_url}", "TRANSCRIPTION_BACKEND=offline", "LLM_BACKEND=offline")
    ports = {name: free_port() for name in ("ingestion-api", "job-status-api", "llm-worker")}
    cids = {}
    for name, port in ports.items():
        tag = build(images, transcription, name)
        port_var = "HEALTH_PORT" if name.endswith("worker") else "PORT"
        cids[name] = run(images, tag, *env, f"{port_var}={port}")
    for name, port in ports.items():
        assert wait_ready(engine, cids[name], port) == HEALTHY, name
        assert_non_root(engine, cids[name])
    code, job = call(
        ports["ingestion-api"],
        "/jobs",
        b"audio_url=https://example.org/a.wav",
        "application/x-www-form-urlencoded",
    )
    assert code == 202, job
    code, status = call(ports["job-status-api"], f"/jobs/{job['job_id']}")
    assert (code, status["status"], status["source"]) == (200, "queued", "url")
    logs = docker(engine, "logs", cids["job-status-api"])
    assert "No module named 'shared'" not in logs.stdout + logs.stderr  # TS12 fixed


@pytest.mark.slow
def test_transcription_worker_runs_a_job_end_to_end(
    engine: Engine, images: Images, transcription: Project, redis_url: str
) -> None:
    env = (f"REDIS_URL={redis_url}", "TRANSCRIPTION_BACKEND=offline", "LLM_BACKEND=offline")
    ports = {
        n: free_port()
        for n in ("ingestion-api", "job-status-api", "transcription-worker", "llm-worker")
    }
    cids = {}
    for name, port in ports.items():
        port_var = "HEALTH_PORT" if name.endswith("worker") else "PORT"
        cids[name] = run(images, build(images, transcription, name), *env, f"{port_var}={port}")
    for name, port in ports.items():
        assert wait_ready(engine, cids[name], port) == HEALTHY, name
        assert_non_root(engine, cids[name])
    body, ctype = wav_upload()
    code, job = call(ports["ingestion-api"], "/jobs", body, ctype)
    assert code == 202, job
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        code, result = call(ports["job-status-api"], f"/jobs/{job['job_id']}/result")
        if code == 200:
            break
        time.sleep(1)
    assert code == 200, result
    assert "Sound segment 1" in json.dumps(result)
    torch = docker(
        engine,
        "exec",
        cids["transcription-worker"],
        "python",
        "-c",
        "import torch; print(torch.__version__)",
    )
    assert torch.stdout.strip().endswith("+cpu")


def test_voice_llm_service_serves_offline_read_only(
    engine: Engine, images: Images, tmp_path_factory: pytest.TempPathFactory
) -> None:
    project = optimized_copy(
        "voice-connector-llm", tmp_path_factory.mktemp("voice"), ["services/llm-service"]
    )
    tag = build(images, project, "llm-service")
    port = free_port()
    cid = run(images, tag, f"PORT={port}")
    health = wait_ready(engine, cid, port, seconds=300)
    assert health["status"] == "healthy" and health["dimension"] == 384
    code, intent = call(
        port,
        "/intent",
        json.dumps({"text": "could you get me a live operator"}).encode(),
        "application/json",
    )
    assert (code, intent["intent"]) == (200, "transfer_call")
    code, found = call(
        port,
        "/search",
        json.dumps({"text": "my wifi stopped working", "top_k": 3}).encode(),
        "application/json",
    )
    assert found["results"][0]["intent"] == "tech_support"
    assert_non_root(engine, cid)
    torch = docker(engine, "exec", cid, "python", "-c", "import torch; print(torch.__version__)")
    assert torch.stdout.strip().endswith("+cpu")
    assert docker(engine, "exec", cid, "test", "-e", "/app/.env").returncode != 0
    docker(engine, "stop", "-t", "10", cid)
    code = docker(engine, "inspect", "-f", "{{.State.ExitCode}}", cid).stdout.strip()
    assert code != "137"  # exec-form CMD: uvicorn got SIGTERM and stopped cleanly

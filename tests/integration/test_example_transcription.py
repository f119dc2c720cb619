"""examples/transcription-system in its "before" state, against the real engine.

The images that can build do build, start, and answer /health against a redis-server on the host
loopback (containers use --network host). The llm-worker build fails on its pydantic/mistralai
conflict, and the prod overlay's `target: production` is missing from two Dockerfiles. The
transcription-worker image pulls CUDA PyTorch (GBs) and is only built in the slow tier.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from dockwright import _subprocess
from dockwright.build.engine import Engine
from dockwright.model.dockerfile import parse_text
from tests.integration.conftest import Images

STACK = Path(__file__).resolve().parents[2] / "examples" / "transcription-system"
HEALTHY = {"status": "healthy", "dependencies": {"redis": "healthy"}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """Debian's redis-server on a free loopback port, for the containers (--network host)."""
    port = free_port()
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def http(url: str, data: dict[str, str] | None = None) -> tuple[int, dict[str, object]]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(url, data=body, timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def wait_health(engine: Engine, cid: str, url: str, seconds: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return http(url)[1]
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.25)
    logs = _subprocess.run(engine.docker_argv("logs", cid), check=False)
    raise AssertionError(f"{url} did not answer in {seconds}s; logs:\n{logs.stdout}{logs.stderr}")


def in_container(engine: Engine, cid: str, script: str) -> _subprocess.Completed:
    return _subprocess.run(engine.docker_argv("exec", cid, "sh", "-c", script), check=False)


def build(images: Images, service: str, **options: object) -> tuple[str, _subprocess.Completed]:
    """Build a service the way docker-compose.yml says (context and Dockerfile)."""
    spec = yaml.safe_load((STACK / "docker-compose.yml").read_text())["services"][service]["build"]
    context = STACK / (spec if isinstance(spec, str) else spec["context"])
    dockerfile = context / (
        spec.get("dockerfile", "Dockerfile") if isinstance(spec, dict) else "Dockerfile"
    )
    done = images.build(context, f"ts-{service}", dockerfile=dockerfile, **options)  # type: ignore[arg-type]
    return images.tags[-1], done


def run_api(images: Images, tag: str, redis_url: str) -> tuple[str, int]:
    port = free_port()
    cid = images.run_detached(tag, "-e", f"REDIS_URL={redis_url}", "-e", f"PORT={port}")
    return cid, port


def check_ingestion_defects(engine: Engine, cid: str) -> None:
    """TS07 curl missing, TS03/TS01 .env baked in, TS04 compiler shipped, TS09 root."""
    probe = json.loads(_subprocess.run(engine.docker_argv("inspect", cid)).stdout)[0]
    healthcheck = probe["Config"]["Healthcheck"]["Test"]
    assert healthcheck[0] == "CMD-SHELL" and "curl" in healthcheck[1]
    assert in_container(engine, cid, healthcheck[1].replace("|| exit 1", "")).returncode == 127
    assert "OPENAI_API_KEY=sk-test-FAKE" in in_container(engine, cid, "cat /app/.env").stdout
    loaded = in_container(engine, cid, f'python -c "{LEAKED_KEY}"')  # TS25: and it is read
    assert loaded.stdout.strip() == "sk-test-FAKE-0000000000000000", loaded.stderr
    assert in_container(engine, cid, "command -v gcc").ok
    assert in_container(engine, cid, "id -u").stdout.strip() == "0"


def test_api_images_build_start_and_serve_a_job(
    engine: Engine, images: Images, redis_url: str
) -> None:
    ingestion_tag, _ = build(images, "ingestion-api")
    status_tag, _ = build(images, "job-status-api")
    ingestion, ingestion_port = run_api(images, ingestion_tag, redis_url)
    status, status_port = run_api(images, status_tag, redis_url)
    assert wait_health(engine, ingestion, f"http://127.0.0.1:{ingestion_port}/health") == HEALTHY
    assert wait_health(engine, status, f"http://127.0.0.1:{status_port}/health") == HEALTHY

    code, body = http(
        f"http://127.0.0.1:{ingestion_port}/jobs", {"audio_url": "https://example.org/a.wav"}
    )
    assert code == 202, body
    code, job = http(f"http://127.0.0.1:{status_port}/jobs/{body['job_id']}")
    assert (code, job["status"], job["source"]) == (200, "queued", "url")

    check_ingestion_defects(engine, ingestion)
    logs = _subprocess.run(engine.docker_argv("logs", status))
    assert "telemetry disabled: No module named 'shared'" in logs.stdout + logs.stderr  # TS12


def test_llm_worker_build_fails_on_the_pydantic_conflict(images: Images) -> None:
    _, done = build(images, "llm-worker", check=False)
    output = done.stdout + done.stderr
    assert not done.ok
    assert "ResolutionImpossible" in output
    assert "The user requested pydantic==2.5.0" in output
    conflict = r"mistralai 0\.0\.12 depends on pydantic<3\.0\.0 and >=2\.5\.2"
    assert re.search(conflict, output), output[-3000:]


def test_prod_overlay_asks_for_targets_that_do_not_exist(images: Images) -> None:
    prod = yaml.safe_load((STACK / "docker-compose.prod.yml").read_text())["services"]
    targeted = {name: svc["build"]["target"] for name, svc in prod.items() if "build" in svc}
    services = ("ingestion-api", "transcription-worker", "llm-worker")
    assert targeted == dict.fromkeys(services, "production")
    for service in ("transcription-worker", "llm-worker"):
        _, done = build(images, service, target="production", check=False)
        assert not done.ok
        assert "target stage production could not be found" in done.stdout + done.stderr


def test_transcription_worker_dockerfile_is_the_documented_before_state() -> None:
    """Default-tier stand-in for the slow build: single stage, COPY . . first, torch from PyPI."""
    service = STACK / "services" / "transcription-worker"
    parsed = parse_text((service / "Dockerfile").read_text(), service / "Dockerfile")
    assert len(parsed.stages) == 1
    stage = parsed.stages[0]
    order = [ins.cmd if ins.cmd != "RUN" else ins.script.split()[0] for ins in stage.instructions]
    copies = [i for i, ins in enumerate(stage.instructions) if ins.cmd == "COPY"]
    copy_all = next(i for i in copies if stage.instructions[i].sources == (".",))
    assert copy_all < order.index("pip"), order  # TS19: the whole context before the install
    runs = [ins.script for ins in stage.of("RUN")]
    assert "build-essential" in runs[0] and "--no-cache-dir" in runs[1] and "--mount" not in runs[1]
    assert not stage.of("USER")
    requirements = (service / "requirements.txt").read_text().split()
    assert "torch==2.1.1" in requirements and "openai-whisper==20250625" in requirements
    assert not any("download.pytorch.org" in line or "+cpu" in line for line in requirements)


@pytest.mark.slow
def test_transcription_worker_image_builds_with_cuda_torch_and_runs(
    engine: Engine, images: Images, redis_url: str
) -> None:
    tag, _ = build(images, "transcription-worker")
    port = free_port()
    cid = images.run_detached(
        tag,
        "-e",
        f"REDIS_URL={redis_url}",
        "-e",
        f"HEALTH_PORT={port}",
        "-e",
        "TRANSCRIPTION_BACKEND=offline",
    )
    assert wait_health(engine, cid, f"http://127.0.0.1:{port}/health", seconds=120) == HEALTHY
    probe = in_container(engine, cid, f'python -c "{TORCH_PROBE}"')
    # the CUDA build of torch, in a container that has no GPU and never uses one
    assert probe.stdout.split() == ["12.1", "False"], probe.stdout + probe.stderr
    submit = _subprocess.run(
        engine.docker_argv("exec", cid, "python", "-c", SUBMIT_JOB), check=False
    )
    assert submit.ok, submit.stderr
    assert submit.stdout.strip() == "transcribed offline", submit.stdout


LEAKED_KEY = (
    "from shared.config import Settings; print(Settings().openai_api_key.get_secret_value())"
)
TORCH_PROBE = "import torch; print(torch.version.cuda, torch.cuda.is_available())"
SUBMIT_JOB = """
import io, json, math, time, wave
from shared.config import get_settings
from shared.jobs import JobStore
buf = io.BytesIO()
with wave.open(buf, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
    tone = (int(9000 * math.sin(2 * math.pi * 440 * n / 16000)) for n in range(16000))
    w.writeframes(b"".join(v.to_bytes(2, "little", signed=True) for v in tone))
store = JobStore.from_url(get_settings().redis_url)
job = store.create({"source": "upload"}, audio=buf.getvalue())
for _ in range(100):
    if store.get(job)["status"] in ("transcribed", "failed"):
        break
    time.sleep(0.2)
record = store.get(job)
print(record["status"], json.loads(record.get("transcript", "{}")).get("backend"))
"""

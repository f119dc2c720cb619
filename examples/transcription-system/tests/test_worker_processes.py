"""The workers' real entry points as processes: /health, /metrics, a job, clean exit on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.jobs import JobStore

STACK = Path(__file__).resolve().parents[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_health(url: str, proc: subprocess.Popen[bytes]) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[0].decode()
        try:
            return json.loads(get(url)[1])  # type: ignore[no-any-return]
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError("worker did not serve /health within 20 s")


@pytest.fixture
def start_worker(redis_url: str, tmp_path: Path) -> Iterator[object]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(module: str, service_dir: str, port: int) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "HEALTH_PORT": str(port),
            "QUEUE_POLL_SECONDS": "0.2",
            "TRANSCRIPTION_BACKEND": "offline",
            "LLM_BACKEND": "offline",
            "PYTHONPATH": os.pathsep.join([str(STACK), str(STACK / "services" / service_dir)]),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", module],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_both_workers_as_processes(start_worker, port, store: JobStore, two_tones: bytes) -> None:  # type: ignore[no-untyped-def]
    ports = port(), port()
    stt = start_worker("transcription_worker", "transcription-worker", ports[0])
    notes = start_worker("llm_worker", "llm-worker", ports[1])
    for port, proc in zip(ports, (stt, notes), strict=True):
        health = wait_health(f"http://127.0.0.1:{port}/health", proc)
        assert health == {"status": "healthy", "dependencies": {"redis": "healthy"}}
    job_id = store.create({"source": "upload"}, audio=two_tones)
    deadline = time.monotonic() + 20
    while (store.get(job_id) or {}).get("status") != "completed" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.get(job_id)["status"] == "completed"  # type: ignore[index]
    assert (
        'transcription_jobs_total{outcome="completed"} 1.0'
        in get(f"http://127.0.0.1:{ports[0]}/metrics")[1]
    )
    assert (
        'notes_jobs_total{outcome="completed"} 1.0'
        in get(f"http://127.0.0.1:{ports[1]}/metrics")[1]
    )
    for proc in (stt, notes):
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0

"""A job end to end through a real Redis: ingestion -> transcription -> notes -> job status."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from ingestion_api.main import create_app as ingestion_app
from job_status_api.main import create_app as status_app
from job_status_api.settings import StatusSettings
from job_status_api.store import JobReader
from llm_worker.backends import OfflineNotes
from llm_worker.worker import NotesWorker
from shared.config import Settings
from shared.jobs import JobStore
from shared.telemetry import NoopTracer
from transcription_worker.offline import OfflineTranscriber
from transcription_worker.worker import TranscriptionWorker


class Stack:
    def __init__(self, settings: Settings, store: JobStore) -> None:
        self.ingest = TestClient(ingestion_app(settings, store))
        reader = JobReader(redis.Redis.from_url(settings.redis_url))
        self.status = TestClient(status_app(StatusSettings(_env_file=None), reader))
        self.transcriber = TranscriptionWorker(
            store, OfflineTranscriber(), settings.max_upload_bytes, NoopTracer()
        )
        self.noter = NotesWorker(store, OfflineNotes(), NoopTracer())

    def wait_finished(self, job_id: str, seconds: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            body: dict[str, Any] = self.status.get(f"/jobs/{job_id}").json()
            if body["status"] in ("completed", "failed"):
                return body
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not finish: {body}")


@pytest.fixture
def stack(settings: Settings, store: JobStore) -> Stack:
    return Stack(settings, store)


@pytest.fixture
def running(stack: Stack) -> Iterator[Stack]:
    """Both workers' real loops on threads, stopped after the test."""
    stop = threading.Event()
    threads = [
        threading.Thread(target=stack.transcriber.run, args=(stop, 0.2)),
        threading.Thread(target=stack.noter.run, args=(stop, 0.2)),
    ]
    for thread in threads:
        thread.start()
    yield stack
    stop.set()
    for thread in threads:
        thread.join(timeout=5)


@pytest.fixture
def audio_site(tmp_path: Path, two_tones: bytes) -> Iterator[str]:
    (tmp_path / "memo.wav").write_bytes(two_tones)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return


def test_uploaded_job_step_by_step(stack: Stack, two_tones: bytes) -> None:
    job_id = stack.ingest.post(
        "/jobs", files={"file": ("memo.wav", two_tones, "audio/wav")}
    ).json()["job_id"]
    assert stack.status.get(f"/jobs/{job_id}").json()["status"] == "queued"
    assert stack.transcriber.process_next(timeout=1) == job_id
    assert stack.status.get(f"/jobs/{job_id}").json()["status"] == "transcribed"
    assert stack.noter.process_next(timeout=1) == job_id
    result = stack.status.get(f"/jobs/{job_id}/result").json()
    assert result["status"] == "completed"
    transcript, notes = result["transcript"], result["notes"]
    assert (transcript["backend"], transcript["duration_seconds"]) == ("offline", 2.0)
    assert "about 440 hertz" in transcript["text"] and "about 880 hertz" in transcript["text"]
    assert notes["backend"] == "offline"
    assert notes["summary"] == transcript["text"]
    assert notes["title"] == "Sound segment 1 lasts 1.00 seconds at about"


def test_url_job_through_running_workers(running: Stack, audio_site: str) -> None:
    reply = running.ingest.post("/jobs", data={"audio_url": f"{audio_site}/memo.wav"})
    body = running.wait_finished(reply.json()["job_id"])
    assert body["status"] == "completed", body
    result = running.status.get(f"/jobs/{body['job_id']}/result").json()
    assert len(result["transcript"]["segments"]) == 2
    assert result["notes"]["key_points"][1].startswith("Sound segment 2")


def test_unreachable_url_fails_the_job_not_the_worker(
    running: Stack, audio_site: str, two_tones: bytes
) -> None:
    bad = running.ingest.post("/jobs", data={"audio_url": f"{audio_site}/missing.wav"}).json()[
        "job_id"
    ]
    body = running.wait_finished(bad)
    assert body["status"] == "failed"
    assert "404" in body["error"]
    good = running.ingest.post("/jobs", files={"file": ("m.wav", two_tones, "audio/wav")}).json()[
        "job_id"
    ]
    assert running.wait_finished(good)["status"] == "completed"


def test_undecodable_url_audio_fails_the_job(
    running: Stack, audio_site: str, tmp_path: Path
) -> None:
    (tmp_path / "noise.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(8))
    job_id = running.ingest.post("/jobs", data={"audio_url": f"{audio_site}/noise.wav"}).json()[
        "job_id"
    ]
    body = running.wait_finished(job_id)
    assert body["status"] == "failed"
    assert "not a readable PCM WAV" in body["error"]

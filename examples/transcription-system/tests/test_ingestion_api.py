from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ingestion_api.main import create_app
from shared.config import Settings
from shared.jobs import TRANSCRIPTION_QUEUE, JobStore


@pytest.fixture
def client(settings: Settings, store: JobStore) -> TestClient:
    return TestClient(create_app(settings, store))


def test_upload_is_stored_and_queued(client: TestClient, store: JobStore, two_tones: bytes) -> None:
    reply = client.post(
        "/jobs", files={"file": ("memo.wav", two_tones, "audio/wav")}, data={"language": "en"}
    )
    assert reply.status_code == 202, reply.text
    job_id = reply.json()["job_id"]
    assert reply.json()["status"] == "queued"
    job = store.get(job_id)
    assert job is not None
    assert (job["status"], job["source"], job["filename"], job["language"]) == (
        "queued",
        "upload",
        "memo.wav",
        "en",
    )
    assert store.audio(job_id) == two_tones
    assert store.client.lrange(TRANSCRIPTION_QUEUE, 0, -1) == [job_id.encode()]


def test_url_is_queued_without_audio(client: TestClient, store: JobStore) -> None:
    reply = client.post("/jobs", data={"audio_url": " https://example.org/a.mp3 "})
    assert reply.status_code == 202, reply.text
    job_id = reply.json()["job_id"]
    assert store.get(job_id)["audio_url"] == "https://example.org/a.mp3"  # type: ignore[index]
    assert store.audio(job_id) is None


@pytest.mark.parametrize(
    ("files", "data", "status", "message"),
    [
        (None, None, 422, "exactly one of"),
        (
            {"file": ("a.wav", b"RIFF", "audio/wav")},
            {"audio_url": "https://x.org/a"},
            422,
            "exactly one of",
        ),
        ({"file": ("a.wav", b"", "audio/wav")}, None, 422, "empty"),
        (
            {"file": ("a.txt", b"hello world, not audio", "text/plain")},
            None,
            415,
            "not a supported audio",
        ),
        (
            {"file": ("a.wav", b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav")},
            None,
            422,
            "not a readable PCM WAV",
        ),
        (None, {"audio_url": "ftp://example.org/a.wav"}, 422, "http"),
        (None, {"audio_url": "https://"}, 422, "http"),
    ],
)
def test_bad_submissions_are_rejected(
    client: TestClient, store: JobStore, files: object, data: object, status: int, message: str
) -> None:
    reply = client.post("/jobs", files=files, data=data)  # type: ignore[arg-type]
    assert reply.status_code == status, reply.text
    assert message in reply.json()["detail"]
    assert store.client.llen(TRANSCRIPTION_QUEUE) == 0


def test_too_large_upload(settings: Settings, store: JobStore, two_tones: bytes) -> None:
    small = TestClient(create_app(settings.model_copy(update={"max_upload_bytes": 1000}), store))
    reply = small.post("/jobs", files={"file": ("a.wav", two_tones, "audio/wav")})
    assert reply.status_code == 413


def test_health_reports_redis(client: TestClient, settings: Settings) -> None:
    assert client.get("/health").json() == {
        "status": "healthy",
        "dependencies": {"redis": "healthy"},
    }
    down = JobStore.from_url("redis://127.0.0.1:9/0")
    reply = TestClient(create_app(settings, down)).get("/health")
    assert reply.status_code == 503
    assert reply.json() == {"status": "unhealthy", "dependencies": {"redis": "unhealthy"}}


def test_metrics_count_requests(client: TestClient) -> None:
    client.get("/health")
    client.post("/jobs")
    text = client.get("/metrics").text
    assert (
        'http_requests_total{method="GET",route="/health",service="ingestion-api",status="200"} 1.0'
        in text
    )
    assert 'route="/jobs",service="ingestion-api",status="422"} 1.0' in text
    assert "http_request_duration_seconds_bucket" in text

from __future__ import annotations

import json

import pytest
import redis
from fastapi.testclient import TestClient

from job_status_api import store as status_store
from job_status_api.main import create_app
from job_status_api.settings import StatusSettings
from shared import jobs
from shared.jobs import JobStatus, JobStore


@pytest.fixture
def client(redis_url: str) -> TestClient:
    settings = StatusSettings(_env_file=None, redis_url=redis_url)
    return TestClient(create_app(settings, status_store.JobReader(redis.Redis.from_url(redis_url))))


def test_reads_the_layout_that_shared_writes() -> None:
    assert status_store.JOB_KEY == jobs.JOB_KEY
    assert set(status_store.FINISHED) == {JobStatus.COMPLETED.value, JobStatus.FAILED.value}


def test_unknown_job_is_404(client: TestClient) -> None:
    assert client.get("/jobs/nope").status_code == 404
    assert client.get("/jobs/nope/result").status_code == 404


def test_queued_job_has_status_but_no_result_yet(client: TestClient, store: JobStore) -> None:
    job_id = store.create({"source": "upload"}, audio=b"x")
    body = client.get(f"/jobs/{job_id}").json()
    assert (body["job_id"], body["status"], body["source"]) == (job_id, "queued", "upload")
    assert body["created_at"] <= body["updated_at"]
    reply = client.get(f"/jobs/{job_id}/result")
    assert reply.status_code == 409
    assert "still queued" in reply.json()["detail"]


def test_failed_job_result_carries_the_error(client: TestClient, store: JobStore) -> None:
    job_id = store.create({"source": "url", "audio_url": "https://x.org/a"})
    store.fail(job_id, "404 Not Found")
    body = client.get(f"/jobs/{job_id}/result").json()
    assert (body["status"], body["error"], body["transcript"], body["notes"]) == (
        "failed",
        "404 Not Found",
        None,
        None,
    )


def test_completed_job_result(client: TestClient, store: JobStore) -> None:
    job_id = store.create({"source": "upload"})
    store.save_transcript(job_id, {"text": "hi"})
    store.save_notes(job_id, {"title": "t"})
    body = client.get(f"/jobs/{job_id}/result").json()
    assert (body["transcript"], body["notes"]) == ({"text": "hi"}, {"title": "t"})
    assert json.loads(store.get(job_id)["transcript"]) == {"text": "hi"}  # type: ignore[index]


def test_health_and_metrics(client: TestClient) -> None:
    assert client.get("/health").json() == {
        "status": "healthy",
        "dependencies": {"redis": "healthy"},
    }
    client.get("/jobs/nope")
    assert (
        'job_status_requests_total{route="/jobs/{job_id}",status="404"} 1.0'
        in client.get("/metrics").text
    )

"""Read-only access to job records (same Redis layout as shared/jobs.py, kept in step by a test)."""

from __future__ import annotations

import json
from typing import Any, cast

import redis

JOB_KEY = "job:{job_id}"
FINISHED = ("completed", "failed")


class JobReader:
    """Reads the hash that the ingestion-api and the workers write."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def get(self, job_id: str) -> dict[str, str] | None:
        """The job's fields as text, or None."""
        raw = cast(dict[bytes, bytes], self.client.hgetall(JOB_KEY.format(job_id=job_id)))
        return {k.decode(): v.decode() for k, v in raw.items()} if raw else None

    def ping(self) -> bool:
        """True when Redis answers."""
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False


def status_view(job: dict[str, str]) -> dict[str, Any]:
    """The public status of a job (no transcript or notes)."""
    view: dict[str, Any] = {
        "job_id": job["job_id"],
        "status": job["status"],
        "source": job.get("source"),
        "created_at": float(job["created_at"]),
        "updated_at": float(job["updated_at"]),
    }
    if "error" in job:
        view["error"] = job["error"]
    return view


def result_view(job: dict[str, str]) -> dict[str, Any]:
    """Status plus the decoded transcript and notes."""
    return {
        **status_view(job),
        "transcript": json.loads(job["transcript"]) if "transcript" in job else None,
        "notes": json.loads(job["notes"]) if "notes" in job else None,
    }

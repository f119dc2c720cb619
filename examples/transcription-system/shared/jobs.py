"""Jobs in Redis: one hash per job, audio blobs with a TTL, and two work queues (Redis lists)."""

from __future__ import annotations

import json
import time
import uuid
from enum import StrEnum
from typing import Any, cast

import redis

JOB_KEY = "job:{job_id}"
AUDIO_KEY = "audio:{job_id}"
TRANSCRIPTION_QUEUE = "queue:transcription"
NOTES_QUEUE = "queue:notes"


class JobStatus(StrEnum):
    """Where a job is in the pipeline."""

    QUEUED = "queued"
    TRANSCRIBING = "transcribing"
    TRANSCRIBED = "transcribed"
    SUMMARIZING = "summarizing"
    COMPLETED = "completed"
    FAILED = "failed"


def _text(raw: dict[bytes, bytes]) -> dict[str, str]:
    return {key.decode(): value.decode() for key, value in raw.items()}


class JobStore:
    """All reads and writes of job state; the workers and ingestion-api share it."""

    def __init__(self, client: redis.Redis, ttl_seconds: int = 7 * 24 * 3600) -> None:
        self.client = client
        self.ttl = ttl_seconds

    @classmethod
    def from_url(cls, url: str, ttl_seconds: int = 7 * 24 * 3600) -> JobStore:
        """A store on a new Redis connection pool."""
        return cls(cast(redis.Redis, redis.Redis.from_url(url, socket_timeout=10)), ttl_seconds)

    def create(self, fields: dict[str, str], audio: bytes | None = None) -> str:
        """Record a new job (and its audio, if uploaded) and put it on the transcription queue."""
        job_id = uuid.uuid4().hex
        now = str(time.time())
        record = {**fields, "job_id": job_id, "status": JobStatus.QUEUED.value}
        pipe = self.client.pipeline()
        pipe.hset(
            JOB_KEY.format(job_id=job_id), mapping={**record, "created_at": now, "updated_at": now}
        )
        pipe.expire(JOB_KEY.format(job_id=job_id), self.ttl)
        if audio is not None:
            pipe.set(AUDIO_KEY.format(job_id=job_id), audio, ex=self.ttl)
        pipe.rpush(TRANSCRIPTION_QUEUE, job_id)
        pipe.execute()  # type: ignore[no-untyped-call]
        return job_id

    def get(self, job_id: str) -> dict[str, str] | None:
        """The job's fields as text, or None when there is no such job."""
        raw = cast(dict[bytes, bytes], self.client.hgetall(JOB_KEY.format(job_id=job_id)))
        return _text(raw) if raw else None

    def audio(self, job_id: str) -> bytes | None:
        """The uploaded audio of a job (None for URL jobs or after expiry)."""
        data = cast(bytes | None, self.client.get(AUDIO_KEY.format(job_id=job_id)))
        return bytes(data) if data is not None else None

    def update(self, job_id: str, status: JobStatus, **fields: str) -> None:
        """Set a job's status and any extra fields."""
        mapping = {**fields, "status": status.value, "updated_at": str(time.time())}
        self.client.hset(JOB_KEY.format(job_id=job_id), mapping=mapping)

    def save_transcript(self, job_id: str, transcript: dict[str, Any]) -> None:
        """Store the transcript and hand the job to the notes queue."""
        self.update(job_id, JobStatus.TRANSCRIBED, transcript=json.dumps(transcript))
        self.client.delete(AUDIO_KEY.format(job_id=job_id))
        self.client.rpush(NOTES_QUEUE, job_id)

    def save_notes(self, job_id: str, notes: dict[str, Any]) -> None:
        """Store the notes: the job is complete."""
        self.update(job_id, JobStatus.COMPLETED, notes=json.dumps(notes))

    def fail(self, job_id: str, error: str) -> None:
        """Mark a job failed with a message."""
        self.update(job_id, JobStatus.FAILED, error=error[:2000])

    def next_job(self, queue: str, timeout: float) -> str | None:
        """Block up to `timeout` seconds for the next job id on a queue."""
        # Redis >= 6 takes fractional timeouts; redis-py's annotation says int.
        item = cast(list[bytes] | None, self.client.blpop([queue], timeout=timeout))  # type: ignore[arg-type]
        return item[1].decode() if item else None

    def ping(self) -> bool:
        """True when Redis answers."""
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

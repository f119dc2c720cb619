"""The queue loop: one job at a time from `queue:transcription` to a stored transcript."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from prometheus_client import CollectorRegistry, Counter, Histogram

from shared.audio import AudioError, decode_audio
from shared.fetch import FetchError, fetch_audio
from shared.jobs import TRANSCRIPTION_QUEUE, JobStatus, JobStore
from transcription_worker.backends import Transcriber

log = logging.getLogger("transcription-worker")


class TranscriptionWorker:
    """Consumes the transcription queue."""

    def __init__(self, store: JobStore, backend: Transcriber, max_bytes: int, tracer: Any) -> None:
        self.store = store
        self.backend = backend
        self.max_bytes = max_bytes
        self.tracer = tracer
        self.registry = CollectorRegistry()
        self.done = Counter(
            "transcription_jobs_total", "Jobs by outcome", ["outcome"], registry=self.registry
        )
        self.seconds = Histogram("transcription_seconds", "Time per job", registry=self.registry)

    def _audio(self, job_id: str, job: dict[str, str]) -> bytes:
        if "audio_url" in job:
            return fetch_audio(job["audio_url"], self.max_bytes)
        data = self.store.audio(job_id)
        if data is None:
            raise AudioError("the uploaded audio has expired or was never stored")
        return data

    def handle(self, job_id: str) -> None:
        """Transcribe one job; failures are recorded on the job, never raised."""
        job = self.store.get(job_id)
        if job is None:
            log.warning("job %s vanished before transcription", job_id)
            return
        self.store.update(job_id, JobStatus.TRANSCRIBING)
        start = time.perf_counter()
        try:
            with self.tracer.start_as_current_span("transcribe"):
                audio = self._audio(job_id, job)
                clip = decode_audio(audio)
                transcript = self.backend.transcribe(audio, clip, job.get("language"))
        except (AudioError, FetchError) as exc:
            self.store.fail(job_id, str(exc))
            self.done.labels("failed").inc()
            return
        except Exception as exc:  # a backend error fails the job, not the worker
            log.exception("backend %s failed on %s", self.backend.name, job_id)
            self.store.fail(job_id, f"{self.backend.name} backend: {exc}")
            self.done.labels("failed").inc()
            return
        transcript = {
            **transcript,
            "backend": self.backend.name,
            "duration_seconds": round(clip.duration, 3),
        }
        self.store.save_transcript(job_id, transcript)
        self.seconds.observe(time.perf_counter() - start)
        self.done.labels("completed").inc()

    def process_next(self, timeout: float) -> str | None:
        """Handle the next queued job, waiting up to `timeout` s; the job id, or None if idle."""
        job_id = self.store.next_job(TRANSCRIPTION_QUEUE, timeout)
        if job_id is not None:
            self.handle(job_id)
        return job_id

    def run(self, stop: threading.Event, poll: float) -> None:
        """Loop until `stop` is set."""
        while not stop.is_set():
            try:
                self.process_next(poll)
            except redis.RedisError as exc:
                log.warning("redis unavailable (%s); retrying", exc)
                stop.wait(poll)

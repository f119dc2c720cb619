"""The queue loop: one job at a time from `queue:notes` to stored notes."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import redis
from prometheus_client import CollectorRegistry, Counter

from llm_worker.backends import NotesBackend
from llm_worker.notes import as_dict
from shared.jobs import NOTES_QUEUE, JobStatus, JobStore

log = logging.getLogger("llm-worker")


class NotesWorker:
    """Consumes the notes queue."""

    def __init__(self, store: JobStore, backend: NotesBackend, tracer: Any) -> None:
        self.store = store
        self.backend = backend
        self.tracer = tracer
        self.registry = CollectorRegistry()
        self.done = Counter(
            "notes_jobs_total", "Jobs by outcome", ["outcome"], registry=self.registry
        )

    def handle(self, job_id: str) -> None:
        """Make notes for one job; failures are recorded on the job, never raised."""
        job = self.store.get(job_id)
        if job is None or "transcript" not in job:
            log.warning("job %s has no transcript; skipped", job_id)
            return
        self.store.update(job_id, JobStatus.SUMMARIZING)
        try:
            with self.tracer.start_as_current_span("notes"):
                notes = self.backend.notes(json.loads(job["transcript"])["text"])
        except Exception as exc:  # a backend error fails the job, not the worker
            log.exception("backend %s failed on %s", self.backend.name, job_id)
            self.store.fail(job_id, f"{self.backend.name} backend: {exc}")
            self.done.labels("failed").inc()
            return
        self.store.save_notes(job_id, as_dict(notes, self.backend.name))
        self.done.labels("completed").inc()

    def process_next(self, timeout: float) -> str | None:
        """Handle the next queued job, waiting up to `timeout` s; the job id, or None if idle."""
        job_id = self.store.next_job(NOTES_QUEUE, timeout)
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

"""Entry point: `python -m transcription_worker`."""

from __future__ import annotations

import logging
import signal
import threading

from shared.config import get_settings
from shared.health import serve_health
from shared.jobs import JobStore
from shared.telemetry import setup_telemetry
from transcription_worker import backends
from transcription_worker.worker import TranscriptionWorker


def main() -> None:
    """Serve /health and /metrics, then consume the queue until SIGTERM/SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = get_settings()
    store = JobStore.from_url(settings.redis_url, settings.job_ttl_seconds)
    telemetry = setup_telemetry("transcription-worker", settings.otel_exporter_otlp_endpoint)
    worker = TranscriptionWorker(
        store, backends.build(settings), settings.max_upload_bytes, telemetry.tracer
    )
    server = serve_health("0.0.0.0", settings.health_port, {"redis": store.ping}, worker.registry)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    logging.getLogger("transcription-worker").info("backend: %s", worker.backend.name)
    worker.run(stop, settings.queue_poll_seconds)
    server.shutdown()
    telemetry.shutdown()


if __name__ == "__main__":
    main()

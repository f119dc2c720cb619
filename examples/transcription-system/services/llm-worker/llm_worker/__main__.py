"""Entry point: `python -m llm_worker`."""

from __future__ import annotations

import logging
import signal
import threading

from llm_worker import backends
from llm_worker.worker import NotesWorker
from shared.config import get_settings
from shared.health import serve_health
from shared.jobs import JobStore
from shared.telemetry import setup_telemetry


def main() -> None:
    """Serve /health and /metrics, then consume the queue until SIGTERM/SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = get_settings()
    store = JobStore.from_url(settings.redis_url, settings.job_ttl_seconds)
    telemetry = setup_telemetry("llm-worker", settings.otel_exporter_otlp_endpoint)
    worker = NotesWorker(store, backends.build(settings), telemetry.tracer)
    server = serve_health("0.0.0.0", settings.health_port, {"redis": store.ping}, worker.registry)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    logging.getLogger("llm-worker").info("backend: %s", worker.backend.name)
    worker.run(stop, settings.queue_poll_seconds)
    server.shutdown()
    telemetry.shutdown()


if __name__ == "__main__":
    main()

"""The FastAPI app: GET /jobs/{id}, GET /jobs/{id}/result, GET /health, GET /metrics."""

from __future__ import annotations

import logging
from typing import Any, cast

import redis
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse

from job_status_api.metrics import instrument
from job_status_api.settings import StatusSettings
from job_status_api.store import FINISHED, JobReader, result_view, status_view

log = logging.getLogger("job-status-api")

try:  # shared/ is outside this service's build context: in the image this import fails
    from shared.telemetry import setup_telemetry
except ImportError as exc:
    setup_telemetry = None  # type: ignore[assignment]
    log.warning("telemetry disabled: %s", exc)


def _tracing(settings: StatusSettings) -> Any:
    if setup_telemetry is None:
        return None
    return setup_telemetry("job-status-api", settings.otel_exporter_otlp_endpoint)


def _found(reader: JobReader, job_id: str) -> dict[str, str]:
    job = reader.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return job


def create_app(settings: StatusSettings | None = None, reader: JobReader | None = None) -> FastAPI:
    """Build the app; tests pass their own settings and reader."""
    settings = settings or StatusSettings()
    client = cast(redis.Redis, redis.Redis.from_url(settings.redis_url, socket_timeout=10))
    jobs = reader or JobReader(client)
    app = FastAPI(title="job-status-api")
    app.state.telemetry = _tracing(settings)
    instrument(app)

    @app.get("/health")
    def health() -> JSONResponse:
        state = "healthy" if jobs.ping() else "unhealthy"
        payload = {"status": state, "dependencies": {"redis": state}}
        return JSONResponse(payload, status_code=200 if state == "healthy" else 503)

    @app.get("/jobs/{job_id}")
    def job_status(job_id: str) -> dict[str, Any]:
        return status_view(_found(jobs, job_id))

    @app.get("/jobs/{job_id}/result")
    def job_result(job_id: str) -> dict[str, Any]:
        job = _found(jobs, job_id)
        if job["status"] not in FINISHED:
            raise HTTPException(409, f"job {job_id} is still {job['status']}")
        return result_view(job)

    return app

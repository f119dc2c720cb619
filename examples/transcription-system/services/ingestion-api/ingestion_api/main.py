"""The FastAPI app: POST /jobs, GET /health, GET /metrics."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import FastAPI, File, Form, HTTPException, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ingestion_api.validation import Rejected, check_upload, check_url
from shared.config import Settings, get_settings
from shared.health import health_payload
from shared.jobs import JobStatus, JobStore
from shared.metrics import instrument
from shared.telemetry import setup_telemetry

log = logging.getLogger("ingestion-api")


class Accepted(BaseModel):
    """The answer to a submission."""

    job_id: str
    status: JobStatus


def _job_fields(
    filename: str | None, url: str | None, fmt: str, language: str | None
) -> dict[str, str]:
    fields = {"source": "url" if url else "upload", "format": fmt}
    if filename:
        fields["filename"] = filename
    if url:
        fields["audio_url"] = url
    if language:
        fields["language"] = language
    return fields


async def _submission(
    settings: Settings, file: UploadFile | None, audio_url: str | None
) -> tuple[bytes | None, str | None, str]:
    if (file is None) == (not audio_url):
        raise Rejected(422, "send exactly one of: file (multipart upload) or audio_url")
    if file is not None:
        data = await file.read(settings.max_upload_bytes + 1)
        return data, None, check_upload(data, settings.max_upload_bytes)
    return None, check_url(audio_url or ""), "url"


def create_app(settings: Settings | None = None, store: JobStore | None = None) -> FastAPI:
    """Build the app; tests pass their own settings and store."""
    settings = settings or get_settings()
    jobs = store or JobStore.from_url(settings.redis_url, settings.job_ttl_seconds)
    app = FastAPI(title="ingestion-api")
    app.state.telemetry = setup_telemetry("ingestion-api", settings.otel_exporter_otlp_endpoint)
    tracer = app.state.telemetry.tracer
    instrument(app, "ingestion-api")

    @app.get("/health")
    def health() -> JSONResponse:
        payload = health_payload({"redis": jobs.ping})
        return JSONResponse(payload, status_code=200 if payload["status"] == "healthy" else 503)

    @app.post("/jobs", status_code=202, response_model=Accepted)
    async def submit(
        file: Annotated[UploadFile | None, File()] = None,
        audio_url: Annotated[str | None, Form()] = None,
        language: Annotated[str | None, Form()] = None,
    ) -> Accepted:
        with tracer.start_as_current_span("submit-job"):
            try:
                data, url, fmt = await _submission(settings, file, audio_url)
            except Rejected as exc:
                raise HTTPException(exc.status, str(exc)) from exc
            fields = _job_fields(file.filename if file else None, url, fmt, language)
            job_id = jobs.create(fields, audio=data)
        log.info("queued job %s (%s)", job_id, fields["source"])
        return Accepted(job_id=job_id, status=JobStatus.QUEUED)

    return app

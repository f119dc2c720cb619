"""Prometheus metrics for this service (its build context has no `shared/`, so its own copy)."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest


def instrument(app: FastAPI) -> CollectorRegistry:
    """Count lookups by outcome and serve `/metrics`."""
    registry = CollectorRegistry()
    lookups = Counter(
        "job_status_requests_total", "Requests", ["route", "status"], registry=registry
    )

    @app.middleware("http")
    async def _count(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        lookups.labels(route, str(response.status_code)).inc()
        return response

    @app.get("/metrics", include_in_schema=False)
    def _metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return registry

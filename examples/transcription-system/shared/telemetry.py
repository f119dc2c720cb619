"""OpenTelemetry tracing that degrades gracefully.

- opentelemetry not installed: a no-op tracer, one log line.
- no collector configured (OTEL_EXPORTER_OTLP_ENDPOINT unset): the API's no-op tracer; nothing is
  exported and nothing fails (the original system restarted on "self is not configured" telemetry
  errors; here no tracing problem can stop a service).
- a collector configured: an SDK provider with an OTLP/HTTP exporter in a batch processor.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


class NoopTracer:
    """Enough of the Tracer interface for this code base when OpenTelemetry is absent."""

    @contextlib.contextmanager
    def start_as_current_span(self, name: str, **_: Any) -> Iterator[None]:
        """A span that records nothing."""
        yield None


@dataclass(frozen=True)
class Telemetry:
    """The tracer to use, and whether spans leave the process."""

    tracer: Any
    exporting: bool
    reason: str
    provider: Any = None

    def shutdown(self) -> None:
        """Flush and stop the exporter, if there is one."""
        if self.provider is not None:
            self.provider.shutdown()


def _exporting(service_name: str, endpoint: str) -> Telemetry:
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    url = endpoint.rstrip("/") + "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(provider)
    return Telemetry(provider.get_tracer(service_name), True, f"exporting to {url}", provider)


def setup_telemetry(service_name: str, endpoint: str | None) -> Telemetry:
    """Tracing for a service; never raises because of missing packages or configuration."""
    try:
        from opentelemetry import trace
    except ImportError:
        log.warning("opentelemetry is not installed: tracing disabled")
        return Telemetry(NoopTracer(), False, "opentelemetry not installed")
    if not endpoint:
        log.info("no OTLP collector configured: spans are not exported")
        return Telemetry(trace.get_tracer(service_name), False, "no collector configured")
    try:
        return _exporting(service_name, endpoint)
    except Exception as exc:  # an exporter problem must never stop the service
        log.warning("tracing disabled, exporter setup failed: %s", exc)
        return Telemetry(trace.get_tracer(service_name), False, f"exporter setup failed: {exc}")

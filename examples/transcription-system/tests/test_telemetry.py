from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from shared.telemetry import NoopTracer, setup_telemetry


def test_no_collector_configured_is_not_an_error() -> None:
    for _ in range(2):  # a second setup in the same process must not fail either
        telemetry = setup_telemetry("svc", None)
        assert telemetry.exporting is False
        assert telemetry.reason == "no collector configured"
        with telemetry.tracer.start_as_current_span("work"):
            pass
        telemetry.shutdown()


def test_without_opentelemetry_a_noop_tracer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    telemetry = setup_telemetry("svc", "http://127.0.0.1:1")
    assert isinstance(telemetry.tracer, NoopTracer)
    with telemetry.tracer.start_as_current_span("work") as span:
        assert span is None


@pytest.fixture
def collector() -> Iterator[tuple[str, list[str]]]:
    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            paths.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", paths
    server.shutdown()


def test_spans_reach_a_configured_collector(collector: tuple[str, list[str]]) -> None:
    url, paths = collector
    telemetry = setup_telemetry("svc", url)
    assert telemetry.exporting is True
    with telemetry.tracer.start_as_current_span("work"):
        pass
    telemetry.shutdown()  # flushes the batch processor
    assert paths == ["/v1/traces"]


def test_unreachable_collector_does_not_raise() -> None:
    telemetry = setup_telemetry("svc", "http://127.0.0.1:9")
    with telemetry.tracer.start_as_current_span("work"):
        pass
    telemetry.shutdown()

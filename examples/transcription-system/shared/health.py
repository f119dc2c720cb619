"""The `/health` payload, and a tiny HTTP server for workers that have no web framework."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

Check = Callable[[], bool]


def health_payload(checks: Mapping[str, Check]) -> dict[str, object]:
    """`{"status": "healthy", "dependencies": {"redis": "healthy"}}`, or unhealthy ones named."""
    dependencies = {name: "healthy" if check() else "unhealthy" for name, check in checks.items()}
    healthy = all(state == "healthy" for state in dependencies.values())
    return {"status": "healthy" if healthy else "unhealthy", "dependencies": dependencies}


def _handler(
    checks: Mapping[str, Check], registry: CollectorRegistry
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/health":
                payload = health_payload(checks)
                code = 200 if payload["status"] == "healthy" else 503
                self._send(code, "application/json", json.dumps(payload).encode())
            elif self.path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(registry))
            else:
                self._send(404, "application/json", b'{"detail":"Not Found"}')

        def _send(self, code: int, content_type: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


def serve_health(
    host: str, port: int, checks: Mapping[str, Check], registry: CollectorRegistry
) -> ThreadingHTTPServer:
    """Serve /health and /metrics on a daemon thread; call `.shutdown()` to stop."""
    server = ThreadingHTTPServer((host, port), _handler(checks, registry))
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server

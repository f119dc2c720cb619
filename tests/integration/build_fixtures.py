"""Tiny stdlib-HTTP services for build and validation tests: one good, several bad variants.

Every variant serves GET /health on $PORT. Folder names carry a random suffix so that the
`dockwright/<service>:latest` tags never collide with a concurrent test run.
"""

from __future__ import annotations

import uuid
from pathlib import Path

SERVER = """\
import http.server
import os

if os.environ.get("STATE_DIR"):
    with open(os.path.join(os.environ["STATE_DIR"], "started"), "w") as handle:
        handle.write("1")


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Health).serve_forever()
"""
HEALTHCHECK = (
    'HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import os, urllib.request; '
    "urllib.request.urlopen('http://127.0.0.1:' + os.environ['PORT'] + '/health')\"\n"
)
HEAD = "FROM {base}\nWORKDIR /app\nCOPY server.py .\nENV PORT=8000\nEXPOSE 8000\n"
TAIL = 'CMD ["python", "server.py"]\n'
VARIANTS = {
    # non-root, Docker HEALTHCHECK, $PORT: passes every check
    "good": HEAD + "USER 1000\n" + HEALTHCHECK + TAIL,
    # no USER: runs as root (HTTP probe, no HEALTHCHECK)
    "root": HEAD + TAIL,
    # copies .env in and deletes it in a later layer: still shipped
    "leaky": HEAD + "COPY .env .\nRUN rm .env\nUSER 1000\n" + HEALTHCHECK + TAIL,
    # nothing to probe: no EXPOSE, no HEALTHCHECK
    "nohealth": 'FROM {base}\nUSER 1000\nCMD ["python", "-c", "import time; time.sleep(3600)"]\n',
    # writes its state under /app/data at start: dies on a read-only root filesystem
    "writes": HEAD
    + "RUN mkdir data && chown 1000 data\nENV STATE_DIR=/app/data\nUSER 1000\n"
    + HEALTHCHECK
    + TAIL,
    # answers only after 6 s, like a model server loading its model; 1 failed check = unhealthy
    "slow": HEAD
    + "USER 1000\n"
    + HEALTHCHECK.replace("--timeout=3s", "--timeout=3s --retries=1")
    + 'CMD ["sh", "-c", "sleep 6 && exec python server.py"]\n',
    # the build itself fails
    "broken": "FROM {base}\nRUN python -c 'raise SystemExit(3)'\n",
}


def write_service(root: Path, variant: str, base: str, suffix: str | None = None) -> Path:
    """Write a variant's folder under `root`; its service name is `<variant>-<suffix>`."""
    folder = root / f"{variant}-{suffix or uuid.uuid4().hex[:6]}"
    folder.mkdir(parents=True)
    (folder / "server.py").write_text(SERVER)
    (folder / ".env").write_text("API_KEY=not-a-real-key\n")
    (folder / ".dockerignore").write_text("" if variant == "leaky" else ".env\n")
    (folder / "Dockerfile").write_text(VARIANTS[variant].format(base=base))
    return folder

"""`dockwright optimize --out` on a copy of an example stack, then a real build of one service.

Only the lightest service (job-status-api: FastAPI, no compiler, no torch) is built here;
part A's integration tests build every optimized service. The service is built the way the
optimized compose file says (its context was widened to the stack root for `shared/`), and
run the way compose.prod.yaml says: read-only root filesystem, /tmp as tmpfs, no
capabilities, no new privileges. It must answer HTTP and run as a non-root user.
"""

from __future__ import annotations

import json
import shutil
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from dockwright import _subprocess
from dockwright.build.engine import Engine
from tests.integration.conftest import Images

STACK = Path(__file__).resolve().parents[2] / "examples" / "transcription-system"
DOCKWRIGHT = Path(sys.executable).with_name("dockwright")
SERVICE = "job-status-api"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str, seconds: float = 60) -> int:
    """HTTP status of `url` once the server answers (503 counts: redis is not running)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as reply:
                return int(reply.status)
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise AssertionError(f"{url} did not answer in {seconds}s")


def _optimize_copy(tmp_path: Path) -> Path:
    source, out = tmp_path / "stack", tmp_path / "optimized"
    shutil.copytree(STACK, source, ignore=shutil.ignore_patterns(".ruff_cache", "__pycache__"))
    done = _subprocess.run([str(DOCKWRIGHT), "optimize", str(source), "--out", str(out)])
    assert f"in {out}" in done.stderr
    again = _subprocess.run([str(DOCKWRIGHT), "optimize", str(out)])
    assert again.stderr == "nothing to change\n"
    return out


def _prod_run_options(out: Path) -> list[str]:
    spec = yaml.safe_load((out / "compose.prod.yaml").read_text())["services"][SERVICE]
    assert spec["read_only"] is True and spec["cap_drop"] == ["ALL"]
    options = ["--read-only", "--cap-drop", "ALL"]
    options += [a for t in spec["tmpfs"] for a in ("--tmpfs", t)]
    return options + [a for o in spec["security_opt"] for a in ("--security-opt", o)]


def test_optimized_service_builds_and_runs_as_non_root(
    engine: Engine, images: Images, tmp_path: Path
) -> None:
    out = _optimize_copy(tmp_path)
    build = yaml.safe_load((out / "docker-compose.yml").read_text())["services"][SERVICE]["build"]
    context = out / build["context"]
    images.build(context, SERVICE, dockerfile=context / build["dockerfile"], target="production")
    tag, port = images.tags[-1], _free_port()
    env = ["-e", f"PORT={port}", "-e", f"REDIS_URL=redis://127.0.0.1:{_free_port()}/0"]
    cid = images.run_detached(tag, *_prod_run_options(out), *env)
    assert _answers(f"http://127.0.0.1:{port}/health") in {200, 503}
    uid = _subprocess.run(engine.docker_argv("exec", cid, "id", "-u")).stdout.strip()
    assert uid != "0"
    config = json.loads(_subprocess.run(engine.docker_argv("image", "inspect", tag)).stdout)
    assert config[0]["Config"]["User"] not in {"", "0", "root"}


def test_resolve_drops_compilers_only_where_every_package_is_a_wheel(tmp_path: Path) -> None:
    source, out = tmp_path / "stack", tmp_path / "optimized"
    shutil.copytree(STACK, source, ignore=shutil.ignore_patterns(".ruff_cache", "__pycache__"))
    argv = [str(DOCKWRIGHT), "optimize", str(source), "--out", str(out), "--resolve"]
    done = _subprocess.run(argv, timeout=600)
    assert "build-essential: dropped, every dependency installs from a wheel" in done.stderr
    assert "build-essential" in (source / "services/ingestion-api/Dockerfile").read_text()
    assert "build-essential" not in (out / "services/ingestion-api/Dockerfile").read_text()
    worker = (out / "services/transcription-worker/Dockerfile").read_text()
    assert "build-essential" in worker  # openai-whisper only ships an sdist

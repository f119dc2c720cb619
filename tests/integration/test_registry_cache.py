"""`--cache-registry` on the classic client: inline cache pushed to a loopback registry and
read back after the local build cache is gone.

The registry is Debian's `docker-registry` (scripts/ensure-registry installs it), served on
127.0.0.1:<free port>, which dockerd trusts as an insecure registry by default.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from dockwright import _subprocess, api
from dockwright.build.engine import Engine
from dockwright.build.plan_project import CacheOptions, PlanOptions
from dockwright.build.session import ServiceOutcome
from dockwright.build.sink import LineSink
from dockwright.errors import ProcessError

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """\
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: {data}
http:
  addr: 127.0.0.1:{port}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[str]:
    """A registry on 127.0.0.1:<free port>; yields `host:port`, stops it afterwards."""
    try:
        binary = _subprocess.run([str(ROOT / "scripts" / "ensure-registry")], timeout=600)
    except ProcessError as exc:
        pytest.fail(f"no docker-registry: {exc.output}")
    port = _free_port()
    config = tmp_path / "registry.yml"
    config.write_text(CONFIG.format(data=tmp_path / "registry-data", port=port))
    server = subprocess.Popen(  # a background server: _subprocess only runs to completion
        [binary.stdout.strip(), "serve", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/v2/")
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


def _forget_local_cache(engine: Engine, token: str) -> int:
    """Prune only the build-cache records of steps whose command holds `token`."""
    done = _subprocess.run(
        engine.docker_argv("system", "df", "-v", "--format", "{{json .BuildCache}}"), timeout=120
    )
    ids = [r["ID"] for r in json.loads(done.stdout) or [] if token in r.get("Description", "")]
    for ident in ids:
        _subprocess.run(engine.docker_argv("builder", "prune", "-f", "--filter", f"id={ident}"))
    return len(ids)


def _build(engine: Engine, folder: Path, cache: CacheOptions) -> ServiceOutcome:
    options = PlanOptions(cache=cache)
    steps = api.plan_build([folder], options, engine)
    with LineSink(Console(stderr=True)) as sink:
        [outcome] = api.build(engine, steps, sink, jobs=1)
    return outcome


def _token_step_cached(outcome: ServiceOutcome, token: str) -> bool:
    [step] = [s for s in outcome.result.steps if token in s.name]
    return step.cached


def test_registry_cache_round_trip(
    engine: Engine, base_image: str, registry: str, tmp_path: Path
) -> None:
    token = f"dwcache{uuid.uuid4().hex[:10]}"
    folder = tmp_path / f"cached-{token}"
    folder.mkdir()
    (folder / "Dockerfile").write_text(f"FROM {base_image}\nRUN echo {token} > /token && sleep 2\n")
    cache = CacheOptions(registry=f"{registry}/dwcache")
    ref = f"{registry}/dwcache/cached-{token}:latest-cache"
    local = f"dockwright/cached-{token}:latest"
    try:
        first = _build(engine, folder, cache)
        assert first.result.ok and first.result.warnings == (), first.result.error
        tags = json.load(
            urllib.request.urlopen(f"http://{registry}/v2/dwcache/cached-{token}/tags/list")
        )
        assert tags["tags"] == ["latest-cache"]

        for tag in (local, ref):
            _subprocess.run(engine.docker_argv("image", "rm", "-f", tag))
        assert _forget_local_cache(engine, token) >= 1
        second = _build(engine, folder, cache)
        assert second.result.ok and _token_step_cached(second, token)

        # control: with the local cache gone and no registry cache, the step really runs
        _subprocess.run(engine.docker_argv("image", "rm", "-f", local, ref))
        assert _forget_local_cache(engine, token) >= 1
        control = _build(engine, folder, CacheOptions())
        assert control.result.ok and not _token_step_cached(control, token)
    finally:
        _subprocess.run(engine.docker_argv("image", "rm", "-f", local, ref), check=False)
        _forget_local_cache(engine, token)

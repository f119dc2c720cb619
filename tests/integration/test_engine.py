"""The engine probe and the local base image, against the real engine."""

from __future__ import annotations

from pathlib import Path

from dockwright import _subprocess
from dockwright.base.image import BaseSpec, build_base_image, cached_key
from dockwright.build.engine import Engine, find_engine
from tests.integration.conftest import Images


def test_probe_finds_a_buildkit_client(engine: Engine) -> None:
    assert engine.server_version
    assert find_engine().docker == engine.docker


def test_base_image_behaves_like_official_slim(engine: Engine, base_image: str) -> None:
    script = (
        "python --version && pip --version && "
        "test ! -e /usr/lib/python3.11/EXTERNALLY-MANAGED && "
        "test -s /etc/ssl/certs/ca-certificates.crt"
    )
    done = _subprocess.run(engine.docker_argv("run", "--rm", base_image, "sh", "-c", script))
    assert "Python 3.11" in done.stdout


def test_base_image_second_call_is_cached(engine: Engine, base_image: str) -> None:
    spec = BaseSpec(python="3.11")
    assert cached_key(engine, base_image) == spec.key()
    messages: list[str] = []
    build_base_image(engine, spec, messages.append)
    assert messages and "up to date" in messages[0]


def test_buildkit_cache_mount_builds(images: Images, tmp_path: Path, base_image: str) -> None:
    (tmp_path / "Dockerfile").write_text(
        f"FROM {base_image}\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install six==1.16.0\n"
        'RUN python -c "import six"\n'
    )
    images.build(tmp_path, "cachemount")


def test_cli_base_build_is_instant_when_cached(base_image: str, capsys: object) -> None:
    from dockwright.cli import main

    assert main(["base", "build", "--python", "3.11"]) == 0
    assert main(["engine"]) == 0

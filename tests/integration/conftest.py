"""Integration fixtures: a real BuildKit engine, the local base image, and image cleanup.

Every test here is marked `docker`. The engine is found the way the product finds it
(dockwright.build.engine); the base image is built the way `dockwright base build` builds it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockwright import _subprocess
from dockwright.base.image import BaseSpec, build_base_image
from dockwright.build.engine import Engine, find_engine
from dockwright.build.plan import BuildStep, build_argv
from dockwright.errors import EngineError


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.path):
            item.add_marker(pytest.mark.docker)


@pytest.fixture(scope="session")
def engine() -> Engine:
    try:
        return find_engine()
    except EngineError as exc:
        pytest.fail(f"integration tests need a BuildKit engine: {exc}")


@pytest.fixture(scope="session")
def base_image(engine: Engine) -> str:
    """`python:3.11-slim`, built locally from Debian packages (nothing can be pulled here)."""
    return build_base_image(engine, BaseSpec(python="3.11"))[0]


class Images:
    """Hands out unique tags and removes every image (and container) made with them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tags: list[str] = []
        self.containers: list[str] = []

    def tag(self, name: str) -> str:
        tag = f"dwtest-{name}:{uuid.uuid4().hex[:8]}"
        self.tags.append(tag)
        return tag

    def build(
        self,
        context: Path,
        name: str,
        dockerfile: Path | None = None,
        target: str | None = None,
        check: bool = True,
        **options: object,
    ) -> _subprocess.Completed:
        step = BuildStep(
            service=name,
            context=context,
            dockerfile=dockerfile or context / "Dockerfile",
            tags=(self.tag(name),),
            target=target,
            **options,  # type: ignore[arg-type]
        )
        return _subprocess.run(
            build_argv(self.engine, step), env=self.engine.env, check=check, timeout=1800
        )

    def run_detached(self, tag: str, *args: str) -> str:
        done = _subprocess.run(
            self.engine.docker_argv("run", "-d", "--network", "host", *args, tag)
        )
        cid = done.stdout.strip()
        self.containers.append(cid)
        return cid

    def cleanup(self) -> None:
        for cid in self.containers:
            _subprocess.run(self.engine.docker_argv("rm", "-f", cid), check=False)
        for tag in self.tags:
            _subprocess.run(self.engine.docker_argv("image", "rm", "-f", tag), check=False)


@pytest.fixture
def images(engine: Engine, base_image: str) -> Iterator[Images]:
    tracker = Images(engine)
    yield tracker
    tracker.cleanup()

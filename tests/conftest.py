"""Shared test configuration."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest


@pytest.fixture
def no_processes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make any accidental process start fail loudly (unit tests must not start processes)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"unit test tried to start a process: {args[:1]}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    yield

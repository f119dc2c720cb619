"""Fixtures: the service's code on sys.path, the real bundled model, one app per session."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

STACK = Path(__file__).resolve().parents[1]
SERVICE = STACK / "services" / "llm-service"
sys.path.insert(0, str(SERVICE / "src"))
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from fastapi.testclient import TestClient  # noqa: E402
from llm_service.config import Settings  # noqa: E402
from llm_service.main import create_app  # noqa: E402


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings as the image has them, except a private cache dir."""
    cache = tmp_path_factory.mktemp("cache")
    return Settings.from_env({"CACHE_DIR": str(cache)})


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    """A client of the app with the real model loaded (lifespan runs on enter)."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client

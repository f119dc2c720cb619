"""Phrase file, embedding cache and ranking, with a tiny deterministic encoder (no model)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from llm_service.intents import Phrase, load_phrases
from llm_service.matcher import SemanticIndex, cache_key, cached_embeddings
from llm_service.model import Vectors

VOCAB = ("bill", "pay", "hello", "hi", "bye")
PHRASES = (Phrase("billing", "bill pay"), Phrase("greeting", "hello hi"), Phrase("end", "bye"))


def bag_of_words(texts: Sequence[str]) -> Vectors:
    rows = np.array([[t.split().count(w) for w in VOCAB] for t in texts], dtype=np.float32)
    norms = np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)
    return np.asarray(rows / norms, dtype=np.float32)


def refuse(texts: Sequence[str]) -> Vectors:
    raise AssertionError("the cache should have been used")


def test_cache_is_written_then_reused(tmp_path: Path) -> None:
    cache = tmp_path / "sub" / "intents.npy"
    first = cached_embeddings(PHRASES, bag_of_words, cache)
    assert cache.is_file()
    np.testing.assert_array_equal(cached_embeddings(PHRASES, refuse, cache), first)


def test_stale_cache_is_recomputed(tmp_path: Path) -> None:
    cache = tmp_path / "intents.npy"
    np.save(cache, np.zeros((1, len(VOCAB)), dtype=np.float32))
    assert cached_embeddings(PHRASES, bag_of_words, cache).shape == (3, len(VOCAB))


def test_cache_key_follows_model_and_phrases() -> None:
    key = cache_key("m", PHRASES)
    assert key == cache_key("m", PHRASES)
    assert key != cache_key("other", PHRASES)
    assert key != cache_key("m", (*PHRASES[:2], Phrase("end", "bye bye")))


def test_search_and_threshold() -> None:
    index = SemanticIndex(PHRASES, bag_of_words([p.text for p in PHRASES]), bag_of_words)
    assert index.search("pay bill", 3)[0].intent == "billing"
    assert index.best_intent("hi", 0.5).intent == "greeting"
    assert index.best_intent("hi", 0.9).intent == "unknown"
    assert index.intents == ["billing", "greeting", "end"]


def test_index_rejects_mismatched_vectors() -> None:
    with pytest.raises(ValueError, match="3 phrases but 2 vectors"):
        SemanticIndex(PHRASES, np.zeros((2, 5), dtype=np.float32), bag_of_words)


@pytest.mark.parametrize("data", [{}, [], {"x": []}, {"x": "hello"}, {"x": [1]}])
def test_malformed_intents_file(tmp_path: Path, data: object) -> None:
    path = tmp_path / "intents.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError):
        load_phrases(path)

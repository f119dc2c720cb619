"""The HTTP API with the real all-MiniLM-L6-v2 model, loaded offline from the bundled package."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from llm_service.config import Settings, bundled_model_path
from llm_service.main import create_app

INTENTS = {
    "greeting",
    "transfer_call",
    "end_call",
    "billing_question",
    "tech_support",
    "appointment",
    "repeat_request",
}


def test_health_reports_the_loaded_model(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "healthy"
    assert body["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert body["model_path"] == str(bundled_model_path())
    assert body["dimension"] == 384
    assert set(body["intents"]) == INTENTS
    assert body["phrases"] == 35


def test_health_is_503_until_the_model_is_loaded(settings: Settings) -> None:
    response = TestClient(create_app(settings)).get("/health")  # no `with`: lifespan not run
    assert response.status_code == 503
    assert response.json() == {"status": "loading"}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hey there, good evening", "greeting"),
        ("could you get me a live operator", "transfer_call"),
        ("let me talk to someone in customer service", "transfer_call"),
        ("ok thanks, that's everything, bye bye", "end_call"),
        ("there is an unexpected fee on my invoice", "billing_question"),
        ("I was billed too much", "billing_question"),
        ("my wifi stopped working", "tech_support"),
        ("my modem keeps rebooting", "tech_support"),
        ("I need to move my appointment", "appointment"),
        ("pardon? I couldn't hear you", "repeat_request"),
    ],
)
def test_paraphrases_match_their_intent(client: TestClient, text: str, intent: str) -> None:
    body = client.post("/intent", json={"text": text}).json()
    assert body["intent"] == intent, body
    assert 0.35 <= body["score"] < 0.95  # a paraphrase, not a copy of a bundled phrase


@pytest.mark.parametrize("text", ["what's the weather like on mars", "banana bicycle purple"])
def test_unrelated_text_is_unknown(client: TestClient, text: str) -> None:
    body = client.post("/intent", json={"text": text}).json()
    assert body["intent"] == "unknown"
    assert body["score"] < 0.35


def test_intent_rejects_empty_text(client: TestClient) -> None:
    assert client.post("/intent", json={"text": ""}).status_code == 422


def test_search_ranks_by_similarity(client: TestClient) -> None:
    results = client.post(
        "/search", json={"text": "my internet connection is down", "top_k": 5}
    ).json()["results"]
    assert len(results) == 5
    assert [r["intent"] for r in results[:2]] == ["tech_support", "tech_support"]
    assert results[0]["phrase"] == "my internet is not working"
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


def test_search_finds_a_bundled_phrase_exactly(client: TestClient) -> None:
    best = client.post("/search", json={"text": "end the call", "top_k": 1}).json()["results"]
    assert best == [{"phrase": "end the call", "intent": "end_call", "score": pytest.approx(1.0)}]


@pytest.mark.parametrize("top_k", [0, 21])
def test_search_rejects_top_k_out_of_range(client: TestClient, top_k: int) -> None:
    assert client.post("/search", json={"text": "hello", "top_k": top_k}).status_code == 422


def test_metrics_count_requests_and_intents(client: TestClient) -> None:
    client.post("/intent", json={"text": "goodbye and thanks"})
    text = client.get("/metrics").text
    assert 'llm_requests_total{endpoint="intent"}' in text
    assert 'llm_intent_matches_total{intent="end_call"}' in text
    assert "llm_query_seconds_bucket" in text

"""Request and response bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field


class IntentRequest(BaseModel):
    """An utterance (already transcribed) to classify."""

    text: str = Field(min_length=1, max_length=1000)


class IntentResponse(BaseModel):
    """The best intent; `unknown` when no phrase scored at least the threshold."""

    intent: str
    score: float
    matched_phrase: str


class SearchRequest(BaseModel):
    """A query and how many phrases to return."""

    text: str = Field(min_length=1, max_length=1000)
    top_k: int = Field(default=3, ge=1, le=20)


class SearchHit(BaseModel):
    """One phrase of the index with its similarity."""

    phrase: str
    intent: str
    score: float


class SearchResponse(BaseModel):
    """Phrases ranked by similarity, best first."""

    results: list[SearchHit]


class Health(BaseModel):
    """Service state; `model` names the loaded model."""

    status: str
    model: str
    model_path: str
    dimension: int
    phrases: int
    intents: list[str]

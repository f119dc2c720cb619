"""The notes format, the prompt for real LLMs, and the deterministic offline backend."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError

ACTION_WORDS = re.compile(r"\b(todo|action|should|must|need to|will|follow up)\b", re.IGNORECASE)
PROMPT = (
    "You turn transcripts into meeting notes. Answer with one JSON object with the keys "
    '"title" (string), "summary" (string), "key_points" (list of strings) and '
    '"action_items" (list of strings). Use only facts from the transcript.'
)


class Notes(BaseModel):
    """Structured notes for one transcript."""

    title: str
    summary: str
    key_points: list[str] = Field(default_factory=list)
    action_items: list[str] = Field(default_factory=list)


class NotesError(ValueError):
    """The LLM answered something that is not valid notes."""


def sentences(text: str) -> list[str]:
    """Split text into sentences on ., ! and ? followed by whitespace."""
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part.strip()]


def offline_notes(text: str) -> Notes:
    """Deterministic notes: title from the first words, summary from the first two sentences."""
    parts = sentences(text)
    words = text.split()
    title = " ".join(words[:8]).rstrip(".,;:!?") or "Empty transcript"
    return Notes(
        title=title,
        summary=" ".join(parts[:2]) or "The transcript is empty.",
        key_points=parts[:5],
        action_items=[s for s in parts if ACTION_WORDS.search(s)],
    )


def messages(text: str) -> list[dict[str, str]]:
    """Chat messages asking an LLM for notes on `text`."""
    return [
        {"role": "system", "content": PROMPT},
        {"role": "user", "content": f"Transcript:\n{text}"},
    ]


def parse_notes(answer: str) -> Notes:
    """Notes from an LLM's JSON answer (a ```json fence around it is tolerated)."""
    body = answer.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    try:
        return Notes.model_validate(json.loads(body))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise NotesError(f"the LLM's answer is not valid notes: {exc}") from exc


def as_dict(notes: Notes, backend: str) -> dict[str, Any]:
    """Notes as stored on the job, with the backend that made them."""
    return {**notes.model_dump(), "backend": backend}

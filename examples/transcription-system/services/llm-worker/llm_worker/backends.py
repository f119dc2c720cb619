"""LLM backends, chosen by configuration.

auto: OpenAI when OPENAI_API_KEY is set, else Mistral when MISTRAL_API_KEY is set, else offline.
The real clients are wrapped as a `complete(messages) -> str` function, so the prompt and parsing
code is the same for both and is tested with a fake `complete`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from llm_worker.notes import Notes, messages, offline_notes, parse_notes
from shared.config import Settings, secret

Complete = Callable[[list[dict[str, str]]], str]


class NotesBackend(Protocol):
    """Turns transcript text into Notes."""

    name: str

    def notes(self, text: str) -> Notes:
        """Notes for one transcript."""
        ...


class OfflineNotes:
    """Deterministic notes without any model."""

    name = "offline"

    def notes(self, text: str) -> Notes:
        """See `offline_notes`."""
        return offline_notes(text)


class ChatNotes:
    """Notes from a chat-completion LLM."""

    def __init__(self, name: str, complete: Complete) -> None:
        self.name = name
        self.complete = complete

    def notes(self, text: str) -> Notes:
        """Ask once, parse the JSON answer."""
        return parse_notes(self.complete(messages(text)))


def openai_complete(api_key: str, model: str) -> Complete:
    """`complete` over the OpenAI client (JSON mode)."""
    from openai import OpenAI

    client = OpenAI(api_key=api_key)

    def complete(chat: list[dict[str, str]]) -> str:
        reply = client.chat.completions.create(
            model=model,
            messages=chat,
            response_format={"type": "json_object"},
        )
        return reply.choices[0].message.content or ""

    return complete


def mistral_complete(api_key: str, model: str) -> Complete:
    """`complete` over the mistralai 0.0.x client."""
    from mistralai.client import MistralClient
    from mistralai.models.chat_completion import ChatMessage

    client = MistralClient(api_key=api_key)

    def complete(chat: list[dict[str, str]]) -> str:
        reply = client.chat(model=model, messages=[ChatMessage(**m) for m in chat])
        return str(reply.choices[0].message.content)

    return complete


def choose(settings: Settings) -> str:
    """The backend name that the settings select."""
    if settings.llm_backend != "auto":
        return settings.llm_backend
    if secret(settings.openai_api_key):
        return "openai"
    if secret(settings.mistral_api_key):
        return "mistral"
    return "offline"


def build(settings: Settings) -> NotesBackend:
    """Construct the selected backend."""
    name = choose(settings)
    if name == "openai":
        return ChatNotes(
            "openai",
            openai_complete(secret(settings.openai_api_key) or "", settings.openai_chat_model),
        )
    if name == "mistral":
        return ChatNotes(
            "mistral",
            mistral_complete(secret(settings.mistral_api_key) or "", settings.mistral_model),
        )
    return OfflineNotes()

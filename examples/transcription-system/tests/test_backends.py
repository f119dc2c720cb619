from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from llm_worker import backends as llm
from llm_worker.notes import NotesError, offline_notes, parse_notes
from shared.audio import decode_wav
from shared.config import Settings
from transcription_worker import backends as stt

KEY = "sk-test-FAKE-0000000000000000"


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def test_transcription_auto_prefers_openai_then_whisper_then_offline(tmp_path: Path) -> None:
    model = tmp_path / "base.pt"
    model.write_bytes(b"checkpoint")
    assert stt.choose(settings(openai_api_key=KEY, whisper_model_path=model)) == "openai"
    assert stt.choose(settings(whisper_model_path=model)) == "whisper"
    assert stt.choose(settings(whisper_model_path=tmp_path / "missing.pt")) == "offline"
    assert stt.choose(settings(openai_api_key="  ")) == "offline"
    assert stt.choose(settings(openai_api_key=KEY, transcription_backend="offline")) == "offline"
    assert isinstance(stt.build(settings()), stt.OfflineTranscriber)


def test_llm_auto_prefers_openai_then_mistral_then_offline() -> None:
    assert llm.choose(settings(openai_api_key=KEY, mistral_api_key="m-FAKE")) == "openai"
    assert llm.choose(settings(mistral_api_key="m-FAKE")) == "mistral"
    assert llm.choose(settings()) == "offline"
    assert llm.choose(settings(mistral_api_key="m-FAKE", llm_backend="offline")) == "offline"
    assert isinstance(llm.build(settings()), llm.OfflineNotes)


def test_env_selects_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "m-FAKE")
    monkeypatch.setenv("TRANSCRIPTION_BACKEND", "whisper")
    assert llm.choose(settings()) == "mistral"
    assert stt.choose(settings()) == "whisper"


class FakeTranscriptions:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def create(self, **kwargs: Any) -> SimpleNamespace:
        self.calls.append(kwargs)
        segment = SimpleNamespace(start=0.0, end=1.5, text=" hello there ")
        return SimpleNamespace(text="hello there", language="english", segments=[segment])


def test_openai_transcriber_sends_bytes_and_maps_segments(two_tones: bytes) -> None:
    fake = FakeTranscriptions()
    client = SimpleNamespace(audio=SimpleNamespace(transcriptions=fake))
    result = stt.OpenAITranscriber(client, "whisper-1").transcribe(
        two_tones, decode_wav(two_tones), "en"
    )
    assert fake.calls == [
        {
            "file": ("audio", two_tones),
            "model": "whisper-1",
            "response_format": "verbose_json",
            "language": "en",
        }
    ]
    assert result == {
        "language": "english",
        "text": "hello there",
        "segments": [{"start": 0.0, "end": 1.5, "text": "hello there"}],
    }


def test_chat_notes_prompt_and_parse() -> None:
    seen: list[list[dict[str, str]]] = []
    answer = {"title": "Plan", "summary": "We plan.", "key_points": ["a"], "action_items": ["b"]}

    def complete(chat: list[dict[str, str]]) -> str:
        seen.append(chat)
        return "```json\n" + json.dumps(answer) + "\n```"

    notes = llm.ChatNotes("openai", complete).notes("We plan. Bob will call.")
    assert notes.model_dump() == answer
    assert seen[0][0]["role"] == "system" and "JSON" in seen[0][0]["content"]
    assert seen[0][1] == {"role": "user", "content": "Transcript:\nWe plan. Bob will call."}


@pytest.mark.parametrize("answer", ["not json", '{"title": "x"}', "[]"])
def test_bad_llm_answers_are_notes_errors(answer: str) -> None:
    with pytest.raises(NotesError):
        parse_notes(answer)


def test_offline_notes() -> None:
    text = "We reviewed the budget. Costs rose by ten percent! Alice will send the report. Done?"
    notes = offline_notes(text)
    assert notes.title == "We reviewed the budget. Costs rose by ten"
    assert notes.summary == "We reviewed the budget. Costs rose by ten percent!"
    assert notes.key_points == [
        "We reviewed the budget.",
        "Costs rose by ten percent!",
        "Alice will send the report.",
        "Done?",
    ]
    assert notes.action_items == ["Alice will send the report."]
    assert offline_notes("").summary == "The transcript is empty."

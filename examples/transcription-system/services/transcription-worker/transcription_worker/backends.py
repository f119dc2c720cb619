"""Transcription backends, chosen by configuration.

auto: OpenAI's API when OPENAI_API_KEY is set, else local Whisper when WHISPER_MODEL_PATH names an
existing checkpoint, else the deterministic offline backend.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Protocol

from shared.audio import AudioClip
from shared.config import Settings, secret
from transcription_worker.offline import OfflineTranscriber


class Transcriber(Protocol):
    """Turns audio into `{"language", "text", "segments": [{"start", "end", "text"}]}`."""

    name: str

    def transcribe(self, audio: bytes, clip: AudioClip, language: str | None) -> dict[str, Any]:
        """Transcribe one clip (`audio` is the original bytes, `clip` the decoded samples)."""
        ...


class OpenAITranscriber:
    """OpenAI's hosted transcription (`audio.transcriptions.create`)."""

    name = "openai"

    def __init__(self, client: Any, model: str) -> None:
        self.client = client
        self.model = model

    def transcribe(self, audio: bytes, clip: AudioClip, language: str | None) -> dict[str, Any]:
        """Send the original bytes; keep the segments the API returns."""
        options: dict[str, Any] = {"model": self.model, "response_format": "verbose_json"}
        if language:
            options["language"] = language
        reply = self.client.audio.transcriptions.create(file=("audio", audio), **options)
        segments = [
            {"start": float(s.start), "end": float(s.end), "text": str(s.text).strip()}
            for s in (getattr(reply, "segments", None) or [])
        ]
        return {
            "language": getattr(reply, "language", None) or language,
            "text": reply.text,
            "segments": segments,
        }


class WhisperTranscriber:
    """Local openai-whisper with a checkpoint file that is already on disk (never downloaded)."""

    name = "whisper"

    def __init__(self, model_path: Path) -> None:
        import whisper  # heavy (torch); only imported when this backend is chosen

        self.model = whisper.load_model(str(model_path), device="cpu")

    def transcribe(self, audio: bytes, clip: AudioClip, language: str | None) -> dict[str, Any]:
        """Whisper reads the file through ffmpeg itself."""
        with tempfile.NamedTemporaryFile(suffix=".audio") as handle:
            handle.write(audio)
            handle.flush()
            result = self.model.transcribe(handle.name, language=language, fp16=False)
        segments = [
            {"start": s["start"], "end": s["end"], "text": s["text"].strip()}
            for s in result["segments"]
        ]
        return {
            "language": result.get("language"),
            "text": result["text"].strip(),
            "segments": segments,
        }


def choose(settings: Settings) -> str:
    """The backend name that the settings select."""
    if settings.transcription_backend != "auto":
        return settings.transcription_backend
    if secret(settings.openai_api_key):
        return "openai"
    if settings.whisper_model_path is not None and settings.whisper_model_path.is_file():
        return "whisper"
    return "offline"


def build(settings: Settings) -> Transcriber:
    """Construct the selected backend."""
    name = choose(settings)
    if name == "openai":
        from openai import OpenAI

        return OpenAITranscriber(
            OpenAI(api_key=secret(settings.openai_api_key)), settings.openai_transcription_model
        )
    if name == "whisper":
        if settings.whisper_model_path is None:
            raise ValueError("TRANSCRIPTION_BACKEND=whisper needs WHISPER_MODEL_PATH")
        return WhisperTranscriber(settings.whisper_model_path)
    return OfflineTranscriber()

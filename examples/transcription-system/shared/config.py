"""Settings for every service, read from the environment (and a `.env` file in the working dir)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

TranscriptionChoice = Literal["auto", "openai", "whisper", "offline"]
LLMChoice = Literal["auto", "openai", "mistral", "offline"]


class Settings(BaseSettings):
    """One flat settings object; each service reads the fields it needs."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    service_name: str = "transcription-system"
    redis_url: str = "redis://localhost:6379/0"
    port: int = 8000
    health_port: int = 9100

    openai_api_key: SecretStr | None = None
    mistral_api_key: SecretStr | None = None
    whisper_model_path: Path | None = None
    transcription_backend: TranscriptionChoice = "auto"
    llm_backend: LLMChoice = "auto"
    openai_transcription_model: str = "whisper-1"
    openai_chat_model: str = "gpt-4o-mini"
    mistral_model: str = "mistral-small"

    max_upload_bytes: int = 25 * 1024 * 1024
    job_ttl_seconds: int = 7 * 24 * 3600
    queue_poll_seconds: float = 2.0
    otel_exporter_otlp_endpoint: str | None = None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own `Settings`)."""
    return Settings()


def secret(value: SecretStr | None) -> str | None:
    """The plain value of an optional secret, None when unset or blank."""
    if value is None:
        return None
    plain = value.get_secret_value().strip()
    return plain or None

"""This service's own settings (it was split out early and never moved to shared.config)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class StatusSettings(BaseSettings):
    """What job-status-api reads from the environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    redis_url: str = "redis://localhost:6379/0"
    port: int = 8001
    otel_exporter_otlp_endpoint: str | None = None

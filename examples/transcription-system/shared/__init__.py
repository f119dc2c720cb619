"""Shared by the four services: settings, job store, audio, health, metrics, telemetry."""

"""Prometheus metrics, one registry per app (so tests can build several apps)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass
class Metrics:
    """Request counts per endpoint/outcome, intents matched, and encode latency."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter(
            "llm_requests_total", "Requests served", ["endpoint"], registry=self.registry
        )
        self.intents = Counter(
            "llm_intent_matches_total",
            "Intents returned by /intent",
            ["intent"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "llm_query_seconds",
            "Time to embed and rank one query",
            ["endpoint"],
            registry=self.registry,
        )

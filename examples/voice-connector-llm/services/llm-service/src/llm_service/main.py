"""FastAPI app: POST /intent, POST /search, GET /health, GET /metrics."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from llm_service.api import (
    Health,
    IntentRequest,
    IntentResponse,
    SearchHit,
    SearchRequest,
    SearchResponse,
)
from llm_service.config import Settings
from llm_service.intents import load_phrases
from llm_service.matcher import SemanticIndex, cache_key, cached_embeddings
from llm_service.metrics import Metrics
from llm_service.model import encoder, load_model

log = logging.getLogger("llm_service")


@dataclass(frozen=True)
class Loaded:
    """Everything built at start-up."""

    index: SemanticIndex
    dimension: int


def load(settings: Settings) -> Loaded:
    """Load the model, read the phrases and embed them (cached on disk under CACHE_DIR)."""
    started = time.perf_counter()
    model = load_model(settings.model_path, settings.device)
    encode = encoder(model)
    phrases = load_phrases(settings.intents_file)
    cache_file = settings.cache_dir / f"intents-{cache_key(settings.model_name, phrases)}.npy"
    vectors = cached_embeddings(phrases, encode, cache_file)
    log.info("model %s loaded in %.1fs", settings.model_path, time.perf_counter() - started)
    return Loaded(SemanticIndex(phrases, vectors, encode), int(vectors.shape[1]))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; the model loads in the lifespan, so /health answers only once it is ready."""
    settings = settings or Settings.from_env()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.loaded = load(settings)
        yield

    app = FastAPI(title="llm-service", lifespan=lifespan)
    app.state.settings = settings
    app.state.metrics = metrics
    _routes(app, settings, metrics)
    return app


def _routes(app: FastAPI, settings: Settings, metrics: Metrics) -> None:
    @app.get("/health", response_model=Health)
    def health(request: Request) -> Health | JSONResponse:
        loaded: Loaded | None = getattr(request.app.state, "loaded", None)
        if loaded is None:
            return JSONResponse({"status": "loading"}, status_code=503)
        return Health(
            status="healthy",
            model=settings.model_name,
            model_path=str(settings.model_path),
            dimension=loaded.dimension,
            phrases=len(loaded.index.phrases),
            intents=loaded.index.intents,
        )

    @app.post("/intent", response_model=IntentResponse)
    def intent(body: IntentRequest, request: Request) -> IntentResponse:
        metrics.requests.labels("intent").inc()
        with metrics.latency.labels("intent").time():
            match = request.app.state.loaded.index.best_intent(body.text, settings.min_score)
        metrics.intents.labels(match.intent).inc()
        return IntentResponse(intent=match.intent, score=match.score, matched_phrase=match.phrase)

    @app.post("/search", response_model=SearchResponse)
    def search(body: SearchRequest, request: Request) -> SearchResponse:
        metrics.requests.labels("search").inc()
        with metrics.latency.labels("search").time():
            matches = request.app.state.loaded.index.search(body.text, body.top_k)
        hits = [SearchHit(phrase=m.phrase, intent=m.intent, score=m.score) for m in matches]
        return SearchResponse(results=hits)

    @app.get("/metrics")
    def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper())
app = create_app()

"""FastAPI application factory and lifespan.

``create_app()`` builds settings and the app; the lifespan loads the ASR model once into
a typed :class:`Services` object on ``app.state``. Nothing happens at import time.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from service.context import EventSink, UtteranceHandler, ignore_event, ignore_utterance
from service.errors import PatrolError
from service.settings import Settings
from voice.pool import InferencePool
from voice.stt import Transcriber

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything loaded once per process and shared by all sessions."""

    settings: Settings
    transcriber: Transcriber
    pool: InferencePool
    handle_utterance: UtteranceHandler = ignore_utterance
    # Called with every event sent on any radio session (audit, live feed); a no-op by default.
    on_event: EventSink = ignore_event
    open_sessions: set[str] = field(default_factory=set)


def get_services(request: Request) -> Services:
    """Dependency: the process-wide services."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def create_app(settings: Settings | None = None, *, transcriber: Transcriber | None = None) -> FastAPI:
    """Build the app. ``transcriber`` replaces the real model (tests with fakes)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from models.catalog import load_transcriber

        stt = transcriber or load_transcriber(settings.stt)
        pool = InferencePool(workers=settings.stt.workers, max_queue=settings.stt.max_queue)
        app.state.services = Services(settings=settings, transcriber=stt, pool=pool)
        logger.info("service ready: model=%s workers=%d", settings.stt.model, settings.stt.workers)
        try:
            yield
        finally:
            pool.shutdown()

    app = FastAPI(
        title="Patrol voice query assistant",
        version="1.0.0",
        description="Radio voice queries to registry checks, and analytics skills. Decision support only.",
        lifespan=lifespan,
    )

    @app.exception_handler(PatrolError)
    async def _patrol_error(_request: Request, exc: PatrolError) -> JSONResponse:
        return JSONResponse(exc.to_event(), status_code=exc.http_status)

    from service import ws
    from service.routes import router as http_router

    app.include_router(ws.router)
    app.include_router(http_router)
    return app

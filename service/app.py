"""FastAPI application factory and lifespan.

``create_app()`` builds settings and the app; the lifespan creates the bounded executors
(:mod:`service.pools`), loads the ASR model once into a typed :class:`Services` object on
``app.state``, and on the way out waits for running work and joins every pool's threads.
Nothing happens at import time.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.errors import PatrolError
from service import metrics
from service.context import EventSink, UtteranceHandler, ignore_event, ignore_utterance
from service.settings import Settings
from voice.pool import InferencePool
from voice.session import TurnTaking
from voice.stt import Transcriber

if TYPE_CHECKING:
    from analytics.base import Skill
    from models.embeddings import Embedder
    from service.admission import Admission
    from service.core import Core
    from service.lookup_protocol import LookupEngine
    from service.pools import Pools
    from voice.answer_audio import AnswerVoice

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
    # Which utterances only open a request (read with the next one); None: no joining.
    turns: TurnTaking | None = None
    # Query side (auth, audit, router, skills, live events); built in the lifespan.
    core: Core | None = None
    # Latency-aware admission of radio sessions over the pool; built in the lifespan.
    admission: Admission | None = None
    # Speaks answers back to sessions that ask for "answer_audio" (None: unavailable).
    answer_voice: AnswerVoice | None = None
    # Every bounded executor of the instance (inference, speller, lookup, skills, tts).
    pools: Pools | None = None


def get_services(request: Request) -> Services:
    """Dependency: the process-wide services."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def _turns(core: Core) -> TurnTaking | None:
    """Turn-taking from the lookup parser, when registry checks are served."""
    if core.lookup is None:
        return None
    from lookup.turns import RadioTurns

    return RadioTurns()


def create_app(settings: Settings | None = None, *, transcriber: Transcriber | None = None,
               lookup: LookupEngine | None = None, embedder: Embedder | None = None,
               skills: dict[str, Skill] | None = None) -> FastAPI:
    """Build the app. ``transcriber``, ``lookup``, ``embedder`` and ``skills`` replace the real
    ones (tests with fakes); skills are otherwise discovered from :mod:`analytics`.
    """
    from analytics.base import discover

    settings = settings or Settings()
    hosted = dict(skills) if skills is not None else discover(data_dir=settings.data_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from service.admission import Admission
        from service.answers import build_answer_voice
        from service.core import build_core, describe
        from service.events import event_sink
        from service.pools import Pools
        from voice.loading import load_transcriber

        pools = Pools.from_settings(settings)
        try:
            stt = transcriber or load_transcriber(**settings.stt.loader_options(), side_pool=pools.speller)
            pool = InferencePool(workers=settings.stt.workers, max_queue=settings.stt.max_queue,
                                 executor=pools.inference)
            core = await build_core(settings, skills=hosted, pools=pools, lookup=lookup, embedder=embedder)
        except BaseException:
            await pools.aclose()
            raise
        app.state.services = Services(settings=settings, transcriber=stt, pool=pool,
                                      handle_utterance=core.router.handle, on_event=event_sink(core.bus),
                                      core=core, turns=_turns(core),
                                      answer_voice=build_answer_voice(settings.tts, executor=pools.tts),
                                      admission=Admission(pool, bound_s=settings.stt.admit_wait_s,
                                                          max_sessions=settings.stt.max_sessions),
                                      pools=pools)
        logger.info("service ready: model=%s workers=%d core=%s", settings.stt.model, settings.stt.workers,
                    describe(core))
        try:
            yield
        finally:
            pool.shutdown()
            if app.state.services.answer_voice is not None:
                app.state.services.answer_voice.shutdown()
            await core.close()
            await pools.aclose()  # waits for running calls, then joins every thread

    app = FastAPI(
        title="Patrol voice query assistant",
        version="1.0.0",
        description="Radio voice queries to registry checks, and analytics skills. Decision support only.",
        lifespan=lifespan,
    )

    @app.exception_handler(PatrolError)
    async def _patrol_error(_request: Request, exc: PatrolError) -> JSONResponse:
        metrics.count_error(exc.code)
        headers: dict[str, str] = {}
        if exc.http_status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if (retry := getattr(exc, "retry_after", None)) is not None:
            headers["Retry-After"] = str(max(1, round(retry)))
        return JSONResponse(exc.to_event(), status_code=exc.http_status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Field locations and messages only: pydantic's "input" echo may hold personal data.
        errors: list[dict[str, Any]] = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")),
             "type": str(e.get("type", ""))}
            for e in exc.errors()[:20]
        ]
        metrics.count_error("invalid_input")
        return JSONResponse({"type": "error", "code": "invalid_input",
                             "message": "the request does not match the schema", "errors": errors},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # FastAPI answers a body it cannot decode (not UTF-8, not JSON) with a bare 400; give
        # it the same error object and status as any other invalid input.
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            metrics.count_error("invalid_body")
            return JSONResponse({"type": "error", "code": "invalid_body",
                                 "message": "the body is not valid UTF-8 JSON"}, status_code=422)
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error")
        return JSONResponse({"type": "error", "code": code, "message": str(exc.detail)},
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error: %s", type(exc).__name__)
        metrics.count_error("internal")
        return JSONResponse({"type": "error", "code": "internal", "message": "internal error"},
                            status_code=500)

    from service import events, query_api, ws
    from service.console_api import install_console
    from service.limits import BodyLimitMiddleware
    from service.logging import AccessLogMiddleware
    from service.media_api import media_paths
    from service.routes import router as http_router
    from service.skills_api import install_skill_routes

    app.include_router(ws.router)
    app.include_router(http_router)
    app.include_router(query_api.router)
    app.include_router(events.router)
    install_skill_routes(app, hosted)
    install_console(app)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.auth.max_body_bytes,
                       max_upload_bytes=settings.auth.max_upload_bytes, upload_paths=media_paths(hosted))
    app.add_middleware(AccessLogMiddleware)
    return app

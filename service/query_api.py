"""HTTP routes of the query side: ``POST /v1/query``, ``GET /v1/audit``, ``GET /readyz``,
``GET /metrics``.

``POST /v1/query`` takes typed text down the same path as a radio transcript (router,
audit, live feed) and answers with the same ``result`` object as the websocket.
``/healthz`` (in :mod:`service.routes`) and ``/readyz`` are open so that load balancers and
Kubernetes probes need no secret; they reveal nothing but up/down. ``/metrics`` needs an
operator or admin token (Prometheus sends it with ``authorization.credentials_file``).
"""

from __future__ import annotations

import io
import wave
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from common.errors import PatrolError
from service import metrics
from service.audit import AuditRecord, entry_to_dict
from service.auth import Principal, Role, require
from service.context import Heard, QueryContext
from service.events import feed_message
from service.protocol import ResultEvent
from service.skills_api import ERROR_RESPONSES, ErrorBody

router = APIRouter()

QUERY_ROLES = (Role.PATROL, Role.GATEWAY, Role.OPERATOR, Role.SUPERVISOR)
AUDIT_ROLES = (Role.SUPERVISOR, Role.ADMIN)
METRICS_ROLES = (Role.OPERATOR, Role.ADMIN)
QueryPrincipal = Annotated[Principal, Depends(require(*QUERY_ROLES))]
AuditPrincipal = Annotated[Principal, Depends(require(*AUDIT_ROLES))]
MetricsPrincipal = Annotated[Principal, Depends(require(*METRICS_ROLES))]


class QueryRequest(BaseModel):
    """A typed query, e.g. ``run plate 7XYZ456`` or ``DASH risk for case 42``."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1000, pattern=r"\S")
    unit: str | None = Field(None, max_length=64, description="used when the token has no unit")
    channel: str | None = Field(None, max_length=64)


@router.post("/v1/query", response_model=ResultEvent, tags=["query"], responses={
    **ERROR_RESPONSES, 422: {"model": ErrorBody},
    200: {"content": {"audio/wav": {}}, "description": "the result, or with ?audio=wav its spoken answer"},
    503: {"model": ErrorBody, "description": "audit or registry down, or answer audio unavailable"},
})
async def query(body: QueryRequest, request: Request, principal: QueryPrincipal,
                audio: Annotated[Literal["wav"] | None, Query(description="wav: answer with the spoken "
                                                              "answer (16 kHz PCM16 WAV)")] = None) -> Any:
    """Route one typed query; answered with the wire ``result`` event, after it is audited."""
    services = request.app.state.services
    core = services.core
    ctx = QueryContext(session=f"http-{principal.token_id}", utterance=0, unit=principal.unit or body.unit,
                       channel=body.channel, officer=principal.officer, role=principal.role, source="http")
    events = await core.router.handle(ctx, Heard(text=body.text))
    for event in events:
        await core.bus.publish(feed_message(ctx, event))
    result: ResultEvent = events[-1]
    if audio == "wav":
        return await _spoken(request, result)
    return result


async def _spoken(request: Request, result: ResultEvent) -> Response:
    """The result's spoken answer (tone + readback) as a WAV file, 16 kHz PCM16 mono."""
    voice = request.app.state.services.answer_voice
    if voice is None:
        raise PatrolError("answer audio is not available on this service", code="answer_audio_unavailable",
                          http_status=503)
    answer = await voice.render(result.status, list(result.alerts), result.readback, encoding="pcm_s16le",
                                rate=16000, has_candidates=bool(result.candidates))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(answer.rate)
        w.writeframes(answer.audio)
    return Response(buf.getvalue(), media_type="audio/wav",
                    headers={"X-Result-Status": result.status, "X-Answer-Tone": answer.tone.value})


class AuditEntryOut(BaseModel):
    """One audit entry as stored, with its chain hashes."""

    seq: int
    at: str
    officer: str | None
    role: str | None
    unit: str | None
    channel: str | None
    session: str | None
    source: str
    action: str
    intent: str | None
    query_text: str | None
    slots: dict[str, Any]
    record_ids: list[str]
    status: str
    reason: str | None
    prev_hash: str
    hash: str
    content_hash: str | None = Field(None, description="H(kept columns, personal part); kept after redaction")
    redacted: bool = Field(False, description="the personal part was removed by retention")
    redacted_at: str | None = None
    redaction_policy: str | None = Field(None, description="e.g. audit_text_days=365")


class AuditPage(BaseModel):
    """Newest-first audit entries; pass ``next_before_seq`` as ``before_seq`` for the next page."""

    entries: list[AuditEntryOut]
    next_before_seq: int | None = None


@router.get("/v1/audit", response_model=AuditPage, tags=["audit"], responses={**ERROR_RESPONSES, 422: {}})
async def audit(
    request: Request,
    principal: AuditPrincipal,
    officer: Annotated[str | None, Query(max_length=64)] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    subject: Annotated[str | None, Query(max_length=128, description="plate, licence, name or id")] = None,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
    before_seq: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Search the audit log (supervisor). The search itself is audited."""
    core = request.app.state.services.core
    filters = {"officer": officer, "unit": unit, "subject": subject,
               "since": since.isoformat() if since else None, "until": until.isoformat() if until else None}
    await core.audit.write(AuditRecord(
        action="audit_read", status="ok", source="http", officer=principal.officer, role=principal.role,
        unit=principal.unit, slots={k: v for k, v in filters.items() if v is not None},
    ))
    rows = await core.pools.lookup.run(core.audit.search, officer=officer, unit=unit, subject=subject,
                                       since=since, until=until, before_seq=before_seq, limit=limit)
    entries = [AuditEntryOut(**entry_to_dict(r)) for r in rows]
    return AuditPage(entries=entries, next_before_seq=entries[-1].seq if len(entries) == limit else None)


class Readiness(BaseModel):
    """Readiness checks; the instance takes traffic only when all are true."""

    ready: bool
    checks: dict[str, bool]


@router.get("/readyz", response_model=Readiness, tags=["ops"], responses={503: {"model": Readiness}})
async def readyz(request: Request) -> Any:
    """Ready when the ASR model is loaded, the database answers and the registry engine is up."""
    services = getattr(request.app.state, "services", None)
    core = getattr(services, "core", None)
    checks = {"model": services is not None and services.transcriber is not None, "database": False,
              "registry": core is not None and core.lookup is not None}
    if core is not None:
        checks["database"] = await core.pools.lookup.run(core.database_ok)
        ping = getattr(core.bus, "ping", None)
        if ping is not None:
            checks["events"] = await ping()
    ready = all(checks.values())
    body = Readiness(ready=ready, checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/metrics", tags=["ops"], response_class=Response, responses={
    **ERROR_RESPONSES, 200: {"content": {"text/plain": {}}, "description": "Prometheus text format"},
})
async def prometheus(request: Request, principal: MetricsPrincipal) -> Response:
    """Prometheus metrics: stage latency histograms, sessions, queue depths, errors by code."""
    services = request.app.state.services
    metrics.set_sessions(len(services.open_sessions))
    metrics.set_queue_depth("stt", services.pool.depth)
    if services.admission is not None:
        services.admission.export()
    metrics.set_queue_depth("skills", services.core.runner.depth)
    if services.pools is not None:
        services.pools.export()  # each bounded executor's running / waiting / peak gauges
    return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)

"""The HQ operator console: ``GET /`` (the page), ``/console/*`` (its static files), and the
two small JSON routes the page needs besides the public API.

* ``GET /v1/whoami``: the caller's officer, role and unit, and which parts of the API the
  role may use, so the page offers only those (the server still checks every call).
* ``GET /v1/audit/verify``: walks the audit hash chain and reports whether it holds, with
  the time of the check (supervisor, admin). The check itself is audited.
* ``GET /v1/audit/export?subject=``: every audit entry that touched one subject (person or
  vehicle) as a signed disclosure bundle (:mod:`service.disclosure`; supervisor, admin).
  The export itself is audited first, naming the subject.

Over HTTPS the console routes also send Strict-Transport-Security.

Every console response carries a strict Content-Security-Policy: scripts and styles only
from this origin (no inline script, no third-party origin), websockets only back to this
host, no framing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from service.audit import AuditRecord
from service.auth import ALL_ROLES, Principal, require
from service.events import FEED_ROLES
from service.query_api import AUDIT_ROLES, METRICS_ROLES, QUERY_ROLES
from service.skills_api import ERROR_RESPONSES

STATIC_DIR = Path(__file__).resolve().parent / "console"
_HOST_OK = re.compile(r"^[A-Za-z0-9.\-:\[\]]{1,255}$")

router = APIRouter()
AnyPrincipal = Annotated[Principal, Depends(require(*ALL_ROLES))]
AuditPrincipal = Annotated[Principal, Depends(require(*AUDIT_ROLES))]


def security_headers(host: str | None, *, hsts_max_age_s: int = 0) -> dict[str, str]:
    """The console's CSP and companions; websockets may go back to ``host`` only.
    ``hsts_max_age_s`` > 0 (requests over HTTPS) adds Strict-Transport-Security."""
    connect = "'self'"
    if host and _HOST_OK.match(host):
        # 'self' covers ws:/wss: to the same host in CSP level 3; older engines need it spelled out.
        connect += f" ws://{host} wss://{host}"
    csp = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           f"connect-src {connect}; media-src 'none'; object-src 'none'; base-uri 'none'; "
           "form-action 'self'; frame-ancestors 'none'")
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-cache",
    }
    if hsts_max_age_s > 0:
        headers["Strict-Transport-Security"] = f"max-age={hsts_max_age_s}; includeSubDomains"
    return headers


def _hsts(scope: Scope) -> int:
    """The HSTS max-age for this request: the setting over HTTPS, else 0 (browsers ignore
    HSTS over plain HTTP)."""
    if scope.get("scheme") not in ("https", "wss"):
        return 0
    app = scope.get("app")
    services = getattr(getattr(app, "state", None), "services", None)
    settings = getattr(services, "settings", None)
    return int(settings.tls.hsts_max_age_s) if settings is not None else 0


class ConsoleFiles(StaticFiles):
    """Static files with the console's security headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file at ``path`` with the CSP headers added."""
        response = await super().get_response(path, scope)
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        response.headers.update(security_headers(host, hsts_max_age_s=_hsts(scope)))
        return response


class Abilities(BaseModel):
    """What the caller's role may use; the page offers nothing else."""

    feed: bool = Field(description="WS /v1/events")
    query: bool = Field(description="POST /v1/query")
    audit: bool = Field(description="GET /v1/audit and /v1/audit/verify")
    metrics: bool = Field(description="GET /metrics")
    skills: list[str] = Field(description="skills this role may call")


class WhoAmI(BaseModel):
    """The principal behind the bearer token."""

    officer: str
    role: str
    unit: str | None
    may: Abilities


class ChainStatus(BaseModel):
    """Outcome of one walk over the audit hash chain."""

    ok: bool
    entries: int
    head: str | None
    problems: list[str] = Field(description="the first problems found, by sequence number, never content")
    verified_at: str


@router.get("/v1/whoami", response_model=WhoAmI, tags=["console"], responses=ERROR_RESPONSES)
async def whoami(request: Request, principal: AnyPrincipal) -> WhoAmI:
    """The caller's officer, role and unit, and what that role may use."""
    skills = request.app.state.services.core.skills
    role = principal.role
    return WhoAmI(officer=principal.officer, role=role, unit=principal.unit, may=Abilities(
        feed=role in FEED_ROLES, query=role in QUERY_ROLES, audit=role in AUDIT_ROLES,
        metrics=role in METRICS_ROLES,
        skills=sorted(name for name, s in skills.items() if role in s.roles)))


@router.get("/v1/audit/verify", response_model=ChainStatus, tags=["audit"], responses=ERROR_RESPONSES)
async def verify_chain(request: Request, principal: AuditPrincipal) -> ChainStatus:
    """Verify the whole audit hash chain now (supervisor). The check is audited first."""
    core = request.app.state.services.core
    await core.audit.write(AuditRecord(action="audit_verify", status="ok", source="http",
                                       officer=principal.officer, role=principal.role, unit=principal.unit))
    report = await core.pools.lookup.run(core.audit.verify)
    return ChainStatus(ok=report.ok, entries=report.entries, head=report.head, problems=report.problems[:20],
                       verified_at=datetime.now(UTC).isoformat(timespec="seconds"))


@router.get("/v1/audit/export", tags=["audit"], responses=ERROR_RESPONSES)
async def export_subject(
    request: Request, principal: AuditPrincipal,
    subject: Annotated[str, Query(min_length=1, max_length=128, description="plate, licence, name or id")],
) -> dict[str, Any]:
    """Every audit entry that touched ``subject``, as an Ed25519-signed disclosure bundle
    (supervisor). The export is audited first."""
    from service.disclosure import DEFAULT_KEY_NAME, build_bundle, load_or_create_key

    services = request.app.state.services
    core, settings = services.core, services.settings
    await core.audit.write(AuditRecord(action="disclosure_export", status="ok", source="http",
                                       officer=principal.officer, role=principal.role, unit=principal.unit,
                                       slots={"disclosed_subject": subject.strip().upper()}))
    path = settings.disclosure.signing_key_file or Path(settings.data_dir) / DEFAULT_KEY_NAME
    key = await core.pools.lookup.run(load_or_create_key, Path(path))
    by = {"officer": principal.officer, "role": principal.role, "unit": principal.unit}
    bundle: dict[str, Any] = await core.pools.lookup.run(build_bundle, core.audit, subject, key=key,
                                                         exported_by=by)
    return bundle


def install_console(app: FastAPI) -> None:
    """Add ``GET /``, the static files under ``/console`` and the console's JSON routes."""
    app.include_router(router)

    @app.get("/", include_in_schema=False)
    async def console_page(request: Request) -> FileResponse:
        """The operator console page."""
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html",
                            headers=security_headers(request.headers.get("host"),
                                                     hsts_max_age_s=_hsts(request.scope)))

    app.mount("/console", ConsoleFiles(directory=STATIC_DIR), name="console")

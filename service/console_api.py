"""The HQ operator console: ``GET /`` (the page), ``/console/*`` (its static files), and the
two small JSON routes the page needs besides the public API.

* ``GET /v1/whoami``: the caller's officer, role and unit, and which parts of the API the
  role may use, so the page offers only those (the server still checks every call).
* ``GET /v1/audit/verify``: walks the audit hash chain and reports whether it holds, with
  the time of the check (supervisor, admin). The check itself is audited.

Every console response carries a strict Content-Security-Policy: scripts and styles only
from this origin (no inline script, no third-party origin), websockets only back to this
host, no framing.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
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


def security_headers(host: str | None) -> dict[str, str]:
    """The console's CSP and companions; websockets may go back to ``host`` only."""
    connect = "'self'"
    if host and _HOST_OK.match(host):
        # 'self' covers ws:/wss: to the same host in CSP level 3; older engines need it spelled out.
        connect += f" ws://{host} wss://{host}"
    csp = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           f"connect-src {connect}; media-src 'none'; object-src 'none'; base-uri 'none'; "
           "form-action 'self'; frame-ancestors 'none'")
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-cache",
    }


class ConsoleFiles(StaticFiles):
    """Static files with the console's security headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file at ``path`` with the CSP headers added."""
        response = await super().get_response(path, scope)
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        response.headers.update(security_headers(host))
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
    report = await asyncio.to_thread(core.audit.verify)
    return ChainStatus(ok=report.ok, entries=report.entries, head=report.head, problems=report.problems[:20],
                       verified_at=datetime.now(UTC).isoformat(timespec="seconds"))


def install_console(app: FastAPI) -> None:
    """Add ``GET /``, the static files under ``/console`` and the console's JSON routes."""
    app.include_router(router)

    @app.get("/", include_in_schema=False)
    async def console_page(request: Request) -> FileResponse:
        """The operator console page."""
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html",
                            headers=security_headers(request.headers.get("host")))

    app.mount("/console", ConsoleFiles(directory=STATIC_DIR), name="console")

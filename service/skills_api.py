"""``GET /v1/skills`` and ``POST /v1/skills/{name}``.

One POST route is generated per skill at app creation, typed with the skill's own input
and output models, so the OpenAPI document carries every skill's schemas and FastAPI
validates the body (422 on unknown fields, wrong types). The catch-all
``POST /v1/skills/{name}`` answers unknown names with 404 after authentication.
Every call is audited before its answer is returned; if the audit write fails the caller
gets 503 and no output.
"""

# No ``from __future__ import annotations`` here: FastAPI must see the real model classes
# in the signatures of the generated endpoints.

import hashlib
import logging
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, Field

from analytics.base import Skill
from analytics.media import items_of, media_fields
from common.errors import PatrolError
from service.audit import AuditRecord
from service.auth import ALL_ROLES, Principal, require
from service.media_api import is_media_skill, openapi_request_body, read_media_payload
from service.router import jsonable

logger = logging.getLogger(__name__)
router = APIRouter(tags=["skills"])
AnyPrincipal = Annotated[Principal, Depends(require(*ALL_ROLES))]


class SkillInfo(BaseModel):
    """One skill as listed by ``GET /v1/skills``."""

    name: str
    description: str
    examples: list[str]
    roles: list[str]
    timeout_s: float
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]


class SkillList(BaseModel):
    """Every skill this instance hosts."""

    skills: list[SkillInfo] = Field(default_factory=list)


class ErrorBody(BaseModel):
    """The error object every failing route returns."""

    type: str = "error"
    code: str
    message: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing or invalid token"},
    403: {"model": ErrorBody, "description": "the token's role may not call this"},
    413: {"model": ErrorBody, "description": "request body too large"},
    429: {"model": ErrorBody, "description": "rate limit for this token exceeded"},
}


@router.get("/v1/skills", response_model=SkillList, responses=ERROR_RESPONSES)
async def list_skills(request: Request, principal: AnyPrincipal) -> SkillList:
    """List the hosted skills with their JSON schemas and the roles that may call them."""
    skills: Mapping[str, Skill] = request.app.state.services.core.skills
    return SkillList(skills=[
        SkillInfo(name=s.name, description=s.description, examples=list(s.examples), roles=sorted(s.roles),
                  timeout_s=float(s.timeout_s), input_schema=s.input_model.model_json_schema(),
                  output_schema=s.output_model.model_json_schema())
        for s in skills.values()
    ])


async def run_skill_call(request: Request, principal: Principal, skill: Skill,
                         payload: BaseModel, media: list[dict[str, Any]] | None = None) -> BaseModel:
    """Run one validated skill call, auditing it before the output is returned.

    ``media`` describes the call's images or video (field, type, size); their bytes are
    left out of ``input_sha256``, and their own digests are audited unless the skill sets
    ``private_media`` (a face probe's digest would still identify the probe).
    """
    core = request.app.state.services.core
    media_names = {f.name for f in media_fields(type(payload))}
    raw = payload.model_dump_json(exclude=media_names).encode("utf-8")
    slots: dict[str, Any] = {"skill": skill.name, "input_sha256": hashlib.sha256(raw).hexdigest(),
                             "input_bytes": len(raw)}
    if media_names:
        described = [dict(m) for m in media or []]
        if not getattr(skill, "private_media", False):
            for entry, (_field, item) in zip(described, items_of(payload), strict=False):
                entry["sha256"] = hashlib.sha256(item.data).hexdigest()
        slots["media"] = described
    for name in getattr(skill, "audit_fields", ()):
        value = getattr(payload, name, None)
        if isinstance(value, str | int | float | bool):
            slots[name] = value
    case_ref = getattr(payload, "case_ref", None)
    if isinstance(case_ref, str):
        slots["case_ref"] = case_ref
    record: dict[str, Any] = dict(action="skill", source="http", officer=principal.officer,
                                  role=principal.role, unit=principal.unit, intent="skill",
                                  query_text=f"POST /v1/skills/{skill.name}", slots=slots)
    try:
        output = await core.runner.run(skill, payload)
    except PatrolError as err:
        await core.audit.write(AuditRecord(status="error", reason=err.code, **record))
        raise
    data = jsonable(output)
    reason = next((str(data[k]) for k in ("grade", "label") if isinstance(data, dict) and k in data), None)
    await core.audit.write(AuditRecord(status="ok", reason=reason,
                                       record_ids=[str(r) for r in data.get("record_ids", [])], **record))
    return output


def _allowed(skill: Skill) -> Any:
    roles = set(skill.roles) & ALL_ROLES
    if roles != set(skill.roles):
        logger.warning("skill %s names unknown roles %s; they are ignored", skill.name,
                       sorted(set(skill.roles) - ALL_ROLES))
    return Annotated[Principal, Depends(require(*(roles or {"admin"})))]


def _media_endpoint_for(skill: Skill) -> Any:
    allowed = _allowed(skill)

    async def call_media_skill(request: Request, principal: allowed) -> Any:  # type: ignore[valid-type]
        limits = request.app.state.services.core.media_limits
        payload, media = await read_media_payload(request, skill, limits)
        return await run_skill_call(request, principal, skill, payload, media)

    call_media_skill.__name__ = f"skill_{skill.name}"
    call_media_skill.__doc__ = skill.description
    return call_media_skill


def _endpoint_for(skill: Skill) -> Any:
    input_model = skill.input_model
    allowed = _allowed(skill)

    async def call_skill(payload: input_model, request: Request,  # type: ignore[valid-type]
                         principal: allowed) -> Any:  # type: ignore[valid-type]
        return await run_skill_call(request, principal, skill, payload)

    call_skill.__name__ = f"skill_{skill.name}"
    call_skill.__doc__ = skill.description
    return call_skill


def install_skill_routes(app: FastAPI, skills: Mapping[str, Skill]) -> None:
    """Add the listing route, one typed POST route per skill, and the 404 catch-all."""
    app.include_router(router)
    for skill in skills.values():
        media = is_media_skill(skill)
        responses: dict[int | str, dict[str, Any]] = {
            **ERROR_RESPONSES,
            422: {"model": ErrorBody, "description": "invalid input for this skill"},
            503: {"model": ErrorBody, "description": "busy, or the audit log is unavailable"},
            504: {"model": ErrorBody, "description": "the skill ran past its timeout"},
        }
        if media:
            responses[413] = {"model": ErrorBody, "description": "body, media item or image too large"}
            responses[415] = {"model": ErrorBody, "description": "media of a type this skill does not take"}
        app.add_api_route(
            f"/v1/skills/{skill.name}", _media_endpoint_for(skill) if media else _endpoint_for(skill),
            methods=["POST"], tags=["skills"], response_model=skill.output_model,
            summary=f"Run {skill.name}", responses=responses,
            openapi_extra=openapi_request_body(skill) if media else None,
        )

    async def unknown_skill(name: str, principal: AnyPrincipal) -> ErrorBody:
        """Any other skill name: 404."""
        raise PatrolError("no skill with that name", code="unknown_skill", http_status=404)

    app.add_api_route("/v1/skills/{name}", unknown_skill, methods=["POST"], tags=["skills"],
                      response_model=ErrorBody, status_code=404, summary="Unknown skill",
                      responses={**ERROR_RESPONSES,
                                 404: {"model": ErrorBody, "description": "no such skill"}})

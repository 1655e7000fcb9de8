"""Reading skill calls that carry images or video: multipart or base64 JSON, in memory.

A skill whose input model has :class:`analytics.media.ImageMedia` / ``VideoMedia`` fields
is called with either body:

- ``application/json``: the input model as JSON, each media field an object
  ``{"data": "<base64>", "media_type": "image/jpeg"}``;
- ``multipart/form-data``: one file part per media item, named after its field (repeat
  the part for a list field), and the other fields as a ``payload`` part holding a JSON
  object (or as one text part per field, JSON-decoded when it parses).

The body limit for these routes is ``auth.max_upload_bytes`` (413 beyond it, before the
body is read whole); each item is then checked against ``media`` limits (size, type
sniffed from the bytes, pixel count) with a clear code before the skill runs. The body
is parsed in memory: unlike Starlette's form parser, nothing is spooled to a temporary
file, so a face probe that matches nothing leaves no file behind.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from analytics.base import Skill
from analytics.media import MediaField, MediaKind, MediaLimits, check, media_fields
from service.errors import ProtocolError

logger = logging.getLogger(__name__)

PAYLOAD_PART = "payload"


def is_media_skill(skill: Skill) -> bool:
    """True when the skill's input takes images or video."""
    return bool(media_fields(skill.input_model))


def media_paths(skills: dict[str, Skill] | Any) -> frozenset[str]:
    """The POST paths whose bodies get the upload limit rather than the JSON one."""
    return frozenset(f"/v1/skills/{s.name}" for s in skills.values() if is_media_skill(s))


class _Part:
    __slots__ = ("headers", "chunks", "_field", "_value")

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []
        self._field = b""
        self._value = b""


def parse_multipart(body: bytes, content_type: str) -> list[tuple[str, str | None, str | None, bytes]]:
    """Split a multipart body into ``(name, filename, content_type, data)`` parts, in memory."""
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ProtocolError("multipart body without a boundary", code="invalid_body", http_status=422)
    parts: list[_Part] = []

    def on_part_begin() -> None:
        parts.append(_Part())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        parts[-1]._field += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        parts[-1]._value += data[start:end]

    def on_header_end() -> None:
        part = parts[-1]
        part.headers[part._field.decode("latin-1").lower()] = part._value.decode("latin-1")
        part._field = part._value = b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1].chunks.append(bytes(data[start:end]))

    parser = MultipartParser(boundary, callbacks={
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end, "on_part_data": on_part_data,
    })
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError as err:
        raise ProtocolError("the multipart body is malformed", code="invalid_body", http_status=422) from err
    out: list[tuple[str, str | None, str | None, bytes]] = []
    for part in parts:
        disposition = part.headers.get("content-disposition", "")
        _, options = parse_options_header(disposition)
        name = options.get(b"name")
        if name is None:
            raise ProtocolError("a multipart part has no name", code="invalid_body", http_status=422)
        filename = options.get(b"filename")
        out.append((name.decode("utf-8", "replace"), None if filename is None else filename.decode("utf-8",
                    "replace"), part.headers.get("content-type"), b"".join(part.chunks)))
    return out


def _from_multipart(body: bytes, content_type: str, fields: list[MediaField]) -> dict[str, Any]:
    by_name = {f.name: f for f in fields}
    data: dict[str, Any] = {}
    for name, filename, ctype, value in parse_multipart(body, content_type):
        if name in by_name:
            item = {"data": value, "media_type": ctype, "filename": filename}
            if by_name[name].many:
                data.setdefault(name, []).append(item)
            elif name in data:
                raise ProtocolError(f"field {name!r} takes one file, got several", code="invalid_input",
                                    http_status=422)
            else:
                data[name] = item
        elif name == PAYLOAD_PART:
            obj = _json_object(value, what="the 'payload' part")
            for key, val in obj.items():
                data.setdefault(key, val)
        elif filename is not None:
            raise ProtocolError(f"file part {name[:40]!r} is not a media field of this skill "
                                f"({', '.join(sorted(by_name))})", code="invalid_input", http_status=422)
        else:
            text = _utf8(value, what=f"part {name[:40]!r}")
            try:
                data[name] = json.loads(text)
            except ValueError:
                data[name] = text
    return data


def _utf8(value: bytes, *, what: str) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(f"{what} is not UTF-8 text", code="invalid_body", http_status=422) from err


def _json_object(value: bytes, *, what: str) -> dict[str, Any]:
    try:
        obj = json.loads(_utf8(value, what=what))
    except ValueError as err:
        raise ProtocolError(f"{what} is not valid JSON", code="invalid_body", http_status=422) from err
    if not isinstance(obj, dict):
        raise ProtocolError(f"{what} must be a JSON object", code="invalid_body", http_status=422)
    return obj


async def read_media_payload(request: Request, skill: Skill,
                             limits: MediaLimits) -> tuple[BaseModel, list[dict[str, Any]]]:
    """The validated input of a media skill and a type-and-size description of its media.

    Raises 415 for a body that is neither JSON nor multipart, 422 for one that does not
    parse or match the schema, and the media checks' own codes.
    """
    fields = media_fields(skill.input_model)
    content_type = request.headers.get("content-type", "")
    base = content_type.split(";")[0].strip().lower()
    body = await request.body()
    if base == "multipart/form-data":
        data = _from_multipart(body, content_type, fields)
    elif base in ("application/json", "") or base.endswith("+json"):
        data = _json_object(body, what="the body")
    else:
        raise ProtocolError(f"send application/json or multipart/form-data, not {base[:60]}",
                            code="unsupported_media_type", http_status=415)
    try:
        payload = skill.input_model.model_validate(data)
    except ValidationError as err:
        raise RequestValidationError(err.errors(include_input=False)) from None
    return payload, check(payload, limits)


def openapi_request_body(skill: Skill) -> dict[str, Any]:
    """``openapi_extra`` for a media skill's route: the JSON schema and the multipart form."""
    fields = media_fields(skill.input_model)
    schema = _inline(skill.input_model.model_json_schema())
    file_props: dict[str, Any] = {}
    for f in fields:
        one = {"type": "string", "format": "binary",
               "description": f"{'video' if f.kind is MediaKind.VIDEO else 'image'} file"}
        file_props[f.name] = {"type": "array", "items": one} if f.many else one
    form = {"type": "object", "properties": {
        **file_props,
        PAYLOAD_PART: {"type": "string", "description": "the other input fields as a JSON object"},
    }}
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": schema},
        "multipart/form-data": {"schema": form},
    }}}


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its local ``$defs`` references expanded (the input models are not recursive)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(defs[ref.rsplit("/", 1)[1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result

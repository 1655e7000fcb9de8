"""JSON Schema of wire protocol v1 (``WS /v1/radio`` text frames), generated from
:mod:`service.protocol`'s pydantic models.

``python -m service.protocol_schema > docs/protocol.schema.json`` writes the committed copy;
``tests/service/test_protocol_schema.py`` fails when the models and that copy disagree.
Binary frames (raw audio in the declared encoding) carry no JSON and are not described.
"""

from __future__ import annotations

import json
import sys
import typing
from typing import Any

from pydantic import BaseModel, TypeAdapter

from service.protocol import ClientMessage, ServerEvent

SCHEMA_ID = "https://patrol.invalid/protocol/v1/radio.schema.json"
_REF = "#/$defs/{model}"


def _part(adapter: TypeAdapter[Any], mode: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """One union's schema without its ``$defs``, and those ``$defs``."""
    schema = adapter.json_schema(ref_template=_REF, mode=mode)  # type: ignore[arg-type]
    defs = schema.pop("$defs", {})
    return schema, defs


def _always_sent(model: type[BaseModel]) -> list[str]:
    """Fields present in every frame :func:`service.protocol.dump` writes (it drops only ``None``)."""
    return [name for name, field in model.model_fields.items()
            if field.is_required() or field.default_factory is not None or field.default is not None]


def build_schema() -> dict[str, Any]:
    """The whole document: ``ClientMessage`` (as parsed) and ``ServerEvent`` (as sent)."""
    client, client_defs = _part(TypeAdapter(ClientMessage), "validation")
    server, server_defs = _part(TypeAdapter(ServerEvent), "serialization")
    clash = {k for k in client_defs.keys() & server_defs.keys() if client_defs[k] != server_defs[k]}
    if clash:
        raise ValueError(f"client and server definitions disagree on {sorted(clash)}")
    for model in typing.get_args(ServerEvent):
        server_defs[model.__name__]["required"] = _always_sent(model)
    defs = {**client_defs, **server_defs}
    defs["ClientMessage"] = {"description": "A text frame from the client (gateway or handheld).", **client}
    defs["ServerEvent"] = {"description": "A text frame from the service; every event carries "
                                          "'utterance', a counter per session.", **server}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Patrol wire protocol v1: WS /v1/radio text frames",
        "description": "Generated from service/protocol.py by `python -m service.protocol_schema`; "
                       "the prose contract is docs/protocol.md.",
        "oneOf": [{"$ref": "#/$defs/ClientMessage"}, {"$ref": "#/$defs/ServerEvent"}],
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    """The schema as committed: two-space indented JSON with a trailing newline."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Write the schema to standard output."""
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The committed JSON Schema of wire protocol v1 (docs/protocol.schema.json) and the pydantic
models of service/protocol.py agree: same document, and the same frames accepted and refused."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from service.errors import ProtocolError
from service.protocol import (
    ErrorEvent,
    EventType,
    IntentEvent,
    IntentName,
    PartialEvent,
    ReadyEvent,
    ResultEvent,
    ServerEvent,
    SpeechEvent,
    TranscriptEvent,
    dump,
    parse_client_message,
)
from service.protocol_schema import render

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "protocol.schema.json"
SCHEMA: dict[str, Any] = json.loads(COMMITTED.read_text(encoding="utf-8"))
VALIDATOR = jsonschema_rs.validator_for(SCHEMA)


def _refs(name: str) -> list[dict[str, Any]]:
    union = SCHEMA["$defs"][name]
    return [SCHEMA["$defs"][r["$ref"].rsplit("/", 1)[1]] for r in union.get("oneOf", union.get("anyOf", []))]


def test_the_committed_schema_is_what_the_models_generate() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(), (
        "docs/protocol.schema.json is stale: "
        "run `python -m service.protocol_schema > docs/protocol.schema.json`")


def test_every_event_type_is_in_the_schema() -> None:
    consts = {d["properties"]["type"]["const"] for d in _refs("ServerEvent")}
    assert consts == {str(t) for t in EventType}
    assert len(typing.get_args(ServerEvent)) == len(EventType)
    client = {d["properties"]["type"]["const"] for d in _refs("ClientMessage")}
    assert client == {"start", "ptt", "query", "stop"}


GOOD_CLIENT = [
    {"type": "start", "rate": 8000, "encoding": "mulaw", "unit": "PC-12", "channel": "north-1"},
    {"type": "start", "rate": 16000},
    {"type": "ptt", "pressed": True},
    {"type": "query", "text": "run plate 7XYZ456"},
    {"type": "stop"},
]
BAD_CLIENT = [
    {"type": "start"},
    {"type": "start", "rate": "fast"},
    {"type": "start", "rate": 8000, "unit": "U" * 65},
    {"type": "ptt"},
    {"type": "ptt", "pressed": "maybe"},
    {"type": "query"},
    {"type": "query", "text": 42},
]


@pytest.mark.parametrize("frame", GOOD_CLIENT, ids=lambda f: json.dumps(f))
def test_frames_the_service_accepts_are_valid(frame: dict[str, Any]) -> None:
    parse_client_message(json.dumps(frame))
    assert VALIDATOR.is_valid(frame)


@pytest.mark.parametrize("frame", BAD_CLIENT, ids=lambda f: json.dumps(f))
def test_frames_the_service_refuses_are_invalid(frame: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError) as err:
        parse_client_message(json.dumps(frame))
    assert err.value.code == "bad_message"
    assert not VALIDATOR.is_valid(frame)


EVENTS = [
    ReadyEvent(session="s-1"),
    SpeechEvent(state="start", utterance=1),
    PartialEvent(utterance=1, text="run plate"),
    TranscriptEvent(utterance=1, text="run plate 7XYZ456", confidence=0.9),
    IntentEvent(utterance=1, name=IntentName.PLATE, slots={"plate": "7XYZ456"}, confidence=0.8),
    ResultEvent(utterance=1, status="hit", alerts=[{"kind": "stolen"}],
                candidates=[{"score": 0.97, "record": {"plate": "7XYZ456"}}], readback="Seven X-ray ..."),
    ErrorEvent(code="bad_json", message="text frames must be JSON objects"),
    ErrorEvent(code="internal", message="something went wrong", utterance=3),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_events_as_sent_are_valid(event: ServerEvent) -> None:
    frame = json.loads(dump(event))
    assert VALIDATOR.is_valid(frame), list(VALIDATOR.iter_errors(frame))
    optional = {"utterance"} if isinstance(event, ErrorEvent) else set()  # the only field dump may drop
    for key in set(frame) - optional:
        assert not VALIDATOR.is_valid({k: v for k, v in frame.items() if k != key}), key


def test_event_values_outside_the_contract_are_invalid() -> None:
    intent = json.loads(dump(EVENTS[4]))
    assert not VALIDATOR.is_valid({**intent, "name": "launch_missiles"})
    assert not VALIDATOR.is_valid({**intent, "confidence": 1.5})
    result = json.loads(dump(EVENTS[5]))
    assert not VALIDATOR.is_valid({**result, "status": "maybe"})

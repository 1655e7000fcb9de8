"""Wire protocol v1 of ``WS /v1/radio``: every message type, in one module.

Client messages are parsed with :func:`parse_client_message`; server events are pydantic
models serialised with :func:`dump`. Field names here are the contract with radio
gateways and handheld apps, so they follow ../shared/DESIGN.md exactly.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, TypeAdapter, ValidationError

from common.intents import IntentName  # the wire's intent names; re-exported here
from service.errors import ProtocolError


class EventType(StrEnum):
    """Kinds of server-to-client events."""

    READY = "ready"
    SPEECH = "speech"
    PARTIAL = "partial"
    TRANSCRIPT = "transcript"
    INTENT = "intent"
    RESULT = "result"
    ERROR = "error"
    ANSWER_AUDIO = "answer_audio"
    ANSWER_AUDIO_END = "answer_audio_end"


Encoding = Literal["pcm_s16le", "mulaw", "alaw"]


class _Client(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StartMessage(_Client):
    """Opens the audio stream and declares its format."""

    type: Literal["start"]
    rate: int
    encoding: str = "pcm_s16le"
    unit: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=64)
    # The answer spoken back (tone + readback) after each result; its format defaults to the session's.
    answer_audio: StrictBool = False
    answer_rate: int | None = None
    answer_encoding: str | None = None


class PttMessage(_Client):
    """Push-to-talk key event; key-up ends the utterance at once."""

    type: Literal["ptt"]
    pressed: bool


class QueryMessage(_Client):
    """A typed query, handled like a transcript from the parser on."""

    type: Literal["query"]
    text: str


class StopMessage(_Client):
    """Finish pending work, send remaining events, then close normally."""

    type: Literal["stop"]


ClientMessage = Annotated[
    StartMessage | PttMessage | QueryMessage | StopMessage, Field(discriminator="type")
]
_client_adapter: TypeAdapter[Any] = TypeAdapter(ClientMessage)
_KNOWN_TYPES = {"start", "ptt", "query", "stop"}


def parse_client_message(text: str) -> StartMessage | PttMessage | QueryMessage | StopMessage:
    """Parse one text frame, raising :class:`ProtocolError` with a specific code."""
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise ProtocolError("text frames must be JSON objects", code="bad_json") from err
    if not isinstance(raw, dict):
        raise ProtocolError("text frames must be JSON objects", code="bad_json")
    kind = raw.get("type")
    if kind not in _KNOWN_TYPES:
        raise ProtocolError("unknown message type; expected start, ptt, query or stop", code="unknown_type")
    try:
        msg: StartMessage | PttMessage | QueryMessage | StopMessage = _client_adapter.validate_python(raw)
    except ValidationError as err:
        fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) or str(kind) for e in err.errors())
        raise ProtocolError(f"invalid '{kind}' message: check {fields}", code="bad_message") from err
    return msg


class _Event(BaseModel):
    model_config = ConfigDict(use_enum_values=True)


class ReadyEvent(_Event):
    """Sent once after a valid ``start``."""

    type: Literal[EventType.READY] = EventType.READY
    session: str
    utterance: int = 0


class SpeechEvent(_Event):
    """Utterance boundaries from the endpointer."""

    type: Literal[EventType.SPEECH] = EventType.SPEECH
    state: Literal["start", "end"]
    utterance: int


class PartialEvent(_Event):
    """An interim transcript during a long utterance."""

    type: Literal[EventType.PARTIAL] = EventType.PARTIAL
    utterance: int
    text: str


class TranscriptEvent(_Event):
    """The final transcript of one utterance."""

    type: Literal[EventType.TRANSCRIPT] = EventType.TRANSCRIPT
    utterance: int
    text: str
    confidence: float = Field(ge=0.0, le=1.0)


class IntentEvent(_Event):
    """What the router understood."""

    type: Literal[EventType.INTENT] = EventType.INTENT
    utterance: int
    name: IntentName
    slots: dict[str, Any] = Field(default_factory=dict)
    confidence: float = Field(ge=0.0, le=1.0)


class ResultEvent(_Event):
    """The answer to a check: alerts first, then ranked candidates and a readback."""

    type: Literal[EventType.RESULT] = EventType.RESULT
    utterance: int
    status: Literal["hit", "clear", "no_match", "clarify"]
    alerts: list[dict[str, Any]] = Field(default_factory=list)
    candidates: list[dict[str, Any]] = Field(default_factory=list)
    readback: str = ""


class ErrorEvent(_Event):
    """A problem with the client's input or with the service."""

    type: Literal[EventType.ERROR] = EventType.ERROR
    code: str
    message: str
    utterance: int | None = None


class AnswerAudioEvent(_Event):
    """The spoken answer to ``utterance`` follows as binary frames: ``bytes`` in all, tone first."""

    type: Literal[EventType.ANSWER_AUDIO] = EventType.ANSWER_AUDIO
    utterance: int
    rate: int
    encoding: Encoding
    bytes: int
    duration_ms: int
    tone: str
    tone_ms: int


class AnswerAudioEndEvent(_Event):
    """The spoken answer is over: ``bytes`` were sent; ``interrupted`` when barge-in stopped it."""

    type: Literal[EventType.ANSWER_AUDIO_END] = EventType.ANSWER_AUDIO_END
    utterance: int
    bytes: int
    interrupted: bool = False


ServerEvent = (
    ReadyEvent | SpeechEvent | PartialEvent | TranscriptEvent | IntentEvent | ResultEvent | ErrorEvent
    | AnswerAudioEvent | AnswerAudioEndEvent
)


def dump(event: ServerEvent) -> str:
    """Serialise an event to its JSON text frame (``None`` fields dropped)."""
    return event.model_dump_json(exclude_none=True)

"""``WS /v1/radio``: wire protocol v1 in and out, nothing else.

This module parses client messages, hands them to the connection's
:class:`~voice.session.VoiceSession`, and serialises the session's events. Bad input
gets an ``error`` event with a specific code and never closes a healthy session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from common.errors import OverloadedError, PatrolError
from service import answers
from service.app import Services
from service.auth import Role, authenticate_websocket
from service.context import Heard, QueryContext
from service.errors import ProtocolError
from service.protocol import (
    ErrorEvent,
    PartialEvent,
    PttMessage,
    QueryMessage,
    ReadyEvent,
    ServerEvent,
    SpeechEvent,
    StartMessage,
    StopMessage,
    TranscriptEvent,
    dump,
    parse_client_message,
)
from service.revocation import watch_socket
from voice.answer_audio import AnswerChannel
from voice.denoise import make_denoiser
from voice.errors import AudioError
from voice.session import (
    Failure,
    FinalText,
    PartialText,
    Rereader,
    SessionOptions,
    SpeechBoundary,
    VoiceEvent,
    VoiceSession,
)
from voice.stt import Transcript

logger = logging.getLogger(__name__)
router = APIRouter()

MAX_TEXT_FRAME = 64 * 1024
RADIO_ROLES = (Role.PATROL, Role.GATEWAY, Role.OPERATOR, Role.SUPERVISOR)


class RadioConnection:
    """One client connection: reads frames, drives the session, writes events."""

    def __init__(self, websocket: WebSocket, services: Services) -> None:
        self.ws = websocket
        self.services = services
        self.id = uuid.uuid4().hex[:12]
        self.unit: str | None = None
        self.channel: str | None = None
        self._send_lock = asyncio.Lock()
        self._typed: set[int] = set()  # utterance numbers that were typed queries
        self._closed = False
        self.answers: AnswerChannel | None = None  # with "answer_audio": the answers spoken back
        audio = services.settings.audio
        self.session = VoiceSession(
            self.id,
            transcriber=services.transcriber,
            pool=services.pool.lane(self.id),  # round-robin with the other sessions
            emit=self._on_voice_event,
            on_final=self._on_final,
            denoiser=make_denoiser(audio.denoise, audio.denoise_snr_db),
            options=SessionOptions.from_settings(audio),
            turns=services.turns,
        )

    def context(self, utterance: int, *, typed: bool | None = None) -> QueryContext:
        """The query context of an utterance of this connection."""
        state = self.ws.state
        return QueryContext(
            session=self.id, utterance=utterance, unit=self.unit or getattr(state, "unit", None),
            channel=self.channel, officer=getattr(state, "officer", None), role=getattr(state, "role", None),
            source="typed" if (utterance in self._typed if typed is None else typed) else "voice",
        )

    async def send(self, event: ServerEvent, utterance: int = 0) -> None:
        """Send one event to this client and to the event sink (audit, live feed)."""
        await self.services.on_event(self.context(utterance), event)
        if self._closed:
            return
        async with self._send_lock:
            try:
                await self.ws.send_text(dump(event))
            except (WebSocketDisconnect, RuntimeError):
                self._closed = True

    async def send_bytes(self, data: bytes) -> None:
        """Send one binary frame (answer audio) to this client."""
        if self._closed:
            return
        async with self._send_lock:
            try:
                await self.ws.send_bytes(data)
            except (WebSocketDisconnect, RuntimeError):
                self._closed = True

    async def close_by_server(self, code: int, reason: str) -> None:
        """Close from outside the receive loop (token revoked): nothing more is sent."""
        async with self._send_lock:
            self._closed = True
            if self.ws.application_state == WebSocketState.CONNECTED:
                with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                    await self.ws.close(code=code, reason=reason)

    async def error(self, err: PatrolError, utterance: int | None = None) -> None:
        """Send an error event (client-safe message only)."""
        await self.send(ErrorEvent(code=err.code, message=err.message, utterance=utterance), utterance or 0)

    async def run(self) -> None:
        """Receive until the client stops or goes away."""
        max_frame = self.services.settings.audio.max_frame_bytes
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if (data := message.get("bytes")) is not None:
                    if len(data) > max_frame:
                        await self.error(AudioError(f"binary frame over {max_frame} bytes was dropped",
                                                    code="frame_too_large"))
                    elif not data:
                        continue
                    elif not self.session.started:
                        await self.error(ProtocolError("send a start message before audio",
                                                       code="not_started"))
                    else:
                        await self._audio(data)
                    continue
                text = message.get("text") or ""
                if len(text) > MAX_TEXT_FRAME:
                    await self.error(ProtocolError("text frame too large", code="frame_too_large"))
                    continue
                try:
                    if await self._control(parse_client_message(text)):
                        return
                except PatrolError as err:
                    await self.error(err)
        except WebSocketDisconnect:
            pass
        finally:
            self._closed = True
            if self.answers is not None:
                await self.answers.close()
            await self.session.close()

    async def _audio(self, data: bytes) -> None:
        try:
            whole = await self.session.audio(data)
        except PatrolError as err:
            await self.error(err)
            return
        if not whole:
            await self.error(AudioError("odd-length pcm_s16le frame: the trailing byte was carried into "
                                        "the next frame", code="odd_length"))

    async def _control(self, msg: StartMessage | PttMessage | QueryMessage | StopMessage) -> bool:
        """Handle a control message; True when the connection is finished."""
        if isinstance(msg, StartMessage):
            if self.session.started:
                raise ProtocolError("this session has already started", code="already_started")
            answer_format = answers.answer_format(msg) if msg.answer_audio else None  # bad_* before start
            principal = getattr(self.ws.state, "principal", None)
            if principal is not None and not principal.may_use_channel(msg.channel):
                raise ProtocolError("this token may not use that channel", code="channel_forbidden")
            self.session.start(msg.encoding, msg.rate)
            self.unit, self.channel = msg.unit, msg.channel
            await self.send(ReadyEvent(session=self.id, utterance=0))
            if answer_format is not None:
                self.answers = answers.open_channel(self.services.answer_voice, msg, self.send,
                                                    self.send_bytes)
        elif isinstance(msg, PttMessage):
            if msg.pressed and self.answers is not None:
                await self.answers.barge_in()
            await self.session.ptt(msg.pressed)
        elif isinstance(msg, QueryMessage):
            if not msg.text.strip():
                raise ProtocolError("query text is empty", code="empty_query")
            self._typed.add(await self.session.query(msg.text))
        elif isinstance(msg, StopMessage):
            await self.session.stop()
            if self.answers is not None:
                await self.answers.drain()
            self._closed = True
            if self.ws.application_state == WebSocketState.CONNECTED:
                await self.ws.close(code=1000)
            return True
        return False

    async def _on_voice_event(self, event: VoiceEvent) -> None:
        if isinstance(event, SpeechBoundary):
            if event.state == "start" and self.answers is not None:
                await self.answers.barge_in()  # the officer speaks again: stop the answer
            await self.send(SpeechEvent(state="start" if event.state == "start" else "end",
                                        utterance=event.utterance), event.utterance)
            if event.state == "end" and self.services.admission is not None:
                await self.services.admission.queued(self.id)  # may tell this session 'degraded'
        elif isinstance(event, PartialText):
            await self.send(PartialEvent(utterance=event.utterance, text=event.text), event.utterance)
        elif isinstance(event, FinalText):
            if not event.typed:
                t = event.transcript
                await self.send(TranscriptEvent(utterance=event.utterance, text=t.text,
                                                confidence=round(t.confidence, 3)), event.utterance)
        elif isinstance(event, Failure):
            await self.error(event.error, event.utterance)

    async def _on_final(self, utterance: int, transcript: Transcript, again: Rereader | None,
                        typed: bool) -> None:
        if again is not None and self.services.admission is not None and self.services.admission.shedding:
            again = None  # past the latency bound: first-pass answer only (service.admission)
        heard = Heard(text=transcript.text, confidence=transcript.confidence,
                      alternatives=transcript.alternatives,
                      refine=again.refine if again else None, rescore=again.score if again else None)
        try:
            events = await self.services.handle_utterance(self.context(utterance, typed=typed), heard)
        except PatrolError as err:
            await self.error(err, utterance)
            return
        for event in events:
            await self.send(event, utterance)
        if self.answers is not None:
            answers.offer(self.answers, utterance, events)


@router.websocket("/v1/radio")
async def radio(websocket: WebSocket) -> None:
    """Radio gateway and handheld audio stream (wire protocol v1)."""
    services: Services = websocket.app.state.services
    # Token from "Authorization: Bearer" or "?token=" (gateways often cannot set headers);
    # a bad token is closed with 4401, a wrong role with 4403.
    principal = await authenticate_websocket(websocket, RADIO_ROLES)
    if principal is None:
        return
    websocket.state.officer, websocket.state.role = principal.officer, principal.role
    websocket.state.unit, websocket.state.principal = principal.unit, principal
    await websocket.accept()
    admission = services.admission
    busy = admission.admit() if admission is not None else None
    if busy is None and len(services.open_sessions) >= services.settings.stt.max_sessions:
        busy = OverloadedError("the service is at capacity; retry shortly")
    if busy is not None:
        await websocket.send_text(dump(ErrorEvent(code=busy.code, message=busy.message)))
        await websocket.close(code=1013)
        return
    connection = RadioConnection(websocket, services)
    services.open_sessions.add(connection.id)
    # A revoked or expired token closes this session with 4401 within seconds (service.revocation).
    unwatch = watch_socket(services.core, principal, session=connection.id, kind="radio",
                           close=connection.close_by_server, channel=lambda: connection.channel)
    if admission is not None:
        admission.register(connection.id, lambda: connection.session.backlog_s, connection.error)
    try:
        await connection.run()
    finally:
        unwatch()
        services.open_sessions.discard(connection.id)
        if admission is not None:
            admission.unregister(connection.id)
        services.pool.release(connection.id)

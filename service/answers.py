"""The spoken answer on the wire: settings to :class:`~voice.answer_audio.AnswerVoice`, and the
``answer_audio`` / binary frames / ``answer_audio_end`` sequence of one radio connection.

Kept apart from :mod:`service.ws` so that the websocket module only gains a few calls:
:func:`open_channel` at ``start``, :func:`offer` after each utterance's events, and the
channel's ``barge_in`` / ``drain`` / ``close``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from common.errors import PatrolError
from common.executor import BoundedExecutor
from service.errors import ProtocolError
from service.protocol import (
    AnswerAudioEndEvent,
    AnswerAudioEvent,
    ErrorEvent,
    IntentEvent,
    IntentName,
    ResultEvent,
    ServerEvent,
    StartMessage,
)
from service.settings import TtsSettings
from voice.answer_audio import Answer, AnswerChannel, AnswerOptions, AnswerVoice
from voice.encoders import check_format
from voice.tts import EspeakOptions, EspeakSynthesizer

logger = logging.getLogger(__name__)

SendEvent = Callable[[ServerEvent, int], Awaitable[None]]
SendBytes = Callable[[bytes], Awaitable[None]]


def build_answer_voice(settings: TtsSettings, *,
                       executor: BoundedExecutor | None = None) -> AnswerVoice | None:
    """The process-wide answer voice, or None when it is off or espeak-ng is not installed;
    ``executor`` (the lifespan's ``tts`` pool) runs synthesis."""
    if not settings.enabled:
        return None
    if not EspeakSynthesizer.available():
        logger.warning("espeak-ng not found: answer_audio is unavailable (make debs)")
        return None
    plain = EspeakSynthesizer(EspeakOptions(voice=settings.voice, wpm=settings.wpm,
                                            timeout_s=settings.timeout_s))
    spelled = EspeakSynthesizer(EspeakOptions(voice=settings.voice, wpm=settings.spelled_wpm,
                                              word_gap_10ms=settings.spelled_word_gap_10ms,
                                              timeout_s=settings.timeout_s))
    options = AnswerOptions(max_seconds=settings.max_answer_s, timeout_s=settings.timeout_s,
                            workers=settings.workers, max_queue=settings.max_queue, lead_ms=settings.lead_ms)
    return AnswerVoice(plain, options, spelled=spelled, executor=executor)


def answer_format(msg: StartMessage) -> tuple[str, int]:
    """The answer's encoding and rate (the session's own unless given); ``bad_*`` errors at start."""
    encoding = msg.answer_encoding or msg.encoding
    rate = msg.answer_rate or msg.rate
    check_format(encoding, rate)
    return encoding, rate


def open_channel(voice: AnswerVoice | None, msg: StartMessage, send: SendEvent,
                 send_bytes: SendBytes) -> AnswerChannel:
    """The answer channel of one connection whose ``start`` asked for ``answer_audio``."""
    encoding, rate = answer_format(msg)
    if voice is None:
        raise ProtocolError("answer_audio is not available on this service", code="answer_audio_unavailable")

    async def begin(utterance: int, answer: Answer) -> None:
        await send(AnswerAudioEvent(utterance=utterance, rate=answer.rate, encoding=answer.encoding,
                                    bytes=len(answer.audio), duration_ms=answer.duration_ms,
                                    tone=answer.tone.value, tone_ms=answer.tone_ms), utterance)

    async def end(utterance: int, _answer: Answer, sent: int, interrupted: bool) -> None:
        await send(AnswerAudioEndEvent(utterance=utterance, bytes=sent, interrupted=interrupted), utterance)

    async def fail(utterance: int, err: PatrolError) -> None:
        await send(ErrorEvent(code=err.code, message=err.message, utterance=utterance), utterance)

    return AnswerChannel(voice, encoding=encoding, rate=rate, begin=begin, frame=send_bytes, end=end,
                         fail=fail)


def offer(channel: AnswerChannel, utterance: int, events: Sequence[ServerEvent]) -> None:
    """Queue the spoken answer to the ``result`` among ``events`` (none: nothing is said)."""
    result = next((e for e in events if isinstance(e, ResultEvent)), None)
    if result is None:
        return
    intent = next((e for e in events if isinstance(e, IntentEvent)), None)
    # "Repeat" asks for the whole answer again, without the length limit.
    full = intent is not None and intent.name == IntentName.REPEAT.value
    alerts: list[dict[str, Any]] = list(result.alerts)
    channel.submit(utterance, result.status, alerts, result.readback, full=full,
                   has_candidates=bool(result.candidates))

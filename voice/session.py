"""One voice session per connection: decode, endpoint, transcribe, in order.

The session owns all per-connection state (decoder, endpointer, utterance counter,
pending work) and every task it starts: each is kept until it ends and cancelled on
:meth:`VoiceSession.close`. Finished utterances and typed queries go through one ordered
queue, so events of utterance *n* are always sent before those of *n + 1*; the loop that
serves the queue reports an error it did not expect as an ``internal`` failure of that
utterance and goes on with the next one. Blocking work runs in the shared
:class:`~voice.pool.InferencePool`. The session reports what happens through typed
:data:`VoiceEvent` objects; the websocket layer turns them into wire events, so nothing
here knows the wire format.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from common.errors import OverloadedError, PatrolError
from voice.codecs import INTERNAL_RATE, Decoder
from voice.denoise import Denoiser
from voice.endpointer import Endpointer, SpeechEnded, SpeechStarted
from voice.gap import FrameGapWatch
from voice.pool import InferencePool, PoolLane
from voice.session_types import (
    Emit,
    Failure,
    FinalText,
    PartialText,
    Refined,
    Refiner,
    Rereader,
    Scorer,
    SessionOptions,
    SpeechBoundary,
    TurnTaking,
    VoiceEvent,
)
from voice.stt import Transcriber, Transcript

logger = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = [
    "Emit", "Failure", "FinalText", "PartialText", "Refined", "Refiner", "Rereader", "Scorer",
    "SessionOptions", "SpeechBoundary", "TurnTaking", "VoiceEvent", "VoiceSession",
]

_SCORE_CHUNK = 8  # candidates aligned per inference job (about 0.25 s on 2 cores)


@dataclass(frozen=True, slots=True)
class Speculation:
    """A final decode started before the utterance ended, valid while no new speech comes."""

    utterance: int
    last_voiced: int
    audio: np.ndarray
    task: asyncio.Future[Transcript]


@dataclass(frozen=True, slots=True)
class _Opening:
    """The audio of an utterance that only opened a request, kept to read with the next one."""

    audio: np.ndarray
    at: float  # monotonic time it was recognised
    awaited: str  # what it waits for ("plate", "" for a bare call)


_JOIN_GAP_S = 0.3  # silence put between an opening and its continuation when they are joined


class VoiceSession:
    """The voice pipeline of one connection."""

    def __init__(self, session_id: str, *, transcriber: Transcriber, pool: InferencePool | PoolLane,
                 emit: Emit, on_final: Refined, denoiser: Denoiser | None = None,
                 options: SessionOptions | None = None, turns: TurnTaking | None = None) -> None:
        self.id = session_id
        self.options = options or SessionOptions()
        self._stt = transcriber
        self._pool = pool
        self._emit = emit
        self._on_final = on_final
        self._denoiser = denoiser
        self._turns = turns
        self._opening: _Opening | None = None
        self._decoder: Decoder | None = None
        self._endpointer = Endpointer(self.options.endpointer)
        self._utterance = 0
        self._open_utterance: int | None = None
        self._carry = b""
        self._queue: asyncio.Queue[tuple[int, np.ndarray | str, float, Speculation | None] | None] = (
            asyncio.Queue())
        self._speculation: Speculation | None = None
        self._tasks: set[asyncio.Future[Any]] = set()  # every task started, until it ends
        self._worker = asyncio.create_task(self._consume(), name=f"session-{session_id}")
        self._partial_task: asyncio.Future[None] | None = None
        self._partial_at = 0.0
        self.audio_seconds = 0.0
        self.backlog_s = 0.0  # audio seconds of ended utterances not yet taken up for decoding
        gap_s = self.options.frame_gap_ms / 1000
        self._gap = FrameGapWatch(gap_s, self._frame_gap) if gap_s > 0 else None

    @property
    def started(self) -> bool:
        """True once a valid ``start`` set the audio format."""
        return self._decoder is not None

    def start(self, encoding: str, rate: int) -> None:
        """Set the audio format (raises :class:`~service.errors.AudioError` when unsupported)."""
        self._decoder = Decoder(encoding, rate)
        self._carry = b""

    def next_utterance(self) -> int:
        """Allocate the next utterance number of this session."""
        self._utterance += 1
        return self._utterance

    async def audio(self, data: bytes) -> bool:
        """Feed one binary frame. Returns False when an odd trailing byte was carried over."""
        assert self._decoder is not None
        whole = True
        if self._decoder.encoding == "pcm_s16le":
            data = self._carry + data
            if len(data) % 2:
                whole = False
                data, self._carry = data[:-1], data[-1:]
            else:
                self._carry = b""
        if self._gap is not None:
            self._gap.touch()
        samples = self._decoder.decode(data)
        self.audio_seconds += len(samples) / INTERNAL_RATE
        for event in self._endpointer.feed(samples):
            await self._boundary(event)
        if not self._maybe_speculate():
            self._maybe_partial()
        return whole

    async def ptt(self, pressed: bool) -> None:
        """Push-to-talk key event."""
        for event in self._endpointer.ptt(pressed):
            await self._boundary(event)

    async def query(self, text: str) -> int:
        """A typed query: takes the same ordered path from the parser on."""
        utterance = self.next_utterance()
        self._enqueue(utterance, text)
        return utterance

    async def stop(self) -> None:
        """Finish what is pending (close an open utterance, recognise it), then return."""
        if self._gap is not None:
            await self._gap.close()
        if self._decoder is not None:
            tail = self._decoder.flush()
            for event in self._endpointer.feed(tail):
                await self._boundary(event)
        for event in self._endpointer.finish():
            await self._boundary(event)
        await self._queue.put(None)
        await self._worker

    async def close(self) -> None:
        """The client is gone: drop pending work without emitting anything more."""
        if self._gap is not None:
            await self._gap.close()
        for task in (self._worker, *self._tasks):
            task.cancel()
        for task in (self._worker, *self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    @property
    def pending_tasks(self) -> int:
        """Tasks this session started that have not ended (partials, speculation, notices)."""
        return sum(not t.done() for t in self._tasks)

    def _spawn(self, work: Awaitable[T], name: str) -> asyncio.Future[T]:
        """Start ``work`` as a task this session owns: kept until it ends, cancelled on close."""
        task = asyncio.ensure_future(work)
        if isinstance(task, asyncio.Task):
            task.set_name(f"session-{self.id}-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._forget)
        return task

    def _forget(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        err = task.exception()
        if err is not None and not isinstance(err, PatrolError):
            logger.error("session %s: a task failed", self.id, exc_info=err)

    # --- internals --------------------------------------------------------------------

    async def _frame_gap(self, gap_s: float) -> bool:
        """No frame for ``gap_s``: the gap is silence. True while an utterance stays open."""
        try:
            for event in self._endpointer.idle(round(gap_s * 1000)):
                await self._boundary(event)
            ep = self._endpointer
            if not ep.in_speech or ep.ptt_held:
                return False
            self._maybe_speculate()
            return True
        except PatrolError as err:
            await self._emit(Failure(self._open_utterance, err))
            return False
        except Exception:  # the watch outlives one bad callback: report it, keep serving
            logger.exception("session %s: frame-gap handling failed", self.id)
            await self._emit(Failure(self._open_utterance, PatrolError("internal error")))
            return False

    async def _boundary(self, event: SpeechStarted | SpeechEnded) -> None:
        if isinstance(event, SpeechStarted):
            self._open_utterance = self.next_utterance()
            self._partial_at = 0.0
            await self._emit(SpeechBoundary(self._open_utterance, "start"))
            return
        utterance = self._open_utterance or self.next_utterance()
        self._open_utterance = None
        spec, self._speculation = self._speculation, None
        if spec is not None and (spec.utterance != utterance or spec.last_voiced != event.last_voiced_frame):
            spec.task.cancel()  # speech resumed after it started: decode the whole utterance
            spec = None
        await self._emit(SpeechBoundary(utterance, "end"))
        self._enqueue(utterance, event.audio, spec)

    def _enqueue(self, utterance: int, item: np.ndarray | str, spec: Speculation | None = None) -> None:
        if self._queue.qsize() >= self.options.max_pending:
            error = OverloadedError("too many utterances waiting; this one was not processed")
            self._spawn(self._emit(Failure(utterance, error)), "refused")
            return
        self._queue.put_nowait((utterance, item, time.perf_counter(), spec))
        if not isinstance(item, str):
            self.backlog_s += len(item) / INTERNAL_RATE

    def _maybe_speculate(self) -> bool:
        """Start the final decode early once the speaker has paused; True if one is running."""
        utterance, ep = self._open_utterance, self._endpointer
        if utterance is None or ep.silence_ms < self.options.speculate_after_ms:
            return False
        current = self._speculation
        if (current is not None and current.utterance == utterance
                and current.last_voiced == ep.last_voiced_frame):
            return True
        if current is not None:
            current.task.cancel()
            self._speculation = None
        if not self._pool.idle:
            return False  # under load, speculative work would only delay other sessions' finals
        audio = ep.speech_audio()
        task = self._spawn(self._pool.run(self._stt.transcribe, audio), "speculation")
        self._speculation = Speculation(utterance, ep.last_voiced_frame, audio, task)
        return True

    def _maybe_partial(self) -> None:
        utterance = self._open_utterance
        if utterance is None or (self._partial_task and not self._partial_task.done()):
            return
        audio = self._endpointer.current_audio()
        seconds = len(audio) / INTERNAL_RATE
        if seconds - self._partial_at < self.options.partial_interval_s or not self._pool.spare:
            return
        self._partial_at = seconds
        self._partial_task = self._spawn(self._partial(utterance, audio), "partial")

    async def _partial(self, utterance: int, audio: np.ndarray) -> None:
        try:
            result = await self._pool.run_if_spare(self._stt.transcribe, audio, partial=True)
        except PatrolError as err:
            logger.debug("partial failed: %s", err.code)
            return
        # A partial that lands after its utterance ended is stale: the final is on its way.
        if result is not None and result.text and self._open_utterance == utterance:
            await self._emit(PartialText(utterance, result.text))

    async def _final(self, audio: np.ndarray, spec: Speculation | None) -> Transcript:
        if spec is not None:
            try:
                return await spec.task
            except PatrolError:
                logger.debug("speculative decode failed; decoding again")
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # this session is closing, not just its speculation
                logger.debug("speculative decode lost; decoding again")
        return await self._pool.run(self._stt.transcribe, audio)

    def _rereader(self, audio: np.ndarray, transcript: Transcript) -> Rereader:
        async def refine() -> tuple[str, ...]:
            return await self._pool.run(self._stt.refine, audio, transcript)

        async def score(prefix: str, continuations: tuple[str, ...], context: bool = True) -> list[float]:
            if len(continuations) <= _SCORE_CHUNK:
                return await self._pool.run(self._stt.score, audio, prefix, continuations, context)
            # Many candidates (names on file): encode once, then align a few per job, so other
            # sessions' finals queue behind a short job rather than the whole pass.
            encoded = await self._pool.run(self._stt.encode_for_scoring, audio)
            scores: list[float] = []
            for i in range(0, len(continuations), _SCORE_CHUNK):
                scores += await self._pool.run(self._stt.score_encoded, encoded, prefix,
                                               continuations[i : i + _SCORE_CHUNK], context)
            return scores

        return Rereader(refine, score)

    async def _continue_opening(self, audio: np.ndarray,
                                transcript: Transcript) -> tuple[np.ndarray, Transcript]:
        """Read an utterance together with the opening before it, when there is one.

        "Control, run plate" [pause] "seven X-ray Yankee Zulu four five six": the second
        utterance alone is a bare spelled run (plate or licence? the keyword is in the first).
        When it follows an opening within ``join_window_s`` and goes on from it (no keyword of
        its own, and not plainly another kind of check: :meth:`TurnTaking.continues`), the
        two are decoded as one (the opening's audio, a short gap, this one's), so the keyword,
        the spelling pass and the scoring passes all see the whole request. Remembers this
        utterance as an opening when it is one.
        """
        turns, opts = self._turns, self.options
        if turns is None or opts.join_window_s <= 0:
            return audio, transcript
        if not transcript.text:
            return audio, transcript  # noise between the opening and the rest: keep waiting
        held, self._opening = self._opening, None
        if (held is not None and time.monotonic() - held.at <= opts.join_window_s
                and turns.continues(held.awaited, transcript.text)):
            gap = np.zeros(int(_JOIN_GAP_S * INTERNAL_RATE), dtype=np.float32)
            joined = np.concatenate([held.audio, gap, audio]).astype(np.float32, copy=False)
            whole = await self._pool.run(self._stt.transcribe, joined)
            if whole.text and len(whole.text) > len(transcript.text):
                logger.debug("session %s: utterance read with the opening before it", self.id)
                audio, transcript = joined, whole
        short = len(audio) <= opts.max_opening_s * INTERNAL_RATE
        awaited = turns.opening(transcript.text) if short else None
        if awaited is not None:
            self._opening = _Opening(audio, time.monotonic(), awaited)
        return audio, transcript

    async def _consume(self) -> None:
        while (item := await self._queue.get()) is not None:
            utterance, payload, queued_at, spec = item
            if not isinstance(payload, str):
                self.backlog_s = max(0.0, self.backlog_s - len(payload) / INTERNAL_RATE)
            try:
                if isinstance(payload, str):
                    transcript = Transcript(text=payload, confidence=1.0)
                    await self._emit(FinalText(utterance, transcript, typed=True))
                    await self._on_final(utterance, transcript, None, True)
                    continue
                audio = payload
                if self._denoiser is not None:
                    audio = await self._pool.run(self._denoiser.process, audio)
                transcript = await self._final(audio, spec)
                if spec is not None:
                    audio = spec.audio  # the spelling pass must read what the transcript came from
                audio, transcript = await self._continue_opening(audio, transcript)
                await self._emit(FinalText(utterance, transcript, latency_s=time.perf_counter() - queued_at))
                if transcript.empty:
                    continue
                await self._on_final(utterance, transcript, self._rereader(audio, transcript), False)
            except PatrolError as err:
                await self._emit(Failure(utterance, err))
            except Exception:  # a bug in one stage must not end the session: report it, go on
                logger.exception("session %s: utterance %d failed unexpectedly", self.id, utterance)
                try:
                    await self._emit(Failure(utterance, PatrolError("internal error")))
                except Exception:
                    logger.exception("session %s: could not report the failure", self.id)

"""The answer spoken back: alert tone, then the readback, in the session's codec and rate.

:class:`AnswerVoice` is shared by all sessions (loaded once): it turns a result (status,
alerts, readback) into an :class:`Answer`, the encoded bytes of tone + speech. Synthesis
runs in its own bounded thread pool, never on the event loop and never in the ASR pool,
so a slow speech engine cannot delay anyone's transcript. A slot is counted back when the
work ends, not when a waiter gives up (a barged-in answer still holds its slot until
espeak-ng returns). :class:`AnswerChannel` is per connection: it plays answers in order,
paced at real time after a short lead, and stops at once when the officer speaks again
(barge-in). Neither knows the wire format: the websocket layer passes callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np

from common.errors import OverloadedError, PatrolError
from common.executor import BoundedExecutor
from voice.encoders import bytes_per_sample, check_format, encode, resample
from voice.errors import SynthesisError
from voice.speakable import Phrase, answer_phrases
from voice.tones import AnswerClass, classify, tone
from voice.tts import PhraseCache, Speech, Synthesizer, synthesize_all

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnswerOptions:
    """How answers are built and sent.

    Attributes:
        max_seconds: an answer (tone included) is kept to this length: status words, then
            details, are added only while they fit; if the alert and the identity alone run
            longer, they are spoken faster (up to ``max_speedup``) to fit. ``full`` answers
            (the officer asked "repeat") have no limit.
        max_speedup: the most an over-long answer is sped up (words per minute scaled).
        tone_gap_ms: silence between the tone and the first word.
        phrase_gap_ms: silence between phrases; ``spelled_gap_ms`` after a spelled one.
        speech_peak: speech is scaled to this peak (below full scale: no clipping in G.711).
        workers: synthesis jobs at once (process-wide).
        max_queue: jobs waiting beyond ``workers`` before new answers get ``tts_busy``.
        timeout_s: a whole answer's synthesis (queue wait included) is given up after this.
        frame_ms: length of each binary frame sent.
        lead_ms: audio sent at once before pacing at real time (the gateway's jitter buffer).
    """

    max_seconds: float = 6.0
    max_speedup: float = 1.4
    tone_gap_ms: int = 150
    phrase_gap_ms: int = 150
    spelled_gap_ms: int = 350
    speech_peak: float = 0.7
    workers: int = 2
    max_queue: int = 8
    timeout_s: float = 4.0
    frame_ms: int = 20
    lead_ms: int = 200


@dataclass(frozen=True, slots=True)
class Answer:
    """One encoded answer: ``audio`` holds tone + speech in ``encoding`` at ``rate``."""

    tone: AnswerClass
    encoding: str
    rate: int
    audio: bytes
    tone_samples: int
    phrases: tuple[str, ...]
    synth_s: float

    @property
    def samples(self) -> int:
        """Number of samples in ``audio``."""
        return len(self.audio) // bytes_per_sample(self.encoding)

    @property
    def duration_ms(self) -> int:
        """Playback length in milliseconds."""
        return round(1000 * self.samples / self.rate)

    @property
    def tone_ms(self) -> int:
        """Length of the tone at the start of ``audio``."""
        return round(1000 * self.tone_samples / self.rate)


def _trim(samples: np.ndarray, rate: int, *, floor: float = 0.004, margin_ms: int = 30) -> np.ndarray:
    """Cut the engine's leading and trailing silence (the gaps between phrases are ours)."""
    loud = np.flatnonzero(np.abs(samples) > floor)
    if len(loud) == 0:
        return samples[:0]
    margin = rate * margin_ms // 1000
    return samples[max(0, loud[0] - margin): loud[-1] + margin + 1]


def _within(phrases: Sequence[Phrase], lengths: Sequence[int], gaps: Sequence[int], room: int) -> list[int]:
    """Which phrases to say, in their order: every alert and identity phrase, then status
    words, then details, each added while it still fits in ``room`` samples."""
    keep = {i for i, p in enumerate(phrases) if p.kind in ("alert", "identity")}
    used = sum(lengths[i] + gaps[i] for i in keep)
    for kind in ("status", "detail"):
        for i, phrase in enumerate(phrases):
            if phrase.kind == kind and used + lengths[i] + gaps[i] <= room:
                keep.add(i)
                used += lengths[i] + gaps[i]
    return sorted(keep)


class AnswerVoice:
    """Builds answers: tone + synthesised phrases, encoded; shared by every session."""

    def __init__(self, synthesizer: Synthesizer, options: AnswerOptions | None = None, *,
                 spelled: Synthesizer | None = None, cache_size: int = 128,
                 executor: BoundedExecutor | None = None) -> None:
        """``executor`` runs synthesis (its bounds win over ``options.workers`` and
        ``max_queue``); without one the voice makes its own, closed by :meth:`shutdown`."""
        self.options = options or AnswerOptions()
        self.synthesizer = synthesizer
        self.spelled = spelled or synthesizer
        self._cache = PhraseCache(synthesizer, cache_size)
        self._spelled_cache = PhraseCache(self.spelled, cache_size)
        self.executor = executor or BoundedExecutor("tts", self.options.workers,
                                                    max_queue=self.options.max_queue)

    @property
    def depth(self) -> int:
        """Synthesis jobs running or waiting."""
        return self.executor.depth

    def _speak_all(self, phrases: Sequence[Phrase]) -> list[Speech]:
        """Speech for every phrase: fixed ones from the cache, the rest synthesised at once."""
        found: list[Speech | None] = []
        jobs: list[tuple[Synthesizer, str]] = []
        for phrase in phrases:
            cache = self._spelled_cache if phrase.spelled else self._cache
            hit = cache.peek(phrase.text) if phrase.fixed else None
            found.append(hit)
            if hit is None:
                jobs.append((self.spelled if phrase.spelled else self.synthesizer, phrase.text))
        made = iter(synthesize_all(jobs, timeout_s=self.options.timeout_s))
        out: list[Speech] = []
        for phrase, hit in zip(phrases, found, strict=True):
            if hit is None:
                hit = next(made)
                if phrase.fixed:
                    (self._spelled_cache if phrase.spelled else self._cache).put(phrase.text, hit)
            out.append(hit)
        return out

    def build(self, status: str, alerts: Sequence[dict[str, Any]], readback: str, *, encoding: str,
              rate: int, full: bool = False, has_candidates: bool = True) -> Answer:
        """Synthesise and encode one answer (blocking: call it in a worker, or via :meth:`render`)."""
        check_format(encoding, rate)
        started = time.perf_counter()
        o = self.options
        kind = classify(status, alerts)
        head = np.asarray(tone(kind, rate), dtype=np.float32)
        parts: list[np.ndarray] = [head, np.zeros(rate * o.tone_gap_ms // 1000, dtype=np.float32)]
        phrases = answer_phrases(status, readback, has_alerts=bool(alerts), has_candidates=has_candidates)
        clips = [self._clip(speech, rate) for speech in self._speak_all(phrases)]
        gaps = [rate * (o.spelled_gap_ms if p.spelled else o.phrase_gap_ms) // 1000 for p in phrases]
        fixed = sum(len(p) for p in parts)
        keep = list(range(len(phrases)))
        if not full:
            budget = int(o.max_seconds * rate)
            keep = _within(phrases, [len(c) for c in clips], gaps, budget - fixed)
            speech = sum(len(clips[i]) for i in keep)
            room = budget - fixed - sum(gaps[i] for i in keep)
            if speech > room > 0 and o.max_speedup > 1.0:
                clips = self._faster(phrases, clips, keep, min(o.max_speedup, 1.03 * speech / room), rate)
        spoken: list[str] = []
        for i in keep:
            parts += [self._level(clips[i]), np.zeros(gaps[i], dtype=np.float32)]
            spoken.append(phrases[i].text)
        if len(parts) > 2:
            parts.pop()  # no trailing gap after the last phrase
        audio = encode(np.concatenate(parts), encoding)
        return Answer(kind, encoding, rate, audio, len(head), tuple(spoken), time.perf_counter() - started)

    @staticmethod
    def _clip(speech: Speech, rate: int) -> np.ndarray:
        return _trim(resample(speech.samples, speech.rate, rate), rate)

    def _faster(self, phrases: Sequence[Phrase], clips: list[np.ndarray], keep: Sequence[int],
                factor: float, rate: int) -> list[np.ndarray]:
        """The kept phrases spoken again ``factor`` times as fast, by engines that can."""
        jobs: list[tuple[Synthesizer, str]] = []
        which: list[int] = []
        for i in keep:
            engine = self.spelled if phrases[i].spelled else self.synthesizer
            faster = getattr(engine, "faster", None)
            if callable(faster):
                jobs.append((faster(factor), phrases[i].text))
                which.append(i)
        out = list(clips)
        for i, speech in zip(which, synthesize_all(jobs, timeout_s=self.options.timeout_s), strict=True):
            out[i] = self._clip(speech, rate)
        return out

    def _level(self, samples: np.ndarray) -> np.ndarray:
        peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
        if peak <= 1e-4:
            return samples
        return (samples * (self.options.speech_peak / peak)).astype(np.float32)

    async def render(self, status: str, alerts: Sequence[dict[str, Any]], readback: str, *,
                     encoding: str, rate: int, full: bool = False, has_candidates: bool = True) -> Answer:
        """:meth:`build` in the bounded synthesis pool, with the answer timeout.

        Raises :class:`SynthesisError`: ``tts_busy`` when the pool is full, ``tts_timeout``
        past ``timeout_s``, ``tts_failed`` / ``tts_unavailable`` from the engine.
        """
        o = self.options
        try:
            job: Future[Answer] = self.executor.submit(
                self.build, status, alerts, readback, encoding=encoding, rate=rate, full=full,
                has_candidates=has_candidates)
        except OverloadedError as err:
            raise SynthesisError("speech synthesis is at capacity; answer not spoken", code="tts_busy",
                                 http_status=503) from err
        try:
            return await asyncio.wait_for(asyncio.wrap_future(job), o.timeout_s)
        except TimeoutError as err:
            raise SynthesisError(f"speech synthesis took over {o.timeout_s:g} s; answer not spoken",
                                 code="tts_timeout") from err

    def shutdown(self) -> None:
        """Stop accepting work; running jobs finish (the lifespan's ``aclose`` waits for them)."""
        self.executor.shutdown(wait=False)


Begin = Callable[[int, Answer], Awaitable[None]]
Frame = Callable[[bytes], Awaitable[None]]
End = Callable[[int, Answer, int, bool], Awaitable[None]]
Fail = Callable[[int, PatrolError], Awaitable[None]]


class AnswerChannel:
    """Per connection: plays answers in order, paced at real time, stopped by barge-in."""

    def __init__(self, voice: AnswerVoice, *, encoding: str, rate: int, begin: Begin, frame: Frame,
                 end: End, fail: Fail) -> None:
        check_format(encoding, rate)
        self.voice = voice
        self.encoding, self.rate = encoding, rate
        self._begin, self._frame, self._end, self._fail = begin, frame, end, fail
        self._tasks: list[asyncio.Task[None]] = []
        self._hurry = False
        self._sent_bytes = 0
        self._closed = False
        self.sent_frames = 0

    @property
    def playing(self) -> bool:
        """True while an answer is being rendered or sent."""
        return any(not t.done() for t in self._tasks)

    def submit(self, utterance: int, status: str, alerts: Sequence[dict[str, Any]], readback: str, *,
               full: bool = False, has_candidates: bool = True) -> None:
        """Render and send the answer to ``utterance`` after those already queued (non-blocking)."""
        before = self._tasks[-1] if self._tasks else None
        render = asyncio.ensure_future(self.voice.render(
            status, list(alerts), readback, encoding=self.encoding, rate=self.rate, full=full,
            has_candidates=has_candidates))
        task = asyncio.create_task(self._play(utterance, render, before), name=f"answer-{utterance}")
        self._tasks = [t for t in self._tasks if not t.done()] + [task]

    async def barge_in(self) -> None:
        """The officer spoke: stop the answer being sent and drop those not yet started."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drain(self) -> None:
        """Send what is pending without pacing (the client said ``stop``)."""
        self._hurry = True
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close(self) -> None:
        """The client is gone: cancel everything, send nothing more."""
        self._closed = True
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _play(self, utterance: int, render: asyncio.Future[Answer],
                    before: asyncio.Task[None] | None) -> None:
        try:
            if before is not None:
                await asyncio.wait({before})  # raises only if this task itself is cancelled
            answer = await render
        except asyncio.CancelledError:
            render.cancel()
            raise
        except PatrolError as err:
            await self._fail(utterance, err)
            return
        await self._begin(utterance, answer)
        try:
            sent = await self._send_paced(answer)
        except asyncio.CancelledError:
            if not self._closed:
                await asyncio.shield(self._end(utterance, answer, self._sent_bytes, True))
            raise
        await self._end(utterance, answer, sent, False)

    async def _send_paced(self, answer: Answer) -> int:
        step = self.rate * self.voice.options.frame_ms // 1000 * bytes_per_sample(self.encoding)
        lead = self.voice.options.lead_ms / 1000
        frame_s = self.voice.options.frame_ms / 1000
        audio = answer.audio
        self._sent_bytes = 0
        t0 = time.monotonic()
        for i, offset in enumerate(range(0, len(audio), step)):
            due = t0 + i * frame_s - lead
            delay = due - time.monotonic()
            if delay > 0 and not self._hurry:
                await asyncio.sleep(delay)
            chunk = audio[offset:offset + step]
            await self._frame(chunk)
            self._sent_bytes += len(chunk)
            self.sent_frames += 1
        return self._sent_bytes

"""Speech synthesis behind a small :class:`Synthesizer` protocol; espeak-ng by default.

espeak-ng runs as a subprocess (``--stdin --stdout``): it is a Debian package the Makefile
installs, its licence does not reach into this process, and a hung or crashed engine is
killed by a timeout without harming the service. piper (neural, GPL-3.0) is deliberately
not imported here: it is only an optional extra for regenerating fixture audio.

``synthesize`` is blocking; callers run it in a bounded worker pool
(:class:`voice.answer_audio.AnswerVoice`). Text is passed on stdin, never as an argument,
so nothing in it can be read as an option.
"""

from __future__ import annotations

import logging
import shutil
import struct
import subprocess
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from voice.errors import SynthesisError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Speech:
    """Synthesised mono audio: float32 samples in [-1, 1] at ``rate``."""

    samples: np.ndarray
    rate: int

    @property
    def seconds(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.rate


class Synthesizer(Protocol):
    """Text in, speech out (blocking; run it in a worker)."""

    name: str

    def synthesize(self, text: str) -> Speech:
        """Speak ``text``; raises :class:`SynthesisError` on failure."""
        ...


@dataclass(frozen=True, slots=True)
class EspeakOptions:
    """How espeak-ng speaks.

    Attributes:
        voice: espeak-ng voice ("en-us"; "en-us+m3" and the like for a variant).
        wpm: speaking rate in words per minute.
        word_gap_10ms: extra pause between words, in units of 10 ms (helps spelled plates).
        pitch: 0-99.
        timeout_s: the engine is killed after this long and the call fails with ``tts_timeout``.
        max_chars: longer text is refused (``tts_failed``): an answer is a few short sentences.
        executable: the espeak-ng binary.
    """

    voice: str = "en-us"
    wpm: int = 150
    word_gap_10ms: int = 0
    pitch: int = 50
    timeout_s: float = 3.0
    max_chars: int = 800
    executable: str = "espeak-ng"


def parse_wav(data: bytes) -> Speech:
    """Mono PCM16 WAV bytes to :class:`Speech`.

    espeak-ng writes its header before it knows the length (sizes of 0x7fffffff or 0 when
    streaming to stdout), so the data chunk is taken to run to the end of the bytes.
    """
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SynthesisError("the speech engine returned no audio", code="tts_failed")
    pos, rate, channels, bits = 12, 0, 1, 16
    while pos + 8 <= len(data):
        chunk, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = pos + 8
        if chunk == b"fmt ":
            _fmt, channels, rate, _bps, _align, bits = struct.unpack("<HHIIHH", data[body:body + 16])
        elif chunk == b"data":
            if rate <= 0 or channels != 1 or bits != 16:
                break
            pcm = data[body:]
            pcm = pcm[: len(pcm) - len(pcm) % 2]
            samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
            return Speech(samples, rate)
        pos = body + size + (size & 1)
    raise SynthesisError("the speech engine returned audio in an unexpected format", code="tts_failed")


class EspeakSynthesizer:
    """espeak-ng as a subprocess: one short-lived process per call, killed on timeout."""

    name = "espeak-ng"

    def __init__(self, options: EspeakOptions | None = None) -> None:
        self.options = options or EspeakOptions()

    @staticmethod
    def available(executable: str = "espeak-ng") -> bool:
        """True when the espeak-ng binary is on PATH."""
        return shutil.which(executable) is not None

    def _args(self) -> list[str]:
        o = self.options
        return [o.executable, "-v", o.voice, "-s", str(o.wpm), "-g", str(o.word_gap_10ms),
                "-p", str(o.pitch), "--stdin", "--stdout"]

    def _clean(self, text: str) -> str:
        text = " ".join(text.split())
        if len(text) > self.options.max_chars:
            raise SynthesisError(f"answer text over {self.options.max_chars} characters", code="tts_failed")
        return text

    def start(self, text: str) -> subprocess.Popen[bytes] | None:
        """Start speaking ``text`` in a new espeak-ng process (None for empty text)."""
        text = self._clean(text)
        if not text:
            return None
        try:
            proc = subprocess.Popen(self._args(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
        except OSError as err:
            raise SynthesisError("the speech engine could not be started", code="tts_unavailable") from err
        assert proc.stdin is not None
        # A few hundred bytes fit the pipe buffer: writing cannot block on a slow engine.
        proc.stdin.write(text.encode("utf-8"))
        proc.stdin.close()
        proc.stdin = None
        return proc

    def finish(self, proc: subprocess.Popen[bytes] | None, *, timeout_s: float | None = None) -> Speech:
        """Wait for a process from :meth:`start`; killed past the timeout (``tts_timeout``)."""
        if proc is None:
            return Speech(np.zeros(0, dtype=np.float32), 22050)
        timeout = self.options.timeout_s if timeout_s is None else max(0.01, timeout_s)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            proc.communicate()
            raise SynthesisError(f"speech synthesis took over {self.options.timeout_s:g} s",
                                 code="tts_timeout") from exc
        if proc.returncode != 0:
            logger.warning("espeak-ng exited with %d: %s", proc.returncode, err[-200:])
            raise SynthesisError("the speech engine failed", code="tts_failed")
        return parse_wav(out)

    def synthesize(self, text: str) -> Speech:
        """Speak ``text`` (blocking)."""
        return self.finish(self.start(text))

    def faster(self, factor: float) -> EspeakSynthesizer:
        """The same voice speaking ``factor`` times as fast (words per minute scaled, within
        espeak-ng's 80..450 range)."""
        wpm = min(450, max(80, round(self.options.wpm * factor)))
        return EspeakSynthesizer(replace(self.options, wpm=wpm))


def synthesize_all(jobs: Sequence[tuple[Synthesizer, str]], *, timeout_s: float = 3.0) -> list[Speech]:
    """Speak several texts; engines with ``start``/``finish`` (espeak-ng) run them all at once.

    An answer is three or four phrases: started together, they cost about one engine start
    instead of one per phrase. Every process still running at the deadline is killed.
    """
    if not all(isinstance(s, EspeakSynthesizer) for s, _ in jobs):
        return [s.synthesize(t) for s, t in jobs]
    deadline = time.monotonic() + timeout_s
    started: list[tuple[EspeakSynthesizer, subprocess.Popen[bytes] | None]] = []
    try:
        for synth, text in jobs:
            assert isinstance(synth, EspeakSynthesizer)
            started.append((synth, synth.start(text)))
        return [synth.finish(proc, timeout_s=deadline - time.monotonic()) for synth, proc in started]
    finally:
        for _synth, proc in started:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.communicate()


class PhraseCache:
    """A small thread-safe LRU of synthesised fixed phrases ("Say again", alert headers)."""

    def __init__(self, synthesizer: Synthesizer, size: int = 128) -> None:
        self.synthesizer = synthesizer
        self.size = size
        self._items: OrderedDict[str, Speech] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def peek(self, text: str) -> Speech | None:
        """The cached speech of ``text``, or None (counted as a hit or a miss)."""
        with self._lock:
            found = self._items.get(text)
            if found is not None:
                self._items.move_to_end(text)
                self.hits += 1
            else:
                self.misses += 1
            return found

    def put(self, text: str, speech: Speech) -> None:
        """Remember the speech of a fixed phrase."""
        with self._lock:
            self._items[text] = speech
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get(self, text: str) -> Speech:
        """The cached speech of ``text``, synthesised on the first call."""
        found = self.peek(text)
        if found is None:
            found = self.synthesizer.synthesize(text)
            self.put(text, found)
        return found

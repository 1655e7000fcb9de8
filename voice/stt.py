"""Speech to text: faster-whisper behind a small :class:`Transcriber` protocol.

Decoding is biased toward the domain with a prompt of spelling-alphabet words and
keywords. Phantom text on noise and silence is guarded against in four ways: a
second-opinion VAD (Silero, shipped inside faster-whisper) before decoding, Whisper's
own no-speech and log-probability scores per segment, the compression ratio (repetition
loops), a token cap relative to the audio length, and a blocklist of known phantom
phrases. An optional constrained second pass re-decodes only the spelled span after a
keyword ("plate", "licence", "number") allowing nothing but spelling words and digits;
its reading is returned as an alternative, not in place of the first pass.
All methods are blocking: call them from the inference pool, never the event loop.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.vad import VadOptions, get_speech_timestamps

from service.errors import TranscriptionError
from voice.codecs import INTERNAL_RATE
from voice.spelling import DOMAIN_PROMPT, KEYWORDS, SPELLING_PROMPT, is_spelling_token, spelling_words

logger = logging.getLogger(__name__)

PHANTOM_PHRASES = frozenset(
    {
        "thank you", "thanks for watching", "thank you for watching", "thank you so much",
        "please subscribe", "subscribe", "bye", "bye bye", "you", "the end", "so",
        "thank you very much", "subtitles by the amaraorg community", "i'm sorry",
        "thanks for listening", "music", "applause", "silence",
    }
)


@dataclass(frozen=True, slots=True)
class Word:
    """A recognised word with its time span (seconds into the utterance) and probability."""

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class Transcript:
    """The recogniser's answer for one utterance."""

    text: str
    confidence: float
    words: tuple[Word, ...] = ()
    alternatives: tuple[str, ...] = ()
    dropped: str | None = None  # why text was discarded as phantom, if it was

    @property
    def empty(self) -> bool:
        """True when nothing was recognised (or it was discarded)."""
        return not self.text


class Transcriber(Protocol):
    """What the voice pipeline needs from a recogniser."""

    def transcribe(self, audio: np.ndarray, *, partial: bool = False) -> Transcript:
        """Transcribe 16 kHz float32 audio. ``partial`` asks for a quick, unrefined pass."""
        ...

    def refine(self, audio: np.ndarray, first: Transcript) -> tuple[str, ...]:
        """Other readings of the same audio (e.g. a constrained spelling pass), best first."""
        ...


@dataclass(frozen=True, slots=True)
class SttOptions:
    """Decoding options.

    Attributes:
        beam_size: beam for the final pass (partials always use greedy decoding).
        spelling_beam: beam for the constrained spelling pass.
        spelling_pass: run the constrained pass on spans after a plate/licence keyword.
        language: decode language (None: detect; only for multilingual models).
        no_speech_threshold: segments above this no-speech probability ...
        logprob_threshold: ... and below this average log-probability are dropped.
        compression_ratio_threshold: segments more repetitive than this are dropped.
        tokens_per_second: cap on generated tokens per second of audio (loops).
        min_vad_speech_s: the second-opinion VAD must find at least this much speech.
    """

    beam_size: int = 1
    spelling_beam: int = 3
    spelling_pass: bool = True
    language: str | None = "en"
    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    tokens_per_second: float = 12.0
    min_vad_speech_s: float = 0.2
    prompt: str = DOMAIN_PROMPT
    vad: VadOptions = field(default_factory=lambda: VadOptions(threshold=0.35, min_speech_duration_ms=120,
                                                               min_silence_duration_ms=300, speech_pad_ms=100))


def _normalise_phrase(text: str) -> str:
    return re.sub(r"[^a-z' ]", "", text.lower()).strip()


class WhisperTranscriber:
    """faster-whisper (CTranslate2) recogniser with domain biasing and phantom guards."""

    def __init__(self, model: WhisperModel, options: SttOptions | None = None) -> None:
        self.model = model
        self.options = options or SttOptions()
        self._suppress: list[int] | None = None
        self._suppress_lock = threading.Lock()

    @classmethod
    def load(cls, directory: Path, *, compute_type: str = "int8", cpu_threads: int = 0, workers: int = 1,
             options: SttOptions | None = None) -> WhisperTranscriber:
        """Load a CTranslate2 Whisper model from a local directory (never from a hub)."""
        model = WhisperModel(str(directory), device="cpu", compute_type=compute_type,
                             cpu_threads=cpu_threads, num_workers=workers, local_files_only=True)
        opts = options or SttOptions()
        if not model.model.is_multilingual:
            opts = SttOptions(**{**{f: getattr(opts, f) for f in opts.__slots__}, "language": "en"})
        return cls(model, opts)

    # --- the protocol -----------------------------------------------------------------

    def transcribe(self, audio: np.ndarray, *, partial: bool = False) -> Transcript:
        """Transcribe one utterance; empty :class:`Transcript` for noise, silence or phantoms."""
        o = self.options
        duration = len(audio) / INTERNAL_RATE
        if duration < 0.1:
            return Transcript("", 0.0, dropped="too_short")
        speech_s = self._vad_speech_seconds(audio)
        if speech_s < o.min_vad_speech_s:
            return Transcript("", 0.0, dropped="no_speech_vad")
        try:
            segments, _info = self.model.transcribe(
                audio,
                language=o.language,
                beam_size=1 if partial else o.beam_size,
                temperature=0.0,
                initial_prompt=o.prompt,
                condition_on_previous_text=False,
                word_timestamps=not partial,
                without_timestamps=partial,
                no_speech_threshold=o.no_speech_threshold,
                log_prob_threshold=o.logprob_threshold,
                compression_ratio_threshold=o.compression_ratio_threshold,
                max_new_tokens=int(16 + o.tokens_per_second * duration),
                vad_filter=False,
            )
            kept = [s for s in segments if self._keep_segment(s)]  # consumes the lazy generator here
        except (RuntimeError, ValueError) as err:
            raise TranscriptionError("speech recognition failed on this utterance") from err
        text = " ".join(s.text.strip() for s in kept).strip()
        if not text:
            return Transcript("", 0.0, dropped="no_speech_model")
        words = tuple(Word(w.word.strip(), w.start, w.end, w.probability) for s in kept for w in (s.words or []))
        confidence = self._confidence(kept, words)
        if _normalise_phrase(text) in PHANTOM_PHRASES and (speech_s < 1.0 or confidence < 0.6):
            return Transcript("", 0.0, dropped="phantom_phrase")
        return Transcript(text=text, confidence=confidence, words=words)

    def refine(self, audio: np.ndarray, first: Transcript) -> tuple[str, ...]:
        """Constrained spelling pass over the span after the plate/licence keyword, if any."""
        if not self.options.spelling_pass or not first.words:
            return ()
        span = self._spelled_span(first.words)
        if span is None:
            return ()
        index, start_s = span
        chunk = audio[int(start_s * INTERNAL_RATE):]
        if len(chunk) < INTERNAL_RATE * 0.3:
            return ()
        try:
            segments, _ = self.model.transcribe(
                chunk,
                language=self.options.language,
                beam_size=self.options.spelling_beam,
                temperature=0.0,
                initial_prompt=SPELLING_PROMPT,
                condition_on_previous_text=False,
                without_timestamps=True,
                suppress_tokens=self._spelling_suppress(),
                suppress_blank=True,
                max_new_tokens=int(8 + self.options.tokens_per_second * len(chunk) / INTERNAL_RATE),
                vad_filter=False,
            )
            spelled = " ".join(s.text.strip() for s in segments).strip()
        except (RuntimeError, ValueError) as err:
            raise TranscriptionError("spelling pass failed on this utterance") from err
        if not spelled:
            return ()
        prefix = " ".join(w.text for w in first.words[:index])
        reading = f"{prefix} {spelled}".strip()
        return (reading,) if reading != first.text else ()

    # --- guards and helpers -----------------------------------------------------------

    def _vad_speech_seconds(self, audio: np.ndarray) -> float:
        stamps = get_speech_timestamps(audio, self.options.vad)
        return sum(s["end"] - s["start"] for s in stamps) / INTERNAL_RATE

    def _keep_segment(self, seg: object) -> bool:
        o = self.options
        no_speech = float(getattr(seg, "no_speech_prob", 0.0))
        logprob = float(getattr(seg, "avg_logprob", 0.0))
        ratio = float(getattr(seg, "compression_ratio", 0.0))
        if no_speech > o.no_speech_threshold and logprob < o.logprob_threshold:
            return False
        if ratio > o.compression_ratio_threshold:
            logger.debug("dropped a repetitive segment (compression ratio %.2f)", ratio)
            return False
        return bool(getattr(seg, "text", "").strip())

    @staticmethod
    def _confidence(segments: list, words: tuple[Word, ...]) -> float:
        if words:
            probs = np.clip(np.array([w.probability for w in words]), 1e-4, 1.0)
            conf = float(np.exp(np.mean(np.log(probs))))
        else:
            conf = float(np.mean([math.exp(min(0.0, s.avg_logprob)) for s in segments]))
        no_speech = max(float(s.no_speech_prob) for s in segments)
        return float(np.clip(conf * (1.0 - 0.5 * no_speech), 0.0, 1.0))

    @staticmethod
    def _spelled_span(words: tuple[Word, ...]) -> tuple[int, float] | None:
        """Index of the first word after the last plate/licence keyword, and its start time."""
        keyword_at = None
        for i, w in enumerate(words):
            if KEYWORDS.match(re.sub(r"[^\w]", "", w.text)):
                keyword_at = i
        if keyword_at is not None and keyword_at + 1 < len(words):
            after = words[keyword_at + 1]
            return keyword_at + 1, max(0.0, min(after.start, words[keyword_at].end) - 0.05)
        # No keyword: a run of three or more spelling tokens still marks a spelled span.
        run = 0
        for i, w in enumerate(words):
            run = run + 1 if is_spelling_token(w.text) else 0
            if run == 3:
                first = words[i - 2]
                return i - 2, max(0.0, first.start - 0.1)
        return None

    def _spelling_suppress(self) -> list[int]:
        """Every ordinary token except those spelling words, digits and separators are made of."""
        with self._suppress_lock:
            if self._suppress is None:
                tok = self.model.hf_tokenizer
                allowed: set[int] = set()
                for word in spelling_words() + ["," , ".", "-"]:
                    for variant in {word, word.lower(), word.capitalize(), word.upper()}:
                        for text in (variant, " " + variant):
                            allowed.update(tok.encode(text, add_special_tokens=False).ids)
                eot = self.model.hf_tokenizer.token_to_id("<|endoftext|>")
                self._suppress = [t for t in range(eot) if t not in allowed]
            return self._suppress

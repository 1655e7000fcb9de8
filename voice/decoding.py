"""One faster-whisper decode, with the arguments every pass shares written once.

The first pass (:mod:`voice.stt`), its read-on after an early stop and the constrained
spelling pass (:mod:`voice.spelling_pass`) all decode through :func:`decode`: greedy or beam
search at temperature 0, no timestamps, no conditioning on earlier text, a token cap
relative to the audio length, and the lazy segment generator consumed here, inside the
worker. This module also holds the decoding options and the text guards the passes share
(repetition loops, known phantom phrases).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.vad import VadOptions

from voice.codecs import INTERNAL_RATE
from voice.errors import TranscriptionError
from voice.spelling import DOMAIN_PROMPT

PHANTOM_PHRASES = frozenset(
    {
        "thank you", "thanks for watching", "thank you for watching", "thank you so much",
        "please subscribe", "subscribe", "bye", "bye bye", "you", "the end", "so",
        "thank you very much", "subtitles by the amaraorg community", "i'm sorry",
        "thanks for listening", "music", "applause", "silence",
    }
)


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
    vad: VadOptions = field(default_factory=lambda: VadOptions(
        threshold=0.35, min_speech_duration_ms=120, min_silence_duration_ms=300, speech_pad_ms=100))


def decode(model: WhisperModel, audio: np.ndarray, options: SttOptions, *, beam_size: int, prompt: str,
           prefix: str | None = None, failure: str = "speech recognition failed on this utterance",
           **extra: Any) -> list[Any]:
    """The segments of one decode of ``audio`` (blocking). ``extra`` adds pass-specific
    arguments (thresholds, suppressed tokens); a model failure raises
    :class:`~voice.errors.TranscriptionError` with the client-safe ``failure`` message."""
    try:
        segments, _info = model.transcribe(
            audio,
            language=options.language,
            beam_size=beam_size,
            temperature=0.0,
            initial_prompt=prompt,
            prefix=prefix,
            condition_on_previous_text=False,
            without_timestamps=True,
            max_new_tokens=int(16 + options.tokens_per_second * len(audio) / INTERNAL_RATE),
            vad_filter=False,
            **extra,
        )
        return list(segments)  # consumes the lazy generator here
    except (RuntimeError, ValueError) as err:
        raise TranscriptionError(failure) from err


def joined(segments: Iterable[Any]) -> str:
    """The segments' texts as one transcript."""
    return " ".join(s.text.strip() for s in segments).strip()


_LOOP = re.compile(r"(.{1,16}?)(?:\s*\1){3,}", re.DOTALL | re.IGNORECASE)


def cut_loop(text: str) -> str:
    """``text`` up to and with the first of a unit repeated four or more times in a row
    ("plate 4.0.0.0.0.0" -> "plate 4.0."; "One hand, one hand, one hand, one hand" -> "One hand,")."""
    m = _LOOP.search(text)
    return text[: m.start() + len(m.group(1))] if m else text


def normalise_phrase(text: str) -> str:
    """Lower-case letters, apostrophes and spaces only: the form :data:`PHANTOM_PHRASES` uses."""
    return re.sub(r"[^a-z' ]", "", text.lower()).strip()

"""Speech to text: faster-whisper behind a small :class:`Transcriber` protocol.

Decoding is biased toward the domain with a prompt of spelling-alphabet words and
keywords. Phantom text on noise and silence is guarded against in four ways: a
second-opinion VAD (Silero, shipped inside faster-whisper) before decoding, Whisper's
own no-speech and log-probability scores per segment, the compression ratio (repetition
loops), a token cap relative to the audio length, and a blocklist of known phantom
phrases. An optional constrained second pass re-decodes the utterance with the words up
to the keyword ("plate", "licence", "number") forced as a decoder prefix, after which only
tokens of spelling words, digits and separators may be produced; its reading is returned
as an alternative for the parser's n-best list, not in place of the first pass. Word
timestamps are not used: on this machine they cost about 0.35 s per utterance.
All methods are blocking: call them from the inference pool, never the event loop.

The decode itself and the options live in :mod:`voice.decoding`, the constrained pass in
:mod:`voice.spelling_pass` and forced alignment in :mod:`voice.alignment`; this module
keeps the protocol, the first pass and its guards.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.vad import get_speech_timestamps

from common.executor import BoundedExecutor, submit_or_run
from voice.alignment import EncodedAudio, encode_window, score_encoded
from voice.codecs import INTERNAL_RATE
from voice.decoding import PHANTOM_PHRASES, SttOptions, cut_loop, decode, joined, normalise_phrase
from voice.spelling_pass import SpellingPass, prefix_variants, spelled_prefix

logger = logging.getLogger(__name__)

__all__ = [
    "PHANTOM_PHRASES", "EncodedAudio", "SttOptions", "Transcriber", "Transcript", "WhisperTranscriber",
    "cut_loop", "prefix_variants", "spelled_prefix",
]

@dataclass(frozen=True, slots=True)
class Transcript:
    """The recogniser's answer for one utterance."""

    text: str
    confidence: float
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

    def score(
        self, audio: np.ndarray, prefix: str, continuations: Sequence[str], context: bool = True
    ) -> list[float]:
        """Log-likelihood of each continuation after ``prefix`` given the audio (higher is better);
        ``context``: with the domain prompt before it."""
        ...

    def encode_for_scoring(self, audio: np.ndarray) -> Any:
        """The audio's encoder output, for :meth:`score_encoded` (encode once, score in chunks)."""
        ...

    def score_encoded(
        self, encoded: Any, prefix: str, continuations: Sequence[str], context: bool = True
    ) -> list[float]:
        """:meth:`score` against an output of :meth:`encode_for_scoring`."""
        ...


_UNITS = re.compile(r"[A-Za-z']+|\d")
# Fewer words (a digit counts as one) per second of speech (by the VAD) than this: the first
# pass stopped early. Whole transcripts of the tune clean fixtures run at 2.0 per second and
# more; the two early stops there at 1.0 and 1.3.
CUT_SHORT_RATE = 1.5


def _cut_short(text: str, speech_s: float) -> bool:
    """Whether ``text`` is too short for ``speech_s`` seconds of speech (at least two)."""
    return speech_s >= 2.0 and len(_UNITS.findall(text)) < CUT_SHORT_RATE * speech_s


class WhisperTranscriber:
    """faster-whisper (CTranslate2) recogniser with domain biasing and phantom guards."""

    def __init__(self, model: WhisperModel, options: SttOptions | None = None,
                 speller: WhisperTranscriber | None = None, side_pool: BoundedExecutor | None = None) -> None:
        """``speller``: another recogniser whose constrained pass runs beside this one's, in
        ``side_pool`` (the service's; one slot per inference worker) or, without one, after it."""
        self.model = model
        self.options = options or SttOptions()
        # Another recogniser that runs the constrained spelling pass instead of this one.
        self.speller = speller
        self.side_pool = side_pool
        self._spelling = SpellingPass(model, self.options)
        self._tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
                                    language=self.options.language if model.model.is_multilingual else None)

    @classmethod
    def load(cls, directory: Path, *, compute_type: str = "int8", cpu_threads: int = 0, workers: int = 1,
             options: SttOptions | None = None, speller: WhisperTranscriber | None = None,
             side_pool: BoundedExecutor | None = None) -> WhisperTranscriber:
        """Load a CTranslate2 Whisper model from a local directory (never from a hub)."""
        model = WhisperModel(str(directory), device="cpu", compute_type=compute_type,
                             cpu_threads=cpu_threads, num_workers=workers, local_files_only=True)
        opts = options or SttOptions()
        if not model.model.is_multilingual:
            opts = dataclasses.replace(opts, language="en")
        return cls(model, opts, speller, side_pool)

    # --- the protocol -----------------------------------------------------------------

    def transcribe(self, audio: np.ndarray, *, partial: bool = False) -> Transcript:
        """Transcribe one utterance; empty :class:`Transcript` for noise, silence or phantoms."""
        o = self.options
        speech_s, refused = self._speech_seconds(audio)
        if refused is not None:
            return refused
        decoded = self._decode(audio, beam_size=1 if partial else o.beam_size)
        kept = [s for s in decoded if self._keep_segment(s)]
        text = joined(kept)
        if not text:
            return self._salvaged(decoded, speech_s)
        confidence = self._confidence(kept)
        if normalise_phrase(text) in PHANTOM_PHRASES and (speech_s < 1.0 or confidence < 0.6):
            return Transcript("", 0.0, dropped="phantom_phrase")
        if not partial and _cut_short(text, speech_s):
            text = self._continued(audio, text)
        return Transcript(text=text, confidence=confidence)

    def _decode(self, audio: np.ndarray, *, beam_size: int, prefix: str | None = None) -> list[Any]:
        o = self.options
        return decode(self.model, audio, o, beam_size=beam_size, prompt=o.prompt, prefix=prefix,
                      no_speech_threshold=o.no_speech_threshold, log_prob_threshold=o.logprob_threshold,
                      compression_ratio_threshold=o.compression_ratio_threshold)

    def _continued(self, audio: np.ndarray, text: str) -> str:
        """The transcript read on past where the first pass stopped.

        tiny.en sometimes ends an utterance early ("Person check, please." over six seconds
        of speech naming a person and a date of birth). Forcing the words it wrote, with a
        comma in place of the full stop, as the prefix makes it read on ("..., please, name
        Akishimizu B. O.B. 15th of March 1960."). The longer text is kept when it is no loop.
        """
        prefix = text.rstrip(" .?!") + ","
        decoded = self._decode(audio, beam_size=1, prefix=prefix)
        kept = [s for s in decoded if self._keep_segment(s)]
        longer = joined(kept)
        if len(longer) <= len(prefix) + 2 or not longer.startswith(prefix):
            return text
        logger.debug("read on past an early stop: %r -> %r", text, longer)
        return longer

    def refine(self, audio: np.ndarray, first: Transcript) -> tuple[str, ...]:
        """Constrained spelling pass: re-decode the utterance with the first pass's words up to
        the plate/licence keyword forced as a prefix, then only spelling words and digits; with
        a ``speller``, its reading too (after this model's)."""
        if not self.options.spelling_pass or not first.text:
            return ()
        if self.speller is None:
            return self._spelling.readings(audio, first.text)
        # Both readings: where they agree they reinforce each other in the parser's n-best,
        # and the registry check looks at both. The two models decode side by side (CTranslate2
        # releases the GIL), so the pair costs about the slower pass, not the sum.
        speller = self.speller
        other = submit_or_run(self.side_pool, lambda: speller.refine(audio, first))
        own = self._spelling.readings(audio, first.text)
        return tuple(dict.fromkeys((*own, *other.result())))

    def score(
        self, audio: np.ndarray, prefix: str, continuations: Sequence[str], context: bool = True
    ) -> list[float]:
        """Forced-alignment log-likelihood of each continuation after ``prefix``.

        The encoder runs once; its output is cut to the frames that hold audio (plus a
        second), which leaves the ranking unchanged on the fixture clips and halves the cost
        of each alignment (about 11 ms for tiny.en on 2 cores). Each continuation is scored
        as the sum of its tokens' log-probabilities with the first pass's prompt as context,
        so candidates of different lengths compete fairly only when each ends in the same
        punctuation (the caller appends it). Without ``context`` the prompt is left out: each
        alignment then costs about half as much (many candidates, such as names on file).
        """
        if not continuations:
            return []
        return self.score_encoded(self.encode_for_scoring(audio), prefix, continuations, context)

    def encode_for_scoring(self, audio: np.ndarray) -> EncodedAudio:
        """The encoder output :meth:`score_encoded` aligns against, cut to the audio plus a second."""
        return encode_window(self.model, audio)

    def score_encoded(
        self, encoded: EncodedAudio, prefix: str, continuations: Sequence[str], context: bool = True
    ) -> list[float]:
        """:meth:`score` against an encoder output from :meth:`encode_for_scoring`."""
        return score_encoded(self.model, self._tokenizer, encoded, prefix, continuations,
                             prompt=self.options.prompt if context else None)

    # --- guards and helpers -----------------------------------------------------------

    def _salvaged(self, decoded: list[Any], speech_s: float) -> Transcript:
        """The words before a decoding loop, when looping is all that was dropped.

        Greedy decoding of noisy radio audio sometimes falls into a loop ("Control, then 28 on
        plate 4.0.0.0.0 ..."); the compression-ratio guard then drops the whole utterance,
        although the words before the loop are real and the spelling pass can read the plate
        from there. They are kept at half the confidence. Silence and phantoms still go.
        """
        looped = [s for s in decoded
                  if float(s.compression_ratio) > self.options.compression_ratio_threshold
                  and not self._silent(s)]
        text = " ".join(cut_loop(s.text.strip()) for s in looped).strip(" ,.")
        if speech_s < 1.0 or len(text.split()) < 2 or normalise_phrase(text) in PHANTOM_PHRASES:
            return Transcript("", 0.0, dropped="no_speech_model")
        logger.debug("kept the words before a decoding loop: %r", text)
        return Transcript(text=text, confidence=0.5 * self._confidence(looped))

    def _speech_seconds(self, audio: np.ndarray) -> tuple[float, Transcript | None]:
        """Seconds of speech the second-opinion VAD finds, or an empty transcript saying why
        the utterance is not worth decoding (too short, no speech)."""
        if len(audio) / INTERNAL_RATE < 0.1:
            return 0.0, Transcript("", 0.0, dropped="too_short")
        speech_s = self._vad_speech_seconds(audio)
        if speech_s < self.options.min_vad_speech_s:
            return speech_s, Transcript("", 0.0, dropped="no_speech_vad")
        return speech_s, None

    def _vad_speech_seconds(self, audio: np.ndarray) -> float:
        stamps = get_speech_timestamps(audio, self.options.vad)
        return sum(s["end"] - s["start"] for s in stamps) / INTERNAL_RATE

    def _silent(self, seg: object) -> bool:
        """The model's no-speech verdict: likely no speech and a low log-probability."""
        o = self.options
        return (float(getattr(seg, "no_speech_prob", 0.0)) > o.no_speech_threshold
                and float(getattr(seg, "avg_logprob", 0.0)) < o.logprob_threshold)

    def _keep_segment(self, seg: object) -> bool:
        ratio = float(getattr(seg, "compression_ratio", 0.0))
        if self._silent(seg):
            return False
        if ratio > self.options.compression_ratio_threshold:
            logger.debug("dropped a repetitive segment (compression ratio %.2f)", ratio)
            return False
        return bool(getattr(seg, "text", "").strip())

    @staticmethod
    def _confidence(segments: list[Any]) -> float:
        """Mean token probability (exp of the length-weighted average log-probability),
        discounted by the no-speech probability."""
        weights = np.array([max(1, len(s.tokens)) for s in segments], dtype=np.float64)
        logprob = float(np.average([min(0.0, s.avg_logprob) for s in segments], weights=weights))
        no_speech = max(float(s.no_speech_prob) for s in segments)
        return float(np.clip(math.exp(logprob) * (1.0 - 0.5 * no_speech), 0.0, 1.0))

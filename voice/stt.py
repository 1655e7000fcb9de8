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
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.vad import VadOptions, get_speech_timestamps

from common.tencodes import PLATE_CHECK, TEN_CODE, ten_code
from voice.codecs import INTERNAL_RATE
from voice.errors import TranscriptionError
from voice.spelling import (
    DOMAIN_PROMPT,
    KEYWORDS,
    LEAD_KEYWORDS,
    PREFIX_FILLERS,
    SPELLING_PROMPT,
    is_spelling_token,
    spelling_words,
)

logger = logging.getLogger(__name__)

_SCORE_MARGIN_FRAMES = 50  # decoder frames (20 ms each) kept after the audio when rescoring
_MAX_PROMPT_TOKENS = 100

PHANTOM_PHRASES = frozenset(
    {
        "thank you", "thanks for watching", "thank you for watching", "thank you so much",
        "please subscribe", "subscribe", "bye", "bye bye", "you", "the end", "so",
        "thank you very much", "subtitles by the amaraorg community", "i'm sorry",
        "thanks for listening", "music", "applause", "silence",
    }
)


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


@dataclass(frozen=True, slots=True)
class EncodedAudio:
    """An utterance's encoder output, kept so that many candidates can be scored in chunks."""

    view: Any  # ctranslate2.StorageView, cut to the audio's frames plus a margin
    num_frames: int


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


def spelled_prefix(text: str) -> str | None:
    """The words before the spelled run, ``""`` when the text starts with one, or ``None``
    when nothing in it looks spelled.

    The prefix runs to the last plate/licence keyword (or, without one, the last "vehicle"
    or an opening "10-28") and on over the filler words after it ("plate for me", "licence
    check on"), which the constrained pass could not write. When nothing follows, the
    recogniser most likely dropped the spelled run, so the whole text is the prefix and the
    constrained pass reads on from there.
    """
    words = text.split()
    bare = [re.sub(r"[^\w]", "", w).lower() for w in words]
    last = next((i for i in reversed(range(len(words))) if KEYWORDS.match(bare[i])), None)
    if last is None:
        last = next((i for i in reversed(range(len(words))) if LEAD_KEYWORDS.match(bare[i])), None)
    if last is None:
        head = " ".join(b or "_" for b in bare[:4])  # one token a word, so spaces count words
        code = next((m for m in TEN_CODE.finditer(head) if ten_code(m) == PLATE_CHECK), None)
        last = head[: code.end()].count(" ") if code else None
    if last is not None:
        end = last + 1
        while end < len(words) and bare[end] in PREFIX_FILLERS and not is_spelling_token(words[end]):
            end += 1
        return " ".join(words[:end]).rstrip(",.")
    run = 0
    for i, word in enumerate(words):
        run = run + 1 if is_spelling_token(word) else 0
        if run == 3:
            return " ".join(words[: i - 2]).rstrip(",.")
    return None


_NUMBER_WORD = re.compile(r"(?:[\s,.]+numbers?)+[\s,.]*$", re.IGNORECASE)


def prefix_variants(prefix: str) -> list[str]:
    """The spelling pass's forced prefixes: ``prefix``, and when it ends in "number" after
    other words, also without it. "Licence number" is a set phrase to the recogniser, which
    writes it for "licence November ..." and "licence Bravo ...": forced, the pass cannot take
    the word back, while without it the pass reads "Bravo double 7 1 2 0 ..." (tune clips l05,
    l10). Both readings go to the parser's n-best, so an officer who did say "number" loses
    nothing."""
    cut = _NUMBER_WORD.sub("", prefix)
    return [prefix, cut] if cut != prefix and cut.strip() else [prefix]


_UNITS = re.compile(r"[A-Za-z']+|\d")
# Fewer words (a digit counts as one) per second of speech (by the VAD) than this: the first
# pass stopped early. Whole transcripts of the tune clean fixtures run at 2.0 per second and
# more; the two early stops there at 1.0 and 1.3.
CUT_SHORT_RATE = 1.5


def _joined(segments: Iterable[Any]) -> str:
    """The segments' texts as one transcript."""
    return " ".join(s.text.strip() for s in segments).strip()


def _cut_short(text: str, speech_s: float) -> bool:
    """Whether ``text`` is too short for ``speech_s`` seconds of speech (at least two)."""
    return speech_s >= 2.0 and len(_UNITS.findall(text)) < CUT_SHORT_RATE * speech_s


_LOOP = re.compile(r"(.{1,16}?)(?:\s*\1){3,}", re.DOTALL | re.IGNORECASE)


def cut_loop(text: str) -> str:
    """``text`` up to and with the first of a unit repeated four or more times in a row
    ("plate 4.0.0.0.0.0" -> "plate 4.0."; "One hand, one hand, one hand, one hand" -> "One hand,")."""
    m = _LOOP.search(text)
    return text[: m.start() + len(m.group(1))] if m else text


def _normalise_phrase(text: str) -> str:
    return re.sub(r"[^a-z' ]", "", text.lower()).strip()


# Runs the second spelling model's pass beside the first (WhisperTranscriber.refine). Refines
# run inside the service's bounded inference pool, so at most one extra decode per pool worker.
_SPELLERS = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="speller")


def _words_and_digits(text: str) -> list[str]:
    """Words and single digits, to tell a new reading from the first ("4450" is "4 4 5 0")."""
    return re.findall(r"[a-z']+|\d", text.lower())


class WhisperTranscriber:
    """faster-whisper (CTranslate2) recogniser with domain biasing and phantom guards."""

    def __init__(self, model: WhisperModel, options: SttOptions | None = None,
                 speller: WhisperTranscriber | None = None) -> None:
        self.model = model
        self.options = options or SttOptions()
        # Another recogniser that runs the constrained spelling pass instead of this one.
        self.speller = speller
        self._suppress: list[int] | None = None
        self._suppress_lock = threading.Lock()
        self._tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
                                    language=self.options.language if model.model.is_multilingual else None)

    @classmethod
    def load(cls, directory: Path, *, compute_type: str = "int8", cpu_threads: int = 0, workers: int = 1,
             options: SttOptions | None = None, speller: WhisperTranscriber | None = None
             ) -> WhisperTranscriber:
        """Load a CTranslate2 Whisper model from a local directory (never from a hub)."""
        model = WhisperModel(str(directory), device="cpu", compute_type=compute_type,
                             cpu_threads=cpu_threads, num_workers=workers, local_files_only=True)
        opts = options or SttOptions()
        if not model.model.is_multilingual:
            opts = dataclasses.replace(opts, language="en")
        return cls(model, opts, speller)

    # --- the protocol -----------------------------------------------------------------

    def transcribe(self, audio: np.ndarray, *, partial: bool = False) -> Transcript:
        """Transcribe one utterance; empty :class:`Transcript` for noise, silence or phantoms."""
        o = self.options
        speech_s, refused = self._speech_seconds(audio)
        if refused is not None:
            return refused
        decoded = self._decode(audio, beam_size=1 if partial else o.beam_size)
        kept = [s for s in decoded if self._keep_segment(s)]
        text = _joined(kept)
        if not text:
            return self._salvaged(decoded, speech_s)
        confidence = self._confidence(kept)
        if _normalise_phrase(text) in PHANTOM_PHRASES and (speech_s < 1.0 or confidence < 0.6):
            return Transcript("", 0.0, dropped="phantom_phrase")
        if not partial and _cut_short(text, speech_s):
            text = self._continued(audio, text)
        return Transcript(text=text, confidence=confidence)

    def _decode(self, audio: np.ndarray, *, beam_size: int, prefix: str | None = None) -> list[Any]:
        o = self.options
        try:
            segments, _info = self.model.transcribe(
                audio,
                language=o.language,
                beam_size=beam_size,
                temperature=0.0,
                initial_prompt=o.prompt,
                prefix=prefix,
                condition_on_previous_text=False,
                without_timestamps=True,
                no_speech_threshold=o.no_speech_threshold,
                log_prob_threshold=o.logprob_threshold,
                compression_ratio_threshold=o.compression_ratio_threshold,
                max_new_tokens=int(16 + o.tokens_per_second * len(audio) / INTERNAL_RATE),
                vad_filter=False,
            )
            return list(segments)  # consumes the lazy generator here
        except (RuntimeError, ValueError) as err:
            raise TranscriptionError("speech recognition failed on this utterance") from err

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
        longer = _joined(kept)
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
            return self._spelling_pass(audio, first)
        # Both readings: where they agree they reinforce each other in the parser's n-best,
        # and the registry check looks at both. The two models decode side by side (CTranslate2
        # releases the GIL), so the pair costs about the slower pass, not the sum.
        other = _SPELLERS.submit(self.speller.refine, audio, first)
        own = self._spelling_pass(audio, first)
        return tuple(dict.fromkeys((*own, *other.result())))

    def _spelling_pass(self, audio: np.ndarray, first: Transcript) -> tuple[str, ...]:
        prefix = spelled_prefix(first.text)
        if prefix is None:
            return ()
        duration = len(audio) / INTERNAL_RATE
        readings = []
        for forced in prefix_variants(prefix):
            try:
                segments, _ = self.model.transcribe(
                    audio,
                    language=self.options.language,
                    beam_size=self.options.spelling_beam,
                    temperature=0.0,
                    initial_prompt=SPELLING_PROMPT,
                    prefix=forced or None,
                    condition_on_previous_text=False,
                    without_timestamps=True,
                    suppress_tokens=self._spelling_suppress(),
                    suppress_blank=True,
                    max_new_tokens=int(16 + self.options.tokens_per_second * duration),
                    vad_filter=False,
                )
                reading = cut_loop(_joined(segments))
            except (RuntimeError, ValueError) as err:
                raise TranscriptionError("spelling pass failed on this utterance") from err
            if reading and _words_and_digits(reading) != _words_and_digits(first.text):
                readings.append(reading)
        return tuple(dict.fromkeys(readings))

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
        features = self.model.feature_extractor(audio)
        content = int(features.shape[-1])
        padded = np.ascontiguousarray(pad_or_trim(features)[None], dtype=np.float32)
        try:
            output = self.model.model.encode(ctranslate2.StorageView.from_array(padded), to_cpu=True)
            encoded = np.array(output)
        except (RuntimeError, ValueError) as err:
            raise TranscriptionError("rescoring failed on this utterance") from err
        frames = min(encoded.shape[1], content // 2 + _SCORE_MARGIN_FRAMES)
        view = ctranslate2.StorageView.from_array(np.ascontiguousarray(encoded[:, :frames]))
        return EncodedAudio(view, max(1, min(content // 2, frames)))

    def score_encoded(
        self, encoded: EncodedAudio, prefix: str, continuations: Sequence[str], context: bool = True
    ) -> list[float]:
        """:meth:`score` against an encoder output from :meth:`encode_for_scoring`."""
        tk = self._tokenizer
        start = [*tk.sot_sequence, tk.no_timestamps]
        if context:
            prompt = tk.encode(" " + self.options.prompt.strip())[-_MAX_PROMPT_TOKENS:]
            start = [tk.sot_prev, *prompt, *start]
        head = tk.encode(" " + prefix.strip()) if prefix.strip() else []
        scores = []
        try:
            for text in continuations:
                tail = tk.encode(" " + text.strip())
                result = self.model.model.align(encoded.view, start, [head + tail], encoded.num_frames)
                probs = np.asarray(result[0].text_token_probs[len(head) : len(head) + len(tail)], np.float64)
                scores.append(float(np.log(np.maximum(probs, 1e-6)).sum()))
        except (RuntimeError, ValueError) as err:
            raise TranscriptionError("rescoring failed on this utterance") from err
        return scores

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
        if speech_s < 1.0 or len(text.split()) < 2 or _normalise_phrase(text) in PHANTOM_PHRASES:
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

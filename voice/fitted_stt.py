"""The project's own recogniser (trained by :mod:`training`), decoded at the utterance's length.

The fitted model is Whisper tiny.en with a decoder retrained on radio queries. It was trained
on encoder output of the utterance's own length (:func:`utterance_features`) rather than
Whisper's fixed 30-second window, so here too the encoder runs on the utterance only: about
a sixth of the window for a five-second query, which is most of the latency. Decoding is one
CTranslate2 ``generate`` call with the same domain prompt the model was trained under; its
other beam hypotheses go to the parser's n-best as alternatives. The constrained spelling
passes of :class:`voice.stt.WhisperTranscriber` are not needed (``refine`` returns nothing):
the model spells by itself. The phantom guards are the same: the second-opinion VAD, the
no-speech and log-probability verdict, repetition loops and the phantom-phrase list; and one
more, for a decoder trained mostly on queries: text with more words than the speech could
hold (a whole person check written for a one-word "Affirmative") is dropped
(:data:`MAX_WORDS_PER_S`).
"""

from __future__ import annotations

import math
import re
import zlib
from typing import Any

import ctranslate2
import numpy as np
from rapidfuzz import fuzz

from common.vocabulary import ALPHABET_WORDS, DIGIT_WORDS
from voice.alignment import EncodedAudio
from voice.codecs import INTERNAL_RATE
from voice.decoding import PHANTOM_PHRASES, cut_loop, normalise_phrase
from voice.errors import TranscriptionError
from voice.stt import Transcript, WhisperTranscriber

TAIL_S = 0.3  # silence appended to every utterance before its features are taken
MAX_FRAMES = 3000  # Whisper's window: longer audio is cut (an utterance is seconds long)
# Words (a number counts once) per second of the speech the VAD found, plus two: the fastest
# of the fixture and evaluation clips' own texts is 4.5 words a second ("No." in 0.22 s).
MAX_WORDS_PER_S = 6.0
_WORDS = re.compile(r"[A-Za-z']+|\d+")


def once_each(text: str) -> str:
    """``text`` without a sentence that (nearly) repeats an earlier one: a decoder looping on
    a whole sentence, which the short-unit loop cut does not see, rarely repeats it exactly."""
    kept: list[str] = []
    for sentence in (p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p):
        if not any(fuzz.ratio(sentence.lower(), k.lower()) >= 85 for k in kept):
            kept.append(sentence)
    return " ".join(kept)


def runs_on(text: str, speech_s: float, rate: float | None = None) -> bool:
    """Whether ``text`` has more words than ``speech_s`` seconds of speech can hold
    (``rate`` words a second, :data:`MAX_WORDS_PER_S` by default; 0 turns the guard off)."""
    rate = MAX_WORDS_PER_S if rate is None else rate
    return rate > 0 and len(_WORDS.findall(text)) > rate * speech_s + 2


_VALUE_WORDS = frozenset(w.lower() for w in (*ALPHABET_WORDS, *DIGIT_WORDS))


def says_a_value(text: str) -> bool:
    """Whether ``text`` holds a digit, a number word or a spelling-alphabet word."""
    return any(ch.isdigit() for ch in text) or any(
        w in _VALUE_WORDS for w in re.findall(r"[a-z]+(?:-[a-z]+)?", text.lower()))


def utterance_features(extractor: Any, audio: np.ndarray) -> np.ndarray:
    """Log-mel features of ``audio`` plus a short silent tail, an even number of frames (the
    encoder halves the frame rate), at most Whisper's 30-second window."""
    tail = np.zeros(int(TAIL_S * INTERNAL_RATE), np.float32)
    padded = np.concatenate([np.asarray(audio, np.float32), tail])
    feats = np.asarray(extractor(padded), dtype=np.float32)
    frames = min(MAX_FRAMES, feats.shape[-1] - feats.shape[-1] % 2)
    return np.ascontiguousarray(feats[:, :frames])


def _compression_ratio(text: str) -> float:
    raw = text.encode("utf-8")
    return len(raw) / max(1, len(zlib.compress(raw)))


class FittedTranscriber(WhisperTranscriber):
    """:class:`voice.stt.WhisperTranscriber` for the fitted model: utterance-length encoding,
    one beam search with alternatives, no spelling passes."""

    hypotheses = 3

    def _encode(self, audio: np.ndarray) -> tuple[Any, int]:
        feats = utterance_features(self.model.feature_extractor, audio)
        try:
            view = self.model.model.encode(ctranslate2.StorageView.from_array(feats[None]), to_cpu=False)
        except (RuntimeError, ValueError) as err:
            raise TranscriptionError("speech recognition failed on this utterance") from err
        return view, feats.shape[-1] // 2

    def _prompt(self) -> list[int]:
        tk = self._tokenizer
        prompt = tk.encode(" " + self.options.prompt.strip())[-223:]
        return [tk.sot_prev, *prompt, *tk.sot_sequence, tk.no_timestamps]

    def transcribe(self, audio: np.ndarray, *, partial: bool = False) -> Transcript:
        """Transcribe one utterance; empty :class:`Transcript` for noise, silence or phantoms."""
        o = self.options
        duration = len(audio) / INTERNAL_RATE
        speech_s, refused = self._speech_seconds(audio)
        if refused is not None:
            return refused
        encoded, _ = self._encode(audio)
        prompt = self._prompt()
        beam = 1 if partial else max(o.beam_size, self.hypotheses)
        try:
            results = self.model.model.generate(
                encoded, [prompt], beam_size=beam, num_hypotheses=1 if partial else self.hypotheses,
                return_scores=True, return_no_speech_prob=True, suppress_blank=True,
                max_length=len(prompt) + int(16 + o.tokens_per_second * duration))
        except (RuntimeError, ValueError) as err:
            raise TranscriptionError("speech recognition failed on this utterance") from err
        result = results[0]
        texts = [self._tokenizer.decode([t for t in ids if t < self._tokenizer.eot]).strip()
                 for ids in result.sequences_ids]
        lengths = [max(1, len(ids)) for ids in result.sequences_ids]
        # CTranslate2's score is the log-probability divided by the length (length_penalty 1).
        avg_logprob = float(result.scores[0]) * lengths[0] / (lengths[0] + 1)
        no_speech = float(result.no_speech_prob)
        text = texts[0]
        if no_speech > o.no_speech_threshold and avg_logprob < o.logprob_threshold:
            return Transcript("", 0.0, dropped="no_speech_model")
        if _compression_ratio(text) > o.compression_ratio_threshold:
            text = cut_loop(text)
        if not text:
            return Transcript("", 0.0, dropped="no_speech_model")
        confidence = float(np.clip(math.exp(min(0.0, avg_logprob)) * (1.0 - 0.5 * no_speech), 0.0, 1.0))
        if normalise_phrase(text) in PHANTOM_PHRASES and (speech_s < 1.0 or confidence < 0.6):
            return Transcript("", 0.0, dropped="phantom_phrase")
        text = once_each(text)
        if runs_on(text, speech_s):
            return Transcript("", 0.0, dropped="too_many_words")
        # A beam alternative may read a value differently, not add one the best hypothesis
        # does not hear at all ("run licence check" beside "... check 8 0 0 0 0 0").
        valued = says_a_value(text)
        alternatives = tuple(dict.fromkeys(t for t in texts[1:] if t and t != text
                                           and (valued or not says_a_value(t))))
        return Transcript(text=text, confidence=confidence, alternatives=alternatives)

    def refine(self, audio: np.ndarray, first: Transcript) -> tuple[str, ...]:
        """Nothing: the fitted model needs no constrained spelling pass."""
        return ()

    def encode_for_scoring(self, audio: np.ndarray) -> EncodedAudio:
        """The utterance's encoder output, as the model was trained on it."""
        view, frames = self._encode(audio)
        return EncodedAudio(view, max(1, frames))


__all__ = ["FittedTranscriber", "utterance_features"]

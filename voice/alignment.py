"""Forced alignment: how well the audio supports each candidate text after a prefix.

Used for second looks at an utterance (plate readings, names on file): the encoder runs
once, its output is cut to the frames that hold audio (plus a margin), and each
continuation is scored as the sum of its tokens' log-probabilities. Blocking: run it in a
worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer

from voice.errors import TranscriptionError

_SCORE_MARGIN_FRAMES = 50  # decoder frames (20 ms each) kept after the audio when rescoring
_MAX_PROMPT_TOKENS = 100


@dataclass(frozen=True, slots=True)
class EncodedAudio:
    """An utterance's encoder output, kept so that many candidates can be scored in chunks."""

    view: Any  # ctranslate2.StorageView, cut to the audio's frames plus a margin
    num_frames: int


def encode_window(model: WhisperModel, audio: np.ndarray) -> EncodedAudio:
    """The encoder output over Whisper's 30-second window, cut to the audio plus a second."""
    features = model.feature_extractor(audio)
    content = int(features.shape[-1])
    padded = np.ascontiguousarray(pad_or_trim(features)[None], dtype=np.float32)
    try:
        output = model.model.encode(ctranslate2.StorageView.from_array(padded), to_cpu=True)
        encoded = np.array(output)
    except (RuntimeError, ValueError) as err:
        raise TranscriptionError("rescoring failed on this utterance") from err
    frames = min(encoded.shape[1], content // 2 + _SCORE_MARGIN_FRAMES)
    view = ctranslate2.StorageView.from_array(np.ascontiguousarray(encoded[:, :frames]))
    return EncodedAudio(view, max(1, min(content // 2, frames)))


def score_encoded(model: WhisperModel, tokenizer: Tokenizer, encoded: EncodedAudio, prefix: str,
                  continuations: Sequence[str], *, prompt: str | None) -> list[float]:
    """Log-likelihood of each continuation after ``prefix`` (higher is better), with
    ``prompt`` as the context before it (None: no context, about half the cost)."""
    tk = tokenizer
    start = [*tk.sot_sequence, tk.no_timestamps]
    if prompt is not None:
        context = tk.encode(" " + prompt.strip())[-_MAX_PROMPT_TOKENS:]
        start = [tk.sot_prev, *context, *start]
    head = tk.encode(" " + prefix.strip()) if prefix.strip() else []
    scores = []
    try:
        for text in continuations:
            tail = tk.encode(" " + text.strip())
            result = model.model.align(encoded.view, start, [head + tail], encoded.num_frames)
            probs = np.asarray(result[0].text_token_probs[len(head) : len(head) + len(tail)], np.float64)
            scores.append(float(np.log(np.maximum(probs, 1e-6)).sum()))
    except (RuntimeError, ValueError) as err:
        raise TranscriptionError("rescoring failed on this utterance") from err
    return scores

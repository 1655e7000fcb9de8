"""Batches for decoder training: corpus clips through a random channel, as log-mel
features of the utterance's own length (with SpecAugment), encoded by the CTranslate2
encoder, with their token targets. The features are those the service computes
(:func:`voice.fitted_stt.utterance_features`), so training and service agree."""

from __future__ import annotations

import json
import random
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ctranslate2
import numpy as np
import soundfile as sf
from faster_whisper import WhisperModel
from scipy.signal import resample_poly

from training.corpus.channel import radio
from voice.fitted_stt import utterance_features
from voice.spelling import DOMAIN_PROMPT

MAX_PROMPT = 223  # faster-whisper keeps the last max_length // 2 - 1 prompt tokens


@dataclass(frozen=True, slots=True)
class Entry:
    """One clip of a corpus."""

    path: Path
    target: str
    kind: str


def read_corpus(directories: list[Path]) -> list[Entry]:
    """Every clip of the corpora in ``directories`` (each holds a ``manifest.jsonl``)."""
    entries = []
    for directory in directories:
        for line in (directory / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            entries.append(Entry(directory / row["file"], row["target"], row["kind"]))
    return entries


def split(entries: list[Entry], val_share: float = 0.03) -> tuple[list[Entry], list[Entry]]:
    """Train and validation parts, by a hash of the file name (stable as a corpus grows)."""
    val = [e for e in entries if zlib.crc32(str(e.path).encode()) % 1000 < val_share * 1000]
    held = set(map(id, val))
    return [e for e in entries if id(e) not in held], val


class Batcher:
    """Turns entries into (encoder output, input tokens, target tokens, loss mask)."""

    def __init__(self, model: WhisperModel, *, augment: bool = True, encode: bool = True) -> None:
        self.model = model
        self.augment = augment
        self.encode = encode  # False: the batch carries log-mel ``features`` for a trained encoder
        tok = model.hf_tokenizer
        self.eot = tok.token_to_id("<|endoftext|>")
        sot, sot_prev = tok.token_to_id("<|startoftranscript|>"), tok.token_to_id("<|startofprev|>")
        no_ts = tok.token_to_id("<|notimestamps|>")
        prompt = tok.encode(" " + DOMAIN_PROMPT.strip(), add_special_tokens=False).ids[-MAX_PROMPT:]
        # The service decodes with the domain prompt as previous text (voice.stt).
        self.start = [sot_prev, *prompt, sot, no_ts]
        self.tokenizer = tok

    def tokens(self, text: str) -> list[int]:
        return [*self.tokenizer.encode(" " + text.strip(), add_special_tokens=False).ids, self.eot]

    def _audio(self, entry: Entry, rng: np.random.Generator, others: list[np.ndarray]) -> np.ndarray:
        audio, _ = sf.read(str(entry.path), dtype="float32", always_2d=False)
        if not self.augment:
            return audio
        if rng.random() < 0.5:  # speed perturbation (tempo and pitch together)
            up = int(rng.integers(90, 111))
            audio = resample_poly(audio, 100, up).astype(np.float32)
        return radio(audio, rng, others)

    def _features(self, audio: np.ndarray, length: int, rng: np.random.Generator) -> np.ndarray:
        # Trailing silence up to the batch's longest clip: the service hears such tails too.
        padded = np.pad(audio, (0, max(0, length - len(audio))))
        feats = utterance_features(self.model.feature_extractor, padded)
        content = min(feats.shape[-1], len(audio) // 160)
        if self.augment and rng.random() < 0.5:  # SpecAugment inside the speech
            low = float(feats.min())
            for _ in range(2):
                f = int(rng.integers(0, 10))
                f0 = int(rng.integers(0, 80 - f))
                feats[f0:f0 + f, :content] = low
                t = int(rng.integers(0, max(1, min(40, content // 8))))
                t0 = int(rng.integers(0, max(1, content - t)))
                feats[:, t0:t0 + t] = low
        return feats

    def batch(self, entries: list[Entry], seed: int) -> dict[str, Any]:
        rng = np.random.default_rng(seed)
        picks = random.Random(seed).sample(entries, min(4, len(entries)))
        others = [sf.read(str(e.path), dtype="float32")[0] for e in picks]
        clips = [self._audio(e, rng, others) for e in entries]
        length = max(map(len, clips))
        feats = np.stack([self._features(c, length, rng) for c in clips]).astype(np.float32)
        rows = [self.start + self.tokens(e.target) for e in entries]
        width = max(map(len, rows))
        inputs = np.full((len(rows), width - 1), self.eot, dtype=np.int64)
        targets = np.full((len(rows), width - 1), self.eot, dtype=np.int64)
        mask = np.zeros((len(rows), width - 1), dtype=bool)
        for i, row in enumerate(rows):
            inputs[i, : len(row) - 1] = row[:-1]
            targets[i, : len(row) - 1] = row[1:]
            mask[i, len(self.start) - 1 : len(row) - 1] = True
        heard: dict[str, Any] = {"features": feats}
        if self.encode:
            view = ctranslate2.StorageView.from_array(np.ascontiguousarray(feats))
            heard = {"memory": np.array(self.model.model.encode(view, to_cpu=True))}
        return {**heard, "inputs": inputs, "targets": targets, "mask": mask}

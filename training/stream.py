"""The data side of :mod:`training.remote`: a pack's utterances rendered as they are drawn
(espeak-ng from the pack, or the system's), piper's clips from the pack, each through a fresh
:func:`training.corpus.channel.radio`, in worker processes; log-mel features and SpecAugment
on the training device, as :mod:`faster_whisper`'s extractor and :mod:`training.data` compute
them. Needs numpy, scipy and PyTorch alone."""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import random
import shutil
import subprocess
import tarfile
import tempfile
import wave
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy.signal import resample_poly
from torch.utils.data import IterableDataset

from training.corpus.channel import RATE, from_mulaw_codes, prepared, radio
from training.int8 import dequantise

logger = logging.getLogger(__name__)

TAIL_S = 0.3  # voice.fitted_stt.TAIL_S: the silence the service appends before features
MAX_FRAMES = 3000  # voice.fitted_stt.MAX_FRAMES
N_FFT, HOP = 400, 160


@dataclass(frozen=True, slots=True)
class Speaker:
    """An espeak-ng binary and the environment it runs in."""

    binary: str
    env: dict[str, str]


def _ar_members(path: Path) -> Iterator[tuple[str, bytes]]:
    data = path.read_bytes()  # a Debian package is an ar archive
    if data[:8] != b"!<arch>\n":
        raise ValueError(f"{path} is not a Debian package")
    pos = 8
    while pos + 60 <= len(data):
        name, size = data[pos:pos + 16].decode().strip().rstrip("/"), int(data[pos + 48:pos + 58])
        yield name, data[pos + 60:pos + 60 + size]
        pos += 60 + size + size % 2


def _keep(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    if member.issym() and member.linkname.startswith("/"):
        return None  # links into the host's own /usr: not needed under the unpacked root
    return tarfile.data_filter(member, dest)


def install_espeak(pack: Path, root: Path) -> Speaker:
    """espeak-ng from the pack's ``debs/``, unpacked under ``root``; the system's without them."""
    debs = pack / "debs"
    if not debs.is_dir():
        return Speaker(shutil.which("espeak-ng") or "espeak-ng", dict(os.environ))
    for deb in sorted(debs.glob("*.deb")):
        for name, blob in _ar_members(deb):
            if name.startswith("data.tar"):
                with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
                    tar.extractall(root, filter=_keep)
    lib = root / "usr/lib/x86_64-linux-gnu"
    shutil.copyfile(debs / "libpcaudio.so.0", lib / "libpcaudio.so.0")
    env = {**os.environ, "LD_LIBRARY_PATH": str(lib), "ESPEAK_DATA_PATH": str(lib)}
    return Speaker(str(root / "usr/bin/espeak-ng"), env)


def speak(speaker: Speaker, row: dict[str, Any], scratch: Path) -> np.ndarray | None:
    """One plan row as 16 kHz float32, prepared as the corpus prepares its clips."""
    path = scratch / f"{os.getpid()}.wav"
    subprocess.run([speaker.binary, "-v", row["voice"], "-s", str(row["wpm"]), "-p", str(row["pitch"]),
                    "-w", str(path), row["text"]], env=speaker.env, check=True, capture_output=True,
                   timeout=30)
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        audio = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768.0
    g = gcd(RATE, rate)
    return prepared(np.asarray(resample_poly(audio, RATE // g, rate // g), dtype=np.float32))


class Pack:
    """A pack on disk: plan rows, piper clips, start weights, prompt."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        with gzip.open(path / "plan.jsonl.gz", "rt", encoding="utf-8") as fh:
            self.rows = [json.loads(line) for line in fh]
        self.piper: list[tuple[np.ndarray, list[int]]] = []
        if (path / "piper.npz").is_file():
            with np.load(path / "piper.npz") as p:
                cuts, id_cuts = np.cumsum(p["lengths"])[:-1], np.cumsum(p["id_lengths"])[:-1]
                self.piper = [(codes, ids.tolist()) for codes, ids in
                              zip(np.split(p["audio"], cuts), np.split(p["ids"], id_cuts), strict=True)]

    def weights(self) -> dict[str, np.ndarray]:
        with np.load(self.path / "weights.npz") as stored:
            return dequantise({k: stored[k] for k in stored.files})


def piper_audio(codes: np.ndarray) -> np.ndarray:
    return np.asarray(resample_poly(from_mulaw_codes(codes), 2, 1), dtype=np.float32)


def collate(clips: list[np.ndarray], ids: list[list[int]], start: list[int], eot: int) -> dict[str, Any]:
    """Zero-padded audio and the decoder's (inputs, targets, mask), as training.data does."""
    audio = np.zeros((len(clips), max(map(len, clips))), dtype=np.float32)
    for i, c in enumerate(clips):
        audio[i, : len(c)] = c
    rows = [start + list(t) for t in ids]
    width = max(map(len, rows))
    inputs = np.full((len(rows), width - 1), eot, dtype=np.int64)
    targets = np.full((len(rows), width - 1), eot, dtype=np.int64)
    mask = np.zeros((len(rows), width - 1), dtype=bool)
    for i, row in enumerate(rows):
        inputs[i, : len(row) - 1] = row[:-1]
        targets[i, : len(row) - 1] = row[1:]
        mask[i, len(start) - 1 : len(row) - 1] = True
    return {"audio": audio, "lengths": np.array([len(c) for c in clips]), "inputs": inputs,
            "targets": targets, "mask": mask}


class Batches(IterableDataset):
    """An endless stream of batches; each worker draws from its own seed."""

    def __init__(self, pack: Pack, speaker: Speaker, *, batch: int, seed: int, piper_share: float,
                 augment: bool = True) -> None:
        super().__init__()
        self.pack, self.speaker, self.batch, self.seed = pack, speaker, batch, seed
        self.piper_share = piper_share if pack.piper else 0.0
        self.augment = augment

    def draw(self, rng: np.random.Generator, pick: random.Random, recent: deque[np.ndarray],
             scratch: Path) -> tuple[np.ndarray, list[int]]:
        while True:
            if rng.random() < self.piper_share:
                codes, ids = pick.choice(self.pack.piper)
                audio: np.ndarray | None = piper_audio(codes)
            else:
                row = pick.choice(self.pack.rows)
                audio, ids = speak(self.speaker, row, scratch), row["ids"]
            if audio is not None:
                break
        recent.append(audio)
        if self.augment:
            if rng.random() < 0.5:  # speed perturbation, as training.data
                audio = resample_poly(audio, 100, int(rng.integers(90, 111))).astype(np.float32)
            audio = radio(audio, rng, list(recent))
        return audio, ids

    def __iter__(self) -> Iterator[dict[str, Any]]:
        info = torch.utils.data.get_worker_info()
        worker = info.id if info is not None else 0
        rng, pick = np.random.default_rng([self.seed, worker]), random.Random(self.seed * 1009 + worker)
        recent: deque[np.ndarray] = deque(maxlen=8)
        start, eot = self.pack.meta["start"], self.pack.meta["eot"]
        with tempfile.TemporaryDirectory() as tmp:
            while True:
                drawn = [self.draw(rng, pick, recent, Path(tmp)) for _ in range(self.batch)]
                yield collate([a for a, _ in drawn], [i for _, i in drawn], start, eot)


def log_mel(audio: torch.Tensor, filters: torch.Tensor) -> torch.Tensor:
    """(B, samples) -> (B, 80, frames): :func:`voice.fitted_stt.utterance_features` per row."""
    x = torch.nn.functional.pad(audio.float(), (0, int(TAIL_S * RATE) + HOP))
    window = torch.hann_window(N_FFT, periodic=True, device=audio.device)
    spec = torch.stft(x, N_FFT, HOP, window=window, center=True, pad_mode="reflect", return_complex=True)
    mel = filters @ spec[..., :-1].abs() ** 2
    log = torch.clamp(mel, min=1e-10).log10()
    log = torch.maximum(log, log.amax(dim=(1, 2), keepdim=True) - 8.0)
    frames = min(MAX_FRAMES, log.shape[-1] - log.shape[-1] % 2)
    return ((log + 4.0) / 4.0)[..., :frames].contiguous()


def spec_augment(feats: torch.Tensor, lengths: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Half the rows get two frequency and two time masks inside their speech."""
    def draw(high: int) -> int:
        return int(torch.randint(0, max(1, high), (1,), generator=gen))

    for i in range(feats.shape[0]):
        if draw(2) == 0:
            continue
        content = min(feats.shape[-1], int(lengths[i]) // HOP)
        low = feats[i].min()
        for _ in range(2):
            f = draw(10)
            f0 = draw(80 - f)
            feats[i, f0:f0 + f, :content] = low
            t = draw(min(40, content // 8))
            t0 = draw(content - t)
            feats[i, :, t0:t0 + t] = low
    return feats

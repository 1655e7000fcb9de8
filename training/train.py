"""Fine-tune Whisper's decoder on the corpus, against the frozen CTranslate2 int8 encoder.

    python -m training asr --corpus var/corpus/v1 --out var/train/run1 --steps 1200

Each step draws a batch, passes it through a fresh random channel, encodes it with the int8
encoder (as in service) and takes one AdamW step on the decoder's blocks (the embeddings,
tied to the output projection, stay frozen). With ``encoder_layers`` K > 0 the encoder runs in
PyTorch instead (:mod:`training.encoder`, float32 as CTranslate2's float32 path computes it)
and its last K blocks and final norm train with the decoder. Validation loss on a fixed slice (same channel
seeds every time) is logged, and the trained tensors are saved, every ``eval_every`` steps as
``step-NNNNNN.npz``. Runs on 2 CPU cores (bfloat16 autocast where the CPU computes it,
:func:`training.decoder.autocast`); on a CUDA device when present
the decoder runs there.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from faster_whisper import WhisperModel

from models.ct2_file import read_model
from training.data import Batcher, Entry, split
from training.decoder import WhisperDecoder, autocast, token_loss
from training.encoder import WhisperEncoder

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TrainOptions:
    """Hyper-parameters of one run."""

    steps: int = 1200
    batch: int = 16
    lr: float = 3e-5
    warmup: int = 50
    weight_decay: float = 0.01
    eval_every: int = 200
    val_clips: int = 64
    seed: int = 0
    threads: int = 2
    augment: bool = True
    encoder_layers: int = 0  # the last K encoder blocks train too (0: the int8 encoder, frozen)


def _lr(step: int, o: TrainOptions) -> float:
    if step < o.warmup:
        return o.lr * (step + 1) / o.warmup
    return o.lr * max(0.05, 1 - (step - o.warmup) / max(1, o.steps - o.warmup))


def _loss(model: WhisperDecoder, batch: dict[str, np.ndarray], device: str,
          encoder: WhisperEncoder | None = None) -> torch.Tensor:
    inputs, targets, mask = (torch.from_numpy(batch[k]).to(device) for k in ("inputs", "targets", "mask"))
    with autocast(device):
        if encoder is None:
            memory = torch.from_numpy(batch["memory"]).to(device).float()
        else:
            memory = encoder(torch.from_numpy(batch["features"]).to(device)).float()
        return token_loss(model, inputs, memory, targets, mask)


def evaluate(model: WhisperDecoder, batcher: Batcher, val: list[Entry], device: str,
             encoder: WhisperEncoder | None = None) -> float:
    """Mean validation loss; the channel seeds are fixed, so runs compare."""
    modules = [m for m in (model, encoder) if m is not None]
    for m in modules:
        m.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(val), 16):
            chunk = val[i:i + 16]
            total += float(_loss(model, batcher.batch(chunk, seed=10_000 + i), device, encoder)) * len(chunk)
            n += len(chunk)
    for m in modules:
        m.train()
    return total / max(1, n)


def train(base_dir: Path, entries: list[Entry], out: Path, options: TrainOptions,
          resume: Path | None = None) -> Path:
    """Train; return the path of the last checkpoint."""
    o = options
    torch.manual_seed(o.seed)
    torch.set_num_threads(o.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out.mkdir(parents=True, exist_ok=True)
    (out / "options.json").write_text(json.dumps(asdict(o), indent=1) + "\n", encoding="utf-8")
    variables = read_model(base_dir / "model.bin").variables
    if resume is not None:
        with np.load(resume) as delta:
            variables = {**variables, **{k: delta[k].astype(np.float32) for k in delta.files}}
    model = WhisperDecoder.from_ct2(variables).to(device)
    model.freeze_embeddings()
    audio: WhisperEncoder | None = None
    if o.encoder_layers:
        audio = WhisperEncoder.from_ct2(variables).to(device)
        audio.train_last(o.encoder_layers)
    params = [p for m in (model, audio) if m is not None for p in m.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=o.lr, weight_decay=o.weight_decay)
    encoder = WhisperModel(str(base_dir), device="cpu", compute_type="int8", cpu_threads=o.threads,
                           local_files_only=True)
    train_set, val = split(entries)
    val = val[: o.val_clips]
    batcher = Batcher(encoder, augment=o.augment, encode=audio is None)
    clean = Batcher(encoder, augment=False, encode=audio is None)
    rng = random.Random(o.seed)
    # Audio, channel and encoder run in a thread while the decoder trains (both release the GIL).
    ready: queue.Queue[dict[str, np.ndarray]] = queue.Queue(maxsize=2)

    def produce() -> None:
        for step in range(o.steps):
            ready.put(batcher.batch(rng.sample(train_set, o.batch), seed=o.seed * 1_000_003 + step))

    threading.Thread(target=produce, daemon=True, name="batches").start()
    log = (out / "log.jsonl").open("a", encoding="utf-8")
    last = out / "step-000000.npz"
    started, running = time.monotonic(), 0.0
    for step in range(1, o.steps + 1):
        for group in optim.param_groups:
            group["lr"] = _lr(step - 1, o)
        loss = _loss(model, ready.get(), device, audio)
        optim.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optim.step()
        value = float(loss.detach())
        running = 0.9 * running + 0.1 * value if step > 1 else value
        if step % 10 == 0:
            logger.info("step %d loss %.3f (%.1f s/step)", step, running, (time.monotonic() - started) / step)
        if step % o.eval_every == 0 or step == o.steps:
            record = {"step": step, "train_loss": round(running, 4),
                      "val_loss": round(evaluate(model, batcher, val, device, audio), 4),
                      "val_loss_clean": round(evaluate(model, clean, val, device, audio), 4),
                      "s_per_step": round((time.monotonic() - started) / step, 2)}
            logger.info("%s", record)
            log.write(json.dumps(record) + "\n")
            log.flush()
            last = out / f"step-{step:06d}.npz"
            tensors: dict[str, Any] = {**model.trained_tensors(),
                                       **(audio.trained_tensors() if audio is not None else {})}
            np.savez(last, **tensors)
    log.close()
    return last

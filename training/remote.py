"""Train the recogniser from a :mod:`training.pack`, on the machine that runs this: CUDA when
it has it, else the CPU. Needs PyTorch, numpy and scipy alone.

    python -m training.remote var/pack --out OUT --minutes 7

Workers render and degrade the audio (:mod:`training.stream`); each step takes log-mel
features on the device and one AdamW step over the whole encoder (its sinusoidal positions
apart) and the decoder's blocks (the tied embeddings stay frozen, as in
:mod:`training.train`). The learning rate follows the wall clock: warm-up, then a linear
fall to the deadline, so a run ends when its time does. It writes what it learned as a
difference from the pack's start weights (``final-*.npz`` and its exponential average
``ema-*.npz``, int8 rows), which :func:`unpack` lays over the exact float16 start here.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader

from training.decoder import WhisperDecoder, autocast, token_loss
from training.encoder import WhisperEncoder
from training.int8 import dequantise, quantise
from training.stream import Batches, Pack, install_espeak, log_mel, spec_augment

logger = logging.getLogger(__name__)


def _to(batch: dict[str, Any], device: str) -> dict[str, torch.Tensor]:
    return {k: torch.as_tensor(v).to(device, non_blocking=True) for k, v in batch.items()}


def _loss(decoder: WhisperDecoder, encoder: WhisperEncoder, batch: dict[str, torch.Tensor],
          filters: torch.Tensor, gen: torch.Generator | None) -> torch.Tensor:
    feats = log_mel(batch["audio"], filters)
    if gen is not None:
        feats = spec_augment(feats, batch["lengths"], gen)
    with autocast(str(feats.device)):
        memory = encoder(feats).float()
        return token_loss(decoder, batch["inputs"], memory, batch["targets"], batch["mask"])


def _val_loss(decoder: WhisperDecoder, encoder: WhisperEncoder, batches: list[dict[str, torch.Tensor]],
              filters: torch.Tensor) -> float:
    decoder.eval()
    encoder.eval()
    with torch.no_grad():
        value = float(np.mean([float(_loss(decoder, encoder, b, filters, None)) for b in batches]))
    decoder.train()
    encoder.train()
    return round(value, 4)


def _difference(models: tuple[WhisperDecoder, WhisperEncoder],
                start: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    trained = {**models[0].trained_tensors(np.float32), **models[1].trained_tensors(np.float32)}
    return {k: v - start[k].astype(np.float32) for k, v in trained.items()}


def _save(diff: dict[str, np.ndarray], out: Path, name: str) -> None:
    for half in ("encoder", "decoder"):  # two files, each under a transfer's size limit
        part = {k: v for k, v in diff.items() if k.startswith(half + "/")}
        stored: dict[str, Any] = quantise(part)
        np.savez(out / f"{name}-{half}.npz", **stored)


def run(pack_dir: Path, out: Path, *, minutes: float, batch: int, lr: float, workers: int, seed: int,
        piper_share: float, warmup: int = 100, ema: float = 0.998, convs: bool = True,
        val_clips: int = 64, val_every: float = 60.0, steps: int | None = None) -> dict[str, Any]:
    """Train for ``minutes`` (after set-up), or for ``steps`` when given (the schedule then
    follows the step count, so a run repeats on any machine); write the differences and
    ``log.jsonl`` to ``out``."""
    began = time.monotonic()
    torch.manual_seed(seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out.mkdir(parents=True, exist_ok=True)
    pack = Pack(pack_dir)
    scratch = Path(tempfile.mkdtemp(prefix="patrol-espeak-"))
    speaker = install_espeak(pack_dir, scratch)
    start = pack.weights()
    decoder = WhisperDecoder.from_ct2(start).to(device)
    decoder.freeze_embeddings()
    encoder = WhisperEncoder.from_ct2(start).to(device)
    encoder.train_last(len(encoder.blocks))
    encoder.conv1.requires_grad_(convs)
    encoder.conv2.requires_grad_(convs)
    params = [p for m in (decoder, encoder) for p in m.parameters() if p.requires_grad]
    averaged = [p.detach().clone() for p in params]
    optim = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    filters = torch.from_numpy(np.load(pack_dir / "mel.npy")).to(device)
    size = min(16, val_clips)
    noisy = iter(Batches(pack, speaker, batch=size, seed=10_000 + seed, piper_share=piper_share))
    val = [_to(next(noisy), device) for _ in range(max(1, val_clips // size))]
    plain = iter(Batches(pack, speaker, batch=size, seed=10_000 + seed, piper_share=piper_share,
                         augment=False))
    val_clean = [_to(next(plain), device) for _ in range(max(1, val_clips // size))]
    loader = DataLoader(Batches(pack, speaker, batch=batch, seed=seed, piper_share=piper_share),
                        batch_size=None, num_workers=workers, prefetch_factor=4 if workers else None,
                        pin_memory=device == "cuda", persistent_workers=workers > 0)
    gen = torch.Generator().manual_seed(seed)  # SpecAugment's draws, on the CPU: no device syncs
    log = (out / "log.jsonl").open("w", encoding="utf-8")
    record: dict[str, Any] = {"step": 0, "val_loss": _val_loss(decoder, encoder, val, filters),
                              "val_loss_clean": _val_loss(decoder, encoder, val_clean, filters)}
    logger.info("%s", record)
    log.write(json.dumps(record) + "\n")
    step, running, waited, trained_at = 0, 0.0, 0.0, time.monotonic()
    deadline = trained_at + minutes * 60  # the training's own time: set-up and saving come on top
    next_val = trained_at + val_every
    batches = iter(loader)
    while step == 0 or (step < steps if steps else time.monotonic() < deadline):
        t0 = time.monotonic()
        data = _to(next(batches), device)
        waited += time.monotonic() - t0
        step += 1
        left = (1 - (step - 1) / steps if steps else
                max(0.0, (deadline - time.monotonic()) / max(1.0, deadline - trained_at)))
        for group in optim.param_groups:
            group["lr"] = lr * min(1.0, step / warmup) * max(0.02, left)
        loss = _loss(decoder, encoder, data, filters, gen)
        optim.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optim.step()
        with torch.no_grad():
            weight = 1.0 - (ema if step > warmup else 0.0)
            torch._foreach_lerp_(averaged, [p.detach() for p in params], weight)
        value = float(loss.detach())
        running = 0.95 * running + 0.05 * value if step > 1 else value
        if step % 20 == 0 or time.monotonic() >= next_val:
            elapsed = time.monotonic() - trained_at
            record = {"step": step, "train_loss": round(running, 4), "lr": optim.param_groups[0]["lr"],
                      "s_per_step": round(elapsed / step, 3), "waiting": round(waited / elapsed, 3),
                      "clips": step * batch}
            if time.monotonic() >= next_val:
                next_val = time.monotonic() + val_every
                record |= {"val_loss": _val_loss(decoder, encoder, val, filters),
                           "val_loss_clean": _val_loss(decoder, encoder, val_clean, filters)}
            logger.info("%s", record)
            log.write(json.dumps(record) + "\n")
            log.flush()
    final: dict[str, Any] = {"step": step, "val_loss": _val_loss(decoder, encoder, val, filters),
             "val_loss_clean": _val_loss(decoder, encoder, val_clean, filters)}
    _save(_difference((decoder, encoder), start), out, "final")
    with torch.no_grad():
        for p, a in zip(params, averaged, strict=True):
            p.copy_(a)
    final |= {"ema_val_loss": _val_loss(decoder, encoder, val, filters),
              "ema_val_loss_clean": _val_loss(decoder, encoder, val_clean, filters),
              "minutes": round((time.monotonic() - began) / 60, 2), "device": device,
              "batch": batch, "lr": lr, "workers": workers}
    _save(_difference((decoder, encoder), start), out, "ema")
    logger.info("%s", final)
    log.write(json.dumps(final) + "\n")
    log.close()
    return final


def unpack(run_dir: Path, which: str, start: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The trained tensors (float16, as a checkpoint of :mod:`training.train` holds them):
    ``start`` (the exact weights the pack was made from) plus the run's difference."""
    out: dict[str, np.ndarray] = {}
    for half in ("encoder", "decoder"):
        with np.load(run_dir / f"{which}-{half}.npz") as stored:
            diff = dequantise({k: stored[k] for k in stored.files})
        out |= {k: (start[k].astype(np.float32) + v).astype(np.float16) for k, v in diff.items()}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.remote", description=__doc__.split("\n\n")[0])
    p.add_argument("pack", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--minutes", type=float, default=7.0)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1.5e-5)
    p.add_argument("--workers", type=int, default=max(0, (torch.multiprocessing.cpu_count() or 2) - 1))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--piper-share", type=float, default=0.25)
    p.add_argument("--steps", type=int, help="train this many steps (default: until --minutes pass)")
    p.add_argument("--val-clips", type=int, default=64)
    p.add_argument("--val-every", type=float, default=60.0, help="seconds between validation passes")
    p.add_argument("--warmup", type=int, default=100, help="steps")
    p.add_argument("--no-convs", dest="convs", action="store_false", help="keep the encoder's convolutions")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    run(args.pack, args.out, minutes=args.minutes, batch=args.batch, lr=args.lr, workers=args.workers,
        seed=args.seed, piper_share=args.piper_share, convs=args.convs, warmup=args.warmup,
        val_clips=args.val_clips, val_every=args.val_every, steps=args.steps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

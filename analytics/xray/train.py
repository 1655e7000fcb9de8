"""Train, calibrate and save the X-ray triage model: ``python -m analytics.xray.train``.

Reproducible recipe: three simulated splits from fixed seeds (train, calibration, test;
no parcel is in two), their features, a seeded MLP trained full-batch with AdamW, a
softmax temperature fitted on the calibration split, and the policy thresholds set there
from the target miss rates (``policy.calibrate``). The test split is scored once at the
end and its figures are written into the metadata JSON next to the weights.

Officer feedback (``--feedback DIR``: ``.npz`` files with ``image`` and ``label``, written
by the skill's feedback call) is added to the training split when given.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from analytics.xray import policy
from analytics.xray.codec import roundtrip
from analytics.xray.features import NAMES, feature_matrix
from analytics.xray.model import TriageNet, sha256_of
from analytics.xray.simulate import CLASSES, dataset

logger = logging.getLogger(__name__)
SEEDS = {"train": 1901, "calibration": 1902, "test": 1903}


def fit(feats: np.ndarray, labels: np.ndarray, *, epochs: int, seed: int, lr: float = 3e-3) -> TriageNet:
    """Train a fresh network on feature rows, full batch (progress bar over epochs)."""
    torch.manual_seed(seed)
    net = TriageNet()
    x, y = torch.from_numpy(feats.astype(np.float32)), torch.from_numpy(labels)
    net.mean.copy_(x.mean(dim=0))
    net.std.copy_(x.std(dim=0).clamp_min(1e-3))
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-3)
    # Threat misses cost most: weight the loss against confusing a threat with anything else.
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 1.0, 1.5]))
    net.train()
    bar = tqdm(range(epochs), desc="training", leave=False)
    for _ in bar:
        loss = loss_fn(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        bar.set_postfix(loss=f"{float(loss):.3f}")
    net.eval()
    return net


def logits_of(net: TriageNet, feats: np.ndarray) -> np.ndarray:
    """Raw logits for feature rows."""
    with torch.inference_mode():
        return np.asarray(net(torch.from_numpy(feats.astype(np.float32))).numpy())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The softmax temperature minimising calibration-split log loss (grid search)."""
    best, best_t = np.inf, 1.0
    for t in np.exp(np.linspace(np.log(0.3), np.log(5.0), 60)):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        nll = -np.mean(z[np.arange(len(z)), labels] - np.log(np.exp(z).sum(axis=1)))
        if nll < best:
            best, best_t = nll, float(t)
    return best_t


def _softmax(logits: np.ndarray, t: float) -> np.ndarray:
    z = logits / t
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(z / z.sum(axis=1, keepdims=True))


def _load_feedback(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    images, labels = [], []
    for f in sorted(folder.glob("*.npz")):
        with np.load(f) as data:
            images.append(data["image"].astype(np.float32))
            labels.append(int(data["label"]))
    if not images:
        return np.zeros((0, 2, 96, 96), np.float32), np.zeros(0, np.int64)
    return np.stack(images), np.asarray(labels, np.int64)


def _split(name: str, n: int, cache: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """Simulated split ``name`` of ``n`` parcels (reused from ``cache`` when it holds the same one)."""
    path = cache / f"xray_{name}.npz" if cache is not None else None
    if path is not None and path.is_file():
        with np.load(path) as data:
            if len(data["y"]) == n:
                return data["x"], data["y"]
    x, y = dataset(n, seed=SEEDS[name])
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, x=x, y=y)
    return x, y


def main(argv: list[str] | None = None) -> int:
    """Build the splits, train, calibrate, score the test split, write weights and metadata."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "models" / "weights" / "xray_triage.pt",
    )
    ap.add_argument("--train", type=int, default=3000)
    ap.add_argument("--calibration", type=int, default=1500)
    ap.add_argument("--test", type=int, default=1500)
    ap.add_argument("--epochs", type=int, default=600)
    ap.add_argument("--clear-miss", type=float, default=policy.CLEAR_MISS_TARGET)
    ap.add_argument("--inspect-miss", type=float, default=policy.INSPECT_MISS_TARGET)
    ap.add_argument("--feedback", type=Path, default=None, help="folder of officer-labelled .npz parcels")
    ap.add_argument("--cache", type=Path, default=None, help="folder to keep the simulated splits in")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    raw = {
        name: _split(name, n, args.cache)
        for name, n in (("train", args.train), ("calibration", args.calibration), ("test", args.test))
    }
    # Features of the images as an upload delivers them (8-bit PNG round trip, codec.py).
    feats = {name: (feature_matrix(roundtrip(x)), y) for name, (x, y) in raw.items()}
    logger.info(
        "simulated %d parcels in %.0f s", sum(len(s[1]) for s in raw.values()), time.perf_counter() - t0
    )
    f_train, y_train = feats["train"]
    n_feedback = 0
    if args.feedback is not None:
        fx, fy = _load_feedback(args.feedback)
        n_feedback = len(fy)
        f_train, y_train = (
            np.concatenate([f_train, feature_matrix(roundtrip(fx))]),
            np.concatenate([y_train, fy]),
        )
    t1 = time.perf_counter()
    net = fit(f_train, y_train, epochs=args.epochs, seed=SEEDS["train"])
    train_s = time.perf_counter() - t1
    f_cal, y_cal = feats["calibration"]
    cal_logits = logits_of(net, f_cal)
    temperature = fit_temperature(cal_logits, y_cal)
    thresholds = policy.calibrate(
        _softmax(cal_logits, temperature), y_cal, clear_miss=args.clear_miss, inspect_miss=args.inspect_miss
    )
    f_test, y_test = feats["test"]
    report = policy.evaluate(_softmax(logits_of(net, f_test), temperature), y_test, thresholds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), args.out)
    meta = {
        "classes": list(CLASSES),
        "features": list(NAMES),
        "seeds": SEEDS,
        "sizes": {k: len(v[1]) for k, v in raw.items()},
        "feedback_examples": n_feedback,
        "epochs": args.epochs,
        "temperature": round(temperature, 4),
        "thresholds": thresholds.as_dict(),
        "test": report,
        "train_seconds": round(train_s, 1),
        "torch": torch.__version__,
        "weights_sha256": sha256_of(args.out),
    }
    args.out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Make/model classifier: HOG features, multinomial logistic regression, temperature scaling.

Training reads a folder of labelled images, one sub-folder per class
(``<root>/<Make>__<Model>/*.jpg``), splits it into train and validation sets per class,
fits the model with a progress bar, fits a temperature on the validation split so the
probabilities are calibrated, and reports top-1/top-5 accuracy and the expected
calibration error on that split. ``python -m analytics.vehicle.classifier`` renders the
project's own data (:mod:`analytics.vehicle.render`) into such a folder and trains on it;
the weights go to ``models/weights/vehicle_make_model.npz`` (no pickle), checked against
the sha256 in :mod:`models.catalog` when loaded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

WEIGHTS = Path(__file__).resolve().parents[2] / "models" / "weights" / "vehicle_make_model.npz"
SIZE = (96, 48)
_lock = threading.Lock()
_loaded: MakeModelClassifier | None = None


def features(rgb: np.ndarray) -> np.ndarray:
    """HOG of the grey image at 96 x 48 plus a coarse 24 x 12 grey thumbnail."""
    from skimage.feature import hog

    img = Image.fromarray(np.asarray(rgb, np.uint8)).convert("L")
    grey = np.asarray(img.resize(SIZE, Image.Resampling.BILINEAR), np.float32) / 255.0
    h = hog(grey, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2), feature_vector=True)
    thumb = np.asarray(img.resize((24, 12), Image.Resampling.BILINEAR), np.float32).ravel() / 255.0
    return np.concatenate([h, thumb - thumb.mean()]).astype(np.float32)


@dataclass
class MakeModelClassifier:
    """Standardised features -> logits -> softmax at the fitted temperature."""

    labels: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    temperature: float

    def proba(self, feats: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities for rows of features."""
        z = ((feats - self.mean) / self.scale) @ self.coef.T + self.intercept
        z = z / self.temperature
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def top(self, rgb: np.ndarray, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` most likely labels with their probabilities."""
        p = self.proba(features(rgb)[None, :])[0]
        order = np.argsort(-p)[:k]
        return [(self.labels[i], float(p[i])) for i in order]

    def save(self, path: Path) -> str:
        """Write the weights (npz, no pickle); returns their sha256."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                labels=np.array(self.labels),
                mean=self.mean,
                scale=self.scale,
                coef=self.coef,
                intercept=self.intercept,
                temperature=np.array(self.temperature),
            )
        return hashlib.sha256(path.read_bytes()).hexdigest()

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> MakeModelClassifier:
        """Load weights after checking them against the catalog."""
        from models.catalog import CATALOG, verify_file

        verify_file(path, CATALOG["vehicle-make-model"])
        with np.load(path, allow_pickle=False) as z:
            return cls(
                labels=tuple(str(x) for x in z["labels"]),
                mean=z["mean"],
                scale=z["scale"],
                coef=z["coef"],
                intercept=z["intercept"],
                temperature=float(z["temperature"]),
            )


def load_classifier() -> MakeModelClassifier:
    """The process-wide classifier."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = MakeModelClassifier.load()
        return _loaded


def render_folder(root: Path, *, per_class: int, seed: int) -> None:
    """Render ``per_class`` images of every label into ``root/<Make>__<Model>/``."""
    from tqdm import tqdm

    from analytics.vehicle.render import LABELS, render

    rng = random.Random(seed)
    for label in tqdm(LABELS, desc="render", unit="class"):
        folder = root / label.replace(" ", "__", 1).replace(" ", "_")
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            render(label, rng).save(folder / f"{i:04d}.jpg", quality=95)


def label_of(folder: Path) -> str:
    """``Toyota__Corolla`` -> ``Toyota Corolla``; ``BMW__3_Series`` -> ``BMW 3 Series``."""
    make, model = folder.name.split("__", 1)
    return f"{make} {model.replace('_', ' ')}"


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top-1 probabilities."""
    conf, pred = p.max(axis=1), p.argmax(axis=1)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            total += m.mean() * abs(float((pred[m] == y[m]).mean()) - float(conf[m].mean()))
    return total


def train_folder(
    root: Path, *, val_fraction: float = 0.25, seed: int = 0
) -> tuple[MakeModelClassifier, dict]:
    """Train on a folder of labelled images; returns the model and held-out figures."""
    from scipy.optimize import minimize_scalar
    from sklearn.linear_model import LogisticRegression
    from tqdm import tqdm

    folders = sorted(p for p in root.iterdir() if p.is_dir())
    labels = tuple(label_of(f) for f in folders)
    rng = random.Random(seed)
    xs: dict[str, list[np.ndarray]] = {"train": [], "val": []}
    ys: dict[str, list[int]] = {"train": [], "val": []}
    for k, folder in enumerate(tqdm(folders, desc="features", unit="class")):
        files = sorted(folder.glob("*.jpg"))
        rng.shuffle(files)
        n_val = max(1, int(len(files) * val_fraction))
        for i, f in enumerate(files):
            split = "val" if i < n_val else "train"
            xs[split].append(features(np.asarray(Image.open(f).convert("RGB"))))
            ys[split].append(k)
    xt, yt = np.stack(xs["train"]), np.array(ys["train"])
    xv, yv = np.stack(xs["val"]), np.array(ys["val"])
    mean, scale = xt.mean(axis=0), xt.std(axis=0) + 1e-6
    lr = LogisticRegression(C=0.05, max_iter=300)
    lr.fit((xt - mean) / scale, yt)
    model = MakeModelClassifier(
        labels,
        mean.astype(np.float32),
        scale.astype(np.float32),
        lr.coef_.astype(np.float32),
        lr.intercept_.astype(np.float32),
        1.0,
    )

    def nll(t: float) -> float:
        model.temperature = t
        p = model.proba(xv)
        return float(-np.log(p[np.arange(len(yv)), yv] + 1e-12).mean())

    raw_ece = ece(model.proba(xv), yv)
    model.temperature = float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)
    p = model.proba(xv)
    top5 = np.argsort(-p, axis=1)[:, :5]
    report = {
        "classes": len(labels),
        "train": int(len(yt)),
        "val": int(len(yv)),
        "top1": float((top5[:, 0] == yv).mean()),
        "top5": float((top5 == yv[:, None]).any(axis=1).mean()),
        "ece_before": round(raw_ece, 4),
        "ece_after": round(ece(p, yv), 4),
        "temperature": round(model.temperature, 3),
    }
    return model, report


def main(argv: list[str] | None = None) -> None:
    """Render the project's data, train, write the weights and print the held-out figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("var/vehicle-render"))
    parser.add_argument("--per-class", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    render_folder(args.data, per_class=args.per_class, seed=args.seed)
    model, report = train_folder(args.data, seed=args.seed)
    report["sha256"] = model.save(args.out)
    print(json.dumps(report))


if __name__ == "__main__":
    main()

"""Match threshold from a chosen false-alert rate, calibrated on real face crops.

``python -m analytics.face.calibrate`` embeds the 100 real face crops of scikit-image's
``lfw_subset`` (25 x 25 grey crops from Labeled Faces in the Wild, scaled to 150 x 150),
takes all 4,950 pairs as impostor pairs (the subset carries no identity labels; LFW
repeats few people, so a handful of pairs may be the same person, which makes the
threshold stricter, not looser), and, as genuine pairs, each crop against a changed copy
of itself (mirrored, brightness x0.85, shifted 2 px). It writes the sorted distances to
``calibration.json`` beside this module. :func:`threshold_for` then reads the distance
below which only the chosen fraction of impostor pairs fall.

Limits, stated with every figure: tiny low-resolution grey crops, mirrored copies instead
of second photos of the same person, no age, sex or ethnicity labels, so no error rates by
group can be given from this data.
"""

from __future__ import annotations

import argparse
import json
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

CALIBRATION = Path(__file__).with_name("calibration.json")


def _changed(crop: np.ndarray) -> np.ndarray:
    out = np.roll(crop[:, ::-1].astype(np.float32) * 0.85, (2, 2), axis=(0, 1))
    return np.clip(out, 0, 255).astype(np.uint8)


def measure() -> dict[str, object]:
    """Embed the crops and return impostor and genuine distances (sorted) with provenance."""
    from analytics.face.embed import distances, lfw_faces, load_encoder

    enc = load_encoder()
    crops = lfw_faces()
    t0 = time.perf_counter()
    emb = np.stack([enc.embed_crop(c) for c in crops])
    per_crop_s = (time.perf_counter() - t0) / len(crops)
    changed = np.stack([enc.embed_crop(_changed(c)) for c in crops])
    full = np.linalg.norm(emb[:, None, :] - emb[None, :, :], axis=2)
    impostor = np.sort(full[np.triu_indices(len(emb), 1)])
    genuine = np.sort(
        np.array([float(distances(e, c[None, :])[0]) for e, c in zip(emb, changed, strict=True)])
    )
    return {
        "source": "skimage.data.lfw_subset()[:100], 25x25 grey, bicubic to 150x150",
        "impostor_pairs": int(impostor.size),
        "genuine_pairs": int(genuine.size),
        "embed_s_per_crop": round(per_crop_s, 4),
        "impostor": [round(float(d), 5) for d in impostor],
        "genuine": [round(float(d), 5) for d in genuine],
    }


@lru_cache(maxsize=1)
def load() -> dict[str, np.ndarray]:
    """The committed calibration distances."""
    data = json.loads(CALIBRATION.read_text())
    return {
        "impostor": np.asarray(data["impostor"], np.float64),
        "genuine": np.asarray(data["genuine"], np.float64),
    }


def threshold_for(false_alert_rate: float) -> float:
    """The largest distance at which at most ``false_alert_rate`` of impostor pairs match."""
    if not 0.0 < false_alert_rate < 1.0:
        raise ValueError("false_alert_rate must be between 0 and 1")
    impostor = load()["impostor"]
    k = int(np.floor(false_alert_rate * impostor.size))
    # Matching is distance < threshold, so exactly k impostor pairs fall below impostor[k].
    return float(impostor[min(k, impostor.size - 1)])


def rates_at(threshold: float) -> dict[str, float | int]:
    """False-match and false-non-match rates (with counts) of the calibration pairs at ``threshold``."""
    cal = load()
    fm = int((cal["impostor"] < threshold).sum())
    fnm = int((cal["genuine"] >= threshold).sum())
    return {
        "threshold": round(threshold, 4),
        "false_matches": fm,
        "impostor_pairs": int(cal["impostor"].size),
        "fmr": fm / cal["impostor"].size,
        "false_non_matches": fnm,
        "genuine_pairs": int(cal["genuine"].size),
        "fnmr": fnm / cal["genuine"].size,
    }


def main(argv: list[str] | None = None) -> None:
    """Re-measure and write ``calibration.json``; print the rates at a few false-alert rates."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=CALIBRATION)
    args = parser.parse_args(argv)
    data = measure()
    args.out.write_text(json.dumps(data) + "\n")
    load.cache_clear()
    for far in (0.001, 0.01, 0.05):
        print(far, rates_at(threshold_for(far)))


if __name__ == "__main__":
    main()

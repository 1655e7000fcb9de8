"""Material and shape features of a dual-energy parcel image, the triage model's input.

Dual-energy scanners tell materials apart by the ratio of low- to high-energy log
attenuation, ``R = A_low / A_high``: about 1.4 for cloth and plastics, 1.5 for paper, 1.7
for powders, 2.5 for aluminium and 3.5 for steel (``simulate.MU``). Overlaps mix the
ratios, so the features look at histograms and at connected regions rather than single
pixels:

- how much of the parcel is filled, and how dense it is (attenuation percentiles);
- an attenuation-weighted histogram of ``R`` over everything, and a fine one over the
  organic range (paper against powder);
- metal regions (high ``R``): count, total and largest area, the longest one's length and
  elongation (a blade is a long thin steel region), how many are long and thin, how much
  is near-opaque thick steel (a handgun's slide and magazine);
- mid-ratio organic regions of uniform density (a bag of powder).

Every feature is a number a screener can read back as evidence (``explain``).
"""

from __future__ import annotations

import cv2
import numpy as np

NAMES: tuple[str, ...] = (
    "filled",
    "a_low_p50",
    "a_low_p90",
    "a_low_p99",
    *(f"ratio_bin{i}" for i in range(8)),
    *(f"organic_bin{i}" for i in range(8)),
    "metal_area",
    "metal_regions",
    "metal_largest",
    "metal_longest_px",
    "metal_longest_elong",
    "metal_thin_long",
    "metal_thick_area",
    "metal_thick_largest",
    "steel_area",
    "powder_area",
    "powder_largest",
    "powder_uniformity",
    "organic_ratio_mean",
    "organic_ratio_std",
)
_RATIO_EDGES = np.array([0.0, 1.3, 1.45, 1.6, 1.8, 2.1, 2.6, 3.2, np.inf])
_ORGANIC_EDGES = np.linspace(1.25, 2.05, 9)


def _regions(mask: np.ndarray) -> list[tuple[int, float, float]]:
    """(area, length, elongation) of each 8-connected region of a mask, largest first."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    out = []
    for i in range(1, n):
        area = int(stats[i, cv2.CC_STAT_AREA])
        if area < 3:
            continue
        ys, xs = np.nonzero(labels == i)
        cov = np.cov(np.stack([xs, ys]).astype(np.float64)) if area > 2 else np.eye(2)
        ev = np.sort(np.linalg.eigvalsh(cov))[::-1]
        length = 4.0 * float(np.sqrt(max(ev[0], 1e-6)))
        elong = float(np.sqrt(max(ev[0], 1e-6) / max(ev[1], 1e-2)))
        out.append((area, length, elong))
    return sorted(out, reverse=True)


def features(image: np.ndarray) -> np.ndarray:
    """The feature vector (len(NAMES), float32) of one 2 x H x W log-attenuation image."""
    low = cv2.GaussianBlur(image[0].astype(np.float32), (0, 0), 0.7)
    high = cv2.GaussianBlur(image[1].astype(np.float32), (0, 0), 0.7)
    body = low > 0.08
    filled = float(body.mean())
    ratio = np.where(high > 0.04, low / np.maximum(high, 1e-3), 0.0)
    vals = low[body] if body.any() else np.zeros(1, np.float32)
    p50, p90, p99 = (float(np.percentile(vals, q)) for q in (50, 90, 99))
    weights = low * body
    hist = np.histogram(ratio[body], bins=_RATIO_EDGES, weights=weights[body])[0]
    hist = hist / max(float(hist.sum()), 1e-6)
    organic = body & (low > 0.25) & (low < 4.0) & (ratio > 1.2) & (ratio < 2.1)
    ohist = np.histogram(ratio[organic], bins=_ORGANIC_EDGES, weights=weights[organic])[0]
    ohist = ohist / max(float(ohist.sum()), 1e-6)
    metal = body & (ratio > 2.3) & (low > 0.5)
    regions = _regions(metal)
    longest = max(regions, key=lambda r: r[1]) if regions else (0, 0.0, 0.0)
    thin_long = sum(1 for a, length, e in regions if length > 10 and e > 3.0)
    thick = body & (low > 5.5)
    thick_regions = _regions(thick)
    steel = body & (ratio > 2.9) & (low > 1.0)
    powder = body & (ratio > 1.62) & (ratio < 1.95) & (low > 0.5) & (low < 4.5)
    powder = cv2.morphologyEx(powder.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)).astype(bool)
    p_regions = _regions(powder)
    if powder.any():
        uniformity = float(1.0 / (1.0 + np.std(low[powder]) / max(float(np.mean(low[powder])), 1e-3)))
    else:
        uniformity = 0.0
    org_r = ratio[organic] if organic.any() else np.zeros(1, np.float32)
    row = [
        filled,
        p50,
        p90,
        p99,
        *hist,
        *ohist,
        float(metal.mean()),
        float(len(regions)),
        float(regions[0][0] if regions else 0),
        longest[1],
        longest[2],
        float(thin_long),
        float(thick.mean()),
        float(thick_regions[0][0] if thick_regions else 0),
        float(steel.mean()),
        float(powder.mean()),
        float(p_regions[0][0] if p_regions else 0),
        uniformity,
        float(org_r.mean()),
        float(org_r.std()),
    ]
    return np.asarray(row, dtype=np.float32)


def feature_matrix(images: np.ndarray) -> np.ndarray:
    """Features of N images (N x len(NAMES))."""
    return np.stack([features(im) for im in images]) if len(images) else np.zeros((0, len(NAMES)), np.float32)

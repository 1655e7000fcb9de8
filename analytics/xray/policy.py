"""The staged triage policy and how its thresholds are set from target miss rates.

- Stage 1, ``auto_clear``: only parcels the model is confident hold paper products only,
  ``p(paper) >= clear``. ``clear`` is set on the calibration split so that at most
  ``CLEAR_MISS_TARGET`` of the parcels that are *not* paper-only (general goods and
  threats alike) would be cleared: the split-conformal rule, which keeps the miss rate on
  new parcels from the same source at or under the target in expectation.
- Stage 3, ``inspect``: ``p(threat) >= inspect``, set so that at most
  ``INSPECT_MISS_TARGET`` of the calibration threats fall short of it; those still reach
  an officer in stage 2, ranked first.
- Stage 2, ``officer``: everything else, ranked by ``p(threat)`` then by ``1 - p(paper)``.

Every miss-rate figure is a measurement on simulated parcels (``simulate.py``); real
scanner images are needed before the thresholds mean anything operationally.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import beta

CLEAR_MISS_TARGET = 0.005
INSPECT_MISS_TARGET = 0.10
PAPER, GENERAL, THREAT = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The two cut points and the targets they came from."""

    clear: float
    inspect: float
    clear_miss_target: float
    inspect_miss_target: float

    def as_dict(self) -> dict[str, float]:
        """JSON form."""
        return {
            "clear": self.clear,
            "inspect": self.inspect,
            "clear_miss_target": self.clear_miss_target,
            "inspect_miss_target": self.inspect_miss_target,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Thresholds:
        """Read the JSON form."""
        return cls(
            float(data["clear"]),
            float(data["inspect"]),
            float(data["clear_miss_target"]),
            float(data["inspect_miss_target"]),
        )


def calibrate(
    p: np.ndarray,
    labels: np.ndarray,
    *,
    clear_miss: float = CLEAR_MISS_TARGET,
    inspect_miss: float = INSPECT_MISS_TARGET,
) -> Thresholds:
    """Thresholds from calibration probabilities (N x 3) and labels."""
    not_paper = np.sort(p[labels != PAPER, PAPER])[::-1]
    k = int(np.floor(clear_miss * (len(not_paper) + 1)))
    # Allow k calibration non-paper parcels at most above the cut; never below 0.5.
    clear = float(np.nextafter(not_paper[k], 1.0)) if k < len(not_paper) else 0.5
    threats = np.sort(p[labels == THREAT, THREAT])
    j = int(np.floor(inspect_miss * len(threats)))
    inspect = float(threats[j]) if len(threats) else 1.0
    return Thresholds(
        clear=max(clear, 0.5),
        inspect=max(inspect, 0.5),
        clear_miss_target=clear_miss,
        inspect_miss_target=inspect_miss,
    )


def stages(p: np.ndarray, t: Thresholds) -> np.ndarray:
    """Stage per parcel: 1 auto-clear, 2 officer, 3 inspect."""
    out = np.full(len(p), 2, np.int64)
    out[p[:, THREAT] >= t.inspect] = 3
    out[(p[:, PAPER] >= t.clear) & (out != 3)] = 1
    return out


def upper_bound(k: int, n: int, confidence: float = 0.95) -> float:
    """One-sided Clopper-Pearson upper bound of a rate seen as k in n."""
    if n == 0:
        return 1.0
    return 1.0 if k >= n else float(beta.ppf(confidence, k + 1, n - k))


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    if not len(pos) or not len(neg):
        return float("nan")
    ranks = np.argsort(np.argsort(np.concatenate([pos, neg]))) + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def evaluate(p: np.ndarray, labels: np.ndarray, t: Thresholds) -> dict[str, Any]:
    """Policy figures on a labelled split: auto-clear rate, misses with bounds, inspection, ranking."""
    s = stages(p, t)
    cleared = s == 1
    not_paper = labels != PAPER
    threats = labels == THREAT
    k_miss, n_np = int((cleared & not_paper).sum()), int(not_paper.sum())
    k_thr, n_thr = int((cleared & threats).sum()), int(threats.sum())
    officer = s == 2
    return {
        "parcels": int(len(labels)),
        "accuracy": round(float((p.argmax(axis=1) == labels).mean()), 4),
        "auto_clear_rate": round(float(cleared.mean()), 4),
        "paper_cleared_share": round(float(cleared[labels == PAPER].mean()), 4)
        if (~not_paper).any()
        else 0.0,
        "not_paper_cleared": k_miss,
        "not_paper": n_np,
        "miss_rate": round(k_miss / n_np, 5) if n_np else 0.0,
        "miss_rate_upper95": round(upper_bound(k_miss, n_np), 5),
        "threats_cleared": k_thr,
        "threats": n_thr,
        "threat_miss_upper95": round(upper_bound(k_thr, n_thr), 5),
        "inspect_rate": round(float((s == 3).mean()), 4),
        "threats_inspected_share": round(float((s[threats] == 3).mean()), 4) if n_thr else 0.0,
        "non_threats_inspected": int(((s == 3) & ~threats).sum()),
        "officer_rate": round(float(officer.mean()), 4),
        "threat_auc": round(_auc(p[threats, THREAT], p[~threats, THREAT]), 4),
        "officer_queue_threat_auc": round(
            _auc(p[officer & threats, THREAT], p[officer & ~threats, THREAT]), 4
        ),
    }

"""Figures for the drug-post screen: precision / recall, calibration, review budget, obfuscations.

Shared by the tests and ``tests/bench/bench_drug.py`` so both compute the same numbers:

* :func:`precision_recall` of the ``sale_offer`` label;
* :func:`calibration`: Brier score and expected calibration error (10 equal-width bins);
* :func:`recall_at_budget`: posts arrive in days; an analyst reviews the ``budget`` highest
  scores of each day; recall is the share of sale offers among the reviewed;
* :func:`obfuscated_set`: each post with one obfuscation kind applied to the words the
  lexicon matched in its plain form (the drug word, the contact cue), one copy per kind.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from analytics.drug.obfuscate import KINDS, applicable, obfuscate
from analytics.drug.screen import screen

logger = logging.getLogger(__name__)


def load_jsonl(path: Path) -> list[dict[str, str]]:
    """Rows of a JSON-lines fixture file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def precision_recall(predicted: Sequence[bool], actual: Sequence[bool]) -> tuple[float, float, int]:
    """``(precision, recall, positives)``; an empty prediction set has precision 1.0."""
    p = np.asarray(predicted, dtype=bool)
    a = np.asarray(actual, dtype=bool)
    tp = int((p & a).sum())
    return (tp / int(p.sum()) if p.any() else 1.0), (tp / int(a.sum()) if a.any() else 1.0), int(a.sum())


def calibration(scores: Sequence[float], actual: Sequence[bool], bins: int = 10) -> tuple[float, float]:
    """``(Brier score, expected calibration error)`` of probabilities against outcomes."""
    s = np.asarray(scores, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    brier = float(np.mean((s - a) ** 2))
    idx = np.minimum((s * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            ece += m.mean() * abs(float(s[m].mean()) - float(a[m].mean()))
    return brier, float(ece)


def recall_at_budget(
    scores: Sequence[float], actual: Sequence[bool], *, per_day: int, budget: int, seed: int = 0
) -> tuple[float, float]:
    """Shuffle posts into days of ``per_day``; review the top ``budget`` a day.

    Returns ``(recall, precision)`` of the reviewed posts.
    """
    s = np.asarray(scores, dtype=np.float64)
    a = np.asarray(actual, dtype=bool)
    order = np.random.default_rng(seed).permutation(len(s))
    reviewed = np.zeros(len(s), dtype=bool)
    for start in range(0, len(s), per_day):
        day = order[start:start + per_day]
        reviewed[day[np.argsort(-s[day], kind="stable")[:budget]]] = True
    tp = int((reviewed & a).sum())
    return tp / max(int(a.sum()), 1), tp / max(int(reviewed.sum()), 1)


def obfuscated_set(rows: Sequence[dict[str, str]], *, seed: int = 0) -> list[dict[str, str]]:
    """One obfuscated copy of each row per applicable kind (field ``kind`` added)."""
    rng = random.Random(seed)
    out: list[dict[str, str]] = []
    for r in rows:
        plain = r["text"]
        evidence = [ev for ev in screen(plain).evidence if ev.how == "lexicon" and len(ev.text) >= 2
                    and any(c.isalnum() for c in ev.text)]
        # Longest first, ties by text: a set's own order changes with the hash seed.
        drugs = sorted({ev.text for ev in evidence if ev.kind == "drug"}, key=lambda t: (-len(t), t))
        cues = sorted({ev.text for ev in evidence if ev.kind == "intent"}, key=lambda t: (-len(t), t))
        category = next((ev.category for ev in evidence if ev.kind == "drug"), None)
        for kind in KINDS:
            if not applicable(kind, r["lang"]) or (kind == "emoji" and not drugs):
                continue
            text = plain
            # The drug word and one sale cue; emoji only ever stand in for the drug word.
            targets = drugs[:1] + ([] if kind == "emoji" else cues[:1])
            if targets:
                for t in targets:
                    text = obfuscate(text, kind, rng, target=t, category=category)
            else:
                text = obfuscate(text, kind, rng, category=category)
            if text != plain:
                out.append(dict(r, text=text, kind=kind))
    return out

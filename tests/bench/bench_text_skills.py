"""Issue 20 benchmark: drug-post screening under obfuscation, AML triage on typologies (by hand).

    python -m tests.bench.bench_text_skills              # both, results in var/bench/text_skills.json
    python -m tests.bench.bench_text_skills --only drug  # or --only aml

drug_post_screen (lexicon alone and lexicon + n-gram model, calibrated): precision / recall
of ``sale_offer`` per set and language: the fixture's tune split (tuned on), its heldout
split, the round-1 post-hoc set (untouched when first measured, tuning data since) and the
round-2 to round-17 sets (likewise; rounds 6-17 written blind), round 18 (untouched, written
blind after the freeze at 7709206); per obfuscation kind
on generated variants of the heldout posts; Brier score and ECE; recall at a daily review
budget (days of 2,000 posts, 1 % of them sale offers: the hand-written ones, topped up with
generated ones); and posts per second through the skill.

aml_triage: :func:`analytics.aml.evaluate_graph.evaluate` on the default world (seed 20231):
minority-class F1 and precision@100 per transaction and per report, F1 per typology, and
the same future reports scored by today's per-report model.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from analytics.drug.combined import screen_batch
from analytics.drug.corpus import generate
from analytics.drug.evaluate import (
    calibration,
    load_jsonl,
    obfuscated_set,
    precision_recall,
    recall_at_budget,
)
from analytics.drug.learned import default_model
from analytics.drug.screen import SALE
from analytics.drug_post_screen import SKILL as DRUG
from analytics.drug_post_screen import DrugPostScreenInput

OUT = Path("var/bench")
FIX = Path(__file__).resolve().parents[2] / "fixtures" / "skills"
# The latest post-hoc round: written blind after the last freeze, not tuned on.
UNTOUCHED = 21


def _pr(rows: list[dict[str, Any]], labels: list[str]) -> dict[str, float]:
    p, r, n = precision_recall([lb == SALE for lb in labels], [row["label"] == SALE for row in rows])
    return {"precision": round(p, 3), "recall": round(r, 3), "sale_offers": n, "posts": len(rows)}


def bench_drug() -> dict[str, Any]:
    """All drug_post_screen figures."""
    model = default_model()
    fixture = load_jsonl(FIX / "drug_posts.jsonl")
    sets = {
        "tune (tuned on)": [r for r in fixture if r["split"] == "tune"],
        "heldout": [r for r in fixture if r["split"] == "heldout"],
        **{f"post-hoc round {n} ({'untouched' if n == UNTOUCHED else 'tuned on after'})":
           load_jsonl(FIX / f"drug_posts_posthoc_r{n}.jsonl") for n in range(1, UNTOUCHED + 1)},
    }
    out: dict[str, Any] = {"sets": {}, "obfuscation": {}, "calibration": {}}
    for name, rows in sets.items():
        for engine, m in (("lexicon", None), ("combined", model)):
            verdicts = screen_batch([r["text"] for r in rows], m)
            for lang in ("en", "ja"):
                idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
                out["sets"][f"{name} / {lang} / {engine}"] = _pr([rows[i] for i in idx],
                                                                 [verdicts[i].label for i in idx])
            hand = [i for i, r in enumerate(rows) if r.get("obfuscated")]
            if hand:
                sub = [i for i, r in enumerate(rows) if r.get("obfuscated") or r["label"] != SALE]
                out["sets"][f"{name} / hand-obfuscated / {engine}"] = _pr([rows[i] for i in sub],
                                                                          [verdicts[i].label for i in sub])
            if engine == "combined":
                brier, ece = calibration([v.score for v in verdicts], [r["label"] == SALE for r in rows])
                out["calibration"][name] = {"brier": round(brier, 4), "ece": round(ece, 4)}
    ob = obfuscated_set([r for r in sets["heldout"] if r["variant"] == "base"], seed=1)
    for engine, m in (("lexicon", None), ("combined", model)):
        verdicts = screen_batch([r["text"] for r in ob], m)
        for kind in sorted({r["kind"] for r in ob}):
            idx = [i for i, r in enumerate(ob) if r["kind"] == kind]
            out["obfuscation"][f"{kind} / {engine}"] = _pr([ob[i] for i in idx],
                                                           [verdicts[i].label for i in idx])
    # Review budget: days of 2,000 posts, 1 % of them sale offers (hand-written ones first,
    # then generated), the rest generated benign posts and drug talk.
    gen = generate(40_000, seed=99)
    hand_sales = [r for rows in sets.values() for r in rows if r["label"] == SALE]
    sales = hand_sales + [{"text": p.text, "label": p.label} for p in gen if p.label == SALE]
    others = [{"text": p.text, "label": p.label} for p in gen if p.label != SALE][:19_800]
    stream = others + sales[:200]
    verdicts = screen_batch([r["text"] for r in stream], model)
    actual = [r["label"] == SALE for r in stream]
    # Two review orders: by calibrated score, and sale-offer labels first (then score).
    orders = {"score": [v.score for v in verdicts],
              "label first": [v.score + (1.0 if v.label == SALE else 0.0) for v in verdicts]}
    for order, keys in orders.items():
        for budget in (20, 30, 50):
            rec, prec = recall_at_budget(keys, actual, per_day=2_000, budget=budget)
            out[f"review budget {budget} of 2,000 a day, by {order}"] = {"recall": round(rec, 3),
                                                                          "precision": round(prec, 3)}
    texts = [p.text for p in generate(5_000, seed=7)]
    posts = [{"id": str(i), "text": t} for i, t in enumerate(texts)]
    payload = DrugPostScreenInput.model_validate({"posts": posts})
    DRUG.run(payload)  # warm
    for use_model in (True, False):
        payload.use_model = use_model
        t0 = time.perf_counter()
        DRUG.run(payload)
        out[f"posts_per_s (model={use_model})"] = round(len(texts) / (time.perf_counter() - t0))
    return out


def bench_aml(data_dir: Path) -> dict[str, Any]:
    """The typology-world figures of all AML models."""
    from analytics.aml.evaluate_graph import evaluate

    figs = evaluate(aml_dir=data_dir / "models" / "aml")
    return {"edge": figs.edge, "per_typology": figs.per_typology, "report": figs.report, "sizes": figs.sizes}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write ``var/bench/text_skills.json``."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--only", choices=("drug", "aml"))
    ap.add_argument("--data-dir", default="var/bench/data")
    args = ap.parse_args(argv)
    result: dict[str, Any] = {}
    if args.only in (None, "drug"):
        result["drug_post_screen"] = bench_drug()
    if args.only in (None, "aml"):
        result["aml_triage"] = bench_aml(Path(args.data_dir))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "text_skills.json").write_text(json.dumps(result, indent=2, default=float))
    print(json.dumps(result, indent=2, default=float))
    return 0


def test_bench_text_skills_drug() -> None:
    """Pytest entry (``pytest tests/bench/bench_text_skills.py -s``): the drug half only."""
    out = bench_drug()
    assert out["posts_per_s (model=True)"] > 200
    assert np.isfinite(out["calibration"]["heldout"]["brier"])


if __name__ == "__main__":
    raise SystemExit(main())

"""Analytics skills benchmark (run by hand; not part of CI).

    python -m tests.bench.bench_skills                  # everything, results in var/bench/skills.json
    python -m tests.bench.bench_skills --no-embeddings  # skip the MiniLM rate
    pytest tests/bench/bench_skills.py -s

aml_triage: trains the model (timed), then on held-out synthetic data (a different seed from
the training history) reports precision@50 and ROC-AUC of the combined score, of its two
parts, and of the rules-only baseline, all in the same run; then ranks 100,000 generated
reports (target: <= 30 s) and times CSV parsing + ranking of 10,000 reports.

drug_post_screen: precision and recall of ``sale_offer`` (and of "any drug": sale offer or
drug talk) on ``fixtures/skills/drug_posts.jsonl``, per split (tune / heldout) and language;
then posts per second without embeddings (target: >= 2,000) and with them.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from analytics.aml.features import rules_score
from analytics.aml.model import features_for, save, train
from analytics.aml.rank import rank
from analytics.aml.synth import generate, to_csv
from analytics.aml_triage import AmlTriage, AmlTriageInput
from analytics.drug.screen import BENIGN, SALE, screen
from analytics.drug_post_screen import SKILL as DRUG
from analytics.drug_post_screen import DrugPostScreenInput

OUT = Path("var/bench")
POSTS = Path(__file__).resolve().parents[2] / "fixtures" / "skills" / "drug_posts.jsonl"


def _precision_at(labels: np.ndarray, scores: np.ndarray, k: int = 50) -> float:
    return float(labels[np.argsort(-scores, kind="stable")[:k]].mean())


def bench_aml(n_rank: int = 100_000) -> dict[str, Any]:
    """Quality against the rules baseline on held-out data, and ranking speed."""
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    model = train()
    out["train_s"] = round(time.perf_counter() - t0, 2)
    held = generate(5_000, seed=424242, positive_rate=0.05, prefix="T")
    x = features_for(model, held.batch)
    combined, p, s, _ = model.score(x)
    quality = {}
    for name, score in (("combined", combined), ("gradient_boosting", p), ("nearest_cases", s),
                        ("rules_baseline", rules_score(x))):
        quality[name] = {"precision_at_50": round(_precision_at(held.labels, score), 3),
                         "roc_auc": round(float(roc_auc_score(held.labels, score)), 4)}
    out["heldout"] = {"reports": held.batch.n_reports, "positives": int(held.labels.sum()), **quality}
    big = generate(n_rank, seed=777, prefix="N")
    t0 = time.perf_counter()
    entries, total = rank(big.batch, model, limit=50)
    out["rank_s"] = round(time.perf_counter() - t0, 2)
    out["rank_reports"] = total
    small = generate(10_000, seed=778, prefix="C")
    csv = to_csv(small)
    save(model, OUT / "aml-model")
    skill = AmlTriage(OUT / "aml-model")
    skill.run(AmlTriageInput.model_validate({"csv": to_csv(generate(5, seed=1)), "limit": 1}))  # load once
    t0 = time.perf_counter()
    result = skill.run(AmlTriageInput(csv=csv, limit=50))
    out["csv_10k_parse_and_rank_s"] = round(time.perf_counter() - t0, 2)
    out["csv_10k_mb"] = round(len(csv) / 1e6, 1)
    assert result.total_reports == 10_000 and entries
    return out


def _pr(rows: list[dict[str, str]], positive: set[str]) -> dict[str, float | int]:
    tp = fp = fn = 0
    for r in rows:
        predicted = screen(r["text"]).label in positive
        actual = r["label"] in positive
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
    return {"n": len(rows), "precision": round(tp / max(tp + fp, 1), 3),
            "recall": round(tp / max(tp + fn, 1), 3)}


def bench_drug(embeddings: bool = True) -> dict[str, Any]:
    """Precision/recall per split and language, and throughput with and without embeddings."""
    rows = [json.loads(line) for line in POSTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    out: dict[str, Any] = {"posts": len(rows), "benign": sum(r["label"] == BENIGN for r in rows)}
    for target, positive in (("sale_offer", {SALE}), ("any_drug", {SALE, "drug_talk"})):
        table: dict[str, Any] = {}
        for split in ("tune", "heldout"):
            for lang in ("en", "ja", "all"):
                subset = [r for r in rows if r["split"] == split and lang in (r["lang"], "all")]
                table[f"{split}/{lang}"] = _pr(subset, positive)
        out[target] = table
    texts = [r["text"] for r in rows]
    batch = [{"id": str(i), "text": texts[i % len(texts)] + f" #{i}"} for i in range(20_000)]
    payload = DrugPostScreenInput.model_validate({"posts": batch})
    t0 = time.perf_counter()
    DRUG.run(payload)
    out["posts_per_s"] = round(len(batch) / (time.perf_counter() - t0))
    if embeddings:
        small = DrugPostScreenInput.model_validate({"posts": batch[:1_000], "use_embeddings": True})
        t0 = time.perf_counter()
        warm = DRUG.run(DrugPostScreenInput.model_validate({"posts": batch[:4], "use_embeddings": True}))
        out["embeddings_load_s"] = round(time.perf_counter() - t0, 2)
        if warm.embeddings_used:
            t0 = time.perf_counter()
            DRUG.run(small)
            out["posts_per_s_with_embeddings"] = round(1_000 / (time.perf_counter() - t0))
        else:
            out["posts_per_s_with_embeddings"] = None
            out["embeddings_note"] = warm.note
    return out


def run(embeddings: bool = True, n_rank: int = 100_000) -> dict[str, Any]:
    """Run both benchmarks, print them, and save var/bench/skills.json."""
    results = {"aml_triage": bench_aml(n_rank), "drug_post_screen": bench_drug(embeddings)}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "skills.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return results


def test_bench_skills() -> None:
    """pytest entry: the targets of issue 5."""
    results = run()
    aml, drug = results["aml_triage"], results["drug_post_screen"]
    assert aml["rank_s"] <= 30.0
    assert aml["heldout"]["combined"]["roc_auc"] > aml["heldout"]["rules_baseline"]["roc_auc"]
    assert drug["posts_per_s"] >= 2_000


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-embeddings", action="store_true")
    parser.add_argument("--reports", type=int, default=100_000)
    args = parser.parse_args()
    run(embeddings=not args.no_embeddings, n_rank=args.reports)

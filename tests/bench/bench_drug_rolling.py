"""Rolling-origin check: does a model learned from the hand rounds beat the drug rules blind?

    python -m tests.bench.bench_drug_rolling [--first 11] [--last 20]
    python -m tests.bench.bench_drug_rolling --rebuild-frozen   # needs /tmp/wt-<commit> trees

For every round N (default 11..20) a character n-gram logistic regression (the featuriser of
:mod:`analytics.drug.learned`) is trained on the generated posts plus the hand rounds
``1..N-1`` only, and scored on round N, which it never saw. Variants (a), decided on rounds
11..17 only (mean sale F1 over both languages):

* ``plain``    - hand rows weigh 1 each, as a generated post;
* ``balanced`` - the hand rows weigh, in total, as much as the generated posts;
* ``heavy``    - four times ``balanced``.

Combinations (b) use the rules' verdicts from the code frozen before round N (cached in
``fixtures/skills/drug_frozen_rules.json``: per round, the freeze commit and, per post id, the
lexicon-alone label/score and the shipped combined label/score; no texts). They are decided
on N=16..18 and checked on N=19..20:

* ``veto@t``   - offer = shipped offer AND the learned probability >= t (t from a grid: the
  largest t whose pooled 16..18 recall falls by <= 0.01 in each language);
* ``stack``    - a logistic regression over (shipped log-odds, shipped offer, lexicon-alone offer,
  learned log-odds), fitted on rounds 11..N-1, where every row pairs a round's frozen-rule
  verdict with the learned score from the model trained before that round (all blind).

Nothing here changes the shipped screen; it prints tables only.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "skills"
FROZEN_JSON = FIXTURES / "drug_frozen_rules.json"
SALE = "sale_offer"
LANGS = ("en", "ja")
# The commit each round was written blind after (from the fixture commits' subjects).
FREEZE = {11: "5cfe313", 12: "d5cd683", 13: "daf5d0c", 14: "8bd98c4", 15: "e7e9038",
          16: "e4712bc", 17: "637de72", 18: "7709206", 19: "833465f", 20: "d1db13a"}
VARIANTS = ("plain", "balanced", "heavy")
CHOOSE_A = range(11, 18)
CHOOSE_B, CHECK_B = range(16, 19), range(19, 21)
STACK_FROM = 11
T_GRID = tuple(round(0.01 * k, 2) for k in range(1, 100))
Row = dict[str, object]
FIELDS = ("lex_label", "lex_score", "label", "score")


def load_round(n: int) -> list[Row]:
    """The hand-written posts of round ``n``."""
    text = (FIXTURES / f"drug_posts_posthoc_r{n}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@lru_cache(maxsize=1)
def _generated() -> tuple[sparse.csr_matrix, np.ndarray]:
    from analytics.drug.corpus import generate
    from analytics.drug.learned import TRAIN_SEED, TRAIN_SIZE, prepare, vectorizer

    posts = generate(TRAIN_SIZE, seed=TRAIN_SEED)
    x = vectorizer().transform(prepare([p.text for p in posts]))
    return sparse.csr_matrix(x), np.array([p.label == SALE for p in posts])


@lru_cache(maxsize=32)
def _hand(n: int) -> tuple[sparse.csr_matrix, np.ndarray]:
    from analytics.drug.learned import prepare, vectorizer

    rows = load_round(n)
    x = vectorizer().transform(prepare([str(r["text"]) for r in rows]))
    return sparse.csr_matrix(x), np.array([r["label"] == SALE for r in rows])


def _hand_weight(variant: str, n_gen: int, n_hand: int) -> float:
    if variant == "plain":
        return 1.0
    balanced = n_gen / max(n_hand, 1)
    return balanced if variant == "balanced" else 4.0 * balanced


def rolling_scores(variant: str, rounds: Sequence[int]) -> dict[int, np.ndarray]:
    """Per round N: the probability of a sale from a model trained on generated + rounds < N."""
    xg, yg = _generated()
    out: dict[int, np.ndarray] = {}
    for n in rounds:
        parts = [_hand(k) for k in range(1, n)]
        xh = sparse.vstack([p[0] for p in parts])
        yh = np.concatenate([p[1] for p in parts])
        w = _hand_weight(variant, xg.shape[0], xh.shape[0])
        lr = LogisticRegression(C=4.0, solver="liblinear", max_iter=200)
        lr.fit(sparse.vstack([xg, xh]), np.concatenate([yg, yh]),
               sample_weight=np.concatenate([np.ones(xg.shape[0]), np.full(xh.shape[0], w)]))
        out[n] = lr.predict_proba(_hand(n)[0])[:, 1]
    return out


def pr(rows: Sequence[Row], pred: Sequence[bool], lang: str) -> tuple[float, float, float]:
    """Sale precision, recall and F1 on one language."""
    tp = fp = fn = 0
    for r, p in zip(rows, pred, strict=True):
        if r["lang"] != lang:
            continue
        gold = r["label"] == SALE
        tp += gold and p
        fp += (not gold) and p
        fn += gold and not p
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def load_frozen() -> dict[int, dict[str, dict[str, object]]]:
    """Frozen-rule verdicts per round and post id (see :func:`rebuild_frozen`)."""
    data = json.loads(FROZEN_JSON.read_text(encoding="utf-8"))
    fields = data["fields"]
    return {int(k): {i: dict(zip(fields, cells, strict=True)) for i, cells in v["posts"].items()}
            for k, v in data["rounds"].items()}


_ONE = """import json, sys
from analytics.drug.combined import screen_batch
from analytics.drug.learned import default_model
rows = json.load(sys.stdin)
lex = screen_batch([r["text"] for r in rows], None)
comb = screen_batch([r["text"] for r in rows], default_model())
print(json.dumps({r["id"]: {"lex_label": a.label, "lex_score": round(float(a.score), 4),
    "label": b.label, "score": round(float(b.score), 4)} for r, a, b in zip(rows, lex, comb)}))
"""


def rebuild_frozen(tree_of: Callable[[str], Path] = lambda c: Path(f"/tmp/wt-{c}")) -> None:
    """Re-run each round through the code frozen before it (a worktree per commit), cache it."""
    rounds: dict[str, object] = {}
    for n, commit in FREEZE.items():
        tree = tree_of(commit)
        rows = [{"id": r["id"], "text": r["text"]} for r in load_round(n)]
        done = subprocess.run([sys.executable, "-c", _ONE], input=json.dumps(rows), text=True, cwd=tree,
                              env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
                              capture_output=True, check=True)
        posts = json.loads(done.stdout)
        rounds[str(n)] = {"commit": commit, "posts": {i: [v[f] for f in FIELDS] for i, v in posts.items()}}
    payload = {"about": "drug rules' verdicts on each post-hoc round from the code frozen before it "
                        "(lex_*: screen_batch(texts, None); label/score: the shipped combined screen)",
               "fields": list(FIELDS), "rounds": rounds}
    lines = ",\n".join(f" {json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in rounds.items())
    head = json.dumps({k: v for k, v in payload.items() if k != "rounds"})[:-1]
    FROZEN_JSON.write_text(f'{head}, "rounds": {{\n{lines}\n}}}}\n', encoding="utf-8")


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def _rule_arrays(frozen: dict[str, dict[str, object]], rows: Sequence[Row]) -> dict[str, np.ndarray]:
    got = [frozen[str(r["id"])] for r in rows]
    return {"sale": np.array([g["label"] == SALE for g in got]),
            "lex_sale": np.array([g["lex_label"] == SALE for g in got]),
            "z": _logit(np.array([float(str(g["score"])) for g in got]))}


def _stack_x(rules: dict[str, np.ndarray], p: np.ndarray) -> np.ndarray:
    return np.column_stack([rules["z"], rules["sale"], rules["lex_sale"], np.clip(_logit(p), -12, 12)])


def _fmt(cells: Sequence[tuple[float, float, float]]) -> str:
    return "  ".join(f"{c[0]:.3f}/{c[1]:.3f}" for c in cells)


def _table(title: str, preds: dict[int, np.ndarray], rows_of: dict[int, list[Row]]) -> None:
    print(f"\n{title}\n  N   en P/R       ja P/R")
    for n, pred in preds.items():
        print(f"  {n:<3} {_fmt([pr(rows_of[n], list(pred), lang) for lang in LANGS])}")


def _pooled(preds: dict[int, np.ndarray], rows_of: dict[int, list[Row]], rounds: range,
            lang: str) -> tuple[float, float, float]:
    rows = [r for n in rounds for r in rows_of[n]]
    return pr(rows, [bool(x) for n in rounds for x in preds[n]], lang)


def choose_veto(rules: dict[int, np.ndarray], learned: dict[int, np.ndarray],
                rows_of: dict[int, list[Row]]) -> float:
    """The largest t whose pooled CHOOSE_B recall falls by <= 0.01 in each language."""
    base = {lang: _pooled(rules, rows_of, CHOOSE_B, lang)[1] for lang in LANGS}
    best = 0.0
    for t in T_GRID:
        pred = {n: rules[n] & (learned[n] >= t) for n in CHOOSE_B}
        if all(_pooled(pred, rows_of, CHOOSE_B, lang)[1] >= base[lang] - 0.01 for lang in LANGS):
            best = t
    return best


def stack_preds(frozen: dict[int, dict[str, dict[str, object]]], learned: dict[int, np.ndarray],
                rows_of: dict[int, list[Row]], rounds: Sequence[int]) -> dict[int, np.ndarray]:
    """Per N: a stacker fitted on the blind pairs of rounds STACK_FROM..N-1, applied to round N."""
    out: dict[int, np.ndarray] = {}
    for n in rounds:
        train = [k for k in range(STACK_FROM, n)]
        if not train:
            continue
        x = np.vstack([_stack_x(_rule_arrays(frozen[k], rows_of[k]), learned[k]) for k in train])
        y = np.concatenate([[r["label"] == SALE for r in rows_of[k]] for k in train])
        lr = LogisticRegression(C=1.0, max_iter=500).fit(x, y)
        out[n] = lr.predict_proba(_stack_x(_rule_arrays(frozen[n], rows_of[n]), learned[n]))[:, 1] >= 0.5
    return out


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--first", type=int, default=11)
    ap.add_argument("--last", type=int, default=20)
    ap.add_argument("--rebuild-frozen", action="store_true")
    args = ap.parse_args(argv)
    if args.rebuild_frozen:
        rebuild_frozen()
    rounds = list(range(args.first, args.last + 1))
    rows_of = {n: load_round(n) for n in rounds}
    scores = {v: rolling_scores(v, rounds) for v in VARIANTS}
    f1 = {}
    for v in VARIANTS:
        preds = {n: s >= 0.5 for n, s in scores[v].items()}
        _table(f"(a) learned alone, variant {v} (trained on generated + rounds < N, threshold 0.5)",
               preds, rows_of)
        cells = [pr(rows_of[n], list(preds[n]), lang)[2] for n in CHOOSE_A if n in preds for lang in LANGS]
        f1[v] = float(np.mean(cells)) if cells else math.nan
    chosen = max(VARIANTS, key=lambda v: f1[v] if not math.isnan(f1[v]) else -1.0)
    print("\nmean sale F1 on rounds 11..17: " + ", ".join(f"{v} {f1[v]:.3f}" for v in VARIANTS)
          + f" -> chosen: {chosen}")
    if not FROZEN_JSON.exists():
        return
    frozen = load_frozen()
    have = [n for n in rounds if n in frozen]
    learned = scores[chosen]
    lex = {n: _rule_arrays(frozen[n], rows_of[n])["lex_sale"] for n in have}
    ship = {n: _rule_arrays(frozen[n], rows_of[n])["sale"] for n in have}
    _table("rules, lexicon alone (code frozen before N)", lex, rows_of)
    _table("rules, shipped combined (code frozen before N) = the untouched figures", ship, rows_of)
    if not all(n in have for n in (*CHOOSE_B, *CHECK_B)):
        return
    t = choose_veto(ship, learned, rows_of)
    late = [n for n in have if n >= CHOOSE_B.start]
    _table(f"(b) veto: shipped offer AND learned >= {t:.2f} (t chosen on 16..18)",
           {n: ship[n] & (learned[n] >= t) for n in late}, rows_of)
    stacked = stack_preds(frozen, learned, rows_of, late)
    _table("(b) stack: LR over (shipped z, shipped offer, lexicon offer, learned logit), rounds 11..N-1",
           stacked, rows_of)
    combos = {"veto": {n: ship[n] & (learned[n] >= t) for n in late}, "stack": stacked}
    for name, pred in combos.items():
        for span in (CHOOSE_B, CHECK_B):
            text = []
            for lang in LANGS:
                b, c = _pooled(ship, rows_of, span, lang), _pooled(pred, rows_of, span, lang)
                text.append(f"{lang} P {b[0]:.3f}->{c[0]:.3f} R {b[1]:.3f}->{c[1]:.3f}")
            print(f"  {name} pooled {span.start}..{span.stop - 1}: " + "; ".join(text))
    f1_b = {k: float(np.mean([_pooled(v, rows_of, CHOOSE_B, lang)[2] for lang in LANGS]))
            for k, v in combos.items()}
    pick = max(f1_b, key=lambda k: f1_b[k])
    print("mean pooled sale F1 on 16..18: " + ", ".join(f"{k} {v:.3f}" for k, v in f1_b.items())
          + f" -> chosen: {pick}; shipping rule on 19..20 (EN precision up, recall down <= 0.025): "
          + ("met" if _meets(ship, combos[pick], rows_of) else "not met"))


def _meets(base: dict[int, np.ndarray], pred: dict[int, np.ndarray], rows_of: dict[int, list[Row]]) -> bool:
    b = {lang: _pooled(base, rows_of, CHECK_B, lang) for lang in LANGS}
    c = {lang: _pooled(pred, rows_of, CHECK_B, lang) for lang in LANGS}
    return c["en"][0] >= b["en"][0] + 0.03 and all(c[g][1] >= b[g][1] - 0.025 for g in LANGS)


if __name__ == "__main__":
    main()

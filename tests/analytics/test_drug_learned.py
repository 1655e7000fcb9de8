"""drug_post_screen, learned half: obfuscation generator, n-gram artefact, calibrated combination."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from analytics.drug import evaluate as ev_
from analytics.drug.combined import screen_batch
from analytics.drug.corpus import SALE, generate
from analytics.drug.evaluate import calibration, load_jsonl, obfuscated_set, precision_recall
from analytics.drug.learned import MODEL_DIR, default_model, load, train
from analytics.drug.normalize import normalize
from analytics.drug.obfuscate import KINDS, applicable, obfuscate
from analytics.drug_post_screen import SKILL, DrugPostScreenInput

POSTS = Path(__file__).resolve().parents[2] / "fixtures" / "skills" / "drug_posts.jsonl"


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ("emoji", "mixed")])
def test_every_obfuscation_folds_back_to_the_plain_word(kind: str) -> None:
    rng = random.Random(3)
    word = "テレグラム" if kind in ("halfwidth", "kana_swap") else "cocaine"
    lang = "ja" if word == "テレグラム" else "en"
    assert applicable(kind, lang)
    changed = obfuscate(f"got {word} now", kind, rng, target=word)
    assert changed != f"got {word} now"
    plain = normalize(f"got {word} now").text
    folded = normalize(changed).text
    if kind == "stretched":
        assert folded.replace("aa", "a").replace("ii", "i").replace("ee", "e") == plain
    else:
        assert folded == plain, (kind, changed)


def test_generator_is_seeded_and_labelled() -> None:
    a, b = generate(300, seed=9), generate(300, seed=9)
    assert a == b
    labels = {p.label for p in a}
    assert labels == {"sale_offer", "drug_talk", "benign"} and {p.lang for p in a} == {"en", "ja"}
    assert sum(p.kind != "none" for p in a) > 100


def test_packaged_model_passes_its_checksum_and_a_tampered_one_is_refused(tmp_path: Path) -> None:
    model = load()
    assert model.meta["version"] == 2 and int(str(model.meta["nonzero"])) > 1000
    for name in ("screen_ngram.npz", "screen_ngram.json"):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    blob = bytearray((tmp_path / "screen_ngram.npz").read_bytes())
    blob[-10] ^= 0xFF
    (tmp_path / "screen_ngram.npz").write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="checksum"):
        load(tmp_path)


def test_retraining_reproduces_the_packaged_model() -> None:
    fresh, packaged = train(), load()
    texts = [p.text for p in generate(400, seed=4242)]
    assert float(str(fresh.meta["trained_s"])) < 30
    np.testing.assert_allclose(fresh.logits(texts), packaged.logits(texts), atol=1e-3)
    np.testing.assert_allclose(fresh.stack_coef, packaged.stack_coef, atol=1e-4)


@pytest.mark.parametrize("split", ["tune", "heldout"])
def test_combined_screen_on_the_hand_written_fixture(split: str) -> None:
    rows = [r for r in load_jsonl(POSTS) if r["split"] == split]
    verdicts = screen_batch([r["text"] for r in rows], default_model())
    actual = [r["label"] == SALE for r in rows]
    precision, recall, _ = precision_recall([v.label == SALE for v in verdicts], actual)
    # Measured 1.00 / 1.00 on both splits (tune was tuned on; heldout was not).
    assert precision >= 0.95 and recall >= 0.95
    brier, ece = calibration([v.score for v in verdicts], actual)
    assert brier < 0.05 and ece < 0.1


def test_obfuscated_heldout_posts_are_still_caught() -> None:
    rows = [r for r in load_jsonl(POSTS) if r["split"] == "heldout" and r["variant"] == "base"]
    ob = obfuscated_set(rows, seed=1)
    assert {r["kind"] for r in ob} == set(KINDS)
    verdicts = screen_batch([r["text"] for r in ob], default_model())
    actual = [r["label"] == SALE for r in ob]
    precision, recall, _ = precision_recall([v.label == SALE for v in verdicts], actual)
    assert precision >= 0.95 and recall >= 0.95


def test_recall_at_budget_counts_the_top_of_each_day() -> None:
    scores = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3]
    actual = [True, False, True, False, False, True]
    recall, precision = ev_.recall_at_budget(scores, actual, per_day=6, budget=2)
    assert recall == pytest.approx(2 / 3) and precision == 1.0


def test_skill_output_keeps_old_keys_and_adds_the_model_scores() -> None:
    text = "ｗ.ｅ.ｅ.ｄ 3.5g, telegram @greenline"
    out = SKILL.run(DrugPostScreenInput.model_validate({"posts": [{"id": "a", "text": text},
                                                                  {"id": "b", "text": "ice cream at 3"}]}))
    assert out.model_used and out.counts["sale_offer"] == 1
    top = out.results[0]
    assert top.id == "a" and top.label == SALE and top.score > 0.9
    assert top.lexicon_score is not None and top.model_score is not None
    assert {"score", "label", "lang", "evidence"} <= set(top.model_dump())
    assert all(text[ev.start:ev.end] == ev.text for ev in top.evidence)
    assert any(ev.term == "weed" for ev in top.evidence)
    payload = {"posts": [{"text": text}], "use_model": False}
    lexicon_only = SKILL.run(DrugPostScreenInput.model_validate(payload))
    assert not lexicon_only.model_used and lexicon_only.results[0].model_score is None

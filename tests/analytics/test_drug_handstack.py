"""The hand stack: artefact checks, the frozen-rule cache it is fitted on, and what it changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.drug.combined import screen_batch
from analytics.drug.handstack import FROZEN_RULES, LAST_ROUND, STACK_ROUNDS, default_hand, load
from analytics.drug.learned import MODEL_DIR, default_model
from analytics.drug.screen import SALE

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "skills"


def test_packaged_hand_stack_loads_and_refuses_a_tampered_one(tmp_path: Path) -> None:
    hand = load()
    assert hand.meta["last_round"] == LAST_ROUND and hand.coef.shape == (int(str(hand.meta["n_features"])),)
    for name in ("screen_hand.npz", "screen_hand.json"):
        (tmp_path / name).write_bytes((MODEL_DIR / name).read_bytes())
    blob = bytearray((tmp_path / "screen_hand.npz").read_bytes())
    blob[-10] ^= 0xFF
    (tmp_path / "screen_hand.npz").write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="checksum"):
        load(tmp_path)


def test_frozen_rule_cache_covers_every_stacking_round() -> None:
    data = json.loads(FROZEN_RULES.read_text(encoding="utf-8"))
    for n in STACK_ROUNDS:
        lines = (FIXTURES / f"drug_posts_posthoc_r{n}.jsonl").read_text(encoding="utf-8").splitlines()
        ids = {json.loads(line)["id"] for line in lines if line.strip()}
        assert set(data["rounds"][str(n)]["posts"]) == ids


def test_lawful_namesakes_are_not_offers_but_offers_stay() -> None:
    assert default_hand() is not None
    texts = ["Our cat Molly turned 12 today, she got salmon and a new blanket 🐱",
             "Special K red berries 2 boxes for £5 at the corner shop this week",
             "weed 3.5g £25, pingers £5 each, telegram @greenline, delivery tonight"]
    labels = [v.label for v in screen_batch(texts, default_model())]
    assert SALE not in labels[:2] and labels[2] == SALE


def test_hand_stack_can_be_switched_off() -> None:
    text = ["weed 3.5g £25, telegram @greenline"]
    on, off = screen_batch(text, default_model()), screen_batch(text, default_model(), hand_stack=False)
    assert on[0].lexicon == off[0].lexicon and on[0].model_score == off[0].model_score

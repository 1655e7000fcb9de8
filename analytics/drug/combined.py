"""Lexicon + learned screen over a batch: calibrated score, label, the lexicon's evidence.

:func:`screen_batch` runs the explainable lexicon screen (:func:`analytics.drug.screen.screen`)
on every post, then the character n-gram model on the whole batch at once, and combines
both through the calibrating stacker of :mod:`analytics.drug.learned`. The label is
``sale_offer`` when the calibrated probability reaches the model's threshold; otherwise it is
``drug_talk`` when the lexicon found drug evidence, else ``benign``. A lexicon sale offer
stays one unless the stacker is confident it is not (below :data:`LEXICON_FLOOR`): the
n-gram model only knows the phrasings it was trained on, the lexicon's rules are general.
Nor does the model alone make an offer of goods sold by weight where the lexicon found no drug word,
nor of drug talk by a regulated seller (licence numbers, prescription only) or a harm-reduction or
recovery service (:mod:`analytics.drug.regulated`).
Last, the hand stack (:mod:`analytics.drug.handstack`, learned from the hand-written rounds and from
how the rules fared on them blind) re-decides the sale label and gives the score; a post it takes
out of ``sale_offer`` is ``drug_talk`` when the lexicon found drug evidence, else ``benign``.
The lexicon's evidence spans are returned unchanged, so an analyst still sees which words drove the score.
Without a model (artefact missing or failing its checksum) the lexicon screen alone decides.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from analytics.drug.handstack import HandStack, default_hand
from analytics.drug.lawful import lawful_goods
from analytics.drug.learned import NgramModel
from analytics.drug.normalize import normalize
from analytics.drug.patterns import trade_amount, weighed_goods
from analytics.drug.regulated import no_promotion
from analytics.drug.screen import BENIGN, SALE, TALK, Screened, ScreenOptions, screen

logger = logging.getLogger(__name__)

LEXICON_FLOOR = 0.15


@dataclass(frozen=True, slots=True)
class Verdict:
    """The combined verdict on one post."""

    score: float  # calibrated probability of a sale offer (lexicon score when no model)
    label: str
    lexicon: Screened
    model_score: float | None  # the n-gram model's own probability, None without a model


def _no_trade(text: str) -> bool:
    return weighed_goods(text) or lawful_goods(text) or not trade_amount(text)


def screen_batch(
    texts: list[str],
    model: NgramModel | None,
    *,
    similarities: np.ndarray | None = None,
    options: ScreenOptions | None = None,
    hand_stack: bool = True,
) -> list[Verdict]:
    """Screen a batch of posts (the n-gram model runs once, vectorised, over the batch).

    ``hand_stack=False`` skips the last stage (the packaged hand stack; skipped too when it is missing).
    """
    opts = options or ScreenOptions()
    lex = [screen(t, options=opts, similarity=None if similarities is None else float(similarities[i]))
           for i, t in enumerate(texts)]
    if model is None or not texts:
        return [Verdict(v.score, v.label, v, None) for v in lex]
    logits = model.logits(texts)
    z = np.array([math.log(max(v.score, 1e-6) / max(1.0 - v.score, 1e-6)) for v in lex])
    sale = np.array([v.label == SALE for v in lex])
    p = model.calibrated(z, sale, logits, np.array([v.intent > 0 for v in lex]))
    own = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
    out: list[Verdict] = []
    for t, v, pi, oi in zip(texts, lex, p, own, strict=True):
        # Goods sold by weight with no drug word at all: the per-gram price is the shop's, and
        # the n-gram model, which reads "£7/g" as a dealer's, does not make it an offer alone.
        # (Checked only where the model alone would decide, so most posts are not normalised twice.)
        # Nor, with no drug word, of a post that names no dealer's quantity: the model reads any
        # "10 for £15, message me" as a deal.
        # Nor of drug talk by a regulated seller or a harm-reduction or recovery service.
        model_sale = pi >= model.threshold and not (v.drug == 0 and _no_trade(normalize(t).text)) and not (
            v.label == TALK and no_promotion(normalize(t).text))
        if model_sale or (v.label == SALE and pi >= LEXICON_FLOOR):
            label = SALE
        elif v.drug >= opts.drug_min:
            label = TALK
        else:
            label = BENIGN
        out.append(Verdict(round(float(pi), 4), label, v, round(float(oi), 4)))
    hand = default_hand() if hand_stack else None
    return out if hand is None else _restack(hand, texts, out, opts.drug_min)


def _restack(hand: HandStack, texts: list[str], out: list[Verdict], drug_min: float) -> list[Verdict]:
    p = hand.probability(np.array([v.score for v in out]), np.array([v.label == SALE for v in out]),
                         np.array([v.lexicon.label == SALE for v in out]), hand.logits(texts))
    done: list[Verdict] = []
    for v, pi in zip(out, p, strict=True):
        if pi >= hand.threshold:
            label = SALE
        elif v.label == SALE:
            label = TALK if v.lexicon.drug >= drug_min else BENIGN
        else:
            label = v.label
        done.append(Verdict(round(float(pi), 4), label, v.lexicon, v.model_score))
    return done

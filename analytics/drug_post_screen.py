"""Skill ``drug_post_screen``: flag social-media posts that offer drugs for sale (EN + JA).

Input is a batch of posts, as JSON objects or as CSV text with ``id`` and ``text``
columns. Each post gets a calibrated score (0-1, the probability of a sale offer from the
lexicon screen and a character n-gram model combined, see :mod:`analytics.drug.combined`),
a label (``sale_offer``, ``drug_talk`` or ``benign``) and the lexicon's evidence spans,
which point into the ORIGINAL post text, so an analyst can see which words drove the score.
Optional semantic similarity to known sale posts
uses the packaged MiniLM (off by default; about 30x slower). Decision support only.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import asdict
from typing import ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from analytics._batch import MAX_BATCH_BYTES, check_text, empty_batch, read_csv, too_large, utf8_text
from analytics.drug.combined import screen_batch
from analytics.drug.learned import default_model
from analytics.drug.screen import BENIGN, SALE, TALK
from analytics.errors import SkillError

logger = logging.getLogger(__name__)

MAX_POSTS = 50_000
MAX_POST_CHARS = 10_000

# Prototype sale posts for the optional semantic signal; written for this module, not
# taken from the labelled fixture set, so the held-out split stays unseen.
SALE_PROTOTYPES: tuple[str, ...] = (
    "selling weed and carts, DM me for the menu, delivery available",
    "plug here, coke and pills in stock, hit me up on telegram",
    "got ice and crystal, cash only, meet up tonight",
    "taking orders now, discreet shipping, prices in bio",
    "大麻あります、手押し、都内即日、テレグラムで連絡",
    "冷たいの0.5から、手渡し可能、DMください",
    "野菜あります、1gから、ワイヤーで連絡",
)


class Post(BaseModel):
    """One post to screen."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, max_length=200, description="caller's id for the post")
    text: str = Field(..., max_length=MAX_POST_CHARS, description="the post, as written")


class DrugPostScreenInput(BaseModel):
    """A batch of posts: ``posts`` (JSON) or ``csv`` (text with ``id`` and ``text`` columns)."""

    model_config = ConfigDict(extra="forbid")

    posts: list[Post] | None = Field(None, description="posts to screen")
    csv: str | None = Field(None, description="CSV text with a header row: id,text")
    use_embeddings: bool = Field(False, description="add MiniLM similarity to known sale posts (slow)")
    include_benign: bool = Field(True, description="also return posts labelled benign")
    use_model: bool = Field(True, description="combine the lexicon with the n-gram model (calibrated)")

    _utf8 = field_validator("csv")(utf8_text)


class Span(BaseModel):
    """Evidence: ``text == post[start:end]`` of the original post."""

    start: int
    end: int
    text: str
    kind: str
    category: str
    strong: bool
    term: str
    how: str


class PostResult(BaseModel):
    """The screen's verdict on one post."""

    id: str
    score: float
    label: str
    lang: str
    evidence: list[Span]
    lexicon_score: float | None = Field(None, description="the lexicon screen's own score")
    model_score: float | None = Field(None, description="the n-gram model's own probability")


class DrugPostScreenOutput(BaseModel):
    """Verdicts, highest score first, and counts per label."""

    results: list[PostResult]
    counts: dict[str, int]
    embeddings_used: bool
    note: str | None = None
    model_used: bool = False


def _load_embedder() -> object | None:
    """The shared MiniLM embedder if ``models.embeddings`` is installed and loads, else None."""
    try:
        module = importlib.import_module("models.embeddings")
        embedder: object = module.load_embedder()
        return embedder
    except (ImportError, OSError, RuntimeError) as err:
        logger.warning("embeddings unavailable: %s", type(err).__name__)
        return None


def similarities(texts: list[str], embedder: object) -> np.ndarray:
    """Cosine similarity of each text to its closest sale prototype, mapped to 0-1."""
    vectors = embedder.embed(texts)  # type: ignore[attr-defined]
    protos = embedder.embed(list(SALE_PROTOTYPES))  # type: ignore[attr-defined]
    best = (np.asarray(vectors) @ np.asarray(protos).T).max(axis=1)
    # MiniLM cosines between unrelated short posts sit near 0.1, paraphrases near 0.7.
    return np.clip((best - 0.1) / 0.6, 0.0, 1.0)


def _posts(payload: DrugPostScreenInput) -> list[Post]:
    if payload.posts is not None and payload.csv is not None:
        raise SkillError("give either 'posts' or 'csv', not both", code="bad_input")
    if payload.csv is not None:
        check_text(payload.csv, what="CSV", max_bytes=MAX_BATCH_BYTES)
        rows = read_csv(payload.csv, required=("text",))
        posts = [Post(id=r.get("id") or None, text=r["text"]) for r in rows]
    else:
        posts = list(payload.posts or [])
    if not posts:
        raise empty_batch("posts")
    if len(posts) > MAX_POSTS:
        raise too_large("batch", f"{MAX_POSTS} posts")
    for p in posts:
        check_text(p.text, what="post text")
    return posts


class DrugPostScreen:
    """The ``drug_post_screen`` skill object."""

    name: ClassVar[str] = "drug_post_screen"
    description: ClassVar[str] = (
        "Screen social-media posts (English and Japanese) for drug sale offers; returns a score, "
        "a label and evidence spans for each post."
    )
    examples: ClassVar[tuple[str, ...]] = (
        "screen this post for drug sales",
        "is this post selling drugs",
        "check posts for drug dealing",
        "この投稿は薬物の販売ですか",
    )
    input_model: ClassVar[type[BaseModel]] = DrugPostScreenInput
    output_model: ClassVar[type[BaseModel]] = DrugPostScreenOutput
    roles: ClassVar[frozenset[str]] = frozenset({"operator", "supervisor", "admin"})
    timeout_s: ClassVar[float] = 60.0

    def run(self, payload: BaseModel) -> DrugPostScreenOutput:
        """Screen every post of the batch; results are sorted by score, highest first."""
        if not isinstance(payload, DrugPostScreenInput):
            payload = DrugPostScreenInput.model_validate(payload.model_dump())
        posts = _posts(payload)
        sims: np.ndarray | None = None
        note = None
        if payload.use_embeddings:
            embedder = _load_embedder()
            if embedder is None:
                note = "embeddings requested but not available; lexicon screen only"
            else:
                sims = similarities([p.text for p in posts], embedder)
        model = default_model() if payload.use_model else None
        if payload.use_model and model is None:
            note = (note + "; " if note else "") + "n-gram model unavailable; lexicon screen only"
        verdicts = screen_batch([p.text for p in posts], model, similarities=sims)
        results: list[PostResult] = []
        counts = {SALE: 0, TALK: 0, BENIGN: 0}
        for i, (post, verdict) in enumerate(zip(posts, verdicts, strict=True)):
            counts[verdict.label] += 1
            if verdict.label == BENIGN and not payload.include_benign:
                continue
            results.append(PostResult(
                id=post.id or str(i),
                score=verdict.score,
                label=verdict.label,
                lang=verdict.lexicon.lang,
                evidence=[Span(**asdict(ev)) for ev in verdict.lexicon.evidence],
                lexicon_score=verdict.lexicon.score,
                model_score=verdict.model_score,
            ))
        results.sort(key=lambda r: -r.score)
        logger.info("drug_post_screen: %d posts, %d sale offers", len(posts), counts[SALE])
        return DrugPostScreenOutput(
            results=results, counts=counts, embeddings_used=sims is not None, note=note,
            model_used=model is not None,
        )

    def from_text(self, text: str) -> DrugPostScreenInput | None:
        """Spoken or typed: 'screen post: <text>' screens the quoted post."""
        m = re.search(r"(?:screen|check)\s+(?:this\s+)?post[:\s]+(.+)", text, re.IGNORECASE | re.DOTALL)
        if not m or not m.group(1).strip():
            return None
        return DrugPostScreenInput.model_validate({"posts": [{"id": "0", "text": m.group(1).strip()}]})


SKILL = DrugPostScreen()

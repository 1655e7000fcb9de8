"""Render the training corpus to disk, reproducibly from a seed, resumably, with a progress bar.

    python -m training corpus --out var/corpus/v1 --size 7000 --seed 1

Writes ``clips/NNNNNN.wav`` (16 kHz PCM16, clean: channels are applied while training) and
``manifest.jsonl`` (one line per clip: file, spoken, target, kind, template, slots, voice).
A clip already on disk is not rendered again, so an interrupted run picks up where it
stopped; the plan itself depends only on the seed and the size.
"""

from __future__ import annotations

import json
import logging
import random
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import soundfile as sf
from tqdm import tqdm

from training.corpus.channel import prepared
from training.corpus.text import Sample, make_chatter, make_query, make_reply
from training.corpus.voices import RATE, VoiceSetting, synthesize, train_voice

logger = logging.getLogger(__name__)

KINDS = {"plate": 0.32, "licence": 0.2, "person": 0.33, "chatter": 0.15}
# Corpus v3 (radio-tiny-v2): short replies beside the queries, as the officer answers a
# "Confirm plate ...?" with one word.
KINDS_REPLIES = {"plate": 0.22, "licence": 0.14, "person": 0.22, "chatter": 0.12, "reply": 0.30}
FORTUNES = Path("/usr/share/games/fortunes")


@dataclass(frozen=True, slots=True)
class Planned:
    """One clip to render."""

    index: int
    sample: Sample
    voice: VoiceSetting

    @property
    def file(self) -> str:
        return f"clips/{self.index:06d}.wav"


def general_sentences() -> list[str]:
    """Ordinary English sentences from Debian's ``fortunes-min`` (when installed): one-line
    entries of 5 to 25 words, plain ASCII, no digits (Whisper writes numbers as numerals)."""
    out: list[str] = []
    if not FORTUNES.is_dir():
        return out
    for path in sorted(FORTUNES.iterdir()):
        if path.suffix or not path.is_file():
            continue
        for entry in path.read_text(encoding="utf-8", errors="ignore").split("\n%\n"):
            text = " ".join(entry.split())
            if (text.isascii() and not re.search(r"[\d\t@#<>|{}\[\]_*=~^\\]|--|\s-\s", text)
                    and 5 <= len(text.split()) <= 25 and text[-1:] in ".!?"):
                out.append(text)
    return sorted(set(out))


def _names(seed: int) -> dict[str, tuple[list[str], list[str]]]:
    from faker import Faker

    names: dict[str, tuple[list[str], list[str]]] = {}
    for locale in ("en_US", "en_GB", "ja_JP"):
        fake = Faker(locale)
        fake.seed_instance(seed)
        if locale == "ja_JP":
            given = [fake.first_romanized_name() for _ in range(800)]
            family = [fake.last_romanized_name() for _ in range(800)]
        else:
            given = [fake.first_name() for _ in range(800)]
            family = [fake.last_name() for _ in range(800)]
        names[locale] = (given, family)
    return names


def plan(size: int, seed: int, *, piper_share: float = 0.3,
         kinds: dict[str, float] | None = None) -> list[Planned]:
    """The corpus's clips: content, phrasing and voice of each, from ``seed`` and the shares
    of each kind alone (:data:`KINDS` by default, as corpora v1 and v2 were made)."""
    shares = KINDS if kinds is None else kinds
    rng = random.Random(seed)
    names = _names(seed)
    general = general_sentences()
    drawn = rng.choices(list(shares), weights=list(shares.values()), k=size)
    out = []
    for i, kind in enumerate(drawn):
        if kind == "chatter":
            sample = make_chatter(rng, general)
        elif kind == "reply":
            sample = make_reply(rng)
        else:
            sample = make_query(rng, kind, names)
        out.append(Planned(i, sample, train_voice(rng, piper_share)))
    return out


def _render(item: Planned, out: Path) -> dict[str, object] | None:
    path = out / item.file
    if not path.is_file():
        try:
            ready = prepared(synthesize(item.voice, item.sample.spoken))
        except Exception as err:  # noqa: BLE001 - one voice failing must not stop the corpus
            logger.warning("clip %d (%s) failed: %s", item.index, item.voice.name, err)
            return None
        if ready is None:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part.wav")
        sf.write(str(tmp), ready, RATE, subtype="PCM_16")
        tmp.replace(path)
    return {"file": item.file, **asdict(item.sample), "voice": item.voice.name, "engine": item.voice.engine}


def _render_many(items: list[Planned], out: Path) -> list[dict[str, object] | None]:
    return [_render(item, out) for item in items]


def build(out: Path, *, size: int, seed: int, workers: int = 2, piper_share: float = 0.3,
          kinds: dict[str, float] | None = None) -> int:
    """Render the corpus into ``out``; return the number of clips in its manifest."""
    out.mkdir(parents=True, exist_ok=True)
    shares = KINDS if kinds is None else kinds
    items = plan(size, seed, piper_share=piper_share, kinds=shares)
    (out / "recipe.json").write_text(json.dumps({"size": size, "seed": seed, "piper_share": piper_share,
                                                 "kinds": shares}, indent=1) + "\n", encoding="utf-8")
    chunks = [items[i:i + 25] for i in range(0, len(items), 25)]
    entries: list[dict[str, object]] = []
    with ProcessPoolExecutor(max_workers=workers) as pool, tqdm(total=len(items), unit="clip") as bar:
        for done in pool.map(_render_many, chunks, [out] * len(chunks)):
            entries += [e for e in done if e is not None]
            bar.update(len(done))
    (out / "manifest.jsonl").write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return len(entries)

"""The evaluation set: registry records said in phrasings and voices training never used.

    python -m training.evalset --out var/eval/radio-v1 --queries 300 --seed 21
    python -m training.evalset --out var/eval/replies-v1 --queries 150 --seed 22 --replies
    python -m tests.bench.bench_radio_asr --audio var/eval/radio-v1

Generated after training and never trained or tuned on. What is withheld:

* phrasings: only :data:`training.corpus.text.HELDOUT_TEMPLATES`, and the words are written
  by the fixture generator's own spelling and date code (:mod:`fixtures.dev_set`), not by the
  training corpus's;
* voices, in three families: ``human`` (piper's joe at fixed speaking rates with its default
  noise; the same speaker as in training, which is the only human-like voice installable
  here), ``espeak-accent`` (espeak-ng languages and variants withheld from training:
  :data:`training.corpus.voices.HELDOUT_ESPEAK_LANGS` and ``HELDOUT_ESPEAK_VARIANTS``) and
  ``unseen-engine`` (flite and festival, engines never used in training);
* channels: the fixtures' clean and radio channels at 20 and 10 dB
  (:func:`fixtures.make_audio.make_radio`), not the training channel code.

Every query names a record of the bench registry (seed 3, 20,000 persons and vehicles), so
the on-file figures can be read off the same run. The manifest has the fixture manifest's
fields plus ``family``, with ``split: eval``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import random
import re
from pathlib import Path
from typing import Any

from tqdm import tqdm

from fixtures.dev_set import BENCH_SEED, BENCH_SIZE, REGIONS, _registry_rows, say_date, say_value
from fixtures.make_audio import CHANNELS, CLEAN_RATE, RADIO_RATE, make_clean, make_radio, write_wav
from lookup.phrases import CANCEL, CONFIRM, REPEAT
from training.corpus.text import HELDOUT_TEMPLATES, REPLY_WORDS, reply_pair
from training.corpus.voices import HELDOUT_ESPEAK_LANGS, HELDOUT_ESPEAK_VARIANTS, VoiceSetting, synthesize

logger = logging.getLogger(__name__)

FAMILIES = ("human", "espeak-accent", "unseen-engine")
FLITE = ("kal", "awb", "rms", "slt")
FESTIVAL = ("kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts")
OPENINGS = ("", "", "Control, ", "Dispatch, ")
CLOSINGS = ("", "", ", over", ", thanks")


def _voice(family: str, rng: random.Random) -> VoiceSetting:
    if family == "human":
        return VoiceSetting("piper", length_scale=rng.choice((0.92, 1.0, 1.12)))
    if family == "espeak-accent":
        lang, variant = rng.choice(HELDOUT_ESPEAK_LANGS), rng.choice(HELDOUT_ESPEAK_VARIANTS)
        return VoiceSetting("espeak", f"{lang}+{variant}", wpm=rng.randint(140, 175))
    if rng.random() < 0.55:
        return VoiceSetting("flite", rng.choice(FLITE))
    return VoiceSetting("festival", rng.choice(FESTIVAL))


def _spoken_digits(text: str) -> str:
    """Numerals as words (flite and festival would read "1985" as a number either way, but
    a spelled "7" must stay one digit)."""
    words = "zero one two three four five six seven eight nine".split()
    return re.sub(r"\b\d\b", lambda m: words[int(m.group())], text)


def plan(queries: int, seed: int) -> list[dict[str, Any]]:
    """``queries`` queries on file (plates, licences, persons in 4:3:3), one voice each."""
    rng = random.Random(seed)
    rows = _registry_rows(BENCH_SEED, BENCH_SIZE)
    vehicles = rows["vehicles"]
    licences = [r for r in rows["licences"] if len(r[0]) <= 9]
    persons = rows["persons"]
    by_kind = {k: {i: t for i, t in HELDOUT_TEMPLATES.items() if k in i} for k in ("plate", "lic", "per")}
    out = []
    for i in range(queries):
        kind = ("plate",) * 4 + ("lic",) * 3 + ("per",) * 3
        k = kind[i % 10]
        template_id = rng.choice(sorted(by_kind[k]))
        template = by_kind[k][template_id]
        if k == "plate":
            plate, region = rng.choice(vehicles)
            body = template.format(v=say_value(plate, rng), r=REGIONS.get(region or "", "California"))
            intent, slots = "plate_lookup", {"plate": plate}
        elif k == "lic":
            (number,) = rng.choice(licences)
            body = template.format(v=say_value(number, rng))
            intent, slots = "licence_lookup", {"licence": number}
        else:
            given, family, dob = rng.choice(persons)
            dob = dob if isinstance(dob, dt.date) else dt.date.fromisoformat(str(dob))
            body = template.format(n=f"{given} {family}", d=say_date(dob, rng))
            intent, slots = "person_lookup", {"given": given, "family": family, "dob": dob.isoformat()}
        text = rng.choice(OPENINGS) + body + rng.choice(CLOSINGS) + "."
        text = text[0].upper() + text[1:]
        voice_family = FAMILIES[(i + i // 10) % len(FAMILIES)]
        out.append({"query_id": f"e{i:03d}", "text": _spoken_digits(text), "intent": intent, "slots": slots,
                    "template": template_id, "family": voice_family, "voice": _voice(voice_family, rng)})
    return out


def plan_replies(replies: int, seed: int) -> list[dict[str, Any]]:
    """``replies`` short replies (confirm, cancel, repeat) in the withheld voices: half of them
    one parser phrase alone (as in training, other voices), half two phrases of one intent in
    one transmission ("Negative, cancel that"), a phrasing training never uses."""
    rng = random.Random(seed)
    intents = {"confirm": CONFIRM, "cancel": CANCEL, "repeat": REPEAT}
    out = []
    for i in range(replies):
        if i % 2:
            body, template = reply_pair(rng), "h-reply-pair"
        else:
            body, template = rng.choice(REPLY_WORDS), "reply"
        first = body.split(", ")[0]
        intent = next(name for name, vocab in intents.items() if first in vocab)
        text = rng.choice(OPENINGS) + body + "."
        voice_family = FAMILIES[(i + i // 10) % len(FAMILIES)]
        out.append({"query_id": f"r{i:03d}", "text": text[0].upper() + text[1:], "intent": intent,
                    "slots": {}, "template": template, "family": voice_family,
                    "voice": _voice(voice_family, rng)})
    return out


def generate(out: Path, *, queries: int, seed: int, replies: bool = False) -> int:
    """Write the clips and the manifest; return the number of clips."""
    out.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []
    planned = plan_replies(queries, seed) if replies else plan(queries, seed)
    for q in tqdm(planned, unit="query"):
        voice: VoiceSetting = q.pop("voice")
        try:
            audio = synthesize(voice, q["text"]).astype("float64")
        except Exception as err:  # noqa: BLE001 - a voice that fails is reported, not fatal
            logger.warning("%s in %s failed: %s", q["query_id"], voice.name, err)
            continue
        clean, start_s, end_s = make_clean(audio, seed + int(q["query_id"][1:]))
        for channel, snr in CHANNELS:
            name = f"{q['query_id']}_{voice.name}_{channel}.wav"
            data, rate = (clean, CLEAN_RATE) if snr is None else (
                make_radio(clean, start_s, end_s, snr, seed * 7919 + len(entries)), RADIO_RATE)
            write_wav(out / name, data, rate)
            entries.append({**q, "file": name, "voice": voice.name, "engine": voice.engine,
                            "channel": channel,
                            "rate": rate, "snr_db": snr, "duration_s": round(len(data) / rate, 4),
                            "speech_start_s": round(start_s, 3), "speech_end_s": round(end_s, 3),
                            "split": "eval"})
    (out / "manifest.jsonl").write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return len(entries)


def main() -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("var/eval/radio-v1"))
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--replies", action="store_true",
                    help="short replies (affirm, negative, say again) instead of queries")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    n = generate(args.out, queries=args.queries, seed=args.seed, replies=args.replies)
    logger.info("wrote %d clips to %s", n, args.out)


if __name__ == "__main__":
    main()

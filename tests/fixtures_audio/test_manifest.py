"""The committed audio fixtures: manifest consistency, held-out split, radio channel properties."""

from __future__ import annotations

import re
import shutil
import wave
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fixtures.make_audio import (
    AUDIO_DIR,
    CHANNELS,
    HELDOUT_QUERY_IDS,
    MANIFEST_NAME,
    VOICES,
    Render,
    main,
    read_manifest,
    render_files,
    speech_bounds,
)
from fixtures.queries import QUERIES, query_by_id

KEYS = {
    "file", "query_id", "text", "intent", "slots", "voice", "engine", "channel", "rate", "snr_db",
    "duration_s", "speech_start_s", "speech_end_s", "split",
}
RATES = {"clean": 16000, "radio20": 8000, "radio10": 8000}


@pytest.fixture(scope="module")
def manifest() -> list[dict[str, Any]]:
    entries = read_manifest()
    assert entries, f"no {MANIFEST_NAME} in {AUDIO_DIR}: run python -m fixtures.make_audio"
    return entries


def _load(entry: dict[str, Any]) -> np.ndarray:
    with wave.open(str(AUDIO_DIR / entry["file"]), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, entry["rate"])
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0


def test_entries_complete_and_consistent(manifest: list[dict[str, Any]]) -> None:
    files = [e["file"] for e in manifest]
    assert len(files) == len(set(files))
    for e in manifest:
        assert set(e) == KEYS, e["file"]
        assert (AUDIO_DIR / e["file"]).is_file(), e["file"]
        assert e["rate"] == RATES[e["channel"]]
        assert e["snr_db"] == {"clean": None, "radio20": 20.0, "radio10": 10.0}[e["channel"]]
        query = query_by_id(e["query_id"])
        assert (e["text"], e["intent"], e["slots"]) == (query.text, query.intent, query.slots)
        assert e["split"] in {"tune", "heldout"}
        assert 0.6 <= e["speech_start_s"] <= 1.1
        assert 0.55 <= e["duration_s"] - e["speech_end_s"] <= 1.1
        assert e["speech_end_s"] - e["speech_start_s"] > 1.0


def test_wav_headers_match_manifest(manifest: list[dict[str, Any]]) -> None:
    for e in manifest:
        with wave.open(str(AUDIO_DIR / e["file"]), "rb") as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, e["rate"]), e["file"]
            assert abs(w.getnframes() / e["rate"] - e["duration_s"]) < 0.01


def test_slots_canonical(manifest: list[dict[str, Any]]) -> None:
    for e in manifest:
        slots = e["slots"]
        for key in ("plate", "licence"):
            if key in slots:
                assert re.fullmatch(r"[A-Z0-9]+", slots[key])
        if "dob" in slots:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", slots["dob"])


def test_every_rendering_has_all_channels(manifest: list[dict[str, Any]]) -> None:
    channels: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in manifest:
        channels[(e["query_id"], e["voice"])].add(e["channel"])
    assert all(chs == {c for c, _ in CHANNELS} for chs in channels.values())


def test_coverage(manifest: list[dict[str, Any]]) -> None:
    assert len({e["query_id"] for e in manifest}) >= 40
    assert {e["voice"] for e in manifest} == {v.name for v in VOICES}
    assert {e["engine"] for e in manifest} == {"espeak", "piper"}
    for split in ("tune", "heldout"):
        assert {e["intent"] for e in manifest if e["split"] == split} == {
            "plate_lookup", "person_lookup", "licence_lookup"
        }
    assert 150 <= len(manifest) <= 260


def test_heldout_disjoint_from_tune(manifest: list[dict[str, Any]]) -> None:
    tune = [e for e in manifest if e["split"] == "tune"]
    held = [e for e in manifest if e["split"] == "heldout"]
    assert not {e["voice"] for e in tune} & {e["voice"] for e in held}
    assert not {e["query_id"] for e in tune} & {e["query_id"] for e in held}
    assert {e["query_id"] for e in held} == HELDOUT_QUERY_IDS
    assert {e["voice"] for e in held} == {v.name for v in VOICES if v.split == "heldout"}
    assert 0.25 <= len(held) / len(manifest) <= 0.35
    assert {q.id for q in QUERIES} >= {e["query_id"] for e in manifest}


def test_folder_size() -> None:
    total = sum(p.stat().st_size for p in AUDIO_DIR.iterdir())
    assert total < 25 * 2**20


def test_speech_bounds_match_clean_audio(manifest: list[dict[str, Any]]) -> None:
    for e in manifest:
        if e["channel"] != "clean":
            continue
        x = _load(e)
        start, end = speech_bounds(x, e["rate"])
        assert abs(start - e["speech_start_s"]) <= 0.02 and abs(end - e["speech_end_s"]) <= 0.02, e["file"]
        head = x[: int((e["speech_start_s"] - 0.1) * e["rate"])]
        assert np.max(np.abs(head)) < 1e-3, "padding before speech must be silent"


def _radio_measurements(x: np.ndarray, e: dict[str, Any]) -> tuple[float, float]:
    rate = e["rate"]
    edge = int(0.05 * rate)
    a, b = int((e["speech_start_s"] - 0.1) * rate), int((e["speech_end_s"] + 0.1) * rate)
    noise = np.concatenate([x[edge:a], x[b:-edge]])
    speech = x[int(e["speech_start_s"] * rate): int(e["speech_end_s"] * rate)]
    p_noise = float(np.mean(noise**2))
    snr = 10 * np.log10(np.mean(speech**2) / p_noise - 1.0)
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1.0 / rate)
    high = power[freqs > 3600].mean() / power[(freqs > 300) & (freqs < 3400)].mean()
    return float(snr), float(10 * np.log10(high))


def test_radio_snr_and_band_limit(manifest: list[dict[str, Any]]) -> None:
    radio = [e for e in manifest if e["channel"] != "clean"]
    assert radio
    errors = []
    for e in radio:
        x = _load(e)
        snr, high_db = _radio_measurements(x, e)
        assert abs(snr - e["snr_db"]) <= 2.0, (e["file"], snr)
        assert high_db < -25.0, (e["file"], high_db)
        assert np.max(np.abs(x)) < 1.0
        errors.append(snr - e["snr_db"])
    assert abs(float(np.mean(errors))) < 1.0


def test_if_missing_is_a_no_op_when_complete(tmp_path: Path, manifest: list[dict[str, Any]]) -> None:
    entry = manifest[0]
    shutil.copy(AUDIO_DIR / entry["file"], tmp_path / entry["file"])
    (tmp_path / MANIFEST_NAME).write_text((AUDIO_DIR / MANIFEST_NAME).read_text().splitlines()[0] + "\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["--if-missing", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_espeak_rendering_is_deterministic(tmp_path: Path, manifest: list[dict[str, Any]]) -> None:
    entry = next(e for e in manifest if e["engine"] == "espeak" and e["channel"] == "clean")
    voice = next(v for v in VOICES if v.name == entry["voice"])
    render = Render(query_by_id(entry["query_id"]), voice)
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    entries = render_files(render, first)
    render_files(render, second)
    for e in entries:
        assert (first / e["file"]).read_bytes() == (second / e["file"]).read_bytes()
    # Small tolerance: another espeak-ng build may place a phoneme a frame apart.
    assert abs(entries[0]["speech_start_s"] - entry["speech_start_s"]) < 0.05
    assert abs(entries[0]["speech_end_s"] - entry["speech_end_s"]) < 0.05

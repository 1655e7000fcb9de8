"""The real tiny.en model on real clips: text, confidence, phantom guards, spelling pass."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.voice.helpers import Clip, pick
from voice.codecs import to_internal
from voice.denoise import SnrGatedDenoiser, estimate_snr_db
from voice.spelling import spelling_words


def _audio(clip: Clip) -> np.ndarray:
    return to_internal(clip.samples(), clip.rate)


def test_clean_plate_query_is_transcribed(clips: list[Clip], transcriber: Any) -> None:
    clip = pick(clips, channel="clean", intent="plate_lookup", n=1)[0]
    result = transcriber.transcribe(_audio(clip))
    assert result.text
    assert 0.0 < result.confidence <= 1.0
    assert "plate" in result.text.lower() or "vehicle" in result.text.lower() or "run" in result.text.lower()
    words = set(result.text.lower().replace(",", " ").replace(".", " ").split())
    assert len(words & set(clip.entry["text"].lower().replace(",", " ").split())) >= 3, result.text


@pytest.mark.parametrize("kind", ["silence", "hiss", "hum"])
def test_no_phantom_text_on_silence_and_noise(transcriber: Any, kind: str) -> None:
    rng = np.random.default_rng(7)
    t = np.arange(3 * 16000) / 16000
    audio = {
        "silence": np.zeros(len(t)),
        "hiss": rng.normal(0, 0.05, len(t)),
        "hum": 0.2 * np.sin(2 * np.pi * 60 * t) + rng.normal(0, 0.01, len(t)),
    }[kind].astype(np.float32)
    result = transcriber.transcribe(audio)
    assert result.text == "" and result.dropped


def test_spelling_pass_gives_a_spelled_reading(clips: list[Clip], transcriber: Any) -> None:
    clip = pick(clips, channel="radio20", intent="plate_lookup", n=1)[0]
    audio = _audio(clip)
    first = transcriber.transcribe(audio)
    readings = transcriber.refine(audio, first)
    assert len(readings) <= 2  # the recogniser's pass and the spelling model's
    for reading in readings:
        # The keyword prefix is kept verbatim; what follows is only spelling words and digits.
        assert reading.lower().startswith(first.text.lower().split("plate")[0].strip()[:10])
        tail = reading.lower().split("plate", 1)[-1]
        allowed = {w.lower().replace("-", "") for w in spelling_words()}
        for token in tail.replace(",", " ").replace(".", " ").replace("-", "").split():
            assert token in allowed or token.isdigit() or len(token) <= 3, (token, reading)


def test_the_spelling_pass_runs_on_its_own_model(clips: list[Clip], tiny_transcriber: Any) -> None:
    # tiny.en transcribes; it and the multilingual base model both read the spelled run.
    transcriber = tiny_transcriber
    speller = transcriber.speller
    assert speller is not None and speller.speller is None
    assert not transcriber.model.model.is_multilingual and speller.model.model.is_multilingual
    seen = 0
    for clip in pick(clips, channel="radio20", intent="licence_lookup", n=3):
        audio = _audio(clip)
        first = transcriber.transcribe(audio)
        readings = transcriber.refine(audio, first)
        own, other = transcriber._spelling.readings(audio, first.text), speller.refine(audio, first)
        assert readings[: len(own)] == own and set(other) <= set(readings)
        assert set(readings) == set(own) | set(other)
        seen += bool(other)
    assert seen  # the spelling model read something new on at least one noisy clip


def test_forced_alignment_prefers_what_was_said(clips: list[Clip], transcriber: Any) -> None:
    """The rescoring pass ranks the spoken plate above near misses that differ by one symbol,
    a missing symbol and a swapped pair, on a clean clip of every voice in the fixtures."""
    from lookup.render import render_spelled, spelling_style

    chosen = [c for c in clips if c.entry["channel"] == "clean" and c.entry["intent"] == "plate_lookup"][:6]
    assert chosen
    wins = 0
    for clip in chosen:
        audio = _audio(clip)
        plate = clip.entry["slots"]["plate"]
        style = spelling_style(clip.entry["text"])
        last = "1" if plate[-1] != "1" else "2"
        misses = [plate[:-1] + last, plate[:-1], plate[1] + plate[0] + plate[2:]]
        texts = [render_spelled(p, style) + "." for p in [plate, *misses]]
        said = clip.entry["text"].lower()
        prefix = said.split("plate")[0] + "plate" if "plate" in said else ""
        scores = transcriber.score(audio, prefix, texts)
        assert len(scores) == 4 and all(np.isfinite(scores))
        wins += int(np.argmax(scores) == 0)
    assert wins >= len(chosen) - 1, wins
    assert transcriber.score(_audio(chosen[0]), "", []) == []


def test_names_on_file_are_told_apart_by_sound(clips: list[Clip], transcriber: Any) -> None:
    """Names scored in place of the heard name (as for a person check): the spoken name beats
    seven others of the mix the registry holds, on the clean person clips, without the prompt."""
    from lookup.rerank import name_context

    others = ["Maria Lopez", "John Smith", "Hiroshi Tanaka", "Laura Evans", "Jacob Miller",
              "Yuki Yamamoto", "Shane Brown"]
    chosen = pick(clips, channel="clean", intent="person_lookup", n=6)
    wins = scored = 0
    for clip in chosen:
        audio = _audio(clip)
        context = name_context(transcriber.transcribe(audio).text)
        if context is None:
            continue
        before, _, after = context
        said = f"{clip.entry['slots']['given']} {clip.entry['slots']['family']}"
        names = [said, *(n for n in others if n != said)]
        joint = after if context[1] else ", " + after
        texts = [n + joint for n in names]
        scores = transcriber.score(audio, before, texts, False)
        assert len(scores) == len(names) and all(np.isfinite(scores))
        if not scored:  # encoded once and scored in chunks, as the session does: the same scores
            encoded = transcriber.encode_for_scoring(audio)
            chunked = [*transcriber.score_encoded(encoded, before, texts[:3], False),
                       *transcriber.score_encoded(encoded, before, texts[3:], False)]
            assert np.allclose(chunked, scores, atol=1e-3)
        scored += 1
        wins += int(np.argmax(scores) == 0)
    assert scored >= 4 and wins >= scored - 1, (wins, scored)


def test_snr_estimate_orders_the_channels(clips: list[Clip]) -> None:
    qid = pick(clips, channel="radio10", n=1)[0].entry["query_id"]
    by_channel = {c.entry["channel"]: c for c in clips if c.entry["query_id"] == qid}
    snr = {ch: estimate_snr_db(_audio(c)) for ch, c in by_channel.items()}
    assert snr["radio10"] < snr["radio20"]


def test_gated_denoiser_leaves_clean_audio_alone(clips: list[Clip]) -> None:
    audio = _audio(pick(clips, channel="clean", n=1)[0])
    assert SnrGatedDenoiser(mode="auto", snr_threshold_db=12.0).process(audio) is audio
    noisy = _audio(pick(clips, channel="radio10", n=1)[0])
    cleaned = SnrGatedDenoiser(mode="on").process(noisy)
    assert cleaned.shape == noisy.shape and not np.array_equal(cleaned, noisy)


def test_a_decoding_loop_keeps_the_words_before_it(transcriber: Any) -> None:
    from types import SimpleNamespace

    from voice.stt import cut_loop

    assert cut_loop("Control, then 28 on plate 4.0.0.0.0.0.0.0.0") == "Control, then 28 on plate 4.0"
    assert cut_loop("One hand, one hand, one hand, one hand, one hand") == "One hand,"
    assert cut_loop("Run plate 7 X-ray Yankee Zulu 4 5 6") == "Run plate 7 X-ray Yankee Zulu 4 5 6"
    looped = SimpleNamespace(text=" Control, run plate 4" + ".0" * 60, compression_ratio=6.0,
                             no_speech_prob=0.05, avg_logprob=-0.1, tokens=list(range(120)))
    kept = transcriber._salvaged([looped], speech_s=4.0)
    assert kept.text == "Control, run plate 4.0" and 0 < kept.confidence <= 0.5
    # Silence that loops, a phantom phrase, or too little speech is still dropped.
    silent = SimpleNamespace(**{**vars(looped), "no_speech_prob": 0.9, "avg_logprob": -1.5})
    thanks = SimpleNamespace(**{**vars(looped), "text": " Thank you." * 8})
    assert transcriber._salvaged([silent], speech_s=4.0).dropped == "no_speech_model"
    assert transcriber._salvaged([thanks], speech_s=4.0).dropped == "no_speech_model"
    assert transcriber._salvaged([looped], speech_s=0.5).dropped == "no_speech_model"


def test_a_transcript_that_stopped_early_is_read_on(clips: list[Clip], tiny_transcriber: Any) -> None:
    import re

    transcriber = tiny_transcriber

    from voice.stt import _cut_short

    assert _cut_short("Person check, please.", 6.0)
    assert not _cut_short("Control, run plate 7 X-ray Yankee Zulu 4 5 6.", 4.0)
    assert not _cut_short("Ten four.", 1.2)  # too little speech to tell
    # tiny.en stops this clip after "number"; read on from there, it reaches the digits.
    (clip,) = [c for c in clips if c.entry["file"] == "l10_espeak-en-us-160_clean.wav"]
    text = transcriber._continued(_audio(clip), "Check, driver's licence number.")
    assert text.startswith("Check, driver's licence number,")
    assert len(re.findall(r"\d", text)) >= 5, text


def test_a_value_is_told_from_words_without_one() -> None:
    """The fitted recogniser keeps a beam alternative that holds a value only when its best
    hypothesis holds one too (digits, number words or spelling-alphabet words)."""
    from voice.fitted_stt import says_a_value

    for text in ("Control, run licence check 8 0 0 0 0 0.", "run plate X-ray Yankee Zulu",
                 "licence seven seven three", "Delta 4 5 1 2"):
        assert says_a_value(text), text
    for text in ("Control, run licence check.", "Base, say again.", "Negative, cancel that."):
        assert not says_a_value(text), text

"""The answer spoken back, end to end: a fixture plate query streamed as G.711 u-law to the
real service, the tone and the spoken readback back in u-law, and the readback run through
the project's own recogniser: the plate must come back exact."""

from __future__ import annotations

import asyncio
import json
import re
import warnings
from typing import Any

import numpy as np
import pytest
import websockets

from lookup.spoken import decode_spelled, tokenize
from tests.voice.helpers import load_clips, recv_until
from voice.codecs import Decoder

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


@pytest.fixture(scope="module")
def recogniser() -> Any:
    from service.settings import SttSettings
    from voice.loading import load_transcriber

    return load_transcriber(**SttSettings().loader_options())


def heard_plates(text: str) -> list[str]:
    """The best spelled reading of each sentence of a transcript."""
    readings = []
    for sentence in re.split(r"[.!?]", text):
        tokens = [t for t in tokenize(sentence) if t not in ("plate", "stolen")]
        found = decode_spelled(tokens, max_len=24)
        if found:
            readings.append(found[0].text)
    return readings


async def _ask(url: str, ulaw: bytes) -> tuple[list[dict[str, Any]], bytes]:
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "rate": 8000, "encoding": "mulaw", "unit": "PC-12",
                                  "channel": "north-1", "answer_audio": True}))
        await recv_until(ws, lambda e: e["type"] == "ready", 30)
        await ws.send(json.dumps({"type": "ptt", "pressed": True}))
        for i in range(0, len(ulaw), 160):
            await ws.send(ulaw[i:i + 160])
        await ws.send(json.dumps({"type": "ptt", "pressed": False}))
        events: list[dict[str, Any]] = []
        audio = bytearray()
        while not events or events[-1]["type"] not in ("answer_audio_end", "error"):
            msg = await asyncio.wait_for(ws.recv(), 120)
            if isinstance(msg, bytes):
                audio += msg
            else:
                events.append(json.loads(msg))
        await ws.send(json.dumps({"type": "stop"}))
        return events, bytes(audio)


def test_a_spoken_plate_check_is_answered_by_voice_and_the_answer_is_intelligible(
        served: tuple[str, str], recogniser: Any) -> None:
    url, token = served
    # "Control, run plate seven X-ray Yankee Zulu four five six." (7XYZ456 is on file, stolen,
    # its owner flagged caution)
    clip = next(c for c in load_clips() if c.entry["file"] == "p01_piper-joe-085_radio20.wav")
    ulaw = audioop.lin2ulaw(clip.pcm(), 2)
    events, audio = asyncio.run(_ask(f"{url}?token={token}", ulaw))
    kinds = [e["type"] for e in events]
    assert kinds[-3:] == ["result", "answer_audio", "answer_audio_end"], events
    result, head, end = events[-3:]
    assert result["status"] == "hit" and result["candidates"][0]["plate"] == "7XYZ456", result
    # Stolen, and its owner is flagged officer safety: the officer-safety tone, not the stolen one.
    assert result["alerts"][0]["officer_safety"], result["alerts"]
    assert (head["encoding"], head["rate"], head["tone"]) == ("mulaw", 8000, "alert")
    assert head["bytes"] == len(audio) == end["bytes"] and head["duration_ms"] == round(len(audio) / 8)
    assert head["duration_ms"] <= 6000

    # Decoded the way a gateway would (G.711 u-law at 8 kHz), then heard by the recogniser.
    decoder = Decoder("mulaw", 8000)
    samples = np.concatenate([decoder.decode(audio), decoder.flush()])  # 16 kHz float
    tone_end = head["tone_ms"] * 16
    power = np.abs(np.fft.rfft(samples[:tone_end], n=16000)) ** 2
    warble = power[990:1011].sum() + power[1390:1411].sum()
    assert warble / power.sum() > 0.8  # the 1000/1400 Hz officer-safety warble comes first
    speech = samples[tone_end:]
    transcript = recogniser.transcribe(speech)
    readings = heard_plates(transcript.text)
    readings += [r for alt in recogniser.refine(speech, transcript) for r in heard_plates(alt)]
    print(f"answer heard as: {transcript.text!r}; readings {readings}")
    # The plate's symbols come back in order with nothing between them (the alert words before
    # it may be heard as anything: "Stolen, use caution" as "So the new caution").
    assert any("7XYZ456" in r for r in readings), (transcript.text, readings)

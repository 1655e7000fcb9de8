"""Confirm by voice over the real socket: a typed plate one symbol off a stolen plate on
file is offered back ("Confirm plate ...?"), the officer says "Copy, affirmative" (real
speech through the real recogniser), and the record comes back as a hit, spoken in the
session's codec."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np
import websockets

from voice.encoders import encode, resample
from voice.tts import EspeakOptions, EspeakSynthesizer


def _spoken(text: str) -> bytes:
    """``text`` said by espeak-ng, as 8 kHz u-law with half a second of silence around it."""
    speech = EspeakSynthesizer(EspeakOptions(voice="en-us", wpm=150)).synthesize(text)
    samples = 0.6 * resample(speech.samples, speech.rate, 8000)
    quiet = np.zeros(4000, dtype=np.float32)
    return encode(np.concatenate([quiet, samples.astype(np.float32), quiet]), "mulaw")


async def _until(ws: Any, kind: str, timeout: float = 120) -> tuple[list[dict[str, Any]], bytes]:
    events: list[dict[str, Any]] = []
    audio = bytearray()
    while not events or events[-1]["type"] not in (kind, "error"):
        msg = await asyncio.wait_for(ws.recv(), timeout)
        if isinstance(msg, bytes):
            audio += msg
        else:
            events.append(json.loads(msg))
    return events, bytes(audio)


async def _dialogue(url: str, affirm: bytes) -> tuple[list[dict[str, Any]], list[dict[str, Any]], bytes]:
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "rate": 8000, "encoding": "mulaw", "unit": "PC-12",
                                  "channel": "north-1", "answer_audio": True}))
        await _until(ws, "ready", 30)
        # 7XYZ456 is on file (stolen); 7XYZ457 is not, and 6/7 are no confusable pair.
        await ws.send(json.dumps({"type": "query", "text": "run plate 7XYZ457"}))
        offered, _ = await _until(ws, "answer_audio_end")
        await ws.send(json.dumps({"type": "ptt", "pressed": True}))
        for i in range(0, len(affirm), 160):
            await ws.send(affirm[i:i + 160])
        await ws.send(json.dumps({"type": "ptt", "pressed": False}))
        answered, audio = await _until(ws, "answer_audio_end")
        await ws.send(json.dumps({"type": "stop"}))
        return offered, answered, audio


def test_affirmative_by_voice_runs_the_offered_plate(served: tuple[str, str]) -> None:
    url, token = served
    offered, answered, audio = asyncio.run(_dialogue(f"{url}?token={token}", _spoken("Copy, affirmative.")))
    ask = next(e for e in offered if e["type"] == "result")
    assert ask["status"] == "clarify" and ask["readback"].startswith("Confirm plate")
    assert ask["candidates"][0]["plate"] == "7XYZ456", ask
    transcript = next(e for e in answered if e["type"] == "transcript")
    intent = next(e for e in answered if e["type"] == "intent")
    result = next(e for e in answered if e["type"] == "result")
    assert "affirm" in transcript["text"].lower(), transcript
    assert intent["name"] == "confirm" and intent["slots"] == {"plate": "7XYZ456"}, intent
    assert result["status"] == "hit" and result["candidates"][0]["plate"] == "7XYZ456", result
    head = next(e for e in answered if e["type"] == "answer_audio")
    assert head["utterance"] == result["utterance"] and head["bytes"] == len(audio) > 8000
    assert head["duration_ms"] <= 6000 and head["tone"] == "alert"

"""A spoken person check through WS /v1/radio on the real service: tiny.en mishears the name,
and the names on file for the heard date of birth, scored against the audio, name the person."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from tests.voice.helpers import load_clips, recv_until, stream


def test_a_misheard_name_resolves_to_the_person_on_file(served: tuple[str, str]) -> None:
    url, token = served
    # "Person check on Sean O'Brien, born November twelfth, nineteen seventy-nine": tiny.en
    # writes the name as "Chono Brian" on this clip (tune split).
    clip = next(c for c in load_clips() if c.entry["file"] == "n02_piper-joe-100_clean.wav")

    async def ask() -> list[dict[str, Any]]:
        async with websockets.connect(f"{url}?token={token}", max_size=None) as ws:
            await ws.send(json.dumps({"type": "start", "rate": clip.rate, "encoding": "pcm_s16le",
                                      "unit": "PC-12", "channel": "north-1"}))
            await recv_until(ws, lambda e: e["type"] == "ready", 30)
            await stream(ws, clip.pcm(), rate=clip.rate, realtime=False)
            events = await recv_until(ws, lambda e: e["type"] == "result", 120)
            await ws.send(json.dumps({"type": "stop"}))
            return events

    events = asyncio.run(ask())
    transcript = next(e for e in events if e["type"] == "transcript")
    intent = next(e for e in events if e["type"] == "intent")
    result = events[-1]
    assert intent["name"] == "person_lookup", intent
    assert (intent["slots"]["given"], intent["slots"]["family"], intent["slots"]["dob"]) == (
        "Sean", "O'Brien", "1979-11-12"), (transcript["text"], intent)
    assert result["status"] in ("hit", "clear"), result
    top = result["candidates"][0]
    assert (top["given"], top["family"], top["dob"]) == ("Sean", "O'Brien", "1979-11-12")

"""An officer pauses mid-request, with no push-to-talk: "Control, run a licence check." then,
after the endpointer has closed that utterance, "Delta four five one two, seven seven three".
Through WS /v1/radio on the real service and model, the first is answered "go ahead" and the
second is read together with it: a licence check, not the plate a bare spelled run would be."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import websockets

from tests.voice.helpers import recv_until, stream
from voice.audiofile import read_audio

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


def _speak(text: str, path: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True,
                   capture_output=True, timeout=60)
    return read_audio(path)


def test_a_paused_request_is_read_as_one(served: tuple[str, str], tmp_path: Path) -> None:
    url, token = served
    silence = np.zeros(16000 // 2, dtype=np.float32)
    pause = np.zeros(int(16000 * 1.5), dtype=np.float32)  # twice the endpointer's hang-over
    audio = np.concatenate([silence, _speak("Control, run a licence check.", tmp_path / "a.wav"), pause,
                            _speak("Delta four five one two, seven seven three.", tmp_path / "b.wav"),
                            pause])
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()

    async def ask() -> list[dict[str, Any]]:
        async with websockets.connect(f"{url}?token={token}", max_size=None) as ws:
            await ws.send(json.dumps({"type": "start", "rate": 16000, "encoding": "pcm_s16le",
                                      "unit": "PC-12", "channel": "north-1"}))
            await recv_until(ws, lambda e: e["type"] == "ready", 30)
            await stream(ws, pcm, rate=16000, realtime=False, ptt=False)
            await ws.send(json.dumps({"type": "stop"}))
            return await recv_until(ws, lambda e: e["type"] == "result" and e["utterance"] == 2, 180)

    events = asyncio.run(ask())
    results = {e["utterance"]: e for e in events if e["type"] == "result"}
    intents = {e["utterance"]: e for e in events if e["type"] == "intent"}
    transcripts = {e["utterance"]: e["text"] for e in events if e["type"] == "transcript"}
    assert sorted(results) == [1, 2], transcripts
    assert intents[1]["name"] == "licence_lookup" and intents[1]["slots"] == {}, intents[1]
    assert results[1]["status"] == "clarify" and results[1]["readback"] == "Go ahead with the licence."
    assert intents[2]["name"] == "licence_lookup", (transcripts, intents[2])
    assert intents[2]["slots"]["licence"] == "D4512773", (transcripts, intents[2])
    assert "licence" in transcripts[2].lower() or "license" in transcripts[2].lower(), transcripts

"""The gateway case, in the style of ../shared/tools/protocol_check.py, against the real service.

A gateway with silence suppression: espeak-ng speech at 8 kHz PCM16 in 20 ms frames at
real-time pace, 0.3 s of silence after the speech, no PTT event, no ``stop``, and then
nothing: the service in its own process must still end the utterance and answer it with
the full v1 event sequence and field names.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import time
import warnings
import wave
from typing import Any

import websockets

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def _speech_8k(text: str, *, lead_s: float = 0.5, trail_s: float = 0.3) -> bytes:
    wav = subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "--stdout", text],
                         capture_output=True, check=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        pcm, rate = w.readframes(w.getnframes()), w.getframerate()
    pcm, _ = audioop.ratecv(pcm, 2, 1, rate, 8000, None)
    # espeak-ng ends on a little silence of its own: cut it so the trail is what we say.
    samples = memoryview(pcm).cast("h")
    last = max(i for i in range(len(samples)) if abs(samples[i]) > 300)
    pcm = pcm[: (last + 1) * 2]
    return b"\x00\x00" * int(8000 * lead_s) + pcm + b"\x00\x00" * int(8000 * trail_s)


async def _gateway(url: str, token: str) -> tuple[list[dict[str, Any]], float, float]:
    pcm = _speech_8k("Control, run plate, Alpha Bravo Charlie one two three.")
    headers = {"Authorization": f"Bearer {token}"}
    async with websockets.connect(url, additional_headers=headers, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "rate": 8000, "encoding": "pcm_s16le",
                                  "unit": "GW-1", "channel": "dtx"}))
        events = [json.loads(await asyncio.wait_for(ws.recv(), 30))]
        t0 = time.monotonic()
        for i, offset in enumerate(range(0, len(pcm), 320)):
            await ws.send(pcm[offset:offset + 320])
            await asyncio.sleep(max(0.0, t0 + (i + 1) * 0.02 - time.monotonic()))
        last_frame, end_at = time.monotonic(), 0.0
        while events[-1].get("type") != "result":
            msg = await asyncio.wait_for(ws.recv(), 120)
            if isinstance(msg, str):
                events.append(json.loads(msg))
                if events[-1].get("type") == "speech" and events[-1].get("state") == "end":
                    end_at = time.monotonic()
        assert ws.close_code is None  # nobody closed anything: the gap alone ended the utterance
        return events, end_at - last_frame, time.monotonic() - last_frame


def test_frames_that_stop_get_the_whole_event_sequence(served: tuple[str, str]) -> None:
    url, token = served
    events, end_after, result_after = asyncio.run(_gateway(url, token))
    print(f"speech end {end_after:.2f} s, result {result_after:.2f} s after the last frame")
    kinds = [e["type"] if e["type"] != "speech" else f"speech {e['state']}" for e in events]
    assert kinds[0] == "ready" and isinstance(events[0]["session"], str), kinds
    seq = [k for k in kinds if k in ("speech start", "speech end", "transcript", "intent", "result")]
    assert seq == ["speech start", "speech end", "transcript", "intent", "result"], kinds
    assert 0 < end_after <= 1.2, end_after
    by = {e["type"] if e["type"] != "speech" else f"speech {e['state']}": e for e in events}
    utterance = by["speech start"]["utterance"]
    assert isinstance(utterance, int) and all(by[k]["utterance"] == utterance for k in seq)
    assert isinstance(by["transcript"]["text"], str) and 0.0 <= by["transcript"]["confidence"] <= 1.0
    assert by["intent"]["name"] == "plate_lookup" and isinstance(by["intent"]["slots"], dict)
    result = by["result"]
    assert result["status"] in ("hit", "clear", "no_match", "clarify")
    assert isinstance(result["candidates"], list) and isinstance(result["alerts"], list)
    assert isinstance(result["readback"], str) and result["readback"]

"""WS /v1/radio end to end: real socket, real audio at real-time pace, the real model."""

from __future__ import annotations

import asyncio
import json
import re
import warnings
from typing import Any

import websockets

from tests.voice.helpers import Clip, LiveServer, pick, recv_until, stream

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+|\d", text.lower().replace("-", "")))


def _start(rate: int = 8000, encoding: str = "pcm_s16le") -> str:
    return json.dumps({"type": "start", "rate": rate, "encoding": encoding, "unit": "PC-12",
                       "channel": "north-1"})


async def _open(server: LiveServer, rate: int = 8000) -> Any:
    ws = await websockets.connect(server.ws_url, max_size=None)
    await ws.send(_start(rate=rate))
    ready = await recv_until(ws, lambda e: e["type"] in ("ready", "error"), 10)
    assert ready[-1]["type"] == "ready" and isinstance(ready[-1]["session"], str)
    return ws


async def test_stream_realtime_gives_speech_partials_and_transcript(live_server: LiveServer,
                                                                   clips: list[Clip]) -> None:
    clip = max(pick(clips, channel="radio20", intent="plate_lookup", n=6),
               key=lambda c: c.entry["speech_end_s"] - c.entry["speech_start_s"])
    async with await _open(live_server) as ws:
        await stream(ws, clip.pcm(), rate=clip.rate)
        events = await recv_until(ws, lambda e: e["type"] == "transcript")
        kinds = [(e["type"], e.get("state")) for e in events]
        assert ("speech", "start") in kinds and ("speech", "end") in kinds
        assert kinds.index(("speech", "start")) < kinds.index(("speech", "end"))
        partials = [e for e in events if e["type"] == "partial"]
        assert partials, kinds
        transcript = events[-1]
        assert transcript["utterance"] == events[0]["utterance"] == partials[0]["utterance"]
        assert 0.0 < transcript["confidence"] <= 1.0
        assert len(_words(transcript["text"]) & _words(clip.entry["text"])) >= 3, transcript
        await ws.send(json.dumps({"type": "stop"}))
        await asyncio.wait_for(ws.wait_closed(), 10)
        assert ws.close_code == 1000


async def test_mulaw_stream_is_decoded(live_server: LiveServer, clips: list[Clip]) -> None:
    clip = pick(clips, channel="radio20", intent="person_lookup", n=1)[0]
    ulaw = audioop.lin2ulaw(clip.pcm(), 2)
    async with websockets.connect(live_server.ws_url, max_size=None) as ws:
        await ws.send(_start(encoding="mulaw"))
        await recv_until(ws, lambda e: e["type"] == "ready", 10)
        await ws.send(json.dumps({"type": "ptt", "pressed": True}))
        for i in range(0, len(ulaw), 160):
            await ws.send(ulaw[i:i + 160])
        await ws.send(json.dumps({"type": "ptt", "pressed": False}))
        events = await recv_until(ws, lambda e: e["type"] == "transcript")
        assert len(_words(events[-1]["text"]) & _words(clip.entry["text"])) >= 3, events[-1]


async def _expect_error(ws: Any, code: str) -> None:
    events = await recv_until(ws, lambda e: e["type"] == "error", 10)
    assert events[-1]["code"] == code, events
    assert isinstance(events[-1]["message"], str) and events[-1]["message"]


async def test_bad_input_gets_specific_errors_and_the_session_lives_on(live_server: LiveServer,
                                                                      clips: list[Clip]) -> None:
    clip = pick(clips, channel="clean", intent="plate_lookup", n=1)[0]
    async with websockets.connect(live_server.ws_url, max_size=None) as ws:
        await ws.send(b"\x00\x01" * 160)
        await _expect_error(ws, "not_started")
        await ws.send("this is not json")
        await _expect_error(ws, "bad_json")
        await ws.send(json.dumps({"type": "no-such-type"}))
        await _expect_error(ws, "unknown_type")
        await ws.send(_start(encoding="opus"))
        await _expect_error(ws, "bad_encoding")
        await ws.send(json.dumps({"type": "start", "rate": 12345, "encoding": "pcm_s16le"}))
        await _expect_error(ws, "bad_rate")
        await ws.send(json.dumps({"type": "start", "rate": "fast"}))
        await _expect_error(ws, "bad_message")
        await ws.send(_start(rate=clip.rate))
        await recv_until(ws, lambda e: e["type"] == "ready", 10)
        await ws.send(_start(rate=clip.rate))
        await _expect_error(ws, "already_started")
        await ws.send(b"\x00" * (10 * 1024 * 1024))
        await _expect_error(ws, "frame_too_large")
        pcm = clip.pcm()
        # An odd-length frame: reported, and its trailing byte carried so nothing is lost.
        await ws.send(pcm[:321])
        await _expect_error(ws, "odd_length")
        await stream(ws, pcm[321:], rate=clip.rate, realtime=False)
        events = await recv_until(ws, lambda e: e["type"] == "transcript")
        assert len(_words(events[-1]["text"]) & _words(clip.entry["text"])) >= 3, events[-1]


async def test_client_vanishing_mid_utterance_hurts_nobody(live_server: LiveServer,
                                                           clips: list[Clip]) -> None:
    clip = pick(clips, channel="clean", intent="licence_lookup", n=1)[0]
    services = live_server.server.config.app.state.services
    ws = await _open(live_server, clip.rate)
    await ws.send(json.dumps({"type": "ptt", "pressed": True}))
    pcm = clip.pcm()
    for i in range(0, len(pcm) // 2, 320):
        await ws.send(pcm[i:i + 320])
    ws.transport.abort()  # no close frame: the client just vanishes
    await asyncio.sleep(0.5)
    async with await _open(live_server, clip.rate) as other:
        await stream(other, pcm, rate=clip.rate, realtime=False)
        events = await recv_until(other, lambda e: e["type"] == "transcript")
        assert events[-1]["text"]
    await asyncio.sleep(0.3)
    assert len(services.open_sessions) == 0


async def test_two_concurrent_sessions_never_mix_audio(live_server: LiveServer, clips: list[Clip]) -> None:
    a = pick(clips, channel="clean", intent="plate_lookup", n=1)[0]
    b = pick(clips, channel="clean", intent="person_lookup", n=1)[0]

    async def run(clip: Clip) -> str:
        async with await _open(live_server, clip.rate) as ws:
            await stream(ws, clip.pcm(), rate=clip.rate)
            events = await recv_until(ws, lambda e: e["type"] == "transcript")
            assert sum(e["type"] == "transcript" for e in events) == 1
            return str(events[-1]["text"])

    text_a, text_b = await asyncio.gather(run(a), run(b))
    own_a, cross_a = _words(text_a) & _words(a.entry["text"]), _words(text_a) & _words(b.entry["text"])
    own_b, cross_b = _words(text_b) & _words(b.entry["text"]), _words(text_b) & _words(a.entry["text"])
    assert len(own_a) > len(cross_a) and len(own_b) > len(cross_b), (text_a, text_b)


async def test_new_session_gets_busy_when_at_capacity(live_server: LiveServer) -> None:
    services = live_server.server.config.app.state.services
    saved = services.settings.stt.max_sessions
    services.settings.stt.max_sessions = 1
    try:
        async with await _open(live_server):
            async with websockets.connect(live_server.ws_url) as second:
                events = await recv_until(second, lambda e: e["type"] == "error", 10)
                assert events[-1]["code"] == "busy"
                await asyncio.wait_for(second.wait_closed(), 5)
                assert second.close_code == 1013
    finally:
        services.settings.stt.max_sessions = saved

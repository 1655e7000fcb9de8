"""Frames that stop end the utterance: the endpointer's gap rule, and the real socket.

Gateways with silence suppression stop sending while the channel is quiet. These tests
send fixture clips cut 0.3 s after the speech, with no PTT and no ``stop``, through a real
server, the real model and a real socket, and check that the utterance ends and is
answered; and that a bursty sender (200 ms gaps) is not cut mid-word.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import websockets

from tests.voice.helpers import Clip, LiveServer, pick, recv_until, voice_settings
from voice.endpointer import Endpointer, SpeechEnded, SpeechStarted

TRAIL_S = 0.3


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+|\d", text.lower().replace("-", "")))


def _cut(clip: Clip, trail_s: float = TRAIL_S) -> bytes:
    """The clip up to ``trail_s`` after its speech ends (what a DTX gateway sends)."""
    end = int((clip.entry["speech_end_s"] + trail_s) * clip.rate) * 2
    return clip.pcm()[:end]


def _plate_clip(clips: list[Clip]) -> Clip:
    return pick(clips, channel="clean", intent="plate_lookup", n=1)[0]


def test_a_gap_counts_as_silence_only_once_it_reaches_the_hangover(clips: list[Clip]) -> None:
    clip = _plate_clip(clips)
    samples = np.frombuffer(_cut(clip), dtype="<i2").astype(np.float32) / 32768.0
    ep = Endpointer()
    events = ep.feed(samples)
    assert [type(e) for e in events] == [SpeechStarted]
    assert ep.in_speech and 0 < ep.silence_ms < ep.options.hangover_ms
    in_stream = ep.silence_ms
    assert ep.idle(100) == [] and ep.silence_ms == in_stream + 100  # counted, not yet enough
    ended = ep.idle(ep.options.hangover_ms - in_stream)
    assert len(ended) == 1 and isinstance(ended[0], SpeechEnded) and ended[0].reason == "gap"
    # The audio handed on is the speech plus at most the tail: nothing is made up for the gap.
    assert len(ended[0].audio) <= len(samples)
    assert abs(ended[0].end_s - clip.entry["speech_end_s"]) < 0.25
    assert not ep.in_speech


def test_frames_after_a_short_gap_continue_the_utterance(clips: list[Clip]) -> None:
    clip = _plate_clip(clips)
    samples = clip.samples()
    mid = int((clip.entry["speech_start_s"] + 1.0) * clip.rate)
    ep = Endpointer()
    assert [type(e) for e in ep.feed(samples[:mid])] == [SpeechStarted]
    assert ep.idle(250) == []  # jitter: shorter than the hang-over
    rest = ep.feed(samples[mid:])
    assert ep.silence_ms < 1000  # the gap was forgotten when frames came
    assert [type(e) for e in rest] == [SpeechEnded] and rest[0].reason == "vad"


def test_a_held_key_keeps_the_utterance_open_through_a_gap(clips: list[Clip]) -> None:
    clip = _plate_clip(clips)
    ep = Endpointer()
    ep.ptt(True)
    ep.feed(np.frombuffer(_cut(clip), dtype="<i2").astype(np.float32) / 32768.0)
    assert ep.in_speech and ep.idle(5000) == []
    assert [e.reason for e in ep.ptt(False) if isinstance(e, SpeechEnded)] == ["ptt"]


@pytest.fixture(scope="module")
def registry_server(tmp_path_factory: pytest.TempPathFactory, transcriber: Any) -> Iterator[LiveServer]:
    """A real server over a migrated, seeded SQLite registry (fixture subjects included)."""
    from lookup.db import make_engine
    from lookup.migrate import upgrade
    from lookup.seed import SeedOptions, seed_registry
    from service.app import create_app

    settings = voice_settings(tmp_path_factory.mktemp("gap"))
    upgrade(settings.registry.url)
    engine = make_engine(settings.registry.url)
    seed_registry(engine, SeedOptions(persons=300, vehicles=300))
    engine.dispose()
    with LiveServer(create_app(settings, transcriber=transcriber)) as server:
        yield server


async def _open(server: LiveServer, rate: int) -> Any:
    ws = await websockets.connect(server.ws_url, max_size=None)
    await ws.send(json.dumps({"type": "start", "rate": rate, "encoding": "pcm_s16le", "unit": "PC-12",
                              "channel": "dtx-1"}))
    await recv_until(ws, lambda e: e["type"] == "ready", 10)
    return ws


async def _timed(ws: Any, until: str, timeout: float = 240.0) -> list[tuple[float, dict[str, Any]]]:
    """Events with their arrival times, up to the first of type ``until``."""
    out: list[tuple[float, dict[str, Any]]] = []
    deadline = time.monotonic() + timeout
    while not out or out[-1][1]["type"] != until:
        try:
            msg = await asyncio.wait_for(ws.recv(), deadline - time.monotonic())
        except TimeoutError:
            raise AssertionError(f"no {until} within {timeout} s; got {[e for _t, e in out]}") from None
        if isinstance(msg, str):
            out.append((time.monotonic(), json.loads(msg)))
    return out


def _check_answered(clip: Clip, timed: list[tuple[float, dict[str, Any]]], last_frame: float) -> float:
    kinds = [(e["type"], e.get("state")) for _t, e in timed]
    assert kinds.count(("speech", "start")) == 1 and kinds.count(("speech", "end")) == 1, kinds
    end_at = next(t for t, e in timed if e["type"] == "speech" and e["state"] == "end")
    # The gap rule decides at hang-over minus the clip's own trailing silence (0.4 s here).
    assert end_at - last_frame <= 1.2, f"speech end {end_at - last_frame:.2f} s after the last frame"
    transcript = next(e for _t, e in timed if e["type"] == "transcript")
    assert len(_words(transcript["text"]) & _words(clip.entry["text"])) >= 4, transcript
    result = timed[-1][1]
    assert result["type"] == "result" and result["utterance"] == transcript["utterance"]
    assert result["status"] in ("hit", "clear", "no_match", "clarify")
    return timed[-1][0] - last_frame


async def test_frames_that_stop_are_answered_without_ptt_or_stop(registry_server: LiveServer,
                                                                  clips: list[Clip]) -> None:
    """Real-time frames, then nothing at all, the socket left open."""
    clip = _plate_clip(clips)
    pcm, step = _cut(clip), clip.rate * 2 * 20 // 1000
    async with await _open(registry_server, clip.rate) as ws:
        t0 = time.monotonic()
        for i, offset in enumerate(range(0, len(pcm), step)):
            await ws.send(pcm[offset:offset + step])
            await asyncio.sleep(max(0.0, t0 + (i + 1) * 0.02 - time.monotonic()))
        last_frame = time.monotonic()
        latency = _check_answered(clip, await _timed(ws, "result"), last_frame)
        print(f"result {latency:.2f} s after the last frame")


async def test_a_burst_then_silence_with_the_socket_open_is_answered(registry_server: LiveServer,
                                                                     clips: list[Clip]) -> None:
    """A gateway that flushes its buffer at once, then keeps the socket open and says nothing."""
    clip = pick(clips, channel="radio20", intent="plate_lookup", n=2)[1]
    pcm, step = _cut(clip), clip.rate * 2 * 20 // 1000
    async with await _open(registry_server, clip.rate) as ws:
        for offset in range(0, len(pcm), step):
            await ws.send(pcm[offset:offset + step])
        last_frame = time.monotonic()
        _check_answered(clip, await _timed(ws, "result"), last_frame)
        # Still open and healthy: a typed query is answered on the same session.
        await ws.send(json.dumps({"type": "query", "text": "run plate 7XYZ456"}))
        events = await recv_until(ws, lambda e: e["type"] == "result", 240)
        assert events[-1]["utterance"] == 2


async def test_bursts_with_200ms_gaps_are_not_cut_mid_word(registry_server: LiveServer,
                                                           clips: list[Clip]) -> None:
    """Jitter: 200 ms of audio at once, then 200 ms with nothing, all through the clip."""
    clip = _plate_clip(clips)
    pcm, burst = _cut(clip), clip.rate * 2 * 200 // 1000
    async with await _open(registry_server, clip.rate) as ws:
        for offset in range(0, len(pcm), burst):
            for frame in range(offset, min(offset + burst, len(pcm)), burst // 10):
                await ws.send(pcm[frame:min(frame + burst // 10, offset + burst, len(pcm))])
            await asyncio.sleep(0.2)
        last_frame = time.monotonic() - 0.2
        timed = await _timed(ws, "result")
        end_at = next(t for t, e in timed if e["type"] == "speech" and e["state"] == "end")
        assert end_at > last_frame, "the utterance ended before its last frame was sent"
        _check_answered(clip, timed, last_frame)

"""Latency-aware admission over a real socket: busy for new sessions, degraded for open ones.

A recogniser that takes half a second per audio second (the pool learns that from the
first utterance) and one worker: a session that queues several utterances pushes the
estimated wait past the bound, so it is told ``degraded`` once, a new session is refused
with ``busy`` (close 1013), ``/metrics`` shows the estimate, the refusal and the queue, and
every utterance of the admitted session is still answered.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import websockets

from tests.service.fakes import FakeLookup, FakeTranscriber
from tests.voice.helpers import Clip, LiveServer, pick, recv_until, voice_settings
from voice.stt import Transcript

BOUND_S = 0.6


class SlowTranscriber(FakeTranscriber):
    """Hears a plate check, at a fixed cost per audio second (a stand-in for a busy model)."""

    def __init__(self, rtf: float) -> None:
        self.rtf = rtf

    def transcribe(self, audio: np.ndarray, *, partial: bool = False) -> Transcript:
        time.sleep(len(audio) / 16000 * self.rtf)
        return Transcript(text="" if partial else "run plate 7XYZ456", confidence=0.9)


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from service.app import create_app

    settings = voice_settings(tmp_path_factory.mktemp("admission"))
    settings.stt.workers, settings.stt.admit_wait_s = 1, BOUND_S
    settings.router.near_miss_by_sound = False  # the fake lookup has no near-miss search
    app = create_app(settings, transcriber=SlowTranscriber(0.5), lookup=FakeLookup())
    with LiveServer(app) as server:
        yield server


async def _open(server: LiveServer) -> Any:
    ws = await websockets.connect(server.ws_url, max_size=None)
    await ws.send(json.dumps({"type": "start", "rate": 16000, "encoding": "pcm_s16le", "unit": "PC-1",
                              "channel": "busy-1"}))
    return ws


async def _utterance(ws: Any, pcm: bytes) -> None:
    await ws.send(json.dumps({"type": "ptt", "pressed": True}))
    for i in range(0, len(pcm), 640):
        await ws.send(pcm[i:i + 640])
    await ws.send(json.dumps({"type": "ptt", "pressed": False}))


def _metrics(server: LiveServer) -> str:
    with urllib.request.urlopen(server.http_url + "/metrics", timeout=30) as r:
        return str(r.read().decode())


async def test_overload_is_refused_and_signalled_and_nothing_is_lost(slow_server: LiveServer,
                                                                      clips: list[Clip]) -> None:
    pcm = pick(clips, channel="clean", intent="plate_lookup", n=1)[0].pcm()
    async with await _open(slow_server) as ws:
        await recv_until(ws, lambda e: e["type"] == "ready", 30)
        await _utterance(ws, pcm)  # the pool measures the recogniser's speed on this one
        await recv_until(ws, lambda e: e["type"] == "result", 120)
        for _ in range(3):
            await _utterance(ws, pcm)
        await asyncio.sleep(0.2)
        async with websockets.connect(slow_server.ws_url) as refused:
            events = await recv_until(refused, lambda e: e["type"] == "error", 30)
            assert events[-1]["code"] == "busy", events
            await asyncio.wait_for(refused.wait_closed(), 10)
            assert refused.close_code == 1013
        text = await asyncio.to_thread(_metrics, slow_server)
        assert 'patrol_admission_refused_total{reason="latency"}' in text
        estimate = next(float(line.split()[-1]) for line in text.splitlines()
                        if line.startswith("patrol_admission_wait_estimate_seconds "))
        assert estimate > BOUND_S
        assert "patrol_session_queue_jobs{session=" in text
        assert "patrol_session_backlog_audio_seconds{session=" in text
        # All three queued utterances are answered, in order; 'degraded' came once, before.
        events = []
        while sum(e["type"] == "result" for e in events) < 3:
            events += await recv_until(ws, lambda e: e["type"] in ("result", "error"), 120)
        errors = [e for e in events if e["type"] == "error"]
        assert [e["code"] for e in errors] == ["degraded"], errors
        results = [e["utterance"] for e in events if e["type"] == "result"]
        assert results == [2, 3, 4]
        assert events.index(errors[0]) < next(i for i, e in enumerate(events) if e["type"] == "result")
    # Drained: a new session is admitted again.
    async with await _open(slow_server) as again:
        ready = await recv_until(again, lambda e: e["type"] in ("ready", "error"), 30)
        assert ready[-1]["type"] == "ready", ready

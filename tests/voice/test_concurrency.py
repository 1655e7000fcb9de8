"""Concurrency by construction: bounded slots under cancelled speculation, sessions that
survive a failing stage, and a shutdown that leaves no thread behind."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import websockets
from fastapi.testclient import TestClient

from common.errors import OverloadedError
from common.executor import BoundedExecutor
from service.app import create_app
from tests.service.fakes import FakeLookup, FakeQuery, FakeTranscriber
from tests.voice.helpers import Clip, LiveServer, pick, recv_until, stream, voice_settings
from voice.codecs import to_internal
from voice.pool import InferencePool
from voice.session import Failure, FinalText, VoiceEvent, VoiceSession
from voice.stt import Transcript


class SlowTranscriber(FakeTranscriber):
    """A blocking decode of ``seconds`` that counts how many run at once, in its own threads."""

    def __init__(self, seconds: float = 0.15, pool: InferencePool | None = None) -> None:
        self.seconds = seconds
        self.pool = pool
        self.running = 0
        self.peak = 0
        self.calls = 0
        self.unseen = 0  # decodes that ended while the pool counted fewer jobs than threads busy
        self._lock = threading.Lock()

    def transcribe(self, audio: np.ndarray, *, partial: bool = False) -> Transcript:
        with self._lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.seconds)
        finally:
            with self._lock:
                if self.pool is not None and self.pool.depth < self.running:
                    self.unseen += 1  # a slot was given back while its thread still decoded
                self.running -= 1
        return Transcript(text=f"samples {len(audio)}", confidence=0.9)


async def test_a_cancelled_call_keeps_its_slot_until_its_thread_returns() -> None:
    executor = BoundedExecutor("t", 1, max_queue=1)
    release = threading.Event()
    started = asyncio.ensure_future(executor.run(release.wait, 5))
    waiting = asyncio.ensure_future(executor.run(time.sleep, 0))
    await asyncio.sleep(0.05)
    assert executor.running == 1 and executor.depth == 2
    with pytest.raises(OverloadedError):
        executor.submit(time.sleep, 0)  # one running and one waiting: full
    started.cancel()
    waiting.cancel()  # not started yet: dropped, its slot is free at once
    await asyncio.sleep(0.05)
    assert executor.depth == 1 and executor.running == 1  # the started one still runs
    release.set()
    for _ in range(100):
        if executor.depth == 0:
            break
        await asyncio.sleep(0.01)
    assert executor.depth == 0 and executor.peak == 1
    await executor.aclose()
    assert not [t for t in threading.enumerate() if t.name.startswith("t_")]


async def test_cancelled_speculative_decodes_never_run_more_decodes_than_workers(clips: list[Clip]) -> None:
    """Four sessions keep pausing (a speculative decode starts) and speaking again (it is
    cancelled while its thread decodes): the decodes running at once never pass the workers."""
    clip = pick(clips, channel="clean", intent="plate_lookup", n=1)[0]
    audio = to_internal(clip.samples(), clip.rate)
    start = int(clip.entry["speech_start_s"] * 16000)
    burst = audio[start:start + 8000]
    pause = np.zeros(int(0.45 * 16000), dtype=np.float32)  # past speculate_after_ms (300)
    pcm = (np.concatenate([burst, pause] * 6) * 32767).astype("<i2").tobytes()
    pool = InferencePool(workers=2, max_queue=16)
    stt = SlowTranscriber(0.15, pool)
    finals: list[FinalText] = []
    failures: list[Failure] = []

    async def emit(event: VoiceEvent) -> None:
        if isinstance(event, FinalText):
            finals.append(event)
        elif isinstance(event, Failure):
            failures.append(event)

    async def on_final(*_args: object) -> None:
        return None

    async def talk(name: str) -> None:
        session = VoiceSession(name, transcriber=stt, pool=pool.lane(name), emit=emit, on_final=on_final)
        session.start("pcm_s16le", 16000)
        await session.ptt(True)  # the key is held: every pause is an utterance still open
        for i in range(0, len(pcm), 640):
            await session.audio(pcm[i:i + 640])
            await asyncio.sleep(0.004)  # about 5x real time, so speculation starts and is dropped
        await session.ptt(False)
        await session.stop()

    await asyncio.wait_for(asyncio.gather(*(talk(f"s{i}") for i in range(4))), 30)
    assert len(finals) == 4 and not failures, failures
    assert stt.calls > 4, "no speculative decode was started and given up"
    assert stt.peak <= 2 and pool.executor.peak <= 2, (stt.peak, pool.executor.peak)
    assert stt.unseen == 0, "the pool freed a worker while its thread was still decoding"
    await pool.aclose()
    assert pool.executor.depth == 0


class FlakyTranscriber(FakeTranscriber):
    """Fails with a bug (not a PatrolError) on its first final decode, then hears a plate."""

    def __init__(self) -> None:
        self.finals = 0

    def transcribe(self, audio: np.ndarray, *, partial: bool = False) -> Transcript:
        if partial:
            return Transcript(text="", confidence=0.0)
        self.finals += 1
        if self.finals == 1:
            raise KeyError("planted: a stage with a bug")
        return Transcript(text="run plate 7XYZ456", confidence=0.9)


class FlakyLookup(FakeLookup):
    """The fake registry whose parser has a bug on one phrase."""

    def understand(self, text: str, *, alternatives: tuple[str, ...] = (),
                   asr_confidence: float = 1.0) -> FakeQuery:
        if "explode" in text:
            raise ZeroDivisionError("planted: a parser bug")
        return super().understand(text, alternatives=alternatives, asr_confidence=asr_confidence)


async def test_a_failing_stage_is_reported_internal_and_the_session_goes_on(
        tmp_path: Path, clips: list[Clip]) -> None:
    clip = pick(clips, channel="clean", intent="plate_lookup", n=1)[0]
    settings = voice_settings(tmp_path)
    settings.router.near_miss_by_sound = False  # the fake registry has no plates one symbol away
    app = create_app(settings, transcriber=FlakyTranscriber(), lookup=FlakyLookup())
    with LiveServer(app) as server:
        async with websockets.connect(server.ws_url, max_size=None) as ws:
            await ws.send(json.dumps({"type": "start", "rate": clip.rate, "encoding": "pcm_s16le"}))
            await recv_until(ws, lambda e: e["type"] == "ready", 10)
            # The audio path: the recogniser raises a bug on the first utterance ...
            await stream(ws, clip.pcm(), rate=clip.rate, realtime=False)
            first = await recv_until(ws, lambda e: e["type"] == "error", 20)
            assert first[-1]["code"] == "internal" and first[-1]["utterance"] >= 1
            assert "planted" not in first[-1]["message"]  # details stay in the log
            # ... and the next one is answered.
            await stream(ws, clip.pcm(), rate=clip.rate, realtime=False)
            second = await recv_until(ws, lambda e: e["type"] == "result", 20)
            assert [e for e in second if e["type"] == "transcript"][-1]["text"] == "run plate 7XYZ456"
            assert second[-1]["status"] == "clear"
            # The query path: the parser raises a bug, the next query is answered.
            await ws.send(json.dumps({"type": "query", "text": "explode plate 1"}))
            third = await recv_until(ws, lambda e: e["type"] in ("error", "result"), 10)
            assert third[-1]["type"] == "error" and third[-1]["code"] == "internal"
            await ws.send(json.dumps({"type": "query", "text": "run plate ABC123"}))
            fourth = await recv_until(ws, lambda e: e["type"] == "result", 10)
            assert fourth[-1]["status"] == "clear" and fourth[-1]["utterance"] == third[-1]["utterance"] + 1
            await ws.send(json.dumps({"type": "stop"}))
            await asyncio.wait_for(ws.wait_closed(), 10)
            assert ws.close_code == 1000


def test_shutdown_leaves_no_thread_behind(tmp_path: Path) -> None:
    # Thread objects, not idents: a thread of an earlier test that ends meanwhile frees its
    # ident, and a pool thread started here may be given it.
    before = set(threading.enumerate())
    settings = voice_settings(tmp_path)
    app = create_app(settings, transcriber=SlowTranscriber(0.01), lookup=FakeLookup())
    names: set[str] = set()
    with TestClient(app) as client:
        assert client.post("/v1/query", json={"text": "run plate 7XYZ456"}).json()["status"] == "clear"
        with client.websocket_connect("/v1/radio") as ws:
            ws.send_text(json.dumps({"type": "start", "rate": 16000, "encoding": "pcm_s16le"}))
            assert json.loads(ws.receive_text())["type"] == "ready"
            ws.send_text(json.dumps({"type": "query", "text": "run plate ABC123"}))
            while json.loads(ws.receive_text())["type"] != "result":
                pass
        services = app.state.services
        services.pool.executor.submit(time.sleep, 0.2)  # still running when the app stops
        metrics = client.get("/metrics").text
        assert 'patrol_pool_peak_running{pool="inference"}' in metrics
        assert 'patrol_pool_workers{pool="lookup"} 4.0' in metrics
        names = {t.name for t in threading.enumerate() if t not in before}
    assert any(n.startswith("lookup") for n in names) and any(n.startswith("inference") for n in names)
    left: list[Any] = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert left == [], [t.name for t in left]

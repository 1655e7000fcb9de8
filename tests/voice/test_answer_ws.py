"""answer_audio over WS /v1/radio: a real socket and real espeak-ng audio, with the fake
transcriber and lookup of tests/service (typed queries: the spoken input side is covered by
tests/e2e/test_answer_audio.py). Frame order, codecs, barge-in, bad input, failures."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import websockets

from tests.service.fakes import FakeLookup, FakeTranscriber
from tests.voice.helpers import LiveServer, recv_until, voice_settings
from voice.codecs import ALAW_TO_PCM16, ULAW_TO_PCM16


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from service.app import create_app

    app = create_app(voice_settings(tmp_path_factory.mktemp("answers")), transcriber=FakeTranscriber(),
                     lookup=FakeLookup())
    with LiveServer(app) as live:
        yield live


def _start(rate: int = 8000, encoding: str = "mulaw", **extra: Any) -> str:
    return json.dumps({"type": "start", "rate": rate, "encoding": encoding, "unit": "PC-12", **extra})


async def _open(server: LiveServer, **start: Any) -> Any:
    ws = await websockets.connect(server.ws_url, max_size=None)
    await ws.send(_start(**start))
    events = await recv_until(ws, lambda e: e["type"] in ("ready", "error"), 10)
    assert events[-1]["type"] == "ready", events
    return ws


async def _answer(ws: Any, timeout: float = 30.0) -> tuple[list[dict[str, Any]], bytes, list[int]]:
    """Events up to answer_audio_end, the binary bytes between, and each frame's size."""
    events: list[dict[str, Any]] = []
    audio = bytearray()
    sizes: list[int] = []
    deadline = time.monotonic() + timeout
    while True:
        msg = await asyncio.wait_for(ws.recv(), deadline - time.monotonic())
        if isinstance(msg, bytes):
            assert any(e["type"] == "answer_audio" for e in events), "binary frame before answer_audio"
            audio += msg
            sizes.append(len(msg))
            continue
        events.append({**json.loads(msg), "_at": time.monotonic()})
        if events[-1]["type"] in ("answer_audio_end", "error"):
            return events, bytes(audio), sizes


def _decode(data: bytes, encoding: str) -> np.ndarray:
    if encoding == "pcm_s16le":
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768
    table = ULAW_TO_PCM16 if encoding == "mulaw" else ALAW_TO_PCM16
    return table[np.frombuffer(data, dtype=np.uint8)].astype(np.float32) / 32768


@pytest.mark.parametrize(("encoding", "rate"), [("mulaw", 8000), ("alaw", 8000), ("pcm_s16le", 16000),
                                                ("pcm_s16le", 48000)])
async def test_each_result_is_followed_by_its_answer_in_the_session_codec(server: LiveServer, encoding: str,
                                                                         rate: int) -> None:
    async with await _open(server, rate=rate, encoding=encoding, answer_audio=True) as ws:
        await ws.send(json.dumps({"type": "query", "text": "run plate STOLEN1"}))
        events, audio, sizes = await _answer(ws)
        kinds = [e["type"] for e in events]
        assert kinds[-3:] == ["result", "answer_audio", "answer_audio_end"], kinds
        result, head, end = events[-3:]
        assert head["utterance"] == end["utterance"] == result["utterance"]
        assert (head["encoding"], head["rate"], head["tone"]) == (encoding, rate, "stolen")
        width = 2 if encoding == "pcm_s16le" else 1
        assert head["bytes"] == len(audio) == end["bytes"] and not end["interrupted"]
        assert head["duration_ms"] == round(1000 * len(audio) / width / rate)
        assert set(sizes[:-1]) == {rate // 50 * width}  # 20 ms frames
        samples = _decode(audio, encoding)
        tone_end = head["tone_ms"] * rate // 1000
        spectrum = np.abs(np.fft.rfft(samples[:tone_end], n=rate))
        assert abs(int(np.argmax(spectrum)) - 850) <= 5  # the stolen tone comes first
        assert np.sqrt(np.mean(samples[tone_end + rate // 2:] ** 2)) > 0.02  # then speech
        await ws.send(json.dumps({"type": "stop"}))
        await asyncio.wait_for(ws.wait_closed(), 10)


async def test_answers_are_paced_at_real_time(server: LiveServer) -> None:
    async with await _open(server, answer_audio=True) as ws:
        await ws.send(json.dumps({"type": "query", "text": "run plate AB12CD"}))
        events, audio, _ = await _answer(ws)
        head = next(e for e in events if e["type"] == "answer_audio")
        took = events[-1]["_at"] - head["_at"]
        seconds = len(audio) / 8000
        assert seconds - 0.4 < took < seconds + 2.0, (took, seconds)


async def test_new_speech_from_the_officer_stops_the_answer(server: LiveServer) -> None:
    async with await _open(server, answer_audio=True) as ws:
        await ws.send(json.dumps({"type": "query", "text": "run plate STOLEN1"}))
        head = (await recv_until(ws, lambda e: e["type"] == "answer_audio", 30))[-1]
        got = 0
        while got < 4000:  # half a second in: past the lead, paced at real time
            msg = await ws.recv()
            assert isinstance(msg, bytes)
            got += len(msg)
        await ws.send(json.dumps({"type": "ptt", "pressed": True}))
        tail: list[dict[str, Any]] = []
        while True:
            msg = await asyncio.wait_for(ws.recv(), 10)
            if isinstance(msg, bytes):
                assert not any(e["type"] == "answer_audio_end" for e in tail), "audio after the end"
                got += len(msg)
                continue
            tail.append(json.loads(msg))
            if tail[-1]["type"] == "answer_audio_end":
                break
        end = tail[-1]
        assert end["interrupted"] and end["bytes"] == got < head["bytes"]
        await ws.send(json.dumps({"type": "ptt", "pressed": False}))
        # Nothing more of the stopped answer arrives; the session goes on.
        await ws.send(json.dumps({"type": "query", "text": "run plate AB12CD"}))
        events, audio, _ = await _answer(ws)
        assert events[-1]["type"] == "answer_audio_end" and not events[-1]["interrupted"]
        assert events[-1]["utterance"] > end["utterance"]


async def test_without_answer_audio_nothing_changes(server: LiveServer) -> None:
    async with await _open(server, encoding="pcm_s16le") as ws:
        await ws.send(json.dumps({"type": "query", "text": "run plate STOLEN1"}))
        await recv_until(ws, lambda e: e["type"] == "result", 30)
        await ws.send(json.dumps({"type": "stop"}))
        rest: list[Any] = []
        with pytest.raises(websockets.ConnectionClosedOK):
            while True:
                rest.append(await asyncio.wait_for(ws.recv(), 10))
        assert rest == []  # no answer_audio events, no binary frames


async def test_bad_answer_formats_are_refused_at_start(server: LiveServer) -> None:
    async with websockets.connect(server.ws_url, max_size=None) as ws:
        for extra, code in (({"answer_rate": 11025}, "bad_rate"), ({"answer_encoding": "opus"},
                                                                   "bad_encoding"),
                            ({"answer_audio": "yes"}, "bad_message")):
            start = {"answer_audio": True, **extra}
            await ws.send(_start(**start))
            events = await recv_until(ws, lambda e: e["type"] in ("ready", "error"), 10)
            assert (events[-1]["type"], events[-1].get("code")) == ("error", code), events
        # Not started by any of them: a good start still works, with a different answer format.
        await ws.send(_start(rate=16000, encoding="pcm_s16le", answer_audio=True, answer_rate=8000,
                             answer_encoding="alaw"))
        assert (await recv_until(ws, lambda e: e["type"] in ("ready", "error"), 10))[-1]["type"] == "ready"
        await ws.send(json.dumps({"type": "query", "text": "run plate NONE1"}))
        events, audio, _ = await _answer(ws)
        head = next(e for e in events if e["type"] == "answer_audio")
        assert (head["encoding"], head["rate"], head["tone"]) == ("alaw", 8000, "say_again")
        assert len(audio) == head["bytes"]


async def test_a_failed_synthesis_is_an_error_event_and_the_session_lives_on(server: LiveServer) -> None:
    from voice.tts import EspeakOptions, EspeakSynthesizer

    voice = server.server.config.app.state.services.answer_voice
    saved = voice.synthesizer, voice.spelled
    broken = EspeakSynthesizer(EspeakOptions(executable="/nonexistent/espeak-ng"))
    voice.synthesizer = voice.spelled = broken
    try:
        async with await _open(server, answer_audio=True) as ws:
            await ws.send(json.dumps({"type": "query", "text": "run plate AB12CD"}))
            events, audio, _ = await _answer(ws)
            assert events[-1]["type"] == "error" and events[-1]["code"] == "tts_unavailable", events
            assert events[-1]["utterance"] == events[-2]["utterance"] and audio == b""
            voice.synthesizer, voice.spelled = saved
            await ws.send(json.dumps({"type": "query", "text": "run plate AB12CD"}))
            events, audio, _ = await _answer(ws)
            assert events[-1]["type"] == "answer_audio_end" and len(audio) > 8000
    finally:
        voice.synthesizer, voice.spelled = saved


async def test_speech_heard_by_the_endpointer_also_stops_the_answer(server: LiveServer) -> None:
    from tests.voice.helpers import load_clips, pick

    clip = pick(load_clips(), channel="clean", intent="plate_lookup", n=1)[0]
    pcm = clip.pcm()
    async with await _open(server, rate=clip.rate, encoding="pcm_s16le", answer_audio=True) as ws:
        await ws.send(json.dumps({"type": "query", "text": "run plate STOLEN1"}))
        head = (await recv_until(ws, lambda e: e["type"] == "answer_audio", 30))[-1]
        step = clip.rate // 50 * 2
        got, events = 0, []
        # No PTT: the officer just talks (VAD), 20 ms frames at real-time pace.
        for offset in range(0, len(pcm), step):
            await ws.send(pcm[offset:offset + step])
            await asyncio.sleep(0.02)
            while True:
                try:
                    msg = await asyncio.wait_for(ws.recv(), 0.001)
                except TimeoutError:
                    break
                if isinstance(msg, bytes):
                    assert not any(e["type"] == "answer_audio_end" for e in events), "audio after the end"
                    got += len(msg)
                else:
                    events.append(json.loads(msg))
            if any(e["type"] == "answer_audio_end" for e in events):
                break
        kinds = [(e["type"], e.get("state")) for e in events]
        assert ("speech", "start") in kinds, kinds
        end = next(e for e in events if e["type"] == "answer_audio_end")
        assert end["interrupted"] and end["bytes"] == got < head["bytes"]

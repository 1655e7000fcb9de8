"""Helpers of the voice tests: fixture clips, a live server on a real socket, streaming."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uvicorn

from service.settings import Settings, SttSettings

AUDIO_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "audio"


@dataclass(frozen=True)
class Clip:
    """One fixture clip and its manifest entry."""

    path: Path
    entry: dict[str, Any]

    @property
    def rate(self) -> int:
        return int(self.entry["rate"])

    def pcm(self) -> bytes:
        """The raw PCM16 LE bytes of the clip."""
        with wave.open(str(self.path)) as w:
            return w.readframes(w.getnframes())

    def samples(self) -> np.ndarray:
        return np.frombuffer(self.pcm(), dtype="<i2").astype(np.float32) / 32768.0


def load_clips() -> list[Clip]:
    """Every clip of fixtures/audio/manifest.jsonl."""
    manifest = AUDIO_DIR / "manifest.jsonl"
    if not manifest.exists():
        pytest.fail("fixtures/audio/manifest.jsonl is missing: run `python -m fixtures.make_audio`")
    clips = []
    for line in manifest.read_text().splitlines():
        if line.strip():
            entry = json.loads(line)
            clips.append(Clip(AUDIO_DIR / entry["file"], entry))
    return clips


@pytest.fixture(scope="session")
def clips() -> list[Clip]:
    return load_clips()


def pick(clips: list[Clip], *, channel: str, intent: str | None = None, n: int = 1,
         split: str = "tune") -> list[Clip]:
    """A deterministic selection of clips."""
    chosen = [c for c in clips if c.entry["channel"] == channel and c.entry.get("split") == split
              and (intent is None or c.entry["intent"] == intent)]
    chosen.sort(key=lambda c: c.entry["file"])
    assert len(chosen) >= n, f"need {n} {channel} clips, found {len(chosen)}"
    return chosen[:n]


@pytest.fixture(scope="session")
def transcriber() -> Any:
    """The default recogniser (the project's own radio-tiny-v5), loaded once."""
    from voice.loading import load_transcriber

    return load_transcriber(**SttSettings().loader_options())


@pytest.fixture(scope="session")
def tiny_transcriber() -> Any:
    """tiny.en as packaged, with the base model for its constrained spelling pass, loaded once
    (for the tests of the passes that only a general model needs)."""
    from voice.loading import load_transcriber

    return load_transcriber(**SttSettings(model="tiny.en").loader_options())


class LiveServer:
    """A real uvicorn server on a free loopback port, in a background thread."""

    def __init__(self, app: Any) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                ws_max_size=32 << 20, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/radio"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def voice_settings(tmp: Path, **audio: Any) -> Settings:
    """Settings for a voice test server: its own SQLite file and data dir."""
    # The voice tests exercise audio, not auth or skill routing (tests/service covers those).
    settings = Settings(data_dir=tmp, registry={"url": f"sqlite:///{tmp}/registry.sqlite3"},
                        auth={"enabled": False}, router={"semantic": False})
    for key, value in audio.items():
        setattr(settings.audio, key, value)
    return settings


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, transcriber: Any) -> Iterator[LiveServer]:
    """One real server for a test module, sharing the session's model."""
    from service.app import create_app

    app = create_app(voice_settings(tmp_path_factory.mktemp("voice")), transcriber=transcriber)
    with LiveServer(app) as server:
        yield server


async def recv_until(ws: Any, predicate: Any, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Collect JSON events until ``predicate(event)`` holds (inclusive) or the timeout."""
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out; got {events}")
        msg = await asyncio.wait_for(ws.recv(), remaining)
        if isinstance(msg, str):
            event = json.loads(msg)
            events.append(event)
            if predicate(event):
                return events


async def stream(ws: Any, pcm: bytes, *, rate: int, frame_ms: int = 20, realtime: bool = True,
                 ptt: bool = True) -> None:
    """Send PCM16 audio in frames, at real-time pace, wrapped in PTT key events."""
    step = rate * 2 * frame_ms // 1000
    if ptt:
        await ws.send(json.dumps({"type": "ptt", "pressed": True}))
    t0 = time.monotonic()
    for i, offset in enumerate(range(0, len(pcm), step)):
        await ws.send(pcm[offset:offset + step])
        if realtime:
            delay = t0 + (i + 1) * frame_ms / 1000 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
    if ptt:
        await ws.send(json.dumps({"type": "ptt", "pressed": False}))

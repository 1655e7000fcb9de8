"""The committed default recogniser (models/asr/radio-tiny-v5) through WS /v1/radio, on held-out clips."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from lookup.db import make_engine
from lookup.migrate import upgrade
from lookup.seed import SeedOptions, seed_registry
from service.settings import SttSettings
from tests.voice.helpers import Clip, LiveServer, pick, recv_until, voice_settings

MODEL = "radio-tiny-v5"


@pytest.fixture(scope="module")
def fitted_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real server whose recogniser is the committed fitted model, verified by checksum."""
    from service.app import create_app
    from voice.fitted_stt import FittedTranscriber
    from voice.loading import load_transcriber

    tmp = tmp_path_factory.mktemp("fitted")
    stt = load_transcriber(**SttSettings(model=MODEL).loader_options(), cache_dir=tmp / "models")
    assert isinstance(stt, FittedTranscriber)
    settings = voice_settings(tmp)
    settings.stt.model = MODEL
    # The fixture subjects among a small synthetic registry, so every check names a record.
    upgrade(settings.registry.url)
    seed_registry(make_engine(settings.registry.url), SeedOptions(persons=300, vehicles=300, seed=3))
    with LiveServer(create_app(settings, transcriber=stt)) as server:
        yield server


async def _ask(server: LiveServer, path: Path) -> list[dict[str, Any]]:
    import soundfile as sf

    pcm, rate = sf.read(str(path), dtype="int16")
    data = pcm.astype("<i2").tobytes()
    async with websockets.connect(server.ws_url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "rate": int(rate), "encoding": "pcm_s16le",
                                  "unit": "PC-12", "channel": "north-1"}))
        await recv_until(ws, lambda e: e["type"] == "ready", 10)
        await ws.send(json.dumps({"type": "ptt", "pressed": True}))
        step = int(rate) * 2 // 50
        for off in range(0, len(data), step):
            await ws.send(data[off:off + step])
        await ws.send(json.dumps({"type": "ptt", "pressed": False}))
        return await recv_until(ws, lambda e: e["type"] in ("result", "error"), 60)


def test_fitted_model_reads_held_out_plates_and_licences_over_the_socket(
        fitted_server: LiveServer, clips: list[Clip]) -> None:
    """Held-out voices (espeak en-gb-x-rp, piper at 1.15) on the 20 dB radio channel."""
    chosen = [*pick(clips, channel="radio20", intent="plate_lookup", n=4, split="heldout"),
              *pick(clips, channel="radio20", intent="licence_lookup", n=3, split="heldout")]
    exact = first = 0
    for clip in chosen:
        events = asyncio.run(_ask(fitted_server, clip.path))
        kinds = [e["type"] for e in events]
        assert "transcript" in kinds and kinds[-1] == "result", kinds
        intent = next(e for e in events if e["type"] == "intent")
        exact += intent["name"] == clip.entry["intent"] and all(
            intent["slots"].get(k) == v for k, v in clip.entry["slots"].items())
        candidates = events[-1]["candidates"]
        top = json.dumps(candidates[0]) if candidates else ""
        first += bool(top) and all(v in top for v in clip.entry["slots"].values())
    assert exact >= 5, f"{exact} of {len(chosen)} exact"
    assert first >= 5, f"the spoken record first for {first} of {len(chosen)}"

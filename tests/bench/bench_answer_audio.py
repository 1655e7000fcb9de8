"""Answer audio benchmarks, run by hand:
``pytest tests/bench/bench_answer_audio.py -s --override-ini addopts=``.

1. ``result`` to the first answer frame, p50/p95, over the real websocket with the real lookup
   on a small seeded registry (typed queries, so ASR load does not blur the figure).
2. Synthesis real-time factor of whole answers (espeak-ng, tone, resampling, G.711).
3. Intelligibility: random plates read back, decoded from u-law 8 kHz, heard by the project's
   recogniser (tiny.en + spelling pass); share whose plate comes back exact.
Results are printed and written to var/bench/answer_audio.json. ``BENCH_PLATES`` sets the
number of plates for part 3 (default 20).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import websockets

from lookup.db import make_engine
from lookup.migrate import upgrade
from lookup.readback import vehicle_readback
from lookup.seed import SeedOptions, seed_registry
from service.settings import SttSettings
from tests.e2e.test_answer_audio import heard_plates
from tests.service.fakes import FakeTranscriber
from tests.voice.helpers import LiveServer, voice_settings
from voice.answer_audio import AnswerVoice
from voice.codecs import Decoder

OUT = Path("var/bench")
PLATES = int(os.environ.get("BENCH_PLATES", "20"))
ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def _voice() -> AnswerVoice:
    from service.answers import build_answer_voice
    from service.settings import TtsSettings

    voice = build_answer_voice(TtsSettings())
    assert voice is not None, "espeak-ng is needed"
    return voice


async def _first_frame_latency(url: str, plates: list[str]) -> list[float]:
    out: list[float] = []
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "rate": 8000, "encoding": "mulaw", "answer_audio": True}))
        await ws.recv()
        for plate in plates:
            await ws.send(json.dumps({"type": "query", "text": f"run plate {plate}"}))
            at_result: float | None = None
            while True:
                msg = await asyncio.wait_for(ws.recv(), 60)
                if isinstance(msg, bytes):
                    if at_result is not None:
                        out.append(time.perf_counter() - at_result)
                        at_result = None  # the first frame only
                    continue
                event = json.loads(msg)
                if event["type"] == "result":
                    at_result = time.perf_counter()
                if event["type"] in ("answer_audio_end", "error"):
                    break
    return out


def test_answer_audio_bench(tmp_path: Path) -> None:
    from service.app import create_app

    report: dict[str, Any] = {"load_average": os.getloadavg()}
    settings = voice_settings(tmp_path)
    upgrade(settings.registry.url)
    seed_registry(make_engine(settings.registry.url), SeedOptions(persons=300, vehicles=300, seed=1))
    app = create_app(settings, transcriber=FakeTranscriber())
    with LiveServer(app) as server:
        plates = ["7XYZ456", "XYZ456", "ABC123", "QQ9999"] * 5  # stolen, stolen, clear, no match
        lat = asyncio.run(_first_frame_latency(server.ws_url, plates))
    report["result_to_first_frame_ms"] = {"n": len(lat), "p50": 1000 * _pct(lat, 50),
                                          "p95": 1000 * _pct(lat, 95), "max": 1000 * max(lat)}

    voice = _voice()
    rng = random.Random(7)
    synth, audio_s, codes = [], [], []
    for _ in range(PLATES):
        plate = "".join(rng.choice(ALPHABET) for _ in range(7))
        vehicle = {"plate": plate, "colour": "grey", "make": "Toyota", "model": "Camry",
                   "status": "registered",
                   "owner": {"given": "John", "family": "Smith", "licence": {"status": "valid"}}}
        draw = rng.random()
        # Half stolen; a sixth crowded (owner wanted, missing and flagged for caution, licence
        # suspended): those run past 6 s at the normal pace and are sped up to fit.
        alerts = [{"kind": "stolen", "officer_safety": False}] if draw < 0.5 else []
        if draw > 5 / 6:
            alerts = [{"kind": k, "officer_safety": k == "caution"}
                      for k in ("caution", "wanted", "stolen", "missing")]
            vehicle["owner"] = {"given": "John", "family": "Smith", "licence": {"status": "suspended"}}
        answer = voice.build("hit" if alerts else "clear", alerts, vehicle_readback(vehicle, alerts),
                             encoding="mulaw", rate=8000)
        synth.append(answer.synth_s)
        audio_s.append(answer.duration_ms / 1000)
        codes.append((plate, answer))
    rtf = [s / a for s, a in zip(synth, audio_s, strict=True)]
    report["synthesis"] = {"n": len(synth), "p50_ms": 1000 * _pct(synth, 50),
                           "p95_ms": 1000 * _pct(synth, 95), "rtf_p50": _pct(rtf, 50),
                           "answer_s_p50": _pct(audio_s, 50), "answer_s_max": max(audio_s)}

    from voice.loading import load_transcriber

    recogniser = load_transcriber(**SttSettings().loader_options())
    hits, heard = 0, []
    for plate, answer in codes:
        decoder = Decoder("mulaw", 8000)
        samples = np.concatenate([decoder.decode(answer.audio), decoder.flush()])[answer.tone_samples * 2:]
        transcript = recogniser.transcribe(samples)
        readings = heard_plates(transcript.text)
        readings += [r for alt in recogniser.refine(samples, transcript) for r in heard_plates(alt)]
        ok = any(plate in r for r in readings)
        hits += ok
        heard.append({"plate": plate, "heard": transcript.text, "ok": ok,
                      "crowded": len(answer.phrases) > 0 and answer.phrases[0].startswith("Use caution")})
    crowded = [h for h in heard if h["crowded"]]
    report["crowded"] = {"n": len(crowded), "exact": sum(h["ok"] for h in crowded)}
    report["intelligibility"] = {"plates": len(codes), "exact": hits, "share": hits / len(codes),
                                 "examples": heard[:6]}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "answer_audio.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    assert lat and len(lat) == len(plates)

"""Operator console under load (run by hand; not part of CI).

    python -m tests.bench.bench_console                 # 30 events/s for 60 s
    python -m tests.bench.bench_console --rate 30 --seconds 20

A real service (fake transcriber and lookup: the registry is not what is measured) on a
real port; one headless Debian chromium signs in and opens the live view. Feed messages of
the shape the check chain produces (transcript, intent, result with a vehicle, its owner,
licence and two alerts) are published on the service's own event bus at ``--rate`` per
second, spread over 8 channels, and travel the real ``WS /v1/events`` socket to the page.

Reported: event-to-render latency (server ``at`` stamp to the page's handling of it, same
clock), animation frame intervals (p50/p95/max), JS heap and DOM node count sampled every
5 s (they must level off: lanes and cards are capped), and how many events were rendered.
Results go to ``var/bench/console.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OUT = Path("var/bench")
FRAMES_JS = """() => { window.__frames = []; let last = performance.now();
  const tick = (t) => { window.__frames.push(t - last); last = t;
    if (window.__frames.length > 20000) window.__frames.shift(); requestAnimationFrame(tick); };
  requestAnimationFrame(tick); }"""
SAMPLE_JS = """() => ({heap: performance.memory ? performance.memory.usedJSHeapSize : null,
  nodes: document.getElementsByTagName('*').length, rendered: window.patrolConsole.stats.rendered})"""


def _messages(n: int) -> list[dict[str, Any]]:
    """The three feed messages of utterance ``n`` (transcript, intent, result)."""
    now = datetime.now(UTC).isoformat()
    base = {"at": now, "session": f"bench-{n % 50}", "utterance": n, "unit": f"PC-{n % 20}",
            "channel": f"north-{n % 8}", "officer": f"BENCH-{n % 20}", "source": "voice"}
    alerts = [{"id": "alert:3", "kind": "caution", "officer_safety": True, "subject": "person:1",
               "details": "demo caution", "issued": "2025-12-02", "expires": None},
              {"id": "alert:2", "kind": "stolen", "officer_safety": False, "subject": "vehicle:3",
               "details": "demo stolen", "issued": "2025-12-02", "expires": None}]
    owner = {"kind": "person", "id": "person:1", "given": "Hiroshi", "family": "Sato", "dob": "1985-03-04",
             "sex": "X", "address": "1 Demo Street", "region": "CA", "aliases": [],
             "licence": {"id": "licence:1", "number": "D1234567", "class": "C", "status": "valid",
                         "expiry": "2029-01-01", "region": "CA"}}
    candidate = {"score": 0.97, "why": "exact", "kind": "vehicle", "id": "vehicle:3", "plate": "7XYZ456",
                 "region": "CA", "make": "Toyota", "model": "Camry", "colour": "silver", "year": 2017,
                 "vin": "FIXTURE0000000003", "status": "registered", "owner": owner,
                 "alerts": alerts if n % 3 == 0 else []}
    hit = n % 3 == 0
    return [
        {**base, "event": {"type": "transcript", "utterance": n, "confidence": 0.91,
                           "text": "Control, run plate seven X-ray Yankee Zulu four five six."}},
        {**base, "event": {"type": "intent", "utterance": n, "name": "plate_lookup",
                           "slots": {"plate": "7XYZ456"}, "confidence": 0.97}},
        {**base, "event": {"type": "result", "utterance": n, "status": "hit" if hit else "clear",
                           "alerts": alerts if hit else [], "candidates": [candidate],
                           "readback": "Seven X-ray Yankee Zulu four five six, silver Toyota Camry."}},
    ]


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def run(rate: float, seconds: float) -> dict[str, Any]:
    """Publish ``rate`` events a second for ``seconds`` into an open console; measure the page."""
    from playwright.sync_api import sync_playwright

    from tests.service.conftest import build_app, issue_tokens, make_settings
    from tests.voice.helpers import LiveServer

    tmp = Path(tempfile.mkdtemp(prefix="bench-console-"))
    app = build_app(make_settings(tmp))
    with LiveServer(app) as live, sync_playwright() as pw:
        tokens = issue_tokens(app)
        bus = app.state.services.core.bus
        loop = live.server.servers[0].get_loop()
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--enable-precise-memory-info"])
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{live.http_url}/")
        page.get_by_label("API token").fill(tokens["operator"])
        page.locator("#signin-form button[type=submit]").click()
        page.wait_for_selector("#conn[data-state=online]", state="attached", timeout=20_000)
        page.evaluate(FRAMES_JS)
        samples, sent, n = [], 0, 0
        t0 = time.monotonic()
        next_sample = t0
        while (now := time.monotonic()) - t0 < seconds:
            due = int((now - t0) * rate)
            while sent < due:
                for msg in _messages(n):
                    if sent >= due:
                        break
                    msg["at"] = datetime.now(UTC).isoformat()
                    loop.call_soon_threadsafe(bus.deliver, msg)
                    sent += 1
                n += 1
            if now >= next_sample:
                samples.append({"t": round(now - t0, 1), **page.evaluate(SAMPLE_JS)})
                next_sample += 5
            time.sleep(0.01)
        time.sleep(1.0)
        samples.append({"t": round(time.monotonic() - t0, 1), **page.evaluate(SAMPLE_JS)})
        stats = page.evaluate("window.patrolConsole.stats")
        frames = page.evaluate("window.__frames")
        browser.close()
    heaps = [s["heap"] for s in samples if s["heap"]]
    nodes = [s["nodes"] for s in samples]
    half = len(samples) // 2
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "rate": rate, "seconds": seconds,
        "sent": sent, "received": stats["received"], "rendered": stats["rendered"],
        "latency_ms": {"p50": _pct(stats["latencies"], 0.5), "p95": _pct(stats["latencies"], 0.95),
                       "max": max(stats["latencies"], default=None)},
        "frame_ms": {"p50": _pct(frames, 0.5), "p95": _pct(frames, 0.95), "max": round(max(frames), 1)},
        "heap_mb": {"first": round(heaps[0] / 2**20, 1) if heaps else None,
                    "max_second_half": round(max(heaps[half:]) / 2**20, 1) if heaps else None,
                    "last": round(heaps[-1] / 2**20, 1) if heaps else None},
        "dom_nodes": {"max_first_half": max(nodes[:half] or [0]), "max_second_half": max(nodes[half:])},
        "samples": samples,
    }


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=30.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    result = run(args.rate, args.seconds)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "console.json").write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=1))


def test_console_under_load() -> None:
    """pytest entry (tests/bench only): a short run; the DOM must stay bounded."""
    result = run(30.0, 20.0)
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}))
    assert result["rendered"] >= 0.9 * result["sent"]
    assert result["dom_nodes"]["max_second_half"] < 5000


if __name__ == "__main__":
    main()

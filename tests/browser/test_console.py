"""The operator console in headless chromium against the real service, database and sockets.

Few tests, one browser: sign in by token; a fixture WAV streamed into ``WS /v1/radio`` shows
up live in its channel's lane with the stolen-vehicle alert ahead of the candidates; skills
run from forms generated from their schemas (dash_risk, drug_post_screen, the AML CSV upload,
sorted); the audit view is not offered to a patrol token (and the API refuses it) but shows
rows and the chain status to a supervisor; markup in user text renders as text; the page
reconnects after the service restarts.
"""

from __future__ import annotations

import json
import time
import urllib.request
import wave
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.browser.conftest import Console, ServedConsole

ROOT = Path(__file__).resolve().parents[2]
# "Control, run plate seven X-ray Yankee Zulu four five six": 7XYZ456 is seeded as stolen.
CLIP = ROOT / "fixtures" / "audio" / "p01_piper-joe-085_clean.wav"
AML_CSV = ROOT / "fixtures" / "skills" / "aml" / "reports_40.csv"
XSS = "<img src=x onerror=\"window.__pwned=1\">"


def radio_events(served: ServedConsole, *, channel: str, audio: Path | None = None,
                 text: str | None = None) -> list[dict[str, Any]]:
    """One utterance over WS /v1/radio with the patrol token; the events up to its result."""
    with connect(f"ws://127.0.0.1:{served.port}/v1/radio",
                 additional_headers={"Authorization": f"Bearer {served.tokens['patrol']}"},
                 max_size=None, open_timeout=20) as ws:
        rate = 16000
        if audio is not None:
            with wave.open(str(audio)) as w:
                rate, pcm = w.getframerate(), w.readframes(w.getnframes())
        ws.send(json.dumps({"type": "start", "rate": rate, "encoding": "pcm_s16le", "unit": "PC-12",
                            "channel": channel}))
        assert json.loads(ws.recv(20))["type"] == "ready"
        if audio is not None:
            ws.send(json.dumps({"type": "ptt", "pressed": True}))
            step = rate * 2 // 50
            for offset in range(0, len(pcm), step):
                ws.send(pcm[offset:offset + step])
            ws.send(json.dumps({"type": "ptt", "pressed": False}))
        else:
            ws.send(json.dumps({"type": "query", "text": text}))
        events = []
        deadline = time.monotonic() + 120
        while not events or events[-1]["type"] != "result":
            message = ws.recv(max(0.1, deadline - time.monotonic()))
            if isinstance(message, str):
                events.append(json.loads(message))
        ws.send(json.dumps({"type": "stop"}))
    return events


def api(served: ServedConsole, path: str, role: str) -> int:
    headers = {"Authorization": f"Bearer {served.tokens[role]}"}
    request = urllib.request.Request(served.base + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def test_a_radio_query_shows_live_in_its_lane_with_the_alert_first(console: Console,
                                                                   served: ServedConsole) -> None:
    page = console.page
    console.sign_in("operator")
    expect(page.locator("#whoami")).to_have_text("OPS-1 · operator")
    expect(page.locator(".tab[data-view=audit]")).to_be_hidden()  # operators do not read the audit log
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")

    events = radio_events(served, channel="north-1", audio=CLIP)
    result = events[-1]
    assert result["status"] == "hit" and result["candidates"][0]["plate"] == "7XYZ456", events
    heard = next(e["text"] for e in events if e["type"] == "transcript")
    # Shown within 2 s of the result reaching the radio client.
    card = page.locator("#lanes .lane[data-lane='ch:north-1'] .card").first
    expect(card.locator(".status")).to_have_text("hit", timeout=2_000)
    expect(card.locator(".transcript .text")).to_have_text(heard)
    expect(card.locator(".readback q")).to_have_text(result["readback"])
    # Alerts come before the candidates, officer safety first, then the stolen vehicle.
    kinds = card.locator(".card-alerts li").all_inner_texts()
    assert [k.split(" — ")[0].strip("⚠ ") for k in kinds] == ["OFFICER SAFETY CAUTION", "STOLEN"], kinds
    order = card.evaluate("c => [...c.children].map(n => n.className).filter(n => n)")
    assert order.index("card-alerts") < order.index("result"), order
    expect(page.locator("#alert-list li").first).to_have_class("alert danger")
    expect(page.locator("#alert-list li.alert").nth(1)).to_contain_text("STOLEN")

    console.screenshot("live")
    # Hit detail: the candidate's score, why, and the check chain.
    card.locator("button.details").click()
    detail = page.locator("#detail")
    expect(detail.locator(".candidate h4").first).to_contain_text("score")
    console.screenshot("detail")
    steps = detail.locator(".candidate").first.locator(".step > strong").all_inner_texts()
    assert steps == ["Plate", "Vehicle", "Owner", "Licence", "Alerts"], steps
    page.keyboard.press("Escape")
    expect(detail).to_be_hidden()

    # Filters: a status that does not match hides the card.
    page.select_option("#f-status", "clear")
    expect(card).to_be_hidden()
    page.select_option("#f-status", "")
    expect(card).to_be_visible()
    assert console.accessibility_problems() == []
    page.locator("#theme").click()  # the light theme must pass too
    assert console.accessibility_problems() == []
    stats = page.evaluate("window.patrolConsole.stats")
    assert stats["rendered"] >= 3 and stats["latencies"], stats
    assert not console.errors and not any("7XYZ456" in line for line in console.logs)


def test_skills_run_from_forms_generated_from_their_schemas(console: Console) -> None:
    page = console.page
    console.sign_in("operator")
    page.locator(".tab[data-view=skills]").click()

    dash = page.locator("#skill-dash_risk")
    dash.get_by_label("Case Ref").fill("CASE-7")
    dash.get_by_label("Answers", exact=True).fill(json.dumps({f"q{i}": True for i in range(1, 16)}))
    dash.get_by_role("button", name="Run dash_risk").click()
    expect(dash.locator(".kv")).to_contain_text("high")
    expect(dash.locator("caption")).to_have_text("driving")

    drug = page.locator("#skill-drug_post_screen")
    drug.get_by_label("Csv", exact=True).fill(
        "id,text\n"
        f"p1,\"{XSS.replace(chr(34), chr(34) * 2)} selling molly and xans, DM for prices, ship overnight\"\n"
        "p2,lovely weather at the beach today\n")
    drug.get_by_role("button", name="Run drug_post_screen").click()
    rows = drug.locator("tbody tr")
    expect(rows).to_have_count(2)
    first = rows.first
    expect(first).to_contain_text("p1")
    expect(first.locator("mark").first).to_be_visible()  # evidence spans marked in the text
    expect(first).to_contain_text(XSS)                    # the markup is shown as text...
    assert drug.locator("img").count() == 0               # ...and never becomes an element
    assert page.evaluate("window.__pwned === undefined")

    aml = page.locator("#skill-aml_triage")
    aml.locator("input[type=file][accept^='.csv']").set_input_files(str(AML_CSV))
    expect(aml.get_by_label("Csv", exact=True)).not_to_have_value("")
    aml.get_by_role("button", name="Run aml_triage").click()
    expect(aml.locator("tbody tr").first).to_be_visible(timeout=60_000)
    score = aml.locator("th", has_text="score").first
    score.locator("button").click()
    score.locator("button").click()  # descending
    expect(score).to_have_attribute("aria-sort", "descending")
    column = aml.locator("thead th").all_inner_texts().index(score.inner_text())
    values = [float(r.locator("td").nth(column).inner_text()) for r in aml.locator("tbody tr").all()]
    assert len(values) >= 2 and values == sorted(values, reverse=True), values
    drug.scroll_into_view_if_needed()
    console.screenshot("skills")
    assert console.accessibility_problems() == []
    assert not console.errors


def test_audit_is_refused_to_patrol_and_shown_to_a_supervisor(console: Console, served: ServedConsole,
                                                               browser: Any) -> None:
    events = radio_events(served, channel="south-2", text=f"{XSS} run plate 7XYZ456")
    assert events[-1]["type"] == "result"
    page = console.page
    console.sign_in("patrol")
    expect(page.locator("#whoami")).to_have_text("E2E-1 · patrol · PC-12")
    expect(page.locator(".tab[data-view=audit]")).to_be_hidden()
    expect(page.locator(".tab[data-view=live]")).to_be_visible()  # typed queries, no live feed
    expect(page.locator("#filters")).to_be_hidden()
    status = page.evaluate("""async () => (await fetch('/v1/audit', {headers: {Authorization:
        'Bearer ' + sessionStorage.getItem('patrol.token')}})).status""")
    assert status == 403 and api(served, "/v1/audit", "patrol") == 403
    assert "token" not in page.url and served.tokens["patrol"] not in page.url

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        sup = Console(context.new_page(), served)
        sup.sign_in("supervisor")
        sup.page.locator(".tab[data-view=audit]").click()
        rows = sup.page.locator("#audit-table tbody tr")
        expect(rows.first).to_be_visible()
        expect(sup.page.locator("#chain")).to_have_attribute("data-ok", "true")
        expect(sup.page.locator("#chain")).to_contain_text("verified at")
        typed = sup.page.locator("#audit-table tbody tr", has_text="run plate 7XYZ456").first
        expect(typed).to_contain_text(XSS)
        assert sup.page.locator("#audit-table img").count() == 0
        sup.page.locator("#a-officer").fill("E2E-1")
        sup.page.get_by_role("button", name="Search").click()
        expect(rows.first).to_contain_text("E2E-1")
        officers = {r.locator("td").nth(2).inner_text() for r in rows.all()}
        assert officers == {"E2E-1"}, officers
        sup.screenshot("audit")
        assert sup.accessibility_problems() == []
        assert not sup.errors
    finally:
        context.close()


def test_the_page_reconnects_after_the_service_restarts(console: Console, served: ServedConsole) -> None:
    page = console.page
    console.sign_in("operator")
    conn = page.locator("#conn")
    expect(conn).to_have_attribute("data-state", "online")
    served.stop()
    expect(conn).to_have_attribute("data-state", "offline", timeout=10_000)
    expect(conn).to_contain_text("offline")
    served.start()
    expect(conn).to_have_attribute("data-state", "online", timeout=30_000)
    assert page.evaluate("window.patrolConsole.stats.connects") >= 2
    radio_events(served, channel="west-9", text="run plate 7XYZ456")
    expect(page.locator(".lane[data-lane='ch:west-9'] .status").first).to_have_text("hit", timeout=5_000)

"""Confirm by voice closes the loop: "affirm" after a ``clarify`` runs the check on the first
candidate the readback offered, "negative" drops it, and each session keeps its own (a real
seeded SQLite registry through POST /v1/query)."""

from __future__ import annotations

import dataclasses
import io
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lookup.engine import LookupEngine
from lookup.render import spell_out
from tests.lookup.conftest import _prepare
from tests.service.conftest import bearer, build_app, issue_tokens, make_settings

Routed = tuple[TestClient, dict[str, str]]
_APP: dict[str, Any] = {}


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Routed]:
    tmp: Path = tmp_path_factory.mktemp("confirm")
    url = f"sqlite:///{tmp}/registry.sqlite3"
    _prepare(url)
    lookup = LookupEngine.from_url(url)
    app = build_app(make_settings(tmp, registry={"url": url}), lookup=lookup)
    _APP["app"] = app
    try:
        with TestClient(app) as client:
            yield client, issue_tokens(app)
    finally:
        lookup.close()


def _ask(client: TestClient, token: str, text: str) -> dict[str, Any]:
    r = client.post("/v1/query", json={"text": text, "channel": "north-1"}, headers=bearer(token))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _last_audit(client: TestClient, token: str) -> dict[str, Any]:
    entries = client.get("/v1/audit", params={"limit": 5}, headers=bearer(token)).json()["entries"]
    entry: dict[str, Any] = next(e for e in entries if e["action"] != "audit_read")
    return entry


def _offered(client: TestClient, token: str, text: str = "plate QQ70ZZY") -> dict[str, Any]:
    # One slip from QQ70ZZZ (on file, reported stolen): offered, never taken.
    asked = _ask(client, token, text)
    assert asked["status"] == "clarify" and asked["readback"].startswith("Confirm plate")
    assert asked["candidates"][0]["plate"] == "QQ70ZZZ"
    return asked


def test_affirm_runs_the_first_candidate(routed: Routed) -> None:
    client, tokens = routed
    _offered(client, tokens["patrol"])
    done = _ask(client, tokens["patrol"], "affirmative")
    # The owner's officer-safety caution comes first, then the stolen report on the car.
    assert done["status"] == "hit" and done["alerts"][0]["officer_safety"]
    assert "stolen" in {a["kind"] for a in done["alerts"]}
    assert done["candidates"][0]["plate"] == "QQ70ZZZ"
    assert done["readback"].startswith(spell_out("QQ70ZZZ")) and "stolen" in done["readback"].lower()
    entry = _last_audit(client, tokens["supervisor"])
    assert (entry["action"], entry["intent"], entry["status"]) == ("confirm", "confirm", "hit")
    assert entry["slots"] == {"plate": "QQ70ZZZ"} and entry["query_text"] == "affirmative"
    assert "vehicle:900001" in entry["record_ids"] and entry["reason"] == "confirmed plate_lookup"
    # Confirmed once: a second "affirm" has nothing left to run.
    again = _ask(client, tokens["patrol"], "affirm")
    assert again["readback"] == "Copy, confirmed." and again["candidates"] == []


def test_negative_drops_the_offer(routed: Routed) -> None:
    client, tokens = routed
    _offered(client, tokens["patrol"])
    assert _ask(client, tokens["patrol"], "negative")["readback"] == "Copy, dropped."
    after = _ask(client, tokens["patrol"], "affirmative")
    assert after["readback"] == "Copy, confirmed." and after["status"] == "clear" and not after["candidates"]


def test_a_new_query_replaces_the_offer(routed: Routed) -> None:
    client, tokens = routed
    _offered(client, tokens["patrol"])
    other = _ask(client, tokens["patrol"], "person Marcus Quill born 1979-02-11")
    assert other["status"] == "hit"
    assert _ask(client, tokens["patrol"], "affirmative")["readback"] == "Copy, confirmed."


def test_each_session_confirms_only_its_own_offer(routed: Routed) -> None:
    client, tokens = routed
    _offered(client, tokens["patrol"])
    # The gateway's token is another session: its "affirm" does not run the patrol's offer.
    assert _ask(client, tokens["gateway"], "affirmative")["readback"] == "Copy, confirmed."
    assert _ask(client, tokens["patrol"], "affirmative")["candidates"][0]["plate"] == "QQ70ZZZ"


def test_the_offer_and_the_answer_keep_the_officers_alphabet(routed: Routed) -> None:
    client, tokens = routed
    asked = _offered(client, tokens["patrol"], "plate Queen Queen 7 0 Zebra Zebra Young")
    assert asked["readback"].startswith("Confirm plate: " + spell_out("QQ70ZZZ", "apco"))
    assert "Queen Queen" in asked["readback"] and "Quebec" not in asked["readback"]
    done = _ask(client, tokens["patrol"], "affirm")
    assert done["readback"].startswith(spell_out("QQ70ZZZ", "apco"))
    assert "Quebec" not in done["readback"]


def test_the_confirmed_answer_is_spoken(routed: Routed) -> None:
    client, tokens = routed
    _offered(client, tokens["patrol"])
    r = client.post("/v1/query?audio=wav", json={"text": "affirmative"}, headers=bearer(tokens["patrol"]))
    assert r.status_code == 200, r.text
    assert (r.headers["x-result-status"], r.headers["x-answer-tone"]) == ("hit", "alert")
    with wave.open(io.BytesIO(r.content)) as w:
        seconds = w.getnframes() / w.getframerate()
    assert 1.5 < seconds <= 6.0


def test_an_unclear_spoken_affirm_asks_again_and_keeps_the_offer(routed: Routed) -> None:
    from service.context import Heard, QueryContext

    client, _ = routed
    router = _APP["app"].state.services.core.router
    ctx = QueryContext(session="radio-7", utterance=1, officer="p-7", role="patrol")

    def say(text: str, confidence: float, n: int) -> dict[str, Any]:
        events = client.portal.call(router.handle, dataclasses.replace(ctx, utterance=n),
                                    Heard(text=text, confidence=confidence))
        return {"intent": events[0].name, **events[1].model_dump(mode="json")}

    assert say("plate QQ70ZZY", 0.9, 1)["status"] == "clarify"
    # "Negative" heard as "yes, that's correct" at 0.41 (radio-tiny-v2, espeak-ng en-us): not run.
    unsure = say("Base, yes, that's correct.", 0.41, 2)
    assert (unsure["intent"], unsure["status"]) == ("confirm", "clarify")
    assert unsure["readback"] == "Say again: affirm or negative?" and not unsure["candidates"]
    sure = say("Copy, affirmative.", 0.57, 3)
    assert sure["status"] == "hit" and sure["candidates"][0]["plate"] == "QQ70ZZZ"

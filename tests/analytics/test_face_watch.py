"""face_watch and face_watchlist over real HTTP, with the real dlib models on real faces.

Probes: scikit-image's astronaut photo (enrolled, then checked mirrored and re-encoded)
and a real LFW face crop from ``lfw_subset`` (a different person: no match). The no-match
test looks for the probe everywhere it could have landed: files, tables, logs, audit.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data as skdata
from sqlalchemy import inspect, text

from analytics.face.calibrate import rates_at, threshold_for
from analytics.face.embed import lfw_faces
from analytics.face_watch import SKILLS
from tests.service.conftest import bearer, build_app, issue_tokens, make_settings


def _encode(rgb: np.ndarray, fmt: str = "JPEG") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format=fmt, quality=80)
    return buf.getvalue()


ASTRONAUT = skdata.astronaut()
Ctx = tuple[TestClient, dict[str, str], Path]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ctx]:
    tmp = tmp_path_factory.mktemp("face")
    settings = make_settings(tmp, skills={"options": {"face_watch": {"max_enrolled": 2}}})
    app = build_app(settings, skills={s.name: s for s in SKILLS})
    with TestClient(app) as c:
        yield c, issue_tokens(app), tmp


def _files(root: Path) -> set[str]:
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_threshold_comes_from_the_false_alert_rate() -> None:
    strict, loose = threshold_for(0.001), threshold_for(0.05)
    assert strict < loose
    rates = rates_at(strict)
    assert rates["impostor_pairs"] == 4950 and rates["false_matches"] <= 4
    assert rates["fmr"] <= 0.001


def test_enrol_check_match_and_cap(ctx: Ctx) -> None:
    c, tokens, _ = ctx
    sup = bearer(tokens["supervisor"])
    r = c.post(
        "/v1/skills/face_watchlist",
        headers=sup,
        files={"image": ("a.jpg", _encode(ASTRONAUT), "image/jpeg")},
        data={
            "payload": json.dumps(
                {"action": "enrol", "subject_label": "Subject A", "reason": "warrant 123 (synthetic)"}
            )
        },
    )
    assert r.status_code == 200, r.text
    entry_id = r.json()["entries"][0]["entry_id"]
    assert r.json()["label"] == "enrolled" and r.json()["size"] == 1
    probe = _encode(np.ascontiguousarray(ASTRONAUT[:, ::-1]), "PNG")
    r = c.post(
        "/v1/skills/face_watch",
        headers=bearer(tokens["operator"]),
        files={"image": ("p.png", probe, "image/png")},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["label"] == "match" and body["discarded"] is False and body["retained_until"]
    top = body["alerts"][0]
    assert top["entry_id"] == entry_id and top["distance"] < body["threshold"] and top["score"] > 0.5
    # The cap (2 in this app's settings) is enforced.
    lfw = lfw_faces()
    r = c.post(
        "/v1/skills/face_watchlist",
        headers=sup,
        files={"image": ("b.png", _encode(lfw[3], "PNG"), "image/png")},
        data={"payload": json.dumps({"action": "enrol", "subject_label": "B", "reason": "test entry"})},
    )
    assert r.status_code == 200, r.text
    r = c.post(
        "/v1/skills/face_watchlist",
        headers=sup,
        files={"image": ("c.png", _encode(lfw[5], "PNG"), "image/png")},
        data={"payload": json.dumps({"action": "enrol", "subject_label": "C", "reason": "test entry"})},
    )
    assert (r.status_code, r.json()["code"]) == (409, "watchlist_full")
    second = c.post("/v1/skills/face_watchlist", headers=sup, json={"action": "list"}).json()["entries"][1]
    r = c.post(
        "/v1/skills/face_watchlist",
        headers=sup,
        json={"action": "remove", "entry_id": second["entry_id"], "reason": "entry expired"},
    )
    assert r.status_code == 200 and r.json()["size"] == 1
    audit = c.get("/v1/audit", headers=sup, params={"limit": 5}).json()
    rows = audit["entries"] if "entries" in audit else audit
    removal = next(e for e in rows if e["action"] == "skill")
    assert removal["slots"]["reason"] == "entry expired" and removal["slots"]["action"] == "remove"


def test_no_match_probe_leaves_nothing(ctx: Ctx, caplog: pytest.LogCaptureFixture) -> None:
    c, tokens, data_dir = ctx
    engine = c.app.state.services.core.engine  # type: ignore[attr-defined]
    probe_rgb = lfw_faces()[40]  # a real face, not enrolled
    probe = _encode(probe_rgb, "PNG")
    tmp_root = Path(tempfile.gettempdir())
    before_files = _files(data_dir) | _files(tmp_root)

    def counts() -> dict[str, int]:
        with engine.connect() as conn:
            return {
                t: int(conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar() or 0)
                for t in inspect(engine).get_table_names()
                if t != "audit_entry"
            }

    before_rows = counts()
    bus = c.app.state.services.core.bus  # type: ignore[attr-defined]
    published: list[Any] = []
    real_publish = bus.publish

    async def recording_publish(message: dict[str, Any]) -> None:
        published.append(message)
        await real_publish(message)

    bus.publish = recording_publish
    try:
        with caplog.at_level(logging.DEBUG):
            r = c.post(
                "/v1/skills/face_watch",
                headers=bearer(tokens["operator"]),
                files={"image": ("probe.png", probe, "image/png")},
            )
    finally:
        bus.publish = real_publish
    assert published == []  # nothing on the live event feed
    assert r.status_code == 200, r.text
    assert r.json()["label"] == "no_match" and r.json()["discarded"] is True and r.json()["alerts"] == []
    assert counts() == before_rows
    new_files = (_files(data_dir) | _files(tmp_root)) - before_files
    assert not [f for f in new_files if os.path.getsize(f) >= len(probe) // 2], new_files
    face_logs = [rec for rec in caplog.records if rec.name.startswith(("analytics", "service.media"))]
    assert face_logs == []
    assert "probe.png" not in caplog.text
    audit = c.get("/v1/audit", headers=bearer(tokens["supervisor"]), params={"limit": 5}).json()
    rows = audit["entries"] if "entries" in audit else audit
    row = next(e for e in rows if e["action"] == "skill")
    assert row["reason"] == "no_match" and row["status"] == "ok"
    assert "sha256" not in row["slots"]["media"][0] and "filename" not in json.dumps(row)


def test_image_without_a_face_and_roles(ctx: Ctx) -> None:
    c, tokens, _ = ctx
    r = c.post(
        "/v1/skills/face_watch",
        headers=bearer(tokens["operator"]),
        files={"image": ("coffee.jpg", _encode(skdata.coffee()), "image/jpeg")},
    )
    assert (r.status_code, r.json()["code"]) == (422, "no_face")
    r = c.post("/v1/skills/face_watchlist", headers=bearer(tokens["operator"]), json={"action": "list"})
    assert r.status_code == 403
    listed = c.get("/v1/skills", headers=bearer(tokens["operator"])).json()["skills"]
    assert {"face_watch", "face_watchlist"} <= {s["name"] for s in listed}


def test_router_sends_a_face_check_request_to_the_skill(ctx: Ctx) -> None:
    c, tokens, _ = ctx
    r = c.post("/v1/query", headers=bearer(tokens["operator"]), json={"text": "run face check on this image"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "clarify" and "face watch" in body["readback"]


def test_matched_probes_are_deleted_after_retention(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from analytics.face.store import WatchStore

    store = WatchStore(create_engine(f"sqlite:///{tmp_path}/w.sqlite3"))
    entry = store.enrol("X", "test entry", np.zeros(128, np.float32), max_entries=5)
    store.keep_hit(entry.id, 0.2, np.ones(128, np.float32), retention=timedelta(days=31))
    store.keep_hit(entry.id, 0.3, np.ones(128, np.float32), retention=timedelta(seconds=-1))
    assert store.hits() == 2
    assert store.purge_expired() == 1 and store.hits() == 1
    assert store.remove(entry.id) and store.hits() == 0 and store.count() == 0

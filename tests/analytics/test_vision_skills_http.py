"""loitering and xray_triage end to end over HTTP: real video and images, real models, real audit."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient

from analytics.loiter.render import SceneSpec, render
from analytics.xray.codec import png_bytes
from analytics.xray.simulate import dataset
from tests.service.conftest import bearer, build_app, issue_tokens, make_settings

Client = tuple[TestClient, dict[str, str]]
SPEC = SceneSpec(seed=11, people=2, duration_s=16.0, fps=10.0, threshold_s=5.0)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """The real app with every discovered skill, a token per role."""
    app = build_app(make_settings(tmp_path_factory.mktemp("vision")))
    with TestClient(app) as c:
        yield c, issue_tokens(app)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A rendered 16 s mp4: one person lingers about 10 s in the zone, one walks through it."""
    return render(SPEC).write(tmp_path_factory.mktemp("clip") / "clip.mp4").read_bytes()


def _b64(data: bytes, media_type: str) -> dict[str, str]:
    return {"data": base64.b64encode(data).decode("ascii"), "media_type": media_type}


def _empty_mp4() -> bytes:
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.time_base = Fraction(1, 10)
        container.start_encoding()
    return buf.getvalue()


def test_both_skills_are_listed_with_schemas(client: Client) -> None:
    c, tokens = client
    skills = {s["name"]: s for s in c.get("/v1/skills", headers=bearer(tokens["operator"])).json()["skills"]}
    assert {"loitering", "xray_triage"} <= set(skills)
    assert {"video", "frames", "zones"} <= set(skills["loitering"]["input_schema"]["properties"])
    assert "events" in skills["loitering"]["output_schema"]["properties"]
    assert "images" in skills["xray_triage"]["input_schema"]["properties"]


def test_loitering_from_an_uploaded_video(client: Client, clip: bytes) -> None:
    c, tokens = client
    body = {
        "video": _b64(clip, "video/mp4"),
        "zones": [{"name": "door", "polygon": [list(p) for p in SPEC.zone]}],
        "dwell_threshold_s": 5,
        "case_ref": "L-1",
    }
    r = c.post("/v1/skills/loitering", json=body, headers=bearer(tokens["operator"]))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["source"] == "video" and out["label"] == "loitering"
    loiter = [e for e in out["events"] if e["kind"] == "loiter"]
    assert len(loiter) == 1
    # ground truth: the lingering figure is in the zone from 4.4 s to 14.8 s
    assert loiter[0]["start_s"] == pytest.approx(4.4, abs=1.0) and loiter[0]["dwell_s"] == pytest.approx(
        10.4, abs=1.5
    )
    assert 0 < loiter[0]["confidence"] <= 1 and out["max_people"] >= 2
    entries = c.get("/v1/audit", headers=bearer(tokens["admin"])).json()["entries"]
    call = next(e for e in entries if e["action"] == "skill" and e["slots"].get("skill") == "loitering")
    assert call["status"] == "ok" and call["slots"]["media"][0]["bytes"] == len(clip)


def test_loitering_video_as_multipart(client: Client, clip: bytes) -> None:
    c, tokens = client
    payload = {"zones": [{"name": "door", "polygon": [list(p) for p in SPEC.zone]}], "dwell_threshold_s": 30}
    r = c.post(
        "/v1/skills/loitering",
        headers=bearer(tokens["supervisor"]),
        files=[("video", ("clip.mp4", clip, "video/mp4"))],
        data={"payload": json.dumps(payload)},
    )
    assert r.status_code == 200, r.text
    assert r.json()["label"] == "none" and r.json()["dwell"]


def test_xray_triage_multipart_pngs(client: Client) -> None:
    c, tokens = client
    x, y = dataset(8, seed=4242)
    files = [("images", (f"P{i}.png", png_bytes(img), "image/png")) for i, img in enumerate(x)]
    r = c.post(
        "/v1/skills/xray_triage",
        headers=bearer(tokens["operator"]),
        files=files,
        data={"payload": json.dumps({"case_ref": "X-9"})},
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert sum(out["counts"].values()) == 8 and [p["rank"] for p in out["parcels"]] == list(range(1, 9))
    assert {p["id"] for p in out["parcels"]} == {f"P{i}.png" for i in range(8)}
    for p in out["parcels"]:
        if p["stage"] == "auto_clear":
            assert y[int(p["id"][1:-4])] == 0  # only paper-only parcels may be cleared
    assert "simulated" in out["note"] and out["model"]["sha256"]


@pytest.mark.parametrize(
    "name,body,code,status",
    [
        ("loitering", {"video": {"data": "", "media_type": "video/mp4"}}, "empty_media", 422),
        ("loitering", {"video": "PNG"}, "unsupported_media_type", 415),
        ("loitering", {"video": "JUNK"}, "corrupt_media", 422),
        ("loitering", {"video": "EMPTY"}, "no_frames", 422),
        (
            "xray_triage",
            {"images": [{"data": base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 40).decode()}]},
            "corrupt_media",
            422,
        ),
        ("xray_triage", {"images": "MP4"}, "unsupported_media_type", 415),
    ],
)
def test_bad_media_gets_a_clear_code_and_the_service_keeps_serving(
    client: Client, clip: bytes, name: str, body: dict[str, object], code: str, status: int
) -> None:
    c, tokens = client
    png = png_bytes(dataset(1, seed=1)[0][0])
    special = {
        "PNG": _b64(png, "image/png"),
        "JUNK": _b64(b"\x00\x00\x00\x18ftypmp42" + b"\x13" * 4000, "video/mp4"),
        "EMPTY": _b64(_empty_mp4(), "video/mp4"),
        "MP4": [_b64(clip, "video/mp4")],
    }
    body = {k: special.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    r = c.post(f"/v1/skills/{name}", json=body, headers=bearer(tokens["operator"]))
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert c.get("/v1/skills", headers=bearer(tokens["operator"])).status_code == 200


def test_oversized_upload_is_refused_before_it_is_read(client: Client, tmp_path: Path) -> None:
    c, tokens = client
    big = b"\x00\x00\x00\x18ftypmp42" + np.random.default_rng(0).bytes(50 << 20)
    r = c.post(
        "/v1/skills/loitering",
        headers=bearer(tokens["operator"]),
        files=[("video", ("big.mp4", big, "video/mp4"))],
    )
    assert r.status_code == 413, r.text
    assert c.get("/v1/skills", headers=bearer(tokens["operator"])).status_code == 200


@pytest.mark.parametrize(
    "text,skill",
    [
        ("check the lobby camera for loitering", "loitering"),
        ("run x-ray triage on today's parcels", "xray_triage"),
    ],
)
def test_router_names_the_skill_and_asks_for_the_media(client: Client, text: str, skill: str) -> None:
    c, tokens = client
    r = c.post("/v1/query", json={"text": text}, headers=bearer(tokens["operator"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "clarify" and skill.replace("_", " ") in body["readback"]


def test_officer_feedback_is_saved_for_retraining(client: Client) -> None:
    from analytics.xray.train import _load_feedback

    c, tokens = client
    x, _ = dataset(3, seed=99)
    files = [("images", (f"F{i}.png", png_bytes(img), "image/png")) for i, img in enumerate(x)]
    payload = {"feedback": [{"index": 2, "label": "threat"}]}
    r = c.post(
        "/v1/skills/xray_triage",
        headers=bearer(tokens["operator"]),
        files=files,
        data={"payload": json.dumps(payload)},
    )
    assert r.status_code == 200, r.text
    assert r.json()["feedback_recorded"] == 1
    folder = c.app.state.services.core.skills["xray_triage"].feedback_dir  # type: ignore[attr-defined]
    assert folder is not None and folder.parts[-2:] == ("xray", "feedback")
    images, labels = _load_feedback(folder)
    assert labels.tolist() == [2] and images.shape == (1, 2, 96, 96)
    r = c.post(
        "/v1/skills/xray_triage",
        headers=bearer(tokens["operator"]),
        files=files[:1],
        data={"payload": json.dumps(payload)},
    )
    assert r.status_code == 422 and r.json()["code"] == "bad_input"

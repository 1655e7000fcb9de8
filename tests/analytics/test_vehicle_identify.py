"""vehicle_identify over real HTTP: a rendered plate read by the real RapidOCR models, checked
through the service's check chain (the fake registry of the service tests)."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from skimage import data as skdata

from analytics.vehicle.classifier import load_classifier
from analytics.vehicle.render import LABELS, render
from analytics.vehicle_identify import SKILL
from tests.service.conftest import bearer, build_app, issue_tokens, make_settings
from tests.service.fakes import FakeLookup, FakeResult

FONT = Path("/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf")


def plate_still(text: str, *, blur: float = 0.0, quality: int = 85) -> bytes:
    """A grey street scene with a car-sized block and a white plate carrying ``text``."""
    img = Image.new("RGB", (640, 400), (96, 100, 108))
    d = ImageDraw.Draw(img)
    d.rectangle((140, 140, 500, 330), fill=(150, 20, 30))
    d.rectangle((215, 260, 425, 305), fill=(245, 245, 240), outline=(10, 10, 10), width=3)
    font = ImageFont.truetype(str(FONT), 38) if FONT.exists() else ImageFont.load_default(38)
    d.text((228, 262), text, fill=(15, 15, 15), font=font)
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    app = build_app(make_settings(tmp_path_factory.mktemp("veh")), skills={SKILL.name: SKILL})
    with TestClient(app) as c:
        yield c, issue_tokens(app)


def test_plate_is_read_and_the_record_comes_back_through_the_chain(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    c, tokens = client
    r = c.post(
        "/v1/skills/vehicle_identify",
        headers=bearer(tokens["patrol"]),
        files={"image": ("car.jpg", plate_still("STOLEN1", blur=0.8, quality=70), "image/jpeg")},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["plate"] == "STOLEN1" and body["readings"][0]["confidence"] > 0.8
    assert body["label"] == "hit" and body["registry"]["alerts"][0]["kind"] == "stolen"
    assert body["registry"]["candidates"][0]["make"] == "Toyota" and body["record_ids"] == ["vehicle:7"]
    lookup = c.app.state.services.core.lookup  # type: ignore[attr-defined]
    assert lookup.checks[-1].slots["plate"] == "STOLEN1"


def test_image_without_a_plate(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    buf = io.BytesIO()
    Image.fromarray(skdata.coffee()).save(buf, format="JPEG")
    r = c.post(
        "/v1/skills/vehicle_identify",
        headers=bearer(tokens["patrol"]),
        files={"image": ("coffee.jpg", buf.getvalue(), "image/jpeg")},
    )
    assert (r.status_code, r.json()["code"]) == (422, "no_plate")


class ClonedPlateLookup(FakeLookup):
    """The fake registry, but plate CLONE1 is on file as a Ford Transit."""

    def check(self, query: Any) -> Any:
        if query.slots.get("plate") == "CLONE1":
            return FakeResult(
                "clear",
                candidates=[
                    {"score": 0.99, "plate": "CLONE1", "make": "Ford", "model": "Transit", "colour": "white"}
                ],
                readback="CLONE1: white Ford Transit.",
                record_ids=["vehicle:9"],
            )
        return super().check(query)


def car_with_plate(label: str, plate: str, seed: int) -> bytes:
    """A rendered vehicle of ``label`` (never in the training folder: another seed) with a plate."""
    img = render(label, random.Random(seed)).resize((640, 384), Image.Resampling.BICUBIC)
    d = ImageDraw.Draw(img)
    d.rectangle((250, 300, 400, 340), fill=(245, 245, 240), outline=(10, 10, 10), width=2)
    font = ImageFont.truetype(str(FONT), 30) if FONT.exists() else ImageFont.load_default(30)
    d.text((262, 302), plate, fill=(15, 15, 15), font=font)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=88)
    return buf.getvalue()


def test_classifier_top5_on_unseen_renders() -> None:
    """One new render per class (seed 99, not the training seed): top-5 far above chance (5/54)."""
    clf = load_classifier()
    rng = random.Random(99)
    tops = [[name for name, _ in clf.top(np.asarray(render(label, rng)), 5)] for label in LABELS]
    rate = sum(label in top for label, top in zip(LABELS, tops, strict=True)) / len(LABELS)
    assert rate >= 0.6, rate
    probs = [p for _, p in clf.top(np.asarray(render(LABELS[0], rng)), 5)]
    assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0 + 1e-6


def test_registry_make_model_not_in_top5_is_flagged(tmp_path: Path) -> None:
    app = build_app(make_settings(tmp_path), lookup=ClonedPlateLookup(), skills={SKILL.name: SKILL})
    with TestClient(app) as c:
        tokens = issue_tokens(app)
        r = c.post(
            "/v1/skills/vehicle_identify",
            headers=bearer(tokens["operator"]),
            files={"image": ("car.jpg", car_with_plate("Mazda MX-5", "CLONE1", 5), "image/jpeg")},
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["plate"] == "CLONE1" and len(body["make_model"]) == 5
    assert body["registry_vehicle"] == "Ford Transit"
    assert "Ford Transit" not in [f"{g['make']} {g['model']}" for g in body["make_model"]]
    assert body["mismatch"] is True and "cloned plate" in body["readback"]


def test_real_registry_record_comes_back_through_the_chain(tmp_path: Path) -> None:
    """The real check chain on a seeded SQLite registry: QQ70ZZZ is a green Ford Focus, stolen."""
    from lookup.engine import LookupEngine
    from tests.lookup.conftest import _prepare

    url = f"sqlite:///{tmp_path}/registry.sqlite3"
    _prepare(url)
    lookup = LookupEngine.from_url(url)
    settings = make_settings(tmp_path, registry={"url": url})
    app = build_app(settings, lookup=lookup, skills={SKILL.name: SKILL})
    with TestClient(app) as c:
        tokens = issue_tokens(app)
        still = car_with_plate("Ford Focus", "QQ70ZZZ", 11)
        r = c.post(
            "/v1/skills/vehicle_identify",
            headers=bearer(tokens["patrol"]),
            files={"image": ("car.jpg", still, "image/jpeg")},
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["plate"] == "QQ70ZZZ" and body["label"] == "hit"
    assert any(a.get("kind") == "stolen" for a in body["registry"]["alerts"])
    assert body["registry_vehicle"] == "Ford Focus"
    assert "vehicle:900001" in body["record_ids"]

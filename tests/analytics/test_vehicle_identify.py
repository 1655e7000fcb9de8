"""vehicle_identify over real HTTP: a rendered plate read by the real RapidOCR models, checked
through the service's check chain (the fake registry of the service tests)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from skimage import data as skdata

from analytics.vehicle_identify import SKILL
from tests.service.conftest import bearer, build_app, issue_tokens, make_settings

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

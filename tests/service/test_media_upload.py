"""Media uploads to skills (``POST /v1/skills/{name}`` with images or video): multipart and
base64 JSON, size and type limits with clear codes, in-memory decoding, audit without bytes.

The skill here is a test double that decodes what it gets (real JPEG/PNG decoding, real
video demuxing with PyAV) and reports sizes, so the generic path is tested apart from any
vision model.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from fractions import Fraction
from typing import ClassVar

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pydantic import BaseModel, ConfigDict

from analytics.media import ImageMedia, VideoMedia, decode_image, iter_video, media_fields, sniff
from tests.service.conftest import bearer, build_app, issue_tokens, make_settings


class ProbeInput(BaseModel):
    """An optional image, optional video and a note."""

    model_config = ConfigDict(extra="forbid")
    image: ImageMedia | None = None
    video: VideoMedia | None = None
    extra: list[ImageMedia] = []
    note: str = ""


class ProbeOutput(BaseModel):
    """What was decoded."""

    width: int = 0
    height: int = 0
    mean_red: float = 0.0
    frames: int = 0
    extra: int = 0
    note: str = ""


class MediaProbe:
    """Decodes its media and reports sizes."""

    name: ClassVar[str] = "media_probe"
    description: ClassVar[str] = "decode the uploaded media and report sizes"
    examples: ClassVar[tuple[str, ...]] = ("probe this image",)
    input_model: ClassVar[type[BaseModel]] = ProbeInput
    output_model: ClassVar[type[BaseModel]] = ProbeOutput
    roles: ClassVar[frozenset[str]] = frozenset({"operator", "supervisor", "admin"})
    timeout_s: ClassVar[float] = 30.0

    def run(self, payload: BaseModel) -> ProbeOutput:
        assert isinstance(payload, ProbeInput)
        out = ProbeOutput(note=payload.note, extra=len(payload.extra))
        if payload.image is not None:
            rgb = decode_image(payload.image)
            out.height, out.width = int(rgb.shape[0]), int(rgb.shape[1])
            out.mean_red = float(rgb[..., 0].mean())
        if payload.video is not None:
            out.frames = sum(1 for _ in iter_video(payload.video))
        return out

    def from_text(self, text: str) -> BaseModel | None:
        return None


def _png(width: int = 64, height: int = 48, red: int = 200) -> bytes:
    arr = np.zeros((height, width, 3), np.uint8)
    arr[..., 0] = red
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def _jpeg() -> bytes:
    from skimage import data as skdata

    buf = io.BytesIO()
    Image.fromarray(skdata.astronaut()).save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def _mp4(frames: int) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.time_base = Fraction(1, 10)
        if frames == 0:
            container.start_encoding()  # header and an empty video track, no frame
        for i in range(frames):
            arr = np.full((48, 64, 3), (i * 20) % 255, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(arr, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


Client = tuple[TestClient, dict[str, str]]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    app = build_app(make_settings(tmp_path_factory.mktemp("media"), auth={"max_upload_bytes": 4 << 20},
                                  media={"max_image_bytes": 2 << 20, "max_pixels": 1_000_000}),
                    skills={"media_probe": MediaProbe()})
    with TestClient(app) as c:
        yield c, issue_tokens(app)


URL = "/v1/skills/media_probe"


def test_media_fields_are_found() -> None:
    fields = {f.name: (str(f.kind), f.many) for f in media_fields(ProbeInput)}
    assert fields == {"image": ("image", False), "video": ("video", False), "extra": ("image", True)}
    assert sniff(_png()) == "image/png" and sniff(_jpeg()) == "image/jpeg" and sniff(_mp4(3)) == "video/mp4"


def test_multipart_image_with_payload_part(client: Client) -> None:
    c, tokens = client
    r = c.post(URL, headers=bearer(tokens["operator"]),
               files=[("image", ("a.jpg", _jpeg(), "image/jpeg")), ("extra", ("b.png", _png(), "image/png")),
                      ("extra", ("c.png", _png(), "image/png"))],
               data={"payload": json.dumps({"note": "case 7"})})
    assert r.status_code == 200, r.text
    assert r.json() == {"width": 512, "height": 512, "mean_red": pytest.approx(r.json()["mean_red"]),
                        "frames": 0, "extra": 2, "note": "case 7"}
    assert 50 < r.json()["mean_red"] < 200


def test_base64_json_image_and_audit_keeps_no_bytes(client: Client) -> None:
    c, tokens = client
    png = _png(red=100)
    r = c.post(URL, headers=bearer(tokens["supervisor"]),
               json={"image": {"data": base64.b64encode(png).decode(), "media_type": "image/png"}})
    assert r.status_code == 200, r.text
    assert (r.json()["width"], r.json()["height"], r.json()["mean_red"]) == (64, 48, 100.0)
    entry = c.get("/v1/audit", headers=bearer(tokens["supervisor"]), params={"limit": 5}).json()
    rows = entry["entries"] if "entries" in entry else entry
    row = next(r for r in rows if r["action"] == "skill")
    media = row["slots"]["media"]
    assert media[0]["media_type"] == "image/png" and media[0]["bytes"] == len(png)
    assert len(media[0]["sha256"]) == 64
    assert base64.b64encode(png).decode()[:40] not in json.dumps(row)


def test_video_upload_is_decoded_in_memory(client: Client) -> None:
    c, tokens = client
    r = c.post(URL, headers=bearer(tokens["operator"]), files={"video": ("v.mp4", _mp4(7), "video/mp4")})
    assert r.status_code == 200, r.text
    assert r.json()["frames"] == 7


@pytest.mark.parametrize("case,status,code", [
    ("zero_bytes", 422, "empty_media"),
    ("corrupt_jpeg", 422, "corrupt_media"),
    ("wav_as_image", 415, "unsupported_media_type"),
    ("text_as_image", 415, "unsupported_media_type"),
    ("too_many_pixels", 413, "image_too_large"),
    ("image_over_item_limit", 413, "media_too_large"),
    ("video_no_frames", 422, "no_frames"),
    ("video_in_image_field", 415, "unsupported_media_type"),
    ("bad_base64", 422, "invalid_input"),
    ("file_for_text_field", 422, "invalid_input"),
])
def test_bad_media_gets_a_clear_error_and_the_service_keeps_serving(client: Client, case: str, status: int,
                                                                    code: str) -> None:
    c, tokens = client
    jpeg = _jpeg()
    files = {
        "zero_bytes": {"image": ("a.jpg", b"", "image/jpeg")},
        "corrupt_jpeg": {"image": ("a.jpg", jpeg[:200] + bytes(range(256)) * 8, "image/jpeg")},
        "wav_as_image": {"image": ("a.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64), "audio/wav")},
        "text_as_image": {"image": ("a.txt", b"hello, this is not a picture", "text/plain")},
        "too_many_pixels": {"image": ("big.png", _png(1200, 1000), "image/png")},
        "image_over_item_limit": {"image": ("big.bmp", b"BM" + bytes(3 << 20), "image/bmp")},
        "video_no_frames": {"video": ("v.mp4", _mp4(0), "video/mp4")},
        "video_in_image_field": {"image": ("v.mp4", _mp4(2), "video/mp4")},
        "file_for_text_field": {"note": ("n.txt", b"x", "text/plain")},
    }
    if case == "bad_base64":
        r = c.post(URL, headers=bearer(tokens["operator"]), json={"image": {"data": "not base64!!"}})
    else:
        r = c.post(URL, headers=bearer(tokens["operator"]), files=files[case])
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert r.json()["type"] == "error" and r.json()["message"]
    ok = c.post(URL, headers=bearer(tokens["operator"]), files={"image": ("a.png", _png(), "image/png")})
    assert ok.status_code == 200


def test_body_over_the_upload_limit_is_refused_before_it_is_read(client: Client) -> None:
    c, tokens = client
    huge = {"image": ("huge.jpg", bytes(50 << 20), "image/jpeg")}
    r = c.post(URL, headers=bearer(tokens["operator"]), files=huge)
    assert (r.status_code, r.json()["code"]) == (413, "too_large")
    # base64 JSON on a media route gets the upload limit, not the 1 MB JSON one
    body = {"image": {"data": base64.b64encode(_png(700, 700)).decode()}}
    assert c.post(URL, headers=bearer(tokens["operator"]), json=body).status_code == 200


def test_other_body_types_are_refused(client: Client) -> None:
    c, tokens = client
    r = c.post(URL, headers={**bearer(tokens["operator"]), "content-type": "image/png"}, content=_png())
    assert (r.status_code, r.json()["code"]) == (415, "unsupported_media_type")
    json_type = {**bearer(tokens["operator"]), "content-type": "application/json"}
    r = c.post(URL, headers=json_type, content=b"{not")
    assert (r.status_code, r.json()["code"]) == (422, "invalid_body")
    r = c.post(URL, headers=bearer(tokens["patrol"]), files={"image": ("a.png", _png(), "image/png")})
    assert r.status_code == 403


def test_openapi_documents_both_bodies(client: Client) -> None:
    c, _ = client
    op = c.get("/openapi.json").json()["paths"][URL]["post"]
    content = op["requestBody"]["content"]
    assert content["multipart/form-data"]["schema"]["properties"]["image"]["format"] == "binary"
    assert "image" in content["application/json"]["schema"]["properties"]
    assert "$ref" not in json.dumps(content["application/json"]["schema"])
    assert {"413", "415"} <= set(op["responses"])

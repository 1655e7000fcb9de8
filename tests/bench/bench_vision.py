"""Vision skills benchmark (run by hand; not part of CI).

    python -m tests.bench.bench_vision [--plates 30]     # results in var/bench/vision.json

face_watch: false-match and false-non-match rates (with counts) at three false-alert rates,
from the committed calibration (``python -m analytics.face.calibrate`` re-measures it), and
seconds per image for HOG detection + 5-point alignment + ResNet embedding on the 512 x 512
astronaut photo, and per face crop.

vehicle_identify: exact-match rate of the plate read on rendered stills: random plates,
10 fonts (DejaVu and Liberation; sans, serif, mono, condensed, bold), rotation -8..8 deg,
Gaussian blur 0..1.6 px, JPEG quality 35..90. Nothing was tuned on these images (the
only tuning image is the one in the unit test, seed-free and fixed); seconds per image.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from skimage import data as skdata

from analytics.face.calibrate import rates_at, threshold_for
from analytics.face.embed import lfw_faces, load_encoder
from analytics.vehicle_identify import read_plates

FONT_DIR = Path("/usr/share/fonts/truetype")
FONTS = ["dejavu/DejaVuSans-Bold.ttf", "dejavu/DejaVuSans.ttf", "dejavu/DejaVuSerif-Bold.ttf",
         "dejavu/DejaVuSansMono-Bold.ttf", "dejavu/DejaVuSansCondensed-Bold.ttf", "dejavu/DejaVuSerif.ttf",
         "liberation/LiberationMono-Bold.ttf", "liberation/LiberationSans-Bold.ttf",
         "liberation/LiberationSerif-Bold.ttf", "liberation/LiberationSans-Regular.ttf"]
ALNUM = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def random_plate(rng: random.Random) -> str:
    """A plate of 6-7 symbols with at least one digit."""
    n = rng.choice((6, 7))
    while True:
        plate = "".join(rng.choice(ALNUM) for _ in range(n))
        if any(ch.isdigit() for ch in plate):
            return plate


def render(plate: str, rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    """A street-scene still with the plate on a car-coloured block, at a random pose and quality."""
    font_name = rng.choice(FONTS)
    angle, blur, quality = rng.uniform(-8, 8), rng.uniform(0, 1.6), rng.randint(35, 90)
    font = ImageFont.truetype(str(FONT_DIR / font_name), 40)
    tw = int(font.getlength(plate))
    plate_img = Image.new("RGB", (tw + 30, 58), (245, 245, 238))
    ImageDraw.Draw(plate_img).rectangle((0, 0, tw + 29, 57), outline=(10, 10, 10), width=3)
    ImageDraw.Draw(plate_img).text((15, 4), plate, fill=(15, 15, 15), font=font)
    plate_img = plate_img.rotate(angle, expand=True, fillcolor=(120, 20, 30))
    scene = Image.new("RGB", (800, 500), tuple(rng.randint(60, 140) for _ in range(3)))
    d = ImageDraw.Draw(scene)
    d.rectangle((150, 120, 650, 420), fill=(120, 20, 30))
    scene.paste(plate_img, (400 - plate_img.width // 2, 330 - plate_img.height // 2))
    if blur > 0.05:
        scene = scene.filter(ImageFilter.GaussianBlur(blur))
    buf = io.BytesIO()
    scene.save(buf, format="JPEG", quality=quality)
    return buf.getvalue(), {"font": font_name, "angle": round(angle, 1), "blur": round(blur, 2),
                            "quality": quality}


def bench_face() -> dict[str, Any]:
    """Rates at three false-alert rates; seconds per image and per crop."""
    enc = load_encoder()
    astro = skdata.astronaut()
    enc.faces(astro)
    t0 = time.perf_counter()
    for _ in range(3):
        faces = enc.faces(astro)
    per_image = (time.perf_counter() - t0) / 3
    crops = lfw_faces()[:20]
    t0 = time.perf_counter()
    for crop in crops:
        enc.embed_crop(crop)
    per_crop = (time.perf_counter() - t0) / len(crops)
    return {"rates": {str(far): rates_at(threshold_for(far)) for far in (0.001, 0.01, 0.05)},
            "astronaut_faces": len(faces), "s_per_image_512": round(per_image, 3),
            "s_per_crop_embed": round(per_crop, 3)}


def bench_plates(n: int, seed: int = 20261202) -> dict[str, Any]:
    """Exact-match rate of the plate read on ``n`` rendered stills."""
    from analytics.media import ImageMedia, decode_image

    rng = random.Random(seed)
    read_plates(np.zeros((64, 64, 3), np.uint8))  # load the models before timing
    hits, times, misses = 0, [], []
    for _ in range(n):
        plate = random_plate(rng)
        jpeg, meta = render(plate, rng)
        t0 = time.perf_counter()
        readings = read_plates(decode_image(ImageMedia(data=jpeg), max_side=1920))
        times.append(time.perf_counter() - t0)
        got = readings[0].plate if readings else ""
        if got == plate:
            hits += 1
        else:
            misses.append({"plate": plate, "read": got, **meta})
    return {"n": n, "exact": hits, "exact_rate": round(hits / n, 3), "s_per_image_median": round(
        float(np.median(times)), 3), "s_per_image_p95": round(float(np.quantile(times, 0.95)), 3),
        "misses": misses}


def main(argv: list[str] | None = None) -> None:
    """Run both and write ``var/bench/vision.json``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plates", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("var/bench/vision.json"))
    args = parser.parse_args(argv)
    result = {"face_watch": bench_face(), "vehicle_plate": bench_plates(args.plates)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


def test_bench_vision() -> None:
    """pytest entry point (``make bench``), small sizes."""
    main(["--plates", "10", "--out", "var/bench/vision-pytest.json"])


if __name__ == "__main__":
    main()

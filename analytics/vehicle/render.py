"""The project's own vehicle image recipe: side-view renderings, one invented design per model.

No make/model weights or labelled vehicle photos can be installed here, so the classifier
is trained on images this module draws. Each make/model of the registry vocabulary
(:data:`common.vehicles.MAKES_MODELS`, which the registry seeder reads too) gets a
body class by hand (sedan, hatchback, SUV, pickup, van, coupe) and design parameters drawn
from a generator seeded by its name (length, roof line, bonnet, wheels, windows, lights).
Each image then varies colour, scale, position, background, tilt, noise, blur and JPEG.

How far this is from camera stills: very. The designs are invented, not the real cars'
shapes; views are side-on only; there are no reflections, occlusion, night IR or camera
perspective. A model trained on them recognises this renderer's designs and nothing else.
It exists to run and test the real training and serving path until real labelled stills
are available.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from common.vehicles import MAKES_MODELS

BODY: dict[str, str] = {
    "Corolla": "sedan",
    "Camry": "sedan",
    "RAV4": "suv",
    "Prius": "hatch",
    "Tacoma": "pickup",
    "Highlander": "suv",
    "Civic": "sedan",
    "Accord": "sedan",
    "CR-V": "suv",
    "Pilot": "suv",
    "Fit": "hatch",
    "F-150": "pickup",
    "Focus": "hatch",
    "Fiesta": "hatch",
    "Explorer": "suv",
    "Transit": "van",
    "Mustang": "coupe",
    "Malibu": "sedan",
    "Silverado": "pickup",
    "Impala": "sedan",
    "Equinox": "suv",
    "Tahoe": "suv",
    "Altima": "sedan",
    "Rogue": "suv",
    "Sentra": "sedan",
    "Leaf": "hatch",
    "Golf": "hatch",
    "Jetta": "sedan",
    "Passat": "sedan",
    "Polo": "hatch",
    "3 Series": "sedan",
    "5 Series": "sedan",
    "X5": "suv",
    "Astra": "hatch",
    "Corsa": "hatch",
    "Insignia": "sedan",
    "Elantra": "sedan",
    "Tucson": "suv",
    "Sonata": "sedan",
    "Sorento": "suv",
    "Sportage": "suv",
    "Rio": "hatch",
    "Outback": "suv",
    "Forester": "suv",
    "Impreza": "hatch",
    "CX-5": "suv",
    "Mazda3": "hatch",
    "MX-5": "coupe",
    "Model 3": "sedan",
    "Model Y": "suv",
    "Cherokee": "suv",
    "Wrangler": "suv",
    "Charger": "coupe",
    "Ram": "pickup",
}
LABELS: tuple[str, ...] = tuple(
    f"{make} {model}" for make, models in MAKES_MODELS.items() for model in models
)
# Body class: (height / length, roof start, roof end, bonnet height) as fractions.
CLASS_SHAPE: dict[str, tuple[float, float, float, float]] = {
    "sedan": (0.30, 0.30, 0.68, 0.50),
    "hatch": (0.36, 0.28, 0.88, 0.52),
    "suv": (0.42, 0.24, 0.92, 0.58),
    "pickup": (0.40, 0.26, 0.55, 0.60),
    "van": (0.52, 0.12, 0.95, 0.70),
    "coupe": (0.26, 0.36, 0.66, 0.46),
}
COLOURS = [
    (235, 235, 235),
    (20, 20, 22),
    (170, 172, 176),
    (100, 102, 106),
    (30, 60, 150),
    (170, 25, 30),
    (30, 100, 50),
    (100, 20, 35),
    (200, 160, 40),
]


@dataclass(frozen=True, slots=True)
class Design:
    """One model's invented design parameters."""

    height: float
    roof_start: float
    roof_end: float
    bonnet: float
    wheel: float
    wheel_front: float
    wheel_rear: float
    window_split: float
    light: float


def design(label: str) -> Design:
    """The fixed design of ``label`` ("Make Model"), seeded by its name."""
    model = label.split(" ", 1)[1]
    h, rs, re_, bonnet = CLASS_SHAPE[BODY[model]]
    rng = random.Random(int(hashlib.sha256(label.encode()).hexdigest()[:12], 16))
    j = lambda scale: rng.uniform(-scale, scale)  # noqa: E731
    return Design(
        height=h + j(0.04),
        roof_start=rs + j(0.05),
        roof_end=re_ + j(0.05),
        bonnet=bonnet + j(0.06),
        wheel=0.09 + j(0.02),
        wheel_front=0.18 + j(0.03),
        wheel_rear=0.82 + j(0.03),
        window_split=rng.uniform(0.35, 0.65),
        light=rng.uniform(0.03, 0.09),
    )


def render(label: str, rng: random.Random, size: tuple[int, int] = (160, 96)) -> Image.Image:
    """One varied image of ``label``'s design."""
    d = design(label)
    w, h = size
    bg = tuple(rng.randint(40, 200) for _ in range(3))
    img = Image.new("RGB", size, bg)
    draw = ImageDraw.Draw(img)
    draw.rectangle(
        (0, int(h * rng.uniform(0.75, 0.9)), w, h), fill=tuple(rng.randint(50, 120) for _ in range(3))
    )
    length = w * rng.uniform(0.72, 0.92)
    x0 = rng.uniform(2, w - length - 2)
    ground = h * rng.uniform(0.84, 0.92)
    height = length * d.height
    top = ground - height
    body_top = ground - height * d.bonnet
    colour = rng.choice(COLOURS)
    X = lambda f: x0 + f * length  # noqa: E731
    body = [
        (X(0.0), ground - d.wheel * length * 0.6),
        (X(0.0), body_top + 3),
        (X(0.05), body_top),
        (X(d.roof_start - 0.08), body_top),
        (X(d.roof_start), top),
        (X(d.roof_end), top),
        (X(min(d.roof_end + 0.06, 1.0)), body_top),
        (X(1.0), body_top + 2),
        (X(1.0), ground - d.wheel * length * 0.6),
    ]
    draw.polygon(body, fill=colour, outline=(10, 10, 10))
    glass = (60, 80, 95)
    split = d.roof_start + (d.roof_end - d.roof_start) * d.window_split
    inset = height * 0.08
    draw.polygon(
        [
            (X(d.roof_start - 0.04), body_top - 1),
            (X(d.roof_start + 0.01), top + inset),
            (X(split - 0.01), top + inset),
            (X(split - 0.01), body_top - 1),
        ],
        fill=glass,
    )
    draw.polygon(
        [
            (X(split + 0.01), body_top - 1),
            (X(split + 0.01), top + inset),
            (X(d.roof_end - 0.01), top + inset),
            (X(min(d.roof_end + 0.03, 0.99)), body_top - 1),
        ],
        fill=glass,
    )
    r = d.wheel * length
    for f in (d.wheel_front, d.wheel_rear):
        cx = X(f)
        draw.ellipse((cx - r, ground - 2 * r + 2, cx + r, ground + 2), fill=(15, 15, 15))
        draw.ellipse(
            (cx - r * 0.5, ground - 1.5 * r + 2, cx + r * 0.5, ground - 0.5 * r + 2), fill=(150, 150, 150)
        )
    draw.rectangle((X(0.0), body_top + 2, X(d.light), body_top + 2 + height * 0.08), fill=(240, 230, 180))
    draw.rectangle(
        (X(1.0 - d.light * 0.7), body_top + 2, X(1.0), body_top + 2 + height * 0.07), fill=(200, 20, 20)
    )
    if rng.random() < 0.5:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    img = img.rotate(rng.uniform(-4, 4), fillcolor=bg)
    arr = np.asarray(img, np.float32) + np.random.default_rng(rng.randrange(1 << 30)).normal(0, 6, (h, w, 3))
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if rng.random() < 0.6:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 1.2)))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=rng.randint(40, 92))
    buf.seek(0)
    return Image.open(buf).convert("RGB")

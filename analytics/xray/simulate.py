"""A dual-energy X-ray simulator for postal parcels: the triage model's training and test data.

No X-ray baggage images or weights can be installed here, so the project makes its own.
Each parcel is a cardboard box holding objects at random positions, angles and overlaps;
every object adds thickness of one material to a per-material thickness map, and the
detector sees Beer-Lambert transmission at two energies,

    I_E = N0 * exp(-sum_m mu_E(m) * t_m),   E in {low, high},

with Poisson photon noise and detector blur. The two channels differ by material: a
high-Z material (steel) attenuates the low-energy beam far more than the high one, an
organic one (paper, cloth, powder) much less so, which is what dual-energy scanners use
to colour materials. Attenuation coefficients are rounded effective values (cm^-1) for a
roughly 80 / 140 kVp pair, not a calibrated scanner model.

Classes: ``paper`` (only documents and books, with staples and clips), ``general``
(clothes, electronics, cutlery, keys, coins, plastics, possibly paper), ``threat`` (any
parcel that also holds a blade, a handgun or a bag of powder). Cutlery, keys and
electronics are the confusers: metal that is not a threat.

How far this is from a real scanner: no scatter, beam hardening, detector lag or
perspective; simple shapes; one view. It is good for building and testing the pipeline and
policy, not for any operational decision: real scanner images are needed before that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

SIZE = 96  # output image side (px)
_R = 2  # objects are drawn at twice the size, then area-averaged
CLASSES = ("paper", "general", "threat")
MATERIALS = ("paper", "cloth", "plastic", "powder", "aluminium", "steel", "copper")
# effective linear attenuation (cm^-1) at the low and the high energy
MU = np.array(
    [
        [0.30, 0.20],  # paper / cardboard (cellulose, 0.8 g/cm3)
        [0.09, 0.065],  # folded cloth (low bulk density)
        [0.26, 0.19],  # plastics
        [0.45, 0.26],  # powder in a bag
        [1.60, 0.65],  # aluminium
        [9.00, 2.60],  # steel
        [11.0, 3.00],  # copper
    ],
    dtype=np.float32,
)
PX_CM = 0.5  # one output pixel is 0.5 cm: a 96 px image is a 48 cm field


@dataclass(frozen=True, slots=True)
class Parcel:
    """One simulated image (2 x SIZE x SIZE log-attenuation, float32), its class and what is inside."""

    image: np.ndarray
    label: int
    contents: tuple[str, ...]


class _Canvas:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.t = np.zeros((len(MATERIALS), SIZE * _R, SIZE * _R), np.float32)

    def _add(
        self, material: str, lo: np.ndarray, hi: np.ndarray, draw: Callable[[np.ndarray, np.ndarray], None]
    ) -> None:
        # Draw into a patch around the shape only, then add it: overlapping objects add thickness.
        n = SIZE * _R
        x0, y0 = (int(max(0, np.floor(v))) for v in lo)
        x1, y1 = (int(min(n, np.ceil(v) + 1)) for v in hi)
        if x1 <= x0 or y1 <= y0:
            return
        patch = np.zeros((y1 - y0, x1 - x0), np.float32)
        draw(patch, np.array([x0, y0], np.float64))
        self.t[MATERIALS.index(material), y0:y1, x0:x1] += patch

    def poly(self, material: str, pts: np.ndarray, thickness: float) -> None:
        p = pts * _R

        def draw(patch: np.ndarray, off: np.ndarray) -> None:
            cv2.fillPoly(patch, [np.round(p - off).astype(np.int32)], float(thickness))

        self._add(material, p.min(axis=0), p.max(axis=0), draw)

    def line(self, material: str, a: np.ndarray, b: np.ndarray, width: float, thickness: float) -> None:
        w = max(1, int(round(width * _R)))
        pa, pb = a * _R, b * _R

        def draw(patch: np.ndarray, off: np.ndarray) -> None:
            cv2.line(
                patch,
                tuple(int(v) for v in np.round(pa - off)),
                tuple(int(v) for v in np.round(pb - off)),
                float(thickness),
                w,
            )

        self._add(material, np.minimum(pa, pb) - w, np.maximum(pa, pb) + w, draw)

    def ellipse(
        self,
        material: str,
        c: np.ndarray,
        axes: tuple[float, float],
        angle: float,
        thickness: float,
        ring: int = -1,
    ) -> None:
        pc = c * _R
        ax = (max(1, int(axes[0] * _R)), max(1, int(axes[1] * _R)))
        reach = max(ax) + 2 * _R

        def draw(patch: np.ndarray, off: np.ndarray) -> None:
            cv2.ellipse(
                patch,
                tuple(int(v) for v in np.round(pc - off)),
                ax,
                angle,
                0,
                360,
                float(thickness),
                ring if ring < 0 else max(1, ring * _R),
            )

        self._add(material, pc - reach, pc + reach, draw)


def _place(rng: np.random.Generator, pts: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Rotate shape points (centred at 0) by a random angle and move them to a random spot in the box."""
    a = rng.uniform(0, 2 * np.pi)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    p = pts @ rot.T
    x0, y0, x1, y1 = box
    span = p.max(axis=0) - p.min(axis=0)
    cx = rng.uniform(x0 + span[0] / 2, max(x0 + span[0] / 2 + 1, x1 - span[0] / 2))
    cy = rng.uniform(y0 + span[1] / 2, max(y0 + span[1] / 2 + 1, y1 - span[1] / 2))
    return p - (p.max(axis=0) + p.min(axis=0)) / 2 + np.array([cx, cy])


def _rect(w: float, h: float) -> np.ndarray:
    return np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])


Box = tuple[float, float, float, float]


def document(cv: _Canvas, box: Box) -> None:
    """A stack of sheets (a letter to a ream), sometimes stapled or clipped."""
    r = cv.rng
    pts = _place(r, _rect(r.uniform(14, 30), r.uniform(20, 42)), box)
    cv.poly("paper", pts, r.uniform(0.05, 1.5))
    if r.random() < 0.4:
        c = pts[0] + (pts[2] - pts[0]) * 0.08
        cv.line("steel", c, c + r.normal(0, 1.2, 2), 0.4, 0.05)


def book(cv: _Canvas, box: Box) -> None:
    """A bound book: a thick paper block with a denser spine."""
    r = cv.rng
    w, h = r.uniform(12, 24), r.uniform(18, 32)
    pts = _place(r, _rect(w, h), box)
    cv.poly("paper", pts, r.uniform(1.0, 4.5))
    cv.line("paper", pts[0], pts[3], 1.2, r.uniform(0.5, 1.5))


def clothes(cv: _Canvas, box: Box) -> None:
    """A folded garment: an irregular blob of cloth with fold ridges, sometimes a zip or buttons."""
    r = cv.rng
    n = int(r.integers(7, 13))
    ang = np.sort(r.uniform(0, 2 * np.pi, n))
    rad = r.uniform(8, 20) * r.uniform(0.6, 1.0, n)
    pts = _place(r, np.stack([np.cos(ang) * rad, np.sin(ang) * rad], 1), box)
    cv.poly("cloth", pts, r.uniform(3, 12))
    for _ in range(int(r.integers(1, 4))):
        a, b = pts[int(r.integers(n))], pts[int(r.integers(n))]
        cv.line("cloth", a, b, r.uniform(1, 3), r.uniform(1, 4))
    if r.random() < 0.35:
        a, b = pts[0], pts[n // 2]
        cv.line("aluminium" if r.random() < 0.5 else "steel", a, a + (b - a) * 0.7, 0.6, 0.15)


def electronics(cv: _Canvas, box: Box) -> None:
    """A device: plastic case, circuit board with parts, a battery and a cable."""
    r = cv.rng
    w, h = r.uniform(8, 22), r.uniform(6, 16)
    pts = _place(r, _rect(w, h), box)
    cv.poly("plastic", pts, r.uniform(0.4, 1.5))
    centre = pts.mean(axis=0)
    cv.poly("copper", centre + (pts - centre) * 0.8, 0.02)
    for _ in range(int(r.integers(3, 9))):
        c = centre + (pts[int(r.integers(4))] - centre) * r.uniform(0, 0.7)
        cv.poly(
            "copper" if r.random() < 0.5 else "steel", c + _rect(r.uniform(0.8, 3), r.uniform(0.8, 3)), 0.2
        )
    if r.random() < 0.7:
        cv.ellipse(
            "steel",
            centre + r.normal(0, 1.5, 2),
            (r.uniform(2, 5), r.uniform(1, 2.5)),
            r.uniform(0, 180),
            0.35,
        )
    if r.random() < 0.6:
        a = pts[int(r.integers(4))]
        cv.line("copper", a, a + r.normal(0, 12, 2), 0.5, 0.15)


def cutlery(cv: _Canvas, box: Box) -> None:
    """A spoon or fork: a long steel handle with a bowl or tines (a blade-like confuser)."""
    r = cv.rng
    length = r.uniform(14, 22)
    pts = _place(r, np.array([[-length / 2, 0.0], [length / 2, 0.0]]), box)
    cv.line("steel", pts[0], pts[1], r.uniform(0.8, 1.4), 0.25)
    d = (pts[1] - pts[0]) / length
    head = pts[1] + d * 2.5
    if r.random() < 0.5:
        cv.ellipse("steel", head, (3.0, 1.8), float(np.degrees(np.arctan2(d[1], d[0]))), 0.12)
    else:
        normal = np.array([-d[1], d[0]])
        for k in (-1.5, -0.5, 0.5, 1.5):
            cv.line("steel", pts[1] + normal * k * 0.6, pts[1] + normal * k * 0.6 + d * 4, 0.4, 0.2)


def keys_coins(cv: _Canvas, box: Box) -> None:
    """A few keys on a ring, or loose coins."""
    r = cv.rng
    c = _place(r, np.zeros((1, 2)), box)[0]
    if r.random() < 0.5:
        cv.ellipse("steel", c, (2.0, 2.0), 0, 0.2, ring=1)
        for _ in range(int(r.integers(1, 4))):
            end = c + r.normal(0, 4, 2)
            cv.line("steel" if r.random() < 0.5 else "copper", c, end, 1.0, 0.2)
    else:
        for _ in range(int(r.integers(2, 7))):
            cv.ellipse("copper", c + r.normal(0, 2.5, 2), (1.2, 1.2), 0, 0.2)


def plastic_item(cv: _Canvas, box: Box) -> None:
    """A toy, bottle or tub: a plastic blob."""
    r = cv.rng
    cv.ellipse(
        "plastic",
        _place(r, np.zeros((1, 2)), box)[0],
        (r.uniform(3, 10), r.uniform(3, 8)),
        r.uniform(0, 180),
        r.uniform(0.5, 6),
    )


def blade(cv: _Canvas, box: Box) -> None:
    """A kitchen knife, folding knife or box cutter: a thin tapered steel blade with a handle."""
    r = cv.rng
    length, width = r.uniform(7, 18), r.uniform(1.5, 3.2)
    handle = r.uniform(5, 10)
    blade_pts = np.array([[0, -width / 2], [length * 0.85, -width / 2], [length, width / 2], [0, width / 2]])
    handle_pts = np.array(
        [[-handle, -width * 0.45], [0, -width * 0.45], [0, width * 0.45], [-handle, width * 0.45]]
    )
    shape = np.vstack([blade_pts, handle_pts])
    placed = _place(r, shape - shape.mean(axis=0), box)
    cv.poly("steel", placed[:4], r.uniform(0.1, 0.3))
    cv.poly(
        "plastic" if r.random() < 0.6 else "steel",
        placed[4:],
        r.uniform(1.0, 2.0) if r.random() < 0.6 else 0.3,
    )


def handgun(cv: _Canvas, box: Box) -> None:
    """A pistol: steel slide and barrel, a grip (polymer or steel) with a steel magazine, a trigger guard."""
    r = cv.rng
    s = r.uniform(0.75, 1.2)
    slide = _rect(18 * s, 3.4 * s) + np.array([0, -4 * s])
    grip = np.array([[-9 * s, -2.3 * s], [-3 * s, -2.3 * s], [-4.5 * s, 9 * s], [-10.5 * s, 8 * s]])
    mag = grip * 0.6 + np.array([-3.6 * s, 1.5 * s])
    shape = np.vstack([slide, grip, mag])
    placed = _place(r, shape - shape.mean(axis=0), box)
    cv.poly("steel", placed[:4], r.uniform(2.0, 2.8))
    cv.poly(
        "plastic" if r.random() < 0.6 else "steel",
        placed[4:8],
        r.uniform(2.5, 3.0) if r.random() < 0.6 else 0.8,
    )
    cv.poly("steel", placed[8:], 1.8)
    guard_c = (placed[1] + placed[5]) / 2 + (placed[2] - placed[1]) * 0.3
    cv.ellipse("steel", guard_c, (2.6 * s, 2.0 * s), 0, 0.4, ring=1)


def powder(cv: _Canvas, box: Box) -> None:
    """A sealed bag of powder: a soft-edged slab of uniform organic material."""
    r = cv.rng
    pts = _place(r, _rect(r.uniform(6, 16), r.uniform(6, 14)), box)
    cv.poly("powder", pts, r.uniform(1.0, 4.0))
    cv.poly("plastic", pts, 0.05)


PAPER: tuple[Callable[[_Canvas, Box], None], ...] = (document, book)
GENERAL: tuple[Callable[[_Canvas, Box], None], ...] = (
    clothes,
    electronics,
    cutlery,
    keys_coins,
    plastic_item,
)
THREATS: tuple[Callable[[_Canvas, Box], None], ...] = (blade, handgun, powder)


def parcel(rng: np.random.Generator, label: int) -> Parcel:
    """Simulate one parcel of class ``label`` (0 paper, 1 general, 2 threat)."""
    cv = _Canvas(rng)
    w, h = rng.uniform(0.55, 0.95, 2) * SIZE
    x0, y0 = rng.uniform(0, SIZE - w), rng.uniform(0, SIZE - h)
    wall = rng.uniform(0.3, 0.8)
    outer = np.array([[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h]])
    cv.poly("paper", outer, wall * 2)  # top and bottom flaps
    inner: Box = (x0 + 1.5, y0 + 1.5, x0 + w - 1.5, y0 + h - 1.5)
    makers: list[Callable[[_Canvas, Box], None]] = []
    if label == 0:
        makers += [PAPER[int(i)] for i in rng.integers(0, len(PAPER), int(rng.integers(1, 6)))]
    else:
        makers += [PAPER[int(i)] for i in rng.integers(0, len(PAPER), int(rng.integers(0, 3)))]
        makers += [GENERAL[int(i)] for i in rng.integers(0, len(GENERAL), int(rng.integers(1, 5)))]
        if label == 2:
            makers.append(THREATS[int(rng.integers(len(THREATS)))])
    order = rng.permutation(len(makers))
    for i in order:
        makers[int(i)](cv, inner)
    thick = cv.t.reshape(len(MATERIALS), SIZE, _R, SIZE, _R).mean(axis=(2, 4))
    atten = thick.reshape(len(MATERIALS), -1).T @ MU  # (pixels, 2)
    n0 = rng.uniform(1500, 6000)
    counts = rng.poisson(n0 * np.exp(-atten)).astype(np.float32)
    image = -np.log(np.maximum(counts, 0.5) / n0).reshape(SIZE, SIZE, 2)
    image = cv2.GaussianBlur(image, (0, 0), 0.6).transpose(2, 0, 1)
    names = tuple(m.__name__ for m in makers)
    return Parcel(image=np.ascontiguousarray(image, dtype=np.float32), label=label, contents=names)


def dataset(
    n: int, *, seed: int, mix: tuple[float, float, float] = (0.35, 0.45, 0.2)
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` parcels (N x 2 x SIZE x SIZE images, N labels) in class shares ``mix``, from ``seed``."""
    rng = np.random.default_rng(seed)
    labels = rng.choice(3, size=n, p=np.asarray(mix) / sum(mix))
    images = np.stack([parcel(rng, int(lab)).image for lab in labels])
    return images, labels.astype(np.int64)


def to_png(image: np.ndarray) -> np.ndarray:
    """A false-colour view for people: low energy as brightness, low/high ratio as hue (BGR uint8)."""
    low, high = image[0], image[1]
    value = np.clip(255 * np.exp(-low * 0.6), 0, 255)
    ratio = np.clip((low / np.maximum(high, 1e-3) - 1.3) / 2.5, 0, 1)  # ~1.4 organic, ~3.5 steel
    hsv = np.stack([20 + ratio * 100, np.where(low > 0.05, 200, 0), value], -1).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)

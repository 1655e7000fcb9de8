"""Synthetic street scenes with walking and lingering figures, and their ground truth.

The loitering skill is tested and benchmarked on video this module renders, because no
labelled surveillance video can be installed here. Figures are drawn limb by limb (head,
torso, swinging arms and legs, shoes) with anti-aliasing on a textured pavement, sorted
by depth so that nearer people hide farther ones, and the frame is blurred and given
sensor noise. OpenCV's HOG detector finds about nine in ten isolated figures.

How far this is from real police-box footage: no lighting changes, shadows, rain, camera
shake, bags, bicycles or groups walking together; figures are upright and 100-130 px tall;
clothing is flat colour. Real footage will detect and track worse; re-measure there.

Each person follows a script: ``pass`` (walks across, possibly through the zone),
``linger`` (walks into the zone, stays and shuffles, leaves), ``short`` (stops in the zone
but below the loitering threshold) or ``return`` (two stays separated by a walk out).
Ground truth is the true foot point and box of every person in every frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

W, H = 320, 240
HORIZON = 112  # feet are drawn below this line


@dataclass(frozen=True, slots=True)
class SceneSpec:
    """What to render: size, length, crowd, the zone and the loitering threshold it is built around."""

    seed: int
    people: int = 3
    duration_s: float = 40.0
    fps: float = 10.0
    threshold_s: float = 10.0
    zone: tuple[tuple[float, float], ...] = ((110.0, 150.0), (230.0, 150.0), (250.0, 225.0), (90.0, 225.0))


@dataclass(slots=True)
class PersonTruth:
    """One rendered person: its script and where it was in every frame (NaN when off screen)."""

    pid: int
    script: str
    feet: np.ndarray  # frames x 2
    boxes: np.ndarray  # frames x 4 (x, y, w, h)


@dataclass(slots=True)
class Scene:
    """Rendered frames (BGR uint8) and ground truth."""

    spec: SceneSpec
    frames: list[np.ndarray]
    people: list[PersonTruth] = field(default_factory=list)

    def write(self, path: Path, codec: str = "mp4v") -> Path:
        """Encode the frames to a video file (mp4v in .mp4, MJPG in .avi)."""
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*codec), self.spec.fps, (W, H))
        if not writer.isOpened():
            raise RuntimeError(f"OpenCV cannot write {codec} video")
        for frame in self.frames:
            writer.write(frame)
        writer.release()
        return path


def _height_at(y: float) -> float:
    return 100.0 + (y - HORIZON) * 0.25


def _waypoints(rng: np.random.Generator, script: str, spec: SceneSpec) -> list[tuple[float, float, float]]:
    """(x, y, seconds to stay) waypoints; the walk between them is at walking speed."""
    zone = np.asarray(spec.zone)
    lo, hi = zone.min(axis=0), zone.max(axis=0)

    def inside() -> tuple[float, float]:
        return (float(rng.uniform(lo[0] + 25, hi[0] - 25)), float(rng.uniform(lo[1] + 12, hi[1] - 10)))

    left = bool(rng.random() < 0.5)
    x0, x1 = (-40.0, W + 40.0) if left else (W + 40.0, -40.0)
    y0, y1 = float(rng.uniform(HORIZON + 10, H - 6)), float(rng.uniform(HORIZON + 10, H - 6))
    if script == "pass":
        return [(x0, y0, 0.0), (x1, y1, 0.0)]
    t = spec.threshold_s
    if script == "linger":
        return [(x0, y0, 0.0), (*inside(), float(rng.uniform(1.3 * t, 2.2 * t))), (x1, y1, 0.0)]
    if script == "short":
        return [(x0, y0, 0.0), (*inside(), float(rng.uniform(0.2 * t, 0.5 * t))), (x1, y1, 0.0)]
    # return: in, out to the side (still on screen), back in
    side = (float(rng.uniform(15, 45)) if left else float(rng.uniform(W - 45, W - 15)), float(HORIZON + 20))
    return [
        (x0, y0, 0.0),
        (*inside(), float(rng.uniform(0.3 * t, 0.6 * t))),
        (*side, 1.0),
        (*inside(), float(rng.uniform(0.3 * t, 0.6 * t))),
        (x1, y1, 0.0),
    ]


def _path(rng: np.random.Generator, script: str, spec: SceneSpec, start_s: float) -> np.ndarray:
    """Foot positions per frame (NaN outside the person's time on screen), with walk phase."""
    n = int(round(spec.duration_s * spec.fps))
    out = np.full((n, 3), np.nan)
    speed = float(rng.uniform(28, 45))  # px per second
    f = int(start_s * spec.fps)
    pts = _waypoints(rng, script, spec)
    x, y = pts[0][0], pts[0][1]
    phase = float(rng.uniform(0, 2 * np.pi))
    for tx, ty, stay in pts[1:]:
        dist = float(np.hypot(tx - x, ty - y))
        steps = max(1, int(dist / speed * spec.fps))
        for k in range(1, steps + 1):
            if 0 <= f < n:
                phase += 2 * np.pi * 1.8 / spec.fps
                out[f] = (x + (tx - x) * k / steps, y + (ty - y) * k / steps, phase)
            f += 1
        x, y = tx, ty
        for _ in range(int(stay * spec.fps)):
            if 0 <= f < n:
                # standing: small shuffles, legs together
                out[f] = (x + rng.normal(0, 0.6), y + rng.normal(0, 0.3), 0.0)
            f += 1
    return out


def _figure(
    img: np.ndarray, x: float, y: float, h: float, phase: float, colours: tuple[tuple[int, ...], ...]
) -> tuple[float, float, float, float]:
    """Draw one person with the feet at (x, y); return its tight box."""
    shirt, pants, skin, hair = colours
    u = h / 8.0
    s = float(np.sin(phase))
    aa = cv2.LINE_AA

    def p(a: float, b: float) -> tuple[int, int]:
        return int(round(a)), int(round(b))

    sh_y, hip_y = y - 6.5 * u, y - 4.0 * u
    for side, sg in ((-1, 1), (1, -1)):
        kx = x + side * 0.35 * u + sg * s * 0.6 * u
        fx = x + side * 0.35 * u + sg * s * 1.2 * u
        cv2.line(img, p(x + side * 0.4 * u, hip_y), p(kx, y - 2 * u), pants, max(1, int(0.6 * u)), aa)
        cv2.line(img, p(kx, y - 2 * u), p(fx, y - 0.2 * u), pants, max(1, int(0.5 * u)), aa)
        cv2.line(
            img, p(fx, y - 0.2 * u), p(fx + 0.4 * u, y - 0.1 * u), (30, 30, 30), max(1, int(0.35 * u)), aa
        )
    torso = np.array(
        [p(x - 1.0 * u, sh_y), p(x + 1.0 * u, sh_y), p(x + 0.75 * u, hip_y), p(x - 0.75 * u, hip_y)], np.int32
    )
    cv2.fillConvexPoly(img, torso, shirt, aa)
    cv2.line(img, p(x, y - 7.0 * u), p(x, sh_y), skin, max(1, int(0.35 * u)), aa)
    for side, sg in ((-1, 1), (1, -1)):
        ex, hx = x + side * 1.05 * u - sg * s * 0.5 * u, x + side * 1.1 * u - sg * s * 1.0 * u
        cv2.line(
            img, p(x + side * 0.95 * u, sh_y + 0.2 * u), p(ex, y - 5.0 * u), shirt, max(1, int(0.4 * u)), aa
        )
        cv2.line(img, p(ex, y - 5.0 * u), p(hx, y - 3.8 * u), skin, max(1, int(0.3 * u)), aa)
    cv2.circle(img, p(x, y - 7.4 * u), max(1, int(0.55 * u)), skin, -1, aa)
    cv2.ellipse(
        img, p(x, y - 7.6 * u), (max(1, int(0.57 * u)), max(1, int(0.4 * u))), 0, 180, 360, hair, -1, aa
    )
    return x - 1.3 * u, y - 8.0 * u, 2.6 * u, 8.0 * u


def _background(rng: np.random.Generator) -> np.ndarray:
    img = np.empty((H, W, 3), np.float32)
    wall = rng.uniform(120, 170, 3)
    img[:HORIZON] = wall
    ground = np.linspace(150, 195, H - HORIZON)[:, None, None] * rng.uniform(0.85, 1.0, 3)
    img[HORIZON:] = ground
    for x in range(0, W, 40):  # paving joints
        cv2.line(img, (x, HORIZON), (int(W / 2 + (x - W / 2) * 2.2), H), (120, 120, 120), 1)
    for _ in range(3):  # windows and doors on the wall
        x, w = int(rng.uniform(0, W - 40)), int(rng.uniform(20, 50))
        y, h = int(rng.uniform(10, 50)), int(rng.uniform(25, 60))
        cv2.rectangle(
            img,
            (x, y),
            (x + w, min(HORIZON - 2, y + h)),
            tuple(float(v) for v in rng.uniform(40, 110, 3)),
            -1,
        )
    return img


def render(spec: SceneSpec) -> Scene:
    """Render one scene: ``spec.people`` people with random scripts and staggered starts."""
    rng = np.random.default_rng(spec.seed)
    n = int(round(spec.duration_s * spec.fps))
    scripts = ["linger", "pass", "short", "return"]
    people: list[PersonTruth] = []
    paths, looks = [], []
    for pid in range(spec.people):
        script = scripts[pid % 4] if pid < 4 else str(rng.choice(scripts, p=[0.3, 0.4, 0.15, 0.15]))
        start = float(rng.uniform(0, max(1.0, spec.duration_s * 0.45)))
        paths.append(_path(rng, script, spec, start))
        looks.append(
            (
                tuple(int(v) for v in rng.integers(20, 235, 3)),
                tuple(int(v) for v in rng.integers(10, 120, 3)),
                tuple(int(v) for v in rng.choice([(150, 170, 200), (90, 120, 160), (60, 80, 110)])),
                tuple(int(v) for v in rng.integers(10, 60, 3)),
            )
        )
        people.append(PersonTruth(pid, script, np.full((n, 2), np.nan), np.full((n, 4), np.nan)))
    background = _background(rng)
    frames: list[np.ndarray] = []
    for f in range(n):
        img = background.copy()
        order = sorted((paths[i][f, 1], i) for i in range(spec.people) if not np.isnan(paths[i][f, 0]))
        for _, i in order:
            x, y, phase = paths[i][f]
            box = _figure(img, x, y, _height_at(y), phase, looks[i])
            people[i].feet[f] = (x, y)
            people[i].boxes[f] = box
        img = cv2.GaussianBlur(img, (0, 0), 0.8) + rng.normal(0, 4.0, img.shape).astype(np.float32)
        frames.append(np.clip(img, 0, 255).astype(np.uint8))
    return Scene(spec=spec, frames=frames, people=people)

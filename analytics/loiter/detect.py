"""People detection on video frames with OpenCV's HOG + linear SVM pedestrian detector.

The detector is the Dalal-Triggs default people detector that ships inside OpenCV
(``cv2.HOGDescriptor_getDefaultPeopleDetector``, trained on INRIA pedestrians); its
coefficients are checked against the sha256 recorded in ``models.catalog`` before first
use. It finds upright people about 96 px tall or more in a 64 x 128 window, so frames are
resized to a fixed working width first (detection cost grows with the pixel count).

A HOG box is taller than the person: the window has a margin of about 1/8 above the head
and below the feet, so the foot point used for zones is lifted by that margin.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from analytics.errors import SkillError

logger = logging.getLogger(__name__)

FOOT_MARGIN = 0.125  # fraction of the HOG box height below the feet
_lock = threading.Lock()
_hog: cv2.HOGDescriptor | None = None


@dataclass(frozen=True, slots=True)
class DetectOptions:
    """How people are detected.

    Attributes:
        work_width: frames wider than this are scaled down to it before detection (px).
        win_stride: HOG window step in px; 8 is the usual speed/recall balance.
        scale: pyramid step between detection scales.
        min_score: SVM margin below which a window is not a person.
        nms_iou: overlapping boxes above this IoU are merged (non-maximum suppression).
    """

    work_width: int = 320
    win_stride: int = 8
    scale: float = 1.05
    min_score: float = 0.3
    nms_iou: float = 0.45


@dataclass(frozen=True, slots=True)
class Detection:
    """One person box in original-frame pixels: x, y (top left), width, height, SVM score."""

    x: float
    y: float
    w: float
    h: float
    score: float
    colour: tuple[float, ...] | None = None  # appearance: mean Lab colour of upper and lower body

    @property
    def foot(self) -> tuple[float, float]:
        """The ground point under the person (bottom centre, minus the HOG margin)."""
        return self.x + self.w / 2.0, self.y + self.h * (1.0 - FOOT_MARGIN)


def people_detector() -> cv2.HOGDescriptor:
    """The shared HOG people detector, verified against the catalog once."""
    global _hog
    with _lock:
        if _hog is None:
            from models.catalog import verify_hog_people

            coefficients = np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), dtype=np.float32)
            verify_hog_people(coefficients.tobytes())
            hog = cv2.HOGDescriptor()
            hog.setSVMDetector(coefficients)
            _hog = hog
        return _hog


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    """Indices of boxes kept by greedy non-maximum suppression (boxes as x, y, w, h)."""
    order = list(np.argsort(-scores))
    keep: list[int] = []
    while order:
        i = order.pop(0)
        keep.append(int(i))
        order = [j for j in order if box_iou(boxes[i], boxes[j]) < iou]
    return keep


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two x, y, w, h boxes."""
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return float(inter / union) if union > 0 else 0.0


def detect_people(frame: np.ndarray, options: DetectOptions = DetectOptions()) -> list[Detection]:
    """People in one BGR (or grey) frame, boxes in the frame's own pixel coordinates."""
    if frame.ndim not in (2, 3) or frame.shape[0] < 16 or frame.shape[1] < 16:
        raise SkillError("a frame must be an image of at least 16 x 16 pixels", code="bad_media")
    factor = 1.0
    if frame.shape[1] > options.work_width:
        factor = options.work_width / frame.shape[1]
        frame = cv2.resize(frame, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    if frame.dtype != np.uint8:
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    stride = (options.win_stride, options.win_stride)
    rects, weights = people_detector().detectMultiScale(
        frame, winStride=stride, padding=(8, 8), scale=options.scale
    )
    if len(rects) == 0:
        return []
    boxes = np.asarray(rects, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(weights, dtype=np.float64).reshape(-1)
    good = scores >= options.min_score
    boxes, scores = boxes[good], scores[good]
    keep = nms(boxes, scores, options.nms_iou)
    lab = cv2.cvtColor(
        frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), cv2.COLOR_BGR2LAB
    )
    out: list[Detection] = []
    for i in keep:
        x, y, w, h = (float(v) for v in boxes[i] / factor)
        out.append(Detection(x, y, w, h, score=float(scores[i]), colour=appearance(lab, boxes[i])))
    return out


def appearance(lab: np.ndarray, box: np.ndarray) -> tuple[float, ...]:
    """Mean Lab colour of the inner upper body and of the legs: cheap identity evidence at crossings."""
    x, y, w, h = (float(v) for v in box)
    # Inside the HOG margin: torso from 30 % to 55 % of the box height, legs from 60 % to 82 %.
    x0, x1 = int(max(0, x + 0.35 * w)), int(min(lab.shape[1], x + 0.65 * w))
    out: list[float] = []
    for top, bottom in ((0.30, 0.55), (0.60, 0.82)):
        y0, y1 = int(max(0, y + top * h)), int(min(lab.shape[0], y + bottom * h))
        patch = lab[y0:y1, x0:x1].reshape(-1, 3)
        out.extend(patch.mean(axis=0).tolist() if len(patch) else [0.0, 128.0, 128.0])
    return tuple(out)


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What the container says about a video."""

    fps: float
    frames: int
    width: int
    height: int

    @property
    def duration_s(self) -> float:
        """Length in seconds as declared by the container."""
        return self.frames / self.fps if self.fps > 0 else 0.0


def probe_video(path: Path) -> VideoInfo:
    """Open a video file and read its frame rate, frame count and size; bad files raise ``bad_media``."""
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise SkillError("the file is not a video OpenCV can decode", code="bad_media")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        info = VideoInfo(
            fps=fps,
            frames=int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0),
            width=int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0),
            height=int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0),
        )
    finally:
        cap.release()
    if not 0.5 <= info.fps <= 240:
        raise SkillError("the video declares no usable frame rate", code="bad_media")
    if info.frames <= 0 or info.width <= 0:
        raise SkillError("the video has no frames", code="no_frames")
    return info


def read_frames(path: Path, *, every: int = 1) -> Iterator[tuple[int, float, np.ndarray]]:
    """Yield ``(frame_index, t_seconds, BGR frame)`` for every ``every``-th decoded frame of a file."""
    cap = cv2.VideoCapture(str(path))
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0) or 25.0
    try:
        index = 0
        while True:
            ok = cap.grab()
            if not ok:
                break
            if index % every == 0:
                ok, frame = cap.retrieve()
                if not ok:
                    break
                yield index, index / fps, frame
            index += 1
    finally:
        cap.release()

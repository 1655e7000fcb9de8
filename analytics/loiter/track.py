"""Multi-person tracking by box association (IoU and centroid distance), in numpy.

Each frame's detections are assigned to the live tracks by the Hungarian method on a cost
that mixes 1 - IoU with the centroid distance in units of the track's height, against a
constant-velocity prediction. A track is confirmed after ``min_hits`` matched frames and
is kept through ``max_gap_s`` of missed detections (a person briefly hidden or missed by
the detector); a detection that matches no track starts a new one. In crowds, crossings
swap or break identities; the loitering output reports that confidence falls there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from analytics.loiter.detect import FOOT_MARGIN, Detection, box_iou


@dataclass(frozen=True, slots=True)
class TrackOptions:
    """Association rules.

    Attributes:
        max_cost: a detection is matched to a track only below this cost (0 perfect, 1 none).
        centroid_weight: share of the geometric cost given to centroid distance rather than IoU.
        colour_weight: share of the whole cost given to clothing colour, when frames are seen
            (boxes handed in as JSON carry none); it keeps identities apart where people cross.
        max_gap_s: seconds a track survives without a detection.
        min_hits: matched frames before a track counts (suppresses one-frame false alarms).
        smoothing: weight of the new detection in the box update (the rest is the prediction).
    """

    max_cost: float = 0.8
    centroid_weight: float = 0.5
    colour_weight: float = 0.3
    max_gap_s: float = 3.0
    min_hits: int = 3
    smoothing: float = 0.7


@dataclass(slots=True)
class Observation:
    """Where a track was at one analysed frame; ``detected`` is false for a predicted position."""

    frame: int
    t: float
    box: tuple[float, float, float, float]
    detected: bool
    score: float

    @property
    def foot(self) -> tuple[float, float]:
        """Ground point of the box (bottom centre minus the HOG margin)."""
        x, y, w, h = self.box
        return x + w / 2.0, y + h * (1.0 - FOOT_MARGIN)


@dataclass(slots=True)
class Track:
    """One person's path through the video."""

    id: int
    box: np.ndarray
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(2))
    hits: int = 1
    last_seen_t: float = 0.0
    history: list[Observation] = field(default_factory=list)
    colour: np.ndarray | None = None

    def predicted(self, dt: float) -> np.ndarray:
        """The box moved on by the velocity estimate (at most 1 s ahead: people stop and turn)."""
        box = self.box.copy()
        box[:2] += self.velocity * min(dt, 1.0)
        return box


COLOUR_SCALE = 40.0  # Lab distance at which two clothing colours count as unrelated
REACQUIRE_S = 0.25  # a track unseen this long must match in colour to be picked up again


def _cost(track: Track, track_box: np.ndarray, det: Detection, opts: TrackOptions, gap: float) -> float:
    box = np.array([det.x, det.y, det.w, det.h])
    iou = box_iou(track_box, box)
    ca = track_box[:2] + track_box[2:] / 2.0
    cb = box[:2] + box[2:] / 2.0
    dist = float(np.linalg.norm(ca - cb)) / max(track_box[3], 1.0)
    w = opts.centroid_weight
    geometric = (1.0 - w) * (1.0 - iou) + w * min(dist, 1.0)
    if track.colour is None or det.colour is None:
        return geometric
    colour = float(np.linalg.norm(track.colour - np.asarray(det.colour))) / COLOUR_SCALE
    # A detection far away never matches, however alike the clothes; nor, once the track has
    # been lost for a moment, do clearly different clothes (one person leaves as another walks
    # in). While tracking is continuous a colour change is allowed: overlaps mix the colours.
    if dist > 1.0 or (colour >= 1.0 and gap > REACQUIRE_S):
        return 1.0
    colour = min(colour, 1.0)
    return (1.0 - opts.colour_weight) * geometric + opts.colour_weight * colour


class Tracker:
    """Keeps the live tracks of one video. Not shared between videos."""

    def __init__(self, options: TrackOptions = TrackOptions()) -> None:
        self.options = options
        self.live: list[Track] = []
        self.finished: list[Track] = []
        self._next_id = 1
        self._last_t: float | None = None

    def update(self, frame: int, t: float, detections: list[Detection]) -> None:
        """Associate one frame's detections with the live tracks."""
        opts = self.options
        dt = 0.0 if self._last_t is None else t - self._last_t
        self._last_t = t
        dets = np.array([[d.x, d.y, d.w, d.h] for d in detections], dtype=np.float64).reshape(-1, 4)
        preds = [tr.predicted(t - tr.last_seen_t) for tr in self.live]
        matched_t: set[int] = set()
        matched_d: set[int] = set()
        if self.live and len(dets):
            cost = np.array(
                [
                    [_cost(tr, p, d, opts, t - tr.last_seen_t) for d in detections]
                    for tr, p in zip(self.live, preds, strict=True)
                ]
            )
            rows, cols = linear_sum_assignment(cost)
            for r, c in zip(rows, cols, strict=True):
                if cost[r, c] <= opts.max_cost:
                    matched_t.add(int(r))
                    matched_d.add(int(c))
                    self._absorb(self.live[r], preds[r], dets[c], detections[c], frame, t)
        for i, tr in enumerate(self.live):
            if i not in matched_t:
                box = preds[i] if dt > 0 else tr.box
                tr.history.append(Observation(frame, t, _as_tuple(box), False, 0.0))
        for j in range(len(dets)):
            if j not in matched_d:
                colour = detections[j].colour
                track = Track(
                    id=self._next_id,
                    box=dets[j].copy(),
                    last_seen_t=t,
                    colour=None if colour is None else np.asarray(colour, dtype=np.float64),
                )
                track.history.append(Observation(frame, t, _as_tuple(dets[j]), True, detections[j].score))
                self._next_id += 1
                self.live.append(track)
        keep: list[Track] = []
        for tr in self.live:
            if t - tr.last_seen_t > opts.max_gap_s:
                self._finish(tr)
            else:
                keep.append(tr)
        self.live = keep

    def _absorb(
        self, tr: Track, pred: np.ndarray, det: np.ndarray, found: Detection, frame: int, t: float
    ) -> None:
        score = found.score
        if found.colour is not None:
            seen = np.asarray(found.colour, dtype=np.float64)
            tr.colour = seen if tr.colour is None else 0.8 * tr.colour + 0.2 * seen
        a = self.options.smoothing
        new_box = a * det + (1.0 - a) * pred
        elapsed = t - tr.last_seen_t
        if elapsed > 0:
            centre_new = new_box[:2] + new_box[2:] / 2.0
            centre_old = tr.box[:2] + tr.box[2:] / 2.0
            tr.velocity = 0.5 * tr.velocity + 0.5 * (centre_new - centre_old) / elapsed
        tr.box = new_box
        tr.hits += 1
        tr.last_seen_t = t
        tr.history.append(Observation(frame, t, _as_tuple(new_box), True, score))

    def _finish(self, tr: Track) -> None:
        # Predicted positions after the last detection are not evidence that the person stayed.
        while tr.history and not tr.history[-1].detected:
            tr.history.pop()
        if tr.hits >= self.options.min_hits:
            self.finished.append(tr)

    def close(self) -> list[Track]:
        """End the video: finish every live track and return all confirmed tracks by id."""
        for tr in self.live:
            self._finish(tr)
        self.live = []
        return sorted(self.finished, key=lambda tr: tr.id)


def _as_tuple(box: np.ndarray) -> tuple[float, float, float, float]:
    return float(box[0]), float(box[1]), float(box[2]), float(box[3])

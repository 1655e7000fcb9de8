"""Scoring an analysis against a rendered scene's ground truth: dwell error, event precision/recall.

Each confirmed track is assigned to the rendered person whose true box it overlaps (IoU
above 0.3) in most of its detected frames. A person's predicted dwell in the zone is the
sum over the tracks assigned to them, so a track broken in two still counts its time, but
a track that jumped to another person gives its time to the one it mostly followed.
Ground-truth visits and events are computed by the same rules (``dwell.py``) from the true
foot points, sampled at the same analysis frame rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.loiter.detect import FOOT_MARGIN, box_iou
from analytics.loiter.dwell import DwellOptions, Event, Zone, events_of, visits_of
from analytics.loiter.pipeline import Analysis
from analytics.loiter.render import Scene
from analytics.loiter.track import Observation, Track


@dataclass(frozen=True, slots=True)
class Score:
    """How one analysis compares with the truth."""

    persons: int
    dwell_abs_errors: tuple[float, ...]
    true_events: int
    predicted_events: int
    matched_events: int
    mean_people: float

    @property
    def dwell_mae_s(self) -> float:
        """Mean absolute dwell error over people who were in the zone (or were said to be)."""
        return float(np.mean(self.dwell_abs_errors)) if self.dwell_abs_errors else 0.0

    @property
    def precision(self) -> float:
        """Share of reported loiter events that match a true one (1.0 when none were reported)."""
        return self.matched_events / self.predicted_events if self.predicted_events else 1.0

    @property
    def recall(self) -> float:
        """Share of true loiter events that were reported (1.0 when there were none)."""
        return self.matched_events / self.true_events if self.true_events else 1.0


def truth_tracks(scene: Scene, every: int) -> list[Track]:
    """The rendered people as perfect tracks, sampled every ``every`` frames."""
    fps = scene.spec.fps
    tracks: list[Track] = []
    for person in scene.people:
        tr = Track(id=person.pid, box=np.zeros(4), hits=0)
        for f in range(0, len(scene.frames), every):
            x, y, w, h = person.boxes[f]
            if np.isnan(x):
                continue
            # Express the truth as a HOG-style box so that the same foot rule applies.
            fx, fy = person.feet[f]
            bh = h / (1.0 - 2 * FOOT_MARGIN)
            tr.history.append(
                Observation(f, f / fps, (fx - bh / 4, fy - bh * (1 - FOOT_MARGIN), bh / 2, bh), True, 1.0)
            )
            tr.hits += 1
        tracks.append(tr)
    return tracks


def assign(analysis: Analysis, scene: Scene) -> dict[int, int | None]:
    """Track id -> rendered person id (or None if it followed nobody)."""
    out: dict[int, int | None] = {}
    for tr in analysis.tracks:
        votes: dict[int, int] = {}
        for ob in tr.history:
            if not ob.detected:
                continue
            best, best_iou = None, 0.3
            for person in scene.people:
                gt = person.boxes[ob.frame]
                if np.isnan(gt[0]):
                    continue
                iou = box_iou(np.asarray(ob.box), gt)
                if iou > best_iou:
                    best, best_iou = person.pid, iou
            if best is not None:
                votes[best] = votes.get(best, 0) + 1
        out[tr.id] = max(votes, key=lambda k: votes[k]) if votes else None
    return out


def score(analysis: Analysis, scene: Scene, zone: Zone, options: DwellOptions) -> Score:
    """Dwell MAE and loiter-event precision/recall of one analysis of one scene."""
    every = max(1, int(round(analysis.frame_dt * scene.spec.fps)))
    crowd: dict[int, int] = {}
    truth_visits = {}
    for tr in truth_tracks(scene, every):
        truth_visits[tr.id] = visits_of(
            tr, zone, frame_dt=analysis.frame_dt, merge_gap_s=options.merge_gap_s, crowd=crowd
        )
    owner = assign(analysis, scene)
    pred_dwell: dict[int, float] = {}
    for v in analysis.visits:
        pid = owner.get(v.track)
        if v.zone == zone.name and pid is not None:
            pred_dwell[pid] = pred_dwell.get(pid, 0.0) + v.dwell_s
    errors = []
    for pid, visits in truth_visits.items():
        true = sum(v.dwell_s for v in visits)
        if true > 0 or pid in pred_dwell:
            errors.append(abs(pred_dwell.get(pid, 0.0) - true))
    # Time a track gave to no person (false alarms, or tracks on clutter) is error too.
    for v in analysis.visits:
        if v.zone == zone.name and owner.get(v.track) is None:
            errors.append(v.dwell_s)
    true_events = [
        e for pid, visits in truth_visits.items() for e in events_of(visits, options) if e.kind == "loiter"
    ]
    pred_events = [e for e in analysis.events if e.kind == "loiter" and e.zone == zone.name]
    matched = _match(true_events, pred_events, owner)
    people = float(np.mean([d[1] for d in analysis.density])) if analysis.density else 0.0
    return Score(
        persons=len(scene.people),
        dwell_abs_errors=tuple(errors),
        true_events=len(true_events),
        predicted_events=len(pred_events),
        matched_events=matched,
        mean_people=people,
    )


def _match(true: list[Event], pred: list[Event], owner: dict[int, int | None]) -> int:
    used: set[int] = set()
    matched = 0
    for p in pred:
        for i, t in enumerate(true):
            if i in used or owner.get(p.track) != t.track:
                continue
            if p.start_s < t.end_s and t.start_s < p.end_s:
                used.add(i)
                matched += 1
                break
    return matched

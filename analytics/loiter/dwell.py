"""Dwell time per person and zone, visits, loitering and returning events, crowd density.

A person is inside a zone when the ground point under their box (see ``detect.FOOT_MARGIN``)
lies inside the zone's polygon. A *visit* is a run of analysed frames inside the zone;
runs separated by less than ``merge_gap_s`` are one visit (a step over the edge or a
missed detection). Events:

- ``loiter``: one visit lasts ``dwell_threshold_s`` or longer. The event's ``at_s`` is
  when it would fire live: the visit's start plus the threshold.
- ``return``: the same track makes ``return_visits`` or more separate visits.

Identities come from the tracker, so a person who leaves the picture and comes back is a
new track; returns are counted within a track only. Confidence falls with crowd density:
crossings swap and break tracks (measured in ``docs/benchmarks.md``), and every event says
how crowded the frame was.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from analytics.loiter.track import Observation, Track

# Per extra person in the frame, the crowd factor of an event's confidence drops by this
# share (1 / (1 + k * (people - 1)). A heuristic, set from the two bench densities.
CROWD_PENALTY = 0.08


@dataclass(frozen=True, slots=True)
class Zone:
    """A named polygon in frame pixels."""

    name: str
    polygon: tuple[tuple[float, float], ...]

    def contains(self, point: tuple[float, float]) -> bool:
        """Whether a ground point lies inside (or on the edge of) the polygon."""
        contour = np.asarray(self.polygon, dtype=np.float32).reshape(-1, 1, 2)
        return cv2.pointPolygonTest(contour, (float(point[0]), float(point[1])), False) >= 0


@dataclass(frozen=True, slots=True)
class DwellOptions:
    """Event rules.

    Attributes:
        dwell_threshold_s: a visit this long is loitering.
        merge_gap_s: visits closer than this are one visit.
        return_visits: this many separate visits by one track is a ``return`` event.
    """

    dwell_threshold_s: float = 20.0
    merge_gap_s: float = 2.0
    return_visits: int = 2


@dataclass(frozen=True, slots=True)
class Visit:
    """One stay of one track in one zone."""

    track: int
    zone: str
    start_s: float
    end_s: float
    coverage: float  # share of the visit's frames with a real detection (not a prediction)
    people: float  # mean people in the frame during the visit

    @property
    def dwell_s(self) -> float:
        """Seconds inside the zone."""
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class Event:
    """A loitering or returning event."""

    kind: str
    track: int
    zone: str
    at_s: float
    start_s: float
    end_s: float
    dwell_s: float
    visits: int
    people: float
    confidence: float


def crowd_factor(people: float) -> float:
    """How much of an event's confidence survives a crowd of ``people`` in the frame."""
    return 1.0 / (1.0 + CROWD_PENALTY * max(0.0, people - 1.0))


def people_per_frame(tracks: list[Track]) -> dict[int, int]:
    """Tracked people with a real detection, per analysed frame index."""
    counts: dict[int, int] = {}
    for tr in tracks:
        for ob in tr.history:
            if ob.detected:
                counts[ob.frame] = counts.get(ob.frame, 0) + 1
    return counts


def visits_of(
    track: Track, zone: Zone, *, frame_dt: float, merge_gap_s: float, crowd: dict[int, int]
) -> list[Visit]:
    """The visits of one track to one zone."""
    runs: list[list[Observation]] = []
    for ob in track.history:
        if not zone.contains(ob.foot):
            continue
        if runs and ob.t - runs[-1][-1].t <= merge_gap_s + 1e-9:
            runs[-1].append(ob)
        else:
            runs.append([ob])
    visits: list[Visit] = []
    for run in runs:
        detected = [ob for ob in run if ob.detected]
        if not detected:
            continue
        people = float(np.mean([crowd.get(ob.frame, 1) for ob in run]))
        visits.append(
            Visit(
                track=track.id,
                zone=zone.name,
                start_s=run[0].t,
                end_s=run[-1].t + frame_dt,
                coverage=len(detected) / len(run),
                people=people,
            )
        )
    return visits


def events_of(visits: list[Visit], options: DwellOptions) -> list[Event]:
    """Loiter and return events from the visits of one track to one zone (time order)."""
    events: list[Event] = []
    for v in visits:
        if v.dwell_s >= options.dwell_threshold_s:
            events.append(
                Event(
                    kind="loiter",
                    track=v.track,
                    zone=v.zone,
                    at_s=v.start_s + options.dwell_threshold_s,
                    start_s=v.start_s,
                    end_s=v.end_s,
                    dwell_s=v.dwell_s,
                    visits=1,
                    people=v.people,
                    confidence=_confidence(v.coverage, v.people),
                )
            )
    if len(visits) >= options.return_visits:
        nth = visits[options.return_visits - 1]
        people = float(np.mean([v.people for v in visits]))
        coverage = float(np.mean([v.coverage for v in visits]))
        events.append(
            Event(
                kind="return",
                track=nth.track,
                zone=nth.zone,
                at_s=nth.start_s,
                start_s=visits[0].start_s,
                end_s=visits[-1].end_s,
                dwell_s=sum(v.dwell_s for v in visits),
                visits=len(visits),
                people=people,
                confidence=_confidence(coverage, people),
            )
        )
    return events


def _confidence(coverage: float, people: float) -> float:
    return round(float(coverage * crowd_factor(people)), 4)

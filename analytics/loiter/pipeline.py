"""Frames (or the caller's boxes) in, tracks, visits, events and crowd density out.

Three entry points share one back end: :func:`analyze_video` decodes a file and samples it
at ``analysis_fps``, :func:`analyze_frames` takes decoded frames, and
:func:`analyze_detections` takes boxes per frame that the caller already has (with or
without track ids). A ``deadline`` (``time.monotonic()`` value) stops a long video with a
clear ``video_too_long`` error instead of letting the service's timeout cut it off while
the worker thread keeps decoding.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analytics.errors import SkillError
from analytics.loiter.detect import Detection, DetectOptions, detect_people, probe_video, read_frames
from analytics.loiter.dwell import DwellOptions, Event, Visit, Zone, events_of, people_per_frame, visits_of
from analytics.loiter.track import Observation, Track, Tracker, TrackOptions


@dataclass(frozen=True, slots=True)
class LoiterOptions:
    """Every stage's options plus the analysis frame rate (frames above it are skipped)."""

    detect: DetectOptions = DetectOptions()
    track: TrackOptions = TrackOptions()
    dwell: DwellOptions = DwellOptions()
    analysis_fps: float = 5.0


@dataclass(slots=True)
class Analysis:
    """The result for one video or one set of boxes."""

    fps: float
    frame_dt: float
    frames_analysed: int
    duration_s: float
    tracks: list[Track]
    visits: list[Visit] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    density: list[tuple[float, int, dict[str, int]]] = field(default_factory=list)

    def dwell_by_track(self) -> dict[tuple[int, str], float]:
        """Total seconds each track spent in each zone."""
        out: dict[tuple[int, str], float] = {}
        for v in self.visits:
            out[(v.track, v.zone)] = out.get((v.track, v.zone), 0.0) + v.dwell_s
        return out


def _check_deadline(deadline: float | None, done_s: float) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise SkillError(
            f"video analysis stopped at {done_s:.1f} s of video: it would run past the skill's "
            "time limit; send a shorter clip or a lower analysis_fps",
            code="video_too_long",
            http_status=413,
        )


def analyze_frames(
    frames: Iterable[tuple[int, float, np.ndarray]],
    *,
    fps: float,
    zones: list[Zone],
    options: LoiterOptions = LoiterOptions(),
    deadline: float | None = None,
) -> Analysis:
    """Detect and track people in ``(frame_index, t_seconds, frame)`` triples of a video at ``fps``.

    The frames are those to analyse (already sampled); colour order does not matter to HOG.
    """
    tracker = Tracker(options.track)
    count = 0
    times: list[float] = []
    for index, t, frame in frames:
        _check_deadline(deadline, t)
        tracker.update(index, t, detect_people(frame, options.detect))
        count += 1
        times.append(t)
    if count == 0:
        raise SkillError("the video has no frames that could be decoded", code="no_frames")
    dt = float(np.median(np.diff(times))) if len(times) > 1 else 1.0 / fps
    return _finish(
        tracker.close(),
        fps=fps,
        frame_dt=dt,
        frames=count,
        duration_s=times[-1] + 1.0 / fps,
        zones=zones,
        options=options,
    )


def analyze_video(
    path: Path,
    *,
    zones: list[Zone] | None = None,
    options: LoiterOptions = LoiterOptions(),
    deadline: float | None = None,
    max_duration_s: float | None = None,
) -> Analysis:
    """Decode a video file, sample it at ``options.analysis_fps`` and analyse it.

    Without zones the whole frame is one zone named ``frame``.
    """
    info = probe_video(path)
    if max_duration_s is not None and info.duration_s > max_duration_s:
        raise SkillError(
            f"the video is {info.duration_s:.0f} s long; at most {max_duration_s:.0f} s is analysed per call",
            code="video_too_long",
            http_status=413,
        )
    if zones is None:
        zones = [Zone("frame", ((0, 0), (info.width, 0), (info.width, info.height), (0, info.height)))]
    every = max(1, int(round(info.fps / options.analysis_fps)))
    return analyze_frames(
        read_frames(path, every=every), fps=info.fps, zones=zones, options=options, deadline=deadline
    )


def analyze_detections(
    frames: Iterable[tuple[float, list[Detection], list[int] | None]],
    *,
    zones: list[Zone],
    options: LoiterOptions = LoiterOptions(),
) -> Analysis:
    """Analyse boxes the caller already has: ``(t_seconds, boxes, track_ids or None)`` per frame.

    With track ids the caller's identities are used as given; without, the tracker links them.
    """
    rows = sorted(frames, key=lambda r: r[0])
    if not rows:
        raise SkillError("no frames of boxes were given", code="empty_media")
    times = np.array([r[0] for r in rows])
    dt = float(np.median(np.diff(times))) if len(times) > 1 else 1.0
    if dt <= 0:
        raise SkillError("frame times must increase", code="bad_tracks")
    fps = 1.0 / dt
    with_ids = [r for r in rows if r[2] is not None]
    if with_ids and len(with_ids) != len(rows):
        raise SkillError("give track ids on every frame or on none", code="bad_tracks")
    if with_ids:
        tracks = _given_tracks(rows)
    else:
        tracker = Tracker(options.track)
        for i, (t, dets, _) in enumerate(rows):
            tracker.update(i, float(t), dets)
        tracks = tracker.close()
    return _finish(
        tracks,
        fps=fps,
        frame_dt=dt,
        frames=len(rows),
        duration_s=float(times[-1] - times[0] + dt),
        zones=zones,
        options=options,
    )


def _given_tracks(rows: list[tuple[float, list[Detection], list[int] | None]]) -> list[Track]:
    tracks: dict[int, Track] = {}
    for i, (t, dets, ids) in enumerate(rows):
        assert ids is not None
        if len(ids) != len(dets):
            raise SkillError("each box needs exactly one track id", code="bad_tracks")
        for d, tid in zip(dets, ids, strict=True):
            box = np.array([d.x, d.y, d.w, d.h])
            tr = tracks.setdefault(tid, Track(id=tid, box=box, hits=0))
            tr.hits += 1
            tr.history.append(Observation(i, float(t), (d.x, d.y, d.w, d.h), True, d.score))
    return [tracks[k] for k in sorted(tracks)]


def _finish(
    tracks: list[Track],
    *,
    fps: float,
    frame_dt: float,
    frames: int,
    duration_s: float,
    zones: list[Zone],
    options: LoiterOptions,
) -> Analysis:
    crowd = people_per_frame(tracks)
    result = Analysis(
        fps=fps, frame_dt=frame_dt, frames_analysed=frames, duration_s=duration_s, tracks=tracks
    )
    for tr in tracks:
        for zone in zones:
            visits = visits_of(
                tr, zone, frame_dt=frame_dt, merge_gap_s=options.dwell.merge_gap_s, crowd=crowd
            )
            result.visits.extend(visits)
            result.events.extend(events_of(visits, options.dwell))
    result.events.sort(key=lambda e: (e.at_s, e.track))
    in_zone: dict[int, dict[str, int]] = {}
    times: dict[int, float] = {}
    for tr in tracks:
        for ob in tr.history:
            if not ob.detected:
                continue
            times[ob.frame] = ob.t
            counts = in_zone.setdefault(ob.frame, {z.name: 0 for z in zones})
            for zone in zones:
                if zone.contains(ob.foot):
                    counts[zone.name] += 1
    result.density = [(times[f], crowd[f], in_zone[f]) for f in sorted(times)]
    return result

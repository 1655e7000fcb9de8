"""Loitering from video or from boxes the caller already has (skill ``loitering``).

Input is a video (people are detected with OpenCV's HOG detector and tracked) or boxes per
frame (JSON, with or without track ids). Output: dwell time per track and zone, visits,
``loiter`` events (one visit over the threshold) and ``return`` events (repeated visits),
and crowd density per analysed frame. Every event carries a confidence that falls as the
frame gets more crowded, because crossings swap and break tracks; the output says so.

Timing: detection costs about 25-40 ms of CPU per analysed frame at 320 px width (see
``docs/benchmarks.md``), so a video is sampled at ``analysis_fps`` (5 by default) and
analysis stops with ``video_too_long`` (413) before the skill's time limit rather than
being cut off by it. Decision support only: events are for an officer to review.
"""

from __future__ import annotations

import logging
import time
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from analytics.errors import SkillError
from analytics.loiter.detect import Detection
from analytics.loiter.dwell import CROWD_PENALTY, DwellOptions, Zone
from analytics.loiter.pipeline import Analysis, LoiterOptions, analyze_detections, analyze_frames
from analytics.media import VideoMedia, iter_video, video_info

logger = logging.getLogger(__name__)

TIMEOUT_S = 60.0
MARGIN_S = 5.0  # the internal deadline stops this long before the service's timeout
MAX_DENSITY_ROWS = 600


class BoxIn(BaseModel):
    """One person box in pixels (top-left x, y, width, height), optional score and track id."""

    model_config = ConfigDict(extra="forbid")

    x: float = Field(ge=-10_000, le=100_000)
    y: float = Field(ge=-10_000, le=100_000)
    w: float = Field(gt=0, le=100_000)
    h: float = Field(gt=0, le=100_000)
    score: float = Field(1.0, ge=-100, le=100)
    track_id: int | None = Field(None, ge=0)


class FrameBoxes(BaseModel):
    """The boxes seen at time ``t`` (seconds from the start)."""

    model_config = ConfigDict(extra="forbid")

    t: float = Field(ge=0, le=86_400)
    boxes: list[BoxIn] = Field(default_factory=list, max_length=200)


class ZoneIn(BaseModel):
    """A named polygon in frame pixels (3 to 64 points)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    polygon: list[tuple[float, float]] = Field(min_length=3, max_length=64)


class LoiterInput(BaseModel):
    """Boxes per frame (or, through the media upload, a video), the zones and the event rules."""

    model_config = ConfigDict(extra="forbid")

    case_ref: str | None = Field(None, max_length=64)
    video: VideoMedia | None = Field(None, description="a video file (MP4, MOV, AVI, WebM, MKV)")
    frames: list[FrameBoxes] | None = Field(
        None, max_length=20_000, description="boxes per frame the caller already has"
    )
    zones: list[ZoneIn] = Field(
        default_factory=list,
        max_length=16,
        description="zones to watch; with a video and none given, the whole frame",
    )
    dwell_threshold_s: float = Field(20.0, ge=1.0, le=3_600.0, description="a visit this long is loitering")
    merge_gap_s: float = Field(2.0, ge=0.0, le=60.0, description="visits closer than this are one visit")
    return_visits: int = Field(2, ge=2, le=20, description="this many visits by one track is a return event")
    analysis_fps: float = Field(5.0, ge=0.5, le=15.0, description="video frames analysed per second")


class DwellOut(BaseModel):
    """Total time one track spent in one zone."""

    track: int
    zone: str
    dwell_s: float
    visits: int
    first_s: float
    last_s: float


class EventOut(BaseModel):
    """A loitering (``loiter``) or repeated-visit (``return``) event for an officer to review."""

    kind: str
    track: int
    zone: str
    at_s: float = Field(description="when the event would fire live (visit start + threshold)")
    start_s: float
    end_s: float
    dwell_s: float
    visits: int
    people_in_frame: float = Field(description="mean people detected in the frame during the visit(s)")
    confidence: float = Field(description="detection coverage x crowd factor; falls as density rises")


class DensityOut(BaseModel):
    """People detected in one analysed frame, in all and per zone."""

    t: float
    people: int
    in_zone: dict[str, int]


class LoiterOutput(BaseModel):
    """Tracks, dwell, events and density, with the caveats."""

    case_ref: str | None
    source: str
    label: str = Field(description="'loitering' when any loiter or return event was found, else 'none'")
    duration_s: float
    frames_analysed: int
    analysis_fps: float
    tracks: int
    dwell: list[DwellOut]
    events: list[EventOut]
    density: list[DensityOut]
    mean_people: float
    max_people: int
    confidence_note: str
    readback: str


def zones_of(payload: LoiterInput) -> list[Zone]:
    """The input's zones as polygons (names must be unique)."""
    names = [z.name for z in payload.zones]
    if len(set(names)) != len(names):
        raise SkillError("zone names must be unique", code="bad_zones")
    return [Zone(z.name, tuple((float(x), float(y)) for x, y in z.polygon)) for z in payload.zones]


def options_of(payload: LoiterInput) -> LoiterOptions:
    """Stage options from the input's rules."""
    return LoiterOptions(
        dwell=DwellOptions(
            dwell_threshold_s=payload.dwell_threshold_s,
            merge_gap_s=payload.merge_gap_s,
            return_visits=payload.return_visits,
        ),
        analysis_fps=payload.analysis_fps,
    )


def report(analysis: Analysis, payload: LoiterInput, source: str) -> LoiterOutput:
    """Turn an analysis into the skill's output."""
    dwell: dict[tuple[int, str], list[float]] = {}
    for v in analysis.visits:
        row = dwell.setdefault((v.track, v.zone), [0.0, 0, v.start_s, v.end_s])
        row[0] += v.dwell_s
        row[1] += 1
        row[2], row[3] = min(row[2], v.start_s), max(row[3], v.end_s)
    dwell_out = [
        DwellOut(
            track=t,
            zone=z,
            dwell_s=round(r[0], 2),
            visits=int(r[1]),
            first_s=round(r[2], 2),
            last_s=round(r[3], 2),
        )
        for (t, z), r in sorted(dwell.items(), key=lambda kv: -kv[1][0])
    ]
    events = [
        EventOut(
            kind=e.kind,
            track=e.track,
            zone=e.zone,
            at_s=round(e.at_s, 2),
            start_s=round(e.start_s, 2),
            end_s=round(e.end_s, 2),
            dwell_s=round(e.dwell_s, 2),
            visits=e.visits,
            people_in_frame=round(e.people, 2),
            confidence=e.confidence,
        )
        for e in analysis.events
    ]
    rows = analysis.density
    stride = max(1, -(-len(rows) // MAX_DENSITY_ROWS))
    density = [DensityOut(t=round(t, 2), people=n, in_zone=z) for t, n, z in rows[::stride]]
    people = [n for _, n, _ in rows]
    mean_people = round(sum(people) / len(people), 2) if people else 0.0
    loiter = sum(1 for e in events if e.kind == "loiter")
    returns = sum(1 for e in events if e.kind == "return")
    readback = (
        f"{loiter} loitering and {returns} repeated-visit events from {len(analysis.tracks)} tracks"
        if events
        else f"No loitering over {payload.dwell_threshold_s:g} s in {len(analysis.tracks)} tracks"
    )
    if payload.case_ref:
        readback = f"Case {payload.case_ref}: {readback}"
    return LoiterOutput(
        case_ref=payload.case_ref,
        source=source,
        label="loitering" if events else "none",
        duration_s=round(analysis.duration_s, 2),
        frames_analysed=analysis.frames_analysed,
        analysis_fps=round(1.0 / analysis.frame_dt, 3) if analysis.frame_dt > 0 else 0.0,
        tracks=len(analysis.tracks),
        dwell=dwell_out,
        events=events,
        density=density,
        mean_people=mean_people,
        max_people=max(people) if people else 0,
        confidence_note=(
            f"Confidence falls as crowd density rises (x 1/(1 + {CROWD_PENALTY:g} per extra person "
            "in the frame)): in crowds people hide each other and tracks swap or break, so dwell "
            "times split across tracks and events are missed. Measured on rendered video only; "
            "review events before acting."
        ),
        readback=readback + ".",
    )


def _detections(frames: list[FrameBoxes]) -> list[tuple[float, list[Detection], list[int] | None]]:
    """Boxes per frame; track ids are used when every box has one, refused when only some do."""
    boxes = [b for f in frames for b in f.boxes]
    with_ids = sum(1 for b in boxes if b.track_id is not None)
    if 0 < with_ids < len(boxes):
        raise SkillError("give a track_id on every box or on none", code="bad_tracks")
    return [
        (
            f.t,
            [Detection(b.x, b.y, b.w, b.h, b.score) for b in f.boxes],
            [int(b.track_id or 0) for b in f.boxes] if with_ids else None,
        )
        for f in frames
    ]


class LoiteringSkill:
    """The ``loitering`` skill object."""

    name: ClassVar[str] = "loitering"
    description: ClassVar[str] = (
        "Loitering from a video or from person boxes per frame: dwell time per person and zone, loitering "
        "and repeated-visit events with timestamps, crowd density; confidence falls in crowds."
    )
    examples: ClassVar[tuple[str, ...]] = (
        "check this video for loitering",
        "is anyone loitering near the police box",
        "how long did people linger in the zone",
        "suspicious behaviour: lingering in one place",
        "dwell time of people in this camera footage",
    )
    triggers: ClassVar[tuple[str, ...]] = ("loitering", "loiter", "lingering")
    input_model: ClassVar[type[BaseModel]] = LoiterInput
    output_model: ClassVar[type[BaseModel]] = LoiterOutput
    roles: ClassVar[frozenset[str]] = frozenset({"operator", "supervisor", "admin"})
    timeout_s: ClassVar[float] = TIMEOUT_S

    def run(self, payload: BaseModel) -> LoiterOutput:
        """Analyse the video or the boxes of one call."""
        data = (
            payload if isinstance(payload, LoiterInput) else LoiterInput.model_validate(payload.model_dump())
        )
        started = time.monotonic()
        zones = zones_of(data)
        options = options_of(data)
        if data.video is not None and data.frames is not None:
            raise SkillError("send a video or boxes per frame, not both", code="bad_input")
        if data.video is not None:
            analysis = self._video(data.video, zones, options, deadline=started + TIMEOUT_S - MARGIN_S)
            source = "video"
        elif data.frames is not None:
            if not zones:
                raise SkillError("boxes need at least one zone (the frame size is unknown)", code="bad_zones")
            analysis = analyze_detections(_detections(data.frames), zones=zones, options=options)
            source = "boxes"
        else:
            raise SkillError("send a video or 'frames' (boxes per frame)", code="empty_media")
        logger.debug("loitering: %d tracks in %.2f s", len(analysis.tracks), time.monotonic() - started)
        return report(analysis, data, source)

    @staticmethod
    def _video(video: VideoMedia, zones: list[Zone], options: LoiterOptions, *, deadline: float) -> Analysis:
        info = video_info(video)
        if not zones:
            w, h = float(info.width), float(info.height)
            zones = [Zone("frame", ((0.0, 0.0), (w, 0.0), (w, h), (0.0, h)))]
        step = max(1, int(round(info.fps / options.analysis_fps)))
        frames = ((f.index, f.t, f.rgb) for f in iter_video(video, step=step))
        # The deadline turns a clip too long for the time limit into video_too_long (413) with how far it got.
        return analyze_frames(frames, fps=info.fps, zones=zones, options=options, deadline=deadline)

    def from_text(self, text: str) -> BaseModel | None:
        """A spoken request carries no video or boxes: the router asks for them."""
        return None


SKILL = LoiteringSkill()

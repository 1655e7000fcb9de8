"""Loitering: tracker and dwell rules on made-up boxes, then the real HOG detector on rendered video."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from analytics.errors import SkillError
from analytics.loiter.detect import Detection, detect_people
from analytics.loiter.dwell import DwellOptions, Zone
from analytics.loiter.evaluate import score
from analytics.loiter.pipeline import LoiterOptions, analyze_video
from analytics.loiter.render import Scene, SceneSpec, render
from analytics.loiter.track import Tracker
from analytics.loitering import SKILL, LoiterInput

ZONE = [[100.0, 100.0], [300.0, 100.0], [300.0, 300.0], [100.0, 300.0]]


def _walk(t: float, x0: float, speed: float) -> dict[str, float]:
    return {"x": x0 + speed * t, "y": 80.0, "w": 40.0, "h": 160.0}  # foot at y = 220


def test_tracker_keeps_one_identity_through_missed_detections() -> None:
    tracker = Tracker()
    for i in range(50):
        t = i * 0.2
        if i % 7 in (3, 4):  # the detector misses two frames in seven
            tracker.update(i, t, [])
            continue
        a = _walk(t, 0.0, 20.0)
        b = _walk(t, 400.0, -15.0)
        tracker.update(
            i,
            t,
            [
                Detection(a["x"], a["y"], a["w"], a["h"], 1.0),
                Detection(b["x"], b["y"] + 60, b["w"], b["h"], 1.0),
            ],
        )
    tracks = tracker.close()
    assert len(tracks) == 2
    assert all(sum(ob.detected for ob in tr.history) >= 30 for tr in tracks)


def _frames(
    people: dict[int, tuple[float, float]], until: float, *, step: float = 0.5
) -> list[dict[str, object]]:
    """Boxes with ids: person -> (enter_s, leave_s) of the zone; outside it they stand left of it."""
    frames = []
    t = 0.0
    while t <= until:
        boxes = []
        for pid, (enter, leave) in people.items():
            x = 150.0 if enter <= t < leave else 10.0
            boxes.append({"x": x, "y": 60.0 + pid, "w": 40.0, "h": 160.0, "track_id": pid})
        frames.append({"t": t, "boxes": boxes})
        t += step
    return frames


def test_dwell_and_loiter_events_from_given_tracks() -> None:
    frames = _frames({1: (2.0, 30.0), 2: (5.0, 9.0)}, 40.0)
    out = SKILL.run(
        LoiterInput(frames=frames, zones=[{"name": "door", "polygon": ZONE}], dwell_threshold_s=20)
    )
    dwell = {d.track: d.dwell_s for d in out.dwell}
    assert dwell[1] == pytest.approx(28.0, abs=0.6) and dwell[2] == pytest.approx(4.0, abs=0.6)
    loiter = [e for e in out.events if e.kind == "loiter"]
    assert [e.track for e in loiter] == [1]
    assert loiter[0].at_s == pytest.approx(22.0, abs=0.6)
    assert out.label == "loitering" and out.max_people == 2
    assert "crowd" in out.confidence_note


def test_returning_visits_are_an_event() -> None:
    frames = _frames({7: (2.0, 6.0)}, 20.0) + [
        {"t": t, "boxes": [{"x": 150.0, "y": 60.0, "w": 40.0, "h": 160.0, "track_id": 7}]}
        for t in (20.5, 21.0, 21.5, 22.0, 22.5)
    ]
    out = SKILL.run(
        LoiterInput(frames=frames, zones=[{"name": "door", "polygon": ZONE}], dwell_threshold_s=30)
    )
    kinds = [(e.kind, e.visits) for e in out.events]
    assert kinds == [("return", 2)]


def test_bad_boxes_are_refused_clearly() -> None:
    frames = _frames({1: (0.0, 5.0)}, 5.0)
    frames[0]["boxes"][0].pop("track_id")  # type: ignore[index]
    with pytest.raises(SkillError) as err:
        SKILL.run(LoiterInput(frames=frames, zones=[{"name": "z", "polygon": ZONE}]))
    assert err.value.code == "bad_tracks"
    with pytest.raises(SkillError) as err:
        SKILL.run(LoiterInput(frames=_frames({1: (0.0, 5.0)}, 5.0)))
    assert err.value.code == "bad_zones"


SPEC = SceneSpec(seed=11, people=2, duration_s=16.0, fps=10.0, threshold_s=5.0)


@pytest.fixture(scope="module")
def scene() -> Scene:
    """A rendered 16 s clip: one person lingers in the zone, one walks past (ground truth known)."""
    return render(SPEC)


def test_hog_finds_rendered_people(scene: Scene) -> None:
    frame = 60
    found = detect_people(scene.frames[frame])
    visible = [p for p in scene.people if p.boxes[frame][0] == p.boxes[frame][0]]  # not NaN
    assert visible and len(found) >= 1
    assert all(d.score > 0 for d in found)


def test_video_file_end_to_end_against_ground_truth(scene: Scene, tmp_path: Path) -> None:
    path = scene.write(tmp_path / "clip.mp4")
    options = LoiterOptions(dwell=DwellOptions(dwell_threshold_s=SPEC.threshold_s))
    zone = Zone("zone", SPEC.zone)
    analysis = analyze_video(path, zones=[zone], options=options)
    assert analysis.frames_analysed == pytest.approx(SPEC.duration_s * options.analysis_fps, abs=2)
    result = score(analysis, scene, zone, options.dwell)
    assert result.true_events == 1
    assert result.recall == 1.0 and result.precision == 1.0
    assert result.dwell_mae_s < 2.5


def test_unreadable_and_empty_videos(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x13" * 5000)
    for path in (empty, junk):
        with pytest.raises(SkillError) as err:
            analyze_video(path)
        assert err.value.code in {"bad_media", "no_frames"}


def test_deadline_stops_long_video_with_a_clear_code(scene: Scene, tmp_path: Path) -> None:
    path = scene.write(tmp_path / "clip.avi", codec="MJPG")
    with pytest.raises(SkillError) as err:
        analyze_video(path, deadline=time.monotonic() - 1.0)
    assert err.value.code == "video_too_long" and err.value.http_status == 413
    with pytest.raises(SkillError) as err:
        analyze_video(path, max_duration_s=5.0)
    assert err.value.code == "video_too_long"

"""Skills ``face_watch`` (check a probe image) and ``face_watchlist`` (enrol, list, remove).

Live-facial-recognition practice (UK Home Office, College of Policing): a bounded watch
list, alerts only above a threshold set from a chosen false-alert rate, a person to
confirm every alert, and a probe that matches nobody deleted at once and automatically.
Here a probe face with no match is never stored: no file (the upload is decoded in
memory), no row, no log line, no cache; the audit entry of the call records only that a
check ran with ``no_match``, the image's type and size (no digest: ``private_media``).
Faces that match are kept for ``retention_days`` and then deleted.

Detection: dlib HOG. Embeddings: dlib ResNet 128-d with 5-point alignment
(:mod:`analytics.face.embed`). Threshold: :mod:`analytics.face.calibrate`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from analytics.base import SkillContext
from analytics.errors import SkillError
from analytics.face.calibrate import rates_at, threshold_for
from analytics.face.embed import FaceEncoder, distances, load_encoder
from analytics.face.store import WatchStore
from analytics.media import ImageMedia, MediaError, decode_image

ROLES_CHECK = frozenset({"operator", "supervisor", "admin"})
ROLES_MANAGE = frozenset({"supervisor", "admin"})


@dataclass(frozen=True, slots=True)
class FaceWatchOptions:
    """``skills.options.face_watch`` in the settings."""

    max_enrolled: int = 1000
    """The watch list's maximum size; enrolling beyond it is refused (409)."""
    false_alert_rate: float = 0.001
    """Share of impostor pairs allowed to match; sets the distance threshold."""
    retention_days: float = 31.0
    """How long a matched probe face is kept."""
    max_side: int = 1600
    """Larger images are shrunk to this before detection."""
    max_faces: int = 20
    """Faces compared per probe image at most (largest first)."""

    @classmethod
    def parse(cls, options: dict[str, Any]) -> FaceWatchOptions:
        """Options from the settings; unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = set(options) - known
        if unknown:
            raise ValueError(f"unknown face_watch options: {sorted(unknown)}")
        return cls(**options)


class _State:
    """The shared store and options, set by ``bind``; the encoder loads on first use."""

    def __init__(self) -> None:
        self.store: WatchStore | None = None
        self.options = FaceWatchOptions()
        self.threshold = threshold_for(self.options.false_alert_rate)
        self._lock = threading.Lock()

    def bind(self, context: SkillContext, *, options: bool) -> None:
        # Both skills share one store; the options live under skills.options.face_watch.
        if options:
            self.options = FaceWatchOptions.parse(dict(context.options))
            self.threshold = threshold_for(self.options.false_alert_rate)
        if context.engine is not None and (self.store is None or self.store.engine is not context.engine):
            self.store = WatchStore(context.engine)

    def need_store(self) -> WatchStore:
        if self.store is None:
            raise SkillError(
                "the face watch list has no database on this instance", code="not_configured", http_status=503
            )
        return self.store

    def encoder(self) -> FaceEncoder:
        return load_encoder()


STATE = _State()


class FaceWatchInput(BaseModel):
    """A probe image."""

    model_config = ConfigDict(extra="forbid")
    image: ImageMedia = Field(..., description="the probe: a still with one or more faces")


class Alert(BaseModel):
    """A watch-list candidate for one probe face, for an officer to confirm."""

    entry_id: int
    subject_label: str
    distance: float = Field(description="Euclidean distance of the 128-d embeddings (lower is closer)")
    score: float = Field(description="1 - distance / (2 x threshold), clipped to 0-1; 0.5 at the threshold")
    margin: float | None = Field(description="distance to the next entry minus this one; None with one entry")
    face_box: tuple[int, int, int, int]


class FaceWatchOutput(BaseModel):
    """Alerts above the threshold, or a statement that the probe was discarded."""

    label: Literal["match", "no_match"]
    discarded: bool = Field(description="true: nothing of the probe was kept")
    faces: int
    alerts: list[Alert]
    threshold: float
    false_alert_rate: float
    retained_until: datetime | None = None
    readback: str


def _score(distance: float, threshold: float) -> float:
    return round(float(np.clip(1.0 - distance / (2.0 * threshold), 0.0, 1.0)), 4)


def _faces(encoder: FaceEncoder, image: ImageMedia, max_side: int) -> list[Any]:
    rgb = decode_image(image, max_side=max_side)
    found = encoder.faces(rgb)
    if not found:
        raise MediaError("no face was found in the image", code="no_face")
    return found


class FaceWatch:
    """The ``face_watch`` skill object."""

    name: ClassVar[str] = "face_watch"
    description: ClassVar[str] = (
        "Check the faces in a still image against the bounded watch list; returns candidates with "
        "distance, score and margin above a threshold set from the false-alert rate. A probe with no "
        "match is discarded at once."
    )
    examples: ClassVar[tuple[str, ...]] = (
        "run face check on this image",
        "check this person against watch list",
        "face check this photo",
    )
    # Rule phrases for the intent router (it then asks for the image: text carries none).
    triggers: ClassVar[tuple[str, ...]] = ("face check",)
    input_model: ClassVar[type[BaseModel]] = FaceWatchInput
    output_model: ClassVar[type[BaseModel]] = FaceWatchOutput
    roles: ClassVar[frozenset[str]] = ROLES_CHECK
    timeout_s: ClassVar[float] = 30.0
    private_media: ClassVar[bool] = True

    def bind(self, context: SkillContext) -> None:
        """Take the database and options (shared with ``face_watchlist``)."""
        STATE.bind(context, options=True)

    def run(self, payload: BaseModel) -> FaceWatchOutput:
        """Compare every face of the probe with the watch list; keep only faces that match."""
        assert isinstance(payload, FaceWatchInput)
        store = STATE.need_store()
        opts, threshold = STATE.options, STATE.threshold
        store.purge_expired()
        found = _faces(STATE.encoder(), payload.image, opts.max_side)[: opts.max_faces]
        entries, gallery = store.gallery()
        alerts: list[Alert] = []
        keep: list[tuple[int, float, np.ndarray]] = []
        for face in found:
            d = distances(face.embedding, gallery)
            if d.size == 0:
                continue
            order = np.argsort(d)
            best = int(order[0])
            if float(d[best]) >= threshold:
                continue
            margin = round(float(d[order[1]] - d[best]), 4) if d.size > 1 else None
            alerts.append(
                Alert(
                    entry_id=entries[best].id,
                    subject_label=entries[best].label,
                    distance=round(float(d[best]), 4),
                    score=_score(float(d[best]), threshold),
                    margin=margin,
                    face_box=face.box,
                )
            )
            keep.append((entries[best].id, float(d[best]), face.embedding))
        common = dict(faces=len(found), threshold=round(threshold, 4), false_alert_rate=opts.false_alert_rate)
        if not alerts:
            del found, keep
            return FaceWatchOutput(
                label="no_match",
                discarded=True,
                alerts=[],
                **common,
                readback="No match on the watch list. The probe was discarded.",
            )
        until = None
        for entry_id, dist, emb in keep:
            until = store.keep_hit(entry_id, dist, emb, retention=timedelta(days=opts.retention_days))
        alerts.sort(key=lambda a: a.distance)
        return FaceWatchOutput(
            label="match",
            discarded=False,
            alerts=alerts,
            retained_until=until,
            **common,
            readback=f"Possible watch-list match, {len(alerts)} candidate(s). "
            "Confirm in person before acting.",
        )

    def from_text(self, text: str) -> BaseModel | None:
        """A spoken request carries no image: the router asks for one."""
        return None


class WatchlistInput(BaseModel):
    """Enrol (image, subject_label, reason), list, or remove (entry_id, reason)."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["enrol", "list", "remove"]
    image: ImageMedia | None = Field(
        None, description="enrol: a still with the person's face (the largest is used)"
    )
    subject_label: str | None = Field(None, min_length=1, max_length=200, description="enrol: who this is")
    entry_id: int | None = Field(None, ge=1, description="remove: which entry")
    reason: str | None = Field(None, min_length=3, max_length=500, description="enrol and remove: why")


class WatchlistEntry(BaseModel):
    """One entry as listed (no embedding)."""

    entry_id: int
    subject_label: str
    reason: str
    enrolled_at: datetime


class WatchlistOutput(BaseModel):
    """What changed, and the list's size against its cap."""

    label: Literal["enrolled", "removed", "listed"]
    entries: list[WatchlistEntry]
    size: int
    max_enrolled: int
    faces_in_image: int | None = None
    calibration: dict[str, float | int]


class FaceWatchlist:
    """The ``face_watchlist`` skill object."""

    name: ClassVar[str] = "face_watchlist"
    description: ClassVar[str] = (
        "Enrol a face on the bounded watch list, list it, or remove an entry, with a reason."
    )
    examples: ClassVar[tuple[str, ...]] = ("enrol this face on the watch list", "show the face watch list")
    input_model: ClassVar[type[BaseModel]] = WatchlistInput
    output_model: ClassVar[type[BaseModel]] = WatchlistOutput
    roles: ClassVar[frozenset[str]] = ROLES_MANAGE
    timeout_s: ClassVar[float] = 30.0
    audit_fields: ClassVar[tuple[str, ...]] = ("action", "entry_id", "reason")

    def bind(self, context: SkillContext) -> None:
        """Shared with ``face_watch`` (whose options apply)."""
        STATE.bind(context, options=False)

    def run(self, payload: BaseModel) -> WatchlistOutput:
        """Enrol, list or remove."""
        assert isinstance(payload, WatchlistInput)
        store = STATE.need_store()
        opts = STATE.options
        faces: int | None = None
        changed: list[WatchlistEntry] = []
        if payload.action == "enrol":
            if payload.image is None or not payload.subject_label or not payload.reason:
                raise SkillError("enrol needs image, subject_label and reason", code="bad_input")
            found = _faces(STATE.encoder(), payload.image, opts.max_side)
            faces = len(found)
            try:
                e = store.enrol(
                    payload.subject_label, payload.reason, found[0].embedding, max_entries=opts.max_enrolled
                )
            except OverflowError as err:
                raise SkillError(
                    f"the watch list is full ({opts.max_enrolled} entries); remove one first",
                    code="watchlist_full",
                    http_status=409,
                ) from err
            changed = [
                WatchlistEntry(
                    entry_id=e.id, subject_label=e.label, reason=e.reason, enrolled_at=e.enrolled_at
                )
            ]
            label: Literal["enrolled", "removed", "listed"] = "enrolled"
        elif payload.action == "remove":
            if payload.entry_id is None or not payload.reason:
                raise SkillError("remove needs entry_id and reason", code="bad_input")
            if not store.remove(payload.entry_id):
                raise SkillError("no watch-list entry with that id", code="not_found", http_status=404)
            label = "removed"
        else:
            changed = [
                WatchlistEntry(
                    entry_id=e.id, subject_label=e.label, reason=e.reason, enrolled_at=e.enrolled_at
                )
                for e in store.entries()
            ]
            label = "listed"
        return WatchlistOutput(
            label=label,
            entries=changed,
            size=store.count(),
            max_enrolled=opts.max_enrolled,
            faces_in_image=faces,
            calibration=rates_at(STATE.threshold),
        )

    def from_text(self, text: str) -> BaseModel | None:
        """'show the face watch list' lists it; enrolling needs an image."""
        if "list" in text.lower() and "enrol" not in text.lower():
            return WatchlistInput(action="list")
        return None


SKILL = FaceWatch()
# discover() collects one SKILL per module; the list manager registers through SKILLS.
SKILLS = (SKILL, FaceWatchlist())

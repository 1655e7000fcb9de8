"""X-ray parcel triage (skill ``xray_triage``): rank parcels for a human screener, in three stages.

Each uploaded parcel image (``xray/codec.py`` layout: red = low-energy, green = high-energy
attenuation) is scored by the triage model (``xray/model.py``) as paper / general / threat,
and the staged policy (``xray/policy.py``) decides:

1. ``auto_clear``: only parcels confidently holding paper products only, at a threshold set
   on a calibration split from a target miss rate (0.5 % of non-paper parcels);
2. ``officer``: the rest, ranked by threat probability, for an officer to look at;
3. ``inspect``: a high threat probability, flagged for physical inspection.

The model is trained on simulated dual-energy images only (``xray/simulate.py``); every
answer says so, and real scanner images are needed before any operational use. Nothing is
acted on automatically outside the measured auto-clear rule, and every call is audited.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from analytics.base import SkillContext
from analytics.errors import SkillError
from analytics.media import ImageMedia, decode_image
from analytics.xray import policy
from analytics.xray.codec import from_rgb8
from analytics.xray.features import NAMES, feature_matrix
from analytics.xray.model import TriageModel, load
from analytics.xray.simulate import CLASSES, PX_CM

logger = logging.getLogger(__name__)

MAX_PARCELS = 64  # the service's media limit (media.max_items) may be lower
STAGE_NAMES = {1: "auto_clear", 2: "officer", 3: "inspect"}
NOTE = (
    "Trained and measured on simulated dual-energy images only (documents, books, clothes, electronics, "
    "cutlery, keys, powders, blades, handguns); real scanner images are needed before any operational use. "
    "Auto-clear is limited to parcels it is confident hold paper products only."
)


class ParcelOut(BaseModel):
    """One parcel's scores, stage and the evidence behind them."""

    id: str
    index: int
    stage: str
    rank: int = Field(description="position in the screening order (inspect, then officer, then cleared)")
    p_paper: float
    p_general: float
    p_threat: float
    evidence: list[str]


class XrayOutput(BaseModel):
    """The screening order with counts, thresholds and the model's measured figures."""

    case_ref: str | None
    label: str = Field(
        description="'inspect' if any parcel is flagged, 'officer' if any needs a look, else 'clear'"
    )
    parcels: list[ParcelOut]
    counts: dict[str, int]
    thresholds: dict[str, float]
    model: dict[str, Any]
    note: str
    feedback_recorded: int = Field(0, description="officer labels saved for the next retraining")
    readback: str


def evidence_of(row: np.ndarray) -> list[str]:
    """Readable reasons from one feature row (what a screener should look at)."""
    f = dict(zip(NAMES, (float(v) for v in row), strict=True))
    out: list[str] = []
    if f["metal_thin_long"] > 0:
        out.append(
            f"long thin metal object about {f['metal_longest_px'] * PX_CM:.0f} cm "
            f"(elongation {f['metal_longest_elong']:.1f})"
        )
    if f["metal_thick_largest"] >= 8:
        out.append(f"near-opaque dense metal, {f['metal_thick_largest'] * PX_CM**2:.0f} cm2")
    if f["powder_largest"] >= 20:
        out.append(
            f"uniform mid-density organic region, {f['powder_largest'] * PX_CM**2:.0f} cm2 (powder-like)"
        )
    if f["metal_regions"] > 0 and not out:
        out.append(f"{int(f['metal_regions'])} small metal item(s)")
    if not out:
        out.append("organic material only")
    return out


def triage(images: np.ndarray, ids: list[str], model: TriageModel, case_ref: str | None = None) -> XrayOutput:
    """Score and stage N x 2 x 96 x 96 attenuation images."""
    if len(images) == 0:
        raise SkillError("no parcel images were given", code="empty_batch")
    if len(images) > MAX_PARCELS:
        raise SkillError(f"at most {MAX_PARCELS} parcels per call", code="batch_too_large", http_status=413)
    feats = feature_matrix(images)
    p = model.probabilities_of_features(feats)
    thresholds = policy.Thresholds.from_dict(model.meta["thresholds"])
    stage = policy.stages(p, thresholds)
    order = sorted(range(len(p)), key=lambda i: (-int(stage[i]), -p[i, policy.THREAT], p[i, policy.PAPER]))
    rank = {i: r + 1 for r, i in enumerate(order)}
    parcels = [
        ParcelOut(
            id=ids[i],
            index=i,
            stage=STAGE_NAMES[int(stage[i])],
            rank=rank[i],
            p_paper=round(float(p[i, 0]), 4),
            p_general=round(float(p[i, 1]), 4),
            p_threat=round(float(p[i, 2]), 4),
            evidence=evidence_of(feats[i]),
        )
        for i in order
    ]
    counts = {name: int((stage == k).sum()) for k, name in STAGE_NAMES.items()}
    label = "inspect" if counts["inspect"] else "officer" if counts["officer"] else "clear"
    test = model.meta.get("test", {})
    readback = (
        f"{len(p)} parcels: {counts['inspect']} for inspection, {counts['officer']} for an officer, "
        f"{counts['auto_clear']} auto-cleared"
    )
    if case_ref:
        readback = f"Case {case_ref}: {readback}"
    return XrayOutput(
        case_ref=case_ref,
        label=label,
        parcels=parcels,
        counts=counts,
        thresholds=thresholds.as_dict(),
        model={
            "name": "xray-triage",
            "classes": list(CLASSES),
            "sha256": model.meta.get("weights_sha256"),
            "simulated_test": {
                k: test.get(k)
                for k in (
                    "parcels",
                    "auto_clear_rate",
                    "miss_rate",
                    "miss_rate_upper95",
                    "threats_cleared",
                    "threats",
                )
            },
        },
        note=NOTE,
        readback=readback + ".",
    )


def default_model() -> TriageModel:
    """The committed model, checked against the catalog's sha256 (loaded once)."""
    from models.catalog import xray_triage_weights

    path, sha = xray_triage_weights()
    return load(path, sha256=sha)


class Feedback(BaseModel):
    """What the officer found in one parcel of this call."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(ge=0, lt=MAX_PARCELS, description="position of the image in this call")
    label: Literal["paper", "general", "threat"]


class XrayInputBase(BaseModel):
    """Fields of the input other than the images."""

    model_config = ConfigDict(extra="forbid")

    case_ref: str | None = Field(None, max_length=64)
    ids: list[str] | None = Field(None, max_length=MAX_PARCELS, description="parcel ids, in image order")
    feedback: list[Feedback] = Field(
        default_factory=list,
        max_length=MAX_PARCELS,
        description="an officer's verdict on some of these parcels (image index and true class), saved "
        "for retraining with python -m analytics.xray.train --feedback <data_dir>/xray/feedback",
    )


class XrayInput(XrayInputBase):
    """Parcel images (the ``xray/codec.py`` layout: red = low, green = high energy attenuation)."""

    images: list[ImageMedia] = Field(min_length=1, max_length=MAX_PARCELS, description="one image per parcel")


class XrayTriageSkill:
    """The ``xray_triage`` skill object."""

    name: ClassVar[str] = "xray_triage"
    description: ClassVar[str] = (
        "Rank postal parcels from dual-energy X-ray images for a screener: auto-clear only confident "
        "paper-only parcels (threshold from a target miss rate), officer queue ranked by threat "
        "probability, physical inspection for likely blades, guns or powders. Simulated training data."
    )
    examples: ClassVar[tuple[str, ...]] = (
        "triage these parcel x-rays",
        "screen this parcel scan for threats",
        "x-ray triage of the postal items",
        "which parcels need physical inspection",
        "is there a knife or gun in this parcel",
    )
    triggers: ClassVar[tuple[str, ...]] = ("x-ray triage", "xray triage", "parcel x-ray", "parcel scan")
    input_model: ClassVar[type[BaseModel]] = XrayInput
    output_model: ClassVar[type[BaseModel]] = XrayOutput
    roles: ClassVar[frozenset[str]] = frozenset({"operator", "supervisor", "admin"})
    timeout_s: ClassVar[float] = 20.0

    def __init__(self) -> None:
        self._model: TriageModel | None = None
        self._lock = threading.Lock()
        self.feedback_dir: Path | None = None

    def bind(self, context: SkillContext) -> None:
        """Load the committed model once, at startup (sha256-checked); feedback goes under the data dir."""
        self._model = default_model()
        self.feedback_dir = Path(context.data_dir) / "xray" / "feedback"

    def model(self) -> TriageModel:
        """The loaded model (loaded on first use when ``bind`` was not called)."""
        with self._lock:
            if self._model is None:
                self._model = default_model()
            return self._model

    def run(self, payload: BaseModel) -> XrayOutput:
        """Decode, score and stage the call's parcel images."""
        data = payload if isinstance(payload, XrayInput) else XrayInput.model_validate(payload.model_dump())
        if data.ids is not None and len(data.ids) != len(data.images):
            raise SkillError("give one id per image, or none", code="bad_input")
        ids = data.ids or [img.filename or f"parcel-{i + 1}" for i, img in enumerate(data.images)]
        images = np.stack([from_rgb8(decode_image(img)) for img in data.images])
        out = triage(images, ids, self.model(), case_ref=data.case_ref)
        if data.feedback:
            out.feedback_recorded = self._record(images, data.feedback)
        return out

    def _record(self, images: np.ndarray, feedback: list[Feedback]) -> int:
        if self.feedback_dir is None:
            raise SkillError("feedback cannot be stored: the skill has no data directory", code="bad_input")
        if any(f.index >= len(images) for f in feedback):
            raise SkillError("a feedback index points past the images of this call", code="bad_input")
        self.feedback_dir.mkdir(parents=True, exist_ok=True)
        for f in feedback:
            image = images[f.index]
            name = hashlib.sha256(image.tobytes()).hexdigest()[:24]
            tmp = self.feedback_dir / f".{name}.npz"
            # Written then renamed, so a retraining run never reads half a file.
            np.savez(tmp, image=image, label=np.int64(CLASSES.index(f.label)))
            tmp.replace(self.feedback_dir / f"{name}.npz")
        return len(feedback)

    def from_text(self, text: str) -> BaseModel | None:
        """A spoken request carries no images: the router asks for them."""
        return None


SKILL = XrayTriageSkill()

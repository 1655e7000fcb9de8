"""Skill ``vehicle_identify``: read the number plate in a still and run it through the check chain.

The plate is read with RapidOCR (PP-OCRv4 detection and recognition ONNX models from
``rapidocr-onnxruntime``, Apache-2.0). Every text line it finds is normalised to upper-case
letters and digits; lines of 4 to 8 symbols with at least one digit are plate candidates,
ranked by the recogniser's confidence. The best candidate goes through the registry check
chain (the service hands the skill ``check_plate``), so the record's make, model, colour
and alerts come back, officer-safety alerts first as the chain orders them.

The make/model top-5 comes from the project's own classifier (:mod:`analytics.vehicle`),
trained on rendered side views because no make/model weights can be installed; when the
record's make/model is not in the image's top-5 the answer says so (a cloned plate looks
exactly like that), with the plain caveat that the classifier has never seen a real
camera still. Decision support: the officer confirms by eye.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from analytics.base import SkillContext
from analytics.media import ImageMedia, MediaError, decode_image

_lock = threading.Lock()
_ocr: Any = None
PLATE_RE = re.compile(r"^(?=.*\d)[A-Z0-9]{4,8}$")


def load_ocr() -> Any:
    """The process-wide RapidOCR engine (its ONNX models ship inside the package)."""
    global _ocr
    with _lock:
        if _ocr is None:
            from rapidocr_onnxruntime import RapidOCR

            _ocr = RapidOCR()
        return _ocr


class PlateReading(BaseModel):
    """One plate candidate read from the image."""

    plate: str
    confidence: float
    box: list[list[float]] = Field(description="the text line's four corners, pixels")
    raw: str = Field(description="the line as the recogniser wrote it")


def read_plates(rgb: np.ndarray) -> list[PlateReading]:
    """Plate candidates in an RGB image, most confident first."""
    result, _ = load_ocr()(np.ascontiguousarray(rgb))
    found: dict[str, PlateReading] = {}
    for box, text, conf in result or []:
        plate = re.sub(r"[^A-Z0-9]", "", str(text).upper())
        if not PLATE_RE.match(plate):
            continue
        reading = PlateReading(
            plate=plate,
            confidence=round(float(conf), 4),
            box=[[float(x), float(y)] for x, y in box],
            raw=str(text),
        )
        if plate not in found or found[plate].confidence < reading.confidence:
            found[plate] = reading
    return sorted(found.values(), key=lambda r: -r.confidence)


class VehicleInput(BaseModel):
    """A still of a vehicle with its plate visible."""

    model_config = ConfigDict(extra="forbid")
    image: ImageMedia
    check: bool = Field(True, description="run the best plate through the registry check chain")
    classify: bool = Field(True, description="also give the make/model top-5 from the image")


class MakeModelGuess(BaseModel):
    """One of the image classifier's top-5."""

    make: str
    model: str
    probability: float = Field(description="temperature-calibrated on the classifier's held-out split")


class VehicleOutput(BaseModel):
    """Plate readings, the image's make/model top-5, and the registry's answer for the best plate."""

    plate: str
    readings: list[PlateReading]
    make_model: list[MakeModelGuess] = Field(default_factory=list)
    registry_vehicle: str | None = Field(None, description="make and model on the registry record")
    mismatch: bool | None = Field(
        None, description="true: the record's make/model is not in the image's top-5"
    )
    registry: dict[str, Any] | None = Field(None, description="status, alerts, candidates, readback")
    record_ids: list[str] = Field(default_factory=list)
    label: str
    readback: str
    note: str


NOTE = (
    "Make/model top-5 comes from a classifier trained only on the project's rendered side views "
    "(models/cards/vehicle_make_model.md): it is not reliable on camera stills. The plate read and any "
    "mismatch are for an officer to confirm."
)


def registry_vehicle(candidates: Sequence[Any]) -> str | None:
    """'Make Model' of the first vehicle record among the chain's candidates."""
    for cand in candidates:
        for rec in (
            cand,
            cand.get("record") if isinstance(cand, dict) else None,
            *(cand.get("records", []) if isinstance(cand, dict) else []),
        ):
            if isinstance(rec, dict) and rec.get("make") and rec.get("model"):
                return f"{rec['make']} {rec['model']}"
    return None


class VehicleIdentify:
    """The ``vehicle_identify`` skill object."""

    name: ClassVar[str] = "vehicle_identify"
    description: ClassVar[str] = (
        "Read the number plate in a still image (RapidOCR PP-OCRv4) and run it through the registry "
        "check chain: make, model, colour and alerts of the record."
    )
    examples: ClassVar[tuple[str, ...]] = (
        "what car is this",
        "read the plate in this photo",
        "identify vehicle in this image",
    )
    triggers: ClassVar[tuple[str, ...]] = ("what car is this",)
    input_model: ClassVar[type[BaseModel]] = VehicleInput
    output_model: ClassVar[type[BaseModel]] = VehicleOutput
    roles: ClassVar[frozenset[str]] = frozenset({"patrol", "operator", "supervisor", "admin"})
    timeout_s: ClassVar[float] = 30.0

    def __init__(self) -> None:
        self._check_plate: Any = None

    def bind(self, context: SkillContext) -> None:
        """Take the service's plate check."""
        self._check_plate = context.check_plate

    def run(self, payload: BaseModel) -> VehicleOutput:
        """Read plates; check the best one."""
        assert isinstance(payload, VehicleInput)
        readings = read_plates(decode_image(payload.image, max_side=1920))
        if not readings:
            raise MediaError("no number plate could be read in the image", code="no_plate")
        best = readings[0]
        guesses: list[MakeModelGuess] = []
        if payload.classify:
            from analytics.vehicle.classifier import load_classifier

            rgb = decode_image(payload.image, max_side=1920)
            guesses = [
                MakeModelGuess(
                    make=label.split(" ", 1)[0], model=label.split(" ", 1)[1], probability=round(prob, 4)
                )
                for label, prob in load_classifier().top(rgb, 5)
            ]
        note = NOTE
        if not payload.check or self._check_plate is None:
            why = "not asked" if not payload.check else "no registry on this instance"
            return VehicleOutput(
                plate=best.plate,
                readings=readings,
                make_model=guesses,
                label="read",
                note=note,
                readback=f"Plate read {best.plate}; registry check {why}.",
            )
        result = self._check_plate(best.plate)
        registry = {
            "status": str(result.status),
            "alerts": list(result.alerts),
            "candidates": list(result.candidates),
            "readback": str(result.readback),
        }
        on_file = registry_vehicle(registry["candidates"])
        mismatch = None
        readback = str(result.readback)
        if on_file is not None and guesses:
            mismatch = on_file.lower() not in {f"{g.make} {g.model}".lower() for g in guesses}
            if mismatch:
                readback += (
                    f" Caution: the image does not look like the {on_file} on file for this plate;"
                    " possible cloned plate. Check the vehicle."
                )
        return VehicleOutput(
            plate=best.plate,
            readings=readings,
            make_model=guesses,
            registry=registry,
            registry_vehicle=on_file,
            mismatch=mismatch,
            record_ids=[str(r) for r in getattr(result, "record_ids", [])],
            label=str(result.status),
            readback=readback,
            note=note,
        )

    def from_text(self, text: str) -> BaseModel | None:
        """A spoken request carries no image."""
        return None


SKILL = VehicleIdentify()

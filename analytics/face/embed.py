"""Face detection and 128-d embeddings with dlib: HOG detector, 5-point landmarks, ResNet encoder.

The weights come from the ``face_recognition_models`` package (CC0 models; the 5-point
landmark model is used, not the 68-point one whose training set has a non-commercial
clause) and are verified against the sha256 in :mod:`models.catalog` before loading. The
package itself is not imported (it needs ``pkg_resources``); its directory is found with
``importlib.util.find_spec``. Loaded once per process and shared; dlib's calls here are
thread-safe for inference on separate images.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.catalog import CATALOG, verify_file

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: FaceEncoder | None = None


@dataclass(frozen=True, slots=True)
class Face:
    """One detected face: its box (left, top, right, bottom) in pixels and its embedding."""

    box: tuple[int, int, int, int]
    embedding: np.ndarray
    detector_score: float


def models_dir() -> Path:
    """Where ``face_recognition_models`` keeps its ``.dat`` files."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package face_recognition_models is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class FaceEncoder:
    """dlib HOG detector + 5-point shape predictor + ResNet face encoder."""

    def __init__(self, directory: Path | None = None) -> None:
        import dlib

        directory = directory or models_dir()
        shape_path = directory / "shape_predictor_5_face_landmarks.dat"
        resnet_path = directory / "dlib_face_recognition_resnet_model_v1.dat"
        verify_file(shape_path, CATALOG["dlib-5-point-landmarks"])
        verify_file(resnet_path, CATALOG["dlib-resnet-face-128"])
        self._dlib = dlib
        self.detector = dlib.get_frontal_face_detector()
        self.shape = dlib.shape_predictor(str(shape_path))
        self.encoder = dlib.face_recognition_model_v1(str(resnet_path))

    def faces(self, rgb: np.ndarray, *, upsample: int = 1, jitter: int = 0) -> list[Face]:
        """Every face HOG finds in an RGB ``uint8`` image, each with its 128-d embedding."""
        img = np.ascontiguousarray(rgb, dtype=np.uint8)
        rects, scores, _ = self.detector.run(img, upsample, 0.0)
        found: list[Face] = []
        for rect, score in zip(rects, scores, strict=True):
            found.append(
                Face(
                    box=(rect.left(), rect.top(), rect.right(), rect.bottom()),
                    embedding=self._embed(img, rect, jitter),
                    detector_score=float(score),
                )
            )
        found.sort(key=lambda f: -(f.box[2] - f.box[0]) * (f.box[3] - f.box[1]))
        return found

    def embed_crop(self, rgb: np.ndarray, *, jitter: int = 0) -> np.ndarray:
        """Embedding of an image that is already a face crop (the whole image is the box)."""
        img = np.ascontiguousarray(rgb, dtype=np.uint8)
        h, w = img.shape[:2]
        return self._embed(img, self._dlib.rectangle(0, 0, w - 1, h - 1), jitter)

    def _embed(self, img: np.ndarray, rect: object, jitter: int) -> np.ndarray:
        shape = self.shape(img, rect)
        vec = self.encoder.compute_face_descriptor(img, shape, jitter)
        return np.asarray(vec, dtype=np.float32)


def load_encoder() -> FaceEncoder:
    """The process-wide encoder, loaded on first use."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = FaceEncoder()
            logger.info("face encoder loaded (dlib HOG + 5-point + ResNet 128-d)")
        return _loaded


def lfw_faces() -> np.ndarray:
    """The 100 real face crops of scikit-image's ``lfw_subset`` as RGB ``uint8``, 150 x 150.

    They are 25 x 25 grey crops from Labeled Faces in the Wild, scaled up for the encoder.
    """
    from PIL import Image
    from skimage import data as skdata

    crops = skdata.lfw_subset()[:100]
    out = np.empty((len(crops), 150, 150, 3), np.uint8)
    for i, crop in enumerate(crops):
        grey = Image.fromarray((crop * 255).astype(np.uint8)).resize((150, 150), Image.Resampling.BICUBIC)
        out[i] = np.asarray(grey.convert("RGB"))
    return out


def distances(probe: np.ndarray, gallery: np.ndarray) -> np.ndarray:
    """Euclidean distances of one embedding to each row of ``gallery``."""
    if gallery.size == 0:
        return np.zeros(0, np.float32)
    return np.asarray(np.linalg.norm(gallery - probe[None, :], axis=1), dtype=np.float32)

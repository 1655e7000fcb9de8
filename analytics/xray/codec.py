"""The image format the triage skill accepts: an 8-bit RGB picture of the two attenuation maps.

Scanners export vendor formats; this project fixes one simple, lossless-able layout that a
PNG upload can carry: red = low-energy attenuation, green = high-energy attenuation, both
as ``255 - round(A * 25.5)`` (so empty belt is white and ``A`` up to 10 is kept, in steps of
0.04), blue = their mean (for a viewer). Any size is resampled to the model's 96 x 96
(0.5 cm per pixel); the model is trained on images that went through this same 8-bit
round trip, so uploads and training data match.
"""

from __future__ import annotations

import cv2
import numpy as np

from analytics.errors import SkillError
from analytics.xray.simulate import SIZE

SCALE = 25.5  # grey levels per unit of log attenuation


def to_rgb8(image: np.ndarray) -> np.ndarray:
    """2 x H x W attenuation -> H x W x 3 uint8 (R low, G high, B mean)."""
    low = 255.0 - np.clip(np.round(image[0] * SCALE), 0, 255)
    high = 255.0 - np.clip(np.round(image[1] * SCALE), 0, 255)
    return np.stack([low, high, (low + high) / 2.0], axis=-1).astype(np.uint8)


def from_rgb8(rgb: np.ndarray) -> np.ndarray:
    """H x W x 3 uint8 (as decoded, RGB order) -> 2 x 96 x 96 float32 attenuation."""
    if rgb.ndim != 3 or rgb.shape[2] < 2 or rgb.shape[0] < 8 or rgb.shape[1] < 8:
        raise SkillError(
            "an X-ray image must be a colour picture with the low- and high-energy maps in its "
            "red and green channels",
            code="bad_media",
        )
    att = (255.0 - rgb[..., :2].astype(np.float32)) / SCALE
    if att.shape[:2] != (SIZE, SIZE):
        att = np.asarray(cv2.resize(att, (SIZE, SIZE), interpolation=cv2.INTER_AREA), dtype=np.float32)
    return np.ascontiguousarray(att.transpose(2, 0, 1), dtype=np.float32)


def roundtrip(images: np.ndarray) -> np.ndarray:
    """What N x 2 x 96 x 96 images look like after the 8-bit export and import."""
    return np.stack([from_rgb8(to_rgb8(im)) for im in images]) if len(images) else images


def png_bytes(image: np.ndarray) -> bytes:
    """One simulated image as PNG bytes in the upload layout (for tests, fixtures and benchmarks)."""
    ok, buf = cv2.imencode(".png", cv2.cvtColor(to_rgb8(image), cv2.COLOR_RGB2BGR))
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return buf.tobytes()

"""Images and video handed to skills: the typed input field, type sniffing, limits, decoding.

A skill that takes media declares a field of type :class:`ImageMedia` or :class:`VideoMedia`
(or ``list[...]`` / ``... | None`` of them) in its input model. The service fills it from a
multipart upload (raw bytes) or from JSON (``{"data": "<base64>", "media_type": ...}``),
checks it with :func:`check` before the skill runs, and the skill decodes it in its worker
thread with :func:`decode_image` or :func:`iter_video`. Everything happens in memory: no
upload is written to disk here (a face probe that matches nothing must leave no file).

The media type is sniffed from the bytes; a declared type is only used for the error
message. Errors carry stable codes: ``empty_media``, ``media_too_large`` (413),
``unsupported_media_type`` (415), ``image_too_large`` (413, too many pixels),
``corrupt_media`` and ``no_frames``.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_serializer, field_validator

from analytics.errors import SkillError

logger = logging.getLogger(__name__)


class MediaKind(StrEnum):
    """What a media field holds."""

    IMAGE = "image"
    VIDEO = "video"


IMAGE_TYPES: frozenset[str] = frozenset({"image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff"})
VIDEO_TYPES: frozenset[str] = frozenset({"video/mp4", "video/quicktime", "video/x-msvideo", "video/webm",
                                         "video/x-matroska"})
ALLOWED: dict[MediaKind, frozenset[str]] = {MediaKind.IMAGE: IMAGE_TYPES, MediaKind.VIDEO: VIDEO_TYPES}


class MediaError(SkillError):
    """Media a skill cannot use: empty, too large, of the wrong type, corrupt, or without frames."""

    code = "bad_media"
    http_status = 422


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """Per-item limits, checked before a skill runs (the body limit applies on top)."""

    max_image_bytes: int = 8 << 20
    """Largest encoded image."""
    max_video_bytes: int = 20 << 20
    """Largest encoded video."""
    max_pixels: int = 40_000_000
    """Largest decoded image (width x height); stops decompression bombs."""
    max_video_frames: int = 9_000
    """Frames decoded from one video at most (5 min at 30 fps); later frames are not read."""
    max_items: int = 16
    """Media items in one call."""

    def max_bytes(self, kind: MediaKind) -> int:
        """The byte limit for one item of ``kind``."""
        return self.max_image_bytes if kind is MediaKind.IMAGE else self.max_video_bytes


DEFAULT_LIMITS = MediaLimits()


def sniff(data: bytes) -> str | None:
    """The media type the leading bytes announce, or ``None`` if they are none we know."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"BM") and len(data) > 26:
        return "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in data[:64] else "video/x-matroska"
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head[:4] in (b"fLaC", b"OggS", b"ID3\x03"):
        return "audio/other"
    return None


class Media(BaseModel):
    """One uploaded item: bytes (base64 in JSON, a file part in multipart) and its declared type."""

    model_config = ConfigDict(extra="forbid")
    kind: ClassVar[MediaKind] = MediaKind.IMAGE

    data: bytes = Field(..., repr=False, description="the file's bytes; base64 (RFC 4648) in JSON",
                        json_schema_extra={"type": "string", "format": "byte", "contentEncoding": "base64"})
    media_type: str | None = Field(None, max_length=100, description="declared type, e.g. image/jpeg "
                                   "(the bytes are sniffed; this is a hint)")
    filename: str | None = Field(None, max_length=255, description="the caller's file name, not stored")
    _limits: MediaLimits = PrivateAttr(default=DEFAULT_LIMITS)
    _sniffed: str | None = PrivateAttr(default=None)

    @field_validator("data", mode="before")
    @classmethod
    def _decode_base64(cls, value: Any) -> Any:
        # JSON gives a base64 string; multipart gives the raw bytes, taken as they are.
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError) as err:
                raise ValueError("data is not valid base64") from err
        return value

    @field_serializer("data")
    def _encode_base64(self, value: bytes) -> str:
        return base64.b64encode(value).decode("ascii")

    @property
    def limits(self) -> MediaLimits:
        """The limits this item was checked against."""
        return self._limits

    @property
    def sniffed_type(self) -> str | None:
        """The type sniffed from the bytes by :func:`check`."""
        return self._sniffed if self._sniffed is not None else sniff(self.data)

    def describe(self) -> dict[str, Any]:
        """Type and size only (what the audit log keeps about the item)."""
        return {"kind": str(self.kind), "media_type": self.sniffed_type, "bytes": len(self.data)}


class ImageMedia(Media):
    """A still image: JPEG, PNG, WebP, BMP or TIFF."""

    kind: ClassVar[MediaKind] = MediaKind.IMAGE


class VideoMedia(Media):
    """A video file: MP4/MOV, AVI, WebM or Matroska."""

    kind: ClassVar[MediaKind] = MediaKind.VIDEO


@dataclass(frozen=True, slots=True)
class MediaField:
    """A media field of a skill's input model."""

    name: str
    kind: MediaKind
    many: bool


def _media_class(annotation: Any) -> tuple[type[Media], bool] | None:
    if isinstance(annotation, type) and issubclass(annotation, Media):
        return annotation, False
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, tuple) and args:
        inner = _media_class(args[0])
        return (inner[0], True) if inner else None
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is not type(None) and (inner := _media_class(arg)):
                return inner
    return None


def media_fields(model: type[BaseModel]) -> list[MediaField]:
    """The media fields of an input model (empty for text-only skills)."""
    found: list[MediaField] = []
    for name, info in model.model_fields.items():
        hit = _media_class(info.annotation)
        if hit is not None:
            found.append(MediaField(name=name, kind=hit[0].kind, many=hit[1]))
    return found


def items_of(payload: BaseModel) -> list[tuple[str, Media]]:
    """Every media item of a validated input, with its field name."""
    out: list[tuple[str, Media]] = []
    for f in media_fields(type(payload)):
        value = getattr(payload, f.name, None)
        if value is None:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            out.append((f.name, item))
    return out


def check(payload: BaseModel, limits: MediaLimits = DEFAULT_LIMITS) -> list[dict[str, Any]]:
    """Check every media item of ``payload`` against ``limits``; returns what the audit keeps.

    Cheap: images are sized from their header, nothing is decoded.
    """
    items = items_of(payload)
    if len(items) > limits.max_items:
        raise MediaError(f"at most {limits.max_items} media items per call", code="too_many_media",
                         http_status=413)
    described: list[dict[str, Any]] = []
    for field, item in items:
        check_item(item, limits, field=field)
        described.append({"field": field, **item.describe()})
    return described


def check_item(item: Media, limits: MediaLimits = DEFAULT_LIMITS, *, field: str = "media") -> None:
    """Size, type and (for images) pixel count of one item; records the limits on it."""
    kind = item.kind
    if not item.data:
        raise MediaError(f"{field}: the upload is empty (0 bytes)", code="empty_media")
    if len(item.data) > limits.max_bytes(kind):
        raise MediaError(f"{field}: {kind} over {limits.max_bytes(kind)} bytes", code="media_too_large",
                         http_status=413)
    sniffed = sniff(item.data)
    allowed = ALLOWED[kind]
    if sniffed is None:
        declared = (item.media_type or "").split(";")[0].strip().lower()
        if declared and declared not in allowed and not declared.startswith(f"{kind}/"):
            raise MediaError(f"{field}: media type {declared[:60]} is not accepted; send one of "
                             f"{', '.join(sorted(allowed))}", code="unsupported_media_type", http_status=415)
        raise MediaError(f"{field}: the bytes are not a {kind} file this service can read "
                         f"({', '.join(sorted(allowed))})", code="corrupt_media")
    if sniffed not in allowed:
        raise MediaError(f"{field}: got {sniffed}, expected {kind} ({', '.join(sorted(allowed))})",
                         code="unsupported_media_type", http_status=415)
    item._sniffed = sniffed
    item._limits = limits
    if kind is MediaKind.IMAGE:
        width, height = _image_size(item.data, field)
        if width * height > limits.max_pixels:
            raise MediaError(f"{field}: {width}x{height} is over {limits.max_pixels} pixels",
                             code="image_too_large", http_status=413)


def _image_size(data: bytes, field: str) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:  # header only
            return int(img.size[0]), int(img.size[1])
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        raise MediaError(f"{field}: the image header cannot be read", code="corrupt_media") from err
    except Image.DecompressionBombError as err:
        raise MediaError(f"{field}: the image is too large to decode", code="image_too_large",
                         http_status=413) from err


def decode_image(item: Media, *, max_side: int | None = None) -> np.ndarray:
    """Decode to an RGB ``uint8`` array (H, W, 3), EXIF orientation applied.

    ``max_side`` shrinks larger images (aspect kept) to bound the work done on them.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if item._sniffed is None:
        check_item(item, item.limits)
    Image.MAX_IMAGE_PIXELS = item.limits.max_pixels
    try:
        with Image.open(io.BytesIO(item.data)) as img:
            img.load()
            rgb = ImageOps.exif_transpose(img).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        raise MediaError("the image is corrupt or truncated and cannot be decoded",
                         code="corrupt_media") from err
    if max_side is not None and max(rgb.size) > max_side:
        rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return np.asarray(rgb, dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """One decoded frame: its index in the file, its time and its RGB pixels."""

    index: int
    t: float
    rgb: np.ndarray


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What the container says about its first video stream."""

    fps: float
    width: int
    height: int
    frames: int | None
    duration_s: float | None


def video_info(item: Media) -> VideoInfo:
    """Frame rate, size and (when declared) frame count and duration, without decoding."""
    import av

    try:
        with av.open(io.BytesIO(item.data), mode="r") as container:
            stream = _video_stream(container)
            rate = float(stream.average_rate or stream.guessed_rate or 0) or 25.0
            duration = (float(stream.duration * stream.time_base)
                        if stream.duration and stream.time_base else None)
            return VideoInfo(fps=rate, width=int(stream.width), height=int(stream.height),
                             frames=int(stream.frames) or None, duration_s=duration)
    except MediaError:
        raise
    except (av.error.FFmpegError, ValueError, OSError) as err:
        raise _unreadable() from err


def _unreadable() -> MediaError:
    return MediaError("the video is corrupt or its container cannot be read", code="corrupt_media")


def _video_stream(container: Any) -> Any:
    streams = list(container.streams.video)
    if not streams:
        raise MediaError("the file holds no video stream", code="no_frames")
    return streams[0]


def iter_video(item: Media, *, step: int = 1, max_side: int | None = None) -> Iterator[VideoFrame]:
    """Decode frames in memory (every ``step``-th), up to the item's ``max_video_frames``.

    Raises ``no_frames`` if the file decodes to no frame at all, ``corrupt_media`` if it
    cannot be opened or breaks before its first frame.
    """
    import av

    if item._sniffed is None:
        check_item(item, item.limits, field="video")
    limit = item.limits.max_video_frames
    produced = 0
    try:
        container = av.open(io.BytesIO(item.data), mode="r")
    except (av.error.FFmpegError, ValueError, OSError) as err:
        raise _unreadable() from err
    try:
        stream = _video_stream(container)
        rate = float(stream.average_rate or stream.guessed_rate or 0) or 25.0
        index = 0
        try:
            for frame in container.decode(stream):
                if index >= limit:
                    logger.info("video: stopped after %d frames (limit)", limit)
                    break
                if index % step == 0:
                    image = frame.to_image()
                    if max_side is not None and max(image.size) > max_side:
                        image.thumbnail((max_side, max_side))
                    t = float(frame.time) if frame.time is not None else index / rate
                    produced += 1
                    yield VideoFrame(index=index, t=t, rgb=np.asarray(image.convert("RGB"), dtype=np.uint8))
                index += 1
        except (av.error.FFmpegError, ValueError, OSError) as err:
            if produced == 0:
                raise MediaError("the video is corrupt and no frame could be decoded",
                                 code="corrupt_media") from err
            logger.info("video: decoding stopped at frame %d (%s)", index, type(err).__name__)
    finally:
        container.close()
    if produced == 0:
        raise MediaError("the video has no frames", code="no_frames")

"""Errors of the voice layer: audio that cannot be decoded, a recogniser that failed."""

from __future__ import annotations

from common.errors import PatrolError


class AudioError(PatrolError):
    """Audio that cannot be decoded in the declared format."""

    code = "bad_audio"
    http_status = 400


class TranscriptionError(PatrolError):
    """The speech recogniser failed on an utterance."""

    code = "transcription_failed"
    http_status = 500


class SynthesisError(PatrolError):
    """Speech synthesis of an answer failed or took too long; the session goes on."""

    code = "tts_failed"
    http_status = 500

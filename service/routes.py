"""Plain HTTP routes of the voice side: transcription of a file, liveness and readiness."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Request, UploadFile
from pydantic import BaseModel, Field

from service.app import ServicesDep
from service.auth import Role, require
from voice.audiofile import read_audio
from voice.errors import AudioError

router = APIRouter()


class TranscribeResponse(BaseModel):
    """Transcript of an uploaded audio file."""

    text: str
    confidence: float = Field(ge=0.0, le=1.0)
    alternatives: list[str] = Field(default_factory=list)
    audio_seconds: float
    elapsed_seconds: float


TRANSCRIBE_ROLES = (Role.PATROL, Role.GATEWAY, Role.OPERATOR, Role.SUPERVISOR)


@router.post("/v1/transcribe", response_model=TranscribeResponse, tags=["voice"],
             dependencies=[Depends(require(*TRANSCRIBE_ROLES))])
async def transcribe(services: ServicesDep, request: Request, file: UploadFile) -> TranscribeResponse:
    """Transcribe one uploaded audio file (WAV PCM16/G.711, FLAC or OGG)."""
    limit = services.settings.auth.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise AudioError(f"upload larger than {limit} bytes", code="too_large", http_status=413)
    audio = read_audio(data)
    t0 = time.perf_counter()
    result = await services.pool.run(services.transcriber.transcribe, audio)
    alternatives = await services.pool.run(services.transcriber.refine, audio, result) if result.text else ()
    return TranscribeResponse(
        text=result.text, confidence=round(result.confidence, 3), alternatives=list(alternatives),
        audio_seconds=round(len(audio) / 16000, 3), elapsed_seconds=round(time.perf_counter() - t0, 3),
    )


@router.get("/healthz", tags=["ops"])
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}

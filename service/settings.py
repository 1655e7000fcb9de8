"""Service configuration: one pydantic-settings ``Settings`` with nested sections.

Environment variables use the ``PATROL_`` prefix and ``__`` for nesting, for example
``PATROL_STT__MODEL=base`` or ``PATROL_REGISTRY__URL=postgresql+psycopg://...``.
Settings are built in :func:`service.app.create_app`, never at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from voice.session import SessionOptions

# The voice layer's option defaults are the one source of the audio settings' defaults.
_SESSION = SessionOptions()
_EP = _SESSION.endpointer


class AudioSettings(BaseModel):
    """Decoding, endpointing and admission limits for radio audio.

    Field names match :class:`voice.session.SessionOptions` and its endpointer options, and
    their defaults are taken from there (``SessionOptions.from_settings`` reads them back).
    """

    max_frame_bytes: int = Field(1 << 20, description="largest binary websocket frame accepted (bytes)")
    vad_aggressiveness: int = Field(_EP.aggressiveness, ge=0, le=3,
                                    description="webrtcvad mode, 0 (lenient) to 3 (strict)")
    preroll_ms: int = Field(_EP.preroll_ms, description="audio kept before the detected speech start")
    tail_ms: int = Field(_EP.tail_ms,
                         description="audio kept after the last voiced frame (at most the hang-over)")
    hangover_ms: int = Field(_EP.hangover_ms,
                             description="silence that ends an utterance when no PTT is used")
    min_speech_ms: int = Field(_EP.min_speech_ms,
                               description="shorter bursts (clicks, breaths) are not utterances")
    max_utterance_s: float = Field(_EP.max_utterance_s, description="an utterance longer than this is cut")
    partial_interval_s: float = Field(_SESSION.partial_interval_s,
                                      description="seconds of new audio between partial transcripts")
    speculate_after_ms: int = Field(_SESSION.speculate_after_ms, description=(
        "silence after speech (key still held) after which the final decode starts early"))
    join_window_s: float = Field(_SESSION.join_window_s, ge=0, description=(
        "an utterance that only opened a request ('Control, run plate') is read "
        "with the next one if it follows within this many seconds, has no keyword of its own and is not "
        "plainly another kind of check; 0: off"))
    frame_gap_ms: int = Field(_SESSION.frame_gap_ms, ge=0, description=(
        "wall time with no audio frame after which the gap counts as silence "
        "(gateways with silence suppression stop sending); shorter gaps are jitter; 0: off"))
    denoise: Literal["off", "auto", "on"] = Field("off", description="noisereduce policy; see README figures")
    denoise_snr_db: float = Field(12.0, description="auto mode denoises only below this estimated SNR")


class SttSettings(BaseModel):
    """Speech recognition model and decoding options."""

    model: str = Field("radio-tiny-v5", description=(
        "'radio-tiny-v5' (the project's own, trained for radio queries and replies, its encoder "
        "too: models/asr/radio-tiny-v5.md), its predecessors 'radio-tiny-v1' to 'v4', "
        "'tiny.en', 'base' or a path to a CTranslate2 model directory"))
    language: str | None = Field("en", description="decode language; None lets a multilingual model detect")
    compute_type: str = "int8"
    cpu_threads: int = Field(0, description="threads per decode; 0 = all cores / workers")
    workers: int = Field(2, ge=1, description="concurrent decodes (bounded worker pool)")
    beam_size: int = 1
    spelling_pass: bool = Field(True, description="constrained second decode over spelled alphanumerics")
    spelling_model: str = Field("base", description=(
        "a second model whose constrained spelling pass runs beside the recogniser's own: 'base' "
        "read more spelled plates and licences right on the fixture audio, at about 0.7 s more "
        "per unclear plate on 2 cores (README); '' for the recogniser's pass alone. Not used by "
        "the project's own models, which need no spelling pass"))
    max_sessions: int = Field(24, description="open radio sessions before new ones get 'busy'")
    max_queue: int = Field(16, description="queued final decodes before new sessions get 'busy'")
    admit_wait_s: float = Field(1.5, ge=0, description=(
        "estimated wait of a new utterance (queued audio / measured throughput) past which new "
        "sessions get 'busy' and open ones 'degraded'; 0: no latency bound"))

    def loader_options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`voice.loading.load_transcriber`."""
        return {"model": self.model, "compute_type": self.compute_type, "cpu_threads": self.cpu_threads,
                "workers": self.workers, "beam_size": self.beam_size, "spelling_pass": self.spelling_pass,
                "spelling_model": self.spelling_model, "language": self.language}


class TtsSettings(BaseModel):
    """The answer spoken back over the radio (``answer_audio`` in ``start``): espeak-ng."""

    enabled: bool = Field(True, description="offer answer_audio; off: a start asking for it gets an error")
    voice: str = Field("en-us", description="espeak-ng voice for the answer")
    wpm: int = Field(160, ge=80, le=400, description="speaking rate of ordinary phrases (words per minute)")
    spelled_wpm: int = Field(150, ge=80, le=400, description="speaking rate of spelled plates and licences")
    spelled_word_gap_10ms: int = Field(2, ge=0, le=50, description="pause between spelled words, 10 ms units")
    max_answer_s: float = Field(6.0, gt=0, description="detail phrases are dropped past this answer length")
    timeout_s: float = Field(4.0, gt=0, description="an answer not synthesised in this time is not spoken")
    workers: int = Field(2, ge=1, description="answers synthesised at once (process-wide)")
    max_queue: int = Field(8, ge=0, description="answers waiting for synthesis before new ones get tts_busy")
    lead_ms: int = Field(200, ge=0, description="answer audio sent at once before real-time pacing")


class RegistrySettings(BaseModel):
    """Registry and audit database."""

    url: str = Field("sqlite:///var/patrol.sqlite3", description="SQLAlchemy URL; PostgreSQL in production")
    echo: bool = False
    workers: int = Field(4, ge=1, description=(
        "registry lookups, parses and embeddings running at once (bounded pool, beside the ASR pool)"))
    max_queue: int = Field(64, ge=0, description="lookups waiting for a worker before new ones get 'busy'")


class AuthSettings(BaseModel):
    """Authentication and request limits."""

    enabled: bool = True
    rate_per_minute: int = Field(600, description="requests per token per minute")
    max_body_bytes: int = Field(1 << 20, description="largest JSON body accepted")
    max_upload_bytes: int = Field(20 << 20, description="largest file upload accepted")
    revocation_poll_s: float = Field(2.0, gt=0, description=(
        "how often open websockets' tokens are re-checked: a revoked or expired token's session is "
        "closed with 4401 within about this time, on every replica"))


class RouterSettings(BaseModel):
    """Intent routing: lookup parser first, then skills by rule, then by meaning."""

    semantic: bool = Field(True, description="match skills by MiniLM similarity to their examples")
    skill_threshold: float = Field(0.55, ge=0.0, le=1.0, description="cosine similarity to pick a skill")
    min_confidence: float = Field(0.35, ge=0.0, le=1.0, description="lookup intents below this get 'clarify'")
    confirm_confidence: float = Field(0.5, ge=0.0, le=1.0, description=(
        "a spoken 'affirm' after a clarify runs the offered record only at or above this transcript "
        "confidence; below, the offer stands and the officer is asked 'affirm or negative?'"))
    rescore: bool = Field(False, description=(
        "let forced alignment choose among plate/licence readings and the records they point at; "
        "off: no measured gain on the fixture audio, about 0.38 s per unclear plate (README)"))
    rescore_names: bool = Field(True, description=(
        "when a spoken person check does not name one person exactly, score the names on file for "
        "the heard date of birth against the audio and take one the audio clearly prefers (README)"))
    near_miss_by_sound: bool = Field(True, description=(
        "when no reading of a spoken plate or licence is on file but records one symbol away are, "
        "score them against the audio and take one the audio clearly prefers to every reading (README)"))
    names_limit: int = Field(40, ge=1, le=200, description=(
        "names on file scored per person check (about 30 ms each on 2 cores): fewer is faster, "
        "but a registry with more persons per birthday than this may miss the right one"))


class SkillSettings(BaseModel):
    """The bounded worker pool skills run in, and each skill's own options."""

    workers: int = Field(2, ge=1, description="skills running at once")
    max_queue: int = Field(8, ge=0, description="skill calls waiting for a worker before new ones get 'busy'")
    max_timeout_s: float = Field(60.0, gt=0, description="upper bound on any skill's own timeout")
    options: dict[str, dict[str, Any]] = Field(default_factory=dict, description=(
        "per-skill options, handed to the skill's bind() (e.g. PATROL_SKILLS__OPTIONS__FACE_WATCH__"
        "MAX_ENROLLED=500); each skill documents and validates its own"))


class MediaSettings(BaseModel):
    """Images and video uploaded to skills (the body limit is auth.max_upload_bytes)."""

    max_image_bytes: int = Field(8 << 20, ge=1, description="largest encoded image")
    max_video_bytes: int = Field(20 << 20, ge=1, description="largest encoded video")
    max_pixels: int = Field(40_000_000, ge=1, description="largest decoded image, width x height")
    max_video_frames: int = Field(9_000, ge=1, description="frames decoded from one video at most")
    max_items: int = Field(16, ge=1, description="media items in one skill call")


class EventSettings(BaseModel):
    """The live event feed (WS /v1/events)."""

    channel: str = Field("patrol:events", description="Redis pub/sub channel when redis_url is set")
    subscriber_queue: int = Field(1000, ge=1, description="events buffered per console before dropping")


class TlsSettings(BaseModel):
    """HTTPS and WSS on the service's own port (TLS 1.2 or later only)."""

    cert_file: Path | None = Field(None, description="PEM certificate chain; with key_file: serve TLS")
    key_file: Path | None = Field(None, description="PEM private key of cert_file")
    hsts_max_age_s: int = Field(31_536_000, ge=0, description=(
        "Strict-Transport-Security max-age sent on the console routes over HTTPS; 0: not sent"))


class RetentionSettings(BaseModel):
    """How long personal data is kept (docs/security.md)."""

    audit_text_days: float = Field(365.0, gt=0, description=(
        "audit entries older than this lose query text, transcript, slots, subjects and reason; "
        "the hash chain stays verifiable"))
    face_probe_hours: float = Field(744.0, gt=0, description=(
        "matched face probes are deleted after this many hours (unmatched probes are never kept)"))
    interval_hours: float = Field(24.0, ge=0, description="run retention in the service this often; 0: off")


class DisclosureSettings(BaseModel):
    """Subject-access export bundles (GET /v1/audit/export)."""

    signing_key_file: Path | None = Field(None, description=(
        "Ed25519 private key (PEM, PKCS#8) that signs export bundles; unset: data_dir/"
        "disclosure-ed25519.pem, created on first use"))


class Settings(BaseSettings):
    """All settings of one service instance."""

    model_config = SettingsConfigDict(env_prefix="PATROL_", env_nested_delimiter="__", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("var")
    log_level: str = "INFO"
    redis_url: str | None = None
    audio: AudioSettings = AudioSettings()
    stt: SttSettings = SttSettings()
    registry: RegistrySettings = RegistrySettings()
    auth: AuthSettings = AuthSettings()
    router: RouterSettings = RouterSettings()
    tts: TtsSettings = TtsSettings()
    skills: SkillSettings = SkillSettings()
    media: MediaSettings = MediaSettings()
    events: EventSettings = EventSettings()
    tls: TlsSettings = TlsSettings()
    retention: RetentionSettings = RetentionSettings()
    disclosure: DisclosureSettings = DisclosureSettings()

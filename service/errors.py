"""One error tree for the whole service.

Every error carries a stable machine-readable ``code`` and a client-safe ``message``.
Library exceptions are converted at the boundary (``raise RegistryError(...) from err``);
one top-level handler per transport turns a :class:`PatrolError` into
``{"type": "error", "code": ..., "message": ...}``. Messages never contain personal data.
"""

from __future__ import annotations


class PatrolError(Exception):
    """Base class: an error with a stable code that is safe to show a client."""

    code: str = "internal"
    http_status: int = 500

    def __init__(self, message: str, *, code: str | None = None, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status

    def to_event(self) -> dict[str, str]:
        """The wire form of this error (protocol v1 ``error`` event)."""
        return {"type": "error", "code": self.code, "message": self.message}


class ProtocolError(PatrolError):
    """A client message that does not follow wire protocol v1."""

    code = "bad_message"
    http_status = 400


class AudioError(PatrolError):
    """Audio that cannot be decoded in the declared format."""

    code = "bad_audio"
    http_status = 400


class TranscriptionError(PatrolError):
    """The speech recogniser failed on an utterance."""

    code = "transcription_failed"
    http_status = 500


class OverloadedError(PatrolError):
    """No capacity for more work right now; the client should retry later."""

    code = "busy"
    http_status = 503


class RegistryError(PatrolError):
    """The registry store failed or was unreachable."""

    code = "registry_unavailable"
    http_status = 503


class IntentError(PatrolError):
    """A query that could not be understood or routed."""

    code = "bad_query"
    http_status = 422


class SkillError(PatrolError):
    """A skill refused its input or failed to run."""

    code = "skill_failed"
    http_status = 422


class AuthError(PatrolError):
    """Missing or wrong credentials."""

    code = "unauthorized"
    http_status = 401


class ForbiddenError(PatrolError):
    """Valid credentials, but the role may not do this."""

    code = "forbidden"
    http_status = 403


class AuditError(PatrolError):
    """The audit log could not be written; the query fails closed."""

    code = "audit_unavailable"
    http_status = 503

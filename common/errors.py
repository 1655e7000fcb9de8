"""The root of the error tree, shared by every layer.

Every error carries a stable machine-readable ``code`` and a client-safe ``message``.
Each layer owns its own subclasses (``voice/errors.py``, ``lookup/errors.py``,
``analytics/errors.py``, ``service/errors.py``); library exceptions are converted at the
boundary (``raise RegistryError(...) from err``). One top-level handler per transport turns
a :class:`PatrolError` into ``{"type": "error", "code": ..., "message": ...}``. Messages
never contain personal data. ``http_status`` is the class of failure (client error,
unavailable, ...) expressed as the HTTP status a transport should use.
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


class OverloadedError(PatrolError):
    """No capacity for more work right now; the client should retry later."""

    code = "busy"
    http_status = 503

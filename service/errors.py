"""Errors the service itself owns: the wire protocol, authentication and the audit log.

The root (:class:`common.errors.PatrolError`) and the lower layers' errors live in their own
layers; the service imports them from there.
"""

from __future__ import annotations

from common.errors import PatrolError


class ProtocolError(PatrolError):
    """A client message that does not follow wire protocol v1."""

    code = "bad_message"
    http_status = 400


class AuthError(PatrolError):
    """Missing or wrong credentials."""

    code = "unauthorized"
    http_status = 401


class ForbiddenError(PatrolError):
    """Valid credentials, but the role may not do this."""

    code = "forbidden"
    http_status = 403


class DegradedError(PatrolError):
    """The service is past its latency bound: answers come late and from the first pass only."""

    code = "degraded"
    http_status = 503


class AuditError(PatrolError):
    """The audit log could not be written; the query fails closed."""

    code = "audit_unavailable"
    http_status = 503

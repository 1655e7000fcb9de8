"""Errors of the lookup layer: an unreachable registry, a query that cannot be understood."""

from __future__ import annotations

from common.errors import PatrolError


class RegistryError(PatrolError):
    """The registry store failed or was unreachable."""

    code = "registry_unavailable"
    http_status = 503


class StaleConnection(RegistryError):
    """A pooled connection was found dead in use (a restart or failover); a retry gets a new one."""


class IntentError(PatrolError):
    """A query that could not be understood or routed."""

    code = "bad_query"
    http_status = 422

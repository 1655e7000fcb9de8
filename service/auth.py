"""Bearer-token authentication, role checks and per-token rate limits.

Tokens are ``ptl_`` plus 32 random bytes (URL-safe base64). Only their SHA-256 is stored,
so a database dump does not reveal usable tokens; ``patrol token create`` prints a token
once. HTTP routes take ``Authorization: Bearer <token>``; websockets also accept
``?token=`` because radio gateways often cannot set headers (the token is never logged:
the access log in :mod:`service.logging` drops query strings).

A missing or unknown token is 401 (close code 4401 on websockets), a known token with the
wrong role 403 (4403), too many requests 429. Resolved tokens are cached for
``_CACHE_TTL_S`` seconds (a cached token still stops at its expiry); the revocation watch
(:mod:`service.revocation`) evicts revoked tokens from every replica's cache and closes
their open websockets within seconds. Rate limits are per token and per replica (a token
bucket in memory).

Lifecycle: ``rotate`` issues a replacement with the same role, officer, unit and channel
scope, and cuts the old token's life down to a grace period, so a gateway can be
reconfigured without a gap. ``last_used_at`` is refreshed whenever a replica resolves the
token afresh (so to within the cache time). A token may be scoped to radio channels
(``channels``): a radio session on another channel is refused.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any

from fastapi import Depends, Request, WebSocket
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.errors import PatrolError
from service.errors import AuthError, ForbiddenError
from service.tokens import (
    ALL_ROLES,
    TOKEN_PREFIX,
    Principal,
    Role,
    TokenInfo,
    TokenStore,
    hash_token,
    new_token,
)

# The token store moved to service.tokens; these names stay importable from here.
__all__ = ["ALL_ROLES", "CONSOLE_SUBPROTOCOL", "TOKEN_PREFIX", "WS_FORBIDDEN", "WS_UNAUTHORIZED",
           "Authenticator", "Principal", "RateLimitedError", "RateLimiter", "Role", "TokenInfo",
           "TokenStore", "console_subprotocol", "hash_token", "new_token", "require", "websocket_token"]

logger = logging.getLogger(__name__)

WS_UNAUTHORIZED = 4401
WS_FORBIDDEN = 4403
CONSOLE_SUBPROTOCOL = "patrol.v1"


class RateLimitedError(PatrolError):
    """Too many requests for one token."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many requests for this token; retry later")
        self.retry_after = retry_after


class RateLimiter:
    """Token bucket per key: ``per_minute`` sustained, bursts up to the same number."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(max(per_minute, 1))
        self.rate = self.capacity / 60.0
        self._buckets: dict[Any, tuple[float, float]] = {}

    def take(self, key: Any) -> float | None:
        """Spend one request; returns ``None`` if allowed, else seconds until one is."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens - 1.0, now)
        return None


class Authenticator:
    """Token resolution, role check and rate limit, shared by HTTP and websockets."""

    def __init__(self, store: TokenStore, *, enabled: bool = True, rate_per_minute: int = 600) -> None:
        self.store = store
        self.enabled = enabled
        self.limiter = RateLimiter(rate_per_minute)
        if not enabled:
            logger.warning("authentication is DISABLED: every caller is treated as admin")

    async def authenticate(self, token: str | None, roles: Iterable[str]) -> Principal:
        """Return the principal for ``token`` if it may act in one of ``roles``; raise otherwise."""
        if not self.enabled:
            return Principal(token_id=0, officer="anonymous", role=Role.ADMIN.value)
        if not token:
            raise AuthError("missing bearer token")
        principal = await self.store.resolve(token.strip())
        if principal is None:
            raise AuthError("invalid or revoked token")
        if principal.role not in set(roles):
            raise ForbiddenError("this token's role may not use this endpoint")
        wait = self.limiter.take(principal.token_id)
        if wait is not None:
            raise RateLimitedError(wait)
        return principal


_bearer = HTTPBearer(auto_error=False, description="API token from `patrol token create`")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _authenticator(request: Request) -> Authenticator:
    auth: Authenticator = request.app.state.services.core.auth
    return auth


def require(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that authenticates the request and checks its role is one of ``roles``."""
    allowed = frozenset(roles)
    unknown = allowed - ALL_ROLES
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    async def dependency(request: Request, credentials: BearerDep) -> Principal:
        token = credentials.credentials if credentials is not None else None
        principal = await _authenticator(request).authenticate(token, allowed)
        request.state.principal = principal
        return principal

    dependency.__name__ = "require_" + "_".join(sorted(allowed))
    return dependency


def _offered_protocols(websocket: WebSocket) -> list[str]:
    raw = websocket.headers.get("sec-websocket-protocol", "")
    return [p.strip() for p in raw.split(",") if p.strip()]


def console_subprotocol(websocket: WebSocket) -> str | None:
    """``patrol.v1`` when the client offered it (browsers: the token rides as a subprotocol)."""
    return CONSOLE_SUBPROTOCOL if CONSOLE_SUBPROTOCOL in _offered_protocols(websocket) else None


def websocket_token(websocket: WebSocket) -> str | None:
    """The token from ``Authorization: Bearer``, the ``bearer.<token>`` subprotocol that
    browsers use (they cannot set headers, and a URL would put the token in history), or
    ``?token=``."""
    header = websocket.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if console_subprotocol(websocket):
        for offered in _offered_protocols(websocket):
            if offered.startswith("bearer.") and len(offered) > len("bearer."):
                return offered[len("bearer."):]
    return websocket.query_params.get("token") or None


async def authenticate_websocket(websocket: WebSocket, roles: Iterable[str]) -> Principal | None:
    """Check a websocket's token and role before it is used.

    On failure the socket is accepted and closed at once with 4401 (no or bad token),
    4403 (wrong role) or 4429 (rate limited), so clients can tell the cases apart;
    returns ``None`` then. On success the caller accepts the socket itself.
    """
    auth: Authenticator = websocket.app.state.services.core.auth
    try:
        return await auth.authenticate(websocket_token(websocket), roles)
    except PatrolError as err:
        code = {AuthError: WS_UNAUTHORIZED, ForbiddenError: WS_FORBIDDEN}.get(type(err), 4429)
        from service import metrics

        metrics.count_error(err.code)
        await websocket.accept(subprotocol=console_subprotocol(websocket))
        await websocket.close(code=code, reason=err.message)
        return None

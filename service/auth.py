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

import asyncio
import hashlib
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request, WebSocket
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from common.errors import PatrolError
from service.errors import AuthError, ForbiddenError
from service.records import ApiToken

logger = logging.getLogger(__name__)

_CACHE_TTL_S = 30.0
_CACHE_SIZE = 4096
TOKEN_PREFIX = "ptl_"
WS_UNAUTHORIZED = 4401
WS_FORBIDDEN = 4403
CONSOLE_SUBPROTOCOL = "patrol.v1"


class Role(StrEnum):
    """Who a token speaks for."""

    PATROL = "patrol"  # officers: radio and typed queries, some skills
    GATEWAY = "gateway"  # radio gateways streaming talkgroup audio
    OPERATOR = "operator"  # HQ console: live feed, skills, metrics
    SUPERVISOR = "supervisor"  # reads the audit log
    ADMIN = "admin"  # operations: everything except speaking on the radio


ALL_ROLES: frozenset[str] = frozenset(r.value for r in Role)


class RateLimitedError(PatrolError):
    """Too many requests for one token."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many requests for this token; retry later")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller behind a token."""

    token_id: int
    officer: str
    role: str
    unit: str | None = None
    channels: frozenset[str] | None = None  # radio channels this token may use; None: any
    expires_at: datetime | None = None

    def may_use_channel(self, channel: str | None) -> bool:
        """True when this token may open a radio session on ``channel``."""
        return self.channels is None or (channel is not None and channel in self.channels)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What ``patrol token list`` shows of one token (never its secret or hash)."""

    id: int
    prefix: str
    role: str
    officer: str
    unit: str | None
    channels: list[str] | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    rotated_from: int | None

    def state(self, now: datetime | None = None) -> str:
        """active, expired or revoked."""
        now = now or datetime.now(UTC)
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and _aware(self.expires_at) <= now:
            return "expired"
        return "active"


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _channels(raw: str | None) -> frozenset[str] | None:
    if raw is None:
        return None
    return frozenset(c for c in raw.split(",") if c)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token secret (what the database stores)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token secret."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class TokenStore:
    """Issue, resolve and revoke tokens in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: OrderedDict[str, tuple[float, Principal | None]] = OrderedDict()

    def create(self, *, role: str, officer: str, unit: str | None = None,
               expires_days: float | None = None, channels: Iterable[str] | None = None,
               rotated_from: int | None = None, expires_at: datetime | None = None) -> str:
        """Store a new token for ``officer`` with ``role`` and return its secret (shown once).

        ``channels`` scopes it to those radio channels (for a gateway); ``None``: any."""
        if role not in ALL_ROLES:
            raise ValueError(f"role must be one of {', '.join(sorted(ALL_ROLES))}")
        scope = None
        if channels is not None:
            names = sorted({c.strip() for c in channels if c.strip()})
            if not names or any("," in c for c in names):
                raise ValueError("channels must be non-empty names without commas")
            scope = ",".join(names)
        token = new_token()
        now = datetime.now(UTC)
        if expires_at is None and expires_days:
            expires_at = now + timedelta(days=expires_days)
        row = ApiToken(
            token_hash=hash_token(token),
            prefix=token[: len(TOKEN_PREFIX) + 6],
            role=role,
            officer=officer,
            unit=unit,
            created_at=now,
            expires_at=expires_at,
            channels=scope,
            rotated_from=rotated_from,
        )
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            session.add(row)
        logger.info("token created: id=%s role=%s", row.id, role)
        return token

    def revoke(self, prefix: str) -> int:
        """Revoke every token starting with ``prefix``; returns how many."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                update(ApiToken).where(ApiToken.prefix == prefix, ApiToken.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        self._cache.clear()
        return int(getattr(result, "rowcount", 0) or 0)

    def rotate(self, prefix: str, *, grace_hours: float) -> str:
        """Issue a replacement for the one active token starting with ``prefix`` and let the old
        one expire after ``grace_hours`` (or earlier, if it already would); returns the new secret.
        The new token keeps the old one's lifetime length, if it had one."""
        now = datetime.now(UTC)
        with Session(self.engine) as session:
            rows = [r for r in session.scalars(select(ApiToken).where(
                ApiToken.prefix == prefix, ApiToken.revoked_at.is_(None)))
                if r.expires_at is None or _aware(r.expires_at) > now]
        if len(rows) != 1:
            raise LookupError(f"{len(rows)} active tokens start with this prefix; rotate needs exactly one")
        old = rows[0]
        lifetime = _aware(old.expires_at) - _aware(old.created_at) if old.expires_at else None
        token = self.create(role=old.role, officer=old.officer, unit=old.unit,
                            channels=sorted(_channels(old.channels) or ()) or None, rotated_from=old.id,
                            expires_at=now + lifetime if lifetime else None)
        grace_end = now + timedelta(hours=grace_hours)
        if old.expires_at is None or _aware(old.expires_at) > grace_end:
            with Session(self.engine) as session, session.begin():
                session.execute(update(ApiToken).where(ApiToken.id == old.id).values(expires_at=grace_end))
        self._cache.clear()
        logger.info("token rotated: id=%s -> %s, grace %.1f h", old.id, token[: len(TOKEN_PREFIX) + 6],
                    grace_hours)
        return token

    def list_tokens(self) -> list[TokenInfo]:
        """Every token, oldest first (no secrets: only the printed prefix)."""
        with Session(self.engine) as session:
            rows = list(session.scalars(select(ApiToken).order_by(ApiToken.id)))
        return [TokenInfo(id=r.id, prefix=r.prefix, role=r.role, officer=r.officer, unit=r.unit,
                          channels=sorted(_channels(r.channels) or ()) or None, created_at=r.created_at,
                          last_used_at=r.last_used_at, expires_at=r.expires_at, revoked_at=r.revoked_at,
                          rotated_from=r.rotated_from) for r in rows]

    def invalid_among(self, token_ids: Iterable[int]) -> dict[int, str]:
        """Which of ``token_ids`` may no longer be used, each with why: revoked, expired or
        deleted (blocking)."""
        ids = set(token_ids)
        if not ids:
            return {}
        now = datetime.now(UTC)
        with Session(self.engine) as session:
            rows = session.execute(select(ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at)
                                   .where(ApiToken.id.in_(ids))).all()
        found: dict[int, str] = {}
        for token_id, revoked_at, expires_at in rows:
            if revoked_at is not None:
                found[token_id] = "revoked"
            elif expires_at is not None and _aware(expires_at) <= now:
                found[token_id] = "expired"
        seen = {r[0] for r in rows}
        found.update({i: "deleted" for i in ids - seen})
        return found

    def revoked_since(self, since: datetime) -> set[int]:
        """Ids of tokens revoked at or after ``since`` (blocking)."""
        with Session(self.engine) as session:
            return set(session.scalars(select(ApiToken.id).where(ApiToken.revoked_at >= since)))

    def evict(self, token_ids: Iterable[int]) -> None:
        """Forget cached resolutions of these tokens (they were revoked on some replica)."""
        ids = set(token_ids)
        for key in [k for k, (_t, p) in self._cache.items() if p is not None and p.token_id in ids]:
            del self._cache[key]

    def lookup(self, token: str, *, touch: bool = False) -> Principal | None:
        """Resolve a token secret to its principal, or ``None`` (blocking, uncached);
        ``touch`` records the use in ``last_used_at``."""
        now = datetime.now(UTC)
        with Session(self.engine) as session:
            row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
            if row is None or row.revoked_at is not None:
                return None
            if row.expires_at is not None and _aware(row.expires_at) <= now:
                return None
            if touch:
                session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
                session.commit()
            return Principal(token_id=row.id, officer=row.officer, role=row.role, unit=row.unit,
                             channels=_channels(row.channels),
                             expires_at=_aware(row.expires_at) if row.expires_at else None)

    async def resolve(self, token: str) -> Principal | None:
        """Cached :meth:`lookup` for request paths; a miss queries the database in a thread."""
        key = hash_token(token)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            cached = hit[1]
            expires = cached.expires_at if cached is not None else None
            if expires is not None and expires <= datetime.now(UTC):
                return None  # a rotated token's grace period ends on time, cache or not
            return cached
        principal = await asyncio.to_thread(self.lookup, token, touch=True)
        self._cache[key] = (now + _CACHE_TTL_S, principal)
        self._cache.move_to_end(key)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return principal


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

"""API tokens in the database: issue, resolve (cached), rotate with a grace period, revoke,
list. Only a token's SHA-256 is stored; see :mod:`service.auth` for how callers present one."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from common.executor import BoundedExecutor
from service.records import ApiToken

logger = logging.getLogger(__name__)

_CACHE_TTL_S = 30.0
_CACHE_SIZE = 4096
TOKEN_PREFIX = "ptl_"


class Role(StrEnum):
    """Who a token speaks for."""

    PATROL = "patrol"  # officers: radio and typed queries, some skills
    GATEWAY = "gateway"  # radio gateways streaming talkgroup audio
    OPERATOR = "operator"  # HQ console: live feed, skills, metrics
    SUPERVISOR = "supervisor"  # reads the audit log
    ADMIN = "admin"  # operations: everything except speaking on the radio


ALL_ROLES: frozenset[str] = frozenset(r.value for r in Role)



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

    def __init__(self, engine: Engine, *, blocking: BoundedExecutor | None = None) -> None:
        self.engine = engine
        # Where a request's token lookup runs: the service's bounded ``lookup`` pool (without
        # one, as in the CLI and tests, asyncio's default executor).
        self.blocking = blocking
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
        principal = await (self.blocking.run(self.lookup, token, touch=True) if self.blocking is not None
                           else asyncio.to_thread(self.lookup, token, touch=True))
        self._cache[key] = (now + _CACHE_TTL_S, principal)
        self._cache.move_to_end(key)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return principal

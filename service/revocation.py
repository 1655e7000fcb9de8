"""Revocation reaches open websockets: sessions whose token is revoked or expired are closed.

A websocket is authenticated once, when it opens; a radio session can then stay open for a
whole shift. Every replica therefore runs one :class:`SessionWatch` task that re-checks the
tokens behind its open websockets every ``poll_s`` seconds (one small query for all of
them). A session whose token was revoked, has expired (a rotated token's grace period is
over) or was deleted is closed with **4401** and reason ``token revoked`` / ``token
expired``, and the closure is audited (``action=session_revoked``). The same poll evicts
tokens revoked on any replica from this replica's token cache, so HTTP requests stop
within the poll time too.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from common.tasks import cancel_and_wait
from service.audit import AuditLog, AuditRecord
from service.auth import WS_UNAUTHORIZED, Principal, TokenStore

logger = logging.getLogger(__name__)

Closer = Callable[[int, str], Awaitable[None]]


@dataclass(slots=True)
class _Watched:
    principal: Principal
    session: str
    kind: str
    close: Closer
    channel: Callable[[], str | None]


class SessionWatch:
    """Closes open websockets whose token may no longer be used."""

    def __init__(self, tokens: TokenStore, audit: AuditLog, *, poll_s: float = 2.0) -> None:
        self.tokens = tokens
        self.audit = audit
        self.poll_s = poll_s
        self._open: dict[int, _Watched] = {}
        self._ids = itertools.count(1)
        self._task: asyncio.Task[None] | None = None
        self._since = datetime.now(UTC)

    @classmethod
    def started(cls, tokens: TokenStore, audit: AuditLog, *, poll_s: float) -> SessionWatch:
        """A watch with its polling task running on the current event loop."""
        watch = cls(tokens, audit, poll_s=poll_s)
        watch._task = asyncio.get_running_loop().create_task(watch._loop(), name="session-watch")
        return watch

    def watch(
        self,
        principal: Principal,
        *,
        session: str,
        kind: str,
        close: Closer,
        channel: Callable[[], str | None] = lambda: None,
    ) -> Callable[[], None]:
        """Watch one open websocket; returns the function that stops watching it (call it when
        the socket ends). Principals of a disabled authenticator (token id 0) are not watched."""
        if principal.token_id == 0:
            return lambda: None
        key = next(self._ids)
        self._open[key] = _Watched(principal, session, kind, close, channel)

        def unwatch() -> None:
            self._open.pop(key, None)

        return unwatch

    @property
    def watched(self) -> int:
        """Open websockets being watched."""
        return len(self._open)

    async def check_now(self) -> int:
        """One pass: close every watched socket whose token is no longer valid; returns how many."""
        started = datetime.now(UTC)
        revoked = await asyncio.to_thread(self.tokens.revoked_since, self._since - timedelta(seconds=1))
        self._since = started
        if revoked:
            self.tokens.evict(revoked)
        ids = {w.principal.token_id for w in self._open.values()}
        invalid = await asyncio.to_thread(self.tokens.invalid_among, ids) if ids else {}
        if not invalid:
            return 0
        self.tokens.evict(invalid)
        doomed = [(k, w) for k, w in list(self._open.items()) if w.principal.token_id in invalid]
        for key, watched in doomed:
            self._open.pop(key, None)
            why = invalid[watched.principal.token_id]
            reason = "token revoked" if why in ("revoked", "deleted") else "token expired"
            try:
                await watched.close(WS_UNAUTHORIZED, reason)
            except Exception as err:  # the socket may already be gone; the audit entry still says so
                logger.debug("closing a revoked session failed: %s", type(err).__name__)
            p = watched.principal
            try:
                await self.audit.write(
                    AuditRecord(
                        action="session_revoked",
                        status="closed",
                        source="ws",
                        officer=p.officer,
                        role=p.role,
                        unit=p.unit,
                        channel=watched.channel(),
                        session=watched.session,
                        reason=f"{watched.kind} websocket closed with {WS_UNAUTHORIZED}: token {why}",
                    )
                )
            except Exception as err:  # closing matters more than the record of it; say so loudly
                logger.error("audit of a revoked session's closure failed: %s", type(err).__name__)
        logger.info("closed %d websocket(s) of revoked or expired tokens", len(doomed))
        return len(doomed)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            try:
                await self.check_now()
            except Exception as err:  # a database hiccup: try again next poll
                logger.warning("revocation check failed: %s", type(err).__name__)

    async def stop(self) -> None:
        """Stop polling."""
        await cancel_and_wait(self._task)
        self._task = None


def watch_socket(
    core: object,
    principal: Principal,
    *,
    session: str,
    kind: str,
    close: Closer,
    channel: Callable[[], str | None] = lambda: None,
) -> Callable[[], None]:
    """:meth:`SessionWatch.watch` on ``core.sessions`` when there is one, else a no-op."""
    watch: SessionWatch | None = getattr(core, "sessions", None)
    if watch is None:
        return lambda: None
    return watch.watch(principal, session=session, kind=kind, close=close, channel=channel)

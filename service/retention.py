"""Retention: remove personal data that is past its period, keep the audit chain verifiable.

* **Audit entries** older than ``audit_text_days`` are *redacted*: their query text
  (the transcript for voice queries), slots, record ids, subject keys and free-text reason
  are cleared, and ``redacted_at``/``redaction_policy`` say when and under which policy.
  Who asked, when, from which unit and channel, what kind of action and its status stay,
  and so do ``personal_hash`` and ``content_hash``: the chain still proves that nothing
  was edited, inserted, removed or reordered (:mod:`service.audit_chain`).
* **Matched face probes** (the face watch skill's retained hits) older than
  ``face_probe_hours``, or past their own expiry, are deleted. Probes that match nothing are
  never stored at all (:mod:`analytics.face_watch`).

Each run is itself audited (``action=retention_run``, counts only). :func:`run_retention`
is blocking (the ``patrol retention run`` command); :class:`RetentionScheduler` runs it
periodically in the service. Runs on several replicas at once are harmless: an entry is
only redacted once (``redacted_at IS NULL`` in the update).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, inspect, or_, update
from sqlalchemy.orm import Session

from common.tasks import cancel_and_wait
from service.audit import AuditLog, AuditRecord
from service.audit_chain import REDACTED_VALUES
from service.records import AuditEntry

logger = logging.getLogger(__name__)

# Entries of these actions hold no personal data (counts, token prefixes): never redacted.
SYSTEM_ACTIONS = ("retention_run", "session_revoked", "token_rotate", "token_revoke", "audit_verify")


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long personal data is kept."""

    audit_text_days: float = 365.0
    """Audit entries older than this lose their personal part (the chain stays verifiable)."""
    face_probe_hours: float = 744.0
    """Matched face probes are deleted after this many hours (31 days)."""

    @property
    def label(self) -> str:
        """The policy name written on redacted entries."""
        return f"audit_text_days={self.audit_text_days:g}"


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """What one run removed."""

    redacted: int
    face_probes_deleted: int
    audit_cutoff: datetime
    face_cutoff: datetime


def _naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def redact_audit(log: AuditLog, *, before: datetime, policy: str, now: datetime) -> int:
    """Redact every entry older than ``before`` that is not redacted yet; returns how many."""
    stmt = (
        update(AuditEntry)
        .where(
            AuditEntry.at < _naive(before),
            AuditEntry.redacted_at.is_(None),
            AuditEntry.action.not_in(SYSTEM_ACTIONS),
        )
        .values(**REDACTED_VALUES, redacted_at=_naive(now), redaction_policy=policy[:64])
    )
    with Session(log.engine) as session, session.begin():
        result = session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


def purge_face_probes(log: AuditLog, *, before: datetime, now: datetime) -> int:
    """Delete matched face probes taken before ``before`` or past their own expiry."""
    if not inspect(log.engine).has_table("face_watch_hit"):
        return 0  # the face watch skill never stored anything here
    from analytics.face.store import WatchHit

    expired = and_(WatchHit.expires_at.is_not(None), WatchHit.expires_at <= _naive(now))
    stmt = delete(WatchHit).where(or_(WatchHit.at < _naive(before), expired))
    with Session(log.engine) as session, session.begin():
        result = session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


def run_retention(
    log: AuditLog,
    policy: RetentionPolicy,
    *,
    source: str = "cli",
    officer: str | None = None,
    role: str | None = None,
    now: datetime | None = None,
) -> RetentionReport:
    """One retention run (blocking): redact old audit entries, delete old face probes, and audit
    the run. Raises :class:`~service.errors.AuditError` when the run cannot be audited."""
    now = now or datetime.now(UTC)
    audit_cutoff = now - timedelta(days=policy.audit_text_days)
    face_cutoff = now - timedelta(hours=policy.face_probe_hours)
    redacted = redact_audit(log, before=audit_cutoff, policy=policy.label, now=now)
    probes = purge_face_probes(log, before=face_cutoff, now=now)
    log.append(
        AuditRecord(
            action="retention_run",
            status="ok",
            source=source,
            officer=officer or "system",
            role=role,
            reason=(
                f"redacted {redacted} audit entries older than {policy.audit_text_days:g} days; "
                f"deleted {probes} matched face probes older than {policy.face_probe_hours:g} hours"
            ),
        )
    )
    logger.info("retention run: redacted=%d face_probes_deleted=%d", redacted, probes)
    return RetentionReport(
        redacted=redacted, face_probes_deleted=probes, audit_cutoff=audit_cutoff, face_cutoff=face_cutoff
    )


class RetentionScheduler:
    """Runs :func:`run_retention` every ``interval_s`` in the service (first run after
    ``first_delay_s``); a failed run is logged and retried at the next interval."""

    def __init__(
        self, log: AuditLog, policy: RetentionPolicy, *, interval_s: float, first_delay_s: float = 60.0
    ) -> None:
        self.log = log
        self.policy = policy
        self.interval_s = interval_s
        self.first_delay_s = first_delay_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the periodic task (no-op when the interval is 0)."""
        if self.interval_s > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="retention")

    async def _loop(self) -> None:
        delay = self.first_delay_s
        while True:
            await asyncio.sleep(delay)
            delay = self.interval_s
            try:
                await asyncio.to_thread(run_retention, self.log, self.policy, source="service")
            except Exception as err:  # logged, retried next interval; the service keeps serving
                logger.error("retention run failed: %s", type(err).__name__)

    async def stop(self) -> None:
        """Cancel the periodic task."""
        await cancel_and_wait(self._task)
        self._task = None

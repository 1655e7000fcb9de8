"""Append-only, hash-chained audit log.

Every registry check and skill call is written here *before* its answer is sent; if the
write fails the caller gets :class:`~service.errors.AuditError` and the answer is withheld
(fail closed). Each row stores ``prev_hash`` and ``hash = SHA-256(canonical(row))``, where
the canonical serialisation covers every column except the surrogate ``id`` (including
``seq`` and ``prev_hash``), so editing, deleting or reordering rows breaks the chain and
:meth:`AuditLog.verify` reports where.

Appends are serialised: a process-wide lock, plus ``pg_advisory_xact_lock`` on PostgreSQL,
around "read the last row, insert the next" in one transaction. The ``seq``, ``prev_hash``
and ``hash`` columns are unique, so even a writer that bypasses the lock (another process
on SQLite) cannot fork the chain: its insert fails and is retried on the new head.

Deleting the newest rows cannot be seen from the chain alone; ``patrol audit verify
--expect-head HASH`` compares against a head hash kept elsewhere (the head is logged).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from service.errors import AuditError
from service.records import AuditEntry

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
# Arbitrary 63-bit constant naming the audit-append advisory lock on PostgreSQL.
_PG_LOCK_KEY = 0x5041_5452_4F4C_4155 & 0x7FFF_FFFF_FFFF_FFFF
_RETRIES = 8
_SUBJECT_SLOTS = ("plate", "licence", "given", "family", "dob", "case_ref", "skill", "name", "vin")


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _utc_naive(at: datetime) -> datetime:
    # SQLite hands back naive datetimes, PostgreSQL aware ones: hash the UTC wall time.
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What a caller asks to be audited (the log adds seq, time and hashes)."""

    action: str
    status: str
    source: str = "http"
    officer: str | None = None
    role: str | None = None
    unit: str | None = None
    channel: str | None = None
    session: str | None = None
    intent: str | None = None
    query_text: str | None = None
    slots: Mapping[str, Any] = field(default_factory=dict)
    record_ids: Sequence[Any] = ()
    reason: str | None = None


def subjects_of(slots: Mapping[str, Any], record_ids: Iterable[Any]) -> str:
    """The ``|A|B|`` key list that ``GET /v1/audit?subject=`` searches."""
    keys: list[str] = []
    for name in _SUBJECT_SLOTS:
        value = slots.get(name)
        if isinstance(value, str | int) and str(value).strip():
            keys.append(str(value).strip().upper())
    keys.extend(str(r).strip().upper() for r in record_ids)
    cleaned = [k.replace("|", "/") for k in keys if k]
    return "|" + "|".join(dict.fromkeys(cleaned)) + ("|" if cleaned else "")


def row_payload(row: AuditEntry) -> dict[str, Any]:
    """Every hashed column of ``row`` in canonical form."""
    return {
        "seq": row.seq,
        "at": _utc_naive(row.at).isoformat(timespec="microseconds"),
        "officer": row.officer,
        "role": row.role,
        "unit": row.unit,
        "channel": row.channel,
        "session": row.session,
        "source": row.source,
        "action": row.action,
        "intent": row.intent,
        "query_text": row.query_text,
        "slots": row.slots,
        "record_ids": row.record_ids,
        "subjects": row.subjects,
        "status": row.status,
        "reason": row.reason,
        "prev_hash": row.prev_hash,
    }


def row_hash(row: AuditEntry) -> str:
    """SHA-256 over the canonical serialisation of ``row`` (which includes ``prev_hash``)."""
    return hashlib.sha256(canonical_json(row_payload(row)).encode("utf-8")).hexdigest()


@dataclass
class VerifyReport:
    """Outcome of a chain verification. Problems name sequence numbers, never content."""

    entries: int = 0
    head: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


class AuditLog:
    """The audit log over one database engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._postgres = engine.dialect.name == "postgresql"

    def append(self, record: AuditRecord) -> AuditEntry:
        """Append one entry (blocking). Raises :class:`AuditError` if it cannot be written."""
        slots = canonical_json(dict(record.slots))
        record_ids = canonical_json([str(r) for r in record.record_ids])
        subjects = subjects_of(record.slots, record.record_ids)
        last_err: Exception | None = None
        with self._lock:
            for attempt in range(_RETRIES):
                try:
                    return self._append_once(record, slots, record_ids, subjects)
                except (IntegrityError, OperationalError) as err:
                    # Another process appended between our read and insert: retry on the new head.
                    last_err = err
                    time.sleep(0.005 * (attempt + 1))
                except SQLAlchemyError as err:
                    last_err = err
                    break
        logger.error("audit append failed: %s", type(last_err).__name__)
        raise AuditError("the audit log could not be written; the request was not answered") from last_err

    def _append_once(self, record: AuditRecord, slots: str, record_ids: str, subjects: str) -> AuditEntry:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            if self._postgres:
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            last = session.execute(
                select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
            ).first()
            row = AuditEntry(
                seq=(last.seq + 1) if last else 1,
                at=datetime.now(UTC).replace(tzinfo=None),
                officer=record.officer,
                role=record.role,
                unit=record.unit,
                channel=record.channel,
                session=record.session,
                source=record.source,
                action=record.action,
                intent=record.intent,
                query_text=record.query_text,
                slots=slots,
                record_ids=record_ids,
                subjects=subjects,
                status=record.status,
                reason=record.reason,
                prev_hash=last.hash if last else GENESIS,
            )
            row.hash = row_hash(row)
            session.add(row)
        logger.debug("audit seq=%d head=%s", row.seq, row.hash)
        return row

    async def write(self, record: AuditRecord) -> AuditEntry:
        """Append from async code, in a worker thread (the event loop never blocks on the DB)."""
        from service import metrics

        t0 = time.perf_counter()
        try:
            return await asyncio.to_thread(self.append, record)
        except AuditError:
            metrics.count_error("audit_unavailable")
            raise
        finally:
            metrics.observe_stage("audit", time.perf_counter() - t0)

    def search(
        self,
        *,
        officer: str | None = None,
        unit: str | None = None,
        subject: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before_seq: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Newest-first entries matching every given filter."""
        stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
        if officer:
            stmt = stmt.where(AuditEntry.officer == officer)
        if unit:
            stmt = stmt.where(AuditEntry.unit == unit)
        if subject:
            key = subject.strip().upper().replace("|", "/")
            stmt = stmt.where(AuditEntry.subjects.contains(f"|{key}|", autoescape=True))
        if since:
            stmt = stmt.where(AuditEntry.at >= _utc_naive(since))
        if until:
            stmt = stmt.where(AuditEntry.at <= _utc_naive(until))
        if before_seq:
            stmt = stmt.where(AuditEntry.seq < before_seq)
        with Session(self.engine) as session:
            return list(session.scalars(stmt))

    def verify(self, *, expect_head: str | None = None, batch: int = 1000) -> VerifyReport:
        """Walk the whole chain in ``seq`` order and report every inconsistency."""
        report = VerifyReport()
        prev_hash = GENESIS
        expected_seq = 1
        last_id = 0
        with Session(self.engine) as session:
            stmt = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
            rows = session.execute(stmt)
            for row in rows.scalars():
                report.entries += 1
                if row.seq != expected_seq:
                    kind = "missing entries" if row.seq > expected_seq else "duplicate or reordered sequence"
                    report.problems.append(f"seq {row.seq}: expected seq {expected_seq} ({kind})")
                if row.prev_hash != prev_hash:
                    report.problems.append(f"seq {row.seq}: previous-hash link broken (deleted or reordered)")
                if row_hash(row) != row.hash:
                    report.problems.append(f"seq {row.seq}: content does not match its hash (edited)")
                if row.id < last_id:
                    report.problems.append(f"seq {row.seq}: stored out of insertion order (reordered)")
                last_id = row.id
                prev_hash = row.hash
                expected_seq = row.seq + 1
        report.head = prev_hash if report.entries else None
        if expect_head is not None and report.head != expect_head:
            report.problems.append("head differs from the expected head (newest entries removed or replaced)")
        return report


def entry_to_dict(row: AuditEntry) -> dict[str, Any]:
    """The API form of an entry (JSON columns decoded)."""
    data = row_payload(row)
    data["slots"] = json.loads(row.slots)
    data["record_ids"] = json.loads(row.record_ids)
    data.pop("subjects")
    data["hash"] = row.hash
    data["at"] = _utc_naive(row.at).replace(tzinfo=UTC).isoformat()
    return data

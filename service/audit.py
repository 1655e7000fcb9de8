"""Append-only, hash-chained audit log.

Every registry check and skill call is written here *before* its answer is sent; if the
write fails the caller gets :class:`~service.errors.AuditError` and the answer is withheld
(fail closed). The chain links the hash of each entry's content, ``hash = H(prev_hash, seq,
at, content_hash)`` (:mod:`service.audit_chain`), so editing, deleting or reordering rows
breaks it and :meth:`AuditLog.verify` reports where, even after retention
(:mod:`service.retention`) has removed the personal part of old entries.

Appends are serialised: a process-wide lock, plus ``pg_advisory_xact_lock`` on PostgreSQL,
around "read the last row, insert the next" in one transaction. The ``seq``, ``prev_hash``
and ``hash`` columns are unique, so even a writer that bypasses the lock (another process
on SQLite) cannot fork the chain: its insert fails and is retried on the new head.

Group commit: :meth:`AuditLog.write` (the async path every answer takes) queues its entry;
one writer per event loop takes everything queued, chains the entries in order and writes
them in one transaction, then resolves each caller. An answer is still released only after
its own entry is committed; while one transaction commits, the next batch gathers, so
concurrent queries share one commit (and one fsync) instead of queueing for one each. On
PostgreSQL the advisory lock makes two replicas' batches take turns on one chain.

Durability on SQLite: the audit writes through its own connections with
``PRAGMA synchronous=FULL`` (the registry's connections keep ``NORMAL``): in WAL mode every
audit commit is fsynced before it returns, so an answered query's entry survives a power
cut, not only a crash of the process.

Deleting the newest rows cannot be seen from the chain alone; ``patrol audit verify
--expect-head HASH`` compares against a head hash kept elsewhere (the head is logged).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from service.audit_chain import (
    GENESIS,
    VerifyReport,
    at_text,
    canonical_json,
    row_hash,
    seal,
    utc_naive,
    verify_rows,
)
from service.errors import AuditError
from service.records import AuditEntry

__all__ = ["GENESIS", "AuditLog", "AuditRecord", "VerifyReport", "canonical_json", "entry_to_dict",
           "row_hash", "row_payload", "subjects_of"]

logger = logging.getLogger(__name__)

# Arbitrary 63-bit constant naming the audit-append advisory lock on PostgreSQL.
_PG_LOCK_KEY = 0x5041_5452_4F4C_4155 & 0x7FFF_FFFF_FFFF_FFFF
_PG_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_HEAD = select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
_INSERT = insert(AuditEntry)
# Every column a new entry sets (``id`` is the database's; redaction columns start empty).
_INSERTED = tuple(c.key for c in AuditEntry.__table__.columns if c.key != "id")
_RETRIES = 8
_MAX_BATCH = 256  # entries per group commit
_SUBJECT_SLOTS = ("plate", "licence", "given", "family", "dob", "case_ref", "skill", "name", "vin",
                  "disclosed_subject")


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
    """Every column of ``row`` except the surrogate ``id``, in canonical form."""
    return {
        "seq": row.seq,
        "at": at_text(row.at),
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
        "hash": row.hash,
        "content_hash": row.content_hash,
        "personal_hash": row.personal_hash,
        "redacted_at": at_text(row.redacted_at) if row.redacted_at is not None else None,
        "redaction_policy": row.redaction_policy,
    }


class AuditLog:
    """The audit log over one database engine."""

    def __init__(self, engine: Engine, *, max_batch: int = _MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._postgres = engine.dialect.name == "postgresql"
        self._writer = _full_sync_engine(engine) if engine.dialect.name == "sqlite" else engine
        self._group: _GroupCommit | None = None

    def close(self) -> None:
        """Release the audit's own connections (the caller disposes the engine it passed)."""
        if self._writer is not self.engine:
            self._writer.dispose()

    def append(self, record: AuditRecord) -> AuditEntry:
        """Append one entry (blocking). Raises :class:`AuditError` if it cannot be written."""
        return self.append_many([record])[0]

    def append_many(self, records: Sequence[AuditRecord]) -> list[AuditEntry]:
        """Append entries in order, chained, in one transaction (blocking); all or none."""
        prepared = [(r, canonical_json(dict(r.slots)), canonical_json([str(i) for i in r.record_ids]),
                     subjects_of(r.slots, r.record_ids)) for r in records]
        last_err: Exception | None = None
        with self._lock:
            for attempt in range(_RETRIES):
                try:
                    return self._append_once(prepared)
                except (IntegrityError, OperationalError) as err:
                    # Another process appended between our read and insert: retry on the new head.
                    last_err = err
                    time.sleep(0.005 * (attempt + 1))
                except SQLAlchemyError as err:
                    last_err = err
                    break
        logger.error("audit append failed: %s", type(last_err).__name__)
        raise AuditError("the audit log could not be written; the request was not answered") from last_err

    def _append_once(self, prepared: Sequence[tuple[AuditRecord, str, str, str]]) -> list[AuditEntry]:
        # Core, not the ORM's unit of work: one multi-row INSERT, a third of the CPU a batch.
        rows: list[AuditEntry] = []
        with self._writer.begin() as conn:
            if self._postgres:
                conn.execute(_PG_LOCK, {"key": _PG_LOCK_KEY})
            last = conn.execute(_HEAD).first()
            seq, prev = ((last.seq, last.hash) if last else (0, GENESIS))
            for record, slots, record_ids, subjects in prepared:
                seq += 1
                row = self._row(record, slots, record_ids, subjects, seq, prev)
                prev = row.hash
                rows.append(row)
            conn.execute(_INSERT, [{name: getattr(row, name) for name in _INSERTED} for row in rows])
        logger.debug("audit seq=%d..%d head=%s", rows[0].seq, rows[-1].seq, rows[-1].hash)
        return rows

    @staticmethod
    def _row(record: AuditRecord, slots: str, record_ids: str, subjects: str, seq: int,
             prev_hash: str) -> AuditEntry:
        row = AuditEntry(
            seq=seq,
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
            prev_hash=prev_hash,
        )
        seal(row)
        return row

    async def write(self, record: AuditRecord) -> AuditEntry:
        """Append from async code; returns once this entry is committed (group commit, in a
        worker thread: the event loop never blocks on the database)."""
        from service import metrics

        t0 = time.perf_counter()
        loop = asyncio.get_running_loop()
        if self._group is None or self._group.loop is not loop:
            self._group = _GroupCommit(self, loop)
        try:
            return await self._group.submit(record)
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
            stmt = stmt.where(AuditEntry.at >= utc_naive(since))
        if until:
            stmt = stmt.where(AuditEntry.at <= utc_naive(until))
        if before_seq:
            stmt = stmt.where(AuditEntry.seq < before_seq)
        with Session(self.engine) as session:
            return list(session.scalars(stmt))

    def verify(self, *, expect_head: str | None = None, batch: int = 1000) -> VerifyReport:
        """Walk the whole chain in ``seq`` order and report every inconsistency."""
        with Session(self.engine) as session:
            stmt = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch)
            return verify_rows(session.execute(stmt).scalars(), expect_head=expect_head)


class _GroupCommit:
    """One writer per event loop: entries queued while a transaction commits share the next."""

    def __init__(self, log: AuditLog, loop: asyncio.AbstractEventLoop) -> None:
        self.log = log
        self.loop = loop
        self._pending: list[tuple[AuditRecord, asyncio.Future[AuditEntry]]] = []
        self._task: asyncio.Task[None] | None = None

    def submit(self, record: AuditRecord) -> asyncio.Future[AuditEntry]:
        future: asyncio.Future[AuditEntry] = self.loop.create_future()
        self._pending.append((record, future))
        if self._task is None or self._task.done():
            self._task = self.loop.create_task(self._drain(), name="audit-group-commit")
        return future

    async def _drain(self) -> None:
        from service import metrics

        while self._pending:
            batch = self._pending[: self.log.max_batch]
            del self._pending[: len(batch)]
            try:
                rows = await asyncio.to_thread(self.log.append_many, [r for r, _f in batch])
            except BaseException as err:  # every waiter of the batch learns of it; none is answered
                failure = err if isinstance(err, AuditError) else AuditError(
                    "the audit log could not be written; the request was not answered")
                for _r, future in batch:
                    if not future.done():
                        future.set_exception(failure)
                if not isinstance(err, Exception):
                    raise
                continue
            metrics.observe_audit_batch(len(rows))
            for (_r, future), row in zip(batch, rows, strict=True):
                if not future.done():
                    future.set_result(row)


def _full_sync_engine(engine: Engine) -> Engine:
    """A second engine on the same SQLite file whose connections fsync every commit and
    begin with ``BEGIN IMMEDIATE``: the write lock is taken before the head is read, so
    replicas (processes) on one file take turns on the chain as PostgreSQL's advisory lock
    makes them, instead of colliding on the unique columns and retrying."""
    from lookup.db import make_engine

    writer = make_engine(engine.url.render_as_string(hide_password=False))

    @event.listens_for(writer, "connect")
    def _full(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver's own deferred BEGIN off; see "begin"
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(writer, "begin")
    def _immediate(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return writer


def entry_to_dict(row: AuditEntry) -> dict[str, Any]:
    """The API form of an entry (JSON columns decoded, redaction shown)."""
    data = row_payload(row)
    data["slots"] = json.loads(row.slots)
    data["record_ids"] = json.loads(row.record_ids)
    data.pop("subjects")
    data.pop("personal_hash")
    data["at"] = utc_naive(row.at).replace(tzinfo=UTC).isoformat()
    data["redacted"] = row.redacted_at is not None
    if row.redacted_at is not None:
        data["redacted_at"] = utc_naive(row.redacted_at).replace(tzinfo=UTC).isoformat()
    return data

"""The audit log's hash chain: what is hashed, in which order, and how a chain is verified.

Each entry carries three digests (SHA-256, hex):

* ``personal_hash = H(query_text, slots, record_ids, subjects, reason)``: the personal part,
  which retention removes;
* ``content_hash = H(officer, role, unit, channel, session, source, action, intent, status,
  personal_hash)``: everything the entry says;
* ``hash = H(prev_hash, seq, at, content_hash)``: the chain link.

The chain links the hash of each entry's *content*, not the content itself, so redacting an
entry after its retention period (clearing the personal part, keeping ``personal_hash`` and
``content_hash``) leaves every link checkable: :func:`verify_rows` still proves that no entry
was edited, inserted, removed or reordered. On an entry that is not redacted the personal
part is re-hashed and compared too. ``H`` is SHA-256 over canonical JSON (sorted keys, no
spaces), so the digests do not depend on the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from service.records import AuditEntry

GENESIS = "0" * 64
PERSONAL_FIELDS = ("query_text", "slots", "record_ids", "subjects", "reason")
KEPT_FIELDS = ("officer", "role", "unit", "channel", "session", "source", "action", "intent", "status")
# What a redacted entry holds in place of its personal part.
REDACTED_VALUES: dict[str, Any] = {
    "query_text": None,
    "slots": "{}",
    "record_ids": "[]",
    "subjects": "|",
    "reason": None,
}


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _sha256(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def utc_naive(at: datetime) -> datetime:
    """The UTC wall time of ``at`` without a zone (SQLite hands back naive datetimes,
    PostgreSQL aware ones: the chain hashes the UTC wall time)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at


def at_text(at: datetime) -> str:
    """The form of an entry's time that is hashed."""
    return utc_naive(at).isoformat(timespec="microseconds")


def personal_digest(row: AuditEntry) -> str:
    """SHA-256 of the personal part of ``row`` as stored."""
    return _sha256({name: getattr(row, name) for name in PERSONAL_FIELDS})


def content_digest(row: AuditEntry, personal_hash: str) -> str:
    """SHA-256 of the kept columns of ``row`` and the digest of its personal part."""
    kept: dict[str, Any] = {name: getattr(row, name) for name in KEPT_FIELDS}
    kept["personal_hash"] = personal_hash
    return _sha256(kept)


def entry_digest(prev_hash: str, seq: int, at: datetime, content_hash: str) -> str:
    """The chain link: SHA-256 of the previous hash, the position, the time and the content hash."""
    return _sha256([prev_hash, seq, at_text(at), content_hash])


def seal(row: AuditEntry) -> None:
    """Fill in the three digests of a new row (``prev_hash``, ``seq`` and ``at`` set)."""
    row.personal_hash = personal_digest(row)
    row.content_hash = content_digest(row, row.personal_hash)
    row.hash = entry_digest(row.prev_hash, row.seq, row.at, row.content_hash)


def row_hash(row: AuditEntry) -> str:
    """The chain hash ``row`` should have, recomputed from its columns as they are now."""
    personal = (row.personal_hash or "") if row.redacted_at is not None else personal_digest(row)
    return entry_digest(row.prev_hash, row.seq, row.at, content_digest(row, personal))


def is_redacted_clean(row: AuditEntry) -> bool:
    """True when a redacted row holds nothing of its personal part."""
    return all(getattr(row, name) == value for name, value in REDACTED_VALUES.items())


@dataclass
class VerifyReport:
    """Outcome of a chain verification. Problems name sequence numbers, never content."""

    entries: int = 0
    redacted: int = 0
    head: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def check_row(row: AuditEntry) -> str | None:
    """What is wrong with one row on its own (its digests), or ``None``."""
    if row.redacted_at is not None:
        if not is_redacted_clean(row):
            return f"seq {row.seq}: marked redacted but still holds personal data (edited)"
        personal = row.personal_hash or ""
    else:
        personal = personal_digest(row)
        if personal != row.personal_hash:
            return f"seq {row.seq}: content does not match its hash (edited)"
    if content_digest(row, personal) != row.content_hash:
        return f"seq {row.seq}: content does not match its hash (edited)"
    if entry_digest(row.prev_hash, row.seq, row.at, row.content_hash or "") != row.hash:
        return f"seq {row.seq}: entry does not match its hash (edited)"
    return None


def verify_rows(rows: Iterable[AuditEntry], *, expect_head: str | None = None) -> VerifyReport:
    """Walk ``rows`` (in ``seq`` order) and report every inconsistency."""
    report = VerifyReport()
    prev_hash = GENESIS
    expected_seq = 1
    last_id = 0
    for row in rows:
        report.entries += 1
        report.redacted += row.redacted_at is not None
        if row.seq != expected_seq:
            kind = "missing entries" if row.seq > expected_seq else "duplicate or reordered sequence"
            report.problems.append(f"seq {row.seq}: expected seq {expected_seq} ({kind})")
        if row.prev_hash != prev_hash:
            report.problems.append(f"seq {row.seq}: previous-hash link broken (deleted or reordered)")
        if (problem := check_row(row)) is not None:
            report.problems.append(problem)
        if row.id < last_id:
            report.problems.append(f"seq {row.seq}: stored out of insertion order (reordered)")
        last_id = row.id
        prev_hash = row.hash
        expected_seq = row.seq + 1
    report.head = prev_hash if report.entries else None
    if expect_head is not None and report.head != expect_head:
        report.problems.append("head differs from the expected head (newest entries removed or replaced)")
    return report

"""The audit hash chain: intact chains verify, and every kind of tampering is reported."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text, update

from lookup.db import make_engine
from service.audit import GENESIS, AuditLog, AuditRecord, canonical_json
from service.core import ensure_tables
from service.errors import AuditError
from service.records import AuditEntry


def _record(i: int, **kw: object) -> AuditRecord:
    values: dict[str, object] = dict(
        action="check",
        status="clear",
        source="voice",
        officer=f"officer-{i % 3}",
        role="patrol",
        unit=f"PC-{i % 2}",
        channel="north-1",
        session="s1",
        intent="plate_lookup",
        query_text=f"run plate ABC{i}",
        slots={"plate": f"ABC{i}"},
        record_ids=[f"vehicle:{i}"],
    )
    values.update(kw)
    return AuditRecord(**values)  # type: ignore[arg-type]


def _engine(url: str) -> Engine:
    engine = make_engine(url)
    ensure_tables(engine)
    return engine


@pytest.fixture()
def log(tmp_path: Path) -> Iterator[AuditLog]:
    engine = _engine(f"sqlite:///{tmp_path}/audit.sqlite3")
    audit = AuditLog(engine)
    for i in range(1, 11):
        audit.append(_record(i))
    yield audit
    engine.dispose()


def _exec(log: AuditLog, sql: str, **params: object) -> None:
    with log.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_intact_chain_verifies_and_links(log: AuditLog) -> None:
    report = log.verify()
    assert report.ok and report.entries == 10
    rows = list(reversed(log.search(limit=100)))
    assert [r.seq for r in rows] == list(range(1, 11))
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    assert report.head == rows[-1].hash
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_edited_row_is_detected(log: AuditLog) -> None:
    with log.engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.seq == 4).values(status="no_match"))
    report = log.verify()
    assert not report.ok
    assert any("seq 4" in p and "edited" in p for p in report.problems), report.problems


def test_edited_row_with_recomputed_own_hash_breaks_the_next_link(log: AuditLog) -> None:
    from service.audit import row_hash

    with log.engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.seq == 6).values(query_text="run plate XYZ"))
    from sqlalchemy.orm import Session

    with Session(log.engine) as session, session.begin():
        row = session.query(AuditEntry).filter_by(seq=6).one()
        row.hash = row_hash(row)  # a careful forger fixes the row's own hash ...
    report = log.verify()
    assert any("seq 7" in p and "link" in p for p in report.problems), report.problems  # ... but not the next


def test_deleted_row_is_detected(log: AuditLog) -> None:
    _exec(log, "DELETE FROM audit_entry WHERE seq = 5")
    report = log.verify()
    assert any("seq 6" in p and "missing" in p for p in report.problems), report.problems
    assert any("seq 6" in p and "link" in p for p in report.problems)


def test_deleted_first_row_is_detected(log: AuditLog) -> None:
    _exec(log, "DELETE FROM audit_entry WHERE seq = 1")
    assert not log.verify().ok


def test_reordered_rows_are_detected(log: AuditLog) -> None:
    # Swap the positions of entries 3 and 4 (seq is unique, so go through a free value).
    _exec(log, "UPDATE audit_entry SET seq = 1000 WHERE seq = 3")
    _exec(log, "UPDATE audit_entry SET seq = 3 WHERE seq = 4")
    _exec(log, "UPDATE audit_entry SET seq = 4 WHERE seq = 1000")
    report = log.verify()
    assert not report.ok
    assert any("seq 3" in p for p in report.problems) and any("seq 4" in p for p in report.problems)


def test_swapped_contents_are_detected(log: AuditLog) -> None:
    _exec(log, "UPDATE audit_entry SET officer = 'x' WHERE seq = 2")
    _exec(log, "UPDATE audit_entry SET officer = 'officer-2' WHERE seq = 3")
    _exec(log, "UPDATE audit_entry SET officer = 'officer-0' WHERE seq = 2")
    assert any("seq 3" in p and "edited" in p for p in log.verify().problems)


def test_truncated_tail_needs_the_expected_head(log: AuditLog) -> None:
    head = log.verify().head
    _exec(log, "DELETE FROM audit_entry WHERE seq = 10")
    assert log.verify().ok  # the chain alone cannot see it
    report = log.verify(expect_head=head)
    assert not report.ok and "head" in report.problems[0]


def test_problems_name_positions_not_personal_data(log: AuditLog) -> None:
    _exec(log, "UPDATE audit_entry SET query_text = 'run plate SECRET9' WHERE seq = 2")
    report = log.verify()
    assert report.problems and not any("SECRET9" in p or "ABC" in p for p in report.problems)


def test_search_filters(log: AuditLog) -> None:
    assert {r.officer for r in log.search(officer="officer-1")} == {"officer-1"}
    assert {r.unit for r in log.search(unit="PC-0")} == {"PC-0"}
    hits = log.search(subject="abc7")
    assert [r.seq for r in hits] == [7]
    assert [r.seq for r in log.search(subject="VEHICLE:7")] == [7]
    assert log.search(subject="ABC%") == []  # LIKE wildcards are escaped
    newest = log.search(limit=3)
    assert [r.seq for r in newest] == [10, 9, 8]
    assert [r.seq for r in log.search(before_seq=8, limit=2)] == [7, 6]
    first = log.search(limit=100)[-1].at
    assert len(log.search(until=first)) == 1 and len(log.search(since=first)) == 10


def _hammer(log: AuditLog, threads: int, per_thread: int) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(per_thread):
                log.append(_record(n * 1000 + i))
        except BaseException as err:  # surfaced below
            errors.append(err)

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors


def test_concurrent_writers_keep_one_chain_sqlite(tmp_path: Path) -> None:
    engine = _engine(f"sqlite:///{tmp_path}/c.sqlite3")
    # Two AuditLog objects = two independent locks, as two processes would have.
    a, b = AuditLog(engine), AuditLog(engine)
    ta = threading.Thread(target=_hammer, args=(a, 4, 15))
    tb = threading.Thread(target=_hammer, args=(b, 4, 15))
    ta.start(), tb.start()
    ta.join(), tb.join()
    report = a.verify()
    assert report.ok, report.problems
    assert report.entries == 120
    engine.dispose()


@pytest.mark.postgres
def test_concurrent_writers_keep_one_chain_postgres(pg_url: str) -> None:
    engine = _engine(pg_url)
    a, b = AuditLog(engine), AuditLog(engine)
    ta = threading.Thread(target=_hammer, args=(a, 4, 15))
    tb = threading.Thread(target=_hammer, args=(b, 4, 15))
    ta.start(), tb.start()
    ta.join(), tb.join()
    report = a.verify()
    assert report.ok, report.problems
    assert report.entries >= 120
    _exec(a, "UPDATE audit_entry SET status = 'hit' WHERE seq = 3")
    assert not a.verify().ok
    engine.dispose()


def test_write_failure_raises_audit_error(tmp_path: Path) -> None:
    engine = _engine(f"sqlite:///{tmp_path}/f.sqlite3")
    log = AuditLog(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE audit_entry"))
    with pytest.raises(AuditError) as err:
        log.append(_record(1))
    assert err.value.http_status == 503 and "ABC" not in err.value.message
    engine.dispose()

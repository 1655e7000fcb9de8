"""Retention keeps the chain verifiable: after ``patrol retention run`` no redacted entry holds
personal data, ``audit verify`` still passes, and editing, deleting, inserting or reordering
entries is still detected after redaction. Matched face probes past their hours are deleted."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, text

from lookup.db import make_engine
from service.audit import AuditLog, AuditRecord, entry_to_dict
from service.cli import main
from service.core import ensure_tables
from service.retention import RetentionPolicy, run_retention

PERSONAL = ("ABC", "SMITH", "1980-02-03", "vehicle:", "suspicious")


def _record(i: int) -> AuditRecord:
    return AuditRecord(
        action="check",
        status="hit",
        source="voice",
        officer=f"officer-{i % 2}",
        role="patrol",
        unit="PC-12",
        channel="north-1",
        session="s1",
        intent="plate_lookup",
        query_text=f"run plate ABC{i} for SMITH",
        slots={"plate": f"ABC{i}", "family": "SMITH", "dob": "1980-02-03"},
        record_ids=[f"vehicle:{i}"],
        reason="suspicious vehicle",
    )


def _engine(url: str) -> Engine:
    engine = make_engine(url)
    ensure_tables(engine)
    return engine


@pytest.fixture()
def redacted(tmp_path: Path) -> Iterator[AuditLog]:
    """Ten entries, all redacted by a retention run dated 400 days ahead, then two fresh ones."""
    engine = _engine(f"sqlite:///{tmp_path}/r.sqlite3")
    log = AuditLog(engine)
    for i in range(1, 11):
        log.append(_record(i))
    report = run_retention(log, RetentionPolicy(), now=datetime.now(UTC) + timedelta(days=400))
    assert report.redacted == 10
    log.append(_record(11))
    yield log
    engine.dispose()


def _exec(log: AuditLog, sql: str) -> None:
    with log.engine.begin() as conn:
        conn.execute(text(sql))


def _raw_rows(log: AuditLog) -> list[dict[str, object]]:
    with log.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM audit_entry ORDER BY seq"))]


def test_redacted_entries_hold_no_personal_data_and_the_chain_verifies(redacted: AuditLog) -> None:
    report = redacted.verify()
    assert report.ok, report.problems
    assert report.entries == 12 and report.redacted == 10
    rows = _raw_rows(redacted)
    for row in rows[:10]:
        flat = json.dumps(row, default=str)
        assert not any(p in flat for p in PERSONAL), flat
        assert row["redacted_at"] is not None and row["redaction_policy"] == "audit_text_days=365"
        assert row["officer"] and row["unit"] == "PC-12" and row["status"] == "hit"  # who and when stay
        assert row["content_hash"] and row["personal_hash"]
    run = rows[10]
    assert run["action"] == "retention_run" and run["redacted_at"] is None
    assert "redacted 10 audit entries older than 365 days" in str(run["reason"])
    fresh = rows[11]
    assert "ABC11" in str(fresh["query_text"]) and fresh["redacted_at"] is None
    shown = entry_to_dict(redacted.search(limit=20)[-1])
    assert shown["redacted"] is True and shown["redaction_policy"] == "audit_text_days=365"
    assert shown["query_text"] is None and shown["slots"] == {} and shown["record_ids"] == []


def test_a_second_run_redacts_nothing_more(redacted: AuditLog) -> None:
    again = run_retention(redacted, RetentionPolicy(), now=datetime.now(UTC) + timedelta(days=400))
    assert again.redacted == 1  # only the one fresh check entry; run entries are never redacted
    assert redacted.verify().ok


@pytest.mark.parametrize(
    ("sql", "seq", "kind"),
    [
        ("UPDATE audit_entry SET officer = 'someone-else' WHERE seq = 4", 4, "edited"),
        ("UPDATE audit_entry SET status = 'clear' WHERE seq = 2", 2, "edited"),
        ("UPDATE audit_entry SET at = '2020-01-01 00:00:00.000000' WHERE seq = 3", 3, "edited"),
        ("UPDATE audit_entry SET query_text = 'run plate ZZZ1' WHERE seq = 5", 5, "personal data"),
        ("UPDATE audit_entry SET redacted_at = NULL WHERE seq = 6", 6, "edited"),
        ("UPDATE audit_entry SET personal_hash = content_hash WHERE seq = 7", 7, "edited"),
        ("DELETE FROM audit_entry WHERE seq = 5", 6, "missing"),
    ],
)
def test_tampering_is_still_detected_after_redaction(
    redacted: AuditLog, sql: str, seq: int, kind: str
) -> None:
    _exec(redacted, sql)
    report = redacted.verify()
    assert any(f"seq {seq}:" in p and kind in p for p in report.problems), report.problems


def test_reordered_redacted_entries_are_detected(redacted: AuditLog) -> None:
    _exec(redacted, "UPDATE audit_entry SET seq = 1000 WHERE seq = 3")
    _exec(redacted, "UPDATE audit_entry SET seq = 3 WHERE seq = 4")
    _exec(redacted, "UPDATE audit_entry SET seq = 4 WHERE seq = 1000")
    problems = redacted.verify().problems
    assert any("seq 3" in p for p in problems) and any("seq 4" in p for p in problems)


def test_inserted_entry_is_detected(redacted: AuditLog) -> None:
    rows = _raw_rows(redacted)
    # Make room after seq 5 and re-link the old seq 6 onto the forged entry.
    _exec(redacted, "UPDATE audit_entry SET seq = seq + 100 WHERE seq > 5")  # seq is unique: two steps
    _exec(redacted, "UPDATE audit_entry SET seq = seq - 99 WHERE seq > 100")
    _exec(redacted, f"UPDATE audit_entry SET prev_hash = '{'f' * 64}' WHERE seq = 7")
    forged = dict(rows[4], id=999, seq=6, prev_hash=rows[4]["hash"], hash="f" * 64, content_hash="e" * 64)
    with redacted.engine.begin() as conn:
        cols = ", ".join(forged)
        conn.execute(
            text(f"INSERT INTO audit_entry ({cols}) VALUES ({', '.join(':' + c for c in forged)})"), forged
        )
    problems = redacted.verify().problems
    assert any("seq 6:" in p and "edited" in p for p in problems), problems
    assert any("seq 6:" in p and "stored out of insertion order" not in p for p in problems)


def test_retention_cli_then_audit_verify(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/cli.sqlite3"
    engine = _engine(db)
    log = AuditLog(engine)
    for i in range(1, 6):
        log.append(_record(i))
    time.sleep(0.2)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):  # 1e-6 days = 86 ms: everything above is past it
        assert main(["retention", "run", "--audit-text-days", "0.000001", "--db", db]) == 0
    assert json.loads(out.getvalue())["redacted"] == 5
    with contextlib.redirect_stdout(io.StringIO()) as verify_out:
        assert main(["audit", "verify", "--db", db]) == 0
    assert json.loads(verify_out.getvalue())["ok"] is True
    assert not any(p in json.dumps(_raw_rows(log)[:5], default=str) for p in PERSONAL)
    engine.dispose()


def test_matched_face_probes_past_their_hours_are_deleted(tmp_path: Path) -> None:
    from analytics.face.store import WatchStore

    engine = _engine(f"sqlite:///{tmp_path}/f.sqlite3")
    log = AuditLog(engine)
    assert run_retention(log, RetentionPolicy()).face_probes_deleted == 0  # no face table yet: fine
    store = WatchStore(engine)
    entry = store.enrol("subject A", "warrant", np.zeros(128, np.float32), max_entries=10)
    store.keep_hit(entry.id, 0.3, np.ones(128, np.float32), retention=timedelta(days=31))
    store.keep_hit(entry.id, 0.3, np.ones(128, np.float32), retention=timedelta(days=31))
    assert run_retention(log, RetentionPolicy(face_probe_hours=2)).face_probes_deleted == 0
    later = datetime.now(UTC) + timedelta(hours=3)
    assert run_retention(log, RetentionPolicy(face_probe_hours=2), now=later).face_probes_deleted == 2
    assert store.hits() == 0 and store.count() == 1  # the watch list itself is not a probe
    assert log.verify().ok
    engine.dispose()


@pytest.fixture()
def own_pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema of this test alone (the session one is tampered with elsewhere)."""
    import uuid

    from sqlalchemy import create_engine

    from tests.service.conftest import PG_BASE

    schema = f"ret_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as err:  # pragma: no cover - environment without PostgreSQL
        pytest.skip(f"PostgreSQL not available: {type(err).__name__}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with contextlib.suppress(Exception), admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
def test_redaction_keeps_the_chain_on_postgres(own_pg_url: str) -> None:
    engine = _engine(own_pg_url)
    log = AuditLog(engine)
    start = log.verify().entries
    for i in range(1, 6):
        log.append(_record(i))
    report = run_retention(log, RetentionPolicy(), now=datetime.now(UTC) + timedelta(days=400))
    assert report.redacted >= 5
    result = log.verify()
    assert result.ok, result.problems
    assert result.entries == start + 6
    _exec(log, f"UPDATE audit_entry SET officer = 'x' WHERE seq = {start + 2}")
    assert any(f"seq {start + 2}:" in p for p in log.verify().problems)
    engine.dispose()


async def test_the_service_runs_retention_periodically(tmp_path: Path) -> None:
    from service.retention import RetentionScheduler

    engine = _engine(f"sqlite:///{tmp_path}/p.sqlite3")
    log = AuditLog(engine)
    log.append(_record(1))
    await asyncio.sleep(0.05)
    # 1e-6 days = 86 ms: the entry above is past it by the second run
    scheduler = RetentionScheduler(
        log, RetentionPolicy(audit_text_days=1e-6), interval_s=0.1, first_delay_s=0.01
    )
    scheduler.start()
    await asyncio.sleep(0.6)
    await scheduler.stop()
    runs = [e for e in log.search(limit=50) if e.action == "retention_run"]
    assert len(runs) >= 2 and all(e.source == "service" for e in runs)
    assert log.verify().ok and log.verify().redacted == 1
    idle = RetentionScheduler(log, RetentionPolicy(), interval_s=0)
    idle.start()  # interval 0: off
    await idle.stop()
    engine.dispose()


def test_face_watch_keeps_matches_for_face_probe_hours_by_default(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from analytics.face_watch import STATE
    from tests.service.conftest import build_app, make_settings

    with TestClient(build_app(make_settings(tmp_path, retention={"face_probe_hours": 6}))):
        assert STATE.options.retention_days == pytest.approx(6 / 24)
    explicit = {"face_watch": {"retention_days": 2}}
    with TestClient(build_app(make_settings(tmp_path, skills={"options": explicit}))):
        assert STATE.options.retention_days == 2

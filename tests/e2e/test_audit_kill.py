"""``kill -9`` under typed-query load loses no answered audit entry (group commit on SQLite).

The real service in its own process, 32 concurrent clients posting typed queries, each
with its own text; SIGKILL while they run. Every query that was answered (HTTP 200) must
have its entry in the audit log afterwards, and the chain must verify.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from lookup.db import make_engine
from service.audit import AuditLog
from service.records import AuditEntry
from tests.e2e.conftest import PATROL, ROOT, _free_port, seed_and_token

CLIENTS = 32


async def _load(base: str, token: str, proc: subprocess.Popen[bytes], kill_after: int) -> set[str]:
    answered: set[str] = set()
    headers = {"Authorization": f"Bearer {token}"}
    stop = asyncio.Event()

    async def client(n: int, http: httpx.AsyncClient) -> None:
        i = 0
        while not stop.is_set():
            text = f"run plate K{n}X{i}"
            i += 1
            try:
                r = await http.post("/v1/query", json={"text": text}, headers=headers)
            except httpx.HTTPError:
                return  # the server is gone
            if r.status_code == 200:
                answered.add(text)
                if len(answered) >= kill_after and not stop.is_set():
                    proc.kill()  # SIGKILL in the middle of the load
                    stop.set()

    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        await asyncio.gather(*(client(n, http) for n in range(CLIENTS)))
    return answered


def test_kill_9_under_load_loses_no_answered_entry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/registry.sqlite3"
    env = {**os.environ, "PATROL_REGISTRY__URL": url, "PATROL_DATA_DIR": str(tmp_path),
           "PATROL_AUTH__RATE_PER_MINUTE": "1000000", "PATROL_ROUTER__SEMANTIC": "false"}
    token = seed_and_token(env, 200, "K-1", "PC-9")
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([*PATROL, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("service did not become ready: " + (tmp_path / "serve.log").read_text()[-2000:])
            time.sleep(0.5)
        answered = asyncio.run(_load(f"http://127.0.0.1:{port}", token, proc, kill_after=150))
        assert proc.wait(timeout=30) == -9
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    assert len(answered) >= 150
    engine = make_engine(url)
    try:
        audit = AuditLog(engine)
        report = audit.verify()
        assert report.ok, report.problems
        with engine.connect() as conn:
            stored = set(conn.scalars(select(AuditEntry.query_text).where(AuditEntry.source == "http")))
        assert not answered - stored, f"{len(answered - stored)} answered queries have no audit entry"
        audit.close()
    finally:
        engine.dispose()

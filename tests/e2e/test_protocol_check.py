"""The shared protocol v1 conformance checker against the real service.

`patrol db init` seeds a real SQLite registry, `patrol token create` makes a token, and
`patrol serve` runs in its own process with the real model; then
../shared/tools/protocol_check.py speaks to it over a real socket (full lookup stage).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT.parent / "shared" / "tools" / "protocol_check.py"
PATROL = [sys.executable, "-m", "service.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "PATROL_REGISTRY__URL": f"sqlite:///{tmp}/registry.sqlite3",
           "PATROL_DATA_DIR": str(tmp), "PYTHONUNBUFFERED": "1"}
    subprocess.run([*PATROL, "db", "init", "--seed-if-empty", "2000"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    made = subprocess.run([*PATROL, "token", "create", "--role", "patrol", "--officer", "E2E-1",
                           "--unit", "PC-12"], env=env, cwd=ROOT, check=True, capture_output=True,
                          text=True, timeout=120)
    token = made.stdout.strip().splitlines()[-1].split()[-1]
    port = _free_port()
    log = (tmp / "serve.log").open("w")
    proc = subprocess.Popen([*PATROL, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("service did not become ready: " + (tmp / "serve.log").read_text()[-2000:])
            time.sleep(0.5)
        yield f"ws://127.0.0.1:{port}/v1/radio", token
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.mark.skipif(not CHECKER.exists(), reason="../shared/tools/protocol_check.py is not beside the repo")
def test_protocol_check_passes_in_full(served: tuple[str, str]) -> None:
    url, token = served
    run = subprocess.run([sys.executable, str(CHECKER), url, "--token", token], capture_output=True,
                         text=True, timeout=300)
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 failed" in run.stdout


def test_websocket_refuses_a_wrong_token(served: tuple[str, str]) -> None:
    import asyncio

    import websockets

    url, _token = served

    async def attempt() -> int | None:
        async with websockets.connect(url + "?token=ptl_wrong") as ws:
            await asyncio.wait_for(ws.wait_closed(), 10)
            return ws.close_code

    assert asyncio.run(attempt()) == 4401

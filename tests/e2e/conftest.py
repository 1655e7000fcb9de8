"""The real service in its own process (`patrol db init`, `patrol token create`, `patrol serve`)."""

from __future__ import annotations

import contextlib
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
PATROL = [sys.executable, "-m", "service.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed_and_token(env: dict[str, str], persons: int | str, officer: str, unit: str) -> str:
    """``patrol db init --seed-if-empty persons`` and a patrol token for ``officer`` in ``unit``."""
    subprocess.run([*PATROL, "db", "init", "--seed-if-empty", str(persons)], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=600)
    made = subprocess.run([*PATROL, "token", "create", "--role", "patrol", "--officer", officer,
                           "--unit", unit], env=env, cwd=ROOT, check=True, capture_output=True,
                          text=True, timeout=120)
    return made.stdout.strip().splitlines()[-1].split()[-1]


@contextlib.contextmanager
def service_process(env: dict[str, str], log_path: Path, *,
                    ready_s: float = 240) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``patrol serve`` on a free port with ``env``, once ``/readyz`` answers; stopped after."""
    port = _free_port()
    with log_path.open("w") as log:
        proc = subprocess.Popen([*PATROL, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + ready_s
            while True:
                with contextlib.suppress(OSError), urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("service did not become ready: " + log_path.read_text()[-2000:])
                time.sleep(0.5)
            yield proc, port
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "PATROL_REGISTRY__URL": f"sqlite:///{tmp}/registry.sqlite3",
           "PATROL_DATA_DIR": str(tmp), "PYTHONUNBUFFERED": "1"}
    token = seed_and_token(env, 2000, "E2E-1", "PC-12")
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

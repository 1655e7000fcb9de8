"""The shared protocol v1 conformance checker against the real service.

`patrol db init` seeds a real SQLite registry, `patrol token create` makes a token, and
`patrol serve` runs in its own process with the real model; then
../shared/tools/protocol_check.py speaks to it over a real socket (full lookup stage).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT.parent / "shared" / "tools" / "protocol_check.py"


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

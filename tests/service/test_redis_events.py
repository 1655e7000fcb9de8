"""Two app instances sharing the local Redis: events published on one reach a console on the other."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import websockets

from tests.service.conftest import bearer, build_app, issue_tokens, make_settings

REDIS_URL = "redis://127.0.0.1:6379/0"
pytestmark = pytest.mark.redis


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


class Server:
    """uvicorn on a free loopback port in a background thread."""

    def __init__(self, app: Any) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.app = app
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture()
def two_instances(tmp_path: Path) -> Iterator[tuple[Server, Server, dict[str, str]]]:
    if not _redis_up():
        pytest.skip("no Redis at 127.0.0.1:6379")
    channel = f"patrol:test:{uuid.uuid4().hex[:8]}"
    url = f"sqlite:///{tmp_path}/shared.sqlite3"  # shared registry/audit DB, as replicas share PostgreSQL
    apps = [
        build_app(
            make_settings(tmp_path, registry={"url": url}, redis_url=REDIS_URL, events={"channel": channel})
        )
        for _ in range(2)
    ]
    with Server(apps[0]) as a, Server(apps[1]) as b:
        yield a, b, issue_tokens(apps[0])


async def test_events_cross_instances_over_redis(
    two_instances: tuple[Server, Server, dict[str, str]],
) -> None:
    a, b, tokens = two_instances
    async with websockets.connect(f"ws://127.0.0.1:{b.port}/v1/events?token={tokens['operator']}") as feed:
        assert json.loads(await asyncio.wait_for(feed.recv(), 5))["type"] == "subscribed"
        await asyncio.sleep(0.2)  # the SUBSCRIBE has reached Redis
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{a.port}") as client:
            r = await client.post(
                "/v1/query",
                json={"text": "run plate STOLEN1", "channel": "east-3"},
                headers=bearer(tokens["patrol"]),
            )
            assert r.status_code == 200 and r.json()["status"] == "hit"
            ready = await client.get("/readyz")
            assert ready.json()["checks"]["events"] is True
        got = [json.loads(await asyncio.wait_for(feed.recv(), 5)) for _ in range(2)]
    assert [m["event"]["type"] for m in got] == ["intent", "result"]
    assert got[1]["channel"] == "east-3" and got[1]["event"]["alerts"][0]["kind"] == "stolen"

"""JSON logs, one object per line, and an access log without query strings.

``setup_logging`` installs a JSON formatter on the root logger (and routes uvicorn's
loggers through it). Personal data (plates, names, dates of birth, transcripts) is only
ever logged at DEBUG by the modules themselves; the access log written by
:class:`AccessLogMiddleware` records the route template, method, status and latency but
never the query string, because websocket clients may put their token there.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import metrics

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("patrol.access")

# uvicorn adds ``color_message``: the message again, with terminal colour codes.
_RESERVED = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message and extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise ``record``."""
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)


def setup_logging(level: str = "INFO") -> None:
    """Send every logger's records to stderr as JSON lines at ``level``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        log = logging.getLogger(name)
        log.handlers[:] = []
        log.propagate = True
    # uvicorn's own access log prints the raw URL (tokens in ?token=); ours does not.
    logging.getLogger("uvicorn.access").disabled = True


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class AccessLogMiddleware:
    """Logs and counts each HTTP request by route template, without the query string."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - t0
            route = _route_of(scope)
            metrics.observe_request(route, scope.get("method", ""), status, elapsed)
            access_logger.info("%s %s %d %.1fms", scope.get("method", ""), route, status, elapsed * 1000,
                               extra={"route": route, "status": status, "ms": round(elapsed * 1000, 2)})

"""Request body size limits, enforced before any route reads the body.

JSON routes accept ``auth.max_body_bytes``; upload routes (multipart, audio, and the skills
that take images or video) accept ``auth.max_upload_bytes``. A declared ``Content-Length``
over the limit is refused at once with 413; a body without one (chunked) is read up to the
limit and refused as soon as it goes over, so an oversized upload never sits in memory whole.
"""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import metrics

logger = logging.getLogger(__name__)

UPLOAD_PATHS = frozenset({"/v1/transcribe"})


class BodyLimitMiddleware:
    """Pure ASGI middleware that refuses request bodies over the configured size."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int,
                 upload_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_upload = max_upload_bytes
        # Media skills take base64 JSON as well as multipart: both get the upload limit.
        self.upload_paths = UPLOAD_PATHS | upload_paths

    def _limit(self, scope: Scope) -> int:
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if scope.get("path") in self.upload_paths or content_type.startswith("multipart/"):
            return self.max_upload
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = limit + 1
            if size > limit:
                await _too_large(send, limit)
                return
            await self.app(scope, receive, send)
            return
        # No declared length: buffer up to the limit, then replay to the app.
        chunks: list[Message] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                chunks.append(message)
                break
            total += len(message.get("body", b""))
            if total > limit:
                await _too_large(send, limit)
                return
            chunks.append(message)
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if chunks:
                return chunks.pop(0)
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    metrics.count_error("too_large")
    body = json.dumps({"type": "error", "code": "too_large",
                       "message": f"request body over {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})

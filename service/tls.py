"""Serving HTTPS and WSS on the service's own port: TLS 1.2 or later only.

``patrol serve --tls-cert FILE --tls-key FILE`` (or ``PATROL_TLS__CERT_FILE`` and
``PATROL_TLS__KEY_FILE``) makes uvicorn terminate TLS itself; every route, the console and
both websockets (``wss://``) are then served over it, and a plain-HTTP request to the port
fails the handshake. The context refuses TLS 1.0 and 1.1 explicitly rather than relying on
the OpenSSL build's defaults. The console routes add Strict-Transport-Security over HTTPS
(:mod:`service.console_api`).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2


def harden(context: ssl.SSLContext) -> ssl.SSLContext:
    """Pin the minimum protocol to TLS 1.2 and drop compression and renegotiation."""
    context.minimum_version = MINIMUM_VERSION
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION | ssl.OP_CIPHER_SERVER_PREFERENCE
    return context


def _factory(_config: uvicorn.Config, default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
    return harden(default())


def server_config(
    app: Any,
    *,
    host: str,
    port: int,
    log_level: str,
    ws_max_size: int,
    cert_file: Path | None = None,
    key_file: Path | None = None,
) -> uvicorn.Config:
    """The uvicorn config of ``patrol serve``: TLS when both files are given, plain otherwise."""
    if (cert_file is None) != (key_file is None):
        raise ValueError("TLS needs both a certificate and a key file")
    tls: dict[str, Any] = {}
    if cert_file is not None and key_file is not None:
        for path in (cert_file, key_file):
            if not Path(path).is_file():
                raise FileNotFoundError(f"TLS file not found: {path}")
        tls = {"ssl_certfile": str(cert_file), "ssl_keyfile": str(key_file), "ssl_context_factory": _factory}
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, ws_max_size=ws_max_size, **tls)

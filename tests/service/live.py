"""A real uvicorn server (through ``service.tls.server_config``, as ``patrol serve`` builds
it) in a background thread, and a self-signed certificate made with ``cryptography``."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from service.tls import server_config


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed P-256 certificate for localhost and 127.0.0.1; returns (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class Served:
    """``with Served(app, cert, key) as s:`` serves ``app`` on a free loopback port."""

    def __init__(self, app: Any, cert: Path | None = None, key: Path | None = None) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.tls = cert is not None
        config: uvicorn.Config = server_config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws_max_size=1 << 24,
            cert_file=cert,
            key_file=key,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.app = app

    def url(self, path: str, *, ws: bool = False) -> str:
        """The URL of ``path`` on this server (https/wss when TLS is on)."""
        scheme = ("wss" if ws else "https") if self.tls else ("ws" if ws else "http")
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)

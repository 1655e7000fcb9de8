"""TLS on the service's own port: https:// and wss:// work with a certificate the test makes,
plain HTTP is refused on the TLS port, TLS 1.1 is refused, HSTS is sent on the console."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.service.conftest import bearer, build_app, issue_tokens, make_settings
from tests.service.live import Served, make_certificate


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, dict[str, str], Path]]:
    tmp = tmp_path_factory.mktemp("tls")
    cert, key = make_certificate(tmp)
    app = build_app(make_settings(tmp))
    with Served(app, cert, key) as served:
        yield served, issue_tokens(app), cert


def _client_context(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


TlsServer = tuple[Served, dict[str, str], Path]


def test_https_serves_the_api_and_hsts_on_the_console(tls_server: TlsServer) -> None:
    served, tokens, cert = tls_server
    with httpx.Client(verify=_client_context(cert)) as client:
        r = client.get(served.url("/healthz"))
        assert r.status_code == 200 and r.url.scheme == "https"
        r = client.get(served.url("/v1/whoami"), headers=bearer(tokens["operator"]))
        assert r.status_code == 200 and r.json()["role"] == "operator"
        page = client.get(served.url("/"))
        assert page.status_code == 200
        assert page.headers["strict-transport-security"].startswith("max-age=31536000")
        static = client.get(served.url("/console/console.css"))
        assert static.status_code == 200 and "max-age=" in static.headers["strict-transport-security"]


def test_wss_radio_session(tls_server: tuple[Served, dict[str, str], Path]) -> None:
    served, tokens, cert = tls_server
    with connect(
        served.url("/v1/radio", ws=True),
        ssl=_client_context(cert),
        additional_headers=bearer(tokens["patrol"]),
    ) as ws:
        ws.send(json.dumps({"type": "start", "rate": 16000, "channel": "north-1"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "ready"
        ws.send(json.dumps({"type": "query", "text": "run plate 7XYZ456"}))
        kinds = set()
        while "result" not in kinds:
            kinds.add(json.loads(ws.recv(timeout=10))["type"])
    with connect(
        served.url("/v1/events", ws=True) + f"?token={tokens['operator']}", ssl=_client_context(cert)
    ) as feed:
        assert json.loads(feed.recv(timeout=10))["type"] == "subscribed"


def test_untrusted_certificate_is_rejected_by_a_verifying_client(
    tls_server: tuple[Served, dict[str, str], Path],
) -> None:
    served, _tokens, _cert = tls_server
    with pytest.raises(httpx.ConnectError):
        httpx.get(served.url("/healthz"), verify=ssl.create_default_context())


def test_plain_http_is_refused_on_the_tls_port(tls_server: tuple[Served, dict[str, str], Path]) -> None:
    served, _tokens, _cert = tls_server
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{served.port}/healthz", timeout=5)
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as raw:
        raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            reply = raw.recv(4096)
        except ConnectionResetError:
            reply = b""
    assert not reply.startswith(b"HTTP/")  # nothing served in the clear


def _handshake(port: int, version: ssl.TLSVersion) -> str:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ctx.maximum_version = version
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client offer old protocols: the server must refuse
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return str(tls.version())


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_1_1_is_refused_and_1_2_accepted(tls_server: tuple[Served, dict[str, str], Path]) -> None:
    served, _tokens, _cert = tls_server
    with pytest.raises(ssl.SSLError) as refused:
        _handshake(served.port, ssl.TLSVersion.TLSv1_1)
    assert not isinstance(refused.value, ssl.SSLCertVerificationError)
    assert _handshake(served.port, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    assert _handshake(served.port, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_the_same_tls_1_1_client_gets_through_to_a_server_that_allows_it(
    tls_server: tuple[Served, dict[str, str], Path], tmp_path: Path
) -> None:
    """Control: the refusal above comes from the service's context, not from this client or
    this OpenSSL build being unable to speak TLS 1.1."""
    _served, _tokens, _cert = tls_server
    cert, key = make_certificate(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_1
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve_one() -> None:
        conn, _addr = listener.accept()
        with contextlib.suppress(OSError), ctx.wrap_socket(conn, server_side=True) as tls:
            tls.recv(1)

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    try:
        assert _handshake(port, ssl.TLSVersion.TLSv1_1) == "TLSv1.1"
    finally:
        thread.join(timeout=5)
        listener.close()


def test_no_hsts_over_plain_http(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    with TestClient(build_app(make_settings(tmp_path))) as client:
        page = client.get("/")
        assert page.status_code == 200 and "strict-transport-security" not in page.headers
        assert "content-security-policy" in page.headers


def test_serve_needs_both_files(tmp_path: Path) -> None:
    from service.tls import server_config

    cert, _key = make_certificate(tmp_path)
    with pytest.raises(ValueError):
        server_config(object(), host="127.0.0.1", port=1, log_level="info", ws_max_size=1, cert_file=cert)
    with pytest.raises(FileNotFoundError):
        server_config(
            object(),
            host="127.0.0.1",
            port=1,
            log_level="info",
            ws_max_size=1,
            cert_file=cert,
            key_file=tmp_path / "missing.pem",
        )


def test_patrol_serve_flags_and_env_give_a_tls_1_2_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cli import build_parser, serve_config
    from service.settings import Settings

    cert, key = make_certificate(tmp_path)
    settings = make_settings(tmp_path)
    args = build_parser(settings).parse_args(["serve", "--tls-cert", str(cert), "--tls-key", str(key)])
    config = serve_config(args, settings)
    config.load()
    assert config.ssl is not None and config.ssl.minimum_version == ssl.TLSVersion.TLSv1_2
    plain = serve_config(build_parser(settings).parse_args(["serve"]), make_settings(tmp_path))
    plain.load()
    assert plain.ssl is None
    monkeypatch.setenv("PATROL_TLS__CERT_FILE", str(cert))
    monkeypatch.setenv("PATROL_TLS__KEY_FILE", str(key))
    from_env = Settings()
    assert from_env.tls.cert_file == cert and from_env.tls.key_file == key
    config = serve_config(build_parser(from_env).parse_args(["serve"]), from_env)
    config.load()
    assert config.ssl is not None and config.ssl.minimum_version == ssl.TLSVersion.TLSv1_2

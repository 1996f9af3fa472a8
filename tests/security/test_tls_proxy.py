"""Mutual TLS, private CAs and proxies, against loopback servers made in the test: the
sandbox's WSGI app over TLS with certificates from a throw-away CA, and a proxy that
logs what passes through it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from removethebackground import Binding, PixelzClient
from removethebackground.core.errors import (
    ConnectionFailedError,
    InvalidParameterError,
    TLSVerificationError,
)
from removethebackground.sandbox.app import SandboxApp
from removethebackground.testing.sandbox import SandboxHandle
from support.clients import make_client
from support.pki import PKI, Issued
from support.tls import Proxy, TLSServer

EMAIL = "demo@example.com"
KEY = "demo-key"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    return PKI(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def server_cert(pki: PKI) -> Issued:
    return pki.issue("server", dns=("localhost",), ips=("127.0.0.1",))


@pytest.fixture(scope="module")
def client_cert(pki: PKI) -> Issued:
    return pki.issue("client", client=True)


@pytest.fixture(scope="module")
def app() -> Iterator[SandboxApp]:
    sandbox_app = SandboxApp(None, start=False)
    yield sandbox_app
    sandbox_app.close()


@pytest.fixture(scope="module")
def ticket(app: SandboxApp) -> str:
    return app.seed_image(status=10)


@pytest.fixture(scope="module")
def tls_server(app: SandboxApp, server_cert: Issued) -> Iterator[TLSServer]:
    with TLSServer(app, server_cert.cert_file, server_cert.key_file) as server:
        yield server


def _client(url: str, kind: str = "sync", **kwargs: object) -> PixelzClient:
    client: PixelzClient = make_client(kind, EMAIL, KEY, endpoint=url, timeout=10, **kwargs)
    return client


# --- private CA and host names ---------------------------------------------------------------


def test_a_private_ca_given_as_verify_works(
    tls_server: TLSServer, pki: PKI, ticket: str, client_kind: str
) -> None:
    for host in ("127.0.0.1", "localhost"):
        client = _client(tls_server.url(host), client_kind, verify=str(pki.ca.cert_file))
        status = client.get_image_status(image_ticket=ticket)
        assert status.image_status is not None and status.image_status.status_id == 10


def test_default_verification_refuses_a_private_ca(
    tls_server: TLSServer, ticket: str, client_kind: str
) -> None:
    with pytest.raises(TLSVerificationError) as info:
        _client(tls_server.url(), client_kind).get_image_status(image_ticket=ticket)
    assert info.value.reason == "untrusted_issuer"
    assert isinstance(info.value, ConnectionFailedError)
    assert "verify=" in str(info.value)
    assert KEY not in str(info.value) and KEY not in repr(info.value)
    # verify=False is possible (and then the call goes through)
    insecure = _client(tls_server.url(), client_kind, verify=False)
    if client_kind == "sync":
        with pytest.warns(Warning):  # urllib3's InsecureRequestWarning
            assert insecure.get_image_status(image_ticket=ticket).image_status is not None
    else:
        assert insecure.get_image_status(image_ticket=ticket).image_status is not None


def test_a_certificate_for_another_name_is_a_hostname_mismatch(
    app: SandboxApp, pki: PKI, ticket: str, client_kind: str
) -> None:
    other = pki.issue("other", dns=("other.example",))
    with TLSServer(app, other.cert_file, other.key_file) as server:
        client = _client(server.url(), client_kind, verify=str(pki.ca.cert_file))
        with pytest.raises(TLSVerificationError) as info:
            client.get_image_status(image_ticket=ticket)
    assert info.value.reason == "hostname_mismatch"
    assert "another name" in str(info.value)


# --- client certificates -----------------------------------------------------------------------


def test_a_server_that_requires_a_client_certificate(
    app: SandboxApp,
    pki: PKI,
    server_cert: Issued,
    client_cert: Issued,
    ticket: str,
    client_kind: str,
) -> None:
    with TLSServer(
        app, server_cert.cert_file, server_cert.key_file, client_ca=pki.ca.cert_file
    ) as server:
        ca = str(pki.ca.cert_file)
        with pytest.raises(TLSVerificationError) as info:
            _client(server.url(), client_kind, verify=ca).get_image_status(image_ticket=ticket)
        assert info.value.reason == "client_certificate_refused"
        assert "cert=" in str(info.value)
        paired = _client(
            server.url(),
            client_kind,
            verify=ca,
            cert=(str(client_cert.cert_file), str(client_cert.key_file)),
        )
        assert paired.get_image_status(image_ticket=ticket).image_status is not None
        combined = client_cert.cert_file.with_suffix(".pem")
        combined.write_bytes(client_cert.cert_pem + client_cert.key_pem)
        one_file = _client(server.url(), client_kind, verify=ca, cert=str(combined))
        assert one_file.get_image_status(image_ticket=ticket).image_status is not None
        # a certificate from another CA is refused too
        stranger = PKI(pki.directory / "stranger", "Stranger CA").issue("intruder", client=True)
        wrong = _client(
            server.url(),
            client_kind,
            verify=ca,
            cert=(str(stranger.cert_file), str(stranger.key_file)),
        )
        with pytest.raises(TLSVerificationError) as info:
            wrong.get_image_status(image_ticket=ticket)
        assert info.value.reason == "client_certificate_refused"


def test_options_are_checked_before_sending(tmp_path: Path, client_kind: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        _client("https://127.0.0.1:9/soap.asmx", client_kind, verify=str(tmp_path / "missing.pem"))
    assert info.value.parameter == "verify"
    with pytest.raises(InvalidParameterError) as info:
        _client(
            "https://127.0.0.1:9/soap.asmx",
            client_kind,
            cert=(str(tmp_path / "a"), str(tmp_path / "b")),
        )
    assert info.value.parameter == "cert"
    with pytest.raises(InvalidParameterError) as info:
        _client("https://127.0.0.1:9/soap.asmx", client_kind, proxies={"https": "ftp://x"})
    assert info.value.parameter == "proxies"
    with pytest.raises(InvalidParameterError):
        _client(
            "https://127.0.0.1:9/soap.asmx", client_kind, proxy="http://a:1", proxies={"http": "x"}
        )


def test_with_binding_keeps_tls_and_proxy_options(
    pki: PKI, client_cert: Issued, client_kind: str
) -> None:
    client = _client(
        "https://127.0.0.1:9/soap.asmx",
        client_kind,
        verify=str(pki.ca.cert_file),
        cert=(str(client_cert.cert_file), str(client_cert.key_file)),
        proxy="http://127.0.0.1:3128",
    )
    clone = client.with_binding(Binding.SOAP12)
    assert clone.transport is client.transport  # one transport, one set of TLS options
    transport: Any = client.transport
    assert transport.verify == str(pki.ca.cert_file)
    assert transport.cert == (str(client_cert.cert_file), str(client_cert.key_file))
    assert transport.proxies == {
        "http": "http://127.0.0.1:3128",
        "https": "http://127.0.0.1:3128",
    }
    # TLS options belong to a transport given explicitly
    with pytest.raises(InvalidParameterError) as info:
        _client("https://127.0.0.1:9/soap.asmx", client_kind, transport=transport, verify=False)
    assert info.value.parameter == "transport"


# --- proxies -------------------------------------------------------------------------------------


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12, Binding.HTTP_POST])
def test_http_proxy_carries_the_call_and_logs_no_key(
    sandbox: SandboxHandle, binding: Binding, caplog: pytest.LogCaptureFixture, client_kind: str
) -> None:
    ticket = sandbox.seed_image(status=10)
    with Proxy() as proxy:
        client = make_client(
            client_kind,
            sandbox.demo_email,
            sandbox.demo_api_key,
            binding=binding,
            endpoint=sandbox.pixelz_endpoint,
            proxy=proxy.url,
        )
        with caplog.at_level(logging.DEBUG):
            status = client.get_image_status(image_ticket=ticket)
    assert status.image_status is not None
    assert proxy.log.forwarded == 1 and proxy.log.tunnels == 0
    assert proxy.log.lines[0].startswith(("POST http://127.0.0.1:", "GET http://127.0.0.1:"))
    assert KEY not in proxy.log.text
    assert KEY not in caplog.text


def test_http_get_puts_the_key_where_a_proxy_logs_it(sandbox: SandboxHandle) -> None:
    """Why the docs (docs/client.md) say to prefer SOAP or HTTP POST behind a logging proxy."""
    ticket = sandbox.seed_image(status=10)
    with Proxy() as proxy:
        sandbox.pixelz_client(Binding.HTTP_GET, proxy=proxy.url).get_image_status(
            image_ticket=ticket
        )
    assert proxy.log.forwarded == 1
    assert f"contactAPIkey={KEY}" in proxy.log.text


def test_connect_proxy_sees_no_plaintext(
    tls_server: TLSServer, pki: PKI, ticket: str, client_kind: str
) -> None:
    with Proxy() as proxy:
        client = _client(
            tls_server.url(),
            client_kind,
            verify=str(pki.ca.cert_file),
            proxies={"https": proxy.url},
        )
        for binding in (Binding.SOAP11, Binding.HTTP_GET):
            status = client.with_binding(binding).get_image_status(image_ticket=ticket)
            assert status.image_status is not None
    assert proxy.log.tunnels >= 1 and proxy.log.forwarded == 0
    assert proxy.log.lines[0].startswith(f"CONNECT 127.0.0.1:{tls_server.port} HTTP/1.")
    seen = bytes(proxy.log.tunnel_bytes)
    assert len(seen) > 1000  # the calls did go through the tunnel
    for plaintext in (
        KEY.encode(),
        b"Envelope",
        b"contactAPIkey",
        b"GetImageStatus",
        EMAIL.encode(),
    ):
        assert plaintext not in seen
    assert KEY not in proxy.log.text


def test_a_caller_session_is_used_as_is(tls_server: TLSServer, pki: PKI, ticket: str) -> None:
    session = requests.Session()
    session.verify = str(pki.ca.cert_file)
    client = _client(tls_server.url(), session=session)  # the session's own verify
    assert client.get_image_status(image_ticket=ticket).image_status is not None
    # and the client's options still apply on top of a caller's session
    strict = _client(tls_server.url(), session=requests.Session(), verify=True)
    with pytest.raises(TLSVerificationError):
        strict.get_image_status(image_ticket=ticket)


def test_a_proxy_url_with_credentials_sends_them_to_the_proxy(
    sandbox: SandboxHandle, tls_server: TLSServer, pki: PKI, ticket: str, client_kind: str
) -> None:
    """``http://user:password@proxy``: both clients send ``Proxy-Authorization`` (Basic,
    the URL's quoting undone) to the proxy, in the forwarded request and in the
    ``CONNECT`` of a tunnel (inside the tunnel the proxy sees nothing)."""
    import base64

    expected = "Basic " + base64.b64encode(b"shop:p@ss word").decode()
    with Proxy() as proxy:
        with_credentials = proxy.url.replace("http://", "http://shop:p%40ss%20word@")
        plain = make_client(
            client_kind,
            sandbox.demo_email,
            sandbox.demo_api_key,
            endpoint=sandbox.pixelz_endpoint,
            proxy=with_credentials,
        )
        assert plain.get_image_status(image_ticket=sandbox.seed_image(status=10)).image_status
        tunnelled = _client(
            tls_server.url(),
            client_kind,
            verify=str(pki.ca.cert_file),
            proxies={"https": with_credentials},
        )
        assert tunnelled.get_image_status(image_ticket=ticket).image_status is not None
    sent = [line for line in proxy.log.lines if line.lower().startswith("proxy-authorization:")]
    assert sent == [f"Proxy-Authorization: {expected}"] * 2, proxy.log.lines
    assert proxy.log.forwarded == 1 and proxy.log.tunnels == 1
    assert "p@ss" not in proxy.log.text and "shop:" not in proxy.log.text

"""WS-Security: UsernameToken digests against the profile and zeep, the sandbox's checks
and faults end to end, signatures checked by xmlsec and zeep in both directions, and
secrets kept out of reprs."""

from __future__ import annotations

import base64
import datetime
import hashlib
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import xmlsec
from lxml import etree
from zeep.exceptions import SignatureVerificationFailed
from zeep.wsse.signature import BinarySignature as ZeepBinarySignature
from zeep.wsse.signature import verify_envelope as zeep_verify
from zeep.wsse.username import UsernameToken as ZeepUsernameToken

from removethebackground import PixelzClient
from removethebackground.core.client import build_envelope
from removethebackground.core.codec import SOAP11_ENV, SOAP12_ENV
from removethebackground.core.errors import (
    AuthenticationError,
    ClientFault,
    HTTPStatusError,
    ProtocolFault,
    ServiceFault,
)
from removethebackground.core.wire import Binding
from removethebackground.generated import pixelz
from removethebackground.plugins.wsse import (
    FAULT_STRINGS,
    WSSE_NS,
    WSU_NS,
    Credential,
    FailedAuthenticationError,
    FailedCheckError,
    InvalidSecurityError,
    InvalidSecurityTokenError,
    MessageExpiredError,
    SecurityFault,
    Signature,
    SignatureVerificationError,
    UnsupportedSecurityTokenError,
    UsernameToken,
)
from removethebackground.plugins.wsse.header import add_timestamp, security_header, utc_now
from removethebackground.plugins.wsse.signature import (
    SignatureCheckError,
    load_xmlsec,
    verify_envelope,
)
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from support.clients import make_client, sandbox_client
from support.envelopes import envelope_tree
from support.pki import Issued
from support.replay import ReplayAdapter, Reply, session_with
from support.servers import LocalServer, Seen

EMAIL = "demo@example.com"
KEY = "demo-key"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)
OP = pixelz.SERVICE.operation("GetImageStatus")
NS = {"wsse": WSSE_NS, "wsu": WSU_NS}


@pytest.fixture
def wsse_sandbox() -> Iterator[SandboxHandle]:
    with run_sandbox(require_wsse=True) as sb:
        yield sb


def _values(ticket: str = "00000000-0000-0000-0000-000000000001") -> dict[str, Any]:
    return {"contact_email": EMAIL, "contact_api_key": KEY, "image_ticket": ticket}


def spec_digest_ok(token: etree._Element, password: str) -> bool:
    """A verifier written from UsernameToken Profile 1.1, section 3.1 (independent code)."""
    nonce = base64.b64decode(token.findtext("wsse:Nonce", namespaces=NS) or "")
    created = token.findtext("wsu:Created", namespaces=NS) or ""
    expected = base64.b64encode(
        hashlib.sha1(nonce + created.encode() + password.encode()).digest()
    ).decode()
    return token.findtext("wsse:Password", namespaces=NS) == expected


# --- the UsernameToken itself ------------------------------------------------------------


def test_digest_matches_zeep_for_the_same_nonce_created_and_password() -> None:
    nonce = "0123456789abcdef"  # zeep takes the nonce as text and sends its UTF-8 bytes
    moment = datetime.datetime(2026, 12, 1, 7, 0, 0, tzinfo=datetime.UTC)
    theirs_env = etree.fromstring(build_envelope(OP, Binding.SOAP11, _values()))
    ZeepUsernameToken(
        EMAIL, KEY, use_digest=True, nonce=nonce, created=moment, zulu_timestamp=True
    ).apply(theirs_env, {})
    theirs = theirs_env.find(".//wsse:UsernameToken", NS)
    assert theirs is not None
    created = theirs.findtext("wsu:Created", namespaces=NS)
    assert created == "2026-12-01T07:00:00Z"
    ours = UsernameToken(EMAIL, KEY, digest=True).token(nonce=nonce.encode(), created=created)
    for name in ("wsse:Username", "wsse:Password", "wsse:Nonce", "wsu:Created"):
        assert ours.findtext(name, namespaces=NS) == theirs.findtext(name, namespaces=NS), name
    assert ours.find("wsse:Password", NS).get("Type") == theirs.find("wsse:Password", NS).get(
        "Type"
    )
    # and both pass a verifier written from the profile, and fail it with another key
    assert spec_digest_ok(ours, KEY) and spec_digest_ok(theirs, KEY)
    assert not spec_digest_ok(ours, KEY + "x")


def test_outgoing_adds_timestamp_and_a_fresh_digest_token() -> None:
    moment = datetime.datetime(2026, 12, 1, 7, 0, 0, 123000, tzinfo=datetime.UTC)
    plugin = UsernameToken(EMAIL, KEY, digest=True, lifetime=120, clock=lambda: moment)
    env = envelope_tree(OP, Binding.SOAP12, _values())
    plugin.outgoing(env, OP, Binding.SOAP12)
    security = env.find(f"{{{SOAP12_ENV}}}Header/wsse:Security", NS)
    assert security is not None
    assert security.get(f"{{{SOAP12_ENV}}}mustUnderstand") == "true"
    assert security.findtext("wsu:Timestamp/wsu:Created", namespaces=NS) == (
        "2026-12-01T07:00:00.123Z"
    )
    assert security.findtext("wsu:Timestamp/wsu:Expires", namespaces=NS) == (
        "2026-12-01T07:02:00.123Z"
    )
    token = security.find("wsse:UsernameToken", NS)
    assert token is not None and spec_digest_ok(token, KEY)
    assert len(base64.b64decode(token.findtext("wsse:Nonce", namespaces=NS) or "")) == 16
    assert KEY not in etree.tostring(token).decode()
    other = envelope_tree(OP, Binding.SOAP12, _values())
    plugin.outgoing(other, OP, Binding.SOAP12)
    assert other.findtext(".//wsse:Nonce", namespaces=NS) != token.findtext(
        "wsse:Nonce", namespaces=NS
    )


def test_password_text_and_masked_reprs() -> None:
    plugin = UsernameToken(EMAIL, "s3cret-key-123")
    env = envelope_tree(OP, Binding.SOAP11, _values())
    plugin.outgoing(env, OP, Binding.SOAP11)
    password = env.find(".//wsse:Password", NS)
    assert password is not None and password.text == "s3cret-key-123"
    assert password.get("Type") == PASSWORD_TEXT
    for shown in (repr(plugin), str(plugin), repr(plugin.password), str(plugin.password)):
        assert "s3cret" not in shown
    assert f"{plugin.password}" == "***"
    with pytest.raises(TypeError):
        pickle.dumps(plugin.password)
    assert plugin.password.reveal() == "s3cret-key-123"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"username": "", "password": "k"}, "username"),
        ({"username": "a@b.c", "password": ""}, "password"),
        ({"username": "a@b.c", "password": "k", "lifetime": 0}, "lifetime"),
        ({"username": "a@b.c", "password": "k", "lifetime": float("inf")}, "lifetime"),
    ],
)
def test_bad_token_arguments_are_refused(kwargs: dict[str, Any], parameter: str) -> None:
    from removethebackground.core.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError) as info:
        UsernameToken(**kwargs)
    assert info.value.parameter == parameter


# --- the sandbox's checks, end to end ---------------------------------------------------------


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12])
@pytest.mark.parametrize("digest", [False, True])
def test_sandbox_accepts_a_valid_token(
    wsse_sandbox: SandboxHandle, binding: Binding, digest: bool, client_kind: str
) -> None:
    ticket = wsse_sandbox.seed_image(status=10)
    token = UsernameToken(EMAIL, KEY, digest=digest)
    client = sandbox_client(client_kind, wsse_sandbox, binding, plugins=[token])
    status = client.get_image_status(image_ticket=ticket)
    assert status.image_status is not None and status.image_status.status_id == 10


def test_sandbox_accepts_zeeps_token(wsse_sandbox: SandboxHandle) -> None:
    ticket = wsse_sandbox.seed_image(status=10)
    env = etree.fromstring(build_envelope(OP, Binding.SOAP11, _values(ticket)))
    ZeepUsernameToken(EMAIL, KEY, use_digest=True).apply(env, {})
    answer = _post(wsse_sandbox, Binding.SOAP11, etree.tostring(env))
    assert answer.status_code == 200, answer.text
    assert b"GetImageStatusResponse" in answer.content
    # and zeep's token with the wrong password is refused
    env = etree.fromstring(build_envelope(OP, Binding.SOAP11, _values(ticket)))
    ZeepUsernameToken(EMAIL, "wrong", use_digest=True).apply(env, {})
    assert _post(wsse_sandbox, Binding.SOAP11, etree.tostring(env)).status_code == 500


def _post(sb: SandboxHandle, binding: Binding, body: bytes) -> requests.Response:
    action = OP.soap_actions[binding]
    if binding is Binding.SOAP11:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}
    else:
        headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'}
    return requests.post(sb.pixelz_endpoint, data=body, headers=headers, timeout=10)


def _signed_body(
    plugin: Any,
    binding: Binding = Binding.SOAP11,
    ticket: str = "8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11",
) -> bytes:
    env = envelope_tree(OP, binding, _values(ticket))
    plugin.outgoing(env, OP, binding)
    return etree.tostring(env)


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12])
def test_wrong_password_is_failed_authentication_with_the_spec_qname(
    wsse_sandbox: SandboxHandle, binding: Binding, client_kind: str
) -> None:
    client = sandbox_client(
        client_kind,
        wsse_sandbox,
        binding,
        plugins=[UsernameToken(EMAIL, "not-the-key", digest=True)],
    )
    with pytest.raises(FailedAuthenticationError) as info:
        client.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")
    fault = info.value
    assert isinstance(fault, AuthenticationError) and isinstance(fault, ClientFault)
    assert fault.code == "Client" and fault.subcode == "FailedAuthentication"
    assert fault.qname == f"{{{WSSE_NS}}}FailedAuthentication"
    assert fault.message == FAULT_STRINGS["FailedAuthentication"]
    assert fault.http_status == 500
    # the raw answer: the QName with its namespace declared
    raw = _post(wsse_sandbox, binding, _signed_body(UsernameToken(EMAIL, "nope"), binding))
    root = etree.fromstring(raw.content)
    if binding is Binding.SOAP11:
        code = root.find(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault/faultcode")
        assert code is not None and code.text == "wsse:FailedAuthentication"
        assert code.nsmap["wsse"] == WSSE_NS
    else:
        ns = SOAP12_ENV
        assert root.findtext(f".//{{{ns}}}Code/{{{ns}}}Value") == "soap:Sender"
        sub = root.find(f".//{{{ns}}}Code/{{{ns}}}Subcode/{{{ns}}}Value")
        assert sub is not None and sub.text == "wsse:FailedAuthentication"
        assert sub.nsmap["wsse"] == WSSE_NS


def test_unknown_user_is_failed_authentication(
    wsse_sandbox: SandboxHandle, client_kind: str
) -> None:
    client = sandbox_client(
        client_kind, wsse_sandbox, plugins=[UsernameToken("nobody@example.com", KEY)]
    )
    with pytest.raises(FailedAuthenticationError):
        client.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")


def test_replayed_nonce_is_refused(wsse_sandbox: SandboxHandle) -> None:
    ticket = wsse_sandbox.seed_image(status=10)
    body = _signed_body(UsernameToken(EMAIL, KEY, digest=True), ticket=ticket)
    assert _post(wsse_sandbox, Binding.SOAP11, body).status_code == 200
    again = _post(wsse_sandbox, Binding.SOAP11, body)
    assert again.status_code == 500
    assert b"wsse:FailedAuthentication" in again.content


def test_old_message_is_expired(wsse_sandbox: SandboxHandle, client_kind: str) -> None:
    client = sandbox_client(
        client_kind, wsse_sandbox, plugins=[UsernameToken(EMAIL, KEY, digest=True)]
    )
    ticket = wsse_sandbox.seed_image(status=10)
    client.get_image_status(image_ticket=ticket)
    wsse_sandbox.clock.advance(301)  # the token is made on wall time; the sandbox is ahead
    with pytest.raises(MessageExpiredError) as info:
        client.get_image_status(image_ticket=ticket)
    assert info.value.message == "The message has expired"


def test_timestamp_expiry_is_checked(wsse_sandbox: SandboxHandle, client_kind: str) -> None:
    client = sandbox_client(
        client_kind,
        wsse_sandbox,
        plugins=[UsernameToken(EMAIL, KEY, lifetime=30)],
        binding=Binding.SOAP12,
    )
    wsse_sandbox.clock.advance(60)
    with pytest.raises(MessageExpiredError):
        client.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")


def test_missing_header_and_bad_tokens(wsse_sandbox: SandboxHandle, client_kind: str) -> None:
    with pytest.raises(InvalidSecurityError):
        sandbox_client(client_kind, wsse_sandbox).get_image_status(
            image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11"
        )

    class Tamper:
        def __init__(self, change: Any) -> None:
            self.change = change

        def outgoing(self, envelope: etree._Element, op: Any, binding: Any) -> None:
            token = envelope.find(".//wsse:UsernameToken", NS)
            assert token is not None
            self.change(token)

        def incoming(self, envelope: etree._Element, op: Any, binding: Any) -> None:
            pass

    def set_type(token: etree._Element) -> None:
        token.find("wsse:Password", NS).set("Type", "urn:example:kerberos")  # type: ignore[union-attr]

    def drop_nonce(token: etree._Element) -> None:
        token.remove(token.find("wsse:Nonce", NS))  # type: ignore[arg-type]

    def bad_nonce(token: etree._Element) -> None:
        token.find("wsse:Nonce", NS).text = "not base64!"  # type: ignore[union-attr]

    for change, expected in (
        (set_type, UnsupportedSecurityTokenError),
        (drop_nonce, InvalidSecurityTokenError),
        (bad_nonce, InvalidSecurityTokenError),
    ):
        client = sandbox_client(
            client_kind,
            wsse_sandbox,
            plugins=[UsernameToken(EMAIL, KEY, digest=True), Tamper(change)],
        )
        with pytest.raises(expected) as info:
            client.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")
        assert isinstance(info.value, SecurityFault)


def test_without_require_wsse_a_must_understand_header_is_refused_as_asmx_does(
    sandbox: SandboxHandle, client_kind: str
) -> None:
    ticket = sandbox.seed_image(status=10)
    client = sandbox_client(client_kind, sandbox, plugins=[UsernameToken(EMAIL, KEY)])
    with pytest.raises(ProtocolFault) as info:
        client.get_image_status(image_ticket=ticket)
    assert info.value.code == "MustUnderstand"
    relaxed = sandbox_client(
        client_kind, sandbox, plugins=[UsernameToken(EMAIL, KEY, must_understand=False)]
    )
    assert relaxed.get_image_status(image_ticket=ticket).image_status is not None


def test_a_fault_code_without_the_spec_namespace_is_not_a_security_fault(client_kind: str) -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="'
        + SOAP11_ENV.encode()
        + b'" xmlns:wsse="urn:other"><soap:Body><soap:Fault>'
        b"<faultcode>wsse:FailedAuthentication</faultcode><faultstring>x</faultstring>"
        b"</soap:Fault></soap:Body></soap:Envelope>"
    )
    adapter = ReplayAdapter(Reply.soap(Binding.SOAP11, body, 500))
    client = make_client(client_kind, EMAIL, KEY, session=session_with(adapter))
    with pytest.raises(ServiceFault) as info:
        client.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")
    assert not isinstance(info.value, SecurityFault)


# --- signatures -----------------------------------------------------------------------------


def test_our_signature_verifies_with_xmlsec_through_zeep(signer: Issued) -> None:
    plugin = Signature(signer.key_file, signer.cert_file)
    env = envelope_tree(OP, Binding.SOAP11, _values())
    UsernameToken(EMAIL, KEY, digest=True).outgoing(env, OP, Binding.SOAP11)
    plugin.outgoing(env, OP, Binding.SOAP11)
    wire = etree.tostring(env)
    doc = etree.fromstring(wire)
    info = doc.find(".//{http://www.w3.org/2000/09/xmldsig#}SignedInfo")
    assert info is not None
    method = info.find("{http://www.w3.org/2000/09/xmldsig#}SignatureMethod")
    assert method is not None
    assert method.get("Algorithm") == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    token = doc.find(".//wsse:BinarySecurityToken", NS)
    assert token is not None
    assert base64.b64decode(token.text or "") == _der(signer.cert_pem)
    zeep_verify(doc, str(signer.cert_file))  # raises if xmlsec does not accept it
    tampered = etree.fromstring(wire)
    tampered.find(".//{http://removethebackground.com/}imageTicket").text = "other"  # type: ignore[union-attr]
    with pytest.raises(SignatureVerificationFailed):
        zeep_verify(tampered, str(signer.cert_file))
    stamp = etree.fromstring(wire)
    stamp.find(".//wsu:Timestamp/wsu:Expires", NS).text = "2099-01-01T00:00:00Z"  # type: ignore[union-attr]
    with pytest.raises(SignatureVerificationFailed):
        zeep_verify(stamp, str(signer.cert_file))


def _der(pem: bytes) -> bytes:
    import ssl

    return ssl.PEM_cert_to_DER_cert(pem.decode())


@pytest.fixture(scope="module")
def real_answer() -> bytes:
    """A GetImageStatus answer (status 80) as the sandbox writes it."""
    with run_sandbox() as sb:
        ticket = sb.seed_image(status=80)
        answer = _post(sb, Binding.SOAP11, build_envelope(OP, Binding.SOAP11, _values(ticket)))
        assert answer.status_code == 200
        return answer.content


def _zeep_signed_answer(signer: Issued, body: bytes) -> bytes:
    """An answer signed by zeep (xmlsec) with RSA-SHA256 over Body and Timestamp."""
    env = etree.fromstring(body)
    add_timestamp(security_header(env), utc_now(), 300)  # type: ignore[arg-type]
    ZeepBinarySignature(
        str(signer.key_file),
        str(signer.cert_file),
        signature_method=xmlsec.Transform.RSA_SHA256,
        digest_method=xmlsec.Transform.SHA256,
    ).apply(env, {})
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def _client_for(kind: str, answer: bytes, plugin: Signature) -> PixelzClient:
    adapter = ReplayAdapter(Reply.soap(Binding.SOAP11, answer))
    client: PixelzClient = make_client(
        kind, EMAIL, KEY, session=session_with(adapter), plugins=[plugin]
    )
    return client


def test_answers_signed_by_zeep_verify_with_ours(
    signer: Issued, server_signer: Issued, real_answer: bytes, client_kind: str
) -> None:
    answer = _zeep_signed_answer(server_signer, real_answer)
    plugin = Signature(signer.key_file, signer.cert_file, server_cert=server_signer.cert_file)
    result = _client_for(client_kind, answer, plugin).get_image_status(
        image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11"
    )
    assert result.image_status is not None and result.image_status.status_id == 80
    # a changed body, an unsigned answer and another signer are all refused
    tampered = answer.replace(b"<StatusId>80<", b"<StatusId>10<")
    assert tampered != answer
    for bad in (tampered, _zeep_signed_answer(signer, real_answer)):
        with pytest.raises(SignatureVerificationError):
            _client_for(client_kind, bad, plugin).get_image_status(
                image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11"
            )
    with pytest.raises(SignatureVerificationError, match="no wsse:Security"):
        _client_for(client_kind, real_answer, plugin).get_image_status(
            image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11"
        )
    # without server_cert= answers are not checked
    unchecked = Signature(signer.key_file, signer.cert_file)
    assert (
        _client_for(client_kind, tampered, unchecked)
        .get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")
        .image_status
    )


def test_a_signature_that_does_not_cover_the_body_is_refused(
    server_signer: Issued, real_answer: bytes
) -> None:
    """A wrapping attack: the signed Body moved into the header, a new Body read instead."""
    answer = etree.fromstring(_zeep_signed_answer(server_signer, real_answer))
    body = answer.find(f"{{{SOAP11_ENV}}}Body")
    assert body is not None
    wrapper = etree.SubElement(answer.find(f"{{{SOAP11_ENV}}}Header"), "Wrapper")  # type: ignore[arg-type]
    wrapper.append(body)
    fresh = etree.SubElement(answer, f"{{{SOAP11_ENV}}}Body")
    fresh.append(etree.fromstring(etree.tostring(body[0]).replace(b">80<", b">10<")))
    with pytest.raises(SignatureCheckError) as info:
        verify_envelope(etree.fromstring(etree.tostring(answer)), server_signer.cert_pem)
    assert info.value.code == "FailedCheck"


def test_sandbox_checks_request_signatures(
    wsse_sandbox: SandboxHandle, signer: Issued, client_kind: str
) -> None:
    ticket = wsse_sandbox.seed_image(status=10)
    plugins: list[Any] = [
        UsernameToken(EMAIL, KEY, digest=True),
        Signature(key=signer.key, cert=signer.cert),  # cryptography objects work too
    ]
    client = sandbox_client(client_kind, wsse_sandbox, plugins=plugins)
    assert client.get_image_status(image_ticket=ticket).image_status is not None

    class ChangeAfterSigning:
        def outgoing(self, envelope: etree._Element, op: Any, binding: Any) -> None:
            el = envelope.find(".//{http://removethebackground.com/}imageTicket")
            assert el is not None
            el.text = "00000000-0000-0000-0000-000000000000"

        def incoming(self, envelope: etree._Element, op: Any, binding: Any) -> None:
            pass

    tampering = sandbox_client(client_kind, wsse_sandbox, plugins=[*plugins, ChangeAfterSigning()])
    with pytest.raises(FailedCheckError) as info:
        tampering.get_image_status(image_ticket=ticket)
    assert info.value.message == "The signature or decryption was invalid"


def test_signature_holds_its_key_as_a_secret(signer: Issued) -> None:
    plugin = Signature(signer.key_file, signer.cert_file)
    key_body = signer.key_pem.decode().splitlines()[1]
    assert key_body not in repr(plugin) and key_body not in str(plugin)
    assert key_body not in repr(vars(plugin) if hasattr(plugin, "__dict__") else "")
    assert isinstance(plugin._key, Credential)


def test_bad_signature_arguments(signer: Issued, tmp_path: Path) -> None:
    from removethebackground.core.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="key"):
        Signature(cert_file=signer.cert_file)
    with pytest.raises(InvalidParameterError, match="key_file"):
        Signature(tmp_path / "missing.key", signer.cert_file)
    with pytest.raises(InvalidParameterError, match="private key"):
        Signature(key=signer.cert_pem, cert=signer.cert_pem)


def test_missing_xmlsec_names_the_extra(monkeypatch: pytest.MonkeyPatch, signer: Issued) -> None:
    monkeypatch.setitem(sys.modules, "xmlsec", None)
    with pytest.raises(ImportError, match=r"removethebackground\[wsse\]"):
        load_xmlsec()
    with pytest.raises(ImportError, match=r"removethebackground\[wsse\]"):
        Signature(signer.key_file, signer.cert_file)
    # the UsernameToken needs no extra
    UsernameToken(EMAIL, KEY).outgoing(envelope_tree(OP, Binding.SOAP11, _values()), OP, None)


def test_local_server_sees_no_password_with_digest(signer: Issued, client_kind: str) -> None:
    seen: list[Seen] = []
    with LocalServer(lambda s: Reply(500, b"")) as server:
        client = make_client(
            client_kind,
            EMAIL,
            "k3y-value-xyz",
            endpoint=server.endpoint,
            plugins=[UsernameToken(EMAIL, "wsse-pass-987", digest=True)],
        )
        with pytest.raises(HTTPStatusError):
            client.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")
        seen = server.seen
    assert seen and b"wsse-pass-987" not in seen[0].body
    assert b"PasswordDigest" in seen[0].body

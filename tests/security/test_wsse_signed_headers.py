"""Signing more than Body and Timestamp: the WS-Addressing headers and the UsernameToken
(``Signature(sign_addressing=True, sign_username_token=True)``), checked by the XML Security
Library on its own and by the sandbox; every ``wsu:Id`` written as ``wsu:Id``; faults
checked only when asked (``require_signed_faults=True``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import xmlsec
from lxml import etree
from zeep.wsse.signature import BinarySignature as ZeepBinarySignature

from removethebackground.core.client import build_envelope
from removethebackground.core.errors import InvalidParameterError, ServiceFault
from removethebackground.core.wire import Binding
from removethebackground.generated import pixelz
from removethebackground.plugins.addressing import WSA_NS, Addressing
from removethebackground.plugins.wsse import (
    WSSE_NS,
    WSU_NS,
    FailedCheckError,
    Signature,
    SignatureVerificationError,
    UsernameToken,
)
from removethebackground.plugins.wsse.header import add_timestamp, security_header, utc_now
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from support.clients import make_client, sandbox_client
from support.envelopes import ENVELOPE_NS, SOAP_CONTENT_TYPES, envelope_tree
from support.pki import Issued
from support.replay import ReplayAdapter, Reply, session_with

EMAIL = "demo@example.com"
KEY = "demo-key"
TICKET = "8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11"
OP = pixelz.SERVICE.operation("GetImageStatus")
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"wsse": WSSE_NS, "wsu": WSU_NS, "wsa": WSA_NS, "ds": DS_NS}
WSU_ID = f"{{{WSU_NS}}}Id"
ADDRESSING_HEADERS = ("Action", "MessageID", "ReplyTo", "To")
ENDPOINT = "https://api.example.com/pixelz/soap.asmx"


@pytest.fixture
def strict_sandbox() -> Iterator[SandboxHandle]:
    with run_sandbox(require_wsse=True, require_wsa=True) as sb:
        yield sb


@pytest.fixture
def wsse_sandbox() -> Iterator[SandboxHandle]:
    """Checks WS-Security only: a changed wsa:To reaches the signature check."""
    with run_sandbox(require_wsse=True) as sb:
        yield sb


def _values(ticket: str = TICKET) -> dict[str, Any]:
    return {"contact_email": EMAIL, "contact_api_key": KEY, "image_ticket": ticket}


def _plugins(signer: Issued, **options: Any) -> list[Any]:
    options.setdefault("sign_addressing", True)
    options.setdefault("sign_username_token", True)
    return [
        Addressing(),
        UsernameToken(EMAIL, KEY, digest=True),
        Signature(signer.key_file, signer.cert_file, **options),
    ]


def _signed_wire(signer: Issued, binding: Binding = Binding.SOAP11, **options: Any) -> bytes:
    """A request as the client sends it with Addressing, UsernameToken and Signature."""
    env = envelope_tree(OP, binding, _values())
    for plugin in _plugins(signer, **options):
        if isinstance(plugin, Addressing):
            plugin = plugin.for_endpoint(ENDPOINT)
        plugin.outgoing(env, OP, binding)
    return etree.tostring(env)


def xmlsec_verify(wire: bytes, cert_file: Any) -> set[str]:
    """The XML Security Library on its own (no code of this package): every element with a
    wsu:Id registered as an ID, the key from the signer's certificate file. Raises
    ``xmlsec.Error`` when a reference's digest or the signature value does not match;
    returns the referenced Ids."""
    doc = etree.fromstring(wire)
    signature = doc.find(f".//{{{DS_NS}}}Signature")
    assert signature is not None
    ctx = xmlsec.SignatureContext()
    for el in doc.iter():
        if isinstance(el.tag, str) and el.get(WSU_ID):
            ctx.register_id(el, "Id", WSU_NS)
    ctx.key = xmlsec.Key.from_file(str(cert_file), xmlsec.KeyFormat.CERT_PEM, None)
    ctx.verify(signature)
    return {
        (ref.get("URI") or "").removeprefix("#")
        for ref in signature.iterfind("ds:SignedInfo/ds:Reference", NS)
    }


def _ids(wire: bytes) -> dict[str, str]:
    """Element local name (wsa:ReplyTo as ``ReplyTo``) to its wsu:Id."""
    doc = etree.fromstring(wire)
    return {
        etree.QName(el).localname: el.get(WSU_ID) or ""
        for el in doc.iter()
        if isinstance(el.tag, str) and el.get(WSU_ID)
    }


# --- what is signed ---------------------------------------------------------------------


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12])
def test_the_signature_covers_the_addressing_headers_and_the_token_by_id(
    signer: Issued, binding: Binding
) -> None:
    wire = _signed_wire(signer, binding)
    ids = _ids(wire)
    referenced = xmlsec_verify(wire, signer.cert_file)  # raises if it does not verify
    wanted = {"Body", "Timestamp", "UsernameToken", *ADDRESSING_HEADERS}
    assert wanted <= ids.keys()
    assert {ids[name] for name in wanted} == referenced
    # each reference names exactly one element
    assert len(set(ids.values())) == len(ids)


def test_without_the_options_only_body_and_timestamp_are_signed(signer: Issued) -> None:
    wire = _signed_wire(signer, sign_addressing=False, sign_username_token=False)
    ids = _ids(wire)
    assert xmlsec_verify(wire, signer.cert_file) == {ids["Body"], ids["Timestamp"]}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda doc: _set(doc, "wsa:MessageID", "urn:uuid:replayed"), id="MessageID"),
        pytest.param(lambda doc: _set(doc, "wsa:To", "https://evil.example/x.asmx"), id="To"),
        pytest.param(lambda doc: _set(doc, "wsa:Action", "urn:other"), id="Action"),
        pytest.param(
            lambda doc: _set(doc, "wsa:ReplyTo/wsa:Address", "https://evil.example/"),
            id="ReplyTo",
        ),
        pytest.param(lambda doc: _set(doc, "wsse:Username", "other@example.com"), id="Username"),
    ],
)
def test_xmlsec_refuses_a_changed_signed_header(
    signer: Issued, change: Callable[[etree._Element], None]
) -> None:
    doc = etree.fromstring(_signed_wire(signer))
    change(doc)
    with pytest.raises(xmlsec.Error):
        xmlsec_verify(etree.tostring(doc), signer.cert_file)


def _set(doc: etree._Element, path: str, text: str) -> None:
    found = doc.find(f".//{path}", NS)
    assert found is not None, path
    found.text = text


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12])
def test_every_wsu_id_is_written_with_the_wsu_prefix(signer: Issued, binding: Binding) -> None:
    wire = _signed_wire(signer, binding)
    written = re.findall(rb"\s([A-Za-z_][\w.-]*):Id=\"", wire)
    # Body, Action, MessageID, ReplyTo, To, Timestamp, UsernameToken, BinarySecurityToken
    assert len(written) == len(_ids(wire)) == 8
    assert set(written) == {b"wsu"}, written
    declared = re.findall(rb"xmlns:([\w.-]+)=\"" + re.escape(WSU_NS.encode()) + rb"\"", wire)
    assert declared and set(declared) == {b"wsu"}


# --- the sandbox ------------------------------------------------------------------------


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12])
def test_the_sandbox_accepts_signed_addressing_headers_and_token(
    strict_sandbox: SandboxHandle, signer: Issued, binding: Binding, client_kind: str
) -> None:
    ticket = strict_sandbox.seed_image(status=10)
    client = sandbox_client(client_kind, strict_sandbox, binding, plugins=_plugins(signer))
    status = client.get_image_status(image_ticket=ticket)
    assert status.image_status is not None and status.image_status.status_id == 10


class ChangeHeader:
    """A plugin that changes a header after the Signature ran (a party on the path)."""

    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text

    def outgoing(self, envelope: etree._Element, op: Any, binding: Any) -> None:
        _set(envelope, self.path, self.text)

    def incoming(self, envelope: etree._Element, op: Any, binding: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("wsa:MessageID", "urn:uuid:00000000-0000-0000-0000-000000000000"),
        ("wsa:ReplyTo/wsa:Address", "https://evil.example/collect"),
    ],
)
def test_the_sandbox_refuses_a_changed_signed_addressing_header(
    strict_sandbox: SandboxHandle, signer: Issued, path: str, text: str, client_kind: str
) -> None:
    ticket = strict_sandbox.seed_image(status=10)
    client = sandbox_client(
        client_kind, strict_sandbox, plugins=[*_plugins(signer), ChangeHeader(path, text)]
    )
    with pytest.raises(FailedCheckError) as info:
        client.get_image_status(image_ticket=ticket)
    assert info.value.message == "The signature or decryption was invalid"


def test_a_changed_wsa_to_fails_the_signature_check(
    wsse_sandbox: SandboxHandle, signer: Issued, client_kind: str
) -> None:
    """The sandbox checks WS-Security only here: it is the signature that catches it."""
    ticket = wsse_sandbox.seed_image(status=10)
    changed = ChangeHeader("wsa:To", "https://elsewhere.example/soap.asmx")
    client = sandbox_client(client_kind, wsse_sandbox, plugins=[*_plugins(signer), changed])
    with pytest.raises(FailedCheckError):
        client.get_image_status(image_ticket=ticket)
    # without sign_addressing the same change goes through unnoticed
    unsigned = sandbox_client(
        client_kind, wsse_sandbox, plugins=[*_plugins(signer, sign_addressing=False), changed]
    )
    assert unsigned.get_image_status(image_ticket=ticket).image_status is not None


def test_a_signed_token_moved_to_another_account_is_refused(
    wsse_sandbox: SandboxHandle, signer: Issued, client_kind: str
) -> None:
    """The digest covers the password, not the name: another account with the same key
    passes the token check, so only the signature over the token can refuse the change."""
    ticket = wsse_sandbox.seed_image(status=10)
    wsse_sandbox.add_account("twin@example.com", KEY)
    changed = ChangeHeader("wsse:Username", "twin@example.com")
    unsigned = sandbox_client(
        client_kind, wsse_sandbox, plugins=[*_plugins(signer, sign_username_token=False), changed]
    )
    assert unsigned.get_image_status(image_ticket=ticket).image_status is not None
    client = sandbox_client(client_kind, wsse_sandbox, plugins=[*_plugins(signer), changed])
    with pytest.raises(FailedCheckError):
        client.get_image_status(image_ticket=ticket)


# --- misuse -------------------------------------------------------------------------------


def test_sign_addressing_without_addressing_headers_is_refused_before_sending(
    signer: Issued, client_kind: str
) -> None:
    adapter = ReplayAdapter(Reply(500, b""))
    client = make_client(
        client_kind,
        EMAIL,
        KEY,
        session=session_with(adapter),
        plugins=[
            UsernameToken(EMAIL, KEY),
            Signature(signer.key_file, signer.cert_file, sign_addressing=True),
        ],
    )
    with pytest.raises(InvalidParameterError) as info:
        client.get_image_status(image_ticket=TICKET)
    assert info.value.parameter == "plugins"
    assert "put Addressing() before the Signature" in str(info.value)
    assert not adapter.sent
    token_first = make_client(
        client_kind,
        EMAIL,
        KEY,
        session=session_with(adapter),
        plugins=[Signature(signer.key_file, signer.cert_file, sign_username_token=True)],
    )
    with pytest.raises(InvalidParameterError, match=r"put UsernameToken\(\.\.\.\) before"):
        token_first.get_image_status(image_ticket=TICKET)


def test_option_arguments_are_checked(signer: Issued, server_signer: Issued) -> None:
    with pytest.raises(InvalidParameterError) as info:
        Signature(signer.key_file, signer.cert_file, require_signed_faults=True)
    assert info.value.parameter == "require_signed_faults"
    assert "server_cert=" in str(info.value)
    with pytest.raises(InvalidParameterError) as info:
        Signature(signer.key_file, signer.cert_file, sign_addressing="yes")  # type: ignore[arg-type]
    assert info.value.parameter == "sign_addressing"
    shown = repr(
        Signature(
            signer.key_file,
            signer.cert_file,
            server_cert=server_signer.cert_file,
            require_signed_faults=True,
            sign_addressing=True,
        )
    )
    assert "signs WS-Addressing" in shown and "verifies answers and faults" in shown


# --- faults ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fault_answer() -> bytes:
    """A fault as the sandbox writes it (a wrong API key)."""
    with run_sandbox() as sb:
        body = build_envelope(OP, Binding.SOAP11, {**_values(), "contact_api_key": "not-the-key"})
        action = OP.soap_actions[Binding.SOAP11]
        answer = requests.post(
            sb.pixelz_endpoint,
            data=body,
            headers={
                "Content-Type": SOAP_CONTENT_TYPES[Binding.SOAP11],
                "SOAPAction": f'"{action}"',
            },
            timeout=10,
        )
        assert answer.status_code == 500 and b"Fault" in answer.content
        return answer.content


def _zeep_signed(signer: Issued, body: bytes) -> bytes:
    env = etree.fromstring(body)
    add_timestamp(security_header(env), utc_now(), 300)  # type: ignore[arg-type]
    ZeepBinarySignature(
        str(signer.key_file),
        str(signer.cert_file),
        signature_method=xmlsec.Transform.RSA_SHA256,
        digest_method=xmlsec.Transform.SHA256,
    ).apply(env, {})
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def _call_with(kind: str, answer: bytes, plugin: Signature) -> None:
    adapter = ReplayAdapter(Reply.soap(Binding.SOAP11, answer, 500))
    client = make_client(kind, EMAIL, KEY, session=session_with(adapter), plugins=[plugin])
    client.get_image_status(image_ticket=TICKET)


def test_unsigned_faults_are_accepted_unless_signed_faults_are_required(
    signer: Issued, server_signer: Issued, fault_answer: bytes, client_kind: str
) -> None:
    assert ENVELOPE_NS[Binding.SOAP11].encode() in fault_answer
    lenient = Signature(signer.key_file, signer.cert_file, server_cert=server_signer.cert_file)
    with pytest.raises(ServiceFault):  # the default: an unsigned fault is raised as sent
        _call_with(client_kind, fault_answer, lenient)
    strict = Signature(
        signer.key_file,
        signer.cert_file,
        server_cert=server_signer.cert_file,
        require_signed_faults=True,
    )
    with pytest.raises(SignatureVerificationError, match="no wsse:Security"):
        _call_with(client_kind, fault_answer, strict)
    with pytest.raises(SignatureVerificationError):  # signed, by someone else
        _call_with(client_kind, _zeep_signed(signer, fault_answer), strict)
    with pytest.raises(ServiceFault) as info:  # signed by the service: the fault itself
        _call_with(client_kind, _zeep_signed(server_signer, fault_answer), strict)
    assert not isinstance(info.value, SignatureVerificationError)

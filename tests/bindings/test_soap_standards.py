"""WS-Addressing headers and the sandbox's checks of them, the envelope log with its
redaction (a canary test), and cassettes that match and scrub WS-Security traffic."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from vcr.request import Request

from removethebackground.core.client import build_envelope
from removethebackground.core.errors import (
    ClientFault,
    InvalidParameterError,
    MalformedResponseError,
    ProtocolFault,
)
from removethebackground.core.wire import Binding
from removethebackground.core.wirelog import format_envelope
from removethebackground.generated import pixelz
from removethebackground.plugins.addressing import (
    ANONYMOUS,
    WSA_NS,
    ActionMismatchError,
    Addressing,
    AddressingFault,
    DestinationUnreachableError,
    InvalidAddressingHeaderError,
    MessageAddressingHeaderRequiredError,
)
from removethebackground.plugins.wsse import Signature, UsernameToken
from removethebackground.testing.cassettes import (
    EMAIL_PLACEHOLDER,
    SECRET_PLACEHOLDER,
    canonical_body,
    make_request_scrubber,
)
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from support.cassettes import cassette_matches
from support.clients import sandbox_client
from support.envelopes import envelope_tree
from support.pki import PKI
from support.replay import ReplayAdapter, Reply, session_with

EMAIL = "demo@example.com"
KEY = "demo-key"
OP = pixelz.SERVICE.operation("GetImageStatus")


# --- WS-Addressing ---------------------------------------------------------------------------


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12])
def test_addressing_headers_are_sent_and_checked(binding: Binding, client_kind: str) -> None:
    with run_sandbox(require_wsa=True) as sb:
        ticket = sb.seed_image(status=10)
        client = sandbox_client(client_kind, sb, binding, plugins=[Addressing()])
        assert client.get_image_status(image_ticket=ticket).image_status is not None
        env = envelope_tree(OP, binding, {"contact_email": EMAIL, "contact_api_key": KEY})
        client._plugins[0].outgoing(env, OP, binding)
        header = env[0]
        ns = {"wsa": WSA_NS}
        assert header.findtext("wsa:Action", namespaces=ns) == OP.soap_actions[binding]
        assert header.findtext("wsa:To", namespaces=ns) == sb.pixelz_endpoint
        assert header.findtext("wsa:ReplyTo/wsa:Address", namespaces=ns) == ANONYMOUS
        message_id = header.findtext("wsa:MessageID", namespaces=ns) or ""
        assert message_id.startswith("urn:uuid:") and len(message_id) == 45
        # without the headers the sandbox refuses the call, with the spec's code
        with pytest.raises(MessageAddressingHeaderRequiredError) as info:
            sandbox_client(client_kind, sb, binding).get_image_status(image_ticket=ticket)
        assert isinstance(info.value, AddressingFault) and isinstance(info.value, ClientFault)
        assert info.value.qname == f"{{{WSA_NS}}}MessageAddressingHeaderRequired"


class _Rewrite:
    """A plugin that changes a WS-Addressing header after the client wrote it."""

    def __init__(self, name: str, value: str) -> None:
        self.name, self.value = name, value

    def outgoing(self, envelope: etree._Element, op: Any, binding: Any) -> None:
        el = envelope.find(f".//{{{WSA_NS}}}{self.name}")
        assert el is not None
        el.text = self.value

    def incoming(self, envelope: etree._Element, op: Any, binding: Any) -> None:
        pass


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12])
def test_wrong_action_and_destination_faults(binding: Binding, client_kind: str) -> None:
    with run_sandbox(require_wsa=True) as sb:
        wrong_action = sandbox_client(
            client_kind, sb, binding, plugins=[Addressing(), _Rewrite("Action", "http://x/Other")]
        )
        with pytest.raises(ActionMismatchError) as info:
            wrong_action.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")
        assert isinstance(info.value, InvalidAddressingHeaderError)
        assert info.value.subcode == "ActionMismatch"
        wrong_to = sandbox_client(
            client_kind,
            sb,
            binding,
            plugins=[Addressing(), _Rewrite("To", "http://elsewhere/soap.asmx")],
        )
        with pytest.raises(DestinationUnreachableError):
            wrong_to.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")


def test_addressing_is_ignored_by_a_plain_service(sandbox: SandboxHandle, client_kind: str) -> None:
    ticket = sandbox.seed_image(status=10)
    client = sandbox_client(client_kind, sandbox, Binding.SOAP12, plugins=[Addressing()])
    assert client.get_image_status(image_ticket=ticket).image_status is not None


def test_addressing_needs_a_soap_binding(sandbox: SandboxHandle, client_kind: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        sandbox_client(client_kind, sandbox, Binding.HTTP_POST, plugins=[Addressing()])
    assert info.value.parameter == "plugins"


def test_an_answer_relating_to_another_message_is_refused(
    sandbox: SandboxHandle, client_kind: str
) -> None:
    ticket = sandbox.seed_image(status=10)
    answer = sandbox_client(client_kind, sandbox).get_image_status  # a real answer to reuse
    del answer
    import requests

    body = build_envelope(
        OP, Binding.SOAP11, {"contact_email": EMAIL, "contact_api_key": KEY, "image_ticket": ticket}
    )
    real = requests.post(
        sandbox.pixelz_endpoint,
        data=body,
        headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{OP.soap_actions[Binding.SOAP11]}"',
        },
        timeout=10,
    ).content
    soap = b"http://schemas.xmlsoap.org/soap/envelope/"
    related = real.replace(
        b"<soap:Body>",
        b'<soap:Header><wsa:RelatesTo xmlns:wsa="' + WSA_NS.encode() + b'">urn:uuid:'
        b"00000000-0000-0000-0000-000000000000</wsa:RelatesTo></soap:Header><soap:Body>",
    )
    assert soap in related and related != real
    client = sandbox_client(
        client_kind,
        sandbox,
        plugins=[Addressing()],
        session=session_with(ReplayAdapter(Reply.soap(Binding.SOAP11, related))),
    )
    with pytest.raises(MalformedResponseError, match="relates to"):
        client.get_image_status(image_ticket=ticket)


# --- the envelope log: a canary ---------------------------------------------------------------


CANARY_KEY = "CANARY-api-key-7f3a"
CANARY_PASSWORD = "CANARY-wsse-pass-91c2"


def test_envelope_log_redacts_every_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, client_kind: str
) -> None:
    pki = PKI(tmp_path)
    signer = pki.issue("signer", client=True)
    key_line = signer.key_pem.decode().splitlines()[1]
    with run_sandbox(accounts=[("canary@example.com", CANARY_KEY)]) as sb:
        client = sandbox_client(
            client_kind,
            sb,
            Binding.SOAP11,
            email="canary@example.com",
            api_key=CANARY_KEY,
            plugins=[
                UsernameToken("canary@example.com", CANARY_PASSWORD),
                Signature(signer.key_file, signer.cert_file),
            ],
        )
        with caplog.at_level(logging.DEBUG, logger="removethebackground.wire"):
            # The plain sandbox refuses mustUnderstand, as ASMX does: after a call that
            # succeeded (a failing call answers with its own fault).
            with pytest.raises(ProtocolFault):
                client.get_templates()
    records = [r for r in caplog.records if r.name == "removethebackground.wire"]
    assert [r.getMessage().split(" ")[0] for r in records] == ["request", "answer"]
    text = "\n".join(r.getMessage() for r in records)
    assert "<wsse:Security" in text and "\n  " in text  # pretty-printed, the header kept
    for secret in (CANARY_KEY, CANARY_PASSWORD, key_line):
        assert secret not in text
    sent = records[0].getMessage()
    for element in (
        "contactAPIkey",
        "wsse:Password",
        "wsse:Nonce",
        "wsse:BinarySecurityToken",
        "ds:SignatureValue",
    ):
        assert f"<{element}" in sent
        assert f">***</{element}>" in sent, element


def test_format_envelope_redacts_private_keys_and_long_base64() -> None:
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvAIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
    blob = "QUJD" * 100
    xml = f"<a><k>{pem}</k><img>{blob}</img><apiKey>x1</apiKey></a>".encode()
    text = format_envelope(xml)
    assert "MIIEvAIBADANBgkqhkiG9w0BAQEFAASC" not in text
    assert blob not in text and "400 base64 chars" in text
    assert "x1" not in text
    # not XML: secrets still removed
    redact = lambda t: t.replace("s3cr3t", "***")  # noqa: E731 (the client's redactor)
    assert "s3cr3t" not in format_envelope(b"oops s3cr3t", redact)


def test_nothing_is_formatted_unless_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    import removethebackground.core.wirelog as wirelog

    calls: list[object] = []
    monkeypatch.setattr(wirelog, "format_envelope", lambda *a, **k: calls.append(a) or "")
    logging.getLogger("removethebackground.wire").setLevel(logging.INFO)
    try:
        wirelog.log_envelope("request", b"<a/>", operation="X", binding="soap11")
    finally:
        logging.getLogger("removethebackground.wire").setLevel(logging.NOTSET)
    assert calls == []


# --- cassettes ----------------------------------------------------------------------------------


def _wsse_request(tmp_path: Path | None = None, **plugins: Any) -> Request:
    env = envelope_tree(
        OP,
        Binding.SOAP11,
        {
            "contact_email": EMAIL,
            "contact_api_key": KEY,
            "image_ticket": "8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11",
        },
    )
    for plugin in plugins.values():
        plugin.outgoing(env, OP, Binding.SOAP11)
    body = etree.tostring(env, xml_declaration=True, encoding="utf-8")
    headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": f'"{OP.soap_actions[Binding.SOAP11]}"',
    }
    return Request("POST", "http://127.0.0.1:8110/soap.asmx", body, headers)


def test_cassettes_ignore_volatile_wsse_and_wsa_fields(tmp_path: Path) -> None:
    from removethebackground.plugins.addressing import Addressing

    pki = PKI(tmp_path)
    signer = pki.issue("signer", client=True)

    def plugins() -> dict[str, Any]:
        return {
            "wsa": Addressing("http://127.0.0.1:8110/soap.asmx"),
            "ut": UsernameToken(EMAIL, KEY, digest=True),
            "sig": Signature(signer.key_file, signer.cert_file),
        }

    first, second = _wsse_request(**plugins()), _wsse_request(**plugins())
    assert first.body != second.body  # nonces, times, ids, signatures all differ
    assert canonical_body(first.body) == canonical_body(second.body)
    assert cassette_matches(first, second)
    # a different parameter still does not match
    other = _wsse_request(**plugins())
    other.body = other.body.replace(b"9d11<", b"9d12<")
    assert not cassette_matches(first, other)


def test_cassette_scrubber_removes_wsse_secrets(tmp_path: Path) -> None:
    pki = PKI(tmp_path)
    signer = pki.issue("signer", client=True)
    request = _wsse_request(
        ut=UsernameToken(EMAIL, "the-wsse-password"),
        sig=Signature(signer.key_file, signer.cert_file),
    )
    original = etree.fromstring(request.body)
    nonce = original.findtext(".//{*}Nonce")
    signature = original.findtext(".//{*}SignatureValue")
    scrubbed = make_request_scrubber([KEY, EMAIL])(request)
    body = scrubbed.body.decode()
    for secret in ("the-wsse-password", KEY, EMAIL, nonce, signature):
        assert secret and secret not in body
    root = etree.fromstring(scrubbed.body)
    assert root.findtext(".//{*}Password") == SECRET_PLACEHOLDER
    assert root.findtext(".//{*}Username") == EMAIL_PLACEHOLDER


def test_sandbox_command_line_flags() -> None:
    from removethebackground.sandbox.server import build_parser

    args = build_parser().parse_args(["--require-wsse", "--require-wsa", "--port", "0"])
    assert args.require_wsse and args.require_wsa
    plain = build_parser().parse_args([])
    assert not plain.require_wsse and not plain.require_wsa

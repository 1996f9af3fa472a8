"""How the client fails: checks before sending, every kind of bad answer, secrets kept out
of errors and logs, and the HTTP it puts on the wire.

Most tests answer through :class:`support.replay.ReplayAdapter` (nothing leaves the process);
the ones about urllib3 (its log records, retries, what really goes on the wire) use a
local HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import html
import io
import logging
import math
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import requests
import urllib3
from lxml import etree
from requests.adapters import HTTPAdapter

from removethebackground import PixelzClient, RemoveTheBackgroundClient
from removethebackground.core.client import DEFAULT_TIMEOUT
from removethebackground.core.errors import (
    AuthenticationError,
    ClientFault,
    ConnectionFailedError,
    HTTPStatusError,
    InvalidArgumentFault,
    InvalidParameterError,
    MalformedResponseError,
    ProtocolFault,
    RemoveTheBackgroundError,
    ServerFault,
    ServiceFault,
    TransportError,
    TransportTimeout,
    UnsupportedBindingError,
)
from removethebackground.core.retry import RetryPolicy
from removethebackground.core.wire import Binding
from removethebackground.generated import legacy, pixelz
from support.clients import make_client
from support.envelopes import soap_fault, soap_response
from support.replay import ReplayAdapter, Reply, session_with
from support.servers import LocalServer, Seen, closed_port
from support.xmltree import parse_xml

EMAIL = "demo@example.com"
KEY = "s3cr3t+K/EY=&x'42"  # its raw, quote_plus, quote and html.escape forms all differ
KEY_FORMS = {KEY, quote_plus(KEY), quote(KEY, safe=""), html.escape(KEY), KEY.replace("'", "&#39;")}
ALL = [Binding.SOAP11, Binding.SOAP12, Binding.HTTP_GET, Binding.HTTP_POST]
SOAP = [Binding.SOAP11, Binding.SOAP12]
TICKET = "9a4e4e16-8e77-4e8c-b579-79fba86611e3"
NS = pixelz.NS


def make(
    kind: str, responder: Any = None, binding: Binding = Binding.SOAP11, **kwargs: Any
) -> tuple[PixelzClient, ReplayAdapter]:
    """A client of ``kind`` (``client_kind``: sync, or async behind its facade) answered by
    a replay adapter."""
    adapter = ReplayAdapter(responder if responder is not None else status_reply(binding))
    kwargs.setdefault("retries", False)  # one send per call; retries: tests/core/test_retries.py
    client: PixelzClient = make_client(
        kind, EMAIL, KEY, binding=binding, session=session_with(adapter), **kwargs
    )
    return client, adapter


def status_payload() -> etree._Element:
    el = etree.Element(f"{{{NS}}}ImageStatusResponse", nsmap={None: NS})  # type: ignore[dict-item]
    status = etree.SubElement(el, f"{{{NS}}}ImageStatus")
    for name, text in (("ImageTicket", TICKET), ("StatusId", "10"), ("IsPaid", "false")):
        etree.SubElement(status, f"{{{NS}}}{name}").text = text
    return el


def status_reply(binding: Binding) -> Reply:
    """A good GetImageStatus answer for ``binding``."""
    result = status_payload()
    if binding.is_soap:
        response = etree.Element(f"{{{NS}}}GetImageStatusResponse", nsmap={None: NS})  # type: ignore[dict-item]
        result.tag = f"{{{NS}}}GetImageStatusResult"
        response.append(result)
        return Reply.soap(binding, soap_response(binding, response))
    return Reply(200, etree.tostring(result, xml_declaration=True, encoding="utf-8"))


def fault_reply(binding: Binding, code: str, text: str, **kw: Any) -> Reply:
    return Reply.soap(binding, soap_fault(binding, code, text, **kw), status=500)


def assert_no_key(*texts: object) -> None:
    for text in texts:
        for form in KEY_FORMS:
            assert form not in str(text), f"the API key ({form!r}) leaked into {text!r}"


def call(client: PixelzClient) -> Any:
    return client.get_image_status(image_ticket=TICKET)


# --- checks before anything is sent ------------------------------------------------------


@pytest.mark.parametrize("binding", [Binding.HTTP_GET, Binding.HTTP_POST], ids=str)
def test_operation_not_offered_on_the_binding_fails_before_sending(binding: Binding) -> None:
    unsupported = [
        (cls, op)
        for cls, service in (
            (PixelzClient, pixelz.SERVICE),
            (RemoveTheBackgroundClient, legacy.SERVICE),
        )
        for op in service.operations.values()
        if binding not in op.bindings
    ]
    assert [op.name for _, op in unsupported] == ["AddImageToQueue"]
    for cls, op in unsupported:
        adapter = ReplayAdapter(Reply())
        client = cls(EMAIL, KEY, binding=binding, session=session_with(adapter))
        with pytest.raises(UnsupportedBindingError) as info:
            getattr(client, op.python_name)(image_url="http://example.com/a.jpg")
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, InvalidParameterError)
        assert info.value.parameter == "binding"
        assert op.name in str(info.value) and binding.value in str(info.value)
        assert adapter.sent == []
        # the same call over SOAP goes out
        with pytest.raises(TransportError):
            getattr(client.with_binding(Binding.SOAP11), op.python_name)(image_url="x")
        assert len(adapter.sent) == 1


BAD_CALLS = [
    ("get_image_status", {"customer_image_id": 123}, "customer_image_id", "expected str"),
    ("get_image_status", {"customer_image_id": b"bytes"}, "customer_image_id", "expected str"),
    ("get_images_list", {"product_id": 2}, "product_id", "str(2)"),
    # parameters with an overlay rule take their natural type, and refuse others
    ("get_image_status", {"image_ticket": 123}, "image_ticket", "uuid.UUID"),
    ("get_images_list", {"page": 2.0}, "page", "expected int"),
    ("get_images_list", {"page": True}, "page", "expected int"),
    ("get_images_list", {"is_descending": 1}, "is_descending", "expected bool"),
    ("add_stack_image_to_queue", {"colorway_ids": 5}, "colorway_ids", "list"),
    ("add_stack_image_to_queue", {"colorway_ids": "1,2"}, "colorway_ids", "list"),
    ("add_stack_image_to_queue", {"colorway_ids": [1, "2"]}, "colorway_ids[1]", "int"),
    ("add_stack_image_to_queue", {"colorway_ids": [True]}, "colorway_ids[0]", "int"),
    ("add_stack_image_to_queue", {"colorway_ids": [2**31]}, "colorway_ids[0]", "range"),
    (
        "add_image_with_instruction_to_queue",
        {"additional_resource_file_urls": [1], "colorway_ids": [1]},
        "additional_resource_file_urls[0]",
        "str",
    ),
]


@pytest.mark.parametrize("binding", ALL, ids=str)
@pytest.mark.parametrize(("method", "kwargs", "parameter", "says"), BAD_CALLS)
def test_invalid_parameter_types_fail_before_sending(
    binding: Binding,
    method: str,
    kwargs: dict[str, Any],
    parameter: str,
    says: str,
    client_kind: str,
) -> None:
    client, adapter = make(client_kind, binding=binding)
    with pytest.raises(InvalidParameterError) as info:
        getattr(client, method)(**kwargs)
    assert info.value.parameter == parameter
    assert says in str(info.value)
    assert adapter.sent == []


@pytest.mark.parametrize("binding", SOAP, ids=str)
def test_wrong_model_in_an_array_fails_before_sending(binding: Binding, client_kind: str) -> None:
    client, adapter = make(client_kind, binding=binding)
    with pytest.raises(InvalidParameterError) as info:
        client.add_image_to_queue(color_change_requests=[pixelz.MarkerInfo()])  # type: ignore[list-item]
    assert info.value.parameter == "color_change_requests[0]"
    assert adapter.sent == []


@pytest.mark.parametrize("binding", SOAP, ids=str)
@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\x1b", "\ufffe", "\ud83d"])
def test_xml_illegal_characters_fail_before_sending(
    binding: Binding, char: str, client_kind: str
) -> None:
    client, adapter = make(client_kind, binding=binding)
    with pytest.raises(InvalidParameterError) as info:
        client.get_image_status(customer_image_id=f"abc{char}def")
    assert info.value.parameter == "customer_image_id"
    assert f"U+{ord(char):04X}" in str(info.value)
    with pytest.raises(InvalidParameterError) as info:
        client.add_image_to_queue(
            color_change_requests=[pixelz.ColorChangeRequest(output_file_name=f"a{char}.jpg")]
        )
    assert "output_file_name" in info.value.parameter
    assert adapter.sent == []


@pytest.mark.parametrize("binding", [Binding.HTTP_GET, Binding.HTTP_POST], ids=str)
def test_control_characters_fail_before_sending_over_http(
    binding: Binding, client_kind: str
) -> None:
    client, adapter = make(client_kind, binding=binding)
    with pytest.raises(InvalidParameterError) as info:
        client.get_image_status(image_ticket="abc\x01def")
    assert info.value.parameter == "image_ticket"
    assert adapter.sent == []


def test_bad_email_in_the_message_fails_before_sending() -> None:
    adapter = ReplayAdapter(Reply())
    client = PixelzClient("demo\x00@example.com", KEY, session=session_with(adapter))
    with pytest.raises(InvalidParameterError) as info:
        client.get_templates()
    assert info.value.parameter == "contact_email"
    assert adapter.sent == []


# --- answers that are not results -----------------------------------------------------------


@pytest.mark.parametrize("status", [415, 400])
@pytest.mark.parametrize("binding", ALL, ids=str)
def test_empty_error_answers_are_http_status_errors(
    binding: Binding, status: int, client_kind: str
) -> None:
    client, _ = make(client_kind, Reply(status, b"", ()), binding)
    with pytest.raises(HTTPStatusError) as info:
        call(client)
    exc = info.value
    assert exc.http_status == status and exc.excerpt is None
    assert str(status) in str(exc) and "empty body" in str(exc)
    assert (exc.operation, exc.binding) == ("GetImageStatus", binding.value)


@pytest.mark.parametrize("status", [502, 503, 504])
@pytest.mark.parametrize("binding", ALL, ids=str)
def test_proxy_html_pages_are_http_status_errors_with_a_short_excerpt(
    binding: Binding, status: int, client_kind: str
) -> None:
    page = (
        f"<html><head><title>{status} Gateway trouble</title></head><body><h1>{status}</h1>"
        + "<p>nginx</p>" * 300
        + "</body></html>"
    ).encode()
    client, adapter = make(
        client_kind, Reply(status, page, (("Content-Type", "text/html"),)), binding
    )
    with pytest.raises(HTTPStatusError) as info:
        call(client)
    exc = info.value
    assert exc.http_status == status
    assert exc.excerpt is not None and exc.excerpt.startswith(f"<html><head><title>{status}")
    assert len(exc.excerpt) <= 200 < len(page)
    assert exc.excerpt in str(exc) and "text/html" in str(exc)
    assert len(adapter.sent) == 1


@pytest.mark.parametrize("binding", SOAP, ids=str)
def test_500_html_page_on_soap_is_an_http_status_error(binding: Binding, client_kind: str) -> None:
    client, _ = make(
        client_kind,
        Reply(500, b"<html><body>Runtime Error</body></html>", (("Content-Type", "text/html"),)),
        binding,
    )
    with pytest.raises(HTTPStatusError) as info:
        call(client)
    assert info.value.http_status == 500 and "Runtime Error" in (info.value.excerpt or "")


def test_redirects_are_not_followed(client_kind: str) -> None:
    client, adapter = make(
        client_kind, Reply(302, b"", (("Location", "http://elsewhere.example/x"),))
    )
    with pytest.raises(HTTPStatusError) as info:
        call(client)
    assert info.value.http_status == 302
    assert len(adapter.sent) == 1


@pytest.mark.parametrize("binding", ALL, ids=str)
def test_truncated_xml_is_malformed(binding: Binding, client_kind: str) -> None:
    good = status_reply(binding)
    cut = Reply(200, good.body[: len(good.body) // 2], good.headers)
    client, _ = make(client_kind, cut, binding)
    with pytest.raises(MalformedResponseError) as info:
        call(client)
    exc = info.value
    assert exc.http_status == 200 and "not well-formed" in str(exc)
    assert exc.excerpt and good.body.decode().startswith(exc.excerpt[:50])
    assert (exc.operation, exc.binding) == ("GetImageStatus", binding.value)


@pytest.mark.parametrize("binding", SOAP, ids=str)
def test_truncated_fault_is_malformed(binding: Binding, client_kind: str) -> None:
    fault = soap_fault(binding, "Client" if binding is Binding.SOAP11 else "Sender", "nope")
    client, _ = make(client_kind, Reply.soap(binding, fault[:-40], status=500), binding)
    with pytest.raises(MalformedResponseError) as info:
        call(client)
    assert info.value.http_status == 500


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
@pytest.mark.parametrize("binding", ALL, ids=str)
def test_answers_over_max_response_bytes_are_refused(
    binding: Binding, declared: bool, client_kind: str
) -> None:
    good = status_reply(binding)
    limit = len(good.body) - 1
    client, _ = make(
        client_kind,
        Reply(200, good.body, good.headers, length=declared),
        binding,
        max_response_bytes=limit,
    )
    with pytest.raises(MalformedResponseError) as info:
        call(client)
    assert "max_response_bytes" in str(info.value) and info.value.http_status == 200
    # exactly at the limit is fine
    client, _ = make(client_kind, good, binding, max_response_bytes=len(good.body))
    assert call(client).image_status.status_id == 10


def test_max_response_bytes_must_be_positive() -> None:
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient(EMAIL, KEY, max_response_bytes=0)
    assert info.value.parameter == "max_response_bytes"


def _envelope_of(binding: Binding, inner: str) -> bytes:
    env = (
        "http://schemas.xmlsoap.org/soap/envelope/"
        if binding is Binding.SOAP11
        else "http://www.w3.org/2003/05/soap-envelope"
    )
    return (
        f'<soap:Envelope xmlns:soap="{env}"><soap:Body>{inner}</soap:Body></soap:Envelope>'.encode()
    )


XSI_DECL = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def _status_response(result: str) -> str:
    return f'<GetImageStatusResponse xmlns="{NS}" {XSI_DECL}>{result}</GetImageStatusResponse>'


@pytest.mark.parametrize("binding", SOAP, ids=str)
@pytest.mark.parametrize(
    ("inner", "says"),
    [
        (
            f'<GetTemplatesResponse xmlns="{NS}"><GetTemplatesResult/></GetTemplatesResponse>',
            "expected <GetImageStatusResponse>",
        ),
        (_status_response(""), "no GetImageStatusResult"),
        (
            _status_response('<GetImageStatusResult xsi:nil="true"/>'),
            "no GetImageStatusResult",
        ),
        (
            _status_response(
                "<GetImageStatusResult><ImageStatus><StatusId>1</StatusId></ImageStatus>"
                "</GetImageStatusResult>"
            ),
            "ImageTicket is missing",
        ),
        (
            _status_response(
                f"<GetImageStatusResult><ImageStatus><ImageTicket>{TICKET}</ImageTicket>"
                "<StatusId>ten</StatusId><IsPaid>true</IsPaid></ImageStatus></GetImageStatusResult>"
            ),
            "StatusId",
        ),
        ("", "the SOAP body is empty"),
    ],
    ids=["wrong-element", "no-result", "nil-result", "missing-required", "bad-int", "empty-body"],
)
def test_answers_of_the_wrong_shape_are_malformed(
    binding: Binding, inner: str, says: str, client_kind: str
) -> None:
    client, _ = make(client_kind, Reply.soap(binding, _envelope_of(binding, inner)), binding)
    with pytest.raises(MalformedResponseError) as info:
        call(client)
    assert says in str(info.value)
    assert info.value.http_status == 200 and info.value.binding == binding.value


def test_envelope_of_the_other_soap_version_is_malformed(client_kind: str) -> None:
    soap11_answer = status_reply(Binding.SOAP11)
    client, _ = make(client_kind, Reply.soap(Binding.SOAP12, soap11_answer.body), Binding.SOAP12)
    with pytest.raises(MalformedResponseError) as info:
        call(client)
    assert "soap12" in str(info.value)


def test_non_envelope_root_is_malformed(client_kind: str) -> None:
    plain = status_reply(Binding.HTTP_GET)
    client, _ = make(client_kind, plain, Binding.SOAP11)
    with pytest.raises(MalformedResponseError) as info:
        call(client)
    assert "expected a SOAP envelope" in str(info.value)


@pytest.mark.parametrize("binding", [Binding.HTTP_GET, Binding.HTTP_POST], ids=str)
def test_http_answer_with_the_wrong_root_is_malformed(binding: Binding, client_kind: str) -> None:
    wrong = f'<?xml version="1.0"?><TemplatesResponse xmlns="{NS}"><Templates/></TemplatesResponse>'
    client, _ = make(client_kind, Reply(200, wrong.encode()), binding)
    with pytest.raises(MalformedResponseError) as info:
        call(client)
    assert "expected <ImageStatusResponse>" in str(info.value)


@pytest.mark.parametrize("binding", ALL, ids=str)
def test_dtd_in_an_answer_is_refused(binding: Binding, client_kind: str) -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    client, _ = make(client_kind, Reply(200, evil), binding)
    with pytest.raises(MalformedResponseError) as info:
        call(client)
    assert "DTD" in str(info.value) and "root:" not in str(info.value)


# --- transport failures ---------------------------------------------------------------------


@pytest.mark.parametrize("binding", ALL, ids=str)
@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (requests.ConnectionError("Connection refused"), ConnectionFailedError),
        (requests.ReadTimeout("Read timed out. (read timeout=30)"), TransportTimeout),
        (requests.ConnectTimeout("Connect timed out"), TransportTimeout),
        (requests.TooManyRedirects("too many"), TransportError),
    ],
    ids=["connection", "read-timeout", "connect-timeout", "other"],
)
def test_transport_failures(
    binding: Binding, raised: Exception, expected: type, client_kind: str
) -> None:
    client, adapter = make(client_kind, raised, binding)
    with pytest.raises(expected) as info:
        call(client)
    assert isinstance(info.value, TransportError)
    assert isinstance(info.value, RemoveTheBackgroundError)
    assert (info.value.operation, info.value.binding) == ("GetImageStatus", binding.value)
    assert info.value.http_status is None
    assert len(adapter.sent) == 1


def test_connection_refused_for_real_is_connection_failed(client_kind: str) -> None:
    client = make_client(
        client_kind, EMAIL, KEY, endpoint=f"http://127.0.0.1:{closed_port()}/soap.asmx"
    )
    with pytest.raises(ConnectionFailedError) as info:
        client.get_templates()
    assert "cannot reach" in str(info.value)
    client.close()


class _BodyThatTimesOut(io.BytesIO):
    """A urllib3-like body whose stream stops with a read timeout after the first bytes."""

    def stream(self, amt: int = 65536, decode_content: bool = True) -> Iterator[bytes]:
        yield self.read(20)
        raise urllib3.exceptions.ReadTimeoutError(None, "/soap.asmx", "Read timed out.")  # type: ignore[arg-type]


def test_body_that_breaks_off_is_reported() -> None:
    adapter = ReplayAdapter(status_reply(Binding.SOAP11), raw=_BodyThatTimesOut)
    client = PixelzClient(EMAIL, KEY, session=session_with(adapter))
    with pytest.raises(TransportError) as info:
        call(client)
    assert info.value.http_status == 200


def test_read_timeout_while_reading_the_body_is_a_timeout() -> None:
    adapter = ReplayAdapter(status_reply(Binding.SOAP11), raw=_BodyThatTimesOut)
    client = PixelzClient(EMAIL, KEY, session=session_with(adapter))
    with pytest.raises(TransportTimeout):
        call(client)


# --- faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "subcode", "cls", "normalised"),
    [
        ("Sender", None, ClientFault, "Client"),
        ("Receiver", None, ServerFault, "Server"),
        ("Sender", "rtb:BadTicket", ClientFault, "Client"),
    ],
)
def test_soap12_sender_and_receiver_become_client_and_server(
    code: str, subcode: str | None, cls: type, normalised: str, client_kind: str
) -> None:
    reply = fault_reply(Binding.SOAP12, code, "Something odd happened", subcode=subcode)
    client, _ = make(client_kind, reply, Binding.SOAP12)
    with pytest.raises(ServiceFault) as info:
        call(client)
    assert type(info.value) is cls
    assert info.value.code == normalised and info.value.http_status == 500
    assert info.value.subcode == (subcode.split(":")[1] if subcode else None)
    assert info.value.text == "Something odd happened"


def test_soap11_fault_codes_with_dotted_subcodes(client_kind: str) -> None:
    client, _ = make(
        client_kind,
        fault_reply(Binding.SOAP11, "Client.Authentication", "Invalid contact credentials"),
    )
    with pytest.raises(AuthenticationError) as info:
        call(client)
    assert info.value.code == "Client"


@pytest.mark.parametrize(
    ("binding", "reply"),
    [
        # the doc: a SOAP 1.2 request in the wrong envelope is answered by a SOAP 1.1 fault
        (
            Binding.SOAP12,
            fault_reply(Binding.SOAP11, "VersionMismatch", "Possible SOAP version mismatch"),
        ),
        (
            Binding.SOAP11,
            fault_reply(Binding.SOAP11, "VersionMismatch", "Possible SOAP version mismatch"),
        ),
        (Binding.SOAP12, fault_reply(Binding.SOAP12, "VersionMismatch", "Wrong version")),
        (Binding.SOAP12, fault_reply(Binding.SOAP12, "MustUnderstand", "Header not understood")),
    ],
    ids=["11-to-12", "11", "12", "must-understand"],
)
def test_protocol_faults_keep_their_code(binding: Binding, reply: Reply, client_kind: str) -> None:
    client, _ = make(client_kind, Reply(500, reply.body, reply.headers), binding)
    with pytest.raises(ProtocolFault) as info:
        call(client)
    assert info.value.code in ("VersionMismatch", "MustUnderstand")
    assert info.value.binding == binding.value and info.value.http_status == 500


DETAILED = (
    "System.Web.Services.Protocols.SoapException: Server was unable to process request. "
    "---> {inner}: boom\n   at Foo.Bar()\n   at System.Web.Services.Protocols.LogicalMethodInfo"
    ".Invoke(Object target, Object[] values)\n   --- End of inner exception stack trace ---"
)


@pytest.mark.parametrize("inner", ["System.InvalidOperationException", "System.Exception"])
@pytest.mark.parametrize("binding", SOAP, ids=str)
def test_detailed_errors_lose_the_stack_but_keep_the_text(
    binding: Binding, inner: str, client_kind: str
) -> None:
    text = DETAILED.format(inner=inner)
    code = "Server" if binding is Binding.SOAP11 else "Receiver"
    client, _ = make(client_kind, fault_reply(binding, code, text), binding)
    with pytest.raises(ServerFault) as info:
        call(client)
    exc = info.value
    assert exc.text == text
    for shown in (exc.message, exc.inner_message, str(exc), repr(exc)):
        assert "at Foo.Bar" not in shown and "stack trace" not in shown
        assert "SoapException" not in shown
    assert exc.message.startswith("Server was unable to process request. --->")
    assert exc.inner_message.endswith("boom")


def test_detailed_errors_drop_a_plain_system_exception_type(client_kind: str) -> None:
    client, _ = make(
        client_kind,
        fault_reply(Binding.SOAP11, "Server", DETAILED.format(inner="System.Exception")),
    )
    with pytest.raises(ServerFault) as info:
        call(client)
    assert info.value.inner_message == "boom"
    assert info.value.message == "Server was unable to process request. ---> boom"


def test_detailed_errors_drop_a_prefixed_exception_type(client_kind: str) -> None:
    text = DETAILED.format(inner="System.InvalidOperationException")
    client, _ = make(client_kind, fault_reply(Binding.SOAP11, "Server", text))
    with pytest.raises(ServerFault) as info:
        call(client)
    assert info.value.inner_message == "boom"
    assert info.value.message == "Server was unable to process request. ---> boom"


@pytest.mark.parametrize(
    ("text", "cls"),
    [
        ("Invalid contact credentials", AuthenticationError),
        ("Missing parameter: imageTicket.", InvalidArgumentFault),
        # no code, and no client rule matches: what SOAP sends as soap:Server
        ("Simulated unhandled server error", ServerFault),
    ],
)
def test_plain_text_http_errors(text: str, cls: type, client_kind: str) -> None:
    for binding in (Binding.HTTP_GET, Binding.HTTP_POST):
        body = html.escape(text).encode() + b"\r\n"
        client, _ = make(
            client_kind, Reply(500, body, (("Content-Type", "text/plain; charset=utf-8"),)), binding
        )
        with pytest.raises(ServiceFault) as info:
            call(client)
        exc = info.value
        assert exc.code is None and exc.text == text and exc.http_status == 500
        assert exc.binding == binding.value
        assert type(exc) is cls


# --- the API key stays secret ----------------------------------------------------------------


def test_key_is_not_in_the_client_repr(client_kind: str) -> None:
    client, _ = make(client_kind)
    assert_no_key(repr(client), str(client))
    assert "***" in repr(client)


@pytest.mark.parametrize("binding", SOAP, ids=str)
def test_key_echoed_in_a_fault_is_redacted(binding: Binding, client_kind: str) -> None:
    code = "Client" if binding is Binding.SOAP11 else "Sender"
    text = html.escape(f"Invalid contact credentials for key {KEY} ({KEY})")
    client, _ = make(client_kind, fault_reply(binding, code, text), binding)
    with pytest.raises(AuthenticationError) as info:
        call(client)
    exc = info.value
    assert_no_key(exc.text, exc.message, str(exc), repr(exc), exc.args)
    assert exc.text == "Invalid contact credentials for key *** (***)"


def _detail_echo(key: str, binding: Binding) -> ServiceFault:
    code = "Client" if binding is Binding.SOAP11 else "Sender"
    reply = fault_reply(
        binding, code, "Invalid contact credentials", detail=f"<key>{html.escape(key)}</key>"
    )
    adapter = ReplayAdapter(reply)
    client = PixelzClient(EMAIL, key, binding=binding, session=session_with(adapter))
    with pytest.raises(AuthenticationError) as info:
        call(client)
    return info.value


@pytest.mark.parametrize("binding", SOAP, ids=str)
def test_key_echoed_in_the_fault_detail_is_redacted(binding: Binding) -> None:
    exc = _detail_echo("PlainKey-123abc", binding)
    assert exc.detail is not None and exc.detail_xml is not None
    assert "".join(exc.detail.itertext()) == "***"
    assert "PlainKey-123abc" not in exc.detail_xml


@pytest.mark.parametrize("binding", SOAP, ids=str)
def test_key_with_xml_special_characters_echoed_in_the_detail_is_redacted(
    binding: Binding,
) -> None:
    exc = _detail_echo(KEY, binding)
    assert exc.detail is not None
    assert KEY not in "".join(exc.detail.itertext())


@pytest.mark.parametrize("binding", ALL, ids=str)
def test_key_echoed_by_a_proxy_is_not_in_the_excerpt(binding: Binding, client_kind: str) -> None:
    body = (
        f"<html><body>upstream failed for ?contactAPIkey={quote_plus(KEY)} "
        f"key={html.escape(KEY)} raw={KEY} path={quote(KEY, safe='')}</body></html>"
    ).encode()
    client, _ = make(client_kind, Reply(502, body, (("Content-Type", "text/html"),)), binding)
    with pytest.raises(HTTPStatusError) as info:
        call(client)
    exc = info.value
    assert exc.excerpt is not None and "upstream failed" in exc.excerpt
    assert_no_key(exc.excerpt, str(exc), repr(exc), exc.args)


@pytest.mark.parametrize("binding", [Binding.HTTP_GET, Binding.HTTP_POST], ids=str)
def test_key_echoed_in_a_plain_text_error_is_redacted(binding: Binding, client_kind: str) -> None:
    body = html.escape(f"Invalid contact credentials: '{KEY}'").replace("&#x27;", "&#39;")
    client, _ = make(
        client_kind,
        Reply(500, body.encode(), (("Content-Type", "text/plain; charset=utf-8"),)),
        binding,
    )
    with pytest.raises(AuthenticationError) as info:
        call(client)
    assert_no_key(info.value.text, str(info.value), repr(info.value))


def test_key_in_a_connection_error_url_is_redacted(client_kind: str) -> None:
    url = f"/soap.asmx/GetImageStatus?contactEmail=x&contactAPIkey={quote_plus(KEY)}"
    client, _ = make(
        client_kind,
        requests.ConnectionError(f"Max retries exceeded with url: {url}"),
        Binding.HTTP_GET,
    )
    with pytest.raises(ConnectionFailedError) as info:
        call(client)
    assert_no_key(str(info.value), repr(info.value), info.value.args)


def test_key_cut_by_the_excerpt_limit_does_not_leave_a_prefix(client_kind: str) -> None:
    body = b"x" * 195 + KEY.encode() + b" and more"
    client, _ = make(client_kind, Reply(502, body, (("Content-Type", "text/html"),)))
    with pytest.raises(HTTPStatusError) as info:
        call(client)
    assert KEY[:5] not in (info.value.excerpt or "")


def _echo_key(seen: Seen) -> Reply:
    if seen.method == "GET":
        return Reply(
            500,
            f"Invalid contact credentials {KEY}".encode(),
            (("Content-Type", "text/plain; charset=utf-8"),),
        )
    return fault_reply(Binding.SOAP11, "Client", html.escape(f"Invalid contact credentials {KEY}"))


def _all_log_text(caplog: pytest.LogCaptureFixture) -> list[str]:
    out = []
    for record in caplog.records:
        out.append(record.getMessage())
        out.append(repr(record.args))
        if record.exc_text:
            out.append(record.exc_text)
    return out


@pytest.mark.parametrize("binding", [Binding.HTTP_GET, Binding.SOAP11], ids=str)
def test_key_never_reaches_the_logs(
    binding: Binding, caplog: pytest.LogCaptureFixture, client_kind: str
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="urllib3")
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    caplog.set_level(logging.DEBUG, logger="removethebackground")
    with LocalServer(_echo_key) as server:
        client = make_client(client_kind, EMAIL, KEY, binding=binding, endpoint=server.endpoint)
        with pytest.raises(AuthenticationError):
            client.get_templates()
        client.close()
    assert len(server.seen) == 1
    if binding is Binding.HTTP_GET:
        assert quote_plus(KEY) in server.seen[0].path  # the key really was in the URL
    names = {r.name for r in caplog.records}
    assert "removethebackground" in names
    assert client_kind == "async" or "urllib3.connectionpool" in names
    joined = "\n".join(_all_log_text(caplog))
    assert "GetTemplates" in joined
    assert_no_key(joined)
    if binding is Binding.HTTP_GET and client_kind == "sync":  # urllib3 logs the URL
        assert "contactAPIkey=***" in joined


def test_key_never_reaches_the_logs_with_a_retrying_user_session(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="urllib3")
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=1))
    client = PixelzClient(
        EMAIL,
        KEY,
        binding=Binding.HTTP_GET,
        endpoint=f"http://127.0.0.1:{closed_port()}/soap.asmx",
        session=session,
    )
    with pytest.raises(ConnectionFailedError) as info:
        client.get_templates()
    assert_no_key(str(info.value))
    assert_no_key("\n".join(_all_log_text(caplog)))


# --- what goes on the wire -------------------------------------------------------------------


def test_one_request_per_call_even_when_it_fails(client_kind: str) -> None:
    for responder in (
        Reply(503, b"busy", (("Content-Type", "text/plain"),)),
        fault_reply(Binding.SOAP11, "Server", "Server was unable to process request. ---> x"),
        requests.ConnectionError("reset"),
        requests.ReadTimeout("slow"),
    ):
        client, adapter = make(client_kind, responder)
        with pytest.raises(RemoveTheBackgroundError):
            call(client)
        assert len(adapter.sent) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_one_request_on_the_wire_with_the_default_session(status: int, client_kind: str) -> None:
    def respond(seen: Seen) -> Reply:
        return Reply(status, b"<html>down</html>", (("Content-Type", "text/html"),))

    with LocalServer(respond) as server:
        client = make_client(client_kind, EMAIL, KEY, endpoint=server.endpoint, retries=False)
        with pytest.raises(HTTPStatusError):
            client.get_templates()
        client.close()
    assert len(server.seen) == 1


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12, Binding.HTTP_POST], ids=str)
def test_bodies_go_with_content_length_never_chunked(binding: Binding, client_kind: str) -> None:
    def respond(seen: Seen) -> Reply:
        return status_reply(binding)

    with LocalServer(respond) as server:
        client = make_client(client_kind, EMAIL, KEY, binding=binding, endpoint=server.endpoint)
        assert call(client).image_status.status_id == 10
        client.close()
    (seen,) = server.seen
    headers = {k.lower(): v for k, v in seen.headers.items()}
    assert "transfer-encoding" not in headers
    assert int(headers["content-length"]) == len(seen.body) > 0
    if binding.is_soap:
        assert parse_xml(seen.body).find(f".//{{{NS}}}imageTicket").text == TICKET


@pytest.mark.parametrize(
    ("cls", "service"),
    [(PixelzClient, pixelz.SERVICE), (RemoveTheBackgroundClient, legacy.SERVICE)],
    ids=["pixelz", "legacy"],
)
def test_soap_action_headers_for_every_operation(cls: Any, service: Any) -> None:
    for op in service.operations.values():
        for binding in SOAP:
            adapter = ReplayAdapter(Reply(503, b"", ()))
            # read-only operations are retried on 503: without waiting between the sends
            client = cls(
                EMAIL,
                KEY,
                binding=binding,
                session=session_with(adapter),
                retries=RetryPolicy(backoff=0),
            )
            with pytest.raises(HTTPStatusError):
                getattr(client, op.python_name)()
            sent = adapter.last
            action = f"http://removethebackground.com/{op.name}"
            assert op.soap_actions[binding] == action
            body = sent.body if isinstance(sent.body, bytes) else b""
            assert sent.headers["Content-Length"] == str(len(body))
            assert "Transfer-Encoding" not in sent.headers
            if binding is Binding.SOAP11:
                assert sent.headers["SOAPAction"] == f'"{action}"'
                assert sent.headers["Content-Type"] == "text/xml; charset=utf-8"
            else:
                assert "SOAPAction" not in sent.headers
                assert sent.headers["Content-Type"] == (
                    f'application/soap+xml; charset=utf-8; action="{action}"'
                )


# --- construction ----------------------------------------------------------------------------


# from_env reads the config file too: these tests name one that does not exist, so that
# the machine's own (~/.config/removethebackground/config.toml) plays no part.
NO_CONFIG = {"RTB_CONFIG": "/nonexistent/removethebackground-tests/config.toml"}


def test_from_env_reads_the_variables() -> None:
    env = {
        **NO_CONFIG,
        "RTB_EMAIL": EMAIL,
        "RTB_API_KEY": KEY,
        "RTB_ENDPOINT": "http://127.0.0.1:8110/soap.asmx",
        "RTB_BINDING": "soap1.2",
    }
    client = PixelzClient.from_env(env)
    assert client.email == EMAIL and client.binding is Binding.SOAP12
    assert client.endpoint == "http://127.0.0.1:8110/soap.asmx"
    assert_no_key(repr(client))
    adapter = ReplayAdapter(status_reply(Binding.SOAP12))
    client = PixelzClient.from_env(env, session=session_with(adapter), timeout=4.0)
    call(client)
    assert adapter.last.url == "http://127.0.0.1:8110/soap.asmx"
    assert (
        f"<contactAPIkey>{html.escape(KEY, quote=False)}</contactAPIkey>".encode()
        in adapter.last.body
    )  # type: ignore[operator]
    assert adapter.options[0]["timeout"] == 4.0


def test_from_env_defaults_and_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RTB_ENDPOINT", "RTB_PIXELZ_ENDPOINT", "RTB_BINDING", "RTB_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RTB_CONFIG", NO_CONFIG["RTB_CONFIG"])
    monkeypatch.setenv("RTB_EMAIL", EMAIL)
    monkeypatch.setenv("RTB_API_KEY", KEY)
    client = PixelzClient.from_env()
    assert client.binding is Binding.SOAP11
    assert client.endpoint == pixelz.SERVICE.default_endpoints[Binding.SOAP11]
    client.close()


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"RTB_API_KEY": KEY}, "RTB_EMAIL"),
        ({"RTB_EMAIL": EMAIL}, "RTB_API_KEY"),
        ({"RTB_EMAIL": EMAIL, "RTB_API_KEY": ""}, "RTB_API_KEY"),
        ({}, "RTB_EMAIL"),
    ],
)
def test_from_env_names_the_missing_variable(env: dict[str, str], missing: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient.from_env({**NO_CONFIG, **env})
    assert info.value.parameter == missing and missing in str(info.value)


def test_from_env_bad_binding_and_endpoint() -> None:
    base = {**NO_CONFIG, "RTB_EMAIL": EMAIL, "RTB_API_KEY": KEY}
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient.from_env({**base, "RTB_BINDING": "carrier-pigeon"})
    assert info.value.parameter == "RTB_BINDING"
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient.from_env({**base, "RTB_ENDPOINT": "ftp://x/soap.asmx"})
    assert info.value.parameter == "endpoint"
    assert_no_key(str(info.value))


def test_user_session_is_used_and_left_open(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[requests.Session] = []
    real_close = requests.Session.close

    def spy(self: requests.Session) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(requests.Session, "close", spy)
    adapter = ReplayAdapter(status_reply(Binding.SOAP11))
    session = session_with(adapter)
    with PixelzClient(EMAIL, KEY, session=session) as client:
        call(client)
        call(client.with_binding(Binding.SOAP11))
    client.close()
    assert len(adapter.sent) == 2
    assert closed == [] and not adapter.closed
    call(PixelzClient(EMAIL, KEY, session=session))  # still usable
    assert len(adapter.sent) == 3
    # a session the client made itself is closed by it, once, and not by its clones
    owner = PixelzClient(EMAIL, KEY)
    owner.with_binding(Binding.SOAP12).close()
    assert closed == []
    owner.close()
    assert len(closed) == 1


def test_timeout_default_is_finite_and_passed_on(client_kind: str) -> None:
    client, adapter = make(client_kind)
    call(client)
    timeout = adapter.options[0]["timeout"]
    assert timeout == DEFAULT_TIMEOUT == client.timeout
    assert timeout is not None and math.isfinite(timeout) and 0 < timeout <= 120
    assert adapter.options[0]["stream"] is True
    client, adapter = make(client_kind, timeout=(2.0, 7.5))
    call(client)
    assert adapter.options[0]["timeout"] == (2.0, 7.5)


@pytest.mark.parametrize("timeout", [0, -1, math.inf, math.nan, None, "5", True, (1.0, math.inf)])
def test_timeout_must_be_finite_and_positive(timeout: Any) -> None:
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient(EMAIL, KEY, timeout=timeout)
    assert info.value.parameter == "timeout"


@pytest.mark.parametrize("timeout", [(), (1.0,), (1.0, 2.0, 3.0)], ids=["0", "1", "3"])
def test_timeout_tuple_must_be_a_pair(timeout: tuple[float, ...]) -> None:
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient(EMAIL, KEY, timeout=timeout)  # type: ignore[arg-type]
    assert info.value.parameter == "timeout"


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"email": "", "api_key": KEY}, "email"),
        ({"email": EMAIL, "api_key": ""}, "api_key"),
        ({"email": EMAIL, "api_key": KEY, "binding": "smtp"}, "binding"),
        ({"email": EMAIL, "api_key": KEY, "endpoint": "https://x/soap.asmx?k=1"}, "endpoint"),
    ],
)
def test_constructor_checks(kwargs: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient(**kwargs)
    assert info.value.parameter == parameter
    assert_no_key(str(info.value))

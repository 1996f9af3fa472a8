"""How the sandbox routes and refuses requests: rule by rule, as ASP.NET's ASMX stack does.

Each test sends raw HTTP to a running sandbox and checks the whole answer (status,
Content-Type, XML structure, text). The rules and the reference-source methods they
come from are listed in the docstring of :mod:`removethebackground.service` (numbered;
the numbers are quoted here).
"""

from __future__ import annotations

import http.client
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import pytest
import requests
from lxml import etree

from removethebackground import Binding, HTTPStatusError, ProtocolFault, ServiceFault
from removethebackground.core.client import build_envelope
from removethebackground.core.codec import SOAP11_ENV, SOAP12_ENV
from removethebackground.generated import pixelz
from removethebackground.service import HTTP_ENGINES, RequestError, parse_soap_request
from removethebackground.testing.sandbox import run_sandbox

if TYPE_CHECKING:
    from collections.abc import Iterator

    from removethebackground.testing.sandbox import SandboxHandle

NS = "http://removethebackground.com/"
TEXT_XML = "text/xml; charset=utf-8"
SOAP12_XML = "application/soap+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
PLAIN = "text/plain; charset=utf-8"
CREDENTIALS = {"contact_email": "demo@example.com", "contact_api_key": "demo-key"}
ACTION = {name: f'"{NS}{name}"' for name in ("GetTemplates", "GetImageStatus", "Nope")}
ACTION_REQUIRED = (
    "Unable to handle request without a valid action parameter. Please supply a valid soap action."
)
WRONG_NS = "http://schemas.xmlsoap.org/soap12/envelope/"


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        yield handle


class Answer:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        self.body = response.read()

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def xml(self) -> etree._Element:
        return etree.fromstring(self.body)


def send(
    sb: SandboxHandle,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Answer:
    """One raw request: exactly these headers (and Host, Content-Length)."""
    parts = urlsplit(sb.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body or method in ("POST", "PUT"):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        return Answer(conn.getresponse())
    finally:
        conn.close()


def soap(
    sb: SandboxHandle,
    body: bytes,
    content_type: str | None = TEXT_XML,
    soapaction: str | None = None,
    path: str = "/soap.asmx",
) -> Answer:
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if soapaction is not None:
        headers["SOAPAction"] = soapaction
    return send(sb, "POST", path, body, headers)


def envelope(op: Any = pixelz.OP_GET_TEMPLATES, binding: Binding = Binding.SOAP11) -> bytes:
    return build_envelope(op, binding, CREDENTIALS)


def raw_envelope(inner: str, ns: str = SOAP11_ENV, header: str = "") -> bytes:
    head = f"<s:Header>{header}</s:Header>" if header else ""
    return f'<s:Envelope xmlns:s="{ns}">{head}<s:Body>{inner}</s:Body></s:Envelope>'.encode()


def fault(answer: Answer) -> tuple[str, str]:
    """(code, text) of a SOAP 1.1 or 1.2 fault answer."""
    root = answer.xml()
    ns = etree.QName(root).namespace
    found = root.find(f"{{{ns}}}Body/{{{ns}}}Fault")
    assert found is not None, answer.body
    if ns == SOAP11_ENV:
        return found.findtext("faultcode") or "", found.findtext("faultstring") or ""
    return (
        found.findtext(f"{{{ns}}}Code/{{{ns}}}Value") or "",
        found.findtext(f"{{{ns}}}Reason/{{{ns}}}Text") or "",
    )


def body_tag(answer: Answer) -> str:
    root = answer.xml()
    ns = etree.QName(root).namespace
    return str(root.find(f"{{{ns}}}Body")[0].tag)  # type: ignore[index]


TEMPLATES = f"{{{NS}}}GetTemplatesResponse"


# --- SOAP: which version, which operation -----------------------------------------------


def test_rule1_2_soapaction_routes_soap11_and_the_body_is_not_consulted(sb: SandboxHandle) -> None:
    # GetImageStatus's envelope, sent with GetTemplates's SOAPAction: GetTemplates runs,
    # finds no GetTemplates element, so runs without credentials.
    mismatched = soap(sb, envelope(pixelz.OP_GET_IMAGE_STATUS), soapaction=ACTION["GetTemplates"])
    without = soap(sb, raw_envelope(""), soapaction=ACTION["GetTemplates"])
    assert mismatched.status == without.status == 500
    assert fault(mismatched) == fault(without)
    assert fault(without)[0] == "soap:Client"
    # With the routed operation's element anywhere in the Body, it is read: 200.
    both = raw_envelope(
        f'<GetImageStatus xmlns="{NS}"/>'
        f'<GetTemplates xmlns="{NS}"><contactEmail>demo@example.com</contactEmail>'
        "<contactAPIkey>demo-key</contactAPIkey></GetTemplates>"
    )
    answer = soap(sb, both, soapaction=ACTION["GetTemplates"])
    assert (answer.status, answer.content_type) == (200, TEXT_XML)
    assert body_tag(answer) == TEMPLATES


@pytest.mark.parametrize(
    "soapaction",
    [f'"{NS}GetTemplates"', f"{NS}GetTemplates", f'"{quote(NS, safe="")}GetTemplates"'],
    ids=["quoted", "bare", "url-encoded"],
)
def test_rule2_soapaction_is_unquoted_and_url_decoded(sb: SandboxHandle, soapaction: str) -> None:
    answer = soap(sb, envelope(), soapaction=soapaction)
    assert (answer.status, body_tag(answer)) == (200, TEMPLATES)


@pytest.mark.parametrize(
    ("soapaction", "shown"),
    [('""', ""), ("", ""), (f'"{NS}Nope"', f"{NS}Nope"), ('"x', '"x')],
)
def test_rule2_unknown_or_empty_soapaction_is_a_client_fault(
    sb: SandboxHandle, soapaction: str, shown: str
) -> None:
    answer = soap(sb, envelope(), soapaction=soapaction)
    assert (answer.status, answer.content_type) == (500, TEXT_XML)
    assert fault(answer) == (
        "soap:Client",
        f"Server did not recognize the value of HTTP Header SOAPAction: {shown}.",
    )


def test_rule2_a_lone_quote_fails_in_the_router(sb: SandboxHandle) -> None:
    answer = soap(sb, envelope(), soapaction='"')
    assert fault(answer) == (
        "soap:Server",
        "Server was unable to process request. ---> Length cannot be less than zero.\n"
        "Parameter name: length",
    )


def test_rule2_an_unknown_soapaction_wins_over_everything_in_the_body(sb: SandboxHandle) -> None:
    # SOAP 1.1 routing never reads the body: not XML, or a wrong envelope, is not seen.
    for body in (b"not xml", raw_envelope("", ns=WRONG_NS)):
        answer = soap(sb, body, soapaction=ACTION["Nope"])
        assert fault(answer)[1].startswith("Server did not recognize the value of HTTP Header")


def test_rule1_3_no_soapaction_routes_on_the_body_element(sb: SandboxHandle) -> None:
    answer = soap(sb, envelope())
    assert (answer.status, answer.content_type, body_tag(answer)) == (200, TEXT_XML, TEMPLATES)
    unknown = soap(sb, raw_envelope(f'<Nope xmlns="{NS}"/>'))
    assert (unknown.status, unknown.content_type) == (500, TEXT_XML)
    assert fault(unknown) == ("soap:Client", ACTION_REQUIRED)
    empty = soap(sb, raw_envelope(""))
    assert fault(empty) == ("soap:Client", ACTION_REQUIRED)


def test_rule3_soap12_action_wins_over_the_body_element(sb: SandboxHandle) -> None:
    body = envelope(pixelz.OP_GET_IMAGE_STATUS, Binding.SOAP12)
    named = soap(sb, body, f'{SOAP12_XML}; action="{NS}GetTemplates"')
    without = soap(sb, raw_envelope("", ns=SOAP12_ENV), f'{SOAP12_XML}; action="{NS}GetTemplates"')
    assert (named.status, named.content_type) == (500, SOAP12_XML)
    assert fault(named) == fault(without)
    assert fault(named)[0] == "soap:Sender"


def test_rule3_soap12_unknown_action_falls_back_on_the_element(sb: SandboxHandle) -> None:
    body = envelope(binding=Binding.SOAP12)
    answer = soap(sb, body, f'{SOAP12_XML}; action="urn:nope"')
    assert (answer.status, answer.content_type, body_tag(answer)) == (200, SOAP12_XML, TEMPLATES)
    # ContentType.GetAction: any parameter whose name starts with "action", quotes trimmed.
    loose = soap(sb, raw_envelope("", ns=SOAP12_ENV), f"{SOAP12_XML}; actionX='{NS}GetTemplates'")
    assert fault(loose)[0] == "soap:Sender"
    assert fault(loose)[1] != ACTION_REQUIRED


def test_rule3_soap12_neither_action_nor_element(sb: SandboxHandle) -> None:
    nothing = raw_envelope(f'<Nope xmlns="{NS}"/>', ns=SOAP12_ENV)
    unknown = soap(sb, nothing, f'{SOAP12_XML}; action="urn:nope"')
    assert (unknown.status, unknown.content_type) == (500, SOAP12_XML)
    assert fault(unknown) == (
        "soap:Sender",
        "Unable to handle request. The action 'urn:nope' was not recognized.",
    )
    assert fault(soap(sb, nothing, SOAP12_XML)) == ("soap:Sender", ACTION_REQUIRED)


def test_rule1_application_soap_xml_ignores_the_soapaction_header(sb: SandboxHandle) -> None:
    body = envelope(binding=Binding.SOAP12)
    answer = soap(sb, body, f'{SOAP12_XML}; action="{NS}GetTemplates"', ACTION["Nope"])
    assert (answer.status, answer.content_type) == (200, SOAP12_XML)


# --- SOAP: refusals after routing -------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/json", "", "text/xml ; charset=utf-8"])
def test_rule5_content_type_is_checked_only_once_routed(
    sb: SandboxHandle, content_type: str
) -> None:
    routed = soap(sb, envelope(), content_type, ACTION["GetTemplates"])
    assert (routed.status, routed.content_type, routed.body) == (415, TEXT_XML, b"")
    assert routed.headers["content-length"] == "0"
    # Without SOAPAction the request was routed as SOAP 1.2: its Content-Type answers.
    by_element = soap(sb, envelope(), content_type)
    assert (by_element.status, by_element.content_type, by_element.body) == (415, SOAP12_XML, b"")
    # A routing failure comes first.
    unrouted = soap(sb, envelope(), content_type, ACTION["Nope"])
    assert unrouted.status == 500
    assert fault(unrouted)[0] == "soap:Client"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Root element is missing."),
        (b"not xml at all", "Data at the root level is invalid. Line 1, position 1."),
    ],
)
def test_rule4_5_malformed_xml(sb: SandboxHandle, body: bytes, message: str) -> None:
    routed = soap(sb, body, TEXT_XML, ACTION["GetTemplates"])
    assert (routed.status, routed.content_type, routed.body) == (400, TEXT_XML, b"")
    # Routing by element must read it: the router's failure, a SOAP 1.2 server fault.
    by_element = soap(sb, body)
    assert (by_element.status, by_element.content_type) == (500, SOAP12_XML)
    assert fault(by_element) == (
        "soap:Receiver",
        f"Server was unable to process request. ---> {message}",
    )


def test_rule6_the_envelope_decides_the_version(sb: SandboxHandle) -> None:
    soap12_as_text_xml = soap(sb, envelope(binding=Binding.SOAP12), TEXT_XML)
    assert soap12_as_text_xml.status == 200
    assert soap12_as_text_xml.content_type == SOAP12_XML
    assert etree.QName(soap12_as_text_xml.xml()).namespace == SOAP12_ENV
    # SOAP 1.1 must come as text/xml.
    soap11_as_soap12 = soap(sb, envelope(), f'{SOAP12_XML}; action="{NS}GetTemplates"')
    assert (soap11_as_soap12.status, soap11_as_soap12.content_type) == (415, TEXT_XML)
    assert soap11_as_soap12.body == b""


@pytest.mark.parametrize(
    ("content_type", "soapaction"),
    [(TEXT_XML, ACTION["GetTemplates"]), (SOAP12_XML, None), (TEXT_XML, None)],
)
def test_rule6_version_mismatch_fault_and_upgrade_header(
    sb: SandboxHandle, content_type: str, soapaction: str | None
) -> None:
    body = envelope().replace(SOAP11_ENV.encode(), WRONG_NS.encode())
    answer = soap(sb, body, content_type, soapaction)
    assert (answer.status, answer.content_type) == (500, TEXT_XML)
    root = answer.xml()
    assert root.tag == f"{{{SOAP11_ENV}}}Envelope"
    header, body_el = list(root)
    assert header.tag == f"{{{SOAP11_ENV}}}Header"
    (upgrade,) = list(header)
    assert upgrade.tag == f"{{{SOAP12_ENV}}}Upgrade"
    supported = list(upgrade)
    assert [s.tag for s in supported] == [f"{{{SOAP12_ENV}}}SupportedEnvelope"] * 2
    qnames = [s.get("qname") or "" for s in supported]
    assert qnames == ["soap:Envelope", "soap12:Envelope"]
    resolved = [s.nsmap[q.split(":")[0]] for s, q in zip(supported, qnames, strict=True)]
    assert resolved == [SOAP11_ENV, SOAP12_ENV]
    (fault_el,) = list(body_el)
    assert [c.tag for c in fault_el] == ["faultcode", "faultstring", "detail"]
    assert fault(answer) == (
        "soap:VersionMismatch",
        f"Possible SOAP version mismatch: Envelope namespace {WRONG_NS} was unexpected. "
        f"Expecting {SOAP11_ENV}.",
    )


def test_rule4_version_mismatch_overrides_a_routing_failure(sb: SandboxHandle) -> None:
    body = raw_envelope(f'<Nope xmlns="{NS}"/>', ns=WRONG_NS)
    assert fault(soap(sb, body))[0] == "soap:VersionMismatch"
    bare = soap(sb, f'<GetTemplates xmlns="{NS}"/>'.encode())
    assert fault(bare)[1].startswith(f"Possible SOAP version mismatch: Envelope namespace {NS} ")
    no_namespace = soap(sb, b"<Envelope><Body/></Envelope>")
    assert fault(no_namespace)[1] == (
        "Possible SOAP version mismatch: Envelope namespace  was unexpected. "
        f"Expecting {SOAP11_ENV}."
    )


def test_rule7_envelope_and_body_are_required(sb: SandboxHandle) -> None:
    unable = "Server was unable to read request. ---> Request format is invalid: "
    cases = {
        f'<s:Nope xmlns:s="{SOAP11_ENV}"/>': "Missing required soap:Envelope element.",
        f'<s:Envelope xmlns:s="{SOAP11_ENV}"/>': "Missing required soap:Body element.",
        f'<s:Envelope xmlns:s="{SOAP11_ENV}"><x/><s:Body/></s:Envelope>': (
            "Missing required soap:Body element."
        ),
    }
    for body, missing in cases.items():
        answer = soap(sb, body.encode(), soapaction=ACTION["GetTemplates"])
        assert (answer.status, answer.content_type) == (500, TEXT_XML)
        assert fault(answer) == ("soap:Client", unable + missing)
    # Routed by element, the router meets it first: a server fault.
    routed_by_element = soap(sb, f'<s:Envelope xmlns:s="{SOAP11_ENV}"/>'.encode())
    assert fault(routed_by_element) == (
        "soap:Server",
        "Server was unable to process request. ---> Request format is invalid: "
        "Missing required soap:Body element.",
    )


def test_rule8_missing_value_type_parameters_read_as_defaults() -> None:
    op = pixelz.OP_GET_TEMPLATES
    typed = replace(
        op,
        params=(
            replace(op.params[0], xsd="int", min_occurs=1),
            replace(op.params[1], xsd="boolean", min_occurs=1),
        ),
    )
    values = parse_soap_request(typed, etree.Element(typed.request_tag))
    assert values == {"contact_email": 0, "contact_api_key": False}


def test_rule8_an_empty_body_calls_the_routed_operation(sb: SandboxHandle) -> None:
    for content_type, ns in ((TEXT_XML, SOAP11_ENV), (SOAP12_XML, SOAP12_ENV)):
        action = ACTION["GetTemplates"] if ns == SOAP11_ENV else None
        if ns == SOAP12_ENV:
            content_type += f'; action="{NS}GetTemplates"'
        answer = soap(sb, raw_envelope("", ns=ns), content_type, action)
        # The operation's own refusal (no credentials), not a read error.
        assert answer.status == 500
        assert fault(answer)[1] == "Invalid contact credentials"


def test_rule9_must_understand_is_refused_after_the_call(sb: SandboxHandle) -> None:
    name = "Renamed Under A Header"
    body = build_envelope(
        pixelz.OP_EDIT_CONTACT, Binding.SOAP11, {**CREDENTIALS, "contact_name": name}
    )
    body = body.replace(
        b"<soap:Body>",
        b'<soap:Header><Auth xmlns="urn:x" soap:mustUnderstand="1"/></soap:Header><soap:Body>',
    )
    answer = soap(sb, body, soapaction=f'"{NS}EditContact"')
    assert (answer.status, answer.content_type) == (500, TEXT_XML)
    assert fault(answer) == ("soap:MustUnderstand", "SOAP header Auth was not understood.")
    (fault_el,) = answer.xml().find(f"{{{SOAP11_ENV}}}Body")  # type: ignore[misc]
    assert [c.tag for c in fault_el] == ["faultcode", "faultstring"], "no detail for a header"
    # The operation ran: the contact was renamed.
    details = send(
        sb,
        "GET",
        "/soap.asmx/GetContactDetailed?contactEmail=demo%40example.com&contactAPIkey=demo-key",
    )
    assert details.status == 200
    assert name.encode() in details.body


# --- HTTP GET / POST --------------------------------------------------------------------

QUERY = "contactEmail=demo%40example.com&contactAPIkey=demo-key"


def test_rule12_method_names_are_case_sensitive(sb: SandboxHandle) -> None:
    for method, path, body, headers in (
        ("GET", f"/soap.asmx/gettemplates?{QUERY}", b"", {}),
        (
            "POST",
            "/soap.asmx/gettemplates",
            QUERY.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
    ):
        answer = send(sb, method, path, body, headers)
        assert (answer.status, answer.content_type) == (500, PLAIN)
        assert answer.body == (
            b"Invalid method name &#39;gettemplates&#39;,  method names are case sensitive.   "
            b"The method name &#39;GetTemplates&#39; with the same name but different casing "
            b"was found.\nParameter name: methodName\n"
        )
    assert send(sb, "GET", f"/soap.asmx/GetTemplates?{QUERY}").status == 200


@pytest.mark.parametrize("name", ["Nope", "AddImageToQueue", "GetTemplates/x"])
def test_rule12_unknown_and_soap_only_methods(sb: SandboxHandle, name: str) -> None:
    answer = send(sb, "GET", f"/soap.asmx/{name}?{QUERY}")
    assert (answer.status, answer.content_type) == (500, PLAIN)
    assert answer.body == f"{name} Web Service method name is not valid.\n".encode()


@pytest.mark.parametrize(
    ("content_type", "shown"),
    [
        ("application/json", "application/json"),
        (None, ""),
        ("text/xml; charset=utf-8", "text/xml; charset=utf-8"),
    ],
)
def test_rule13_http_post_needs_a_form_body(
    sb: SandboxHandle, content_type: str | None, shown: str
) -> None:
    headers = {"Content-Type": content_type} if content_type is not None else {}
    answer = send(sb, "POST", "/soap.asmx/GetTemplates", QUERY.encode(), headers)
    assert (answer.status, answer.content_type) == (500, PLAIN)
    assert answer.body == f"Request format is invalid: {shown}.\n".encode()


def test_rule13_form_with_charset_and_get_with_any_content_type(sb: SandboxHandle) -> None:
    form = {"Content-Type": "Application/X-WWW-Form-Urlencoded; charset=utf-8"}
    assert send(sb, "POST", "/soap.asmx/GetTemplates", QUERY.encode(), form).status == 200
    as_json = send(
        sb, "GET", f"/soap.asmx/GetTemplates?{QUERY}", b"", {"Content-Type": "application/json"}
    )
    assert (as_json.status, as_json.content_type) == (200, TEXT_XML)


def test_rule14_parameters(sb: SandboxHandle) -> None:
    missing = send(sb, "GET", "/soap.asmx/GetTemplates?contactEmail=demo%40example.com")
    assert (missing.status, missing.body) == (500, b"Missing parameter: contactAPIkey.\n")
    any_case = send(
        sb, "GET", "/soap.asmx/GetTemplates?CONTACTEMAIL=demo%40example.com&contactapikey=demo-key"
    )
    assert any_case.status == 200
    # A repeated key reads as its values joined by ",": no such account.
    twice = send(sb, "GET", f"/soap.asmx/GetTemplates?{QUERY}&contactAPIkey=demo-key")
    assert twice.status == 500
    assert twice.content_type == PLAIN
    assert twice.body != missing.body


def test_http_conversion_failure_text() -> None:
    engine = HTTP_ENGINES[Binding.HTTP_GET]
    op = pixelz.OP_GET_TEMPLATES
    typed = replace(op, params=(replace(op.params[0], xsd="int"), *op.params[1:]))
    with pytest.raises(RequestError) as caught:
        engine.read_request(typed, [("contactEmail", "abc"), ("contactAPIkey", "k")])
    assert caught.value.text == (
        "Cannot convert abc to System.Int32.\nParameter name: type ---> "
        "Input string was not in a correct format."
    )


# --- methods and paths no protocol takes ------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "OPTIONS", "HEAD"])
def test_rule10_the_endpoint_takes_get_and_post_only(sb: SandboxHandle, method: str) -> None:
    answer = send(sb, method, "/soap.asmx?WSDL")
    assert (answer.status, answer.content_type) == (405, HTML)
    assert "allow" not in answer.headers
    if method != "HEAD":
        assert b"<title>Request format is unrecognized.</title>" in answer.body
        assert b"System.Web.HttpException: Request format is unrecognized." in answer.body
    else:
        assert answer.body == b""


@pytest.mark.parametrize(
    ("method", "path", "ending"),
    [
        ("PUT", "/soap.asmx/GetTemplates", "/GetTemplates"),
        ("DELETE", "/soap.asmx/Nope", "/Nope"),
        ("GET", "/soap.asmx/", "/"),
        ("POST", "/soap.asmx/", "/"),
        ("HEAD", "/soap.asmx/GetTemplates", "/GetTemplates"),
    ],
)
def test_rule11_no_http_protocol_takes_it(
    sb: SandboxHandle, method: str, path: str, ending: str
) -> None:
    answer = send(sb, method, path)
    assert (answer.status, answer.content_type) == (500, HTML)
    text = f"Request format is unrecognized for URL unexpectedly ending in &#39;{ending}&#39;."
    if method == "HEAD":
        assert answer.body == b""
    else:
        assert f"<title>{text}</title>".encode() in answer.body
        assert f"System.InvalidOperationException: {text}".encode() in answer.body


# --- what the client sees -----------------------------------------------------------------


def _session_with(content_type: str) -> requests.Session:
    session = requests.Session()
    original = session.request

    def request(method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs["headers"] = {**kwargs.get("headers", {}), "Content-Type": content_type}
        return original(method, url, **kwargs)

    session.request = request  # type: ignore[method-assign]
    return session


def test_client_errors_for_corrected_answers(sb: SandboxHandle) -> None:
    # HTTP POST with the wrong Content-Type: a 500 text error, a service fault.
    with pytest.raises(ServiceFault) as post:
        sb.pixelz_client(Binding.HTTP_POST, session=_session_with("text/plain")).get_templates()
    assert post.value.http_status == 500
    assert "Request format is invalid: text/plain." in str(post.value)
    # SOAP 1.2 with a SOAP 1.1 Content-Type is answered as SOAP 1.2 (rule 6): it works.
    with sb.pixelz_client(Binding.SOAP12, session=_session_with(TEXT_XML)) as client:
        assert client.get_templates() is not None
    # SOAP 1.1 as application/soap+xml: 415, an HTTP status error.
    with pytest.raises(HTTPStatusError) as status:
        sb.pixelz_client(Binding.SOAP11, session=_session_with(SOAP12_XML)).get_templates()
    assert status.value.http_status == 415


def test_client_sees_a_version_mismatch_as_a_protocol_fault(sb: SandboxHandle) -> None:
    session = requests.Session()
    original = session.request

    def slip(method: str, url: str, **kwargs: Any) -> requests.Response:
        data = kwargs.get("data")
        if isinstance(data, bytes):
            kwargs["data"] = data.replace(SOAP11_ENV.encode(), WRONG_NS.encode())
        return original(method, url, **kwargs)

    session.request = slip  # type: ignore[method-assign]
    with pytest.raises(ProtocolFault) as caught:
        sb.pixelz_client(Binding.SOAP11, session=session).get_templates()
    assert caught.value.code == "VersionMismatch"


# --- rules 4, 7 and 15 with exact answers: empty bodies, missing Body, oversized bodies -----

SOAP11_FAULT = (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
    'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><soap:Fault>'
    "<faultcode>soap:{code}</faultcode><faultstring>{text}</faultstring><detail />"
    "</soap:Fault></soap:Body></soap:Envelope>"
)
SOAP12_FAULT = (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
    'xmlns:soap="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><soap:Fault>'
    "<soap:Code><soap:Value>soap:{code}</soap:Value></soap:Code><soap:Reason>"
    '<soap:Text xml:lang="en">{text}</soap:Text></soap:Reason><soap:Detail />'
    "</soap:Fault></soap:Body></soap:Envelope>"
)
ACTION12 = f'{SOAP12_XML}; action="{NS}GetTemplates"'
UNABLE_TO_PROCESS = "Server was unable to process request. ---&gt; "
UNABLE_TO_READ = "Server was unable to read request. ---&gt; "
NO_BODY = "Request format is invalid: Missing required soap:Body element."
TOO_LARGE = (
    "There was an exception running the extensions specified in the config file. ---&gt; "
    "Maximum request length exceeded."
)
NULL_REFERENCE = "Object reference not set to an instance of an object."


def exact(answer: Answer) -> tuple[int, str, str]:
    return answer.status, answer.content_type, answer.body.decode("utf-8")


@pytest.mark.parametrize(
    ("content_type", "soapaction", "expected"),
    [
        # Routed by the headers: ReadParameters' XmlException, a Client fault: 400, no body.
        (TEXT_XML, ACTION["GetTemplates"], (400, TEXT_XML, "")),
        (ACTION12, None, (400, SOAP12_XML, "")),
        # Routed by element: GetRequestElement's XmlException leaves Initialize, and
        # SoapServerProtocol.WriteException makes it a Server fault (500).
        (
            None,
            None,
            (
                500,
                SOAP12_XML,
                SOAP12_FAULT.format(
                    code="Receiver", text=UNABLE_TO_PROCESS + "Root element is missing."
                ),
            ),
        ),
    ],
)
def test_rule4_5_an_empty_body(
    sb: SandboxHandle,
    content_type: str | None,
    soapaction: str | None,
    expected: tuple[int, str, str],
) -> None:
    assert exact(soap(sb, b"", content_type, soapaction)) == expected


@pytest.mark.parametrize(
    ("envelope_ns", "content_type", "soapaction", "expected"),
    [
        # Routed by the headers: ReadParameters' Client fault.
        (
            SOAP11_ENV,
            TEXT_XML,
            ACTION["GetTemplates"],
            SOAP11_FAULT.format(code="Client", text=UNABLE_TO_READ + NO_BODY),
        ),
        (
            SOAP12_ENV,
            ACTION12,
            None,
            SOAP12_FAULT.format(code="Sender", text=UNABLE_TO_READ + NO_BODY),
        ),
        # Routed by element: GetRequestElement's InvalidOperationException, a Server
        # fault in the envelope's version (Initialize's catch switches the helper).
        (
            SOAP11_ENV,
            TEXT_XML,
            None,
            SOAP11_FAULT.format(code="Server", text=UNABLE_TO_PROCESS + NO_BODY),
        ),
        (
            SOAP12_ENV,
            SOAP12_XML,
            None,
            SOAP12_FAULT.format(code="Receiver", text=UNABLE_TO_PROCESS + NO_BODY),
        ),
    ],
)
def test_rule4_7_an_envelope_without_body(
    sb: SandboxHandle,
    envelope_ns: str,
    content_type: str,
    soapaction: str | None,
    expected: str,
) -> None:
    body = f'<s:Envelope xmlns:s="{envelope_ns}"><s:Header/></s:Envelope>'.encode()
    answer_type = TEXT_XML if envelope_ns == SOAP11_ENV else SOAP12_XML
    assert exact(soap(sb, body, content_type, soapaction)) == (500, answer_type, expected)


BIG = b"<x>" + b"a" * (5 * 1024 * 1024) + b"</x>"


@pytest.mark.parametrize(
    ("content_type", "soapaction", "expected"),
    [
        # Routed by the headers: Initialize's extension exception, a Server fault in the
        # guessed version.
        (TEXT_XML, ACTION["GetTemplates"], SOAP11_FAULT.format(code="Server", text=TOO_LARGE)),
        (ACTION12, None, SOAP12_FAULT.format(code="Receiver", text=TOO_LARGE)),
        # A routing failure is answered first.
        (
            TEXT_XML,
            ACTION["Nope"],
            SOAP11_FAULT.format(
                code="Client",
                text=f"Server did not recognize the value of HTTP Header SOAPAction: {NS}Nope.",
            ),
        ),
        # Routing by element finds no request stream (it was never set).
        (
            TEXT_XML,
            None,
            SOAP12_FAULT.format(code="Receiver", text=UNABLE_TO_PROCESS + NULL_REFERENCE),
        ),
    ],
)
def test_rule15_soap_beyond_max_request_length(
    sb: SandboxHandle, content_type: str, soapaction: str | None, expected: str
) -> None:
    answer = soap(sb, BIG, content_type, soapaction)
    answer_type = SOAP12_XML if "soap:Receiver" in expected else TEXT_XML
    assert exact(answer) == (500, answer_type, expected)


def test_rule15_http_post_beyond_max_request_length(sb: SandboxHandle) -> None:
    big = b"contactEmail=" + b"a" * (5 * 1024 * 1024)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = send(sb, "POST", "/soap.asmx/GetTemplates", big, form)
    assert exact(answer) == (500, PLAIN, "Maximum request length exceeded.\n")
    # The Content-Type check comes first (HtmlFormParameterReader.Read).
    wrong = send(sb, "POST", "/soap.asmx/GetTemplates", big, {"Content-Type": "text/plain"})
    assert exact(wrong) == (500, PLAIN, "Request format is invalid: text/plain.\n")
    # HTTP GET never reads the body.
    query = "contactEmail=demo%40example.com&contactAPIkey=demo-key"
    got = send(sb, "GET", f"/soap.asmx/GetTemplates?{query}", big, form)
    assert (got.status, got.content_type) == (200, TEXT_XML)


PAY_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Payment (sandbox)</title>'
    "</head><body><h1>Invoice INV-2012-0001</h1>"
    "<p>This is the sandbox: nothing is charged.</p>"
    '<p><a href="http://shop.test/back">Return to the shop</a></p></body></html>'
)
TOO_MANY_KEYS = (
    "The maximum number of form, query string, or posted file items has already been read "
    "from the request. To change the maximum allowed request collection count from its "
    "current value of 1000, change the &quot;aspnet:MaxHttpCollectionKeys&quot; setting. "
    "See http://go.microsoft.com/fwlink/?LinkId=238386 for more information."
)


@pytest.mark.parametrize(
    "others",
    [
        [f"utm_{i}=x" for i in range(20)],  # 21 parameters in all
        [f"p{i}=x" for i in range(999)],  # 1000 keys: ASP.NET's limit, reached not passed
        ["same=x"] * 3000,  # one key, any number of values
        ["", "novalue", "=x"],  # empty pairs and null names
    ],
)
def test_payment_page_reads_the_query_as_aspnet_does(sb: SandboxHandle, others: list[str]) -> None:
    query = "&".join(["returnUrl=http%3a%2f%2fshop.test%2fback", *others])
    answer = send(sb, "GET", f"/pay/INV-2012-0001?{query}")
    assert exact(answer) == (200, HTML, PAY_PAGE)


def test_payment_page_beyond_max_http_collection_keys(sb: SandboxHandle) -> None:
    # HttpValueCollection.ThrowIfMaxHttpCollectionKeysExceeded: the 1001st distinct key
    # is an InvalidOperationException, ASP.NET's error page (never the catch-all).
    query = "&".join(f"p{i}=x" for i in range(1001))
    answer = send(sb, "GET", f"/pay/INV-2012-0001?{query}")
    assert (answer.status, answer.content_type) == (500, HTML)
    page = answer.body.decode("utf-8")
    assert f"<title>{TOO_MANY_KEYS}</title>" in page
    assert f"System.InvalidOperationException: {TOO_MANY_KEYS}<br>" in page
    assert "Server was unable to process request" not in page

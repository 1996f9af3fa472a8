"""The sandbox on the wire: WSDL, content types, faults, every failure mode of an ASMX service."""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from removethebackground import (
    AuthenticationError,
    Binding,
    HTTPStatusError,
    InvalidArgumentFault,
    InvalidParameterError,
    NotFoundError,
    ProtocolFault,
    ServerFault,
)
from removethebackground.core.client import build_envelope
from removethebackground.core.codec import SOAP11_ENV, SOAP12_ENV
from removethebackground.generated import legacy, pixelz
from removethebackground.sandbox.operations import HANDLERS
from removethebackground.testing.sandbox import run_sandbox
from support.envelopes import fault_of

if TYPE_CHECKING:
    from collections.abc import Iterator

    from removethebackground.testing.sandbox import SandboxHandle


NS = "http://removethebackground.com/"
SOAP11 = "text/xml; charset=utf-8"
SOAP12 = "application/soap+xml; charset=utf-8"
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
CREDENTIALS = {"contact_email": "demo@example.com", "contact_api_key": "demo-key"}
ROOT = Path(__file__).resolve().parents[2]


def soap_body(op: Any, binding: Binding, **values: Any) -> bytes:
    return build_envelope(op, binding, {**CREDENTIALS, **values})


def post_soap(
    sb: SandboxHandle,
    body: bytes,
    *,
    content_type: str = SOAP11,
    action: str | None = None,
    path: str = "/soap.asmx",
) -> requests.Response:
    headers = {"Content-Type": content_type}
    if action is not None:
        headers["SOAPAction"] = action
    return requests.post(sb.url + path, data=body, headers=headers, timeout=10)


# --- WSDL -------------------------------------------------------------------------------


def vendored(service: Any) -> bytes:
    resource = importlib.resources.files("removethebackground.generated").joinpath(
        service.wsdl_resource
    )
    return resource.read_bytes()


@pytest.mark.parametrize("query", ["WSDL", "wsdl", "Wsdl", "wsdl=", "foo=1&WSDL"])
def test_wsdl_is_served_with_rewritten_addresses(sandbox: SandboxHandle, query: str) -> None:
    response = requests.get(f"{sandbox.pixelz_endpoint}?{query}", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert response.headers["Content-Length"] == str(len(response.content))
    locations = re.findall(rb'<(?:soap|soap12|http):address location="([^"]*)"', response.content)
    assert locations == [sandbox.pixelz_endpoint.encode()] * 4
    expected = vendored(pixelz.SERVICE).replace(
        b"https://api.pixelz.com/soap.asmx", sandbox.pixelz_endpoint.encode()
    )
    assert response.content == expected


def test_wsdl_addresses_follow_the_host_header(sandbox: SandboxHandle) -> None:
    response = requests.get(
        f"{sandbox.legacy_endpoint}?wsdl", headers={"Host": "sandbox.test:1234"}, timeout=10
    )
    assert response.status_code == 200
    locations = set(re.findall(rb'address location="([^"]*)"', response.content))
    assert locations == {b"http://sandbox.test:1234/legacy/soap.asmx"}
    assert b"api.removethebackground.com" not in response.content
    assert b"getImageStatus" in response.content


def test_wsdl_ignores_a_hostile_host_header(sandbox: SandboxHandle) -> None:
    response = requests.get(
        f"{sandbox.pixelz_endpoint}?WSDL", headers={"Host": 'x"/><evil a="'}, timeout=10
    )
    assert response.status_code == 200
    assert b"evil" not in response.content
    etree.fromstring(response.content)  # still well-formed


def _zeep_client(url: str, port_name: str) -> Any:
    zeep = pytest.importorskip("zeep")
    from zeep.transports import Transport

    encoding = (ROOT / "codegen" / "schemas" / "soap-encoding.xsd").read_bytes()

    class OfflineTransport(Transport):  # type: ignore[misc]
        def load(self, url: str) -> bytes:
            if url.rstrip("/") == "http://schemas.xmlsoap.org/soap/encoding":
                return encoding
            data: bytes = super().load(url)
            return data

    client = zeep.Client(url, transport=OfflineTransport())
    return client.bind("soap", port_name)


@pytest.mark.parametrize("port_name", ["soapSoap", "soapSoap12"])
def test_zeep_loads_the_served_wsdl_and_calls_the_sandbox(
    sandbox: SandboxHandle, port_name: str
) -> None:
    if not (ROOT / "codegen" / "schemas" / "soap-encoding.xsd").is_file():
        pytest.skip("codegen/schemas not available")
    service = _zeep_client(f"{sandbox.pixelz_endpoint}?WSDL", port_name)
    result = service.GetTemplates(contactEmail="demo@example.com", contactAPIkey="demo-key")
    # zeep unwraps single-child results: GetTemplatesResult -> Templates (ArrayOfTemplate).
    names = [t.TemplateName for t in result.Template]
    assert names == ["Demo White Background", "Web Shop (square)"]
    legacy_service = _zeep_client(f"{sandbox.legacy_endpoint}?WSDL", port_name)
    ticket = sandbox.seed_image(status=80)
    status = legacy_service.getImageStatus(
        ContactEmail="demo@example.com", ContactAPIkey="demo-key", ImageTicket=ticket
    )
    status = getattr(status, "imageStatus", status)
    assert (status.statusName, status.statusId) == ("Completed", 4)


def test_service_page_without_wsdl_query(sandbox: SandboxHandle) -> None:
    response = requests.get(sandbox.pixelz_endpoint, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"GetImagesList" in response.content


# --- answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("binding", "content_type"), [(Binding.SOAP11, SOAP11), (Binding.SOAP12, SOAP12)]
)
def test_soap_answers_are_one_line_with_declared_prefixes(
    sandbox: SandboxHandle, binding: Binding, content_type: str
) -> None:
    env = SOAP11_ENV if binding is Binding.SOAP11 else SOAP12_ENV
    response = post_soap(
        sandbox, soap_body(pixelz.OP_GET_TEMPLATES, binding), content_type=content_type
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Length"] == str(len(response.content))
    assert response.content.startswith(
        DECLARATION
        + f'<soap:Envelope xmlns:soap="{env}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-'
        'instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>'
        f'<GetTemplatesResponse xmlns="{NS}">'.encode()
    )
    assert b"\n" not in response.content
    assert b"<ColorAdjustmentSetting />" in response.content


def test_http_answers_are_indented_bare_results(sandbox: SandboxHandle) -> None:
    response = requests.get(
        f"{sandbox.pixelz_endpoint}/GetContactDetailed",
        params={"contactEmail": "demo@example.com", "contactAPIkey": "demo-key"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    lines = response.content.split(b"\n")
    assert lines[0] == DECLARATION
    assert lines[1] == (
        b'<ContactDetailedResponse xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xmlns="http://removethebackground.com/">'
    )
    assert lines[2] == b"  <Contact>"
    assert lines[3] == b"    <ContactPerson>Demo User</ContactPerson>"
    assert b'    <ContactAccountBalance Currency="USD" />' in lines


def test_missing_soapaction_is_tolerated(sandbox: SandboxHandle) -> None:
    response = post_soap(sandbox, soap_body(pixelz.OP_GET_TEMPLATES, Binding.SOAP11))
    assert response.status_code == 200
    # An empty one is not missing: SOAP 1.1 routes on it, and no operation has it.
    response = post_soap(sandbox, soap_body(pixelz.OP_GET_TEMPLATES, Binding.SOAP11), action='""')
    assert fault_of(response) == (
        "soap:Client",
        "Server did not recognize the value of HTTP Header SOAPAction: .",
    )


def test_http_parameter_names_are_case_insensitive(sandbox: SandboxHandle) -> None:
    response = requests.post(
        f"{sandbox.pixelz_endpoint}/GetTemplates",
        data={"CONTACTEMAIL": "demo@example.com", "contactapikey": "demo-key"},
        timeout=10,
    )
    assert response.status_code == 200
    assert b"<TemplatesResponse" in response.content


# --- faults and refusals ----------------------------------------------------------------


def test_wrong_content_type_is_415_with_an_empty_body(sandbox: SandboxHandle) -> None:
    body = soap_body(pixelz.OP_GET_TEMPLATES, Binding.SOAP11)
    for content_type in ("application/json", "application/x-www-form-urlencoded", ""):
        response = post_soap(sandbox, body, content_type=content_type)
        assert response.status_code == 415
        assert response.content == b""
        assert response.headers["Content-Length"] == "0"
    form = requests.post(
        f"{sandbox.pixelz_endpoint}/GetTemplates",
        data=b"contactEmail=x",
        headers={"Content-Type": "text/xml"},
        timeout=10,
    )
    # HTTP POST never answers 415: its form reader refuses the request as a 500 text.
    assert form.status_code == 500
    assert form.content == b"Request format is invalid: text/xml.\n"


def test_client_sees_415_as_http_status_error(sandbox: SandboxHandle) -> None:
    session = requests.Session()

    def wrong_type(method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs["headers"] = {**kwargs.get("headers", {}), "Content-Type": "text/plain"}
        return requests.Session.request(session, method, url, **kwargs)

    session.request = wrong_type  # type: ignore[method-assign]
    with pytest.raises(HTTPStatusError) as caught:
        sandbox.pixelz_client(session=session).get_templates()
    assert caught.value.http_status == 415


@pytest.mark.parametrize(
    "body",
    [
        b"<soap:Envelope",
        b"not xml at all",
        b"",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
    ],
)
def test_malformed_xml_is_400_with_an_empty_body(sandbox: SandboxHandle, body: bytes) -> None:
    # Routed by its SOAPAction, the request is read only after routing: 400.
    action = '"http://removethebackground.com/GetTemplates"'
    response = post_soap(sandbox, body, action=action)
    assert response.status_code == 400
    assert response.content == b""
    assert response.headers["Content-Type"] == SOAP11


@pytest.mark.parametrize("content_type", [SOAP11, SOAP12])
def test_unknown_envelope_namespace_is_a_soap11_version_mismatch(
    sandbox: SandboxHandle, content_type: str
) -> None:
    body = soap_body(pixelz.OP_GET_TEMPLATES, Binding.SOAP11).replace(
        SOAP11_ENV.encode(), b"http://schemas.xmlsoap.org/soap12/envelope/"
    )
    response = post_soap(sandbox, body, content_type=content_type)
    assert response.status_code == 500
    assert response.headers["Content-Type"] == SOAP11
    code, text = fault_of(response)
    assert code == "soap:VersionMismatch"
    assert text.startswith(
        "Possible SOAP version mismatch: Envelope namespace "
        "http://schemas.xmlsoap.org/soap12/envelope/ was unexpected."
    )


def test_client_raises_protocol_fault_for_version_mismatch(sandbox: SandboxHandle) -> None:
    session = requests.Session()
    original = session.request

    def slip(method: str, url: str, **kwargs: Any) -> requests.Response:
        data = kwargs.get("data")
        if isinstance(data, bytes):
            kwargs["data"] = data.replace(
                SOAP12_ENV.encode(), b"http://schemas.xmlsoap.org/soap12/envelope/"
            )
        return original(method, url, **kwargs)

    session.request = slip  # type: ignore[method-assign]
    with pytest.raises(ProtocolFault) as caught:
        sandbox.pixelz_client(Binding.SOAP12, session=session).get_templates()
    assert caught.value.code == "VersionMismatch"


def test_unknown_soapaction_is_a_client_fault(sandbox: SandboxHandle) -> None:
    body = soap_body(pixelz.OP_GET_TEMPLATES, Binding.SOAP11)
    unknown = post_soap(sandbox, body, action='"http://removethebackground.com/Nope"')
    assert fault_of(unknown) == (
        "soap:Client",
        "Server did not recognize the value of HTTP Header SOAPAction: "
        "http://removethebackground.com/Nope.",
    )
    # SOAP 1.2: an unknown action falls back on the body element.
    soap12 = post_soap(
        sandbox,
        soap_body(pixelz.OP_GET_TEMPLATES, Binding.SOAP12),
        content_type=f'{SOAP12}; action="http://removethebackground.com/Nope"',
    )
    assert soap12.status_code == 200
    assert soap12.headers["Content-Type"] == SOAP12


def test_unknown_body_element_without_action(sandbox: SandboxHandle) -> None:
    body = soap_body(pixelz.OP_GET_TEMPLATES, Binding.SOAP11).replace(b"GetTemplates", b"Nope")
    code, text = fault_of(post_soap(sandbox, body))
    assert code == "soap:Client"
    assert "without a valid action parameter" in text
    # A generation 2 operation is unknown to the generation 1 endpoint.
    other = post_soap(
        sandbox, soap_body(pixelz.OP_GET_TEMPLATES, Binding.SOAP11), path="/legacy/soap.asmx"
    )
    assert fault_of(other)[0] == "soap:Client"


def test_must_understand_header_is_refused(sandbox: SandboxHandle) -> None:
    body = soap_body(pixelz.OP_GET_TEMPLATES, Binding.SOAP11).replace(
        b"<soap:Body>",
        b'<soap:Header><Auth xmlns="urn:x" soap:mustUnderstand="1"/></soap:Header><soap:Body>',
    )
    code, text = fault_of(post_soap(sandbox, body))
    assert (code, text) == ("soap:MustUnderstand", "SOAP header Auth was not understood.")
    ignorable = body.replace(b' soap:mustUnderstand="1"', b"")
    assert post_soap(sandbox, ignorable).status_code == 200


def test_request_that_does_not_fit_the_schema_is_a_client_fault(sandbox: SandboxHandle) -> None:
    body = soap_body(
        pixelz.OP_ADD_IMAGE_TO_QUEUE,
        Binding.SOAP11,
        template_id="1001",
        image_url="http://example.com/a.jpg",
        colorway_ids=[1],
    ).replace(b"<int>1</int>", b"<int>one</int>")
    code, text = fault_of(post_soap(sandbox, body))
    assert code == "soap:Client"
    assert text.startswith("Server was unable to read request. ---> There is an error in XML")
    assert "is not a valid xsd:int" in text


def test_empty_body_and_non_envelope_root(sandbox: SandboxHandle) -> None:
    empty = f'<soap:Envelope xmlns:soap="{SOAP11_ENV}"><soap:Body/></soap:Envelope>'.encode()
    assert fault_of(post_soap(sandbox, empty)) == (
        "soap:Client",
        "Unable to handle request without a valid action parameter. "
        "Please supply a valid soap action.",
    )
    # The root's namespace is read as the envelope's: an unknown one is a version mismatch.
    bare = b'<GetTemplates xmlns="http://removethebackground.com/"/>'
    code, text = fault_of(post_soap(sandbox, bare))
    assert code == "soap:VersionMismatch"
    assert "Envelope namespace http://removethebackground.com/ was unexpected" in text


@pytest.mark.parametrize(
    "binding", [Binding.SOAP11, Binding.SOAP12, Binding.HTTP_GET, Binding.HTTP_POST]
)
def test_fault_classes_through_the_client(sandbox: SandboxHandle, binding: Binding) -> None:
    client = sandbox.pixelz_client(binding)
    with pytest.raises(AuthenticationError):
        sandbox.pixelz_client(binding, api_key="wrong").get_templates()
    with pytest.raises(NotFoundError):
        client.get_image_status(image_ticket=str(__import__("uuid").uuid4()))
    with pytest.raises(NotFoundError):
        client.get_template_spec(template_id="999")
    with pytest.raises(InvalidArgumentFault) as caught:
        client.white_glove_service(image_url="")
    assert caught.value.message == "imageURL is required"
    simulated = "Simulated unhandled server error for productId 'server-error'"
    # the plain-text errors of HTTP GET/POST carry no fault code (traffic 30), and are a
    # ServerFault all the same when no client rule matches
    with pytest.raises(ServerFault) as server:
        client.white_glove_service(image_url="http://example.com/a.jpg", product_id="server-error")
    assert server.value.inner_message == simulated
    assert server.value.code == ("Server" if binding.is_soap else None)
    if not binding.is_soap:
        assert server.value.message == simulated


def test_http_get_missing_parameter(sandbox: SandboxHandle) -> None:
    response = requests.get(
        f"{sandbox.pixelz_endpoint}/GetImageStatus",
        params={"contactEmail": "demo@example.com", "contactAPIkey": "demo-key"},
        timeout=10,
    )
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"Missing parameter: imageTicket.\n"
    posted = requests.post(
        f"{sandbox.legacy_endpoint}/getImageStatus",
        data={"ContactEmail": "demo@example.com", "ContactAPIkey": "demo-key"},
        timeout=10,
    )
    assert posted.content == b"Missing parameter: ImageTicket.\n"


def test_http_absent_array_parameter_fails_like_asp_net(sandbox: SandboxHandle) -> None:
    """No pair for an array parameter: ASP.NET's reader fails on the null value list."""
    from removethebackground.core.client import form_pairs

    op = pixelz.OP_ADD_STACK_IMAGE_TO_QUEUE
    values = {
        "contact_email": "demo@example.com",
        "contact_api_key": "demo-key",
        "template_id": "1001",
        "image_url": "http://example.com/a.jpg",
        "colorway_ids": [1],
    }
    pairs = [(k, v) for k, v in form_pairs(op, values) if k != "colorwayIds"]
    response = requests.get(
        f"{sandbox.pixelz_endpoint}/AddStackImageToQueue", params=pairs, timeout=10
    )
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"Object reference not set to an instance of an object.\n"
    with_array = requests.get(
        f"{sandbox.pixelz_endpoint}/AddStackImageToQueue",
        params=[*pairs, ("colorwayIds", "1")],
        timeout=10,
    )
    assert with_array.status_code == 200


@pytest.mark.parametrize("binding", [Binding.HTTP_GET, Binding.HTTP_POST])
@pytest.mark.parametrize("colorway_ids", [None, []])
def test_client_refuses_an_unsendable_array_before_sending(
    sandbox: SandboxHandle, binding: Binding, colorway_ids: list[int] | None
) -> None:
    with sandbox.pixelz_client(binding) as client:
        with pytest.raises(InvalidParameterError) as info:
            client.add_stack_image_to_queue(
                template_id="1001",
                image_url="http://example.com/a.jpg",
                colorway_ids=colorway_ids,
            )
    assert info.value.parameter == "colorway_ids"
    assert "SOAP" in str(info.value)
    assert sandbox.store.integrity_check() == "ok"
    with sandbox.pixelz_client(Binding.SOAP11) as client:
        listed = client.get_images_list().images or []
    assert listed == [], "nothing may reach the service"


def test_http_unknown_operation_and_soap_only_operation(sandbox: SandboxHandle) -> None:
    for name in ("AddImageToQueue", "Nope"):
        response = requests.get(f"{sandbox.pixelz_endpoint}/{name}", timeout=10)
        assert response.status_code == 500
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content == f"{name} Web Service method name is not valid.\n".encode()


def test_http_errors_are_html_encoded(sandbox: SandboxHandle) -> None:
    response = requests.get(
        f"{sandbox.pixelz_endpoint}/GetImageStatus",
        params={
            "contactEmail": "demo@example.com",
            "contactAPIkey": "demo-key",
            "imageTicket": "<b>'x'&",
            "customerImageId": "",
        },
        timeout=10,
    )
    assert response.status_code == 500
    assert response.content == (
        b"imageTicket is not a valid GUID: &#39;&lt;b&gt;&#39;x&#39;&amp;&#39;\n"
    )


def test_unexpected_errors_become_server_faults(
    sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any) -> Any:
        raise KeyError("database on fire")

    tables = {**HANDLERS, "pixelz": {**HANDLERS["pixelz"], "GetTemplates": boom}}
    monkeypatch.setattr(sandbox.app.service, "tables", tables)
    response = post_soap(
        sandbox, soap_body(pixelz.OP_GET_TEMPLATES, Binding.SOAP12), content_type=SOAP12
    )
    assert response.status_code == 500
    assert fault_of(response) == (
        "soap:Receiver",
        "Server was unable to process request. ---> 'database on fire'",
    )
    http = requests.get(
        f"{sandbox.pixelz_endpoint}/GetTemplates",
        params={"contactEmail": "demo@example.com", "contactAPIkey": "demo-key"},
        timeout=10,
    )
    assert http.status_code == 500
    assert http.content == b"&#39;database on fire&#39;\n"
    assert b"Traceback" not in response.content + http.content


def test_large_request_is_the_asmx_fault(sandbox: SandboxHandle) -> None:
    action = f'"{pixelz.OP_GET_TEMPLATES.soap_actions[Binding.SOAP11]}"'
    response = post_soap(sandbox, b"<x>" + b"a" * (5 * 1024 * 1024) + b"</x>", action=action)
    assert response.status_code == 500
    assert response.headers["Content-Type"] == SOAP11
    assert fault_of(response) == (
        "soap:Server",
        "There was an exception running the extensions specified in the config file. "
        "---> Maximum request length exceeded.",
    )


def test_other_paths_and_methods(sandbox: SandboxHandle) -> None:
    missing = requests.get(f"{sandbox.url}/nothing/here", timeout=10)
    assert missing.status_code == 404
    assert missing.headers["Content-Length"] == str(len(missing.content))
    put = requests.put(sandbox.pixelz_endpoint, data=b"x", timeout=10)
    assert put.status_code == 405
    queued_by_head = requests.head(
        f"{sandbox.pixelz_endpoint}/WhiteGloveService?contactEmail=demo%40example.com", timeout=10
    )
    # No HTTP protocol takes HEAD: ASP.NET's 500 error page, and nothing is queued.
    assert queued_by_head.status_code == 500
    assert queued_by_head.headers["Content-Type"] == "text/html; charset=utf-8"
    assert queued_by_head.content == b""
    head = requests.head(f"{sandbox.pixelz_endpoint}?WSDL", timeout=10)
    assert head.status_code == 405
    index = requests.get(sandbox.url + "/", timeout=10)
    assert b"/legacy/soap.asmx" in index.content
    assert requests.get(f"{sandbox.url}/out/not-a-ticket.png", timeout=10).status_code == 404
    pdf = requests.get(f"{sandbox.url}/invoices/INV-2012-0001.pdf", timeout=10)
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    pay = requests.get(
        f"{sandbox.url}/pay/INV-2012-0001", params={"returnUrl": "http://x.test/"}, timeout=10
    )
    assert b"http://x.test/" in pay.content


# --- garbage never gets a traceback page ------------------------------------------------


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        yield handle


def _assert_orderly(response: requests.Response) -> None:
    assert response.status_code in (200, 201, 400, 404, 405, 413, 415, 500)
    assert response.headers["Content-Length"] == str(len(response.content))
    lowered = response.content.lower()
    assert b"traceback" not in lowered
    assert b"<html" not in lowered
    content_type = response.headers.get("Content-Type", "")
    if response.status_code == 500:
        assert content_type in (SOAP11, SOAP12, "text/plain; charset=utf-8")
        if content_type != "text/plain; charset=utf-8":
            assert fault_of(response)[0].startswith("soap:")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")),
        st.sampled_from([b"<a>", b"<soap:Envelope/>", b"\x00\xff", b"<?xml?>"]),
        st.builds(
            lambda inner: (
                f'<soap:Envelope xmlns:soap="{SOAP11_ENV}"><soap:Body>'
                f'<GetImageStatus xmlns="{NS}">{inner}</GetImageStatus>'
                "</soap:Body></soap:Envelope>"
            ).encode("utf-8", "surrogatepass"),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80),
        ),
    ),
    content_type=st.sampled_from([SOAP11, SOAP12, "text/xml", "application/soap+xml; action=x"]),
    action=st.one_of(
        st.none(),
        # Printable header values: anything else is refused by requests before sending.
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40),
        st.text(st.characters(min_codepoint=0xC0, max_codepoint=0xFF), min_size=1, max_size=5),
    ),
)
def test_garbage_never_gets_a_traceback(
    shared_sandbox: SandboxHandle, body: bytes, content_type: str, action: str | None
) -> None:
    headers = {"Content-Type": content_type}
    if action is not None:
        headers["SOAPAction"] = action
    response = requests.post(shared_sandbox.pixelz_endpoint, data=body, headers=headers, timeout=10)
    _assert_orderly(response)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(["GetImageStatus", "GetImagesList", "AddTemplate", "x", "getImageStatus"]),
    query=st.lists(st.tuples(st.text(max_size=20), st.text(max_size=40)), max_size=15),
    post=st.booleans(),
)
def test_garbage_http_parameters_never_get_a_traceback(
    shared_sandbox: SandboxHandle, name: str, query: list[tuple[str, str]], post: bool
) -> None:
    params = [("contactEmail", "demo@example.com"), ("contactAPIkey", "demo-key"), *query]
    path = "/legacy/soap.asmx" if name == "getImageStatus" else "/soap.asmx"
    url = f"{shared_sandbox.url}{path}/{name}"
    if post:
        response = requests.post(url, data=params, timeout=10)
    else:
        response = requests.get(url, params=params, timeout=10)
    _assert_orderly(response)
    if response.status_code == 500:
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_legacy_endpoint_path_is_case_insensitive(sandbox: SandboxHandle) -> None:
    ticket = sandbox.seed_image(status=10, held=True)
    response = post_soap(
        sandbox,
        soap_body(legacy.OP_GET_IMAGE_STATUS, Binding.SOAP12, image_ticket=ticket),
        content_type=SOAP12,
        path="/LEGACY/Soap.asmx",
    )
    assert response.status_code == 200
    assert (
        b"<statusName>Queued</statusName><statusId>1</statusId><finalImageURL />"
        in response.content
    )

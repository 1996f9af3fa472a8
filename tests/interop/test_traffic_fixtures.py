"""The recorded ASMX traffic as fixtures, replayed through the real client.

Every ``NN-name.request.http`` / ``NN-name.response.http`` pair of
``shared/reference/asmx-traffic/{legacy,pixelz}`` becomes one test. The request file
says which operation, binding and parameters were used (SOAPAction or the ``action``
of the Content-Type or the body element; the URL path; the body or the query). We call
the matching typed method with those parameters through a replay adapter that answers
with the recorded bytes, and check both directions:

- what the client sent is equivalent to the recorded request: same method and path, same
  SOAPAction / ``action``, an XML-equivalent envelope (or the same form pairs in the same
  order), ``Content-Length`` on every body and no chunked encoding;
- a 200 answer parses into the operation's result dataclass with the values of the
  recorded XML (read here with lxml, independently of ``removethebackground.core.codec``);
- a 500 answer raises the exception class the fault calls for, keeping its code, text,
  HTTP status, operation and binding.

The recorded requests send empty elements (``<imageURL2></imageURL2>``) and empty pairs
(``imageURL2=``) for parameters without a value; we pass ``""`` for those, and leave out
the parameters the recording leaves out.
"""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from lxml import etree

from removethebackground.core.errors import (
    AuthenticationError,
    ClientFault,
    InvalidArgumentFault,
    InvalidParameterError,
    NotFoundError,
    ServerFault,
    ServiceFault,
)
from removethebackground.core.wire import Binding, Operation
from removethebackground.generated import legacy, pixelz
from support.envelopes import ENVELOPE_NS, SOAP11_ENV, SOAP12_ENV
from support.paths import REFERENCE, HttpMessage, read_http_message, traffic_pairs
from support.replay import ReplayAdapter, Reply, session_with
from support.unchecked import call_unchecked
from support.wirevalues import form_values, read_wire_value
from support.xmltree import assert_xml_equivalent, parse_xml

pytestmark = pytest.mark.skipif(
    REFERENCE is None,
    reason="the recorded ASMX traffic (shared/reference/asmx-traffic) is not available: "
    "expected next to the repository clone or at /work/shared/reference",
)

SERVICES = {"legacy": legacy.SERVICE, "pixelz": pixelz.SERVICE}
CLIENTS = {"legacy": legacy.RemoveTheBackgroundClient, "pixelz": pixelz.PixelzClient}
PAIRS = [
    pytest.param(folder, req, resp, id=f"{folder}/{req.name[:-13]}")
    for folder, req, resp in traffic_pairs()
]

# The exception each recorded fault calls for, and its normalised code.
FAULTS: dict[str, tuple[type[ServiceFault], str | None]] = {
    "13-soap11-client-fault-credentials": (AuthenticationError, "Client"),
    "14-soap11-client-fault-bad-guid": (InvalidArgumentFault, "Client"),
    "15-soap12-sender-fault-credentials": (AuthenticationError, "Client"),
    "17-soap11-server-fault": (ServerFault, "Server"),
    "18-soap12-receiver-fault": (ServerFault, "Server"),
    "28-httpget-client-fault": (AuthenticationError, None),
    # A text/plain 500 carries no code: a text no client rule knows is a ServerFault, as the
    # same failure is over SOAP (17, 18); the code stays None.
    "30-httpget-server-fault": (ServerFault, None),
    "029-soap11-fault-invalid-credentials": (AuthenticationError, "Client"),
    "032-soap11-fault-imageURL-missing": (InvalidArgumentFault, "Client"),
    "034-soap11-fault-imageTicket-not-a-guid": (InvalidArgumentFault, "Client"),
    "035-soap11-fault-image-not-found": (NotFoundError, "Client"),
    "044-soap11-server-fault-productId-server-error": (ServerFault, "Server"),
    "049-soap12-sender-fault-invalid-credentials": (AuthenticationError, "Client"),
    "051-soap12-receiver-fault-productId-server-error": (ServerFault, "Server"),
    "062-httpget-fault-invalid-credentials": (AuthenticationError, None),
}
SERVER_PREFIX = "Server was unable to process request. --->"


@dataclass
class Recorded:
    """What a request file says was called."""

    op: Operation[Any]
    binding: Binding
    email: str
    api_key: str
    kwargs: dict[str, Any]
    endpoint: str
    action: str | None


def media_type(value: str | None) -> tuple[str, dict[str, str]]:
    parts = [p.strip() for p in (value or "").split(";")]
    params = {}
    for part in parts[1:]:
        key, _, val = part.partition("=")
        params[key.strip().lower()] = val.strip().strip('"')
    return parts[0].lower(), params


def understand(folder: str, request: HttpMessage) -> Recorded:
    service = SERVICES[folder]
    method, target, _ = request.start_line.split(" ")
    path = urlsplit(target).path
    endpoint = f"http://{request.header('Host')}/soap.asmx"
    ctype, params = media_type(request.header("Content-Type"))
    action: str | None = None
    if method == "POST" and path == "/soap.asmx":
        binding = Binding.SOAP11 if ctype == "text/xml" else Binding.SOAP12
        action = (request.header("SOAPAction") or "").strip('"') or params.get("action")
        root = parse_xml(request.body)
        assert root.tag == f"{{{ENVELOPE_NS[binding]}}}Envelope"
        body = root.find(f"{{{ENVELOPE_NS[binding]}}}Body")
        assert body is not None
        element = body[0]
        op = service.operations[etree.QName(element).localname]
        assert element.tag == op.request_tag
        if action is not None:
            assert action == f"{op.namespace}{op.name}", "SOAPAction and body disagree"
        by_tag = {f.tag: f for f in op.params}
        values = {by_tag[c.tag].attr: read_wire_value(by_tag[c.tag], c) for c in element}
    else:
        binding = Binding.HTTP_GET if method == "GET" else Binding.HTTP_POST
        op = service.operations[path.rsplit("/", 1)[1]]
        query = urlsplit(target).query if method == "GET" else request.body.decode("ascii")
        pairs = parse_qsl(query, keep_blank_values=True)
        values = form_values(pairs, op.http_params, {f.attr: f for f in op.params})
    by_name = {f.name: f.attr for f in op.params}
    email = values.pop(by_name[op.credential_params[0]])
    api_key = values.pop(by_name[op.credential_params[1]])
    return Recorded(op, binding, email, api_key, values, endpoint, action)


def replay(folder: str, request_path: Path, response_path: Path) -> tuple[Any, Recorded, Any]:
    """Call the recorded operation; returns (result or exception, what was recorded, adapter)."""
    recorded = understand(folder, read_http_message(request_path))
    adapter = ReplayAdapter(Reply.from_message(read_http_message(response_path)))
    client = CLIENTS[folder](
        recorded.email,
        recorded.api_key,
        binding=recorded.binding,
        endpoint=recorded.endpoint,
        session=session_with(adapter),
    )
    try:
        try:
            outcome: Any = getattr(client, recorded.op.python_name)(**recorded.kwargs)
        except InvalidParameterError:
            # The overlay refuses this value before sending (see the test below); the
            # recorded peer sent it anyway, so replay it without the client's checks.
            assert adapter.sent == []
            outcome = call_unchecked(client, recorded.op.python_name, **recorded.kwargs)
    except ServiceFault as exc:
        outcome = exc
    assert len(adapter.sent) == 1
    return outcome, recorded, adapter


def test_the_client_refuses_before_sending_only_what_the_service_refused() -> None:
    """Every recorded request passes the overlay's checks, except those the recorded
    service answered with a client fault about the very parameter the client names."""
    refused = {}
    for folder, request_path, response_path in traffic_pairs():
        recorded = understand(folder, read_http_message(request_path))
        adapter = ReplayAdapter(Reply.from_message(read_http_message(response_path)))
        client = CLIENTS[folder](
            recorded.email,
            recorded.api_key,
            binding=recorded.binding,
            endpoint=recorded.endpoint,
            session=session_with(adapter),
        )
        try:
            getattr(client, recorded.op.python_name)(**recorded.kwargs)
        except InvalidParameterError as exc:
            assert adapter.sent == []
            refused[f"{folder}/{request_path.name[:-13]}"] = (exc, response_path)
        except ServiceFault:
            pass
    assert sorted(refused) == [
        "legacy/14-soap11-client-fault-bad-guid",
        "pixelz/034-soap11-fault-imageTicket-not-a-guid",
    ]
    for exc, response_path in refused.values():
        answer = read_http_message(response_path)
        assert answer.status == 500 and b"soap:Client" in answer.body
        fault_text = answer.body.split(b"<faultstring>")[1].split(b"</faultstring>")[0].decode()
        assert exc.parameter == "image_ticket" and "'not-a-guid'" in str(exc)
        assert fault_text.endswith("is not a valid GUID: 'not-a-guid'")
        assert "is not a valid GUID" in str(exc)


def test_all_recorded_exchanges_are_here() -> None:
    names = {p.id for p in PAIRS}
    assert len(names) >= 60
    for folder, _req, resp in traffic_pairs():
        assert resp.exists(), f"{resp.name} is missing"
        if read_http_message(resp).status != 200:
            assert resp.name[:-14] in FAULTS, f"{folder}/{resp.name}: no expected exception"
    covered = {
        understand(folder, read_http_message(req)).op.name for folder, req, _ in traffic_pairs()
    }
    assert covered == set(legacy.SERVICE.operations) | set(pixelz.SERVICE.operations)


@pytest.mark.parametrize(("folder", "request_path", "response_path"), PAIRS)
def test_the_request_we_send_is_the_recorded_one(
    folder: str, request_path: Path, response_path: Path
) -> None:
    _, recorded, adapter = replay(folder, request_path, response_path)
    expected = read_http_message(request_path)
    sent = adapter.last
    method, target, _ = expected.start_line.split(" ")
    assert sent.method == method
    assert urlsplit(sent.url).path == urlsplit(target).path
    assert "Transfer-Encoding" not in sent.headers
    body = sent.body if isinstance(sent.body, bytes) else (sent.body or "").encode()
    if method == "POST":
        assert sent.headers["Content-Length"] == str(len(body))
    ours_type, ours_params = media_type(sent.headers.get("Content-Type"))
    theirs_type, theirs_params = media_type(expected.header("Content-Type"))
    if recorded.binding is Binding.SOAP11:
        assert sent.headers["SOAPAction"] == expected.header("SOAPAction")
        assert (ours_type, ours_params) == (theirs_type, theirs_params)
        assert_xml_equivalent(body, expected.body)
    elif recorded.binding is Binding.SOAP12:
        assert "SOAPAction" not in sent.headers
        assert ours_type == theirs_type == "application/soap+xml"
        assert ours_params["charset"] == theirs_params["charset"] == "utf-8"
        # 09-...-no-action-param sends no action; we always send the operation's one.
        assert ours_params["action"] == theirs_params.get(
            "action", recorded.op.soap_actions[recorded.binding]
        )
        assert_xml_equivalent(body, expected.body)
    elif recorded.binding is Binding.HTTP_GET:
        assert not body
        assert parse_qsl(urlsplit(sent.url).query, keep_blank_values=True) == parse_qsl(
            urlsplit(target).query, keep_blank_values=True
        )
    else:
        assert ours_type == theirs_type == "application/x-www-form-urlencoded"
        assert parse_qsl(body.decode("ascii"), keep_blank_values=True) == parse_qsl(
            expected.body.decode("ascii"), keep_blank_values=True
        )


def recorded_result(recorded: Recorded, response: HttpMessage) -> Any:
    """The recorded answer's result, read with lxml only."""
    root = parse_xml(response.body)
    op = recorded.op
    if recorded.binding.is_soap:
        env = SOAP11_ENV if recorded.binding is Binding.SOAP11 else SOAP12_ENV
        element = root.find(f"{{{env}}}Body/{op.response_tag}/{op.result.tag}")
    else:
        assert root.tag == op.http_result_tag
        element = root
    assert element is not None
    return read_wire_value(op.result, element)


@pytest.mark.parametrize(("folder", "request_path", "response_path"), PAIRS)
def test_the_recorded_answer_reads_as_it_should(
    folder: str, request_path: Path, response_path: Path
) -> None:
    outcome, recorded, _ = replay(folder, request_path, response_path)
    response = read_http_message(response_path)
    op, binding = recorded.op, recorded.binding
    if response.status == 200:
        assert not isinstance(outcome, BaseException), outcome
        assert type(outcome) is op.result_model
        assert outcome == recorded_result(recorded, response)
        return

    cls, code = FAULTS[response_path.name[:-14]]
    assert isinstance(outcome, cls), f"{type(outcome).__name__} is not a {cls.__name__}"
    if cls is ServiceFault:
        assert not isinstance(outcome, ClientFault)
    assert (outcome.code, outcome.http_status) == (code, 500)
    assert (outcome.operation, outcome.binding) == (op.name, binding.value)
    if binding.is_soap:
        root = parse_xml(response.body)
        env = SOAP11_ENV if binding is Binding.SOAP11 else SOAP12_ENV
        fault = root.find(f"{{{env}}}Body/{{{env}}}Fault")
        assert fault is not None
        text = fault.findtext("faultstring") or fault.findtext(f"{{{env}}}Reason/{{{env}}}Text")
    else:
        assert (response.header("Content-Type") or "").startswith("text/plain")
        text = html.unescape(response.body.decode("utf-8")).strip()
    assert outcome.text == text
    assert outcome.detail is None  # every recording has an empty <detail />
    if text.startswith(SERVER_PREFIX):
        assert isinstance(outcome, ServerFault)
        assert outcome.inner_message == text[len(SERVER_PREFIX) :].strip()
        assert outcome.message == text
    else:
        assert outcome.message == text
    assert recorded.api_key not in str(outcome)


# --- spot checks of particular recordings, values written out by hand ------------------


def outcome_of(name: str) -> Any:
    for folder, req, resp in traffic_pairs():
        if req.name.startswith(name + "-") or req.name == f"{name}.request.http":
            return replay(folder, req, resp)[0]
    raise AssertionError(f"no recording {name}")


def test_legacy_completed_and_queued() -> None:
    done = outcome_of("06").image_status
    assert done == legacy.ImageStatus(
        image_ticket=uuid.UUID("11111111-1111-1111-1111-111111111111"),
        status_name="Completed",
        status_id=4,
        final_image_url="http://127.0.0.1:8099/out/11111111-1111-1111-1111-111111111111.png",
    )
    queued = outcome_of("07").image_status
    assert (queued.status_name, queued.status_id, queued.final_image_url) == ("Queued", 1, "")
    assert outcome_of("10") == outcome_of("12") == outcome_of("06")  # GET, POST, SOAP 1.1
    assert outcome_of("09") == outcome_of("07")  # SOAP 1.2 without action


def test_empty_elements_are_empty_values_and_absent_ones_none() -> None:
    new = outcome_of("006").image_status
    assert new.thumbnail_image_url == "" and new.final_images_url == []
    assert (new.status_id, new.status_name, new.is_paid) == (10, "New", False)
    omitted = outcome_of("022").image_status
    assert omitted.customer_image_id is None and omitted.product_id is None
    assert omitted.final_images_url == [
        "http://127.0.0.1:8110/out/b5179931-28c1-4abb-982c-732ab534b21e.png"
    ]
    assert outcome_of("018") == pixelz.InvoiceListResponse(invoices=[])
    assert outcome_of("025") == pixelz.ImagesListResponse(images=[])
    assert outcome_of("015") == outcome_of("070") == pixelz.EmptyResponse()


def test_templates_money_and_lists() -> None:
    templates = outcome_of("012").templates
    assert [t.template_id for t in templates] == [1001, 1002]
    assert templates[1].prices == [pixelz.Money(currency="USD")]
    assert templates[1].color_adjustment_setting == ""
    spec = outcome_of("013").template
    assert spec.price == pixelz.Money(currency="USD")
    assert (spec.resize_width, spec.margin_top, spec.is_kept_model) == (1000, 5, True)
    contact = outcome_of("016").contact
    assert contact.contact_person == "Dana Demo"
    assert contact.contact_account_balance == pixelz.Money(currency="USD")
    assert [(p.product_id, p.done_count, p.todo_count) for p in outcome_of("072").product_ids] == [
        ("prod-1", 1, 3),
        ("prod-2", 1, 0),
        ("prod-3", 0, 1),
    ]
    invoice = outcome_of("017").invoices[0]
    assert invoice.payment_url.endswith("?returnUrl=http%3a%2f%2f127.0.0.1%3a9%2fback")
    assert outcome_of("011") == pixelz.TemplateIdResponse(template_id=1002)
    assert outcome_of("058").image_ticket == uuid.UUID("7e34fe68-8575-4a55-90a3-774437abccfb")


def test_server_faults_keep_the_inner_message() -> None:
    fault = outcome_of("044")
    assert isinstance(fault, ServerFault)
    assert fault.inner_message == "Simulated unhandled server error for productId 'server-error'"
    assert "AddImageToQueue over soap11" in str(fault)
    fault12 = outcome_of("051")
    assert isinstance(fault12, ServerFault) and fault12.code == "Server"
    assert fault12.inner_message == fault.inner_message

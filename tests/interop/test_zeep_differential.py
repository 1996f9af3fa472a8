"""Differential tests: our lxml runtime against zeep, on every operation of both WSDLs.

zeep reads the same WSDL the generated modules were built from (offline, with codegen's
transport). For every operation we check that

- the wire facts agree with what zeep read (operations, SOAPActions, element order,
  HTTP locations) and the typed methods take exactly the operation's parameters;
- the SOAP 1.1 and SOAP 1.2 request envelopes that ``build_envelope`` writes are the
  same XML trees as zeep's ``create_message`` for the same inputs (hypothesis inputs);
- a response built from a hypothesis instance of the result dataclass reads back, through
  the real client, as that instance, and zeep's ``process_reply`` reads the same values;
- SOAP faults give the same text and code as zeep's ``Fault``.

Where zeep and we legitimately differ, the difference is pinned by a ``test_zeep_*``
characterisation test below and normalised in exactly one place:

1. Requests: a ``None`` item of a nillable array of a *complex* type (``ColorChangeRequest``,
   ``MarkerInfo``). We write ``<ColorChangeRequest xsi:nil="true"/>``, which ASMX's
   XmlSerializer reads as a null entry, keeping the array's length. zeep cannot express it:
   a plain ``None`` item is dropped, and ``xsd.Nil`` puts the ``xsi:nil`` on the item's first
   child instead. We keep our form (it is what the schema says) and, for the comparison
   only, drop those nil items from our tree and pass zeep a plain ``None``.
   A ``None`` item of ``ArrayOfString`` is passed to zeep as ``xsd.Nil``: both write
   ``<string xsi:nil="true"/>``, no normalisation needed. Empty arrays are passed to zeep
   as ``{"string": []}``: both write the empty wrapper ``<x/>`` (an empty array for ASMX).
2. Responses, all zeep losing information that ASMX keeps, so our reading is the faithful one:
   an empty string element (``<ThumbnailImageURL />``, which ASMX sends for "") reads as
   ``None`` in zeep; an empty element of a complex type (``<Prices />``: an empty array;
   ``<ContactAccountBalance />`` or the array item ``<Price />``: an object without
   attributes) reads as ``None`` in zeep; and a nil item of an array of a complex type
   (``<Template xsi:nil="true"/>``) reads in zeep as an object whose every field is None,
   which we map back to ``None`` (a real item always has its required fields).
   The expected zeep values are derived from the instance with exactly these rules.
3. zeep returns the result element's single child when the result type has exactly one
   child element and no attributes (``ImageTicketResponse`` -> the ticket string), and
   ``None`` for an empty ``EmptyResponse``; guids are ``str`` in zeep, ``uuid.UUID`` here.
"""

from __future__ import annotations

import inspect
import types
import uuid
from typing import Any

import pytest
import zeep.exceptions
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree
from zeep import xsd

from removethebackground.core.client import build_envelope
from removethebackground.core.codec import parse_model, to_element
from removethebackground.core.errors import ServiceFault
from removethebackground.core.wire import UNSET, Binding, Field, Operation, Service, WireModel
from removethebackground.generated import legacy, pixelz
from support.envelopes import ENVELOPE_NS, SOAP_CONTENT_TYPES, XSI_NIL, soap_fault, soap_response
from support.paths import REFERENCE, read_http_message, traffic_pairs
from support.replay import ReplayAdapter, Reply, session_with
from support.strategies import TEXT, instance_of, params_of
from support.wirevalues import iter_fields
from support.xmltree import assert_xml_equivalent, parse_xml
from support.zeepclient import zeep_client

SERVICES: dict[str, Service] = {"legacy": legacy.SERVICE, "pixelz": pixelz.SERVICE}
CLIENTS = {"legacy": legacy.RemoveTheBackgroundClient, "pixelz": pixelz.PixelzClient}
PORTS = {Binding.SOAP11: "soapSoap", Binding.SOAP12: "soapSoap12"}
HTTP_PORTS = {Binding.HTTP_GET: "soapHttpGet", Binding.HTTP_POST: "soapHttpPost"}
OPERATIONS = [
    pytest.param(key, op, id=f"{key}-{op.name}")
    for key, service in SERVICES.items()
    for op in service.operations.values()
]
SOAP_BINDINGS = pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12], ids=str)
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def zeep_binding(key: str, port: str) -> Any:
    client = zeep_client(SERVICES[key])
    return client, client.bind("soap", port)


# --- our values as zeep inputs, zeep outputs as plain values ---------------------------


def zeep_input(f: Field, value: Any) -> Any:
    if value is None and f.nillable:
        return xsd.Nil
    if f.item is not None:
        item = f.item
        kept = [v for v in value if not (v is None and item.model is not None)]  # difference 1
        return {item.name: [zeep_input(item, v) for v in kept]}
    if f.model is not None:
        return {
            g.name: zeep_input(g, getattr(value, g.attr))
            for g in f.model.__wire__.fields
            if getattr(value, g.attr) is not None and getattr(value, g.attr) is not UNSET
        }
    return str(value) if f.xsd == "guid" else value


def zeep_kwargs(op: Operation[Any], values: dict[str, Any]) -> dict[str, Any]:
    return {
        f.name: zeep_input(f, values[f.attr])
        for f in op.params
        if values[f.attr] is not UNSET and not (values[f.attr] is None and not f.nillable)
    }


def complex_nil_item_tags(op: Operation[Any]) -> set[str]:
    return {
        f.item.tag
        for f in iter_fields(op.params)
        if f.item is not None and f.item.model is not None and f.item.nillable
    }


def drop_complex_nil_items(root: etree._Element, tags: set[str]) -> etree._Element:
    """Normalisation 1, and nothing else: remove our nil items of complex arrays."""
    for el in list(root.iter(*tags)) if tags else []:
        if el.get(XSI_NIL) == "true":
            parent = el.getparent()
            assert parent is not None
            parent.remove(el)
    return root


def renders_empty(value: WireModel) -> bool:
    return all(getattr(value, g.attr) in (None, UNSET) for g in value.__wire__.fields)


def zeep_expected(f: Field, value: Any) -> Any:
    """What zeep reads for ``value`` written as field ``f`` (differences 2)."""
    if value is None or value is UNSET:
        return None
    if f.item is not None:
        if not value:
            return None  # <Images/>: zeep None, ours []
        return [zeep_expected(f.item, v) for v in value]
    if f.model is not None:
        if renders_empty(value):
            return None  # <ContactAccountBalance/>, <Price/>: zeep None, ours Money(currency=None)
        return {g.attr: zeep_expected(g, getattr(value, g.attr)) for g in f.model.__wire__.fields}
    if f.xsd == "string" and value == "" and not f.attribute:
        return None  # <ThumbnailImageURL/>: zeep None, ours ""
    return value


def from_zeep(f: Field, value: Any, *, item: bool = False) -> Any:
    """A zeep value of field ``f`` as plain Python (models as dicts by attribute name)."""
    if value is None:
        return None
    if f.item is not None:
        return [from_zeep(f.item, v, item=True) for v in value[f.item.name]]
    if f.model is not None:
        fields = f.model.__wire__.fields
        if item and all(value[g.name] is None for g in fields):
            return None  # zeep's reading of <Template xsi:nil="true"/>
        return {g.attr: from_zeep(g, value[g.name]) for g in fields}
    if f.xsd == "guid":
        return uuid.UUID(value)
    return value


def zeep_reply(body: bytes, binding: Binding, status: int = 200) -> Any:
    return types.SimpleNamespace(
        status_code=status,
        content=body,
        headers={"Content-Type": SOAP_CONTENT_TYPES[binding]},
        encoding="utf-8",
    )


def unwrap(op: Operation[Any]) -> Field | None:
    """The field zeep returns instead of the result, when it unwraps (difference 3)."""
    fields = op.result_model.__wire__.fields
    elements = [f for f in fields if not f.attribute]
    if len(elements) == 1 and len(fields) == 1:
        return elements[0]
    return None


# --- the wire facts against zeep's reading of the WSDL ----------------------------------


@pytest.mark.parametrize("key", SERVICES)
def test_operations_and_bindings_are_the_ones_zeep_reads(key: str) -> None:
    service = SERVICES[key]
    client = zeep_client(service)
    ports = {
        port.name: set(port.binding._operations)
        for svc in client.wsdl.services.values()
        for port in svc.ports.values()
    }
    assert set(service.operations) == ports["soapSoap"] == ports["soapSoap12"]
    for binding, port in HTTP_PORTS.items():
        offered = {name for name, op in service.operations.items() if binding in op.bindings}
        assert offered == ports.get(port, set()), binding
    assert set(service.default_endpoints) == {
        b for b, p in {**PORTS, **HTTP_PORTS}.items() if p in ports
    }


@pytest.mark.parametrize(("key", "op"), OPERATIONS)
def test_operation_facts_match_zeep(key: str, op: Operation[Any]) -> None:
    for binding, port in PORTS.items():
        _, service = zeep_binding(key, port)
        zop = service._binding._operations[op.name]
        assert op.soap_actions[binding] == zop.soapaction
        assert op.request_tag == str(zop.input.body.qname)
        assert op.response_tag == str(zop.output.body.qname)
        assert [f.name for f in op.params] == [n for n, _ in zop.input.body.type.elements]
        ((result_name, result_el),) = zop.output.body.type.elements
        assert (op.result.name, op.result.tag) == (result_name, str(result_el.qname))
    for binding, port in HTTP_PORTS.items():
        if binding not in op.bindings:
            continue
        _, service = zeep_binding(key, port)
        zop = service._binding._operations[op.name]
        assert op.http_location == zop.location
        assert [p.name for p in op.http_params] == [n for n, _ in zop.input.body.type.elements]
        assert op.http_result_tag == str(zop.output.body.qname)


@pytest.mark.parametrize(("key", "op"), OPERATIONS)
def test_typed_method_takes_exactly_the_operation_parameters(key: str, op: Operation[Any]) -> None:
    method = getattr(CLIENTS[key], op.python_name)
    names = [n for n, p in inspect.signature(method).parameters.items() if p.kind is p.KEYWORD_ONLY]
    credentials = set(op.credential_params)
    assert names == [f.attr for f in op.params if f.name not in credentials]


# --- requests -------------------------------------------------------------------------


@SOAP_BINDINGS
@pytest.mark.parametrize(("key", "op"), OPERATIONS)
@EXAMPLES
@given(data=st.data())
def test_request_envelope_matches_zeep(
    key: str, op: Operation[Any], binding: Binding, data: st.DataObject
) -> None:
    values = data.draw(params_of(op), label="values")
    client, service = zeep_binding(key, PORTS[binding])
    theirs = etree.tostring(client.create_message(service, op.name, **zeep_kwargs(op, values)))
    ours_bytes = build_envelope(op, binding, values)
    ours = drop_complex_nil_items(parse_xml(ours_bytes), complex_nil_item_tags(op))
    assert ours.tag == f"{{{ENVELOPE_NS[binding]}}}Envelope"
    assert_xml_equivalent(ours, parse_xml(theirs))


def test_we_write_nil_items_of_complex_arrays() -> None:
    """The other half of difference 1: our form, as the schema (nillable="true") says."""
    values = {
        "color_change_requests": [
            None,
            pixelz.ColorChangeRequest(color_change_request_markers=[None, pixelz.MarkerInfo()]),
        ]
    }
    root = parse_xml(build_envelope(pixelz.OP_ADD_IMAGE_TO_QUEUE, Binding.SOAP11, values))
    ns = pixelz.NS
    first, second = root.iter(f"{{{ns}}}ColorChangeRequest")
    assert first.get(XSI_NIL) == "true" and len(first) == 0
    assert second.get(XSI_NIL) is None
    nil_marker, empty_marker = second.iter(f"{{{ns}}}MarkerInfo")
    assert nil_marker.get(XSI_NIL) == "true" and len(nil_marker) == 0
    assert empty_marker.get(XSI_NIL) is None and len(empty_marker) == 0


def test_zeep_cannot_write_nil_items_of_complex_arrays() -> None:
    """Pins zeep's behaviour behind normalisation 1 (if zeep changes, revisit it)."""
    client, service = zeep_binding("pixelz", "soapSoap")
    dropped = client.create_message(
        service, "AddImageToQueue", colorChangeRequests={"ColorChangeRequest": [None, {}]}
    )
    items = dropped.findall(f".//{{{pixelz.NS}}}ColorChangeRequest")
    assert len(items) == 1 and items[0].get(XSI_NIL) is None
    misplaced = client.create_message(
        service, "AddImageToQueue", colorChangeRequests={"ColorChangeRequest": [xsd.Nil]}
    )
    (item,) = misplaced.findall(f".//{{{pixelz.NS}}}ColorChangeRequest")
    assert item.get(XSI_NIL) is None
    assert item[0].get(XSI_NIL) == "true"  # on colorChangeRequestMarkers, not on the item


# --- responses ------------------------------------------------------------------------


@SOAP_BINDINGS
@pytest.mark.parametrize(("key", "op"), OPERATIONS)
@EXAMPLES
@given(data=st.data())
def test_response_parsing_matches_zeep(
    key: str, op: Operation[Any], binding: Binding, data: st.DataObject
) -> None:
    instance = data.draw(instance_of(op.result_model), label="result")
    payload = etree.Element(op.response_tag, nsmap={None: op.namespace})  # type: ignore[dict-item]
    payload.append(to_element(instance, op.result.tag))
    body = soap_response(binding, payload)

    adapter = ReplayAdapter(Reply.soap(binding, body))
    ours = getattr(
        CLIENTS[key](
            "demo@example.com", "demo-key", binding=binding, session=session_with(adapter)
        ),
        op.python_name,
    )()
    assert type(ours) is op.result_model
    assert ours == instance

    client, service = zeep_binding(key, PORTS[binding])
    zbinding = service._binding
    theirs = zbinding.process_reply(client, zbinding.get(op.name), zeep_reply(body, binding))
    inner = unwrap(op)
    if inner is not None:
        assert from_zeep(inner, theirs) == zeep_expected(inner, getattr(instance, inner.attr))
    elif not op.result_model.__wire__.fields:
        assert theirs is None  # zeep's reading of <XResult />
    else:
        assert from_zeep(op.result, theirs) == zeep_expected(op.result, instance)


def _zeep_reads(op: Operation[Any], inner_xml: str) -> Any:
    client, service = zeep_binding("pixelz", "soapSoap")
    body = (
        f'<soap:Envelope xmlns:soap="{ENVELOPE_NS[Binding.SOAP11]}" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body>'
        f'<{op.response_element} xmlns="{op.namespace}"><{op.result.name}>{inner_xml}'
        f"</{op.result.name}></{op.response_element}></soap:Body></soap:Envelope>"
    ).encode()
    zbinding = service._binding
    return zbinding.process_reply(client, zbinding.get(op.name), zeep_reply(body, Binding.SOAP11))


def test_zeep_reads_empty_elements_as_none() -> None:
    """Pins zeep's behaviour behind the response rules of difference 2."""
    status = _zeep_reads(
        pixelz.OP_GET_IMAGE_STATUS,
        "<ImageStatus><ImageTicket>9a4e4e16-8e77-4e8c-b579-79fba86611e3</ImageTicket>"
        "<StatusName /><StatusId>1</StatusId><IsPaid>true</IsPaid>"
        "<FinalImagesURL><string /></FinalImagesURL></ImageStatus>",
    )
    assert status["StatusName"] is None and status["FinalImagesURL"]["string"] == [None]
    assert _zeep_reads(pixelz.OP_GET_IMAGES_LIST, "<Images />") is None
    contact = _zeep_reads(
        pixelz.OP_GET_CONTACT_DETAILED,
        "<Contact><ContactDaysOfCredit>1</ContactDaysOfCredit><ContactAccountBalance />"
        "<NumberOfTrialImages>2</NumberOfTrialImages></Contact>",
    )
    assert contact["ContactAccountBalance"] is None
    template = (
        "<Template><TemplateId>1</TemplateId><ContactId>2</ContactId>"
        '<Prices><Price /><Price xsi:nil="true" /></Prices><IsCombinedImages>true'
        "</IsCombinedImages><TemplateLabelId>0</TemplateLabelId><IsRecreateDetail>false"
        "</IsRecreateDetail><ColorAdjustment>false</ColorAdjustment><ColorMatching>false"
        "</ColorMatching><DeliveryTimeInHours>1</DeliveryTimeInHours></Template>"
    )
    empty_price, nil_price = _zeep_reads(
        pixelz.OP_GET_TEMPLATES, f"<Templates>{template}</Templates>"
    )["Template"][0]["Prices"]["Price"]
    assert empty_price is None
    assert nil_price is not None and nil_price["Currency"] is None
    templates = _zeep_reads(
        pixelz.OP_GET_TEMPLATES, '<Templates><Template xsi:nil="true"/></Templates>'
    )
    (nil_template,) = templates["Template"]
    assert nil_template is not None
    assert all(nil_template[name] is None for name in nil_template)


def test_we_read_empty_elements_as_asmx_means_them() -> None:
    """The other half of difference 2, on the recorded shape of an ASMX answer."""
    el = parse_xml(
        f'<r xmlns="{pixelz.NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<Contact><ContactDaysOfCredit>1</ContactDaysOfCredit><ContactAccountBalance />"
        "<NumberOfTrialImages>2</NumberOfTrialImages></Contact></r>".encode()
    )
    contact = parse_model(el, pixelz.ContactDetailedResponse).contact
    assert contact is not None and contact.contact_account_balance == pixelz.Money(currency=None)
    assert contact.contact_person is None  # absent: null reference


# --- faults ---------------------------------------------------------------------------


def _both_read_fault(body: bytes, binding: Binding, key: str = "pixelz") -> tuple[Any, Any]:
    op = SERVICES[key].operations["GetTemplates" if key == "pixelz" else "getImageStatus"]
    client, service = zeep_binding(key, PORTS[binding])
    zbinding = service._binding
    with pytest.raises(zeep.exceptions.Fault) as theirs:
        zbinding.process_reply(client, zbinding.get(op.name), zeep_reply(body, binding, 500))
    adapter = ReplayAdapter(Reply.soap(binding, body, status=500))
    api = CLIENTS[key](
        "demo@example.com", "Zq9-key-Yw7", binding=binding, session=session_with(adapter)
    )
    with pytest.raises(ServiceFault) as ours:
        getattr(api, op.python_name)()
    return ours.value, theirs.value


CODES = {"Sender": "Client", "Receiver": "Server"}


@SOAP_BINDINGS
@settings(max_examples=40, deadline=None)
@given(
    text=TEXT.filter(lambda t: t.strip() and "Zq9-key-Yw7" not in t),
    code=st.sampled_from(["Client", "Server", "VersionMismatch", "MustUnderstand"]),
)
def test_fault_text_and_code_match_zeep(binding: Binding, text: str, code: str) -> None:
    if binding is Binding.SOAP12:
        code = {"Client": "Sender", "Server": "Receiver"}.get(code, code)
    escaped = etree.Element("x")
    escaped.text = text
    markup = etree.tostring(escaped, encoding="unicode")[3:-4]
    assume(markup)
    ours, theirs = _both_read_fault(soap_fault(binding, code, markup), binding)
    assert ours.text == theirs.message == text
    assert ours.code == CODES.get(theirs.code.rpartition(":")[2], theirs.code.rpartition(":")[2])
    assert ours.http_status == 500


@pytest.mark.skipif(REFERENCE is None, reason="recorded ASMX traffic not available")
def test_recorded_soap_faults_read_as_zeep_reads_them() -> None:
    checked = 0
    for folder, _, response_path in traffic_pairs():
        response = read_http_message(response_path)
        ctype = (response.header("Content-Type") or "").split(";")[0]
        if response.status != 500 or ctype not in ("text/xml", "application/soap+xml"):
            continue
        binding = Binding.SOAP11 if ctype == "text/xml" else Binding.SOAP12
        ours, theirs = _both_read_fault(response.body, binding, folder)
        assert ours.text == theirs.message, response_path.name
        assert ours.code == CODES.get(theirs.code.split(":")[-1], theirs.code.split(":")[-1])
        checked += 1
    assert checked >= 10

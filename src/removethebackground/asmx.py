"""The service side of the ASMX wire protocol: binding detection, request parsing, answers.

Used by the sandbox (:mod:`removethebackground.sandbox`) and the stubber
(:mod:`removethebackground.testing.stub`).

Everything here is driven by the generated wire facts (``Operation.params``,
``Operation.result``, ``http_params``, ``http_result_element``, ``soap_actions``
and each result type's ``TypeSpec``) through :mod:`removethebackground.codec`, the
same code the client uses to write requests and read answers. No operation has
hand-written XML: a change to a WSDL (after ``make codegen``) changes the client
and the sandbox together.

Recorded (``asmx-traffic/``) and reproduced byte for byte:

- SOAP answers: one line, ``<?xml version="1.0" encoding="utf-8"?>`` then the
  envelope declaring ``soap``, ``xsi`` and ``xsd`` in that order; empty elements as
  ``<X />``; the Content-Type of the request's SOAP version.
- HTTP GET/POST answers: the bare result element (``http_result_element``)
  declaring ``xsd``, ``xsi`` and the default namespace, indented by two spaces.
- Faults: HTTP 500; SOAP 1.1 ``faultcode``/``faultstring``/``<detail />``;
  SOAP 1.2 ``Code/Value``, ``Reason/Text xml:lang="en"``, ``<soap:Detail />``.
- HTTP GET/POST errors: 500 ``text/plain; charset=utf-8``, the message
  HTML-encoded (``'`` as ``&#39;``) and followed by a newline.

Reconstructed (the traffic does not show them; these are the texts ASP.NET uses):

- an envelope in an unknown namespace: a SOAP 1.1 ``VersionMismatch`` fault,
  "Possible SOAP version mismatch: Envelope namespace X was unexpected. Expecting Y.";
- a SOAPAction no operation has: "Server did not recognize the value of HTTP Header
  SOAPAction: X."; one naming an operation other than the body's element: "The
  SOAPAction X does not match the request element Y." (both ``soap:Client``);
- no SOAPAction and an unknown body element: "Unable to handle request without a
  valid action parameter. Please supply a valid soap action.";
- a header block with ``mustUnderstand`` set: a ``MustUnderstand`` fault;
- a request element that does not fit the schema (``<int>abc</int>``):
  "Server was unable to read request. ---> There is an error in XML document: ...";
- HTTP GET/POST without one of the operation's scalar parameters: "Missing
  parameter: name."; without an array parameter (which has no pair when empty):
  "Object reference not set to an instance of an object.", as ASP.NET's HTTP
  parameter reader fails there;
- an operation the HTTP bindings do not offer (AddImageToQueue) or do not know:
  "Request format is unrecognized for URL unexpectedly ending in '/Name'.".
"""

from __future__ import annotations

import enum
import importlib.resources
import threading
from collections.abc import Iterable, Mapping, Sequence
from email.message import Message
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from .codec import (
    SOAP11_ENV,
    SOAP12_ENV,
    XSD_NS,
    XSI_NS,
    build_children,
    parse_children,
    parse_scalar,
    safe_fromstring,
    xml_char,
)
from .errors import MalformedResponseError
from .wire import Binding, Field, Operation, Service, WireModel

__all__ = [
    "HTTP_CONTENT_TYPE",
    "PLAIN_CONTENT_TYPE",
    "SOAP_CONTENT_TYPES",
    "EmptyAnswer",
    "FaultCode",
    "RequestError",
    "html_encode",
    "parse_http_request",
    "parse_soap_request",
    "read_envelope",
    "render_http_result",
    "render_soap_fault",
    "render_soap_result",
    "render_text_error",
    "route_soap",
    "soap_action_of",
    "soap_binding_of",
    "unrecognized_http_operation",
    "wsdl_for",
]

XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SOAP_CONTENT_TYPES = {
    Binding.SOAP11: "text/xml; charset=utf-8",
    Binding.SOAP12: "application/soap+xml; charset=utf-8",
}
HTTP_CONTENT_TYPE = "text/xml; charset=utf-8"
PLAIN_CONTENT_TYPE = "text/plain; charset=utf-8"
ENVELOPE_NS = {Binding.SOAP11: SOAP11_ENV, Binding.SOAP12: SOAP12_ENV}
_BINDING_OF_MIME = {"text/xml": Binding.SOAP11, "application/soap+xml": Binding.SOAP12}
READ_ERROR = "Server was unable to read request. ---> "


class FaultCode(enum.Enum):
    CLIENT = "Client"
    SERVER = "Server"
    VERSION_MISMATCH = "VersionMismatch"
    MUST_UNDERSTAND = "MustUnderstand"

    def qname(self, binding: Binding) -> str:
        if binding is Binding.SOAP12:
            local = {"Client": "Sender", "Server": "Receiver"}.get(self.value, self.value)
        else:
            local = self.value
        return f"soap:{local}"


class RequestError(Exception):
    """The protocol layer refuses a request before (or instead of) running an operation.

    ``soap11`` forces a SOAP 1.1 answer (a VersionMismatch fault is always SOAP 1.1).
    """

    def __init__(self, text: str, code: FaultCode = FaultCode.CLIENT, *, soap11: bool = False):
        super().__init__(text)
        self.text = text
        self.code = code
        self.soap11 = soap11


class EmptyAnswer(Exception):
    """Answer with this HTTP status and an empty body (415, 400, 413)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


# --- binding detection ------------------------------------------------------------------


def _content_type(value: str) -> tuple[str, Mapping[str, str]]:
    message = Message()
    message["content-type"] = value
    mime = message.get_content_type().lower() if value.strip() else ""
    params: dict[str, str] = {}
    for key, val in message.get_params(failobj=[])[1:]:
        params[key.lower()] = val if isinstance(val, str) else str(val)
    return mime, params


def soap_binding_of(content_type: str) -> Binding | None:
    """SOAP 1.1 for ``text/xml``, SOAP 1.2 for ``application/soap+xml``, else ``None``."""
    mime, _ = _content_type(content_type)
    return _BINDING_OF_MIME.get(mime)


def soap_action_of(binding: Binding, content_type: str, soapaction_header: str | None) -> str:
    """The action the request names: ``SOAPAction`` (1.1) or ``action=`` (1.2); ``""`` if none."""
    if binding is Binding.SOAP12:
        _, params = _content_type(content_type)
        raw = params.get("action", "")
    else:
        raw = soapaction_header or ""
    return raw.strip().strip('"').strip()


# --- reading requests --------------------------------------------------------------------


def read_envelope(body: bytes, binding: Binding) -> etree._Element:
    """The operation element of a SOAP request (the first child of ``Body``)."""
    try:
        root = safe_fromstring(body, "request")
    except MalformedResponseError:
        raise EmptyAnswer(400, "Bad Request") from None
    expected = ENVELOPE_NS[binding]
    name = etree.QName(root)
    if name.localname != "Envelope":
        raise RequestError(
            f"{READ_ERROR}The root element <{name.localname}> is not a SOAP Envelope."
        )
    if name.namespace != expected:
        raise RequestError(
            f"Possible SOAP version mismatch: Envelope namespace {name.namespace or ''} "
            f"was unexpected. Expecting {expected}.",
            FaultCode.VERSION_MISMATCH,
            soap11=True,
        )
    header = root.find(f"{{{expected}}}Header")
    if header is not None:
        for block in header:
            if not isinstance(block.tag, str):
                continue
            if block.get(f"{{{expected}}}mustUnderstand", "").strip() in ("1", "true"):
                raise RequestError(
                    f"SOAP header {etree.QName(block).localname} was not understood.",
                    FaultCode.MUST_UNDERSTAND,
                )
    soap_body = root.find(f"{{{expected}}}Body")
    if soap_body is None:
        raise RequestError(f"{READ_ERROR}The SOAP envelope has no Body.")
    first = next((child for child in soap_body if isinstance(child.tag, str)), None)
    if first is None:
        raise RequestError(f"{READ_ERROR}The SOAP Body is empty.")
    return first


def route_soap(
    service: Service, binding: Binding, element: etree._Element, action: str
) -> Operation[Any]:
    """The operation a SOAP request calls: by its body element, checked against the action."""
    by_tag = {op.request_tag: op for op in service.operations.values()}
    op = by_tag.get(element.tag)
    if action:
        named = next(
            (o for o in service.operations.values() if o.soap_actions.get(binding) == action),
            None,
        )
        if named is None:
            raise RequestError(
                f"Server did not recognize the value of HTTP Header SOAPAction: {action}."
            )
        if named is not op:
            raise RequestError(
                f"The SOAPAction {action} does not match the request element "
                f"{etree.QName(element).localname}."
            )
        return named
    if op is None:
        raise RequestError(
            "Unable to handle request without a valid action parameter. "
            "Please supply a valid soap action."
        )
    return op


_PARAMS_BY_TAG: dict[int, Mapping[str, Field]] = {}
_PARAMS_LOCK = threading.Lock()


def _params_by_tag(op: Operation[Any]) -> Mapping[str, Field]:
    key = id(op)
    with _PARAMS_LOCK:
        found = _PARAMS_BY_TAG.get(key)
        if found is None:
            found = {f.tag: f for f in op.params if not f.attribute}
            _PARAMS_BY_TAG[key] = found
    return found


def parse_soap_request(op: Operation[Any], element: etree._Element) -> dict[str, Any]:
    """The parameters of a SOAP request, keyed by attribute name (absent: ``None``)."""
    try:
        return parse_children(element, op.params, _params_by_tag(op), op.request_element)
    except MalformedResponseError as exc:
        raise RequestError(
            f"{READ_ERROR}There is an error in XML document: {exc.args[0]}"
        ) from None


def parse_http_request(op: Operation[Any], pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The parameters of an HTTP GET/POST request (names matched case-insensitively).

    Every parameter must be present, scalars empty where they have no value. An
    absent array parameter fails as in ASP.NET, whose reader dereferences the missing
    key's null value list: a 500 "Object reference not set to an instance of an
    object." (the client refuses such calls before sending them).
    """
    fields = {f.attr: f for f in op.params}
    by_name: dict[str, list[str]] = {}
    for name, value in pairs:
        by_name.setdefault(name.lower(), []).append(value)
    values: dict[str, Any] = {}
    for param in op.http_params:
        found = by_name.get(param.name.lower())
        f = fields.get(param.attr)
        if param.array:
            item = f.item if f is not None else None
            xsd = item.xsd if item is not None and item.xsd else "string"
            if not found:
                raise RequestError("Object reference not set to an instance of an object.")
            values[param.attr] = [_http_scalar(xsd, text, param.name) for text in found]
            continue
        if found is None:
            raise RequestError(f"Missing parameter: {param.name}.")
        xsd = f.xsd if f is not None and f.xsd else "string"
        values[param.attr] = _http_scalar(xsd, found[0], param.name)
    return values


def _http_scalar(xsd: str, text: str, name: str) -> Any:
    try:
        return parse_scalar(xsd, text, name)
    except MalformedResponseError:
        raise RequestError(
            f"Cannot convert {text} to the type of {name}: {name} is not a valid {xsd}."
        ) from None


def unrecognized_http_operation(name: str) -> RequestError:
    return RequestError(f"Request format is unrecognized for URL unexpectedly ending in '/{name}'.")


# --- writing answers ------------------------------------------------------------------------


def _serialize(element: etree._Element, *, pretty: bool = False) -> bytes:
    for node in element.iter():
        if node.text == "":  # an empty string is an empty element, as ASP.NET writes it
            node.text = None
    data: bytes = etree.tostring(element, encoding="utf-8", pretty_print=pretty)
    # lxml writes <x/>; ASP.NET writes <x />. A literal "/>" only ever closes an empty
    # element: in text and attribute values ">" is escaped as "&gt;".
    return data.replace(b"/>", b" />").rstrip(b"\n")


def _envelope(binding: Binding) -> tuple[etree._Element, etree._Element]:
    ns = ENVELOPE_NS[binding]
    envelope = etree.Element(f"{{{ns}}}Envelope", nsmap={"soap": ns, "xsi": XSI_NS, "xsd": XSD_NS})
    body = etree.SubElement(envelope, f"{{{ns}}}Body")
    return envelope, body


def render_soap_result(op: Operation[Any], binding: Binding, result: WireModel) -> bytes:
    envelope, body = _envelope(binding)
    response = etree.SubElement(
        body,
        op.response_tag,
        nsmap={None: op.namespace},  # type: ignore[dict-item]
    )
    build_children(response, (op.result,), {op.result.attr: result})
    return XML_DECLARATION + _serialize(envelope)


def render_soap_fault(binding: Binding, code: FaultCode, text: str) -> bytes:
    envelope, body = _envelope(binding)
    ns = ENVELOPE_NS[binding]
    fault = etree.SubElement(body, f"{{{ns}}}Fault")
    if binding is Binding.SOAP12:
        code_el = etree.SubElement(fault, f"{{{ns}}}Code")
        etree.SubElement(code_el, f"{{{ns}}}Value").text = code.qname(binding)
        reason = etree.SubElement(fault, f"{{{ns}}}Reason")
        text_el = etree.SubElement(reason, f"{{{ns}}}Text")
        text_el.set(XML_LANG, "en")
        text_el.text = _xml_safe(text)
        etree.SubElement(fault, f"{{{ns}}}Detail")
    else:
        etree.SubElement(fault, "faultcode").text = code.qname(binding)
        etree.SubElement(fault, "faultstring").text = _xml_safe(text)
        etree.SubElement(fault, "detail")
    return XML_DECLARATION + _serialize(envelope)


def render_http_result(op: Operation[Any], result: WireModel) -> bytes:
    tag = op.http_result_tag
    if tag is None:  # pragma: no cover - guarded by the caller
        raise ValueError(f"{op.name} has no HTTP binding")
    root = etree.Element(
        tag,
        nsmap={"xsd": XSD_NS, "xsi": XSI_NS, None: op.namespace},  # type: ignore[dict-item]
    )
    spec = type(result).__wire__
    build_children(root, spec.fields, {f.attr: getattr(result, f.attr) for f in spec.fields})
    return XML_DECLARATION + b"\n" + _serialize(root, pretty=True)


def html_encode(text: str) -> str:
    """HTML-encode like ASP.NET's ``HttpUtility.HtmlEncode`` (``'`` becomes ``&#39;``)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def render_text_error(text: str) -> bytes:
    """The body of an HTTP GET/POST error: the message, HTML-encoded, then a newline."""
    return (html_encode(_xml_safe(text)) + "\n").encode("utf-8")


def _xml_safe(text: str) -> str:
    return "".join(c if xml_char(c) else "?" for c in text)


# --- WSDL -------------------------------------------------------------------------------------

_WSDL_CACHE: dict[str, bytes] = {}
_WSDL_LOCK = threading.Lock()


def _vendored_wsdl(service: Service) -> bytes:
    with _WSDL_LOCK:
        data = _WSDL_CACHE.get(service.wsdl_resource)
        if data is None:
            resource = importlib.resources.files("removethebackground.generated").joinpath(
                service.wsdl_resource
            )
            data = resource.read_bytes()
            _WSDL_CACHE[service.wsdl_resource] = data
    return data


def wsdl_for(service: Service, endpoint: str) -> bytes:
    """The vendored WSDL with every service address pointing at ``endpoint``."""
    data = _vendored_wsdl(service)
    new = xml_escape(endpoint, {'"': "&quot;"}).encode("utf-8")
    for old in _distinct(service.default_endpoints.values()):
        quoted = xml_escape(old, {'"': "&quot;"}).encode("utf-8")
        data = data.replace(b'location="' + quoted + b'"', b'location="' + new + b'"')
    return data


def _distinct(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen

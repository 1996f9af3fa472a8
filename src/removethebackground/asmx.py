"""The service side of the ASMX wire protocol: which binding and operation a request is for.

Used by the sandbox (:mod:`removethebackground.sandbox`) and the stubber
(:mod:`removethebackground.testing.stub`). Choosing the binding of a request (by
its Content-Type) and the operation (by its body element and action) is done
here; reading the request and writing answers and faults is each binding
engine's own work (:mod:`removethebackground.bindings`), and the functions below
of the same names hand over to the engine in :data:`~removethebackground.bindings.BINDINGS`.

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

import importlib.resources
import threading
from collections.abc import Iterable, Mapping, Sequence
from email.message import Message
from types import MappingProxyType
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from .bindings import HTTP_BINDINGS, SOAP_BINDINGS, EmptyAnswer, FaultCode, RequestError
from .bindings.http import TEXT_ERROR_CONTENT_TYPE, html_encode
from .bindings.soap import READ_ERROR
from .codec import parse_children
from .errors import MalformedResponseError
from .wire import Binding, Field, Operation, Service, WireModel

__all__ = [
    "ENVELOPE_NS",
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
    "vendored_wsdl",
    "wsdl_for",
]

#: The Content-Type of each SOAP binding's answers.
SOAP_CONTENT_TYPES: Mapping[Binding, str] = MappingProxyType(
    {b: e.answer_content_type for b, e in SOAP_BINDINGS.items()}
)
#: The envelope namespace of each SOAP binding.
ENVELOPE_NS: Mapping[Binding, str] = MappingProxyType(
    {b: e.envelope_ns for b, e in SOAP_BINDINGS.items()}
)
HTTP_CONTENT_TYPE = HTTP_BINDINGS[Binding.HTTP_GET].answer_content_type
PLAIN_CONTENT_TYPE = TEXT_ERROR_CONTENT_TYPE
_BINDING_OF_MIME = {e.mime: b for b, e in SOAP_BINDINGS.items()}


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
    """The SOAP binding whose media type ``content_type`` names, else ``None``."""
    mime, _ = _content_type(content_type)
    return _BINDING_OF_MIME.get(mime)


def soap_action_of(binding: Binding, content_type: str, soapaction_header: str | None) -> str:
    """The action the request names, where ``binding`` carries it; ``""`` if none."""
    _, params = _content_type(content_type)
    return SOAP_BINDINGS[binding].action_of(params, soapaction_header)


# --- reading requests --------------------------------------------------------------------


def read_envelope(body: bytes, binding: Binding) -> etree._Element:
    """The operation element of a SOAP request (the first child of ``Body``)."""
    return SOAP_BINDINGS[binding].read_request(body)


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
    """The parameters of an HTTP GET/POST request (names matched case-insensitively)."""
    return HTTP_BINDINGS[Binding.HTTP_GET].read_request(op, pairs)


def unrecognized_http_operation(name: str) -> RequestError:
    return RequestError(f"Request format is unrecognized for URL unexpectedly ending in '/{name}'.")


# --- writing answers ------------------------------------------------------------------------


def render_soap_result(op: Operation[Any], binding: Binding, result: WireModel) -> bytes:
    return SOAP_BINDINGS[binding].render_result(op, result)


def render_soap_fault(binding: Binding, code: FaultCode, text: str) -> bytes:
    return SOAP_BINDINGS[binding].render_fault(code, text)


def render_http_result(op: Operation[Any], result: WireModel) -> bytes:
    return HTTP_BINDINGS[Binding.HTTP_GET].render_result(op, result)


def render_text_error(text: str) -> bytes:
    """The body of an HTTP GET/POST error: the message, HTML-encoded, then a newline."""
    return HTTP_BINDINGS[Binding.HTTP_GET].render_error(text)


# --- WSDL -------------------------------------------------------------------------------------

_WSDL_CACHE: dict[str, bytes] = {}
_WSDL_LOCK = threading.Lock()


def vendored_wsdl(service: Service) -> bytes:
    """The WSDL codegen copied into the package for ``service`` (read once, then cached)."""
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
    data = vendored_wsdl(service)
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

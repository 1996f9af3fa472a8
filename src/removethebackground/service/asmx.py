"""The service side of the ASMX wire protocol: which binding and operation a request is for.

Used by the sandbox (:mod:`removethebackground.sandbox`) and the stubber
(:mod:`removethebackground.testing.stub`). Routing a request (choosing the SOAP
version, the operation, or refusing the request) is done here, rule for rule as
ASP.NET's ``System.Web.Services`` does it; reading parameters and writing answers
and faults is each binding engine's own work (:mod:`removethebackground.bindings`),
and the functions below of the same names hand over to the engine in
:data:`~removethebackground.bindings.BINDINGS`.

Everything here is driven by the generated wire facts (``Operation.params``,
``Operation.result``, ``http_params``, ``http_result_element``, ``soap_actions``
and each result type's ``TypeSpec``) through :mod:`removethebackground.core.codec`, the
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

Routing and refusals (not in the recordings) follow the .NET Framework reference
source of ``System.Web.Services`` (the files under
``mcs/class/referencesource/System.Web.Services/`` in Mono 6.8 are the same). Each
rule below names the file and method it comes from; the texts are the ``Res``
strings of ``System.Web.Services.txt`` (:data:`RES`), formatted as ``String.Format``
formats them. The sandbox is the service configured as the production WSDL shows
it: protocols ``HttpSoap``, ``HttpSoap12``, ``HttpGet``, ``HttpPost`` and
``Documentation`` enabled, for every caller (ASP.NET 1.1+ leaves HTTP GET/POST off,
or HTTP POST for ``localhost`` only, unless ``web.config`` enables them, and the
WSDL's HTTP bindings exist only when they are), routing style ``SoapAction``
(the default of ``SoapDocumentServiceAttribute.RoutingStyle``), custom errors on
(messages without stack traces, as recorded) and ``Environment.NewLine`` = ``"\\n"``
(as the recorded stack writes it).

SOAP (``SoapServerProtocol.cs``, ``Soap11ServerProtocol.cs``, ``Soap12ServerProtocol.cs``):

1. ``SoapServerProtocol.GuessVersion``: a request without a ``SOAPAction`` header,
   or whose Content-Type is ``application/soap+xml``, is routed as SOAP 1.2; one
   with the header (any other Content-Type) as SOAP 1.1.
2. ``Soap11ServerProtocolHelper.RouteRequest``: SOAP 1.1 routes on the
   ``SOAPAction`` header alone (quotes stripped when it both starts and ends with
   one, then URL-decoded); the body is not looked at. An unknown (or empty) action:
   ``soap:Client`` "Server did not recognize the value of HTTP Header SOAPAction: X."
3. ``Soap12ServerProtocolHelper.RouteRequest``: SOAP 1.2 routes on the
   ``action=`` parameter of the Content-Type, else on the body's first element
   (``SoapServerProtocolHelper.GetRequestElement``). Neither known: "Unable to
   handle request without a valid action parameter. Please supply a valid soap
   action." (no action) or "Unable to handle request. The action 'X' was not
   recognized." (``Sender``, answered in the envelope's version). A known action
   wins over the body element: an action naming another operation than the body
   calls *that* operation (rule 8).
4. ``SoapServerProtocol.Initialize`` (its catch) and ``CheckHelperVersion``: when
   routing read the envelope and failed, an envelope in an unknown namespace is a
   ``VersionMismatch`` fault instead; a body that is not XML is a ``soap:Server``
   fault "Server was unable to process request. ---> <parser message>"
   (``SoapServerProtocol.WriteException``).
5. ``SoapServerProtocol.ReadParameters``, once routed: a Content-Type that is
   neither ``text/xml`` nor ``application/soap+xml`` is 415 with an empty body
   (``SetResponseErrorCode``; ``WriteFault`` writes nothing but for 500); a body
   that is not XML is 400 with an empty body (a ``Client`` fault caused by an
   ``XmlException``).
6. The SOAP version of the answer is the envelope's namespace
   (``SoapServerProtocolHelper.GetHelper``), whatever the Content-Type said; an
   unknown namespace is a SOAP 1.1 ``VersionMismatch`` fault "Possible SOAP version
   mismatch: Envelope namespace X was unexpected. Expecting
   http://schemas.xmlsoap.org/soap/envelope/." carrying the SOAP 1.2 ``Upgrade``
   header that lists both supported envelopes (``WriteException``,
   ``CreateUpgradeHeader``). A SOAP 1.1 envelope sent as ``application/soap+xml`` is
   415; a SOAP 1.2 envelope sent as ``text/xml`` is answered in SOAP 1.2.
7. ``ReadParameters``: a root that is not ``Envelope``, or an envelope without a
   ``Body`` after its optional ``Header``: ``Client`` "Server was unable to read
   request. ---> Request format is invalid: Missing required soap:Envelope
   element." (or ``soap:Body``).
8. ``XmlSerializer`` (called by ``ReadParameters``) reads the routed operation's
   wrapper element among the Body's children and skips anything else: an empty
   Body, or a body element of another operation, calls the routed operation with
   every parameter at its default (``null``, ``0``, ``false``, ``Guid.Empty``), as
   does a missing value-type parameter. The answer is that operation's.
9. ``SoapServerProtocol.WriteReturns`` / ``SoapHeaderHandling.EnsureHeadersUnderstood``:
   a header block with ``mustUnderstand`` set that the service does not know is
   refused *after* the operation ran (its effects stay): ``MustUnderstand`` "SOAP
   header X was not understood.", without ``detail`` (a ``SoapHeaderException``).

HTTP (``WebServiceHandlerFactory.CoreGetHandler`` over the protocol factories in
``WebServicesSection.ServerProtocolFactories`` order: SOAP, HTTP POST, HTTP POST
localhost, HTTP GET, discovery, documentation; each ``CreateIfRequestCompatible``):

10. ``<path>`` itself takes ``POST`` (SOAP) and ``GET`` (``?WSDL``, else the service
    page); any other method, ``HEAD`` included, is 405 (``UnsupportedRequestProtocol``),
    an ASP.NET error page (``text/html``) "Request format is unrecognized."
11. ``<path>/<name>`` takes ``GET`` (HTTP GET) and ``POST`` (HTTP POST); any other
    method, ``HEAD`` included, and ``<path>/`` (a path info shorter than two
    characters), is a 500 ASP.NET error page "Request format is unrecognized for URL
    unexpectedly ending in '/<name>'."
12. ``HttpServerProtocol.Initialize``: method names are case-sensitive. A name that
    matches one only ignoring case: "Invalid method name 'x',  method names are case
    sensitive.   The method name 'X' with the same name but different casing was
    found." (an ``ArgumentException``: "\\nParameter name: methodName" follows); no
    match, or an operation the HTTP bindings do not offer (``HttpServerType``: not
    all parameters primitive): "X Web Service method name is not valid." Both 500
    ``text/plain`` (``HttpServerProtocol.WriteException``).
13. ``HttpServerProtocol.ReadParameters`` / ``HtmlFormParameterReader.Read``: an HTTP
    POST whose Content-Type is not ``application/x-www-form-urlencoded``: "Request
    format is invalid: <Content-Type>." (500 ``text/plain``; never 415); HTTP GET
    reads the query whatever the Content-Type. An operation without parameters
    reads nothing.
14. ``ValueCollectionParameterReader.Read``: a missing scalar: "Missing parameter:
    name."; a missing array: "Object reference not set to an instance of an
    object." (the reader dereferences the key's null value list). Keys match
    case-insensitively (``NameValueCollection``); a repeated scalar key reads as its
    values joined by ``,``. A value that does not convert: ``ScalarFormatter.FromString``'s
    "Cannot convert abc to System.Int32." with its ``ArgumentException``'s parameter
    line and the inner message.

Before any of this (``System.Web``, not ``System.Web.Services``):

15. ``HttpRequest.GetEntireRawContent``: a request body beyond ``maxRequestLength``
    (4 MB by default, the sandbox's ``max_request_bytes``) is ASP.NET's 500 error page
    "Maximum request length exceeded." (an ``HttpException``), on every binding.
"""

from __future__ import annotations

import importlib.resources
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote_plus
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from ..bindings import (
    HTTP_BINDINGS,
    HTTP_BY_METHOD,
    SOAP_BINDINGS,
    EmptyAnswer,
    FaultCode,
    RequestError,
)
from ..bindings.http import TEXT_ERROR_CONTENT_TYPE, html_encode
from ..bindings.soap import READ_ERROR
from ..core.codec import SOAP11_ENV, SOAP12_ENV, parse_children, parse_scalar, safe_fromstring
from ..core.errors import MalformedResponseError
from ..core.wire import Binding, Field, Operation, Service, WireModel

__all__ = [
    "ENVELOPE_NS",
    "HTML_CONTENT_TYPE",
    "HTTP_CONTENT_TYPE",
    "PLAIN_CONTENT_TYPE",
    "RES",
    "SOAP_CONTENT_TYPES",
    "EmptyAnswer",
    "FaultCode",
    "HttpRoute",
    "RequestError",
    "SoapRefusal",
    "SoapRoute",
    "UnhandledError",
    "html_encode",
    "parse_http_request",
    "parse_soap_request",
    "read_envelope",
    "render_error_page",
    "render_http_result",
    "render_soap_fault",
    "render_soap_refusal",
    "render_soap_result",
    "render_text_error",
    "res",
    "route_http",
    "route_soap",
    "route_soap_request",
    "soap_action_of",
    "soap_binding_of",
    "soap_version_of",
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
#: ASP.NET's error pages (an exception that leaves the ASMX handler).
HTML_CONTENT_TYPE = "text/html; charset=utf-8"
_BINDING_OF_MIME = {e.mime: b for b, e in SOAP_BINDINGS.items()}
_BINDING_OF_ENVELOPE = {SOAP11_ENV: Binding.SOAP11, SOAP12_ENV: Binding.SOAP12}
#: ``Environment.NewLine`` of the stack the sandbox stands for (the recorded one).
NEWLINE = "\n"

#: The strings of ``System.Web.Services.txt`` (the ``Res`` table) the rules use.
RES: Mapping[str, str] = MappingProxyType(
    {
        "WebHttpHeader": "Server did not recognize the value of HTTP Header {0}: {1}.",
        "UnableToHandleRequestActionRequired0": (
            "Unable to handle request without a valid action parameter. "
            "Please supply a valid soap action."
        ),
        "UnableToHandleRequestActionNotRecognized1": (
            "Unable to handle request. The action '{0}' was not recognized."
        ),
        "WebInvalidEnvelopeNamespace": (
            "Possible SOAP version mismatch: Envelope namespace {0} was unexpected. Expecting {1}."
        ),
        "WebRequestUnableToRead": "Server was unable to read request.",
        "WebRequestUnableToProcess": "Server was unable to process request.",
        "WebMissingEnvelopeElement": (
            "Request format is invalid: Missing required soap:Envelope element."
        ),
        "WebMissingBodyElement": "Request format is invalid: Missing required soap:Body element.",
        "WebCannotUnderstandHeader": "SOAP header {0} was not understood.",
        "WebInvalidMethodName": "{0} Web Service method name is not valid.",
        "WebInvalidMethodNameCase": (
            "Invalid method name '{0}',  method names are case sensitive.   "
            "The method name '{1}' with the same name but different casing was found."
        ),
        "WebInvalidRequestFormatDetails": "Request format is invalid: {0}.",
        "WebMissingParameter": "Missing parameter: {0}.",
        "WebUnrecognizedRequestFormat": "Request format is unrecognized.",
        "WebUnrecognizedRequestFormatUrl": (
            "Request format is unrecognized for URL unexpectedly ending in '{0}'."
        ),
    }
)


def res(key: str, *args: object) -> str:
    """``Res.GetString(key, args)``: the string of :data:`RES`, formatted."""
    return RES[key].format(*args)


def _argument_message(message: str, param: str) -> str:
    """``ArgumentException(message, param).Message`` as .NET Framework writes it."""
    return f"{message}{NEWLINE}Parameter name: {param}"


# --- content types (System.Web.Services.Protocols.ContentType) ---------------------------


def _base(content_type: str) -> str:
    """``ContentType.GetBase``: everything before the first ``;``, untrimmed."""
    return content_type.split(";", 1)[0]


def _matches_base(content_type: str, base: str) -> bool:
    """``ContentType.MatchesBase``: the base, compared ignoring case."""
    return _base(content_type).lower() == base


def _is_soap(content_type: str) -> bool:
    """``ContentType.IsSoap``: ``text/xml`` or ``application/soap+xml``."""
    return _base(content_type).lower() in ("text/xml", "application/soap+xml")


def _action_param(content_type: str) -> str | None:
    """``ContentType.GetAction``: the first parameter whose name starts with ``action``."""
    for decl in content_type.split(";")[1:]:
        decl = decl.lstrip()
        if decl[:6].lower() == "action":
            equals = decl.find("=", 6)
            if equals >= 0:
                return decl[equals + 1 :].strip(" '\"\t")
    return None


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


# --- SOAP routing --------------------------------------------------------------------------


class SoapRefusal(Exception):
    """ASMX refuses a SOAP request before running an operation.

    ``status`` 500 is a fault (``code``, ``text``) in ``binding``'s envelope; 400 and
    415 are an empty body with ``binding``'s Content-Type. ``upgrade`` lists the
    envelopes a ``VersionMismatch`` fault's ``Upgrade`` header names.
    """

    def __init__(
        self,
        binding: Binding,
        status: int,
        code: FaultCode = FaultCode.CLIENT,
        text: str = "",
        *,
        upgrade: tuple[Binding, ...] = (),
    ) -> None:
        super().__init__(text or str(status))
        self.binding = binding
        self.status = status
        self.code = code
        self.text = text
        self.upgrade = upgrade


@dataclass(frozen=True, slots=True)
class SoapRoute:
    """A routed SOAP request.

    Attributes:
        binding: the SOAP version of the answer (the envelope's namespace).
        op: the operation to call.
        envelope: the request envelope (its ``Header`` for header checks).
        element: the operation's request element, or an empty one when the Body
            does not carry it (every parameter at its default).
        not_understood: the local name of the first ``mustUnderstand`` header block
            the service does not know, refused after the call (rule 9).
    """

    binding: Binding
    op: Operation[Any]
    envelope: etree._Element
    element: etree._Element
    not_understood: str | None = None


#: Header blocks (Clark names) the service understands; ASMX knows only the
#: ``SoapHeader`` members the service class declares, and the WSDLs declare none.
UNDERSTOOD_HEADERS: frozenset[str] = frozenset()


def _supported(service: Service) -> tuple[Binding, ...]:
    """The SOAP versions the service offers, SOAP 1.1 first (the table's order)."""
    return tuple(b for b in SOAP_BINDINGS if b in service.default_endpoints)


def _by_action(service: Service) -> dict[str, Operation[Any]]:
    """``SoapServerType.methods`` keyed by action (one action per method)."""
    found: dict[str, Operation[Any]] = {}
    for op in service.operations.values():
        for binding in SOAP_BINDINGS:
            action = op.soap_actions.get(binding)
            if action is not None:
                found.setdefault(action, op)
    return found


def _by_element(service: Service) -> dict[str, Operation[Any]]:
    return {op.request_tag: op for op in service.operations.values()}


def _xml_message(body: bytes) -> str:
    """A parser's message for ``body``, in ``XmlTextReader``'s words where it has them."""
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        return "Root element is missing."
    if not stripped.startswith(b"<"):
        return "Data at the root level is invalid. Line 1, position 1."
    if b"<!DOCTYPE" in body:
        return (
            "For security reasons DTD is prohibited in this XML document. To enable DTD "
            "processing set the DtdProcessing property on XmlReaderSettings to Parse and "
            "pass the settings to XmlReader.Create method."
        )
    try:
        safe_fromstring(body, "request")
    except MalformedResponseError as exc:
        return str(exc.args[0]).replace("the request is not well-formed XML: ", "")
    return "The XML is not well-formed."  # pragma: no cover - only called on failures


def _parse(body: bytes) -> etree._Element | None:
    try:
        return safe_fromstring(body, "request")
    except MalformedResponseError:
        return None


def _ns(element: etree._Element) -> str:
    return etree.QName(element).namespace or ""


def _request_element(root: etree._Element) -> str | None:
    """``SoapServerProtocolHelper.GetRequestElement``: the Body's first element (Clark name).

    ``None`` for an empty Body; raises :class:`_ReadError` for a root that is not an
    ``Envelope`` or has no ``Body`` (in the root's own namespace).
    """
    ns = _ns(root)
    if etree.QName(root).localname != "Envelope":
        raise _ReadError(res("WebMissingEnvelopeElement"))
    body = root.find(f"{{{ns}}}Body" if ns else "Body")
    if body is None:
        raise _ReadError(res("WebMissingBodyElement"))
    first = next((c for c in body if isinstance(c.tag, str)), None)
    return None if first is None else str(first.tag)


class _ReadError(Exception):
    """An ``InvalidOperationException`` met while reading the envelope."""


def _version_mismatch(supported: tuple[Binding, ...], request_ns: str) -> SoapRefusal | None:
    """``SoapServerProtocol.CheckHelperVersion``: the fault an envelope namespace calls for."""
    if request_ns not in _BINDING_OF_ENVELOPE:
        # Unknown namespace: answered in SOAP 1.1 when supported, expecting its envelope.
        answer = supported[0]
        expected = ENVELOPE_NS[answer]
    elif _BINDING_OF_ENVELOPE[request_ns] not in supported:
        # Known but not offered: always answered in SOAP 1.1.
        answer = _BINDING_OF_ENVELOPE[SOAP11_ENV]
        expected = ENVELOPE_NS[supported[0]]
    else:
        return None
    # Only a SOAP 1.2 node writes SOAP 1.2's Upgrade header.
    soap12 = any(ENVELOPE_NS[b] == SOAP12_ENV for b in supported)
    upgrade = supported if soap12 else ()
    return SoapRefusal(
        answer,
        500,
        FaultCode.VERSION_MISMATCH,
        res("WebInvalidEnvelopeNamespace", request_ns, expected),
        upgrade=upgrade,
    )


def soap_version_of(
    service: Service, content_type: str, soapaction: str | None, body: bytes
) -> tuple[Binding, str]:
    """The SOAP version a request is read in before routing, and the action it names.

    What a SOAP extension (WS-Security, WS-Addressing checks) sees: the envelope's
    version where its namespace is a supported one, else the guessed one (rule 1);
    the action where that guess finds it (the ``SOAPAction`` header, or ``action=``).
    """
    supported = _supported(service)
    if not supported:
        return Binding.SOAP11, ""
    helper = _guess(supported, content_type, soapaction)
    _, params = _content_type(content_type)
    action = SOAP_BINDINGS[helper].action_of(params, soapaction)
    root = _parse(body)
    version = _BINDING_OF_ENVELOPE.get(_ns(root)) if root is not None else None
    return (version if version in supported else helper), action


def _guess(supported: tuple[Binding, ...], content_type: str, soapaction: str | None) -> Binding:
    """Rule 1: ``SoapServerProtocol.GuessVersion`` (``supported`` not empty)."""
    if len(supported) < 2:
        return supported[0]
    by_header = next(b for b in supported if SOAP_BINDINGS[b].action_header)
    other = next(b for b in supported if not SOAP_BINDINGS[b].action_header)
    by_type = _matches_base(content_type, SOAP_BINDINGS[other].mime)
    return other if soapaction is None or by_type else by_header


def route_soap_request(
    service: Service, content_type: str, soapaction: str | None, body: bytes
) -> SoapRoute:
    """Route a ``POST <path>`` as ASMX does (rules 1-9 of the module docstring).

    ``soapaction`` is the raw ``SOAPAction`` header (``None`` when absent). Raises
    :class:`SoapRefusal` for every refusal before the operation runs.
    """
    supported = _supported(service)
    if not supported:
        raise UnhandledError(500, res("WebUnrecognizedRequestFormat"))
    # Rule 1: SoapServerProtocol.GuessVersion.
    helper = _guess(supported, content_type, soapaction)
    root = _parse(body)
    op = _route(service, supported, helper, content_type, soapaction, body, root)
    # Rule 5: SoapServerProtocol.ReadParameters, the first content-type check.
    if not _is_soap(content_type):
        raise SoapRefusal(helper, 415)
    if root is None:
        raise SoapRefusal(helper, 400)
    # Rule 6: the envelope's namespace decides the version (GetHelper, CheckHelperVersion).
    request_ns = _ns(root)
    mismatch = _version_mismatch(supported, request_ns)
    if mismatch is not None:
        raise mismatch
    binding = _BINDING_OF_ENVELOPE[request_ns]
    engine = SOAP_BINDINGS[binding]
    if engine.strict_content_type and not _matches_base(content_type, engine.mime):
        raise SoapRefusal(binding, 415)
    # Rule 7: the Envelope, its optional Header, then its Body.
    unable = res("WebRequestUnableToRead")
    if etree.QName(root).localname != "Envelope":
        raise SoapRefusal(binding, 500, text=f"{unable} ---> {res('WebMissingEnvelopeElement')}")
    children = [c for c in root if isinstance(c.tag, str)]
    header = None
    if children and children[0].tag == f"{{{request_ns}}}Header":
        header = children.pop(0)
    if not children or children[0].tag != f"{{{request_ns}}}Body":
        raise SoapRefusal(binding, 500, text=f"{unable} ---> {res('WebMissingBodyElement')}")
    # Rule 8: the routed operation's element, wherever it is among the Body's children.
    element = next((c for c in children[0] if c.tag == op.request_tag), None)
    if element is None:
        element = etree.Element(op.request_tag)
    return SoapRoute(binding, op, root, element, _not_understood(header, request_ns))


def _route(
    service: Service,
    supported: tuple[Binding, ...],
    helper: Binding,
    content_type: str,
    soapaction: str | None,
    body: bytes,
    root: etree._Element | None,
) -> Operation[Any]:
    actions = _by_action(service)
    if SOAP_BINDINGS[helper].action_header:
        # Rule 2: Soap11ServerProtocolHelper.RouteRequest (RoutingStyle SoapAction).
        if soapaction is None:
            raise SoapRefusal(helper, 500, text=res("UnableToHandleRequestActionRequired0"))
        key = soapaction
        if key.startswith('"') and key.endswith('"'):
            if len(key) < 2:  # String.Substring(1, -1)
                raise SoapRefusal(
                    helper,
                    500,
                    FaultCode.SERVER,
                    f"{res('WebRequestUnableToProcess')} ---> "
                    + _argument_message("Length cannot be less than zero.", "length"),
                )
            key = key[1:-1]
        key = unquote_plus(key)
        found = actions.get(key)
        if found is None:
            raise SoapRefusal(helper, 500, text=res("WebHttpHeader", "SOAPAction", key))
        return found
    # Rule 3: Soap12ServerProtocolHelper.RouteRequest.
    action = _action_param(content_type)
    if action:
        action = unquote_plus(action)
        found = actions.get(action)
        if found is not None:
            return found
    # Rule 4: the request element; failures as SoapServerProtocol.Initialize answers them.
    if root is None:
        raise SoapRefusal(
            helper,
            500,
            FaultCode.SERVER,
            f"{res('WebRequestUnableToProcess')} ---> {_xml_message(body)}",
        )
    request_ns = _ns(root)
    try:
        tag = _request_element(root)
    except _ReadError as exc:
        mismatch = _version_mismatch(supported, request_ns)
        if mismatch is not None:
            raise mismatch from None
        raise SoapRefusal(
            _BINDING_OF_ENVELOPE[request_ns],
            500,
            FaultCode.SERVER,
            f"{res('WebRequestUnableToProcess')} ---> {exc}",
        ) from None
    found = _by_element(service).get(tag) if tag is not None else None
    if found is not None:
        return found
    mismatch = _version_mismatch(supported, request_ns)
    if mismatch is not None:
        raise mismatch
    answer = _BINDING_OF_ENVELOPE[request_ns]
    if not action:
        raise SoapRefusal(answer, 500, text=res("UnableToHandleRequestActionRequired0"))
    raise SoapRefusal(answer, 500, text=res("UnableToHandleRequestActionNotRecognized1", action))


def _not_understood(header: etree._Element | None, ns: str) -> str | None:
    """``SoapHeaderHandling.EnsureHeadersUnderstood``: the first refused header block."""
    if header is None:
        return None
    for block in header:
        if not isinstance(block.tag, str) or block.tag in UNDERSTOOD_HEADERS:
            continue
        if block.get(f"{{{ns}}}mustUnderstand", "").strip() in ("1", "true"):
            return etree.QName(block).localname
    return None


# --- reading requests --------------------------------------------------------------------


def read_envelope(body: bytes, binding: Binding) -> etree._Element:
    """The operation element of a SOAP request (the first child of ``Body``)."""
    return SOAP_BINDINGS[binding].read_request(body)


def route_soap(
    service: Service, binding: Binding, element: etree._Element, action: str
) -> Operation[Any]:
    """The operation a request of ``binding`` calls, given its body element and action.

    SOAP 1.1 routes on the action alone, SOAP 1.2 on the action if known, else on
    the element (rules 2 and 3); the texts are ASMX's.
    """
    actions = _by_action(service)
    if SOAP_BINDINGS[binding].action_header:
        found = actions.get(action)
        if found is None:
            raise RequestError(res("WebHttpHeader", "SOAPAction", action))
        return found
    found = actions.get(action) if action else None
    if found is None:
        found = _by_element(service).get(str(element.tag))
    if found is not None:
        return found
    if not action:
        raise RequestError(res("UnableToHandleRequestActionRequired0"))
    raise RequestError(res("UnableToHandleRequestActionNotRecognized1", action))


_PARAMS_BY_TAG: dict[int, Mapping[str, Field]] = {}
_PARAMS_LOCK = threading.Lock()
#: ``XmlSerializer``'s value for a value-type element it did not find.
_DEFAULTS = {
    "int": "0",
    "long": "0",
    "short": "0",
    "byte": "0",
    "unsignedInt": "0",
    "unsignedLong": "0",
    "unsignedShort": "0",
    "unsignedByte": "0",
    "decimal": "0",
    "double": "0",
    "float": "0",
    "boolean": "false",
    "guid": "00000000-0000-0000-0000-000000000000",
    "dateTime": "0001-01-01T00:00:00",
}


def _params_by_tag(op: Operation[Any]) -> Mapping[str, Field]:
    key = id(op)
    with _PARAMS_LOCK:
        found = _PARAMS_BY_TAG.get(key)
        if found is None:
            found = {f.tag: f for f in op.params if not f.attribute}
            _PARAMS_BY_TAG[key] = found
    return found


def parse_soap_request(op: Operation[Any], element: etree._Element) -> dict[str, Any]:
    """The parameters of a SOAP request, keyed by attribute name (absent: ``None``).

    A missing value-type parameter reads as its default, as ``XmlSerializer`` leaves it.
    """
    tags = {str(child.tag) for child in element if isinstance(child.tag, str)}
    defaults: dict[str, Any] = {}
    for f in op.params:
        if f.required and not f.attribute and f.tag not in tags:
            text = _DEFAULTS.get(f.xsd or "")
            if text is not None and f.xsd is not None:
                defaults[f.attr] = parse_scalar(f.xsd, text, f.name)
                etree.SubElement(element, f.tag).text = text
    try:
        values = parse_children(element, op.params, _params_by_tag(op), op.request_element)
    except MalformedResponseError as exc:
        raise RequestError(
            f"{READ_ERROR}There is an error in XML document: {exc.args[0]}"
        ) from None
    values.update(defaults)
    return values


# --- HTTP GET / POST routing ----------------------------------------------------------------


class UnhandledError(Exception):
    """An exception ASMX leaves to ASP.NET, which answers with its error page."""

    def __init__(
        self, status: int, message: str, exception: str = "System.InvalidOperationException"
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.exception = exception


@dataclass(frozen=True, slots=True)
class HttpRoute:
    """A routed HTTP GET/POST request: the binding and the operation (rules 11-12)."""

    binding: Binding
    op: Operation[Any]


def route_http(service: Service, method: str, path_info: str) -> HttpRoute:
    """Route ``<method> <path><path_info>`` as ``WebServiceHandlerFactory`` does.

    Raises :class:`UnhandledError` where no protocol takes the request (rule 11) and
    :class:`RequestError` (a 500 text error) for an unknown method name (rule 12).
    """
    engine = HTTP_BY_METHOD.get(method)
    if len(path_info) < 2 or engine is None:
        raise UnhandledError(500, res("WebUnrecognizedRequestFormatUrl", path_info))
    binding = engine.binding
    name = path_info[1:]
    # HttpServerType: the methods whose parameters the HTTP readers can read.
    offered = {
        op.name: op
        for op in service.operations.values()
        if any(b in op.bindings for b in HTTP_BINDINGS)
    }
    op = offered.get(name)
    if op is None:
        other = next((o for o in offered.values() if o.name.lower() == name.lower()), None)
        if other is not None:
            raise RequestError(
                _argument_message(res("WebInvalidMethodNameCase", name, other.name), "methodName")
            )
        raise RequestError(res("WebInvalidMethodName", name))
    return HttpRoute(binding, op)


def check_http_content_type(route: HttpRoute, content_type: str) -> None:
    """Rule 13: HTTP POST reads only a form body (operations with parameters).

    ``HtmlFormParameterReader.Read`` compares the base (``ContentType.MatchesBase``:
    before any ``;``, untrimmed, ignoring case); HTTP GET's reader takes any.
    """
    engine = HTTP_BINDINGS[route.binding]
    if route.op.http_params and not engine.accepts(_base(content_type).lower()):
        raise RequestError(res("WebInvalidRequestFormatDetails", content_type))


def parse_http_request(op: Operation[Any], pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The parameters of an HTTP GET/POST request (names matched case-insensitively)."""
    return HTTP_BINDINGS[Binding.HTTP_GET].read_request(op, pairs)


def unrecognized_http_operation(name: str) -> RequestError:
    """Rule 12: the text error for a method name the HTTP bindings do not offer."""
    return RequestError(res("WebInvalidMethodName", name))


# --- writing answers ------------------------------------------------------------------------


def render_soap_result(op: Operation[Any], binding: Binding, result: WireModel) -> bytes:
    return SOAP_BINDINGS[binding].render_result(op, result)


def render_soap_fault(
    binding: Binding, code: FaultCode, text: str, *, detail: bool = True
) -> bytes:
    """A fault; ``detail=False`` for a header's fault (``SoapHeaderException``)."""
    return SOAP_BINDINGS[binding].render_fault(code, text, detail=detail)


def upgrade_header(envelopes: Sequence[Binding]) -> etree._Element:
    """SOAP 1.2's ``Upgrade`` header block (``SoapServerProtocol.CreateUpgradeHeader``).

    One ``SupportedEnvelope`` per supported version, SOAP 1.1 first, each with a
    ``qname`` naming its ``Envelope``. ``CreateUpgradeEnvelope`` also declares the
    prefix on each ``SupportedEnvelope``; lxml drops those declarations where an
    ancestor already makes them (``soap`` on the Envelope, ``soap12`` on ``Upgrade``),
    so the prefixes resolve to the same namespaces, in fewer bytes.
    """
    upgrade = etree.Element(f"{{{SOAP12_ENV}}}Upgrade", nsmap={"soap12": SOAP12_ENV})
    for binding in envelopes:
        prefix = SOAP_BINDINGS[binding].prefix
        supported = etree.SubElement(
            upgrade, f"{{{SOAP12_ENV}}}SupportedEnvelope", nsmap={prefix: ENVELOPE_NS[binding]}
        )
        supported.set("qname", f"{prefix}:Envelope")
    return upgrade


def render_soap_refusal(refusal: SoapRefusal) -> tuple[int, str, bytes]:
    """(status, Content-Type, body) of a :class:`SoapRefusal`: a fault, or an empty 400/415."""
    content_type = SOAP_CONTENT_TYPES[refusal.binding]
    if refusal.status != 500:
        return refusal.status, content_type, b""
    headers = (upgrade_header(refusal.upgrade),) if refusal.upgrade else ()
    body = SOAP_BINDINGS[refusal.binding].render_fault(
        refusal.code, refusal.text, header_blocks=headers
    )
    return 500, content_type, body


def render_error_page(error: UnhandledError) -> bytes:
    """ASP.NET's error page for an exception the handler does not write itself.

    Abridged: the status and Content-Type are ASP.NET's, and the page carries the
    exception's message in its ``<title>``, ``<h2>`` and "Exception Details" as the
    detailed page does (the caller is local); the rest of that page is not copied.
    """
    message = html_encode(error.message)
    return (
        "<!DOCTYPE html>\n<html>\n    <head>\n"
        f"        <title>{message}</title>\n"
        '    </head>\n    <body bgcolor="white">\n'
        "            <span><H1>Server Error in '/' Application.<hr width=100% size=1 "
        "color=silver></H1>\n\n"
        f"            <h2> <i>{message}</i> </h2></span>\n\n"
        "            <b> Exception Details: </b>"
        f"{error.exception}: {message}<br><br>\n\n    </body>\n</html>\n"
    ).encode()


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

"""Routing: which binding and operation a request is for, or how ASMX refuses it.

Rule for rule as ASP.NET's ``System.Web.Services`` routes (rules 1-12 of
:mod:`removethebackground.service`): content types (``ContentType``), the SOAP
version (``SoapServerProtocol.GuessVersion``, ``CheckHelperVersion``), the SOAP
action (``Soap11ServerProtocolHelper.RouteRequest``,
``Soap12ServerProtocolHelper.RouteRequest``), the envelope's shape
(``SoapServerProtocol.ReadParameters``) and the HTTP GET/POST routes
(``WebServiceHandlerFactory.CoreGetHandler``, ``HttpServerProtocol.Initialize``).
Each function names the reference source method it follows; the texts are the
``Res`` strings of :mod:`.texts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import unquote_plus

from lxml import etree

from ..core.codec import SOAP11_ENV, SOAP12_ENV, safe_fromstring
from ..core.errors import MalformedResponseError
from ..core.wire import Binding, Operation, Service
from .engines import ENVELOPE_NS, HTTP_BY_METHOD, HTTP_ENGINES, SOAP_ENGINES
from .errors import FaultCode, RequestError, SoapRefusal, UnhandledError
from .texts import MAX_REQUEST_LENGTH, NULL_REFERENCE, argument_message, res

__all__ = [
    "UNDERSTOOD_HEADERS",
    "HttpRoute",
    "SoapRoute",
    "check_http_content_type",
    "refuse_oversized_soap_request",
    "route_http",
    "route_soap",
    "route_soap_request",
    "soap_action_of",
    "soap_binding_of",
    "soap_version_of",
    "unrecognized_http_operation",
]

_BINDING_OF_MIME = {e.mime: b for b, e in SOAP_ENGINES.items()}
_BINDING_OF_ENVELOPE = {SOAP11_ENV: Binding.SOAP11, SOAP12_ENV: Binding.SOAP12}


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
    return SOAP_ENGINES[binding].action_of(params, soapaction_header)


# --- SOAP routing --------------------------------------------------------------------------


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
    return tuple(b for b in SOAP_ENGINES if b in service.default_endpoints)


def _by_action(service: Service) -> dict[str, Operation[Any]]:
    """``SoapServerType.methods`` keyed by action (one action per method)."""
    found: dict[str, Operation[Any]] = {}
    for op in service.operations.values():
        for binding in SOAP_ENGINES:
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
    action = SOAP_ENGINES[helper].action_of(params, soapaction)
    root = _parse(body)
    version = _BINDING_OF_ENVELOPE.get(_ns(root)) if root is not None else None
    return (version if version in supported else helper), action


def _guess(supported: tuple[Binding, ...], content_type: str, soapaction: str | None) -> Binding:
    """Rule 1: ``SoapServerProtocol.GuessVersion`` (``supported`` not empty)."""
    if len(supported) < 2:
        return supported[0]
    by_header = next(b for b in supported if SOAP_ENGINES[b].action_header)
    other = next(b for b in supported if not SOAP_ENGINES[b].action_header)
    by_type = _matches_base(content_type, SOAP_ENGINES[other].mime)
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
    engine = SOAP_ENGINES[binding]
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


def refuse_oversized_soap_request(
    service: Service, content_type: str, soapaction: str | None
) -> SoapRefusal:
    """How ASMX answers a ``POST <path>`` whose body is beyond ``maxRequestLength`` (rule 15).

    ``SoapServerProtocol.Initialize`` calls ``message.SetStream(Request.InputStream)``
    inside the ``try`` that collects the high-priority SOAP extensions' exception;
    ``HttpRequest.GetEntireRawContent`` (behind ``InputStream``) throws the
    ``HttpException`` "Maximum request length exceeded.", so that exception is kept as
    ``extensionException`` and the stream is never set. Routing still runs on what needs
    no body (rule 1's guess, the ``SOAPAction`` header or the ``action=`` parameter); a
    routing failure comes first (Initialize throws it before looking at the extension
    exception), then ``SoapException.Create(Version, WebConfigExtensionError, Server,
    extensionException)``: a Server fault "There was an exception running the extensions
    specified in the config file. ---> Maximum request length exceeded." in the guessed
    version (``ReadParameters``, where the envelope's namespace would decide it, never
    runs). The body is never read, so no version mismatch can be found.
    """
    supported = _supported(service)
    if not supported:
        raise UnhandledError(500, res("WebUnrecognizedRequestFormat"))
    helper = _guess(supported, content_type, soapaction)
    try:
        _route(service, supported, helper, content_type, soapaction, None, None)
    except SoapRefusal as refusal:
        return refusal
    text = f"{res('WebConfigExtensionError')} ---> {MAX_REQUEST_LENGTH}"
    return SoapRefusal(helper, 500, FaultCode.SERVER, text)


def _route(
    service: Service,
    supported: tuple[Binding, ...],
    helper: Binding,
    content_type: str,
    soapaction: str | None,
    body: bytes | None,
    root: etree._Element | None,
) -> Operation[Any]:
    """The routed operation, or the :class:`SoapRefusal` routing ends in.

    ``body`` is ``None`` when the request stream was never set (a body beyond
    ``maxRequestLength``, see :func:`refuse_oversized_soap_request`).
    """
    actions = _by_action(service)
    if SOAP_ENGINES[helper].action_header:
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
                    + argument_message("Length cannot be less than zero.", "length"),
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
    # Initialize's catch rethrows whatever is not a version mismatch;
    # ServerProtocolFactory.Create hands it to SoapServerProtocol.WriteException, which
    # wraps any exception that is not a SoapException in a *Server* fault
    # (WebRequestUnableToProcess), and SetResponseErrorCode keeps 500 for it: the 400 of
    # an XmlException is for Client faults only (ReadParameters, once routed: rule 5).
    if root is None:
        # GetRequestElement reads message.Stream.Position first: with no stream (a body
        # beyond maxRequestLength, rule 15) that is a NullReferenceException; else
        # XmlTextReader.MoveToContent's XmlException ("Root element is missing." for an
        # empty body).
        inner = NULL_REFERENCE if body is None else _xml_message(body)
        raise SoapRefusal(
            helper, 500, FaultCode.SERVER, f"{res('WebRequestUnableToProcess')} ---> {inner}"
        )
    request_ns = _ns(root)
    try:
        tag = _request_element(root)
    except _ReadError as exc:
        # GetRequestElement noted the envelope's namespace before failing: Initialize's
        # catch switches to that version's helper and checks it (a mismatch wins), then
        # WriteException wraps the InvalidOperationException in a Server fault. The
        # Client fault "Server was unable to read request. ---> ..." is ReadParameters'
        # answer (rule 7), reached only when the action routed the request.
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


def route_soap(
    service: Service, binding: Binding, element: etree._Element, action: str
) -> Operation[Any]:
    """The operation a request of ``binding`` calls, given its body element and action.

    SOAP 1.1 routes on the action alone, SOAP 1.2 on the action if known, else on
    the element (rules 2 and 3); the texts are ASMX's.
    """
    actions = _by_action(service)
    if SOAP_ENGINES[binding].action_header:
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


# --- HTTP GET / POST routing ----------------------------------------------------------------


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
        if any(b in op.bindings for b in HTTP_ENGINES)
    }
    op = offered.get(name)
    if op is None:
        other = next((o for o in offered.values() if o.name.lower() == name.lower()), None)
        if other is not None:
            raise RequestError(
                argument_message(res("WebInvalidMethodNameCase", name, other.name), "methodName")
            )
        raise RequestError(res("WebInvalidMethodName", name))
    return HttpRoute(binding, op)


def check_http_content_type(route: HttpRoute, content_type: str) -> None:
    """Rule 13: HTTP POST reads only a form body (operations with parameters).

    ``HtmlFormParameterReader.Read`` compares the base (``ContentType.MatchesBase``:
    before any ``;``, untrimmed, ignoring case); HTTP GET's reader takes any.
    """
    engine = HTTP_ENGINES[route.binding]
    if route.op.http_params and not engine.accepts(_base(content_type).lower()):
        raise RequestError(res("WebInvalidRequestFormatDetails", content_type))


def unrecognized_http_operation(name: str) -> RequestError:
    """Rule 12: the text error for a method name the HTTP bindings do not offer."""
    return RequestError(res("WebInvalidMethodName", name))

"""The service endpoints: WSDL, SOAP 1.1 / 1.2 and the HTTP GET / POST bindings.

For each generation (an :class:`Endpoint`, served at its ``sandbox_path``):

- ``GET <path>?WSDL``: the vendored WSDL, addresses rewritten to the caller's base URL;
- ``GET <path>``: a small service page listing the operations;
- ``POST <path>``: SOAP 1.1 or 1.2 (the version and the operation as ASMX routes
  them: see :mod:`removethebackground.service`);
- ``GET|POST <path>/<Operation>``: the HTTP GET / POST bindings;
- anything else: ASP.NET's 405 or 500 error page, as ASMX answers it.

The protocol work (routing and refusing requests, reading envelopes and forms,
rendering results and faults exactly as ASMX does) is done by
:mod:`removethebackground.service`; this module only calls it, hands the parsed call
to the dispatcher (``app.service``, :mod:`.service`) and turns what comes back into
a :class:`~.web.Response`. It is the one module to switch when that protocol work
moves to other classes.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from .. import service as protocol
from ..core.wire import Binding, Generation, Service
from ..service import HTTP_ENGINES, EmptyAnswer, FaultCode, RequestError
from .operations import OperationCall
from .requestlog import Note, note
from .validation import Fault, SimulatedServerError
from .web import NO_CACHE, Request, Response
from .wsse import HeaderFault

if TYPE_CHECKING:
    from .state import SandboxState

__all__ = ["Endpoint", "endpoint", "http_binding", "service_page", "soap"]

log = logging.getLogger("removethebackground.sandbox")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One generation of the service, served at ``path``; ``key`` is its registry key."""

    path: str
    service: Service
    label: str
    key: str = ""

    @classmethod
    def of(cls, generation: Generation) -> Endpoint:
        return cls(generation.sandbox_path, generation.service, generation.label, generation.key)


def endpoint(app: SandboxState, ep: Endpoint, request: Request) -> Response:
    """``<path>`` itself: WSDL or service page on GET, SOAP on POST (asmx rule 10)."""
    if request.method == "GET":
        names = [part.split("=", 1)[0].lower() for part in request.query.split("&")]
        if "wsdl" in names:
            return Response(
                200,
                protocol.wsdl_for(ep.service, request.base_url + ep.path),
                protocol.HTTP_CONTENT_TYPE,
                [NO_CACHE],
            )
        return service_page(ep, request)
    if request.method == "POST":
        return soap(app, ep, request)
    # SoapServerProtocolFactory, DiscoveryServerProtocolFactory and
    # DocumentationServerProtocolFactory: UnsupportedRequestProtocol(405), HEAD included.
    return _error_page(
        protocol.UnhandledError(
            405, protocol.res("WebUnrecognizedRequestFormat"), "System.Web.HttpException"
        ),
        note(request.environ),
    )


def soap(app: SandboxState, ep: Endpoint, request: Request) -> Response:
    op_name = "?"
    seen = note(request.environ)
    soapaction = request.environ.get("HTTP_SOAPACTION")
    try:
        try:
            body = request.body(app.config.max_request_bytes)
        except EmptyAnswer as exc:
            if exc.status != 413:
                raise
            # asmx rule 15: SoapServerProtocol.Initialize meets the HttpException among
            # its SOAP extensions' set-up (before any extension, --require-wsse/-wsa
            # included, could run), routes on the headers, then answers it as a fault.
            raise protocol.refuse_oversized_soap_request(
                ep.service, request.content_type, soapaction
            ) from None
        if app.header_checks is not None:  # --require-wsse / --require-wsa (see .wsse)
            # A SOAP extension: it runs before routing (SoapServerProtocol.Initialize).
            checked, action = protocol.soap_version_of(
                ep.service, request.content_type, soapaction, body
            )
            try:
                body = app.header_checks.check(body, checked, action, request.base_url + ep.path)
            except HeaderFault as exc:
                seen.binding, seen.fault = checked.value, str(exc)
                log.info("%s -> 500 %s:%s", checked.value, exc.prefix, exc.codes[-1])
                return Response(500, exc.render(checked), protocol.SOAP_CONTENT_TYPES[checked])
        route = protocol.route_soap_request(ep.service, request.content_type, soapaction, body)
    except EmptyAnswer as exc:
        seen.fault = exc.reason
        return Response(exc.status)
    except protocol.SoapRefusal as exc:
        # 400 and 415 have no text (an empty answer): their reason phrase stands in.
        seen.binding = exc.binding.value
        seen.fault = exc.text or _phrase(exc.status)
        status, content_type, answer = protocol.render_soap_refusal(exc)
        log.info("%s -> %d %s: %s", exc.binding.value, status, exc.code.value, exc.text[:200])
        headers = [NO_CACHE] if answer else []
        return Response(status, answer, content_type, headers)
    except protocol.UnhandledError as exc:
        return _error_page(exc, seen)
    binding = route.binding
    op = route.op
    op_name = op.name
    seen.binding, seen.operation = binding.value, op_name
    for child in route.element:
        if isinstance(child.tag, str):
            seen.param(child.tag.rpartition("}")[2], child.text)
    try:
        values = protocol.parse_soap_request(op, route.element)
        result = app.service.call(ep.key, op, values, OperationCall(request.base_url))
        if route.not_understood is not None:
            # SoapServerProtocol.WriteReturns: EnsureHeadersUnderstood, after the call.
            text = protocol.res("WebCannotUnderstandHeader", route.not_understood)
            return _soap_fault(
                binding, FaultCode.MUST_UNDERSTAND, text, op_name, seen, detail=False
            )
        answer = protocol.render_soap_result(op, binding, result)
        log.info("%s %s -> 200", binding.value, op_name)
        return Response(200, answer, protocol.SOAP_CONTENT_TYPES[binding], [NO_CACHE])
    except EmptyAnswer as exc:
        log.info("%s %s -> %d", binding.value, op_name, exc.status)
        seen.fault = exc.reason
        return Response(exc.status)
    except RequestError as exc:
        answer_binding = Binding.SOAP11 if exc.soap11 else binding
        return _soap_fault(answer_binding, exc.code, exc.text, op_name, seen)
    except Fault as exc:
        code = FaultCode.SERVER if exc.server else FaultCode.CLIENT
        return _soap_fault(binding, code, exc.text, op_name, seen)
    except SimulatedServerError as exc:
        text = f"Server was unable to process request. ---> {exc}"
        return _soap_fault(binding, FaultCode.SERVER, text, op_name, seen)
    except Exception as exc:
        log.exception("%s %s: unexpected error", binding.value, op_name)
        text = f"Server was unable to process request. ---> {exc or type(exc).__name__}"
        return _soap_fault(binding, FaultCode.SERVER, text, op_name, seen)


def _phrase(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _soap_fault(
    binding: Binding, code: FaultCode, text: str, op_name: str, seen: Note, *, detail: bool = True
) -> Response:
    seen.fault = text
    log.info("%s %s -> 500 %s fault: %s", binding.value, op_name, code.value, text[:200])
    return Response(
        500,
        protocol.render_soap_fault(binding, code, text, detail=detail),
        protocol.SOAP_CONTENT_TYPES[binding],
        [NO_CACHE],
    )


def _error_page(exc: protocol.UnhandledError, seen: Note) -> Response:
    seen.fault = exc.message
    log.info("-> %d %s", exc.status, exc.message[:200])
    return Response(exc.status, protocol.render_error_page(exc), protocol.HTML_CONTENT_TYPE)


def http_binding(app: SandboxState, ep: Endpoint, path_info: str, request: Request) -> Response:
    """``<path>/<name>``: the HTTP GET / POST bindings (asmx rules 11-14).

    ``path_info`` is what follows ``<path>``, ``/`` included (ASP.NET's ``PathInfo``).
    """
    name = path_info[1:]
    seen = note(request.environ)
    seen.operation = name or None
    try:
        route = protocol.route_http(ep.service, request.method, path_info)
    except protocol.UnhandledError as exc:
        return _error_page(exc, seen)
    except RequestError as exc:
        return _text_error(Binding.HTTP_GET, name, exc.text, seen)
    chosen = route.binding
    engine = HTTP_ENGINES[chosen]
    op = route.op
    seen.binding, seen.operation = chosen.value, op.name
    try:
        protocol.check_http_content_type(route, request.content_type)
        # HttpServerProtocol.ReadParameters: an operation without parameters reads
        # nothing (not even a body beyond maxRequestLength); HTTP POST reads the form.
        reads = engine.reads_body and bool(op.http_params)
        try:
            body = request.body(app.config.max_request_bytes) if reads else b""
        except EmptyAnswer as exc:
            if exc.status != 413:
                raise
            # asmx rule 15: Request.Form's HttpException, answered by
            # HttpServerProtocol.WriteException (500 text/plain).
            raise RequestError(protocol.MAX_REQUEST_LENGTH) from None
        text = engine.request_text(request.query, body)
        try:
            pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=1000)
        except ValueError:
            raise RequestError("Too many parameters.") from None
        for pair_name, pair_value in pairs:
            seen.param(pair_name, pair_value)
        values = protocol.parse_http_request(op, pairs)
        result = app.service.call(ep.key, op, values, OperationCall(request.base_url))
        log.info("%s %s -> 200", chosen.value, op.name)
        return Response(
            200,
            protocol.render_http_result(op, result),
            protocol.HTTP_CONTENT_TYPE,
            [NO_CACHE],
        )
    except EmptyAnswer as exc:
        seen.fault = exc.reason
        return Response(exc.status)
    except (RequestError, Fault) as exc:
        return _text_error(chosen, name, exc.text, seen)
    except SimulatedServerError as exc:
        return _text_error(chosen, name, str(exc), seen)
    except Exception as exc:
        log.exception("%s %s: unexpected error", chosen.value, name[:100])
        return _text_error(chosen, name, str(exc) or type(exc).__name__, seen)


def _text_error(binding: Binding, name: str, text: str, seen: Note) -> Response:
    seen.fault = text
    log.info("%s %s -> 500: %s", binding.value, name[:100], text[:200])
    return Response(500, protocol.render_text_error(text), protocol.PLAIN_CONTENT_TYPE, [NO_CACHE])


def service_page(ep: Endpoint, request: Request) -> Response:
    """The stand-in for ASMX's service help page: the operations and the WSDL link."""
    url = html.escape(request.base_url + ep.path)
    items = "".join(f"<li>{html.escape(name)}</li>" for name in sorted(ep.service.operations))
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(ep.service.name)} web service (sandbox)</title></head>"
        f"<body><h1>{html.escape(ep.label)}: sandbox</h1>"
        f'<p>Service description: <a href="{url}?WSDL">{url}?WSDL</a></p>'
        f"<ul>{items}</ul></body></html>"
    )
    return Response(200, page.encode("utf-8"), "text/html; charset=utf-8", [NO_CACHE])

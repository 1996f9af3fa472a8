"""The service endpoints: WSDL, SOAP 1.1 / 1.2 and the HTTP GET / POST bindings.

For each generation (an :class:`Endpoint`, served at its ``sandbox_path``):

- ``GET <path>?WSDL``: the vendored WSDL, addresses rewritten to the caller's base URL;
- ``GET <path>``: a small service page listing the operations;
- ``POST <path>``: SOAP 1.1 or 1.2, by Content-Type;
- ``GET|POST <path>/<Operation>``: the HTTP GET / POST bindings.

The protocol work (reading envelopes and forms, routing by SOAPAction or body
element, rendering results and faults exactly as ASMX does) is done by
:mod:`removethebackground.asmx`; this module only calls it, hands the parsed call
to the dispatcher (``app.service``, :mod:`.service`) and turns what comes back into
a :class:`~.web.Response`. It is the one module to switch when that protocol work
moves to other classes.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from .. import asmx as protocol
from ..asmx import EmptyAnswer, FaultCode, RequestError
from ..bindings import HTTP_BY_METHOD
from ..wire import Binding, Generation, Service
from .operations import CallContext
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
    """``<path>`` itself: WSDL or service page on GET, SOAP on POST."""
    if request.method in ("GET", "HEAD"):
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
    return Response(405, headers=[("Allow", "GET, HEAD, POST")])


def soap(app: SandboxState, ep: Endpoint, request: Request) -> Response:
    content_type = request.content_type
    binding = protocol.soap_binding_of(content_type)
    if binding is None or binding not in ep.service.default_endpoints:
        return Response(415)
    op_name = "?"
    try:
        body = request.body(app.config.max_request_bytes)
        action = protocol.soap_action_of(
            binding, content_type, request.environ.get("HTTP_SOAPACTION")
        )
        if app.header_checks is not None:  # --require-wsse / --require-wsa (see .wsse)
            body = app.header_checks.check(body, binding, action, request.base_url + ep.path)
        element = protocol.read_envelope(body, binding)
        op = protocol.route_soap(ep.service, binding, element, action)
        op_name = op.name
        values = protocol.parse_soap_request(op, element)
        result = app.service.call(ep.key, op, values, CallContext(request.base_url))
        answer = protocol.render_soap_result(op, binding, result)
        log.info("%s %s -> 200", binding.value, op_name)
        return Response(200, answer, protocol.SOAP_CONTENT_TYPES[binding], [NO_CACHE])
    except EmptyAnswer as exc:
        log.info("%s %s -> %d", binding.value, op_name, exc.status)
        return Response(exc.status)
    except HeaderFault as exc:
        log.info("%s -> 500 %s:%s", binding.value, exc.prefix, exc.codes[-1])
        return Response(500, exc.render(binding), protocol.SOAP_CONTENT_TYPES[binding])
    except RequestError as exc:
        answer_binding = Binding.SOAP11 if exc.soap11 else binding
        return _soap_fault(answer_binding, exc.code, exc.text, op_name)
    except Fault as exc:
        code = FaultCode.SERVER if exc.server else FaultCode.CLIENT
        return _soap_fault(binding, code, exc.text, op_name)
    except SimulatedServerError as exc:
        text = f"Server was unable to process request. ---> {exc}"
        return _soap_fault(binding, FaultCode.SERVER, text, op_name)
    except Exception as exc:
        log.exception("%s %s: unexpected error", binding.value, op_name)
        text = f"Server was unable to process request. ---> {exc or type(exc).__name__}"
        return _soap_fault(binding, FaultCode.SERVER, text, op_name)


def _soap_fault(binding: Binding, code: FaultCode, text: str, op_name: str) -> Response:
    log.info("%s %s -> 500 %s fault: %s", binding.value, op_name, code.value, text[:200])
    return Response(
        500,
        protocol.render_soap_fault(binding, code, text),
        protocol.SOAP_CONTENT_TYPES[binding],
        [NO_CACHE],
    )


def http_binding(app: SandboxState, ep: Endpoint, name: str, request: Request) -> Response:
    """``<path>/<name>``: the HTTP GET / POST bindings."""
    # Not HEAD: calling an operation can change state, and HEAD must not.
    engine = HTTP_BY_METHOD.get(request.method)
    if engine is None:
        return Response(405, headers=[("Allow", "GET, POST")])
    chosen = engine.binding
    ops = ep.service.operations
    op = ops.get(name) or next((o for o in ops.values() if o.name.lower() == name.lower()), None)
    try:
        if op is None or chosen not in op.bindings:
            raise protocol.unrecognized_http_operation(name[:100])
        mime = request.content_type.split(";")[0].strip().lower()
        if not engine.accepts(mime):
            return Response(415)
        body = request.body(app.config.max_request_bytes) if engine.reads_body else b""
        text = engine.request_text(request.query, body)
        try:
            pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=1000)
        except ValueError:
            raise RequestError("Too many parameters.") from None
        values = protocol.parse_http_request(op, pairs)
        result = app.service.call(ep.key, op, values, CallContext(request.base_url))
        log.info("%s %s -> 200", chosen.value, op.name)
        return Response(
            200,
            protocol.render_http_result(op, result),
            protocol.HTTP_CONTENT_TYPE,
            [NO_CACHE],
        )
    except EmptyAnswer as exc:
        return Response(exc.status)
    except (RequestError, Fault) as exc:
        return _text_error(chosen, name, exc.text)
    except SimulatedServerError as exc:
        return _text_error(chosen, name, str(exc))
    except Exception as exc:
        log.exception("%s %s: unexpected error", chosen.value, name[:100])
        return _text_error(chosen, name, str(exc) or type(exc).__name__)


def _text_error(binding: Binding, name: str, text: str) -> Response:
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

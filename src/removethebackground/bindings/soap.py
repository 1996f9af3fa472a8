"""SOAP 1.1 and SOAP 1.2, the client side: the envelope, the action, faults.

- Content-Type: ``text/xml; charset=utf-8`` (1.1); ``application/soap+xml;
  charset=utf-8; action="..."`` (1.2).
- The action: the ``SOAPAction: "..."`` header (1.1); the ``action=`` parameter of
  the Content-Type (1.2).
- The envelope: ``http://schemas.xmlsoap.org/soap/envelope/`` (1.1);
  ``http://www.w3.org/2003/05/soap-envelope`` (1.2).
- Faults: ``faultcode`` / ``faultstring`` / ``detail`` with codes ``Client`` and
  ``Server`` (1.1); ``Code/Value`` (+ ``Subcode``), ``Reason/Text``, ``Detail`` with
  ``Sender`` and ``Receiver`` (1.2), which the client reads as ``Client``/``Server``.

The request envelope is written by a plan compiled once per operation (the same
bytes lxml writes, see :func:`removethebackground.core.codec.compile_writer`), or, for
operations with complex parameters and when envelope plugins are set, as an lxml
tree. The service side of both versions (reading requests, writing answers and
faults as ASMX does) is :mod:`removethebackground.service.engines`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from lxml import etree

from .._version import __version__
from ..core.codec import (
    SOAP11_ENV,
    SOAP12_ENV,
    XSD_NS,
    XSI_NS,
    build_children,
    compile_writer,
    safe_fromstring,
)
from ..core.errors import MalformedResponseError, ServiceFault
from ..core.faultcodes import qualified_fault
from ..core.http import HttpAnswer, HttpRequest
from ..core.wire import Binding, Field, Operation
from ..core.wirelog import log_envelope, wire_log
from .base import BindingEngine, CallContext
from .common import excerpt, fault_error, http_status_error, local_code, result_of

__all__ = [
    "BINDING_OF_ENVELOPE",
    "SOAP11",
    "SOAP12",
    "SOAP_ENVELOPES",
    "Soap11Binding",
    "Soap12Binding",
    "SoapBinding",
    "has_unqualified",
]

R = TypeVar("R")

#: Every SOAP envelope namespace, with the binding it belongs to.
SOAP_ENVELOPES: Mapping[str, Binding] = {SOAP11_ENV: Binding.SOAP11, SOAP12_ENV: Binding.SOAP12}
_XML_MIMES = frozenset({"text/xml", "application/soap+xml", "application/xml"})
_USER_AGENT = f"removethebackground/{__version__}"


class _Plan:
    """What is fixed for one operation on one SOAP binding, computed once."""

    __slots__ = ("empty", "head", "headers", "response_tag", "result_tag", "tail", "writer")

    def __init__(self, engine: SoapBinding, op: Operation[Any]) -> None:
        ns = engine.envelope_ns
        self.head = (
            "<?xml version='1.0' encoding='utf-8'?>\n"
            f'<soap:Envelope xmlns:soap="{ns}" xmlns:xsi="{XSI_NS}" xmlns:xsd="{XSD_NS}">'
            f'<soap:Body><{op.request_element} xmlns="{op.namespace}">'
        )
        self.tail = f"</{op.request_element}></soap:Body></soap:Envelope>"
        self.empty = (
            "<?xml version='1.0' encoding='utf-8'?>\n"
            f'<soap:Envelope xmlns:soap="{ns}" xmlns:xsi="{XSI_NS}" xmlns:xsd="{XSD_NS}">'
            f'<soap:Body><{op.request_element} xmlns="{op.namespace}"/>'
            "</soap:Body></soap:Envelope>"
        ).encode()
        self.writer = compile_writer(op.params, op.namespace)
        self.headers = engine.request_headers(op.soap_actions[engine.binding])
        self.response_tag = op.response_tag
        self.result_tag = op.result.tag


def has_unqualified(fields: tuple[Field, ...], seen: set[int] | None = None) -> bool:
    """Whether any element among ``fields`` (or below them) has no namespace."""
    seen = set() if seen is None else seen
    for f in fields:
        if f.attribute:
            continue
        if f.namespace is None:
            return True
        for model in (f.model, f.item.model if f.item is not None else None):
            if model is not None and id(model) not in seen:
                seen.add(id(model))
                if has_unqualified(model.__wire__.fields, seen):
                    return True
        if f.item is not None and f.item.namespace is None:
            return True
    return False


class SoapBinding(BindingEngine):
    """What SOAP 1.1 and 1.2 share; the subclasses differ only in their constants."""

    envelope_ns: ClassVar[str]
    mime: ClassVar[str]
    #: SOAP 1.1 code names to this version's names (1.2: Client -> Sender ...).
    code_names: ClassVar[Mapping[str, str]]

    def __init__(self) -> None:
        self.answer_content_type = f"{self.mime}; charset=utf-8"
        self._plans: dict[int, tuple[Operation[Any], _Plan]] = {}
        self._lock = threading.Lock()
        self._code_of_name = {name: code for code, name in self.code_names.items()}

    def _plan(self, op: Operation[Any]) -> _Plan:
        found = self._plans.get(id(op))
        if found is not None and found[0] is op:
            return found[1]
        plan = _Plan(self, op)
        with self._lock:
            self._plans[id(op)] = (op, plan)
        return plan

    # --- how the action travels -----------------------------------------------------------

    def request_headers(self, action: str) -> dict[str, str]:
        """The binding's own headers for a request naming ``action``."""
        raise NotImplementedError

    # --- client side ------------------------------------------------------------------------

    def build_envelope(
        self, op: Operation[Any], values: Mapping[str, object], ctx: CallContext | None = None
    ) -> bytes:
        """The request envelope (``values`` keyed by attribute name)."""
        plan = self._plan(op)
        if plan.writer is not None and not (ctx and ctx.plugins):
            out: list[str] = []
            plan.writer(values, out)
            if not out:
                return plan.empty
            return f"{plan.head}{''.join(out)}{plan.tail}".encode()
        envelope = etree.Element(
            f"{{{self.envelope_ns}}}Envelope",
            nsmap={"soap": self.envelope_ns, "xsi": XSI_NS, "xsd": XSD_NS},
        )
        body = etree.SubElement(envelope, f"{{{self.envelope_ns}}}Body")
        # A default namespace would capture unqualified children (elementFormDefault
        # "unqualified"), which lxml writes without an xmlns="" undeclaration: such
        # requests declare the operation's namespace with a prefix instead.
        nsmap = {"ns0": op.namespace} if has_unqualified(op.params) else {None: op.namespace}
        request = etree.SubElement(body, op.request_tag, nsmap=nsmap)  # type: ignore[arg-type]
        build_children(request, op.params, values)
        if ctx is not None:
            for plugin in ctx.plugins:
                plugin.outgoing(envelope, op, self.binding)
        data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        return data

    def build_request(
        self,
        op: Operation[Any],
        values: Mapping[str, object],
        endpoint: str,
        headers: Mapping[str, str],
        ctx: CallContext,
    ) -> HttpRequest:
        plan = self._plan(op)
        body = self.build_envelope(op, values, ctx)
        if wire_log.isEnabledFor(logging.DEBUG):
            log_envelope("request", body, op.name, self.binding.value, ctx.redact)
        merged = {**plan.headers, **headers} if headers else plan.headers
        return HttpRequest("POST", endpoint, merged, body, op, self.binding)

    def read_answer(self, op: Operation[R], answer: HttpAnswer, ctx: CallContext) -> R:
        status = answer.status
        data = answer.body
        if data and wire_log.isEnabledFor(logging.DEBUG):
            log_envelope("answer", data, op.name, self.binding.value, ctx.redact)
        if not (status == 200 or (status == 500 and data and answer.mime in _XML_MIMES)):
            raise http_status_error(op, self.binding, answer, ctx)
        try:
            root = safe_fromstring(data)
        except MalformedResponseError as exc:
            raise MalformedResponseError(
                str(exc.args[0]),
                http_status=status,
                excerpt=excerpt(data, ctx),
                operation=op.name,
                binding=self.binding.value,
            ) from None
        plan = self._plan(op)
        tag = root.tag
        env_ns = tag[1 : tag.index("}")] if isinstance(tag, str) and tag[:1] == "{" else ""
        if env_ns not in SOAP_ENVELOPES or tag != f"{{{env_ns}}}Envelope":
            raise self._malformed(
                op, status, f"expected a SOAP envelope, got <{etree.QName(root).localname}>"
            )
        if ctx.plugins:
            for plugin in ctx.plugins:
                plugin.incoming(root, op, self.binding)
        body = root.find(f"{{{env_ns}}}Body")
        # The parser drops comments and processing instructions: the first child is the
        # first element.
        first = body[0] if body is not None and len(body) else None
        if first is None:
            raise self._malformed(op, status, "the SOAP body is empty")
        if first.tag == f"{{{env_ns}}}Fault":
            raise self._fault(op, first, env_ns, status, ctx)
        if status != 200:
            raise self._malformed(op, status, f"HTTP {status} without a SOAP fault")
        if env_ns != self.envelope_ns:
            raise self._malformed(
                op, status, f"answered with a {env_ns} envelope to a {self.binding.value} request"
            )
        if first.tag != plan.response_tag:
            raise self._malformed(
                op,
                status,
                f"expected <{op.response_element}>, got <{etree.QName(first).localname}>",
            )
        result = first.find(plan.result_tag) if plan.result_tag else None  # "": void
        return result_of(op, result, status, self.binding)

    def _malformed(self, op: Operation[Any], status: int, message: str) -> MalformedResponseError:
        return MalformedResponseError(
            message, http_status=status, operation=op.name, binding=self.binding.value
        )

    def _fault(
        self,
        op: Operation[Any],
        fault: etree._Element,
        env_ns: str,
        status: int,
        ctx: CallContext,
    ) -> ServiceFault:
        engine = BINDING_OF_ENVELOPE[env_ns]
        code, subcode, text, detail = engine.read_fault(fault)
        # A WS-Security or WS-Addressing code (SOAP 1.1 faultcode, SOAP 1.2 Subcode) is
        # a QName of its own namespace: it picks the class, and is kept as the subcode.
        qualified = qualified_fault(fault, env_ns)
        if qualified is not None:
            cls, subcode = qualified
            return fault_error(op, self.binding, status, "Client", subcode, text, detail, ctx, cls)
        return fault_error(op, self.binding, status, code, subcode, text, detail, ctx)

    def read_fault(
        self, fault: etree._Element
    ) -> tuple[str | None, str | None, str, etree._Element | None]:
        """(normalised code, subcode, text, detail) of a ``Fault`` element of this version."""
        raise NotImplementedError

    def normalise_code(self, raw: str | None) -> str:
        local = local_code(raw)
        return self._code_of_name.get(local, local)


class Soap11Binding(SoapBinding):
    binding = Binding.SOAP11
    envelope_ns = SOAP11_ENV
    mime = "text/xml"
    code_names: ClassVar[Mapping[str, str]] = {}

    def request_headers(self, action: str) -> dict[str, str]:
        return {
            "User-Agent": _USER_AGENT,
            "Content-Type": f"{self.mime}; charset=utf-8",
            "SOAPAction": f'"{action}"',
        }

    def read_fault(
        self, fault: etree._Element
    ) -> tuple[str | None, str | None, str, etree._Element | None]:
        text = fault.findtext("faultstring") or ""
        # ASMX writes soap:Client.SomeSubcode for custom codes: keep the class part.
        code = self.normalise_code(fault.findtext("faultcode")).split(".")[0]
        return code or None, None, text, fault.find("detail")


class Soap12Binding(SoapBinding):
    binding = Binding.SOAP12
    envelope_ns = SOAP12_ENV
    mime = "application/soap+xml"
    code_names: ClassVar[Mapping[str, str]] = {"Client": "Sender", "Server": "Receiver"}

    def request_headers(self, action: str) -> dict[str, str]:
        return {
            "User-Agent": _USER_AGENT,
            "Content-Type": f'{self.mime}; charset=utf-8; action="{action}"',
        }

    def read_fault(
        self, fault: etree._Element
    ) -> tuple[str | None, str | None, str, etree._Element | None]:
        ns = self.envelope_ns
        code = self.normalise_code(fault.findtext(f"{{{ns}}}Code/{{{ns}}}Value"))
        sub = fault.findtext(f"{{{ns}}}Code/{{{ns}}}Subcode/{{{ns}}}Value")
        text = fault.findtext(f"{{{ns}}}Reason/{{{ns}}}Text") or ""
        return (
            code or None,
            local_code(sub) if sub is not None else None,
            text,
            fault.find(f"{{{ns}}}Detail"),
        )


SOAP11 = Soap11Binding()
SOAP12 = Soap12Binding()
#: The engine that reads a fault written in each envelope namespace (a SOAP 1.1 fault
#: may answer a SOAP 1.2 request: ASMX answers VersionMismatch in SOAP 1.1).
BINDING_OF_ENVELOPE: Mapping[str, SoapBinding] = {SOAP11_ENV: SOAP11, SOAP12_ENV: SOAP12}

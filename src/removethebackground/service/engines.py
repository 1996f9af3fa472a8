"""The service halves of the four binding engines: reading requests, writing answers.

=================  ===============================  ===================================
:class:`Binding`   engine                           client half (``bindings/``)
=================  ===============================  ===================================
``SOAP11``         :class:`Soap11ServiceEngine`     ``soap.Soap11Binding``
``SOAP12``         :class:`Soap12ServiceEngine`     ``soap.Soap12Binding``
``HTTP_GET``       :class:`HttpGetServiceEngine`    ``http.HttpGetBinding``
``HTTP_POST``      :class:`HttpPostServiceEngine`   ``http.HttpPostBinding``
=================  ===============================  ===================================

Each engine takes its binding, content types, envelope namespace and fault code
names from its client half (:data:`removethebackground.bindings.BINDINGS`), and adds
what only a service does with them, the way the recorded ASMX traffic
(``asmx-traffic/``) shows it:

- SOAP answers: one line, ``<?xml version="1.0" encoding="utf-8"?>`` then the
  envelope declaring ``soap``, ``xsi`` and ``xsd`` in that order; empty elements as
  ``<X />``; the Content-Type of the request's SOAP version.
- HTTP GET/POST answers: the bare result element (``http_result_element``)
  declaring ``xsd``, ``xsi`` and the default namespace, indented by two spaces.
- Faults: SOAP 1.1 ``faultcode``/``faultstring``/``<detail />``; SOAP 1.2
  ``Code/Value``, ``Reason/Text xml:lang="en"``, ``<soap:Detail />``.
- HTTP GET/POST errors: ``text/plain; charset=utf-8``, the message HTML-encoded
  (``'`` as ``&#39;``) and followed by a newline.

The routing that decides which engine reads a request is :mod:`.routing`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

from lxml import etree

from ..bindings import HTTP_BINDINGS, SOAP_BINDINGS, BindingEngine
from ..bindings.http import FORM_CONTENT_TYPE, TEXT_ERROR_CONTENT_TYPE, HttpBinding
from ..bindings.soap import SoapBinding, has_unqualified
from ..core.codec import (
    SOAP11_ENV,
    XSD_NS,
    XSI_NS,
    build_children,
    parse_scalar,
    safe_fromstring,
    xml_char,
)
from ..core.errors import MalformedResponseError
from ..core.wire import Binding, Operation, WireModel
from .errors import EmptyAnswer, FaultCode, RequestError
from .texts import READ_ERROR

__all__ = [
    "ENGINES",
    "ENVELOPE_NS",
    "HTTP_BY_METHOD",
    "HTTP_CONTENT_TYPE",
    "HTTP_ENGINES",
    "PLAIN_CONTENT_TYPE",
    "SOAP_CONTENT_TYPES",
    "SOAP_ENGINES",
    "XML_DECLARATION",
    "HttpGetServiceEngine",
    "HttpPostServiceEngine",
    "HttpServiceEngine",
    "ServiceEngine",
    "Soap11ServiceEngine",
    "Soap12ServiceEngine",
    "SoapServiceEngine",
    "html_encode",
    "serialize_asmx",
    "xml_safe",
]

#: The XML declaration ASMX writes before every answer.
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# --- ASMX serialisation ---------------------------------------------------------------------


def serialize_asmx(element: etree._Element, *, pretty: bool = False) -> bytes:
    """Serialise as ASP.NET writes: ``<x />`` for empty elements, an empty string as one."""
    for node in element.iter():
        if node.text == "":  # an empty string is an empty element, as ASP.NET writes it
            node.text = None
    data: bytes = etree.tostring(element, encoding="utf-8", pretty_print=pretty)
    # lxml writes <x/>; ASP.NET writes <x />. A literal "/>" only ever closes an empty
    # element: in text and attribute values ">" is escaped as "&gt;".
    return data.replace(b"/>", b" />").rstrip(b"\n")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by ``?``."""
    return "".join(c if xml_char(c) else "?" for c in text)


def html_encode(text: str) -> str:
    """HTML-encode like ASP.NET's ``HttpUtility.HtmlEncode`` (``'`` becomes ``&#39;``)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


class ServiceEngine(ABC):
    """The service half of one binding's protocol; see the module docstring."""

    #: The client half of the same binding, whose wire facts this side reads.
    wire: ClassVar[BindingEngine]

    @property
    def binding(self) -> Binding:
        """The binding this engine serves."""
        return self.wire.binding

    @property
    def answer_content_type(self) -> str:
        """The Content-Type of this binding's answers (its client half's wire fact)."""
        return self.wire.answer_content_type

    @abstractmethod
    def render_result(self, op: Operation[Any], result: Any) -> bytes:
        """The body of a successful answer, as an ASMX stack writes it."""


# --- SOAP 1.1 and 1.2 -------------------------------------------------------------------------


class SoapServiceEngine(ServiceEngine):
    """What the service sides of SOAP 1.1 and 1.2 share; the subclasses differ in constants."""

    #: The client half: binding, media type, envelope namespace, fault code names.
    wire: ClassVar[SoapBinding]
    #: The prefix ASMX gives this envelope's namespace (``Soap.Prefix``, ``Soap12.Prefix``).
    prefix: ClassVar[str]
    #: The HTTP header ASMX routes this version on; ``None``: the ``action=``
    #: parameter of the Content-Type, then the body element.
    action_header: ClassVar[str | None]
    #: Whether ASMX takes this version only with its own media type (SOAP 1.1 only:
    #: ``SoapServerProtocol.ReadParameters``); SOAP 1.2 takes any SOAP media type.
    strict_content_type: ClassVar[bool]

    @property
    def envelope_ns(self) -> str:
        """The envelope namespace of this SOAP version."""
        return self.wire.envelope_ns

    @property
    def mime(self) -> str:
        """The media type of this SOAP version."""
        return self.wire.mime

    def action_of(self, content_type_params: Mapping[str, str], soapaction: str | None) -> str:
        """The action a request names; ``""`` if none."""
        raise NotImplementedError

    def read_request(self, body: bytes) -> etree._Element:
        """The operation element of a SOAP request (the first child of ``Body``).

        The refusals carry ASMX's texts (``Res``); the order in which ASMX meets them,
        and what it does instead where the body is not read at all, is
        :func:`removethebackground.service.routing.route_soap_request`'s.
        """
        try:
            root = safe_fromstring(body, "request")
        except MalformedResponseError:
            raise EmptyAnswer(400, "Bad Request") from None
        expected = self.envelope_ns
        name = etree.QName(root)
        if name.localname != "Envelope":
            raise RequestError(
                f"{READ_ERROR}Request format is invalid: Missing required soap:Envelope element."
            )
        if name.namespace != expected:
            raise RequestError(
                # SoapServerProtocol.CheckHelperVersion: answered in SOAP 1.1, expecting it.
                f"Possible SOAP version mismatch: Envelope namespace {name.namespace or ''} "
                f"was unexpected. Expecting {SOAP11_ENV}.",
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
            raise RequestError(
                f"{READ_ERROR}Request format is invalid: Missing required soap:Body element."
            )
        first = next((child for child in soap_body if isinstance(child.tag, str)), None)
        if first is None:
            raise RequestError(
                "Unable to handle request without a valid action parameter. "
                "Please supply a valid soap action."
            )
        return first

    def _envelope(self) -> tuple[etree._Element, etree._Element]:
        ns = self.envelope_ns
        envelope = etree.Element(
            f"{{{ns}}}Envelope", nsmap={"soap": ns, "xsi": XSI_NS, "xsd": XSD_NS}
        )
        body = etree.SubElement(envelope, f"{{{ns}}}Body")
        return envelope, body

    def render_result(self, op: Operation[Any], result: WireModel) -> bytes:
        envelope, body = self._envelope()
        unqualified = has_unqualified((op.result,))
        nsmap = {"ns0": op.namespace} if unqualified else {None: op.namespace}
        response = etree.SubElement(body, op.response_tag, nsmap=nsmap)  # type: ignore[arg-type]
        build_children(response, (op.result,), {op.result.attr: result})
        return XML_DECLARATION + serialize_asmx(envelope)

    def fault_qname(self, code: FaultCode) -> str:
        return f"soap:{self.wire.code_names.get(code.value, code.value)}"

    def render_fault(
        self,
        code: FaultCode,
        text: str,
        *,
        header_blocks: Sequence[etree._Element] = (),
        detail: bool = True,
    ) -> bytes:
        """A fault envelope; ``header_blocks`` go in a ``Header`` before the ``Body``
        (ASMX's ``Upgrade`` block), ``detail=False`` leaves out the empty detail as
        ASMX does for a fault about a header (``SoapHeaderException``)."""
        envelope, body = self._envelope()
        if header_blocks:
            header = etree.Element(f"{{{self.envelope_ns}}}Header")
            header.extend(header_blocks)
            body.addprevious(header)
        fault = etree.SubElement(body, f"{{{self.envelope_ns}}}Fault")
        self.fill_fault(fault, code, xml_safe(text))
        if not detail:
            fault.remove(fault[-1])
        return XML_DECLARATION + serialize_asmx(envelope)

    def fill_fault(self, fault: etree._Element, code: FaultCode, text: str) -> None:
        """Fill ``fault`` with its code, text and (last) an empty detail."""
        raise NotImplementedError


class Soap11ServiceEngine(SoapServiceEngine):
    wire = SOAP_BINDINGS[Binding.SOAP11]
    prefix = "soap"
    action_header = "SOAPAction"
    strict_content_type = True

    def action_of(self, content_type_params: Mapping[str, str], soapaction: str | None) -> str:
        return (soapaction or "").strip().strip('"').strip()

    def fill_fault(self, fault: etree._Element, code: FaultCode, text: str) -> None:
        etree.SubElement(fault, "faultcode").text = self.fault_qname(code)
        etree.SubElement(fault, "faultstring").text = text
        etree.SubElement(fault, "detail")


class Soap12ServiceEngine(SoapServiceEngine):
    wire = SOAP_BINDINGS[Binding.SOAP12]
    prefix = "soap12"
    action_header = None
    strict_content_type = False

    def action_of(self, content_type_params: Mapping[str, str], soapaction: str | None) -> str:
        return content_type_params.get("action", "").strip().strip('"').strip()

    def fill_fault(self, fault: etree._Element, code: FaultCode, text: str) -> None:
        ns = self.envelope_ns
        code_el = etree.SubElement(fault, f"{{{ns}}}Code")
        etree.SubElement(code_el, f"{{{ns}}}Value").text = self.fault_qname(code)
        reason = etree.SubElement(fault, f"{{{ns}}}Reason")
        text_el = etree.SubElement(reason, f"{{{ns}}}Text")
        text_el.set(XML_LANG, "en")
        text_el.text = text
        etree.SubElement(fault, f"{{{ns}}}Detail")


# --- HTTP GET and POST ------------------------------------------------------------------------

#: The .NET type of each XSD type, and the message of its parser's FormatException.
_CLR_TYPES: Mapping[str, tuple[str, str]] = {
    "int": ("System.Int32", "Input string was not in a correct format."),
    "long": ("System.Int64", "Input string was not in a correct format."),
    "short": ("System.Int16", "Input string was not in a correct format."),
    "decimal": ("System.Decimal", "Input string was not in a correct format."),
    "double": ("System.Double", "Input string was not in a correct format."),
    "float": ("System.Single", "Input string was not in a correct format."),
    "boolean": ("System.Boolean", "String was not recognized as a valid Boolean."),
    "dateTime": ("System.DateTime", "String was not recognized as a valid DateTime."),
    "guid": (
        "System.Guid",
        "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
    ),
}


def _http_scalar(xsd: str, text: str, name: str) -> Any:
    try:
        return parse_scalar(xsd, text, name)
    except MalformedResponseError:
        # ScalarFormatter.FromString: ArgumentException(WebChangeTypeFailed, "type", inner).
        clr, inner = _CLR_TYPES.get(xsd, (f"System.{xsd[:1].upper()}{xsd[1:]}", "Invalid value."))
        raise RequestError(
            f"Cannot convert {text} to {clr}.\nParameter name: type ---> {inner}"
        ) from None


class HttpServiceEngine(ServiceEngine):
    """What the service sides of HTTP GET and POST share: the pairs, answers, text errors."""

    #: The client half: binding, method, content types.
    wire: ClassVar[HttpBinding]

    @property
    def error_content_type(self) -> str:
        """The Content-Type of this binding's text errors."""
        return self.wire.error_content_type

    @property
    def method(self) -> str:
        """The HTTP method that selects this binding."""
        return self.wire.method

    def read_request(self, op: Operation[Any], pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """The parameters of a request (names matched case-insensitively).

        Every parameter must be present, scalars empty where they have no value. An
        absent array parameter fails as in ASP.NET, whose reader dereferences the
        missing key's null value list.
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
            # NameValueCollection.Get joins a repeated key's values with ",".
            values[param.attr] = _http_scalar(xsd, ",".join(found), param.name)
        return values

    def request_text(self, query: str, body: bytes) -> str:
        """Where this binding's request carries its pairs: the query or the form body."""
        raise NotImplementedError

    def accepts(self, mime: str) -> bool:
        """Whether a request of this media type can be read.

        ASMX answers one it cannot read with a 500 text error, "Request format is
        invalid: <Content-Type>." (``HttpServerProtocol.ReadParameters``), never 415.
        """
        return True

    @property
    def reads_body(self) -> bool:
        """Whether the pairs are in the request body (which must then be read)."""
        return False

    def render_result(self, op: Operation[Any], result: WireModel) -> bytes:
        tag = op.http_result_tag
        if tag is None:  # pragma: no cover - guarded by the caller
            raise ValueError(f"{op.name} has no HTTP binding")
        root = etree.Element(
            tag,
            nsmap={"xsd": XSD_NS, "xsi": XSI_NS, None: op.namespace},  # type: ignore[dict-item]
        )
        spec = type(result).__wire__
        build_children(root, spec.fields, {f.attr: getattr(result, f.attr) for f in spec.fields})
        return XML_DECLARATION + b"\n" + serialize_asmx(root, pretty=True)

    def render_error(self, text: str) -> bytes:
        """The body of an error: the message, HTML-encoded, then a newline."""
        return (html_encode(xml_safe(text)) + "\n").encode("utf-8")


class HttpGetServiceEngine(HttpServiceEngine):
    wire = HTTP_BINDINGS[Binding.HTTP_GET]

    def request_text(self, query: str, body: bytes) -> str:
        return query


class HttpPostServiceEngine(HttpServiceEngine):
    wire = HTTP_BINDINGS[Binding.HTTP_POST]

    def request_text(self, query: str, body: bytes) -> str:
        return body.decode("utf-8", "replace")

    def accepts(self, mime: str) -> bool:
        return mime == FORM_CONTENT_TYPE

    @property
    def reads_body(self) -> bool:
        return True


# --- the tables -------------------------------------------------------------------------------


#: The SOAP engines, by binding (SOAP 1.1 first: the order the versions are offered in).
SOAP_ENGINES: Mapping[Binding, SoapServiceEngine] = MappingProxyType(
    {e.binding: e for e in (Soap11ServiceEngine(), Soap12ServiceEngine())}
)
#: The HTTP GET/POST engines, by binding.
HTTP_ENGINES: Mapping[Binding, HttpServiceEngine] = MappingProxyType(
    {e.binding: e for e in (HttpGetServiceEngine(), HttpPostServiceEngine())}
)
#: The HTTP GET/POST engines, by the HTTP method that selects them.
HTTP_BY_METHOD: Mapping[str, HttpServiceEngine] = MappingProxyType(
    {e.method: e for e in HTTP_ENGINES.values()}
)
#: Every engine, by binding.
ENGINES: Mapping[Binding, ServiceEngine] = MappingProxyType({**SOAP_ENGINES, **HTTP_ENGINES})

#: The Content-Type of each SOAP binding's answers.
SOAP_CONTENT_TYPES: Mapping[Binding, str] = MappingProxyType(
    {b: e.answer_content_type for b, e in SOAP_ENGINES.items()}
)
#: The envelope namespace of each SOAP binding.
ENVELOPE_NS: Mapping[Binding, str] = MappingProxyType(
    {b: e.envelope_ns for b, e in SOAP_ENGINES.items()}
)
#: The Content-Type of HTTP GET/POST answers.
HTTP_CONTENT_TYPE = HTTP_BINDINGS[Binding.HTTP_GET].answer_content_type
#: The Content-Type of HTTP GET/POST errors.
PLAIN_CONTENT_TYPE = TEXT_ERROR_CONTENT_TYPE

"""HTTP GET and HTTP POST: the operation in the URL path, parameters as ``name=value`` pairs.

=================  ==========================================  =====================================
                   HTTP GET                                    HTTP POST
=================  ==========================================  =====================================
request            ``GET <endpoint>/<Operation>?a=1&b=2``      ``POST <endpoint>/<Operation>``,
                                                               ``application/x-www-form-urlencoded``
answer             the bare result element, ``text/xml``       the same
error              500 ``text/plain``: the message, HTML-encoded, then a newline
=================  ==========================================  =====================================

Every parameter is present (``None`` is sent empty); arrays are repeated pairs. An
empty or absent array would send no pair at all, which ASMX does not read as an
empty array: its HTTP parameter reader fails on the missing key (a 500 "Object
reference not set to an instance of an object."). Such a call is refused here,
before anything is sent.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode

from lxml import etree

from .._version import __version__
from ..core.codec import (
    XSD_NS,
    XSI_NS,
    build_children,
    format_field,
    format_scalar,
    parse_scalar,
    safe_fromstring,
)
from ..core.errors import InvalidParameterError, MalformedResponseError
from ..core.wire import Binding, Field, Operation, WireModel
from .base import BindingEngine, CallContext, HttpAnswer, HttpRequest, RequestError
from .common import excerpt, fault_error, http_status_error, result_of, serialize_asmx, xml_safe

__all__ = [
    "FORM_CONTENT_TYPE",
    "HttpBinding",
    "HttpGetBinding",
    "HttpPostBinding",
    "TEXT_ERROR_CONTENT_TYPE",
    "form_pairs",
    "html_encode",
]

R = TypeVar("R")
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
TEXT_ERROR_CONTENT_TYPE = "text/plain; charset=utf-8"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
_USER_AGENT = {"User-Agent": f"removethebackground/{__version__}"}


def form_pairs(op: Operation[Any], values: Mapping[str, object]) -> list[tuple[str, str]]:
    """The ``name=value`` pairs of an HTTP GET/POST request, every parameter present."""
    fields: dict[str, Field] = {f.attr: f for f in op.params}
    pairs: list[tuple[str, str]] = []
    for param in op.http_params:
        value = values.get(param.attr)
        f = fields.get(param.attr)
        if param.array:
            if value is not None and (
                isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple))
            ):
                raise InvalidParameterError(param.attr, "expected a list: wrap it in [...]")
            if not value:
                raise InvalidParameterError(
                    param.attr,
                    "HTTP GET/POST cannot send an empty or absent array (the service fails on "
                    "the missing key): pass at least one value, or call over a SOAP binding",
                )
            item = f.item if f is not None and f.item is not None else None
            for index, element in enumerate(value):
                where = f"{param.attr}[{index}]"
                if element is None:
                    raise InvalidParameterError(
                        where, "None cannot be sent over HTTP GET/POST: use a SOAP binding"
                    )
                text = (
                    format_field(item, element, where)
                    if item is not None and item.xsd
                    else format_scalar("string", element, where)
                )
                pairs.append((param.name, _form_text(text, where)))
            continue
        if value is None:
            pairs.append((param.name, ""))
            continue
        text = (
            format_field(f, value, param.attr)
            if f is not None and f.xsd
            else format_scalar("string", value, param.attr)
        )
        pairs.append((param.name, _form_text(text, param.attr)))
    return pairs


def _form_text(text: str, where: str) -> str:
    if any(ord(c) < 0x20 and c not in "\t\n\r" for c in text):
        raise InvalidParameterError(where, "contains control characters: remove them")
    return text


def html_encode(text: str) -> str:
    """HTML-encode like ASP.NET's ``HttpUtility.HtmlEncode`` (``'`` becomes ``&#39;``)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


class HttpBinding(BindingEngine):
    """What HTTP GET and POST share: the URL, the pairs, the answers and the text errors."""

    method: ClassVar[str]
    answer_content_type = "text/xml; charset=utf-8"
    error_content_type = TEXT_ERROR_CONTENT_TYPE

    def url_of(self, op: Operation[Any], endpoint: str) -> str:
        return endpoint.rstrip("/") + (op.http_location or "")

    # --- client side ------------------------------------------------------------------------

    def read_answer(self, op: Operation[R], answer: HttpAnswer, ctx: CallContext) -> R:
        status = answer.status
        if status == 200:
            try:
                root = safe_fromstring(answer.body)
            except MalformedResponseError as exc:
                raise MalformedResponseError(
                    str(exc.args[0]),
                    http_status=status,
                    excerpt=excerpt(answer.body, ctx),
                    operation=op.name,
                    binding=self.binding.value,
                ) from None
            if root.tag != op.http_result_tag:
                raise MalformedResponseError(
                    f"expected <{op.http_result_element}>, got <{etree.QName(root).localname}>",
                    http_status=status,
                    operation=op.name,
                    binding=self.binding.value,
                )
            return result_of(op, root, status, self.binding)
        if status == 500 and answer.mime == "text/plain":
            text = html.unescape(answer.body.decode("utf-8", "replace")).strip()
            raise fault_error(op, self.binding, status, None, None, text, None, ctx)
        raise http_status_error(op, self.binding, answer, ctx)

    # --- service side ---------------------------------------------------------------------------

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


class HttpGetBinding(HttpBinding):
    binding = Binding.HTTP_GET
    method = "GET"

    def request_text(self, query: str, body: bytes) -> str:
        return query

    def build_request(
        self,
        op: Operation[Any],
        values: Mapping[str, object],
        endpoint: str,
        headers: Mapping[str, str],
        ctx: CallContext,
    ) -> HttpRequest:
        query = urlencode(form_pairs(op, values))
        url = self.url_of(op, endpoint)
        merged = {**_USER_AGENT, **headers}
        return HttpRequest(
            "GET", f"{url}?{query}" if query else url, merged, None, op, self.binding
        )


class HttpPostBinding(HttpBinding):
    binding = Binding.HTTP_POST
    method = "POST"

    def request_text(self, query: str, body: bytes) -> str:
        return body.decode("utf-8", "replace")

    def accepts(self, mime: str) -> bool:
        return mime == FORM_CONTENT_TYPE

    @property
    def reads_body(self) -> bool:
        return True

    def build_request(
        self,
        op: Operation[Any],
        values: Mapping[str, object],
        endpoint: str,
        headers: Mapping[str, str],
        ctx: CallContext,
    ) -> HttpRequest:
        body = urlencode(form_pairs(op, values)).encode("ascii")
        merged = {**_USER_AGENT, "Content-Type": FORM_CONTENT_TYPE, **headers}
        return HttpRequest("POST", self.url_of(op, endpoint), merged, body, op, self.binding)

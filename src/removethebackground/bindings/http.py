"""HTTP GET and HTTP POST, the client side: the operation in the URL path, ``name=value`` pairs.

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

The service side of both (reading the pairs, writing answers and text errors as
ASMX does) is :mod:`removethebackground.service.engines`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode

from lxml import etree

from .._version import __version__
from ..core.codec import format_field, format_scalar, safe_fromstring
from ..core.errors import InvalidParameterError, MalformedResponseError
from ..core.http import HttpAnswer, HttpRequest
from ..core.wire import Binding, Field, Operation
from .base import BindingEngine, CallContext
from .common import excerpt, fault_error, http_status_error, result_of

__all__ = [
    "FORM_CONTENT_TYPE",
    "HttpBinding",
    "HttpGetBinding",
    "HttpPostBinding",
    "TEXT_ERROR_CONTENT_TYPE",
    "form_pairs",
]

R = TypeVar("R")
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
TEXT_ERROR_CONTENT_TYPE = "text/plain; charset=utf-8"
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


class HttpBinding(BindingEngine):
    """What HTTP GET and POST share: the URL, the pairs, the answers and the text errors."""

    #: The HTTP method of this binding's requests (the service side routes on it).
    method: ClassVar[str]
    answer_content_type = "text/xml; charset=utf-8"
    #: The Content-Type of this binding's errors (a 500 with the message as text).
    error_content_type = TEXT_ERROR_CONTENT_TYPE

    def url_of(self, op: Operation[Any], endpoint: str) -> str:
        return endpoint.rstrip("/") + (op.http_location or "")

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


class HttpGetBinding(HttpBinding):
    binding = Binding.HTTP_GET
    method = "GET"

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

"""Reading requests: a SOAP request's element, or an HTTP GET/POST form, into values.

The values are keyed by attribute name, as the generated operations name their
parameters, and read with :mod:`removethebackground.core.codec`, the code the client
uses to read answers: a change to a WSDL (after ``make codegen``) changes what the
client writes and what the service side reads together. The texts of the refusals
are ASMX's (rules 8, 13 and 14 of :mod:`removethebackground.service`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree

from ..core.codec import parse_children, parse_scalar
from ..core.errors import MalformedResponseError
from ..core.wire import Binding, Field, Operation
from .engines import HTTP_ENGINES, SOAP_ENGINES
from .errors import RequestError
from .texts import READ_ERROR

__all__ = ["parse_http_request", "parse_soap_request", "read_envelope"]


def read_envelope(body: bytes, binding: Binding) -> etree._Element:
    """The operation element of a SOAP request (the first child of ``Body``)."""
    return SOAP_ENGINES[binding].read_request(body)


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


def parse_http_request(op: Operation[Any], pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The parameters of an HTTP GET/POST request (names matched case-insensitively)."""
    return HTTP_ENGINES[Binding.HTTP_GET].read_request(op, pairs)

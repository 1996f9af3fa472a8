"""Writing answers: results, faults, refusals and error pages, as an ASMX stack writes them.

Each binding's own answer is its engine's (:mod:`.engines`); here are the functions
the sandbox and the stubber call, the ``Upgrade`` header of a ``VersionMismatch``
fault (``SoapServerProtocol.CreateUpgradeHeader``), the refusals of :mod:`.routing`
(``SoapServerProtocol.WriteException``, ``SetResponseErrorCode``) and ASP.NET's error
page for an exception the ASMX handler leaves to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml import etree

from ..core.codec import SOAP12_ENV
from ..core.wire import Binding, Operation, WireModel
from .engines import ENVELOPE_NS, HTTP_ENGINES, SOAP_CONTENT_TYPES, SOAP_ENGINES, html_encode
from .errors import FaultCode, SoapRefusal, UnhandledError

__all__ = [
    "HTML_CONTENT_TYPE",
    "render_error_page",
    "render_http_result",
    "render_soap_fault",
    "render_soap_refusal",
    "render_soap_result",
    "render_text_error",
    "upgrade_header",
]

#: ASP.NET's error pages (an exception that leaves the ASMX handler).
HTML_CONTENT_TYPE = "text/html; charset=utf-8"


def render_soap_result(op: Operation[Any], binding: Binding, result: WireModel) -> bytes:
    return SOAP_ENGINES[binding].render_result(op, result)


def render_soap_fault(
    binding: Binding, code: FaultCode, text: str, *, detail: bool = True
) -> bytes:
    """A fault; ``detail=False`` for a header's fault (``SoapHeaderException``)."""
    return SOAP_ENGINES[binding].render_fault(code, text, detail=detail)


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
        prefix = SOAP_ENGINES[binding].prefix
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
    body = SOAP_ENGINES[refusal.binding].render_fault(
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
    return HTTP_ENGINES[Binding.HTTP_GET].render_result(op, result)


def render_text_error(text: str) -> bytes:
    """The body of an HTTP GET/POST error: the message, HTML-encoded, then a newline."""
    return HTTP_ENGINES[Binding.HTTP_GET].render_error(text)

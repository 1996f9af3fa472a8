"""SOAP namespaces and envelopes: answers as ASMX writes them, faults included, and the
client's own request envelope, parsed."""

from __future__ import annotations

from typing import Any

import requests
from lxml import etree

from removethebackground.core.wire import Binding, Operation

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSI_NIL = f"{{{XSI_NS}}}nil"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
ENVELOPE_NS = {Binding.SOAP11: SOAP11_ENV, Binding.SOAP12: SOAP12_ENV}
SOAP_CONTENT_TYPES = {
    Binding.SOAP11: "text/xml; charset=utf-8",
    Binding.SOAP12: "application/soap+xml; charset=utf-8",
}


def envelope_tree(op: Operation[Any], binding: Binding, values: dict[str, Any]) -> etree._Element:
    """The client's request envelope for ``op`` over a SOAP binding, parsed."""
    from removethebackground.core.client import build_envelope

    return etree.fromstring(build_envelope(op, binding, values))


def soap_response(binding: Binding, payload: etree._Element) -> bytes:
    """``payload`` inside a SOAP envelope of ``binding``, the way ASMX writes it."""
    env = ENVELOPE_NS[binding]
    envelope = etree.Element(
        f"{{{env}}}Envelope",
        nsmap={"soap": env, "xsi": XSI_NS, "xsd": "http://www.w3.org/2001/XMLSchema"},
    )
    etree.SubElement(envelope, f"{{{env}}}Body").append(payload)
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
    return data


def soap_fault(
    binding: Binding, code: str, text: str, *, detail: str = "", subcode: str | None = None
) -> bytes:
    """A fault as ASMX writes it (``code`` without prefix, e.g. ``Client`` or ``Sender``)."""
    if binding is Binding.SOAP11:
        fault = (
            f"<soap:Fault><faultcode>soap:{code}</faultcode><faultstring>{text}</faultstring>"
            f"<detail>{detail}</detail></soap:Fault>"
        )
    else:
        sub = f"<soap:Subcode><soap:Value>{subcode}</soap:Value></soap:Subcode>" if subcode else ""
        fault = (
            f"<soap:Fault><soap:Code><soap:Value>soap:{code}</soap:Value>{sub}</soap:Code>"
            f'<soap:Reason><soap:Text xml:lang="en">{text}</soap:Text></soap:Reason>'
            f"<soap:Detail>{detail}</soap:Detail></soap:Fault>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{ENVELOPE_NS[binding]}"'
        f' xmlns:xsi="{XSI_NS}"><soap:Body>{fault}</soap:Body></soap:Envelope>'
    ).encode()


def fault_of(response: requests.Response) -> tuple[str, str]:
    """(code, text) of a SOAP 1.1 or 1.2 fault answer."""
    root = etree.fromstring(response.content)
    ns = etree.QName(root).namespace
    fault = root.find(f"{{{ns}}}Body/{{{ns}}}Fault")
    assert fault is not None, response.content
    if ns == SOAP11_ENV:
        return fault.findtext("faultcode") or "", fault.findtext("faultstring") or ""
    code = fault.findtext(f"{{{ns}}}Code/{{{ns}}}Value") or ""
    return code, fault.findtext(f"{{{ns}}}Reason/{{{ns}}}Text") or ""

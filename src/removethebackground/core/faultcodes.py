"""Fault codes qualified by a namespace other than SOAP's: WS-Security and WS-Addressing.

A SOAP 1.1 ``faultcode`` such as ``wsse:FailedAuthentication`` or a SOAP 1.2
``Subcode`` such as ``wsa:ActionMismatch`` is a QName; :func:`resolve_qname` reads
it against the namespaces in scope, and :func:`qualified_fault_class` names the
exception class for it.
"""

from __future__ import annotations

from lxml import etree

from .codec import SOAP11_ENV
from .errors import ServiceFault

__all__ = ["qualified_fault", "qualified_fault_class", "resolve_qname"]

_SOAP11 = SOAP11_ENV


def resolve_qname(element: etree._Element | None) -> tuple[str | None, str]:
    """``(namespace, local name)`` of the QName in ``element``'s text."""
    if element is None:
        return None, ""
    raw = (element.text or "").strip()
    prefix, sep, local = raw.rpartition(":")
    if not sep:
        return element.nsmap.get(None), raw
    return element.nsmap.get(prefix), local


def qualified_fault_class(namespace: str | None, local: str) -> type[ServiceFault] | None:
    """The WS-Security or WS-Addressing fault class of a QName, else ``None``."""
    from ..plugins.addressing import addressing_fault_class
    from ..plugins.wsse.faults import security_fault_class

    found: type[ServiceFault] | None = security_fault_class(namespace, local)
    if found is None:
        found = addressing_fault_class(namespace, local)
    return found


def qualified_fault(fault: etree._Element, env_ns: str) -> tuple[type[ServiceFault], str] | None:
    """``(class, local code)`` for a ``Fault`` whose code is a WS-* QName, else ``None``.

    SOAP 1.1: the ``faultcode``; SOAP 1.2: the innermost ``Subcode/Value`` that is one.
    """
    if env_ns == _SOAP11:
        code = fault.find("faultcode")
        ns, local = resolve_qname(code)
        found = qualified_fault_class(ns, local)
        return None if found is None else (found, local)
    result: tuple[type[ServiceFault], str] | None = None
    sub = fault.find(f"{{{env_ns}}}Code/{{{env_ns}}}Subcode")
    for _ in range(16):  # subcodes nest; a bounded walk
        if sub is None:
            break
        ns, local = resolve_qname(sub.find(f"{{{env_ns}}}Value"))
        found = qualified_fault_class(ns, local)
        if found is not None:
            result = (found, local)
        sub = sub.find(f"{{{env_ns}}}Subcode")
    return result

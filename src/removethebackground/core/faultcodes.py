"""Fault codes qualified by a namespace other than SOAP's (WS-Security, WS-Addressing ...).

A SOAP 1.1 ``faultcode`` such as ``wsse:FailedAuthentication`` or a SOAP 1.2
``Subcode`` such as ``wsa:ActionMismatch`` is a QName; :func:`resolve_qname` reads
it against the namespaces in scope, and :func:`qualified_fault_class` names the
exception class for it from a registry that the plugins fill when they are imported
(:func:`register_fault_codes`): :mod:`removethebackground.plugins.wsse` registers the
WS-Security namespace, :mod:`removethebackground.plugins.addressing` the WS-Addressing
one. The core itself imports no plugin.

A code of a namespace nobody registered is read as any other code: over SOAP 1.2 the
fault is a ``Sender`` (:class:`~removethebackground.core.errors.ClientFault` and its
table rules) or ``Receiver`` fault, its subcode kept; over SOAP 1.1 the code's local
name does not say who failed, and the fault is a plain
:class:`~removethebackground.core.errors.ServiceFault` with ``code`` set to it
(``"FailedAuthentication"``). So a WS-Security fault is a
:class:`~removethebackground.plugins.wsse.FailedAuthenticationError` (also an
:class:`~removethebackground.core.errors.AuthenticationError`) only in a program that
has imported the plugin, which every program that sends a WS-Security header has.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from .codec import SOAP11_ENV
from .errors import ServiceFault

__all__ = [
    "qualified_fault",
    "qualified_fault_class",
    "register_fault_codes",
    "registered_namespaces",
    "resolve_qname",
]

_SOAP11 = SOAP11_ENV

# namespace -> (class by local name, class of the namespace's other codes)
_REGISTRY: dict[str, tuple[Mapping[str, type[ServiceFault]], type[ServiceFault]]] = {}
_LOCK = threading.Lock()


def register_fault_codes(
    namespace: str,
    classes: Mapping[str, type[ServiceFault]],
    default: type[ServiceFault],
) -> None:
    """Raise ``classes[local]`` for a fault code ``{namespace}local`` (``default`` for the
    namespace's other codes). Registering a namespace again replaces its entry."""
    if not isinstance(namespace, str) or not namespace:
        raise ValueError("register_fault_codes: namespace is empty: pass the codes' namespace URI")
    for cls in (*classes.values(), default):
        if not (isinstance(cls, type) and issubclass(cls, ServiceFault)):
            raise TypeError(f"register_fault_codes: {cls!r} is not a ServiceFault subclass")
    with _LOCK:
        _REGISTRY[namespace] = (MappingProxyType(dict(classes)), default)


def registered_namespaces() -> frozenset[str]:
    """The namespaces whose fault codes have classes (the imported plugins')."""
    return frozenset(_REGISTRY)


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
    """The registered class of a fault code QName, else ``None``."""
    entry = _REGISTRY.get(namespace) if namespace is not None else None
    if entry is None:
        return None
    classes, default = entry
    return classes.get(local, default)


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

"""Serving the WSDL: the vendored one, with every service address pointing at the caller.

The WSDL itself is a resource of the package (:func:`removethebackground.core.wsdl.vendored_wsdl`,
shared with strict mode); ``GET <path>?WSDL`` answers it with the ``location`` of
every service address rewritten to the endpoint the caller reached, as
``DiscoveryServerProtocol.WriteReturns`` does (its ``RunUriFixups`` puts the request
URL's scheme, host and port in each address, ``DiscoveryServerType.CombineUris``).
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape as xml_escape

from ..core.wire import Service
from ..core.wsdl import vendored_wsdl

__all__ = ["vendored_wsdl", "wsdl_for"]


def wsdl_for(service: Service, endpoint: str) -> bytes:
    """The vendored WSDL with every service address pointing at ``endpoint``."""
    data = vendored_wsdl(service)
    new = xml_escape(endpoint, {'"': "&quot;"}).encode("utf-8")
    for old in _distinct(service.default_endpoints.values()):
        quoted = xml_escape(old, {'"': "&quot;"}).encode("utf-8")
        data = data.replace(b'location="' + quoted + b'"', b'location="' + new + b'"')
    return data


def _distinct(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen

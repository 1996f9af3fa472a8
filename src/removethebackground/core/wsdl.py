"""The WSDLs codegen copied into the package (``generated/wsdl/<key>/``), read as resources.

Strict mode (:mod:`removethebackground.plugins.strict`) compiles its schemas from
them; the service side (:mod:`removethebackground.service.wsdl`) serves them with
the addresses rewritten. Read once per service, then cached; no network access.
"""

from __future__ import annotations

import importlib.resources
import threading

from .wire import Service

__all__ = ["vendored_wsdl"]

_WSDL_CACHE: dict[str, bytes] = {}
_WSDL_LOCK = threading.Lock()


def vendored_wsdl(service: Service) -> bytes:
    """The WSDL codegen copied into the package for ``service`` (read once, then cached)."""
    with _WSDL_LOCK:
        data = _WSDL_CACHE.get(service.wsdl_resource)
        if data is None:
            resource = importlib.resources.files("removethebackground.generated").joinpath(
                service.wsdl_resource
            )
            data = resource.read_bytes()
            _WSDL_CACHE[service.wsdl_resource] = data
    return data

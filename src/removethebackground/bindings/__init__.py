"""One engine class per binding, picked from a table.

=================  ===========================================  =====================
:class:`Binding`   engine                                       module
=================  ===========================================  =====================
``SOAP11``         :class:`~.soap.Soap11Binding`                :mod:`.soap`
``SOAP12``         :class:`~.soap.Soap12Binding`                :mod:`.soap`
``HTTP_GET``       :class:`~.http.HttpGetBinding`               :mod:`.http`
``HTTP_POST``      :class:`~.http.HttpPostBinding`              :mod:`.http`
=================  ===========================================  =====================

Each engine owns its content type, envelope namespace and the way the action
travels, and the client side of its protocol (see :mod:`.base`). The client looks
engines up in :data:`BINDINGS`; nothing else branches on the binding. A fifth
binding is one class and one row here (and one in the service side's table,
:data:`removethebackground.service.engines.ENGINES`, for the sandbox and the stubber).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..core.wire import Binding
from .base import BindingEngine, CallContext, EnvelopePlugin
from .http import HttpBinding, HttpGetBinding, HttpPostBinding
from .soap import SOAP11, SOAP12, SOAP_ENVELOPES, Soap11Binding, Soap12Binding, SoapBinding

__all__ = [
    "BINDINGS",
    "HTTP_BINDINGS",
    "SOAP_BINDINGS",
    "SOAP_ENVELOPES",
    "BindingEngine",
    "CallContext",
    "EnvelopePlugin",
    "HttpBinding",
    "HttpGetBinding",
    "HttpPostBinding",
    "Soap11Binding",
    "Soap12Binding",
    "SoapBinding",
    "engine",
]

#: The SOAP engines, by binding.
SOAP_BINDINGS: Mapping[Binding, SoapBinding] = MappingProxyType(
    {Binding.SOAP11: SOAP11, Binding.SOAP12: SOAP12}
)
#: The HTTP GET/POST engines, by binding.
HTTP_BINDINGS: Mapping[Binding, HttpBinding] = MappingProxyType(
    {Binding.HTTP_GET: HttpGetBinding(), Binding.HTTP_POST: HttpPostBinding()}
)
#: Every engine, by binding.
BINDINGS: Mapping[Binding, BindingEngine] = MappingProxyType({**SOAP_BINDINGS, **HTTP_BINDINGS})


def engine(binding: Binding) -> BindingEngine:
    """The engine of ``binding``."""
    return BINDINGS[binding]

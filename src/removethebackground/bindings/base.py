"""What every binding engine is: the client side of one binding's protocol.

A *binding* (SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST) is one way of carrying an
operation of the WSDL over HTTP. Each has one engine class, a subclass of
:class:`BindingEngine`, that owns everything specific to it on the client side:

- its wire facts: its content types, its envelope namespace (SOAP), how the action
  travels (``SOAPAction`` header, ``action=`` parameter, or the URL path);
- :meth:`~BindingEngine.build_request` turns an operation and its values into an
  :class:`~removethebackground.core.http.HttpRequest`;
  :meth:`~BindingEngine.read_answer` turns an
  :class:`~removethebackground.core.http.HttpAnswer` into the result or raises the
  mapped error.

The service side of each binding (reading requests, rendering results and faults
the way an ASMX stack writes them) is :mod:`removethebackground.service.engines`: it
imports the wire facts from here, and nothing here imports it.

Engines hold no per-call state and are shared: :data:`removethebackground.bindings.BINDINGS`
maps each :class:`~removethebackground.core.wire.Binding` to its engine, as botocore's
``SERIALIZERS``/``PROTOCOL_PARSERS`` tables do. Nothing outside ``bindings/``
branches on the binding.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from ..core.http import HttpAnswer, HttpRequest
from ..core.wire import Binding, Operation

if TYPE_CHECKING:
    from lxml import etree

    from ..core.errors import ServiceFault

__all__ = [
    "BindingEngine",
    "CallContext",
    "EnvelopePlugin",
    "HttpAnswer",
    "HttpRequest",
]

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class CallContext:
    """What a binding needs to know about the call besides the operation.

    Attributes:
        redact: removes the account's secrets from any text that will be shown.
        fault_class: the exception class for a normalised fault code and its text
            (the client's fault table, :func:`removethebackground.core.faults.fault_class`
            by default).
        plugins: envelope plugins (WS-Security, WS-Addressing ...), SOAP only.
    """

    redact: Callable[[str], str]
    fault_class: Callable[[str | None, str], type[ServiceFault]]
    plugins: Sequence[EnvelopePlugin] = field(default=())


class EnvelopePlugin(Protocol):
    """Something that edits outgoing SOAP envelopes and checks incoming ones.

    When a client has plugins, SOAP bindings build the envelope as an lxml tree,
    call :meth:`outgoing` on it before serialising it, and :meth:`incoming` on
    every answer envelope after parsing it (before the body is read). WS-Security
    and WS-Addressing headers plug in here; HTTP GET/POST have no envelope.
    """

    def outgoing(self, envelope: etree._Element, op: Operation[Any], binding: Binding) -> None:
        """Add headers to (or sign) the request ``envelope`` in place."""

    def incoming(self, envelope: etree._Element, op: Operation[Any], binding: Binding) -> None:
        """Check the answer ``envelope``; raise a library error to refuse it."""


class BindingEngine(ABC):
    """The client side of one binding's protocol; see the module docstring."""

    binding: ClassVar[Binding]
    #: The Content-Type of this binding's answers (a wire fact: the service side writes
    #: it, and an answer rebuilt on the client side carries it).
    answer_content_type: str

    @abstractmethod
    def build_request(
        self,
        op: Operation[Any],
        values: Mapping[str, object],
        endpoint: str,
        headers: Mapping[str, str],
        ctx: CallContext,
    ) -> HttpRequest:
        """The request for ``op`` with ``values`` (keyed by attribute name, credentials
        included); ``headers`` are added to the binding's own. Raises
        :class:`~removethebackground.core.errors.InvalidParameterError` for values the
        binding cannot carry, before anything is sent."""

    @abstractmethod
    def read_answer(self, op: Operation[R], answer: HttpAnswer, ctx: CallContext) -> R:
        """The result of ``op`` in ``answer``, or raise the mapped library error."""

"""What every binding engine is: the messages it exchanges and both sides of its protocol.

A *binding* (SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST) is one way of carrying an
operation of the WSDL over HTTP. Each has one engine class, a subclass of
:class:`BindingEngine`, that owns everything specific to it:

- its content type, its envelope namespace (SOAP), how the action travels
  (``SOAPAction`` header, ``action=`` parameter, or the URL path);
- the client side: :meth:`~BindingEngine.build_request` turns an operation and
  its values into an :class:`HttpRequest`; :meth:`~BindingEngine.read_answer`
  turns an :class:`HttpAnswer` into the result or raises the mapped error;
- the service side (the sandbox and the stubber): reading a request and
  rendering a result or a fault, the way an ASMX stack writes them.

Engines hold no per-call state and are shared: :data:`removethebackground.bindings.BINDINGS`
maps each :class:`~removethebackground.core.wire.Binding` to its engine, as botocore's
``SERIALIZERS``/``PROTOCOL_PARSERS`` tables do. Nothing outside ``bindings/``
branches on the binding.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from ..core.wire import Binding, Operation

if TYPE_CHECKING:
    from lxml import etree

    from ..core.errors import ServiceFault

__all__ = [
    "BindingEngine",
    "CallContext",
    "EmptyAnswer",
    "EnvelopePlugin",
    "FaultCode",
    "HttpAnswer",
    "HttpRequest",
    "RequestError",
]

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One HTTP request, ready to send: what a binding builds and a transport sends.

    ``operation`` and ``binding`` travel with it so that a transport policy (retries,
    logging) can decide per operation without parsing anything.
    """

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None
    operation: Operation[Any]
    binding: Binding


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """One HTTP answer, fully read: what a transport returns and a binding reads.

    ``headers`` is case-insensitive when it comes from the default transport.
    """

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def mime(self) -> str:
        """The media type of ``Content-Type``, lower-cased, without parameters."""
        return self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


@dataclass(frozen=True, slots=True)
class CallContext:
    """What a binding needs to know about the call besides the operation.

    Attributes:
        redact: removes the account's secrets from any text that will be shown.
        fault_class: the exception class for a normalised fault code and its text
            (the client's fault table, :func:`removethebackground.core.errors.fault_class`
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


# --- the service side's vocabulary --------------------------------------------------------


class FaultCode(enum.Enum):
    """The fault codes an ASMX service answers with (SOAP 1.1 names)."""

    CLIENT = "Client"
    SERVER = "Server"
    VERSION_MISMATCH = "VersionMismatch"
    MUST_UNDERSTAND = "MustUnderstand"


class RequestError(Exception):
    """The protocol layer refuses a request before (or instead of) running an operation.

    ``soap11`` forces a SOAP 1.1 answer (a VersionMismatch fault is always SOAP 1.1).
    """

    def __init__(self, text: str, code: FaultCode = FaultCode.CLIENT, *, soap11: bool = False):
        super().__init__(text)
        self.text = text
        self.code = code
        self.soap11 = soap11


class EmptyAnswer(Exception):
    """Answer with this HTTP status and an empty body (415, 400, 413)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


class BindingEngine(ABC):
    """Both sides of one binding's protocol; see the module docstring."""

    binding: ClassVar[Binding]
    #: The Content-Type of the answers this binding's service side writes.
    answer_content_type: str

    # --- client side ----------------------------------------------------------------------

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

    # --- service side ---------------------------------------------------------------------

    @abstractmethod
    def render_result(self, op: Operation[Any], result: Any) -> bytes:
        """The body of a successful answer, as an ASMX stack writes it."""

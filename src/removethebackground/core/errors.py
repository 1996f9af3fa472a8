"""One exception hierarchy for everything that can go wrong in a call.

::

    RemoveTheBackgroundError         operation, binding, http_status, endpoint, retryable
    ├── ServiceFault                 the service answered with a fault
    │   ├── ClientFault              soap:Client / soap:Sender: the request was at fault
    │   │   ├── AuthenticationError  bad contactEmail / contactAPIkey
    │   │   ├── NotFoundError        no such image, template, ...
    │   │   ├── InvalidArgumentFault the service rejected a parameter value
    │   │   └── InvalidStateError    not allowed in the image's current status
    │   ├── ServerFault              soap:Server / soap:Receiver: the service failed
    │   ├── ProtocolFault            VersionMismatch, MustUnderstand
    │   └── DeclaredFault            a wsdl:fault the WSDL declares: typed detail_value
    ├── TransportError               no usable answer
    │   ├── ConnectionFailedError    could not connect / connection dropped
    │   │   └── TLSVerificationError untrusted issuer, wrong host name, client certificate refused
    │   ├── TransportTimeout         connect or read timeout
    │   ├── HTTPStatusError          an HTTP error whose body is not a fault (415, 400, 502 ...)
    │   ├── OutcomeUnknownError      a call that changes state may or may not have run
    │   └── MalformedResponseError   not XML, truncated, too large, or of the wrong shape
    └── InvalidParameterError        bad input found before anything was sent (also a ValueError)
        └── UnsupportedBindingError  the WSDL does not offer the operation on that binding

The call context (``operation``, ``binding``, ``http_status``, ``endpoint``,
``retryable``) is declared once, on :class:`RemoveTheBackgroundError`; the
subclasses add only their own fields. No text, repr or attribute of these
exceptions contains the API key (the client redacts it before raising), and
``endpoint`` never carries user info, a query or a fragment. Every exception
pickles and copies with all its attributes (``detail`` travels as its XML).

Which exception class a fault becomes (the fault table and its rules) is
:mod:`removethebackground.core.faults`.

Retrying
--------

``retryable`` says whether the same request may be sent again *as far as the
failure itself goes*: the failure is one of the channel or of the service's
capacity, which a later send can cure, not one that the request or the
service's code causes every time. Whether a resend is *safe* is the other half:
the first attempt may have reached the service and run (a read timeout, a reset
after the request went out), so a retry policy combines ``retryable`` with the
operation's idempotency; a read such as ``GetImageStatus`` may be resent, a call
that queues an image may not::

    def should_retry(exc: RemoveTheBackgroundError, idempotent: bool, attempt: int) -> bool:
        return exc.retryable and idempotent and attempt < 3   # with a backoff between

Per class:

* :class:`ConnectionFailedError`: retryable (connection refused, reset or
  dropped before an answer: nothing usable came back, and the channel, not the
  request, failed).
* :class:`TransportTimeout`: retryable (connect timeout: nothing reached the
  server; read timeout, before or during the answer: the service may have run
  the call, hence idempotency).
* :class:`HTTPStatusError`: retryable for 408, 429, 502, 503 and 504 (a proxy or
  the server's front end says "not now": IIS answers 503 when the application
  pool queue is full, a load balancer 502/504 when the back end is down or
  slow); not for anything else (400 and 415 reject the request itself, a 500
  HTML page is the server's crash page).
* :class:`MalformedResponseError`: not retryable (the service answered, and the
  same answer comes back).
* :class:`ServiceFault` and all its subclasses: not retryable. A client fault
  (credentials, bad parameter, not found, wrong state) fails again the same
  way. A :class:`ServerFault` is not retryable either: the request reached the
  web method and the method threw; ASMX wraps every unhandled exception alike
  (``SoapServerProtocol.WriteException``), so nothing in the fault tells a
  passing failure from one the same input triggers every time (the recorded
  ``productId server-error`` fails on every send), and the method may have
  changed state before it threw. A service that is briefly unable to work says
  so with 503 before the method runs. Put a rule with your own
  :class:`ServerFault` subclass whose ``default_retryable`` is ``True`` in the fault
  table for server texts you know to be passing (a database timeout, say).
* :class:`InvalidParameterError`: not retryable (nothing was sent; fix the input).

With ``SuppressReturningExceptions`` on, ASMX replaces every exception's text by
one generic message, a ``soap:Server`` fault over SOAP
(``SoapException.CreateSuppressedException``) and the same text over HTTP: a
:class:`ServerFault` on every binding by the rule of :mod:`.faults`.

Every instance also takes ``retryable=`` to override the class's answer.

The client's default policy is :class:`~removethebackground.core.retry.RetryingTransport`:
it combines ``retryable`` with the generated ``Operation.changes_state`` flag and
:attr:`TransportError.request_sent`, and raises :class:`OutcomeUnknownError` for a
call that changes state whose outcome it cannot settle.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = [
    "RETRYABLE_HTTP_STATUSES",
    "SERVER_PREFIX",
    "AuthenticationError",
    "ClientFault",
    "ConnectionFailedError",
    "DeclaredFault",
    "HTTPStatusError",
    "InvalidArgumentFault",
    "InvalidParameterError",
    "InvalidStateError",
    "MalformedResponseError",
    "NotFoundError",
    "OutcomeUnknownError",
    "ProtocolFault",
    "RemoveTheBackgroundError",
    "ServerFault",
    "ServiceFault",
    "TLSVerificationError",
    "TransportError",
    "TLS_REASONS",
    "TransportTimeout",
    "UnsupportedBindingError",
    "split_fault_text",
]

#: HTTP statuses whose answer says "try again" rather than "this request is wrong".
RETRYABLE_HTTP_STATUSES: frozenset[int] = frozenset({408, 429, 502, 503, 504})


def _safe_endpoint(endpoint: str | None) -> str | None:
    """``endpoint`` without user info, query or fragment (what may be shown)."""
    if endpoint is None:
        return None
    try:
        parts = urlsplit(str(endpoint))
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _rebuild(
    cls: type[RemoveTheBackgroundError], args: tuple[Any, ...], state: dict[str, Any]
) -> RemoveTheBackgroundError:
    """Unpickle (and copy) any exception of this module without calling its ``__init__``."""
    exc = cls.__new__(cls, *args)
    exc.args = args
    state = dict(state)
    detail_xml = state.pop("_detail_xml", None)
    exc.__dict__.update(state)
    if "detail" in state or detail_xml is not None:
        exc.__dict__["detail"] = _parse_detail(detail_xml)
    return exc


def _parse_detail(xml: str | None) -> _Element | None:
    if xml is None:
        return None
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(xml.encode("utf-8"), parser)


class RemoveTheBackgroundError(Exception):
    """Root of every error this library raises; carries the call context.

    Attributes:
        operation: the operation name (``GetImageStatus``), if a call was under way.
        binding: the binding value (``"soap11"``, ``"soap12"``, ``"http_get"``, ``"http_post"``).
        http_status: the HTTP status of the answer, if one came.
        endpoint: the service URL without user info, query or fragment.
        retryable: whether the same request may be sent again as far as this
            failure goes (see the module documentation); combine it with the
            operation's idempotency before resending.
    """

    #: The class's answer for :attr:`retryable`; an instance may override it.
    default_retryable: ClassVar[bool] = False

    operation: str | None
    binding: str | None
    http_status: int | None
    endpoint: str | None

    def __init__(
        self,
        *args: object,
        operation: str | None = None,
        binding: str | None = None,
        http_status: int | None = None,
        endpoint: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(*args)
        self.operation = operation
        self.binding = binding
        self.http_status = http_status
        self.endpoint = _safe_endpoint(endpoint)
        self._retryable = retryable

    @property
    def retryable(self) -> bool:
        if self._retryable is not None:
            return bool(self._retryable)
        return self._default_retryable()

    @retryable.setter
    def retryable(self, value: bool | None) -> None:
        # None goes back to the class's answer
        self._retryable = None if value is None else bool(value)

    def _default_retryable(self) -> bool:
        return type(self).default_retryable

    @property
    def _where(self) -> str | None:
        if not self.operation:
            return None
        return f"{self.operation} over {self.binding}" if self.binding else self.operation

    def __str__(self) -> str:
        text = super().__str__()
        where = self._where
        return f"{where}: {text}" if where else text

    def __reduce__(self) -> tuple[Any, ...]:
        state = dict(self.__dict__)
        if "detail" in state:
            detail = state.pop("detail")
            state["detail"] = None
            if detail is not None:
                from lxml import etree

                state["_detail_xml"] = etree.tostring(detail, encoding="unicode")
        return (_rebuild, (type(self), self.args, state))


class ServiceFault(RemoveTheBackgroundError):
    """The service answered with a fault.

    Attributes (besides the call context of :class:`RemoveTheBackgroundError`):
        code: normalised fault code: ``"Client"``, ``"Server"``, ``"VersionMismatch"``,
            ``"MustUnderstand"`` (SOAP 1.2 ``Sender``/``Receiver`` become
            ``Client``/``Server``); ``None`` for the plain-text errors of the HTTP
            GET/POST bindings, which carry no code.
        subcode: the SOAP 1.2 subcode, if any.
        text: the fault text as sent (``faultstring`` / ``Reason/Text``), redacted.
        message: the text without .NET exception type and stack trace.
        detail: the fault's ``detail`` element (lxml), or ``None``.
    """

    def __init__(
        self,
        text: str,
        *,
        code: str | None = None,
        subcode: str | None = None,
        detail: _Element | None = None,
        http_status: int | None = None,
        operation: str | None = None,
        binding: str | None = None,
        endpoint: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(
            text,
            operation=operation,
            binding=binding,
            http_status=http_status,
            endpoint=endpoint,
            retryable=retryable,
        )
        self.text = text
        self.message = split_fault_text(text)[0]
        self.code = code
        self.subcode = subcode
        self.detail = detail

    def __str__(self) -> str:
        where = self._where or "call"
        code = f"{self.code} fault" if self.code else "error"
        return f"{where}: {code} (HTTP {self.http_status}): {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"http_status={self.http_status!r}, operation={self.operation!r}, "
            f"binding={self.binding!r})"
        )

    @property
    def detail_xml(self) -> str | None:
        """The detail element serialised, or ``None``."""
        if self.detail is None:
            return None
        from lxml import etree

        return etree.tostring(self.detail, encoding="unicode")


D = TypeVar("D")


class DeclaredFault(ServiceFault, Generic[D]):
    """A fault the operation declares in the WSDL (``wsdl:fault``), with its detail typed.

    Codegen writes one subclass per declared fault (``class FooExceptionFault(
    DeclaredFault[FooException])``) and lists it on the operation; the SOAP binding
    raises it when the fault's ``detail`` (SOAP 1.2 ``Detail``) carries the declared
    element, with that element read into :attr:`detail_value` (the generated
    dataclass). ``code``, ``text`` and ``detail`` are as on any
    :class:`ServiceFault`; a fault without the declared element is classed by the
    fault table as usual.

    Attributes:
        detail_value: the declared detail element, read as its generated dataclass
            (``None`` only when built by hand without one).
    """

    def __init__(
        self,
        text: str,
        *,
        detail_value: D | None = None,
        code: str | None = None,
        subcode: str | None = None,
        detail: _Element | None = None,
        http_status: int | None = None,
        operation: str | None = None,
        binding: str | None = None,
        endpoint: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(
            text,
            code=code,
            subcode=subcode,
            detail=detail,
            http_status=http_status,
            operation=operation,
            binding=binding,
            endpoint=endpoint,
            retryable=retryable,
        )
        self.detail_value = detail_value

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"detail_value={self.detail_value!r}, http_status={self.http_status!r}, "
            f"operation={self.operation!r}, binding={self.binding!r})"
        )


class ClientFault(ServiceFault):
    """``soap:Client`` (SOAP 1.2 ``Sender``): the request was at fault."""


class AuthenticationError(ClientFault):
    """The contact email and API key were not accepted."""


class NotFoundError(ClientFault):
    """The image, template or other object named in the request does not exist."""


class InvalidArgumentFault(ClientFault):
    """The service rejected a parameter value (format, range, missing value)."""


class InvalidStateError(ClientFault):
    """The request is not allowed in the object's current state (e.g. delete in production)."""


class ServerFault(ServiceFault):
    """``soap:Server`` (SOAP 1.2 ``Receiver``): the service failed to process the request.

    Over HTTP GET/POST (no fault code) a text that matches no client rule of the
    fault table is a ``ServerFault`` too, as SOAP would class it. Not retryable
    by default: see the module documentation.

    ``inner_message`` is what follows ``Server was unable to process request. --->``
    (over HTTP, where there is no such prefix, the message itself).
    """

    @property
    def inner_message(self) -> str:
        return split_fault_text(self.text)[1] or self.message


class ProtocolFault(ServiceFault):
    """``VersionMismatch`` or ``MustUnderstand``: the envelope itself was not accepted."""


class TransportError(RemoveTheBackgroundError):
    """No usable answer came back.

    Attributes (besides the call context): ``excerpt``, the start of the body,
    redacted, if a body came; ``request_sent``: ``False`` when the request surely
    never left (connection refused, connect timeout), ``None`` when it may have
    reached the service (a timeout or a reset after sending), ``True`` when an
    answer came.
    """

    request_sent: bool | None = True

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        excerpt: str | None = None,
        operation: str | None = None,
        binding: str | None = None,
        endpoint: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(
            message,
            operation=operation,
            binding=binding,
            http_status=http_status,
            endpoint=endpoint,
            retryable=retryable,
        )
        self.excerpt = excerpt

    def __str__(self) -> str:
        text = super().__str__()
        if self.excerpt:
            text += f" (body starts: {self.excerpt!r})"
        return text


class ConnectionFailedError(TransportError):
    """The connection could not be made or broke before an answer came. Retryable."""

    default_retryable = True


class TLSVerificationError(ConnectionFailedError):
    """The TLS handshake failed on a certificate; ``reason`` says which side and why.

    ``reason`` is one of :data:`TLS_REASONS`: ``"untrusted_issuer"`` (the server's
    certificate does not chain to a trusted CA: pass ``verify="ca.pem"`` for a
    private CA), ``"hostname_mismatch"`` (the certificate is for another name),
    ``"expired"``, ``"client_certificate_refused"`` (the server wants a client
    certificate, via ``cert=``, or refused the one sent) or ``"other"``. Not
    retryable: the same certificates fail the same way.
    """

    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        reason: str = "other",
        http_status: int | None = None,
        excerpt: str | None = None,
        operation: str | None = None,
        binding: str | None = None,
        endpoint: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(
            message,
            http_status=http_status,
            excerpt=excerpt,
            operation=operation,
            binding=binding,
            endpoint=endpoint,
            retryable=retryable,
        )
        self.reason = reason


TLS_REASONS = (
    "untrusted_issuer",
    "hostname_mismatch",
    "expired",
    "client_certificate_refused",
    "other",
)


class TransportTimeout(TransportError):
    """The connect or read timeout passed. Retryable."""

    default_retryable = True


class HTTPStatusError(TransportError):
    """An HTTP error status whose body is not a fault: 415, 400, a proxy's 502/503/504.

    Retryable when the status is one of :data:`RETRYABLE_HTTP_STATUSES`.
    """

    def _default_retryable(self) -> bool:
        return self.http_status in RETRYABLE_HTTP_STATUSES


class OutcomeUnknownError(TransportError):
    """A call that changes state (queues an image, adds a template ...) may or may not
    have run: the request went out, and no answer came (a timeout or a dropped
    connection after sending). It is not sent again blindly; the message says what to
    check before you send it again. Not retryable.

    ``cause`` is the transport error that left the outcome unknown.
    """

    default_retryable = False

    def __init__(
        self,
        message: str,
        *,
        cause: TransportError | None = None,
        http_status: int | None = None,
        operation: str | None = None,
        binding: str | None = None,
        endpoint: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(
            message,
            http_status=http_status,
            operation=operation,
            binding=binding,
            endpoint=endpoint,
            retryable=retryable,
        )
        self.cause = cause
        self.request_sent = None


class MalformedResponseError(TransportError):
    """The answer is not well-formed XML, is truncated, too large or of the wrong shape."""


class InvalidParameterError(RemoveTheBackgroundError, ValueError):
    """Bad input, found before anything was sent. ``parameter`` names the culprit.

    ``source``: where the rule that refused the value comes from (the overlay's
    provenance, for maintainers), when a rule did; ``str()`` ends with it.
    ``user_message`` is the same text without it, for a program's users.
    """

    #: Where the refusing rule comes from; ``None`` when no documented rule refused it.
    source: str | None = None

    def __init__(
        self,
        parameter: str,
        message: str,
        *,
        operation: str | None = None,
        binding: str | None = None,
        endpoint: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(
            f"{parameter}: {message}",
            operation=operation,
            binding=binding,
            endpoint=endpoint,
            retryable=retryable,
        )
        self.parameter = parameter

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

    @property
    def user_message(self) -> str:
        """``str()`` without the trailing ``(source: ...)`` of the rule's provenance."""
        text = str(self)
        return text.removesuffix(f" (source: {self.source})") if self.source else text


class UnsupportedBindingError(InvalidParameterError):
    """The operation is not offered on the chosen binding (per the WSDL)."""


#: What ASMX puts before the web method's messages in a ``soap:Server`` fault
#: (``SoapServerProtocol.WriteException``; see :mod:`.faults`).
SERVER_PREFIX = "Server was unable to process request."
_EXC_TYPE = re.compile(r"^(?:[A-Z][A-Za-z0-9_]*\.)+[A-Za-z0-9_]*(?:Exception|Error): ?")
_STACK = re.compile(r"\r?\n\s+at |\r?\n\s*--- End of inner exception")


def split_fault_text(text: str) -> tuple[str, str]:
    """Split a fault text into (message, inner message).

    Handles the plain forms (``Invalid contact credentials``,
    ``Server was unable to process request. ---> boom``) and the "detailed
    errors" form, where the text is a whole .NET exception with type names and a
    stack trace. The message drops type names and the stack; the inner message
    is what follows ``--->`` (empty when there is none).
    """
    first = _STACK.split(text, maxsplit=1)[0].strip()
    first = _EXC_TYPE.sub("", first)
    outer, sep, inner = first.partition("--->")
    inner = _EXC_TYPE.sub("", inner.strip())
    message = first if not sep else (outer.strip() + " ---> " + inner).strip()
    if sep and outer.strip() == SERVER_PREFIX:
        message = f"{SERVER_PREFIX} ---> {inner}"
    return message, inner

"""One exception hierarchy for everything that can go wrong in a call.

::

    RemoveTheBackgroundError
    ├── ServiceFault                 the service answered with a fault
    │   ├── ClientFault              soap:Client / soap:Sender: the request was at fault
    │   │   ├── AuthenticationError  bad contactEmail / contactAPIkey
    │   │   ├── NotFoundError        no such image, template, ...
    │   │   ├── InvalidArgumentFault the service rejected a parameter value
    │   │   └── InvalidStateError    not allowed in the image's current status
    │   ├── ServerFault              soap:Server / soap:Receiver: the service failed
    │   └── ProtocolFault            VersionMismatch, MustUnderstand
    ├── TransportError               no usable answer
    │   ├── ConnectionFailedError    could not connect / connection dropped
    │   ├── TransportTimeout         connect or read timeout
    │   ├── HTTPStatusError          an HTTP error whose body is not a fault (415, 400, 502 ...)
    │   └── MalformedResponseError   not XML, truncated, too large, or of the wrong shape
    └── InvalidParameterError        bad input found before anything was sent (also a ValueError)
        └── UnsupportedBindingError  the WSDL does not offer the operation on that binding

Which fault text becomes which class is the data in :data:`FAULT_CLASSES`:
extend it (``FAULT_CLASSES.insert(0, (re.compile(...), MyFault))``) to map more texts.
No text, repr or attribute of these exceptions contains the API key: the client
redacts it before raising.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = [
    "FAULT_CLASSES",
    "AuthenticationError",
    "ClientFault",
    "ConnectionFailedError",
    "HTTPStatusError",
    "InvalidArgumentFault",
    "InvalidParameterError",
    "InvalidStateError",
    "MalformedResponseError",
    "NotFoundError",
    "ProtocolFault",
    "RemoveTheBackgroundError",
    "ServerFault",
    "ServiceFault",
    "TransportError",
    "TransportTimeout",
    "UnsupportedBindingError",
    "fault_class",
    "split_fault_text",
]


class RemoveTheBackgroundError(Exception):
    """Root of every error this library raises."""


class ServiceFault(RemoveTheBackgroundError):
    """The service answered with a fault.

    Attributes:
        code: normalised fault code: ``"Client"``, ``"Server"``, ``"VersionMismatch"``,
            ``"MustUnderstand"`` (SOAP 1.2 ``Sender``/``Receiver`` become
            ``Client``/``Server``); ``None`` for the plain-text errors of the HTTP
            GET/POST bindings, which carry no code.
        subcode: the SOAP 1.2 subcode, if any.
        text: the fault text as sent (``faultstring`` / ``Reason/Text``), redacted.
        message: the text without .NET exception type and stack trace.
        detail: the fault's ``detail`` element (lxml), or ``None``.
        http_status: the HTTP status of the answer (500 for ASMX faults).
        operation: the operation name (``GetImageStatus``).
        binding: the binding value (``"soap11"``, ``"soap12"``, ``"http_get"``, ``"http_post"``).
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
    ) -> None:
        self.text = text
        self.message = split_fault_text(text)[0]
        self.code = code
        self.subcode = subcode
        self.detail = detail
        self.http_status = http_status
        self.operation = operation
        self.binding = binding
        super().__init__(text)

    def __str__(self) -> str:
        where = f"{self.operation} over {self.binding}" if self.operation else "call"
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

    ``inner_message`` is what follows ``Server was unable to process request. --->``.
    """

    @property
    def inner_message(self) -> str:
        return split_fault_text(self.text)[1] or self.message


class ProtocolFault(ServiceFault):
    """``VersionMismatch`` or ``MustUnderstand``: the envelope itself was not accepted."""


class TransportError(RemoveTheBackgroundError):
    """No usable answer came back.

    Attributes: ``http_status`` (if an answer came), ``excerpt`` (the start of the
    body, redacted), ``operation`` and ``binding``.
    """

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        excerpt: str | None = None,
        operation: str | None = None,
        binding: str | None = None,
    ) -> None:
        self.http_status = http_status
        self.excerpt = excerpt
        self.operation = operation
        self.binding = binding
        super().__init__(message)

    def __str__(self) -> str:
        text = str(self.args[0]) if self.args else ""
        if self.operation:
            text = f"{self.operation} over {self.binding}: {text}"
        if self.excerpt:
            text += f" (body starts: {self.excerpt!r})"
        return text


class ConnectionFailedError(TransportError):
    """The connection could not be made or broke before an answer came."""


class TransportTimeout(TransportError):
    """The connect or read timeout passed."""


class HTTPStatusError(TransportError):
    """An HTTP error status whose body is not a fault: 415, 400, a proxy's 502/503/504."""


class MalformedResponseError(TransportError):
    """The answer is not well-formed XML, is truncated, too large or of the wrong shape."""


class InvalidParameterError(RemoveTheBackgroundError, ValueError):
    """Bad input, found before anything was sent. ``parameter`` names the culprit."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(f"{parameter}: {message}")


class UnsupportedBindingError(InvalidParameterError):
    """The operation is not offered on the chosen binding (per the WSDL)."""


# Fault text (the message, without .NET exception type or stack) -> class.
# First match wins; unmatched Client faults are ClientFault, Server faults ServerFault.
FAULT_CLASSES: list[tuple[re.Pattern[str], type[ClientFault]]] = [
    (
        re.compile(
            r"invalid contact credentials|invalid (api ?key|credentials)|"
            r"not authori[sz]ed",
            re.I,
        ),
        AuthenticationError,
    ),
    (re.compile(r"\bnot found\b|does not exist|no (such )?image", re.I), NotFoundError),
    (
        re.compile(
            r"\bcannot be (deleted|rejected)\b|\bonly (before|when|at|below)\b|"
            r"\bstatus\b.*\bnot allowed\b|\balready\b",
            re.I,
        ),
        InvalidStateError,
    ),
    (
        re.compile(
            r"is not a valid|is required|must be|missing parameter|invalid|"
            r"too (long|large|many)|at most|at least",
            re.I,
        ),
        InvalidArgumentFault,
    ),
]

_SERVER_PREFIX = "Server was unable to process request."
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
    if sep and outer.strip() == _SERVER_PREFIX:
        message = f"{_SERVER_PREFIX} ---> {inner}"
    return message, inner


def fault_class(code: str | None, text: str) -> type[ServiceFault]:
    """The exception class for a normalised fault code and its text."""
    if code in ("VersionMismatch", "MustUnderstand", "DataEncodingUnknown"):
        return ProtocolFault
    if code == "Server":
        return ServerFault
    message = split_fault_text(text)[0]
    if code == "Client" or code is None:
        for pattern, cls in FAULT_CLASSES:
            if pattern.search(message):
                return cls
        return ClientFault if code == "Client" else ServiceFault
    return ServiceFault

"""What the service side answers with instead of a result: fault codes and refusals.

Raised by the request reading and routing of this package (and by the sandbox's
own checks), and turned into ASMX's answers by :mod:`.answers`.
"""

from __future__ import annotations

import enum

from ..core.wire import Binding

__all__ = ["EmptyAnswer", "FaultCode", "RequestError", "SoapRefusal", "UnhandledError"]


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


class SoapRefusal(Exception):
    """ASMX refuses a SOAP request before running an operation.

    ``status`` 500 is a fault (``code``, ``text``) in ``binding``'s envelope; 400 and
    415 are an empty body with ``binding``'s Content-Type. ``upgrade`` lists the
    envelopes a ``VersionMismatch`` fault's ``Upgrade`` header names.
    """

    def __init__(
        self,
        binding: Binding,
        status: int,
        code: FaultCode = FaultCode.CLIENT,
        text: str = "",
        *,
        upgrade: tuple[Binding, ...] = (),
    ) -> None:
        super().__init__(text or str(status))
        self.binding = binding
        self.status = status
        self.code = code
        self.text = text
        self.upgrade = upgrade


class UnhandledError(Exception):
    """An exception ASMX leaves to ASP.NET, which answers with its error page."""

    def __init__(
        self, status: int, message: str, exception: str = "System.InvalidOperationException"
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.exception = exception

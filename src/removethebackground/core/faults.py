"""Which exception class a fault becomes: the fault table and its rules.

The rule is the same on all four bindings, so ``except ServerFault`` (or
``except NotFoundError``) catches the same failure over SOAP 1.1, SOAP 1.2,
HTTP GET and HTTP POST. It follows what ASP.NET's ASMX handler does with an
exception (System.Web.Services, reference source):

* ``WebServiceHandler.WriteException`` unwraps the ``TargetInvocationException``
  of the web method and hands the method's own exception to the protocol.
* SOAP (``SoapServerProtocol.WriteException``): a ``SoapException`` thrown on
  purpose keeps its code and text; any other exception becomes
  ``soap:Server`` with the text ``Server was unable to process request. --->``
  followed by the exception's messages (``SoapException.Create`` with
  ``Soap.Code.Server``; the messages are joined by ``ServerProtocol.GenerateFaultString``).
  A request that cannot be read is ``soap:Client``
  (``SoapServerProtocol.ReadParameters``: ``Server was unable to read request.``).
  SOAP 1.1 writes the code as it is (``Soap11ServerProtocolHelper.WriteFault``),
  SOAP 1.2 as ``Sender``/``Receiver``
  (``Soap12ServerProtocolHelper.TranslateFaultCode``); we normalise them back to
  ``Client``/``Server``.
* HTTP GET/POST (``HttpServerProtocol.WriteException``): every exception, on
  purpose or not, becomes the same ``500 text/plain`` whose body is
  ``GenerateFaultString(e, true)``: the HTML-encoded messages of the exception
  chain, with no fault code and without the ``Server was unable to process
  request.`` prefix (that prefix is added only by the SOAP protocol).

So the client classes a fault like this (:meth:`FaultTable.classify`):

1. ``VersionMismatch``, ``MustUnderstand``, ``DataEncodingUnknown`` →
   :class:`ProtocolFault`.
2. ``Client`` (SOAP): the first rule of the fault table whose class is a
   :class:`ClientFault` and whose pattern matches the message; else
   :class:`ClientFault`.
3. ``Server`` (SOAP): the first rule whose class is a :class:`ServerFault`
   subclass and whose pattern matches the inner message (the text after
   ``Server was unable to process request. --->``, which is exactly what the
   HTTP bindings send); else :class:`ServerFault`. The code wins: a server
   failure is never reclassed as the request's fault because of its wording.
4. No code (the text/plain 500 of HTTP GET/POST): the first rule of any class
   that matches the message (with the SOAP prefix removed, should a server add
   it); else :class:`ServerFault`, because an exception that no known client
   text describes is what SOAP would send as ``soap:Server``. ``code`` stays
   ``None`` on these faults: it says what came over the wire.
5. Any other code → :class:`ServiceFault`.

Before all of these: a fault whose ``detail`` holds an element that the operation
declares with ``wsdl:fault`` (``Operation.faults``) is the generated
:class:`DeclaredFault` subclass of that fault, with the element read into
``detail_value``. The vendored ASMX WSDLs declare none (ASMX writes no
``wsdl:fault``); WCF and other stacks do.

What this cannot see, because HTTP GET/POST send no code: a client fault whose
text no rule knows is a :class:`ClientFault` over SOAP but a :class:`ServerFault`
over HTTP (add a rule for it), and a server failure whose text happens to match
a client rule is that client fault over HTTP. The default rules are the
service's own texts, so neither happens with the texts known today.

The table is data: :data:`DEFAULT_FAULT_TABLE` is immutable; build your own with
``DEFAULT_FAULT_TABLE.with_rule(r"quota exceeded", QuotaFault)`` and give it to
one client (``PixelzClient(..., fault_classes=table)``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Self, cast

from .errors import (
    SERVER_PREFIX,
    AuthenticationError,
    ClientFault,
    InvalidArgumentFault,
    InvalidParameterError,
    InvalidStateError,
    NotFoundError,
    ProtocolFault,
    ServerFault,
    ServiceFault,
    split_fault_text,
)

__all__ = ["DEFAULT_FAULT_TABLE", "FaultRule", "FaultTable", "fault_class"]

FaultRule = tuple[re.Pattern[str], type[ServiceFault]]


class FaultTable(tuple[FaultRule, ...]):
    """An immutable, ordered table of (pattern, exception class) rules; first match wins.

    ``with_rule`` and ``extend`` return new tables; nothing changes a table in
    place, so a table given to one client never changes what another client
    raises. A rule's class is a :class:`ClientFault` or :class:`ServerFault`
    subclass (see the module documentation for which rules apply to which code).
    """

    def __new__(
        cls, rules: Iterable[tuple[re.Pattern[str] | str, type[ServiceFault]]] = ()
    ) -> Self:
        if isinstance(rules, (str, bytes)) or not isinstance(rules, Iterable):
            raise InvalidParameterError(
                "fault_classes", f"expected a FaultTable or (pattern, class) pairs, got {rules!r}"
            )
        return super().__new__(cls, tuple(_check_rule(rule) for rule in rules))

    def with_rule(self, pattern: re.Pattern[str] | str, cls: type[ServiceFault]) -> FaultTable:
        """A new table with this rule checked first (a string pattern is case-insensitive)."""
        return FaultTable(((pattern, cls), *self))

    def extend(
        self, rules: Iterable[tuple[re.Pattern[str] | str, type[ServiceFault]]]
    ) -> FaultTable:
        """A new table with ``rules`` checked after this table's rules."""
        return FaultTable((*self, *rules))

    def classify(self, code: str | None, text: str) -> type[ServiceFault]:
        """The exception class for a normalised fault code and its text."""
        if code in ("VersionMismatch", "MustUnderstand", "DataEncodingUnknown"):
            return ProtocolFault
        message, inner = split_fault_text(text)
        if code == "Client":
            return self._match(message, ClientFault) or ClientFault
        if code == "Server":
            return self._match(_without_server_prefix(message, inner), ServerFault) or ServerFault
        if code is None:
            return self._match(_without_server_prefix(message, inner), None) or ServerFault
        return ServiceFault

    def _match(self, message: str, base: type[ServiceFault] | None) -> type[ServiceFault] | None:
        for pattern, cls in self:
            if (base is None or issubclass(cls, base)) and pattern.search(message):
                return cls
        return None

    def __repr__(self) -> str:
        rules = ", ".join(f"({p.pattern!r}, {c.__name__})" for p, c in self)
        return f"FaultTable([{rules}])"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FaultTable, (tuple(self),))


def _check_rule(rule: object) -> FaultRule:
    if not isinstance(rule, tuple) or len(rule) != 2:
        raise InvalidParameterError("fault_classes", f"{rule!r} is not a (pattern, class) pair")
    pattern, cls = rule
    if isinstance(pattern, str):
        pattern = re.compile(pattern, re.I)
    if not isinstance(pattern, re.Pattern):
        raise InvalidParameterError(
            "fault_classes", f"{pattern!r} is not a regular expression or a string"
        )
    if not (
        isinstance(cls, type) and (issubclass(cls, ClientFault) or issubclass(cls, ServerFault))
    ):
        raise InvalidParameterError(
            "fault_classes", f"{cls!r} is not a subclass of ClientFault or ServerFault"
        )
    return (cast("re.Pattern[str]", pattern), cls)


# The service's own texts (the message, without .NET exception type or stack).
DEFAULT_FAULT_TABLE: FaultTable = FaultTable(
    [
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
                r"too (long|large|many)|at most|at least|"
                # ASMX's own texts for a value it cannot read: over HTTP GET/POST the
                # scalar formatter's "Cannot convert x to System.Int32.", over SOAP the
                # XmlSerializer's "Input string was not in a correct format."
                r"\bcannot convert .* to System\.|not in a correct format",
                re.I,
            ),
            InvalidArgumentFault,
        ),
    ]
)


def _without_server_prefix(message: str, inner: str) -> str:
    """What the web method's exception said: the message without the SOAP wrapper's prefix."""
    if message.startswith(SERVER_PREFIX) and inner:
        return inner
    return message


def fault_class(
    code: str | None, text: str, table: Iterable[FaultRule] | None = None
) -> type[ServiceFault]:
    """The exception class for a normalised fault code and its text, per ``table``.

    ``table`` defaults to :data:`DEFAULT_FAULT_TABLE`; the rule is described in
    the module documentation.
    """
    if table is None:
        chosen = DEFAULT_FAULT_TABLE
    elif isinstance(table, FaultTable):
        chosen = table
    else:
        chosen = FaultTable(table)
    return chosen.classify(code, text)

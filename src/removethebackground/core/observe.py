"""The observer seam: what a call, its attempts and a workflow's work tell an observer.

The core imports no telemetry library. It tells one process-wide :class:`Observer`
(``None``, the default, costs one ``is None`` check per call and per send) what
happens, and an observer outside the core turns that into spans and metrics
(:mod:`removethebackground.plugins.otel` for OpenTelemetry). Only facts that hold
no secret cross the seam: the operation's name, the binding, the server's host and
port (never the path's query, user info or the envelope), the HTTP status, the
attempt number, the outcome and the error's class (never its text).

Who calls what:

* :meth:`ServiceClient._call <removethebackground.core.client.ServiceClient._call>`
  calls :func:`begin` once the request is built (a value refused before that makes
  no call), :meth:`Call.answered` with the final answer's status,
  :meth:`Call.lost` when the answer of a call that changes state was lost and is
  looked up, and :meth:`Call.end` with the error the call raises (``None``: it
  returned);
* the retry transport (:mod:`removethebackground.core.retry`) calls
  :func:`current` and, around every send, :meth:`Call.attempt_started` and
  :meth:`Call.attempt_ended`, and :func:`retrying` when it decides to send again;
* workflows call :func:`work` around a piece of work (a batch's submit, wait,
  download) and :func:`measure` for their counts.

An async client calls the same functions from its coroutine: the call in flight is
held in a :class:`contextvars.ContextVar` (each task has its own), nothing is
thread-local, and :func:`begin` / :meth:`Call.end` must run in the same task (as
``set``/``reset`` of a context variable must). Threads started by a workflow see
the call or work of the thread that started them only when they run in a copy of
its context (:func:`contextvars.copy_context`), as :mod:`removethebackground.workflows.batch`
does for its pool.

An observer that raises never fails a call: the error is logged at DEBUG on the
``removethebackground.observe`` logger (its class only) and the call goes on.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlsplit

from .wire import Binding, Operation

__all__ = [
    "Attributes",
    "Call",
    "CallEnd",
    "CallInfo",
    "Observer",
    "begin",
    "current",
    "get_observer",
    "measure",
    "retrying",
    "set_observer",
    "work",
]

log = logging.getLogger("removethebackground.observe")

#: Attribute values an observer is given: plain scalars only.
Attributes = Mapping[str, str | int | float | bool]


@dataclass(frozen=True, slots=True)
class CallInfo:
    """What a call is: nothing in it is secret.

    ``service`` is the client's service (``Pixelz``, ``RemoveTheBackground``), ``operation``
    the WSDL's operation name (``GetImageStatus``), ``binding`` the binding's value
    (``soap11``), ``server_address``/``server_port`` the endpoint's host and port
    (the port the scheme implies when the URL names none), ``method`` the HTTP method.
    """

    service: str
    operation: str
    binding: str
    server_address: str
    server_port: int
    method: str
    changes_state: bool


@dataclass(frozen=True, slots=True)
class CallEnd:
    """How a call ended.

    ``outcome``: ``ok`` (an answer was read), ``reconciled`` (the answer was lost and
    the call's effect was found by a lookup), ``fault`` (the service answered a
    fault), ``unknown`` (a call that changes state whose effect could not be
    learnt), ``error`` (anything else: the transport, an unreadable answer).
    ``attempts`` counts the sends (1 without retries); ``status`` is the last HTTP
    status seen (``None`` when no answer came); ``error_type`` the class name of the
    error raised; ``fault_code`` the local name of a SOAP fault's code (``Client``,
    ``Server``, ``Sender`` ...).
    """

    outcome: str
    attempts: int
    status: int | None
    error_type: str | None
    fault_code: str | None
    seconds: float


class CallObservation(Protocol):
    """What an observer keeps for one call (a span, a start time ...)."""

    def attempt_started(self, attempt: int) -> object:
        """Send number ``attempt`` (1 for the first) starts; returns a token for its end."""

    def attempt_ended(
        self, token: object, attempt: int, status: int | None, error: BaseException | None
    ) -> None:
        """The send ended with an answer of ``status`` or with ``error``."""

    def retrying(self, attempt: int, reason: str, delay: float) -> None:
        """Send ``attempt`` failed for ``reason`` (no secret: ``HTTP 503``, an error's
        class); another follows after ``delay`` seconds."""

    def ended(self, end: CallEnd) -> None:
        """The call ended."""


class WorkObservation(Protocol):
    """What an observer keeps for one piece of work."""

    def ended(self, error: BaseException | None, attributes: Attributes) -> None:
        """The work ended (``error``: what it raised); ``attributes`` add to its start's."""


class Observer(Protocol):
    """Told about every call of every client, and about the workflows' work."""

    def call_started(self, call: CallInfo) -> CallObservation:
        """A call starts (on the caller's thread or task)."""

    def work_started(self, name: str, attributes: Attributes) -> WorkObservation:
        """A piece of work (``batch.submit`` ...) starts."""

    def measure(self, name: str, value: int | float, attributes: Attributes) -> None:
        """A workflow's measurement (see :mod:`removethebackground.plugins.otel` for the names)."""


#: The observer of the process; read directly on the hot path (``None``: off).
observer: Observer | None = None


def set_observer(new: Observer | None) -> Observer | None:
    """Make ``new`` the process's observer (``None``: off); returns the previous one."""
    global observer
    previous, observer = observer, new
    return previous


def get_observer() -> Observer | None:
    return observer


_call: contextvars.ContextVar[Call | None] = contextvars.ContextVar(
    "removethebackground_call", default=None
)


class Call:
    """One call in flight under an observer (what :func:`begin` returns)."""

    __slots__ = ("_observed", "_started", "_token", "attempts", "info", "reconciling", "status")

    def __init__(self, info: CallInfo, observed: CallObservation) -> None:
        self.info = info
        self._observed = observed
        self.attempts = 0
        self.status: int | None = None
        self.reconciling = False
        self._started = time.perf_counter()
        self._token: contextvars.Token[Call | None] | None = None

    def answered(self, status: int) -> None:
        """The answer the call reads came with ``status``."""
        self.status = status

    def lost(self) -> None:
        """The answer was lost; the call is looked up (and maybe sent again)."""
        self.reconciling = True

    def attempt_started(self) -> tuple[int, object]:
        """A send starts: its number and the observer's token."""
        self.attempts += 1
        try:
            return self.attempts, self._observed.attempt_started(self.attempts)
        except Exception as exc:
            _failed(exc)
            return self.attempts, None

    def attempt_ended(
        self, mark: tuple[int, object] | None, status: int | None, error: BaseException | None
    ) -> None:
        """The send ``mark`` (from :meth:`attempt_started`) ended with an answer of
        ``status`` or with ``error``."""
        if mark is None:
            return
        if status is not None:
            self.status = status
        try:
            self._observed.attempt_ended(mark[1], mark[0], status, error)
        except Exception as exc:
            _failed(exc)

    def end(self, error: BaseException | None) -> None:
        """The call ends: it returned (``error`` None) or raises ``error``."""
        if self._token is not None:
            try:
                _call.reset(self._token)
            except ValueError:  # ended in another context than it began in
                _call.set(None)
            self._token = None
        status = self.status
        fault_code: str | None = None
        if error is None:
            outcome = "reconciled" if self.reconciling else "ok"
            error_type = None
        else:
            error_type = type(error).__name__
            outcome = _outcome_of(error)
            http_status = getattr(error, "http_status", None)
            if isinstance(http_status, int):
                status = http_status
            fault_code = _fault_code(getattr(error, "code", None)) if outcome == "fault" else None
        end = CallEnd(
            outcome=outcome,
            attempts=max(self.attempts, 1),
            status=status,
            error_type=error_type,
            fault_code=fault_code,
            seconds=time.perf_counter() - self._started,
        )
        try:
            self._observed.ended(end)
        except Exception as exc:
            _failed(exc)


def begin(
    service: str, op: Operation[Any], binding: Binding, endpoint: str, method: str
) -> Call | None:
    """Start observing a call (``None`` when no observer is set or it failed)."""
    current_observer = observer
    if current_observer is None:
        return None
    host, port = _server(endpoint)
    info = CallInfo(
        service=service,
        operation=op.name,
        binding=binding.value,
        server_address=host,
        server_port=port,
        method=method,
        changes_state=op.changes_state,
    )
    try:
        observed = current_observer.call_started(info)
    except Exception as exc:
        _failed(exc)
        return None
    call = Call(info, observed)
    call._token = _call.set(call)
    return call


def current() -> Call | None:
    """The call in flight in this thread or task (``None``: none observed)."""
    return _call.get() if observer is not None else None


def retrying(attempt: int, reason: str, delay: float) -> None:
    """The call in flight sends again after ``delay`` seconds, its last send having
    failed for ``reason``. ``attempt`` is the sender's own count; the observer is given
    the call's (which goes on across a reconciled call's sends)."""
    call = current()
    if call is None:
        return
    try:
        call._observed.retrying(max(call.attempts, attempt, 1), reason, delay)
    except Exception as exc:
        _failed(exc)


@contextmanager
def work(name: str, attributes: Attributes, ended: dict[str, Any] | None = None) -> Iterator[None]:
    """Observe a piece of work; ``ended``: attributes filled in while it runs, given at
    its end. Costs one check when no observer is set."""
    current_observer = observer
    if current_observer is None:
        yield
        return
    try:
        observed: WorkObservation | None = current_observer.work_started(name, attributes)
    except Exception as exc:
        _failed(exc)
        observed = None
    error: BaseException | None = None
    try:
        yield
    except BaseException as exc:
        error = exc
        raise
    finally:
        if observed is not None:
            try:
                observed.ended(error, dict(ended or {}))
            except Exception as exc:
                _failed(exc)


def measure(name: str, value: int | float, attributes: Attributes) -> None:
    """A workflow's measurement (nothing happens when no observer is set)."""
    current_observer = observer
    if current_observer is None:
        return
    try:
        current_observer.measure(name, value, attributes)
    except Exception as exc:
        _failed(exc)


def _failed(exc: Exception) -> None:
    log.debug("the observer failed (%s); the call goes on", type(exc).__name__)


@lru_cache(maxsize=64)
def _server(endpoint: str) -> tuple[str, int]:
    """Host and port of ``endpoint`` (no user info, path or query)."""
    parts = urlsplit(endpoint)
    try:
        port = parts.port
    except ValueError:
        port = None
    default = 443 if parts.scheme == "https" else 80
    return parts.hostname or "", port if port is not None else default


def _outcome_of(error: BaseException) -> str:
    from .errors import OutcomeUnknownError, ServiceFault

    if isinstance(error, ServiceFault):
        return "fault"
    if isinstance(error, OutcomeUnknownError):
        return "unknown"
    return "error"


def _fault_code(code: object) -> str | None:
    """The local name of a fault code QName (``soap:Client`` -> ``Client``), when it is
    one; anything else the service wrote is left out."""
    if not isinstance(code, str):
        return None
    local = code.rsplit(":", 1)[-1].rsplit("}", 1)[-1]
    if 0 < len(local) <= 40 and local.replace(".", "").replace("_", "").isalnum():
        return local
    return None

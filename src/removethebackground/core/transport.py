"""Sending a built request and reading the whole answer: the transport seam.

A call goes through three pieces (see :meth:`ServiceClient._call
<removethebackground.core.client.ServiceClient._call>`)::

    binding.build_request(op, values)  ->  HttpRequest
    transport.send(request, ctx)       ->  HttpAnswer        (this module)
    binding.read_answer(op, answer)    ->  result, or a library error

A :class:`Transport` is anything with ``send`` and ``close``. The default,
:class:`RequestsTransport`, owns the :class:`requests.Session`, the timeouts, the
size cap and the redirect policy (redirects are never followed: a 3xx is an
:class:`~removethebackground.core.errors.HTTPStatusError`, so credentials never travel
to another address). It raises only library errors, redacted.

Adding behaviour around sending is a transport or a policy wrapping one, with no
change to the bindings or the generated code:

- **retries**: :class:`~removethebackground.core.retry.RetryingTransport` calls an inner
  transport again when the error's ``retryable`` is true and ``request.operation`` is
  safe to repeat (``HttpRequest`` carries the operation and the binding for this);
- **the total deadline** lives here, in :mod:`removethebackground.core.deadline`: one
  budget per call (every attempt, backoff and reconciliation lookup within it); each
  attempt arms the watchdog for what is left, and one watchdog thread shuts down the
  socket of an attempt whose deadline passed;
- **logging, metrics**: the same shape, wrapping ``send``;
- **an async transport**: a class with ``async def send(request, ctx)``, driven by
  an async call path that uses the same ``build_request``/``read_answer``, which
  do no I/O.

Whatever urllib3 or http.client raise (a malformed header, a bad ``Content-Length``,
a broken gzip stream) becomes a library error here; ``request_sent`` on a
:class:`~removethebackground.core.errors.TransportError` says whether the request may
have reached the service.

Speed: for a session the client creates itself, the proxy, CA-bundle and netrc
settings that requests would read from the environment on every request are
resolved once per host, on the first request to it, and requests then go straight
to the session's mounted adapter (no per-call environment scan, cookie merge or
hooks, which an ASMX service does not use). Changes to ``HTTP(S)_PROXY``,
``NO_PROXY``, ``REQUESTS_CA_BUNDLE`` and the like after that first request are
not seen by that client: make a new client. A session you pass yourself
(``session=``) is used as given, through ``Session.request``, on every call.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
import urllib3
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError

from ..bindings.base import CallContext
from . import deadline as _deadline
from .connection import tls_error
from .errors import (
    ConnectionFailedError,
    MalformedResponseError,
    TransportError,
    TransportTimeout,
)
from .http import HttpAnswer, HttpRequest
from .secret import RedactingFilter, install_log_filter
from .wire import SECRET_PARAMS

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "RequestsTransport",
    "Transport",
    "new_session",
]

DEFAULT_TIMEOUT = 30.0
#: The default deadline of a whole call is this many times the (largest) timeout.
DEADLINE_FACTOR = 3.0
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_CHUNK = 65536

Timeout = float | tuple[float, float]


class Transport(Protocol):
    """Sends one request and returns the whole answer, or raises a library error."""

    def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        """Send ``request``; errors are :class:`~removethebackground.core.errors.TransportError`."""

    def close(self) -> None:
        """Release connections (if this transport owns them)."""


#: Every logger of these packages gets the redacting filter (each one: a filter sees
#: only the records logged on its own logger, not those propagating from children);
#: aiohttp and asyncio for the async client (naming them imports neither).
LOGGER_ROOTS = ("urllib3", "requests", "removethebackground", "aiohttp", "asyncio")
install_log_filter(LOGGER_ROOTS, RedactingFilter(SECRET_PARAMS))


def new_session() -> requests.Session:
    """A session with a pooled adapter that never retries on its own."""
    session = requests.Session()
    adapter = _deadline.WatchedAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.trust_env = True
    return session


class RequestsTransport:
    """The default transport: requests and urllib3, a deadline, a size cap, no redirects.

    Args:
        session: a session of your own, used as given (its proxies, certificates,
            hooks and environment handling); the transport then leaves closing it
            to you. Default: a pooled session of the transport's own.
        timeout: seconds, or a ``(connect, read)`` pair, for each socket operation.
        max_response_bytes: answers larger than this (after decompression) are refused.
        verify, cert, proxies: TLS verification (``True``/``False``/CA bundle path),
            client certificate and proxies for every request; ``None`` leaves each to
            the session and the environment (verification is then on). See
            :mod:`removethebackground.core.connection`. A failed certificate check is a
            :class:`~removethebackground.core.errors.TLSVerificationError`.
        deadline: seconds for one request sent on its own (connect, headers and body
            together); default :data:`DEADLINE_FACTOR` times the largest timeout.
            Within a client's call the call's budget rules instead
            (:func:`removethebackground.core.deadline.begin`): each attempt is armed
            for what is left of it, so retries and lookups share one deadline. With a
            session of your own the deadline starts to cover the connection when the
            answer's headers have come (its adapter's connections are not watched
            before).
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        verify: bool | str | None = None,
        cert: str | tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
        deadline: float | None = None,
    ) -> None:
        self.timeout = timeout
        self.deadline = default_deadline(timeout) if deadline is None else deadline
        self.verify = verify
        self.cert = cert
        self.proxies = dict(proxies) if proxies is not None else None
        self.max_response_bytes = max_response_bytes
        self.owns_session = session is None
        self.session = session if session is not None else new_session()
        self._settings: dict[str, dict[str, Any]] = {}
        self._settings_lock = threading.Lock()
        self._base_headers = dict(self.session.headers) if self.owns_session else {}

    def close(self) -> None:
        if self.owns_session:
            self.session.close()

    # --- sending ---------------------------------------------------------------------------

    def _send_settings(self, url: str) -> dict[str, Any]:
        """Proxies, verify and cert for ``url``'s host, resolved once (own session only)."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        found = self._settings.get(key)
        if found is None:
            session = self.session
            merged = session.merge_environment_settings(
                key + "/", dict(self.proxies or {}), None, self.verify, self.cert
            )
            found = {k: v for k, v in merged.items() if k != "stream"}
            with self._settings_lock:
                self._settings[key] = found
        return found

    def _open(self, request: HttpRequest) -> requests.Response:
        if not self.owns_session:
            return self.session.request(
                request.method,
                request.url,
                data=request.body,
                headers=dict(request.headers),
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,
                # The session's own verify wins over REQUESTS_CA_BUNDLE (requests alone
                # would let the variable replace it when verify is not passed).
                verify=self.verify if self.verify is not None else self.session.verify,
                cert=self.cert,
                proxies=self.proxies,
            )
        settings = self._send_settings(request.url)
        prepared = requests.PreparedRequest()
        prepared.method = request.method
        prepared.url = request.url
        headers = {**self._base_headers, **request.headers}
        if request.body is not None:
            headers["Content-Length"] = str(len(request.body))
        prepared.headers = headers  # type: ignore[assignment]
        prepared.body = request.body
        prepared.hooks = {"response": []}
        adapter = self.session.get_adapter(request.url)
        response: requests.Response = adapter.send(
            prepared, stream=True, timeout=self.timeout, **settings
        )
        return response

    def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        spent = _deadline.state.budget
        if spent is None:  # sent on its own, not within a client's call
            watch = _deadline.arm(self.deadline)
        elif spent.ends > time.monotonic():  # one attempt of a call: what is left of it
            watch = _deadline.arm_until(spent)
        else:
            failure = TransportTimeout(
                f"the call took longer than its deadline of {spent.seconds} s "
                "(no time was left for this attempt)",
                operation=request.operation.name,
                binding=request.binding.value,
            )
            failure.request_sent = False
            raise failure
        try:
            return self._send(request, ctx, watch)
        finally:
            _deadline.disarm(watch)

    def _send(self, request: HttpRequest, ctx: CallContext, watch: _deadline.Watch) -> HttpAnswer:
        failure: TransportError | None = None
        op, binding = request.operation.name, request.binding.value
        try:
            response = self._open(request)
        except requests.ConnectTimeout as exc:
            failure = self._timeout_error(watch, op, binding, ctx, exc, "connect")
        except requests.Timeout as exc:
            failure = self._timeout_error(watch, op, binding, ctx, exc, "answer")
        except requests.ConnectionError as exc:
            if watch.fired:
                failure = self._timeout_error(watch, op, binding, ctx, exc, "answer")
            else:
                host = urlsplit(request.url).netloc
                tls = tls_error(exc, request.url, operation=op, binding=binding)
                if tls is not None:
                    tls.args = (ctx.redact(str(tls.args[0])),)
                    failure = tls
                else:
                    failure = ConnectionFailedError(
                        ctx.redact(f"cannot reach {host}: {_text(exc)}"),
                        operation=op,
                        binding=binding,
                    )
                failure.request_sent = False if tls is not None or _never_connected(exc) else None
        except Exception as exc:
            if getattr(exc, "passes_through", False):  # a test double's own assertion
                raise
            if watch.fired:
                failure = self._timeout_error(watch, op, binding, ctx, exc, "answer")
            else:
                failure = TransportError(
                    ctx.redact(f"{type(exc).__name__}: {_text(exc)}"),
                    operation=op,
                    binding=binding,
                )
                failure.request_sent = None
        if failure is not None:
            _close_conn(watch)
            # Raised outside the except block: no __context__ leads back to the request.
            raise failure
        try:
            if watch.conn is None:  # a session of the user's own: watch from now on
                watch.conn = getattr(response.raw, "_connection", None)
            body = self._read(response, request, ctx, watch)
            try:
                reason = str(response.reason or "")
            except Exception:
                reason = ""
            return HttpAnswer(response.status_code, reason, response.headers, body)
        finally:
            if watch.fired:
                _close_conn(watch)
            try:
                response.close()
            except Exception:
                _close_conn(watch)

    def _timeout_error(
        self,
        watch: _deadline.Watch,
        op: str,
        binding: str,
        ctx: CallContext,
        exc: BaseException,
        phase: str,
        status: int | None = None,
    ) -> TransportTimeout:
        if watch.fired:
            text = f"the call took longer than its deadline of {watch.seconds} s"
        elif phase == "connect":
            text = f"no connection within {self.timeout} s: {_text(exc)}"
        elif phase == "body":
            text = f"the answer stopped for over {self.timeout} s: {_text(exc)}"
        else:
            text = f"no answer within {self.timeout} s: {_text(exc)}"
        failure = TransportTimeout(
            ctx.redact(text), http_status=status, operation=op, binding=binding
        )
        failure.request_sent = False if phase == "connect" and not watch.fired else None
        return failure

    def _read(
        self,
        response: requests.Response,
        request: HttpRequest,
        ctx: CallContext,
        watch: _deadline.Watch,
    ) -> bytes:
        op, binding = request.operation.name, request.binding.value
        status = response.status_code
        cap = self.max_response_bytes
        declared = _content_length(response.headers)
        if declared is not None and declared > cap:
            raise MalformedResponseError(
                f"the answer is {declared} bytes, over max_response_bytes={cap}",
                http_status=status,
                operation=op,
                binding=binding,
            )
        chunks: list[bytes] = []
        size = 0
        failure: TransportError | None = None
        try:
            for chunk in _chunks(response.raw):
                size += len(chunk)
                if size > cap:
                    failure = MalformedResponseError(
                        f"the answer exceeds max_response_bytes={cap}",
                        http_status=status,
                        operation=op,
                        binding=binding,
                    )
                    break
                chunks.append(chunk)
        except (ReadTimeoutError, TimeoutError) as exc:
            failure = self._timeout_error(watch, op, binding, ctx, exc, "body", status)
        except Exception as exc:
            if watch.fired:
                failure = self._timeout_error(watch, op, binding, ctx, exc, "body", status)
            else:
                failure = MalformedResponseError(
                    ctx.redact(f"the answer broke off: {type(exc).__name__}: {_text(exc)}"),
                    http_status=status,
                    operation=op,
                    binding=binding,
                )
                failure.request_sent = None  # it ran, or not: what came was cut short
        if failure is not None:
            raise failure
        if watch.fired:  # the last bytes came as the deadline passed: the socket is shut
            raise self._timeout_error(watch, op, binding, ctx, TimeoutError(), "body", status)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def default_deadline(timeout: Timeout) -> float:
    """The deadline of a whole call for a per-read ``timeout``."""
    largest = max(timeout) if isinstance(timeout, tuple) else timeout
    return float(largest) * DEADLINE_FACTOR


_DIGITS = re.compile(r"[0-9]{1,19}")


def _content_length(headers: Any) -> int | None:
    """The declared length, if it is one plain decimal number (else the cap alone decides)."""
    try:
        value = headers.get("Content-Length")
    except Exception:
        return None
    if not isinstance(value, str):
        return None
    value = value.strip()
    return int(value) if _DIGITS.fullmatch(value) else None


def _text(exc: BaseException) -> str:
    """The text of a foreign exception, never failing."""
    try:
        return str(exc)
    except Exception:
        return type(exc).__name__


def _never_connected(exc: BaseException) -> bool:
    """Whether a connection error happened before any byte of the request left."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, (NewConnectionError, ConnectTimeoutError)):
            return True
        reason = getattr(cur, "reason", None)
        if isinstance(reason, BaseException):
            cur = reason
            continue
        first = cur.args[0] if cur.args else None
        cur = first if isinstance(first, BaseException) else cur.__context__
    return False


def _close_conn(watch: _deadline.Watch) -> None:
    conn = watch.conn
    if conn is not None:
        with contextlib.suppress(Exception):
            conn.close()


def _chunks(raw: Any) -> Iterator[bytes]:
    """The body in chunks, decompressed: urllib3's answer is read directly; any other
    body (a test adapter's) as requests reads it, through ``stream`` or ``read``."""
    if isinstance(raw, urllib3.HTTPResponse):
        while True:
            chunk = raw.read(_CHUNK, decode_content=True)
            if not chunk:
                return
            yield chunk
    stream = getattr(raw, "stream", None)
    if callable(stream):
        yield from stream(_CHUNK, decode_content=True)
        return
    while True:
        chunk = raw.read(_CHUNK)
        if not chunk:
            return
        yield chunk


def check_timeout(timeout: Timeout) -> Timeout:
    """A valid timeout, or :class:`~removethebackground.core.errors.InvalidParameterError`."""
    from .errors import InvalidParameterError

    if isinstance(timeout, tuple) and len(timeout) != 2:
        raise InvalidParameterError("timeout", "a tuple must be a (connect, read) pair")
    values = timeout if isinstance(timeout, tuple) else (timeout,)
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e6:
            raise InvalidParameterError(
                "timeout", "must be a positive number of seconds (or a (connect, read) pair)"
            )
    return timeout


def check_deadline(deadline: float | None) -> float | None:
    """A valid deadline (``None``: the default), or :class:`InvalidParameterError`."""
    from .errors import InvalidParameterError

    if deadline is None:
        return None
    if (
        isinstance(deadline, bool)
        or not isinstance(deadline, (int, float))
        or not 0 < deadline < 1e6
    ):
        raise InvalidParameterError(
            "deadline",
            f"{deadline!r} is not a positive number of seconds below 1e6 for the whole call "
            "(leave it out for the default, 3 times the timeout)",
        )
    return float(deadline)

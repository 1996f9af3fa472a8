"""The async transport seam: :class:`AsyncTransport` and :class:`AiohttpTransport`.

The async client (:class:`~removethebackground.core.asyncclient.AsyncServiceClient`)
sends through an :class:`AsyncTransport`: anything with ``async def send(request, ctx)``
and ``async def close()``, speaking the same
:class:`~removethebackground.core.http.HttpRequest` and
:class:`~removethebackground.core.http.HttpAnswer` as the sync transports, and raising the
same library errors (classes, ``retryable``, ``request_sent``), redacted.

:class:`AiohttpTransport` is the default, on aiohttp (the ``async`` extra:
``pip install 'removethebackground[async]'``), chosen by measurement: 1,000 concurrent
POSTs through 100 pooled connections to a loopback server answering after 200 ms took
2.4 s with aiohttp against about 25 s with httpx/httpcore, whose pool's request
assignment dominated the profile. asyncio only: aiohttp is bound to asyncio, so trio
and anyio's trio backend are not supported.

What it does, as :class:`~removethebackground.core.transport.RequestsTransport` does:

- **a connection limit**: ``max_connections`` (default :data:`DEFAULT_MAX_CONNECTIONS`,
  100) connections at most, to all hosts together; calls beyond it wait for a free one
  (within their deadline);
- **timeouts**: ``timeout`` seconds, or a ``(connect, read)`` pair, for connecting and
  for each read of the answer;
- **the deadline**: every attempt is bounded by what is left of the call's budget
  (:mod:`removethebackground.core.deadline`, one budget per asyncio task) with
  ``asyncio.timeout``; no watchdog thread. When it passes the attempt is cancelled,
  its connection closed, and it raises
  :class:`~removethebackground.core.errors.TransportTimeout`;
- **the size cap**: answers larger than ``max_response_bytes`` (after decompression)
  are refused and their connection closed;
- **no redirects**: a 3xx is returned as it is (the binding makes it an
  :class:`~removethebackground.core.errors.HTTPStatusError`), so credentials never
  travel to another address;
- **TLS**: ``verify=`` (``True``, ``False``, a CA bundle file or directory) and
  ``cert=`` (a client certificate), as :mod:`removethebackground.core.connection`;
- **proxies**: ``proxies=``/``proxy=`` name the proxy of each scheme (``http://``
  proxies; ``https://`` endpoints go through a ``CONNECT`` tunnel); without them,
  ``trust_env=True`` (the default, as requests does) reads ``HTTP_PROXY``,
  ``HTTPS_PROXY``, ``NO_PROXY`` and ``~/.netrc``, once per host on its first call (as
  the sync transport does for a session of its own: later changes are not seen);
  ``trust_env=False`` ignores them.

**Cancelling** a call (``task.cancel()``, ``asyncio.timeout``, ``wait_for``) closes the
connection of the attempt in flight (never returned to the pool half read) and lets
the ``CancelledError`` through.

The aiohttp session is made on the first call, inside the running loop (constructing
the transport does no I/O and needs no loop); a transport used from a later loop (after
the first one closed) makes a new session there. ``await transport.close()`` closes it.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import urlsplit

from ..bindings.base import CallContext
from . import deadline as _deadline
from .connection import tls_error
from .errors import (
    ConnectionFailedError,
    InvalidParameterError,
    MalformedResponseError,
    TransportError,
    TransportTimeout,
)
from .http import HttpAnswer, HttpRequest
from .transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    Timeout,
    _content_length,
    _text,
    default_deadline,
)

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "DEFAULT_MAX_CONNECTIONS",
    "AiohttpTransport",
    "AsyncTransport",
    "require_aiohttp",
]

#: Connections an :class:`AiohttpTransport` opens at most (all hosts together). 100 is
#: aiohttp's own default; the benchmark's 1,000 concurrent calls of 200 ms finish in
#: about 2 s with it, and in about 1 s with 250 (``max_connections=250``).
DEFAULT_MAX_CONNECTIONS = 100
_CHUNK = 65536
EXTRA = "pip install 'removethebackground[async]'"


class AsyncTransport(Protocol):
    """Sends one request and returns the whole answer, or raises a library error."""

    async def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        """Send ``request``; errors are :class:`~removethebackground.core.errors.TransportError`."""

    async def close(self) -> None:
        """Release connections (if this transport owns them)."""


def require_aiohttp() -> Any:
    """The ``aiohttp`` module, or :class:`InvalidParameterError` naming the extra."""
    try:
        import aiohttp
    except ImportError:
        raise InvalidParameterError(
            "transport",
            f"the async client's default transport needs aiohttp, which is not installed: "
            f"{EXTRA} (or pass transport= an AsyncTransport of your own)",
        ) from None
    return aiohttp


class AiohttpTransport:
    """The async client's default transport (asyncio only): aiohttp, a connection limit,
    the deadline, a size cap, no redirects; see the module documentation.

    Args:
        timeout: seconds, or a ``(connect, read)`` pair: for connecting, and for each
            read of the answer.
        max_response_bytes: answers larger than this (after decompression) are refused.
        verify, cert, proxies: TLS verification (``True``/``False``/CA bundle path),
            client certificate and proxies by scheme (checked values, as
            :class:`~removethebackground.core.config.ClientConfig` holds them).
        deadline: seconds for one request sent on its own (within a client's call the
            call's budget rules); default 3 times the largest timeout.
        max_connections: connections open at most (default
            :data:`DEFAULT_MAX_CONNECTIONS`); calls beyond it wait for one.
        trust_env: read proxies and ``.netrc`` from the environment (default ``True``);
            proxies given in ``proxies`` win.

    Raises :class:`InvalidParameterError` naming the ``async`` extra when aiohttp is
    not installed.
    """

    def __init__(
        self,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        verify: bool | str | None = None,
        cert: str | tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
        deadline: float | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        trust_env: bool = True,
    ) -> None:
        self._aiohttp = require_aiohttp()
        import yarl  # aiohttp's own URL type

        self._url = yarl.URL
        self.max_connections = check_max_connections(max_connections)
        if not isinstance(trust_env, bool):
            raise InvalidParameterError(
                "trust_env", f"{trust_env!r} is not a bool: True reads HTTP(S)_PROXY and .netrc"
            )
        self.timeout = timeout
        self.deadline = default_deadline(timeout) if deadline is None else deadline
        self.verify = verify
        self.cert = cert
        self.proxies = dict(proxies) if proxies is not None else None
        self.max_response_bytes = max_response_bytes
        self.trust_env = trust_env
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self._timeout = self._aiohttp.ClientTimeout(
            total=None, connect=None, sock_connect=connect, sock_read=read
        )
        self._session: aiohttp.ClientSession | None = None
        self._environments: dict[str, asyncio.Future[_Environment]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gate: asyncio.Semaphore | None = None
        self._gate_loop: asyncio.AbstractEventLoop | None = None
        self._ssl: ssl.SSLContext | bool | None = None

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The aiohttp session (``None`` before the first call)."""
        return self._session

    async def close(self) -> None:
        """Close the session and its connections."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    # --- the session -------------------------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext | bool:
        """The TLS setting of the connector: ``True`` (aiohttp's own verifying context,
        made once per process) unless ``verify=`` or ``cert=`` ask for another."""
        if self._ssl is None:
            if self.cert is None and self.verify in (None, True):
                context: ssl.SSLContext | bool = True
            elif self.verify is False:
                context = False if self.cert is None else _no_verify()
            elif isinstance(self.verify, str):
                import os.path

                if os.path.isdir(self.verify):
                    context = ssl.create_default_context(capath=self.verify)
                else:
                    context = ssl.create_default_context(cafile=self.verify)
            else:
                context = ssl.create_default_context()
            if self.cert is not None:
                assert isinstance(context, ssl.SSLContext)
                if isinstance(self.cert, tuple):
                    context.load_cert_chain(self.cert[0], self.cert[1])
                else:
                    context.load_cert_chain(self.cert)
            self._ssl = context
        return self._ssl

    def _session_here(self) -> aiohttp.ClientSession:
        """The session of the running loop, made on the first call in it."""
        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and self._loop is loop and not session.closed:
            return session
        lib = self._aiohttp
        connector = lib.TCPConnector(
            limit=self.max_connections, limit_per_host=0, ssl=self._ssl_context()
        )
        session = lib.ClientSession(
            connector=connector,
            timeout=self._timeout,
            # The environment is read here, once per host (_environment), not by aiohttp:
            # with trust_env it reads .netrc and the proxy variables in a worker thread on
            # every request, two thread hops per call that queue behind each other.
            trust_env=False,
            auto_decompress=True,
        )
        # aiohttp sends a GET (an "idempotent" method) again by itself when a pooled
        # connection breaks under it (RFC 9112, 9.3.1). Over the HTTP GET binding an ASMX
        # GET may queue an image (AddImageToQueue), so that resend could queue it twice:
        # resending is the retry policy's decision alone. aiohttp has no public switch for
        # it; its own test client turns it off through this attribute.
        session._retry_connection = False
        self._session, self._loop = session, loop
        self._environments = {}  # its futures belong to the loop before
        made: aiohttp.ClientSession = session
        return made

    def _gate_here(self) -> asyncio.Semaphore:
        """The running loop's ``max_connections`` slots, one held by each request from
        before it enters aiohttp until its connection is released or closed.

        Calls beyond the limit wait here rather than in the connector: a call waiting in
        aiohttp already holds its ``ClientRequest``, three header dicts, a cookie, a
        payload, a connection key, a waiter future and a stack of coroutines (about 5 KiB
        a call), a call waiting here only its own request. The connector keeps the same
        limit, so it never makes a request wait on top of this."""
        loop = asyncio.get_running_loop()
        gate = self._gate
        if gate is None or self._gate_loop is not loop:
            gate = asyncio.Semaphore(self.max_connections)
            self._gate, self._gate_loop = gate, loop
        return gate

    def _proxy_for(self, url: str) -> str | None:
        proxies = self.proxies
        if not proxies:
            return None
        parts = urlsplit(url)
        for key in (f"{parts.scheme}://{parts.hostname}", parts.scheme, "all"):
            if key in proxies:
                return proxies[key]
        return None

    async def _environment(self, url: str) -> _Environment:
        """The proxy (given, or from the environment) and ``.netrc`` credentials for
        ``url``'s host, read once per host (in a worker thread: it reads files), as the
        sync transport does for a session of its own. Later changes to the variables are
        not seen by this transport."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        found = self._environments.get(key)
        if found is None:
            found = asyncio.ensure_future(asyncio.to_thread(self._read_environment, url))
            self._environments[key] = found  # the calls that come meanwhile await it too
        return await asyncio.shield(found)

    def _read_environment(self, url: str) -> _Environment:
        from aiohttp.helpers import basicauth_from_netrc, get_env_proxy_for_url, netrc_from_env

        given = self._proxy_for(url)
        if not self.trust_env:
            return _Environment(given, None, None)
        target = self._url(url, encoded=True)
        proxy, proxy_auth = given, None
        if proxy is None:
            try:
                found, proxy_auth = get_env_proxy_for_url(target)
                proxy = str(found)
            except LookupError:
                pass
        auth = None
        if target.host is not None:
            try:
                auth = basicauth_from_netrc(netrc_from_env(), target.host)
            except LookupError:
                pass
        return _Environment(proxy, proxy_auth, auth)

    # --- sending ---------------------------------------------------------------------------

    async def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        spent = _deadline.budget()
        if spent is None:  # sent on its own, not within a client's call
            ends, seconds = time.monotonic() + self.deadline, self.deadline
        elif spent.ends > time.monotonic():  # one attempt of a call: what is left of it
            ends, seconds = spent.ends, spent.seconds
        else:
            failure = TransportTimeout(
                f"the call took longer than its deadline of {spent.seconds} s "
                "(no time was left for this attempt)",
                operation=request.operation.name,
                binding=request.binding.value,
            )
            failure.request_sent = False
            raise failure
        loop = asyncio.get_running_loop()
        bound = asyncio.timeout_at(loop.time() + (ends - time.monotonic()))
        gate = self._gate_here()
        try:
            async with bound:
                # The wait for a slot is within the deadline. acquire/release rather than
                # ``async with gate``: one coroutine fewer held by every waiting call.
                await gate.acquire()
                try:
                    return await self._send(request, ctx)
                finally:
                    gate.release()
        except TimeoutError:
            if not bound.expired():
                raise
        failure = TransportTimeout(
            f"the call took longer than its deadline of {seconds} s",
            operation=request.operation.name,
            binding=request.binding.value,
        )
        failure.request_sent = None
        raise failure

    async def _send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        lib = self._aiohttp
        op, binding = request.operation.name, request.binding.value
        session = self._session_here()
        failure: TransportError | None = None
        try:
            env = await self._environment(request.url)
            response = await session.request(
                request.method,
                # As built: yarl would otherwise re-quote the query (a key's %2F as "/").
                self._url(request.url, encoded=True),
                data=request.body,
                headers=dict(request.headers),
                allow_redirects=False,
                proxy=env.proxy,
                proxy_auth=env.proxy_auth,
                auth=env.auth,
            )
        except lib.ClientConnectorCertificateError as exc:
            failure = self._tls(exc, request, ctx) or self._unreachable(exc, request, ctx)
            failure.request_sent = False
        except lib.ClientSSLError as exc:
            failure = self._tls(exc, request, ctx) or self._unreachable(exc, request, ctx)
            failure.request_sent = False
        except lib.ConnectionTimeoutError as exc:
            failure = TransportTimeout(
                ctx.redact(f"no connection within {self.timeout} s: {_text(exc)}"),
                operation=op,
                binding=binding,
            )
            failure.request_sent = False
        except lib.ServerTimeoutError as exc:  # a read of the answer's head timed out
            failure = TransportTimeout(
                ctx.redact(f"no answer within {self.timeout} s: {_text(exc)}"),
                operation=op,
                binding=binding,
            )
            failure.request_sent = None
        except lib.ClientConnectorError as exc:  # never connected: nothing was sent
            failure = self._unreachable(exc, request, ctx)
            failure.request_sent = False
        except (lib.ServerDisconnectedError, lib.ClientOSError) as exc:
            # Under TLS 1.3 a server refuses a client certificate after the handshake, with
            # an alert read as the answer: the service never saw the request.
            tls = self._tls(exc, request, ctx)
            if tls is not None:
                failure = tls
                failure.request_sent = False
            else:
                failure = ConnectionFailedError(
                    ctx.redact(
                        f"the connection to {urlsplit(request.url).netloc} broke: {_text(exc)}"
                    ),
                    operation=op,
                    binding=binding,
                )
                failure.request_sent = None
        except lib.ClientResponseError as exc:  # an answer aiohttp cannot parse
            failure = MalformedResponseError(
                ctx.redact(f"the answer is not HTTP: {_text(exc)}"),
                operation=op,
                binding=binding,
            )
            failure.request_sent = None
        except Exception as exc:
            if getattr(exc, "passes_through", False):  # a test double's own assertion
                raise
            failure = TransportError(
                ctx.redact(f"{type(exc).__name__}: {_text(exc)}"), operation=op, binding=binding
            )
            failure.request_sent = None
        if failure is not None:
            # Raised outside the except block: no __context__ leads back to the request.
            raise failure
        done = False
        try:
            body = await self._read(response, request, ctx)
            done = True
            return HttpAnswer(response.status, str(response.reason or ""), response.headers, body)
        finally:
            if done:
                response.release()
            else:  # an error, a cancellation, the cap: the connection is not reused
                response.close()

    async def _read(
        self, response: aiohttp.ClientResponse, request: HttpRequest, ctx: CallContext
    ) -> bytes:
        lib = self._aiohttp
        op, binding = request.operation.name, request.binding.value
        status = response.status
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
            async for chunk in response.content.iter_chunked(_CHUNK):
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
        except lib.ServerTimeoutError as exc:
            failure = TransportTimeout(
                ctx.redact(f"the answer stopped for over {self.timeout} s: {_text(exc)}"),
                http_status=status,
                operation=op,
                binding=binding,
            )
            failure.request_sent = None
        except Exception as exc:
            failure = MalformedResponseError(
                ctx.redact(f"the answer broke off: {type(exc).__name__}: {_text(exc)}"),
                http_status=status,
                operation=op,
                binding=binding,
            )
            failure.request_sent = None  # it ran, or not: what came was cut short
        if failure is not None:
            raise failure
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _tls(
        self, exc: BaseException, request: HttpRequest, ctx: CallContext
    ) -> TransportError | None:
        found = tls_error(
            exc, request.url, operation=request.operation.name, binding=request.binding.value
        )
        if found is not None:
            found.args = (ctx.redact(str(found.args[0])),)
        return found

    def _unreachable(
        self, exc: BaseException, request: HttpRequest, ctx: CallContext
    ) -> TransportError:
        host = urlsplit(request.url).netloc
        return ConnectionFailedError(
            ctx.redact(f"cannot reach {host}: {_text(exc)}"),
            operation=request.operation.name,
            binding=request.binding.value,
        )


class _Environment(NamedTuple):
    """What the environment says for one host: its proxy and credentials."""

    proxy: str | None
    proxy_auth: Any
    auth: Any


def check_max_connections(value: object) -> int:
    """A valid ``max_connections=``, or :class:`InvalidParameterError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
        raise InvalidParameterError(
            "max_connections",
            f"{value!r} is not a whole number of connections in 1..100000 (default "
            f"{DEFAULT_MAX_CONNECTIONS}; more lets more calls wait on the service at once)",
        )
    return value


def _no_verify() -> ssl.SSLContext:
    """A client context that checks no certificate (``verify=False`` with ``cert=``)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context

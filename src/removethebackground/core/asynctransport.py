"""The async transport seam: :class:`AsyncTransport` and :class:`AsyncHttpTransport`.

The async client (:class:`~removethebackground.core.asyncclient.AsyncServiceClient`)
sends through an :class:`AsyncTransport`: anything with ``async def send(request, ctx)``
and ``async def close()``, speaking the same
:class:`~removethebackground.core.http.HttpRequest` and
:class:`~removethebackground.core.http.HttpAnswer` as the sync transports, and raising the
same library errors (classes, ``retryable``, ``request_sent``), redacted.

:class:`AsyncHttpTransport` is the default: HTTP/1.1 on asyncio's own connections
(``loop.create_connection``, ``loop.start_tls``) with httptools, the llhttp parser that
uvicorn reads requests with, reading the answers (the ``async`` extra:
``pip install 'removethebackground[async]'``). Chosen by measurement (bench/async_calls.py,
docs: Async): 1,000 concurrent calls through 250 connections to a loopback server that
answers after 200 ms take 0.96-1.05 s as bare aiohttp POSTs, about 18 s through httpx,
and less with this transport than with bare aiohttp, at a fraction of aiohttp's import
(about 6.5 MiB resident, which put the async client above a 64-thread pool of sync
clients). A client of one SOAP service needs little of a general HTTP client: no
cookies, redirects, multipart, websockets or streaming of requests; what it needs is
below. Parsing HTTP is the part not written here: llhttp (node.js's parser) does it,
framing (``Content-Length``, chunked, to the end of the connection), ``1xx`` answers
and keep-alive included. asyncio only: trio, and anyio on trio, are not supported.

What it does, as :class:`~removethebackground.core.transport.RequestsTransport` does:

- **a connection limit**: ``max_connections`` (default :data:`DEFAULT_MAX_CONNECTIONS`,
  100) connections at most, to all hosts together, kept open between calls; calls
  beyond it wait for a free one (within their deadline), and a call to another host
  closes a kept one to make room;
- **timeouts**: ``timeout`` seconds, or a ``(connect, read)`` pair: for connecting
  (the TCP connection, a proxy's tunnel, the TLS handshake), and for each wait for
  more of the answer (or for the request to go out);
- **the deadline**: every attempt is bounded by what is left of the call's budget
  (:mod:`removethebackground.core.deadline`, one budget per asyncio task) with
  ``asyncio.timeout``; no watchdog thread. When it passes the attempt is cancelled,
  its connection closed, and it raises
  :class:`~removethebackground.core.errors.TransportTimeout`;
- **the size cap**: answers larger than ``max_response_bytes`` (as received, and after
  decompression) are refused and their connection closed; a declared
  ``Content-Length`` over it is refused before its body is read;
- **compression**: ``Accept-Encoding: gzip, deflate`` as requests sends it, and the
  answer decompressed (in steps, within the cap);
- **no redirects**: a 3xx is returned as it is (the binding makes it an
  :class:`~removethebackground.core.errors.HTTPStatusError`), so credentials never
  travel to another address;
- **TLS**: ``verify=`` (``True``: the CA bundle requests uses, certifi's, or
  ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` with ``trust_env``; ``False``; a CA bundle
  file or directory) and ``cert=`` (a client certificate), as the sync transport;
- **proxies**: ``proxies=``/``proxy=`` name the proxy of each scheme (``http://``
  proxies, with ``user:password@`` sent as ``Proxy-Authorization``; ``https://``
  endpoints go through a ``CONNECT`` tunnel); without them, ``trust_env=True`` (the
  default, as requests does) reads ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``,
  ``NO_PROXY`` and ``~/.netrc`` (requests' own readers), once per host on its first
  call (as the sync transport does for a session of its own: later changes are not
  seen); ``trust_env=False`` ignores them.

A request is written whole (the binding built it in memory); the answer is read whole,
as the binding reads it. A kept connection that the server closed is dropped when its
close arrives, and never written to. An answer that breaks off, a parser error or a
cap closes the connection; an answer read to its end keeps it, unless the server said
``Connection: close``.

**Cancelling** a call (``task.cancel()``, ``asyncio.timeout``, ``wait_for``) closes the
connection of the attempt in flight (never returned to the pool half read) and lets
the ``CancelledError`` through.

The connections are made on the first call, inside the running loop (constructing the
transport does no I/O and needs no loop); a transport used from a later loop (after
the first one closed) opens new ones there. ``await transport.close()`` closes them.

**Recording**: every exchange goes through :attr:`AsyncHttpTransport.wire`
(:class:`Wire`), which the testing kit's cassettes
(:mod:`removethebackground.testing.cassettes`) replace while one is in use.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextvars
import math
import os
import ssl
import time
import zlib
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Protocol
from urllib.parse import unquote, urlsplit

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
    _text,
    default_deadline,
)

__all__ = [
    "DEFAULT_MAX_CONNECTIONS",
    "AnswerHeaders",
    "AsyncHttpTransport",
    "AsyncTransport",
    "Wire",
    "require_httptools",
]

#: Connections an :class:`AsyncHttpTransport` opens at most (all hosts together). The
#: benchmark's 1,000 concurrent calls of 200 ms finish in about 2 s with 100, and in
#: about 1 s with 250 (``max_connections=250``); an ASMX service on IIS of that era
#: serves requests from a pool of a few dozen threads per core, so more connections
#: than this rarely shorten a real queue of work.
DEFAULT_MAX_CONNECTIONS = 100
EXTRA = "pip install 'removethebackground[async]'"
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: As requests sends them (``requests.utils.default_headers``), so that both clients
#: look the same on the wire; the binding's own headers (User-Agent among them) win.
_DEFAULT_HEADERS = (
    ("accept-encoding", "Accept-Encoding: gzip, deflate"),
    ("accept", "Accept: */*"),
    ("connection", "Connection: keep-alive"),
)


class AsyncTransport(Protocol):
    """Sends one request and returns the whole answer, or raises a library error."""

    async def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        """Send ``request``; errors are :class:`~removethebackground.core.errors.TransportError`."""

    async def close(self) -> None:
        """Release connections (if this transport owns them)."""


def require_httptools() -> Any:
    """The ``httptools`` module, or :class:`InvalidParameterError` naming the extra."""
    try:
        import httptools
    except ImportError:
        raise InvalidParameterError(
            "transport",
            f"the async client's default transport needs httptools, which is not installed: "
            f"{EXTRA} (or pass transport= an AsyncTransport of your own)",
        ) from None
    return httptools


class Wire:
    """Where :class:`AsyncHttpTransport` sends an exchange: its ``wire`` attribute is
    looked up for every request, so a recorder can stand in for the network (the
    testing kit's cassettes put a subclass there while a cassette is in use, as vcrpy
    does for the HTTP libraries it knows)."""

    @staticmethod
    async def exchange(
        transport: AsyncHttpTransport, request: HttpRequest, ctx: CallContext
    ) -> HttpAnswer:
        """Send ``request`` on a connection of ``transport`` and read the whole answer."""
        return await transport._exchange(request, ctx)


class AsyncHttpTransport:
    """The async client's default transport (asyncio and httptools): a connection limit,
    the deadline, a size cap, no redirects; see the module documentation.

    Args:
        timeout: seconds, or a ``(connect, read)`` pair: for connecting, and for each
            wait for more of the answer.
        max_response_bytes: answers larger than this (as received or decompressed) are
            refused.
        verify, cert, proxies: TLS verification (``True``/``False``/CA bundle path),
            client certificate and proxies by scheme (checked values, as
            :class:`~removethebackground.core.config.ClientConfig` holds them).
        deadline: seconds for one request sent on its own (within a client's call the
            call's budget rules); default 3 times the largest timeout.
        max_connections: connections open at most (default
            :data:`DEFAULT_MAX_CONNECTIONS`); calls beyond it wait for one.
        trust_env: read proxies, ``.netrc`` and the CA bundle variables from the
            environment (default ``True``); what is given here wins.

    Raises :class:`InvalidParameterError` naming the ``async`` extra when httptools is
    not installed.
    """

    #: Where exchanges go (looked up for every request): the testing kit's cassettes
    #: put their recorder here while a cassette is in use.
    wire: type[Wire] = Wire

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
        self._parser = require_httptools().HttpResponseParser
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
        self._connect_timeout, self._read_timeout = (
            timeout if isinstance(timeout, tuple) else (timeout, timeout)
        )
        self._pool: _Pool | None = None
        self._tls: dict[str, ssl.SSLContext] = {}

    @property
    def open_connections(self) -> int:
        """Connections open now: in use and kept for reuse."""
        pool = self._pool
        return 0 if pool is None else len(pool.open)

    @property
    def idle_connections(self) -> int:
        """Connections open now and kept for reuse (not in use)."""
        pool = self._pool
        return 0 if pool is None else sum(len(kept) for kept in pool.idle.values())

    async def hold(self, operation: str, binding: str) -> _Held | None:
        """A slot of the connection limit for a whole call of this task (its attempts,
        backoff waits and reconciliation lookups: none of them waits for a slot again),
        or ``None`` when the task holds one already. The async client takes it before
        it builds the request; :meth:`_Held.release` gives it back.

        Waiting for it is within the call's deadline: when that passes first, it raises
        :class:`~removethebackground.core.errors.TransportTimeout` (nothing was sent)."""
        loop = asyncio.get_running_loop()
        pool = self._pool_here(loop)
        if _HELD.get() is pool:
            return None
        gate = pool.gate
        if not gate.take():  # none free: wait, within the deadline
            spent = _deadline.budget()
            if spent is None:
                ends, seconds = time.monotonic() + self.deadline, self.deadline
            else:
                ends, seconds = spent.ends, spent.seconds
            if not await gate.wait(loop.time() + (ends - time.monotonic())):
                failure = TransportTimeout(
                    f"the call took longer than its deadline of {seconds} s, waiting for "
                    f"one of max_connections={self.max_connections} connections",
                    operation=operation,
                    binding=binding,
                )
                failure.request_sent = False
                raise failure
        return _Held(pool, _HELD.set(pool))

    async def close(self) -> None:
        """Close every connection."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if pool.loop is asyncio.get_running_loop():
            pool.close_all()
            await asyncio.sleep(0)  # the transports' closing callbacks run
        else:
            pool.forget()

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
        pool = self._pool_here(loop)
        gate = None if _HELD.get() is pool else pool.gate  # the call's own slot, or one now
        try:
            async with bound:
                if gate is None:
                    return await self.wire.exchange(self, request, ctx)
                # The wait for a slot is within the deadline (``bound``).
                if not gate.take():
                    await gate.wait(math.inf)
                try:
                    return await self.wire.exchange(self, request, ctx)
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

    def _pool_here(self, loop: asyncio.AbstractEventLoop) -> _Pool:
        """The running loop's connections, made on the first call in it."""
        pool = self._pool
        if pool is None or pool.loop is not loop:
            if pool is not None:  # its loop is gone: its connections cannot be reused
                pool.forget()
            pool = self._pool = _Pool(loop, self.max_connections)
        return pool

    async def _exchange(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        """One request on a kept or a new connection, its whole answer read (called by
        :meth:`Wire.exchange` with a slot of the connection limit held)."""
        pool = self._pool_here(asyncio.get_running_loop())
        route = pool.routes.get(_origin(request.url))
        if route is None or not route.done():
            route = await self._route(pool, request)
        found = route.result()
        head = _head(request, found)
        conn = pool.take(found.key)
        if conn is None:
            conn = await self._connect(pool, found, request, ctx)
        failure: TransportError | None = None
        try:
            conn.begin(
                request.body, head, self._parser, self._read_timeout, self.max_response_bytes
            )
            await conn.head
        except _Failed as exc:
            failure = self._failure(exc, request, ctx, conn)
        except BaseException:  # a cancellation: the connection is cut, not kept
            conn.abort()
            raise
        if failure is not None:
            conn.abort()
            raise failure  # outside the except block: no __context__ back to the request
        answer = None
        try:
            body = await self._read(conn, request, ctx)
            answer = HttpAnswer(conn.status, conn.reason, conn.answer_headers(), body)
        finally:
            if answer is not None:
                pool.give_back(conn)  # read to its end: kept for the next request
            else:  # an error, a cancellation, the cap: the connection is not reused
                conn.abort()
        return answer

    async def _read(self, conn: _Connection, request: HttpRequest, ctx: CallContext) -> bytes:
        """The answer's body, once its head is in: all of it, decompressed, within the cap."""
        failure: TransportError | None = None
        try:
            await conn.body
            return _decoded(conn, self.max_response_bytes)
        except _Failed as exc:
            failure = self._failure(exc, request, ctx, conn)
        raise failure

    def _failure(
        self, exc: _Failed, request: HttpRequest, ctx: CallContext, conn: _Connection
    ) -> TransportError:
        """The library error for what went wrong with an exchange."""
        op, binding = request.operation.name, request.binding.value
        status = conn.status if conn.head_done else None
        failure: TransportError
        if isinstance(exc, _TooLarge):
            return MalformedResponseError(
                exc.text, http_status=status, operation=op, binding=binding
            )
        if isinstance(exc, _Stalled):
            if status is None:
                text = f"no answer within {self.timeout} s"
            else:
                text = f"the answer stopped for over {self.timeout} s"
            failure = TransportTimeout(text, http_status=status, operation=op, binding=binding)
        elif isinstance(exc, _NotHttp):
            failure = MalformedResponseError(
                ctx.redact(f"the answer is not HTTP: {exc.text}"),
                http_status=status,
                operation=op,
                binding=binding,
            )
        else:
            cause = exc.cause
            tls = self._tls_failure(cause, request, ctx) if cause is not None else None
            if tls is not None and conn.received == 0:
                # Under TLS 1.3 a server refuses a client certificate after the handshake,
                # with an alert read as the answer: the service never saw the request.
                tls.request_sent = False
                return tls
            if status is not None:
                failure = MalformedResponseError(
                    ctx.redact(f"the answer broke off: {exc.text}"),
                    http_status=status,
                    operation=op,
                    binding=binding,
                )
            else:
                host = urlsplit(request.url).netloc.rpartition("@")[2]
                failure = ConnectionFailedError(
                    ctx.redact(f"the connection to {host} broke: {exc.text}"),
                    operation=op,
                    binding=binding,
                )
        failure.request_sent = None  # it ran, or not: what came was cut short
        return failure

    # --- connections -----------------------------------------------------------------------

    async def _connect(
        self, pool: _Pool, route: _Route, request: HttpRequest, ctx: CallContext
    ) -> _Connection:
        """A new connection for ``route`` (through its proxy, TLS done), or the library
        error: nothing was sent (``request_sent=False``)."""
        pool.make_room()
        loop = pool.loop
        conn = _Connection(pool, route.key)
        failure: TransportError | None = None
        op, binding = request.operation.name, request.binding.value
        pool.connecting += 1
        try:
            async with asyncio.timeout(self._connect_timeout):
                context = self._context(route) if route.scheme == "https" else None
                if route.proxy is None:
                    await loop.create_connection(
                        lambda: conn,
                        route.host,
                        route.port,
                        ssl=context,
                        server_hostname=route.host if context is not None else None,
                    )
                else:
                    await loop.create_connection(lambda: conn, route.proxy.host, route.proxy.port)
                    if context is not None:
                        await conn.tunnel(route, self.max_response_bytes)
                        conn.upgraded(
                            await loop.start_tls(
                                conn.require_transport(), conn, context, server_hostname=route.host
                            )
                        )
            return conn
        except TimeoutError as exc:
            conn.abort()
            failure = TransportTimeout(
                ctx.redact(f"no connection within {self.timeout} s: {_text(exc)}"),
                operation=op,
                binding=binding,
            )
        except _Failed as exc:  # the proxy refused the tunnel, or closed it
            conn.abort()
            failure = ConnectionFailedError(
                ctx.redact(f"cannot reach {route.authority} through its proxy: {exc.text}"),
                operation=op,
                binding=binding,
            )
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            conn.abort()
            failure = self._tls_failure(exc, request, ctx)
            if failure is None:
                failure = ConnectionFailedError(
                    ctx.redact(f"cannot reach {route.authority}: {_text(exc)}"),
                    operation=op,
                    binding=binding,
                )
        except BaseException:
            conn.abort()
            raise
        finally:
            pool.connecting -= 1
        failure.request_sent = False
        raise failure

    def _tls_failure(
        self, exc: BaseException, request: HttpRequest, ctx: CallContext
    ) -> TransportError | None:
        found = tls_error(
            exc, request.url, operation=request.operation.name, binding=request.binding.value
        )
        if found is not None:
            found.args = (ctx.redact(str(found.args[0])),)
        return found

    def _context(self, route: _Route) -> ssl.SSLContext:
        """The TLS context of an ``https`` origin (made once per transport and CA bundle)."""
        verify = self.verify
        if verify is None or verify is True:
            verify = route.ca_bundle
        key = repr(verify)
        context = self._tls.get(key)
        if context is None:
            if verify is False:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            elif isinstance(verify, str) and os.path.isdir(verify):
                context = ssl.create_default_context(capath=verify)
            else:
                context = ssl.create_default_context(cafile=verify)
            if self.cert is not None:
                if isinstance(self.cert, tuple):
                    context.load_cert_chain(self.cert[0], self.cert[1])
                else:
                    context.load_cert_chain(self.cert)
            self._tls[key] = context
        return context

    async def _route(self, pool: _Pool, request: HttpRequest) -> asyncio.Future[_Route]:
        """Where requests to ``request.url``'s origin go (its proxy, credentials and CA
        bundle), read once per origin in a worker thread (it reads files); the calls
        that come meanwhile wait for the same reading."""
        origin = _origin(request.url)
        found = pool.routes.get(origin)
        if found is None:
            found = asyncio.ensure_future(asyncio.to_thread(self._read_environment, request.url))
            pool.routes[origin] = found
        try:
            await asyncio.shield(found)
        except InvalidParameterError:
            del pool.routes[origin]  # said once to each call; read again next time
            raise
        return found

    def _proxy_for(self, url: str) -> str | None:
        proxies = self.proxies
        if not proxies:
            return None
        parts = urlsplit(url)
        for key in (f"{parts.scheme}://{parts.hostname}", parts.scheme, "all"):
            if key in proxies:
                return proxies[key]
        return None

    def _read_environment(self, url: str) -> _Route:
        """The route of ``url``'s origin: the proxy given or named by the environment
        (``NO_PROXY`` honoured), ``.netrc`` credentials, and the CA bundle; requests'
        own readers, so that both clients read the environment alike."""
        import requests.utils

        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname or ""
        port = parts.port or _DEFAULT_PORTS.get(scheme, 80)
        authority = parts.netloc.rpartition("@")[2]
        proxy = self._proxy_for(url)
        auth: str | None = None
        ca_bundle: str = requests.utils.DEFAULT_CA_BUNDLE_PATH
        if self.trust_env:
            if proxy is None and not self.proxies:
                proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
            found = requests.utils.get_netrc_auth(url)
            if found:
                auth = _basic(*found)
            ca_bundle = (
                os.environ.get("REQUESTS_CA_BUNDLE")
                or os.environ.get("CURL_CA_BUNDLE")
                or ca_bundle
            )
        through = _proxy(proxy) if proxy else None
        return _Route(
            key=(scheme, host, port, proxy),
            scheme=scheme,
            host=host,
            port=port,
            authority=authority,
            proxy=through,
            auth=auth,
            ca_bundle=ca_bundle,
        )


#: The pool whose slot the running call holds (:meth:`AsyncHttpTransport.hold`).
_HELD: contextvars.ContextVar[_Pool | None] = contextvars.ContextVar(
    "removethebackground_async_slot", default=None
)


class _Held:
    """A call's slot of the connection limit."""

    __slots__ = ("pool", "token")

    def __init__(self, pool: _Pool, token: contextvars.Token[_Pool | None]) -> None:
        self.pool = pool
        self.token = token

    def release(self) -> None:
        """Give the slot back (in the task that took it)."""
        self.pool.gate.release()
        _HELD.reset(self.token)


class AnswerHeaders(dict[str, str]):
    """An answer's headers: a dict of the names as they came, looked up (``[]``, ``get``,
    ``in``) in any case, as requests' ``CaseInsensitiveDict`` is; a name that came more
    than once holds its values joined by ``", "`` (RFC 9110, 5.3)."""

    __slots__ = ("_lower",)

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__()
        lower: dict[str, str] = {}
        spelled: dict[str, str] = {}
        for name, value in pairs:
            key = name.lower()
            if key in lower:
                value = f"{lower[key]}, {value}"
                name = spelled[key]
            else:
                spelled[key] = name
            lower[key] = value
            dict.__setitem__(self, name, value)
        self._lower = lower

    def __getitem__(self, name: str) -> str:
        return self._lower[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._lower

    def get(self, name: str, default: Any = None) -> Any:
        return self._lower.get(name.lower(), default)


class _Proxy(NamedTuple):
    host: str
    port: int
    authorization: str | None  # the Proxy-Authorization value, from user:password@


class _Route(NamedTuple):
    """Where the requests of one origin go."""

    key: tuple[str, str, int, str | None]
    scheme: str
    host: str
    port: int
    authority: str  # host[:port] as written in the URL: the Host header
    proxy: _Proxy | None
    auth: str | None  # the Authorization value from .netrc
    ca_bundle: str


def _proxy(url: str) -> _Proxy:
    if "://" not in url:
        url = "http://" + url  # as requests reads HTTP_PROXY=host:port
    parts = urlsplit(url)
    if parts.scheme.lower() != "http" or not parts.hostname:
        raise InvalidParameterError(
            "proxies",
            f"{parts.scheme}://{parts.hostname}:... is not an http:// proxy: the async "
            "transport speaks to proxies in plain HTTP (https:// endpoints go through a "
            "CONNECT tunnel); name an http:// proxy",
        )
    authorization = None
    if parts.username is not None:
        authorization = _basic(unquote(parts.username), unquote(parts.password or ""))
    return _Proxy(parts.hostname, parts.port or 80, authorization)


def _basic(user: str, password: str) -> str:
    token = base64.b64encode(f"{user}:{password}".encode("latin-1")).decode("ascii")
    return f"Basic {token}"


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].split('?', 1)[0]}"


def _head(request: HttpRequest, route: _Route) -> bytes:
    """The request line and headers, as bytes; refused when a header would break it."""
    url = request.url
    if route.proxy is not None and route.scheme == "http":
        target = url.split("#", 1)[0]  # a proxy is sent the whole URL
    else:
        rest = url.partition("://")[2]
        slash = rest.find("/")
        query = rest.find("?")
        start = slash if slash >= 0 and (query < 0 or slash < query) else query
        target = "/" if start < 0 else rest[start:].split("#", 1)[0]
        if target.startswith("?"):
            target = "/" + target
    if " " in target or "\r" in target or "\n" in target:
        raise InvalidParameterError(
            "url", f"{target[:80]!r} holds a space or a line break: quote it (%20)"
        )
    lines = [f"{request.method} {target} HTTP/1.1", f"Host: {route.authority}"]
    given = set()
    for name, value in request.headers.items():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            raise InvalidParameterError(
                "headers",
                f"the header {name[:40]!r} holds a line break or its name a colon, which "
                "would end the request's head early: remove it",
            )
        given.add(name.lower())
        lines.append(f"{name}: {value}")
    for name, line in _DEFAULT_HEADERS:
        if name not in given:
            lines.append(line)
    if request.body is not None:
        lines.append(f"Content-Length: {len(request.body)}")
    if route.auth is not None and "authorization" not in given:
        lines.append(f"Authorization: {route.auth}")
    if route.proxy is not None and route.proxy.authorization and route.scheme == "http":
        lines.append(f"Proxy-Authorization: {route.proxy.authorization}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _decoded(conn: _Connection, cap: int) -> bytes:
    """The body of ``conn``'s answer, decompressed when ``Content-Encoding`` says gzip or
    deflate (as urllib3 does: other codings are returned as they came)."""
    body = b"".join(conn.chunks) if len(conn.chunks) != 1 else conn.chunks[0]
    coding = conn.header(b"content-encoding")
    if not coding:
        return body
    coding = coding.strip().lower()
    if coding in ("gzip", "x-gzip"):
        return _inflate(body, zlib.MAX_WBITS | 16, cap)
    if coding == "deflate":
        try:
            return _inflate(body, zlib.MAX_WBITS, cap)
        except _NotHttp:  # some servers send raw deflate, without zlib's header
            return _inflate(body, -zlib.MAX_WBITS, cap)
    return body


def _inflate(data: bytes, wbits: int, cap: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, cap + 1)
    except zlib.error as exc:
        raise _NotHttp(f"the compressed body is broken: {exc}") from None
    if len(out) > cap:
        raise _TooLarge(f"the answer exceeds max_response_bytes={cap} once decompressed")
    return out


# --- the connections ------------------------------------------------------------------------


class _Failed(Exception):
    """What went wrong with an exchange, before it is a library error."""

    def __init__(self, text: str, cause: BaseException | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.cause = cause


class _Broken(_Failed):
    """The connection closed or failed before the answer was whole."""


class _Stalled(_Failed):
    """Nothing moved for longer than the read timeout."""


class _NotHttp(_Failed):
    """The answer could not be parsed."""


class _TooLarge(_Failed):
    """The answer is over the size cap."""


class _Gate:
    """The slots of the connection limit: ``take`` one if free, else ``wait`` for one in
    turn. Waiters hold a future each and one timer serves them all (armed for the
    earliest deadline), where ``asyncio.Semaphore`` under ``asyncio.timeout`` gives each
    waiting call a timer, a timeout object and a coroutine of its own: with thousands
    of calls queued behind the limit that is most of what they hold."""

    __slots__ = ("free", "loop", "timer", "waiters")

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        self.loop = loop
        self.free = limit
        self.waiters: collections.deque[tuple[float, asyncio.Future[None]]] = collections.deque()
        self.timer: asyncio.TimerHandle | None = None

    def take(self) -> bool:
        """A free slot, taken at once; ``False`` when none is free. (While one is free
        no call waits: :meth:`release` hands a slot to a waiter before freeing it.)"""
        if self.free > 0:
            self.free -= 1
            return True
        return False

    async def wait(self, ends: float) -> bool:
        """Wait in turn for a slot until ``ends`` (loop time): ``True`` with one,
        ``False`` when ``ends`` came first. A cancelled wait takes no slot."""
        waiter: asyncio.Future[None] = self.loop.create_future()
        self.waiters.append((ends, waiter))
        if ends != math.inf and (self.timer is None or ends < self.timer.when()):
            if self.timer is not None:
                self.timer.cancel()
            self.timer = self.loop.call_at(ends, self._expire)
        try:
            await waiter
        except TimeoutError:
            return False
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release()  # handed a slot as the cancellation came: pass it on
            raise
        return True

    def release(self) -> None:
        """Give a slot back: to the first waiter still waiting, else to the free ones."""
        waiters = self.waiters
        while waiters:
            _ends, waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1

    def _expire(self) -> None:
        """The earliest deadline came: fail the waiters whose deadline passed, and arm
        the timer for the next (a scan, once per deadline that passes)."""
        self.timer = None
        now = self.loop.time()
        kept: collections.deque[tuple[float, asyncio.Future[None]]] = collections.deque()
        soonest = math.inf
        for ends, waiter in self.waiters:
            if waiter.done():
                continue
            if ends <= now:
                waiter.set_exception(TimeoutError())
                continue
            kept.append((ends, waiter))
            soonest = min(soonest, ends)
        self.waiters = kept
        if soonest != math.inf:
            self.timer = self.loop.call_at(soonest, self._expire)


class _Pool:
    """One loop's connections: ``gate`` holds a slot per request in flight, ``idle`` the
    kept connections by route, ``open`` every connection (never more than the limit)."""

    __slots__ = ("connecting", "gate", "idle", "limit", "loop", "open", "routes")

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        self.loop = loop
        self.limit = limit
        self.gate = _Gate(loop, limit)
        self.idle: dict[tuple[str, str, int, str | None], list[_Connection]] = {}
        self.open: set[_Connection] = set()
        self.routes: dict[str, asyncio.Future[_Route]] = {}
        self.connecting = 0  # connections being made, not yet in ``open``

    def take(self, key: tuple[str, str, int, str | None]) -> _Connection | None:
        kept = self.idle.get(key)
        while kept:
            conn = kept.pop()  # the most recently used: the least likely to be timed out
            if conn.reusable():
                return conn
        return None

    def give_back(self, conn: _Connection) -> None:
        if conn.reusable():
            self.idle.setdefault(conn.key, []).append(conn)
        else:
            conn.abort()

    def make_room(self) -> None:
        """Close a kept connection (the longest unused) when the limit is reached: the
        slot a new connection needs is free, so one is kept for another route."""
        if len(self.open) + self.connecting < self.limit:
            return
        for kept in self.idle.values():
            if kept:
                kept.pop(0).abort()
                return

    def dropped(self, conn: _Connection) -> None:
        self.open.discard(conn)
        kept = self.idle.get(conn.key)
        if kept and conn in kept:
            kept.remove(conn)

    def close_all(self) -> None:
        for conn in list(self.open):
            conn.close()
        self.idle.clear()

    def forget(self) -> None:
        """Drop the connections of a loop that has closed (they cannot be closed from
        another loop; their sockets close as they are collected)."""
        for conn in list(self.open):
            if not self.loop.is_closed():
                conn.abort()
        self.open.clear()
        self.idle.clear()


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: writes a request, feeds what comes to httptools, and
    resolves ``head`` once the answer's head is in and ``body`` once it is whole."""

    def __init__(self, pool: _Pool, key: tuple[str, str, int, str | None]) -> None:
        self.pool = pool
        self.key = key
        self.loop = pool.loop
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self.busy = False
        self.reuse = True
        self.parser: Any = None
        self.head: asyncio.Future[None] = self.loop.create_future()
        self.body: asyncio.Future[None] = self.loop.create_future()
        self.status = 0
        self.reason = ""
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []
        self.received = 0
        self.size = 0
        self.head_done = False
        self.framed = True
        self.cap = 0
        self.read_timeout = 0.0
        self.activity = 0.0
        self.written = 0
        self.timer: asyncio.TimerHandle | None = None
        self.tunnel_head: bytearray | None = None

    # -- asyncio's side --

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.pool.open.add(self)

    def upgraded(self, transport: asyncio.Transport | None) -> None:
        """The TLS transport over a proxy's tunnel."""
        if transport is None:
            raise _Broken("the proxy closed the tunnel")
        self.transport = transport

    def require_transport(self) -> asyncio.Transport:
        if self.transport is None:
            raise _Broken("not connected")
        return self.transport

    def data_received(self, data: bytes) -> None:
        if self.tunnel_head is not None:
            self.tunnel_head += data
            if b"\r\n\r\n" in self.tunnel_head and not self.head.done():
                self.head.set_result(None)
            return
        if not self.busy:  # bytes nobody asked for: the connection is not to be trusted
            self.reuse = False
            self.abort()
            return
        self.received += len(data)
        self.activity = self.loop.time()
        try:
            self.parser.feed_data(data)
        except Exception as exc:
            failure = exc if isinstance(exc, _Failed) else exc.__context__
            if not isinstance(failure, _Failed):
                failure = _NotHttp(_text(exc) or type(exc).__name__)
            self.fail(failure)

    def eof_received(self) -> bool:
        return False  # close: an HTTP/1.1 client has nothing to send after the server's end

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.pool.dropped(self)
        if self.timer is not None:
            self.timer.cancel()
        if self.busy and self.head_done and not self.framed and not self.body.done():
            self.finish()  # an answer without a length ends with its connection
            return
        text = "the server closed the connection" if exc is None else _text(exc)
        self.fail(_Broken(text or type(exc).__name__, exc))

    # -- one exchange --

    def begin(
        self, body: bytes | None, head: bytes, parser: Any, read_timeout: float, cap: int
    ) -> None:
        """Write the request; ``head`` and ``body`` resolve as its answer comes."""
        transport = self.require_transport()
        self.busy = True
        self.parser = parser(self)
        self.cap = cap
        self.read_timeout = read_timeout
        if self.head.done():  # after a CONNECT tunnel, or an earlier exchange
            self.head = self.loop.create_future()
            self.body = self.loop.create_future()
            self.status, self.reason, self.headers, self.chunks = 0, "", [], []
            self.received = self.size = 0
            self.head_done, self.framed = False, True
        if body and len(body) > 65536:  # not copied into one buffer with the head
            transport.write(head)
            transport.write(body)
        else:
            transport.write(head + body if body else head)
        self.activity = self.loop.time()
        self.written = transport.get_write_buffer_size()
        self.timer = self.loop.call_at(self.activity + read_timeout, self.check)

    def check(self) -> None:
        """The read timeout: fail when nothing came (and nothing went out) for longer."""
        if self.body.done() or self.transport is None:
            return
        now = self.loop.time()
        pending = self.transport.get_write_buffer_size()
        if pending != self.written:  # the request is still going out
            self.written = pending
            self.activity = now
        if now - self.activity >= self.read_timeout:
            self.timer = None
            self.fail(_Stalled("nothing came within the read timeout"))
        else:
            self.timer = self.loop.call_at(self.activity + self.read_timeout, self.check)

    def fail(self, failure: _Failed) -> None:
        self.reuse = False
        for waiter in (self.head, self.body):
            if not waiter.done():
                waiter.set_exception(failure)
                waiter.exception()  # retrieved: the one awaited raises it; no log of the other
        if self.transport is not None and not self.lost:
            self.transport.abort()

    def finish(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if not self.head.done():
            self.head.set_result(None)
        if not self.body.done():
            self.body.set_result(None)

    def reusable(self) -> bool:
        return self.reuse and not self.lost and self.body.done() and not self.busy

    def answer_headers(self) -> AnswerHeaders:
        return AnswerHeaders(
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in self.headers
        )

    def header(self, name: bytes) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value.decode("latin-1")
        return None

    def abort(self) -> None:
        self.reuse = False
        self.busy = False
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.transport is not None and not self.lost:
            self.transport.abort()
        self.pool.dropped(self)

    def close(self) -> None:
        self.reuse = False
        if self.transport is not None and not self.lost:
            self.transport.close()

    async def tunnel(self, route: _Route, cap: int) -> None:
        """``CONNECT`` through the proxy to ``route``'s host; :class:`_Failed` unless the
        proxy answers 2xx."""
        transport = self.require_transport()
        assert route.proxy is not None
        lines = [f"CONNECT {route.host}:{route.port} HTTP/1.1", f"Host: {route.host}:{route.port}"]
        if route.proxy.authorization:
            lines.append(f"Proxy-Authorization: {route.proxy.authorization}")
        self.tunnel_head = bytearray()
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await self.head
        got, self.tunnel_head = bytes(self.tunnel_head), None
        head, _, rest = got.partition(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0].decode("latin-1", "replace")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit() or not 200 <= int(parts[1]) < 300 or rest:
            raise _Broken(f"the proxy answered the tunnel with {status_line[:200]!r}")

    # -- httptools' callbacks --

    def on_message_begin(self) -> None:
        if not self.busy:  # bytes after the answer, in the same read: not to be trusted
            self.reuse = False
            raise _NotHttp("more bytes came after the answer")

    def on_status(self, reason: bytes) -> None:
        self.reason += reason.decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:  # an interim answer (100 Continue): the real one follows
            return
        self.status = status
        self.head_done = True
        length = None
        self.framed = status in (204, 304)
        for name, value in self.headers:
            lower = name.lower()
            if lower == b"content-length":
                self.framed = True
                if value.strip().isdigit():
                    length = int(value)
            elif lower == b"transfer-encoding":
                self.framed = True
        if length is not None and length > self.cap:
            raise _TooLarge(f"the answer is {length} bytes, over max_response_bytes={self.cap}")
        if not self.head.done():
            self.head.set_result(None)

    def on_body(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)
        if self.size > self.cap:
            raise _TooLarge(f"the answer exceeds max_response_bytes={self.cap}")

    def on_message_complete(self) -> None:
        if not self.head_done:  # the end of an interim answer
            self.headers = []
            self.reason = ""
            return
        self.reuse = self.reuse and self.parser.should_keep_alive()
        self.busy = False
        self.finish()


def check_max_connections(value: object) -> int:
    """A valid ``max_connections=``, or :class:`InvalidParameterError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
        raise InvalidParameterError(
            "max_connections",
            f"{value!r} is not a whole number of connections in 1..100000 (default "
            f"{DEFAULT_MAX_CONNECTIONS}; more lets more calls wait on the service at once)",
        )
    return value

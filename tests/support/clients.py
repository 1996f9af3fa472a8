"""One set of behavioural tests for both clients: the ``client_kind`` fixture and a
sync-looking facade over the async client.

A test that takes ``client_kind`` runs twice, as ``[sync]`` and ``[async]``, and builds
its client with :func:`make_client` (the same arguments as the sync constructor). For
``"async"`` that is the generated async client, wrapped in :class:`SyncFacade`: each
coroutine method runs on one event loop in a background thread
(``asyncio.run_coroutine_threadsafe``), and returns its result or raises its error as
the sync client would, so the test's assertions are the same for both.

A test's own sync ``transport=`` (canned answers) is awaited through
:class:`AwaitedTransport`. ``session=`` (a requests session with a test adapter,
``support.replay``) has no async equivalent: for the async client it becomes
:class:`ThreadedTransport`, the default sync transport on that session run in a worker
thread, with the same retry policy as the sync client's default. Such tests check what
the two clients share above the transport (bindings, faults, retries, reconciliation,
redaction); the tests against real loopback servers (hostile servers, proxies, TLS
servers, the sandbox) check the async transport itself.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from removethebackground import GENERATIONS, PixelzClient
from removethebackground.bindings.base import CallContext
from removethebackground.core.http import HttpAnswer, HttpRequest
from removethebackground.core.transport import RequestsTransport

__all__ = [
    "CLIENT_KINDS",
    "SyncFacade",
    "ThreadedTransport",
    "client_kind",
    "make_client",
    "run",
    "sandbox_client",
]

CLIENT_KINDS = ("sync", "async")
T = TypeVar("T")


class _Loop:
    """One event loop in a daemon thread, for the whole test process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="async-client-tests", daemon=True
                )
                thread.start()
                self._loop = loop
            return self._loop


_LOOP = _Loop()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the background loop and wait for its result (or its error)."""
    return asyncio.run_coroutine_threadsafe(coro, _LOOP.get()).result()


def loop() -> asyncio.AbstractEventLoop:
    """The background loop the facades run on."""
    return _LOOP.get()


class SyncFacade:
    """A sync-looking client over an async one (see the module documentation)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    @property
    def async_client(self) -> Any:
        return self._client

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._client, name)
        if inspect.iscoroutinefunction(value):

            def call(*args: Any, **kwargs: Any) -> Any:
                return run(value(*args, **kwargs))

            return call
        return value

    def with_binding(self, binding: Any) -> SyncFacade:
        return SyncFacade(self._client.with_binding(binding))

    def close(self) -> None:
        run(self._client.close())

    def __enter__(self) -> SyncFacade:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._client)


class ThreadedTransport:
    """An async transport over the sync default transport on ``session`` (a worker
    thread per send), for tests whose server is a requests adapter."""

    def __init__(self, inner: RequestsTransport) -> None:
        self.inner = inner
        self.deadline = inner.deadline
        self.session = inner.session

    async def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        return await asyncio.to_thread(self.inner.send, request, ctx)

    async def close(self) -> None:
        self.inner.close()


class AwaitedTransport:
    """A test's own sync transport (canned answers, no I/O) as an async one."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        answer: HttpAnswer = self.inner.send(request, ctx)
        return answer

    async def close(self) -> None:
        self.inner.close()


def async_class_of(cls: type[Any]) -> type[Any]:
    for generation in GENERATIONS.values():
        if generation.client_class is cls:
            assert generation.async_client_class is not None
            return generation.async_client_class
    raise AssertionError(f"{cls.__name__} has no async form in GENERATIONS")


def make_client(kind: str, *args: Any, cls: type[Any] = PixelzClient, **kwargs: Any) -> Any:
    """A client of ``cls`` (default :class:`PixelzClient`) with the sync constructor's
    arguments: the sync client itself, or the async one behind a :class:`SyncFacade`."""
    if kind == "sync":
        return cls(*args, **kwargs)
    assert kind == "async", kind
    session = kwargs.pop("session", None)
    if session is not None:
        inner = RequestsTransport(
            session,
            timeout=kwargs.get("timeout", 30.0),
            max_response_bytes=kwargs.pop("max_response_bytes", 16 * 1024 * 1024),
            verify=kwargs.pop("verify", None),
            cert=kwargs.pop("cert", None),
            proxies=kwargs.pop("proxies", None),
            deadline=kwargs.get("deadline"),
        )
        kwargs["transport"] = ThreadedTransport(inner)
        # The sync client retries by default on the session's transport: the same here.
        kwargs.setdefault("retries", True)
    transport = kwargs.get("transport")
    if transport is not None and not inspect.iscoroutinefunction(transport.send):
        kwargs["transport"] = AwaitedTransport(transport)  # a test's own sync transport
    return SyncFacade(async_class_of(cls)(*args, **kwargs))


def make_factory(kind: str) -> Callable[..., Any]:
    """:func:`make_client` with its kind filled in."""

    def factory(*args: Any, **kwargs: Any) -> Any:
        return make_client(kind, *args, **kwargs)

    return factory


@pytest.fixture(params=CLIENT_KINDS)
def client_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """``"sync"`` or ``"async"``: the test runs once for each client."""
    yield request.param


def sandbox_client(
    kind: str,
    handle: Any,
    binding: Any = None,
    *,
    email: str | None = None,
    api_key: str | None = None,
    **kwargs: Any,
) -> Any:
    """``handle.pixelz_client(...)`` of the sandbox fixture, for either kind of client."""
    if binding is not None:
        kwargs["binding"] = binding
    return make_client(
        kind,
        email or handle.demo_email,
        api_key or handle.demo_api_key,
        endpoint=handle.pixelz_endpoint,
        **kwargs,
    )

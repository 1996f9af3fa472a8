"""The async clients: generated from the same facts, built without I/O inside a running
loop, closed by ``async with``, and the extra named when httptools is missing; and what
only their transport does (cancellation, the connection limit, the environment).

The behaviour they share with the sync clients (bindings, faults, retries, deadline,
reconciliation, secrets) is tested once for both, through the ``client_kind`` fixture
(tests/support/clients.py); this file holds what only the async client has.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from removethebackground import (
    GENERATIONS,
    AsyncPixelzClient,
    AsyncRemoveTheBackgroundClient,
    Binding,
    InvalidParameterError,
    NotFoundError,
    PixelzClient,
    RetryPolicy,
)
from removethebackground.core.asynctransport import AsyncHttpTransport
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from support.hostile import HostileServer, answer

EMAIL = "demo@example.com"
KEY = "demo-key"


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        yield handle


def test_the_async_clients_have_the_sync_clients_methods_as_coroutines() -> None:
    for generation in GENERATIONS.values():
        sync, aio = generation.client_class, generation.async_client_class
        assert aio is not None and aio.SERVICE is sync.SERVICE
        for op in sync.SERVICE.operations.values():
            method = getattr(aio, op.python_name)
            assert inspect.iscoroutinefunction(method), op.python_name
            assert inspect.signature(method) == inspect.signature(getattr(sync, op.python_name))
            assert method.__doc__ == getattr(sync, op.python_name).__doc__
    assert GENERATIONS["legacy"].async_client_class is AsyncRemoveTheBackgroundClient


def test_construction_inside_a_running_loop_does_no_io() -> None:
    async def build() -> AsyncPixelzClient:
        # Nothing listens on this endpoint: a construction that connected would fail.
        client = AsyncPixelzClient(EMAIL, KEY, endpoint="http://127.0.0.1:9/soap.asmx")
        transport = client.transport.inner  # type: ignore[attr-defined]
        assert isinstance(transport, AsyncHttpTransport)
        assert transport._pool is None  # made on the first call, in its loop
        await client.close()
        return client

    client = asyncio.run(build())
    assert "api_key='***'" in repr(client)


def test_calls_over_every_binding_and_a_fault(sb: SandboxHandle) -> None:
    async def main() -> None:
        async with AsyncPixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint) as client:
            for binding in Binding:
                answer = await client.with_binding(binding).get_templates()
                assert answer.templates
            with pytest.raises(NotFoundError) as info:
                await client.get_image_status(image_ticket=uuid.uuid4())
            assert info.value.operation == "GetImageStatus"
            assert info.value.__context__ is None
            transport = client.transport.inner  # type: ignore[attr-defined]
            assert transport.open_connections == 1  # one kept for the next call
        assert transport.open_connections == 0  # async with closed it
        async with AsyncRemoveTheBackgroundClient(
            EMAIL, KEY, endpoint=sb.legacy_endpoint, binding="http_get"
        ) as legacy:
            with pytest.raises(NotFoundError):
                await legacy.get_image_status(image_ticket=uuid.uuid4())

    asyncio.run(main())


def test_many_calls_at_once_share_the_pool(sb: SandboxHandle) -> None:
    async def main() -> list[object]:
        async with AsyncPixelzClient(
            EMAIL, KEY, endpoint=sb.pixelz_endpoint, max_connections=4
        ) as client:
            return await asyncio.gather(*(client.get_templates() for _ in range(20)))

    assert len(asyncio.run(main())) == 20


def test_a_client_works_in_a_later_loop(sb: SandboxHandle) -> None:
    client = AsyncPixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint)
    assert asyncio.run(client.get_templates()).templates
    assert asyncio.run(client.get_templates()).templates  # the first loop is closed
    asyncio.run(client.close())


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_max_connections_is_checked_before_anything(bad: object) -> None:
    with pytest.raises(InvalidParameterError) as info:
        AsyncPixelzClient(EMAIL, KEY, max_connections=bad)  # type: ignore[arg-type]
    assert info.value.parameter == "max_connections"
    assert repr(bad) in str(info.value)


def test_the_sync_client_loads_neither_asyncio_nor_httptools() -> None:
    code = (
        "import sys, removethebackground as r\n"
        "r.PixelzClient(email='a@b.c', api_key='k')\n"
        "bad = [m for m in ('asyncio', 'httptools', 'aiohttp') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_httptools_the_error_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['httptools'] = None  # as if it were not installed\n"
        "import removethebackground as r\n"
        "try:\n"
        "    r.AsyncPixelzClient(email='a@b.c', api_key='k')\n"
        "except r.InvalidParameterError as exc:\n"
        "    print(str(exc))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert "pip install 'removethebackground[async]'" in done.stdout


def test_a_sync_client_is_not_an_async_one() -> None:
    assert not issubclass(PixelzClient, AsyncPixelzClient)
    assert not issubclass(AsyncPixelzClient, PixelzClient)


# --- cancellation and the connection limit ----------------------------------------------------


def _watching_close(closed: list[float], head: bool = False) -> Any:
    """A behaviour that answers nothing (or, with ``head``, the head and the first bytes of
    a body that never ends) and records when the client closes the connection."""

    def behave(server: HostileServer, conn: socket.socket, request: Any) -> None:
        if head:
            server.write(
                conn,
                b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n<a>",
            )
        conn.settimeout(0.05)
        while not server.stopping:
            try:
                if conn.recv(1) == b"":
                    closed.append(time.monotonic())
                    return
            except TimeoutError:
                continue
            except OSError:
                closed.append(time.monotonic())
                return

    return behave


def _http_transport(client: Any) -> AsyncHttpTransport:
    """The client's innermost transport (under its retries)."""
    transport = client.transport
    while not isinstance(transport, AsyncHttpTransport):
        transport = transport.inner
    return transport


def _pool_size(client: Any) -> tuple[int, int]:
    """Connections of the client's pool: (in use, kept for reuse)."""
    transport = _http_transport(client)
    idle = transport.idle_connections
    return transport.open_connections - idle, idle


@pytest.mark.parametrize("head", [False, True], ids=["waiting-for-the-head", "reading-the-body"])
@pytest.mark.parametrize("how", ["cancel", "timeout"])
def test_cancelling_a_call_closes_its_connection_and_leaks_nothing(how: str, head: bool) -> None:
    """A call cancelled (``task.cancel()``) or timed out (``asyncio.timeout``) while it
    waits for the answer's head, or reads its body: its connection is closed, not pooled.
    The cancellation comes once the call is in that phase (the server has the request;
    with ``head``, the client reads the body), whatever the time it took to get there."""
    closed: list[float] = []
    with HostileServer(_watching_close(closed, head)) as server:

        async def main() -> tuple[int, int]:
            client = AsyncPixelzClient(EMAIL, KEY, endpoint=server.endpoint, timeout=30)
            transport = _http_transport(client)
            reading = asyncio.Event()
            read = transport._read

            async def reading_the_body(*args: Any) -> bytes:
                reading.set()
                return await read(*args)

            transport._read = reading_the_body  # type: ignore[method-assign,assignment]
            scopes: list[asyncio.Timeout] = []

            async def call() -> object:
                async with asyncio.timeout(None) as scope:  # set once the call is in its phase
                    scopes.append(scope)
                    return await client.get_image_status(
                        image_ticket="nonticket", customer_image_id="c1"
                    )

            task = asyncio.ensure_future(call())
            if head:  # the head has come and the body is being read
                await asyncio.wait_for(reading.wait(), 10)
            else:  # the request is on the wire: the call waits for the head
                async with asyncio.timeout(10):
                    while not server.requests:
                        await asyncio.sleep(0.01)
                assert not reading.is_set()
            if how == "cancel":
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            else:
                scopes[0].reschedule(asyncio.get_running_loop().time())
                with pytest.raises(TimeoutError):
                    await task
            pool = _pool_size(client)
            await client.close()
            return pool

        pool = asyncio.run(main())
        deadline = time.monotonic() + 5
        while not closed and time.monotonic() < deadline:
            time.sleep(0.01)
    assert pool == (0, 0)  # nothing in use, and the cut connection not kept for reuse
    assert len(closed) == 1  # the server saw the connection closed
    assert len(server.requests) == 1


def test_a_call_after_a_cancelled_one_gets_a_fresh_connection(sb: SandboxHandle) -> None:
    async def main() -> None:
        async with AsyncPixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint) as client:
            task = asyncio.ensure_future(client.get_templates())
            await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert (await client.get_templates()).templates
            assert _pool_size(client)[0] == 0

    asyncio.run(main())


def test_max_connections_bounds_the_connections_open_at_once() -> None:
    open_now: list[int] = []
    lock = threading.Lock()
    current = [0]

    def slow(server: HostileServer, conn: socket.socket, request: Any) -> None:
        with lock:
            current[0] += 1
            open_now.append(current[0])
        time.sleep(0.1)
        with lock:
            current[0] -= 1
        body = _status_body()
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        server.write(conn, head + body)

    with HostileServer(slow) as server:

        async def main() -> list[object]:
            async with AsyncPixelzClient(
                EMAIL, KEY, endpoint=server.endpoint, max_connections=3
            ) as client:
                calls = (client.get_image_status(image_ticket="nonticket") for _ in range(12))
                return await asyncio.gather(*calls)

        results = asyncio.run(main())
    assert len(results) == 12
    assert max(open_now) == 3  # three at once, never more
    assert len(server.requests) == 12


def test_calls_waiting_for_a_free_connection_hold_no_connection() -> None:
    """Calls beyond ``max_connections`` wait before the transport opens or takes a
    connection for them (its parser, buffers and futures), so 1,000 calls in flight
    hold 250 of those, not 1,000."""
    import gc

    from removethebackground.core.asynctransport import _Connection

    closed: list[float] = []
    with HostileServer(_watching_close(closed)) as server:

        async def main() -> int:
            async with AsyncPixelzClient(
                EMAIL, KEY, endpoint=server.endpoint, max_connections=2, timeout=30
            ) as client:
                calls = [
                    asyncio.ensure_future(client.get_image_status(image_ticket="nonticket"))
                    for _ in range(20)
                ]
                while len(server.requests) < 2:  # two on the wire, eighteen waiting
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.05)  # the waiting ones have run as far as they go
                pool = _http_transport(client)._pool
                gc.collect()
                held = sum(isinstance(o, _Connection) and o.pool is pool for o in gc.get_objects())
                assert not any(call.done() for call in calls)
                for call in calls:
                    call.cancel()
                await asyncio.gather(*calls, return_exceptions=True)
                return held

        held = asyncio.run(main())
    assert held == 2
    assert len(server.requests) == 2


def test_the_deadline_covers_the_wait_for_a_free_connection() -> None:
    """Calls queued behind ``max_connections`` spend their deadline waiting: they end in
    TransportTimeout within it, not after the calls before them."""
    from removethebackground import TransportTimeout

    closed: list[float] = []
    with HostileServer(_watching_close(closed)) as server:

        async def main() -> tuple[list[BaseException | object], float]:
            async with AsyncPixelzClient(
                EMAIL,
                KEY,
                endpoint=server.endpoint,
                max_connections=1,
                timeout=5,
                deadline=0.5,
                retries=False,
            ) as client:
                started = time.monotonic()
                calls = (client.get_image_status(image_ticket="nonticket") for _ in range(3))
                results = await asyncio.gather(*calls, return_exceptions=True)
                return results, time.monotonic() - started

        results, took = asyncio.run(main())
    assert all(isinstance(r, TransportTimeout) for r in results), results
    assert took < 0.5 + 0.6
    # The calls behind the first got no connection before their deadline (one of them may
    # get the first call's, freed at the very moment both deadlines pass).
    assert len(server.requests) < 3


def test_cancelled_and_timed_out_waits_give_every_slot_back() -> None:
    """Calls that stop waiting for a connection (cancelled, or out of deadline) take no
    slot with them: afterwards the limit is whole and new calls go through."""
    from removethebackground import TransportTimeout

    with HostileServer(answer(200, _status_body(), _XML, close=False)) as server:

        async def main() -> tuple[list[object], list[object], int]:
            async with AsyncPixelzClient(
                EMAIL, KEY, endpoint=server.endpoint, max_connections=2, retries=False
            ) as client:
                transport = _http_transport(client)
                gate = transport._pool_here(asyncio.get_running_loop()).gate
                go_on = asyncio.Event()

                async def holder() -> None:  # a call that holds its slot until told
                    slot = await transport.hold("GetTemplates", "soap11")
                    assert slot is not None
                    await go_on.wait()
                    slot.release()

                holders = [asyncio.ensure_future(holder()) for _ in range(2)]
                while gate.free:
                    await asyncio.sleep(0.01)
                waiting = [
                    asyncio.ensure_future(client.get_image_status(image_ticket="nonticket"))
                    for _ in range(6)
                ]
                short = AsyncPixelzClient(
                    EMAIL, KEY, endpoint=server.endpoint, transport=transport, deadline=0.2
                )
                timed_out = await asyncio.gather(
                    *(short.get_image_status(image_ticket="nonticket") for _ in range(3)),
                    return_exceptions=True,
                )
                for task in waiting[:3]:
                    task.cancel()
                await asyncio.sleep(0.05)
                go_on.set()  # the holders are done: the three left waiting go on
                await asyncio.gather(*holders)
                done = await asyncio.gather(*waiting, return_exceptions=True)
                after = await asyncio.gather(
                    *(client.get_image_status(image_ticket="nonticket") for _ in range(4))
                )
                return timed_out, done + list(after), gate.free

        async def bounded() -> tuple[list[object], list[object], int]:
            async with asyncio.timeout(10):  # a slot lost makes the calls after it wait
                return await main()

        timed_out, done, free = asyncio.run(bounded())
    for r in timed_out:  # no slot within the deadline: nothing sent, the call's context
        assert isinstance(r, TransportTimeout) and r.request_sent is False, r
        assert r.endpoint and r.operation == "GetImageStatus" and r.__context__ is None
    assert [type(r).__name__ for r in done[:3]] == ["CancelledError"] * 3
    assert all(not isinstance(r, BaseException) for r in done[3:])
    assert free == 2  # the whole limit, free again
    assert len(server.requests) == 3 + 4


def test_rate_limits_hold_async_calls_too() -> None:
    """``rate_limits=`` wraps the async transport: the second read waits for its token."""
    with HostileServer(answer(200, _status_body(), _XML, close=False)) as server:

        async def main() -> float:
            async with AsyncPixelzClient(
                EMAIL, KEY, endpoint=server.endpoint, rate_limits={"read": "5/s"}
            ) as client:
                started = time.monotonic()
                for _ in range(3):
                    await client.get_image_status(image_ticket="nonticket")
                return time.monotonic() - started

        took = asyncio.run(main())
    assert took >= 0.35  # two waits of 0.2 s (burst 1), within the loop: no thread slept


_XML = (("Content-Type", "text/xml; charset=utf-8"),)


def _status_body() -> bytes:
    return (
        b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
        b'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        b'<GetImageStatusResponse xmlns="http://removethebackground.com/">'
        b"<GetImageStatusResult><ImageStatus>"
        b"<ImageTicket>9a4e4e16-8e77-4e8c-b579-79fba86611e3</ImageTicket>"
        b"<StatusId>10</StatusId><IsPaid>false</IsPaid></ImageStatus>"
        b"</GetImageStatusResult></GetImageStatusResponse></soap:Body></soap:Envelope>"
    )


# --- the environment ------------------------------------------------------------------------


@pytest.mark.parametrize("trust_env", [True, False])
def test_proxies_from_the_environment_are_read_once_per_host(
    sb: SandboxHandle, monkeypatch: pytest.MonkeyPatch, trust_env: bool
) -> None:
    from removethebackground.core import asynctransport
    from support.tls import Proxy

    reads: list[str] = []
    real = asynctransport.AsyncHttpTransport._read_environment

    def counting(self: Any, url: str) -> Any:
        reads.append(url)
        return real(self, url)

    monkeypatch.setattr(asynctransport.AsyncHttpTransport, "_read_environment", counting)
    with Proxy() as proxy:
        for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("http_proxy", proxy.url)

        async def main() -> None:
            async with AsyncPixelzClient(
                EMAIL, KEY, endpoint=sb.pixelz_endpoint, trust_env=trust_env
            ) as client:
                await asyncio.gather(*(client.get_templates() for _ in range(5)))
                await client.get_templates()

        asyncio.run(main())
    assert proxy.log.forwarded == (6 if trust_env else 0)
    assert len(reads) == 1  # once for the host, whatever the number of calls


# --- the observer seam --------------------------------------------------------------------------


def test_the_observer_sees_async_calls_and_their_attempts() -> None:
    """The async call path tells the observer (core/observe.py) what the sync one does: the
    call, each send, the retry between them, and how it ended; calls in concurrent tasks
    are kept apart (the call in flight is the task's)."""
    from removethebackground.core import observe

    events: list[tuple[str, ...]] = []

    class Observed:
        def __init__(self, call: observe.CallInfo) -> None:
            self.call = call

        def attempt_started(self, attempt: int) -> object:
            events.append(("attempt", self.call.operation, str(attempt)))
            return attempt

        def attempt_ended(
            self, token: object, attempt: int, status: int | None, error: BaseException | None
        ) -> None:
            events.append(("sent", str(status), type(error).__name__ if error else "-"))

        def retrying(self, attempt: int, reason: str, delay: float) -> None:
            events.append(("retrying", reason))

        def ended(self, end: observe.CallEnd) -> None:
            events.append(("ended", self.call.service, end.outcome, str(end.attempts)))

    class Recorder:
        def call_started(self, call: observe.CallInfo) -> Observed:
            events.append(("call", call.service, call.operation, call.binding))
            return Observed(call)

        def work_started(self, name: str, attributes: Any) -> Any:
            raise AssertionError("no work here")

        def measure(self, name: str, value: float, attributes: Any) -> None:
            pass

    sent: list[int] = []

    def busy_once(server: HostileServer, conn: socket.socket, request: Any) -> None:
        sent.append(1)
        if len(sent) == 1:
            answer(503, b"busy", (("Content-Type", "text/plain"),))(server, conn, request)
        else:
            answer(200, _status_body(), _XML)(server, conn, request)

    previous = observe.set_observer(Recorder())
    try:
        with HostileServer(busy_once) as server:

            async def main() -> None:
                async with AsyncPixelzClient(
                    EMAIL,
                    KEY,
                    endpoint=server.endpoint,
                    retries=RetryPolicy(attempts=2, backoff=0.0),
                ) as client:
                    await client.get_image_status(image_ticket="nonticket")

            asyncio.run(main())
    finally:
        observe.set_observer(previous)
    assert events == [
        ("call", "Pixelz", "GetImageStatus", "soap11"),
        ("attempt", "GetImageStatus", "1"),
        ("sent", "503", "-"),
        ("retrying", "HTTP 503"),
        ("attempt", "GetImageStatus", "2"),
        ("sent", "200", "-"),
        ("ended", "Pixelz", "ok", "2"),
    ]

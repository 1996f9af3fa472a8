"""Rate limits per kind of call: the token bucket, the deadline, 429 pauses, the client.

Time is injected (``clock=``/``sleep=``: a sleep advances the clock and is recorded),
so no test waits for a token.
"""

from __future__ import annotations

import http.client
import socket
import sys
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest

from removethebackground import Binding, HTTPStatusError, PixelzClient, TransportTimeout
from removethebackground.core import deadline as _deadline
from removethebackground.core.asynctransport import AsyncHttpTransport
from removethebackground.core.config import ClientConfig
from removethebackground.core.errors import InvalidParameterError
from removethebackground.core.http import HttpAnswer
from removethebackground.core.ratelimit import (
    AsyncRateLimitedTransport,
    LocalBuckets,
    Rate,
    RateLimitedTransport,
    RateLimits,
    check_rate_limits,
    kind_of,
    parse_rate,
)
from removethebackground.core.retry import AsyncRetryingTransport, RetryingTransport, RetryPolicy
from removethebackground.core.transport import RequestsTransport
from removethebackground.testing.sandbox import SandboxHandle
from support.clients import make_client
from support.hostile import HostileServer, Request, answer

OPS = PixelzClient.SERVICE.operations
STATUS = OPS["GetImageStatus"]
QUEUE = OPS["AddImageToQueue"]
TEMPLATE = OPS["AddTemplate"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 6))
        self.now += seconds


class Inner:
    """A transport that answers each request with the next scripted status."""

    def __init__(self, *answers: HttpAnswer) -> None:
        self.answers = list(answers)
        self.sent: list[str] = []

    def send(self, request: Any, ctx: Any) -> HttpAnswer:
        self.sent.append(request.operation.name)
        if self.answers:
            return self.answers.pop(0)
        return HttpAnswer(200, "OK", {}, b"")

    def close(self) -> None:
        pass


def req(op: Any) -> Any:
    return SimpleNamespace(operation=op, binding=Binding.SOAP11)


def limited(
    limits: RateLimits, inner: Inner | None = None
) -> tuple[RateLimitedTransport, Inner, Clock]:
    clock = Clock()
    inner = inner or Inner()
    transport = RateLimitedTransport(inner, limits, clock=clock.clock, sleep=clock.sleep)
    return transport, inner, clock


# --- kinds and settings ----------------------------------------------------------------------


def test_kinds_come_from_the_generated_operation_facts() -> None:
    assert kind_of(QUEUE) == kind_of(OPS["AddStackImageToQueue"]) == "queue"
    assert kind_of(TEMPLATE) == kind_of(OPS["DeleteImageFromQueue"]) == "write"
    assert kind_of(STATUS) == kind_of(OPS["GetImagesList"]) == "read"
    assert {kind_of(op) for op in OPS.values()} == {"queue", "write", "read"}


def test_rates_are_parsed_from_text() -> None:
    assert parse_rate("queue=2/s") == ("queue", Rate(2.0, 1))
    assert parse_rate(" read = 600/min , burst=20 ") == ("read", Rate(10.0, 20))
    assert parse_rate("write=36/h") == ("write", Rate(0.01, 1))
    assert check_rate_limits({"queue": "2/s", "read": 5}) == RateLimits(
        {"queue": Rate(2.0), "read": Rate(5.0)}
    )


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("queue=2", "N/s"),
        ("uploads=2/s", "KIND"),
        ({"queue": 0}, "not in (0, 1e6]"),
        ("queue=1/s,burst=0", "burst=0"),
        ({"reads": 1}, "'reads' is not a kind"),
        (["queue=1/s"], "mapping such as"),
    ],
)
def test_bad_rates_are_refused_naming_the_option(value: Any, names: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        parse_rate(value) if isinstance(value, str) else check_rate_limits(value)
    assert names in str(info.value)
    assert info.value.parameter in ("rate", "rate_limits")


# --- the bucket ------------------------------------------------------------------------------


def test_calls_of_a_kind_are_spread_at_its_rate() -> None:
    transport, inner, clock = limited(RateLimits({"read": Rate(2.0)}))
    for _ in range(5):
        transport.send(req(STATUS), None)
    assert inner.sent == ["GetImageStatus"] * 5
    assert clock.waits == [0.5, 0.5, 0.5, 0.5]  # the first goes at once


def test_a_burst_goes_at_once_then_the_rate_holds() -> None:
    transport, _, clock = limited(RateLimits({"queue": Rate(1.0, burst=3)}))
    for _ in range(5):
        transport.send(req(QUEUE), None)
    assert clock.waits == [1.0, 1.0]
    clock.now += 10.0  # idle: the bucket fills up to the burst, no more
    for _ in range(4):
        transport.send(req(QUEUE), None)
    assert clock.waits == [1.0, 1.0, 1.0]


def test_kinds_have_their_own_buckets_and_an_unlimited_kind_never_waits() -> None:
    transport, _, clock = limited(RateLimits({"queue": Rate(0.1)}))
    transport.send(req(QUEUE), None)
    for _ in range(20):
        transport.send(req(STATUS), None)
        transport.send(req(TEMPLATE), None)
    assert clock.waits == []
    transport.send(req(QUEUE), None)
    assert clock.waits == [10.0]


def test_the_buckets_are_thread_safe() -> None:
    store = LocalBuckets()
    rate = Rate(10.0)
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        mine = [store.take("read", rate, 0.0, float("inf")) for _ in range(200)]
        with lock:
            waits.extend(w for w in mine if w is not None)

    threads = [threading.Thread(target=take) for _ in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    # Every token reserved once: 1,600 distinct slots, 0.1 s apart.
    assert sorted(round(w, 6) for w in waits) == [round(i / 10, 6) for i in range(1600)]


# --- the call's deadline ---------------------------------------------------------------------


def test_waiting_for_a_token_spends_the_deadline_and_a_late_token_is_a_timeout() -> None:
    transport, inner, clock = limited(RateLimits({"queue": Rate(0.5)}))
    started = _deadline.begin(1.0)
    try:
        transport.send(req(QUEUE), None)
        with pytest.raises(TransportTimeout) as info:
            transport.send(req(QUEUE), None)  # the next token is 2 s away: over the 1 s
    finally:
        _deadline.end(started)
    text = str(info.value)
    assert "'queue'" in text and "1 s deadline" in text and "rate_limits=" in text
    assert info.value.operation == "AddImageToQueue"
    assert inner.sent == ["AddImageToQueue"] and clock.waits == []
    # The refused call reserved nothing: the next one, 2 s later, goes at once.
    clock.now += 2.0
    transport.send(req(QUEUE), None)
    assert clock.waits == []


def test_a_token_within_the_deadline_is_waited_for() -> None:
    transport, inner, clock = limited(RateLimits({"read": Rate(2.0)}))
    started = _deadline.begin(5.0)
    try:
        transport.send(req(STATUS), None)
        transport.send(req(STATUS), None)
    finally:
        _deadline.end(started)
    assert clock.waits == [0.5] and len(inner.sent) == 2


# --- 429 and Retry-After ---------------------------------------------------------------------


def too_many(retry_after: str | None) -> HttpAnswer:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    return HttpAnswer(429, "Too Many Requests", headers, b"")


def test_a_429_pauses_its_kind_for_every_caller_until_retry_after() -> None:
    transport, _, clock = limited(RateLimits(), Inner(too_many("7")))
    assert transport.send(req(STATUS), None).status == 429  # the answer goes back as it is
    transport.send(req(QUEUE), None)  # another kind: not paused
    assert clock.waits == []
    results: list[int] = []
    thread = threading.Thread(
        target=lambda: results.append(transport.send(req(STATUS), None).status)
    )
    thread.start()
    thread.join()
    assert results == [200] and clock.waits == [7.0]  # another caller's read waited
    transport.send(req(STATUS), None)
    assert clock.waits == [7.0]  # the pause is over


def test_a_429_without_retry_after_pauses_for_the_default_and_a_long_one_is_capped() -> None:
    transport, _, clock = limited(
        RateLimits(pause=2.0, max_pause=30.0), Inner(too_many(None), too_many("3600"))
    )
    transport.send(req(TEMPLATE), None)
    transport.send(req(TEMPLATE), None)
    assert clock.waits == [2.0]
    transport.send(req(TEMPLATE), None)
    assert clock.waits == [2.0, 30.0]


def test_a_pause_past_the_deadline_fails_the_call_at_once() -> None:
    transport, inner, clock = limited(RateLimits(), Inner(too_many("60")))
    transport.send(req(STATUS), None)
    started = _deadline.begin(3.0)
    try:
        with pytest.raises(TransportTimeout, match="429 pause"):
            transport.send(req(STATUS), None)
    finally:
        _deadline.end(started)
    assert len(inner.sent) == 1 and clock.waits == []


# --- over HTTP: a loopback 429 in front of the sandbox, and the client ----------------------


class Busy:
    """Answers 429 (Retry-After: 4) to the first ``busy`` requests, then forwards."""

    def __init__(self, upstream: str, busy: int) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.busy = busy

    def __call__(self, server: HostileServer, conn: socket.socket, request: Request) -> None:
        if self.busy > 0:
            self.busy -= 1
            answer(429, b"slow down", (("Content-Type", "text/plain"), ("Retry-After", "4")))(
                server, conn, request
            )
            return
        method, target, _ = request.line.split(" ", 2)
        headers = {}
        for raw in request.head.split(b"\r\n")[1:]:
            key, _, value = raw.decode("latin-1").partition(":")
            if key.lower() not in ("host", "connection", "content-length"):
                headers[key.strip()] = value.strip()
        upstream = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            upstream.request(
                method, urlsplit(target).path, body=request.body or None, headers=headers
            )
            response = upstream.getresponse()
            status, body = response.status, response.read()
            ctype = response.getheader("Content-Type") or "text/xml"
        finally:
            upstream.close()
        answer(status, body, (("Content-Type", ctype),))(server, conn, request)


@pytest.fixture
def busy(sandbox: SandboxHandle) -> Iterator[HostileServer]:
    with HostileServer(Busy(sandbox.pixelz_endpoint, busy=1)) as server:
        yield server


def _limited(kind: str, clock: Clock, *, retries: bool = False) -> Any:
    """The default transport of ``kind`` for one attempt, under a limiter (and a retrying
    transport) on injected time."""

    async def sleep(seconds: float) -> None:
        clock.sleep(seconds)

    if kind == "sync":
        transport: Any = RateLimitedTransport(
            RequestsTransport(timeout=2.0, deadline=10.0),
            RateLimits(),
            clock=clock.clock,
            sleep=clock.sleep,
        )
        if retries:
            transport = RetryingTransport(
                transport, RetryPolicy(), clock=clock.clock, sleep=clock.sleep, random=lambda: 0.5
            )
        return transport
    transport = AsyncRateLimitedTransport(
        AsyncHttpTransport(timeout=2.0, deadline=10.0), RateLimits(), clock=clock.clock, sleep=sleep
    )
    if retries:
        transport = AsyncRetryingTransport(
            transport, RetryPolicy(), clock=clock.clock, sleep=sleep, random=lambda: 0.5
        )
    return transport


RETRYING = {"sync": RetryingTransport, "async": AsyncRetryingTransport}
LIMITED = {"sync": RateLimitedTransport, "async": AsyncRateLimitedTransport}
SENDING = {"sync": RequestsTransport, "async": AsyncHttpTransport}


def test_a_429_over_http_pauses_the_clients_other_reads(
    sandbox: SandboxHandle, busy: HostileServer, client_kind: str
) -> None:
    clock = Clock()
    client = make_client(
        client_kind,
        sandbox.demo_email,
        sandbox.demo_api_key,
        endpoint=busy.endpoint,
        transport=_limited(client_kind, clock),
    )
    with client:
        with pytest.raises(HTTPStatusError) as info:
            client.get_templates()  # no retries here: the 429 comes back
        assert info.value.http_status == 429
        assert client.get_contact_detailed() is not None  # another read: waited 4 s first
        assert clock.waits == [4.0]
        assert len(busy.requests) == 2


def test_with_retries_the_429_is_retried_after_the_pause(
    sandbox: SandboxHandle, busy: HostileServer, client_kind: str
) -> None:
    clock = Clock()
    with make_client(
        client_kind,
        sandbox.demo_email,
        sandbox.demo_api_key,
        endpoint=busy.endpoint,
        transport=_limited(client_kind, clock, retries=True),
    ) as client:
        assert client.get_templates() is not None
    # The retry waited the Retry-After; by then the pause was over: no second wait.
    assert clock.waits == [4.0] and len(busy.requests) == 2


def test_the_client_wires_rate_limits_under_its_retries(
    sandbox: SandboxHandle, client_kind: str
) -> None:
    client = make_client(
        client_kind,
        sandbox.demo_email,
        sandbox.demo_api_key,
        endpoint=sandbox.pixelz_endpoint,
        rate_limits={"read": "1/min,burst=2"},
        deadline=2.0,
    )
    with client:
        assert isinstance(client.transport, RETRYING[client_kind])
        assert isinstance(client.transport.inner, LIMITED[client_kind])
        assert isinstance(client.transport.inner.inner, SENDING[client_kind])
        assert client.config.rate_limits == RateLimits({"read": Rate(1 / 60, 2)})
        assert client.deadline > 0
        client.get_templates()
        client.get_contact_detailed()
        with pytest.raises(TransportTimeout, match="rate_limits="):
            client.get_templates()  # the third token is 60 s away: past the 2 s deadline


def test_no_rate_limits_means_no_limiter(sandbox: SandboxHandle) -> None:
    with PixelzClient(
        sandbox.demo_email, sandbox.demo_api_key, endpoint=sandbox.pixelz_endpoint
    ) as client:
        assert isinstance(client.transport, RetryingTransport)
        assert isinstance(client.transport.inner, RequestsTransport)
        assert client.config.rate_limits is None
    with PixelzClient(
        sandbox.demo_email,
        sandbox.demo_api_key,
        endpoint=sandbox.pixelz_endpoint,
        retries=False,
        rate_limits=RateLimits(),
    ) as client:
        assert isinstance(client.transport, RateLimitedTransport)


def test_a_given_transport_is_wrapped_and_never_closed_by_the_client() -> None:
    inner = Inner()
    closed: list[bool] = []
    inner.close = lambda: closed.append(True)  # type: ignore[method-assign]
    client = PixelzClient("a@example.com", "key", transport=inner, rate_limits={"queue": 1})
    assert isinstance(client.transport, RateLimitedTransport)
    client.close()
    assert closed == []


def test_the_config_refuses_bad_rate_limits() -> None:
    with pytest.raises(InvalidParameterError, match="rate_limits"):
        ClientConfig(binding=Binding.SOAP11, endpoint="http://x/", rate_limits="fast")  # type: ignore[arg-type]

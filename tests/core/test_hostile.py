"""Hostile servers on loopback: every abuse ends in a typed library error, bounded in bytes.

Each server misbehaves in one way (tests/support/hostile.py). The client has a short
per-read timeout and deadline, no retries and a small size cap. Nothing here asserts a
time: the deadline tests assert that the server could write only a small part of what
it was dripping before the client hung up, and the size tests how much it wrote.
"""

from __future__ import annotations

import socket
import traceback
from collections.abc import Callable
from typing import Any

import pytest

from removethebackground import (
    Binding,
    ConnectionFailedError,
    HTTPStatusError,
    MalformedResponseError,
    PixelzClient,
    RemoveTheBackgroundError,
    TransportError,
    TransportTimeout,
)
from support.clients import make_client
from support.hostile import (
    HostileServer,
    answer,
    close_silently,
    continue_forever,
    drip_body,
    drip_headers,
    gzip_bomb,
    hold,
    raw,
    reset,
    reset_mid_body,
    stream,
)

EMAIL = "demo@example.com"
KEY = "k3y+/=&<>%;'\" %2b"
CAP = 64 * 1024
ALL = [Binding.SOAP11, Binding.SOAP12, Binding.HTTP_GET, Binding.HTTP_POST]
TICKET = "9a4e4e16-8e77-4e8c-b579-79fba86611e3"
XML = (("Content-Type", "text/xml; charset=utf-8"),)
HTML = (("Content-Type", "text/html"),)


def client_for(
    endpoint: str, binding: Binding = Binding.SOAP11, kind: str = "sync", **kw: Any
) -> PixelzClient:
    kw.setdefault("timeout", 0.5)
    kw.setdefault("deadline", 1.0)
    kw.setdefault("retries", False)
    client: PixelzClient = make_client(
        kind, EMAIL, KEY, binding=binding, endpoint=endpoint, max_response_bytes=CAP, **kw
    )
    return client


def call(
    behaviour: Any, binding: Binding = Binding.SOAP11, kind: str = "sync", **kw: Any
) -> tuple[Any, int]:
    with HostileServer(behaviour) as server:
        client = client_for(server.endpoint, binding, kind, **kw)
        try:
            with pytest.raises(RemoveTheBackgroundError) as info:
                client.get_image_status(image_ticket="nonticket", customer_image_id="c1")
        finally:
            client.close()
    error = info.value
    text = "".join(traceback.format_exception(error))
    assert KEY not in text and "k3y" not in text
    assert error.__context__ is None and error.__cause__ is None
    return error, server.sent


# --- the deadline ---------------------------------------------------------------------------

DRIP_UNITS = 2000  # what a dripping behaviour would write if nobody hung up


@pytest.mark.parametrize(
    ("behaviour", "head", "unit"),
    [
        (drip_body(0.02), 70, 1),
        (drip_headers(0.02), 25, 1),
        (continue_forever(0.02), 0, len(b"HTTP/1.1 100 Continue\r\n\r\n")),
    ],
    ids=["drip-body", "drip-headers", "100-continue-forever"],
)
def test_the_deadline_ends_a_call_that_a_server_drips(
    behaviour: Any, head: int, unit: int, client_kind: str
) -> None:
    error, sent = call(behaviour, kind=client_kind, deadline=0.6)
    assert isinstance(error, TransportTimeout)
    assert "deadline of 0.6 s" in str(error)
    assert error.retryable
    # The per-read timeout (0.5 s) never passed: each unit came 20 ms after the last.
    # The deadline shut the socket after a small part of the drip (2000 units).
    assert sent < head + DRIP_UNITS * unit / 4, sent


def test_the_deadline_is_validated() -> None:
    from removethebackground import InvalidParameterError

    for bad in (0, -1, float("inf"), float("nan"), "5", True):
        with pytest.raises(InvalidParameterError) as info:
            PixelzClient(EMAIL, KEY, deadline=bad)  # type: ignore[arg-type]
        assert info.value.parameter == "deadline"
    assert PixelzClient(EMAIL, KEY, timeout=2).deadline == 6.0
    assert PixelzClient(EMAIL, KEY, deadline=7).deadline == 7.0


def test_a_pooled_connection_is_fine_after_an_expired_call(client_kind: str) -> None:
    """The watchdog only touches the call whose deadline passed."""
    calls: list[int] = []

    def behave(server: HostileServer, conn: socket.socket, request: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            drip_body(0.02)(server, conn, request)
        else:
            from support.envelopes import soap_response

            answer(200, _status_body(), XML, close=False)(server, conn, request)
            del soap_response

    with HostileServer(behave) as server:
        client = client_for(server.endpoint, kind=client_kind, deadline=0.5)
        with pytest.raises(TransportTimeout):
            client.get_image_status(image_ticket="nonticket", customer_image_id="c1")
        for _ in range(3):
            assert client.get_image_status(image_ticket=TICKET).image_status is not None
        client.close()


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


# --- the channel ----------------------------------------------------------------------------


def test_refused(client_kind: str) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    client = client_for(f"http://127.0.0.1:{port}/soap.asmx", kind=client_kind)
    with pytest.raises(ConnectionFailedError) as info:
        client.get_image_status(image_ticket=TICKET)
    assert info.value.request_sent is False
    assert info.value.__context__ is None


CHANNEL: list[tuple[str, Callable[..., None], type[TransportError]]] = [
    ("reset-before-answer", reset, ConnectionFailedError),
    ("closed-no-answer", close_silently, ConnectionFailedError),
    ("no-answer", hold, TransportTimeout),
    ("reset-during-answer", reset_mid_body, MalformedResponseError),
]


@pytest.mark.parametrize("binding", ALL, ids=str)
@pytest.mark.parametrize(("name", "behaviour", "expected"), CHANNEL, ids=[c[0] for c in CHANNEL])
def test_the_channel_breaks(
    binding: Binding, name: str, behaviour: Any, expected: type[TransportError], client_kind: str
) -> None:
    error, _ = call(behaviour, binding, client_kind)
    assert isinstance(error, expected), repr(error)
    assert error.request_sent is None  # the request went out: the outcome is unknown


# --- answers that are not answers -----------------------------------------------------------

PAGE = b"<html><head><title>%d</title></head><body>" + b"x" * 400 + b"</body></html>"

ANSWERS: list[tuple[str, Any, type[TransportError]]] = [
    ("502-html", answer(502, PAGE.replace(b"%d", b"502"), HTML), HTTPStatusError),
    ("503-html", answer(503, PAGE.replace(b"%d", b"503"), HTML), HTTPStatusError),
    ("415-empty", answer(415, b"", ()), HTTPStatusError),
    ("400-empty", answer(400, b"", ()), HTTPStatusError),
    ("truncated-xml", answer(200, _status_body()[:150], XML), MalformedResponseError),
    ("html-200", answer(200, PAGE, HTML), MalformedResponseError),
    (
        "json-200",
        answer(200, b'{"ok": true}', (("Content-Type", "application/json"),)),
        MalformedResponseError,
    ),
    ("empty-200", answer(200, b"", XML), MalformedResponseError),
    (
        "deep-nesting",
        answer(200, b"<a>" * 100_000 + b"</a>" * 100_000, XML),
        MalformedResponseError,
    ),
    (
        "redirect-with-key",
        answer(302, b"", (("Location", f"http://127.0.0.1:9/?contactAPIkey={KEY}"),)),
        HTTPStatusError,
    ),
]


@pytest.mark.parametrize("binding", ALL, ids=str)
@pytest.mark.parametrize(("name", "behaviour", "expected"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_answers_that_are_not_results(
    binding: Binding, name: str, behaviour: Any, expected: type[TransportError], client_kind: str
) -> None:
    error, _ = call(behaviour, binding, client_kind)
    assert isinstance(error, expected), repr(error)
    if name == "redirect-with-key":
        assert error.http_status == 302


def test_a_soap11_answer_to_a_soap12_request_is_refused(client_kind: str) -> None:
    error, _ = call(answer(200, _status_body(), XML), Binding.SOAP12, client_kind)
    assert isinstance(error, MalformedResponseError)
    assert "envelope" in str(error)


def test_a_redirect_is_never_followed(client_kind: str) -> None:
    followed: list[Any] = []
    with HostileServer(lambda s, c, r: followed.append(r) or close_silently(s, c, r)) as target:
        location = f"{target.endpoint}?contactAPIkey=leak"
        with HostileServer(answer(307, b"", (("Location", location),))) as server:
            client = client_for(server.endpoint, Binding.HTTP_GET, client_kind)
            with pytest.raises(HTTPStatusError):
                client.get_image_status(image_ticket=TICKET)
            client.close()
    assert followed == []


# --- size, compression, XML attacks ---------------------------------------------------------


def test_an_oversized_body_with_content_length_is_refused_before_reading(client_kind: str) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 500000000\r\n\r\n"
    error, sent = call(stream(head, b"<" * 65536, 500_000_000), kind=client_kind)
    assert isinstance(error, MalformedResponseError) and "max_response_bytes" in str(error)
    # The socket buffers take some; the client read none of the body.
    assert sent < 500_000_000 // 10


def test_an_oversized_body_without_content_length_stops_at_the_cap(client_kind: str) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n"
    error, sent = call(stream(head, b"<" * 65536, 500_000_000), kind=client_kind)
    assert isinstance(error, MalformedResponseError) and "exceeds" in str(error)
    assert sent < 500_000_000 // 10


def test_a_gzip_bomb_stops_at_the_cap(client_kind: str) -> None:
    bomb = gzip_bomb(40 * 1024 * 1024)  # about 40 KB on the wire, under the cap
    headers = (("Content-Type", "text/xml"), ("Content-Encoding", "gzip"))
    error, sent = call(answer(200, bomb, headers), kind=client_kind)
    assert isinstance(error, MalformedResponseError) and "exceeds" in str(error)
    assert sent <= len(bomb) + 1024


ENTITY_ATTACKS = {
    "billion-laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><r>&lol2;</r>'
    ),
    "external-entity": (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    ),
    "external-dtd": b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>',
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("attack", sorted(ENTITY_ATTACKS))
@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.HTTP_GET], ids=str)
def test_entity_and_dtd_attacks(
    binding: Binding, attack: str, encoding: str, client_kind: str
) -> None:
    body = ENTITY_ATTACKS[attack].decode("utf-8")
    if encoding == "utf-16":
        body = body.replace('version="1.0"', 'version="1.0" encoding="utf-16"')
    data = body.encode(encoding)
    ctype = (("Content-Type", f"text/xml; charset={encoding}"),)
    error, _ = call(answer(200, data, ctype), binding, client_kind)
    assert isinstance(error, MalformedResponseError), repr(error)
    assert "root:" not in str(error) and "lollol" not in str(error)


@pytest.mark.parametrize(
    "value", ["²", "١٢", "-1", "1e3", "12, 13", "0x10", "99999999999999999999999", " ", "\x00"]
)
def test_malformed_content_length_values(value: str, client_kind: str) -> None:
    """A result or a library error, nothing else (no ValueError from int("²"))."""
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {value}\r\n\r\n"
    try:  # http.client reads headers as latin-1: b"\xb2" arrives as "²", which isdigit()
        data = head.encode("latin-1")
    except UnicodeEncodeError:
        data = head.encode("utf-8")
    with HostileServer(raw(data + _status_body())) as server:
        client = client_for(server.endpoint, kind=client_kind)
        try:
            client.get_image_status(image_ticket=TICKET)
        except RemoveTheBackgroundError as exc:
            assert exc.__context__ is None
        finally:
            client.close()


def test_the_deadline_covers_the_body_with_a_session_of_your_own() -> None:
    import requests

    with HostileServer(drip_body(0.02)) as server, requests.Session() as session:
        client = client_for(server.endpoint, session=session, deadline=0.6)
        with pytest.raises(TransportTimeout, match="deadline"):
            client.get_image_status(image_ticket=TICKET)
        client.close()
    assert server.sent < 70 + DRIP_UNITS / 4


# --- one deadline per call, retries on --------------------------------------------------------
#
# The deadline bounds the whole call, every attempt, backoff wait and reconciliation lookup
# included (gRPC's rule). These tests time the call (with a slack for a busy machine) and
# bound what the server could write while the client listened.

SLACK = 0.6  # seconds over the deadline a call may take (thread wake-ups, a busy machine)


def timed(
    behaviour: Any, call_it: Callable[[PixelzClient], object], kind: str, **kw: Any
) -> tuple[Any, float, int, int]:
    """Run ``call_it`` against ``behaviour``; the error, the seconds it took, the bytes the
    server wrote and the requests it read."""
    import time

    with HostileServer(behaviour) as server:
        client = client_for(server.endpoint, kind=kind, **kw)
        try:
            started = time.monotonic()
            with pytest.raises(RemoveTheBackgroundError) as info:
                call_it(client)
            took = time.monotonic() - started
        finally:
            client.close()
    error = info.value
    text = "".join(traceback.format_exception(error))
    assert KEY not in text and "k3y" not in text
    assert error.__context__ is None and error.__cause__ is None
    return error, took, server.sent, len(server.requests)


def _status(client: PixelzClient) -> object:
    return client.get_image_status(image_ticket=TICKET)


INTERVAL = 0.02
HOSTILE = [
    ("never-answers", hold, 0, 1),
    ("drip-body", drip_body(INTERVAL), 70, 1),
    ("drip-headers", drip_headers(INTERVAL), 25, 1),
    ("100-continue-forever", continue_forever(INTERVAL), 0, len(b"HTTP/1.1 100 Continue\r\n\r\n")),
]


@pytest.mark.parametrize("retries", [None, False], ids=["retries-on", "retries-off"])
@pytest.mark.parametrize(
    ("name", "behaviour", "head", "unit"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_one_deadline_bounds_the_call_with_its_retries(
    name: str, behaviour: Any, head: int, unit: int, retries: bool | None, client_kind: str
) -> None:
    # Two per-read timeouts fit the deadline, so with retries on a second attempt starts;
    # without the one budget per call the attempts would take twice the deadline.
    deadline = 2.0
    error, took, sent, _ = timed(
        behaviour, _status, client_kind, timeout=1.0, deadline=deadline, retries=retries
    )
    assert isinstance(error, TransportTimeout), repr(error)
    assert took < deadline + SLACK, f"{name}: {took:.2f} s for a deadline of {deadline} s"
    # What the server could write while someone listened: at most one unit per interval
    # over the deadline (and its slack), whatever the number of attempts.
    assert sent <= head * 3 + (deadline + SLACK) / INTERVAL * unit, sent


@pytest.mark.parametrize("retries", [None, False], ids=["retries-on", "retries-off"])
def test_a_deadline_shorter_than_the_timeout_bounds_the_call(
    retries: bool | None, client_kind: str
) -> None:
    """``timeout=3.0, deadline=2.0``, a server that never answers: 2 s, not 3 sends of 2 s."""
    error, took, _, requests = timed(
        hold, _status, client_kind, timeout=3.0, deadline=2.0, retries=retries
    )
    assert isinstance(error, TransportTimeout) and "deadline of 2.0 s" in str(error)
    assert took < 2.0 + SLACK, took
    assert requests == 1  # no retry could fit in what was left


def test_a_retry_starts_only_when_what_is_left_can_hold_it(
    client_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read timeouts of 0.3 s, no backoff, a deadline of 1.3 s, MIN_ATTEMPT at 0.45 s:
    three attempts end at about 0.3, 0.6 and 0.9 s, with 1.0, 0.7 and 0.4 s left; a fourth
    would have under MIN_ATTEMPT left, so it never starts, although the policy allows ten.

    Each attempt takes its read timeout plus its connection and wake-ups; the scenario
    holds while those stay under 0.125 s an attempt (the third must start with 0.45 s
    left and end before the deadline). With MIN_ATTEMPT's own 0.1 s and a deadline of
    1.0 s it would be 0.033 s, which a busy machine exceeds."""
    from removethebackground import RetryPolicy
    from removethebackground.core import retry

    monkeypatch.setattr(retry, "MIN_ATTEMPT", 0.45)
    policy = RetryPolicy(attempts=10, backoff=0.0)
    error, took, _, requests = timed(
        hold, _status, client_kind, timeout=0.3, deadline=1.3, retries=policy
    )
    assert isinstance(error, TransportTimeout) and "no answer within 0.3 s" in str(error)
    assert took < 1.3 + SLACK, took
    assert requests == 3


def test_the_reconciliation_lookup_spends_the_same_deadline(client_kind: str) -> None:
    """An add whose answer never comes, then a lookup that never answers either: the
    call ends within its deadline, its outcome unknown."""
    from removethebackground import OutcomeUnknownError

    def add(client: PixelzClient) -> object:
        return client.add_image_to_queue(
            template_id="1001", image_url="http://example.com/a.jpg", customer_image_id="c1"
        )

    error, took, _, requests = timed(
        hold, add, client_kind, timeout=0.4, deadline=1.0, retries=None
    )
    assert isinstance(error, OutcomeUnknownError), repr(error)
    assert "GetImageStatus failed too" in str(error)
    assert took < 1.0 + SLACK, took
    assert requests >= 2  # the add, then at least one lookup


def test_no_lookup_starts_when_the_deadline_has_passed(client_kind: str) -> None:
    """An add cut off by its deadline (the read timeout is longer): its outcome is unknown,
    and no time is left to look it up, so none is sent."""
    from removethebackground import OutcomeUnknownError

    def add(client: PixelzClient) -> object:
        return client.add_image_to_queue(
            template_id="1001", image_url="http://example.com/a.jpg", customer_image_id="c1"
        )

    error, took, _, requests = timed(
        hold, add, client_kind, timeout=3.0, deadline=1.0, retries=None
    )
    assert isinstance(error, OutcomeUnknownError), repr(error)
    assert "deadline of 1.0 s left no time to ask GetImageStatus" in str(error)
    assert "customer_image_id" in str(error)  # what to check
    assert took < 1.0 + SLACK, took
    assert requests == 1


def test_the_watchdog_is_not_woken_for_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls one after another with the same deadline: once idle, the watchdog sleeps until
    the last finished call's deadline, so a next call's later one needs no wake-up (a
    notify per call would wake the watchdog thread on every call)."""
    import time

    from removethebackground.core import deadline

    quick = deadline.arm(0.05)  # leave the watchdog idle: its heap empties at 0.05 s
    deadline.disarm(quick)
    time.sleep(0.15)
    cond = deadline._WATCHDOG._cond
    real = cond.notify
    woken: list[int] = []

    def counting(n: int = 1) -> None:
        woken.append(n)
        real(n)

    monkeypatch.setattr(cond, "notify", counting)
    for _ in range(40):
        deadline.disarm(deadline.arm(5.0))  # a quick call
        time.sleep(0.002)  # time for the watchdog to run, were it woken
    assert len(woken) <= 2, len(woken)

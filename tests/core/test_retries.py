"""Retries by idempotency, against the sandbox behind a fault-injecting proxy.

The proxy (a :class:`~support.hostile.HostileServer`) forwards each request to the
sandbox and counts, per operation, the requests that reached it; a script of faults
decides what happens to each request: forwarded and answered, forwarded and then the
answer dropped or the connection reset or held (the outcome is unknown to the
client), or refused with a 502/503 before reaching the sandbox. Time is injected
(``sleep=`` records the waits), so no test waits for a backoff.
"""

from __future__ import annotations

import http.client
import logging
import socket
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from removethebackground import (
    Binding,
    ConnectionFailedError,
    HTTPStatusError,
    OutcomeUnknownError,
    PixelzClient,
    RetryingTransport,
    RetryPolicy,
    TransportTimeout,
)
from removethebackground.core.asynctransport import AsyncHttpTransport
from removethebackground.core.retry import AsyncRetryingTransport, check_retries
from removethebackground.core.transport import RequestsTransport
from removethebackground.testing.sandbox import SandboxHandle
from support.clients import make_client, run
from support.hostile import HostileServer, Request, answer, close_silently, hold, reset

EXAMPLE = "http://example.com/images/shoe.jpg"
ALL = [Binding.SOAP11, Binding.SOAP12, Binding.HTTP_GET, Binding.HTTP_POST]


class FaultProxy:
    """Forwards to ``upstream`` and injects the next scripted fault for an operation."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.path = parts.path
        self.reached: Counter[str] = Counter()
        self.faults: dict[str, list[str]] = {}

    def script(self, op: str, *faults: str) -> None:
        self.faults.setdefault(op, []).extend(faults)

    def operation(self, request: Request) -> str:
        action = request.header("SOAPAction")
        if action:
            return action.strip('"').rsplit("/", 1)[-1]
        ctype = request.header("Content-Type") or ""
        if "action=" in ctype:
            return ctype.split("action=", 1)[1].strip('"; ').rsplit("/", 1)[-1]
        target = request.line.split(" ")[1]
        return urlsplit(target).path.rsplit("/", 1)[-1]

    def __call__(self, server: HostileServer, conn: socket.socket, request: Request) -> None:
        op = self.operation(request)
        queue = self.faults.get(op) or []
        fault = queue.pop(0) if queue else "pass"
        if fault in ("502", "503"):
            answer(
                int(fault),
                b"<html>busy</html>",
                (("Content-Type", "text/html"), ("Retry-After", "1")),
            )(server, conn, request)
            return
        status, headers, body = self.forward(request)
        self.reached[op] += 1
        if fault == "drop":
            close_silently(server, conn, request)
        elif fault == "reset":
            reset(server, conn, request)
        elif fault == "hold":
            hold(server, conn, request)
        else:
            kept = tuple((k, v) for k, v in headers if k.lower() in ("content-type",))
            answer(status, body, kept)(server, conn, request)

    def forward(self, request: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        method, target, _ = request.line.split(" ", 2)
        parts = urlsplit(target)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {}
        for raw in request.head.split(b"\r\n")[1:]:
            key, _, value = raw.decode("latin-1").partition(":")
            if key.lower() not in ("host", "connection", "content-length"):
                headers[key.strip()] = value.strip()
        upstream = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            upstream.request(method, path, body=request.body or None, headers=headers)
            response = upstream.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            upstream.close()


class Clock:
    """Injected time: ``sleep`` advances it and records each wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def proxied(sandbox: SandboxHandle) -> Iterator[tuple[FaultProxy, HostileServer]]:
    proxy = FaultProxy(sandbox.pixelz_endpoint)
    with HostileServer(proxy) as server:
        yield proxy, server


def client_through(
    server: HostileServer,
    sandbox: SandboxHandle,
    binding: Binding = Binding.SOAP11,
    policy: RetryPolicy | None = None,
    kind: str = "sync",
) -> tuple[PixelzClient, Clock]:
    """A client of ``kind`` (its default transport for one attempt, under a retrying
    transport on injected time) through the fault proxy."""
    clock = Clock()
    transport: Any
    if kind == "sync":
        inner = RequestsTransport(timeout=0.5, deadline=2.0)
        transport = RetryingTransport(
            inner, policy or RetryPolicy(), clock=clock.clock, sleep=clock.sleep, random=HALF
        )
    else:

        async def sleep(seconds: float) -> None:
            clock.sleep(seconds)

        transport = AsyncRetryingTransport(
            AsyncHttpTransport(timeout=0.5, deadline=2.0),
            policy or RetryPolicy(),
            clock=clock.clock,
            sleep=sleep,
            random=HALF,
        )
    client: PixelzClient = make_client(
        kind,
        sandbox.demo_email,
        sandbox.demo_api_key,
        binding=binding,
        endpoint=server.endpoint,
        transport=transport,
    )
    return client, clock


def HALF() -> float:  # the jitter's draw, always in the middle
    return 0.5


# --- read-only operations are retried --------------------------------------------------------


@pytest.mark.parametrize("binding", ALL, ids=str)
def test_a_read_succeeds_after_transient_faults(
    binding: Binding,
    sandbox: SandboxHandle,
    proxied: tuple[FaultProxy, HostileServer],
    client_kind: str,
) -> None:
    proxy, server = proxied
    client, clock = client_through(
        server, sandbox, binding, RetryPolicy(attempts=5), kind=client_kind
    )
    proxy.script("GetTemplates", "503", "drop", "reset", "502")
    templates = client.get_templates()
    assert templates is not None
    # Four faults, then the answer: the 503 and the 502 never reached the sandbox; the
    # dropped one, the reset one and the good one did.
    assert proxy.reached["GetTemplates"] == 3
    assert len(server.requests) == 5
    # Backoff doubles (jitter drawn at 0.5), and Retry-After: 1 wins where it is longer.
    assert clock.waits == [1.0, 0.25, 0.5, 1.0]
    client.close()


def test_a_read_gives_up_after_the_attempt_cap(
    sandbox: SandboxHandle,
    proxied: tuple[FaultProxy, HostileServer],
    client_kind: str,
) -> None:
    proxy, server = proxied
    client, clock = client_through(
        server, sandbox, policy=RetryPolicy(attempts=3), kind=client_kind
    )
    proxy.script("GetTemplates", "503", "503", "503", "503")
    with pytest.raises(HTTPStatusError) as info:
        client.get_templates()
    assert info.value.http_status == 503
    assert len(server.requests) == 3 and len(clock.waits) == 2


def test_retry_after_beyond_the_budget_is_not_waited_for(
    sandbox: SandboxHandle,
    proxied: tuple[FaultProxy, HostileServer],
    client_kind: str,
) -> None:
    proxy, server = proxied
    client, clock = client_through(
        server, sandbox, policy=RetryPolicy(budget=0.5), kind=client_kind
    )
    proxy.script("GetTemplates", "503")
    with pytest.raises(HTTPStatusError):
        client.get_templates()
    assert len(server.requests) == 1 and clock.waits == []


def test_a_timeout_of_a_read_is_retried(
    sandbox: SandboxHandle,
    proxied: tuple[FaultProxy, HostileServer],
    caplog: Any,
    client_kind: str,
) -> None:
    proxy, server = proxied
    client, _ = client_through(server, sandbox, kind=client_kind)
    proxy.script("GetContactDetailed", "hold")
    with caplog.at_level(logging.INFO, logger="removethebackground"):
        assert client.get_contact_detailed() is not None
    assert proxy.reached["GetContactDetailed"] == 2
    retried = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert retried and "TransportTimeout" in retried[0].getMessage()
    assert sandbox.demo_api_key not in caplog.text


# --- operations that change state are never sent twice ---------------------------------------

ADD_FAULTS = ["drop", "reset", "hold"]


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12], ids=str)
@pytest.mark.parametrize("fault", ADD_FAULTS)
def test_an_add_with_a_customer_image_id_is_received_exactly_once(
    fault: str,
    binding: Binding,
    sandbox: SandboxHandle,
    proxied: tuple[FaultProxy, HostileServer],
    client_kind: str,
) -> None:
    proxy, server = proxied
    client, _ = client_through(server, sandbox, binding, kind=client_kind)
    proxy.script("AddImageToQueue", fault)
    result = client.add_image_to_queue(
        template_id="1001", image_url=EXAMPLE, customer_image_id=f"shoe-{fault}-{binding}"
    )
    assert proxy.reached["AddImageToQueue"] == 1
    assert proxy.reached["GetImageStatus"] == 1
    row = sandbox.image(result.image_ticket)
    assert row is not None and row.customer_image_id == f"shoe-{fault}-{binding}"
    client.close()


@pytest.mark.parametrize("binding", [Binding.HTTP_GET, Binding.HTTP_POST], ids=str)
def test_an_add_over_http_is_received_exactly_once(
    binding: Binding,
    sandbox: SandboxHandle,
    proxied: tuple[FaultProxy, HostileServer],
    client_kind: str,
) -> None:
    proxy, server = proxied
    client, _ = client_through(server, sandbox, binding, kind=client_kind)
    proxy.script("AddImageWithInstructionToQueue", "drop")
    result = client.add_image_with_instruction_to_queue(
        template_id="1001",
        image_url=EXAMPLE,
        customer_image_id=f"with-instruction-{binding}",
        additional_resource_file_urls=["http://example.com/res/1.pdf"],
        colorway_ids=[7],
    )
    assert proxy.reached["AddImageWithInstructionToQueue"] == 1
    assert proxy.reached["GetImageStatus"] == 1
    assert sandbox.image(result.image_ticket) is not None


def test_a_delete_whose_outcome_is_unknown_is_not_sent_again(
    sandbox: SandboxHandle,
    proxied: tuple[FaultProxy, HostileServer],
    client_kind: str,
) -> None:
    proxy, server = proxied
    client, _ = client_through(server, sandbox, kind=client_kind)
    ticket = client.add_image_to_queue(template_id="1001", image_url=EXAMPLE).image_ticket
    proxy.script("DeleteImageFromQueue", "drop")
    with pytest.raises(OutcomeUnknownError, match="not a call that queues an image"):
        client.delete_image_from_queue(image_ticket=str(ticket), customer_image_id="d1")
    assert proxy.reached["DeleteImageFromQueue"] == 1 and proxy.reached["GetImageStatus"] == 0


@pytest.mark.parametrize("fault", ADD_FAULTS)
def test_an_add_without_a_customer_image_id_raises_outcome_unknown(
    fault: str,
    sandbox: SandboxHandle,
    proxied: tuple[FaultProxy, HostileServer],
    client_kind: str,
) -> None:
    proxy, server = proxied
    client, _ = client_through(server, sandbox, kind=client_kind)
    proxy.script("AddImageToQueue", fault)
    with pytest.raises(OutcomeUnknownError) as info:
        client.add_image_to_queue(template_id="1001", image_url=EXAMPLE)
    assert proxy.reached["AddImageToQueue"] == 1
    assert proxy.reached["GetImageStatus"] == 0
    error = info.value
    assert not error.retryable
    assert "customer_image_id" in str(error) and "get_image_status" in str(error)
    assert isinstance(error.cause, (ConnectionFailedError, TransportTimeout))
    assert error.__context__ is None


def test_an_add_the_service_never_saw_is_sent_again_after_checking(
    sandbox: SandboxHandle,
    proxied: tuple[FaultProxy, HostileServer],
    client_kind: str,
) -> None:
    """A reset before forwarding: the status lookup finds nothing, so it is sent again."""
    proxy, server = proxied
    client, _ = client_through(server, sandbox, kind=client_kind)
    calls: list[str] = []
    original = proxy.__call__

    def first_lost(server: HostileServer, conn: socket.socket, request: Request) -> None:
        calls.append(proxy.operation(request))
        if len(calls) == 1:
            reset(server, conn, request)  # lost before reaching the sandbox
        else:
            original(server, conn, request)

    server.behaviour = first_lost
    result = client.add_image_to_queue(
        template_id="1001", image_url=EXAMPLE, customer_image_id="never-seen"
    )
    assert calls == ["AddImageToQueue", "GetImageStatus", "AddImageToQueue"]
    assert proxy.reached["AddImageToQueue"] == 1
    assert sandbox.image(result.image_ticket) is not None


def test_a_503_to_an_add_is_not_sent_again(
    sandbox: SandboxHandle,
    proxied: tuple[FaultProxy, HostileServer],
    client_kind: str,
) -> None:
    proxy, server = proxied
    client, clock = client_through(server, sandbox, kind=client_kind)
    proxy.script("AddImageToQueue", "503")
    with pytest.raises(HTTPStatusError):
        client.add_image_to_queue(template_id="1001", image_url=EXAMPLE, customer_image_id="x")
    assert len(server.requests) == 1 and clock.waits == []


def test_a_refused_connection_is_safe_to_resend_even_for_an_add(client_kind: str) -> None:
    sent: list[Any] = []

    def refuse(request: Any) -> None:
        sent.append(request)
        error = ConnectionFailedError("refused", operation=request.operation.name)
        error.request_sent = False
        raise error

    class Refusing:
        def send(self, request: Any, ctx: Any) -> Any:
            refuse(request)

        def close(self) -> None:
            pass

    class AsyncRefusing:
        async def send(self, request: Any, ctx: Any) -> Any:
            refuse(request)

        async def close(self) -> None:
            pass

    async def no_wait(seconds: float) -> None:
        pass

    transport: Any = (
        RetryingTransport(Refusing(), RetryPolicy(attempts=3), sleep=lambda s: None)
        if client_kind == "sync"
        else AsyncRetryingTransport(AsyncRefusing(), RetryPolicy(attempts=3), sleep=no_wait)
    )
    client = make_client(client_kind, "a@b.c", "k", transport=transport)
    with pytest.raises(ConnectionFailedError):
        client.add_image_to_queue(template_id="1", image_url=EXAMPLE)
    assert len(sent) == 3


# --- configuration ----------------------------------------------------------------------------


def test_retries_option() -> None:
    assert isinstance(PixelzClient("a@b.c", "k").transport, RetryingTransport)
    assert isinstance(PixelzClient("a@b.c", "k", retries=False).transport, RequestsTransport)
    assert check_retries(5).attempts == 6
    assert check_retries(0).attempts == 1
    from removethebackground import InvalidParameterError

    for bad in (-1, 1000, "3", 2.5):
        with pytest.raises(InvalidParameterError) as info:
            check_retries(bad)  # type: ignore[arg-type]
        assert info.value.parameter == "retries"
    with pytest.raises(InvalidParameterError):
        RetryPolicy(attempts=0)


def test_the_generated_flags() -> None:
    from removethebackground.generated import legacy, pixelz

    ops = pixelz.SERVICE.operations
    assert not ops["GetImageStatus"].changes_state
    assert not legacy.SERVICE.operations["getImageStatus"].changes_state
    for name in ("AddImageToQueue", "AddTemplate", "EditContact", "DeleteImageFromQueue"):
        assert ops[name].changes_state, name


def test_the_generated_outcome_lookups() -> None:
    """The five operations that queue an image are looked up by their customerImageId with
    GetImageStatus(imageTicket="nonticket"), their ticket taken from the found ImageStatus;
    no other operation has a lookup (a lost answer of theirs stays unknown)."""
    from removethebackground.generated import legacy, pixelz

    queueing = {
        "AddImageToQueue",
        "AddImageWithInstructionToQueue",
        "AddPartnerImageToQueue",
        "AddStackImageToQueue",
        "WhiteGloveService",
    }
    for name, op in pixelz.SERVICE.operations.items():
        facts = op.outcome_lookup
        if name not in queueing:
            assert facts is None, name
            continue
        assert facts is not None and op.changes_state, name
        assert (facts.key, facts.operation, facts.method, facts.by) == (
            "customer_image_id",
            "GetImageStatus",
            "get_image_status",
            "customer_image_id",
        )
        assert facts.fixed == (("image_ticket", "nonticket"),)
        assert (facts.found, facts.result) == ("image_status", (("image_ticket", "image_ticket"),))
        assert not pixelz.SERVICE.operations[facts.operation].changes_state
    assert all(op.outcome_lookup is None for op in legacy.SERVICE.operations.values())


def test_the_core_never_reads_requests_back_with_the_service_side() -> None:
    """Reconciliation works on the call's values: no core module imports the service side."""
    import ast
    from pathlib import Path

    import removethebackground.core as core

    for path in sorted(Path(core.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                name = ("." * node.level) + (node.module or "")
                assert (
                    not name.startswith("..service") and "removethebackground.service" not in name
                ), (
                    path.name,
                    name,
                )
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("removethebackground.service"), path.name


# --- the reconciliation piece, on the call's own values ---------------------------------------


def test_look_up_builds_the_result_from_the_found_ticket(sandbox: SandboxHandle) -> None:
    from removethebackground.core.reconcile import Found, look_up, reconcile
    from removethebackground.generated import pixelz

    client = sandbox.pixelz_client()
    op = pixelz.SERVICE.operation("AddImageToQueue")
    sent = client.add_image_to_queue(
        template_id="1001", image_url=EXAMPLE, customer_image_id="piece-1"
    )
    found = look_up(client, op, {"customer_image_id": "piece-1"})
    assert isinstance(found, Found)
    assert found.result == sent  # what the call returned: an ImageTicketResponse
    assert isinstance(found.item, pixelz.ImageStatus) and found.item.customer_image_id == "piece-1"
    assert look_up(client, op, {"customer_image_id": "never-sent"}) is None
    assert reconcile(client, op, {"customer_image_id": "never-sent"}) is None
    with pytest.raises(OutcomeUnknownError, match="carries no customerImageId"):
        reconcile(client, op, {"customer_image_id": None})
    delete = pixelz.SERVICE.operation("DeleteImageFromQueue")
    with pytest.raises(OutcomeUnknownError, match="not a call that queues an image"):
        reconcile(client, delete, {"customer_image_id": "piece-1"})
    client.close()


def test_reconcile_says_what_to_check_when_the_lookup_fails() -> None:
    from removethebackground import ServerFault
    from removethebackground.core.reconcile import reconcile
    from removethebackground.generated import pixelz

    class Down:
        def get_image_status(self, **kwargs: Any) -> Any:
            assert kwargs == {"image_ticket": "nonticket", "customer_image_id": "c1"}
            raise ServerFault("busy")

    cause = TransportTimeout("no answer within 1 s", operation="AddImageToQueue")
    with pytest.raises(OutcomeUnknownError) as info:
        reconcile(Down(), pixelz.OP_ADD_IMAGE_TO_QUEUE, {"customer_image_id": "c1"}, cause=cause)
    text = str(info.value)
    assert "GetImageStatus failed too (ServerFault)" in text and "no answer within 1 s" in text
    assert "get_image_status" in text and info.value.cause is cause

    class Empty:
        def get_image_status(self, **kwargs: Any) -> Any:
            return pixelz.ImageStatusResponse(image_status=None)

    with pytest.raises(OutcomeUnknownError, match="GetImageStatus answered without image_status"):
        reconcile(Empty(), pixelz.OP_ADD_IMAGE_TO_QUEUE, {"customer_image_id": "c1"})


def test_reconcile_async_takes_the_same_decisions() -> None:
    """The async form asks the same lookup with the same arguments, and says the same."""
    from removethebackground import ServerFault
    from removethebackground.core.reconcile import reconcile_async
    from removethebackground.generated import pixelz

    asked: list[dict[str, Any]] = []

    class Down:
        async def get_image_status(self, **kwargs: Any) -> Any:
            asked.append(kwargs)
            raise ServerFault("busy")

    class Found:
        async def get_image_status(self, **kwargs: Any) -> Any:
            return pixelz.ImageStatusResponse(
                image_status=pixelz.ImageStatus(
                    image_ticket="9a4e4e16-8e77-4e8c-b579-79fba86611e3",  # type: ignore[arg-type]
                    customer_image_id="c1",
                    status_id=10,
                    is_paid=False,
                )
            )

    op = pixelz.OP_ADD_IMAGE_TO_QUEUE
    cause = TransportTimeout("no answer within 1 s", operation="AddImageToQueue")
    with pytest.raises(OutcomeUnknownError) as info:
        run(reconcile_async(Down(), op, {"customer_image_id": "c1"}, cause=cause))
    assert asked == [{"image_ticket": "nonticket", "customer_image_id": "c1"}]
    assert "GetImageStatus failed too (ServerFault)" in str(info.value)
    found = run(reconcile_async(Found(), op, {"customer_image_id": "c1"}))
    assert found is not None
    assert str(found.result.image_ticket) == "9a4e4e16-8e77-4e8c-b579-79fba86611e3"
    with pytest.raises(OutcomeUnknownError, match="carries no customerImageId"):
        run(reconcile_async(Found(), op, {"customer_image_id": None}))


# --- Batch reconciles once ----------------------------------------------------------------------


def test_a_batch_call_is_reconciled_once_by_the_batch(
    sandbox: SandboxHandle, tmp_path: Any
) -> None:
    """Every other AddImageToQueue loses its answer after the service queued the image.
    Each lost answer is looked up exactly once, by the Batch after settling (through the
    same piece), never by the client inside the call as well; every row is queued once."""
    import threading

    import requests
    from requests.adapters import HTTPAdapter

    from removethebackground import Batch

    inside = threading.local()

    class LosingAdapter(HTTPAdapter):
        def __init__(self) -> None:
            super().__init__(pool_maxsize=8, max_retries=0)
            self.lock = threading.Lock()
            self.adds = 0
            self.lost = 0
            self.lookups: list[bool] = []  # per GetImageStatus: sent inside an add call?

        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            body = request.body or b""
            if b"GetImageStatus" in body:
                with self.lock:
                    self.lookups.append(bool(getattr(inside, "add", False)))
                return super().send(request, *args, **kwargs)
            if b"AddImageToQueue" not in body:
                return super().send(request, *args, **kwargs)
            with self.lock:
                self.adds += 1
                lose = self.adds % 2 == 0
            response = super().send(request, *args, **kwargs)
            if lose:
                _ = response.content  # the service answered: the image is queued
                response.close()
                with self.lock:
                    self.lost += 1
                raise requests.ConnectionError("reset after the answer (injected)")
            return response

    adapter = LosingAdapter()
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", adapter)
    client = sandbox.pixelz_client(session=session)
    add = client.add_image_to_queue

    def add_marked(**kwargs: Any) -> Any:
        inside.add = True
        try:
            return add(**kwargs)
        finally:
            inside.add = False

    client.add_image_to_queue = add_marked  # type: ignore[method-assign]
    rows = [
        {
            "image": f"http://127.0.0.1:9/img/{i}.jpg",
            "customer_image_id": f"once-{i}",
            "template_id": "1001",
        }
        for i in range(1, 9)
    ]
    with Batch(tmp_path / "j.sqlite", client, settle_seconds=0.05, rounds=3) as batch:
        summary = batch.submit(rows, concurrency=2)
        tickets = {r.customer_image_id: r.ticket for r in batch.rows()}
    assert (summary.submitted, summary.unknown, summary.failed) == (8, 0, 0), summary
    assert adapter.adds == 8 and adapter.lost == 4  # nothing sent twice
    assert adapter.lookups == [False] * 4, adapter.lookups  # once each, by the Batch
    for cid, ticket in tickets.items():
        image = sandbox.image(ticket)
        assert image is not None and image.customer_image_id == cid
    client.close()

"""OpenTelemetry against the sandbox: the SDK's in-memory exporter and metric reader.

Span names, kinds and attributes of a call, parent and child (attempts under their
call, a batch's calls under its work even from the pool's threads), attempts on
retries, error spans, the batch's metrics; the seam's behaviour when an observer
fails, when none is set, and under asyncio.
"""

from __future__ import annotations

import asyncio
import csv
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from removethebackground import Batch, Binding, NotFoundError, RetryPolicy
from removethebackground.bindings import CallContext
from removethebackground.core import observe
from removethebackground.core.errors import ConnectionFailedError
from removethebackground.core.http import HttpAnswer, HttpRequest
from removethebackground.core.transport import RequestsTransport
from removethebackground.generated import pixelz
from removethebackground.plugins.otel import instrument, is_instrumented, uninstrument
from removethebackground.testing.sandbox import SandboxHandle
from support.otel import Telemetry

TICKET = "9a4e4e16-8e77-4e8c-b579-79fba86611e3"


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    with Telemetry() as t:
        yield t


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


@pytest.mark.parametrize("binding", list(Binding))
def test_a_call_is_one_client_span_with_the_rpc_attributes(
    sandbox: SandboxHandle, telemetry: Telemetry, binding: Binding
) -> None:
    with sandbox.pixelz_client(binding) as client:
        client.get_templates()
    (call,) = telemetry.named("Pixelz/GetTemplates")
    assert call.kind is SpanKind.CLIENT
    assert call.status.status_code is StatusCode.UNSET
    assert dict(call.attributes or {}) == {
        "rpc.system.name": "soap",
        "rpc.method": "Pixelz/GetTemplates",
        "server.address": "127.0.0.1",
        "server.port": _port(sandbox.url),
        "http.request.method": "GET" if binding is Binding.HTTP_GET else "POST",
        "http.response.status_code": 200,
        "removethebackground.binding": binding.value,
        "removethebackground.attempts": 1,
        "removethebackground.outcome": "ok",
    }
    # With retries on (the default), each send is a child span of the call.
    (attempt,) = telemetry.named("Pixelz/GetTemplates attempt")
    assert attempt.parent is not None and attempt.parent.span_id == call.context.span_id
    assert attempt.context.trace_id == call.context.trace_id
    assert attempt.kind is SpanKind.INTERNAL
    assert (attempt.attributes or {})["removethebackground.attempt"] == 1
    assert "http.request.resend_count" not in (attempt.attributes or {})
    (duration,) = telemetry.points("rpc.client.call.duration")
    assert duration.count == 1
    assert duration.attributes["rpc.method"] == "Pixelz/GetTemplates"
    assert duration.attributes["removethebackground.outcome"] == "ok"
    (sends,) = telemetry.points("removethebackground.client.attempts")
    assert sends.value == 1


def test_the_span_is_current_while_the_call_runs_and_under_the_callers_span(
    sandbox: SandboxHandle, telemetry: Telemetry
) -> None:
    tracer = telemetry.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("app work") as outer, sandbox.pixelz_client() as client:
        client.get_templates()
        client.get_templates()
    calls = telemetry.named("Pixelz/GetTemplates")
    assert len(calls) == 2
    assert all(
        c.parent is not None and c.parent.span_id == outer.get_span_context().span_id for c in calls
    )


def test_a_fault_is_an_error_span_with_its_class_and_code(
    sandbox: SandboxHandle, telemetry: Telemetry
) -> None:
    with sandbox.pixelz_client() as client, pytest.raises(NotFoundError):
        client.get_image_status(image_ticket=TICKET)
    (call,) = telemetry.named("Pixelz/GetImageStatus")
    attributes = dict(call.attributes or {})
    assert call.status.status_code is StatusCode.ERROR
    assert call.status.description is None  # never the error's text
    assert attributes["error.type"] == "NotFoundError"
    assert attributes["removethebackground.outcome"] == "fault"
    assert attributes["rpc.response.status_code"] == "Client"
    assert attributes["http.response.status_code"] == 500
    (duration,) = telemetry.points("rpc.client.call.duration")
    assert duration.attributes["error.type"] == "NotFoundError"


class FlakyTransport:
    """Answers 503 to the first ``failures`` sends, then sends for real."""

    def __init__(self, inner: RequestsTransport, failures: int) -> None:
        self.inner = inner
        self.failures = failures
        self.deadline = inner.deadline

    def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        if self.failures:
            self.failures -= 1
            return HttpAnswer(503, "Service Unavailable", {"Retry-After": "0"}, b"busy")
        return self.inner.send(request, ctx)

    def close(self) -> None:
        self.inner.close()


def test_retries_are_child_spans_and_events_of_the_call(
    sandbox: SandboxHandle, telemetry: Telemetry
) -> None:
    transport = FlakyTransport(RequestsTransport(deadline=10.0), failures=2)
    with sandbox.pixelz_client(
        transport=transport, retries=RetryPolicy(attempts=3, backoff=0.0)
    ) as client:
        client.get_templates()
    transport.close()
    (call,) = telemetry.named("Pixelz/GetTemplates")
    attempts = sorted(
        telemetry.named("Pixelz/GetTemplates attempt"),
        key=lambda s: (s.attributes or {})["removethebackground.attempt"],
    )
    assert [(a.attributes or {})["http.response.status_code"] for a in attempts] == [503, 503, 200]
    assert [a.status.status_code for a in attempts] == [
        StatusCode.ERROR,
        StatusCode.ERROR,
        StatusCode.UNSET,
    ]
    assert [(a.attributes or {}).get("http.request.resend_count") for a in attempts] == [
        None,
        1,
        2,
    ]
    assert all(a.parent is not None and a.parent.span_id == call.context.span_id for a in attempts)
    attributes = dict(call.attributes or {})
    assert attributes["removethebackground.attempts"] == 3
    assert attributes["removethebackground.outcome"] == "ok"
    assert attributes["http.response.status_code"] == 200
    retries = [e for e in call.events if e.name == "retry"]
    assert [(e.attributes or {})["removethebackground.retry.reason"] for e in retries] == [
        "HTTP 503",
        "HTTP 503",
    ]
    (sends,) = telemetry.points("removethebackground.client.attempts")
    assert sends.value == 3


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_connection_that_fails_is_an_error_span_after_every_attempt(
    telemetry: Telemetry,
) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}/soap.asmx"
    client = pixelz.PixelzClient(
        "a@example.com",
        "k",
        endpoint=endpoint,
        retries=RetryPolicy(attempts=2, backoff=0.0),
        timeout=1.0,
    )
    with client, pytest.raises(ConnectionFailedError):
        client.get_templates()
    (call,) = telemetry.named("Pixelz/GetTemplates")
    attributes = dict(call.attributes or {})
    assert call.status.status_code is StatusCode.ERROR
    assert attributes["error.type"] == "ConnectionFailedError"
    assert attributes["removethebackground.outcome"] == "error"
    assert attributes["removethebackground.attempts"] == 2
    assert "http.response.status_code" not in attributes
    attempts = telemetry.named("Pixelz/GetTemplates attempt")
    assert len(attempts) == 2
    assert all((a.attributes or {})["error.type"] == "ConnectionFailedError" for a in attempts)


def test_without_retries_there_is_no_attempt_span(
    sandbox: SandboxHandle, telemetry: Telemetry
) -> None:
    with sandbox.pixelz_client(retries=False) as client:
        client.get_templates()
    (call,) = telemetry.spans()
    assert call.name == "Pixelz/GetTemplates"
    assert (call.attributes or {})["removethebackground.attempts"] == 1


def test_the_legacy_generation_names_its_own_service(
    sandbox: SandboxHandle, telemetry: Telemetry
) -> None:
    with sandbox.legacy_client() as client, pytest.raises(Exception):  # noqa: B017
        client.get_image_status(image_ticket=TICKET)
    names = {s.name for s in telemetry.spans()}
    assert "RemoveTheBackground/getImageStatus" in names


def test_uninstrument_stops_it_and_no_observer_means_no_span(sandbox: SandboxHandle) -> None:
    with Telemetry() as telemetry:
        assert is_instrumented()
        uninstrument()
        assert not is_instrumented() and observe.get_observer() is None
        with sandbox.pixelz_client() as client:
            client.get_templates()
        assert telemetry.spans() == []
        assert telemetry.points("rpc.client.call.duration") == []


class Exploding:
    """An observer whose every hook raises."""

    def call_started(self, call: observe.CallInfo) -> Any:
        raise RuntimeError("observer down")

    def work_started(self, name: str, attributes: observe.Attributes) -> Any:
        raise RuntimeError("observer down")

    def measure(self, name: str, value: float, attributes: observe.Attributes) -> None:
        raise RuntimeError("observer down")


class ExplodingLater(Exploding):
    def call_started(self, call: observe.CallInfo) -> Any:
        return self

    def attempt_started(self, attempt: int) -> object:
        raise RuntimeError("observer down")

    def attempt_ended(self, *args: Any) -> None:
        raise RuntimeError("observer down")

    def retrying(self, *args: Any) -> None:
        raise RuntimeError("observer down")

    def ended(self, end: observe.CallEnd) -> None:
        raise RuntimeError("observer down")


@pytest.mark.parametrize("observer", [Exploding(), ExplodingLater()], ids=["start", "later"])
def test_an_observer_that_fails_never_fails_a_call(
    sandbox: SandboxHandle, observer: Any, tmp_path: Path
) -> None:
    previous = observe.set_observer(observer)
    try:
        with sandbox.pixelz_client() as client:
            assert client.get_templates() is not None
            with pytest.raises(NotFoundError):
                client.get_image_status(image_ticket=TICKET)
        with observe.work("w", {}):
            observe.measure("m", 1, {})
        assert observe.current() is None
    finally:
        observe.set_observer(previous)


class Recording:
    """An observer recording which call each hook was told of, for the asyncio test."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, int]] = []

    def call_started(self, call: observe.CallInfo) -> Any:
        events, operation = self.events, call.operation

        class Observed:
            def attempt_started(self, attempt: int) -> object:
                events.append(("attempt", operation, attempt))
                return None

            def attempt_ended(self, *args: Any) -> None:
                pass

            def retrying(self, *args: Any) -> None:
                pass

            def ended(self, end: observe.CallEnd) -> None:
                events.append(("end", operation, end.attempts))

        return Observed()

    def work_started(self, name: str, attributes: observe.Attributes) -> Any:
        raise NotImplementedError

    def measure(self, name: str, value: float, attributes: observe.Attributes) -> None:
        raise NotImplementedError


def test_the_seam_keeps_each_asyncio_tasks_call_apart() -> None:
    """What an async client does: begin in its task, attempts, end; tasks interleave."""
    recording = Recording()
    previous = observe.set_observer(recording)

    async def one(op_name: str, sends: int) -> None:
        op = pixelz.SERVICE.operation(op_name)
        call = observe.begin("Pixelz", op, Binding.SOAP11, "https://h:8443/soap.asmx", "POST")
        assert call is not None and call.info.server_port == 8443
        for _ in range(sends):
            await asyncio.sleep(0)
            current = observe.current()
            assert current is call  # not the other task's
            mark = current.attempt_started()
            await asyncio.sleep(0)
            current.attempt_ended(mark, 200, None)
        call.end(None)
        assert observe.current() is None

    async def both() -> None:
        await asyncio.gather(one("GetTemplates", 3), one("GetImageStatus", 2))

    try:
        asyncio.run(both())
    finally:
        observe.set_observer(previous)
    ends = {(op, n) for kind, op, n in recording.events if kind == "end"}
    assert ends == {("GetTemplates", 3), ("GetImageStatus", 2)}


def _manifest(path: Path, sandbox: SandboxHandle, n: int) -> Path:
    from removethebackground.sandbox.imaging import make_sample_product_photo

    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["image", "customer_image_id", "template_id"])
        for i in range(n):
            url = sandbox.upload(make_sample_product_photo(64, 48, seed=i), f"p{i}.jpg")
            writer.writerow([url, f"otel-{i}", "1001"])
    return path


def test_a_batch_is_spans_of_work_over_its_calls_and_metrics(
    sandbox: SandboxHandle, telemetry: Telemetry, tmp_path: Path
) -> None:
    manifest = _manifest(tmp_path / "m.csv", sandbox, 3)
    client = sandbox.pixelz_client()
    with Batch(tmp_path / "j.sqlite", client) as batch:
        batch.submit(manifest, concurrency=2, price_per_image="0.25")
        batch.wait(poll=3.0, clock=sandbox.clock.now, sleep=sandbox.advance)
        batch.download(tmp_path / "out")
        batch_id = batch.batch_id
    client.close()
    (submit,) = telemetry.named("Batch.submit")
    attributes = dict(submit.attributes or {})
    assert attributes["removethebackground.batch.id"] == batch_id
    assert attributes["removethebackground.batch.rows.submitted"] == 3
    assert attributes["removethebackground.batch.rows.pending"] == 0
    # The pool's threads run in the work's context: each call is the work's child.
    queued = telemetry.named("Pixelz/AddImageToQueue")
    assert len(queued) == 3
    assert all(q.parent is not None and q.parent.span_id == submit.context.span_id for q in queued)
    (wait,) = telemetry.named("Batch.wait")
    statuses = telemetry.named("Batch.status")
    assert statuses and all(
        s.parent is not None and s.parent.span_id == wait.context.span_id for s in statuses
    )
    (download,) = telemetry.named("Batch.download")
    assert (download.attributes or {})["removethebackground.batch.rows.downloaded"] == 3
    for span in (submit, wait, download):
        assert span.kind is SpanKind.INTERNAL and span.status.status_code is StatusCode.UNSET

    rows = {
        p.attributes["removethebackground.batch.state"]: p.value
        for p in telemetry.points("removethebackground.batch.rows")
    }
    assert rows == {"pending": 0, "unknown": 0, "submitted": 3, "failed": 0, "downloaded": 3}
    images = {
        p.attributes["removethebackground.image.status"]: p.value
        for p in telemetry.points("removethebackground.batch.images")
    }
    # A status no image has any more is 0 (the gauge's last value per status).
    assert {k: v for k, v in images.items() if v} == {"Delivered": 3}
    assert "New" in images
    (queued_count,) = telemetry.points("removethebackground.batch.queued")
    assert queued_count.value == 3
    (spend,) = telemetry.points("removethebackground.batch.spend")
    assert spend.value == pytest.approx(0.75)
    durations = {
        p.attributes["removethebackground.batch.phase"]: p.count
        for p in telemetry.points("removethebackground.batch.row.duration")
    }
    assert durations["submit"] == 3 and durations["download"] == 3
    calls = {
        (p.attributes["removethebackground.work"], p.attributes["rpc.method"]): p.value
        for p in telemetry.points("removethebackground.batch.calls")
    }
    assert calls[("Batch.submit", "Pixelz/AddImageToQueue")] == 3


def test_a_batch_that_fails_is_an_error_span(
    sandbox: SandboxHandle, telemetry: Telemetry, tmp_path: Path
) -> None:
    from removethebackground.workflows.batch.spend import SpendRefused

    manifest = _manifest(tmp_path / "m.csv", sandbox, 3)
    with sandbox.pixelz_client() as client, Batch(tmp_path / "j.sqlite", client) as batch:
        with pytest.raises(SpendRefused):
            batch.submit(manifest, price_per_image="1", max_spend="2")
    (submit,) = telemetry.named("Batch.submit")
    assert submit.status.status_code is StatusCode.ERROR
    assert (submit.attributes or {})["error.type"] == "SpendRefused"
    assert (submit.attributes or {})["removethebackground.batch.rows.pending"] == 3
    assert telemetry.named("Pixelz/AddImageToQueue") == []


def test_instrument_uses_the_global_providers_by_default() -> None:
    previous = observe.get_observer()
    try:
        observer = instrument()
        assert observe.get_observer() is observer
    finally:
        observe.set_observer(previous)


def test_a_lost_answer_found_by_its_lookup_is_reconciled_with_the_lookup_as_child(
    sandbox: SandboxHandle, telemetry: Telemetry
) -> None:
    from support.dropping_proxy import DroppingProxy

    url = sandbox.upload(b"\xff\xd8\xff\xe0 not really a jpeg", "lost.jpg")
    with DroppingProxy(sandbox.pixelz_endpoint, drop_every=1) as proxy:
        client = pixelz.PixelzClient(
            sandbox.demo_email,
            sandbox.demo_api_key,
            endpoint=proxy.endpoint,
            retries=RetryPolicy(attempts=3, backoff=0.0),
        )
        with client:
            queued = client.add_image_to_queue(
                template_id="1001", image_url=url, customer_image_id="lost-1"
            )
    assert queued.image_ticket is not None and proxy.dropped == 1
    (call,) = telemetry.named("Pixelz/AddImageToQueue")
    attributes = dict(call.attributes or {})
    assert attributes["removethebackground.outcome"] == "reconciled"
    assert attributes["removethebackground.attempts"] == 1  # never sent twice
    assert call.status.status_code is StatusCode.UNSET
    lookups = telemetry.named("Pixelz/GetImageStatus")
    assert lookups and all(
        s.parent is not None and s.parent.span_id == call.context.span_id for s in lookups
    )

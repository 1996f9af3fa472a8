"""wait_for (both generations, frozen clock, backoff, timeouts, retries) and paging, each in
both forms: the sync functions on a sync client, ``workflows.aio`` on an async client."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from removethebackground import (
    AuthenticationError,
    Binding,
    ConnectionFailedError,
    ImageStatusName,
    InvalidParameterError,
    NotFoundError,
    WaitTimeout,
)
from removethebackground.core.errors import RemoveTheBackgroundError
from removethebackground.generated import pixelz
from removethebackground.testing.sandbox import SandboxHandle
from removethebackground.workflows import aio
from support.forms import ASYNC, Form, forms


def _queue(sb: SandboxHandle, **params: Any) -> uuid.UUID:
    params.setdefault("image_url", "http://127.0.0.1:9/a.jpg")
    return sb.pixelz_client().add_image_to_queue(template_id="1001", **params).image_ticket


def _frozen(sb: SandboxHandle) -> dict[str, Any]:
    return {"clock": sb.clock.now, "sleep": sb.advance}


@forms
@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.HTTP_GET])
def test_wait_for_reports_every_status_change_until_delivered(
    sandbox: SandboxHandle, binding: Binding, form: Form
) -> None:
    photo = _photo()
    ticket = _queue(sandbox, image_url=sandbox.upload(photo))
    seen: list[int] = []

    async def scenario() -> Any:
        async with form.client(sandbox, "pixelz", binding) as client:
            return await form.wait_for(
                client,
                ticket,
                poll=sandbox.step_seconds,  # one status step per poll, so every status is seen
                max_poll=sandbox.step_seconds,
                jitter=0.0,
                on_progress=lambda s: seen.append(s.status_id),
                **_frozen(sandbox),
            )

    status = form.run(scenario)
    assert seen == [10, 60, 70, 80]
    assert isinstance(status, pixelz.ImageStatus)
    assert status.image_ticket == ticket and status.final_images_url


@forms
def test_wait_for_legacy_uses_its_own_ids(sandbox: SandboxHandle, form: Form) -> None:
    ticket = _queue(sandbox, image_url=sandbox.upload(_photo()))
    seen: list[tuple[int, str | None]] = []

    async def scenario() -> Any:
        async with form.client(sandbox, "legacy") as client:
            return await form.wait_for(
                client,
                str(ticket),
                poll=3.0,
                max_poll=3.0,
                jitter=0.0,
                on_progress=lambda s: seen.append((s.status_id, s.status_name)),
                **_frozen(sandbox),
            )

    status = form.run(scenario)
    assert seen == [(1, "Queued"), (2, "Processing"), (3, "Quality Control"), (4, "Completed")]
    assert ImageStatusName.of(status) is ImageStatusName.DELIVERED


@forms
def test_wait_for_stops_at_on_hold(sandbox: SandboxHandle, form: Form) -> None:
    # Nothing listens on port 9: fetching fails and the sandbox puts the image on hold.
    ticket = _queue(sandbox)

    async def scenario() -> Any:
        async with form.client(sandbox) as client:
            return await form.wait_for(client, ticket, poll=3.0, **_frozen(sandbox))

    assert ImageStatusName.of(form.run(scenario)) is ImageStatusName.ON_HOLD


@forms
def test_wait_timeout_names_the_last_status(sandbox: SandboxHandle, form: Form) -> None:
    ticket = _queue(sandbox, product_id="hold")  # the sandbox keeps it at New
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        sandbox.advance(seconds)

    async def scenario() -> Any:
        async with form.client(sandbox) as client:
            return await form.wait_for(
                client,
                ticket,
                timeout=100,
                poll=1.0,
                max_poll=30.0,
                clock=sandbox.clock.now,
                sleep=sleep,
            )

    with pytest.raises(WaitTimeout) as info:
        form.run(scenario)
    assert isinstance(info.value, RemoveTheBackgroundError)
    assert info.value.last_status is ImageStatusName.NEW
    assert info.value.ticket == ticket
    assert "New" in str(info.value) and str(ticket) in str(info.value)
    # exponential backoff with jitter, capped, and never past the deadline
    assert 0.75 <= slept[0] <= 1.0 and 1.5 <= slept[1] <= 2.0 and 3.0 <= slept[2] <= 4.0
    assert all(s <= 30.0 for s in slept)
    assert sum(slept) == pytest.approx(100.0)


def test_the_async_wait_sleeps_without_blocking_the_loop() -> None:
    # A wait with one pause of 0.2 s between two polls: the loop keeps running other
    # tasks meanwhile (with a blocking sleep the ticker would tick at the polls only).
    client = ASYNC.fake(_Flaky([10, 80]))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def scenario() -> Any:
        running = asyncio.create_task(ticker())
        try:
            return await aio.wait_for(client, uuid.UUID(int=1), poll=0.2, jitter=0.0)
        finally:
            running.cancel()

    status = asyncio.run(scenario())
    assert status.status_id == 80
    assert ticks >= 5


class _Flaky:
    """A client whose GetImageStatus fails a few times, then answers from a script."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.calls = 0

    def get_image_status(self, *, image_ticket: object, customer_image_id: object = None) -> Any:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return pixelz.ImageStatusResponse(
            image_status=pixelz.ImageStatus(
                image_ticket=uuid.UUID(int=1), status_id=answer, is_paid=False
            )
        )


@forms
def test_transient_errors_are_retried_and_client_faults_raised(form: Form) -> None:
    flaky = _Flaky([ConnectionFailedError("down"), 10, ConnectionFailedError("down"), 10, 80])
    seen: list[int] = []
    now = [0.0]
    status = form.run(
        lambda: form.wait_for(
            form.fake(flaky),
            uuid.UUID(int=1),
            poll=1.0,
            on_progress=lambda s: seen.append(s.status_id),
            clock=lambda: now[0],
            sleep=lambda s: now.__setitem__(0, now[0] + s),
        )
    )
    assert status.status_id == 80 and seen == [10, 80] and flaky.calls == 5
    for fault in (
        NotFoundError("Image not found"),
        AuthenticationError("Invalid contact credentials"),
    ):
        with pytest.raises(type(fault)):
            form.run(
                lambda fault=fault: form.wait_for(
                    form.fake(_Flaky([fault])), uuid.UUID(int=1), sleep=lambda s: None
                )
            )


@forms
def test_timeout_after_only_errors_says_so_and_the_loop_is_bounded_with_a_stuck_clock(
    form: Form,
) -> None:
    flaky = _Flaky([ConnectionFailedError("down")] * 1000)
    with pytest.raises(WaitTimeout) as info:
        form.run(
            lambda: form.wait_for(
                form.fake(flaky),
                uuid.UUID(int=1),
                timeout=10,
                poll=1,
                clock=lambda: 0.0,
                sleep=lambda s: None,
            )
        )
    assert info.value.last_status is None and "no answer" in str(info.value)
    assert isinstance(info.value.last_error, ConnectionFailedError)
    assert flaky.calls <= 20


@forms
@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [({"timeout": 0}, "timeout"), ({"poll": -1}, "poll"), ({"timeout": float("inf")}, "timeout")],
)
def test_bad_wait_arguments_are_refused(kwargs: dict[str, Any], parameter: str, form: Form) -> None:
    flaky = _Flaky([])
    with pytest.raises(InvalidParameterError) as info:
        form.run(lambda: form.wait_for(form.fake(flaky), uuid.UUID(int=1), **kwargs))
    assert info.value.parameter == parameter
    with pytest.raises(InvalidParameterError, match="ticket"):
        form.run(lambda: form.wait_for(form.fake(flaky), "not-a-ticket"))
    assert flaky.calls == 0


# --- paging ---------------------------------------------------------------------------------


@forms
def test_iter_images_walks_every_page_in_order(sandbox: SandboxHandle, form: Form) -> None:
    tickets = [
        _queue(sandbox, product_id="p1" if i % 2 else "p2", customer_image_id=f"c{i}")
        for i in range(7)
    ]
    calls: list[str | None] = []

    async def scenario() -> None:
        async with form.client(sandbox) as client:
            form.spy(client, "get_images_list", lambda kwargs: calls.append(kwargs["page"]))
            assert [i.image_ticket for i in await form.images(client, per_page=3)] == tickets
            assert calls == ["1", "2", "3"]
            calls.clear()
            found = await form.images(client, per_page=2, product_id="p1")
            assert [i.customer_image_id for i in found] == ["c1", "c3", "c5"]
            assert len(await form.images(client, per_page=2, max_pages=2)) == 4
            assert await form.images(client, image_status=ImageStatusName.DELIVERED) == []
            assert len(await form.images(client, image_status="new", from_date="2000-01-01")) == 7
            newest = await form.first_image(client, sort_by="id", descending=True)
            assert newest.image_ticket == tickets[-1]

    form.run(scenario)


@forms
def test_iter_images_ends_when_the_service_repeats_a_page(form: Form) -> None:
    class Repeating:
        def __init__(self) -> None:
            self.calls = 0

        def get_images_list(self, **kwargs: Any) -> Any:
            self.calls += 1
            item = pixelz.ImageStatus(image_ticket=uuid.UUID(int=1), status_id=10, is_paid=False)
            return pixelz.ImagesListResponse(images=[item])

    client = Repeating()
    assert len(form.run(lambda: form.images(form.fake(client), per_page=1))) == 1
    assert client.calls == 2


@forms
def test_iter_images_checks_its_arguments_when_called(form: Form) -> None:
    class Unused:
        calls = 0

        def get_images_list(self, **kwargs: Any) -> Any:
            self.calls += 1
            raise AssertionError("nothing may be sent")

    client = Unused()
    for kwargs, parameter in [
        ({"per_page": 101}, "per_page"),
        ({"image_status": "shipped"}, "image_status"),
        ({"from_date": "yesterday"}, "from_date"),
        ({"sort_by": "name"}, "sort_by"),
        ({"max_pages": 0}, "max_pages"),
    ]:
        with pytest.raises(InvalidParameterError) as info:
            form.iter_images(form.fake(client), **kwargs)  # refused before any iteration
        assert info.value.parameter == parameter
    assert client.calls == 0


@forms
def test_iter_product_ids_walks_every_page(sandbox: SandboxHandle, form: Form) -> None:
    for i in range(5):
        _queue(sandbox, product_id=f"prod-{i}")
    _queue(sandbox, product_id="prod-0")

    async def scenario() -> list[Any]:
        async with form.client(sandbox) as client:
            return await form.product_ids(client, per_page=2)

    stats = form.run(scenario)
    assert sorted((s.product_id, s.todo_count) for s in stats) == [
        ("prod-0", 2),
        ("prod-1", 1),
        ("prod-2", 1),
        ("prod-3", 1),
        ("prod-4", 1),
    ]


def _photo() -> bytes:
    from removethebackground.sandbox.imaging import make_sample_product_photo

    return make_sample_product_photo(120, 90, seed=3)


def test_a_client_of_the_other_form_is_refused_before_anything_is_sent(tmp_path: Any) -> None:
    from removethebackground import AsyncPixelzClient, PixelzClient, workflows

    endpoint = "http://127.0.0.1:9/soap.asmx"  # nothing listens: a call would fail otherwise
    sync_client = PixelzClient("me@example.com", "key", endpoint=endpoint)
    async_client = AsyncPixelzClient("me@example.com", "key", endpoint=endpoint)
    ticket = uuid.UUID(int=1)
    for call in (
        lambda: workflows.wait_for(async_client, ticket),  # type: ignore[call-overload]
        lambda: workflows.submit(async_client, "http://127.0.0.1:9/a.jpg"),  # type: ignore[arg-type]
        lambda: workflows.iter_images(async_client),  # type: ignore[arg-type]
        lambda: workflows.iter_product_ids(async_client),  # type: ignore[arg-type]
        lambda: workflows.download(ticket, tmp_path, client=async_client),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidParameterError, match="async client") as info:
            call()
        assert info.value.parameter == "client"
    for coroutine in (
        lambda: aio.wait_for(sync_client, ticket),  # type: ignore[call-overload]
        lambda: aio.submit(sync_client, "http://127.0.0.1:9/a.jpg"),  # type: ignore[arg-type]
        lambda: aio.download(ticket, tmp_path, client=sync_client),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidParameterError, match="sync client") as info:
            asyncio.run(coroutine())
        assert info.value.parameter == "client"
    for walk in (aio.iter_images, aio.iter_product_ids):
        with pytest.raises(InvalidParameterError, match="sync client"):
            walk(sync_client)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_cancelled_async_wait_stops_polling() -> None:
    flaky = _Flaky([10] * 100)
    client = ASYNC.fake(flaky)

    async def scenario() -> None:
        task = asyncio.create_task(aio.wait_for(client, uuid.UUID(int=1), poll=0.05, jitter=0.0))
        await asyncio.sleep(0.12)  # the first poll and a pause or two
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        calls = flaky.calls
        await asyncio.sleep(0.2)
        assert flaky.calls == calls  # nothing polls after the cancellation

    asyncio.run(scenario())
    assert flaky.calls >= 1

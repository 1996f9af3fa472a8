"""wait_for (both generations, frozen clock, backoff, timeouts, retries) and paging."""

from __future__ import annotations

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
    iter_images,
    iter_product_ids,
    wait_for,
)
from removethebackground.core.errors import RemoveTheBackgroundError
from removethebackground.generated import pixelz
from removethebackground.testing.sandbox import SandboxHandle


def _queue(sb: SandboxHandle, **params: Any) -> uuid.UUID:
    params.setdefault("image_url", "http://127.0.0.1:9/a.jpg")
    return sb.pixelz_client().add_image_to_queue(template_id="1001", **params).image_ticket


def _frozen(sb: SandboxHandle) -> dict[str, Any]:
    return {"clock": sb.clock.now, "sleep": sb.advance}


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.HTTP_GET])
def test_wait_for_reports_every_status_change_until_delivered(
    sandbox: SandboxHandle, binding: Binding
) -> None:
    photo = _photo()
    ticket = _queue(sandbox, image_url=sandbox.upload(photo))
    seen: list[int] = []
    status = wait_for(
        sandbox.pixelz_client(binding),
        ticket,
        poll=sandbox.step_seconds,  # one status step per poll, so every status is seen
        max_poll=sandbox.step_seconds,
        jitter=0.0,
        on_progress=lambda s: seen.append(s.status_id),
        **_frozen(sandbox),
    )
    assert seen == [10, 60, 70, 80]
    assert isinstance(status, pixelz.ImageStatus)
    assert status.image_ticket == ticket and status.final_images_url


def test_wait_for_legacy_uses_its_own_ids(sandbox: SandboxHandle) -> None:
    ticket = _queue(sandbox, image_url=sandbox.upload(_photo()))
    seen: list[tuple[int, str | None]] = []
    status = wait_for(
        sandbox.legacy_client(),
        str(ticket),
        poll=3.0,
        max_poll=3.0,
        jitter=0.0,
        on_progress=lambda s: seen.append((s.status_id, s.status_name)),
        **_frozen(sandbox),
    )
    assert seen == [(1, "Queued"), (2, "Processing"), (3, "Quality Control"), (4, "Completed")]
    assert ImageStatusName.of(status) is ImageStatusName.DELIVERED


def test_wait_for_stops_at_on_hold(sandbox: SandboxHandle) -> None:
    # Nothing listens on port 9: fetching fails and the sandbox puts the image on hold.
    ticket = _queue(sandbox)
    status = wait_for(sandbox.pixelz_client(), ticket, poll=3.0, **_frozen(sandbox))
    assert ImageStatusName.of(status) is ImageStatusName.ON_HOLD


def test_wait_timeout_names_the_last_status(sandbox: SandboxHandle) -> None:
    ticket = _queue(sandbox, product_id="hold")  # the sandbox keeps it at New
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        sandbox.advance(seconds)

    with pytest.raises(WaitTimeout) as info:
        wait_for(
            sandbox.pixelz_client(),
            ticket,
            timeout=100,
            poll=1.0,
            max_poll=30.0,
            clock=sandbox.clock.now,
            sleep=sleep,
        )
    assert isinstance(info.value, RemoveTheBackgroundError)
    assert info.value.last_status is ImageStatusName.NEW
    assert info.value.ticket == ticket
    assert "New" in str(info.value) and str(ticket) in str(info.value)
    # exponential backoff with jitter, capped, and never past the deadline
    assert 0.75 <= slept[0] <= 1.0 and 1.5 <= slept[1] <= 2.0 and 3.0 <= slept[2] <= 4.0
    assert all(s <= 30.0 for s in slept)
    assert sum(slept) == pytest.approx(100.0)


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


def test_transient_errors_are_retried_and_client_faults_raised() -> None:
    flaky = _Flaky([ConnectionFailedError("down"), 10, ConnectionFailedError("down"), 10, 80])
    seen: list[int] = []
    now = [0.0]
    status = wait_for(
        flaky,  # type: ignore[arg-type]
        uuid.UUID(int=1),
        poll=1.0,
        on_progress=lambda s: seen.append(s.status_id),
        clock=lambda: now[0],
        sleep=lambda s: now.__setitem__(0, now[0] + s),
    )
    assert status.status_id == 80 and seen == [10, 80] and flaky.calls == 5
    for fault in (
        NotFoundError("Image not found"),
        AuthenticationError("Invalid contact credentials"),
    ):
        with pytest.raises(type(fault)):
            wait_for(_Flaky([fault]), uuid.UUID(int=1), sleep=lambda s: None)  # type: ignore[arg-type]


def test_timeout_after_only_errors_says_so_and_the_loop_is_bounded_with_a_stuck_clock() -> None:
    flaky = _Flaky([ConnectionFailedError("down")] * 1000)
    with pytest.raises(WaitTimeout) as info:
        wait_for(
            flaky, uuid.UUID(int=1), timeout=10, poll=1, clock=lambda: 0.0, sleep=lambda s: None
        )  # type: ignore[arg-type]
    assert info.value.last_status is None and "no answer" in str(info.value)
    assert isinstance(info.value.last_error, ConnectionFailedError)
    assert flaky.calls <= 20


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [({"timeout": 0}, "timeout"), ({"poll": -1}, "poll"), ({"timeout": float("inf")}, "timeout")],
)
def test_bad_wait_arguments_are_refused(kwargs: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        wait_for(_Flaky([]), uuid.UUID(int=1), **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == parameter
    with pytest.raises(InvalidParameterError, match="ticket"):
        wait_for(_Flaky([]), "not-a-ticket")  # type: ignore[arg-type]


# --- paging ---------------------------------------------------------------------------------


def test_iter_images_walks_every_page_in_order(sandbox: SandboxHandle) -> None:
    client = sandbox.pixelz_client()
    tickets = [
        _queue(sandbox, product_id="p1" if i % 2 else "p2", customer_image_id=f"c{i}")
        for i in range(7)
    ]
    calls: list[str | None] = []
    real = client.get_images_list

    def counting(**kwargs: Any) -> Any:
        calls.append(kwargs["page"])
        return real(**kwargs)

    client.get_images_list = counting  # type: ignore[method-assign]
    assert [i.image_ticket for i in iter_images(client, per_page=3)] == tickets
    assert calls == ["1", "2", "3"]
    calls.clear()
    assert [i.customer_image_id for i in iter_images(client, per_page=2, product_id="p1")] == [
        "c1",
        "c3",
        "c5",
    ]
    assert len(list(iter_images(client, per_page=2, max_pages=2))) == 4
    assert list(iter_images(client, image_status=ImageStatusName.DELIVERED)) == []
    assert len(list(iter_images(client, image_status="new", from_date="2000-01-01"))) == 7
    newest = next(iter_images(client, sort_by="id", descending=True))
    assert newest.image_ticket == tickets[-1]


def test_iter_images_ends_when_the_service_repeats_a_page() -> None:
    class Repeating:
        def __init__(self) -> None:
            self.calls = 0

        def get_images_list(self, **kwargs: Any) -> Any:
            self.calls += 1
            item = pixelz.ImageStatus(image_ticket=uuid.UUID(int=1), status_id=10, is_paid=False)
            return pixelz.ImagesListResponse(images=[item])

    client = Repeating()
    assert len(list(iter_images(client, per_page=1))) == 1  # type: ignore[arg-type]
    assert client.calls == 2


def test_iter_images_checks_its_arguments(sandbox: SandboxHandle) -> None:
    client = sandbox.pixelz_client()
    for kwargs, parameter in [
        ({"per_page": 101}, "per_page"),
        ({"image_status": "shipped"}, "image_status"),
        ({"from_date": "yesterday"}, "from_date"),
        ({"sort_by": "name"}, "sort_by"),
        ({"max_pages": 0}, "max_pages"),
    ]:
        with pytest.raises(InvalidParameterError) as info:
            next(iter_images(client, **kwargs))
        assert info.value.parameter == parameter


def test_iter_product_ids_walks_every_page(sandbox: SandboxHandle) -> None:
    for i in range(5):
        _queue(sandbox, product_id=f"prod-{i}")
    _queue(sandbox, product_id="prod-0")
    stats = list(iter_product_ids(sandbox.pixelz_client(), per_page=2))
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

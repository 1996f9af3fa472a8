"""The Stubber: canned answers through the client's real path, checked against the facts;
the sync and the async clients alike (``client_kind``)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from typing import Any

import pytest

from removethebackground import (
    AsyncPixelzClient,
    Binding,
    ClientFault,
    ConnectionFailedError,
    InvalidParameterError,
    NotFoundError,
    PixelzClient,
    RemoveTheBackgroundClient,
    ServerFault,
)
from removethebackground.generated import legacy, pixelz
from removethebackground.testing.stub import StubAssertionError, Stubber
from support.clients import make_client

ENDPOINT = "http://stub.invalid/soap.asmx"
TICKET = uuid.UUID("9a4e4e16-8e77-4e8c-b579-79fba86611e3")


def _client(kind: str, cls: type[Any], **kwargs: Any) -> tuple[Any, Any]:
    """A client of ``cls``'s service in ``kind`` (``client_kind``): the client to stub,
    and what calls it (the async client's calls run to completion)."""
    client = make_client(kind, "me@example.com", "key", cls=cls, endpoint=ENDPOINT, **kwargs)
    return getattr(client, "async_client", client), client


def delivered() -> pixelz.ImageStatusResponse:
    return pixelz.ImageStatusResponse(
        image_status=pixelz.ImageStatus(
            image_ticket=TICKET,
            status_name="Delivered",
            status_id=80,
            is_paid=True,
            final_images_url=["http://stub.invalid/out/a.png"],
        )
    )


@pytest.mark.parametrize("binding", list(Binding), ids=lambda b: b.value)
def test_a_canned_result_comes_back_typed_on_every_binding(
    binding: Binding, client_kind: str
) -> None:
    client, call = _client(
        client_kind,
        PixelzClient,
        binding=binding,
    )
    with Stubber(client) as stub:
        stub.add_response("GetImageStatus", delivered(), {"image_ticket": str(TICKET)})
        status = call.get_image_status(image_ticket=str(TICKET))
        stub.assert_no_pending_responses()
    assert status == delivered()


@pytest.mark.parametrize("binding", list(Binding), ids=lambda b: b.value)
def test_faults_map_to_the_client_exceptions(binding: Binding, client_kind: str) -> None:
    client, call = _client(
        client_kind,
        PixelzClient,
        binding=binding,
    )
    with Stubber(client) as stub:
        stub.add_fault("get_image_status", "Image not found")
        stub.add_fault(
            "GetImageStatus", "Server was unable to process request. ---> boom", code="Server"
        )
        with pytest.raises(NotFoundError):
            call.get_image_status(image_ticket=str(TICKET))
        # Over HTTP GET/POST a fault is plain text without a code; a text that no client
        # rule knows is a ServerFault there too.
        with pytest.raises(ServerFault) as info:
            call.get_image_status(image_ticket=str(TICKET))
        assert not isinstance(info.value, ClientFault)
        assert info.value.code == ("Server" if binding.is_soap else None)


def test_the_wrong_operation_or_parameter_fails_the_test(client_kind: str) -> None:
    client, call = _client(
        client_kind,
        PixelzClient,
    )
    with Stubber(client) as stub:
        stub.add_response("GetImageStatus", delivered(), {"image_ticket": str(TICKET)})
        other = "00000000-0000-0000-0000-00000000000b"
        with pytest.raises(StubAssertionError, match=f"image_ticket is '{other}'"):
            call.get_image_status(image_ticket=other)
        stub.add_response("GetImageStatus", delivered())
        with pytest.raises(StubAssertionError, match="expected a call to GetImageStatus"):
            call.get_templates()
        with pytest.raises(StubAssertionError, match="unexpected call"):
            call.get_templates()


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.HTTP_GET], ids=lambda b: b.value)
def test_expected_params_take_the_natural_types_a_parameter_takes(
    binding: Binding, client_kind: str
) -> None:
    # A ticket (or a page number) is expected as the value the caller passes; the
    # service's element is a string, so the stubber compares what would be sent.
    client, call = _client(
        client_kind,
        PixelzClient,
        binding=binding,
    )
    with Stubber(client) as stub:
        stub.add_response("GetImageStatus", delivered(), {"image_ticket": TICKET})
        assert call.get_image_status(image_ticket=str(TICKET)) == delivered()
        stub.add_response("GetImagesList", pixelz.ImagesListResponse(), {"page": 2})
        call.get_images_list(page="2")
        stub.add_response("GetImageStatus", delivered(), {"image_ticket": uuid.uuid4()})
        with pytest.raises(StubAssertionError, match=f"image_ticket is '{TICKET}'"):
            call.get_image_status(image_ticket=TICKET)


def test_arrays_are_compared_after_parsing(client_kind: str) -> None:
    client, call = _client(
        client_kind,
        PixelzClient,
        binding=Binding.HTTP_GET,
    )
    ticket = pixelz.ImageTicketResponse(image_ticket=TICKET)
    with Stubber(client) as stub:
        stub.add_response("AddStackImageToQueue", ticket, {"colorway_ids": [1, 2]})
        assert (
            call.add_stack_image_to_queue(image_url="http://x/a.jpg", colorway_ids=[1, 2]) == ticket
        )


def test_results_the_schema_forbids_are_refused_when_queued() -> None:
    client = PixelzClient("me@example.com", "key", endpoint=ENDPOINT)
    stub = Stubber(client)
    bad = pixelz.ImageStatusResponse(
        image_status=pixelz.ImageStatus(image_ticket=TICKET, status_id="80", is_paid=True)  # type: ignore[arg-type]
    )
    with pytest.raises(InvalidParameterError, match="status_id"):
        stub.add_response("GetImageStatus", bad)
    with pytest.raises(TypeError, match="ImageStatusResponse"):
        stub.add_response("GetImageStatus", pixelz.EmptyResponse())


def test_pending_answers_are_reported_and_the_session_is_given_back() -> None:
    client = RemoveTheBackgroundClient("me@example.com", "key", endpoint=ENDPOINT)
    before = dict(client._session.adapters)
    stub = Stubber(client)
    stub.activate()
    stub.add_response(
        "getImageStatus",
        legacy.ImageStatusResponse(
            image_status=legacy.ImageStatus(image_ticket=TICKET, status_id=1, status_name="Queued")
        ),
    )
    with pytest.raises(StubAssertionError, match="getImageStatus"):
        stub.assert_no_pending_responses()
    stub.deactivate()
    assert dict(client._session.adapters) == before


def test_an_async_client_is_stubbed_at_its_transport_and_given_back() -> None:
    client = AsyncPixelzClient("me@example.com", "key", endpoint=ENDPOINT, retries=2)

    async def scenario() -> None:
        async with client, Stubber(client) as stub:
            stub.add_response("GetImageStatus", delivered())
            stub.add_response("GetImageStatus", delivered())
            # Calls in flight together are answered in the order they were queued.
            both = await asyncio.gather(
                client.get_image_status(image_ticket=TICKET),
                client.get_image_status(image_ticket=TICKET),
            )
            assert both == [delivered(), delivered()]
            stub.add_fault("GetImageStatus", "Image not found")
            with pytest.raises(NotFoundError) as info:
                await client.get_image_status(image_ticket=TICKET)
            assert "key" not in repr(info.value.__dict__)
            stub.assert_no_pending_responses()
        # Given back: the next call goes to the network (nothing listens there).
        with pytest.raises(ConnectionFailedError):
            await client.get_image_status(image_ticket=TICKET)
        await client.close()

    asyncio.run(scenario())


def test_the_stubber_needs_neither_the_sandbox_extras_nor_zeep() -> None:
    code = (
        "import sys, removethebackground.testing.stub\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PIL', 'waitress', 'zeep')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

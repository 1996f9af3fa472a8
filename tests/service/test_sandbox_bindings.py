"""Every operation of both generations round-trips through the generated clients, on every
binding its WSDL offers, against the sandbox."""

from __future__ import annotations

import pytest

from removethebackground import (
    Binding,
    UnsupportedBindingError,
)
from removethebackground.generated import legacy, pixelz
from removethebackground.sandbox.service import SandboxService
from removethebackground.testing.sandbox import SandboxHandle
from support.calls import EXAMPLE, PIXELZ_CALLS

PIXELZ_CASES = [
    pytest.param(name, binding, id=f"{name}-{binding.value}")
    for name, op in sorted(pixelz.SERVICE.operations.items())
    for binding in sorted(op.bindings)
]


def test_every_operation_is_covered_and_implemented() -> None:
    assert set(PIXELZ_CALLS) == set(pixelz.SERVICE.operations)
    assert len(PIXELZ_CASES) == 62  # 15 operations on 4 bindings, AddImageToQueue on 2
    service = SandboxService.__new__(SandboxService)
    SandboxService.__init__(service, None, None, None)  # type: ignore[arg-type]
    assert service.unimplemented(pixelz.SERVICE) == []
    assert service.unimplemented(legacy.SERVICE) == []


@pytest.mark.parametrize(("name", "binding"), PIXELZ_CASES)
def test_pixelz_operation(sandbox: SandboxHandle, name: str, binding: Binding) -> None:
    with sandbox.pixelz_client(binding) as client:
        PIXELZ_CALLS[name](client, sandbox)


@pytest.mark.parametrize("binding", sorted(legacy.OP_GET_IMAGE_STATUS.bindings))
def test_legacy_get_image_status(sandbox: SandboxHandle, binding: Binding) -> None:
    done = sandbox.seed_image(status=80)
    queued = sandbox.seed_image(status=10, held=True)
    with sandbox.legacy_client(binding) as client:
        status = client.get_image_status(image_ticket=done).image_status
        assert status is not None
        assert (status.status_id, status.status_name) == (4, "Completed")
        assert status.final_image_url == f"{sandbox.url}/out/{done}.png"
        waiting = client.get_image_status(image_ticket=queued).image_status
        assert waiting is not None
        assert (waiting.status_id, waiting.status_name, waiting.final_image_url) == (
            1,
            "Queued",
            "",
        )


def test_legacy_reads_the_same_store_as_pixelz(sandbox: SandboxHandle) -> None:
    """An image queued over generation 2 is visible over generation 1, with mapped statuses."""
    pixelz_client = sandbox.pixelz_client(Binding.SOAP12)
    ticket = pixelz_client.add_image_to_queue(template_id="1001", image_url=EXAMPLE).image_ticket
    seen = []
    with sandbox.legacy_client(Binding.HTTP_GET) as client:
        for _ in range(4):
            status = client.get_image_status(image_ticket=str(ticket)).image_status
            assert status is not None
            seen.append((status.status_id, status.status_name, bool(status.final_image_url)))
            sandbox.advance(sandbox.step_seconds)
    assert seen == [
        (1, "Queued", False),
        (2, "Processing", False),
        (3, "Quality Control", False),
        (4, "Completed", True),
    ]


def test_client_refuses_add_image_to_queue_over_http(sandbox: SandboxHandle) -> None:
    with pytest.raises(UnsupportedBindingError):
        sandbox.pixelz_client(Binding.HTTP_GET).add_image_to_queue(image_url=EXAMPLE)

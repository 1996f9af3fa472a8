"""Helpers shared by the workflow modules: tickets and status look-ups."""

from __future__ import annotations

import uuid
from typing import Any

from ..core.asyncclient import AsyncServiceClient
from ..core.client import ServiceClient
from ..core.errors import InvalidParameterError
from ..core.reconcile import find
from ..core.wire import OutcomeLookup
from ..generated import legacy, pixelz

__all__ = [
    "AnyClient",
    "AnyStatus",
    "as_ticket",
    "check_form",
    "get_status",
    "is_legacy",
]

AnyClient = pixelz.PixelzClient | legacy.RemoveTheBackgroundClient
AnyStatus = pixelz.ImageStatus | legacy.ImageStatus

#: How an image is found by its customer image id (the generated facts of the
#: operations that queue one; codegen's ``policies.py``).
_queue_lookup = pixelz.OP_ADD_IMAGE_TO_QUEUE.outcome_lookup
assert _queue_lookup is not None, "codegen lost AddImageToQueue's outcome lookup"
BY_CUSTOMER_IMAGE_ID: OutcomeLookup = _queue_lookup


def check_form(client: object, *, awaited: bool) -> None:
    """Refuse a sync client given to an async workflow, and the reverse, before anything
    is sent (the call would otherwise be made and its answer misread)."""
    if awaited and isinstance(client, ServiceClient):
        raise InvalidParameterError(
            "client",
            f"{type(client).__name__} is a sync client: await these functions with "
            f"Async{type(client).__name__}, or use removethebackground.workflows' own",
        )
    if not awaited and isinstance(client, AsyncServiceClient):
        raise InvalidParameterError(
            "client",
            f"{type(client).__name__} is an async client: use "
            "removethebackground.workflows.aio (awaited), or the sync client",
        )


def is_legacy(client: object) -> bool:
    """Whether ``client`` speaks generation 1 (a sync or async client of its service)."""
    return isinstance(client, legacy.RemoveTheBackgroundClient) or (
        getattr(client, "SERVICE", None) is legacy.SERVICE
    )


def as_ticket(value: object, parameter: str = "ticket") -> uuid.UUID:
    """A ticket given as ``uuid.UUID``, GUID text, a ticket result or a status."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value.strip())
        except ValueError:
            pass
    inner = getattr(value, "image_ticket", None)
    if isinstance(inner, uuid.UUID):
        return inner
    raise InvalidParameterError(
        parameter,
        f"expected an image ticket (uuid.UUID or GUID text), got {value!r}",
    )


def get_status(
    client: Any, ticket: uuid.UUID | None = None, *, customer_image_id: str | None = None
) -> AnyStatus | None:
    """GetImageStatus (generation 2) or getImageStatus (generation 1): the ``ImageStatus``.

    With ``customer_image_id`` (generation 2 only) the image is found by the customer's
    id, the lookup that reconciles a lost answer
    (:func:`removethebackground.core.reconcile.find`, from the generated facts:
    ``imageTicket`` is sent as ``nonticket``, as the service documents). Raises
    ``NotFoundError`` when the service has no such image.
    """
    if is_legacy(client):
        if ticket is None:
            raise InvalidParameterError(
                "customer_image_id", "generation 1 looks images up by ticket only"
            )
    elif customer_image_id is not None:
        found: AnyStatus | None = find(client, BY_CUSTOMER_IMAGE_ID, customer_image_id)
        return found
    answer: Any = client.get_image_status(image_ticket=ticket)
    status: AnyStatus | None = answer.image_status
    return status

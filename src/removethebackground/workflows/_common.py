"""Helpers shared by the workflow modules: tickets and status look-ups."""

from __future__ import annotations

import uuid
from typing import Any

from ..core.errors import InvalidParameterError
from ..generated import legacy, pixelz

__all__ = [
    "AnyClient",
    "AnyStatus",
    "as_ticket",
    "get_status",
    "is_legacy",
]

AnyClient = pixelz.PixelzClient | legacy.RemoveTheBackgroundClient
AnyStatus = pixelz.ImageStatus | legacy.ImageStatus


def is_legacy(client: object) -> bool:
    return isinstance(client, legacy.RemoveTheBackgroundClient)


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

    With ``customer_image_id`` (generation 2 only) the image is looked up by the
    customer's id and ``imageTicket`` is sent as ``nonticket``, as the service documents.
    """
    if is_legacy(client):
        if ticket is None:
            raise InvalidParameterError(
                "customer_image_id", "generation 1 looks images up by ticket only"
            )
        answer: Any = client.get_image_status(image_ticket=ticket)
    elif customer_image_id is not None:
        answer = client.get_image_status(
            image_ticket="nonticket", customer_image_id=customer_image_id
        )
    else:
        answer = client.get_image_status(image_ticket=ticket)
    status: AnyStatus | None = answer.image_status
    return status

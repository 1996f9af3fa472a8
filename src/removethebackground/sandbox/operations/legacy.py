"""Generation 1 (legacy, ``/legacy/soap.asmx``): its one operation, ``getImageStatus``.

It reads the same images as generation 2 and shows each status under its
generation 1 id and name (:data:`~..statuses.LEGACY_STATUS`), with the first final
image as ``finalImageURL`` once delivered.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import MappingProxyType

from ...core.wire import WireModel
from ...generated import legacy
from ..outputs import output_urls
from ..statuses import DELIVERED, LEGACY_STATUS
from ..store import Account
from ..validation import Params
from .common import Backend, Handler, OperationCall, own_image

__all__ = ["HANDLERS"]


def get_image_status(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    row = own_image(backend, params.guid("image_ticket"), account)
    status_id, status_name = LEGACY_STATUS.get(row.status, (0, "Unknown"))
    final = (
        output_urls(ctx.base_url, row.ticket, 1, row.output_ext)[0]
        if row.status == DELIVERED and row.outputs
        else ""
    )
    return legacy.ImageStatusResponse(
        image_status=legacy.ImageStatus(
            image_ticket=uuid.UUID(row.ticket),
            status_name=status_name,
            status_id=status_id,
            final_image_url=final,
        )
    )


HANDLERS: Mapping[str, Handler] = MappingProxyType({"getImageStatus": get_image_status})

"""Image statuses of both generations, declared once.

Generation 2 (Pixelz) ids and names are what the service, the store, the worker and
the webhooks use; generation 1 (legacy ``getImageStatus``) shows each of them under
its own id and name (:data:`LEGACY_STATUS`).

Recorded (``asmx-traffic/``): 10 New, 60 In Production, 80 Delivered; legacy
1 Queued and 4 Completed. Reconstructed: 70 "Production Finished" (service.md's
name); 50 "On Hold", a sandbox status for an image whose source could not be
fetched or decoded; legacy 2 "Processing", 3 "Quality Control" and 5 "On Hold".
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "DELIVERED",
    "FINISHED",
    "IN_PRODUCTION",
    "LEGACY_STATUS",
    "NEW",
    "ON_HOLD",
    "STATUSES",
    "STATUS_NAMES",
    "status_name",
]

NEW, ON_HOLD, IN_PRODUCTION, FINISHED, DELIVERED = 10, 50, 60, 70, 80

STATUS_NAMES: Mapping[int, str] = {
    NEW: "New",
    ON_HOLD: "On Hold",
    IN_PRODUCTION: "In Production",
    FINISHED: "Production Finished",
    DELIVERED: "Delivered",
}
STATUSES = tuple(STATUS_NAMES)

# Generation 2 status -> (generation 1 id, generation 1 name).
LEGACY_STATUS: Mapping[int, tuple[int, str]] = {
    NEW: (1, "Queued"),
    IN_PRODUCTION: (2, "Processing"),
    FINISHED: (3, "Quality Control"),
    DELIVERED: (4, "Completed"),
    ON_HOLD: (5, "On Hold"),
}


def status_name(status: int) -> str:
    """The generation 2 name of ``status`` (its number as text if it has none)."""
    return STATUS_NAMES.get(status, str(status))

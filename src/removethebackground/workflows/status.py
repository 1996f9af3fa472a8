"""``ImageStatusName``: the image statuses of both generations as one enum.

Generation 2 (Pixelz) sends ``StatusId`` 10 New, 60 In Production, 70 Production
Finished and 80 Delivered; the sandbox adds 50 On Hold (an image that could not be
fetched or decoded). Generation 1 sends its own ids, which the sandbox maps onto the
same life cycle: 1 Queued (= New), 2 Processing (= In Production), 3 Quality Control
(= Production Finished), 4 Completed (= Delivered), 5 On Hold. Generation 1's ids
are undocumented; these are the sandbox's, and the ids of the two generations do
not overlap, so :meth:`ImageStatusName.parse` reads either.
"""

from __future__ import annotations

import enum
from typing import Any

from ..core.errors import InvalidParameterError

__all__ = ["ImageStatusName"]


class ImageStatusName(enum.IntEnum):
    """An image status; the value is generation 2's ``StatusId``."""

    NEW = 10
    ON_HOLD = 50
    IN_PRODUCTION = 60
    PRODUCTION_FINISHED = 70
    DELIVERED = 80

    @property
    def label(self) -> str:
        """The ``StatusName`` text generation 2 uses (``"In Production"``)."""
        return _LABELS[self]

    @property
    def legacy_id(self) -> int:
        """Generation 1's ``statusId`` for this status."""
        return _LEGACY_IDS[self]

    @property
    def legacy_label(self) -> str:
        """Generation 1's ``statusName`` for this status (``"Completed"``)."""
        return _LEGACY_LABELS[self]

    @property
    def is_terminal(self) -> bool:
        """True for statuses that do not change on their own: Delivered and On Hold."""
        return self in (ImageStatusName.DELIVERED, ImageStatusName.ON_HOLD)

    @property
    def is_delivered(self) -> bool:
        return self is ImageStatusName.DELIVERED

    def __str__(self) -> str:
        return self.label

    @classmethod
    def parse(cls, value: object) -> ImageStatusName:
        """Read a status from an id (``80``, ``"80"``, legacy ``4``) or a name.

        Names are matched without regard to case, spaces, ``-`` and ``_``: ``"delivered"``,
        ``"Delivered"``, ``"DELIVERED"``, ``"in production"``, ``"production_finished"``,
        and generation 1's ``"Completed"``, ``"Quality Control"`` ... Raises
        :class:`InvalidParameterError` (a ``ValueError``) for anything else.
        """
        if isinstance(value, ImageStatusName):
            return value
        if isinstance(value, bool):
            raise _bad(value)
        if isinstance(value, int):
            return cls._from_id(value)
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit():
                return cls._from_id(int(text))
            key = _key(text)
            found = _BY_NAME.get(key)
            if found is not None:
                return found
        raise _bad(value)

    @classmethod
    def _from_id(cls, number: int) -> ImageStatusName:
        for member in cls:
            if member.value == number:
                return member
        for member, legacy in _LEGACY_IDS.items():
            if legacy == number:
                return member
        raise _bad(number)

    @classmethod
    def of(cls, status: Any) -> ImageStatusName | None:
        """The status of a result dataclass of either generation (``ImageStatus``).

        Returns ``None`` when the id is not one of the known ones (a newer service may
        add statuses): callers then treat the image as still in progress.
        """
        status_id = getattr(status, "status_id", None)
        if isinstance(status_id, int) and not isinstance(status_id, bool):
            try:
                return cls._from_id(status_id)
            except InvalidParameterError:
                return None
        return None


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _bad(value: object) -> InvalidParameterError:
    known = ", ".join(f"{m.value} {m.label}" for m in ImageStatusName)
    return InvalidParameterError(
        "status", f"unknown image status {value!r}: use an id or a name ({known})"
    )


_LABELS = {
    ImageStatusName.NEW: "New",
    ImageStatusName.ON_HOLD: "On Hold",
    ImageStatusName.IN_PRODUCTION: "In Production",
    ImageStatusName.PRODUCTION_FINISHED: "Production Finished",
    ImageStatusName.DELIVERED: "Delivered",
}
_LEGACY_IDS = {
    ImageStatusName.NEW: 1,
    ImageStatusName.IN_PRODUCTION: 2,
    ImageStatusName.PRODUCTION_FINISHED: 3,
    ImageStatusName.DELIVERED: 4,
    ImageStatusName.ON_HOLD: 5,
}
_LEGACY_LABELS = {
    ImageStatusName.NEW: "Queued",
    ImageStatusName.IN_PRODUCTION: "Processing",
    ImageStatusName.PRODUCTION_FINISHED: "Quality Control",
    ImageStatusName.DELIVERED: "Completed",
    ImageStatusName.ON_HOLD: "On Hold",
}
_BY_NAME: dict[str, ImageStatusName] = {}
for _member in ImageStatusName:
    _BY_NAME[_key(_member.name)] = _member
    _BY_NAME[_key(_LABELS[_member])] = _member
    _BY_NAME[_key(_LEGACY_LABELS[_member])] = _member

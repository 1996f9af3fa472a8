"""What the SQL journal backends (:mod:`.sqlite`, :mod:`.postgres`) say alike: which rows
a :class:`~.journal.Selection` picks, the manifest columns a rerun compares, and the
checks of a claim's arguments. Each backend keeps its own schema and dialect."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from ...core.errors import InvalidParameterError
from .journal import (
    DELIVERED_STATUS_ID,
    PENDING,
    STATES,
    SUBMITTED,
    SUBMITTING,
    TERMINAL_STATUS_IDS,
    Selection,
)

__all__ = ["COMPARED", "check_claim", "selection_where"]

#: The manifest columns a rerun must give unchanged for a recorded row.
COMPARED: Final = ("image", "given_id", "product_id", "template_id", "callback_url")

_TERMINAL = ", ".join(str(i) for i in sorted(TERMINAL_STATUS_IDS))


def selection_where(true: str) -> Mapping[Selection, str]:
    """The ``WHERE`` condition of each selection; ``true`` is the dialect's "every row"."""
    return MappingProxyType(
        {
            Selection.ALL: true,
            Selection.PENDING: f"state = '{PENDING}'",
            Selection.UNKNOWN: f"state = '{SUBMITTING}'",
            Selection.UNFINISHED: (
                f"state = '{SUBMITTED}' AND (status_id IS NULL OR status_id NOT IN ({_TERMINAL}))"
            ),
            Selection.UNDOWNLOADED: (
                f"state = '{SUBMITTED}' AND status_id = {DELIVERED_STATUS_ID} AND paths IS NULL"
            ),
        }
    )


def check_claim(state: str, limit: int) -> None:
    """Refuse a claim of an unknown state or of fewer than one row."""
    if state not in STATES:
        raise InvalidParameterError("state", f"{state!r} is not one of {', '.join(STATES)}")
    if limit < 1:
        raise InvalidParameterError("limit", f"must be at least 1, got {limit!r}")

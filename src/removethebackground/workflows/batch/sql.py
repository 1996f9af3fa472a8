"""What the SQL journal backends (:mod:`.sqlite`, :mod:`.postgres`) say alike: which rows
a :class:`~.journal.Selection` picks, the manifest columns a rerun compares, the
checks of a claim's arguments, and schema 2's columns, indexes and progress queries.
Each backend keeps its own schema and dialect."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from ...core.errors import InvalidParameterError
from .journal import (
    DELIVERED_STATUS_ID,
    EVENTS,
    PENDING,
    STATES,
    SUBMITTED,
    SUBMITTING,
    TERMINAL_STATUS_IDS,
    JournalPace,
    Selection,
)

__all__ = [
    "ADDED_COLUMNS",
    "ADDED_INDEXES",
    "COMPARED",
    "READY",
    "SCHEMA_LOCK",
    "check_claim",
    "expiry_keyset",
    "index_statements",
    "pace_of",
    "pace_queries",
    "selection_where",
]

#: The key of the PostgreSQL advisory lock (``pg_advisory_xact_lock``, one per
#: database, as a database holds one batch) under which the journal's and the rate
#: limits' tables are created or migrated: derived from the table names, so that
#: another application's keys are unlikely to collide with it.
SCHEMA_LOCK: Final = int.from_bytes(
    hashlib.sha256(b"removethebackground rtb_meta rtb_rows rtb_buckets").digest()[:8],
    "big",
    signed=True,
)

#: The manifest columns a rerun must give unchanged for a recorded row.
COMPARED: Final = ("image", "given_id", "product_id", "template_id", "callback_url")

#: The columns schema 2 added to the rows (see ``journal.SCHEMA_VERSION``), each
#: ``"time"`` (seconds) or ``"text"``: a backend adds the missing ones when it opens a
#: journal, so a journal of schema 1 is used as it is, its rows without times.
ADDED_COLUMNS: Final = (
    ("queued_at", "time"),
    ("settled_at", "time"),
    ("ready_since", "time"),
    ("downloaded_at", "time"),
    ("sha256", "text"),
)

#: When a row's results became available, at the earliest (a row recorded before
#: schema 2 has only its last change).
READY: Final = "COALESCE(ready_since, updated)"

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
            Selection.UNDOWNLOADED: _UNDOWNLOADED,
            Selection.DOWNLOADED: "paths IS NOT NULL",
        }
    )


_UNDOWNLOADED = f"state = '{SUBMITTED}' AND status_id = {DELIVERED_STATUS_ID} AND paths IS NULL"


#: The indexes schema 2 added, ``(name, columns, condition)``: each event's time (its
#: recent count and first time, read from the index alone; each is written once per
#: row) and the Delivered rows not downloaded by ready time (the expiry order and
#: counts: a partial index of those rows only). Measured on 100,000 rows (SQLite, a
#: busy 2-core machine): the events' counts 140 ms -> 10 ms, the expiry order read whole
#: 78 s -> 8 s (row order: 4 s), for about 40 us more CPU per row over its life
#: (ticket, status, download: 88 -> 128 us).
ADDED_INDEXES: Final = (
    ("by_queued", "queued_at", ""),
    ("by_settled", "settled_at", ""),
    ("by_downloaded", "downloaded_at", ""),
    ("by_ready", f"{READY}, row_no", f"WHERE {_UNDOWNLOADED}"),
)


def index_statements(table: str) -> list[str]:
    """``CREATE INDEX IF NOT EXISTS`` of :data:`ADDED_INDEXES` on ``table``."""
    return [
        f"CREATE INDEX IF NOT EXISTS {table}_{name} ON {table} ({columns}) {where}".strip()
        for name, columns, where in ADDED_INDEXES
    ]


def expiry_keyset(at: str, row_no: str) -> str:
    """The condition "after the key ``(ready time, row_no)``" of the expiry order, the
    key's parts given by the parameter markers ``at`` and ``row_no``."""
    return f"({READY}, row_no) > ({at}, {row_no})"


def pace_queries(table: str, param: str, *, due_from: str = "") -> tuple[str, str, str]:
    """The three queries of ``Journal.pace`` on ``table``, with the dialect's
    positional ``param`` marker: the events (parameters: ``since`` once per event),
    the expiry (``expired_before``, ``expiring_before``) and the templates. Each part
    is answered from an index of :data:`ADDED_INDEXES` (``due_from``: what the expiry
    reads from, where the dialect must be told the index)."""
    events = ", ".join(
        f"(SELECT COUNT(*) FROM {table} WHERE {column} >= {param}), "  # noqa: S608 - fixed
        f"(SELECT MIN({column}) FROM {table})"
        for column in EVENTS.values()
    )
    due = f"FROM {due_from or table} WHERE {_UNDOWNLOADED}"
    return (
        f"SELECT {events}",
        f"SELECT (SELECT COUNT(*) {due} AND {READY} < {param}), "
        f"(SELECT COUNT(*) {due} AND {READY} < {param}), (SELECT MIN({READY}) {due})",
        f"SELECT template_id, COUNT(*) FROM {table} WHERE state = '{SUBMITTED}' "  # noqa: S608
        "GROUP BY template_id ORDER BY template_id",
    )


def check_claim(state: str, limit: int) -> None:
    """Refuse a claim of an unknown state or of fewer than one row."""
    if state not in STATES:
        raise InvalidParameterError("state", f"{state!r} is not one of {', '.join(STATES)}")
    if limit < 1:
        raise InvalidParameterError("limit", f"must be at least 1, got {limit!r}")


def pace_of(
    events: Sequence[Any], expiry: Sequence[Any], templates: Iterable[Sequence[Any]]
) -> JournalPace:
    """A :class:`~.journal.JournalPace` from the answers of :func:`pace_queries`."""
    names = list(EVENTS)
    return JournalPace(
        recent={name: int(events[2 * i] or 0) for i, name in enumerate(names)},
        first={
            name: None if events[2 * i + 1] is None else float(events[2 * i + 1])
            for i, name in enumerate(names)
        },
        expired=int(expiry[0] or 0),
        expiring=int(expiry[1] or 0),
        next_ready=None if expiry[2] is None else float(expiry[2]),
        queued_by_template={str(t): int(n) for t, n in templates},
    )

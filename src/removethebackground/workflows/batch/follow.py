"""Following a batch by pages: one status round of :meth:`Batch.status` at a cost that
does not grow with one call per image.

A round reads the batch's images from ``GetImagesList`` (100 a page, sorted by id so
that the pages do not shift while they are read), within the batch's date window:
from the day before the oldest unfinished row was last changed in the journal (an
image is created at the service before its ticket is recorded) to the day after
today (the service's days need not be the client's). Every unfinished row whose
ticket is on a page gets its status from there; ``GetImageStatus`` is asked only for
the unfinished rows the pages did not show (an image older than the window, after a
resumed run) and, when few rows are left, instead of the pages: a round asks the
pages only while more rows are unfinished than the pages would take calls.

The walk holds one page and the unfinished rows' tickets (not their data) in memory.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import uuid
from collections.abc import Callable, Iterable, Iterator

from ...core.errors import ServerFault, TransportError
from ...generated import pixelz
from .._common import get_status
from ..paging import MAX_PER_PAGE, iter_images
from ..serialize import to_json
from .journal import Journal, JournalRow, Selection

__all__ = ["FollowCounts", "ask_one", "follow_round"]

#: One day, the margin of the date window on both sides.
_DAY = datetime.timedelta(days=1)


@dataclasses.dataclass(slots=True)
class FollowCounts:
    """What one round asked the service: pages read and single images asked."""

    pages: int = 0
    singles: int = 0
    settled_by_pages: int = 0


def _window(oldest: float, now: float) -> tuple[datetime.date, datetime.date]:
    first = datetime.datetime.fromtimestamp(oldest, datetime.UTC).date() - _DAY
    last = datetime.datetime.fromtimestamp(now, datetime.UTC).date() + _DAY
    return min(first, last), last


def follow_round(
    client: pixelz.PixelzClient,
    journal: Journal,
    rows: Callable[[], Iterator[JournalRow]],
    *,
    clock: Callable[[], float],
    ask: Callable[[Iterable[JournalRow]], object],
    per_page: int = MAX_PER_PAGE,
) -> FollowCounts:
    """One round over the unfinished rows (``rows()`` reads them afresh each time).

    ``ask`` is called with the rows to look up one by one (GetImageStatus); the pages
    are read here. Returns what the round cost.
    """
    counts = FollowCounts()
    tickets: dict[uuid.UUID, tuple[int, int | None]] = {}
    oldest: float | None = None
    for row in rows():
        if row.ticket is None:
            continue
        tickets[row.ticket] = (row.row_no, row.status_id)
        oldest = row.updated if oldest is None else min(oldest, row.updated)
    if not tickets:
        return counts
    submitted = journal.count(Selection.ALL)
    pages_cost = max(1, math.ceil(submitted / per_page))
    if len(tickets) <= pages_cost:
        # Fewer rows left than pages to read: ask each one.
        counts.singles = len(tickets)
        ask(row for row in rows() if row.ticket in tickets)
        return counts
    assert oldest is not None
    first, last = _window(oldest, clock())
    seen: set[uuid.UUID] = set()
    complete = False
    try:
        listed = 0
        pages = iter_images(client, from_date=first, to_date=last, sort_by="id", per_page=per_page)
        for image in pages:
            listed += 1
            ticket = image.image_ticket
            entry = tickets.get(ticket) if ticket is not None else None
            if entry is None or ticket is None:
                continue
            seen.add(ticket)
            row_no, known = entry
            if image.status_id is None:
                continue
            if image.status_id != known:
                journal.record_status(row_no, int(image.status_id), to_json(image))
                counts.settled_by_pages += 1
        complete = True
        # The walk ends at the first page shorter than per_page (an empty one too).
        counts.pages = listed // per_page + 1
    except (TransportError, ServerFault):
        counts.pages = listed // per_page + 1
        # The rows not seen are read next round.
    if not complete:
        return counts
    missing = [t for t in tickets if t not in seen]
    if missing:
        counts.singles = len(missing)
        wanted = set(missing)
        ask(row for row in rows() if row.ticket in wanted)
    return counts


def ask_one(client: pixelz.PixelzClient, journal: Journal, row: JournalRow) -> None:
    """GetImageStatus for one row; a transport or server failure leaves it for next time."""
    if row.ticket is None:
        return
    try:
        status = get_status(client, row.ticket)
    except (TransportError, ServerFault):
        return
    if status is None:
        return
    journal.record_status(row.row_no, status.status_id, to_json(status))

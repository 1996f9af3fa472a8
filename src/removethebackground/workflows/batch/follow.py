"""Following a batch by pages: one status round of :meth:`Batch.status` at a cost that
does not grow with one call per image.

A round reads the batch's images from ``GetImagesList`` (100 a page, sorted by id so
that the pages do not shift while they are read), within the batch's date window:
from the day before the oldest unfinished row was queued (its ``queued_at``: an
image is created at the service before its ticket is recorded, and the day is a
margin for the service's clock) to the day after today (the service's days need not
be the client's). The window starts from the queue time, not from a row's last
change: asking an image's status changes the row, and in a run of days the images
queued first would fall out of the window and be asked one by one every round. A row
recorded before the journal kept ``queued_at`` starts it from its last change.
Every unfinished row whose ticket is on a page gets its status from there;
``GetImageStatus`` is asked only for the unfinished rows the pages did not show (an
image older than the window, after a resumed run) and, when few rows are left, instead
of the pages: a round asks the pages only while more rows are unfinished than the pages
would take calls.

The walk holds one page of the service and one page of the journal in memory: each
page's tickets are looked up in the journal (:meth:`~.journal.Journal.select_tickets`),
and which rows were unfinished and which the pages showed are kept as two bitmaps of
row numbers (one bit per row), so a round's memory does not grow with the batch.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import math
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ...core.errors import InvalidParameterError, ServerFault, TransportError
from ...generated import pixelz
from .._common import get_status
from ..errors import WebhookVerificationError
from ..paging import MAX_PER_PAGE, iter_images
from ..serialize import to_json
from ..webhooks import verify_webhook
from .journal import SUBMITTED, TERMINAL_STATUS_IDS, Journal, JournalRow, Selection

__all__ = ["FollowCounts", "Notifications", "RowNumbers", "ask_one", "follow_round"]

#: One day, the margin of the date window on both sides.
_DAY = datetime.timedelta(days=1)


@dataclasses.dataclass(slots=True)
class FollowCounts:
    """What one round asked the service: pages read and single images asked."""

    pages: int = 0
    singles: int = 0
    settled_by_pages: int = 0


def _queued(row: JournalRow) -> float:
    """When ``row`` was queued: its ``queued_at``; for a row recorded before the journal
    kept it, the earliest time known for it (its last change, never later than then)."""
    if row.queued_at is None:
        return row.updated
    return min(row.queued_at, row.updated)


def _window(oldest: float, now: float) -> tuple[datetime.date, datetime.date]:
    first = datetime.datetime.fromtimestamp(oldest, datetime.UTC).date() - _DAY
    last = datetime.datetime.fromtimestamp(now, datetime.UTC).date() + _DAY
    return min(first, last), last


class RowNumbers:
    """A set of row numbers kept as a bitmap: one bit per row of the journal (12.5 KB
    for 100,000 rows), never a row's data or ticket."""

    __slots__ = ("_bits", "count")

    def __init__(self) -> None:
        self._bits = bytearray()
        self.count = 0

    def add(self, row_no: int) -> None:
        index, mask = row_no >> 3, 1 << (row_no & 7)
        if index >= len(self._bits):
            self._bits.extend(bytes(index + 1 - len(self._bits)))
        if not self._bits[index] & mask:
            self._bits[index] |= mask
            self.count += 1

    def __contains__(self, row_no: object) -> bool:
        if not isinstance(row_no, int):
            return False
        index = row_no >> 3
        return index < len(self._bits) and bool(self._bits[index] & (1 << (row_no & 7)))

    def __len__(self) -> int:
        return self.count


def _unfinished(row: JournalRow) -> bool:
    return row.state == SUBMITTED and (
        row.status_id is None or row.status_id not in TERMINAL_STATUS_IDS
    )


def _pages(images: Iterator[pixelz.ImageStatus], size: int) -> Iterator[list[pixelz.ImageStatus]]:
    """``images`` a page (``size``) at a time."""
    while page := list(itertools.islice(images, size)):
        yield page


def follow_round(
    client: pixelz.PixelzClient,
    journal: Journal,
    rows: Callable[[], Iterator[JournalRow]],
    *,
    clock: Callable[[], float],
    ask: Callable[[Iterable[JournalRow]], object],
    per_page: int = MAX_PER_PAGE,
) -> FollowCounts:
    """One round over the unfinished rows (``rows()`` reads them afresh each time, a
    journal page at a time).

    ``ask`` is called with the rows to look up one by one (GetImageStatus); the pages
    are read here, and each page's tickets are looked up in the journal
    (:meth:`Journal.select_tickets`). Memory: one journal page, one service page and
    two bitmaps of row numbers (the rows unfinished when the round began, and those
    the pages showed). Returns what the round cost.
    """
    counts = FollowCounts()
    wanted = RowNumbers()  # unfinished, with a ticket, when the round began
    oldest: float | None = None
    for row in rows():
        if row.ticket is None:
            continue
        wanted.add(row.row_no)
        queued = _queued(row)
        oldest = queued if oldest is None else min(oldest, queued)
    if not wanted:
        return counts

    def asked(chosen: Callable[[JournalRow], bool]) -> Iterator[JournalRow]:
        for row in rows():
            if row.ticket is not None and row.row_no in wanted and chosen(row):
                counts.singles += 1
                yield row

    submitted = journal.count(Selection.ALL)
    pages_cost = max(1, math.ceil(submitted / per_page))
    if len(wanted) <= pages_cost:
        # Fewer rows left than pages to read: ask each one.
        ask(asked(lambda row: True))
        return counts
    assert oldest is not None
    first, last = _window(oldest, clock())
    seen = RowNumbers()
    complete = False
    listed = 0
    try:
        images = iter_images(client, from_date=first, to_date=last, sort_by="id", per_page=per_page)
        for page in _pages(images, per_page):
            listed += len(page)
            by_ticket = {i.image_ticket: i for i in page if i.image_ticket is not None}
            for row in journal.select_tickets(by_ticket) if by_ticket else ():
                if row.row_no not in wanted or not _unfinished(row) or row.ticket is None:
                    continue
                seen.add(row.row_no)
                image = by_ticket[row.ticket]
                if image.status_id is None:
                    continue
                if image.status_id != row.status_id:
                    journal.record_status(row.row_no, int(image.status_id), to_json(image))
                    counts.settled_by_pages += 1
        complete = True
    except (TransportError, ServerFault):
        pass  # the rows not seen are read next round
    # The walk ends at the first page shorter than per_page (an empty one too).
    counts.pages = listed // per_page + 1
    if not complete or len(seen) >= len(wanted):
        return counts
    ask(asked(lambda row: row.row_no not in seen))
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


class Notifications:
    """A receiver of the service's signed notifications, for :meth:`Batch.wait`.

    Listens on ``host:port`` (a thread of the standard library's WSGI server) and
    accepts a ``POST`` only with a valid ``X-RTB-Signature`` (:func:`verify_webhook`,
    keyed with the account's API key); it answers 401 otherwise, 400 for a body that is
    not a notification, 200 once the ticket is noted. A notification only *tells* that
    an image changed: the row is settled from the service's own answer (a page of
    GetImagesList, as :func:`webhook_app` confirms with GetImageStatus), never from the
    notification's content. The batch's rows must carry a ``callback_url`` that
    reaches this receiver (directly, or through a public URL in front of it).
    """

    def __init__(self, host: str, port: int, api_key: str, *, max_body: int = 1024 * 1024) -> None:
        from wsgiref.simple_server import WSGIRequestHandler, make_server

        if not api_key:
            raise InvalidParameterError("api_key", "is empty: notifications are checked with it")
        self._api_key = api_key
        self._max_body = max_body
        self._lock = threading.Lock()
        self._tickets: set[uuid.UUID] = set()
        self.received = 0
        self.refused = 0

        class _Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

        try:
            self._server = make_server(host, port, self._app, handler_class=_Quiet)
        except OSError as exc:
            raise InvalidParameterError(
                "listen", f"cannot listen on {host}:{port} ({exc}): give a free HOST:PORT"
            ) from None
        self._server.daemon_threads = True  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="rtb-notifications", daemon=True
        )
        self._thread.start()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def __repr__(self) -> str:
        host, port = self.address
        return f"Notifications({host}:{port}, received={self.received})"

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        def answer(code: str, text: str) -> list[bytes]:
            body = (text + "\n").encode()
            start_response(
                code, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
            )
            return [body]

        if environ.get("REQUEST_METHOD") != "POST":
            return answer("405 Method Not Allowed", "POST notifications here")
        length_text = str(environ.get("CONTENT_LENGTH") or "0")
        if not length_text.isdigit() or int(length_text) > self._max_body:
            return answer("413 Payload Too Large", "bad or oversized body")
        body = environ["wsgi.input"].read(int(length_text))
        headers = [(k, str(v)) for k, v in environ.items() if k.startswith("HTTP_")]
        try:
            note = verify_webhook(body, headers, self._api_key)
        except WebhookVerificationError:
            with self._lock:
                self.refused += 1
            return answer("401 Unauthorized", "bad signature or body")
        with self._lock:
            self._tickets.add(note.image_ticket)
            self.received += 1
        return answer("200 OK", "ok")

    def noted(self) -> set[uuid.UUID]:
        """The tickets notified and not forgotten yet (see :meth:`forget_settled`)."""
        with self._lock:
            return set(self._tickets)

    def __contains__(self, ticket: object) -> bool:
        with self._lock:
            return ticket in self._tickets

    def forget_settled(self, journal: Journal) -> int:
        """Forget the tickets whose rows are no longer unfinished (settled, or not rows
        of ``journal``), looked up a page at a time: what is kept is the notified rows
        still to be confirmed, not every image notified. Returns how many are kept."""
        with self._lock:
            noted = list(self._tickets)
        for start in range(0, len(noted), MAX_PER_PAGE):
            page = noted[start : start + MAX_PER_PAGE]
            keep = {r.ticket for r in journal.select_tickets(page) if _unfinished(r)}
            with self._lock:
                self._tickets.difference_update(t for t in page if t not in keep)
        with self._lock:
            return len(self._tickets)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Notifications:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

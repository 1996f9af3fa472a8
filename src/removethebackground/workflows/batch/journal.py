"""The journal of a batch: what it records, when, and what a backend must guarantee.

A batch is exactly-once because of the journal, not because of the network: every
row's fate is written down before and after the one call that can queue its image.
:class:`Journal` is the interface the runner (:mod:`.runner`) speaks to;
:class:`~.sqlite.SQLiteJournal` is the backend of a journal file, and
:func:`~.backends.open_journal` picks a backend from what the user passes as the journal.

**A row's life.** Rows are numbered as in the manifest (1, 2, ...) and move between
four states, by these transitions only::

    start_call         pending              -> submitting   (before the call)
    record_ticket      submitting           -> submitted
    record_unknown     submitting           -> submitting   (no answer: still unknown)
    record_not_queued  submitting           -> pending      (the service never saw it)
    record_failed      pending, submitting  -> failed
    reset_failed       failed               -> pending

* ``pending``: recorded from the manifest, not sent (or known not to have arrived).
* ``submitting``: :meth:`Journal.start_call` wrote it, and counted the attempt,
  **before** AddImageToQueue was called (durably, when the journal is durable). From
  then until the answer is recorded the outcome is unknown: a crash, a kill or a
  dropped connection leaves the row here, and only reconciliation (GetImageStatus by
  the row's ``customer_image_id``) may move it on: to ``submitted`` when the service
  knows the image, back to ``pending`` when it answers "not found". A ``submitting``
  row is never sent again without that answer.
* ``submitted``: the ticket is recorded (from the call's answer, or found by
  reconciliation). Later status look-ups and downloads add to the row; its state
  never changes again.
* ``failed``: definite: no image was queued for it (the service refused the call, the
  upload failed, attempts ran out, or its id belongs to another image).
  :meth:`Journal.reset_failed` puts such rows back to ``pending`` (attempts from 0).

**Claims.** Rows are changed only by the runner that holds their claim: a runner
takes a page of rows in one state with :meth:`Journal.claim` (a lease for
``lease`` seconds, in row order, skipping rows another owner holds), changes them
with the ``start_call`` / ``record_*`` transitions, and gives them back with
:meth:`Journal.release`. Every transition is a compare-and-set: it takes effect
only if the row is still in the state it expects and the caller still holds the
claim, and says whether it did (``False``: someone else moved the row on; leave it).
A claim whose lease lapsed may be taken by another owner; :meth:`Journal.start_call`
renews the lease, so a backend shared between machines must use a lease longer than
any call plus ``settle_seconds``, else a row in flight could be reconciled as unknown
by a second machine. Claims are not state: a crash loses them with the process (or
they lapse), never a row.

**Times.** Each row carries when it was queued (``queued_at``: its ticket recorded),
settled (``settled_at``: a terminal status first read, or ``failed``) and downloaded
(``downloaded_at``: its files written, verified and checksummed, ``sha256`` one digest
per file). ``ready_since`` is the earliest the service can have made the results
available: the row's previous change when its terminal status was first recorded (the
service delivered it after the journal last saw it unfinished), from which a result's
expiry is counted (:mod:`.progress`). Rows recorded by a journal of schema 1 have no
times; see :data:`SCHEMA_VERSION`.

**Runners.** :meth:`Journal.acquire` admits a runner for the length of a ``with``
block. A backend that keeps no claims between processes (SQLite: a file on one
machine) admits one runner at a time and refuses a second with
:class:`~removethebackground.workflows.errors.BatchError`; a shared backend
(PostgreSQL with ``FOR UPDATE SKIP LOCKED`` leases) admits many, which share the rows
through claims.

**What reconciliation reads.** The ``submitting`` rows (claimed), their
``customer_image_id`` (unique within the journal; made up as
``rtb-<batch id>-<row>`` when the manifest gives none, and recorded with the row
before any call, so every row can be looked up) and their ``product_id`` (to tell an
image of this row from another image that reused the id); and
:meth:`Journal.last_unknown_update`, the time of the newest attempt or look-up of a
``submitting`` row, so that a request still being processed settles first.

Every method may be called from several threads at once.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Final, Protocol, runtime_checkable

from ...core.errors import InvalidParameterError
from ..status import ImageStatusName
from .manifest import ManifestRow

__all__ = [
    "EVENTS",
    "FAILED",
    "PENDING",
    "PREVIOUS_UPDATE",
    "SCHEMA_VERSION",
    "STATES",
    "SUBMITTED",
    "SUBMITTING",
    "Journal",
    "JournalRow",
    "JournalSpec",
    "JournalPace",
    "JournalTally",
    "RowTransitions",
    "Selection",
    "generated_customer_id",
]

PENDING: Final = "pending"
SUBMITTING: Final = "submitting"
SUBMITTED: Final = "submitted"
FAILED: Final = "failed"
STATES: Final = (PENDING, SUBMITTING, SUBMITTED, FAILED)

#: Statuses after which an image changes no more (Delivered, On Hold ...).
TERMINAL_STATUS_IDS: Final = frozenset(int(s) for s in ImageStatusName if s.is_terminal)
DELIVERED_STATUS_ID: Final = int(ImageStatusName.DELIVERED)

#: The journal's schema: 1, the first; 2 added the row times (``queued_at``,
#: ``settled_at``, ``ready_since``, ``downloaded_at``) and the files' ``sha256``, as
#: columns added to a journal of schema 1 when it is opened (its rows keep ``NULL``).
SCHEMA_VERSION: Final = 2

#: ``changes`` value of a transition meaning "the row's ``updated`` before this change".
PREVIOUS_UPDATE: Final = object()


class Selection(enum.Enum):
    """Which rows :meth:`Journal.select` and :meth:`Journal.count` read."""

    #: every row
    ALL = "all"
    #: not sent yet (``pending``)
    PENDING = "pending"
    #: sent, outcome unknown (``submitting``): to be reconciled
    UNKNOWN = "unknown"
    #: ``submitted``, status never read or not terminal: to be asked again
    UNFINISHED = "unfinished"
    #: ``submitted``, Delivered, not downloaded yet
    UNDOWNLOADED = "undownloaded"
    #: downloaded (files recorded): to be verified again
    DOWNLOADED = "downloaded"


@dataclasses.dataclass(frozen=True, slots=True)
class JournalRow:
    """One row as the journal holds it.

    ``image``, ``given_id``, ``product_id``, ``template_id`` and ``callback_url`` are
    the manifest's cells (compared when a manifest is recorded again); ``source`` is
    what is sent (URL or absolute path); ``customer_image_id`` is the given id or the
    one made up for the row. ``paths`` is ``None`` until the row is downloaded.
    ``updated`` is the clock's time of the row's last change; the times and ``sha256``
    (one digest per file of ``paths``) are described in the module documentation
    (``None``: not yet, or recorded before schema 2).
    """

    row_no: int
    image: str
    source: str
    given_id: str
    customer_image_id: str
    product_id: str
    template_id: str
    callback_url: str
    state: str
    attempts: int = 0
    ticket: uuid.UUID | None = None
    status_id: int | None = None
    status_json: str | None = None
    paths: tuple[str, ...] | None = None
    error: str | None = None
    updated: float = 0.0
    queued_at: float | None = None
    settled_at: float | None = None
    ready_since: float | None = None
    downloaded_at: float | None = None
    sha256: tuple[str, ...] | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class JournalPace:
    """Counts over the rows' times (what ``Batch.progress`` is made of).

    ``recent``: rows per event (``queued``, ``settled``, ``downloaded``) at or after
    the ``since`` asked; ``first``: the earliest time of each event in the journal
    (``None``: none yet). Of the Delivered rows not downloaded: ``expired`` are ready
    since before ``expired_before``, ``expiring`` before ``expiring_before`` (expired
    ones included), ``next_ready`` is the oldest's ready time (a row without one counts
    from its ``updated``). ``queued_by_template``: ``submitted`` rows per template id.
    """

    recent: Mapping[str, int]
    first: Mapping[str, float | None]
    expired: int
    expiring: int
    next_ready: float | None
    queued_by_template: Mapping[str, int]


#: The events :class:`JournalPace` counts, and the column of each.
EVENTS: Final = {"queued": "queued_at", "settled": "settled_at", "downloaded": "downloaded_at"}


@dataclasses.dataclass(frozen=True, slots=True)
class JournalTally:
    """Counts over the whole journal (what ``Batch.summary`` is made of).

    ``states``: rows per state; ``statuses``: ``submitted`` rows per last known status
    id (``None``: never read); ``downloaded``: rows with files; ``errors``: the first
    ten rows with an error, as ``(row_no, customer_image_id, error)``.
    """

    states: Mapping[str, int]
    statuses: Mapping[int | None, int]
    downloaded: int
    errors: tuple[tuple[int, str, str], ...] = ()


@runtime_checkable
class Journal(Protocol):
    """Where a batch records its rows; see the module documentation for the semantics.

    Attributes:
        location: where the journal is, for messages (a path; never a password).
        batch_id: this batch's id (12 hex digits), made when the journal was created.
        account: the account (e-mail) the batch was started with ("" if unknown).
    """

    @property
    def location(self) -> str: ...

    @property
    def batch_id(self) -> str: ...

    @property
    def account(self) -> str: ...

    def acquire(self, owner: str) -> AbstractContextManager[None]:
        """Admit ``owner`` as a runner for a ``with`` block, or raise ``BatchError``."""
        ...

    def record_manifest(self, rows: Iterable[ManifestRow]) -> int:
        """Record the manifest, all or nothing; returns its number of rows.

        A new row is recorded ``pending`` with its ``customer_image_id`` (given, or
        :func:`generated_customer_id`). A row already recorded must be the same
        (image and the other cells), else ``BatchError`` naming row and column. An id
        that two rows share raises ``InvalidParameterError`` naming the later row
        (``manifest row N column customer_image_id``). More rows in the journal than
        in the manifest raises ``BatchError``. Errors raised by ``rows`` itself (a
        bad manifest row) propagate. On any error nothing is recorded.
        """
        ...

    def claim(
        self, state: str, owner: str, *, after: int = 0, limit: int = 256, lease: float = 900.0
    ) -> list[JournalRow]:
        """Lease to ``owner`` up to ``limit`` rows in ``state`` numbered above ``after``.

        In row order; rows leased to another owner (lease not lapsed) are skipped.
        ``[]`` means no such row is left. Claiming again a row ``owner`` holds renews it.
        """
        ...

    def release(self, row_no: int, owner: str) -> None:
        """Give back ``owner``'s claim of the row (nothing if ``owner`` holds none)."""
        ...

    def start_call(self, row_no: int, owner: str, *, attempts: int) -> bool:
        """``pending`` -> ``submitting``, the attempt counted as ``attempts``, the error
        cleared, the lease renewed: recorded (durably) before the call is made."""
        ...

    def record_ticket(
        self,
        row_no: int,
        owner: str,
        ticket: uuid.UUID,
        *,
        status_id: int | None = None,
        status_json: str | None = None,
    ) -> bool:
        """``submitting`` -> ``submitted`` with its ticket (and the status, when
        reconciliation read one); the error cleared."""
        ...

    def record_unknown(self, row_no: int, owner: str, error: str) -> bool:
        """A ``submitting`` row stays unknown: ``error`` says why, the time is noted
        (reconciliation settles from it)."""
        ...

    def record_not_queued(self, row_no: int, owner: str) -> bool:
        """``submitting`` -> ``pending``: the service does not know the image, so the
        call never took effect (sent again, counting the attempts already made)."""
        ...

    def record_failed(self, row_no: int, owner: str, error: str, *, state: str) -> bool:
        """``state`` (``pending`` or ``submitting``) -> ``failed``, definitely: no image
        was queued for this row."""
        ...

    def reset_failed(self) -> int:
        """Every ``failed`` row -> ``pending`` with its attempts at 0; returns how many."""
        ...

    def record_status(self, row_no: int, status_id: int, status_json: str) -> None:
        """The last status read for a ``submitted`` row (no claim needed: reads only).
        The first terminal one sets ``settled_at`` (now) and ``ready_since`` (the
        row's ``updated`` before it)."""
        ...

    def record_download(
        self,
        row_no: int,
        *,
        paths: Sequence[str] | None = None,
        error: str | None = None,
        sha256: Sequence[str] | None = None,
    ) -> None:
        """A download: its files with their ``sha256`` digests and ``downloaded_at``
        (the error cleared), or its error (files unchanged)."""
        ...

    def forget_download(self, row_no: int, error: str) -> None:
        """The row's files are gone or changed: ``paths``, ``sha256`` and
        ``downloaded_at`` cleared (the row is to be downloaded again), ``error`` says why."""
        ...

    def select_by_expiry(
        self, *, after: tuple[float, int] | None = None, limit: int = 256
    ) -> list[JournalRow]:
        """Up to ``limit`` rows of :attr:`Selection.UNDOWNLOADED`, the soonest to expire
        first: by ready time (``ready_since``, else ``updated``), then row number, after
        the key ``after`` (the last row's ``(ready time, row_no)``)."""
        ...

    def pace(
        self,
        *,
        since: float,
        expired_before: float,
        expiring_before: float,
        by_template: bool = True,
    ) -> JournalPace:
        """Counts over the rows' times (see :class:`JournalPace`); ``by_template=False``
        leaves ``queued_by_template`` empty (the one count read from the rows, not an
        index)."""
        ...

    def select(self, selection: Selection, *, after: int = 0, limit: int = 256) -> list[JournalRow]:
        """Up to ``limit`` rows of ``selection`` numbered above ``after``, in row order
        (claims are not looked at: for reading)."""
        ...

    def count(self, *selections: Selection) -> int:
        """How many rows are in any of ``selections``."""
        ...

    def last_unknown_update(self) -> float | None:
        """The newest ``updated`` of the ``submitting`` rows; ``None`` when there is none."""
        ...

    def tally(self) -> JournalTally:
        """Counts over the whole journal."""
        ...

    def close(self) -> None:
        """Close the journal (claims still held are given back)."""
        ...


#: What a batch accepts as its journal: a file path, or a :class:`Journal`.
JournalSpec = str | os.PathLike[str] | Journal


def generated_customer_id(batch_id: str, row_no: int) -> str:
    """The ``customer_image_id`` made up for a row that has none."""
    return f"rtb-{batch_id}-{row_no}"


class RowTransitions:
    """The row transitions of :class:`Journal` written once, on a backend's
    compare-and-set ``_move(row_no, owner, where_state, **changes)``: the row moves only
    when it is in ``where_state`` and ``owner`` still holds its claim (see the table in
    the module docstring); a change of :data:`PREVIOUS_UPDATE` sets the column to the
    row's ``updated`` before the move. The SQLite and PostgreSQL backends inherit them."""

    _clock: Callable[[], float]

    def _move(self, row_no: int, owner: str, where_state: str, **changes: Any) -> bool:
        raise NotImplementedError

    def record_ticket(
        self,
        row_no: int,
        owner: str,
        ticket: uuid.UUID,
        *,
        status_id: int | None = None,
        status_json: str | None = None,
    ) -> bool:
        now = self._clock()
        changes: dict[str, Any] = {
            "state": SUBMITTED,
            "ticket": str(ticket),
            "error": None,
            "queued_at": now,
        }
        if status_id is not None:
            changes["status_id"] = status_id
            changes["status_json"] = status_json
            if status_id in TERMINAL_STATUS_IDS:
                # Found settled by reconciliation: ready since its call was started.
                changes["settled_at"] = now
                changes["ready_since"] = PREVIOUS_UPDATE
        return self._move(row_no, owner, SUBMITTING, **changes)

    def record_unknown(self, row_no: int, owner: str, error: str) -> bool:
        return self._move(row_no, owner, SUBMITTING, error=error)

    def record_not_queued(self, row_no: int, owner: str) -> bool:
        return self._move(row_no, owner, SUBMITTING, state=PENDING, error=None)

    def record_failed(self, row_no: int, owner: str, error: str, *, state: str) -> bool:
        if state not in (PENDING, SUBMITTING):
            raise InvalidParameterError("state", f"a {state!r} row cannot fail")
        return self._move(row_no, owner, state, state=FAILED, error=error, settled_at=self._clock())

"""``Batch``: send a whole manifest of images exactly once, wait, download; resumable.

::

    batch = Batch("shoes.rtb-journal", client, uploader=SandboxUploader(sb.url))
    batch.submit("shoes.csv", concurrency=8)   # safe to run again after a crash or Ctrl-C
    batch.wait(timeout=24 * 3600)
    batch.download("cutouts/")
    print(batch.summary())

**Manifest** (:mod:`.manifest`). A CSV file (UTF-8, with a header row) or a sequence /
iterable of mappings with the columns ``image`` (an http(s) URL, or a local file:
relative paths are read from the CSV's folder), ``customer_image_id``, ``product_id``,
``template_id`` and ``callback_url`` (all optional but ``image``). Row *n* is the
*n*-th data row (blank lines do not count). Before anything is sent, every row is
checked and recorded in the journal in one transaction: a bad row raises
:class:`~removethebackground.core.errors.InvalidParameterError` naming the row and the
column, and nothing is submitted. The manifest is streamed (never held in memory)
and so is the journal, so a manifest of any length runs in bounded memory.

**Journal** (:mod:`.journal`, :mod:`.sqlite`). By default an SQLite database (WAL
mode) at the path given; every commit is fsynced (``durable=True``). Each row is
recorded with state ``submitting`` *before* its AddImageToQueue call, and with its
ticket (state ``submitted``) after. A ``submitting`` row without a ticket is an image
whose fate is unknown: the call may or may not have reached the service (a crash,
SIGKILL or Ctrl-C in between, or a connection that dropped after the request was
sent). Such a row is never simply sent again: it is first **reconciled**
(:meth:`Batch._reconcile`) with GetImageStatus by its customerImageId
(``imageTicket`` ``nonticket``, as the service documents). If the service knows the
image, its ticket is recorded; only if it answers "Image not found" is the row sent
again. If GetImageStatus cannot be asked, the row stays unknown (reported by
:meth:`Batch.summary`) until a later run. Rows without a ``customer_image_id`` get
one generated (``rtb-<batch id>-<row>``) and recorded before their first call, so
every row can be reconciled. Reconciliation waits ``settle_seconds`` after a row's
last attempt, so that a request still being processed by the service is found. It
is the client's own piece (:func:`removethebackground.core.reconcile.reconcile`), and
the client's immediate reconciliation is deferred for Batch's calls
(:func:`~removethebackground.core.reconcile.deferred`): each unknown outcome is looked
up once, from the journal.

This relies on customer image ids being unique in the account: give ids that no
earlier image used (or leave the column empty), and never run two processes on one
journal file at once (a lock file, ``<journal>.lock``, refuses a second one).

**Outcomes.** A call the service answers with a client fault (bad template, bad URL
...) or an upload that fails marks the row ``failed`` with the error (definite: no
image was queued); such rows are retried only with ``retry_failed=True``. A server
fault or a transport error leaves the row unknown and it is reconciled in the same
run (up to ``rounds`` times) and, if still unknown, in the next.

**Concurrency.** Calls run on a thread pool of ``concurrency`` threads, fed through a
bounded queue (at most ``2 * concurrency`` rows in flight or waiting). Rows are
claimed from the journal a page at a time before they are worked on.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import dataclasses
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from ...core import observe, reconcile
from ...core.backoff import Backoff
from ...core.errors import (
    ClientFault,
    InvalidParameterError,
    RemoveTheBackgroundError,
    ServerFault,
    TransportError,
)
from ...core.ratelimit import BucketStore, find_limiter
from ...generated import pixelz
from .._common import is_legacy
from ..download import DEFAULT_MAX_BYTES, ResultNames, check_name, download
from ..errors import BatchError, DownloadError, UploadError, WaitTimeout
from ..serialize import from_json, to_json
from ..status import ImageStatusName
from ..upload import resolve_image
from .backends import open_journal
from .follow import FollowCounts, Notifications, ask_one, follow_round
from .journal import (
    DELIVERED_STATUS_ID,
    FAILED,
    PENDING,
    SUBMITTED,
    SUBMITTING,
    TERMINAL_STATUS_IDS,
    JournalRow,
    JournalSpec,
    Selection,
)
from .manifest import Manifest, read_manifest
from .progress import DEFAULT_WINDOW, Progress, format_duration, iso_time, make_progress
from .results import DEFAULT_EXPIRING_WITHIN, DEFAULT_RETENTION, file_sha256, verify_file
from .spend import (
    DEFAULT_CONFIRM_OVER,
    ConfiguredSpend,
    Confirm,
    Prices,
    Quote,
    check_prices,
    check_threshold,
    configured_spend,
    guard,
    make_quote,
)
from .sqlite import SQLiteJournal
from .telemetry import BatchTelemetry, observed

__all__ = ["Batch", "BatchRow", "BatchSummary"]

#: Rows read or claimed from the journal at a time.
PAGE = 256
#: How long a claim lasts without renewal (longer than any one call).
LEASE_SECONDS = 900.0


@dataclasses.dataclass(frozen=True, slots=True)
class BatchRow:
    """One row of the journal (the times and ``sha256``: see :mod:`.journal`)."""

    row_no: int
    image: str
    customer_image_id: str
    product_id: str
    template_id: str
    callback_url: str
    state: str
    attempts: int
    ticket: uuid.UUID | None
    status: ImageStatusName | None
    paths: tuple[str, ...]
    error: str | None
    queued_at: float | None = None
    settled_at: float | None = None
    ready_since: float | None = None
    downloaded_at: float | None = None
    sha256: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class BatchSummary:
    """Counts over the whole journal.

    ``unknown`` counts rows whose submission outcome is not known yet (reconciled on
    the next run); ``by_status`` counts submitted rows by their last known status.
    """

    total: int
    pending: int
    unknown: int
    submitted: int
    failed: int
    by_status: Mapping[str, int]
    downloaded: int
    errors: tuple[tuple[int, str, str], ...] = ()

    @property
    def delivered(self) -> int:
        return self.by_status.get(ImageStatusName.DELIVERED.label, 0)

    @property
    def all_submitted(self) -> bool:
        return self.pending == 0 and self.unknown == 0

    def __str__(self) -> str:
        statuses = ", ".join(f"{k} {v}" for k, v in self.by_status.items()) or "none yet"
        text = (
            f"{self.total} rows: {self.submitted} submitted, {self.failed} failed, "
            f"{self.unknown} unknown, {self.pending} pending; statuses: {statuses}; "
            f"{self.downloaded} downloaded"
        )
        for row_no, cid, error in self.errors:
            text += f"\n  row {row_no} ({cid}): {error}"
        return text


class Batch:
    """A resumable, exactly-once batch of images, recorded in a journal.

    Args:
        journal_path: the journal: the path of an SQLite file (created if missing), or
            a :class:`~.journal.Journal` (see :func:`~.backends.open_journal`); the
            batch closes it when it is closed.
        client: a :class:`~removethebackground.PixelzClient`.
        uploader: turns local files of the manifest into URLs (see :mod:`..upload`).
        durable: fsync every journal commit (``synchronous=FULL``); ``False`` still
            survives a crash of the process, not of the machine.
        settle_seconds: how long after a row's last attempt its outcome is reconciled.
        rounds: reconcile-and-resubmit rounds within one :meth:`submit`.
        max_attempts: calls per row at most, over all runs, before it is ``failed``.
        shared_limits: when the client has ``rate_limits=`` and the journal can keep
            rate-limit buckets (SQLite, PostgreSQL), its calls take their tokens from
            buckets in the journal while the batch is open, so that every process on
            the journal together stays under the limits, and a 429 one of them gets
            pauses them all; ``False`` keeps the client's own buckets.
        retention: seconds the service keeps a delivered image's results (see
            :mod:`.results`; 30 days by default): expiry is counted from it.
        clock: the time source (seconds), for tests.
        sleep: the pause, for tests.
    """

    def __init__(
        self,
        journal_path: JournalSpec,
        client: pixelz.PixelzClient,
        *,
        uploader: Callable[[Path], str] | None = None,
        durable: bool = True,
        settle_seconds: float = 2.0,
        rounds: int = 3,
        max_attempts: int = 5,
        shared_limits: bool = True,
        retention: float = DEFAULT_RETENTION,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        if is_legacy(client):
            raise InvalidParameterError(
                "client", "a batch queues images: use a PixelzClient (generation 2)"
            )
        self.client = client
        self.uploader = uploader
        self.settle_seconds = float(settle_seconds)
        self.rounds = int(rounds)
        self.max_attempts = int(max_attempts)
        self.retention = _positive("retention", retention)
        self._clock = clock
        self._sleep = sleep
        email = str(getattr(client, "email", ""))
        self.journal = open_journal(journal_path, account=email, durable=durable, clock=clock)
        #: The journal file (``None`` for a journal that is not a file).
        self.path: Path | None = (
            self.journal.path if isinstance(self.journal, SQLiteJournal) else None
        )
        self.batch_id = self.journal.batch_id
        owner = self.journal.account
        if owner and email and owner.lower() != email.lower():
            self.journal.close()
            raise BatchError(
                f"{self.journal.location} belongs to a batch of {owner}: use that account or "
                "a new journal"
            )
        # Who holds this batch's claims on rows of the journal.
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        #: What the last :meth:`status` round asked the service.
        self.last_follow = FollowCounts()
        self._telemetry = BatchTelemetry(self.batch_id)
        self._sharing = contextlib.ExitStack()
        #: The rate-limit buckets shared through the journal (``None``: not shared).
        self.buckets: BucketStore | None = None
        if shared_limits:
            self._share_limits()

    def _share_limits(self) -> None:
        limiter = find_limiter(getattr(self.client, "transport", None))
        make = getattr(self.journal, "bucket_store", None)
        if limiter is None or make is None:
            return
        try:
            store = make()
        except BaseException:
            self.journal.close()
            raise
        self.buckets = store
        self._sharing.callback(_close, store)
        self._sharing.enter_context(limiter.sharing(store))

    def close(self) -> None:
        try:
            self._sharing.close()
        finally:
            self.journal.close()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Batch({self.journal.location!r}, batch_id={self.batch_id!r})"

    # --- reading the journal a page at a time -----------------------------------------------

    def _selected(self, selection: Selection) -> Iterator[JournalRow]:
        """Rows of ``selection``, read PAGE at a time by row number (bounded memory)."""
        after = 0
        while True:
            page = self.journal.select(selection, after=after, limit=PAGE)
            if not page:
                return
            yield from page
            after = page[-1].row_no

    def _claimed(self, state: str) -> Iterator[JournalRow]:
        """Rows in ``state``, claimed PAGE at a time; those not handed out are released."""
        after = 0
        while True:
            page = self.journal.claim(
                state, self._owner, after=after, limit=PAGE, lease=LEASE_SECONDS
            )
            if not page:
                return
            after = page[-1].row_no
            for index, row in enumerate(page):
                try:
                    yield row
                except GeneratorExit:
                    for left in page[index + 1 :]:
                        self.journal.release(left.row_no, self._owner)
                    raise

    # --- submitting ---------------------------------------------------------------------------

    def _record(self, manifest: Manifest, retry_failed: bool) -> None:
        rows = read_manifest(manifest, can_upload=self.uploader is not None)
        try:
            self.journal.record_manifest(rows)
        finally:
            rows.close()
        if retry_failed:
            self.journal.reset_failed()

    def _quote(self, prices: Prices | None, configured: ConfiguredSpend) -> Quote:
        checked = check_prices(prices) if prices is not None else configured.prices
        return make_quote(
            (r.template_id for r in self._selected(Selection.PENDING)),
            checked,
            currency=configured.currency if prices is None else "",
        )

    def quote(
        self,
        manifest: Manifest,
        *,
        retry_failed: bool = False,
        price_per_image: Prices | None = None,
    ) -> Quote:
        """What :meth:`submit` would queue now, per template, and its cost when
        ``price_per_image`` is given (else with the config file's ``[prices]``, see
        :mod:`.spend`); nothing is sent (the dry run). The manifest is
        checked and recorded in the journal as :meth:`submit` does, so a rerun counts
        only the rows not queued yet."""
        configured = configured_spend()
        with self.journal.acquire(self._owner):
            self._record(manifest, retry_failed)
            return self._quote(price_per_image, configured)

    @observed("submit")
    def submit(
        self,
        manifest: Manifest,
        *,
        concurrency: int = 4,
        retry_failed: bool = False,
        price_per_image: Prices | None = None,
        confirm_over: int | None = DEFAULT_CONFIRM_OVER,
        max_spend: Decimal | int | float | str | None = None,
        confirm: Confirm | None = None,
        on_progress: Callable[[], object] | None = None,
    ) -> BatchSummary:
        """Submit every row of ``manifest`` not submitted yet; returns :meth:`summary`.

        Safe to call again with the same manifest after any interruption: rows already
        submitted are skipped, rows of unknown outcome are reconciled first.

        Before anything is sent, the rows to queue are counted per template (and priced
        with ``price_per_image``: one amount, or template id -> amount, ``""`` the
        default template; see :meth:`quote`; without it, the config file's ``[prices]``).
        Over ``confirm_over`` images (``None``: never ask) or over ``max_spend`` (without
        it, the config file's ``[spend] max_spend``; it needs a price for every template
        queued), ``confirm(quote)`` is asked; without it, or when it answers ``False``,
        :class:`~.spend.SpendRefused` is raised and nothing is sent.

        ``on_progress()`` is called after each row's call (from the pool's threads; read
        :meth:`progress` there, at the pace you want).
        """
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidParameterError("concurrency", f"must be an int >= 1, got {concurrency!r}")
        limit = check_threshold(confirm_over, max_spend)
        check_prices(price_per_image)
        configured = configured_spend()
        if limit is None:
            limit = configured.max_spend
        with self.journal.acquire(self._owner):
            self._record(manifest, retry_failed)
            quote = self._quote(price_per_image, configured)
            guard(quote, confirm_over=confirm_over, max_spend=limit, confirm=confirm)
            self._telemetry.prices = quote.prices
            with concurrent.futures.ThreadPoolExecutor(concurrency, "rtb-batch") as pool:
                slots = threading.BoundedSemaphore(2 * concurrency)
                for _round in range(self.rounds + 1):
                    self._reconcile_unknown(pool, slots)
                    self._run(
                        pool,
                        slots,
                        self._claimed(PENDING),
                        self._submit_row,
                        claimed=True,
                        phase="submit",
                        after=on_progress,
                    )
                    if not self.journal.count(Selection.PENDING, Selection.UNKNOWN):
                        break
                else:
                    self._reconcile_unknown(pool, slots)
        return self.summary()

    def _run(
        self,
        pool: concurrent.futures.ThreadPoolExecutor,
        slots: threading.BoundedSemaphore,
        rows: Iterator[JournalRow],
        job: Callable[[JournalRow], None],
        *,
        claimed: bool = False,
        phase: str = "row",
        after: Callable[[], object] | None = None,
    ) -> None:
        """Feed ``rows`` to ``job`` on the pool, at most ``2 * concurrency`` at a time;
        ``claimed``: give each row's claim back when its job ends; ``phase``: the
        row's work as its duration metric names it; ``after()``: called when a job has
        ended (a failure of its own ends the run as a job's does)."""
        futures: set[concurrent.futures.Future[None]] = set()
        failure: list[BaseException] = []
        telemetry = self._telemetry

        def work(row: JournalRow) -> None:
            started = time.perf_counter()
            outcome = "error"
            try:
                job(row)
                outcome = "ok"
            finally:
                if claimed:
                    self.journal.release(row.row_no, self._owner)
                telemetry.row(phase, outcome, started)
            if after is not None:
                after()

        def done(future: concurrent.futures.Future[None]) -> None:
            slots.release()
            error = future.exception()
            if error is not None:
                failure.append(error)

        try:
            for row in rows:
                if failure:
                    if claimed:
                        self.journal.release(row.row_no, self._owner)
                    break
                slots.acquire()
                if observe.observer is None:
                    future = pool.submit(work, row)
                else:  # the work's span (and the caller's context) in the pool's thread
                    future = pool.submit(contextvars.copy_context().run, work, row)
                future.add_done_callback(done)
                futures.add(future)
                futures = {f for f in futures if not f.done()}
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()
            concurrent.futures.wait(futures)
        if failure:
            raise failure[0]

    def _submit_row(self, row: JournalRow) -> None:
        row_no, owner = row.row_no, self._owner
        attempts = row.attempts + 1
        if attempts > self.max_attempts:
            reason = f"gave up after {self.max_attempts} attempts"
            if row.error:
                reason += f"; last error: {row.error}"
            self.journal.record_failed(row_no, owner, _short(reason), state=PENDING)
            return
        # Recorded BEFORE the call: from here on, a crash leaves an unknown outcome.
        if not self.journal.start_call(row_no, owner, attempts=attempts):
            return
        try:
            url = resolve_image(row.source, self.uploader)
        except Exception as exc:  # the uploader is the user's: any failure fails the row
            # AddImageToQueue was not called: nothing can have been queued.
            text = (
                str(exc)
                if isinstance(exc, (UploadError, InvalidParameterError))
                else (f"upload failed: {type(exc).__name__}: {exc}")
            )
            self.journal.record_failed(row_no, owner, _short(text), state=SUBMITTING)
            return
        params: dict[str, Any] = {"customer_image_id": row.customer_image_id}
        if row.template_id:
            params["template_id"] = row.template_id
        if row.product_id:
            params["product_id"] = row.product_id
        if row.callback_url:
            params["image_callback_url"] = row.callback_url
        try:
            # A lost answer is reconciled once, by _reconcile after settle_seconds
            # (through the same piece as the client's), not by the client right away.
            with reconcile.deferred():
                answer = self.client.add_image_to_queue(image_url=url, **params)
        except (ClientFault, InvalidParameterError) as exc:
            # The service refused the request (or it was refused before sending): no image.
            self.journal.record_failed(row_no, owner, _short(str(exc)), state=SUBMITTING)
            return
        except (TransportError, ServerFault) as exc:
            # No usable answer: the image may or may not be queued. Reconcile, never resend.
            self.journal.record_unknown(row_no, owner, _short(f"unknown outcome: {exc}"))
            return
        self.journal.record_ticket(row_no, owner, answer.image_ticket)
        self._telemetry.queued(row.template_id)

    # --- reconciliation -----------------------------------------------------------------------

    def _reconcile_unknown(
        self, pool: concurrent.futures.ThreadPoolExecutor, slots: threading.BoundedSemaphore
    ) -> None:
        """Settle every ``submitting`` row (see :meth:`_reconcile`), once the newest
        attempt is ``settle_seconds`` old."""
        newest = self.journal.last_unknown_update()
        if newest is None:
            return
        wait = newest + self.settle_seconds - self._clock()
        if wait > 0:
            self._sleep(min(wait, self.settle_seconds))
        self._run(
            pool,
            slots,
            self._claimed(SUBMITTING),
            self._reconcile,
            claimed=True,
            phase="reconcile",
        )

    def _reconcile(self, row: JournalRow) -> None:
        """Reconcile one row of unknown outcome (claimed, ``submitting``) with the service.

        Looks the image up by the row's ``customer_image_id`` and records what it learns:
        found (and of the row's product): ``submitted`` with its ticket; "not found": the
        call never took effect, back to ``pending``; found but of another product: the id
        was reused, ``failed`` and never resent; no answer: still unknown.
        """
        row_no, owner, cid = row.row_no, self._owner, row.customer_image_id
        try:
            found = reconcile.reconcile(
                self.client, pixelz.OP_ADD_IMAGE_TO_QUEUE, {"customer_image_id": cid}
            )
        except RemoveTheBackgroundError as exc:
            self.journal.record_unknown(row_no, owner, _short(f"unknown outcome: {exc}"))
            return
        if found is None:
            # The service has no image with this id: the call never took effect.
            self.journal.record_not_queued(row_no, owner)
            return
        status = found.item
        if not isinstance(status, pixelz.ImageStatus):
            self.journal.record_unknown(row_no, owner, "unknown outcome: no ImageStatus answered")
            return
        if row.product_id and (status.product_id or "") != row.product_id:
            self.journal.record_failed(
                row_no,
                owner,
                f"customer_image_id {cid!r} belongs to image {status.image_ticket} of "
                f"product {status.product_id!r}, not {row.product_id!r}: ids must be "
                "unique in the account; not resubmitted",
                state=SUBMITTING,
            )
            return
        self.journal.record_ticket(
            row_no,
            owner,
            status.image_ticket,
            status_id=status.status_id,
            status_json=to_json(status),
        )
        self._telemetry.queued(row.template_id)

    # --- after submitting ---------------------------------------------------------------------

    @observed("status")
    def status(self, *, concurrency: int = 4) -> BatchSummary:
        """Learn the status of every submitted image not in a terminal status yet.

        From GetImagesList pages while many rows are unfinished, GetImageStatus for the
        few rows left and for those the pages did not show (see :mod:`.follow`).
        """
        with concurrent.futures.ThreadPoolExecutor(concurrency, "rtb-batch") as pool:
            slots = threading.BoundedSemaphore(2 * concurrency)

            def ask(rows: Iterable[JournalRow]) -> None:
                self._run(pool, slots, iter(rows), self._refresh_row, phase="status")

            self.last_follow = follow_round(
                self.client,
                self.journal,
                lambda: self._selected(Selection.UNFINISHED),
                clock=self._clock,
                ask=ask,
            )
        return self.summary()

    def _refresh_row(self, row: JournalRow) -> None:
        ask_one(self.client, self.journal, row)

    @observed("wait")
    def wait(
        self,
        *,
        timeout: float = 24 * 3600.0,
        poll: float = 5.0,
        max_poll: float = 300.0,
        concurrency: int = 4,
        on_progress: Callable[[BatchSummary], object] | None = None,
        notifications: Notifications | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> BatchSummary:
        """Poll (:meth:`status`) until every submitted image is terminal.

        With ``notifications`` (a :class:`~.follow.Notifications` receiver the rows'
        callback URLs reach), the service is asked only once every unfinished row has
        been notified (one round of pages confirms them all) or, as the slow fallback,
        every ``max_poll`` seconds; in between the pauses of ``poll`` ask nothing.

        Raises :class:`WaitTimeout` when ``timeout`` runs out first.
        """
        # Pauses of poll, 2 poll, ... up to max_poll, each shortened by up to a quarter.
        pauses = Backoff(poll, max(max_poll, poll), jitter=0.25).delays(random.random)
        started = clock()
        slept = 0.0
        previous: BatchSummary | None = None
        max_rounds = int(timeout / max(poll * 0.75, 1e-3)) + 2
        summary = self.summary()
        # With notifications, the first round waits for them too (or for max_poll).
        last_asked: float | None = None if notifications is None else 0.0
        received = 0
        for _round in range(max_rounds):
            if notifications is not None and last_asked is not None:
                # Ask when every unfinished row has been notified since the last round
                # (a notification that did not settle its row does not ask again).
                fresh = notifications.received != received and self._all_notified(notifications)
                if not fresh and (max(clock() - started, slept) - last_asked < max_poll):
                    remaining = timeout - max(clock() - started, slept)
                    if remaining <= 0:
                        break
                    pause = min(poll, remaining)
                    sleep(pause)
                    slept += pause
                    continue
            last_asked = max(clock() - started, slept)
            received = notifications.received if notifications is not None else 0
            summary = self.status(concurrency=concurrency)
            if on_progress is not None and summary != previous:
                on_progress(summary)
            previous = summary
            if self.journal.count(Selection.UNFINISHED) == 0:
                return summary
            remaining = timeout - max(clock() - started, slept)
            if remaining <= 0:
                break
            pause = min(poll if notifications is not None else next(pauses), remaining)
            sleep(pause)
            slept += pause
        raise WaitTimeout(
            f"the batch did not finish within {timeout:g} s: {summary}",
            timeout=timeout,
            last_status=dict(summary.by_status),
        )

    def _all_notified(self, notifications: Notifications) -> bool:
        """Every unfinished row has had a notification (to be confirmed by a round)."""
        noted = notifications.noted()
        return all(row.ticket in noted for row in self._selected(Selection.UNFINISHED))

    @observed("download")
    def download(
        self,
        dest: str | os.PathLike[str],
        *,
        thumbnail: bool = False,
        concurrency: int = 4,
        max_bytes: int = DEFAULT_MAX_BYTES,
        session: requests.Session | None = None,
        name: str | None = None,
        folder: Callable[[BatchRow], str | os.PathLike[str] | None] | None = None,
        verify: bool = True,
        on_progress: Callable[[], object] | None = None,
    ) -> list[Path]:
        """Download every delivered image not downloaded yet into ``dest``; returns the paths.

        The rows go soonest to expire first (by their ``ready_since``, see
        :mod:`.results`). Each file is checked (its size against ``Content-Length``,
        :func:`~removethebackground.workflows.download.download`; a known image type by
        its magic bytes, :func:`~.results.verify_file`) and its SHA-256 recorded in the
        journal. With ``verify`` (the default), the files of rows downloaded before are
        checked first (:meth:`verify`): a file gone or changed is fetched again, while the
        service still has it.

        Files are named by the pattern ``name`` (see
        :func:`~removethebackground.workflows.download.check_name`; by default
        ``{stem}-{ticket8}.{ext}``, ``{stem}`` from the row's image), checked before
        anything is fetched. ``folder``: where a row's files go below ``dest`` (a
        relative folder, ``""`` for ``dest`` itself), or ``None`` to leave the row for
        now. Failures are recorded per row (see :meth:`summary`) and raised together as
        one :class:`DownloadError` at the end. ``on_progress()`` is called after each
        row (from the pool's threads).
        """
        pattern = check_name(name)
        base = Path(dest)
        names = ResultNames()
        written: list[Path] = []
        failures: list[str] = []
        failed_rows: set[int] = set()
        lock = threading.Lock()
        if verify:
            self.verify(concurrency=concurrency)
        now = self._clock()

        def fetch(row: JournalRow) -> None:
            if row.status_json is None:  # a Delivered status is always recorded with it
                return
            where = base
            if folder is not None:
                below = folder(_batch_row(row))
                if below is None:
                    return
                where = _below(base, below)
            status = from_json(pixelz.ImageStatus, row.status_json)
            try:
                names.claim(status, where, name=pattern, source=row.source)
                paths = download(
                    status,
                    where,
                    thumbnail=thumbnail,
                    max_bytes=max_bytes,
                    concurrency=1,
                    session=session,
                    name=pattern,
                    source=row.source,
                )
                digests = []
                for path in paths:
                    try:
                        digests.append(verify_file(path))
                    except DownloadError:
                        path.unlink(missing_ok=True)  # fetched again next time
                        raise
            except DownloadError as exc:
                text = f"download: {exc}"
                expires = _ready(row) + self.retention
                if expires <= now:
                    text += (
                        f" (its results expired at {iso_time(expires)}: the service keeps "
                        f"them {format_duration(self.retention)})"
                    )
                self.journal.record_download(row.row_no, error=_short(text))
                with lock:
                    failures.append(str(exc))
                    failed_rows.add(row.row_no)
                return
            self.journal.record_download(row.row_no, paths=[str(p) for p in paths], sha256=digests)
            with lock:
                written.extend(paths)

        with concurrent.futures.ThreadPoolExecutor(concurrency, "rtb-download") as pool:
            slots = threading.BoundedSemaphore(2 * concurrency)
            self._run(
                pool,
                slots,
                self._by_expiry(failed_rows),
                fetch,
                phase="download",
                after=on_progress,
            )
        if failures:
            raise DownloadError(
                f"{len(failures)} image(s) could not be downloaded (retry to resume): {failures[0]}"
            )
        return written

    def _by_expiry(self, skip: set[int]) -> Iterator[JournalRow]:
        """Delivered rows not downloaded, soonest to expire first, a page at a time; rows
        of ``skip`` (failed in this run: an old row's key moves when its error is
        recorded) are not handed out again."""
        after: tuple[float, int] | None = None
        while True:
            page = self.journal.select_by_expiry(after=after, limit=PAGE)
            if not page:
                return
            for row in page:
                if row.row_no not in skip:
                    yield row
            last = page[-1]
            after = (_ready(last), last.row_no)

    def verify(self, *, concurrency: int = 4) -> int:
        """Check the files of every downloaded row against the SHA-256 recorded for them
        (a row recorded without one: that each is still an image); a file gone or
        changed is removed and its row set to be downloaded again (by :meth:`download`).
        Returns how many rows were set so."""
        again = 0
        lock = threading.Lock()

        def check(row: JournalRow) -> None:
            nonlocal again
            problem = _file_problem(row)
            if problem is None:
                return
            for path in row.paths or ():
                Path(path).unlink(missing_ok=True)
            self.journal.forget_download(row.row_no, _short(f"{problem}: to be fetched again"))
            with lock:
                again += 1

        with concurrent.futures.ThreadPoolExecutor(concurrency, "rtb-verify") as pool:
            slots = threading.BoundedSemaphore(2 * concurrency)
            self._run(pool, slots, self._selected(Selection.DOWNLOADED), check, phase="verify")
        return again

    def progress(
        self,
        *,
        window: float = DEFAULT_WINDOW,
        expiring_within: float = DEFAULT_EXPIRING_WITHIN,
        price_per_image: Prices | None = None,
        by_template: bool = True,
    ) -> Progress:
        """Where the batch stands, from the journal alone (nothing is asked of the
        service): rows per state, rates over the last ``window`` seconds and ETAs, the
        spend so far (with ``price_per_image``, as :meth:`submit` takes it, else the
        config file's ``[prices]``) and the
        results expiring within ``expiring_within`` seconds or expired (see
        :mod:`.progress`). ``by_template=False`` (for a progress bar, at a cost that
        does not grow with the batch) counts the rows per template only when there are
        prices (given or configured) to price them with."""
        window = _positive("window", window)
        if not expiring_within >= 0:
            raise InvalidParameterError(
                "expiring_within", f"must be seconds >= 0, got {expiring_within!r}"
            )
        if price_per_image is not None:
            prices, currency = check_prices(price_per_image), ""
        else:  # the config file's [prices], as a submit's quote takes them
            configured = configured_spend()
            prices, currency = configured.prices, configured.currency
        now = self._clock()
        tally = self.journal.tally()
        pace = self.journal.pace(
            since=now - window,
            expired_before=now - self.retention,
            expiring_before=now + expiring_within - self.retention,
            by_template=by_template or prices is not None,
        )
        labels = {i: _status_label(i) for i in tally.statuses}
        return make_progress(
            tally,
            pace,
            now=now,
            window=window,
            retention=self.retention,
            expiring_within=float(expiring_within),
            labels=labels,
            terminal=TERMINAL_STATUS_IDS,
            delivered_id=DELIVERED_STATUS_ID,
            prices=prices,
            currency=currency,
        )

    def expires_at(self, row: JournalRow | BatchRow) -> float | None:
        """When a Delivered row's results expire at the latest known (``None``: not
        Delivered, or recorded before the journal kept times)."""
        ready = row.ready_since
        return None if ready is None else ready + self.retention

    # --- reading the journal ----------------------------------------------------------------

    def rows(self) -> Iterator[BatchRow]:
        """Every row of the journal, in manifest order (read a page at a time)."""
        for row in self._selected(Selection.ALL):
            yield _batch_row(row)

    def summary(self) -> BatchSummary:
        tally = self.journal.tally()
        by_status: dict[str, int] = {}
        for status_id, n in tally.statuses.items():
            name = _status_label(status_id)
            by_status[name] = by_status.get(name, 0) + n
        states = tally.states
        return BatchSummary(
            total=sum(states.values()),
            pending=states.get(PENDING, 0),
            unknown=states.get(SUBMITTING, 0),
            submitted=states.get(SUBMITTED, 0),
            failed=states.get(FAILED, 0),
            by_status=dict(sorted(by_status.items())),
            downloaded=tally.downloaded,
            errors=tally.errors,
        )


def _close(store: object) -> None:
    close = getattr(store, "close", None)
    if close is not None:
        close()


def _ready(row: JournalRow) -> float:
    """A row's ready time as the journal orders by it (``sql.READY``)."""
    return row.ready_since if row.ready_since is not None else row.updated


def _file_problem(row: JournalRow) -> str | None:
    """What is wrong with a downloaded row's files now, or ``None``."""
    digests = row.sha256
    for index, path in enumerate(row.paths or ()):
        file = Path(path)
        if digests is not None and index < len(digests):
            found = file_sha256(file)
            if found is None:
                return f"{path} is missing"
            if found != digests[index]:
                return f"{path} changed since it was downloaded (its SHA-256 differs)"
            continue
        if not file.is_file():
            return f"{path} is missing"
        try:
            verify_file(file)
        except DownloadError as exc:
            return str(exc)
    return None


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidParameterError(name, f"must be a positive number of seconds, got {value!r}")
    return float(value)


def _status_label(status_id: int | None) -> str:
    if status_id is None:
        return "Not checked"
    try:
        return ImageStatusName.parse(int(status_id)).label
    except InvalidParameterError:
        return f"Status {status_id}"


def _below(base: Path, folder: str | os.PathLike[str]) -> Path:
    """``base / folder``, refusing a folder that leaves ``base``."""
    relative = Path(folder)
    if relative.is_absolute() or ".." in relative.parts:
        raise InvalidParameterError(
            "folder", f"must give a folder below the destination, got {os.fspath(folder)!r}"
        )
    return base / relative


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _batch_row(row: JournalRow) -> BatchRow:
    try:
        status = None if row.status_id is None else ImageStatusName.parse(row.status_id)
    except InvalidParameterError:
        status = None
    return BatchRow(
        row_no=row.row_no,
        image=row.image,
        customer_image_id=row.customer_image_id,
        product_id=row.product_id,
        template_id=row.template_id,
        callback_url=row.callback_url,
        state=row.state,
        attempts=row.attempts,
        ticket=row.ticket,
        status=status,
        paths=row.paths or (),
        error=row.error,
        queued_at=row.queued_at,
        settled_at=row.settled_at,
        ready_since=row.ready_since,
        downloaded_at=row.downloaded_at,
        sha256=row.sha256 or (),
    )

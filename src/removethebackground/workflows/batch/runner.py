"""``Batch``: send a whole manifest of images exactly once, wait, download; resumable.

::

    batch = Batch("shoes.rtb-journal", client, uploader=SandboxUploader(sb.url))
    batch.submit("shoes.csv", concurrency=8)   # safe to run again after a crash or Ctrl-C
    batch.wait(timeout=24 * 3600)
    batch.download("cutouts/")
    print(batch.summary())

**Manifest.** A CSV file (UTF-8, with a header row) or a sequence / iterable of
mappings with the columns ``image`` (an http(s) URL, or a local file: relative paths
are read from the CSV's folder), ``customer_image_id``, ``product_id``,
``template_id`` and ``callback_url`` (all optional but ``image``). Row *n* is the
*n*-th data row (blank lines do not count). Before anything is sent, every row is
checked and recorded in the journal in one transaction: a bad row raises
:class:`~removethebackground.core.errors.InvalidParameterError` naming the row and the
column, and nothing is submitted. The manifest is streamed (never held in memory)
and so is the journal, so a manifest of any length runs in bounded memory.

**Journal.** An SQLite database (WAL mode) at ``journal_path``; by default every
commit is fsynced (``durable=True``). Each row is recorded with state ``submitting``
*before* its AddImageToQueue call, and with its ticket (state ``submitted``) after.
A ``submitting`` row without a ticket is an image whose fate is unknown: the call
may or may not have reached the service (a crash, SIGKILL or Ctrl-C in between, or
a connection that dropped after the request was sent). Such a row is never simply
sent again: it is first **reconciled** with GetImageStatus by its customerImageId
(``imageTicket`` ``nonticket``, as the service documents). If the service knows the
image, its ticket is recorded; only if it answers "Image not found" is the row sent
again. If GetImageStatus cannot be asked, the row stays unknown (reported by
:meth:`summary`) until a later run. Rows without a ``customer_image_id`` get one
generated (``rtb-<batch id>-<row>``) and recorded before their first call, so every
row can be reconciled. Reconciliation waits ``settle_seconds`` after a row's last
attempt, so that a request still being processed by the service is found.

This relies on customer image ids being unique in the account: give ids that no
earlier image used (or leave the column empty), and never run two processes on one
journal at once (a lock file, ``<journal>.lock``, refuses a second one).

**Outcomes.** A call the service answers with a client fault (bad template, bad URL
...) or an upload that fails marks the row ``failed`` with the error (definite: no
image was queued); such rows are retried only with ``retry_failed=True``. A server
fault or a transport error leaves the row unknown and it is reconciled in the same
run (up to ``rounds`` times) and, if still unknown, in the next.

**Concurrency.** Calls run on a thread pool of ``concurrency`` threads, fed through a
bounded queue (at most ``2 * concurrency`` rows in flight or waiting).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import dataclasses
import json
import os
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import requests

from ..core.errors import (
    ClientFault,
    InvalidParameterError,
    NotFoundError,
    RemoveTheBackgroundError,
    ServerFault,
    TransportError,
)
from ..generated import pixelz
from ._common import Backoff, get_status, is_legacy
from .download import DEFAULT_MAX_BYTES, download
from .errors import BatchError, DownloadError, UploadError, WaitTimeout
from .serialize import from_json, to_json
from .status import ImageStatusName
from .upload import is_url, resolve_image

try:  # POSIX: refuse a second process on the same journal
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["MANIFEST_COLUMNS", "Batch", "BatchRow", "BatchSummary"]

MANIFEST_COLUMNS = ("image", "customer_image_id", "product_id", "template_id", "callback_url")
PAGE = 256
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    row_no INTEGER PRIMARY KEY,
    image TEXT NOT NULL,
    source TEXT NOT NULL,
    given_id TEXT NOT NULL,
    customer_image_id TEXT NOT NULL UNIQUE,
    product_id TEXT NOT NULL,
    template_id TEXT NOT NULL,
    callback_url TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    ticket TEXT,
    status_id INTEGER,
    status_json TEXT,
    paths TEXT,
    error TEXT,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS rows_by_state ON rows (state, row_no);
"""

PENDING, SUBMITTING, SUBMITTED, FAILED = "pending", "submitting", "submitted", "failed"


@dataclasses.dataclass(frozen=True, slots=True)
class BatchRow:
    """One row of the journal."""

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


@dataclasses.dataclass(frozen=True, slots=True)
class _Row:
    row_no: int
    image: str
    source: str
    given_id: str
    product_id: str
    template_id: str
    callback_url: str


class Batch:
    """A resumable, exactly-once batch of images, recorded in the journal at ``journal_path``.

    Args:
        journal_path: the SQLite journal (created if missing).
        client: a :class:`~removethebackground.PixelzClient`.
        uploader: turns local files of the manifest into URLs (see :mod:`.upload`).
        durable: fsync every journal commit (``synchronous=FULL``); ``False`` still
            survives a crash of the process, not of the machine.
        settle_seconds: how long after a row's last attempt its outcome is reconciled.
        rounds: reconcile-and-resubmit rounds within one :meth:`submit`.
        max_attempts: calls per row at most, over all runs, before it is ``failed``.
        clock: the time source (seconds), for tests.
        sleep: the pause, for tests.
    """

    def __init__(
        self,
        journal_path: str | os.PathLike[str],
        client: pixelz.PixelzClient,
        *,
        uploader: Callable[[Path], str] | None = None,
        durable: bool = True,
        settle_seconds: float = 2.0,
        rounds: int = 3,
        max_attempts: int = 5,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        if is_legacy(client):
            raise InvalidParameterError(
                "client", "a batch queues images: use a PixelzClient (generation 2)"
            )
        self.path = Path(journal_path)
        self.client = client
        self.uploader = uploader
        self.settle_seconds = float(settle_seconds)
        self.rounds = int(rounds)
        self.max_attempts = int(max_attempts)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise BatchError(f"cannot use {self.path} as a batch journal: {exc}") from None
        self.batch_id = self._meta("batch_id") or self._init_meta()
        owner = self._meta("account")
        email = getattr(client, "email", "")
        if owner and email and owner.lower() != str(email).lower():
            self._db.close()
            raise BatchError(
                f"{self.path} belongs to a batch of {owner}: use that account or a new journal"
            )

    # --- journal plumbing -----------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _init_meta(self) -> str:
        batch_id = uuid.uuid4().hex[:12]
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('batch_id', ?)", (batch_id,))
            self._db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('account', ?)",
                (str(getattr(self.client, "email", "")),),
            )
        return self._meta("batch_id") or batch_id

    def _update(self, row_no: int, where_state: str | None = None, **changes: Any) -> bool:
        changes["updated"] = self._clock()
        columns = ", ".join(f"{k} = ?" for k in changes)
        sql = f"UPDATE rows SET {columns} WHERE row_no = ?"  # noqa: S608 - fixed column names
        args: list[Any] = [*changes.values(), row_no]
        if where_state is not None:
            sql += " AND state = ?"
            args.append(where_state)
        with self._lock:
            cursor = self._db.execute(sql, args)
        return cursor.rowcount == 1

    def _select(self, where: str, args: Sequence[Any] = ()) -> Iterator[sqlite3.Row]:
        """Rows matching ``where``, read PAGE at a time by row number (bounded memory)."""
        last = 0
        while True:
            with self._lock:
                page = self._db.execute(
                    f"SELECT * FROM rows WHERE row_no > ? AND ({where}) "  # noqa: S608
                    "ORDER BY row_no LIMIT ?",
                    (last, *args, PAGE),
                ).fetchall()
            if not page:
                return
            yield from page
            last = int(page[-1]["row_no"])

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        if fcntl is None:  # pragma: no cover
            yield
            return
        handle = open(f"{self.path}.lock", "a+b")
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise BatchError(
                    f"another process is running the batch of {self.path}: wait for it to end"
                ) from None
            yield
        finally:
            handle.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Batch({str(self.path)!r}, batch_id={self.batch_id!r})"

    # --- the manifest -------------------------------------------------------------------------

    def _load(self, manifest: str | os.PathLike[str] | Iterable[Mapping[str, Any]]) -> int:
        """Check every row and record it (``pending``) in one transaction; returns the count."""
        base = Path.cwd()
        handle: IO[str] | None = None
        rows: Iterable[Mapping[str, Any]]
        if isinstance(manifest, (str, os.PathLike)):
            path = Path(manifest)
            try:
                handle = open(path, newline="", encoding="utf-8-sig")
            except OSError as exc:
                raise InvalidParameterError(
                    "manifest", f"cannot read {path}: {exc.strerror}"
                ) from None
            base = path.resolve().parent
            reader = csv.DictReader(handle)
            _check_columns(reader.fieldnames or [])
            rows = reader
        else:
            rows = manifest
        now = self._clock()
        count = 0
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for count, raw in enumerate(rows, start=1):
                        row = self._check_row(count, raw, base)
                        self._record(row, now)
                    extra = self._db.execute(
                        "SELECT COUNT(*) FROM rows WHERE row_no > ?", (count,)
                    ).fetchone()[0]
                    if extra:
                        raise BatchError(
                            f"the manifest has {count} rows but the journal {self.path} has "
                            f"{count + extra}: it is not the manifest this batch was started with"
                        )
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        finally:
            if handle is not None:
                handle.close()
        return count

    def _check_row(self, row_no: int, raw: Mapping[str, Any], base: Path) -> _Row:
        if not isinstance(raw, Mapping):
            raise InvalidParameterError("manifest", f"row {row_no} is not a mapping of columns")
        values: dict[str, str] = {}
        for key, value in raw.items():
            if key is None:  # csv: more cells than the header has columns
                if any(str(v).strip() for v in (value or [])):
                    raise InvalidParameterError(
                        f"manifest row {row_no}", "has more cells than the header has columns"
                    )
                continue
            name = str(key).strip().lower()
            if name not in MANIFEST_COLUMNS:
                raise InvalidParameterError(
                    f"manifest row {row_no}",
                    f"unknown column {key!r}: use {', '.join(MANIFEST_COLUMNS)}",
                )
            values[name] = "" if value is None else str(value).strip()

        def bad(column: str, message: str) -> InvalidParameterError:
            return InvalidParameterError(f"manifest row {row_no} column {column}", message)

        for column, text in values.items():
            if any(ord(c) < 0x20 for c in text):
                raise bad(column, "contains control characters")
        image = values.get("image", "")
        if not image:
            raise bad("image", "is empty: give an http(s) URL or a local file")
        if is_url(image):
            source = image
        elif "://" in image:
            raise bad("image", f"only http:// and https:// URLs can be queued: {image[:80]!r}")
        else:
            path = Path(image)
            path = path if path.is_absolute() else base / path
            if not path.is_file():
                raise bad("image", f"{image!r} is neither an http(s) URL nor an existing file")
            if self.uploader is None:
                raise bad(
                    "image",
                    f"{image!r} is a local file: create the Batch with uploader=SandboxUploader"
                    "(url), PresignedPutUploader(presign) or any callable (path) -> url",
                )
            source = str(path)
        given = values.get("customer_image_id", "")
        if len(given) > 100:
            raise bad("customer_image_id", "is longer than 100 characters")
        product = values.get("product_id", "")
        if len(product) > 100:
            raise bad("product_id", "is longer than 100 characters")
        template = values.get("template_id", "")
        if template and not template.isdigit():
            raise bad("template_id", f"must be a number, got {template!r}")
        callback = values.get("callback_url", "")
        if callback and not is_url(callback):
            raise bad("callback_url", f"must be an http(s) URL, got {callback[:80]!r}")
        return _Row(row_no, image, source, given, product, template, callback)

    def _record(self, row: _Row, now: float) -> None:
        existing = self._db.execute(
            "SELECT image, given_id, product_id, template_id, callback_url FROM rows "
            "WHERE row_no = ?",
            (row.row_no,),
        ).fetchone()
        if existing is not None:
            for column in ("image", "given_id", "product_id", "template_id", "callback_url"):
                if existing[column] != getattr(row, column):
                    shown = "customer_image_id" if column == "given_id" else column
                    raise BatchError(
                        f"manifest row {row.row_no} column {shown} changed since the batch "
                        f"started ({existing[column]!r} -> {getattr(row, column)!r}): use the "
                        "same manifest to resume, or a new journal for a new manifest"
                    )
            return
        cid = row.given_id or f"rtb-{self.batch_id}-{row.row_no}"
        try:
            self._db.execute(
                "INSERT INTO rows (row_no, image, source, given_id, customer_image_id, "
                "product_id, template_id, callback_url, state, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.row_no,
                    row.image,
                    row.source,
                    row.given_id,
                    cid,
                    row.product_id,
                    row.template_id,
                    row.callback_url,
                    PENDING,
                    now,
                ),
            )
        except sqlite3.IntegrityError:
            other = self._db.execute(
                "SELECT row_no FROM rows WHERE customer_image_id = ?", (cid,)
            ).fetchone()
            raise InvalidParameterError(
                f"manifest row {row.row_no} column customer_image_id",
                f"{cid!r} is also the id of row {other[0] if other else '?'}: ids must be unique",
            ) from None

    # --- submitting ---------------------------------------------------------------------------

    def submit(
        self,
        manifest: str | os.PathLike[str] | Iterable[Mapping[str, Any]],
        *,
        concurrency: int = 4,
        retry_failed: bool = False,
    ) -> BatchSummary:
        """Submit every row of ``manifest`` not submitted yet; returns :meth:`summary`.

        Safe to call again with the same manifest after any interruption: rows already
        submitted are skipped, rows of unknown outcome are reconciled first.
        """
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidParameterError("concurrency", f"must be an int >= 1, got {concurrency!r}")
        with self._exclusive():
            self._load(manifest)
            if retry_failed:
                with self._lock:
                    self._db.execute(
                        "UPDATE rows SET state = ?, attempts = 0 WHERE state = ?",
                        (PENDING, FAILED),
                    )
            with concurrent.futures.ThreadPoolExecutor(concurrency, "rtb-batch") as pool:
                slots = threading.BoundedSemaphore(2 * concurrency)
                for _round in range(self.rounds + 1):
                    self._reconcile(pool, slots)
                    self._run(pool, slots, self._select("state = ?", (PENDING,)))
                    with self._lock:
                        left = self._db.execute(
                            "SELECT COUNT(*) FROM rows WHERE state IN (?, ?)",
                            (PENDING, SUBMITTING),
                        ).fetchone()[0]
                    if not left:
                        break
                else:
                    self._reconcile(pool, slots)
        return self.summary()

    def _run(
        self,
        pool: concurrent.futures.ThreadPoolExecutor,
        slots: threading.BoundedSemaphore,
        rows: Iterable[sqlite3.Row],
        job: Callable[[sqlite3.Row], None] | None = None,
    ) -> None:
        """Feed ``rows`` to ``job`` on the pool, at most ``2 * concurrency`` at a time."""
        work = job or self._submit_row
        futures: set[concurrent.futures.Future[None]] = set()
        failure: list[BaseException] = []

        def done(future: concurrent.futures.Future[None]) -> None:
            slots.release()
            error = future.exception()
            if error is not None:
                failure.append(error)

        try:
            for row in rows:
                if failure:
                    break
                slots.acquire()
                future = pool.submit(work, row)
                future.add_done_callback(done)
                futures.add(future)
                futures = {f for f in futures if not f.done()}
        finally:
            concurrent.futures.wait(futures)
        if failure:
            raise failure[0]

    def _submit_row(self, row: sqlite3.Row) -> None:
        row_no = int(row["row_no"])
        attempts = int(row["attempts"]) + 1
        if attempts > self.max_attempts:
            reason = f"gave up after {self.max_attempts} attempts"
            if row["error"]:
                reason += f"; last error: {row['error']}"
            self._update(row_no, PENDING, state=FAILED, error=_short(reason))
            return
        # Recorded BEFORE the call: from here on, a crash leaves an unknown outcome.
        if not self._update(row_no, PENDING, state=SUBMITTING, attempts=attempts, error=None):
            return
        try:
            url = resolve_image(row["source"], self.uploader)
        except Exception as exc:  # the uploader is the user's: any failure fails the row
            # AddImageToQueue was not called: nothing can have been queued.
            text = (
                str(exc)
                if isinstance(exc, (UploadError, InvalidParameterError))
                else (f"upload failed: {type(exc).__name__}: {exc}")
            )
            self._update(row_no, SUBMITTING, state=FAILED, error=_short(text))
            return
        params: dict[str, Any] = {"customer_image_id": row["customer_image_id"]}
        if row["template_id"]:
            params["template_id"] = row["template_id"]
        if row["product_id"]:
            params["product_id"] = row["product_id"]
        if row["callback_url"]:
            params["image_callback_url"] = row["callback_url"]
        try:
            answer = self.client.add_image_to_queue(image_url=url, **params)
        except (ClientFault, InvalidParameterError) as exc:
            # The service refused the request (or it was refused before sending): no image.
            self._update(row_no, SUBMITTING, state=FAILED, error=_short(str(exc)))
            return
        except (TransportError, ServerFault) as exc:
            # No usable answer: the image may or may not be queued. Reconcile, never resend.
            self._update(row_no, SUBMITTING, error=_short(f"unknown outcome: {exc}"))
            return
        self._update(
            row_no, SUBMITTING, state=SUBMITTED, ticket=str(answer.image_ticket), error=None
        )

    def _reconcile(
        self, pool: concurrent.futures.ThreadPoolExecutor, slots: threading.BoundedSemaphore
    ) -> None:
        """Settle every ``submitting`` row: ticket found, or known not queued (pending)."""
        with self._lock:
            newest = self._db.execute(
                "SELECT MAX(updated) FROM rows WHERE state = ?", (SUBMITTING,)
            ).fetchone()[0]
        if newest is None:
            return
        wait = float(newest) + self.settle_seconds - self._clock()
        if wait > 0:
            self._sleep(min(wait, self.settle_seconds))
        self._run(pool, slots, self._select("state = ?", (SUBMITTING,)), self._reconcile_row)

    def _reconcile_row(self, row: sqlite3.Row) -> None:
        row_no = int(row["row_no"])
        cid = str(row["customer_image_id"])
        try:
            status = get_status(self.client, customer_image_id=cid)
        except NotFoundError:
            # The service has no image with this id: the call never took effect.
            self._update(row_no, SUBMITTING, state=PENDING, error=None)
            return
        except RemoveTheBackgroundError as exc:
            self._update(row_no, SUBMITTING, error=_short(f"unknown outcome: {exc}"))
            return
        if not isinstance(status, pixelz.ImageStatus):
            self._update(row_no, SUBMITTING, error="unknown outcome: no ImageStatus answered")
            return
        if row["product_id"] and (status.product_id or "") != row["product_id"]:
            self._update(
                row_no,
                SUBMITTING,
                state=FAILED,
                error=(
                    f"customer_image_id {cid!r} belongs to image {status.image_ticket} of "
                    f"product {status.product_id!r}, not {row['product_id']!r}: ids must be "
                    "unique in the account; not resubmitted"
                ),
            )
            return
        self._update(
            row_no,
            SUBMITTING,
            state=SUBMITTED,
            ticket=str(status.image_ticket),
            status_id=status.status_id,
            status_json=to_json(status),
            error=None,
        )

    # --- after submitting ---------------------------------------------------------------------

    def status(self, *, concurrency: int = 4) -> BatchSummary:
        """Ask GetImageStatus for every submitted image not in a terminal status yet."""
        terminal = tuple(int(s) for s in ImageStatusName if s.is_terminal)
        marks = ", ".join("?" for _ in terminal)
        with concurrent.futures.ThreadPoolExecutor(concurrency, "rtb-batch") as pool:
            slots = threading.BoundedSemaphore(2 * concurrency)
            self._run(
                pool,
                slots,
                self._select(
                    f"state = ? AND (status_id IS NULL OR status_id NOT IN ({marks}))",
                    (SUBMITTED, *terminal),
                ),
                self._refresh_row,
            )
        return self.summary()

    def _refresh_row(self, row: sqlite3.Row) -> None:
        try:
            status = get_status(self.client, uuid.UUID(row["ticket"]))
        except (TransportError, ServerFault):
            return  # asked again next time
        if status is None:
            return
        self._update(int(row["row_no"]), status_id=status.status_id, status_json=to_json(status))

    def wait(
        self,
        *,
        timeout: float = 24 * 3600.0,
        poll: float = 5.0,
        max_poll: float = 300.0,
        concurrency: int = 4,
        on_progress: Callable[[BatchSummary], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> BatchSummary:
        """Poll (:meth:`status`) until every submitted image is terminal.

        Raises :class:`WaitTimeout` when ``timeout`` runs out first.
        """
        backoff = Backoff(poll, max_poll)
        started = clock()
        slept = 0.0
        previous: BatchSummary | None = None
        max_rounds = int(timeout / max(poll * 0.75, 1e-3)) + 2
        summary = self.summary()
        for _round in range(max_rounds):
            summary = self.status(concurrency=concurrency)
            if on_progress is not None and summary != previous:
                on_progress(summary)
            previous = summary
            if self._open_count() == 0:
                return summary
            remaining = timeout - max(clock() - started, slept)
            if remaining <= 0:
                break
            pause = min(backoff.next(), remaining)
            sleep(pause)
            slept += pause
        raise WaitTimeout(
            f"the batch did not finish within {timeout:g} s: {summary}",
            timeout=timeout,
            last_status=dict(summary.by_status),
        )

    def _open_count(self) -> int:
        """Submitted rows whose last known status is not terminal."""
        terminal = tuple(int(s) for s in ImageStatusName if s.is_terminal)
        marks = ", ".join("?" for _ in terminal)
        with self._lock:
            count = self._db.execute(
                "SELECT COUNT(*) FROM rows WHERE state = ? AND "  # noqa: S608
                f"(status_id IS NULL OR status_id NOT IN ({marks}))",
                (SUBMITTED, *terminal),
            ).fetchone()[0]
        return int(count)

    def download(
        self,
        dest: str | os.PathLike[str],
        *,
        thumbnail: bool = False,
        concurrency: int = 4,
        max_bytes: int = DEFAULT_MAX_BYTES,
        session: requests.Session | None = None,
    ) -> list[Path]:
        """Download every delivered image not downloaded yet into ``dest``; returns the paths.

        Files are named by the row's customer image id when it is a safe file name,
        else by the ticket. Failures are recorded per row (see :meth:`summary`) and
        raised together as one :class:`DownloadError` at the end.
        """
        written: list[Path] = []
        failures: list[str] = []
        lock = threading.Lock()

        def fetch(row: sqlite3.Row) -> None:
            status = from_json(pixelz.ImageStatus, row["status_json"])
            cid = str(row["customer_image_id"])
            try:
                paths = download(
                    status,
                    dest,
                    thumbnail=thumbnail,
                    max_bytes=max_bytes,
                    concurrency=1,
                    session=session,
                    name=cid if _SAFE_NAME.fullmatch(cid) else None,
                )
            except DownloadError as exc:
                self._update(int(row["row_no"]), error=_short(f"download: {exc}"))
                with lock:
                    failures.append(str(exc))
                return
            self._update(int(row["row_no"]), paths=json.dumps([str(p) for p in paths]), error=None)
            with lock:
                written.extend(paths)

        with concurrent.futures.ThreadPoolExecutor(concurrency, "rtb-download") as pool:
            slots = threading.BoundedSemaphore(2 * concurrency)
            self._run(
                pool,
                slots,
                self._select(
                    "state = ? AND status_id = ? AND paths IS NULL",
                    (SUBMITTED, int(ImageStatusName.DELIVERED)),
                ),
                fetch,
            )
        if failures:
            raise DownloadError(
                f"{len(failures)} image(s) could not be downloaded (retry to resume): {failures[0]}"
            )
        return written

    # --- reading the journal ----------------------------------------------------------------

    def rows(self) -> Iterator[BatchRow]:
        """Every row of the journal, in manifest order (read a page at a time)."""
        for row in self._select("1"):
            yield _batch_row(row)

    def summary(self) -> BatchSummary:
        with self._lock:
            states = dict(
                self._db.execute("SELECT state, COUNT(*) FROM rows GROUP BY state").fetchall()
            )
            statuses = self._db.execute(
                "SELECT status_id, COUNT(*) FROM rows WHERE state = ? GROUP BY status_id",
                (SUBMITTED,),
            ).fetchall()
            downloaded = self._db.execute(
                "SELECT COUNT(*) FROM rows WHERE paths IS NOT NULL"
            ).fetchone()[0]
            errors = self._db.execute(
                "SELECT row_no, customer_image_id, error FROM rows WHERE error IS NOT NULL "
                "ORDER BY row_no LIMIT 10"
            ).fetchall()
        by_status: dict[str, int] = {}
        for status_id, n in statuses:
            name = _status_label(status_id)
            by_status[name] = by_status.get(name, 0) + int(n)
        return BatchSummary(
            total=sum(int(n) for n in states.values()),
            pending=int(states.get(PENDING, 0)),
            unknown=int(states.get(SUBMITTING, 0)),
            submitted=int(states.get(SUBMITTED, 0)),
            failed=int(states.get(FAILED, 0)),
            by_status=dict(sorted(by_status.items())),
            downloaded=int(downloaded),
            errors=tuple((int(r[0]), str(r[1]), str(r[2])) for r in errors),
        )


def _check_columns(names: Sequence[str]) -> None:
    cleaned = [str(n or "").strip().lower() for n in names]
    if "image" not in cleaned:
        raise InvalidParameterError(
            "manifest", f"the CSV has no 'image' column (columns: {', '.join(MANIFEST_COLUMNS)})"
        )
    unknown = [n for n in cleaned if n not in MANIFEST_COLUMNS]
    if unknown:
        raise InvalidParameterError(
            "manifest", f"unknown column {unknown[0]!r}: use {', '.join(MANIFEST_COLUMNS)}"
        )


def _status_label(status_id: int | None) -> str:
    if status_id is None:
        return "Not checked"
    try:
        return ImageStatusName.parse(int(status_id)).label
    except InvalidParameterError:
        return f"Status {status_id}"


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _batch_row(row: sqlite3.Row) -> BatchRow:
    status_id = row["status_id"]
    try:
        status = None if status_id is None else ImageStatusName.parse(int(status_id))
    except InvalidParameterError:
        status = None
    return BatchRow(
        row_no=int(row["row_no"]),
        image=str(row["image"]),
        customer_image_id=str(row["customer_image_id"]),
        product_id=str(row["product_id"]),
        template_id=str(row["template_id"]),
        callback_url=str(row["callback_url"]),
        state=str(row["state"]),
        attempts=int(row["attempts"]),
        ticket=None if row["ticket"] is None else uuid.UUID(row["ticket"]),
        status=status,
        paths=tuple(json.loads(row["paths"])) if row["paths"] else (),
        error=row["error"],
    )

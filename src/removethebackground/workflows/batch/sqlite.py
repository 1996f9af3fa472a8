"""The journal in an SQLite file (WAL mode): :class:`SQLiteJournal`.

One file holds the batch: a ``meta`` table (the batch id and its account) and a
``rows`` table (one row per manifest row, with its state, ticket, status and files).
By default every commit is fsynced (``synchronous=FULL``): a row written
``submitting`` before its call is on disk before the request leaves, even if the
machine then loses power. ``durable=False`` (``synchronous=NORMAL``) still survives
a crash or kill of the process.

A file on one machine is run by one process at a time: :meth:`SQLiteJournal.acquire`
holds an exclusive ``flock`` on ``<journal>.lock`` and refuses a second runner. So
claims need not outlive the process: they are kept in memory (the file's format is
the same as before claims existed, and a crash cannot leave a stale one behind), and
they still make rows exclusive between owners within the process.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.errors import InvalidParameterError
from ..errors import BatchError
from .journal import (
    EVENTS,
    FAILED,
    PENDING,
    PREVIOUS_UPDATE,
    SCHEMA_VERSION,
    SUBMITTED,
    SUBMITTING,
    TERMINAL_STATUS_IDS,
    JournalPace,
    JournalRow,
    JournalTally,
    RowTransitions,
    Selection,
    generated_customer_id,
)
from .manifest import ManifestRow
from .sql import (
    ADDED_COLUMNS,
    COMPARED,
    READY,
    check_claim,
    expiry_keyset,
    index_statements,
    pace_of,
    pace_queries,
    selection_where,
)

try:  # POSIX: refuse a second process on the same journal
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from .buckets import SQLiteBuckets

__all__ = ["SQLiteJournal"]

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

_WHERE = selection_where("1")
# SQLite's planner, without statistics, prefers the index of (state, status_id) to the
# partial index of the rows due (which gives the expiry order and counts): it is named.
_DUE_FROM = "rows INDEXED BY rows_by_ready"
_PACE = pace_queries("rows", "?", due_from=_DUE_FROM)
_KINDS = {"time": "REAL", "text": "TEXT"}


class SQLiteJournal(RowTransitions):
    """A batch journal in the SQLite file ``path`` (created if missing).

    Args:
        path: the journal file.
        account: the account recorded when the file is created.
        durable: fsync every commit (``synchronous=FULL``).
        clock: seconds (``time.time`` by default): stamps rows, times leases.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        account: str = "",
        durable: bool = True,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.path = Path(path)
        self._clock = clock or time.time
        self._lock = threading.RLock()
        # row_no -> (owner, lease ends, lease length): see the module documentation.
        self._leases: dict[int, tuple[str, float, float]] = {}
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._db.executescript(_SCHEMA)
            self._migrate()
            self._batch_id = self._meta("batch_id") or self._init_meta(account)
            self._account = self._meta("account") or ""
        except sqlite3.Error as exc:
            with contextlib.suppress(Exception):
                self._db.close()
            raise BatchError(f"cannot use {self.path} as a batch journal: {exc}") from None

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def batch_id(self) -> str:
        return self._batch_id

    @property
    def account(self) -> str:
        return self._account

    def __repr__(self) -> str:
        return f"SQLiteJournal({str(self.path)!r})"

    def bucket_store(self) -> SQLiteBuckets:
        """Rate-limit buckets in this file, shared by every process using it
        (:mod:`.buckets`)."""
        from .buckets import SQLiteBuckets

        return SQLiteBuckets(self.path)

    # --- plumbing -------------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _migrate(self) -> None:
        """Bring a journal of an older schema up to :data:`SCHEMA_VERSION`: the columns
        it lacks are added (its rows keep ``NULL`` there), in one transaction."""
        with self._lock:
            have = {str(r[1]) for r in self._db.execute("PRAGMA table_info(rows)").fetchall()}
            version = int(self._meta("schema_version") or "1")
            missing = [(c, k) for c, k in ADDED_COLUMNS if c not in have]
            if not missing and version >= SCHEMA_VERSION:
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                have = {str(r[1]) for r in self._db.execute("PRAGMA table_info(rows)").fetchall()}
                for column, kind in ADDED_COLUMNS:
                    if column not in have:
                        self._db.execute(f"ALTER TABLE rows ADD COLUMN {column} {_KINDS[kind]}")
                for statement in index_statements("rows"):
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) "
                    "DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS "
                    "INTEGER))",
                    (str(SCHEMA_VERSION),),
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _init_meta(self, account: str) -> str:
        batch_id = uuid.uuid4().hex[:12]
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('batch_id', ?)", (batch_id,))
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('account', ?)", (account,))
        return self._meta("batch_id") or batch_id

    def _update(self, row_no: int, where_state: str | None = None, **changes: Any) -> bool:
        changes["updated"] = self._clock()
        # SET reads the row as it was before the update (PREVIOUS_UPDATE: its updated).
        columns = ", ".join(
            f"{k} = updated" if v is PREVIOUS_UPDATE else f"{k} = ?" for k, v in changes.items()
        )
        sql = f"UPDATE rows SET {columns} WHERE row_no = ?"  # noqa: S608 - fixed column names
        args: list[Any] = [v for v in changes.values() if v is not PREVIOUS_UPDATE]
        args.append(row_no)
        if where_state is not None:
            sql += " AND state = ?"
            args.append(where_state)
        with self._lock:
            cursor = self._db.execute(sql, args)
        return cursor.rowcount == 1

    def _move(self, row_no: int, owner: str, where_state: str, **changes: Any) -> bool:
        """A transition: only by the claim's owner, only from ``where_state``."""
        with self._lock:
            lease = self._leases.get(row_no)
            if lease is None or lease[0] != owner:
                return False
            return self._update(row_no, where_state, **changes)

    # --- runners and claims ---------------------------------------------------------------

    @contextlib.contextmanager
    def _acquire(self) -> Iterator[None]:
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

    def acquire(self, owner: str) -> contextlib.AbstractContextManager[None]:
        return self._acquire()

    def claim(
        self, state: str, owner: str, *, after: int = 0, limit: int = 256, lease: float = 900.0
    ) -> list[JournalRow]:
        check_claim(state, limit)
        claimed: list[JournalRow] = []
        with self._lock:
            now = self._clock()
            cursor = after
            while len(claimed) < limit:
                page = self._db.execute(
                    "SELECT * FROM rows WHERE state = ? AND row_no > ? ORDER BY row_no LIMIT ?",
                    (state, cursor, limit),
                ).fetchall()
                for row in page:
                    row_no = int(row["row_no"])
                    held = self._leases.get(row_no)
                    if held is not None and held[0] != owner and held[1] > now:
                        continue  # another owner's, and not lapsed
                    self._leases[row_no] = (owner, now + lease, lease)
                    claimed.append(_journal_row(row))
                    if len(claimed) == limit:
                        break
                if len(page) < limit:
                    break
                cursor = int(page[-1]["row_no"])
        return claimed

    def release(self, row_no: int, owner: str) -> None:
        with self._lock:
            held = self._leases.get(row_no)
            if held is not None and held[0] == owner:
                del self._leases[row_no]

    # --- transitions ----------------------------------------------------------------------

    def start_call(self, row_no: int, owner: str, *, attempts: int) -> bool:
        with self._lock:
            moved = self._move(
                row_no, owner, PENDING, state=SUBMITTING, attempts=attempts, error=None
            )
            if moved:
                _owner, _ends, length = self._leases[row_no]
                self._leases[row_no] = (owner, self._clock() + length, length)
        return moved

    def reset_failed(self) -> int:
        with self._lock:
            cursor = self._db.execute(
                "UPDATE rows SET state = ?, attempts = 0 WHERE state = ?", (PENDING, FAILED)
            )
        return int(cursor.rowcount)

    def record_status(self, row_no: int, status_id: int, status_json: str) -> None:
        now = self._clock()
        terminal = int(status_id in TERMINAL_STATUS_IDS)
        with self._lock:
            # The first terminal status settles the row; the results were made available
            # after its previous change (SET reads the row as it was).
            self._db.execute(
                "UPDATE rows SET "
                "ready_since = CASE WHEN settled_at IS NULL AND ? THEN updated "
                "ELSE ready_since END, "
                "settled_at = CASE WHEN settled_at IS NULL AND ? THEN ? ELSE settled_at END, "
                "status_id = ?, status_json = ?, updated = ? WHERE row_no = ?",
                (terminal, terminal, now, status_id, status_json, now, row_no),
            )

    def record_download(
        self,
        row_no: int,
        *,
        paths: Sequence[str] | None = None,
        error: str | None = None,
        sha256: Sequence[str] | None = None,
    ) -> None:
        if paths is not None:
            self._update(
                row_no,
                paths=json.dumps([str(p) for p in paths]),
                sha256=None if sha256 is None else json.dumps(list(sha256)),
                downloaded_at=self._clock(),
                error=None,
            )
        else:
            self._update(row_no, error=error)

    def forget_download(self, row_no: int, error: str) -> None:
        self._update(row_no, paths=None, sha256=None, downloaded_at=None, error=error)

    # --- the manifest ---------------------------------------------------------------------

    def record_manifest(self, rows: Iterable[ManifestRow]) -> int:
        now = self._clock()
        count = 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for row in rows:
                    self._record(row, now)
                    count += 1
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
        return count

    def _record(self, row: ManifestRow, now: float) -> None:
        existing = self._db.execute(
            "SELECT image, given_id, product_id, template_id, callback_url FROM rows "
            "WHERE row_no = ?",
            (row.row_no,),
        ).fetchone()
        if existing is not None:
            for column in COMPARED:
                if existing[column] != getattr(row, column):
                    shown = "customer_image_id" if column == "given_id" else column
                    raise BatchError(
                        f"manifest row {row.row_no} column {shown} changed since the batch "
                        f"started ({existing[column]!r} -> {getattr(row, column)!r}): use the "
                        "same manifest to resume, or a new journal for a new manifest"
                    )
            return
        cid = row.given_id or generated_customer_id(self.batch_id, row.row_no)
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

    # --- reading --------------------------------------------------------------------------

    def select(self, selection: Selection, *, after: int = 0, limit: int = 256) -> list[JournalRow]:
        where = _WHERE[selection]
        with self._lock:
            page = self._db.execute(
                f"SELECT * FROM rows WHERE row_no > ? AND ({where}) "  # noqa: S608 - fixed
                "ORDER BY row_no LIMIT ?",
                (after, limit),
            ).fetchall()
        return [_journal_row(row) for row in page]

    def select_by_expiry(
        self, *, after: tuple[float, int] | None = None, limit: int = 256
    ) -> list[JournalRow]:
        where = _WHERE[Selection.UNDOWNLOADED]
        key, args = "", list[Any]([limit])
        if after is not None:
            key = f"AND {expiry_keyset('?', '?')} "
            args = [after[0], after[1], limit]
        with self._lock:
            page = self._db.execute(
                f"SELECT * FROM {_DUE_FROM} WHERE ({where}) {key}"  # noqa: S608 - fixed
                f"ORDER BY {READY}, row_no LIMIT ?",
                args,
            ).fetchall()
        return [_journal_row(row) for row in page]

    def pace(
        self,
        *,
        since: float,
        expired_before: float,
        expiring_before: float,
        by_template: bool = True,
    ) -> JournalPace:
        events, expiry, templates = _PACE
        with self._lock:
            found = self._db.execute(events, [since] * len(EVENTS)).fetchone()
            due = self._db.execute(expiry, (expired_before, expiring_before)).fetchone()
            counts = self._db.execute(templates).fetchall() if by_template else []
        return pace_of(found, due, counts)

    def count(self, *selections: Selection) -> int:
        where = " OR ".join(f"({_WHERE[s]})" for s in selections) or "0"
        with self._lock:
            found = self._db.execute(
                f"SELECT COUNT(*) FROM rows WHERE {where}"  # noqa: S608 - fixed
            ).fetchone()[0]
        return int(found)

    def last_unknown_update(self) -> float | None:
        with self._lock:
            newest = self._db.execute(
                "SELECT MAX(updated) FROM rows WHERE state = ?", (SUBMITTING,)
            ).fetchone()[0]
        return None if newest is None else float(newest)

    def tally(self) -> JournalTally:
        with self._lock:
            states = self._db.execute("SELECT state, COUNT(*) FROM rows GROUP BY state").fetchall()
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
        return JournalTally(
            states={str(s): int(n) for s, n in states},
            statuses={(None if i is None else int(i)): int(n) for i, n in statuses},
            downloaded=int(downloaded),
            errors=tuple((int(r[0]), str(r[1]), str(r[2])) for r in errors),
        )

    def close(self) -> None:
        with self._lock:
            self._leases.clear()
            self._db.close()


def _journal_row(row: sqlite3.Row) -> JournalRow:
    return JournalRow(
        row_no=int(row["row_no"]),
        image=str(row["image"]),
        source=str(row["source"]),
        given_id=str(row["given_id"]),
        customer_image_id=str(row["customer_image_id"]),
        product_id=str(row["product_id"]),
        template_id=str(row["template_id"]),
        callback_url=str(row["callback_url"]),
        state=str(row["state"]),
        attempts=int(row["attempts"]),
        ticket=None if row["ticket"] is None else uuid.UUID(row["ticket"]),
        status_id=None if row["status_id"] is None else int(row["status_id"]),
        status_json=row["status_json"],
        paths=None if row["paths"] is None else tuple(json.loads(row["paths"])),
        error=row["error"],
        updated=float(row["updated"]),
        queued_at=_time(row["queued_at"]),
        settled_at=_time(row["settled_at"]),
        ready_since=_time(row["ready_since"]),
        downloaded_at=_time(row["downloaded_at"]),
        sha256=None if row["sha256"] is None else tuple(json.loads(row["sha256"])),
    )


def _time(value: Any) -> float | None:
    return None if value is None else float(value)

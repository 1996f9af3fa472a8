"""The journal in a PostgreSQL database: :class:`PostgresJournal` (the ``postgres`` extra).

One database holds one batch: a ``rtb_meta`` table (the batch id and its account) and
a ``rtb_rows`` table (the rows, as in the SQLite file, plus who holds each row's
claim). Any number of processes, on any machines, open the same URL and share the
rows: :meth:`PostgresJournal.acquire` admits them all, and rows are kept apart by
claims stored with the rows.

**Claims.** :meth:`PostgresJournal.claim` picks rows with ``FOR UPDATE SKIP LOCKED``
(two workers claiming at once never wait on, nor take, the same row) and writes the
owner, the lease's end and the holder's database session into the row. A claim is
held while its lease runs **and** its holder's session lives: a worker killed outright
closes its connection, so its rows are free at once; a machine that vanishes without
closing (power, network) keeps them until the lease lapses. Either way a row it left
``submitting`` is reconciled by the next worker (looked up by its
``customer_image_id``) before anything is sent again. Leases are timed by the
workers' clocks: machines sharing a journal must keep their clocks within a small
part of the lease (15 minutes by default) of each other.

Every transition is one ``UPDATE ... WHERE row_no = .. AND state = .. AND owner = ..``
(a compare-and-set). ``durable=False`` turns ``synchronous_commit`` off for the
session. The URL's password is never shown: :attr:`PostgresJournal.location` and
every error name the URL with the password replaced by ``***``.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ...core.errors import InvalidParameterError
from ...core.secret import Secret
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
    SCHEMA_LOCK,
    check_claim,
    expiry_keyset,
    index_statements,
    pace_of,
    pace_queries,
    selection_where,
)

if TYPE_CHECKING:
    from .buckets import PostgresBuckets

__all__ = ["PostgresJournal", "redacted_url"]

SCHEMES = ("postgresql", "postgres")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rtb_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rtb_rows (
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
    updated DOUBLE PRECISION NOT NULL,
    owner TEXT,
    lease_until DOUBLE PRECISION,
    lease_length DOUBLE PRECISION,
    holder_pid INTEGER
);
CREATE INDEX IF NOT EXISTS rtb_rows_by_state ON rtb_rows (state, row_no);
CREATE INDEX IF NOT EXISTS rtb_rows_by_ticket ON rtb_rows (ticket);
"""

#: Manifest rows compared or inserted at a time by :meth:`PostgresJournal.record_manifest`.
MANIFEST_WINDOW = 1000

_COLUMNS = (
    "row_no, image, source, given_id, customer_image_id, product_id, template_id, "
    "callback_url, state, attempts, ticket, status_id, status_json, paths, error, updated, "
    "queued_at, settled_at, ready_since, downloaded_at, sha256"
)
_KINDS = {"time": "DOUBLE PRECISION", "text": "TEXT"}
#: Schema 2's columns, added to a journal of schema 1 (its rows keep NULL there).
_MIGRATE = "".join(
    f"ALTER TABLE rtb_rows ADD COLUMN IF NOT EXISTS {column} {_KINDS[kind]};\n"
    for column, kind in ADDED_COLUMNS
) + "".join(f"{statement};\n" for statement in index_statements("rtb_rows"))
_PACE = pace_queries("rtb_rows", "%s")
_WHERE = selection_where("TRUE")
#: a row is free for ``owner`` at ``now`` (parameters: owner, now). The sessions alive
#: are read once per claim (a hashed subquery); a reused pid only keeps a dead holder's
#: row until its lease lapses.
_FREE = (
    "(owner IS NULL OR owner = %(owner)s OR lease_until <= %(now)s "
    "OR holder_pid NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL))"
)


def redacted_url(url: str) -> str:
    """``url`` with its password (if any) replaced by ``***``."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user = parts.username or ""
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    except ValueError:
        scheme = url.split("://", 1)[0]
        return f"{scheme}://***"


class PostgresJournal(RowTransitions):
    """A batch journal in the PostgreSQL database of ``url`` (tables created if missing).

    Args:
        url: ``postgresql://user:password@host:port/database`` (any libpq URL).
        account: the account recorded when the journal is created.
        durable: ``synchronous_commit`` on (the default) or off for this session.
        clock: seconds (``time.time`` by default): stamps rows, times leases.
    """

    def __init__(
        self,
        url: str,
        *,
        account: str = "",
        durable: bool = True,
        clock: Callable[[], float] | None = None,
    ) -> None:
        try:
            import psycopg
        except ImportError:
            raise InvalidParameterError(
                "journal",
                "a postgresql:// journal needs psycopg: install the postgres extra "
                "(pip install 'removethebackground[postgres]')",
            ) from None
        self._psycopg = psycopg
        self._url = Secret(url)  # masked in reprs; for the rate-limit buckets' connection
        self._location = redacted_url(url)
        self._password = urlsplit(url).password if "@" in url else None
        self._clock = clock or time.time
        self._lock = threading.RLock()
        self._owners: set[str] = set()
        self._db: Any = None
        with self._errors("cannot use {} as a batch journal"):
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=30)
            self._db.execute(f"SET synchronous_commit = {'on' if durable else 'off'}")
            with self._db.transaction():
                self._prepare(account)
            meta = dict(self._db.execute("SELECT key, value FROM rtb_meta").fetchall())
            self._batch_id = str(meta["batch_id"])
            self._account = str(meta.get("account") or "")
            self._holder = int(self._db.execute("SELECT pg_backend_pid()").fetchone()[0])

    def _prepare(self, account: str) -> None:
        """Create or migrate the schema, in the caller's transaction.

        Workers opening one journal together are serialised by a transaction-level
        advisory lock (:data:`SCHEMA_LOCK`); the schema version is read first, and the
        DDL runs only when it is missing or older. A journal of the current schema is
        opened without any lock on ``rtb_rows``: a ``CREATE INDEX IF NOT EXISTS`` takes
        a SHARE lock on the table even when the index exists, and an ``ALTER TABLE``
        then wants ACCESS EXCLUSIVE, while a claim (its ``FOR UPDATE`` subquery takes
        ROW SHARE before its ``UPDATE`` takes ROW EXCLUSIVE) could hold the one and
        wait for the other: a deadlock. When DDL must run, ACCESS EXCLUSIVE is taken
        first, so the opener never asks for a stronger lock than it holds.
        """
        self._db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        tables = self._db.execute(
            "SELECT to_regclass('rtb_meta') IS NOT NULL, to_regclass('rtb_rows') IS NOT NULL"
        ).fetchone()
        version = 0
        if tables[0]:
            found = self._db.execute(
                "SELECT value FROM rtb_meta WHERE key = 'schema_version'"
            ).fetchone()
            version = int(found[0]) if found else 1
        if not tables[1] or version < SCHEMA_VERSION:
            if tables[1]:
                self._db.execute("LOCK TABLE rtb_rows IN ACCESS EXCLUSIVE MODE")
            self._db.execute(_SCHEMA)
            self._db.execute(_MIGRATE)
            self._db.execute(
                "INSERT INTO rtb_meta VALUES ('schema_version', %s) ON CONFLICT (key) DO "
                "UPDATE SET value = GREATEST(rtb_meta.value::int, EXCLUDED.value::int)::text",
                (str(SCHEMA_VERSION),),
            )
        self._db.execute(
            "INSERT INTO rtb_meta VALUES ('batch_id', %s), ('account', %s) "
            "ON CONFLICT (key) DO NOTHING",
            (uuid.uuid4().hex[:12], account),
        )

    @property
    def location(self) -> str:
        return self._location

    @property
    def batch_id(self) -> str:
        return self._batch_id

    @property
    def account(self) -> str:
        return self._account

    def __repr__(self) -> str:
        return f"PostgresJournal({self._location!r})"

    def bucket_store(self) -> PostgresBuckets:
        """Rate-limit buckets in this database, shared by every worker (:mod:`.buckets`)."""
        from .buckets import PostgresBuckets

        return PostgresBuckets(self._url.reveal(), location=self._location)

    # --- plumbing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _errors(self, what: str = "the batch journal {} failed") -> Iterator[None]:
        """Database errors as ``BatchError``, naming the URL without its password."""
        try:
            yield
        except self._psycopg.Error as exc:
            detail = str(exc).strip() or type(exc).__name__
            if self._password:
                detail = detail.replace(self._password, "***")
            if self._db is not None and what.startswith("cannot"):
                with contextlib.suppress(Exception):
                    self._db.close()
            raise BatchError(f"{what.format(self._location)}: {detail}") from None

    def _execute(self, sql: str, args: Any = None) -> Any:
        with self._lock, self._errors():
            return self._db.execute(sql, args)

    def _update(self, row_no: int, where: str, args: dict[str, Any], **changes: Any) -> bool:
        changes["updated"] = self._clock()
        # SET reads the row as it was before the update (PREVIOUS_UPDATE: its updated).
        columns = ", ".join(
            f"{k} = updated" if v is PREVIOUS_UPDATE else f"{k} = %(set_{k})s"
            for k, v in changes.items()
        )
        params = {f"set_{k}": v for k, v in changes.items() if v is not PREVIOUS_UPDATE}
        params = params | args | {"row_no": row_no}
        sql = f"UPDATE rtb_rows SET {columns} WHERE row_no = %(row_no)s{where}"  # noqa: S608
        return bool(self._execute(sql, params).rowcount == 1)

    def _move(self, row_no: int, owner: str, where_state: str, **changes: Any) -> bool:
        """A transition: only by the claim's owner, only from ``where_state``."""
        return self._update(
            row_no,
            " AND state = %(state)s AND owner = %(owner)s",
            {"state": where_state, "owner": owner},
            **changes,
        )

    # --- runners and claims ---------------------------------------------------------------

    @contextlib.contextmanager
    def _acquire(self, owner: str) -> Iterator[None]:
        try:
            yield
        finally:
            with contextlib.suppress(BatchError):
                self._execute(
                    "UPDATE rtb_rows SET owner = NULL, lease_until = NULL WHERE owner = %s",
                    (owner,),
                )

    def acquire(self, owner: str) -> contextlib.AbstractContextManager[None]:
        """Admits every runner: they share the rows through claims."""
        return self._acquire(owner)

    def claim(
        self, state: str, owner: str, *, after: int = 0, limit: int = 256, lease: float = 900.0
    ) -> list[JournalRow]:
        check_claim(state, limit)
        now = self._clock()
        params = {
            "state": state,
            "after": after,
            "limit": limit,
            "owner": owner,
            "now": now,
            "until": now + lease,
            "length": lease,
            "pid": self._holder,
        }
        with self._lock:
            self._owners.add(owner)
            found = self._execute(
                "WITH picked AS (SELECT row_no FROM rtb_rows WHERE state = %(state)s "  # noqa: S608
                f"AND row_no > %(after)s AND {_FREE} ORDER BY row_no LIMIT %(limit)s "
                "FOR UPDATE SKIP LOCKED) "
                "UPDATE rtb_rows r SET owner = %(owner)s, lease_until = %(until)s, "
                "lease_length = %(length)s, holder_pid = %(pid)s "
                f"FROM picked WHERE r.row_no = picked.row_no RETURNING {_prefixed('r.')}",
                params,
            ).fetchall()
        return sorted((_journal_row(row) for row in found), key=lambda r: r.row_no)

    def release(self, row_no: int, owner: str) -> None:
        self._execute(
            "UPDATE rtb_rows SET owner = NULL, lease_until = NULL WHERE row_no = %s AND owner = %s",
            (row_no, owner),
        )

    # --- transitions ----------------------------------------------------------------------

    def start_call(self, row_no: int, owner: str, *, attempts: int) -> bool:
        now = self._clock()
        found = self._execute(
            "UPDATE rtb_rows SET state = %s, attempts = %s, error = NULL, updated = %s, "
            "lease_until = %s + COALESCE(lease_length, 900) "
            "WHERE row_no = %s AND state = %s AND owner = %s",
            (SUBMITTING, attempts, now, now, row_no, PENDING, owner),
        )
        return bool(found.rowcount == 1)

    def reset_failed(self) -> int:
        found = self._execute(
            "UPDATE rtb_rows SET state = %s, attempts = 0 WHERE state = %s", (PENDING, FAILED)
        )
        return int(found.rowcount)

    def record_status(self, row_no: int, status_id: int, status_json: str) -> None:
        now = self._clock()
        terminal = status_id in TERMINAL_STATUS_IDS
        # The first terminal status settles the row; the results were made available
        # after its previous change (SET reads the row as it was).
        self._execute(
            "UPDATE rtb_rows SET "
            "ready_since = CASE WHEN settled_at IS NULL AND %(t)s THEN updated "
            "ELSE ready_since END, "
            "settled_at = CASE WHEN settled_at IS NULL AND %(t)s THEN %(now)s "
            "ELSE settled_at END, "
            "status_id = %(id)s, status_json = %(json)s, updated = %(now)s "
            "WHERE row_no = %(row)s",
            {"t": terminal, "now": now, "id": status_id, "json": status_json, "row": row_no},
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
                "",
                {},
                paths=json.dumps([str(p) for p in paths]),
                sha256=None if sha256 is None else json.dumps(list(sha256)),
                downloaded_at=self._clock(),
                error=None,
            )
        else:
            self._update(row_no, "", {}, error=error)

    def forget_download(self, row_no: int, error: str) -> None:
        self._update(row_no, "", {}, paths=None, sha256=None, downloaded_at=None, error=error)

    # --- the manifest ---------------------------------------------------------------------

    def record_manifest(self, rows: Iterable[ManifestRow]) -> int:
        """Streams: the recorded rows are read a window (:data:`MANIFEST_WINDOW`) at a
        time by row number, and new rows are inserted a window at a time (after their
        ids are checked against the table and each other), all in one transaction."""
        now = self._clock()
        with self._lock, self._errors(), self._db.transaction():
            # one recorder at a time: workers starting together record the manifest once
            self._db.execute("LOCK TABLE rtb_rows IN SHARE ROW EXCLUSIVE MODE")
            recorded = _Recorded(self._db)
            new: list[tuple[Any, ...]] = []
            count = 0
            try:
                for row in rows:
                    count += 1
                    old = recorded.get(row.row_no)
                    if old is not None:
                        for column, value in zip(COMPARED, old, strict=True):
                            if value != getattr(row, column):
                                shown = "customer_image_id" if column == "given_id" else column
                                raise BatchError(
                                    f"manifest row {row.row_no} column {shown} changed since "
                                    f"the batch started ({value!r} -> {getattr(row, column)!r}): "
                                    "use the same manifest to resume, or a new journal for a new "
                                    "manifest"
                                )
                        continue
                    cid = row.given_id or generated_customer_id(self._batch_id, row.row_no)
                    new.append(
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
                        )
                    )
                    if len(new) >= MANIFEST_WINDOW:
                        self._insert(new)
                        new = []
            except (BatchError, InvalidParameterError):
                # A problem found later (a bad manifest row ...) comes after a clash of
                # ids in the rows not inserted yet: the first problem is named.
                self._check_ids(new)
                raise
            self._insert(new)
            extra = self._db.execute(
                "SELECT COUNT(*) FROM rtb_rows WHERE row_no > %s", (count,)
            ).fetchone()[0]
            if extra:
                raise BatchError(
                    f"the manifest has {count} rows but the journal {self._location} has "
                    f"{count + extra}: it is not the manifest this batch was started with"
                )
        return count

    def _check_ids(self, new: Sequence[tuple[Any, ...]]) -> None:
        """Raise for the first of ``new`` whose id another row has (recorded, or
        earlier in ``new``)."""
        if not new:
            return
        taken = dict(
            self._db.execute(
                "SELECT customer_image_id, row_no FROM rtb_rows WHERE customer_image_id = ANY(%s)",
                ([r[4] for r in new],),
            ).fetchall()
        )
        for row in new:
            row_no, cid = row[0], row[4]
            other = taken.get(cid)
            if other is not None:
                raise InvalidParameterError(
                    f"manifest row {row_no} column customer_image_id",
                    f"{cid!r} is also the id of row {other}: ids must be unique",
                )
            taken[cid] = row_no

    def _insert(self, new: Sequence[tuple[Any, ...]]) -> None:
        """Insert a window of new rows, their ids checked first."""
        self._check_ids(new)
        if new:
            with self._db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO rtb_rows (row_no, image, source, given_id, "
                    "customer_image_id, product_id, template_id, callback_url, state, "
                    "updated) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    new,
                )

    # --- reading --------------------------------------------------------------------------

    def select(self, selection: Selection, *, after: int = 0, limit: int = 256) -> list[JournalRow]:
        found = self._execute(
            f"SELECT {_COLUMNS} FROM rtb_rows WHERE row_no > %s AND ({_WHERE[selection]}) "  # noqa: S608
            "ORDER BY row_no LIMIT %s",
            (after, limit),
        ).fetchall()
        return [_journal_row(row) for row in found]

    def select_by_expiry(
        self, *, after: tuple[float, int] | None = None, limit: int = 256
    ) -> list[JournalRow]:
        key, args = "", dict[str, Any](limit=limit)
        if after is not None:
            key = f"AND {expiry_keyset('%(at)s', '%(row)s')} "
            args |= {"at": after[0], "row": after[1]}
        found = self._execute(
            f"SELECT {_COLUMNS} FROM rtb_rows WHERE ({_WHERE[Selection.UNDOWNLOADED]}) "  # noqa: S608
            f"{key}ORDER BY {READY}, row_no LIMIT %(limit)s",
            args,
        ).fetchall()
        return [_journal_row(row) for row in found]

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
            found = self._execute(events, [since] * len(EVENTS)).fetchone()
            due = self._execute(expiry, (expired_before, expiring_before)).fetchone()
            counts = self._execute(templates).fetchall() if by_template else []
        return pace_of(found, due, counts)

    def select_tickets(self, tickets: Collection[uuid.UUID]) -> list[JournalRow]:
        keys = [str(t) for t in tickets]
        if not keys:
            return []
        found = self._execute(
            f"SELECT {_COLUMNS} FROM rtb_rows WHERE ticket = ANY(%s) ORDER BY row_no",  # noqa: S608
            (keys,),
        ).fetchall()
        return [_journal_row(row) for row in found]

    def count(self, *selections: Selection) -> int:
        where = " OR ".join(f"({_WHERE[s]})" for s in selections) or "FALSE"
        found = self._execute(f"SELECT COUNT(*) FROM rtb_rows WHERE {where}").fetchone()  # noqa: S608
        return int(found[0])

    def last_unknown_update(self) -> float | None:
        newest = self._execute(
            "SELECT MAX(updated) FROM rtb_rows WHERE state = %s", (SUBMITTING,)
        ).fetchone()[0]
        return None if newest is None else float(newest)

    def tally(self) -> JournalTally:
        with self._lock:
            states = self._execute("SELECT state, COUNT(*) FROM rtb_rows GROUP BY state").fetchall()
            statuses = self._execute(
                "SELECT status_id, COUNT(*) FROM rtb_rows WHERE state = %s GROUP BY status_id",
                (SUBMITTED,),
            ).fetchall()
            downloaded = self._execute(
                "SELECT COUNT(*) FROM rtb_rows WHERE paths IS NOT NULL"
            ).fetchone()[0]
            errors = self._execute(
                "SELECT row_no, customer_image_id, error FROM rtb_rows WHERE error IS NOT NULL "
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
            if self._db is None or self._db.closed:
                return
            with contextlib.suppress(Exception):
                if self._owners:
                    self._db.execute(
                        "UPDATE rtb_rows SET owner = NULL, lease_until = NULL "
                        "WHERE owner = ANY(%s)",
                        (sorted(self._owners),),
                    )
            self._owners.clear()
            self._db.close()


class _Recorded:
    """The recorded rows' compared cells, read a window at a time in row order (rows
    are asked for in increasing row numbers, as a manifest gives them)."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self._window: dict[int, tuple[Any, ...]] = {}
        self._last = 0  # the highest row number read so far
        self._done = False

    def get(self, row_no: int) -> tuple[Any, ...] | None:
        while not self._done and row_no > self._last:
            self._window = {}  # one window at a time
            found = self._db.execute(
                "SELECT row_no, image, given_id, product_id, template_id, callback_url "
                "FROM rtb_rows WHERE row_no > %s ORDER BY row_no LIMIT %s",
                (self._last, MANIFEST_WINDOW),
            ).fetchall()
            self._window = {int(r[0]): tuple(r[1:]) for r in found}
            self._done = len(found) < MANIFEST_WINDOW
            if found:
                self._last = int(found[-1][0])
        return self._window.get(row_no)


def _prefixed(prefix: str) -> str:
    return ", ".join(prefix + c.strip() for c in _COLUMNS.split(","))


def _journal_row(row: Sequence[Any]) -> JournalRow:
    (row_no, image, source, given, cid, product, template, callback, state, attempts) = row[:10]
    ticket, status_id, status_json, paths, error, updated = row[10:16]
    queued, settled, ready, downloaded, sha256 = row[16:21]
    return JournalRow(
        row_no=int(row_no),
        image=str(image),
        source=str(source),
        given_id=str(given),
        customer_image_id=str(cid),
        product_id=str(product),
        template_id=str(template),
        callback_url=str(callback),
        state=str(state),
        attempts=int(attempts),
        ticket=None if ticket is None else uuid.UUID(ticket),
        status_id=None if status_id is None else int(status_id),
        status_json=status_json,
        paths=None if paths is None else tuple(json.loads(paths)),
        error=error,
        updated=float(updated),
        queued_at=None if queued is None else float(queued),
        settled_at=None if settled is None else float(settled),
        ready_since=None if ready is None else float(ready),
        downloaded_at=None if downloaded is None else float(downloaded),
        sha256=None if sha256 is None else tuple(json.loads(sha256)),
    )

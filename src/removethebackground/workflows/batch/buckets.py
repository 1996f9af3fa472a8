"""Rate-limit buckets kept in the batch's journal, so that every worker of a shared
journal takes its tokens from the same buckets (:class:`SQLiteBuckets`,
:class:`PostgresBuckets`; both are :class:`~removethebackground.core.ratelimit.BucketStore`).

A bucket is one row per kind of call (``queue``, ``write``, ``read``): its GCRA
"theoretical arrival time" and the end of a pause a 429 asked for. A take is one
atomic read-modify-write of that row (the arithmetic is the local buckets' own,
:func:`~removethebackground.core.ratelimit.gcra_take`):

* SQLite: ``BEGIN IMMEDIATE`` (the file's write lock) on a connection of its own,
  with ``synchronous=OFF``: the buckets need no durability (a crash loses at most a
  pause), so a take never waits for an fsync. Times are the machine's wall clock,
  which every process on the machine shares.
* PostgreSQL: ``SELECT ... FOR UPDATE`` of the kind's row and its ``UPDATE`` in one
  transaction, on a connection of its own. Times are the **database server's** clock
  (``clock_timestamp()``), so workers on machines whose clocks differ still agree;
  the limiter's own clock only measures the waits.

The table (``buckets`` in the SQLite file, ``rtb_buckets`` in PostgreSQL) is created
when first used; the journal's other tables are left as they are.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...core.ratelimit import Rate, gcra_take
from ..errors import BatchError
from .sql import SCHEMA_LOCK

__all__ = ["PostgresBuckets", "SQLiteBuckets"]


class SQLiteBuckets:
    """The buckets in the SQLite journal file ``path`` (thread- and process-safe)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS buckets (kind TEXT PRIMARY KEY, tat REAL, paused REAL)"
            )
        except sqlite3.Error as exc:
            with contextlib.suppress(Exception):
                self._db.close()
            raise BatchError(f"cannot keep rate limits in {self.path}: {exc}") from None

    def __repr__(self) -> str:
        return f"SQLiteBuckets({str(self.path)!r})"

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise BatchError(f"the rate limits in {self.path} failed: {exc}") from None
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def take(self, kind: str, rate: Rate | None, now: float, max_wait: float) -> float | None:
        with self._write() as db:
            found = db.execute("SELECT tat, paused FROM buckets WHERE kind = ?", (kind,)).fetchone()
            tat, paused = (None, None) if found is None else found
            wait, new_tat = gcra_take(tat, paused, rate, now, max_wait)
            if new_tat is not None and new_tat != tat:
                db.execute(
                    "INSERT INTO buckets (kind, tat) VALUES (?, ?) "
                    "ON CONFLICT (kind) DO UPDATE SET tat = excluded.tat",
                    (kind, new_tat),
                )
            return wait

    def pause(self, kind: str, until: float) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO buckets (kind, paused) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE "
                "SET paused = MAX(COALESCE(paused, excluded.paused), excluded.paused)",
                (kind, until),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresBuckets:
    """The buckets in the PostgreSQL database of ``url`` (thread- and process-safe).

    ``location`` is the URL without its password, as errors name it."""

    def __init__(self, url: str, *, location: str, connect_timeout: int = 30) -> None:
        import psycopg

        self._psycopg = psycopg
        self.location = location
        self._password = urlsplit(url).password if "@" in url else None
        self._lock = threading.Lock()
        # the database clock minus the limiter's, at the last take: turns a pause's end
        # (the limiter's clock) into the database's
        self._offset = 0.0
        with self._errors():
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout)
            self._db.execute("SET synchronous_commit = off")
            # two CREATE TABLE IF NOT EXISTS at once can both miss the table and one
            # fail (a duplicate pg_type row): created under the journal's schema lock
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS rtb_buckets (kind TEXT PRIMARY KEY, "
                    "tat DOUBLE PRECISION, paused DOUBLE PRECISION)"
                )

    def __repr__(self) -> str:
        return f"PostgresBuckets({self.location!r})"

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except self._psycopg.Error as exc:
            detail = (str(exc).strip() or type(exc).__name__).splitlines()[0]
            if self._password:
                detail = detail.replace(self._password, "***")
            raise BatchError(f"the rate limits in {self.location} failed: {detail}") from None

    def _row(self, kind: str) -> tuple[float, float | None, float | None]:
        """The database's time and ``kind``'s row, locked (inserted when missing)."""
        self._db.execute(
            "INSERT INTO rtb_buckets (kind) VALUES (%s) ON CONFLICT (kind) DO NOTHING", (kind,)
        )
        found: Any = self._db.execute(
            "SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8, tat, paused "
            "FROM rtb_buckets WHERE kind = %s FOR UPDATE",
            (kind,),
        ).fetchone()
        return float(found[0]), found[1], found[2]

    def take(self, kind: str, rate: Rate | None, now: float, max_wait: float) -> float | None:
        with self._lock, self._errors(), self._db.transaction():
            db_now, tat, paused = self._row(kind)
            self._offset = db_now - now
            wait, new_tat = gcra_take(tat, paused, rate, db_now, max_wait)
            if new_tat is not None and new_tat != tat:
                self._db.execute("UPDATE rtb_buckets SET tat = %s WHERE kind = %s", (new_tat, kind))
            return wait

    def pause(self, kind: str, until: float) -> None:
        if not math.isfinite(until):
            return
        with self._lock, self._errors(), self._db.transaction():
            self._row(kind)
            self._db.execute(
                "UPDATE rtb_buckets SET paused = GREATEST(COALESCE(paused, %s), %s) "
                "WHERE kind = %s",
                (until + self._offset, until + self._offset, kind),
            )

    def close(self) -> None:
        with self._lock, contextlib.suppress(Exception):
            self._db.close()

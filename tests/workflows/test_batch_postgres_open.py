"""Opening one PostgreSQL journal from many workers at once: no deadlock, no failure.

Opening creates or migrates the schema under one advisory lock, and a journal of the
current schema is opened without any lock on ``rtb_rows``. Before, every open ran
``CREATE INDEX IF NOT EXISTS`` (a SHARE lock on the table) then ``ALTER TABLE ... ADD
COLUMN IF NOT EXISTS`` (ACCESS EXCLUSIVE): a worker claiming rows at that moment (its
``FOR UPDATE`` subquery holds ROW SHARE, its ``UPDATE`` then wants ROW EXCLUSIVE)
closed a cycle, and one of them failed with "deadlock detected". The rate limits'
table was created by each worker at once too (a duplicate ``pg_type`` row).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from removethebackground.workflows.batch import ManifestRow, Selection, open_journal
from removethebackground.workflows.batch.journal import SCHEMA_VERSION
from removethebackground.workflows.batch.sql import ADDED_COLUMNS, ADDED_INDEXES
from support.postgres import database_url

WORKERS = 4
ROUNDS = 6
ROWS = 40


def _rows(n: int) -> Iterator[ManifestRow]:
    return (
        ManifestRow(i, f"https://h/{i}", f"https://h/{i}", "", "", "", "") for i in range(1, n + 1)
    )


def _worker(url: str, start: Any, errors: Any, number: int) -> None:
    try:
        start.wait(30)
        journal = open_journal(url)
        try:
            buckets = journal.bucket_store()  # type: ignore[attr-defined]
            buckets.close()
            journal.record_manifest(_rows(ROWS))
            after = 0
            while page := journal.claim("pending", f"w{number}", after=after, limit=2):
                after = page[-1].row_no
        finally:
            journal.close()
    except Exception as exc:  # the parent reports it
        errors.put(f"worker {number}: {exc}")


def test_workers_opening_one_journal_together_all_open_and_record_it() -> None:
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    for _ in range(ROUNDS):
        url = database_url()
        start = context.Barrier(WORKERS)
        running = [
            context.Process(target=_worker, args=(url, start, errors, n)) for n in range(WORKERS)
        ]
        for process in running:
            process.start()
        for process in running:
            process.join(60)
        assert [p.exitcode for p in running] == [0] * WORKERS
        assert errors.empty(), errors.get()
        journal = open_journal(url)
        try:
            assert journal.count(Selection.ALL) == ROWS
        finally:
            journal.close()


def _open_in_thread(url: str) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(open_journal(url))
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _waiting_on_rows(admin: Any) -> bool:
    found = admin.execute(
        "SELECT COUNT(*) FROM pg_locks WHERE relation = 'rtb_rows'::regclass AND NOT granted"
    ).fetchone()
    return bool(found[0])


def test_opening_beside_a_claim_in_progress_does_not_deadlock() -> None:
    import psycopg

    url = database_url()
    open_journal(url).close()  # the schema, current
    with psycopg.connect(url) as claimer:
        claimer.execute("SET lock_timeout = '10s'")
        # a claim's first half: its FOR UPDATE subquery's ROW SHARE lock
        claimer.execute("LOCK TABLE rtb_rows IN ROW SHARE MODE")
        thread, outcome = _open_in_thread(url)
        thread.join(10)
        # and its second half: the UPDATE's ROW EXCLUSIVE lock
        claimer.execute("LOCK TABLE rtb_rows IN ROW EXCLUSIVE MODE")
        claimer.commit()
    thread.join(10)
    assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
    outcome[0].close()  # type: ignore[attr-defined]


def test_migrating_beside_a_claim_in_progress_does_not_deadlock() -> None:
    import psycopg

    url = database_url()
    open_journal(url).close()
    with psycopg.connect(url, autocommit=True) as admin:
        # back to schema 1: without schema 2's columns and indexes
        for name, _columns, _where in ADDED_INDEXES:
            admin.execute(f"DROP INDEX rtb_rows_{name}")
        for column, _kind in ADDED_COLUMNS:
            admin.execute(f"ALTER TABLE rtb_rows DROP COLUMN {column}")
        admin.execute("UPDATE rtb_meta SET value = '1' WHERE key = 'schema_version'")
        with psycopg.connect(url) as claimer:
            claimer.execute("SET lock_timeout = '10s'")
            claimer.execute("LOCK TABLE rtb_rows IN ROW SHARE MODE")
            thread, outcome = _open_in_thread(url)
            deadline = time.monotonic() + 10
            while not _waiting_on_rows(admin) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert _waiting_on_rows(admin)  # the migration waits for the claim
            claimer.execute("LOCK TABLE rtb_rows IN ROW EXCLUSIVE MODE")
            claimer.commit()
        thread.join(15)
        assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
        outcome[0].close()  # type: ignore[attr-defined]
        columns = {
            r[0]
            for r in admin.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'rtb_rows'"
            ).fetchall()
        }
        assert {c for c, _k in ADDED_COLUMNS} <= columns
        version = admin.execute(
            "SELECT value FROM rtb_meta WHERE key = 'schema_version'"
        ).fetchone()[0]
        assert int(version) == SCHEMA_VERSION


@pytest.fixture(autouse=True)
def _needs_psycopg() -> None:
    pytest.importorskip("psycopg")

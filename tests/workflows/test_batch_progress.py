"""The journal's times (queued, settled, ready, downloaded), the files' SHA-256, the
schema 1 -> 2 migration, the expiry order and ``Batch.progress``: on SQLite and on a
PostgreSQL server the tests start."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from removethebackground import Batch, InvalidParameterError
from removethebackground.generated import pixelz
from removethebackground.workflows.batch import Journal, ManifestRow, Selection, open_journal
from removethebackground.workflows.batch.journal import PENDING, SCHEMA_VERSION, SUBMITTING
from support.postgres import database_url

OWNER = "tests"


class Clock:
    def __init__(self) -> None:
        self.now = 2_000_000_000.0

    def __call__(self) -> float:
        return self.now


SPECS: dict[str, Callable[[Path], str]] = {
    "sqlite": lambda tmp: str(tmp / "j.rtb-journal"),
    "postgresql": lambda tmp: database_url(),
}


@pytest.fixture(params=list(SPECS))
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return SPECS[request.param](tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal(spec: str, clock: Clock) -> Iterator[Journal]:
    handle = open_journal(spec, account="a@example.com", clock=clock)
    yield handle
    handle.close()


def manifest(n: int, template: Callable[[int], str] = lambda i: "1001") -> list[ManifestRow]:
    return [
        ManifestRow(i, f"https://h/{i}.jpg", f"https://h/{i}.jpg", "", "", template(i), "")
        for i in range(1, n + 1)
    ]


def queue(journal: Journal, row_no: int) -> None:
    """Move a pending row to submitted, as a runner does."""
    (row,) = [r for r in journal.claim(PENDING, OWNER, after=row_no - 1, limit=1)]
    assert row.row_no == row_no
    assert journal.start_call(row_no, OWNER, attempts=1)
    assert journal.record_ticket(row_no, OWNER, uuid.uuid4())
    journal.release(row_no, OWNER)


def row(journal: Journal, row_no: int) -> Any:
    (found,) = [r for r in journal.select(Selection.ALL, after=row_no - 1, limit=1)]
    assert found.row_no == row_no
    return found


# --- the times ----------------------------------------------------------------------------------


def test_a_rows_times_are_recorded_as_it_moves(journal: Journal, clock: Clock) -> None:
    journal.record_manifest(manifest(2))
    assert (row(journal, 1).queued_at, row(journal, 1).settled_at) == (None, None)
    clock.now += 10
    queue(journal, 1)
    assert row(journal, 1).queued_at == clock.now
    clock.now += 10
    journal.record_status(1, 60, "{}")  # unfinished: not settled
    last_unfinished = clock.now
    assert row(journal, 1).settled_at is None
    clock.now += 100
    journal.record_status(1, 80, "{}")
    settled = clock.now
    found = row(journal, 1)
    # Delivered after the journal last saw it unfinished, at the latest now.
    assert (found.settled_at, found.ready_since) == (settled, last_unfinished)
    clock.now += 100
    journal.record_status(1, 80, "{}")  # read again: the first reading stays
    assert (row(journal, 1).settled_at, row(journal, 1).ready_since) == (settled, last_unfinished)
    clock.now += 5
    journal.record_download(1, paths=["a.png", "b.png"], sha256=["aa", "bb"])
    found = row(journal, 1)
    assert (found.paths, found.sha256, found.downloaded_at) == (
        ("a.png", "b.png"),
        ("aa", "bb"),
        clock.now,
    )
    assert journal.count(Selection.DOWNLOADED) == 1
    journal.forget_download(1, "a.png is missing")
    found = row(journal, 1)
    assert (found.paths, found.sha256, found.downloaded_at, found.error) == (
        None,
        None,
        None,
        "a.png is missing",
    )
    assert journal.count(Selection.UNDOWNLOADED) == 1
    # a failed row is settled when it fails
    clock.now += 7
    (claimed,) = journal.claim(PENDING, OWNER, after=1, limit=1)
    assert journal.record_failed(claimed.row_no, OWNER, "refused", state=PENDING)
    assert row(journal, 2).settled_at == clock.now


def test_a_row_found_delivered_by_reconciliation_is_settled_and_ready_since_its_call(
    journal: Journal, clock: Clock
) -> None:
    journal.record_manifest(manifest(1))
    journal.claim(PENDING, OWNER)
    assert journal.start_call(1, OWNER, attempts=1)
    called = clock.now
    clock.now += 30
    assert journal.record_ticket(1, OWNER, uuid.uuid4(), status_id=80, status_json="{}")
    found = row(journal, 1)
    assert (found.queued_at, found.settled_at, found.ready_since) == (clock.now, clock.now, called)


def test_downloads_go_soonest_to_expire_first_through_pages(journal: Journal, clock: Clock) -> None:
    journal.record_manifest(manifest(6))
    # rows queued in the order 4, 2, 6, 1, 5, 3; all delivered at once afterwards
    for row_no in (4, 2, 6, 1, 5, 3):
        clock.now += 60
        queue(journal, row_no)
    clock.now += 3600
    for row_no in range(1, 7):
        journal.record_status(row_no, 80, "{}")
    journal.record_download(6, paths=["six.png"], sha256=["66"])  # not to be downloaded
    order: list[int] = []
    after: tuple[float, int] | None = None
    while page := journal.select_by_expiry(after=after, limit=2):
        order += [r.row_no for r in page]
        after = (page[-1].ready_since, page[-1].row_no)
    assert order == [4, 2, 1, 5, 3]
    # ties on the ready time go by row number
    journal.record_manifest(manifest(8))
    clock.now += 60
    queue(journal, 8)
    queue(journal, 7)
    clock.now += 60
    journal.record_status(8, 80, "{}")
    journal.record_status(7, 80, "{}")
    page = journal.select_by_expiry(after=(row(journal, 3).ready_since, 3), limit=10)
    assert [r.row_no for r in page] == [7, 8]


def test_the_pace_counts_events_expiry_and_templates(journal: Journal, clock: Clock) -> None:
    journal.record_manifest(manifest(5, template=lambda i: "1001" if i < 4 else ""))
    start = clock.now
    for row_no in range(1, 5):
        clock.now += 60
        queue(journal, row_no)
    for row_no in (1, 2):
        clock.now += 60
        journal.record_status(row_no, 80, "{}")
    pace = journal.pace(since=start + 150, expired_before=start + 70, expiring_before=start + 125)
    assert pace.recent == {"queued": 2, "settled": 2, "downloaded": 0}
    assert pace.first == {"queued": start + 60, "settled": start + 300, "downloaded": None}
    # row 1 is ready since start + 60, row 2 since start + 120
    assert (pace.expired, pace.expiring, pace.next_ready) == (1, 2, start + 60)
    assert pace.queued_by_template == {"": 1, "1001": 3}


# --- the migration ------------------------------------------------------------------------------

SCHEMA_1_COLUMNS = (
    "row_no INTEGER PRIMARY KEY, image TEXT NOT NULL, source TEXT NOT NULL, "
    "given_id TEXT NOT NULL, customer_image_id TEXT NOT NULL UNIQUE, product_id TEXT NOT NULL, "
    "template_id TEXT NOT NULL, callback_url TEXT NOT NULL, state TEXT NOT NULL, "
    "attempts INTEGER NOT NULL DEFAULT 0, ticket TEXT, status_id INTEGER, status_json TEXT, "
    "paths TEXT, error TEXT, updated {real} NOT NULL"
)
SCHEMA_1_ROWS = [
    (1, "https://h/1.jpg", "c-1", "submitted", str(uuid.uuid4()), 80, '["old/1.png"]', 5.0),
    (2, "https://h/2.jpg", "c-2", "submitted", str(uuid.uuid4()), 80, None, 6.0),
    (3, "https://h/3.jpg", "c-3", "pending", None, None, None, 7.0),
]


def _old_sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        f"CREATE TABLE rows ({SCHEMA_1_COLUMNS.format(real='REAL')});"
        "INSERT INTO meta VALUES ('batch_id', 'abcdefabcdef'), ('account', 'a@example.com');"
    )
    for n, image, cid, state, ticket, status, paths, updated in SCHEMA_1_ROWS:
        db.execute(
            "INSERT INTO rows (row_no, image, source, given_id, customer_image_id, product_id, "
            "template_id, callback_url, state, ticket, status_id, status_json, paths, updated) "
            "VALUES (?, ?, ?, ?, ?, '', '', '', ?, ?, ?, '{}', ?, ?)",
            (n, image, image, cid, cid, state, ticket, status, paths, updated),
        )
    db.commit()
    db.close()


def _old_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE rtb_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(
            f"CREATE TABLE rtb_rows ({SCHEMA_1_COLUMNS.format(real='DOUBLE PRECISION')}, "
            "owner TEXT, lease_until DOUBLE PRECISION, lease_length DOUBLE PRECISION, "
            "holder_pid INTEGER)"
        )
        db.execute(
            "INSERT INTO rtb_meta VALUES ('batch_id', 'abcdefabcdef'), ('account', 'a@example.com')"
        )
        for n, image, cid, state, ticket, status, paths, updated in SCHEMA_1_ROWS:
            db.execute(
                "INSERT INTO rtb_rows (row_no, image, source, given_id, customer_image_id, "
                "product_id, template_id, callback_url, state, ticket, status_id, status_json, "
                "paths, updated) VALUES (%s, %s, %s, %s, %s, '', '', '', %s, %s, %s, '{}', %s, %s)",
                (n, image, image, cid, cid, state, ticket, status, paths, updated),
            )


def _schema_version(spec: str) -> str:
    if spec.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(spec) as db:
            found = db.execute("SELECT value FROM rtb_meta WHERE key = 'schema_version'")
            return str(found.fetchone()[0])  # type: ignore[index]
    db = sqlite3.connect(spec)
    try:
        return str(db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
    finally:
        db.close()


def test_a_schema_1_journal_is_opened_and_migrated_with_its_rows_kept(
    spec: str, clock: Clock
) -> None:
    if spec.startswith("postgresql://"):
        _old_postgres(spec)
    else:
        _old_sqlite(Path(spec))
    for again in (False, True):  # opening it again migrates nothing twice
        journal = open_journal(spec, account="a@example.com", clock=clock)
        try:
            assert journal.batch_id == "abcdefabcdef"
            old = [r for r in journal.select(Selection.ALL)]
            assert [(r.row_no, r.state, r.paths) for r in old] == [
                (1, "submitted", ("old/1.png",)),
                (2, "submitted", None),
                (3, "submitted" if again else "pending", None),
            ]
            if again:
                continue
            assert all(r.queued_at is None and r.sha256 is None for r in old)
            # rows without a ready time count from their last change
            assert [r.row_no for r in journal.select_by_expiry()] == [2]
            pace = journal.pace(since=0, expired_before=6.5, expiring_before=7)
            assert (pace.expired, pace.next_ready) == (1, 6.0)
            # and the new times are recorded from now on
            queue(journal, 3)
            assert row(journal, 3).queued_at == clock.now
        finally:
            journal.close()
    assert _schema_version(spec) == str(SCHEMA_VERSION)


# --- Batch.progress ----------------------------------------------------------------------------


class NoCalls:
    """A client for reading the journal only: any call fails the test."""

    email = "a@example.com"
    transport = None  # no rate limits to share
    SERVICE = pixelz.SERVICE  # generation 2, as Batch asks

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"{name} was called")


def test_progress_rates_eta_spend_and_expiry(spec: str, clock: Clock) -> None:
    client: Any = NoCalls()
    journal = open_journal(spec, account="a@example.com", clock=clock)
    journal.record_manifest(manifest(10, template=lambda i: "1001" if i <= 6 else "1002"))
    start = clock.now
    # 8 rows queued a minute apart, 4 of them delivered, 1 downloaded
    for row_no in range(1, 9):
        clock.now += 60
        queue(journal, row_no)
    for row_no in (1, 2, 3, 4):
        clock.now += 60
        journal.record_status(row_no, 80, "{}")
    journal.record_download(1, paths=["1.png"], sha256=["11"])
    with Batch(journal, client, clock=clock, retention=3600.0) as batch:
        progress = batch.progress(
            window=600.0, expiring_within=3200.0, price_per_image={"1001": "0.5", "1002": 2}
        )
    assert (progress.total, progress.pending, progress.submitted) == (10, 2, 8)
    assert (progress.settled, progress.delivered, progress.downloaded) == (4, 4, 1)
    # in the last 10 minutes: 7 queued (rows 2-8); 4 settled in the 3 minutes since the
    # first one settled (a rate younger than the window is measured over its own age)
    assert progress.rates["queued"] == pytest.approx(7 / 10)
    assert progress.rates["settled"] == pytest.approx(4 / 3)
    assert progress.etas["settled"] == pytest.approx((10 - 4) / (4 / 3) * 60)
    assert progress.etas["queued"] == pytest.approx(2 / 0.7 * 60)
    assert progress.rates["downloaded"] == 1.0  # just now: over a minute at least
    assert progress.spend == Decimal("0.5") * 6 + Decimal(2) * 2
    # rows 2-4, ready since start + 120 .. 240, expire at start + 3720 .. 3840: within 3200 s
    assert (progress.expired, progress.expiring) == (0, 3)
    assert progress.next_expiry == start + 120 + 3600
    data = progress.to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["rows"] == {
        "total": 10,
        "pending": 2,
        "unknown": 0,
        "submitted": 8,
        "failed": 0,
        "settled": 4,
        "delivered": 4,
        "downloaded": 1,
    }
    assert data["spend"]["cost"] == "7.0"
    assert data["expiry"]["expiring"] == 3
    assert "ETA" in progress.line() and "spent 7.0" in progress.line()
    assert "3 expire within" in str(progress)
    # an hour later every one not downloaded has expired
    clock.now = start + 240 + 3600 + 1
    reopened = open_journal(spec, account="a@example.com", clock=clock)
    with Batch(reopened, client, clock=clock, retention=3600) as batch:
        later = batch.progress(window=600.0, expiring_within=0)
        assert (later.expired, later.expiring) == (3, 0)
        assert later.spend is None and later.to_json()["spend"]["unpriced"] is None
        bare = batch.progress(by_template=False)
        assert bare.queued_by_template == {} and bare.spend is None
        with pytest.raises(InvalidParameterError, match="window"):
            batch.progress(window=0)
        with pytest.raises(InvalidParameterError, match="price_per_image"):
            batch.progress(price_per_image="cheap")


def test_progress_of_an_empty_or_finished_journal(tmp_path: Path, clock: Clock) -> None:
    client: Any = NoCalls()
    with Batch(tmp_path / "j", client, clock=clock) as batch:
        progress = batch.progress()
        assert progress.total == 0 and progress.etas["settled"] == 0
        assert progress.rates == {"queued": None, "settled": None, "downloaded": None}
        assert "nothing yet" in str(progress)
    with pytest.raises(InvalidParameterError, match="retention"):
        Batch(tmp_path / "k", client, retention=0)


def test_unknown_rows_are_not_settled(journal: Journal, clock: Clock) -> None:
    journal.record_manifest(manifest(1))
    journal.claim(PENDING, OWNER)
    journal.start_call(1, OWNER, attempts=1)
    found = row(journal, 1)
    assert found.state == SUBMITTING and found.queued_at is None and found.settled_at is None


def test_progress_spend_from_the_config_files_prices(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[prices]\ncurrency = "EUR"\n1001 = "0.40"\n1002 = "2"\n')
    monkeypatch.setenv("RTB_CONFIG", str(config))
    journal = open_journal(tmp_path / "j", account="a@example.com", clock=clock)
    journal.record_manifest(manifest(3, template=lambda i: "1001" if i < 3 else "1002"))
    for row_no in (1, 2, 3):
        queue(journal, row_no)
    client: Any = NoCalls()
    with Batch(journal, client, clock=clock) as batch:
        progress = batch.progress()
        assert (progress.spend, progress.currency) == (Decimal("2.80"), "EUR")
        assert progress.to_json()["spend"]["currency"] == "EUR"
        assert "spent 2.80 EUR" in progress.line() and "2.80 EUR for 3" in str(progress)
        # prices given win over the file's, in no currency
        given = batch.progress(price_per_image="1")
        assert (given.spend, given.currency) == (Decimal(3), "")
        # a bar's progress counts the rows per template only for prices it has
        assert batch.progress(by_template=False).spend == Decimal("2.80")

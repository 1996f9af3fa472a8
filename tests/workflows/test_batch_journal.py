"""The journal contract: what every batch journal backend must do (see ``batch/journal.py``).

The tests run over :data:`BACKENDS`; a new backend (a PostgreSQL journal) adds one
:class:`Backend` entry and must pass them all. A backend is reached through
``open_journal(spec)``, as users reach it, so a killed child process can reopen it.
"""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import sys
import textwrap
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from removethebackground import Batch, BatchError, InvalidParameterError
from removethebackground.generated import pixelz
from removethebackground.workflows.batch import (
    Journal,
    ManifestRow,
    Selection,
    SQLiteJournal,
    open_journal,
)
from removethebackground.workflows.batch import postgres as postgres_backend
from removethebackground.workflows.batch.journal import (
    FAILED,
    PENDING,
    SUBMITTED,
    SUBMITTING,
)
from support.postgres import database_url as postgres_database_url


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclasses.dataclass
class Backend:
    """How the tests reach one backend.

    ``spec(tmp_path)`` names a fresh, empty journal (what a user passes);
    ``shared``: whether several runners may hold it at once (claims shared between
    processes) rather than one runner at a time.
    """

    name: str
    spec: Callable[[Path], str]
    shared: bool

    def open(
        self, spec: str, clock: Callable[[], float], account: str = "a@example.com"
    ) -> Journal:
        return open_journal(spec, account=account, durable=True, clock=clock)


BACKENDS = [
    Backend("sqlite", lambda tmp: str(tmp / "journal.rtb-journal"), shared=False),
    # a fresh database on a server the tests start (skipped where no binaries exist)
    Backend("postgresql", lambda tmp: postgres_database_url(), shared=True),
]


@pytest.fixture(params=BACKENDS, ids=lambda b: b.name)
def backend(request: pytest.FixtureRequest) -> Backend:
    found: Backend = request.param
    return found


@pytest.fixture
def spec(backend: Backend, tmp_path: Path) -> str:
    return backend.spec(tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal(backend: Backend, spec: str, clock: Clock) -> Iterator[Journal]:
    handle = backend.open(spec, clock)
    yield handle
    handle.close()


def rows(
    n: int, *, given: Callable[[int], str] = lambda i: f"c-{i}" if i % 2 else ""
) -> list[ManifestRow]:
    return [
        ManifestRow(
            row_no=i,
            image=f"https://127.0.0.1:9/{i}.jpg",
            source=f"https://127.0.0.1:9/{i}.jpg",
            given_id=given(i),
            product_id=f"p-{i % 3}",
            template_id="1001",
            callback_url="",
        )
        for i in range(1, n + 1)
    ]


def every_row(journal: Journal) -> list[Any]:
    found: list[Any] = []
    after = 0
    while page := journal.select(Selection.ALL, after=after, limit=7):
        found.extend(page)
        after = page[-1].row_no
    return found


def one(journal: Journal, row_no: int) -> Any:
    (row,) = [r for r in every_row(journal) if r.row_no == row_no]
    return row


# --- identity and the manifest -----------------------------------------------------------------


def test_a_new_journal_has_an_id_and_an_account_that_reopening_keeps(
    backend: Backend, spec: str, clock: Clock
) -> None:
    first = backend.open(spec, clock)
    batch_id = first.batch_id
    assert len(batch_id) == 12 and int(batch_id, 16) >= 0
    assert first.account == "a@example.com"
    first.close()
    again = backend.open(spec, clock, account="someone-else@example.com")
    try:
        assert (again.batch_id, again.account) == (batch_id, "a@example.com")
        assert again.location and "@" not in again.location.split("/")[-1]
    finally:
        again.close()


def test_the_manifest_is_recorded_pending_with_given_or_made_up_ids(journal: Journal) -> None:
    assert journal.record_manifest(rows(5)) == 5
    recorded = every_row(journal)
    assert [r.row_no for r in recorded] == [1, 2, 3, 4, 5]
    assert all(r.state == PENDING and r.attempts == 0 and r.ticket is None for r in recorded)
    assert [r.customer_image_id for r in recorded] == [
        "c-1",
        f"rtb-{journal.batch_id}-2",
        "c-3",
        f"rtb-{journal.batch_id}-4",
        "c-5",
    ]
    # recording the same manifest again changes nothing
    assert journal.record_manifest(rows(5)) == 5
    assert every_row(journal) == recorded


def test_a_manifest_is_recorded_all_or_nothing(journal: Journal) -> None:
    def broken() -> Iterator[ManifestRow]:
        yield from rows(3)
        raise InvalidParameterError("manifest row 4 column image", "is empty")

    with pytest.raises(InvalidParameterError, match="row 4"):
        journal.record_manifest(broken())
    assert journal.count(Selection.ALL) == 0

    twice = rows(3, given=lambda i: "same" if i in (1, 3) else "")
    with pytest.raises(InvalidParameterError, match="row 1") as info:
        journal.record_manifest(twice)
    assert info.value.parameter == "manifest row 3 column customer_image_id"
    assert journal.count(Selection.ALL) == 0


def test_a_different_manifest_is_refused(journal: Journal) -> None:
    journal.record_manifest(rows(4))
    changed = rows(4)
    changed[2] = dataclasses.replace(changed[2], template_id="2002")
    with pytest.raises(BatchError, match="row 3 column template_id changed"):
        journal.record_manifest(changed)
    with pytest.raises(BatchError, match="row 2 column customer_image_id changed"):
        journal.record_manifest(rows(4, given=lambda i: {1: "c-1", 2: "new", 3: "c-3"}.get(i, "")))
    with pytest.raises(BatchError, match="has 3 rows but the journal"):
        journal.record_manifest(rows(3))
    assert journal.record_manifest(rows(5)) == 5  # a longer one adds its new rows
    assert journal.count(Selection.PENDING) == 5


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL records a manifest 3 rows at a time (SQLite streams row by row)."""
    monkeypatch.setattr(postgres_backend, "MANIFEST_WINDOW", 3)


@pytest.mark.usefixtures("small_windows")
def test_a_manifest_over_many_windows_is_checked_as_one(journal: Journal) -> None:
    assert journal.record_manifest(rows(10)) == 10
    assert [r.row_no for r in every_row(journal)] == list(range(1, 11))
    assert journal.record_manifest(rows(11)) == 11  # compared window by window, one added
    changed = rows(11)
    changed[7] = dataclasses.replace(changed[7], product_id="other")
    with pytest.raises(BatchError, match="row 8 column product_id changed"):
        journal.record_manifest(changed)
    # an id clash with a row recorded earlier, or in an earlier window, names both rows
    clash = rows(16, given=lambda i: {14: "c-3"}.get(i, f"c-{i}" if i % 2 else ""))
    with pytest.raises(InvalidParameterError, match="is also the id of row 3") as info:
        journal.record_manifest(clash)
    assert info.value.parameter == "manifest row 14 column customer_image_id"
    fresh = rows(16, given=lambda i: {15: "c-13"}.get(i, f"c-{i}" if i % 2 else ""))
    with pytest.raises(InvalidParameterError, match="is also the id of row 13") as info:
        journal.record_manifest(fresh)
    assert info.value.parameter == "manifest row 15 column customer_image_id"
    assert journal.count(Selection.ALL) == 11  # all or nothing, over every window

    # a clash in rows not inserted yet is named before a later bad row
    def clash_then_broken() -> Iterator[ManifestRow]:
        yield from rows(11)
        yield from rows(13, given=lambda i: {13: "c-12x", 12: "c-12x"}.get(i, ""))[11:]
        raise InvalidParameterError("manifest row 14 column image", "is empty")

    with pytest.raises(InvalidParameterError) as info:
        journal.record_manifest(clash_then_broken())
    assert info.value.parameter == "manifest row 13 column customer_image_id"
    assert journal.count(Selection.ALL) == 11


def test_rows_are_looked_up_by_ticket(journal: Journal) -> None:
    journal.record_manifest(rows(5))
    tickets = {}
    for row in journal.claim(PENDING, "me", limit=5):
        if row.row_no % 2 == 0:
            assert journal.start_call(row.row_no, "me", attempts=1)
            tickets[row.row_no] = uuid.uuid4()
            assert journal.record_ticket(row.row_no, "me", tickets[row.row_no])
    found = journal.select_tickets([tickets[4], uuid.uuid4(), tickets[2]])
    assert [(r.row_no, r.ticket, r.state) for r in found] == [
        (2, tickets[2], SUBMITTED),
        (4, tickets[4], SUBMITTED),
    ]
    assert journal.select_tickets([]) == []
    assert journal.select_tickets([uuid.uuid4()]) == []


# --- before the call, after it -----------------------------------------------------------------


def test_a_row_is_recorded_submitting_before_its_call_and_submitted_after(
    backend: Backend, spec: str, clock: Clock, journal: Journal
) -> None:
    journal.record_manifest(rows(2))
    (row,) = journal.claim(PENDING, "me", limit=1)
    assert journal.start_call(row.row_no, "me", attempts=1)
    # what anyone reading the journal now sees (another handle, as after a crash)
    other = backend.open(spec, clock)
    try:
        seen = one(other, row.row_no)
        assert (seen.state, seen.attempts, seen.ticket) == (SUBMITTING, 1, None)
        assert other.count(Selection.UNKNOWN) == 1
        ticket = uuid.uuid4()
        assert journal.record_ticket(row.row_no, "me", ticket)
        seen = one(other, row.row_no)
        assert (seen.state, seen.ticket, seen.error) == (SUBMITTED, ticket, None)
    finally:
        other.close()


def test_rows_survive_a_kill_in_the_middle_of_calls(
    backend: Backend, spec: str, clock: Clock
) -> None:
    child = textwrap.dedent(
        """
        import os, signal, sys, uuid
        from removethebackground.workflows.batch import ManifestRow, open_journal
        j = open_journal(sys.argv[1], account="a@example.com", durable=True)
        j.record_manifest(
            ManifestRow(i, f"https://h/{i}", f"https://h/{i}", "", "", "", "")
            for i in range(1, 11)
        )
        claimed = j.claim("pending", "child", limit=10)
        for row in claimed[:6]:
            assert j.start_call(row.row_no, "child", attempts=1)
        for row in claimed[:4]:
            assert j.record_ticket(row.row_no, "child", uuid.UUID(int=row.row_no))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", child, spec], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    journal = backend.open(spec, clock)
    try:
        states = Counter(r.state for r in every_row(journal))
        assert states == {SUBMITTED: 4, SUBMITTING: 2, PENDING: 4}
        assert {r.ticket for r in every_row(journal) if r.state == SUBMITTED} == {
            uuid.UUID(int=i) for i in range(1, 5)
        }
        # the dead process's claims do not keep the rows from a new runner
        assert len(journal.claim(SUBMITTING, "next", limit=10)) == 2
        assert len(journal.claim(PENDING, "next", limit=10)) == 4
    finally:
        journal.close()


def test_transitions_take_effect_only_from_the_state_they_expect(journal: Journal) -> None:
    journal.record_manifest(rows(3))
    claimed = journal.claim(PENDING, "me", limit=3)
    assert [r.row_no for r in claimed] == [1, 2, 3]
    assert not journal.record_ticket(1, "me", uuid.uuid4())  # not sent yet
    assert not journal.record_unknown(1, "me", "x")
    assert not journal.record_not_queued(1, "me")
    assert journal.start_call(1, "me", attempts=1)
    assert not journal.start_call(1, "me", attempts=2)  # never sent twice from one claim
    assert journal.record_ticket(1, "me", uuid.uuid4())
    assert not journal.record_failed(1, "me", "late", state=SUBMITTING)
    assert one(journal, 1).state == SUBMITTED
    with pytest.raises(InvalidParameterError, match="state"):
        journal.record_failed(1, "me", "x", state=SUBMITTED)


def test_reconciliation_outcomes(journal: Journal, clock: Clock) -> None:
    journal.record_manifest(rows(3))
    for row in journal.claim(PENDING, "me"):
        assert journal.start_call(row.row_no, "me", attempts=1)
    assert journal.last_unknown_update() == clock.now
    clock.now += 5
    assert journal.record_unknown(1, "me", "unknown outcome: reset")  # still unknown
    assert journal.last_unknown_update() == clock.now
    assert journal.record_not_queued(2, "me")  # never arrived: to be sent again
    status = '{"StatusId": 10}'
    assert journal.record_ticket(3, "me", uuid.UUID(int=3), status_id=10, status_json=status)
    first, second, third = every_row(journal)
    assert (first.state, first.error, first.attempts) == (SUBMITTING, "unknown outcome: reset", 1)
    assert (second.state, second.attempts, second.error) == (PENDING, 1, None)
    assert (third.state, third.status_id, third.status_json) == (SUBMITTED, 10, status)
    assert journal.count(Selection.UNKNOWN) == 1
    assert journal.count(Selection.PENDING, Selection.UNKNOWN) == 2


def test_failed_rows_come_back_only_when_reset(journal: Journal) -> None:
    journal.record_manifest(rows(3))
    journal.claim(PENDING, "me")
    assert journal.record_failed(1, "me", "gave up", state=PENDING)
    assert journal.start_call(2, "me", attempts=1)
    assert journal.record_failed(2, "me", "Template 999 not found", state=SUBMITTING)
    assert [r.row_no for r in journal.claim(PENDING, "me")] == [3]
    assert journal.claim(FAILED, "me") and journal.reset_failed() == 2
    assert [(r.state, r.attempts) for r in every_row(journal)] == [(PENDING, 0)] * 3
    assert [(r.row_no, r.error) for r in every_row(journal) if r.error] == [
        (1, "gave up"),
        (2, "Template 999 not found"),
    ]


# --- claims ------------------------------------------------------------------------------------


def test_claims_are_exclusive_between_owners(journal: Journal, clock: Clock) -> None:
    journal.record_manifest(rows(6))
    mine = journal.claim(PENDING, "a", limit=3, lease=60)
    assert [r.row_no for r in mine] == [1, 2, 3]
    theirs = journal.claim(PENDING, "b", limit=10, lease=60)
    assert [r.row_no for r in theirs] == [4, 5, 6]  # a's rows are skipped
    assert journal.claim(PENDING, "c") == []  # every row is someone's
    # only the owner may move a row
    assert not journal.start_call(1, "b", attempts=1)
    assert not journal.start_call(4, "a", attempts=1)
    assert not journal.start_call(1, "nobody", attempts=1)
    # a released row is free again
    journal.release(1, "b")  # not b's: nothing happens
    assert [r.row_no for r in journal.claim(PENDING, "c")] == []
    journal.release(1, "a")
    assert [r.row_no for r in journal.claim(PENDING, "c")] == [1]


def test_a_lapsed_claim_can_be_taken_and_its_old_owner_is_refused(
    journal: Journal, clock: Clock
) -> None:
    journal.record_manifest(rows(2))
    assert len(journal.claim(PENDING, "a", limit=2, lease=60)) == 2
    clock.now += 30
    assert journal.start_call(2, "a", attempts=1)  # renews row 2's lease: to 90 s
    assert journal.claim(PENDING, "b") == []
    clock.now += 31  # row 1's lease lapsed at 60 s; row 2's runs to 90 s
    assert [r.row_no for r in journal.claim(PENDING, "b")] == [1]
    assert journal.claim(SUBMITTING, "b") == []
    assert not journal.start_call(1, "a", attempts=1)  # a's claim was taken over
    assert journal.start_call(1, "b", attempts=1)


def test_claims_page_through_a_state_in_row_order(journal: Journal) -> None:
    journal.record_manifest(rows(600))
    seen: list[int] = []
    after = 0
    while page := journal.claim(PENDING, "me", after=after, limit=256):
        seen.extend(r.row_no for r in page)
        after = page[-1].row_no
        for row in page:
            journal.release(row.row_no, "me")
    assert seen == list(range(1, 601))


def test_concurrent_claims_never_share_a_row(journal: Journal) -> None:
    journal.record_manifest(rows(400))
    taken: list[tuple[str, int]] = []
    started: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def runner(owner: str) -> None:
        try:
            start.wait()
            while page := journal.claim(PENDING, owner, limit=5):
                for row in page:
                    with lock:
                        taken.append((owner, row.row_no))
                    if journal.start_call(row.row_no, owner, attempts=1):
                        with lock:
                            started.append(row.row_no)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(f"r{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    # claims are never given back here: each row was claimed by one owner, once
    assert sorted(n for _, n in taken) == list(range(1, 401))
    assert sorted(started) == list(range(1, 401))
    assert journal.count(Selection.UNKNOWN) == 400


def test_runners_one_at_a_time_or_sharing_through_claims(
    backend: Backend, spec: str, clock: Clock, journal: Journal
) -> None:
    other = backend.open(spec, clock)
    try:
        with journal.acquire("a"):
            if backend.shared:
                with other.acquire("b"):
                    pass
            else:
                with pytest.raises(BatchError, match="another process"):
                    with other.acquire("b"):
                        pass
        with other.acquire("b"):  # free again once the first runner is done
            pass
    finally:
        other.close()


# --- after submitting --------------------------------------------------------------------------


def test_statuses_downloads_and_the_tally(journal: Journal) -> None:
    journal.record_manifest(rows(4))
    for row in journal.claim(PENDING, "me"):
        assert journal.start_call(row.row_no, "me", attempts=1)
    for n in (1, 2, 3):
        assert journal.record_ticket(n, "me", uuid.UUID(int=n))
    assert [r.row_no for r in journal.select(Selection.UNFINISHED)] == [1, 2, 3]
    journal.record_status(1, 80, '{"StatusId": 80}')
    journal.record_status(2, 10, '{"StatusId": 10}')
    assert [r.row_no for r in journal.select(Selection.UNFINISHED)] == [2, 3]
    assert [r.row_no for r in journal.select(Selection.UNDOWNLOADED)] == [1]
    journal.record_download(1, error="download: 404")
    assert one(journal, 1).paths is None and one(journal, 1).error == "download: 404"
    journal.record_download(1, paths=["out/c-1.jpg"])
    assert (one(journal, 1).paths, one(journal, 1).error) == (("out/c-1.jpg",), None)
    assert journal.select(Selection.UNDOWNLOADED) == []
    assert journal.record_unknown(4, "me", "unknown outcome: timeout")
    tally = journal.tally()
    assert dict(tally.states) == {SUBMITTED: 3, SUBMITTING: 1}
    assert dict(tally.statuses) == {80: 1, 10: 1, None: 1}
    assert tally.downloaded == 1
    assert tally.errors == ((4, f"rtb-{journal.batch_id}-4", "unknown outcome: timeout"),)


# --- choosing a backend ------------------------------------------------------------------------


def test_open_journal_chooses_the_backend(tmp_path: Path) -> None:
    made = open_journal(tmp_path / "j.rtb-journal", account="a@example.com")
    try:
        assert isinstance(made, SQLiteJournal) and isinstance(made, Journal)
        assert open_journal(made) is made  # a Journal is used as it is
    finally:
        made.close()
    with pytest.raises(InvalidParameterError) as info:
        open_journal("mysql://batch:hunter2@db.example.com/rtb")
    assert info.value.parameter == "journal"
    assert "mysql://" in str(info.value) and "hunter2" not in str(info.value)
    with pytest.raises(InvalidParameterError, match="path of a journal file"):
        open_journal(42)  # type: ignore[arg-type]


def test_a_batch_runs_on_a_journal_it_is_given(tmp_path: Path) -> None:
    class Fake:
        email = "a@example.com"

        def add_image_to_queue(self, **kwargs: Any) -> pixelz.ImageTicketResponse:
            return pixelz.ImageTicketResponse(image_ticket=uuid.uuid4())

    journal = SQLiteJournal(tmp_path / "given.rtb-journal", account="a@example.com")
    with Batch(journal, Fake()) as batch:  # type: ignore[arg-type]
        assert batch.journal is journal and batch.path == tmp_path / "given.rtb-journal"
        summary = batch.submit([{"image": f"https://127.0.0.1:9/{i}.jpg"} for i in range(3)])
    assert summary.submitted == 3

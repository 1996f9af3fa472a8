"""A batch's memory does not grow with the batch: following a round and recording a
manifest hold one window of rows, measured with tracemalloc (bytes, never time)."""

from __future__ import annotations

import tracemalloc
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from removethebackground.generated import pixelz
from removethebackground.workflows.batch import ManifestRow, SQLiteJournal, open_journal
from removethebackground.workflows.batch import postgres as postgres_backend
from removethebackground.workflows.batch.follow import follow_round
from removethebackground.workflows.batch.journal import PENDING, JournalRow, Selection
from support.postgres import database_url

#: Rows read from the journal, and images from the service, at a time.
WINDOW = 50


class Listing:
    """GetImagesList over rows 1..``rows`` (ticket ``UUID(int=row)``), Delivered, built
    page by page: the double keeps nothing per image."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.pages = 0

    def get_images_list(self, *, page: str, images_per_page: int, **_: Any) -> Any:
        self.pages += 1
        first = (int(page) - 1) * int(images_per_page) + 1
        last = min(self.rows, first + int(images_per_page) - 1)
        return pixelz.ImagesListResponse(
            images=[
                pixelz.ImageStatus(
                    image_ticket=uuid.UUID(int=row),
                    customer_image_id=f"c-{row}",
                    status_name="Delivered",
                    status_id=80,
                    is_paid=True,
                    final_images_url=[f"http://127.0.0.1:9/{row}.png"],
                )
                for row in range(first, last + 1)
            ]
        )


def _submitted(path: Path, rows: int) -> SQLiteJournal:
    journal = SQLiteJournal(path, durable=False, clock=lambda: 1_700_000_000.0)
    journal.record_manifest(
        ManifestRow(i, f"https://h/{i}.jpg", f"https://h/{i}.jpg", f"c-{i}", "", "", "")
        for i in range(1, rows + 1)
    )
    while claimed := journal.claim(PENDING, "me", limit=500):
        for row in claimed:
            assert journal.start_call(row.row_no, "me", attempts=1)
            assert journal.record_ticket(row.row_no, "me", uuid.UUID(int=row.row_no))
            journal.release(row.row_no, "me")
    return journal


def _unfinished(journal: SQLiteJournal) -> Iterator[JournalRow]:
    after = 0
    while page := journal.select(Selection.UNFINISHED, after=after, limit=WINDOW):
        yield from page
        after = page[-1].row_no


def _follow_peak(tmp_path: Path, rows: int) -> int:
    """The heap's peak during one round over ``rows`` unfinished rows, above its start."""
    journal = _submitted(tmp_path / f"{rows}.rtb-journal", rows)
    listing = Listing(rows)
    asked: list[int] = []
    try:
        tracemalloc.start()
        try:
            start = tracemalloc.get_traced_memory()[0]
            counts = follow_round(
                listing,  # type: ignore[arg-type]
                journal,
                lambda: _unfinished(journal),
                clock=lambda: 1_700_000_000.0,
                ask=lambda found: asked.extend(r.row_no for r in found),
                per_page=WINDOW,
            )
            peak = tracemalloc.get_traced_memory()[1] - start
        finally:
            tracemalloc.stop()
        # the pages did the work, every row settled
        assert asked == [] and counts.singles == 0
        assert counts.pages == rows // WINDOW + 1 and counts.settled_by_pages == rows
        assert journal.count(Selection.UNFINISHED) == 0
        return peak
    finally:
        journal.close()


def test_a_follow_round_holds_one_window_of_rows_not_the_batch(tmp_path: Path) -> None:
    # The protection shown: holding each unfinished row's ticket (as rounds did) makes
    # the peak at 8,000 rows several times the peak at 2,000 (from 2,000 rows on, the
    # peak is one window plus the garbage the collector has not reached yet).
    small = _follow_peak(tmp_path, 2_000)
    large = _follow_peak(tmp_path, 8_000)
    assert large < 1.2 * small, (small, large)


def test_row_numbers_are_a_bitmap() -> None:
    from removethebackground.workflows.batch.follow import RowNumbers

    numbers = RowNumbers()
    for n in (1, 8, 9, 100_000, 8, 1):
        numbers.add(n)
    assert len(numbers) == 4
    assert [n for n in (0, 1, 2, 7, 8, 9, 99_999, 100_000, 200_000) if n in numbers] == [
        1,
        8,
        9,
        100_000,
    ]
    assert "1" not in numbers


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_recording_a_manifest_holds_one_window_of_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    # The protection shown: reading every recorded row and building every insert at
    # once (as PostgreSQL did) makes the peak at 2,500 rows several times the one at 250.
    monkeypatch.setattr(postgres_backend, "MANIFEST_WINDOW", WINDOW)

    def manifest(n: int) -> Iterator[ManifestRow]:
        for i in range(1, n + 1):
            yield ManifestRow(i, f"https://h/{i}.jpg", f"https://h/{i}.jpg", "", "p", "", "")

    peaks: dict[str, list[int]] = {"new": [], "again": []}
    for n in (250, 2_500):
        spec = str(tmp_path / f"{n}.rtb-journal") if backend == "sqlite" else database_url()
        journal = open_journal(spec, durable=False)
        try:
            for phase in ("new", "again"):
                tracemalloc.start()
                try:
                    start = tracemalloc.get_traced_memory()[0]
                    assert journal.record_manifest(manifest(n)) == n
                    peaks[phase].append(tracemalloc.get_traced_memory()[1] - start)
                finally:
                    tracemalloc.stop()
        finally:
            journal.close()
    for phase, (small, large) in peaks.items():
        assert large < 1.3 * small + 16_384, (phase, small, large)

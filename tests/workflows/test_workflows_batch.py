"""Batch: exactly once through SIGKILL, dropped connections and re-runs; bounded memory."""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import tracemalloc
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from removethebackground import (
    Batch,
    BatchError,
    ImageStatusName,
    InvalidParameterError,
    SandboxUploader,
    WaitTimeout,
)
from removethebackground.generated import pixelz
from removethebackground.testing.sandbox import SandboxHandle

CHILD = Path(__file__).parents[1] / "support" / "batch_child.py"


def _manifest(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = ["image", "customer_image_id", "product_id", "template_id", "callback_url"]
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def _url_rows(n: int, *, given_ids: bool = True) -> list[dict[str, str]]:
    # Port 9: nothing listens, so images stay queued cheaply (the clock is frozen anyway).
    return [
        {
            "image": f"http://127.0.0.1:9/img/{i}.jpg",
            "customer_image_id": f"row-{i}" if given_ids and i % 3 else "",
            "product_id": f"prod-{i % 4}",
            "template_id": "1001",
        }
        for i in range(1, n + 1)
    ]


def _images_by_customer_id(sb: SandboxHandle) -> Counter[str]:
    """From the sandbox's own records: how many images each customer image id has."""
    db = sqlite3.connect(f"file:{sb.data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        return Counter(str(r[0]) for r in db.execute("SELECT customer_image_id FROM images"))
    finally:
        db.close()


def _journal_rows(journal: Path) -> list[tuple[int, str, str, str | None]]:
    db = sqlite3.connect(journal)
    try:
        return [
            (int(r[0]), str(r[1]), str(r[2]), r[3])
            for r in db.execute(
                "SELECT row_no, customer_image_id, state, ticket FROM rows ORDER BY row_no"
            )
        ]
    finally:
        db.close()


def _assert_exactly_once(sb: SandboxHandle, journal: Path, n: int) -> None:
    rows = _journal_rows(journal)
    assert len(rows) == n
    per_id = _images_by_customer_id(sb)
    twice = sorted(c for c, k in per_id.items() if k > 1)
    assert not twice, f"{sum(per_id.values())} images for {n} rows; more than one: {twice}"
    assert {cid for _, cid, _, _ in rows} == set(per_id)
    assert all(state == "submitted" and ticket for _, _, state, ticket in rows), rows
    for _, cid, _, ticket in rows:
        image = sb.image(ticket)
        assert image is not None and image.customer_image_id == cid


# --- the whole job --------------------------------------------------------------------------


def test_submit_wait_download_with_urls_and_local_files(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    from removethebackground.sandbox.imaging import make_sample_product_photo

    (tmp_path / "photos").mkdir()
    for i in range(2):
        (tmp_path / "photos" / f"local-{i}.jpg").write_bytes(
            make_sample_product_photo(96, 72, seed=i)
        )
    hosted = sandbox.upload(make_sample_product_photo(96, 72, seed=9), "hosted.jpg")
    manifest = _manifest(
        tmp_path / "m.csv",
        [
            {"image": "photos/local-0.jpg", "customer_image_id": "shoe-0", "template_id": "1001"},
            {"image": "photos/local-1.jpg", "template_id": "1001", "product_id": "p"},
            {"image": hosted, "customer_image_id": "shoe-2", "template_id": "1001"},
        ],
    )
    client = sandbox.pixelz_client()
    with Batch(tmp_path / "j.sqlite", client, uploader=SandboxUploader(sandbox.url)) as batch:
        summary = batch.submit(manifest, concurrency=2)
        assert (summary.total, summary.submitted, summary.unknown, summary.failed) == (3, 3, 0, 0)
        assert summary.all_submitted
        seen: list[str] = []
        done = batch.wait(
            poll=3.0,
            clock=sandbox.clock.now,
            sleep=sandbox.advance,
            on_progress=lambda s: seen.append(str(s)),
        )
        assert done.delivered == 3 and seen
        paths = batch.download(tmp_path / "out")
        names = sorted(p.name for p in paths)
        rows = list(batch.rows())
        generated = rows[1].customer_image_id
        assert generated.startswith(f"rtb-{batch.batch_id}-2")
        # Named {stem}-{ticket8}.{ext}, the stem from the row's image; template 1001: JPG.
        short = [str(r.ticket)[:8] for r in rows]
        assert names == sorted(
            [f"local-0-{short[0]}.jpg", f"local-1-{short[1]}.jpg", f"hosted-{short[2]}.jpg"]
        )
        assert batch.summary().downloaded == 3
        assert batch.download(tmp_path / "out") == []  # nothing left to fetch
        assert all(r.status is ImageStatusName.DELIVERED for r in rows)
        # running it again submits nothing
        again = batch.submit(manifest)
        assert again.submitted == 3
    assert sum(_images_by_customer_id(sandbox).values()) == 3


@pytest.mark.parametrize(
    ("rows", "where", "says"),
    [
        ([{"image": ""}], "row 1 column image", "empty"),
        ([{"image": "ftp://127.0.0.1/a.jpg"}], "row 1 column image", "only http"),
        ([{"image": "missing.jpg"}], "row 1 column image", "neither"),
        (
            [
                {"image": "http://127.0.0.1:9/a"},
                {"image": "http://127.0.0.1:9/b", "template_id": "x"},
            ],
            "row 2 column template_id",
            "number",
        ),
        (
            [{"image": "http://127.0.0.1:9/a", "callback_url": "mailto:a@b"}],
            "row 1 column callback_url",
            "http",
        ),
        (
            [{"image": "http://127.0.0.1:9/a", "customer_image_id": "x" * 101}],
            "row 1 column customer_image_id",
            "100",
        ),
        (
            [
                {"image": "http://127.0.0.1:9/a", "customer_image_id": "same"},
                {"image": "http://127.0.0.1:9/b", "customer_image_id": "same"},
            ],
            "row 2 column customer_image_id",
            "row 1",
        ),
    ],
)
def test_bad_manifests_are_refused_before_anything_is_sent(
    sandbox: SandboxHandle, tmp_path: Path, rows: list[dict[str, str]], where: str, says: str
) -> None:
    with Batch(tmp_path / "j.sqlite", sandbox.pixelz_client()) as batch:
        with pytest.raises(InvalidParameterError, match=says) as info:
            batch.submit(_manifest(tmp_path / "m.csv", rows))
        assert where in info.value.parameter
        assert batch.summary().total == 0  # the journal is left as it was
    assert sandbox.store.count_images() == 0


def test_manifest_shape_errors(sandbox: SandboxHandle, tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(b"x")
    with Batch(tmp_path / "j.sqlite", sandbox.pixelz_client()) as batch:
        (tmp_path / "cols.csv").write_text("image,colour\nhttp://127.0.0.1:9/a,red\n")
        with pytest.raises(InvalidParameterError, match="unknown column 'colour'"):
            batch.submit(tmp_path / "cols.csv")
        (tmp_path / "noimage.csv").write_text("url\nhttp://127.0.0.1:9/a\n")
        with pytest.raises(InvalidParameterError, match="no 'image' column"):
            batch.submit(tmp_path / "noimage.csv")
        with pytest.raises(InvalidParameterError, match="uploader"):
            batch.submit([{"image": str(tmp_path / "a.jpg")}])
        with pytest.raises(InvalidParameterError, match="concurrency"):
            batch.submit([], concurrency=0)
    assert sandbox.store.count_images() == 0


def test_a_changed_manifest_or_another_account_is_refused(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    journal = tmp_path / "j.sqlite"
    rows = _url_rows(3)
    with Batch(journal, sandbox.pixelz_client()) as batch:
        batch.submit(rows)
        changed = [dict(r) for r in rows]
        changed[1]["image"] = "http://127.0.0.1:9/other.jpg"
        with pytest.raises(BatchError, match="row 2 column image changed"):
            batch.submit(changed)
        with pytest.raises(BatchError, match="has 2 rows but the journal"):
            batch.submit(rows[:2])
    sandbox.add_account("other@example.com", "other-key")
    with pytest.raises(BatchError, match=r"demo@example\.com"):
        Batch(journal, sandbox.pixelz_client(email="other@example.com", api_key="other-key"))
    assert sandbox.store.count_images() == 3


def test_a_file_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a database" * 100)
    with pytest.raises(BatchError, match="cannot use"):
        Batch(tmp_path / "notes.txt", FastFake())  # type: ignore[arg-type]


def test_refused_rows_fail_definitely_and_are_retried_only_on_request(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    rows = _url_rows(3)
    rows[1]["template_id"] = "999"  # no such template: a client fault, nothing queued
    with Batch(tmp_path / "j.sqlite", sandbox.pixelz_client()) as batch:
        summary = batch.submit(rows)
        assert (summary.submitted, summary.failed) == (2, 1)
        assert summary.errors[0][0] == 2 and "Template 999 not found" in summary.errors[0][2]
        assert batch.submit(rows).failed == 1
        assert batch.submit(rows, retry_failed=True).failed == 1
        (row,) = [r for r in batch.rows() if r.state == "failed"]
        assert row.attempts == 1 and row.ticket is None
    assert sum(_images_by_customer_id(sandbox).values()) == 2


def test_a_second_process_on_the_same_journal_is_refused(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    journal = tmp_path / "j.sqlite"
    gate = threading.Event()
    release = threading.Event()

    class Slow:
        email = "demo@example.com"

        def add_image_to_queue(self, **kwargs: Any) -> Any:
            gate.set()
            release.wait(5)
            return pixelz.ImageTicketResponse(image_ticket=uuid.uuid4())

    first = Batch(journal, Slow())  # type: ignore[arg-type]
    worker = threading.Thread(target=first.submit, args=(_url_rows(1),))
    worker.start()
    try:
        assert gate.wait(5)
        with pytest.raises(BatchError, match="another process"):
            Batch(journal, Slow()).submit(_url_rows(1))  # type: ignore[arg-type]
    finally:
        release.set()
        worker.join(5)
        first.close()


# --- exactly once ---------------------------------------------------------------------------


class DroppingAdapter(HTTPAdapter):
    """Drops connections: some AddImageToQueue calls after the service answered them (the
    image is queued, the client never hears of it), some before they are sent, and some
    GetImageStatus calls."""

    def __init__(self) -> None:
        super().__init__(pool_maxsize=16, max_retries=0)
        self.counts: Counter[str] = Counter()
        self.dropped_after = 0
        self.lock = threading.Lock()

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        body = request.body or b""
        op = (
            "add"
            if b"AddImageToQueue" in body
            else "status"
            if b"GetImageStatus" in body
            else "other"
        )
        with self.lock:
            self.counts[op] += 1
            n = self.counts[op]
        if (op == "add" and n % 5 == 0) or (op == "status" and n % 2 == 0):
            raise requests.ConnectionError("connection refused (injected)")
        response = super().send(request, *args, **kwargs)
        if op == "add" and n % 3 == 0:
            _ = response.content  # the service has answered: the image exists
            response.close()
            with self.lock:
                self.dropped_after += 1
            raise requests.ConnectionError("connection reset after the request was sent (injected)")
        return response


def test_exactly_once_through_dropped_connections(sandbox: SandboxHandle, tmp_path: Path) -> None:
    n = 40
    adapter = DroppingAdapter()
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", adapter)
    client = sandbox.pixelz_client(session=session)
    journal = tmp_path / "j.sqlite"
    with Batch(journal, client, settle_seconds=0.05, rounds=10) as batch:
        summary = batch.submit(_url_rows(n), concurrency=4)
    _assert_exactly_once(sandbox, journal, n)
    assert (summary.submitted, summary.unknown, summary.failed) == (n, 0, 0), summary
    assert adapter.dropped_after >= 5 and adapter.counts["status"] >= 5


def _run_child(
    sb: SandboxHandle, journal: Path, manifest: Path, *extra: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), sb.pixelz_endpoint, str(journal), str(manifest), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _resume(sb: SandboxHandle, journal: Path, manifest: Path, n: int) -> None:
    session = requests.Session()
    session.trust_env = False
    with Batch(journal, sb.pixelz_client(session=session), settle_seconds=0.2) as batch:
        summary = batch.submit(manifest, concurrency=4)
    assert (summary.submitted, summary.unknown, summary.failed) == (n, 0, 0), summary
    _assert_exactly_once(sb, journal, n)


def test_sigkill_right_after_the_service_answered_then_resume(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    n = 30
    manifest = _manifest(tmp_path / "m.csv", _url_rows(n))
    journal = tmp_path / "j.sqlite"
    child = _run_child(sandbox, journal, manifest, "--kill-after", "12")
    _out, err = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, err
    states = Counter(state for _, _, state, _ in _journal_rows(journal))
    assert states["submitting"] >= 1, states  # the killed call's outcome is unknown to the journal
    assert 12 <= sum(_images_by_customer_id(sandbox).values()) < n
    _resume(sandbox, journal, manifest, n)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_killed_or_interrupted_at_an_arbitrary_moment_then_resume(
    sandbox: SandboxHandle, tmp_path: Path, signum: signal.Signals
) -> None:
    n = 40
    manifest = _manifest(tmp_path / "m.csv", _url_rows(n, given_ids=False))
    journal = tmp_path / "j.sqlite"
    # 0.1 s after each answer: with 4 calls at a time the 40 take about a second, so the
    # signal sent once 10 are recorded lands well before the end even on a busy machine
    # (with 0.02 s the child sometimes finished all 40 first).
    child = _run_child(sandbox, journal, manifest, "--slow", "0.1")
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            if journal.exists():
                try:
                    done = sum(1 for *_, t in _journal_rows(journal) if t)
                except sqlite3.OperationalError:
                    done = 0
                if done >= 10:
                    break
            time.sleep(0.01)
        child.send_signal(signum)
    finally:
        _out, err = child.communicate(timeout=30)
    assert sum(_images_by_customer_id(sandbox).values()) < n
    unknown = [r for r in _journal_rows(journal) if r[2] == "submitting"]
    if signum == signal.SIGKILL:
        assert child.returncode == -signal.SIGKILL
        assert unknown  # killed with calls answered but not recorded
    else:
        # Ctrl-C: no new calls start, the ones in flight finish and are recorded
        assert child.returncode != 0 and "KeyboardInterrupt" in err
        assert not unknown
    _resume(sandbox, journal, manifest, n)


# --- bounded memory ---------------------------------------------------------------------------


class FastFake:
    """Answers AddImageToQueue at once; counts calls (and nothing else, to stay small)."""

    email = "demo@example.com"

    def __init__(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()

    def add_image_to_queue(self, **kwargs: Any) -> pixelz.ImageTicketResponse:
        with self.lock:
            self.calls += 1
        return pixelz.ImageTicketResponse(image_ticket=uuid.uuid4())


def test_a_10000_row_manifest_runs_in_bounded_memory(tmp_path: Path) -> None:
    n = 10_000
    manifest = tmp_path / "big.csv"
    with open(manifest, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["image", "customer_image_id", "product_id", "template_id"])
        for i in range(n):
            writer.writerow(
                [f"https://127.0.0.1/img/{i}.jpg", f"c{i}" if i % 2 else "", f"p{i % 50}", "1001"]
            )
    fake = FastFake()
    tracemalloc.start()
    try:
        with Batch(tmp_path / "j.sqlite", fake, durable=False) as batch:  # type: ignore[arg-type]
            summary = batch.submit(manifest, concurrency=4, confirm_over=None)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.submitted == n and fake.calls == n
    # 10,000 rows held at once would be several MB of dicts; streaming stays far below.
    assert peak < 1536 * 1024, f"peak {peak / 1e6:.1f} MB"


# --- waiting ----------------------------------------------------------------------------------


class _NeverDone:
    """Queues at once; every status look-up answers New (10), so a wait never ends."""

    email = "demo@example.com"

    def add_image_to_queue(self, **kwargs: Any) -> pixelz.ImageTicketResponse:
        return pixelz.ImageTicketResponse(image_ticket=uuid.uuid4())

    def get_image_status(self, **kwargs: Any) -> pixelz.ImageStatusResponse:
        return pixelz.ImageStatusResponse(
            image_status=pixelz.ImageStatus(
                image_ticket=uuid.UUID(int=1), status_id=10, is_paid=False
            )
        )


def test_batch_wait_pauses_double_with_a_quarter_of_jitter_up_to_max_poll(
    tmp_path: Path,
) -> None:
    slept: list[float] = []
    with Batch(tmp_path / "j.sqlite", _NeverDone()) as batch:  # type: ignore[arg-type]
        batch.submit([{"image": "https://127.0.0.1:9/a.jpg"}])
        with pytest.raises(WaitTimeout):
            batch.wait(
                timeout=200, poll=1.0, max_poll=30.0, clock=lambda: 0.0, sleep=slept.append
            )
    assert 0.75 <= slept[0] <= 1.0 and 1.5 <= slept[1] <= 2.0 and 3.0 <= slept[2] <= 4.0
    assert 22.5 <= max(slept) <= 30.0
    assert sum(slept) == pytest.approx(200.0)

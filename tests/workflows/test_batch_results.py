"""Results before they expire: the sandbox's retention, downloads soonest to expire
first, every file checked and checksummed in the journal, and checked again on re-runs
(a file gone or changed is fetched again while the service still has it)."""

from __future__ import annotations

import csv
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from removethebackground import Batch, DownloadError
from removethebackground.sandbox.config import SandboxConfig
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from removethebackground.workflows.batch.results import image_type, verify_file

RETENTION = 3600.0


@pytest.fixture
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox(config=SandboxConfig(retention_seconds=RETENTION)) as handle:
        yield handle


class Recording(requests.Session):
    """A session that notes the path of every GET."""

    def __init__(self) -> None:
        super().__init__()
        self.got: list[str] = []

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.got.append(str(url).rsplit("/", 1)[-1])
        return super().get(url, **kwargs)


def _manifest(path: Path, n: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["image", "customer_image_id", "template_id"])
        for i in range(1, n + 1):
            writer.writerow([f"http://example.com/images/shoe-{i}.jpg", f"r-{i}", "1002"])
    return path


def _delivered_batch(sb: SandboxHandle, tmp_path: Path, n: int) -> Batch:
    batch = Batch(
        tmp_path / "j.rtb-journal", sb.pixelz_client(), clock=sb.clock.now, retention=RETENTION
    )
    batch.submit(_manifest(tmp_path / "m.csv", n), concurrency=2)
    batch.wait(poll=3.0, clock=sb.clock.now, sleep=sb.advance)
    return batch


def _set_ready(journal: Path, ready: dict[int, float]) -> None:
    """Given rows whose results became ready at these times (a journal's own column)."""
    db = sqlite3.connect(journal)
    with db:
        for row_no, at in ready.items():
            db.execute("UPDATE rows SET ready_since = ? WHERE row_no = ?", (at, row_no))
    db.close()


def test_the_sandbox_answers_404_once_results_are_past_the_retention(sb: SandboxHandle) -> None:
    client = sb.pixelz_client()
    ticket = sb.seed_image(base_url=sb.url)
    status = client.get_image_status(image_ticket=ticket, customer_image_id="").image_status
    assert status is not None and status.final_images_url and status.thumbnail_image_url
    final, thumb = status.final_images_url[0], status.thumbnail_image_url
    assert final is not None
    assert requests.get(final, timeout=10).status_code == 200
    sb.advance(RETENTION - 1)
    assert requests.get(final, timeout=10).status_code == 200
    sb.advance(1)
    assert requests.get(final, timeout=10).status_code == 404
    assert requests.get(thumb, timeout=10).status_code == 404
    # the status says nothing of it (the contract has no field for it): still Delivered
    again = client.get_image_status(image_ticket=ticket, customer_image_id="").image_status
    assert again is not None and again.status_id == 80 and again.final_images_url == [final]


def test_downloads_go_soonest_to_expire_first_and_are_checksummed(
    sb: SandboxHandle, tmp_path: Path
) -> None:
    with _delivered_batch(sb, tmp_path, 4) as batch:
        now = sb.clock.now()
        # row 3 expires first, then 1, 2, 4
        _set_ready(tmp_path / "j.rtb-journal", {1: now - 300, 2: now - 100, 3: now - 400, 4: now})
        session = Recording()
        paths = batch.download(tmp_path / "out", concurrency=1, session=session)
        rows = list(batch.rows())
        tickets = [str(r.ticket) for r in rows]
        assert [name.split(".")[0] for name in session.got] == [
            tickets[2],
            tickets[0],
            tickets[1],
            tickets[3],
        ]
        assert len(paths) == 4
        for row in rows:
            (path,) = row.paths
            data = Path(path).read_bytes()
            assert row.sha256 == (hashlib.sha256(data).hexdigest(),)
            assert image_type(data) == "png" and row.downloaded_at == sb.clock.now()
        assert batch.progress().downloaded == 4


def test_a_file_gone_or_changed_is_fetched_again_on_the_next_run(
    sb: SandboxHandle, tmp_path: Path
) -> None:
    with _delivered_batch(sb, tmp_path, 3) as batch:
        batch.download(tmp_path / "out")
        rows = list(batch.rows())
        good = {r.row_no: Path(r.paths[0]).read_bytes() for r in rows}
        Path(rows[0].paths[0]).write_bytes(good[1][:100])  # truncated
        Path(rows[1].paths[0]).unlink()  # gone
        session = Recording()
        again = batch.download(tmp_path / "out", session=session)
        assert sorted(p.name for p in again) == sorted(Path(r.paths[0]).name for r in rows[:2])
        assert len(session.got) == 2  # the third file is intact: not fetched
        for row in batch.rows():
            assert Path(row.paths[0]).read_bytes() == good[row.row_no]
            assert row.sha256 == (hashlib.sha256(good[row.row_no]).hexdigest(),)
            assert row.error is None
        # without the check the changed file stays as it is
        Path(rows[2].paths[0]).write_bytes(b"\x89PNG\r\n\x1a\n not the result")
        assert batch.download(tmp_path / "out", verify=False) == []
        assert batch.verify() == 1
        assert batch.summary().downloaded == 2


def test_a_result_past_the_retention_is_reported_expired(sb: SandboxHandle, tmp_path: Path) -> None:
    with _delivered_batch(sb, tmp_path, 2) as batch:
        first = batch.progress(expiring_within=RETENTION)
        assert (first.expiring, first.expired) == (2, 0)
        assert batch.progress(expiring_within=60).expiring == 0
        sb.advance(RETENTION + 10)
        later = batch.progress()
        assert (later.expiring, later.expired) == (0, 2)
        with pytest.raises(DownloadError, match="2 image"):
            batch.download(tmp_path / "out")
        errors = [r.error or "" for r in batch.rows()]
        assert all("HTTP 404" in e and "expired at" in e for e in errors), errors
        assert not list((tmp_path / "out").glob("*.png"))


def test_a_result_that_is_not_an_image_is_refused_and_not_recorded(
    sb: SandboxHandle, tmp_path: Path
) -> None:
    with _delivered_batch(sb, tmp_path, 2) as batch:
        one, two = batch.rows()
        # served so by the service
        served = sb.data_dir / "out" / f"{one.ticket}.png"
        result = served.read_bytes()
        served.write_bytes(b"<html>gone</html>" * 10)
        # found under the result's name (left by something else): not taken for it
        found = tmp_path / "out" / f"shoe-2-{str(two.ticket)[:8]}.png"
        found.parent.mkdir()
        found.write_bytes(b"<html>an error page</html>")
        with pytest.raises(DownloadError, match="2 image"):
            batch.download(tmp_path / "out")
        for row in batch.rows():
            assert row.paths == () and row.sha256 == () and row.error
        assert not list((tmp_path / "out").glob("*.png"))
        served.write_bytes(result)
        assert len(batch.download(tmp_path / "out")) == 2
        assert all(image_type(p.read_bytes()) == "png" for p in (tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "png"),
        (b"\xff\xd8\xff\xe0\0\x10JFIF\0", "jpeg"),
        (b"II*\0\x08\0\0\0", "tiff"),
        (b"MM\0*\0\0\0\x08", "tiff"),
        (b"8BPS\0\x01\0\0\0\0\0\0", "psd"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "webp"),
        (b"<html>", None),
        (b"", None),
    ],
)
def test_image_types_by_magic_bytes(head: bytes, kind: str | None) -> None:
    assert image_type(head) == kind


def test_verify_file_names_the_file_and_the_problem(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(DownloadError, match=r"empty\.png: the file is empty"):
        verify_file(empty)
    page = tmp_path / "page.png"
    page.write_bytes(b"<!DOCTYPE html>")
    with pytest.raises(DownloadError, match=r"page\.png: not an image"):
        verify_file(page)
    with pytest.raises(DownloadError, match="cannot be read"):
        verify_file(tmp_path / "missing.png")

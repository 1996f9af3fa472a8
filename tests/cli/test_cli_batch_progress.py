"""rtb batch status: rows per state, rates, ETA, spend so far, results due to expire;
--json in its documented shape, with each row's times, expiry and SHA-256; on an SQLite
journal and on a PostgreSQL one."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from removethebackground.cli.main import main
from removethebackground.sandbox.config import DEMO_API_KEY, DEMO_EMAIL
from removethebackground.sandbox.server import build_parser
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox

# the demo account has templates 1001 (JPG) and 1002 (PNG)
EMAIL = DEMO_EMAIL
KEY = DEMO_API_KEY

Run = tuple[int, str, str]


@pytest.fixture
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        yield handle


@pytest.fixture
def rtb(sb: SandboxHandle, tmp_path: Path) -> Callable[..., Run]:
    runner = CliRunner()
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("RTB_")}
    env.update(
        {
            "RTB_EMAIL": EMAIL,
            "RTB_API_KEY": KEY,
            "RTB_PIXELZ_ENDPOINT": sb.pixelz_endpoint,
            "RTB_CONFIG": str(tmp_path / "config.toml"),
            "COLUMNS": "250",
            "NO_COLOR": "1",
        }
    )

    def run(*args: str) -> Run:
        with runner.isolation(env=env) as (out, err, _mixed):
            code = main(list(args))
            sys.stdout.flush()
            sys.stderr.flush()
            return code, out.getvalue().decode(), err.getvalue().decode()

    return run


def _manifest(path: Path) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "customer_image_id", "template_id"])
        writer.writerow(["http://example.com/images/a.jpg", f"{path.stem}-1", "1001"])
        writer.writerow(["http://example.com/images/b.jpg", f"{path.stem}-2", "1002"])
        writer.writerow(["http://example.com/images/c.jpg", f"{path.stem}-3", "1001"])
    return path


PROGRESS_KEYS = {
    "at",
    "rows",
    "statuses",
    "window_seconds",
    "rate_per_minute",
    "eta_seconds",
    "spend",
    "expiry",
}
ROW_KEYS = {
    "row",
    "image",
    "customer_image_id",
    "state",
    "ticket",
    "status",
    "files",
    "error",
    "sha256",
    "queued_at",
    "settled_at",
    "downloaded_at",
    "expires_at",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        from support.postgres import database_url

        return database_url()
    return str(tmp_path / "shoes.journal")


def _json(run: Run) -> dict[str, Any]:
    code, out, err = run
    assert code == 0, err + out
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def test_status_shows_progress_spend_and_expiry_then_checksums(
    rtb: Callable[..., Run], sb: SandboxHandle, tmp_path: Path, journal: str
) -> None:
    manifest = _manifest(tmp_path / "shoes.csv")
    sent = _json(rtb("batch", "submit", str(manifest), "--journal", journal, "--json"))
    assert sent["summary"]["submitted"] == 3
    sb.advance(3 * sb.step_seconds)
    prices = ("--price-per-image", "1001=0.25", "--price-per-image", "1002=1.50")
    data = _json(rtb("batch", "status", journal, "--json", *prices))
    assert set(data) == {"journal", "summary", "progress", "rows"}
    progress = data["progress"]
    assert set(progress) == PROGRESS_KEYS
    assert progress["rows"] == {
        "total": 3,
        "pending": 0,
        "unknown": 0,
        "submitted": 3,
        "failed": 0,
        "settled": 3,
        "delivered": 3,
        "downloaded": 0,
    }
    assert progress["statuses"] == {"Delivered": 3}
    assert progress["spend"] == {
        "queued_by_template": {"1001": 2, "1002": 1},
        "cost": "2.00",
        "currency": None,
        "unpriced": [],
    }
    assert set(progress["rate_per_minute"]) == {"queued", "settled", "downloaded"}
    assert progress["eta_seconds"]["settled"] == 0
    expiry = progress["expiry"]
    assert expiry["retention_seconds"] == 30 * 86400 and expiry["within_seconds"] == 86400
    assert (expiry["expiring"], expiry["expired"]) == (0, 0) and expiry["next_expiry"]
    for row in data["rows"]:
        assert set(row) == ROW_KEYS
        assert row["queued_at"] and row["settled_at"] and row["expires_at"]
        assert row["sha256"] == [] and row["downloaded_at"] is None

    # for people: the progress under the table
    code, out, err = rtb("batch", "status", journal, "--price-per-image", "0.5")
    assert code == 0, err
    assert "rows: 3 in all" in err and "rate over the last 15m" in err
    assert "spend so far: 1.5 for 3" in err
    assert "results: 0 expire within 24h00m, 0 expired" in err
    assert "expires" in out

    # the config file's prices when none are given
    (tmp_path / "config.toml").write_text('[prices]\ncurrency = "EUR"\n1001 = "1"\n1002 = "3"\n')
    configured = _json(rtb("batch", "status", journal, "--json"))["progress"]["spend"]
    assert (configured["cost"], configured["currency"]) == ("5", "EUR")
    (tmp_path / "config.toml").write_text('[prices]\n1001 = "cheap"\n')
    code, _out, err = rtb("batch", "status", journal)
    assert code == 2 and "[prices] 1001" in err
    (tmp_path / "config.toml").unlink()

    # with a retention of a few milliseconds, every result not downloaded has expired
    short = _json(rtb("batch", "status", journal, "--json", "--retention-days", "0.0000001"))
    assert short["progress"]["expiry"]["expired"] == 3

    code, out, err = rtb("batch", "download", journal, str(tmp_path / "out"))
    assert code == 0, err
    done = _json(rtb("batch", "status", journal, "--json"))
    assert done["progress"]["rows"]["downloaded"] == 3
    assert done["progress"]["expiry"]["expiring"] == 0
    for row in done["rows"]:
        (path,) = row["files"]
        assert row["sha256"] == [hashlib.sha256(Path(path).read_bytes()).hexdigest()]
        assert row["downloaded_at"]


def test_a_bad_price_is_refused_before_anything_is_asked(
    rtb: Callable[..., Run], tmp_path: Path
) -> None:
    journal = tmp_path / "empty.journal"
    journal.write_bytes(b"")
    code, _out, err = rtb("batch", "status", str(journal), "--price-per-image", "cheap")
    assert code == 2
    assert "--price-per-image" in err and "'cheap'" in err and "0.25" in err


def test_the_sandbox_takes_a_retention(tmp_path: Path) -> None:
    args = build_parser().parse_args(["--retention-days", "0.5"])
    assert args.retention_days == 0.5
    assert build_parser().parse_args([]).retention_days == 30
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--retention-days", "0"])


class FakeBar:
    disable = False
    task_ids = (0,)

    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []

    def update(self, task: int, **fields: Any) -> None:
        self.updates.append(fields)


def test_the_progress_bars_show_counts_rate_and_eta_of_their_command(tmp_path: Path) -> None:
    from removethebackground.cli.batch import _BarFollower
    from removethebackground.workflows.batch.progress import Progress

    asked: list[dict[str, Any]] = []

    class Job:
        def progress(self, **kwargs: Any) -> Progress:
            asked.append(kwargs)
            return Progress(
                at=0.0, total=10, pending=2, unknown=1, submitted=7, failed=0,
                by_status={"Delivered": 4}, settled=4, downloaded=1, delivered=4,
                window=900.0, rates={"queued": 2.0, "settled": 1.0, "downloaded": None},
                etas={"queued": 90.0, "settled": 360.0, "downloaded": None},
                queued_by_template={}, spend=None, unpriced=(), priced=False,
                retention=3600.0, expiring_within=60.0, expiring=2, expired=1, next_expiry=None,
            )  # fmt: skip

    for event, counts, says in (
        ("queued", (10, 7), "2.0 queued/min, ETA 1m"),
        ("settled", (10, 4), "1.0 settled/min, ETA 6m"),
        ("downloaded", (4, 1), "1 expired, 2 expiring"),
    ):
        bar = FakeBar()
        follower = _BarFollower(Job(), bar, event, every=3600.0)
        follower()
        follower()  # within `every`: not asked again
        (update,) = bar.updates
        assert (update["total"], update["completed"]) == counts
        assert says in update["detail"] and "4/10 settled" in update["detail"]
    # the bar reads no count that grows with the batch (rows per template)
    assert asked and all(kwargs == {"by_template": False} for kwargs in asked)
    quiet = FakeBar()
    quiet.disable = True  # no terminal: nothing drawn, nothing read
    _BarFollower(Job(), quiet, "settled", every=0.0)()
    assert quiet.updates == [] and len(asked) == 3

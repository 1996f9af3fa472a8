"""Following a batch by GetImagesList pages: status calls per image, counted at the
sandbox's request log (never timed)."""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from removethebackground.core.errors import InvalidParameterError
from removethebackground.sandbox import DEMO_API_KEY, SandboxConfig
from removethebackground.sandbox.imaging import make_sample_product_photo
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from removethebackground.workflows.batch import Batch, Selection
from removethebackground.workflows.batch import follow as follow_module
from removethebackground.workflows.batch.follow import Notifications
from removethebackground.workflows.webhooks import SIGNATURE_HEADER, sign_webhook

STATUS_CALLS = ("GetImageStatus", "GetImagesList")


@pytest.fixture
def big_log_sandbox() -> Iterator[SandboxHandle]:
    with run_sandbox(config=SandboxConfig(request_log_size=20_000)) as handle:
        yield handle


def _rows(sb: SandboxHandle, n: int) -> list[dict[str, str]]:
    url = sb.upload(make_sample_product_photo(48, 36, seed=1), "a.jpg")
    return [
        {"image": url, "customer_image_id": f"follow-{i}", "template_id": "1001"} for i in range(n)
    ]


def _calls(sb: SandboxHandle, after: int) -> Counter[str]:
    return Counter(
        str(r.operation) for r in sb.requests_log() if r.id > after and r.operation in STATUS_CALLS
    )


def _follow(sb: SandboxHandle, tmp_path: Path, n: int, **wait: Any) -> tuple[Batch, Counter[str]]:
    batch = Batch(tmp_path / "j.sqlite", sb.pixelz_client(), clock=sb.clock.now)
    summary = batch.submit(_rows(sb, n), concurrency=8)
    assert summary.submitted == n
    start = max((r.id for r in sb.requests_log()), default=0)
    done = batch.wait(poll=3.0, clock=sb.clock.now, sleep=sb.advance, **wait)
    assert done.delivered == n, str(done)
    return batch, _calls(sb, start)


def test_following_100_rows_costs_at_most_a_tenth_of_a_status_call_per_image(
    big_log_sandbox: SandboxHandle, tmp_path: Path
) -> None:
    batch, calls = _follow(big_log_sandbox, tmp_path, 100)
    with batch:
        assert calls["GetImagesList"] >= 1  # the pages did the work
        assert sum(calls.values()) / 100 <= 0.1, calls
        # Every delivered row has what download needs, from the pages.
        assert all(r.status is not None and r.status.is_delivered for r in batch.rows())


def test_without_pages_the_same_batch_costs_a_call_per_image_per_round(
    big_log_sandbox: SandboxHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The protection shown: with pages of one image, following falls back to one
    # GetImageStatus per unfinished row per round, as before pages were read.
    real = follow_module.follow_round

    def singles_only(*args: Any, **kwargs: Any) -> Any:
        return real(*args, **{**kwargs, "per_page": 1})

    monkeypatch.setattr("removethebackground.workflows.batch.runner.follow_round", singles_only)
    batch, calls = _follow(big_log_sandbox, tmp_path, 100)
    with batch:
        assert calls["GetImagesList"] == 0
        assert sum(calls.values()) / 100 > 1.0, calls


def test_rows_the_pages_do_not_show_are_asked_one_by_one(
    big_log_sandbox: SandboxHandle, tmp_path: Path
) -> None:
    sb = big_log_sandbox
    with Batch(tmp_path / "j.sqlite", sb.pixelz_client(), clock=sb.clock.now) as batch:
        batch.submit(_rows(sb, 30), concurrency=4)
        # The journal's times put the rows a month ahead: the date window misses the images.
        conn = sqlite3.connect(tmp_path / "j.sqlite")
        with conn:
            conn.execute(
                "UPDATE rows SET updated = updated + 30 * 86400, "
                "queued_at = queued_at + 30 * 86400"
            )
        conn.close()
        sb.advance(3 * sb.step_seconds)
        summary = batch.status()
        assert summary.delivered == 30, str(summary)
        assert batch.last_follow.pages == 1 and batch.last_follow.settled_by_pages == 0
        assert batch.last_follow.singles == 30


def test_a_round_with_few_rows_left_asks_them_alone(
    big_log_sandbox: SandboxHandle, tmp_path: Path
) -> None:
    sb = big_log_sandbox
    with Batch(tmp_path / "j.sqlite", sb.pixelz_client(), clock=sb.clock.now) as batch:
        batch.submit(_rows(sb, 1), concurrency=1)
        start = max(r.id for r in sb.requests_log())
        sb.advance(3 * sb.step_seconds)
        assert batch.status().delivered == 1
        assert _calls(sb, start) == Counter({"GetImageStatus": 1})


def _follow_notified(
    sb: SandboxHandle, tmp_path: Path, n: int
) -> tuple[Batch, Counter[str], Notifications]:
    with Notifications("127.0.0.1", 0, DEMO_API_KEY) as hooks:
        host, port = hooks.address
        rows = [{**r, "callback_url": f"http://{host}:{port}/rtb"} for r in _rows(sb, n)]
        batch = Batch(tmp_path / "j.sqlite", sb.pixelz_client(), clock=sb.clock.now)
        assert batch.submit(rows, concurrency=8).submitted == n
        start = max(r.id for r in sb.requests_log())

        def sleep(seconds: float) -> None:
            sb.advance(seconds)
            assert sb.wait_for_webhooks()

        done = batch.wait(poll=3.0, clock=sb.clock.now, sleep=sleep, notifications=hooks)
        assert done.delivered == n, str(done)
        return batch, _calls(sb, start), hooks


def test_with_notifications_following_100_rows_costs_at_most_0_02_calls_per_image(
    big_log_sandbox: SandboxHandle, tmp_path: Path
) -> None:
    batch, calls, hooks = _follow_notified(big_log_sandbox, tmp_path, 100)
    with batch:
        assert hooks.received == 100 and hooks.refused == 0
        assert sum(calls.values()) / 100 <= 0.02, calls
        assert hooks.noted() == set()  # settled rows' tickets are not kept
        assert all(r.status is not None and r.status.is_delivered for r in batch.rows())


def test_a_notification_with_a_bad_signature_is_refused_and_settles_nothing(
    tmp_path: Path,
) -> None:
    with Notifications("127.0.0.1", 0, "the-key") as hooks:
        host, port = hooks.address
        body = b'{"Event": "image-has-been-processed", "ImageTicket": "%s", "StatusId": 80}' % (
            str(uuid.uuid4()).encode()
        )
        url = f"http://{host}:{port}/rtb"
        bad = requests.post(url, data=body, headers={SIGNATURE_HEADER: "sha256=" + "0" * 64})
        good = requests.post(
            url, data=body, headers={SIGNATURE_HEADER: sign_webhook(body, "the-key")}
        )
        assert (bad.status_code, good.status_code) == (401, 200)
        assert (hooks.refused, hooks.received, len(hooks.noted())) == (1, 1, 1)
        assert requests.get(url).status_code == 405


def test_listening_on_a_taken_port_names_the_option(tmp_path: Path) -> None:
    with Notifications("127.0.0.1", 0, "k") as hooks:
        with pytest.raises(InvalidParameterError, match=r"listen.*HOST:PORT"):
            Notifications("127.0.0.1", hooks.address[1], "k")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_run_of_days_keeps_following_by_pages(
    big_log_sandbox: SandboxHandle, tmp_path: Path, kind: str
) -> None:
    # The date window starts from when the oldest unfinished row was queued, not from
    # its last change: a status asked each day (as a round asking rows alone does)
    # moves the rows' last change forward, and the images queued days before stay in
    # the window. Without it every row is asked alone each round from the third day.
    sb = big_log_sandbox
    n, days = 200, 5
    if kind == "sqlite":
        journal: Any = tmp_path / "j.sqlite"
    else:
        from support.postgres import database_url

        journal = database_url()
    rows = [dict(r, product_id="hold") for r in _rows(sb, n)]  # held: stay New for days
    with Batch(journal, sb.pixelz_client(), clock=sb.clock.now) as batch:
        assert batch.submit(rows, concurrency=8).submitted == n
        start = max(r.id for r in sb.requests_log())
        for _day in range(days):
            sb.advance(86400.0)
            for row in batch.journal.select(Selection.UNFINISHED, limit=n):
                batch.journal.record_status(row.row_no, row.status_id or 1, row.status_json or "{}")
            batch.status()
            assert batch.last_follow.singles == 0, batch.last_follow
        calls = _calls(sb, start)
    assert calls["GetImageStatus"] == 0, calls
    assert sum(calls.values()) / n <= 0.1, calls

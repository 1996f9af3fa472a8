"""Rate limits shared through the batch's journal: several worker processes on one
journal stay under the limit together (counted by the sandbox, from its request log),
and a 429 one of them gets pauses them all.

``RTB_LIMITS_LOCAL=1`` runs the workers with their own buckets (``shared_limits=False``),
to see the multi-process tests fail (each worker alone keeps the rate, together they
pass it).
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from removethebackground import Batch, PixelzClient
from removethebackground.core.http import HttpAnswer
from removethebackground.core.ratelimit import (
    Rate,
    RateLimitedTransport,
    RateLimits,
    find_limiter,
)
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from removethebackground.workflows.batch.buckets import PostgresBuckets, SQLiteBuckets

WORKER = Path(__file__).parents[1] / "support" / "limit_worker.py"
LOCAL = ("--local",) if os.environ.get("RTB_LIMITS_LOCAL") else ()
RATE = 10.0  # calls a second
BURST = 1  # the limiter's burst (GCRA): calls that may start at once beyond the rate
WINDOW = 2.0  # seconds: the windows counted in the sandbox's request log
JITTER = 0.5  # seconds a call may take between its take and the sandbox's log
WORKERS = 3


@pytest.fixture
def live() -> Iterator[SandboxHandle]:
    """A sandbox on wall time (the request log's times are real), images never finish."""
    with run_sandbox(realtime=True, step_seconds=3600) as handle:
        yield handle


def _manifest(path: Path, n: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["image", "customer_image_id", "product_id", "template_id"])
        for i in range(1, n + 1):
            # port 9: nothing listens, images stay queued cheaply
            writer.writerow([f"http://127.0.0.1:9/img/{i}.jpg", "", "p-1", "1001"])
    return path


def _workers(sb: SandboxHandle, journal: str, rate: str, mode: str, arg: str) -> None:
    running = [
        subprocess.Popen(
            [sys.executable, str(WORKER), sb.pixelz_endpoint, journal, rate, mode, arg, *LOCAL],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    for process in running:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-3000:]


def _busiest(times: list[float], window: float) -> int:
    """The most calls in any window of ``window`` seconds."""
    times = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


def _served(sb: SandboxHandle, operations: set[str]) -> list[float]:
    return [r.at for r in sb.requests_log() if r.operation in operations and r.status == 200]


def _assert_under_the_limit(times: list[float]) -> None:
    """The calls the sandbox logged kept ``RATE`` (GCRA, burst ``BURST``), judged with a
    margin derived from the limit: a call is logged up to ``JITTER`` seconds after its
    take (the network, a loaded machine), so the calls logged in a window of ``WINDOW``
    seconds were taken within ``WINDOW + JITTER`` seconds: at most ``BURST`` + ``RATE``
    times that. And over the whole run the limit dominates: ``n`` calls take at least
    ``(n - 1 - BURST) / RATE`` seconds, less ``JITTER``. Workers that do not share the
    limit (``RTB_LIMITS_LOCAL=1``) pass both by ``WORKERS`` times."""
    assert len(times) >= 2 * RATE, f"too few calls to judge: {len(times)}"
    allowed = BURST + math.floor(RATE * (WINDOW + JITTER))
    busiest = _busiest(times, WINDOW)
    assert busiest <= allowed, (
        f"{busiest} calls in {WINDOW:g} s from {WORKERS} workers, limit {RATE:g}/s "
        f"(at most {allowed} allowed)"
    )
    span = max(times) - min(times)
    least = (len(times) - 1 - BURST) / RATE - JITTER
    assert span >= least, (
        f"{len(times)} calls in {span:.2f} s from {WORKERS} workers, limit {RATE:g}/s "
        f"(at least {least:.2f} s)"
    )


def test_sqlite_readers_of_one_journal_share_the_read_limit(
    live: SandboxHandle, tmp_path: Path
) -> None:
    journal = tmp_path / "b.rtb-journal"
    with Batch(journal, live.pixelz_client(), settle_seconds=0.1) as batch:
        assert batch.submit(_manifest(tmp_path / "m.csv", 30)).submitted == 30
    first = len(live.requests_log())
    _workers(live, str(journal), f"read={RATE:g}/s,burst={BURST}", "status", "3")
    reads = [
        r.at
        for r in live.requests_log()[first:]
        if r.operation in ("GetImageStatus", "GetImagesList") and r.status == 200
    ]
    _assert_under_the_limit(reads)


def test_postgres_workers_of_one_batch_share_the_queue_limit(
    live: SandboxHandle, tmp_path: Path
) -> None:
    from support.postgres import database_url

    url = database_url()
    n = 60  # 6 s at the limit: the limit, not the start of the workers, sets the pace
    _workers(
        live,
        url,
        f"queue={RATE:g}/s,burst={BURST}",
        "submit",
        str(_manifest(tmp_path / "m.csv", n)),
    )
    queued = _served(live, {"AddImageToQueue"})
    assert len(queued) == n  # every row once
    _assert_under_the_limit(queued)


class Scripted:
    """A transport answering each request with the next status (429 with Retry-After)."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.sent = 0

    def send(self, request: object, ctx: object) -> HttpAnswer:
        self.sent += 1
        status = self.statuses.pop(0) if self.statuses else 200
        headers = {"Retry-After": "30"} if status == 429 else {}
        return HttpAnswer(status, "", headers, b"")

    def close(self) -> None:
        pass


def _status_request() -> object:
    from types import SimpleNamespace

    from removethebackground import Binding

    op = PixelzClient.SERVICE.operations["GetImageStatus"]
    return SimpleNamespace(operation=op, binding=Binding.SOAP11)


def _stores(kind: str, tmp_path: Path) -> tuple[Any, Any]:
    """Two stores on one journal, as two worker processes would open them."""
    if kind == "sqlite":
        path = tmp_path / "shared.rtb-journal"
        return SQLiteBuckets(path), SQLiteBuckets(path)
    from support.postgres import database_url

    url = database_url()
    return PostgresBuckets(url, location="db"), PostgresBuckets(url, location="db")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_429_one_worker_gets_pauses_the_others(kind: str, tmp_path: Path) -> None:
    first, second = _stores(kind, tmp_path)
    # each worker's own clock: they need not agree (PostgreSQL times by the server's)
    one_now, other_now = 1000.0, 5_000_000.0
    waits: list[float] = []
    limits = RateLimits({"read": Rate(100.0)})
    one = RateLimitedTransport(Scripted(429), limits, store=first, clock=lambda: one_now)
    other = RateLimitedTransport(
        Scripted(), limits, store=second, clock=lambda: other_now, sleep=waits.append
    )
    if kind == "sqlite":  # one machine, one clock
        other = RateLimitedTransport(
            Scripted(), limits, store=second, clock=lambda: one_now, sleep=waits.append
        )
    request, ctx = _status_request(), object()
    try:
        assert one.send(request, ctx).status == 429  # type: ignore[arg-type]
        other.send(request, ctx)  # type: ignore[arg-type]
        assert waits and waits[0] == pytest.approx(30.0, abs=0.5)
    finally:
        first.close()
        second.close()


def test_shared_buckets_keep_the_rate_between_stores(tmp_path: Path) -> None:
    first, second = _stores("sqlite", tmp_path)
    rate = Rate(10.0, burst=2)
    try:
        waits = [s.take("queue", rate, 100.0, 60.0) for s in (first, second, first, second)]
        assert waits == pytest.approx([0.0, 0.0, 0.1, 0.2])
        assert second.take("queue", rate, 100.0, 0.25) is None  # over max_wait: none taken
        assert first.take("queue", rate, 100.3, 60.0) == pytest.approx(0.0)
    finally:
        first.close()
        second.close()


def test_a_batch_takes_its_tokens_from_the_journal_while_open(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    client = sandbox.pixelz_client(rate_limits={"read": "100/s"})
    limiter = find_limiter(client.transport)
    assert limiter is not None
    own = limiter.store
    with Batch(tmp_path / "b.rtb-journal", client) as batch:
        assert isinstance(batch.buckets, SQLiteBuckets)
        assert limiter.store is batch.buckets
    assert limiter.store is own  # given back when the batch closes
    with Batch(tmp_path / "c.rtb-journal", client, shared_limits=False) as batch:
        assert batch.buckets is None and limiter.store is own
    with Batch(tmp_path / "d.rtb-journal", sandbox.pixelz_client()) as batch:
        assert batch.buckets is None  # no rate limits: nothing to share


def test_the_buckets_never_show_the_password() -> None:
    from removethebackground import BatchError
    from support.postgres import PASSWORD, database_url

    url = database_url()
    store = PostgresBuckets(url, location="postgresql://rtb:***@db")
    try:
        assert PASSWORD not in repr(store)
    finally:
        store.close()
    wrong = url.replace(PASSWORD, "wrong-Passw0rd-y")
    with pytest.raises(BatchError) as info:
        PostgresBuckets(wrong, location="postgresql://rtb:***@db")
    assert "wrong-Passw0rd-y" not in str(info.value) and "***" in str(info.value)

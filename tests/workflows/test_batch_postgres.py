"""The PostgreSQL journal: many worker processes share one batch, exactly once.

A real server is started by the tests (support.postgres); where no PostgreSQL binaries
are installed these tests are skipped, saying so. ``RTB_PG_WORKERS``, ``RTB_PG_ROWS``
and ``RTB_PG_KILLS`` make the shared-batch run larger (``make test-postgres-large``);
``RTB_PG_UNPROTECTED=1`` runs its workers without claims and reconciliation, to see
it fail (images sent twice).
"""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from removethebackground import Batch, BatchError
from removethebackground.testing.sandbox import SandboxHandle
from removethebackground.workflows.batch import open_journal
from support.dropping_proxy import DroppingProxy
from support.postgres import PASSWORD, database_url, server_url

WORKER = Path(__file__).parents[1] / "support" / "pg_worker.py"


def _manifest(path: Path, n: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["image", "customer_image_id", "product_id", "template_id"])
        for i in range(1, n + 1):
            # port 9: nothing listens, images stay queued cheaply
            writer.writerow([f"http://127.0.0.1:9/img/{i}.jpg", "", f"p-{i % 4}", "1001"])
    return path


def _images_by_customer_id(sb: SandboxHandle) -> Counter[str]:
    """From the sandbox's own records: how many images each customer image id has."""
    db = sqlite3.connect(f"file:{sb.data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        return Counter(str(r[0]) for r in db.execute("SELECT customer_image_id FROM images"))
    finally:
        db.close()


def _journal_rows(url: str) -> list[tuple[int, str, str, str | None]]:
    import psycopg

    with psycopg.connect(url) as db:
        return [
            (int(r[0]), str(r[1]), str(r[2]), r[3])
            for r in db.execute(
                "SELECT row_no, customer_image_id, state, ticket FROM rtb_rows ORDER BY row_no"
            ).fetchall()
        ]


def _worker(endpoint: str, url: str, manifest: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), endpoint, url, str(manifest), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _shared_run(
    sb: SandboxHandle, tmp_path: Path, *, workers: int, n: int, kills: int, extra: tuple[str, ...]
) -> tuple[str, int, DroppingProxy]:
    """``workers`` processes on one journal, ``kills`` SIGKILLs at random moments (each
    killed worker replaced), answers dropped by a proxy; then one last worker finishes."""
    url = database_url()
    manifest = _manifest(tmp_path / "m.csv", n)
    chance = random.Random()
    killed = 0
    with DroppingProxy(sb.pixelz_endpoint, drop_every=4) as proxy:
        running = [_worker(proxy.endpoint, url, manifest, *extra) for _ in range(workers)]
        deadline = time.monotonic() + 60
        while killed < kills and time.monotonic() < deadline:
            time.sleep(chance.uniform(0.3, 1.2))
            alive = [p for p in running if p.poll() is None]
            if not alive:
                break
            victim = chance.choice(alive)
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=30)
            killed += 1
            running.remove(victim)
            running.append(_worker(proxy.endpoint, url, manifest, *extra))
        for process in running:
            _out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err[-3000:]
        last = _worker(proxy.endpoint, url, manifest, *extra)
        _out, err = last.communicate(timeout=120)
        assert last.returncode == 0, err[-3000:]
    return url, killed, proxy


def _assert_exactly_once(sb: SandboxHandle, url: str, n: int) -> None:
    rows = _journal_rows(url)
    assert len(rows) == n
    per_id = _images_by_customer_id(sb)
    twice = sorted(c for c, k in per_id.items() if k > 1)
    assert not twice, f"{sum(per_id.values())} images for {n} rows; more than one: {twice}"
    assert {cid for _, cid, _, _ in rows} == set(per_id)
    assert all(state == "submitted" and ticket for _, _, state, ticket in rows), rows
    for _, cid, _, ticket in rows:
        image = sb.image(ticket)
        assert image is not None and image.customer_image_id == cid


def test_workers_killed_at_random_with_answers_dropped_send_every_row_exactly_once(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    workers = int(os.environ.get("RTB_PG_WORKERS", "3"))
    n = int(os.environ.get("RTB_PG_ROWS", "60"))
    kills = int(os.environ.get("RTB_PG_KILLS", "3"))
    url, killed, proxy = _shared_run(
        sandbox,
        tmp_path,
        workers=workers,
        n=n,
        kills=kills,
        extra=(
            "--slow",
            "0.03",
            *(["--unprotected"] if os.environ.get("RTB_PG_UNPROTECTED") else []),
        ),
    )
    assert killed >= 1 and proxy.dropped >= 3, (killed, proxy.dropped)
    _assert_exactly_once(sandbox, url, n)


def test_a_claim_is_freed_by_its_holders_end_or_its_lease() -> None:
    url = database_url()
    now = [1000.0]
    first = open_journal(url, clock=lambda: now[0])
    second = open_journal(url, clock=lambda: now[0])
    try:
        from removethebackground.workflows.batch import ManifestRow

        first.record_manifest(
            ManifestRow(i, f"https://h/{i}", f"https://h/{i}", "", "", "", "") for i in (1, 2)
        )
        assert [r.row_no for r in first.claim("pending", "a", lease=60)] == [1, 2]
        assert second.claim("pending", "b") == []  # held: lease runs, holder alive
        now[0] += 59
        assert second.claim("pending", "b") == []
        now[0] += 2
        assert [r.row_no for r in second.claim("pending", "b", limit=1)] == [1]  # lapsed
        now[0] += 1
        # the holder's session ends (a killed worker): its rows are free at once
        import psycopg

        with psycopg.connect(url, autocommit=True) as admin:
            (pid,) = admin.execute("SELECT holder_pid FROM rtb_rows WHERE row_no = 1").fetchone()
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        # row 1: b's lease runs for 15 more minutes, but b's session is gone
        assert [r.row_no for r in first.claim("pending", "c", lease=60)] == [1, 2]
        with pytest.raises(BatchError, match=r"\*\*\*"):
            second.count()  # its connection was ended
    finally:
        second.close()
        first.close()


def test_the_password_never_shows(tmp_path: Path) -> None:
    url = database_url()
    journal = open_journal(url)
    try:
        assert PASSWORD in url
        for shown in (journal.location, repr(journal)):
            assert PASSWORD not in shown and "***" in shown
    finally:
        journal.close()
    wrong = server_url().replace(PASSWORD, "wrong-Passw0rd-x")
    with pytest.raises(BatchError) as info:
        open_journal(wrong)
    assert "wrong-Passw0rd-x" not in str(info.value) and "cannot use" in str(info.value)
    with pytest.raises(BatchError) as info:
        Batch(server_url().replace("/postgres", "/no_such_db"), object())  # type: ignore[arg-type]
    assert PASSWORD not in str(info.value) and "no_such_db" in str(info.value)

"""A big batch on one PostgreSQL journal: 1 worker process, then N, against a fast fake.

    python bench/postgres_scale.py [--rows 100000] [--workers 4]

Starts a PostgreSQL server of its own (as the tests do: initdb + pg_ctl on a free
loopback port), writes a manifest of ``--rows`` URL rows, and submits it with one
worker process on a fresh database, then with ``--workers`` processes on another.
The service is an in-process fake in each worker (AddImageToQueue answered at once),
so what is measured is the journal: rows per second, journal statements' share of the
time, the speed-up of N workers over one, and duplicates (rows sent more than once,
from the ids every worker logs; must be 0). Prints a table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

WORKER = """
import sys, threading, uuid
from removethebackground.generated import pixelz
from removethebackground.workflows.batch import Batch

class Fast:
    email = "bench@example.com"
    def __init__(self, log):
        self.log, self.lock = log, threading.Lock()
    def add_image_to_queue(self, **kwargs):
        with self.lock:
            self.log.write(str(kwargs.get("customer_image_id")) + "\\n")
        return pixelz.ImageTicketResponse(image_ticket=uuid.uuid4())

with open(sys.argv[3], "a", buffering=1) as log:
    with Batch(sys.argv[1], Fast(log)) as batch:  # type: ignore[arg-type]
        batch.submit(sys.argv[2], concurrency=4)
"""


def _manifest(path: Path, rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["image", "customer_image_id", "product_id", "template_id"])
        for i in range(1, rows + 1):
            writer.writerow([f"https://cdn.example.com/{i}.jpg", f"sku-{i}", f"p-{i % 7}", "1001"])


def run(url: str, manifest: Path, workers: int, logs: Path) -> dict[str, Any]:
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(manifest), str(logs / f"w{n}.log")],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(workers)
    ]
    for process in processes:
        _out, err = process.communicate()
        if process.returncode:
            raise SystemExit(f"a worker failed:\n{err[-3000:]}")
    seconds = time.perf_counter() - started
    sent: Counter[str] = Counter()
    per_worker = []
    for log in logs.glob("w*.log"):
        lines = log.read_text().split()
        per_worker.append(len(lines))
        sent.update(lines)
    return {
        "workers": workers,
        "seconds": seconds,
        "sent": sum(sent.values()),
        "rows": len(sent),
        "duplicates": sum(k - 1 for k in sent.values() if k > 1),
        "per_worker": sorted(per_worker),
    }


def main() -> None:
    from support.postgres import database_url

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rtb-pg-bench-") as tmp:
        base = Path(tmp)
        manifest = base / "catalogue.csv"
        _manifest(manifest, args.rows)
        results = []
        for workers in (1, args.workers):
            logs = base / f"logs-{workers}-{uuid.uuid4().hex[:6]}"
            logs.mkdir()
            results.append(run(database_url(), manifest, workers, logs))
    one = results[0]["seconds"]
    print(f"PostgreSQL journal, {args.rows} rows, fast in-process service")
    print(
        f"{'workers':>8} {'seconds':>9} {'rows/s':>9} {'speed-up':>9} {'duplicates':>11}  rows each"
    )
    for r in results:
        print(
            f"{r['workers']:>8} {r['seconds']:>9.1f} {r['rows'] / r['seconds']:>9.0f} "
            f"{one / r['seconds']:>8.2f}x {r['duplicates']:>11}  {r['per_worker']}"
        )
        if r["rows"] != args.rows:
            print(f"  !! {r['rows']} distinct rows sent, expected {args.rows}")


if __name__ == "__main__":
    main()

"""A catalogue at scale: a manifest of ``BENCH_SCALE_ROWS`` rows (default 100,000)
submitted and followed against a fast service, on an SQLite journal and on PostgreSQL.

    python bench/scale.py [--rows N] [--workers 4]     # or a part of `make bench`

**The service** is a minimal ASMX answerer in this process (:class:`FastService`, a
threaded HTTP server on a loopback port), built from the project's own service side
(:mod:`removethebackground.service`: routing, request parsing and answer rendering as
ASP.NET does them) with nothing behind it: AddImageToQueue answers a new ticket at
once, an image is Delivered as soon as it is queued (processing time 0), and
GetImagesList / GetImageStatus answer from memory. It counts every AddImageToQueue by
customer image id, so duplicates are counted **on the service side**.

**The runs**, each in fresh worker processes (``Batch`` through the real client over
HTTP, ``concurrency=4`` threads each, a durable journal as by default):

* ``sqlite``: one worker submits the manifest, then follows it (``Batch.wait``: the
  statuses from GetImagesList pages) until every row is Delivered;
* ``postgresql, 1``: the same on a PostgreSQL journal;
* ``postgresql, N``: ``--workers`` processes submit the same manifest on one
  PostgreSQL journal together, then one of them follows it.

PostgreSQL is a throwaway server started here from Debian's binaries as the tests do
(``tests/support/postgres.py``); without ``initdb`` those rows are skipped with a line
saying so. Measured per run: rows per second submitting and following, the journal's
time per row (the time spent inside the journal's methods, summed over the worker's
threads, divided by the rows) and bytes per row (the SQLite file with its WAL, or
``pg_total_relation_size`` of the rows table), each worker's peak resident memory,
the speed-up of N workers over one, and the duplicates. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (str(ROOT), str(ROOT / "tests")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

DEFAULT_ROWS = 100_000
EMAIL, API_KEY = "bench@example.com", "bench-key"


# --- the service ---------------------------------------------------------------------------


class FastService:
    """A minimal ASMX answerer on ``127.0.0.1`` (see the module): ``url`` is its
    endpoint, ``queued`` counts AddImageToQueue calls per customer image id."""

    def __init__(self) -> None:
        from removethebackground.generated import pixelz

        self._pixelz = pixelz
        self._lock = threading.Lock()
        self.queued: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self._images: list[Any] = []  # ImageStatus, in the order queued (by id)
        self._by_ticket: dict[uuid.UUID, Any] = {}
        self._by_cid: dict[str, Any] = {}
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # one write per answer, sent at once (no Nagle / delayed-ACK pause)
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, content_type, answer = service.answer(
                    self.headers.get("Content-Type", ""), self.headers.get("SOAPAction"), body
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/soap.asmx"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FastService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def answer(
        self, content_type: str, soapaction: str | None, body: bytes
    ) -> tuple[int, str, bytes]:
        from removethebackground.service.answers import render_soap_fault, render_soap_result
        from removethebackground.service.errors import FaultCode
        from removethebackground.service.requests import parse_soap_request
        from removethebackground.service.routing import route_soap_request

        pixelz = self._pixelz
        route = route_soap_request(pixelz.PixelzClient.SERVICE, content_type, soapaction, body)
        op, binding = route.op, route.binding
        values = parse_soap_request(op, route.element)
        mime = "text/xml; charset=utf-8"
        with self._lock:
            self.calls[op.name] += 1
        if op.name == "AddImageToQueue":
            cid = str(values.get("customer_image_id") or "")
            image = pixelz.ImageStatus(
                image_ticket=uuid.uuid4(),
                customer_image_id=cid,
                product_id=values.get("product_id"),
                status_name="Delivered",
                status_id=80,
                is_paid=True,
                final_images_url=[f"http://127.0.0.1:9/{cid}.png"],
            )
            with self._lock:
                self.queued[cid] += 1
                self._images.append(image)
                self._by_ticket[image.image_ticket] = image
                self._by_cid[cid] = image
            result: Any = pixelz.ImageTicketResponse(image_ticket=image.image_ticket)
        elif op.name == "GetImagesList":
            size = int(values.get("images_per_page") or 100)
            page = int(values.get("page") or 1)
            with self._lock:
                found = self._images[(page - 1) * size : page * size]
            result = pixelz.ImagesListResponse(images=list(found))
        elif op.name == "GetImageStatus":
            key = values.get("image_ticket")
            with self._lock:
                image = (
                    self._by_cid.get(str(values.get("customer_image_id") or ""))
                    if str(key).lower() == "nonticket"
                    else self._by_ticket.get(_uuid(key))
                )
            if image is None:
                return 500, mime, render_soap_fault(binding, FaultCode.CLIENT, "Image not found")
            result = pixelz.ImageStatusResponse(image_status=image)
        else:
            return 500, mime, render_soap_fault(binding, FaultCode.CLIENT, f"{op.name}: not here")
        return 200, mime, render_soap_result(op, binding, result)


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


# --- one worker process --------------------------------------------------------------------


def worker(
    endpoint: str, journal: str, manifest: str, *, submit: bool, follow: bool, durable: bool
) -> None:
    """Submit and/or follow, timing the journal's methods; prints one JSON line."""
    start_rss = _peak_kib()
    import requests

    from removethebackground import PixelzClient
    from removethebackground.workflows.batch import Batch

    session = requests.Session()
    session.trust_env = False
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=16))
    client = PixelzClient(EMAIL, API_KEY, endpoint=endpoint, session=session)
    sent = [0]
    add = client.add_image_to_queue

    def counted(**kwargs: Any) -> Any:
        answer = add(**kwargs)
        sent[0] += 1  # approximate under threads; only shown as each worker's share
        return answer

    client.add_image_to_queue = counted  # type: ignore[method-assign]
    spent = [0.0]
    lock = threading.Lock()
    out: dict[str, Any] = {"pid": os.getpid(), "start_rss_kib": start_rss}
    with Batch(journal, client, settle_seconds=0.5, durable=durable) as batch:
        _time_journal(batch.journal, spent, lock)
        if submit:
            t0 = time.perf_counter()
            summary = batch.submit(manifest, concurrency=4, confirm_over=None)
            out["submit_seconds"] = time.perf_counter() - t0
            out["submitted"] = summary.submitted
            out["sent"] = sent[0]
            out["submit_journal_seconds"] = spent[0]
        if follow:
            before = spent[0]
            t0 = time.perf_counter()
            summary = batch.wait(poll=0.2, max_poll=1.0, timeout=3600)
            out["follow_seconds"] = time.perf_counter() - t0
            out["delivered"] = summary.delivered
            out["follow_journal_seconds"] = spent[0] - before
            out["follow_pages"] = batch.last_follow.pages
    out["peak_rss_kib"] = _peak_kib()
    print("RESULT " + json.dumps(out), flush=True)


def _peak_kib() -> int:
    """This process's peak resident memory, KiB: ``VmHWM`` (of this program alone:
    ``ru_maxrss`` would count the parent's memory at the fork), else ``ru_maxrss``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


_TIMED = (
    "record_manifest claim release start_call record_ticket record_unknown "
    "record_not_queued record_failed record_status select count tally last_unknown_update"
).split()


def _time_journal(journal: Any, spent: list[float], lock: threading.Lock) -> None:
    """Wrap the journal's methods so their time is summed into ``spent[0]``."""
    for name in _TIMED:
        method = getattr(journal, name, None)
        if method is None:
            continue

        def timed(*args: Any, _method: Callable[..., Any] = method, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return _method(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                with lock:
                    spent[0] += elapsed

        setattr(journal, name, timed)


# --- the runs ------------------------------------------------------------------------------


def _manifest(path: Path, rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["image", "customer_image_id", "product_id", "template_id"])
        for i in range(1, rows + 1):
            writer.writerow([f"https://cdn.example.com/{i}.jpg", f"sku-{i}", f"p-{i % 7}", ""])


def _workers(
    service: FastService,
    journal: str,
    manifest: Path,
    count: int,
    *,
    submit: bool,
    follow: bool,
    durable: bool,
) -> list[dict[str, Any]]:
    flags = (["--submit"] if submit else []) + (["--follow"] if follow else [])
    flags += ["--durable"] if durable else []
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", service.url, journal, str(manifest), *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    results = []
    for process in processes:
        out, err = process.communicate()
        if process.returncode:
            raise RuntimeError(f"a scale worker failed:\n{err[-3000:]}")
        line = next(x for x in out.splitlines() if x.startswith("RESULT "))
        results.append(json.loads(line.removeprefix("RESULT ")))
    return results


def _sqlite_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def _pg_bytes(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as db:
        return int(db.execute("SELECT pg_total_relation_size('rtb_rows')").fetchone()[0])


def run_one(
    name: str,
    journal: str,
    manifest: Path,
    rows: int,
    workers: int,
    size: Callable[[], int],
    *,
    durable: bool = False,
    follow: bool = True,
) -> dict[str, Any]:
    with FastService() as service:
        t0 = time.perf_counter()
        submitted = _workers(
            service, journal, manifest, workers, submit=True, follow=False, durable=durable
        )
        submit_wall = time.perf_counter() - t0
        followed: dict[str, Any] = {}
        if follow:
            (followed,) = _workers(
                service, journal, manifest, 1, submit=False, follow=True, durable=durable
            )
        duplicates = sum(n - 1 for n in service.queued.values() if n > 1)
        distinct = len(service.queued)
        calls = dict(service.calls)
    journal_seconds = sum(r.get("submit_journal_seconds", 0.0) for r in submitted)
    journal_seconds += float(followed.get("follow_journal_seconds", 0.0))
    return {
        "journal": name,
        "workers": workers,
        "rows": rows,
        "distinct_queued": distinct,
        "duplicates": duplicates,
        "submit_seconds": submit_wall,
        "submit_rows_per_second": rows / submit_wall,
        "follow_seconds": followed.get("follow_seconds"),
        "follow_rows_per_second": (rows / followed["follow_seconds"]) if followed else None,
        "follow_pages": followed.get("follow_pages"),
        "journal_us_per_row": journal_seconds / rows * 1e6,
        "journal_bytes_per_row": size() / rows,
        "peak_rss_mib": max(r["peak_rss_kib"] for r in [*submitted, followed] if r) / 1024,
        "start_rss_mib": max(r["start_rss_kib"] for r in [*submitted, followed] if r) / 1024,
        "calls": calls,
        "sent_each": sorted(r.get("sent", 0) for r in submitted),
        "peak_rss_submit_mib": max(r["peak_rss_kib"] for r in submitted) / 1024,
        "peak_rss_follow_mib": (followed["peak_rss_kib"] / 1024) if followed else None,
    }


def bench_scale(
    rows: int | None = None, workers: int = 4, *, durable: bool = False
) -> dict[str, Any]:
    """Every run (see the module); ``rows``: default ``BENCH_SCALE_ROWS`` or 100,000."""
    rows = rows or int(os.environ.get("BENCH_SCALE_ROWS", DEFAULT_ROWS))
    results: list[dict[str, Any]] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="rtb-scale-") as tmp:
        base = Path(tmp)
        manifest = base / "catalogue.csv"
        _manifest(manifest, rows)
        path = base / "catalogue.rtb-journal"
        results.append(
            run_one(
                "sqlite", str(path), manifest, rows, 1, lambda: _sqlite_bytes(path), durable=durable
            )
        )
        from support import postgres

        if postgres.binaries() is None:
            skipped.append(
                "PostgreSQL: skipped, no initdb/pg_ctl found (install Debian's postgresql)"
            )
        else:
            for count in (1, workers):
                url = postgres.database_url()
                results.append(
                    run_one(
                        "postgresql",
                        url,
                        manifest,
                        rows,
                        count,
                        lambda u=url: _pg_bytes(u),
                        durable=durable,
                        follow=count == 1,
                    )
                )
    one = next((r for r in results if r["journal"] == "postgresql" and r["workers"] == 1), None)
    for r in results:
        if r["journal"] == "postgresql" and one is not None:
            r["speed_up"] = one["submit_seconds"] / r["submit_seconds"]
    return {
        "rows": rows,
        "workers": workers,
        "durable": durable,
        "runs": results,
        "skipped": skipped,
    }


def render_scale(report: Mapping[str, Any]) -> str:
    head = (
        f"{'journal':<11} {'workers':>7} {'submit rows/s':>13} {'speed-up':>8} "
        f"{'follow rows/s':>13} {'journal us/row':>14} {'journal B/row':>13} "
        f"{'peak MiB sub/fol':>16} {'duplicates':>10}"
    )
    lines = [
        f"Scale: {report['rows']:,} rows submitted and followed, fast in-process service, "
        f"{'durable' if report['durable'] else 'durable=False'} journal, 4 threads a worker",
        head,
        "-" * len(head),
    ]
    for r in report["runs"]:
        speed = f"{r['speed_up']:.2f}x" if "speed_up" in r else "-"
        follow = r["follow_rows_per_second"]
        peak_follow = r["peak_rss_follow_mib"]
        peak = f"{r['peak_rss_submit_mib']:.0f}/" + (
            "-" if peak_follow is None else f"{peak_follow:.0f}"
        )
        followed = "-" if follow is None else f"{follow:,.0f}"
        lines.append(
            f"{r['journal']:<11} {r['workers']:>7} {r['submit_rows_per_second']:>13,.0f} "
            f"{speed:>8} {followed:>13} "
            f"{r['journal_us_per_row']:>14,.0f} {r['journal_bytes_per_row']:>13,.0f} "
            f"{peak:>16} {r['duplicates']:>10}"
        )
        if r["distinct_queued"] != r["rows"]:
            lines.append(f"  !! {r['distinct_queued']} distinct rows queued, expected {r['rows']}")
    lines.extend(report["skipped"])
    lines.append(
        "journal us/row: time inside the journal's methods (all threads of all workers, "
        "submit and follow) per row; bytes: the journal on disk per row; speed-up: "
        "submitting, over one PostgreSQL worker (the N workers' batch is followed by one, "
        "as the one worker's is: not again); "
        "duplicates: images queued twice, counted by the service (must be 0); peak MiB: "
        "a worker's peak resident memory (VmHWM; the largest worker's) submitting / following."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--rows", type=int, default=None, help="default: BENCH_SCALE_ROWS or 100000"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures there")
    parser.add_argument("--worker", nargs=3, metavar=("ENDPOINT", "JOURNAL", "MANIFEST"))
    parser.add_argument("--submit", action="store_true")
    parser.add_argument("--follow", action="store_true")
    parser.add_argument(
        "--durable", action="store_true", help="fsync every journal commit (Batch's default)"
    )
    args = parser.parse_args(argv)
    if args.worker:
        worker(*args.worker, submit=args.submit, follow=args.follow, durable=args.durable)
        return 0
    t0 = time.perf_counter()
    report = bench_scale(args.rows, args.workers, durable=args.durable)
    print(render_scale(report))
    print(f"scale: done in {time.perf_counter() - t0:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

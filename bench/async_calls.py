"""Many calls in flight: 1,000 concurrent GetImageStatus calls against a slow loopback server.

The server (``--serve``, in a process of its own, so it shares neither the client's
loop nor its GIL) answers every POST with the recorded GetImageStatus answer after
200 ms. It is an asyncio protocol that finds the end of each request (its head and
``Content-Length``) and nothing more, so that the time it adds is small next to the
clients': an aiohttp.web app spent about 130 µs of CPU a request here, which with 250
requests arriving at once put every client's four rounds about 0.2 s above the ideal.
The table gives the server's CPU per run, and two rows against that aiohttp.web server
(``--server aiohttp``) for comparison. Each client runs in a fresh process of its own
(``--client NAME``), builds itself, makes one call (checked: status 80), then starts
1,000 calls at once and waits for all of them:

- ``ours_250``, ``ours_100``: ``AsyncPixelzClient(max_connections=250 / 100)``;
- ``zeep_async``: ``zeep.AsyncClient`` with its ``AsyncTransport`` on an
  ``httpx.AsyncClient`` allowed 250 connections (the WSDL read offline), the target's
  comparison; ``zeep_async_default``: on the ``httpx.AsyncClient`` that
  ``AsyncTransport()`` makes itself (httpx's default limits: 100 connections);
- ``sync_threads64``: the sync ``PixelzClient`` called from a 64-thread pool (its
  session's pool holds 64 connections, one per thread);
- ``raw_aiohttp_{100,250}``, ``raw_httpx_{100,250}``: the library choice: 1,000 bare
  POSTs of the same envelope through an ``aiohttp.ClientSession`` (``TCPConnector(limit=N)``)
  and an ``httpx.AsyncClient`` (``Limits(max_connections=N)``), nothing else.

Measured per run: the wall time of the 1,000 calls and the process's resident memory
(``/proc/self/statm``: thread stacks and C allocations count, which tracemalloc would
not see) at three points: ``start``, once the modules every client shares are imported
(the benchmark's inputs: requests, lxml, this package's generated client); ``before``,
once the client's own modules are imported, the client built and one call made; and
its ``peak`` while the 1,000 run (read every 5 ms by a thread). ``setup`` is
before - start (aiohttp's import, for the async clients), ``growth`` is peak - before
(what the calls in flight hold). Targets: ``ours_250`` within 1.5 s (the ideal is
0.8 s: four rounds of 200 ms), at least 20 times faster than ``zeep_async``, and a
smaller peak than ``sync_threads64``.

Run alone with ``python bench/async_calls.py [--quick]``; ``make bench`` runs it in
the same run as the other tables (``bench/run.py``, case ``async_calls``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CALLS = 1000
DELAY = 0.2
#: Clients measured again against the aiohttp.web server (rows named ``NAME@aiohttp``).
ON_AIOHTTP_SERVER = ("ours_250", "raw_aiohttp_250")
#: Every client, in the order they run; ``ours_250`` is the one the targets are about.
CLIENTS = (
    "ours_250",
    "ours_100",
    "zeep_async",
    "zeep_async_default",
    "sync_threads64",
    "raw_aiohttp_250",
    "raw_aiohttp_100",
    "raw_httpx_250",
    "raw_httpx_100",
)
TITLES = {
    "ours_250": "ours, async, max_connections=250",
    "ours_100": "ours, async, max_connections=100",
    "zeep_async": "zeep AsyncClient (httpx, 250 connections)",
    "zeep_async_default": "zeep AsyncClient, its default httpx client (100)",
    "sync_threads64": "ours, sync, 64-thread pool",
    "raw_aiohttp_250": "aiohttp, bare POSTs, 250 connections",
    "raw_aiohttp_100": "aiohttp, bare POSTs, 100 connections",
    "raw_httpx_250": "httpx, bare POSTs, 250 connections",
    "raw_httpx_100": "httpx, bare POSTs, 100 connections",
}
TARGET_WALL = 1.5
TARGET_VS_ZEEP = 20.0
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


# --- the server --------------------------------------------------------------------------------


def serve(delay: float, kind: str = "asyncio") -> None:
    """Answer every POST with the recorded GetImageStatus answer after ``delay`` s."""
    from bench.inputs import ANSWER_HEADERS, status_answer

    body = status_answer()
    if kind == "aiohttp":
        _serve_aiohttp(delay, body, ANSWER_HEADERS)
        return
    head = "".join(f"{k}: {v}\r\n" for k, v in ANSWER_HEADERS.items())
    answer = f"HTTP/1.1 200 OK\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body

    class Answering(asyncio.Protocol):
        """Reads requests (head, then ``Content-Length`` bytes) and answers each one
        ``delay`` s after it is whole, on the same connection."""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport = transport
            self.pending = b""
            self.loop = asyncio.get_running_loop()

        def data_received(self, data: bytes) -> None:
            self.pending += data
            while True:
                end = self.pending.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = self.pending[:end].lower()
                at = head.find(b"\r\ncontent-length:")
                length = 0
                if at >= 0:
                    stop = head.find(b"\r\n", at + 2)
                    length = int(head[at + 17 : stop if stop >= 0 else len(head)])
                whole = end + 4 + length
                if len(self.pending) < whole:
                    return
                self.pending = self.pending[whole:]
                self.loop.call_later(delay, self.answer)

        def answer(self) -> None:
            if not self.transport.is_closing():
                self.transport.write(answer)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Answering, "127.0.0.1", 0, backlog=2048)
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def _serve_aiohttp(delay: float, body: bytes, headers: Mapping[str, str]) -> None:
    from aiohttp import web

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(delay)
        return web.Response(body=body, headers=headers)

    async def main() -> None:
        app = web.Application()
        app.router.add_route("POST", "/{tail:.*}", answer)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=2048)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(port, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


class Server:
    """The slow server in a process of its own; ``url`` is its SOAP endpoint."""

    def __init__(self, delay: float = DELAY, kind: str = "asyncio") -> None:
        self._proc = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--serve",
                "--delay",
                str(delay),
                "--server",
                kind,
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()
        if not line.isdigit():
            self.close()
            raise RuntimeError(f"the loopback server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{line}/soap.asmx"

    def cpu(self) -> float:
        """The server process's CPU time so far, in seconds."""
        with open(f"/proc/{self._proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self._proc.terminate()
        self._proc.wait(10)


# --- one client in this process ------------------------------------------------------------------


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


class _PeakRss:
    """The largest resident set seen while the block runs (a thread reads it every 5 ms)."""

    def __enter__(self) -> _PeakRss:
        self._cpu = time.process_time()
        self.before = _rss()
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc: object) -> None:
        self.cpu = time.process_time() - self._cpu
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())


def _status_id(name: str, answer: Any) -> int:
    if name.startswith("zeep"):
        return int(answer.StatusId)
    return int(answer.image_status.status_id)


async def _ours(url: str, connections: int) -> tuple[float, _PeakRss]:
    from bench.inputs import API_KEY, EMAIL, TICKET
    from removethebackground import AsyncPixelzClient  # type: ignore[attr-defined]

    async with AsyncPixelzClient(
        EMAIL, API_KEY, endpoint=url, max_connections=connections
    ) as client:
        first = await client.get_image_status(image_ticket=TICKET)
        assert _status_id("ours", first) == 80, first
        with _PeakRss() as rss:
            start = time.perf_counter()
            answers = await asyncio.gather(
                *(client.get_image_status(image_ticket=TICKET) for _ in range(CALLS))
            )
            wall = time.perf_counter() - start
        assert all(_status_id("ours", a) == 80 for a in answers)
    return wall, rss


async def _zeep(url: str, connections: int | None) -> tuple[float, _PeakRss]:
    import httpx
    import zeep
    from codegen.model import LOCAL_SCHEMAS
    from zeep.transports import AsyncTransport

    from bench.inputs import API_KEY, EMAIL, TICKET, WSDL

    class OfflineAsyncTransport(AsyncTransport):  # type: ignore[misc]
        def load(self, url: str) -> bytes:
            local = LOCAL_SCHEMAS.get(url.rstrip("/"))
            if local is not None:
                return local.read_bytes()
            data: bytes = super().load(url)
            return data

    if connections is None:  # what AsyncTransport() makes: httpx's default limits (100)
        http = httpx.AsyncClient(timeout=300)
    else:
        http = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            timeout=300,
        )
    client = zeep.AsyncClient(str(WSDL), transport=OfflineAsyncTransport(client=http))
    # AsyncClient's own create_service gives a sync proxy: bind its port, then set the address.
    from zeep.proxy import AsyncServiceProxy

    binding = client.wsdl.bindings["{http://removethebackground.com/}soapSoap"]
    service = AsyncServiceProxy(client, binding, address=url)
    kw = {"contactEmail": EMAIL, "contactAPIkey": API_KEY, "imageTicket": TICKET}
    try:
        first = await service.GetImageStatus(**kw)
        assert _status_id("zeep_async", first) == 80, first
        with _PeakRss() as rss:
            start = time.perf_counter()
            answers = await asyncio.gather(*(service.GetImageStatus(**kw) for _ in range(CALLS)))
            wall = time.perf_counter() - start
        assert all(_status_id("zeep_async", a) == 80 for a in answers)
    finally:
        await http.aclose()
    return wall, rss


def _sync_threads(url: str, threads: int) -> tuple[float, _PeakRss]:
    import concurrent.futures

    from bench.inputs import API_KEY, EMAIL, TICKET
    from removethebackground import PixelzClient

    client = PixelzClient(EMAIL, API_KEY, endpoint=url)
    session = client.transport.session  # type: ignore[attr-defined]
    adapter = session.get_adapter(url)
    # One pooled connection per thread (the default pool keeps 16).
    session.mount("http://", type(adapter)(pool_connections=4, pool_maxsize=threads, max_retries=0))
    first = client.get_image_status(image_ticket=TICKET)
    assert _status_id("sync", first) == 80, first
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        with _PeakRss() as rss:
            start = time.perf_counter()
            answers = list(
                pool.map(lambda _i: client.get_image_status(image_ticket=TICKET), range(CALLS))
            )
            wall = time.perf_counter() - start
    assert all(_status_id("sync", a) == 80 for a in answers)
    client.close()
    return wall, rss


async def _raw(url: str, library: str, connections: int) -> tuple[float, _PeakRss]:
    from bench.inputs import API_KEY, EMAIL, TICKET

    # The envelope the clients send (the server does not read it).
    body = (
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
        'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        '<GetImageStatus xmlns="http://removethebackground.com/">'
        f"<contactEmail>{EMAIL}</contactEmail><contactAPIkey>{API_KEY}</contactAPIkey>"
        f"<imageTicket>{TICKET}</imageTicket></GetImageStatus></soap:Body></soap:Envelope>"
    ).encode()
    headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": '"http://removethebackground.com/GetImageStatus"',
    }
    if library == "aiohttp":
        import aiohttp

        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=connections))

        async def post() -> int:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                return response.status

        close: Callable[[], Any] = session.close
    else:
        import httpx

        client = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            timeout=300,
        )

        async def post() -> int:
            response = await client.post(url, content=body, headers=headers)
            return response.status_code

        close = client.aclose
    try:
        assert await post() == 200
        with _PeakRss() as rss:
            start = time.perf_counter()
            statuses = await asyncio.gather(*(post() for _ in range(CALLS)))
            wall = time.perf_counter() - start
        assert all(s == 200 for s in statuses), statuses[:5]
    finally:
        await close()
    return wall, rss


def run_client(name: str, url: str) -> dict[str, float]:
    """One measurement of ``name`` in this process (see the module docstring)."""
    import bench.inputs  # noqa: F401  (what every client imports: the common baseline)

    start = _rss()
    if name.startswith("ours_"):
        wall, rss = asyncio.run(_ours(url, int(name.rsplit("_", 1)[1])))
    elif name == "zeep_async":
        wall, rss = asyncio.run(_zeep(url, 250))
    elif name == "zeep_async_default":
        wall, rss = asyncio.run(_zeep(url, None))
    elif name == "sync_threads64":
        wall, rss = _sync_threads(url, 64)
    elif name.startswith("raw_"):
        _, library, connections = name.split("_")
        wall, rss = asyncio.run(_raw(url, library, int(connections)))
    else:
        raise SystemExit(f"unknown client {name!r}; known: {', '.join(CLIENTS)}")
    return {
        "wall": wall,
        "cpu": rss.cpu,
        "rss_start": start,
        "rss_before": rss.before,
        "rss_peak": rss.peak,
    }


# --- the whole case ------------------------------------------------------------------------------


def measure_one(name: str, server: Server) -> dict[str, float]:
    """``name`` measured in a fresh process, and the server's CPU time meanwhile."""
    before = server.cpu()
    done = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--client",
            name.split("@", 1)[0],
            "--url",
            server.url,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    result["server_cpu"] = server.cpu() - before
    return result


def compile_sources() -> None:
    """Write the bytecode of this project's modules, as an installed package has it (pip
    compiles on install). Where ``PYTHONDONTWRITEBYTECODE`` is set, every fresh process
    would otherwise compile the modules it imports, and the memory and start-up figures
    would count the compiler's garbage, more for whichever client imports the modules
    edited last."""
    import compileall

    for folder in ("src", "bench", "codegen"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)


def bench_async_calls(
    rounds: int = 3, clients: tuple[str, ...] = CLIENTS, progress: bool = True
) -> dict[str, Any]:
    """Each client's runs (``rounds`` for ours, the bare aiohttp POSTs and zeep's
    ``AsyncClient`` with 250 connections, the targets' comparison; one for the other
    slow ones: zeep's default and httpx take tens of seconds), the medians, ratios and
    targets."""
    compile_sources()
    runs: dict[str, list[dict[str, float]]] = {}
    for kind, names in (
        ("asyncio", clients),
        ("aiohttp", tuple(f"{c}@aiohttp" for c in ON_AIOHTTP_SERVER if c in clients)),
    ):
        if not names:
            continue
        server = Server(kind=kind)
        try:
            for name in names:
                runs[name] = []
                # zeep_async (the target's comparison) as often as ours: its single runs
                # vary by a second or more; the other slow ones once.
                repeat = (
                    rounds
                    if name.startswith(("ours_", "raw_aiohttp", "sync_", "zeep_async@"))
                    or name == "zeep_async"
                    else 1
                )
                for _ in range(repeat):
                    runs[name].append(measure_one(name, server))
                if progress:
                    walls = ", ".join(f"{r['wall']:.2f}" for r in runs[name])
                    print(f"    {name}: {walls} s", flush=True)
        finally:
            server.close()
    return summarise(runs)


def summarise(runs: Mapping[str, list[dict[str, float]]]) -> dict[str, Any]:
    median: dict[str, dict[str, float]] = {}
    for name, values in runs.items():
        if not values:
            continue
        median[name] = {
            "wall": statistics.median(r["wall"] for r in values),
            "cpu": statistics.median(r["cpu"] for r in values),
            "server_cpu": statistics.median(r.get("server_cpu", 0.0) for r in values),
            "rss_start": statistics.median(r["rss_start"] for r in values),
            "rss_before": statistics.median(r["rss_before"] for r in values),
            "rss_setup": statistics.median(r["rss_before"] - r["rss_start"] for r in values),
            "rss_peak": statistics.median(r["rss_peak"] for r in values),
            "rss_growth": statistics.median(r["rss_peak"] - r["rss_before"] for r in values),
        }
    ours = median.get("ours_250")
    targets = []
    if ours is not None:
        targets.append(
            {
                "target": f"ours_250 wall <= {TARGET_WALL} s",
                "value": ours["wall"],
                "met": ours["wall"] <= TARGET_WALL,
            }
        )
        zeep = median.get("zeep_async")
        if zeep is not None:
            ratio = zeep["wall"] / ours["wall"]
            targets.append(
                {
                    "target": f"zeep_async wall / ours_250 wall >= {TARGET_VS_ZEEP:g}",
                    "value": ratio,
                    "met": ratio >= TARGET_VS_ZEEP,
                }
            )
        threads = median.get("sync_threads64")
        if threads is not None:
            targets.append(
                {
                    "target": "ours_250 peak RSS < sync_threads64 peak RSS",
                    "value": ours["rss_peak"] / threads["rss_peak"],
                    "met": ours["rss_peak"] < threads["rss_peak"],
                }
            )
    return {
        "calls": CALLS,
        "delay_s": DELAY,
        "runs": {k: list(v) for k, v in runs.items()},
        "median": median,
        "targets": targets,
    }


def render(result: Mapping[str, Any]) -> str:
    median: Mapping[str, Mapping[str, float]] = result["median"]
    base = median.get("ours_250")
    header = [
        f"{result['calls']} concurrent GetImageStatus, "
        f"answers after {result['delay_s'] * 1e3:.0f} ms",
        "wall s",
        "ours_250 x",
        "CPU s",
        "server CPU s",
        "start MiB",
        "setup MiB",
        "growth MiB",
        "peak MiB",
    ]
    rows = [header]
    for name, m in median.items():
        ratio = f"{m['wall'] / base['wall']:.1f}" if base and name != "ours_250" else ""
        rows.append(
            [
                _title(name),
                f"{m['wall']:.2f}",
                ratio,
                f"{m['cpu']:.2f}",
                f"{m.get('server_cpu', 0.0):.2f}",
                f"{m['rss_start'] / 2**20:.1f}",
                f"{m['rss_setup'] / 2**20:.1f}",
                f"{m['rss_growth'] / 2**20:.1f}",
                f"{m['rss_peak'] / 2**20:.1f}",
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    for t in result["targets"]:
        verdict = "met" if t["met"] else "MISSED"
        lines.append(f"target: {t['target']}: {t['value']:.2f} {verdict}")
    threads = median.get("sync_threads64")
    if base and threads:
        mib = {k: (base[k] - threads[k]) / 2**20 for k in ("rss_setup", "rss_growth", "rss_peak")}
        lines.append(
            f"memory: ours_250's peak is {mib['rss_peak']:+.1f} MiB from sync_threads64's: "
            f"setup {mib['rss_setup']:+.1f} MiB (the async client's imports: asyncio, httptools), "
            f"growth {mib['rss_growth']:+.1f} MiB (1,000 calls in flight against 64)"
        )
    lines.append(
        "ours_250 x: this client's wall time over ours_250's (above 1: ours_250 is faster); "
        "CPU: the process's CPU time during the calls (less sensitive to other load than "
        "wall time); server CPU: the server process's, over the client's whole run (its "
        "first call included); rows marked (aiohttp.web server) ran against that server "
        "instead of the asyncio one; resident memory: start once the modules all clients share are "
        "imported, setup what the client's own imports, construction and first call add, "
        "growth what the 1,000 calls in flight add, peak the largest seen during them "
        "(the medians of each column: peak is about start + setup + growth)."
    )
    return "\n".join(lines)


def _title(name: str) -> str:
    client, _, server = name.partition("@")
    title = TITLES.get(client, client)
    return f"{title} (aiohttp.web server)" if server == "aiohttp" else title


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--delay", type=float, default=DELAY, help=argparse.SUPPRESS)
    parser.add_argument("--server", default="asyncio", help=argparse.SUPPRESS)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="one round each")
    parser.add_argument("--only", nargs="+", choices=CLIENTS, help="these clients only")
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.delay, args.server)
        return 0
    if args.client:
        print(json.dumps(run_client(args.client, args.url)))
        return 0
    result = bench_async_calls(1 if args.quick else 3, tuple(args.only or CLIENTS))
    print(render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

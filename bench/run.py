"""Benchmarks: this client against zeep, suds and a hand-written lxml + requests client.

One run measures the four clients on the same inputs, in the same process, and
prints a table of medians, the ratios and the targets (met / missed); the same
goes to ``bench/results/latest.json`` (with the machine it ran on) and
``bench/results/latest.md``. Nothing is asserted: ratios on a shared machine are
read, not enforced in unit tests.

Clients (all on the vendored Pixelz WSDL, SOAP 1.1, offline):

- ``ours``: ``removethebackground.PixelzClient`` with ``session=``;
- ``zeep``: ``zeep.Client`` with ``zeep.Transport(session=...)``;
- ``suds``: ``suds.client.Client`` on a file:// URL, ``cache=None`` (as zeep, it
  parses the WSDL on every construction), a custom ``suds.transport.Transport``;
- ``hand``: ``bench/handwritten.py``, the fastest honest way to make these calls.

Cases:

1. GetImageStatus, whole call, against an in-process answer (the recorded bytes);
2. the GetImageStatus request envelope alone;
3. GetImagesList with 100 and with 1000 images, whole call, in-process answer;
4. loopback throughput against the sandbox (a real waitress server on
   127.0.0.1), GetImageStatus calls/s with 1 and 8 threads;
5. client construction, and peak memory (tracemalloc) of construction + one call;
6. start-up, as whole fresh processes: ``rtb --help`` against ``python -c "import click"``
   and ``import removethebackground`` against ``python -c "import requests, lxml.etree"``
   (a table of its own, beside the per-call one; ``startup`` in the JSON);
7. scale (``bench/scale.py``): a manifest of ``BENCH_SCALE_ROWS`` rows (100,000; 5,000
   with ``--quick``) submitted and followed against a fast in-process service, on
   SQLite and on 1 and 4 PostgreSQL worker processes (a table of its own; ``scale`` in
   the JSON). It takes most of the run's time: ``BENCH_SCALE_ROWS`` shortens it;
8. many calls in flight: 1,000 concurrent GetImageStatus calls against a loopback
   server that answers after 200 ms, the async client against zeep's ``AsyncClient``,
   the sync client in a 64-thread pool and bare aiohttp / httpx POSTs
   (``bench/async_calls.py``, each client in a process of its own; a table of its
   own, ``async_calls`` in the JSON).

Timings are medians over rounds; the clients take turns round by round (so drift
on a busy machine hits all of them alike), after a warm-up. ``--quick`` runs
fewer, shorter rounds and writes ``bench/results/quick.json`` / ``quick.md`` (not
committed), so a smoke run leaves the recorded figures alone. tracemalloc sees
Python allocations only (not libxml2's).

Run with ``make bench`` or ``python bench/run.py [--quick] [--only CASE ...]``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.async_calls import bench_async_calls, compile_sources  # noqa: E402
from bench.async_calls import render as render_async_calls  # noqa: E402
from bench.handwritten import HandwrittenPixelz  # noqa: E402
from bench.inputs import (  # noqa: E402
    API_KEY,
    EMAIL,
    ENDPOINT,
    TICKET,
    WSDL,
    RecordedAnswerAdapter,
    images_list_answer,
    recorded_session,
    status_answer,
    suds_client,
    suds_http_transport,
    suds_transport,
    zeep_service,
    zeep_transport,
)
from removethebackground import Binding, PixelzClient  # noqa: E402
from removethebackground.generated import pixelz  # noqa: E402

CLIENTS = ("ours", "zeep", "suds", "hand")
LABELS = {"ours": "ours", "zeep": "zeep 4.3", "suds": "suds", "hand": "hand-written"}
RESULTS = ROOT / "bench" / "results"

Fn = Callable[[], object]


def our_envelope_builder() -> Callable[[Mapping[str, object]], bytes]:
    """Whatever function of this client builds a SOAP 1.1 request body from values.

    The one place to adapt when the engine changes. Today: the SOAP 1.1 engine of
    ``removethebackground.bindings`` (``SOAP_BINDINGS[Binding.SOAP11].build_envelope``);
    before it, ``removethebackground.core.client.build_envelope(op, binding, values)``.
    ``values`` are keyed by attribute name, credentials included.
    """
    op = pixelz.OP_GET_IMAGE_STATUS
    try:
        from removethebackground.bindings import SOAP_BINDINGS
    except ImportError:  # before the bindings package
        from removethebackground.core.client import build_envelope

        def build_old(values: Mapping[str, object]) -> bytes:
            return build_envelope(op, Binding.SOAP11, values)

        return build_old
    engine = SOAP_BINDINGS[Binding.SOAP11]

    def build(values: Mapping[str, object]) -> bytes:
        return engine.build_envelope(op, values)

    return build


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Sample:
    median: float
    rounds: list[float]
    number: int


def _calibrate(fn: Fn, round_ns: int) -> int:
    """Calls per round so that a round lasts about ``round_ns``."""
    calls, start = 0, time.perf_counter_ns()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter_ns() - start
        if elapsed >= round_ns // 4 or calls >= 10_000:
            break
    return max(1, round(round_ns * calls / max(elapsed, 1)))


def time_calls(fns: Mapping[str, Fn], rounds: int, round_ns: int) -> dict[str, Sample]:
    """Median seconds per call of each function; the functions take turns round by round."""
    numbers = {}
    for name, fn in fns.items():
        fn()  # warm-up: first-call caches, lazy imports
        numbers[name] = _calibrate(fn, round_ns)
    per_round: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fn, number = fns[name], numbers[name]
            gc.collect()
            start = time.perf_counter_ns()
            for _ in range(number):
                fn()
            per_round[name].append((time.perf_counter_ns() - start) / number / 1e9)
    return {
        name: Sample(statistics.median(values), values, numbers[name])
        for name, values in per_round.items()
    }


def throughput(call: Callable[[int], object], threads: int, seconds: float) -> float:
    """Calls per second of ``call(thread_index)`` from ``threads`` threads for ``seconds``."""
    counts = [0] * threads
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads + 1)
    deadline = [0.0]

    def worker(index: int) -> None:
        barrier.wait()
        n = 0
        try:
            while time.perf_counter() < deadline[0]:
                call(index)
                n += 1
        except BaseException as exc:  # reported below
            errors.append(exc)
        counts[index] = n

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    start = time.perf_counter()
    deadline[0] = start + seconds
    barrier.wait()
    for t in pool:
        t.join(seconds + 30)
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"a loopback call failed: {errors[0]!r}") from errors[0]
    return sum(counts) / elapsed


def peak_bytes(fn: Fn, repeat: int) -> Sample:
    """Median tracemalloc peak of ``fn()`` (after one untraced warm-up run)."""
    fn()
    peaks = []
    for _ in range(repeat):
        gc.collect()
        tracemalloc.start()
        try:
            fn()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        peaks.append(float(peak))
    return Sample(statistics.median(peaks), peaks, 1)


# --- the clients -------------------------------------------------------------------------------


def _zeep_client(session: Any = None) -> Any:
    import zeep

    return zeep.Client(str(WSDL), transport=zeep_transport(session))


class Callers:
    """The four clients as a user makes them, each answering ``body`` in-process.

    Every client keeps the session it makes for itself by default (ours, zeep's
    ``Transport()``, the hand-written one's), and the recorded-answer adapter is
    mounted on that session, so each pays exactly what its default set-up costs per
    call; suds answers through a transport of its own. With ``passed_session`` every
    requests-based client gets a session the caller made instead (ours then uses it
    as given, through ``Session.request``).
    """

    def __init__(self, body: bytes, *, passed_session: bool = False) -> None:
        if passed_session:
            session, self.adapter = recorded_session(body)
            self.ours = PixelzClient(
                EMAIL, API_KEY, binding=Binding.SOAP11, endpoint=ENDPOINT, session=session
            )
            zeep_session, _ = recorded_session(body)
            self.zeep = zeep_service(_zeep_client(zeep_session))
            hand_session, _ = recorded_session(body)
            self.hand = HandwrittenPixelz(EMAIL, API_KEY, endpoint=ENDPOINT, session=hand_session)
        else:
            self.ours = PixelzClient(EMAIL, API_KEY, binding=Binding.SOAP11, endpoint=ENDPOINT)
            self.adapter = _mount(self.ours.transport.session, body)  # type: ignore[attr-defined]
            zeep = _zeep_client()
            _mount(zeep.transport.session, body)
            self.zeep = zeep_service(zeep)
            self.hand = HandwrittenPixelz(EMAIL, API_KEY, endpoint=ENDPOINT)
            _mount(self.hand._session, body)
        self.suds = suds_client(suds_transport(body))


def _mount(session: Any, body: bytes) -> RecordedAnswerAdapter:
    """Answer every request of ``session`` (the client's own) with ``body``."""
    adapter = RecordedAnswerAdapter(body)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return adapter


def _check(name: str, value: object, expected: object, case: str) -> None:
    if value != expected:
        raise RuntimeError(f"{case}: {name} returned {value!r}, expected {expected!r}")


def bench_status_call(
    rounds: int, round_ns: int, *, passed_session: bool = False
) -> dict[str, Sample]:
    c = Callers(status_answer(), passed_session=passed_session)
    kw = {"contactEmail": EMAIL, "contactAPIkey": API_KEY, "imageTicket": TICKET}
    fns: dict[str, Fn] = {
        "ours": lambda: c.ours.get_image_status(image_ticket=TICKET),
        "zeep": lambda: c.zeep.GetImageStatus(**kw),
        "suds": lambda: c.suds.service.GetImageStatus(**kw),
        "hand": lambda: c.hand.get_image_status(image_ticket=TICKET),
    }
    case = "GetImageStatus call"
    _check("ours", c.ours.get_image_status(image_ticket=TICKET).image_status.status_id, 80, case)  # type: ignore[union-attr]
    # zeep unwraps a result with a single element: GetImageStatusResult is the ImageStatus.
    _check("zeep", c.zeep.GetImageStatus(**kw).StatusId, 80, case)
    _check("suds", c.suds.service.GetImageStatus(**kw).ImageStatus.StatusId, 80, case)
    _check("hand", c.hand.get_image_status(image_ticket=TICKET).image_status.status_id, 80, case)  # type: ignore[union-attr]
    return time_calls(fns, rounds, round_ns)


def bench_rate_limits(rounds: int, round_ns: int) -> dict[str, Sample]:
    """One GetImageStatus call (answered in-process) per client: without ``rate_limits=``
    (the default: no limiter in the transport), with ``RateLimits()`` (429 pauses only)
    and with a read rate too generous to ever wait (a token taken per call)."""
    from removethebackground.core.ratelimit import Rate, RateLimits

    body = status_answer()
    clients = {
        "off": PixelzClient(EMAIL, API_KEY, binding=Binding.SOAP11, endpoint=ENDPOINT),
        "pauses only": PixelzClient(
            EMAIL, API_KEY, binding=Binding.SOAP11, endpoint=ENDPOINT, rate_limits=RateLimits()
        ),
        "read rate": PixelzClient(
            EMAIL,
            API_KEY,
            binding=Binding.SOAP11,
            endpoint=ENDPOINT,
            rate_limits=RateLimits({"read": Rate(1e6, 1_000_000)}),
        ),
    }
    fns: dict[str, Fn] = {}
    for name, client in clients.items():
        _mount(client.transport.session, body)  # type: ignore[attr-defined]
        fns[name] = lambda client=client: client.get_image_status(image_ticket=TICKET)  # type: ignore[misc]
    return time_calls(fns, rounds, round_ns)


def render_rate_limits(samples: Mapping[str, Sample]) -> str:
    off = samples["off"].median
    lines = ["rate limiter, GetImageStatus call (in-process answer):"]
    for name, sample in samples.items():
        lines.append(
            f"  {name:<12} {sample.median * 1e6:8.1f} us   {sample.median / off:5.3f} x off"
        )
    return "\n".join(lines)


def bench_observer(rounds: int, round_ns: int) -> dict[str, Sample]:
    """One GetImageStatus call (answered in-process, retries on: a call span and an
    attempt span) with no observer (the default), with the OpenTelemetry observer over
    no-op providers (the API without an SDK), and over the SDK exporting to memory.
    The observer is the process's: each function sets its own before its call, so all
    three pay that assignment alike. Empty without the SDK installed."""
    try:
        from opentelemetry.metrics import NoOpMeterProvider
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from opentelemetry.trace import NoOpTracerProvider

        from removethebackground.core import observe
        from removethebackground.plugins.otel import OpenTelemetryObserver
    except ImportError:
        return {}
    exporter = InMemorySpanExporter()
    tracing = TracerProvider()
    tracing.add_span_processor(SimpleSpanProcessor(exporter))
    observers: dict[str, Any] = {
        "off": None,
        "no-op tracer": OpenTelemetryObserver(NoOpTracerProvider(), NoOpMeterProvider()),
        "SDK, in memory": OpenTelemetryObserver(
            tracing, MeterProvider(metric_readers=[InMemoryMetricReader()])
        ),
    }
    client = PixelzClient(EMAIL, API_KEY, binding=Binding.SOAP11, endpoint=ENDPOINT)
    _mount(client.transport.session, status_answer())  # type: ignore[attr-defined]
    previous = observe.get_observer()

    def traced(observer: Any) -> Fn:
        def call() -> object:
            observe.set_observer(observer)
            if len(exporter.get_finished_spans()) > 20_000:  # bounded memory
                exporter.clear()
            return client.get_image_status(image_ticket=TICKET)

        return call

    try:
        return time_calls({name: traced(o) for name, o in observers.items()}, rounds, round_ns)
    finally:
        observe.set_observer(previous)
        tracing.shutdown()


def render_observer(samples: Mapping[str, Sample]) -> str:
    """Per call, and as the median over rounds of the ratio to ``off`` in the same round."""
    off = samples["off"]
    lines = ["OpenTelemetry, GetImageStatus call (in-process answer):"]
    for name, sample in samples.items():
        ratio = statistics.median(a / b for a, b in zip(sample.rounds, off.rounds, strict=True))
        lines.append(f"  {name:<15} {sample.median * 1e6:8.1f} us   {ratio:5.3f} x off")
    return "\n".join(lines)


def bench_envelope(rounds: int, round_ns: int) -> dict[str, Sample]:
    build = our_envelope_builder()
    values = {
        "contact_email": EMAIL,
        "contact_api_key": API_KEY,
        "image_ticket": TICKET,
        "customer_image_id": None,
    }
    zeep_client = _zeep_client()
    service = zeep_service(zeep_client)
    suds = suds_client(suds_transport(b""), nosend=True)
    hand = HandwrittenPixelz(EMAIL, API_KEY, endpoint=ENDPOINT)
    kw = {"contactEmail": EMAIL, "contactAPIkey": API_KEY, "imageTicket": TICKET}
    from lxml import etree

    fns: dict[str, Fn] = {
        "ours": lambda: build(values),
        "zeep": lambda: etree.tostring(
            zeep_client.create_message(service, "GetImageStatus", **kw),
            xml_declaration=True,
            encoding="utf-8",
        ),
        "suds": lambda: suds.service.GetImageStatus(**kw).envelope,
        "hand": lambda: hand.get_image_status_envelope(image_ticket=TICKET),
    }
    for name, fn in fns.items():
        body = fn()
        if not isinstance(body, bytes) or TICKET.encode() not in body:
            raise RuntimeError(f"envelope: {name} built {body!r}")
    return time_calls(fns, rounds, round_ns)


def bench_images_list(count: int, rounds: int, round_ns: int) -> dict[str, Sample]:
    c = Callers(images_list_answer(count))
    kw = {"contactEmail": EMAIL, "contactAPIkey": API_KEY, "page": "1"}
    fns: dict[str, Fn] = {
        "ours": lambda: c.ours.get_images_list(page="1"),
        "zeep": lambda: c.zeep.GetImagesList(**kw),
        "suds": lambda: c.suds.service.GetImagesList(**kw),
        "hand": lambda: c.hand.get_images_list(page="1"),
    }
    case = f"GetImagesList {count}"
    _check("ours", len(c.ours.get_images_list(page="1").images or []), count, case)
    _check("zeep", len(c.zeep.GetImagesList(**kw).ImageStatus), count, case)
    _check("suds", len(c.suds.service.GetImagesList(**kw).Images.ImageStatus), count, case)
    _check("hand", len(c.hand.get_images_list(page="1").images or []), count, case)
    return time_calls(fns, rounds, round_ns)


def bench_loopback(
    thread_counts: tuple[int, ...], rounds: int, seconds: float
) -> dict[int, dict[str, Sample]]:
    from removethebackground.testing.sandbox import run_sandbox

    # waitress warns when requests queue up behind its threads: expected at 8 threads.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    out: dict[int, dict[str, Sample]] = {}
    with run_sandbox(threads=max(thread_counts)) as sb:
        ticket = sb.seed_image(status=10, held=True, product_id="bench", customer_image_id="b-1")
        endpoint = sb.pixelz_endpoint
        kw = {"contactEmail": sb.demo_email, "contactAPIkey": sb.demo_api_key}
        kw["imageTicket"] = ticket
        ours = sb.pixelz_client()
        zeep = zeep_service(_zeep_client(), endpoint)
        hand = HandwrittenPixelz(sb.demo_email, sb.demo_api_key, endpoint=endpoint)
        # suds clients are not shared between threads: one each (Client.clone() cannot
        # copy a custom transport).
        suds_per_thread = [
            suds_client(suds_http_transport(), endpoint) for _ in range(max(thread_counts))
        ]
        calls: dict[str, Callable[[int], object]] = {
            "ours": lambda _i: ours.get_image_status(image_ticket=ticket),
            "zeep": lambda _i: zeep.GetImageStatus(**kw),
            "suds": lambda i: suds_per_thread[i].service.GetImageStatus(**kw),
            "hand": lambda _i: hand.get_image_status(image_ticket=ticket),
        }
        for name, call in calls.items():
            status = call(0)
            if name == "zeep":
                sid = status.StatusId  # type: ignore[attr-defined]
            elif name == "suds":
                sid = status.ImageStatus.StatusId  # type: ignore[attr-defined]
            else:
                sid = status.image_status.status_id  # type: ignore[attr-defined]
            _check(name, sid, 10, "loopback")
        for threads in thread_counts:
            for call in calls.values():  # warm-up: open the pooled connections
                throughput(call, threads, min(0.2, seconds))
            per_round: dict[str, list[float]] = {name: [] for name in calls}
            names = list(calls)
            for r in range(rounds):
                for name in names[r % len(names) :] + names[: r % len(names)]:
                    gc.collect()
                    per_round[name].append(throughput(calls[name], threads, seconds))
            out[threads] = {
                name: Sample(statistics.median(v), v, threads) for name, v in per_round.items()
            }
    return out


def bench_construction(rounds: int, round_ns: int) -> dict[str, Sample]:
    import zeep

    fns: dict[str, Fn] = {
        "ours": lambda: PixelzClient(EMAIL, API_KEY, endpoint=ENDPOINT),
        "zeep": lambda: zeep.Client(str(WSDL), transport=zeep_transport()),
        "suds": lambda: suds_client(suds_transport(b"")),
        "hand": lambda: HandwrittenPixelz(EMAIL, API_KEY, endpoint=ENDPOINT),
    }
    return time_calls(fns, rounds, round_ns)


def bench_memory(repeat: int) -> dict[str, Sample]:
    body = status_answer()
    kw = {"contactEmail": EMAIL, "contactAPIkey": API_KEY, "imageTicket": TICKET}

    def ours() -> object:
        session, _ = recorded_session(body)
        client = PixelzClient(EMAIL, API_KEY, endpoint=ENDPOINT, session=session)
        return client.get_image_status(image_ticket=TICKET)

    def zeep() -> object:
        session, _ = recorded_session(body)
        return zeep_service(_zeep_client(session)).GetImageStatus(**kw)

    def suds() -> object:
        return suds_client(suds_transport(body)).service.GetImageStatus(**kw)

    def hand() -> object:
        session, _ = recorded_session(body)
        client = HandwrittenPixelz(EMAIL, API_KEY, endpoint=ENDPOINT, session=session)
        return client.get_image_status(image_ticket=TICKET)

    fns = {"ours": ours, "zeep": zeep, "suds": suds, "hand": hand}
    return {name: peak_bytes(fn, repeat) for name, fn in fns.items()}


# --- start-up: whole processes -----------------------------------------------------------------

# What a user waits for before anything happens: ``rtb --help`` and ``import removethebackground``,
# each measured as a whole fresh interpreter (exec, site, imports, exit) against a baseline of
# the libraries it cannot do without. A round runs every command once, the order turning round by
# round; ratios are taken within a round (paired) and their median is the figure.
STARTUP_COMMANDS: dict[str, tuple[str, list[str]]] = {
    "python": ("python -c pass", ["-c", "pass"]),
    "click": ('python -c "import click"', ["-c", "import click"]),
    "requests_lxml": (
        'python -c "import requests, lxml.etree"',
        ["-c", "import requests, lxml.etree"],
    ),
    "rtb_help": ("rtb --help", ["<rtb>", "--help"]),
    "rtb_batch_help": ("rtb batch --help", ["<rtb>", "batch", "--help"]),
    "rtb_call_help": ("rtb call --help", ["<rtb>", "call", "--help"]),
    "import_package": (
        'python -c "import removethebackground"',
        ["-c", "import removethebackground"],
    ),
    "import_client": (
        'python -c "from removethebackground import PixelzClient"',
        ["-c", "from removethebackground import PixelzClient"],
    ),
}


@dataclass
class StartupTarget:
    command: str
    baseline: str
    bound: float | None  # None: shown for information, no target

    @property
    def text(self) -> str:
        return "-" if self.bound is None else f"<= {self.bound:g}x"


STARTUP_TARGETS = (
    StartupTarget("rtb_help", "click", 1.3),
    StartupTarget("rtb_batch_help", "click", None),
    StartupTarget("rtb_call_help", "click", None),
    StartupTarget("import_package", "requests_lxml", 1.15),
    StartupTarget("import_client", "requests_lxml", None),
)


def _rtb_argv() -> list[str]:
    """The ``rtb`` console script as installed next to this interpreter (else ``-m``)."""
    script = Path(sys.executable).with_name("rtb")
    return [str(script)] if script.is_file() else ["-m", "removethebackground"]


def bench_startup(rounds: int) -> dict[str, Sample]:
    """Seconds of each start-up command, as fresh processes, one warm-up round first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RTB_", "PYTHON"))}
    argvs = {}
    for key, (_shown, args) in STARTUP_COMMANDS.items():
        tail = [*_rtb_argv(), *args[1:]] if args[0] == "<rtb>" else args
        argvs[key] = [sys.executable, *tail]

    def once(argv: list[str]) -> float:
        start = time.perf_counter_ns()
        subprocess.run(
            argv,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        return (time.perf_counter_ns() - start) / 1e9

    names = list(argvs)
    for name in names:  # warm-up: bytecode caches, the page cache
        once(argvs[name])
    per_round: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        if r % 2:
            order.reverse()
        for name in order:
            per_round[name].append(once(argvs[name]))
    return {
        name: Sample(statistics.median(values), values, 1) for name, values in per_round.items()
    }


def evaluate_startup(samples: Mapping[str, Sample]) -> list[dict[str, Any]]:
    """Each command against its baseline: the median of the per-round ratios."""
    out = []
    for t in STARTUP_TARGETS:
        mine, base = samples.get(t.command), samples.get(t.baseline)
        if mine is None or base is None:
            continue
        ratios = [a / b for a, b in zip(mine.rounds, base.rounds, strict=True) if b > 0]
        ratio = statistics.median(ratios) if ratios else None
        out.append(
            {
                "command": STARTUP_COMMANDS[t.command][0],
                "baseline": STARTUP_COMMANDS[t.baseline][0],
                "median_s": mine.median,
                "baseline_median_s": base.median,
                "ratio": ratio,
                "ratio_of_medians": mine.median / base.median if base.median else None,
                "target": None if t.bound is None else f"ratio {t.text}",
                "met": None if t.bound is None or ratio is None else ratio <= t.bound,
            }
        )
    return out


def startup_table(samples: Mapping[str, Sample], rows: list[dict[str, Any]]) -> list[list[str]]:
    header = ["start-up (whole process)", "ms", "vs", "ms", "ratio", "target"]
    table_rows = [header]
    for row in rows:
        verdict = "" if row["met"] is None else ("met" if row["met"] else "MISSED")
        table_rows.append(
            [
                row["command"],
                f"{row['median_s'] * 1e3:.0f}",
                row["baseline"],
                f"{row['baseline_median_s'] * 1e3:.0f}",
                _fmt_ratio(row["ratio"]),
                f"{row['target'] or ''} {verdict}".strip(),
            ]
        )
    bare = samples.get("python")
    if bare is not None:
        table_rows.append(
            ["python -c pass (the floor)", f"{bare.median * 1e3:.0f}", "", "", "", ""]
        )
    return table_rows


def render_startup(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i in (0, 2, len(row) - 1) else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def startup_markdown(rows: list[dict[str, Any]]) -> str:
    out = [
        "| start-up (whole process) | ms | baseline | ms | ratio | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        verdict = "" if row["met"] is None else (": met" if row["met"] else ": **missed**")
        target = f"{row['target']}{verdict}" if row["target"] else ""
        out.append(
            f"| `{row['command']}` | {row['median_s'] * 1e3:.0f} | `{row['baseline']}` | "
            f"{row['baseline_median_s'] * 1e3:.0f} | {_fmt_ratio(row['ratio'])} | {target} |"
        )
    return "\n".join(out)


# --- cases, targets, report ----------------------------------------------------------------------


@dataclass
class Case:
    key: str
    title: str
    unit: str  # "us", "ms", "calls/s", "KiB"
    higher_is_better: bool = False
    samples: dict[str, Sample] = field(default_factory=dict)

    def value(self, client: str) -> float | None:
        sample = self.samples.get(client)
        return None if sample is None else sample.median

    def shown(self, client: str) -> str:
        v = self.value(client)
        if v is None:
            return "-"
        scale = {"us": 1e6, "ms": 1e3, "calls/s": 1.0, "KiB": 1 / 1024}[self.unit]
        x = v * scale
        return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"

    def advantage(self, other: str) -> float | None:
        """How many times better ours is than ``other`` (> 1: ours is faster / leaner)."""
        mine, theirs = self.value("ours"), self.value(other)
        if mine is None or theirs is None or mine == 0 or theirs == 0:
            return None
        return mine / theirs if self.higher_is_better else theirs / mine


@dataclass
class Target:
    case: str
    against: str
    text: str
    # The figure the target is stated in, and its bound: "ours/hand <= 1.0" etc.
    metric: Callable[[Case], float | None]
    check: Callable[[float], bool]
    metric_name: str


def _ratio(a: str, b: str) -> Callable[[Case], float | None]:
    def metric(case: Case) -> float | None:
        x, y = case.value(a), case.value(b)
        return None if x is None or y is None or y == 0 else x / y

    return metric


TARGETS = (
    Target(
        "status_call",
        "hand",
        "<= 1.0x hand-written",
        _ratio("ours", "hand"),
        lambda v: v <= 1.0,
        "ours/hand time",
    ),
    Target(
        "status_call",
        "zeep",
        ">= 4x faster than zeep",
        _ratio("zeep", "ours"),
        lambda v: v >= 4,
        "zeep/ours time",
    ),
    Target(
        "envelope",
        "zeep",
        ">= 10x faster than zeep",
        _ratio("zeep", "ours"),
        lambda v: v >= 10,
        "zeep/ours time",
    ),
    Target(
        "list_100",
        "zeep",
        ">= 5x faster than zeep",
        _ratio("zeep", "ours"),
        lambda v: v >= 5,
        "zeep/ours time",
    ),
    Target(
        "list_1000",
        "hand",
        "<= 1.2x hand-written",
        _ratio("ours", "hand"),
        lambda v: v <= 1.2,
        "ours/hand time",
    ),
    Target(
        "loopback_1",
        "hand",
        ">= 0.95x hand-written",
        _ratio("ours", "hand"),
        lambda v: v >= 0.95,
        "ours/hand calls/s",
    ),
    Target(
        "loopback_8",
        "hand",
        ">= 0.95x hand-written",
        _ratio("ours", "hand"),
        lambda v: v >= 0.95,
        "ours/hand calls/s",
    ),
    Target(
        "construction",
        "zeep",
        ">= 25x faster than zeep",
        _ratio("zeep", "ours"),
        lambda v: v >= 25,
        "zeep/ours time",
    ),
    Target(
        "memory",
        "zeep",
        "<= zeep's",
        _ratio("ours", "zeep"),
        lambda v: v <= 1.0,
        "ours/zeep bytes",
    ),
)


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in (
        "removethebackground",
        "lxml",
        "requests",
        "urllib3",
        "zeep",
        "suds-community",
        "aiohttp",
        "httpx",
    ):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", ".", ":(exclude)bench/results"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if commit and dirty:
            commit += "+changes"
    except OSError:
        commit = ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "versions": versions,
        "commit": commit or None,
    }


def evaluate(cases: Mapping[str, Case]) -> list[dict[str, Any]]:
    out = []
    for t in TARGETS:
        case = cases.get(t.case)
        value = None if case is None else t.metric(case)
        out.append(
            {
                "case": t.case,
                "title": None if case is None else case.title,
                "target": t.text,
                "metric": t.metric_name,
                "measured": value,
                "met": None if value is None else t.check(value),
            }
        )
    return out


def _fmt_ratio(v: float | None) -> str:
    return "-" if v is None else (f"{v:.1f}x" if v >= 10 else f"{v:.2f}x")


def table(cases: Mapping[str, Case], targets: list[dict[str, Any]]) -> list[list[str]]:
    by_case: dict[str, list[str]] = {}
    for t in targets:
        verdict = "n/a" if t["met"] is None else ("met" if t["met"] else "MISSED")
        m = "-" if t["measured"] is None else f"{t['measured']:.3g}"
        by_case.setdefault(t["case"], []).append(f"{t['target']}: {m} {verdict}")
    header = [
        "case",
        "unit",
        *(LABELS[c] for c in CLIENTS),
        "vs zeep",
        "vs suds",
        "vs hand",
        "target: measured",
    ]
    rows = [header]
    for case in cases.values():
        rows.append(
            [
                case.title,
                case.unit,
                *(case.shown(c) for c in CLIENTS),
                *(_fmt_ratio(case.advantage(c)) for c in ("zeep", "suds", "hand")),
                "; ".join(by_case.get(case.key, [])) or "",
            ]
        )
    return rows


def render_text(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i in (0, 1, len(row) - 1) else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(
    cases: Mapping[str, Case], targets: list[dict[str, Any]], machine: Mapping[str, Any]
) -> str:
    """The compact table of latest.md (shown in docs/benchmarks.md): medians, then the targets."""
    by_case: dict[str, list[str]] = {}
    for t in targets:
        if t["measured"] is None:
            continue
        verdict = "met" if t["met"] else "**missed**"
        by_case.setdefault(t["case"], []).append(
            f"{t['target']} ({t['metric']} {t['measured']:.3g}): {verdict}"
        )
    header = ["case", *(LABELS[c] for c in CLIENTS), "target"]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    for case in cases.values():
        cells = [f"{case.title} ({case.unit})", *(case.shown(c) for c in CLIENTS)]
        cells.append("<br>".join(by_case.get(case.key, [])))
        out.append("| " + " | ".join(cells) + " |")
    versions = machine["versions"]
    out.append("")
    out.append(
        f"{machine['cpu']}, {machine['usable_cores']} cores, Python {machine['python']}, "
        f"lxml {versions.get('lxml')}, requests {versions.get('requests')}, "
        f"zeep {versions.get('zeep')}, suds-community {versions.get('suds-community')}; "
        f"commit {machine['commit']}, load average {machine['load_average'][0]:.1f} at start."
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="CASE",
        help="status_call envelope list_100 list_1000 loopback construction memory startup "
        "rate_limits observer scale async_calls",
    )
    parser.add_argument("--loop-seconds", type=float, default=None, help="per loopback round")
    parser.add_argument(
        "--out", type=Path, default=None, help="default: results/latest.json (quick.json)"
    )
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = RESULTS / ("quick.json" if args.quick else "latest.json")
    rounds, round_ms = (3, 20) if args.quick else (15, 40)
    loop_rounds, loop_seconds = (1, 0.5) if args.quick else (5, 0.4)
    startup_rounds = 5 if args.quick else 21
    if args.loop_seconds:
        loop_seconds = args.loop_seconds
    round_ns = round_ms * 1_000_000
    only = set(args.only or ())
    compile_sources()  # as installed: every fresh process measured finds the bytecode

    def wanted(key: str) -> bool:
        return not only or key in only

    machine = machine_info()
    print(
        f"{machine['cpu']}; {machine['usable_cores']}/{machine['cores']} cores; "
        f"Python {machine['python']}; load {machine['load_average']}"
    )
    print(
        "versions: " + ", ".join(f"{k} {v}" for k, v in machine["versions"].items()),
        flush=True,
    )
    started = time.perf_counter()
    cases: dict[str, Case] = {}

    def run(case: Case, fn: Callable[[], dict[str, Sample]]) -> None:
        t0 = time.perf_counter()
        case.samples = fn()
        cases[case.key] = case
        print(f"  {case.title}: done in {time.perf_counter() - t0:.1f} s", flush=True)

    if wanted("status_call"):
        run(
            Case("status_call", "GetImageStatus call", "us"),
            lambda: bench_status_call(rounds, round_ns),
        )
        run(
            Case("status_call_session", "GetImageStatus call, caller's session", "us"),
            lambda: bench_status_call(rounds, round_ns, passed_session=True),
        )
    if wanted("envelope"):
        run(
            Case("envelope", "GetImageStatus envelope", "us"),
            lambda: bench_envelope(rounds, round_ns),
        )
    if wanted("list_100"):
        run(
            Case("list_100", "GetImagesList, 100 images", "ms"),
            lambda: bench_images_list(100, rounds, round_ns),
        )
    if wanted("list_1000"):
        run(
            Case("list_1000", "GetImagesList, 1000 images", "ms"),
            lambda: bench_images_list(1000, max(3, rounds // 3), round_ns * 3),
        )
    if wanted("loopback"):
        t0 = time.perf_counter()
        loop = bench_loopback((1, 8), loop_rounds, loop_seconds)
        for threads, samples in loop.items():
            key = f"loopback_{threads}"
            title = f"loopback, {threads} thread{'s' if threads > 1 else ''}"
            cases[key] = Case(key, title, "calls/s", higher_is_better=True, samples=samples)
        print(f"  loopback: done in {time.perf_counter() - t0:.1f} s", flush=True)
    if wanted("construction"):
        run(
            Case("construction", "client construction", "us"),
            lambda: bench_construction(rounds, round_ns),
        )
    if wanted("memory"):
        run(
            Case("memory", "peak memory: construct + 1 call", "KiB"),
            lambda: bench_memory(3),
        )

    startup: dict[str, Sample] = {}
    if wanted("startup"):
        t0 = time.perf_counter()
        startup = bench_startup(startup_rounds)
        print(f"  start-up: done in {time.perf_counter() - t0:.1f} s", flush=True)
    startup_rows = evaluate_startup(startup)
    limits: dict[str, Sample] = {}
    if wanted("rate_limits"):
        t0 = time.perf_counter()
        limits = bench_rate_limits(rounds, round_ns)
        print(f"  rate limiter: done in {time.perf_counter() - t0:.1f} s", flush=True)
    observed: dict[str, Sample] = {}
    if wanted("observer"):
        t0 = time.perf_counter()
        observed = bench_observer(rounds, round_ns)
        print(f"  observer: done in {time.perf_counter() - t0:.1f} s", flush=True)

    scale: dict[str, Any] = {}
    if wanted("scale"):
        from bench.scale import bench_scale

        t0 = time.perf_counter()
        scale = bench_scale(
            int(os.environ.get("BENCH_SCALE_ROWS", 5_000 if args.quick else 100_000))
        )
        scale["seconds"] = round(time.perf_counter() - t0, 1)
        print(f"  scale: done in {scale['seconds']:.0f} s", flush=True)

    async_calls: dict[str, Any] = {}
    if wanted("async_calls"):
        t0 = time.perf_counter()
        print("  async calls (each client in a process of its own):", flush=True)
        async_calls = bench_async_calls(1 if args.quick else 3)
        print(f"  async calls: done in {time.perf_counter() - t0:.1f} s", flush=True)

    targets = evaluate(cases)
    rows = table(cases, targets)
    print()
    if cases:
        print(render_text(rows))
    if startup_rows:
        print()
        print(render_startup(startup_table(startup, startup_rows)))
    if limits:
        print()
        print(render_rate_limits(limits))
    if observed:
        print()
        print(render_observer(observed))
    if scale:
        from bench.scale import render_scale

        print()
        print(render_scale(scale))
    if async_calls:
        print()
        print(render_async_calls(async_calls))
    if cases:
        print(
            "\nvs X: how many times better ours is than X (time: X/ours, calls/s: ours/X, "
            "memory: X/ours); above 1 means ours is ahead."
        )
    if startup_rows:
        print(
            "start-up ratio: the median over rounds of command/baseline, both run in the "
            "same round (whole fresh processes)."
        )
    total = time.perf_counter() - started
    print(f"{len(cases)} cases in {total:.0f} s; results in {args.out}")

    report = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine,
        "settings": {
            "quick": args.quick,
            "rounds": rounds,
            "round_ms": round_ms,
            "loopback_rounds": loop_rounds,
            "loopback_seconds": loop_seconds,
            "startup_rounds": startup_rounds,
            "seconds": round(total, 1),
        },
        "cases": {
            key: {
                "title": case.title,
                "unit": "seconds"
                if case.unit in ("us", "ms")
                else ("bytes" if case.unit == "KiB" else case.unit),
                "better": "higher" if case.higher_is_better else "lower",
                "median": {c: case.value(c) for c in CLIENTS},
                # The best round of each: less sensitive to other load than the median.
                "best": {
                    c: (max(s.rounds) if case.higher_is_better else min(s.rounds))
                    for c, s in case.samples.items()
                },
                "rounds": {c: s.rounds for c, s in case.samples.items()},
                "calls_per_round": {c: s.number for c, s in case.samples.items()},
                "ours_advantage": {c: case.advantage(c) for c in CLIENTS if c != "ours"},
            }
            for key, case in cases.items()
        },
        "targets": targets,
        "startup": {
            "rounds": startup_rounds,
            "commands": {
                key: {
                    "command": STARTUP_COMMANDS[key][0],
                    "median": sample.median,
                    "best": min(sample.rounds),
                    "rounds": sample.rounds,
                }
                for key, sample in startup.items()
            },
            "ratios": startup_rows,
        },
        "rate_limits": {
            name: {"median": sample.median, "rounds": sample.rounds}
            for name, sample in limits.items()
        },
        "observer": {
            name: {"median": sample.median, "rounds": sample.rounds}
            for name, sample in observed.items()
        },
        "scale": scale,
        "async_calls": async_calls,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    markdown = render_markdown(cases, targets, machine)
    if startup_rows:
        markdown += "\n\n" + startup_markdown(startup_rows)
    # Every table printed above, so that docs/benchmarks.md shows the whole run.
    texts = []
    if limits:
        texts.append(render_rate_limits(limits))
    if observed:
        texts.append(render_observer(observed))
    if scale:
        from bench.scale import render_scale

        texts.append(render_scale(scale))
    if async_calls:
        texts.append(render_async_calls(async_calls))
    for text in texts:
        markdown += "\n\n```text\n" + text + "\n```"
    args.out.with_suffix(".md").write_text(markdown + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What the sandbox's request log costs: requests/s with the log on and off.

First the log's own cost: :meth:`RequestLog.record` alone (mask, one INSERT, the
periodic prune) per request, for an HTTP GET with the key in its query. Then two
measurements, each with ``SandboxConfig(request_log_size=1000)`` (the default)
and ``request_log_size=0`` (no log), taking turns round by round so drift on a busy
machine hits both alike; medians are printed:

1. in process: the WSGI app called directly (no socket, no server), HTTP GET
   ``GetTemplates`` and SOAP 1.1 ``GetTemplates``: the app's own cost per request,
   where the log's share is largest;
2. loopback: a real waitress sandbox on 127.0.0.1, SOAP 1.1 ``GetTemplates`` from
   one ``requests.Session`` and from 4 threads.

Nothing is asserted. Run with ``make bench-request-log`` or
``python bench/request_log.py [--quick]``.
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from removethebackground.core.client import build_envelope  # noqa: E402
from removethebackground.core.wire import Binding  # noqa: E402
from removethebackground.generated import pixelz  # noqa: E402
from removethebackground.sandbox import DEMO_API_KEY, DEMO_EMAIL, SandboxConfig  # noqa: E402
from removethebackground.sandbox.app import SandboxApp  # noqa: E402
from removethebackground.testing.sandbox import run_sandbox  # noqa: E402

CREDENTIALS = {"contact_email": DEMO_EMAIL, "contact_api_key": DEMO_API_KEY}
SOAP_BODY = build_envelope(pixelz.OP_GET_TEMPLATES, Binding.SOAP11, CREDENTIALS)
SOAP_HEADERS = {
    "Content-Type": "text/xml; charset=utf-8",
    "SOAPAction": '"http://removethebackground.com/GetTemplates"',
}
QUERY = f"contactEmail={DEMO_EMAIL}&contactAPIkey={DEMO_API_KEY}"


def environ(kind: str) -> dict[str, Any]:
    base: dict[str, Any] = {
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8110",
        "wsgi.url_scheme": "http",
    }
    if kind == "get":
        return {
            **base,
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/soap.asmx/GetTemplates",
            "QUERY_STRING": QUERY,
            "wsgi.input": io.BytesIO(b""),
        }
    return {
        **base,
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/soap.asmx",
        "QUERY_STRING": "",
        "CONTENT_TYPE": SOAP_HEADERS["Content-Type"],
        "CONTENT_LENGTH": str(len(SOAP_BODY)),
        "HTTP_SOAPACTION": SOAP_HEADERS["SOAPAction"],
        "wsgi.input": io.BytesIO(SOAP_BODY),
    }


def in_process(app: SandboxApp, kind: str, count: int) -> float:
    """Requests/s of ``count`` direct WSGI calls."""
    template = environ(kind)
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        statuses.append(status)

    started = time.perf_counter()
    for _ in range(count):
        env = dict(template)
        env["wsgi.input"] = io.BytesIO(SOAP_BODY if kind == "soap" else b"")
        b"".join(app(env, start_response))
    if any(not status.startswith("200") for status in statuses):
        raise RuntimeError(f"unexpected answers {set(statuses)}")
    return count / (time.perf_counter() - started)


def loopback(url: str, count: int, threads: int) -> float:
    """Requests/s of ``count`` SOAP calls over loopback from ``threads`` sessions."""
    per_thread = count // threads

    def work() -> None:
        with requests.Session() as session:
            for _ in range(per_thread):
                answer = session.post(url, data=SOAP_BODY, headers=SOAP_HEADERS, timeout=10)
                if answer.status_code != 200:
                    raise RuntimeError(f"unexpected answer {answer.status_code}")

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return per_thread * threads / (time.perf_counter() - started)


def record_cost(app: SandboxApp, count: int) -> float:
    """Microseconds per :meth:`RequestLog.record` of an HTTP GET with credentials."""
    log = app.request_log
    assert log is not None
    env = environ("get")
    started = time.perf_counter()
    for _ in range(count):
        log.record(env, "GET", "/soap.asmx/GetTemplates", 200, 0.001)
    return (time.perf_counter() - started) / count * 1e6


def alternate(rounds: int, measure: Callable[[bool], float]) -> tuple[float, float]:
    """Median requests/s with the log on and off, the two taking turns."""
    on: list[float] = []
    off: list[float] = []
    measure(True), measure(False)  # warm-up
    for _ in range(rounds):
        on.append(measure(True))
        off.append(measure(False))
    return statistics.median(on), statistics.median(off)


def report(name: str, on: float, off: float) -> None:
    cost_us = (1 / on - 1 / off) * 1e6
    print(
        f"{name:<34} log on {on:8.0f}/s   log off {off:8.0f}/s   "
        f"ratio {on / off:5.2f}   ~{cost_us:6.1f} us per request"
    )


def main() -> None:
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    args = parser.parse_args()
    rounds, count, wire_count = (3, 500, 300) if args.quick else (7, 2000, 1000)

    with tempfile.TemporaryDirectory() as tmp:
        apps = {
            True: SandboxApp(Path(tmp) / "on", start=False),
            False: SandboxApp(
                Path(tmp) / "off", config=SandboxConfig(request_log_size=0), start=False
            ),
        }
        try:
            costs = [record_cost(apps[True], count) for _ in range(rounds)]
            print(f"{'RequestLog.record alone':<34} {statistics.median(costs):6.1f} us per request")
            for kind, name in (("get", "in process, HTTP GET"), ("soap", "in process, SOAP 1.1")):
                on, off = alternate(
                    rounds, lambda log, kind=kind: in_process(apps[log], kind, count)
                )
                report(name, on, off)
            logged = apps[True].store.count_requests()
            print(f"(rows kept by the log after these runs: {logged}, bound 1000 + 99)")
        finally:
            for app in apps.values():
                app.close()

    configs = {True: SandboxConfig(), False: SandboxConfig(request_log_size=0)}
    with run_sandbox(config=configs[True]) as sb_on, run_sandbox(config=configs[False]) as sb_off:
        urls = {True: sb_on.pixelz_endpoint, False: sb_off.pixelz_endpoint}
        for threads in (1, 4):
            on, off = alternate(
                rounds, lambda log, threads=threads: loopback(urls[log], wire_count, threads)
            )
            report(f"loopback, SOAP 1.1, {threads} thread(s)", on, off)


if __name__ == "__main__":
    main()

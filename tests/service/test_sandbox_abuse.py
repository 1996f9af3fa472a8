"""The sandbox under abuse: hostile values, concurrent load, SIGKILL mid-load.

- Out-of-range values of every kind, in every string parameter of every operation
  (dates such as 9999-12-31, huge numbers, long strings), and many query parameters
  on any route, are client faults or 4xx answers, never the catch-all handler (which
  logs "unexpected error" and answers a server fault).
- A bounded concurrent load (8 threads, mixed calls over SOAP 1.1 and 1.2) gives no
  errors. ``make test`` runs 40 calls per thread; ``make abuse`` the full 250
  (``RTB_LOAD_CALLS``).
- Killing the sandbox process with SIGKILL in the middle of a load of adds, then
  starting it again on the same data, keeps every ticket that was acknowledged.

Loopback only; every loop is bounded.
"""

from __future__ import annotations

import logging
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from removethebackground import (
    Binding,
    ClientFault,
    HTTPStatusError,
    InvalidParameterError,
    PixelzClient,
    RemoveTheBackgroundError,
    ServerFault,
)
from removethebackground.core.client import build_envelope
from removethebackground.core.faults import DEFAULT_FAULT_TABLE
from removethebackground.core.wire import Operation
from removethebackground.generated import GENERATIONS
from removethebackground.testing.sandbox import SandboxHandle

EXAMPLE = "http://example.com/images/shoe.jpg"
LOAD_CALLS = int(os.environ.get("RTB_LOAD_CALLS", "40"))

HOSTILE = [
    "9999-12-31",
    "0001-01-01",
    "9999-12-31 23:59:59",
    "2024-02-30",
    "99999999999999999999999999",
    "-2147483649",
    "2147483648",
    "1e308",
    "NaN",
    "-0",
    "x" * 100_000,
    "é" * 5000,
    "",
    " ",
    "00000000-0000-0000-0000-000000000000",
    "nonticket",
]


def _unexpected(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("removethebackground.sandbox") and r.levelno >= logging.ERROR
    ]


def _string_params(op: Operation[Any]) -> list[str]:
    skip = set(op.credential_params)
    return [
        f.attr
        for f in op.params
        if f.xsd == "string" and f.item is None and f.model is None and f.name not in skip
    ]


def _ops() -> list[tuple[str, str]]:
    return [
        (key, name)
        for key, generation in GENERATIONS.items()
        if key in ("pixelz", "legacy")
        for name in sorted(generation.service.operations)
    ]


@pytest.mark.parametrize(("generation", "name"), _ops(), ids=[f"{g}-{n}" for g, n in _ops()])
def test_out_of_range_values_are_client_faults(
    generation: str, name: str, sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture
) -> None:
    gen = GENERATIONS[generation]
    op = gen.service.operations[name]
    bindings = [b for b in (Binding.SOAP11, Binding.HTTP_GET) if b in op.bindings]
    caplog.set_level(logging.WARNING)
    rng = random.Random(f"{generation}-{name}")
    for binding in bindings:
        client = sandbox.client(generation, binding, retries=False)
        for attr in _string_params(op):
            for value in rng.sample(HOSTILE, 6):
                values: dict[str, object] = {attr: value}
                if "image_url" in {f.attr for f in op.params} and attr != "image_url":
                    values.setdefault("image_url", EXAMPLE)
                try:
                    client._call(op, values)
                except (ClientFault, InvalidParameterError):
                    pass
                except HTTPStatusError as exc:
                    assert exc.http_status is not None and 400 <= exc.http_status < 500, (
                        name, attr, value[:40], exc)
                except ServerFault as exc:
                    pytest.fail(f"{name} {attr}={value[:40]!r} over {binding}: {exc}")
                except RemoveTheBackgroundError as exc:
                    pytest.fail(f"{name} {attr}={value[:40]!r} over {binding}: {exc!r}")
        client.close()
    assert not _unexpected(caplog)


def test_many_query_parameters_on_any_route(
    sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    base = sandbox.url.rstrip("/")
    many = "&".join(f"p{i}={'v' * 20}" for i in range(2000))
    routes = [
        "/soap.asmx",
        "/soap.asmx?WSDL",
        "/soap.asmx/GetTemplates",
        "/soap.asmx/NoSuchOperation",
        "/legacy/soap.asmx/getImageStatus",
        "/",
        "/no/such/route",
    ]
    op = GENERATIONS["pixelz"].service.operations["GetTemplates"]
    envelope = build_envelope(
        op,
        Binding.SOAP11,
        {"contact_email": sandbox.demo_email, "contact_api_key": sandbox.demo_api_key},
    )
    soap_headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": f'"{op.soap_actions[Binding.SOAP11]}"',
    }
    with requests.Session() as session:
        for route in routes:
            sep = "&" if "?" in route else "?"
            for method in ("GET", "POST"):
                # A POST to the SOAP endpoint carries a valid call: the query must not
                # break it (an empty POST there is ASMX's "Root element is missing").
                soap_post = method == "POST" and route.split("?")[0] == "/soap.asmx"
                answer = session.request(
                    method,
                    f"{base}{route}{sep}{many}",
                    data=envelope if soap_post else None,
                    headers=soap_headers if soap_post else None,
                    timeout=30,
                )
                assert answer.status_code < 500 or _asmx_500(answer), (route, method)
        dup = "&".join(["contactEmail=demo%40example.com"] * 3000)
        answer = session.get(f"{base}/soap.asmx/GetTemplates?{dup}", timeout=30)
        assert answer.status_code < 500 or _asmx_500(answer)
    assert not _unexpected(caplog)


def _asmx_500(answer: requests.Response) -> bool:
    """A 500 that ASMX itself answers for a bad request, not the catch-all handler's: an
    unknown operation in the URL ("Request format is unrecognized ...", "... Web Service
    method name is not valid."), or the
    text/plain fault of the HTTP bindings whose text is a client fault by the client's
    own rules ("Too many parameters.")."""
    text = answer.text
    if "unexpected error" in text.lower():
        return False
    if "unrecognized" in text or "Web Service method name is not valid" in text:
        return True  # ASMX's own routing refusals (an unknown operation in the URL)
    plain = answer.headers.get("Content-Type", "").startswith("text/plain")
    return plain and issubclass(DEFAULT_FAULT_TABLE.classify(None, text), ClientFault)


# --- concurrent load ---------------------------------------------------------------------------


def _mixed_call(client: PixelzClient, ticket: str, rng: random.Random, n: int) -> None:
    kind = rng.randrange(5)
    if kind == 0:
        client.get_templates()
    elif kind == 1:
        client.get_image_status(image_ticket=ticket)
    elif kind == 2:
        client.add_image_to_queue(
            template_id="1001", image_url=EXAMPLE, customer_image_id=f"load-{n}-{rng.random()}"
        )
    elif kind == 3:
        client.get_images_list(images_per_page="10", page="1")
    else:
        client.get_contact_detailed()


def test_concurrent_load_gives_no_errors(
    sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    seed = sandbox.pixelz_client().add_image_to_queue(template_id="1001", image_url=EXAMPLE)
    ticket = str(seed.image_ticket)
    errors: list[str] = []
    done: list[int] = []

    def worker(index: int) -> None:
        binding = Binding.SOAP11 if index % 2 == 0 else Binding.SOAP12
        client = sandbox.pixelz_client(binding, retries=False, timeout=60)
        rng = random.Random(index)
        try:
            for n in range(LOAD_CALLS):
                try:
                    _mixed_call(client, ticket, rng, index * 10_000 + n)
                    done.append(1)
                except RemoveTheBackgroundError as exc:
                    errors.append(f"{binding}: {exc!r}")
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    assert errors == []
    assert len(done) == 8 * LOAD_CALLS
    assert not _unexpected(caplog)


# --- SIGKILL mid-load ---------------------------------------------------------------------------


def _start(data: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "removethebackground.sandbox", "--port", "0", "--data", str(data),
         "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if found:
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return process, f"http://127.0.0.1:{found.group(1)}/soap.asmx"
    process.kill()
    raise AssertionError(f"the sandbox did not start: {''.join(lines)[-2000:]}")


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "sandbox-data"


def test_sigkill_mid_load_keeps_every_acknowledged_ticket(data_dir: Path) -> None:
    process, endpoint = _start(data_dir)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def adder(index: int) -> None:
        client = PixelzClient(
            "demo@example.com", "demo-key", endpoint=endpoint, retries=False, timeout=5
        )
        try:
            for n in range(500):
                if stop.is_set():
                    return
                try:
                    result = client.add_image_to_queue(
                        template_id="1001", image_url=EXAMPLE, customer_image_id=f"k-{index}-{n}"
                    )
                except RemoveTheBackgroundError:
                    return  # the process is gone
                with lock:
                    acknowledged.append(str(result.image_ticket))
        finally:
            client.close()

    threads = [threading.Thread(target=adder, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(600):  # until some adds were acknowledged, at most 60 s
            with lock:
                if len(acknowledged) >= 40:
                    break
            time.sleep(0.1)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
        if process.poll() is None:
            process.kill()
    assert len(acknowledged) >= 40
    process, endpoint = _start(data_dir)
    try:
        client = PixelzClient("demo@example.com", "demo-key", endpoint=endpoint, timeout=10)
        missing = []
        for ticket in acknowledged:
            try:
                status = client.get_image_status(image_ticket=ticket)
                assert status.image_status is not None
            except RemoveTheBackgroundError as exc:
                missing.append((ticket, repr(exc)))
        client.close()
        assert missing == []
    finally:
        process.kill()
        process.wait(30)

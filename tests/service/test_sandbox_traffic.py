"""Replay every recorded request against the sandbox and compare with the recorded answer.

The recordings (``/work/shared/reference/asmx-traffic/{legacy,pixelz}``, or
``RTB_TRAFFIC_DIR``) are sent as raw bytes, in file order, on one sandbox per folder.
Only these request changes are made: the ``Host`` header names the sandbox, the
legacy requests go to ``/legacy/soap.asmx`` (where the sandbox serves generation
1), ``Content-Length`` is recomputed, and image tickets the recording server made
up are replaced by the ones the sandbox made up for the same request.

**Tickets** are learned in order: the GUIDs of a recorded answer are paired with
those of the sandbox's answer at the same position; a recorded ticket seen for the
first time maps to the sandbox's, after that it must match. So "the ticket
AddImageToQueue returned is the one GetImageStatus reports" is checked too.

**State set-up** (the recording servers' data, not rules):

- legacy: ticket ``11111111-...`` is seeded Delivered and ``22222222-...`` New
  (held), as the recording server had them;
- Pixelz: the recording server started with template 1001 only (011 creates 1002)
  and one invoice; the sandbox's demo account also has 1002 and two 2011 invoices,
  so they are removed first. The recording server's clock moved on between 019 and
  020 (images went from New to Delivered), so the sandbox clock is advanced by
  three steps before 020. Images at example.com are drawn by the sandbox, not
  fetched.

**Normalised** before comparing: the recording server's ``127.0.0.1:8110`` /
``127.0.0.1:8099`` become the sandbox's host and port, and date-times from 2020
on (creation times) become ``<now>``; dates of seeded data (2011, 2012) are
compared as they are. The extension of final image URLs becomes ``<ext>``: the
recording server delivered every image as ``.png``, the sandbox applies the template's
output format (template 1001 is JPG), which its own tests check. Everything else is
compared **byte for byte**: the status, ``Content-Type``, and the body (XML
declaration, namespace declarations and their order, element order, ``<x />``
empties, omitted nulls, indentation, fault texts, HTML-encoded plain-text errors and
their trailing newline).
"""

from __future__ import annotations

import http.client
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from removethebackground.sandbox.store import InvoiceRow
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox

TRAFFIC = Path(os.environ.get("RTB_TRAFFIC_DIR", "/work/shared/reference/asmx-traffic"))
GUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RUN_DATE = re.compile(rb"20[2-9]\d-\d\d-\d\d \d\d:\d\d:\d\d")
# The file extension of a final image URL (not the thumbnail's, always .png).
OUTPUT_EXT = re.compile(rb"(/out/[0-9a-f-]{36}(?:-[2-5])?)\.(?:png|jpg|tif|psd)")
RECORDED_HOSTS = (b"127.0.0.1:8110", b"127.0.0.1:8099")
STEP = 3.0
# Recording server's clock moved on before these requests (seconds of sandbox clock).
ADVANCE_BEFORE = {"020-soap11-GetImageStatus-delivered": 3 * STEP}

pytestmark = pytest.mark.skipif(not TRAFFIC.is_dir(), reason="recorded traffic not available")


@dataclass
class Message:
    start: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: str) -> bytes | None:
        for key, value in self.headers:
            if key.lower() == name.lower().encode():
                return value
        return None


def parse_message(data: bytes) -> Message:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    headers = []
    for line in lines[1:]:
        key, _, value = line.partition(b":")
        headers.append((key.strip(), value.strip()))
    return Message(lines[0], headers, body)


def pairs(folder: str) -> list[tuple[str, Path, Path]]:
    directory = TRAFFIC / folder
    out = []
    for request in sorted(directory.glob("*.request.http")):
        name = request.name.removesuffix(".request.http")
        out.append((name, request, directory / f"{name}.response.http"))
    return out


def send_raw(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, body


class Replayer:
    def __init__(self, sb: SandboxHandle, *, legacy: bool) -> None:
        self.sb = sb
        self.legacy = legacy
        self.host = sb.url.removeprefix("http://").encode()
        self.tickets: dict[bytes, bytes] = {}

    def request_bytes(self, recorded: Message) -> bytes:
        method, target, version = recorded.start.split(b" ")
        if self.legacy:
            target = b"/legacy" + target
        target = self.map_tickets(target)
        body = self.map_tickets(recorded.body)
        lines = [b" ".join((method, target, version))]
        for key, value in recorded.headers:
            if key.lower() == b"host":
                value = self.host
            elif key.lower() == b"content-length":
                value = str(len(body)).encode()
            lines.append(key + b": " + value)
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    def map_tickets(self, data: bytes) -> bytes:
        return GUID.sub(lambda m: self.tickets.get(m.group(0), m.group(0)), data)

    def learn_and_normalise(self, recorded: bytes, actual: bytes) -> bytes:
        """The recorded body with tickets mapped (learning new ones) and hosts replaced."""
        for old, new in zip(GUID.findall(recorded), GUID.findall(actual), strict=False):
            self.tickets.setdefault(old, new)
        normalised = self.map_tickets(recorded)
        for host in RECORDED_HOSTS:
            normalised = normalised.replace(host, self.host)
        return normalised


def normalise(body: bytes) -> bytes:
    return OUTPUT_EXT.sub(rb"\1.<ext>", RUN_DATE.sub(b"<now>", body))


def run_replay(sb: SandboxHandle, folder: str, *, legacy: bool) -> list[str]:
    replayer = Replayer(sb, legacy=legacy)
    problems = []
    for name, request_file, response_file in pairs(folder):
        if name in ADVANCE_BEFORE:
            sb.advance(ADVANCE_BEFORE[name])
        recorded_request = parse_message(request_file.read_bytes())
        recorded = parse_message(response_file.read_bytes())
        status, headers, body = send_raw(sb.server.port, replayer.request_bytes(recorded_request))
        expected_status = int(recorded.start.split(b" ")[1])
        if status != expected_status:
            problems.append(f"{name}: status {status}, recorded {expected_status}: {body[:300]!r}")
            continue
        expected_type = (recorded.header("Content-Type") or b"").decode()
        if headers.get("content-type") != expected_type:
            problems.append(
                f"{name}: Content-Type {headers.get('content-type')!r}, recorded {expected_type!r}"
            )
        if headers.get("content-length") != str(len(body)):
            problems.append(f"{name}: Content-Length {headers.get('content-length')!r}")
        expected = replayer.learn_and_normalise(recorded.body, body)
        if normalise(body) != normalise(expected):
            problems.append(f"{name}: body differs\n  sandbox:  {body!r}\n  recorded: {expected!r}")
    return problems


def test_replay_legacy_traffic() -> None:
    with run_sandbox(step_seconds=STEP) as sb:
        sb.seed_image(ticket="11111111-1111-1111-1111-111111111111", status=80)
        sb.seed_image(ticket="22222222-2222-2222-2222-222222222222", status=10, held=True)
        problems = run_replay(sb, "legacy", legacy=True)
    assert len(pairs("legacy")) == 13
    assert not problems, "\n".join(problems)


def test_replay_pixelz_traffic() -> None:
    with run_sandbox(step_seconds=STEP) as sb:
        assert sb.store.delete_template(1002)
        sb.store.replace_invoices(
            sb.demo_email,
            [InvoiceRow("INV-2012-0001", sb.demo_email, "2012-06-30 12:00:00", "12.50", False)],
        )
        problems = run_replay(sb, "pixelz", legacy=False)
    assert len(pairs("pixelz")) == 51
    assert not problems, "\n".join(problems)


def test_replay_learns_and_checks_tickets() -> None:
    """The ticket mapping is a real check: a wrong ticket in a later answer is reported."""
    with run_sandbox() as sb:
        replayer = Replayer(sb, legacy=False)
        recorded = b"<ImageTicket>9a4e4e16-8e77-4e8c-b579-79fba86611e3</ImageTicket>"
        actual = b"<ImageTicket>0b5c3a86-3f2a-4a41-9a55-1b6a1b0c2d3e</ImageTicket>"
        assert replayer.learn_and_normalise(recorded, actual) == actual
        other = b"<ImageTicket>11111111-2222-4333-8444-555555555555</ImageTicket>"
        assert replayer.learn_and_normalise(recorded, other) != other

"""Whatever bytes come back, only library errors leave a call.

Hypothesis mutates the recorded ASMX answers (/work/shared/reference/asmx-traffic/)
and their headers (bad Content-Length, bad Content-Type parameters, bad encodings,
huge and many headers, compression that lies) and a loopback server sends the
result over a real socket, so urllib3 and http.client (the sync client), and asyncio
and httptools (the async client) read it as they would in production. Each call, of
either client, must return a result or raise a
:class:`~removethebackground.RemoveTheBackgroundError`; nothing else.

The number of examples comes from a hypothesis profile (registered in
tests/conftest.py) chosen by ``RTB_FUZZ_PROFILE``: ``fuzz-quick`` (the default, in
``make test``) or ``fuzz`` (``make fuzz``).
"""

from __future__ import annotations

import gzip
import os
import socket
import threading
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from removethebackground import Binding, PixelzClient, RemoveTheBackgroundError
from removethebackground.generated import GENERATIONS
from support.clients import CLIENT_KINDS, make_client
from support.hostile import HostileServer, Request
from support.paths import NO_REFERENCE, REFERENCE, read_http_message

pytestmark = pytest.mark.skipif(REFERENCE is None, reason=NO_REFERENCE)

PROFILE = settings.get_profile(os.environ.get("RTB_FUZZ_PROFILE", "fuzz-quick"))
KEY = "fuzz-key+/=&<>%é"
BINDINGS = {
    "soap11": Binding.SOAP11,
    "soap12": Binding.SOAP12,
    "httpget": Binding.HTTP_GET,
    "httppost": Binding.HTTP_POST,
}


def _operation_of(path: Path) -> str:
    request = read_http_message(path)
    action = request.header("SOAPAction")
    if action:
        return action.strip('"').rsplit("/", 1)[-1]
    ctype = request.header("Content-Type") or ""
    if "action=" in ctype:
        return ctype.split("action=", 1)[1].strip('"; ').rsplit("/", 1)[-1]
    return urlsplit(request.start_line.split(" ")[1]).path.rsplit("/", 1)[-1]


def _recorded() -> list[tuple[str, Binding, str, bytes]]:
    if REFERENCE is None:
        return []
    out = []
    for folder in ("pixelz", "legacy"):
        for request in sorted((REFERENCE / "asmx-traffic" / folder).glob("*.request.http")):
            binding = BINDINGS.get(request.name.split("-")[1])
            if binding is None:
                continue
            response = request.with_name(request.name.replace(".request.", ".response."))
            out.append((folder, binding, _operation_of(request), response.read_bytes()))
    return out


RECORDED = _recorded()


class Stage:
    """One loopback server for every example: it sends whatever ``payload`` holds."""

    payload = b""

    def __call__(self, server: HostileServer, conn: socket.socket, request: Request) -> None:
        server.write(conn, self.payload)
        conn.close()


STAGE = Stage()
_SERVER: HostileServer | None = None
_LOCK = threading.Lock()


def server() -> HostileServer:
    global _SERVER
    with _LOCK:
        if _SERVER is None:
            _SERVER = HostileServer(STAGE).__enter__()
    return _SERVER


# --- mutations ---------------------------------------------------------------------------

JUNK_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
CONTENT_LENGTHS = st.one_of(
    st.integers(-5, 10**20).map(str),
    st.sampled_from(["²", "³", "¹", "¹²³", "1²"]),  # latin-1 digits: isdigit(), but not int()
    st.sampled_from(["", " ", "²", "³⁴", "١٢٣", "1e3", "0x10", "12, 13", "12,12", "+5", "NaN"]),
    JUNK_TEXT,
)
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "text/xml; charset=utf-16",
            "text/xml; charset=bogus",
            "text/xml; charset=",
            "text/xml; ;=;",
            'application/soap+xml; charset=utf-8; action="',
            "text/plain; charset=latin-1",
            "text/html",
            "application/json",
            "",
            "text/xml; charset=utf-32",
            "text/xml; charset=\x00",
        ]
    ),
    JUNK_TEXT,
)
ENCODINGS = st.sampled_from(["gzip", "deflate", "br", "zstd", "x-junk", "gzip, gzip", "identity"])


def _header_bytes(text: str) -> bytes:
    """As a server would write it: latin-1 where it can (b"\xb2" is read back as "²")."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


@st.composite
def mutated(draw: Any) -> tuple[Binding, str, bytes]:
    _folder, binding, op, message = draw(st.sampled_from(RECORDED))
    head, _, body = message.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status, headers = lines[0], [ln for ln in lines[1:] if ln]
    headers = [h for h in headers if not h.lower().startswith(b"content-length:")]
    length: str | None = str(len(body))
    kinds = draw(st.sets(st.sampled_from(range(12)), min_size=0, max_size=3))
    if draw(st.booleans()):  # the header most often abused: on every other example
        kinds.add(3)
    for kind in kinds:
        if kind == 0 and body:  # flip bytes
            data = bytearray(body)
            for _ in range(draw(st.integers(1, 8))):
                i = draw(st.integers(0, len(data) - 1))
                data[i] = draw(st.integers(0, 255))
            body = bytes(data)
        elif kind == 1:  # truncate
            body = body[: draw(st.integers(0, len(body)))]
        elif kind == 2:  # insert junk
            i = draw(st.integers(0, len(body)))
            body = body[:i] + draw(st.binary(max_size=40)) + body[i:]
        elif kind == 3:
            length = draw(CONTENT_LENGTHS)
        elif kind == 4:
            headers = [h for h in headers if not h.lower().startswith(b"content-type:")]
            headers.append(b"Content-Type: " + _header_bytes(draw(CONTENT_TYPES)))
        elif kind == 5:  # re-encode the body
            codec = draw(st.sampled_from(["utf-16", "utf-32", "latin-1", "utf-16-be"]))
            body = body.decode("utf-8", "replace").encode(codec, "replace")
        elif kind == 6:  # compression, honest or not
            enc = draw(ENCODINGS)
            if enc == "gzip" and draw(st.booleans()):
                body = gzip.compress(body)
            elif enc == "deflate" and draw(st.booleans()):
                body = zlib.compress(body)
            headers.append(b"Content-Encoding: " + enc.encode())
        elif kind == 7:  # a huge header
            headers.append(b"X-Big: " + b"a" * draw(st.sampled_from([70_000, 200_000])))
        elif kind == 8:  # many headers
            headers += [b"X-%d: v" % i for i in range(draw(st.sampled_from([101, 150, 1000])))]
        elif kind == 9:  # bytes that are no header at all
            headers.append(draw(st.binary(min_size=1, max_size=30)).replace(b"\r\n", b"\n"))
        elif kind == 10:  # the status line
            status = draw(
                st.sampled_from(
                    [b"HTTP/1.1 200", b"HTTP/1.1 999 X", b"HTTP/1.1 abc OK", b"HTTP/2 200 OK",
                     b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", b"ICY 200 OK", b"",
                     b"HTTP/1.1 200 \xff\xfe"]
                )
            )
        elif kind == 11:  # chunked, well or badly
            headers.append(b"Transfer-Encoding: chunked")
            if draw(st.booleans()):
                body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
            length = None
    if length is not None:
        headers.append(b"Content-Length: " + _header_bytes(length))
    headers.append(b"Connection: close")
    return binding, op, b"\r\n".join([status, *headers]) + b"\r\n\r\n" + body


def _client(binding: Binding, endpoint: str) -> PixelzClient:
    return PixelzClient(
        "fuzz@example.com",
        KEY,
        binding=binding,
        endpoint=endpoint,
        timeout=0.5,
        deadline=2.0,
        retries=False,
        max_response_bytes=1 << 20,
    )


def _method(binding: Binding, op_name: str, endpoint: str, kind: str = "sync") -> Any:
    for generation in GENERATIONS.values():
        op = generation.service.operations.get(op_name)
        if op is not None and binding in op.bindings:
            client = make_client(
                kind,
                "fuzz@example.com",
                KEY,
                binding=binding,
                endpoint=endpoint.replace("/soap.asmx", generation.sandbox_path),
                timeout=0.5,
                deadline=2.0,
                retries=False,
                max_response_bytes=1 << 20,
                cls=generation.client_class,
            )
            return client, op
    return None, None


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@PROFILE
@given(mutated())
def test_only_library_errors_leave_a_call(kind: str, case: tuple[Binding, str, bytes]) -> None:
    binding, op_name, payload = case
    srv = server()
    STAGE.payload = payload
    client, op = _method(binding, op_name, srv.endpoint, kind)
    if client is None:
        return
    try:
        client._call(op, {})
    except RemoveTheBackgroundError as exc:
        text = str(exc) + repr(exc)
        assert "fuzz-key" not in text
        assert exc.__context__ is None and exc.__cause__ is None
    finally:
        client.close()

"""Hostile loopback servers: raw sockets on 127.0.0.1 that misbehave on purpose.

:class:`HostileServer` accepts connections, reads each request whole (headers and a
``Content-Length`` body), counts it, and hands the socket to a *behaviour*: a function
``(conn, request) -> None`` that writes whatever it likes (or nothing) and may close,
reset or hold the connection. Behaviours for the common abuses are below; every
server stops within a bounded time (held connections are released on exit).

``sent`` counts the bytes each behaviour managed to write, so a test can assert how
much the client read (memory bounded) instead of timing anything.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "HostileServer",
    "Request",
    "answer",
    "close_silently",
    "continue_forever",
    "drip_body",
    "drip_headers",
    "hold",
    "reset",
    "reset_mid_body",
]


@dataclass
class Request:
    head: bytes
    body: bytes

    @property
    def line(self) -> str:
        return self.head.split(b"\r\n", 1)[0].decode("latin-1")

    def header(self, name: str) -> str | None:
        for raw in self.head.split(b"\r\n")[1:]:
            key, _, value = raw.decode("latin-1").partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None


Behaviour = Callable[["HostileServer", socket.socket, Request], None]


@dataclass
class HostileServer:
    behaviour: Behaviour
    requests: list[Request] = field(default_factory=list)
    sent: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> HostileServer:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()
        return self

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/soap.asmx"

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._accept.join(5)
        for thread in self._threads:
            thread.join(5)
        self._sock.close()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def write(self, conn: socket.socket, data: bytes) -> bool:
        """Write ``data``; False once the client has gone."""
        try:
            conn.sendall(data)
        except OSError:
            return False
        with self._lock:
            self.sent += len(data)
        return True

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(1)
        try:
            while not self._stop.is_set():
                request = _read_request(conn)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                self.behaviour(self, conn, request)
                if conn.fileno() == -1:
                    return
        except OSError:
            return
        finally:
            conn.close()


def _read_request(conn: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    request = Request(head, b"")
    length = int(request.header("Content-Length") or 0)
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    request.body = rest[:length]
    return request


# --- behaviours -------------------------------------------------------------------------------


def answer(
    status: int = 200,
    body: bytes = b"",
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/xml; charset=utf-8"),),
    *,
    reason: str | None = None,
    content_length: bool = True,
    close: bool = True,
) -> Behaviour:
    """A complete answer (``content_length=False``: no length, the end is the close)."""

    def behave(server: HostileServer, conn: socket.socket, request: Request) -> None:
        lines = [f"HTTP/1.1 {status} {reason if reason is not None else 'X'}"]
        lines += [f"{k}: {v}" for k, v in headers]
        if content_length:
            lines.append(f"Content-Length: {len(body)}")
        if close or not content_length:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        server.write(conn, head + body)
        if close or not content_length:
            conn.close()

    return behave


def raw(data: bytes) -> Behaviour:
    """Write exactly these bytes and close."""

    def behave(server: HostileServer, conn: socket.socket, request: Request) -> None:
        server.write(conn, data)
        conn.close()

    return behave


def stream(head: bytes, chunk: bytes, total: int) -> Behaviour:
    """Headers, then ``chunk`` again and again up to ``total`` bytes while the client reads."""

    def behave(server: HostileServer, conn: socket.socket, request: Request) -> None:
        if not server.write(conn, head):
            return
        written = 0
        while written < total and not server.stopping:
            if not server.write(conn, chunk):
                break
            written += len(chunk)
        conn.close()

    return behave


def drip_body(interval: float = 0.05) -> Behaviour:
    """A 200 with a huge declared length whose body comes one byte per ``interval``."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 10000\r\n\r\n"
    return _drip(head, b"<", interval)


def drip_headers(interval: float = 0.05) -> Behaviour:
    """Headers that never end, one byte per ``interval``."""
    return _drip(b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a", interval)


def continue_forever(interval: float = 0.05) -> Behaviour:
    """``100 Continue`` after ``100 Continue``, never an answer."""
    return _drip(b"", b"HTTP/1.1 100 Continue\r\n\r\n", interval)


def _drip(head: bytes, unit: bytes, interval: float) -> Behaviour:
    def behave(server: HostileServer, conn: socket.socket, request: Request) -> None:
        if head and not server.write(conn, head):
            return
        for _ in range(2000):  # bounded: at most 2000 units
            if server.stopping or not server.write(conn, unit):
                break
            time.sleep(interval)
        conn.close()

    return behave


def hold(server: HostileServer, conn: socket.socket, request: Request) -> None:
    """Read the request and answer nothing until the client gives up or the test ends."""
    conn.settimeout(0.1)
    for _ in range(600):
        if server.stopping:
            break
        try:
            if conn.recv(1) == b"":
                break
        except TimeoutError:
            continue
        except OSError:
            break
    conn.close()


def close_silently(server: HostileServer, conn: socket.socket, request: Request) -> None:
    """Close after reading the request, with no answer at all."""
    conn.close()


def reset(server: HostileServer, conn: socket.socket, request: Request) -> None:
    """Reset the connection (RST) after reading the request."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def reset_mid_body(server: HostileServer, conn: socket.socket, request: Request) -> None:
    """Half an answer, then a reset."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\n\r\n"
    server.write(conn, head + b"<soap:Envelope xmlns:soap='x'>" * 10)
    time.sleep(0.05)
    reset(server, conn, request)


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped (a few KB on the wire per 10 MB)."""
    return gzip.compress(b"\0" * size, compresslevel=9)

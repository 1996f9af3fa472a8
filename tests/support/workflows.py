"""Helpers for the workflow tests: a WSGI app served by waitress on loopback, a file server."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], list[bytes]]


@contextmanager
def serve(app: WSGIApp, threads: int = 4) -> Iterator[str]:
    """Serve ``app`` with waitress on a free port of 127.0.0.1; yields the base URL."""
    server: Any = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        socket_map = server._map
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(socket_map))
        except OSError:
            pass
        thread.join(timeout=10)
        if socket_map:
            wasyncore.close_all(socket_map, ignore_all=True)


@dataclass
class FileServer:
    """A WSGI app serving ``files`` (path -> bytes), with optional Range support.

    ``cut_after`` (path -> n) sends only the first n bytes of a full answer while
    announcing the whole length, as a dropped connection does. Every request is
    recorded in ``requests`` as (method, path, Range header).
    """

    files: dict[str, bytes] = field(default_factory=dict)
    ranges: bool = True
    cut_after: dict[str, int] = field(default_factory=dict)
    send_length: bool = True
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    puts: dict[str, bytes] = field(default_factory=dict)
    delay: float = 0.0
    active: int = 0
    peak: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        wanted = environ.get("HTTP_RANGE")
        with self._lock:
            self.requests.append((method, path, wanted))
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            if self.delay:
                threading.Event().wait(self.delay)
            if method == "PUT":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                self.puts[path] = environ["wsgi.input"].read(length)
                start_response("200 OK", [("Content-Length", "0")])
                return [b""]
            data = self.files.get(path)
            if data is None:
                start_response("404 Not Found", [("Content-Length", "0")])
                return [b""]
            match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
            if self.ranges and match:
                start = int(match.group(1))
                if start >= len(data):
                    start_response(
                        "416 Range Not Satisfiable", [("Content-Range", f"bytes */{len(data)}")]
                    )
                    return [b""]
                body = data[start:]
                start_response(
                    "206 Partial Content",
                    [
                        ("Content-Length", str(len(body))),
                        ("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}"),
                    ],
                )
                return [body]
            cut = self.cut_after.pop(path, None)
            headers = [("Content-Type", "image/png")]
            if self.send_length:
                headers.append(("Content-Length", str(len(data))))
            start_response("200 OK", headers)
            if cut is not None:
                return _Cut(data[:cut])
            return [data]
        finally:
            with self._lock:
                self.active -= 1


class _Cut:
    """An answer body that stops early: waitress then closes the connection."""

    def __init__(self, head: bytes) -> None:
        self.head = head

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        raise ConnectionAbortedError("cut on purpose")

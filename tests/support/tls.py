"""Loopback servers for the TLS and proxy tests: a WSGI app over TLS (optionally asking
for a client certificate), and an HTTP proxy (absolute-URI and CONNECT) that records
what passes through it."""

from __future__ import annotations

import select
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # refused handshakes are what some tests are about

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            request.settimeout(10)
            request.do_handshake()
        except (ssl.SSLError, OSError):
            # As real servers do (lingering close): stop writing, then read what the
            # client already sent, so the alert reaches it instead of a reset.
            try:
                socket.socket.shutdown(request, socket.SHUT_WR)
                socket.socket.settimeout(request, 1)
                for _ in range(100):
                    if not socket.socket.recv(request, 65536):
                        break
            except OSError:
                pass
            socket.socket.close(request)
            return
        super().process_request_thread(request, client_address)


class TLSServer:
    """``app`` served over HTTPS on 127.0.0.1; ``client_ca`` makes a client cert required."""

    def __init__(
        self, app: Any, cert_file: Path, key_file: Path, *, client_ca: Path | None = None
    ) -> None:
        self.app = app
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert_file, key_file)
        if client_ca is not None:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(client_ca)
        self.context = ctx

    def __enter__(self) -> TLSServer:
        server = _ThreadingWSGIServer(("127.0.0.1", 0), _QuietHandler)
        server.set_app(self.app)
        server.socket = self.context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, host: str = "127.0.0.1", path: str = "/soap.asmx") -> str:
        return f"https://{host}:{self.port}{path}"

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@dataclass
class ProxyLog:
    """What the proxy saw: request lines and headers (what a proxy logs), tunnel bytes."""

    lines: list[str] = field(default_factory=list)
    forwarded: int = 0
    tunnels: int = 0
    tunnel_bytes: bytearray = field(default_factory=bytearray)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class Proxy:
    """An HTTP proxy on 127.0.0.1 that only connects to loopback addresses."""

    def __init__(self) -> None:
        self.log = ProxyLog()
        self._lock = threading.Lock()

    def __enter__(self) -> Proxy:
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 10

            def handle(self) -> None:
                line = self.rfile.readline(65537).decode("latin-1").rstrip("\r\n")
                if not line:
                    return
                headers: list[tuple[str, str]] = []
                while True:
                    raw = self.rfile.readline(65537).decode("latin-1").rstrip("\r\n")
                    if not raw:
                        break
                    name, _, value = raw.partition(":")
                    headers.append((name.strip(), value.strip()))
                with owner._lock:
                    owner.log.lines.append(line)
                    owner.log.lines.extend(f"{k}: {v}" for k, v in headers)
                method, target, _version = line.split(" ", 2)
                if method == "CONNECT":
                    owner._tunnel(self, target)
                else:
                    owner._forward(self, method, target, headers)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.01,), daemon=True
        )
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def _upstream(self, host: str, port: int) -> socket.socket:
        assert host in LOOPBACK, f"the test proxy only connects to loopback, not {host}"
        return socket.create_connection((host, port), timeout=10)

    def _forward(
        self,
        handler: socketserver.StreamRequestHandler,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
    ) -> None:
        parts = urlsplit(target)
        assert parts.scheme == "http" and parts.hostname
        length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
        body = handler.rfile.read(length) if length else b""
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kept = [
            (k, v)
            for k, v in headers
            if k.lower() not in ("proxy-connection", "connection", "keep-alive")
        ]
        request = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in kept)
        request += "Connection: close\r\n\r\n"
        with self._upstream(parts.hostname, parts.port or 80) as upstream:
            upstream.sendall(request.encode("latin-1") + body)
            chunks = []
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        answer = b"".join(chunks)
        head, _, rest = answer.partition(b"\r\n\r\n")
        lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"connection:")]
        handler.wfile.write(b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + rest)
        with self._lock:
            self.log.forwarded += 1

    def _tunnel(self, handler: socketserver.StreamRequestHandler, target: str) -> None:
        host, _, port = target.rpartition(":")
        upstream = self._upstream(host.strip("[]"), int(port))
        handler.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        handler.wfile.flush()
        with self._lock:
            self.log.tunnels += 1
        client = handler.connection
        sockets = [client, upstream]
        try:
            for _ in range(100_000):  # bounded
                readable, _, _ = select.select(sockets, [], [], 10)
                if not readable:
                    break
                done = False
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        done = True
                        break
                    with self._lock:
                        self.log.tunnel_bytes.extend(data)
                    (upstream if sock is client else client).sendall(data)
                if done:
                    break
        finally:
            upstream.close()

"""A loopback HTTP proxy in front of a service that drops some answers.

Every ``drop_every``-th AddImageToQueue request is forwarded and answered by the
service, then the proxy closes the client's connection without a byte of the answer:
the image is queued, the client only knows that its call's outcome is unknown.
"""

from __future__ import annotations

import http.client
import http.server
import threading
from collections import Counter
from typing import Any
from urllib.parse import urlsplit


class DroppingProxy:
    def __init__(self, upstream: str, *, drop_every: int = 4) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.path = parts.path
        self.drop_every = drop_every
        self.counts: Counter[str] = Counter()
        self.dropped = 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                adding = b"AddImageToQueue" in body[:4000]
                upstream = http.client.HTTPConnection(
                    proxy.upstream_host, proxy.upstream_port, timeout=30
                )
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                    upstream.request("POST", self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    payload = answer.read()
                finally:
                    upstream.close()
                with proxy.lock:
                    proxy.counts["add" if adding else "other"] += 1
                    drop = adding and proxy.counts["add"] % proxy.drop_every == 0
                    proxy.dropped += drop
                if drop:
                    self.close_connection = True  # answered upstream, nothing comes back
                    return
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"

    def __enter__(self) -> DroppingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

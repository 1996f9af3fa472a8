"""A sandbox with something to show on its page: delivered, waiting and held images of two
accounts, a webhook delivered after a retry and one that failed. Shared by the page tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from removethebackground.sandbox import SandboxConfig
from removethebackground.sandbox.imaging import make_sample_product_photo
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from support.servers import closed_port

TEAM_EMAIL = "team@example.org"
TEAM_KEY = "team-s3cret-key"
# Shown on the page, so it must come out escaped.
TRICKY_ID = 'SKU-1 <script>alert("x")</script> & "quotes"'


@dataclass
class Receiver:
    url: str = ""
    statuses: list[int] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


@dataclass
class Scene:
    sandbox: SandboxHandle
    receiver: Receiver
    delivered: str  # template 1002, webhook answered 500 then 200
    jpg: str  # template 1001
    waiting: str  # productId "hold": stays New
    team: str  # the team account's image, webhook to a closed port


@contextmanager
def webhook_receiver(statuses: list[int]) -> Iterator[Receiver]:
    state = Receiver(statuses=list(statuses))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                state.bodies.append(body)
                code = state.statuses.pop(0) if state.statuses else 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def populated_sandbox() -> Iterator[Scene]:
    config = SandboxConfig(webhook_backoff=0.01, webhook_attempts=3)
    with (
        webhook_receiver([500]) as receiver,
        run_sandbox(config=config, accounts=[(TEAM_EMAIL, TEAM_KEY)]) as sb,
    ):
        client = sb.pixelz_client()
        photo = make_sample_product_photo(640, 480, seed=11)
        delivered = client.add_image_to_queue(
            template_id="1002",
            image_url=sb.upload(photo, "sneaker.jpg"),
            customer_image_id=TRICKY_ID,
            product_id="sneakers",
            image_callback_url=f"{receiver.url}/hook?token=abc",
        ).image_ticket
        jpg = client.add_image_to_queue(
            template_id="1001",
            image_url="http://example.com/photos/mug.jpg",
            customer_image_id="SKU-2",
        ).image_ticket
        waiting = client.add_image_to_queue(
            template_id="1001", image_url="http://example.com/photos/later.jpg", product_id="hold"
        ).image_ticket
        team_client = sb.pixelz_client(email=TEAM_EMAIL, api_key=TEAM_KEY)
        template = (team_client.get_templates().templates or [None])[0]
        assert template is not None
        team = team_client.add_image_to_queue(
            template_id=str(template.template_id),
            image_url="http://example.com/photos/bag.jpg",
            image_callback_url=f"http://127.0.0.1:{closed_port()}/hook",
        ).image_ticket
        sb.advance(3 * sb.step_seconds)
        assert sb.wait_for_webhooks(30)
        yield Scene(sb, receiver, str(delivered), str(jpg), str(waiting), str(team))

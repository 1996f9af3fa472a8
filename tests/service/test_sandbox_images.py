"""Real work in the sandbox: uploads, background removal, failure outcomes, webhooks with
retries, persistence across a restart, and concurrent use."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from PIL import Image

from removethebackground import Binding, NotFoundError, PixelzClient
from removethebackground.sandbox import SandboxConfig
from removethebackground.sandbox.imaging import (
    OutputSpec,
    compose_output,
    cut_out,
    make_sample_product_photo,
    transparent_fraction,
)
from removethebackground.sandbox.store import Store
from removethebackground.testing.sandbox import run_sandbox
from support.servers import closed_port

if TYPE_CHECKING:
    from removethebackground.testing.sandbox import SandboxHandle


# --- a tiny local HTTP server: serves images, receives webhooks -------------------------


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class LocalServer:
    url: str
    hits: list[Hit] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    # Status codes to answer POSTs with, in order; 200 once used up.
    post_statuses: list[int] = field(default_factory=list)
    post_delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def posts(self) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.method == "POST"]


@contextmanager
def local_server() -> Iterator[LocalServer]:
    state = LocalServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _record(self, body: bytes) -> None:
            with state.lock:
                state.hits.append(
                    Hit(self.command, self.path, dict(self.headers), body, time.monotonic())
                )

        def do_GET(self) -> None:
            self._record(b"")
            data = state.files.get(self.path.split("?")[0])
            if data is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self._record(body)
            if state.post_delay:
                time.sleep(state.post_delay)
            with state.lock:
                code = state.post_statuses.pop(0) if state.post_statuses else 200
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


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def png_template(client: PixelzClient) -> str:
    """A template that delivers the plain cut-out: transparent PNG at the input's size."""
    created = client.add_template(template_name="Cut out", template_output_format="PNG")
    return str(created.template_id)


def deliver(sb: SandboxHandle, client: PixelzClient, **kwargs: object) -> str:
    kwargs.setdefault("template_id", "1001")
    ticket = str(client.add_image_to_queue(**kwargs).image_ticket)  # type: ignore[arg-type]
    sb.advance(3 * sb.step_seconds)
    return ticket


# --- uploads and real background removal ------------------------------------------------


def test_upload_route(sandbox: SandboxHandle) -> None:
    photo = make_sample_product_photo(320, 240, seed=3)
    response = requests.put(f"{sandbox.url}/uploads/shoe.jpg", data=photo, timeout=10)
    assert response.status_code == 201
    answer = response.json()
    assert answer["url"] == response.headers["Location"]
    assert answer["url"].startswith(f"{sandbox.url}/uploads/") and answer["url"].endswith(
        "/shoe.jpg"
    )
    assert answer["bytes"] == len(photo)
    assert answer["sha256"] == hashlib.sha256(photo).hexdigest()
    back = requests.get(answer["url"], timeout=10)
    assert back.content == photo and back.headers["Content-Type"] == "image/jpeg"
    posted = requests.post(f"{sandbox.url}/uploads", data=b"abc", timeout=10)
    assert posted.status_code == 201 and posted.json()["name"] == "upload"
    assert (
        requests.put(f"{sandbox.url}/uploads/bad%20name", data=b"x", timeout=10).status_code == 400
    )
    assert requests.put(f"{sandbox.url}/uploads/empty.jpg", data=b"", timeout=10).status_code == 400
    assert requests.get(f"{sandbox.url}/uploads/{'0' * 32}/x.jpg", timeout=10).status_code == 404


def test_upload_limit() -> None:
    with run_sandbox(config=SandboxConfig(max_image_bytes=1000)) as sb:
        response = requests.put(f"{sb.url}/uploads/big.jpg", data=b"x" * 1001, timeout=10)
        assert response.status_code == 413


def test_uploaded_photo_gets_its_background_removed(sandbox: SandboxHandle) -> None:
    photo = make_sample_product_photo(640, 480, seed=11)
    second = make_sample_product_photo(400, 300, seed=12)
    client = sandbox.pixelz_client(Binding.SOAP12)
    ticket = deliver(
        sandbox,
        client,
        template_id=png_template(client),
        image_url=sandbox.upload(photo, "front.jpg"),
        image_url2=sandbox.upload(second, "side.jpg"),
    )
    status = client.get_image_status(image_ticket=ticket).image_status
    assert status is not None and status.status_id == 80
    finals = status.final_images_url or []
    assert finals == [f"{sandbox.url}/out/{ticket}.png", f"{sandbox.url}/out/{ticket}-2.png"]
    sizes = []
    for url in finals:
        png = requests.get(str(url), timeout=10)
        assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(png.content))
        assert image.format == "PNG" and image.mode == "RGBA"
        sizes.append(image.size)
        assert 0.3 < transparent_fraction(png.content) < 0.95
    assert sizes == [(640, 480), (400, 300)]
    thumb = requests.get(str(status.thumbnail_image_url), timeout=10)
    assert Image.open(io.BytesIO(thumb.content)).size == (256, 192)


def test_image_is_fetched_from_a_loopback_url(sandbox: SandboxHandle) -> None:
    with local_server() as server:
        server.files["/photos/bag.jpg"] = make_sample_product_photo(300, 200, seed=5)
        client = sandbox.pixelz_client()
        ticket = deliver(sandbox, client, image_url=f"{server.url}/photos/bag.jpg?v=1")
        gets = [h for h in server.hits if h.method == "GET"]
    assert [h.path for h in gets] == ["/photos/bag.jpg?v=1"]
    assert gets[0].headers["User-Agent"] == "removethebackground-sandbox"
    row = sandbox.image(ticket)
    assert row is not None and row.status == 80 and row.outputs == 1


def test_example_domain_images_are_drawn_not_fetched(sandbox: SandboxHandle) -> None:
    client = sandbox.pixelz_client()
    ticket = deliver(
        sandbox,
        client,
        template_id=png_template(client),
        image_url="https://shop.example.com/a.jpg",
    )
    png = requests.get(f"{sandbox.url}/out/{ticket}.png", timeout=10).content
    assert transparent_fraction(png) > 0.3


# --- failure outcomes -------------------------------------------------------------------


def _on_hold(sb: SandboxHandle, url: str) -> str:
    client = sb.pixelz_client()
    ticket = str(client.add_image_to_queue(template_id="1001", image_url=url).image_ticket)
    sb.advance(sb.step_seconds)
    answer = client.get_image_status(image_ticket=ticket).image_status
    assert answer is not None
    assert (answer.status_id, answer.status_name) == (50, "On Hold")
    assert answer.final_images_url == [] and answer.thumbnail_image_url == ""
    sb.advance(10 * sb.step_seconds)  # it stays there
    row = sb.image(ticket)
    assert row is not None and row.status == 50 and row.error
    return ticket


def test_unreachable_url_puts_the_image_on_hold(
    sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="removethebackground.sandbox")
    url = f"http://127.0.0.1:{closed_port()}/img.jpg?signature=TOPSECRET"
    ticket = _on_hold(sandbox, url)
    row = sandbox.image(ticket)
    assert row is not None and row.error is not None
    assert "connection failed" in row.error and "TOPSECRET" not in row.error
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(ticket in w and "on hold" in w for w in warnings)
    assert not any("TOPSECRET" in r.getMessage() for r in caplog.records)
    assert not any("demo-key" in r.getMessage() for r in caplog.records)
    # An image on hold can be deleted (it never reached production for good).
    sandbox.pixelz_client().delete_image_from_queue(image_ticket=ticket)
    assert sandbox.image(ticket) is None


def test_http_error_and_invalid_host_put_the_image_on_hold(sandbox: SandboxHandle) -> None:
    with local_server() as server:
        ticket = _on_hold(sandbox, f"{server.url}/missing.jpg")
    row = sandbox.image(ticket)
    assert row is not None and row.error is not None and "HTTP 404" in row.error
    invalid = _on_hold(sandbox, "http://images.invalid/a.jpg")
    row = sandbox.image(invalid)
    assert row is not None and row.error is not None and ".invalid" in row.error


def test_undecodable_image_puts_the_image_on_hold(sandbox: SandboxHandle) -> None:
    ticket = _on_hold(sandbox, sandbox.upload(b"this is not an image", "broken.jpg"))
    row = sandbox.image(ticket)
    assert row is not None and row.error is not None
    assert row.error.startswith("cannot process image 1")
    legacy = sandbox.legacy_client().get_image_status(image_ticket=ticket).image_status
    assert legacy is not None
    assert (legacy.status_id, legacy.status_name, legacy.final_image_url) == (5, "On Hold", "")


def test_one_failure_does_not_stop_other_images(sandbox: SandboxHandle) -> None:
    client = sandbox.pixelz_client()
    bad = client.add_image_to_queue(
        template_id="1001", image_url=f"http://127.0.0.1:{closed_port()}/x.jpg"
    ).image_ticket
    good = client.add_image_to_queue(
        template_id="1001", image_url="http://example.com/ok.jpg"
    ).image_ticket
    sandbox.advance(3 * sandbox.step_seconds)
    bad_row, good_row = sandbox.image(bad), sandbox.image(good)
    assert bad_row is not None and bad_row.status == 50
    assert good_row is not None and good_row.status == 80


# --- webhooks ---------------------------------------------------------------------------


def test_webhook_is_delivered_with_retries_and_a_signature() -> None:
    config = SandboxConfig(webhook_backoff=0.05, webhook_attempts=5)
    with local_server() as receiver, run_sandbox(config=config) as sb:
        receiver.post_statuses = [500, 503]
        client = sb.pixelz_client()
        ticket = deliver(
            sb,
            client,
            image_url="http://example.com/hook.jpg",
            image_callback_url=f"{receiver.url}/hook?token=abc",
            customer_image_id="cust-7",
            product_id="prod-7",
        )
        assert sb.wait_for_webhooks(10)
        posts = receiver.posts()
        deliveries = sb.webhook_deliveries(ticket)
    assert [p.headers["X-RTB-Attempt"] for p in posts] == ["1", "2", "3"]
    assert posts[1].at - posts[0].at >= 0.045 and posts[2].at - posts[1].at >= 0.095
    assert {p.path for p in posts} == {"/hook?token=abc"}
    assert len({p.body for p in posts}) == 1
    last = posts[-1]
    assert last.headers["Content-Type"] == "application/json; charset=utf-8"
    assert last.headers["X-RTB-Event"] == "image-has-been-processed"
    expected = hmac.new(b"demo-key", last.body, hashlib.sha256).hexdigest()
    assert last.headers["X-RTB-Signature"] == f"sha256={expected}"
    payload = json.loads(last.body)
    assert payload["ImageTicket"] == ticket
    assert (payload["StatusId"], payload["StatusName"], payload["IsPaid"]) == (
        80,
        "Delivered",
        True,
    )
    assert (payload["CustomerImageId"], payload["ProductId"], payload["TemplateId"]) == (
        "cust-7",
        "prod-7",
        1001,
    )
    assert payload["FinalImagesURL"] == [f"{sb.url}/out/{ticket}.jpg"]  # template 1001: JPG
    assert payload["ThumbnailImageURL"] == f"{sb.url}/out/{ticket}-thumb.png"
    assert [(d.state, d.attempts, d.last_status) for d in deliveries] == [("delivered", 3, 200)]


def test_webhook_gives_up_after_the_last_attempt() -> None:
    config = SandboxConfig(webhook_backoff=0.01, webhook_attempts=3)
    with local_server() as receiver, run_sandbox(config=config) as sb:
        receiver.post_statuses = [500] * 10
        ticket = deliver(
            sb, sb.pixelz_client(), image_url=URL_OK, image_callback_url=f"{receiver.url}/h"
        )
        assert sb.wait_for_webhooks(10)
        assert len(receiver.posts()) == 3
        [delivery] = sb.webhook_deliveries(ticket)
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("failed", 3, "HTTP 500")


def test_a_slow_webhook_receiver_does_not_hold_up_processing() -> None:
    with local_server() as receiver, run_sandbox() as sb:
        # Held up, the second delivery would end after the receiver's delay (3 s); not held
        # up, it takes a fraction of a second, with room for a machine busy running tests
        # in parallel (at least 1 s of margin either way).
        receiver.post_delay = 3.0
        client = sb.pixelz_client()
        deliver(sb, client, image_url=URL_OK, image_callback_url=f"{receiver.url}/slow")
        wait_until(lambda: len(receiver.posts()) == 1)  # the receiver is now busy
        started = time.monotonic()
        other = deliver(sb, client, image_url=URL_OK)
        assert time.monotonic() - started < 2.0
        row = sb.image(other)
        assert row is not None and row.status == 80


def test_images_without_a_callback_send_nothing(sandbox: SandboxHandle) -> None:
    deliver(sandbox, sandbox.pixelz_client(), image_url=URL_OK)
    assert sandbox.wait_for_webhooks(5)
    assert sandbox.webhook_deliveries() == []


URL_OK = "http://example.com/images/ok.jpg"


# --- persistence ------------------------------------------------------------------------


def test_state_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "state"
    with run_sandbox(data_dir=data, accounts=[("team@example.org", "team-key")]) as first:
        client = first.pixelz_client()
        template = client.add_template(template_name="Kept (1)", template_output_format="PNG")
        client.edit_contact(contact_name="Dana Demo")
        assert first.store.delete_template(1002)
        waiting = str(client.add_image_to_queue(template_id="1001", image_url=URL_OK).image_ticket)
        done = first.seed_image(status=80, customer_image_id="kept")
        team = first.pixelz_client(email="team@example.org", api_key="team-key")
        team_template = (team.get_templates().templates or [None])[0]
        assert team_template is not None
    assert (data / "sandbox.sqlite3").is_file()
    with run_sandbox(data_dir=data) as second:
        client = second.pixelz_client()
        names = [t.template_name for t in client.get_templates().templates or [] if t]
        assert names == ["Demo White Background", "Kept (1)"]
        spec = client.get_template_spec(template_id=str(template.template_id)).template
        assert spec is not None and spec.output_format == "PNG"
        contact = client.get_contact_detailed().contact
        assert contact is not None and contact.contact_person == "Dana Demo"
        team = second.pixelz_client(email="team@example.org", api_key="team-key")
        assert [t.template_id for t in team.get_templates().templates or [] if t] == [
            team_template.template_id
        ]
        kept = client.get_image_status(image_ticket="nonticket", customer_image_id="kept")
        assert kept.image_status is not None and kept.image_status.status_id == 80
        png = requests.get(f"{second.url}/out/{done}.png", timeout=10)
        assert png.status_code == 200 and transparent_fraction(png.content) > 0.3
        second.advance(3 * second.step_seconds)
        row = second.image(waiting)
        assert row is not None and row.status == 80
        assert second.store.integrity_check() == "ok"


# --- concurrency ------------------------------------------------------------------------


def test_concurrent_clients_do_not_corrupt_the_store(sandbox: SandboxHandle) -> None:
    bindings = [Binding.SOAP11, Binding.SOAP12, Binding.HTTP_GET, Binding.HTTP_POST]
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            with sandbox.pixelz_client(bindings[index % 4]) as client:
                mine = []
                for n in range(8):
                    answer = client.add_stack_image_to_queue(
                        template_id="1001",
                        image_url=f"http://example.com/{index}/{n}.jpg",
                        product_id=f"p{index % 3}",
                        colorway_ids=[index],
                    )
                    mine.append(str(answer.image_ticket))
                    client.get_images_list(images_per_page="100")
                    client.get_product_ids_list()
                results[index] = mine
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def clock() -> None:
        for _ in range(6):
            sandbox.advance(1.0)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    threads.append(threading.Thread(target=clock))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    tickets = [t for mine in results.values() for t in mine]
    assert len(tickets) == 64 == len(set(tickets))
    sandbox.advance(3 * sandbox.step_seconds)
    client = sandbox.pixelz_client()
    listed = [
        str(i.image_ticket)
        for page in (1, 2)
        for i in client.get_images_list(page=str(page), images_per_page="50").images or []
        if i
    ]
    assert sorted(listed) == sorted(tickets)
    stats = client.get_product_ids_list().product_ids or []
    assert sum(s.done_count for s in stats if s) == 64
    assert sandbox.store.integrity_check() == "ok"


def test_concurrent_deletes_of_one_image_succeed_once(sandbox: SandboxHandle) -> None:
    ticket = str(
        sandbox.pixelz_client()
        .add_image_to_queue(template_id="1001", image_url=URL_OK)
        .image_ticket
    )
    outcomes: list[str] = []
    lock = threading.Lock()

    def delete() -> None:
        with sandbox.pixelz_client(Binding.SOAP12) as client:
            try:
                client.delete_image_from_queue(image_ticket=ticket)
                outcome = "deleted"
            except NotFoundError:
                outcome = "not found"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=delete) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["deleted"] + ["not found"] * 5


# --- templates shape the output ---------------------------------------------------------


def fetch_image(url: str, content_type: str) -> Image.Image:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


def delivered_urls(client: PixelzClient, ticket: str) -> tuple[list[str], str]:
    status = client.get_image_status(image_ticket=ticket).image_status
    assert status is not None and status.status_id == 80
    return [str(u) for u in status.final_images_url or []], str(status.thumbnail_image_url)


def visible_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of the object as the margins see it: alpha of at least 16 (the faint
    outer end of the feathered edge included)."""
    alpha = image.getchannel("A")
    return alpha.point([255 if v >= 16 else 0 for v in range(256)]).getbbox()


def test_template_1001_delivers_a_jpg_on_white(sandbox: SandboxHandle) -> None:
    client = sandbox.pixelz_client()
    photo = make_sample_product_photo(640, 480, seed=11)
    ticket = deliver(sandbox, client, image_url=sandbox.upload(photo, "shoe.jpg"))
    finals, thumb_url = delivered_urls(client, ticket)
    assert finals == [f"{sandbox.url}/out/{ticket}.jpg"]
    image = fetch_image(finals[0], "image/jpeg")
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (640, 480))
    for corner in ((0, 0), (639, 0), (0, 479), (639, 479)):
        value = image.getpixel(corner)
        assert isinstance(value, tuple) and min(value) >= 250  # the photo's grey became white
    thumb = fetch_image(thumb_url, "image/png")
    assert thumb_url == f"{sandbox.url}/out/{ticket}-thumb.png"
    assert (thumb.mode, thumb.size) == ("RGB", (256, 192))  # the thumbnail shows the JPG
    corner = thumb.getpixel((0, 0))
    assert isinstance(corner, tuple) and min(corner) >= 250
    # The old name is gone: only the template's extension is served.
    assert requests.get(f"{sandbox.url}/out/{ticket}.png", timeout=10).status_code == 404


def test_template_1002_delivers_a_square_transparent_png_with_margins(
    sandbox: SandboxHandle,
) -> None:
    client = sandbox.pixelz_client()
    photo = make_sample_product_photo(640, 480, seed=11)
    ticket = deliver(
        sandbox, client, template_id="1002", image_url=sandbox.upload(photo, "shoe.jpg")
    )
    finals, thumb_url = delivered_urls(client, ticket)
    assert finals == [f"{sandbox.url}/out/{ticket}.png"]
    image = fetch_image(finals[0], "image/png")
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (1000, 1000))
    assert image.getchannel("A").getpixel((0, 0)) == 0
    # 5 % margins, the object (wider than tall) fills the 900 px box across, centred.
    box = visible_box(image)
    assert box is not None
    left, top, right, bottom = box
    assert abs(left - 50) <= 1 and abs(right - 950) <= 1
    assert top > 50 and bottom < 950 and abs((top + bottom) / 2 - 500) <= 3
    thumb = fetch_image(thumb_url, "image/png")
    assert (thumb.mode, thumb.size) == ("RGBA", (256, 256))
    assert thumb.getchannel("A").getpixel((0, 0)) == 0


def test_added_templates_work_the_same_way(sandbox: SandboxHandle) -> None:
    client = sandbox.pixelz_client(Binding.HTTP_POST)
    photo = sandbox.upload(make_sample_product_photo(400, 300, seed=4), "bag.jpg")
    tiff = client.add_template(
        template_name="Print (TIFF red)",
        template_output_format="TIFF",
        background_type="2",
        background_color="#C00000",
        resize_type="2",
        resize_width="200",
    ).template_id
    psd = client.add_template(
        template_name="Retouch (PSD)",
        template_output_format="PSD",
        resize_type="1",
        resize_width="300",
        resize_height="300",
        margin_type="2",
        margin_top="10",
        margin_bottom="20",
        margin_left="10",
        margin_right="10",
        margin_vertical_alignment="2",
    ).template_id
    soap = client.with_binding(Binding.SOAP11)  # AddImageToQueue has no HTTP binding
    tiff_ticket = deliver(sandbox, soap, template_id=str(tiff), image_url=photo)
    psd_ticket = deliver(sandbox, soap, template_id=str(psd), image_url=photo)

    finals, _ = delivered_urls(client, tiff_ticket)
    assert finals == [f"{sandbox.url}/out/{tiff_ticket}.tif"]
    image = fetch_image(finals[0], "image/tiff")
    assert (image.format, image.mode, image.size) == ("TIFF", "RGB", (200, 150))
    assert image.getpixel((0, 0)) == (192, 0, 0)

    finals, _ = delivered_urls(client, psd_ticket)
    assert finals == [f"{sandbox.url}/out/{psd_ticket}.psd"]
    image = fetch_image(finals[0], "image/vnd.adobe.photoshop")
    assert (image.format, image.mode, image.size) == ("PSD", "RGBA", (300, 300))
    box = visible_box(image)
    assert box is not None
    # Bottom-aligned inside 10/20/10/10 px margins; the object fills the 280 px width.
    assert abs(box[0] - 10) <= 1 and abs(box[2] - 290) <= 1 and abs(box[3] - 280) <= 1
    assert box[1] > 10


def test_get_template_spec_describes_the_delivered_output(sandbox: SandboxHandle) -> None:
    client = sandbox.pixelz_client()
    created = client.add_template(
        template_name="Catalogue",
        template_output_format="JPEG",
        background_color="#F0F0FF",
        resize_type="1",
        resize_unit="1",
        resize_width="50",
        resize_height="100",
        margin_type="1",
        margin_top="10",
        margin_bottom="10",
        margin_left="10",
        margin_right="10",
        margin_vertical_alignment="1",
    ).template_id
    described = client.get_template_spec(template_id=str(created)).template
    assert described is not None
    spec = OutputSpec.from_template(
        {
            name: getattr(described, name)
            for name in OutputSpec.__dataclass_fields__
            if name != "max_pixels"
        }
    )
    photo = make_sample_product_photo(400, 300, seed=6)
    ticket = deliver(sandbox, client, template_id=str(created), image_url=sandbox.upload(photo))
    finals, _ = delivered_urls(client, ticket)
    assert finals == [f"{sandbox.url}/out/{ticket}.{spec.extension}"]
    image = fetch_image(finals[0], spec.content_type)
    expected = compose_output(cut_out(photo), spec)
    assert image.size == expected.size == (200, 300)  # 50 % x 100 % of the input
    corner = image.getpixel((0, 299))
    assert isinstance(corner, tuple) and abs(corner[0] - 240) <= 3 and corner[2] >= 250


def test_an_impossible_template_puts_the_image_on_hold(sandbox: SandboxHandle) -> None:
    client = sandbox.pixelz_client()
    created = client.add_template(
        template_name="Too wide", margin_type="1", margin_left="60", margin_right="60"
    ).template_id
    ticket = deliver(
        sandbox, client, template_id=str(created), image_url="http://example.com/x.jpg"
    )
    row = sandbox.image(ticket)
    assert row is not None and row.status == 50 and row.outputs == 0
    assert row.error is not None and "margins leave no room" in row.error


def test_a_data_directory_from_before_output_formats_is_upgraded(tmp_path: Path) -> None:
    store = Store(tmp_path / "sandbox.sqlite3")
    with store.transaction() as tx:
        tx.execute("ALTER TABLE images DROP COLUMN output_ext")
        tx.execute("ALTER TABLE webhooks DROP COLUMN answers")
        tx.execute(
            "INSERT INTO webhooks (ticket, email, url, body, created) VALUES ('t', 'a@b.c',"
            " 'http://127.0.0.1:9/', '{}', 0)"
        )
        tx.execute(
            "INSERT INTO images (ticket, email, operation, urls, base_url, status,"
            " status_since, created, outputs) VALUES ('t', 'a@b.c', 'seed', '[]',"
            " 'http://127.0.0.1', 80, 0, 0, 1)"
        )
    store.close()
    reopened = Store(tmp_path / "sandbox.sqlite3")
    row = reopened.get_image("t")
    assert row is not None and row.output_ext == "png"
    (webhook,) = reopened.list_webhooks()
    assert webhook.answers == ()
    reopened.update_webhook(
        webhook.id,
        state="pending",
        attempts=1,
        last_status=503,
        last_error="HTTP 503",
        finished=None,
    )
    answers = reopened.list_webhooks()[0].answers
    assert answers == ({"attempt": 1, "status": 503, "error": "HTTP 503"},)
    reopened.close()

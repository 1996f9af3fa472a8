"""The sandbox's root page, read as HTML (the real-browser test is test_sandbox_page_browser)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
import requests

from removethebackground.sandbox.page import MASK, Masker
from removethebackground.sandbox.store import Store
from removethebackground.testing.sandbox import run_sandbox
from support.page_scene import TEAM_KEY, TRICKY_ID, Scene, populated_sandbox


class Elements(HTMLParser):
    """Collects start tags with their attributes, and the text, of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def scene() -> Iterator[Scene]:
    with populated_sandbox() as populated:
        yield populated


@pytest.fixture(scope="module")
def page(scene: Scene) -> requests.Response:
    return requests.get(scene.sandbox.url + "/", timeout=10)


def parsed(page: requests.Response) -> Elements:
    elements = Elements()
    elements.feed(page.text)
    return elements


def row_of(page: requests.Response, ticket: str) -> str:
    match = re.search(rf'<tr class="image" id="image-{ticket}">.*?</tr>', page.text, re.S)
    assert match is not None, f"no row for {ticket}"
    return match.group(0)


def test_page_is_html_with_a_strict_policy(page: requests.Response) -> None:
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    assert page.text.startswith("<!DOCTYPE html>")
    assert "/soap.asmx" in page.text and "/legacy/soap.asmx" in page.text


def test_images_show_status_template_and_before_after(
    scene: Scene, page: requests.Response
) -> None:
    delivered = row_of(page, scene.delivered)
    assert "80 Delivered" in delivered and "1002 Web Shop (square)" in delivered
    assert "PNG, transparent, canvas 1000x1000 px, margins 5/5/5/5%" in delivered
    before = f'src="/out/{scene.delivered}-source.png"'
    after = f'src="/out/{scene.delivered}-thumb.png"'
    assert before in delivered and after in delivered
    assert delivered.index(before) < delivered.index(after)  # side by side, before first
    assert f'href="/out/{scene.delivered}.png"' in delivered
    assert f'href="/out/{scene.jpg}.jpg"' in row_of(page, scene.jpg)
    waiting = row_of(page, scene.waiting)
    assert "10 New" in waiting and "<img" not in waiting and "not fetched yet" in waiting
    assert "team@example.org" in page.text and "1003 White Background" in row_of(page, scene.team)


def test_every_image_on_the_page_is_a_served_png(scene: Scene, page: requests.Response) -> None:
    sources = [attrs["src"] for tag, attrs in parsed(page).tags if tag == "img"]
    assert len(sources) == 2 * 3  # before and after of the three delivered images
    for src in sources:
        assert src is not None and src.startswith("/out/")  # same origin, nothing from outside
        answer = requests.get(scene.sandbox.url + src, timeout=10)
        assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/png"
    assert not any(tag in ("script", "iframe", "object") for tag, _ in parsed(page).tags)
    stylesheets = [a for tag, a in parsed(page).tags if tag == "link" and a.get("rel") != "icon"]
    assert stylesheets == []


def test_webhook_deliveries_show_answers_and_retries(scene: Scene, page: requests.Response) -> None:
    rows = re.findall(r'<tr class="webhook">.*?</tr>', page.text, re.S)
    assert len(rows) == 2
    delivered = next(r for r in rows if scene.delivered in r)
    assert "delivered" in delivered and "2 (1 retry)" in delivered
    assert "attempt 1: HTTP 500" in delivered and "attempt 2: HTTP 200" in delivered
    assert "/hook?token=abc" in delivered
    failed = next(r for r in rows if scene.team in r)
    assert "failed" in failed and "3 (2 retries)" in failed
    assert failed.count("ConnectionError") == 3
    assert len(scene.receiver.bodies) == 2


def test_requests_received_are_listed(scene: Scene, page: requests.Response) -> None:
    requests_section = page.text[page.text.index('id="requests"') :]
    rows = re.findall(r'<tr class="request">.*?</tr>', requests_section, re.S)
    assert len(rows) == 4
    mine = next(r for r in rows if scene.delivered in r)
    assert "AddImageToQueue" in mine and "imageCallbackURL" in mine and "sneakers" in mine


def test_every_request_received_is_listed(page: requests.Response) -> None:
    section = page.text[page.text.index('id="received"') : page.text.index('id="requests"')]
    rows = re.findall(r'<tr class="received">.*?</tr>', section, re.S)
    queued = [r for r in rows if "pixelz / soap11 / AddImageToQueue" in r]
    assert len(queued) == 4 and all(">200<" in r and "/soap.asmx" in r for r in queued)
    assert not any('<td>GET</td><td class="mono">/</td>' in r for r in rows)  # not itself


def test_everything_is_escaped(page: requests.Response) -> None:
    assert "<script>" not in page.text
    assert "SKU-1 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in (
        page.text
    )
    assert TRICKY_ID in "".join(parsed(page).text)  # and reads back as what was sent


def test_credentials_never_appear(scene: Scene) -> None:
    sb = scene.sandbox
    # A record that carries credentials (the service never stores them; a hand-made or
    # older record might), and a key pasted into ordinary fields.
    sb.store.insert_image(
        ticket="00000000-0000-4000-8000-00000000abcd",
        email="team@example.org",
        operation="AddImageToQueue",
        template_id=None,
        customer_image_id=f"key {TEAM_KEY} pasted",
        product_id=None,
        customer_folder=None,
        urls=[f"http://127.0.0.1:9/a.jpg?contactAPIkey={TEAM_KEY}&size=2"],
        callback_url=None,
        base_url=sb.url,
        request={
            "contactAPIkey": TEAM_KEY,
            "developerAPIkey": "dev-key-1",
            "customerImageId": f"key {TEAM_KEY} pasted",
            "imageURL": "http://127.0.0.1:9/a.jpg?ContactApiKey=other-secret&size=2",
        },
        status=10,
        now=sb.clock.now(),
        held=True,
    )
    text = requests.get(sb.url + "/", timeout=10).text
    for secret in (TEAM_KEY, "demo-key", "dev-key-1", "other-secret"):
        assert secret not in text
    assert f"key {MASK} pasted" in text
    assert "ContactApiKey=***&amp;size=2" in text and "contactAPIkey=***&amp;size=2" in text


def test_masker_hides_every_wire_form_of_a_key() -> None:
    masker = Masker(["a b&c/d"])
    for form in ("a b&c/d", "a+b%26c%2Fd", "a%20b%26c%2Fd", "a b&amp;c/d"):
        assert masker.text(f"x{form}y") == f"x{MASK}y"
    assert masker.params({"ApplicationCode": "abc", "x": 1}) == [
        ("ApplicationCode", MASK),
        ("x", "1"),
    ]
    assert Masker([]).text("plain") == "plain"


def test_empty_sandbox_page() -> None:
    with run_sandbox() as sb:
        page = requests.get(sb.url + "/", timeout=10)
    assert "No images yet." in page.text and "No deliveries yet." in page.text
    assert "No requests yet." in page.text


def test_store_is_read_only_for_the_page(scene: Scene) -> None:
    store: Store = scene.sandbox.store
    before = (store.count_images(), len(store.list_webhooks()))
    requests.get(scene.sandbox.url + "/", timeout=10)
    assert (store.count_images(), len(store.list_webhooks())) == before

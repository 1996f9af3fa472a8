"""The sandbox's root page in a real headless browser (Chromium driven by Playwright).

Uses the system's Chromium (Debian: ``apt-get install chromium``), never a browser that
Playwright downloads. Skipped, with how to get one, where there is none; under CI
(``CI`` set) a missing browser is a failure, because CI installs it (``.ci/run``).

Playwright rather than Selenium: it reports console messages, page errors and failed
requests as events (Selenium needs chromedriver's ``goog:loggingPrefs`` log, and a
chromedriver matching the browser), waits for the page by itself, takes full-page
screenshots, and its wheel carries its own driver; with ``executable_path`` it downloads
nothing.

``RTB_PAGE_SCREENSHOT=path`` also saves a screenshot of the page there (``make
page-screenshot`` refreshes ``docs/sandbox-page.png`` this way).
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from support.page_scene import Scene, populated_sandbox

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW_TO_INSTALL = (
    "install Debian's Chromium (sudo apt-get install chromium) or point RTB_CHROMIUM at a "
    "Chromium/Chrome binary; the project never runs 'playwright install'"
)


def find_chromium() -> str | None:
    configured = os.environ.get("RTB_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_or_skip() -> tuple[Any, str]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "Playwright is not installed: make install (it is in the dev extra)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    chromium = find_chromium()
    if chromium is None:
        reason = f"no Chromium found: {HOW_TO_INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return sync_playwright, chromium


def small_png(data: bytes, path: Path) -> None:
    """Save a screenshot as a palette PNG: a fraction of the size, same look for a UI."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


@pytest.mark.sandbox
def test_page_in_a_headless_browser() -> None:
    sync_playwright, chromium = browser_or_skip()
    with populated_sandbox() as scene, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            check_page(browser, scene)
        finally:
            browser.close()


def check_page(browser: Any, scene: Scene) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(scene.sandbox.url) else outside.append(request.url)
        ),
    )
    response = page.goto(scene.sandbox.url + "/", wait_until="load")
    assert response is not None and response.status == 200
    assert page.title() == "Remove The Background sandbox"

    row = page.locator(f"#image-{scene.delivered}")
    assert "80 Delivered" in row.inner_text()
    for kind in ("before", "after"):
        image = row.locator(f"img.{kind}")
        assert image.count() == 1
        width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 0, f"the {kind} thumbnail did not load"
    # The after thumbnail is the delivered 1000x1000 PNG's, so it is square.
    assert row.locator("img.after").evaluate("img => [img.naturalWidth, img.naturalHeight]") == [
        256,
        256,
    ]
    broken = page.evaluate(
        "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.src)"
    )
    assert broken == []
    assert page.locator("tr.webhook").count() == 2
    assert "attempt 1: HTTP 500" in page.locator("#webhooks").inner_text()
    assert page.locator("#requests tr.request").count() == 4
    assert page.locator("#received tr.received").count() >= 4  # every request, newest first
    assert "demo-key" not in page.content()

    screenshot = os.environ.get("RTB_PAGE_SCREENSHOT")
    if screenshot:
        small_png(page.screenshot(full_page=True), Path(screenshot))
    assert outside == []
    assert problems == []

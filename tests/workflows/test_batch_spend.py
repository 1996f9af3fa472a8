"""Money: a batch says what it will queue (and cost) before it sends, and asks above a
threshold; a refusal or a dry run sends nothing (checked at the sandbox)."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from removethebackground import InvalidParameterError
from removethebackground.testing.sandbox import SandboxHandle
from removethebackground.workflows.batch import Batch, Quote, SpendRefused


def _rows(n: int, templates: tuple[str, ...] = ("1001",)) -> list[dict[str, str]]:
    return [
        {
            "image": f"http://127.0.0.1:9/img/{i}.jpg",
            "customer_image_id": f"spend-{i}",
            "template_id": templates[i % len(templates)],
        }
        for i in range(n)
    ]


def _images_at_the_sandbox(sb: SandboxHandle) -> int:
    db = sqlite3.connect(f"file:{sb.data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT COUNT(*) FROM images").fetchone()[0])
    finally:
        db.close()


def test_the_quote_counts_per_template_and_prices_what_is_not_queued_yet(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    rows = _rows(5, ("1001", "1002", ""))
    prices = {"1001": "0.25", "1002": Decimal("1.10"), "": 0.5}
    with Batch(tmp_path / "j.sqlite", sandbox.pixelz_client()) as batch:
        quote = batch.quote(rows, price_per_image=prices)
        assert quote.images == 5
        assert dict(quote.by_template) == {"": 1, "1001": 2, "1002": 2}
        assert quote.cost == Decimal("0.5") + 2 * Decimal("0.25") + 2 * Decimal("1.10")
        assert "5 images to queue" in str(quote) and "cost 3.20" in str(quote)
        # A quote is the dry run: nothing reaches the service.
        assert _images_at_the_sandbox(sandbox) == 0
        # Without a price for every template, there is no total, and the quote says which.
        partial = batch.quote(rows, price_per_image={"1001": 1})
        assert partial.cost is None and partial.unpriced == ("", "1002")
        assert "no price for the default template, 1002" in str(partial)
    # Rows the service has queued are not counted again on a rerun.
    first = [r for r in rows if r["template_id"] == "1001"]
    with Batch(tmp_path / "k.sqlite", sandbox.pixelz_client()) as batch:
        assert batch.submit(first).submitted == 2
        again = batch.quote(first, price_per_image="9")
        assert (again.images, again.cost) == (0, Decimal(0))
        assert str(again) == "nothing to queue"


def test_over_the_threshold_nothing_is_sent_without_a_yes(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    rows = _rows(4)
    asked: list[Quote] = []
    with Batch(tmp_path / "j.sqlite", sandbox.pixelz_client()) as batch:
        with pytest.raises(SpendRefused) as refused:
            batch.submit(rows, confirm_over=3)
        message = str(refused.value)
        assert "4 images is over the 3" in message and "--yes" in message
        assert "confirm_over=" in message
        with pytest.raises(SpendRefused):
            batch.submit(rows, confirm_over=3, confirm=lambda q: asked.append(q) or False)
        assert asked and asked[0].images == 4
        assert _images_at_the_sandbox(sandbox) == 0
        summary = batch.submit(rows, confirm_over=3, confirm=lambda q: True)
        assert summary.submitted == 4
    assert _images_at_the_sandbox(sandbox) == 4


def test_the_default_threshold_is_1000_images(tmp_path: Path) -> None:
    class Never:
        email = "demo@example.com"

        def add_image_to_queue(self, **kwargs: object) -> None:
            raise AssertionError("sent")

    rows = _rows(1001)
    with Batch(tmp_path / "j.sqlite", Never(), durable=False) as batch:  # type: ignore[arg-type]
        with pytest.raises(SpendRefused, match="1001 images is over the 1000"):
            batch.submit(rows)
    with Batch(tmp_path / "k.sqlite", Never(), durable=False) as batch:  # type: ignore[arg-type]
        quote = batch.quote(rows[:1000])
        assert quote.images == 1000 and quote.over(1000, None) == []


def test_max_spend_asks_above_it_and_needs_every_price(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    rows = _rows(4, ("1001", "1002"))
    prices = {"1001": "1.00", "1002": "2.00"}  # 2 x 1 + 2 x 2 = 6
    with Batch(tmp_path / "j.sqlite", sandbox.pixelz_client()) as batch:
        with pytest.raises(SpendRefused, match=r"a cost of 6\.00 is over max_spend 5"):
            batch.submit(rows, price_per_image=prices, max_spend=5)
        with pytest.raises(InvalidParameterError, match=r"max_spend.*no.*'1002'"):
            batch.submit(rows, price_per_image={"1001": 1}, max_spend=100)
        with pytest.raises(InvalidParameterError, match="price_per_image"):
            batch.submit(rows, price_per_image="-1")
        with pytest.raises(InvalidParameterError, match="confirm_over"):
            batch.submit(rows, confirm_over=-1)
        assert _images_at_the_sandbox(sandbox) == 0
        assert batch.submit(rows, price_per_image=prices, max_spend=6).submitted == 4

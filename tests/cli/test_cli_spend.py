"""rtb batch submit says what it will queue and cost before sending; above
--confirm-over / --max-spend it refuses without a terminal unless --yes; --dry-run sends
nothing (counted at the sandbox)."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from removethebackground.cli.main import main
from removethebackground.generated import pixelz
from removethebackground.sandbox.imaging import make_sample_product_photo
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox

EMAIL = "spend-tests@example.org"
KEY = "spend-K3y"

Run = tuple[int, str, str]


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        handle.add_account(EMAIL, KEY)
        yield handle


@pytest.fixture(scope="module")
def template_id(sb: SandboxHandle) -> str:
    client = pixelz.PixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint)
    return str(client.add_template(template_name="spend", template_output_format="PNG").template_id)


@pytest.fixture
def rtb(sb: SandboxHandle, tmp_path: Path) -> Callable[..., Run]:
    runner = CliRunner()
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("RTB_")}
    env.update(
        {
            "RTB_EMAIL": EMAIL,
            "RTB_API_KEY": KEY,
            "RTB_PIXELZ_ENDPOINT": sb.pixelz_endpoint,
            "RTB_CONFIG": str(tmp_path / "config.toml"),
            "COLUMNS": "200",
            "NO_COLOR": "1",
        }
    )

    def run(*args: str) -> Run:
        with runner.isolation(env=env) as (out, err, _mixed):
            code = main(list(args))
            sys.stdout.flush()
            sys.stderr.flush()
            return code, out.getvalue().decode(), err.getvalue().decode()

    return run


def _images(sb: SandboxHandle) -> int:
    db = sqlite3.connect(f"file:{sb.data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT COUNT(*) FROM images").fetchone()[0])
    finally:
        db.close()


def _manifest(path: Path, n: int, templates: tuple[str, ...]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "customer_image_id", "template_id"])
        for i in range(n):
            writer.writerow(
                [f"http://127.0.0.1:9/{i}.jpg", f"{path.stem}-{i}", templates[i % len(templates)]]
            )
    return path


def test_dry_run_says_count_templates_and_cost_and_sends_nothing(
    rtb: Callable[..., Run], sb: SandboxHandle, tmp_path: Path
) -> None:
    before = _images(sb)
    manifest = _manifest(tmp_path / "dry.csv", 3, ("1001", "1002"))
    code, out, err = rtb(
        "batch", "submit", str(manifest), "--dry-run", "--json",
        "--price-per-image", "1001=0.25", "--price-per-image", "1002=1.5",
    )  # fmt: skip
    assert code == 0, err
    assert "3 images to queue: 2 with template 1001 at 0.25 = 0.50" in err
    assert "cost 2.00" in err and "nothing was sent" in err
    data = json.loads(out)
    assert data["quote"] == {
        "images": 3,
        "by_template": {"1001": 2, "1002": 1},
        "prices": {"1001": "0.25", "1002": "1.5"},
        "cost": "2.00",
        "unpriced": [],
    }
    assert _images(sb) == before


def test_over_the_threshold_without_a_terminal_it_refuses_naming_yes(
    rtb: Callable[..., Run], sb: SandboxHandle, template_id: str, tmp_path: Path
) -> None:
    before = _images(sb)
    manifest = _manifest(tmp_path / "many.csv", 3, (template_id,))
    code, _out, err = rtb("batch", "submit", str(manifest), "--confirm-over", "2")
    assert code == 2, err
    assert "3 images is over the 2" in err and "--yes" in err and "nothing was sent" in err
    code, _out, err = rtb(
        "batch", "submit", str(manifest), "--confirm-over", "5",
        "--price-per-image", "2", "--max-spend", "5",
    )  # fmt: skip
    assert code == 2 and "a cost of 6 is over max_spend 5" in err, err
    assert _images(sb) == before
    code, _out, err = rtb("batch", "submit", str(manifest), "--confirm-over", "2", "--yes")
    assert code == 0, err
    assert _images(sb) == before + 3


def test_a_bad_price_is_a_usage_error(rtb: Callable[..., Run], tmp_path: Path) -> None:
    manifest = _manifest(tmp_path / "bad.csv", 1, ("1001",))
    code, _out, err = rtb(
        "batch", "submit", str(manifest), "--price-per-image", "1", "--price-per-image", "x"
    )
    assert code == 2 and "TEMPLATE=AMOUNT" in err, err
    code, _out, err = rtb("batch", "submit", str(manifest), "--price-per-image", "cheap")
    assert code == 2 and "price_per_image" in err, err


def test_rtb_submit_says_the_quote_and_guards_with_and_without_a_journal(
    rtb: Callable[..., Run], sb: SandboxHandle, template_id: str, tmp_path: Path
) -> None:
    before = _images(sb)
    urls = [f"http://127.0.0.1:9/{tmp_path.name}-{i}.jpg" for i in range(3)]
    code, out, err = rtb(
        "submit", *urls, "--template-id", template_id, "--dry-run", "--json",
        "--price-per-image", "0.5",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["quote"]["cost"] == "1.5" and "nothing was sent" in err
    code, _out, err = rtb("submit", *urls, "--template-id", template_id, "--confirm-over", "2")
    assert code == 2 and "--yes" in err, err
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(3):
        (photos / f"p{i}.jpg").write_bytes(make_sample_product_photo(64, 48, seed=i))
    code, _out, err = rtb(
        "submit", str(photos), "--template-id", template_id, "--confirm-over", "2",
        "--upload-url", sb.url,
    )  # fmt: skip
    assert code == 2 and "3 images is over the 2" in err and "--yes" in err, err
    assert _images(sb) == before
    code, _out, err = rtb(
        "submit", str(photos), "--template-id", template_id, "--confirm-over", "2", "--yes",
        "--upload-url", sb.url,
    )  # fmt: skip
    assert code == 0, err
    assert _images(sb) == before + 3

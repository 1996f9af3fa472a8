"""The config file's other tables: ``[rates]`` (rate limits), ``[prices]`` and
``[spend]`` (what a batch costs, and when to ask); ``rtb config set`` keeps them."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import sys
import tomllib
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from removethebackground import Batch
from removethebackground.cli import settings as cli_settings
from removethebackground.cli.main import main
from removethebackground.core.errors import InvalidParameterError
from removethebackground.core.ratelimit import Rate, RateLimits, find_limiter
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from removethebackground.workflows.batch.spend import SpendRefused, configured_spend

EMAIL = "tables-tests@example.org"
KEY = "tables-K3y"

TABLES = """\
# my settings
[rates]  # per kind of call
queue = "2/s"
read = "600/min,burst=20"

[prices]
currency = "EUR"
default = "0.10"
{tid} = "0.25"

[spend]
max_spend = "1.00"
confirm_over = 5
"""

Run = tuple[int, str, str]


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        handle.add_account(EMAIL, KEY)
        yield handle


@pytest.fixture(scope="module")
def tid(sb: SandboxHandle) -> str:
    client = sb.pixelz_client(email=EMAIL, api_key=KEY)
    return str(
        client.add_template(template_name="tables", template_output_format="PNG").template_id
    )


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tid: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(TABLES.replace("{tid}", tid))
    monkeypatch.setenv("RTB_CONFIG", str(path))
    return path


@pytest.fixture
def rtb(sb: SandboxHandle, config: Path) -> Callable[..., Run]:
    runner = CliRunner()
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("RTB_")}
    env.update(
        {
            "RTB_EMAIL": EMAIL,
            "RTB_API_KEY": KEY,
            "RTB_PIXELZ_ENDPOINT": sb.pixelz_endpoint,
            "RTB_CONFIG": str(config),
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


def _manifest(path: Path, n: int, template: str) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "customer_image_id", "template_id"])
        for i in range(n):
            writer.writerow([f"http://127.0.0.1:9/{i}.jpg", f"{path.stem}-{i}", template])
    return path


def test_config_set_keeps_the_rates_prices_and_spend_tables(
    rtb: Callable[..., Run], config: Path
) -> None:
    before = tomllib.loads(config.read_text())
    code, _out, err = rtb("config", "set", "email", "someone@example.org")
    assert code == 0, err
    code, _out, err = rtb("config", "set", "--profile", "work", "binding", "soap12")
    assert code == 0, err
    text = config.read_text()
    after = tomllib.loads(text)
    for table in ("rates", "prices", "spend"):
        assert after[table] == before[table]
    assert after["profiles"]["default"]["email"] == "someone@example.org"
    assert after["profiles"]["work"]["binding"] == "soap12"
    assert "# my settings" in text and "# per kind of call" in text  # comments kept too
    code, _out, err = rtb("config", "unset", "email")
    assert code == 0, err
    assert tomllib.loads(config.read_text())["rates"] == before["rates"]
    assert (config.stat().st_mode & 0o777) == 0o600


def test_rates_come_from_the_config_file_and_rate_wins_per_kind(config: Path) -> None:
    limits = RateLimits.configured()
    assert limits is not None
    assert limits.rates == {"queue": Rate(2.0), "read": Rate(10.0, 20)}
    merged = cli_settings.rate_limits(RateLimits.parse(["queue=5/s"]))
    assert merged.rates["queue"] == Rate(5.0) and merged.rates["read"] == Rate(10.0, 20)
    config.write_text('[rates]\nqueue = "fast"\n')
    with pytest.raises(InvalidParameterError) as info:
        RateLimits.configured()
    assert "[rates] queue" in str(info.value) and str(config) in str(info.value)
    config.write_text('[rates]\nqueu = "2/s"\n')
    with pytest.raises(InvalidParameterError, match=r"\[rates\] queu: is not a kind"):
        RateLimits.configured()
    config.write_text("")
    assert RateLimits.configured() is None and cli_settings.rate_limits(None) is None


def test_rtb_clients_get_the_configured_rates(rtb: Callable[..., Run], sb: SandboxHandle) -> None:
    from removethebackground.cli.context import State

    state = State(flags={}, profile=None, json_output=False, timeout=5.0)
    os.environ.update(
        {"RTB_EMAIL": EMAIL, "RTB_API_KEY": KEY, "RTB_PIXELZ_ENDPOINT": sb.pixelz_endpoint}
    )
    try:
        with state.client("pixelz") as client:
            limiter = find_limiter(client.transport)
            assert limiter is not None and limiter.limits.rates["queue"] == Rate(2.0)
    finally:
        for key in ("RTB_EMAIL", "RTB_API_KEY", "RTB_PIXELZ_ENDPOINT"):
            os.environ.pop(key, None)


def test_prices_and_spend_are_read_and_checked(config: Path, tid: str) -> None:
    spend = configured_spend()
    assert spend.prices == {"": Decimal("0.10"), tid: Decimal("0.25")}
    assert spend.currency == "EUR" and spend.max_spend == Decimal("1.00")
    assert spend.confirm_over == 5
    config.write_text('[prices]\n1001 = "-1"\n')
    with pytest.raises(InvalidParameterError, match=r"\[prices\] 1001"):
        configured_spend()
    config.write_text('[prices]\nshoes = "0.2"\n')
    with pytest.raises(InvalidParameterError, match="is not a template id"):
        configured_spend()
    config.write_text('[spend]\nmax_spnd = "2"\n')
    with pytest.raises(InvalidParameterError, match=r"\[spend\] max_spnd"):
        configured_spend()


def test_a_batch_prices_with_the_config_and_its_max_spend_refuses(
    config: Path, sb: SandboxHandle, tmp_path: Path, tid: str
) -> None:
    manifest = _manifest(tmp_path / "six.csv", 6, tid)
    client = sb.pixelz_client(email=EMAIL, api_key=KEY)
    before = _images(sb)
    with Batch(tmp_path / "j", client) as batch:
        quote = batch.quote(manifest)
        assert quote.cost == Decimal("1.50") and quote.currency == "EUR"
        assert "cost 1.50 EUR" in str(quote)
        with pytest.raises(SpendRefused, match=r"over max_spend 1\.00 EUR"):
            batch.submit(manifest, confirm_over=None)
        # prices given win over the config's: 6 x 0.10 is under max_spend
        summary = batch.submit(manifest, confirm_over=None, price_per_image="0.10")
    assert summary.submitted == 6 and _images(sb) == before + 6


def test_rtb_batch_submit_and_rtb_submit_use_the_config(
    rtb: Callable[..., Run], sb: SandboxHandle, tmp_path: Path, tid: str
) -> None:
    before = _images(sb)
    manifest = _manifest(tmp_path / "cfg.csv", 3, tid)
    code, out, err = rtb("batch", "submit", str(manifest), "--dry-run", "--json")
    assert code == 0, err
    assert "cost 0.75 EUR" in err
    assert json.loads(out)["quote"]["currency"] == "EUR"
    # [spend] confirm_over = 5: six images need --yes (no terminal here)
    code, _out, err = rtb("batch", "submit", str(_manifest(tmp_path / "six.csv", 6, "")))
    assert code == 2 and "over the 5 that need no asking" in err, err
    # [spend] max_spend = 1.00: 5 x 0.25 is over it
    code, _out, err = rtb("batch", "submit", str(_manifest(tmp_path / "five.csv", 5, tid)))
    assert code == 2 and "over max_spend 1.00 EUR" in err, err
    assert _images(sb) == before
    # rtb submit: one image of the default template, priced from [prices] default
    code, _out, err = rtb("submit", "http://127.0.0.1:9/one.jpg", "--dry-run")
    assert code == 0 and "cost 0.10 EUR" in err, err
    assert _images(sb) == before

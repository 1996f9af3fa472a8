"""``rtb`` and Python tell one configuration story, and ``rtb --no-validate``.

- ``rtb --help`` names the variables ``from_env()`` reads: ``RTB_PIXELZ_ENDPOINT``,
  with ``RTB_ENDPOINT`` its generation-2 alias, and ``RTB_LEGACY_ENDPOINT``;
- with only ``RTB_PIXELZ_ENDPOINT`` set (what the help says to export), ``rtb`` and
  ``PixelzClient.from_env()`` reach the same sandbox;
- ``rtb --no-validate`` sends a value the overlay refuses, and the sandbox answers its
  fault (exit 3); without it the value is refused before sending (exit 2).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from removethebackground import PixelzClient
from removethebackground.cli.main import main
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox

EMAIL = "story@example.org"
KEY = "st0ry-K3y/+&"


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        handle.add_account(EMAIL, KEY)
        yield handle


@pytest.fixture
def env(sb: SandboxHandle, tmp_path: Path) -> dict[str, str | None]:
    """Only what ``rtb --help`` says to export (and a config file of this test's own)."""
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("RTB_")}
    return {
        **unset,
        "RTB_EMAIL": EMAIL,
        "RTB_API_KEY": KEY,
        "RTB_PIXELZ_ENDPOINT": sb.pixelz_endpoint,
        "RTB_CONFIG": str(tmp_path / "config.toml"),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }


def rtb(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    with runner.isolation(env=env) as (out, err, _mixed):
        code = main(list(args))
        sys.stdout.flush()
        sys.stderr.flush()
        result = code, out.getvalue().decode(), err.getvalue().decode()
    assert KEY not in result[1] + result[2]
    assert "Traceback" not in result[2]
    return result


def test_the_help_names_the_variables_from_env_reads(env: dict[str, str | None]) -> None:
    code, out, _ = rtb(env, "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "RTB_PIXELZ_ENDPOINT=http://127.0.0.1:8110/soap.asmx" in text
    assert "RTB_ENDPOINT is an alias of RTB_PIXELZ_ENDPOINT, for generation 2 only" in text
    assert "RTB_LEGACY_ENDPOINT" in text and "from_env()" in text
    assert "--no-validate" in text


def test_rtb_and_from_env_reach_the_same_endpoint(
    env: dict[str, str | None], sb: SandboxHandle
) -> None:
    before = len(sb.requests_log())
    code, _out, err = rtb(env, "templates", "--json")
    assert code == 0, err
    assert len(sb.requests_log()) == before + 1
    variables = {k: v for k, v in env.items() if v is not None}
    with PixelzClient.from_env(variables) as client:
        assert client.endpoint == sb.pixelz_endpoint
        assert client.endpoint_source == "RTB_PIXELZ_ENDPOINT"
        assert client.get_templates().templates is not None
    assert len(sb.requests_log()) == before + 2


def test_no_validate_lets_the_sandbox_answer(env: dict[str, str | None], sb: SandboxHandle) -> None:
    before = len(sb.requests_log())
    code, _, err = rtb(env, "call", "GetImagesList", "--images-per-page", "500")
    assert code == 2, err
    assert "images_per_page" in err and "between 1 and 100" in err
    assert len(sb.requests_log()) == before, "a refused value was sent"
    code, _, err = rtb(env, "--no-validate", "call", "GetImagesList", "--images-per-page", "500")
    assert code == 3, err
    assert "imagesPerPage" in err
    assert len(sb.requests_log()) == before + 1

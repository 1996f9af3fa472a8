"""``rtb --rate KIND=N/s``: the client of the run gets those rate limits."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from removethebackground.cli.app import _rate_limits
from removethebackground.cli.context import CliError, State
from removethebackground.cli.main import main
from removethebackground.core.ratelimit import Rate, RateLimitedTransport, RateLimits
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox

EMAIL = "rate-tests@example.org"
KEY = "rate-K3y"


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        handle.add_account(EMAIL, KEY)
        yield handle


def rtb(sb: SandboxHandle, tmp: str, *args: str) -> tuple[int, str]:
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("RTB_")}
    env.update(
        {
            "RTB_EMAIL": EMAIL,
            "RTB_API_KEY": KEY,
            "RTB_PIXELZ_ENDPOINT": sb.pixelz_endpoint,
            "RTB_CONFIG": os.path.join(tmp, "config.toml"),
        }
    )
    with CliRunner().isolation(env=env) as (out, err, _):
        code = main(list(args))
        return code, out.getvalue().decode() + err.getvalue().decode()


def test_rate_options_become_the_clients_rate_limits(sb: SandboxHandle, tmp_path: str) -> None:
    limits = _rate_limits(("queue=2/s", "read=600/min,burst=20"))
    assert limits == RateLimits({"queue": Rate(2.0), "read": Rate(10.0, 20)})
    assert _rate_limits(()) is None
    state = State(
        flags={"email": EMAIL, "api_key": KEY, "pixelz_endpoint": sb.pixelz_endpoint},
        profile=None,
        json_output=False,
        timeout=5.0,
        rate_limits=limits,
    )
    with state.client() as client:
        assert isinstance(client.transport.inner, RateLimitedTransport)  # type: ignore[attr-defined]
    code, _ = rtb(sb, str(tmp_path), "--rate", "read=5/s,burst=5", "templates")
    assert code == 0


def test_a_bad_rate_is_a_usage_error_naming_the_option(sb: SandboxHandle, tmp_path: str) -> None:
    with pytest.raises(CliError, match="--rate"):
        _rate_limits(("reads=2/s",))
    code, text = rtb(sb, str(tmp_path), "--rate", "queue=fast", "templates")
    assert code == 2
    assert "--rate" in text and "queue=2/s" in text

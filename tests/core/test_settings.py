"""One configuration story: ``from_env()`` finds the account and endpoint as ``rtb`` does.

- the precedence (arguments, a named profile, the per-generation variables, the
  ``RTB_PROFILE`` profile, the WSDL's address), with ``RTB_ENDPOINT`` an alias of
  ``RTB_PIXELZ_ENDPOINT`` for generation 2 only;
- ``client.endpoint_source`` and ``repr`` say where the endpoint came from;
- no combination of variables and profile entries sends a client configured for a
  local endpoint to the WSDL's production address (enumerated), and ``from_env`` and
  ``rtb`` resolve every combination alike;
- the config file is found where platformdirs puts it, with the standard library.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import pytest

from removethebackground import Binding, InvalidParameterError, PixelzClient
from removethebackground import RemoveTheBackgroundClient as LegacyClient
from removethebackground.core import settings as core_settings
from removethebackground.core.client import ServiceClient
from removethebackground.generated import GENERATIONS, legacy, pixelz

EMAIL = "settings@example.org"
KEY = "s3ttings-K3y/+&"
CLIENTS: dict[str, type[ServiceClient]] = {"pixelz": PixelzClient, "legacy": LegacyClient}
PRODUCTION = {
    "pixelz": pixelz.SERVICE.default_endpoints[Binding.SOAP11],
    "legacy": legacy.SERVICE.default_endpoints[Binding.SOAP11],
}


def local(generation: str, where: str) -> str:
    """A local endpoint of ``generation``, telling where it was configured."""
    return f"http://127.0.0.1:8110/{where}/{generation}/soap.asmx"


def write_config(path: Path, profiles: dict[str, dict[str, str]]) -> Path:
    lines = []
    for name, table in profiles.items():
        lines.append(f"[profiles.{name}]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in table.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


def account(config: Path, **more: str) -> dict[str, str]:
    return {"RTB_EMAIL": EMAIL, "RTB_API_KEY": KEY, "RTB_CONFIG": str(config), **more}


# --- the endpoint variables, per generation ---------------------------------------------------


def test_pixelz_reads_rtb_pixelz_endpoint_and_says_so(config: Path) -> None:
    url = local("pixelz", "env")
    client = PixelzClient.from_env(account(config, RTB_PIXELZ_ENDPOINT=url))
    assert client.endpoint == url
    assert client.endpoint_source == "RTB_PIXELZ_ENDPOINT"
    assert "endpoint_source='RTB_PIXELZ_ENDPOINT'" in repr(client)
    assert KEY not in repr(client)


def test_rtb_endpoint_is_the_generation_2_alias_only(config: Path) -> None:
    alias = local("pixelz", "alias")
    client = PixelzClient.from_env(account(config, RTB_ENDPOINT=alias))
    assert (client.endpoint, client.endpoint_source) == (alias, "RTB_ENDPOINT")
    own = local("pixelz", "own")
    both = PixelzClient.from_env(account(config, RTB_ENDPOINT=alias, RTB_PIXELZ_ENDPOINT=own))
    assert (both.endpoint, both.endpoint_source) == (own, "RTB_PIXELZ_ENDPOINT")
    # Generation 1 never reads it: the Pixelz service's address is not the legacy one's.
    legacy_client = LegacyClient.from_env(account(config, RTB_ENDPOINT=alias))
    assert legacy_client.endpoint == PRODUCTION["legacy"]
    assert legacy_client.endpoint_source == "WSDL default"


def test_legacy_reads_rtb_legacy_endpoint(config: Path) -> None:
    url = local("legacy", "env")
    env = account(config, RTB_LEGACY_ENDPOINT=url, RTB_PIXELZ_ENDPOINT=local("pixelz", "env"))
    client = LegacyClient.from_env(env)
    assert (client.endpoint, client.endpoint_source) == (url, "RTB_LEGACY_ENDPOINT")


def test_nothing_set_is_the_wsdl_default_and_an_argument_is_an_argument(config: Path) -> None:
    client = PixelzClient.from_env(account(config))
    assert (client.endpoint, client.endpoint_source) == (PRODUCTION["pixelz"], "WSDL default")
    given = PixelzClient.from_env(
        account(config, RTB_PIXELZ_ENDPOINT=local("pixelz", "env")),
        endpoint=local("pixelz", "argument"),
    )
    assert (given.endpoint, given.endpoint_source) == (local("pixelz", "argument"), "argument")
    direct = PixelzClient(EMAIL, KEY, endpoint=local("pixelz", "argument"))
    assert direct.endpoint_source == "argument"
    assert PixelzClient(EMAIL, KEY).endpoint_source == "WSDL default"
    # with_binding keeps the endpoint, and so where it came from
    assert given.with_binding(Binding.SOAP12).endpoint_source == "argument"


# --- the config file ----------------------------------------------------------------------------


def test_the_config_file_profile_gives_the_account_and_the_endpoint(config: Path) -> None:
    write_config(
        config,
        {
            "default": {
                "email": EMAIL,
                "api_key": KEY,
                "binding": "soap12",
                "pixelz_endpoint": local("pixelz", "default"),
                "legacy_endpoint": local("legacy", "default"),
            }
        },
    )
    env = {"RTB_CONFIG": str(config)}
    client = PixelzClient.from_env(env)
    assert client.email == EMAIL and client.binding is Binding.SOAP12
    assert client.endpoint == local("pixelz", "default")
    assert client.endpoint_source == "config file profile 'default'"
    assert "config file profile 'default'" in repr(client) and KEY not in repr(client)
    legacy_client = LegacyClient.from_env(env)
    assert legacy_client.endpoint == local("legacy", "default")


def test_profile_precedence_as_rtb(config: Path) -> None:
    write_config(
        config,
        {
            "default": {"pixelz_endpoint": local("pixelz", "default")},
            "other": {"pixelz_endpoint": local("pixelz", "other")},
        },
    )
    env = account(config)
    # RTB_PROFILE picks the profile; the environment comes before it
    assert PixelzClient.from_env({**env, "RTB_PROFILE": "other"}).endpoint == local(
        "pixelz", "other"
    )
    with_var = {**env, "RTB_PROFILE": "other", "RTB_PIXELZ_ENDPOINT": local("pixelz", "env")}
    assert PixelzClient.from_env(with_var).endpoint_source == "RTB_PIXELZ_ENDPOINT"
    # a profile named explicitly comes before the environment, as `rtb --profile`
    named = PixelzClient.from_env(with_var, profile="default")
    assert (named.endpoint, named.endpoint_source) == (
        local("pixelz", "default"),
        "config file profile 'default'",
    )
    with pytest.raises(InvalidParameterError) as missing:
        PixelzClient.from_env(env, profile="nope")
    assert "no profile 'nope'" in str(missing.value) and "default, other" in str(missing.value)


def test_an_unknown_key_in_the_profile_is_refused_not_ignored(config: Path) -> None:
    # A misspelt endpoint key ignored would send the key to the production address.
    write_config(config, {"default": {"pixelz_endpont": local("pixelz", "typo")}})
    with pytest.raises(core_settings.ConfigFileError) as info:
        PixelzClient.from_env(account(config))
    assert info.value.parameter == "config file"
    assert "'pixelz_endpont'" in str(info.value) and "pixelz_endpoint" in str(info.value)


def test_a_broken_config_file_names_the_file_and_not_the_key(config: Path) -> None:
    config.write_text(f'[profiles.default]\napi_key = "{KEY}"\nemail = \n', encoding="utf-8")
    with pytest.raises(core_settings.ConfigFileError) as info:
        PixelzClient.from_env(account(config))
    assert str(config) in str(info.value) and KEY not in str(info.value)


def test_the_missing_account_says_every_way_to_give_it(config: Path) -> None:
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient.from_env({"RTB_CONFIG": str(config), "RTB_EMAIL": EMAIL})
    text = str(info.value)
    assert info.value.parameter == "RTB_API_KEY"
    assert "export RTB_API_KEY" in text and "rtb config set api-key" in text
    assert "api_key=" in text and str(config) in text


def test_arguments_override_the_account(config: Path) -> None:
    client = PixelzClient.from_env({"RTB_CONFIG": str(config)}, email=EMAIL, api_key=KEY)
    assert client.email == EMAIL
    client = PixelzClient.from_env(account(config), email="other@example.org", endpoint=None)
    assert client.email == "other@example.org"
    assert client.endpoint_source == "WSDL default"


def test_a_bad_value_names_where_it_came_from(config: Path) -> None:
    write_config(config, {"default": {"binding": "carrier-pigeon"}})
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient.from_env(account(config))
    assert info.value.parameter == "binding"
    assert "config file profile 'default'" in str(info.value)


@pytest.mark.skipif(sys.platform == "win32", reason="the XDG rule")
@pytest.mark.parametrize("xdg", [None, "", "  ", "relative/dir", "absolute"])
def test_the_default_config_file_is_where_platformdirs_puts_it(
    xdg: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    platformdirs = pytest.importorskip("platformdirs")
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg if xdg != "absolute" else str(tmp_path / "x"))
    want = platformdirs.user_config_path("removethebackground", appauthor=False) / "config.toml"
    assert core_settings.default_config_path() == want
    monkeypatch.delenv("RTB_CONFIG", raising=False)
    assert core_settings.config_path() == want


# --- no local configuration reaches production --------------------------------------------------

VARIABLES = ("RTB_PIXELZ_ENDPOINT", "RTB_ENDPOINT", "RTB_LEGACY_ENDPOINT")
PROFILE_KEYS = ("pixelz_endpoint", "legacy_endpoint")
PLACES = ("default", "other")  # profiles of the file
SELECTIONS = ("none", "RTB_PROFILE=other", "profile=other", "profile=default")


def _combinations() -> list[tuple[frozenset[str], frozenset[tuple[str, str]], str]]:
    entries = [(place, key) for place in PLACES for key in PROFILE_KEYS]
    combos = []
    for n in range(len(VARIABLES) + 1):
        for variables in itertools.combinations(VARIABLES, n):
            for m in range(len(entries) + 1):
                for chosen in itertools.combinations(entries, m):
                    for selection in SELECTIONS:
                        combos.append((frozenset(variables), frozenset(chosen), selection))
    return combos


COMBINATIONS = _combinations()


def test_no_combination_sends_a_local_configuration_to_production(tmp_path: Path) -> None:
    """Every set of endpoint variables x every set of profile entries (in the default
    profile and another) x how the profile is chosen: with any local endpoint
    configured for a generation (its own variable, generation 2's alias, or the profile
    read), its client's endpoint is local, never the WSDL's production address; the
    endpoint is what ``rtb`` resolves; and generation 1 is the same with or without
    ``RTB_ENDPOINT``."""
    from removethebackground.cli import settings as cli_settings

    checked = 0
    for index, (variables, entries, selection) in enumerate(COMBINATIONS):
        config = tmp_path / f"config-{index}.toml"
        profiles: dict[str, dict[str, str]] = {place: {} for place in PLACES}
        for place, key in entries:
            profiles[place][key] = local(key.removesuffix("_endpoint"), place)
        write_config(config, profiles)
        env = account(config)
        for variable in variables:
            generation = "legacy" if variable == "RTB_LEGACY_ENDPOINT" else "pixelz"
            env[variable] = local(generation, variable)
        profile: str | None = None
        if selection == "RTB_PROFILE=other":
            env["RTB_PROFILE"] = "other"
        elif selection.startswith("profile="):
            profile = selection.removeprefix("profile=")
        read = profile or env.get("RTB_PROFILE") or "default"
        for generation, cls in CLIENTS.items():
            own = core_settings.variables_of(core_settings.endpoint_key(generation))
            configured = any(v in env for v in own) or bool(
                profiles[read].get(core_settings.endpoint_key(generation))
            )
            client = cls.from_env(env, profile=profile)
            where = f"{generation}: {sorted(env)} {profiles} {selection}"
            if configured:
                assert client.endpoint != PRODUCTION[generation], where
                assert client.endpoint.startswith("http://127.0.0.1:8110/"), where
                assert f"/{generation}/" in client.endpoint, where
                assert client.endpoint_source != "WSDL default", where
            else:
                assert client.endpoint == PRODUCTION[generation], where
                assert client.endpoint_source == "WSDL default", where
            cli = cli_settings.resolve({}, profile=profile, environ=env)
            assert (cli.endpoint(generation) or PRODUCTION[generation]) == client.endpoint, where
            if generation == "legacy":
                assert "RTB_ENDPOINT" not in own
                without = {k: v for k, v in env.items() if k != "RTB_ENDPOINT"}
                again = cls.from_env(without, profile=profile)
                assert (again.endpoint, again.endpoint_source) == (
                    client.endpoint,
                    client.endpoint_source,
                ), where
            checked += 1
    assert checked == 2 * len(COMBINATIONS) == 2 * 8 * 16 * 4


def test_every_generation_has_its_endpoint_variable() -> None:
    for key in GENERATIONS:
        variables = core_settings.variables_of(core_settings.endpoint_key(key))
        assert variables[0] == f"RTB_{key.upper()}_ENDPOINT"
        assert ("RTB_ENDPOINT" in variables) == (key == "pixelz")


def test_a_failing_from_env_holds_the_key_nowhere_a_crash_report_reads(config: Path) -> None:
    # The key of the config file, and a bad endpoint the constructor refuses.
    write_config(
        config,
        {"default": {"email": EMAIL, "api_key": KEY, "pixelz_endpoint": "ftp://host/x"}},
    )
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient.from_env({"RTB_CONFIG": str(config)})
    assert info.value.parameter == "endpoint" and KEY not in str(info.value)
    tb = info.value.__traceback__
    frames = 0
    while tb is not None:
        for name, value in tb.tb_frame.f_locals.items():
            try:
                shown = repr(value)
            except Exception:  # a half-built client: reporters show the error instead
                continue
            assert KEY not in shown, f"{tb.tb_frame.f_code.co_name}: {name}"
        frames += 1
        tb = tb.tb_next
    assert frames >= 2  # from_env's frame and the constructor's

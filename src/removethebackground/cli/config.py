"""``rtb config show | list | set KEY [VALUE] | unset KEY``: the settings and profiles
(:mod:`removethebackground.cli.settings`, imported when a command runs)."""

from __future__ import annotations

import sys

import click

from .context import EXIT, CliError, json_option, profile_option, want_json
from .context import state as current_state

__all__ = ["config"]


@click.group()
def config() -> None:
    """Show and change the settings (profiles in the config file)."""


@config.command("show")
@profile_option
@json_option
def config_show(profile: str | None, json_flag: bool) -> int:
    """The settings in force and where each comes from (the API key is masked)."""
    state = current_state()
    state.use_profile(profile)
    want_json(json_flag)
    s = state.settings
    shown = s.shown()
    if state.output.json:
        state.output.emit_json(
            {"profile": s.profile, "config_file": str(s.config_file), "settings": shown}
        )
        return EXIT["ok"]
    state.output.note(f"profile {s.profile}; config file {s.config_file}")
    state.output.table(
        ("setting", "value", "source"),
        ((k, v["value"], v["source"]) for k, v in shown.items()),
    )
    return EXIT["ok"]


@config.command("list")
@json_option
def config_list(json_flag: bool) -> int:
    """The profiles of the config file."""
    from . import settings

    state = current_state()
    want_json(json_flag)
    path = settings.config_path()
    try:
        profiles = settings.load_config(path)
    except settings.ConfigError as exc:
        raise CliError(str(exc), EXIT["usage"]) from None
    current = state.settings.profile
    rows = [
        {
            "profile": name,
            "current": name == current,
            "email": table.get("email"),
            "generation": table.get("generation"),
            "endpoint": table.get("pixelz_endpoint") or table.get("legacy_endpoint"),
            "api_key": settings.MASK if table.get("api_key") else None,
        }
        for name, table in sorted(profiles.items())
    ]
    if state.output.json:
        state.output.emit_json({"config_file": str(path), "profiles": rows})
        return EXIT["ok"]
    if not rows:
        state.output.note(f"no profiles yet in {path}: `rtb config set email you@example.com`")
        return EXIT["ok"]
    state.output.table(
        ("profile", "current", "email", "generation", "endpoint", "api_key"),
        (
            [r[c] for c in ("profile", "current", "email", "generation", "endpoint", "api_key")]
            for r in rows
        ),
    )
    return EXIT["ok"]


@config.command("set")
@click.argument("key")
@click.argument("value", required=False)
@profile_option
@json_option
def config_set(key: str, value: str | None, profile: str | None, json_flag: bool) -> int:
    """Set KEY of the profile (--profile, default `default`) to VALUE.

    Keys: email, api-key, generation, binding, pixelz-endpoint, legacy-endpoint,
    template-id. Without VALUE the value is asked for (hidden for api-key), so the
    key stays out of the shell history; `-` reads it from stdin.
    """
    from . import settings

    state = current_state()
    state.use_profile(profile)
    try:
        name = settings.normalise_key(key)
    except settings.ConfigError as exc:
        raise CliError(str(exc), EXIT["usage"]) from None
    if value == "-":
        value = sys.stdin.readline().rstrip("\r\n")
    elif value is None:
        value = click.prompt(name, hide_input=name == "api_key", type=str)
    if name == "api_key":
        state.secrets.add(value)
    elif value:
        value = value.strip()
    path = settings.config_path()
    try:
        profile = settings.check_profile_name(
            state.profile or _env("RTB_PROFILE") or settings.DEFAULT_PROFILE
        )
        value = settings.check_value(name, value)
        profiles = settings.load_config(path)
        profiles.setdefault(profile, {})[name] = value
        settings.save_config(path, profiles)
    except settings.ConfigError as exc:
        raise CliError(str(exc), EXIT["usage"]) from None
    shown = settings.MASK if name == "api_key" else value
    if want_json(json_flag):
        state.output.emit_json(
            {"profile": profile, "config_file": str(path), "key": name, "value": shown}
        )
    else:
        state.output.note(f"{name} = {shown} (profile {profile}, {path})")
    return EXIT["ok"]


@config.command("unset")
@click.argument("key")
@profile_option
@json_option
def config_unset(key: str, profile: str | None, json_flag: bool) -> int:
    """Remove KEY from the profile."""
    from . import settings

    state = current_state()
    state.use_profile(profile)
    profile = state.profile or _env("RTB_PROFILE") or settings.DEFAULT_PROFILE
    path = settings.config_path()
    try:
        name = settings.normalise_key(key)
        profiles = settings.load_config(path)
        removed = profiles.get(profile, {}).pop(name, None)
        if removed is not None:
            settings.save_config(path, profiles)
    except settings.ConfigError as exc:
        raise CliError(str(exc), EXIT["usage"]) from None
    if want_json(json_flag):
        state.output.emit_json({"profile": profile, "key": name, "removed": removed is not None})
    else:
        state.output.note(
            f"{name} removed from profile {profile}"
            if removed is not None
            else f"{name} was not set"
        )
    return EXIT["ok"]


def _env(name: str) -> str | None:
    import os

    return os.environ.get(name) or None

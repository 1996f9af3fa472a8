"""Where a client's account and endpoint come from: one resolution for Python and ``rtb``.

:meth:`ServiceClient.from_env() <removethebackground.core.client.ServiceClient.from_env>`
and the ``rtb`` command line (:mod:`removethebackground.cli.settings`, which adds its
own flags and checks) both resolve each setting here, from the first of:

1. an argument (a keyword of ``from_env``; a flag of ``rtb``);
2. the profile named explicitly (``from_env(profile=...)``, ``rtb --profile``), of the
   config file;
3. the environment: ``RTB_EMAIL``, ``RTB_API_KEY``, ``RTB_BINDING``, ``RTB_GENERATION``,
   ``RTB_TEMPLATE_ID`` and one endpoint variable per generation,
   ``RTB_PIXELZ_ENDPOINT`` (generation 2) and ``RTB_LEGACY_ENDPOINT`` (generation 1).
   ``RTB_ENDPOINT`` is an alias of ``RTB_PIXELZ_ENDPOINT``, for generation 2 only
   (``RTB_PIXELZ_ENDPOINT`` wins when both are set); generation 1 never reads it;
4. the profile named by ``RTB_PROFILE`` (default ``default``) of the config file;
5. the defaults: binding ``soap11``, the WSDL's address as the endpoint.

The config file is TOML, at ``RTB_CONFIG`` or ``config.toml`` in the user's config
directory (``$XDG_CONFIG_HOME/removethebackground`` when that is an absolute path, else
``~/.config/removethebackground``, or ``~/Library/Application Support/removethebackground``
on macOS; ``%LOCALAPPDATA%\\removethebackground`` on Windows: where platformdirs puts
it, found here with the standard library alone), one table per profile::

    [profiles.default]
    email = "you@example.com"
    api_key = "..."
    pixelz_endpoint = "http://127.0.0.1:8110/soap.asmx"

A setting says where it came from (:attr:`Setting.source`): ``"argument"``, the
variable's name (``"RTB_PIXELZ_ENDPOINT"``) or ``"config file profile 'x'"``; a client
shows its endpoint's as ``client.endpoint_source`` (``"WSDL default"`` when nothing set
it).
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from .errors import InvalidParameterError

__all__ = [
    "DEFAULT_PROFILE",
    "ENDPOINT_ALIAS",
    "WSDL_DEFAULT",
    "ConfigFileError",
    "Resolved",
    "Setting",
    "config_path",
    "default_config_path",
    "endpoint_key",
    "generation_keys",
    "known_keys",
    "read_config",
    "read_profiles",
    "read_table",
    "resolve",
    "variables_of",
]

DEFAULT_PROFILE: Final = "default"
#: The generation-2 alias of ``RTB_PIXELZ_ENDPOINT`` (generation 1 never reads it).
ENDPOINT_ALIAS: Final = "RTB_ENDPOINT"
_ALIAS_GENERATION: Final = "pixelz"
#: :attr:`Setting.source` of an endpoint nobody set: the WSDL's own address.
WSDL_DEFAULT: Final = "WSDL default"

# The settings other than the endpoints, and the variable of each.
_VARIABLES: Final[Mapping[str, str]] = {
    "email": "RTB_EMAIL",
    "api_key": "RTB_API_KEY",
    "generation": "RTB_GENERATION",
    "binding": "RTB_BINDING",
    "template_id": "RTB_TEMPLATE_ID",
}
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ConfigFileError(InvalidParameterError):
    """The config file (or a profile of it) cannot be used; the text says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__("config file", message)


def generation_keys() -> tuple[str, ...]:
    """The generations of the registry (``("pixelz", "legacy")``)."""
    from ..generated import GENERATIONS

    return tuple(GENERATIONS)


def endpoint_key(generation: str) -> str:
    """The profile key of a generation's endpoint (``pixelz_endpoint``)."""
    return f"{generation}_endpoint"


def known_keys() -> tuple[str, ...]:
    """Every key a profile may hold."""
    keys = list(_VARIABLES)
    keys[4:4] = [endpoint_key(g) for g in generation_keys()]  # before template_id
    return tuple(keys)


def variables_of(key: str) -> tuple[str, ...]:
    """The environment variables of a setting, the first one winning: the endpoint of
    generation ``g`` is ``RTB_<G>_ENDPOINT``, and generation 2's also ``RTB_ENDPOINT``."""
    if key in _VARIABLES:
        return (_VARIABLES[key],)
    generation = key.removesuffix("_endpoint")
    if generation == key or not generation:
        raise KeyError(key)
    own = f"RTB_{generation.upper()}_ENDPOINT"
    return (own, ENDPOINT_ALIAS) if generation == _ALIAS_GENERATION else (own,)


def check_profile_name(name: str) -> str:
    """``name`` if a profile can have it, else :class:`ConfigFileError`."""
    if not isinstance(name, str) or not _PROFILE_NAME.match(name):
        raise ConfigFileError(
            f"profile name {name!r} is not usable: use letters, digits, '-' and '_' only"
        )
    return name


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``config.toml`` in the user's config directory, where platformdirs'
    ``user_config_path("removethebackground", appauthor=False)`` is."""
    env = os.environ if environ is None else environ
    if sys.platform == "win32":
        base = Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        # platformdirs 4 (as pinned): an absolute $XDG_CONFIG_HOME, on macOS too; a
        # relative one is ignored.
        xdg = env.get("XDG_CONFIG_HOME", "")
        if posixpath.isabs(xdg):
            base = Path(xdg)
        elif sys.platform == "darwin":
            base = Path.home() / "Library" / "Application Support"
        else:
            base = Path.home() / ".config"
    return base / "removethebackground" / "config.toml"


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``RTB_CONFIG``, or :func:`default_config_path`."""
    env = os.environ if environ is None else environ
    if env.get("RTB_CONFIG"):
        return Path(env["RTB_CONFIG"]).expanduser()
    return default_config_path(env)


def read_config(path: Path) -> dict[str, Any]:
    """The whole config file at ``path`` as TOML (``{}`` when there is none): the
    profiles and the other tables (``[rates]``, ``[prices]``, ``[spend]``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigFileError(f"cannot read the config file {path}: {exc.strerror}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(
            f"the config file {path} is not valid TOML ({exc}): fix it or remove it"
        ) from None


def read_table(name: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The table ``[name]`` of the config file (:func:`config_path`), ``{}`` without one."""
    path = config_path(environ)
    table = read_config(path).get(name, {})
    if not isinstance(table, dict):
        raise ConfigFileError(f"the config file {path}: {name!r} must be a table ([{name}])")
    return table


def read_profiles(path: Path) -> dict[str, dict[str, str]]:
    """The profiles of the config file at ``path`` (``{}`` when there is none).

    A key the file does not know is refused rather than ignored: a misspelt
    ``pixelz_endpont`` would otherwise send the profile's key to the production address.
    """
    data = read_config(path)
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigFileError(f"the config file {path}: 'profiles' must be a table")
    known = known_keys()
    out: dict[str, dict[str, str]] = {}
    for name, table in profiles.items():
        if not isinstance(table, dict):
            raise ConfigFileError(f"the config file {path}: profile {name!r} must be a table")
        out[name] = {}
        for key, value in table.items():
            if key not in known:
                raise ConfigFileError(
                    f"the config file {path}: profile {name!r} has an unknown key {key!r} "
                    f"(known: {', '.join(known)})"
                )
            out[name][key] = str(value)
    return out


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting's value and where it came from.

    ``origin`` is ``"argument"``, ``"env"`` or ``"profile"``; ``name`` the variable's
    or the profile's name (empty for an argument).
    """

    value: str
    origin: Literal["argument", "env", "profile"]
    name: str = ""

    @property
    def source(self) -> str:
        """``"argument"``, ``"RTB_PIXELZ_ENDPOINT"``, ``"config file profile 'x'"``."""
        if self.origin == "env":
            return self.name
        if self.origin == "profile":
            return f"config file profile {self.name!r}"
        return "argument"

    def __repr__(self) -> str:  # the value may be the API key
        return f"Setting(source={self.source!r})"


@dataclass(frozen=True, slots=True)
class Resolved:
    """The settings in force (:func:`resolve`): the profile read, the file, each setting."""

    profile: str
    config_file: Path
    settings: Mapping[str, Setting]

    def get(self, key: str) -> str | None:
        found = self.settings.get(key)
        return None if found is None else found.value

    def __repr__(self) -> str:
        return (
            f"Resolved(profile={self.profile!r}, config_file={str(self.config_file)!r}, "
            f"keys={sorted(self.settings)!r})"
        )


def resolve(
    keys: tuple[str, ...],
    arguments: Mapping[str, str | None] | None = None,
    *,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Resolved:
    """Each of ``keys`` from the arguments, the environment and the config file, in the
    order of the module docstring; an empty value counts as not set.

    ``profile``: a profile named explicitly, which must exist (it then comes before the
    environment); without it, ``RTB_PROFILE`` or ``default``, which may be missing.
    """
    env = os.environ if environ is None else environ
    args = arguments or {}
    explicit = profile is not None
    name = check_profile_name(profile or env.get("RTB_PROFILE") or DEFAULT_PROFILE)
    path = config_path(env)
    profiles = read_profiles(path)
    if explicit and name not in profiles:
        known = ", ".join(sorted(profiles)) or "none yet"
        raise ConfigFileError(
            f"no profile {name!r} in {path} (profiles: {known}): "
            f"create it with `rtb config set --profile {name} email ...`"
        )
    table = profiles.get(name, {})
    found: dict[str, Setting] = {}
    for key in keys:
        candidates: list[Setting] = []
        if args.get(key):
            candidates.append(Setting(str(args[key]), "argument"))
        if explicit and table.get(key):
            candidates.append(Setting(table[key], "profile", name))
        for variable in variables_of(key):
            if env.get(variable):
                candidates.append(Setting(env[variable], "env", variable))
        if table.get(key):
            candidates.append(Setting(table[key], "profile", name))
        if candidates:
            found[key] = candidates[0]
    return Resolved(profile=name, config_file=path, settings=found)

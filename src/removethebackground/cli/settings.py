"""Where ``rtb`` finds the account, endpoint, generation and binding.

The resolution is the client's own (:mod:`removethebackground.core.settings`, which
``PixelzClient.from_env()`` uses too), so Python and ``rtb`` agree; each setting comes
from the first of:

1. a flag (``--email``, ``--api-key``, ``--endpoint``, ``--binding``, ``--generation``);
2. with ``--profile NAME`` given on the command line: that profile of the config file;
3. the environment: ``RTB_EMAIL``, ``RTB_API_KEY``, ``RTB_BINDING``, ``RTB_GENERATION``,
   ``RTB_PIXELZ_ENDPOINT`` (or its generation-2 alias ``RTB_ENDPOINT``) and
   ``RTB_LEGACY_ENDPOINT``;
4. the profile named by ``RTB_PROFILE`` (default ``default``) of the config file;
5. the defaults: generation ``pixelz``, binding ``soap11``, the WSDL's address.

The config file is TOML at ``<user config dir>/removethebackground/config.toml``
(``RTB_CONFIG`` names another path), one table per profile::

    [profiles.default]
    email = "you@example.com"
    api_key = "..."
    pixelz_endpoint = "http://127.0.0.1:8110/soap.asmx"

It holds the API key, so ``rtb config set`` writes it readable by its owner only.
Its other tables (``[rates]``, :meth:`removethebackground.core.ratelimit.RateLimits.configured`;
``[prices]`` and ``[spend]``, :func:`removethebackground.workflows.batch.spend.configured_spend`)
are kept as written when the profiles are rewritten. This module needs no click: it
checks, reads and writes settings.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ..core import settings as _core
from ..core.wire import Binding
from ..generated import GENERATIONS as _REGISTRY

__all__ = [
    "GENERATIONS",
    "KEYS",
    "ConfigError",
    "Settings",
    "config_path",
    "load_config",
    "rate_limits",
    "resolve",
    "save_config",
]

GENERATIONS: Final = tuple(_REGISTRY)  # ("pixelz", "legacy")
DEFAULT_PROFILE: Final = _core.DEFAULT_PROFILE
MASK: Final = "********"

# Profile keys, what they mean, and the variable that sets each one.
KEYS: Final[Mapping[str, tuple[str, tuple[str, ...]]]] = {
    "email": ("the account's contact email", ("RTB_EMAIL",)),
    "api_key": ("the account's API key (never shown)", ("RTB_API_KEY",)),
    "generation": ("pixelz (generation 2) or legacy (generation 1)", ("RTB_GENERATION",)),
    "binding": ("soap11, soap12, http_get or http_post", ("RTB_BINDING",)),
    # One endpoint per generation: RTB_PIXELZ_ENDPOINT (and its alias RTB_ENDPOINT),
    # RTB_LEGACY_ENDPOINT ...
    **{
        _core.endpoint_key(key): (
            f"the {generation.label} service URL (.../soap.asmx)",
            _core.variables_of(_core.endpoint_key(key)),
        )
        for key, generation in _REGISTRY.items()
    },
    "template_id": ("the template rtb submit uses by default", ("RTB_TEMPLATE_ID",)),
}


class ConfigError(Exception):
    """The config file or a setting cannot be used; the text says what to do."""


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``RTB_CONFIG``, or ``config.toml`` in the user's config directory."""
    return _core.config_path(environ)


def load_config(path: Path) -> dict[str, dict[str, str]]:
    """The profiles of the config file (``{}`` when it does not exist)."""
    try:
        return _core.read_profiles(path)
    except _core.ConfigFileError as exc:
        raise ConfigError(_message(exc)) from None


def save_config(path: Path, profiles: Mapping[str, Mapping[str, str]]) -> None:
    """Write the profiles atomically, readable and writable by the owner only.

    The file's other tables (``[rates]``, ``[prices]``, ``[spend]``, any other) and
    their comments are kept as they are written; only the profiles are rewritten."""
    lines = [HEADER]
    for name in sorted(profiles):
        check_profile_name(name)
        lines.append("")
        lines.append(f"[profiles.{name}]")
        for key, value in profiles[name].items():
            # A JSON string without ASCII escaping is a valid TOML basic string.
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    top, others = _other_tables(path)
    text = top + "\n".join(lines) + "\n" + others
    _check_kept(path, text)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


HEADER: Final = "# rtb profiles; written by `rtb config set`. It holds API keys: keep it private."
_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$")


def _is_profiles(name: str) -> bool:
    first = name.split(".", 1)[0].strip().strip("\"'")
    return first == "profiles"


def _other_tables(path: Path) -> tuple[str, str]:
    """The text of the file at ``path`` that is not a profile, as written: the lines
    before its first table (but ``HEADER``), and every table not under ``profiles``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "", ""
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from None
    top: list[str] = []
    kept: list[str] = []
    section: str | None = None
    for line in text.splitlines():
        found = _TABLE_HEADER.match(line)
        if found:
            section = found.group(1)
        if section is None:
            if line.strip() != HEADER:
                top.append(line)
        elif not _is_profiles(section):
            kept.append(line)
    while top and not top[-1].strip():
        top.pop()
    return ("\n".join(top) + "\n" if top else ""), ("\n" + "\n".join(kept) + "\n" if kept else "")


def _check_kept(path: Path, text: str) -> None:
    """Refuse to write ``text`` unless it keeps the file's other tables unchanged."""
    import tomllib

    before = {k: v for k, v in _read(path).items() if k != "profiles"}
    try:
        after = {k: v for k, v in tomllib.loads(text).items() if k != "profiles"}
    except tomllib.TOMLDecodeError:
        after = None
    if after != before:
        raise ConfigError(
            f"the config file {path} could not be rewritten keeping its other tables "
            "as they are: edit its [profiles.*] tables by hand"
        )


def _read(path: Path) -> dict[str, Any]:
    try:
        return _core.read_config(path)
    except _core.ConfigFileError as exc:
        raise ConfigError(_message(exc)) from None


def check_profile_name(name: str) -> str:
    try:
        return _core.check_profile_name(name)
    except _core.ConfigFileError as exc:
        raise ConfigError(_message(exc)) from None


def _message(exc: _core.ConfigFileError) -> str:
    return str(exc).removeprefix(f"{exc.parameter}: ")


def normalise_key(key: str) -> str:
    """``api-key`` / ``API_KEY`` / ``api_key`` -> ``api_key``; unknown keys are an error."""
    name = key.strip().lower().replace("-", "_")
    if name not in KEYS:
        raise ConfigError(f"unknown setting {key!r}: use one of {', '.join(KEYS)}")
    return name


def check_value(key: str, value: str) -> str:
    """A profile value, checked as the client would check it."""
    if key == "generation":
        value = value.strip().lower()
        if value not in GENERATIONS:
            raise ConfigError(
                f"generation {value!r} is unknown: use one of {', '.join(GENERATIONS)}"
            )
    elif key == "binding":
        try:
            value = Binding.parse(value).value
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    elif key.endswith("_endpoint"):
        _check_endpoint(key, value)
    elif not value:
        raise ConfigError(f"{key} cannot be empty: use `rtb config unset {key}` instead")
    elif key == "template_id":
        value = value.strip()
        wrong = _template_id_problem(value)
        if wrong is not None:
            raise ConfigError(
                f"template_id {value!r} {wrong}: give a template's number, e.g. 1001 "
                "(`rtb templates` lists them)"
            )
    elif key == "email" and not value.strip():
        raise ConfigError("email cannot be blank: give the account's contact email")
    return value


def _check_endpoint(key: str, value: str) -> None:
    """The client's rule (``ServiceClient``): an http(s) URL with a host, and no query or
    fragment (a service address has none; one may hold a credential, so it is not shown)."""
    from urllib.parse import urlsplit

    example = "give e.g. http://127.0.0.1:8110/soap.asmx"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  # a port that is not a number raises here
    except ValueError:
        raise ConfigError(f"{key} is not a usable URL: {example}") from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in value)
    ):
        raise ConfigError(f"{key} {value!r} is not an http(s) URL: {example}")
    if parts.query or parts.fragment:
        bare = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
        raise ConfigError(
            f"{key} {bare!r} was given with a query string or fragment, which a service "
            f"address cannot carry: {example}"
        )


def _template_id_problem(value: str) -> str | None:
    """What AddImageToQueue's ``templateId`` rule (the generated constraint, as the client
    checks it before sending) says of ``value``, or ``None``."""
    from ..core.constraints import problem

    op = _REGISTRY["pixelz"].service.operations["AddImageToQueue"]
    for f in op.params:
        if f.attr == "template_id" and f.constraint is not None:
            return problem(f.constraint, value)
    return None if value.isdigit() else "is not a whole number"


@dataclass
class Settings:
    """The settings in force, and where each came from (``flag``, ``env RTB_X`` ...)."""

    profile: str
    config_file: Path
    values: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    # Where each came from as the client says it (``client.endpoint_source``).
    client_sources: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    @property
    def generation(self) -> str:
        return self.values.get("generation", "pixelz")

    @property
    def binding(self) -> Binding:
        return Binding.parse(self.values.get("binding", "soap11"))

    def endpoint(self, generation: str) -> str | None:
        return self.values.get(_core.endpoint_key(generation))

    def endpoint_source(self, generation: str) -> str:
        """Where the endpoint of ``generation`` came from: ``"--endpoint"``, the
        variable, ``"config file profile 'x'"``, or ``"WSDL default"``."""
        key = _core.endpoint_key(generation)
        if key not in self.values:
            return _core.WSDL_DEFAULT
        if self.sources.get(key) == "flag":
            return "--endpoint"
        return self.client_sources.get(key, self.sources.get(key, "argument"))

    def shown(self) -> dict[str, Any]:
        """Every setting for display, the API key masked."""
        out: dict[str, Any] = {}
        for key in KEYS:
            value = self.values.get(key)
            if key == "api_key" and value is not None:
                value = MASK
            out[key] = {"value": value, "source": self.sources.get(key, "unset")}
        return out


def resolve(
    flags: Mapping[str, str | None],
    *,
    profile: str | None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings from flags, environment and config file (see the module docstring)."""
    try:
        found = _core.resolve(tuple(KEYS), flags, profile=profile, environ=environ)
    except _core.ConfigFileError as exc:
        raise ConfigError(_message(exc)) from None
    settings = Settings(profile=found.profile, config_file=found.config_file)
    for key, setting in found.settings.items():
        source = _SOURCES[setting.origin].format(name=setting.name)
        try:
            settings.values[key] = check_value(key, setting.value)
        except ConfigError as exc:
            raise ConfigError(f"{exc} (from {source})") from None
        settings.sources[key] = source
        settings.client_sources[key] = setting.source
    return settings


# How `rtb config show` names the origins (the client's labels are Setting.source).
_SOURCES: Final = {"argument": "flag", "env": "env {name}", "profile": "profile {name}"}


def rate_limits(flags: Any) -> Any:
    """The client's ``rate_limits=``: the config file's ``[rates]`` with ``--rate``'s
    (``flags``, a ``RateLimits`` or ``None``) winning per kind; ``None``: no limiter.
    A bad table raises ``InvalidParameterError`` naming the key and the file."""
    if flags is None and not _core.read_table("rates"):
        return None  # the usual case, without importing the limiter
    from ..core.ratelimit import RateLimits

    configured = RateLimits.configured()
    if configured is None:
        return flags
    if flags is None:
        return configured
    return RateLimits(
        {**configured.rates, **flags.rates}, pause=configured.pause, max_pause=configured.max_pause
    )

"""The ``rtb`` commands (click); see :mod:`removethebackground.cli` for the overview."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import click

from .._version import __version__
from ..core.client import ServiceClient, secret_forms
from ..core.errors import (
    InvalidParameterError,
    RemoveTheBackgroundError,
    ServiceFault,
    TransportError,
    TransportTimeout,
)
from ..core.wire import Operation
from . import settings as settings_mod
from .call import SERVICES, find_operation, operation_command
from .render import Output, plain
from .settings import ConfigError, Settings

__all__ = ["EXIT", "cli", "run"]

# Exit codes (documented in the package docstring and docs/cli.md).
EXIT = {
    "ok": 0,
    "failed": 1,  # the work did not succeed: an image on hold, a failed download ...
    "usage": 2,  # bad flags or values, missing credentials, unusable config
    "fault": 3,  # the service answered with a fault
    "transport": 4,  # no usable answer: connection refused, bad HTTP, malformed XML
    "timeout": 5,  # no answer in time, or --timeout passed while waiting
    "interrupted": 130,
}


class CliError(Exception):
    """An error to print as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT["failed"]) -> None:
        super().__init__(message)
        self.code = code


class State:
    """Global options of one run; builds the settings and clients on first use."""

    def __init__(
        self,
        *,
        flags: dict[str, str | None],
        profile: str | None,
        json_output: bool,
        timeout: float,
    ) -> None:
        self.flags = flags
        self.profile = profile
        self.output = Output(json_output=json_output)
        self.timeout = timeout
        self.secrets: set[str] = set()
        self._settings: Settings | None = None
        if flags.get("api_key"):
            self.secrets.add(str(flags["api_key"]))

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = settings_mod.resolve(self.flags, profile=self.profile)
            except ConfigError as exc:
                raise CliError(str(exc), EXIT["usage"]) from None
            key = self._settings.get("api_key")
            if key:
                self.secrets.add(key)
        return self._settings

    @property
    def generation(self) -> str:
        return self.settings.generation

    def client(self, generation: str | None = None) -> ServiceClient:
        """A client of ``generation`` (default: the one in force) for the configured account."""
        s = self.settings
        gen = generation or s.generation
        email, key = s.get("email"), s.get("api_key")
        if not email or not key:
            missing = "RTB_EMAIL" if not email else "RTB_API_KEY"
            raise CliError(
                f"no account: {missing} is not set; export RTB_EMAIL and RTB_API_KEY, pass "
                "--email/--api-key, or run `rtb config set email ...` and `rtb config set api-key`",
                EXIT["usage"],
            )
        client_class = SERVICES[gen][1]
        try:
            client: ServiceClient = client_class(
                email,
                key,
                binding=s.binding,
                endpoint=s.endpoint(gen),
                timeout=self.timeout,
            )
        except InvalidParameterError as exc:
            raise CliError(f"{exc}", EXIT["usage"]) from None
        return client

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            for form in sorted(secret_forms(secret), key=len, reverse=True):
                text = text.replace(form, "***")
        return text


def _state() -> State:
    ctx = click.get_current_context()
    obj = ctx.find_object(State)
    if obj is None:  # pragma: no cover - the root group always sets it
        raise RuntimeError("rtb state missing")
    return obj


def _want_json(local: bool) -> bool:
    state = _state()
    if local:
        state.output.json = True
    return state.output.json


json_option = click.option(
    "--json", "json_flag", is_flag=True, help="print JSON for scripts instead of tables"
)


def _workflows() -> Any:
    """The workflows library (``removethebackground.workflows``)."""
    try:
        from .. import workflows  # type: ignore[attr-defined,unused-ignore]
    except ImportError as exc:  # pragma: no cover - depends on the installed version
        raise CliError(
            f"this command needs removethebackground.workflows, which this installation "
            f"lacks ({exc}): upgrade removethebackground",
        ) from None
    return workflows


# --- the root group ----------------------------------------------------------------------


class RootGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        order = [
            "submit",
            "status",
            "wait",
            "download",
            "images",
            "products",
            "templates",
            "batch",
            "call",
            "webhook",
            "sandbox",
            "config",
        ]
        return [c for c in order if c in self.commands] + sorted(
            c for c in self.commands if c not in order
        )


@click.group(
    cls=RootGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    no_args_is_help=True,
)
@click.version_option(__version__, prog_name="rtb")
@click.option("--profile", metavar="NAME", help="use this profile of the config file")
@click.option("--email", metavar="EMAIL", help="account email [env RTB_EMAIL]")
@click.option(
    "--api-key",
    metavar="KEY",
    help="account API key [env RTB_API_KEY]; prefer the environment or `rtb config set api-key`",
)
@click.option(
    "--generation",
    type=click.Choice(settings_mod.GENERATIONS),
    help="pixelz (generation 2, default) or legacy (generation 1) [env RTB_GENERATION]",
)
@click.option(
    "--binding",
    metavar="BINDING",
    help="soap11 (default), soap12, http_get or http_post [env RTB_BINDING]",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="service URL of the generation in use "
    "[env RTB_PIXELZ_ENDPOINT (or RTB_ENDPOINT) / RTB_LEGACY_ENDPOINT]",
)
@click.option(
    "--http-timeout",
    type=click.FloatRange(min=0.1, max=600),
    default=30.0,
    show_default=True,
    help="seconds to wait for each answer of the service",
)
@json_option
@click.pass_context
def cli(
    ctx: click.Context,
    profile: str | None,
    email: str | None,
    api_key: str | None,
    generation: str | None,
    binding: str | None,
    endpoint: str | None,
    http_timeout: float,
    json_flag: bool,
) -> None:
    """Remove The Background / Pixelz from the command line.

    \b
    Submit a folder and get the cut-outs:
        rtb submit ./photos --wait --download ./cutouts
    Try it without an account against the local sandbox:
        rtb sandbox --port 8110 &
        export RTB_EMAIL=demo@example.com RTB_API_KEY=demo-key \\
               RTB_PIXELZ_ENDPOINT=http://127.0.0.1:8110/soap.asmx

    Exit codes: 0 ok, 1 failed (e.g. an image on hold), 2 usage error, 3 service
    fault, 4 transport failure, 5 timeout, 130 interrupted.
    """
    flags: dict[str, str | None] = {
        "email": email,
        "api_key": api_key,
        "generation": generation,
        "binding": binding,
    }
    if endpoint:
        # The generation decides which endpoint the flag sets; resolve it first.
        gen = generation
        if gen is None:
            try:
                gen = settings_mod.resolve({"generation": None}, profile=profile).generation
            except ConfigError as exc:
                raise CliError(str(exc), EXIT["usage"]) from None
        flags[f"{gen}_endpoint"] = endpoint
    ctx.obj = State(flags=flags, profile=profile, json_output=json_flag, timeout=http_timeout)


# --- rtb call ------------------------------------------------------------------------------


class CallGroup(click.Group):
    """``rtb call``: one subcommand per operation of the generation in use."""

    def _generation(self, ctx: click.Context) -> str:
        state = ctx.find_object(State)
        if state is None:
            return "pixelz"
        try:
            return state.generation
        except CliError:
            return "pixelz"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SERVICES[self._generation(ctx)][0].operations)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        generation = self._generation(ctx)
        state = ctx.find_object(State)
        chosen = state is not None and "generation" in _sources(state)
        for other, (service, _cls) in SERVICES.items():
            # A wire name is case-sensitive: getImageStatus is generation 1's own.
            if not chosen and other != generation and cmd_name in service.operations:
                return operation_command(service.operations[cmd_name], other, _run_operation)
        op = find_operation(cmd_name, generation)
        if op is None:
            other = "legacy" if generation == "pixelz" else "pixelz"
            if find_operation(cmd_name, other) is not None:
                raise click.UsageError(
                    f"{cmd_name} is an operation of the {other} generation: "
                    f"run `rtb --generation {other} call {cmd_name} ...`"
                )
            return None
        return operation_command(op, generation, _run_operation)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, cmd, rest = super().resolve_command(ctx, args)
        return (cmd.name if cmd is not None else name), cmd, rest


def _sources(state: State) -> dict[str, str]:
    try:
        return state.settings.sources
    except CliError:
        return {}


def _run_operation(
    op: Operation[Any],
    generation: str,
    values: dict[str, Any],
    secrets: list[str],
    json_flag: bool,
) -> int:
    state = _state()
    _want_json(json_flag)
    state.secrets.update(secrets)
    with state.client(generation) as client:
        result = getattr(client, op.python_name)(**values)
    if state.output.json:
        state.output.emit_json(result)
    else:
        state.output.result(result)
    return EXIT["ok"]


@cli.group(cls=CallGroup, invoke_without_command=True, subcommand_metavar="OPERATION [--param v]")
@click.option("--list", "list_ops", is_flag=True, help="list the operations of both generations")
@json_option
@click.pass_context
def call(ctx: click.Context, list_ops: bool, json_flag: bool) -> int | None:
    """Call any operation of the service: `rtb call GetImageStatus --image-ticket T`.

    The options of each operation come from the service's WSDL: see
    `rtb call OPERATION --help`. Credentials are filled in from the account settings.
    Generation 1 operations: `rtb --generation legacy call getImageStatus ...`.
    """
    _want_json(json_flag)
    if ctx.invoked_subcommand is not None:
        return None
    if not list_ops:
        click.echo(ctx.get_help())
        return EXIT["usage"]
    rows = []
    for generation, (service, _cls) in SERVICES.items():
        for op in service.operations.values():
            shown = [p.name for p in op.params if p.name not in op.credential_params]
            rows.append(
                {
                    "generation": generation,
                    "operation": op.name,
                    "python_name": op.python_name,
                    "bindings": sorted(b.value for b in op.bindings),
                    "parameters": shown,
                }
            )
    out = _state().output
    if out.json:
        out.emit_json(rows)
    else:
        out.table(
            ("generation", "operation", "bindings", "parameters"),
            (
                (r["generation"], r["operation"], r["bindings"], _shorten(r["parameters"]))
                for r in rows
            ),
        )
    return EXIT["ok"]


def _shorten(names: Sequence[str], limit: int = 4) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", ... ({len(names)} in all)"


# --- rtb templates / status ------------------------------------------------------------------


@cli.command()
@json_option
def templates(json_flag: bool) -> int:
    """List the account's templates (GetTemplates)."""
    state = _state()
    _want_json(json_flag)
    with state.client("pixelz") as client:
        found = [t for t in client.get_templates().templates or [] if t is not None]  # type: ignore[attr-defined]
    if state.output.json:
        state.output.emit_json(found)
        return EXIT["ok"]
    state.output.table(
        ("id", "name", "output", "delivery (h)", "combined", "prices"),
        (
            (
                t.template_id,
                t.template_name,
                t.output_format,
                t.delivery_time_in_hours,
                t.is_combined_images,
                [_money(p) for p in t.prices or [] if p is not None],
            )
            for t in found
        ),
    )
    return EXIT["ok"]


def _money(price: Any) -> str:
    data = plain(price)
    if isinstance(data, dict):
        return " ".join(str(v) for v in data.values() if v is not None)
    return str(data)


def _status_row(status: Any) -> dict[str, Any]:
    """One image status of either generation as a flat row."""
    data = plain(status)
    urls = data.get("final_images_url")
    if urls is None and data.get("final_image_url"):
        urls = [data["final_image_url"]]
    return {
        "ticket": data.get("image_ticket"),
        "status_id": data.get("status_id"),
        "status": data.get("status_name"),
        "product_id": data.get("product_id"),
        "customer_image_id": data.get("customer_image_id"),
        "final_images_url": [u for u in urls or [] if u],
    }


STATUS_COLUMNS = ("ticket", "status_id", "status", "product_id", "customer_image_id")


def _print_statuses(rows: Sequence[dict[str, Any]], extra: Sequence[str] = ()) -> None:
    out = _state().output
    if out.json:
        out.emit_json(list(rows))
        return
    columns = [*STATUS_COLUMNS, *extra]
    used = [c for c in columns if any(r.get(c) not in (None, "", []) for r in rows)] or columns
    out.table(used, ([r.get(c) for c in used] for r in rows))


def _get_status(client: ServiceClient, ticket: str) -> Any:
    answer = client.get_image_status(image_ticket=ticket)  # type: ignore[attr-defined]
    if answer.image_status is None:
        raise CliError(f"no status for ticket {ticket}", EXIT["fault"])
    return answer.image_status


@cli.command()
@click.argument("tickets", nargs=-1, required=True, metavar="TICKET...")
@json_option
def status(tickets: tuple[str, ...], json_flag: bool) -> int:
    """Show the status of images (GetImageStatus; --generation legacy for generation 1)."""
    state = _state()
    _want_json(json_flag)
    rows = []
    with state.client() as client:
        for ticket in tickets:
            rows.append(_status_row(_get_status(client, _ticket(ticket))))
    _print_statuses(rows, ("final_images_url",))
    return EXIT["ok"]


def _ticket(text: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        raise CliError(
            f"{text!r} is not an image ticket: give the GUID that submit printed", EXIT["usage"]
        ) from None


# --- rtb config ------------------------------------------------------------------------------


@cli.group()
def config() -> None:
    """Show and change the settings (profiles in the config file)."""


profile_option = click.option(
    "--profile", "profile", metavar="NAME", help="the profile (default: RTB_PROFILE or default)"
)


def _use_profile(state: State, profile: str | None) -> None:
    if profile:
        state.profile = profile
        state._settings = None


@config.command("show")
@profile_option
@json_option
def config_show(profile: str | None, json_flag: bool) -> int:
    """The settings in force and where each comes from (the API key is masked)."""
    state = _state()
    _use_profile(state, profile)
    _want_json(json_flag)
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
    state = _state()
    _want_json(json_flag)
    path = settings_mod.config_path()
    try:
        profiles = settings_mod.load_config(path)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT["usage"]) from None
    current = state.settings.profile
    rows = [
        {
            "profile": name,
            "current": name == current,
            "email": table.get("email"),
            "generation": table.get("generation"),
            "endpoint": table.get("pixelz_endpoint") or table.get("legacy_endpoint"),
            "api_key": settings_mod.MASK if table.get("api_key") else None,
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
    state = _state()
    _use_profile(state, profile)
    try:
        name = settings_mod.normalise_key(key)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT["usage"]) from None
    if value == "-":
        value = sys.stdin.readline().rstrip("\r\n")
    elif value is None:
        value = click.prompt(name, hide_input=name == "api_key", type=str)
    if name == "api_key":
        state.secrets.add(value)
    elif value:
        value = value.strip()
    path = settings_mod.config_path()
    try:
        profile = settings_mod.check_profile_name(
            state.profile or _env("RTB_PROFILE") or settings_mod.DEFAULT_PROFILE
        )
        value = settings_mod.check_value(name, value)
        profiles = settings_mod.load_config(path)
        profiles.setdefault(profile, {})[name] = value
        settings_mod.save_config(path, profiles)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT["usage"]) from None
    shown = settings_mod.MASK if name == "api_key" else value
    if _want_json(json_flag):
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
    state = _state()
    _use_profile(state, profile)
    profile = state.profile or _env("RTB_PROFILE") or settings_mod.DEFAULT_PROFILE
    path = settings_mod.config_path()
    try:
        name = settings_mod.normalise_key(key)
        profiles = settings_mod.load_config(path)
        removed = profiles.get(profile, {}).pop(name, None)
        if removed is not None:
            settings_mod.save_config(path, profiles)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT["usage"]) from None
    if _want_json(json_flag):
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


# --- rtb sandbox -------------------------------------------------------------------------------


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def sandbox(args: tuple[str, ...]) -> int:
    """Run the local sandbox service (see `rtb sandbox --help`); needs the sandbox extra."""
    return run_sandbox(list(args))


def run_sandbox(args: list[str]) -> int:
    try:
        from ..sandbox.server import main as sandbox_main
    except ImportError:
        raise CliError(
            "the sandbox needs the 'sandbox' extra: pip install 'removethebackground[sandbox]'"
        ) from None
    return sandbox_main(args, prog="rtb sandbox")


# --- running ---------------------------------------------------------------------------------


def _fail(state: State | None, message: str, code: int) -> int:
    text = message if state is None else state.redact(message)
    text = " ".join(text.split())
    click.echo(f"error: {text}", err=True)
    return code


def run(argv: Sequence[str] | None = None) -> int:
    """Run ``rtb`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    ctx_state: list[State] = []
    try:
        with cli.make_context("rtb", args) as ctx:
            if isinstance(ctx.obj, State):
                ctx_state.append(ctx.obj)
            result = cli.invoke(ctx)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=False)
        return EXIT["usage"]
    except click.ClickException as exc:
        exc.show()
        return EXIT["usage"] if isinstance(exc, click.UsageError) else EXIT["failed"]
    except click.Abort:
        return _fail(_current(ctx_state), "aborted", EXIT["interrupted"])
    except KeyboardInterrupt:
        return _fail(_current(ctx_state), "interrupted", EXIT["interrupted"])
    except CliError as exc:
        return _fail(_current(ctx_state), str(exc), exc.code)
    except BaseException as exc:
        if isinstance(exc, SystemExit):
            raise
        code, message = describe(exc)
        return _fail(_current(ctx_state), message, code)
    if isinstance(result, int):
        return result
    return EXIT["ok"]


def _current(states: list[State]) -> State | None:
    if states:
        return states[0]
    try:
        return _state()
    except RuntimeError:
        return None


def _short_transport(text: str) -> str:
    """urllib3's ``HTTPConnectionPool(...): Max retries ... [Errno 111] Connection refused``
    as just its reason."""
    reason = re.search(r"\[Errno -?\d+\] ([^\"')]+)", text)
    start = min(
        (
            i
            for i in (text.find("HTTPConnectionPool("), text.find("HTTPSConnectionPool("))
            if i >= 0
        ),
        default=-1,
    )
    if reason is None or start < 0:
        return text
    return text[:start] + reason.group(1).strip()


def describe(exc: BaseException) -> tuple[int, str]:
    """The exit code and one-line message of an exception, with what to do."""
    name = type(exc).__name__
    if name == "WaitTimeout":
        return EXIT[
            "timeout"
        ], f"{exc} (wait longer with --timeout, or check later with rtb status)"
    if isinstance(exc, InvalidParameterError):
        if getattr(exc, "parameter", None) == "binding":
            return EXIT["usage"], f"{exc} (on the command line: --binding soap11)"
        return EXIT["usage"], f"{exc}"
    if isinstance(exc, ServiceFault):
        hint = ""
        if type(exc).__name__ == "AuthenticationError":
            hint = " (check RTB_EMAIL / RTB_API_KEY or `rtb config show`)"
        return EXIT["fault"], f"the service answered with a fault: {exc}{hint}"
    if isinstance(exc, TransportTimeout):
        return EXIT["timeout"], f"{exc} (try again, or raise --http-timeout)"
    if isinstance(exc, TransportError):
        return EXIT[
            "transport"
        ], f"{_short_transport(str(exc))} (check the endpoint with `rtb config show`)"
    if isinstance(exc, RemoveTheBackgroundError):
        return EXIT["failed"], f"{exc}"
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return EXIT["failed"], f"{exc.strerror or exc}{where}"
    return EXIT["failed"], f"unexpected {name}: {exc}"


# Commands that use the workflows library live in their own module.
from . import commands as _commands  # noqa: E402,F401

"""The root of ``rtb``: global options, the command table, running and exit codes.

Each command group lives in a module of its own (``submit``, ``images``, ``batch``,
``call``, ``webhook``, ``sandbox``, ``config``) and is imported only when it runs or
its own help is asked for; ``rtb --help`` lists the commands from :data:`COMMANDS`
without importing any of them.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from .._version import __version__
from .context import EXIT, CliError, State, describe, json_option, state

if TYPE_CHECKING:
    from .telemetry import CommandTelemetry
    from .wirelogs import WireLogs

__all__ = ["COMMANDS", "cli", "describe", "run"]

# Name -> (module of this package, attribute, the one-line help shown by ``rtb --help``).
# The line is the first paragraph of the command's own help (a test keeps them equal).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "submit": (
        "submit",
        "submit",
        "Queue images (files, folders or URLs) with AddImageToQueue; optionally wait and download.",
    ),
    "status": (
        "images",
        "status",
        "Show the status of images (GetImageStatus; --generation legacy for generation 1).",
    ),
    "wait": (
        "images",
        "wait",
        "Wait until images are delivered (or on hold); exit 5 on --timeout.",
    ),
    "download": ("images", "download", "Download the results of delivered images."),
    "images": ("images", "images", "List the account's images, every page (GetImagesList)."),
    "products": (
        "images",
        "products",
        "List the account's product ids with their image counts (GetProductIdsList).",
    ),
    "templates": ("images", "templates", "List the account's templates (GetTemplates)."),
    "batch": (
        "batch",
        "batch",
        "Submit a CSV manifest of images exactly once and follow it through a journal.",
    ),
    "call": (
        "call",
        "call",
        "Call any operation of the service: `rtb call GetImageStatus --image-ticket T`.",
    ),
    "webhook": ("webhook", "webhook", "Receive the service's image notifications."),
    "sandbox": (
        "sandbox",
        "sandbox",
        "Run the local sandbox service (see `rtb sandbox --help`); needs the sandbox extra.",
    ),
    "config": ("config", "config", "Show and change the settings (profiles in the config file)."),
    "mcp": ("mcp", "mcp", "Serve the job to AI agents over MCP (stdio); needs the mcp extra."),
}


class RootGroup(click.Group):
    """The commands of :data:`COMMANDS`, each imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *sorted(c for c in self.commands if c not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attribute, _summary = entry
        command: click.Command = getattr(
            importlib.import_module(f".{module}", __package__), attribute
        )
        self.commands[cmd_name] = command
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            # click suggests from the commands loaded so far: here, from every command.
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # As click's own, from the table: listing the commands imports none of them.
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in COMMANDS:
                # A stand-in with the same help shortens it just as the command would.
                stand_in = click.Command(name, help=COMMANDS[name][2])
                rows.append((name, stand_in.get_short_help_str(limit)))
            else:
                rows.append((name, self.commands[name].get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class GenerationName(click.ParamType):  # type: ignore[type-arg]  # generic in click 8.5 only
    """A generation of the registry (``pixelz``, ``legacy``), checked when given."""

    name = "generation"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from .settings import GENERATIONS

        return click.Choice(GENERATIONS).convert(value, param, ctx)


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
    type=GenerationName(),
    metavar="NAME",
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
    help="service URL of the generation in use [env RTB_PIXELZ_ENDPOINT (RTB_ENDPOINT is "
    "its generation-2 alias) / RTB_LEGACY_ENDPOINT]",
)
@click.option(
    "--no-validate",
    "no_validate",
    is_flag=True,
    help="send values the client's rules would refuse (a value the service accepts but "
    "this release does not know yet); the service checks them",
)
@click.option(
    "--http-timeout",
    type=click.FloatRange(min=0.1, max=600),
    default=30.0,
    show_default=True,
    help="seconds to wait for each answer of the service",
)
@click.option(
    "--rate",
    "rates",
    multiple=True,
    metavar="KIND=N/s",
    help="limit a kind of call (queue, write or read) to N a second (N/min, N/h; "
    "',burst=B' for bursts), e.g. --rate queue=2/s --rate read=600/min; repeatable",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="log every request and answer to stderr (the API key and other secrets redacted)",
)
@click.option(
    "--otel",
    type=click.Choice(["console", "otlp", "global"]),
    envvar="RTB_OTEL",
    help="trace the command and its calls with OpenTelemetry: console (stderr), otlp "
    "(OTEL_EXPORTER_OTLP_* variables) or global (opentelemetry-instrument's) [env RTB_OTEL]",
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
    no_validate: bool,
    rates: tuple[str, ...],
    verbose: bool,
    otel: str | None,
    json_flag: bool,
) -> None:
    """Remove The Background / Pixelz from the command line.

    \b
    Submit a folder and get the cut-outs:
        rtb submit ./photos --template-id 1001 --wait --download ./cutouts
    Try it without an account against the local sandbox:
        rtb sandbox --port 8110 &
        export RTB_EMAIL=demo@example.com RTB_API_KEY=demo-key \\
               RTB_PIXELZ_ENDPOINT=http://127.0.0.1:8110/soap.asmx
    (RTB_ENDPOINT is an alias of RTB_PIXELZ_ENDPOINT, for generation 2 only;
    RTB_LEGACY_ENDPOINT is generation 1's. Python's PixelzClient.from_env() reads
    the same variables and config file.)

    Exit codes: 0 ok, 1 failed (e.g. an image on hold), 2 usage error, 3 service
    fault, 4 transport failure, 5 timeout, 130 interrupted.

    Shell completion: eval "$(_RTB_COMPLETE=bash_source rtb)" (zsh_source, fish_source).
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
            from . import settings

            try:
                gen = settings.resolve({"generation": None}, profile=profile).generation
            except settings.ConfigError as exc:
                raise CliError(str(exc), EXIT["usage"]) from None
        flags[f"{gen}_endpoint"] = endpoint
    ctx.obj = State(
        flags=flags,
        profile=profile,
        json_output=json_flag,
        timeout=http_timeout,
        validate=not no_validate,
        rate_limits=_rate_limits(rates),
    )
    if verbose:
        global _LOGS
        if _LOGS is None:
            from .wirelogs import WireLogs

            _LOGS = WireLogs()
        _LOGS.start(ctx.obj)


def _rate_limits(rates: tuple[str, ...]) -> Any:
    """``--rate`` options as the client's ``rate_limits=`` (None: no limiter)."""
    if not rates:
        return None
    from ..core.errors import InvalidParameterError
    from ..core.ratelimit import RateLimits

    try:
        return RateLimits.parse(rates)
    except InvalidParameterError as exc:
        raise CliError(f"--{exc}", EXIT["usage"]) from None


# --- -v: the envelope log on stderr (cli/wirelogs.py, imported on the first -v) --------------

_LOGS: WireLogs | None = None


# --- running ---------------------------------------------------------------------------------


def _fail(current: State | None, message: str, code: int) -> int:
    text = message if current is None else current.redact(message)
    text = " ".join(text.split())
    click.echo(f"error: {text}", err=True)
    return code


def run(argv: Sequence[str] | None = None) -> int:
    """Run ``rtb`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    global _TELEMETRY
    args = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get(COMPLETE_VAR):
        return _complete(os.environ[COMPLETE_VAR])
    code: int | None = None
    try:
        code = _run(args)
        return code
    finally:
        if _LOGS is not None:
            _LOGS.stop()
        telemetry = _TELEMETRY
        if telemetry is not None:
            _TELEMETRY = None
            telemetry.stop(code)


# --- --otel: the command's span (cli/telemetry.py, imported only with --otel) -----------------

_TELEMETRY: CommandTelemetry | None = None


def _trace(ctx: click.Context, exporter: str) -> None:
    global _TELEMETRY
    from .telemetry import CommandTelemetry, command_path

    rest = [*getattr(ctx, "_protected_args", ()), *ctx.args]
    _TELEMETRY = CommandTelemetry(exporter, command_path(cli, ctx, rest))


#: click's shell completion variable for ``rtb`` (``_RTB_COMPLETE=bash_source rtb``).
COMPLETE_VAR = "_RTB_COMPLETE"


def _complete(instruction: str) -> int:
    """click's shell completion (``bash_source``, ``bash_complete``, ``zsh_source`` ...)."""
    from click.shell_completion import shell_complete

    try:
        return shell_complete(cli, {}, "rtb", COMPLETE_VAR, instruction)
    except Exception:  # completion must never print a traceback into the shell
        return EXIT["failed"]


def _run(args: list[str]) -> int:
    ctx_state: list[State] = []
    try:
        with cli.make_context("rtb", args) as ctx:
            if isinstance(ctx.obj, State):
                ctx_state.append(ctx.obj)
            if ctx.params.get("otel"):
                _trace(ctx, ctx.params["otel"])
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
        return state()
    except RuntimeError:
        return None

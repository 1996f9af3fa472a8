"""``rtb call OPERATION --param value ...``: any operation of either generation.

The operations' commands are built from the generated wire facts
(:mod:`removethebackground.cli.operations`) only when one is named or listed
(``rtb call --list``): ``rtb call --help`` needs no generated code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from .context import EXIT, CliError, State, json_option, want_json
from .context import state as current_state

if TYPE_CHECKING:
    from ..core.wire import Operation

__all__ = ["call"]


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
        from .operations import SERVICES

        return sorted(SERVICES[self._generation(ctx)][0].operations)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The operations come from the generated code: name where to find them instead.
        with formatter.section("Operations"):
            formatter.write_dl(
                [
                    ("rtb call --list", "the operations of both generations"),
                    ("rtb call OPERATION --help", "the options of one operation"),
                ]
            )

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from .operations import SERVICES, find_operation, operation_command

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
        try:
            name, cmd, rest = super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            from .operations import suggest_operations

            wanted = exc.command_name
            close = suggest_operations(wanted, self._generation(ctx))
            hint = f" Did you mean {' or '.join(close)}?" if close else ""
            raise click.UsageError(
                f"No such operation {wanted!r}.{hint} (`rtb call --list` lists them all)", ctx
            ) from None
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
    state = current_state()
    want_json(json_flag)
    state.secrets.update(secrets)
    with state.client(generation) as client:
        result = getattr(client, op.python_name)(**values)
    if state.output.json:
        state.output.emit_json(result)
    else:
        state.output.result(result)
    return EXIT["ok"]


@click.group(cls=CallGroup, invoke_without_command=True, subcommand_metavar="OPERATION [--param v]")
@click.option("--list", "list_ops", is_flag=True, help="list the operations of both generations")
@json_option
@click.pass_context
def call(ctx: click.Context, list_ops: bool, json_flag: bool) -> int | None:
    """Call any operation of the service: `rtb call GetImageStatus --image-ticket T`.

    The options of each operation come from the service's WSDL: see
    `rtb call OPERATION --help`. Credentials are filled in from the account settings.
    Generation 1 operations: `rtb --generation legacy call getImageStatus ...`.
    """
    want_json(json_flag)
    if ctx.invoked_subcommand is not None:
        return None
    if not list_ops:
        click.echo(ctx.get_help())
        return EXIT["usage"]
    from .operations import operation_rows

    rows = operation_rows()
    out = current_state().output
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

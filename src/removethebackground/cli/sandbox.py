"""``rtb sandbox ...``: the local sandbox service, with its own options
(:func:`removethebackground.sandbox.server.main`; needs the ``sandbox`` extra)."""

from __future__ import annotations

import click

from .context import CliError

__all__ = ["run_sandbox", "sandbox"]


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def sandbox(args: tuple[str, ...]) -> int:
    """Run the local sandbox service (see `rtb sandbox --help`); needs the sandbox extra."""
    return run_sandbox(list(args))


def run_sandbox(args: list[str]) -> int:
    """The sandbox's own command line with ``args``; its exit code."""
    try:
        from ..sandbox.server import main as sandbox_main
    except ImportError:
        raise CliError(
            'the sandbox needs the sandbox extra: pip install ".[sandbox]" in the project\'s clone'
        ) from None
    return sandbox_main(args, prog="rtb sandbox")

"""The ``rtb`` command.

Subcommands:

- ``rtb sandbox [--host H] [--port P] [--data DIR] [--account EMAIL:KEY] [--step-seconds S]``:
  run the local sandbox of the service (both generations) until Ctrl+C. Needs the
  ``sandbox`` extra (``pip install 'removethebackground[sandbox]'``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rtb",
        description="Tools for the Remove The Background / Pixelz SOAP API client.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sandbox = commands.add_parser(
        "sandbox",
        help="run the local sandbox service (no account or internet needed)",
        description=(
            "Run the local Remove The Background / Pixelz sandbox: generation 2 at "
            "/soap.asmx, generation 1 at /legacy/soap.asmx, every binding of their WSDLs, "
            "real background removal. The demo account is demo@example.com / demo-key."
        ),
    )
    try:
        from .sandbox.server import add_arguments
    except ImportError:  # the sandbox extra is missing: keep --help working
        sandbox.set_defaults(missing_extra=True)
    else:
        add_arguments(sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "sandbox":
        if getattr(args, "missing_extra", False):
            print(
                "error: the sandbox needs the 'sandbox' extra: "
                "pip install 'removethebackground[sandbox]'",
                file=sys.stderr,
            )
            return 1
        from .sandbox.server import run

        return run(args)
    parser.error(f"unknown command {args.command!r}")
    return 2  # pragma: no cover - parser.error exits


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

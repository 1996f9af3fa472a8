"""The ``rtb`` command (also ``python -m removethebackground``).

Commands (``rtb COMMAND --help`` for each):

- ``rtb submit PATH_OR_URL... [--wait] [--download DIR]``: queue files, folders or URLs;
  optionally wait for them and download the cut-outs.
- ``rtb status TICKET...``, ``rtb wait TICKET...``, ``rtb download TICKET... --dest DIR``.
- ``rtb images`` (every page of GetImagesList), ``rtb products``, ``rtb templates``.
- ``rtb batch submit MANIFEST.csv | status JOURNAL | wait JOURNAL | download JOURNAL DIR``.
- ``rtb call OPERATION --param value ...``: any operation of either generation, built
  from the generated wire facts; ``rtb call --list`` lists them.
- ``rtb webhook serve``: receive, verify and print the service's notifications.
- ``rtb sandbox ...``: the local sandbox service (the ``sandbox`` extra).
- ``rtb config show | list | set KEY [VALUE] | unset KEY``: settings and profiles.

Settings come from flags, the environment and the config file, in that order (see
:mod:`removethebackground.cli.settings`). The API key is never printed, in any output
or error. Tables go to stdout for people; ``--json`` (on every command) prints JSON for
scripts. Progress bars go to stderr, and only when it is a terminal.

Exit codes:

====  =========================================================================
0     success
1     the work did not succeed (an image on hold, a download that failed, a
      missing extra)
2     usage error: unknown command or option, a bad value, no credentials,
      an unusable config file
3     the service answered with a fault (wrong key, unknown ticket, server fault)
4     transport failure: no usable answer (connection refused, bad HTTP status,
      malformed XML)
5     timeout: no answer within ``--http-timeout``, or ``--timeout`` ran out
      while waiting for images
130   interrupted (Ctrl+C)
====  =========================================================================

Errors are one line on stderr, ``error: ...``, saying what to do; never a traceback.
The commands need the ``cli`` extra (click, rich, platformdirs); without it ``rtb``
says ``pip install "removethebackground[cli]"`` (``rtb sandbox`` still works with only
the ``sandbox`` extra).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__

__all__ = ["MISSING_EXTRA", "build_parser", "main"]

MISSING_EXTRA = 'error: the rtb command needs the cli extra: pip install "removethebackground[cli]"'
_CLI_MODULES = frozenset({"click", "rich", "platformdirs", "markdown_it", "mdurl", "pygments"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``rtb`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        from .app import run
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in _CLI_MODULES:
            raise
        if args[:1] == ["sandbox"]:  # needs only the sandbox extra
            return _sandbox_without_cli(args[1:])
        print(MISSING_EXTRA, file=sys.stderr)
        return 1
    return run(args)


def _sandbox_without_cli(args: list[str]) -> int:
    try:
        from ..sandbox.server import main as sandbox_main
    except ImportError:
        print(
            "error: the sandbox needs the 'sandbox' extra: "
            "pip install 'removethebackground[sandbox]'",
            file=sys.stderr,
        )
        return 1
    return sandbox_main(args, prog="rtb sandbox")


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``rtb sandbox`` as earlier versions exposed it.

    ``rtb`` itself is a click application now; this stays for callers that parse
    ``["sandbox", ...]`` themselves.
    """
    parser = argparse.ArgumentParser(
        prog="rtb",
        description="Tools for the Remove The Background / Pixelz SOAP API client.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sandbox = commands.add_parser(
        "sandbox",
        help="run the local sandbox service (no account or internet needed)",
    )
    try:
        from ..sandbox.server import add_arguments
    except ImportError:  # the sandbox extra is missing: keep --help working
        sandbox.set_defaults(missing_extra=True)
    else:
        add_arguments(sandbox)
    return parser

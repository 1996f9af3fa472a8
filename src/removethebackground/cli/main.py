"""The ``rtb`` entry point (``python -m removethebackground`` too).

It imports nothing but the standard library until it runs, so that a missing ``cli``
extra is one line saying what to install rather than a traceback.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence

__all__ = ["INTERRUPTED", "MISSING_EXTRA", "main"]

# The package is installed from its clone (it is not published on PyPI): the message
# names the extra and the command that installs it there.
MISSING_EXTRA = (
    'error: the rtb command needs the cli extra: pip install ".[cli]" in the project\'s clone'
)
_CLI_MODULES = frozenset({"click", "rich", "markdown_it", "mdurl", "pygments"})


INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command that Ctrl-C stopped


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``rtb`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code.

    Ctrl-C at any moment, even while the command's modules are still being imported,
    ends it with ``error: interrupted`` and exit code 130, never a traceback.
    """
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # A second Ctrl-C, or a closed stderr, while saying so: still exit 130.
        with contextlib.suppress(BaseException):
            print("error: interrupted", file=sys.stderr)
        return INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
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
            "error: the sandbox needs the sandbox extra: "
            'pip install ".[sandbox]" in the project\'s clone',
            file=sys.stderr,
        )
        return 1
    return sandbox_main(args, prog="rtb sandbox")

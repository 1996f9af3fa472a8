"""``python -m removethebackground.sandbox``: run the local sandbox (see ``--help``)."""

from __future__ import annotations

from .server import main

raise SystemExit(main(prog="python -m removethebackground.sandbox"))

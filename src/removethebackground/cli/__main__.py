"""``python -m removethebackground.cli``: the ``rtb`` command."""

from __future__ import annotations

from . import main

raise SystemExit(main())

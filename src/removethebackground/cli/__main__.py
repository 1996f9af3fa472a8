"""``python -m removethebackground.cli``: the ``rtb`` command."""

from __future__ import annotations

from .main import main

raise SystemExit(main())

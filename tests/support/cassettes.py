"""The cassettes' request matching, as a predicate."""

from __future__ import annotations

from typing import Any


def cassette_matches(r1: Any, r2: Any) -> bool:
    """Whether the cassettes' matchers take two vcr requests for the same call."""
    from removethebackground.testing.cassettes import MATCHERS

    try:
        for matcher in MATCHERS.values():
            matcher(r1, r2)
    except AssertionError:
        return False
    return True

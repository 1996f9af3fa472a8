"""Exponential backoff: one rule for every wait between two tries.

Try *n* (1 for the first retry) waits up to ``first * factor ** (n - 1)`` seconds,
never more than ``cap``: the *bound*. With ``jitter`` (a fraction in ``[0, 1]``) the
wait is drawn uniformly from ``[bound * (1 - jitter), bound]``, so that many clients
that failed together do not come back together: ``jitter=1`` is "full jitter"
(anywhere in ``[0, bound]``), ``jitter=0`` waits exactly the bound.

::

    backoff = Backoff(0.25, cap=4.0, jitter=1.0)
    backoff.bound(3)                    # 1.0
    backoff.delay(3, random.random)     # uniform in [0, 1.0]
    for pause in backoff.delays():      # 0.25-ish, 0.5-ish, 1-ish, 2-ish, 4-ish, 4-ish, ...
        ...

The randomness is a callable returning a float in ``[0, 1)`` (``random.random`` by
default), injectable so that tests know every wait. Used by the retrying transport
(:meth:`~removethebackground.core.retry.RetryPolicy.delay`), the workflows' polling
(``wait_for``, ``Batch.wait``) and the sandbox's webhook retries.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .errors import InvalidParameterError

__all__ = ["Backoff"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with a cap and optional jitter; see the module documentation.

    Attributes:
        first: the first wait's bound in seconds (``>= 0``).
        cap: the largest bound in seconds (default: none).
        factor: how much the bound grows per try (``>= 1``).
        jitter: the fraction of each bound drawn at random, in ``[0, 1]``.
    """

    first: float
    cap: float = math.inf
    factor: float = 2.0
    jitter: float = 0.0

    def __post_init__(self) -> None:
        for name, low in (("first", 0.0), ("cap", 0.0), ("factor", 1.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
                raise InvalidParameterError(name, f"must be a number of seconds, got {value!r}")
            if value < low:
                raise InvalidParameterError(name, f"must be at least {low:g}, got {value!r}")
        jitter = self.jitter
        if (
            isinstance(jitter, bool)
            or not isinstance(jitter, (int, float))
            or not 0.0 <= jitter <= 1.0
        ):
            raise InvalidParameterError(
                "jitter", f"must be a fraction in [0, 1] (0: none, 1: full), got {jitter!r}"
            )

    def bound(self, attempt: int) -> float:
        """The longest wait before try ``attempt`` (1 for the first retry)."""
        if attempt < 1:
            raise InvalidParameterError("attempt", f"tries count from 1, got {attempt!r}")
        if self.first == 0:
            return 0.0
        try:
            grown = self.first * self.factor ** (attempt - 1)
        except OverflowError:  # a very long run of tries: the cap has long been reached
            grown = math.inf
        return min(self.cap, grown)

    def delay(self, attempt: int, draw: Callable[[], float] = random.random) -> float:
        """The wait before try ``attempt``: the bound, less up to ``jitter`` of it at random."""
        bound = self.bound(attempt)
        if not self.jitter or not bound or math.isinf(bound):
            return bound
        return bound * (1.0 - self.jitter) + bound * self.jitter * draw()

    def delays(self, draw: Callable[[], float] = random.random) -> Iterator[float]:
        """The waits before try 1, 2, 3 ... (endless: the caller decides when to stop)."""
        attempt = 1
        while True:
            yield self.delay(attempt, draw)
            attempt += 1

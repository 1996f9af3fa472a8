"""The sandbox's clock: wall time that tests can freeze and move forward.

Image statuses move on this clock (one status step every ``step_seconds``), and
creation dates, date filters and deadlines are read from it. In a running
``rtb sandbox`` the clock follows wall time. In tests it is usually *frozen*: time
stands still until the test calls :meth:`SandboxClock.advance` (through
``SandboxHandle.advance``, which also waits until the sandbox has caught up), so a
test sees each status change immediately and deterministically, without sleeping.
:meth:`SandboxClock.advance` works on a running clock too: it adds an offset.
"""

from __future__ import annotations

import datetime
import threading
import time

from .validation import DATETIME_FORMAT

__all__ = ["SandboxClock", "format_time"]


def format_time(timestamp: float) -> str:
    """A clock reading as the service writes times: ``yyyy-MM-dd HH:mm:ss`` in UTC."""
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime(DATETIME_FORMAT)


class SandboxClock:
    """Seconds since the Unix epoch (UTC), as a float.

    Args:
        frozen: if true, time does not pass on its own; only :meth:`advance` moves it.
        start: the time to start at (default: now).
    """

    def __init__(self, *, frozen: bool = False, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen = frozen
        self._base = time.time() if start is None else float(start)
        self._wall_base = time.time()
        self._offset = 0.0

    @property
    def frozen(self) -> bool:
        return self._frozen

    def now(self) -> float:
        with self._lock:
            if self._frozen:
                return self._base + self._offset
            return self._base + (time.time() - self._wall_base) + self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (not backward); returns the new time."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError("seconds must be a number")
        if not seconds >= 0:
            raise ValueError("the sandbox clock only moves forward: seconds must be >= 0")
        with self._lock:
            self._offset += float(seconds)
        return self.now()

    def __repr__(self) -> str:
        kind = "frozen" if self._frozen else "running"
        return f"SandboxClock({kind}, now={self.now():.3f})"

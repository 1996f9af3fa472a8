"""``rtb -v``: the envelope log and the client's notes on stderr, redacted once more.

Imported only when ``-v`` is given, so that ``rtb --help`` and plain runs do not pay
for :mod:`logging`.
"""

from __future__ import annotations

import logging
import sys

from .context import State

__all__ = ["WireLogs"]


class WireLogs:
    """``-v``: the ``removethebackground.wire`` log (envelopes, already redacted by
    :mod:`removethebackground.core.wirelog`) and the client's own notes on stderr, each
    line redacted once more with the run's secrets; undone when the run ends."""

    _NAMES = ("removethebackground", "removethebackground.wire")

    def __init__(self) -> None:
        self._handler: logging.Handler | None = None
        self._levels: dict[str, int] = {}

    def start(self, current: State) -> None:
        if self._handler is not None:
            return

        class Redacting(logging.Formatter):
            def format(self, record: logging.LogRecord) -> str:
                return current.redact(super().format(record))

        def ours(record: logging.LogRecord) -> bool:
            # The client's notes and the envelopes; not, say, an in-process sandbox's log.
            return record.name in self._NAMES

        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(Redacting("%(name)s: %(message)s"))
        handler.addFilter(ours)
        for name, level in zip(self._NAMES, (logging.INFO, logging.DEBUG), strict=True):
            logger = logging.getLogger(name)
            self._levels[name] = logger.level
            logger.setLevel(level)
        logging.getLogger(self._NAMES[0]).addHandler(handler)
        self._handler = handler

    def stop(self) -> None:
        if self._handler is None:
            return
        logging.getLogger(self._NAMES[0]).removeHandler(self._handler)
        for name, level in self._levels.items():
            logging.getLogger(name).setLevel(level)
        self._handler, self._levels = None, {}

"""Choosing a journal backend: :func:`open_journal`, the one place a backend is picked.

Each backend implements :class:`~.journal.Journal` in a module of its own
(:mod:`.sqlite`, :mod:`.postgres`) and gets a branch here, selected by its URL scheme;
the interface module never imports a backend.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from ...core.errors import InvalidParameterError
from .journal import Journal, JournalSpec

__all__ = ["open_journal"]

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def open_journal(
    spec: JournalSpec,
    *,
    account: str = "",
    durable: bool = True,
    clock: Callable[[], float] | None = None,
) -> Journal:
    """The journal ``spec`` names: the one place a backend is chosen.

    * a :class:`Journal`: used as it is (``account``, ``durable`` and ``clock`` are
      the caller's business then);
    * a path: an SQLite file (created if missing), see :class:`~.sqlite.SQLiteJournal`;
    * ``postgresql://...`` (or ``postgres://``): a PostgreSQL database shared by any
      number of runners, see :class:`~.postgres.PostgresJournal` (the ``postgres`` extra);
      another ``<scheme>://`` is refused, naming only the scheme.

    ``account`` is recorded when the journal is created; ``durable`` fsyncs every
    commit; ``clock`` (seconds) stamps the rows, for tests.
    """
    if isinstance(spec, (str, os.PathLike)):
        found = _SCHEME.match(os.fspath(spec))
        if found:
            if found.group(1).lower() in ("postgresql", "postgres"):
                from .postgres import PostgresJournal

                return PostgresJournal(
                    os.fspath(spec), account=account, durable=durable, clock=clock
                )
            # The URL itself may carry a password: only its scheme is named.
            raise InvalidParameterError(
                "journal",
                f"{found.group(1)}:// journals are not available: give the path of a "
                "journal file (e.g. shoes.rtb-journal) or a postgresql:// URL",
            )
        from .sqlite import SQLiteJournal

        return SQLiteJournal(spec, account=account, durable=durable, clock=clock)
    if isinstance(spec, Journal):
        return spec
    raise InvalidParameterError(
        "journal",
        f"expected the path of a journal file or a Journal, got {type(spec).__name__}",
    )

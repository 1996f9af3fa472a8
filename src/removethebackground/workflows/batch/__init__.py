"""Batches: a manifest of images submitted exactly once, resumable (:class:`Batch`).

One module per concern:

=====================  ==========================================================================
:mod:`.manifest`       reading and checking the manifest's rows, streamed
:mod:`.journal`        the :class:`Journal` interface, its semantics, and :func:`open_journal`
:mod:`.sqlite`         :class:`SQLiteJournal`: the journal in an SQLite file (WAL)
:mod:`.runner`         :class:`Batch`: submit (reconciling before resending), status, wait,
                       download
=====================  ==========================================================================

See :mod:`.runner` for how a batch is run and what exactly-once rests on.
"""

from __future__ import annotations

from ..errors import BatchError
from .journal import Journal, JournalRow, JournalSpec, JournalTally, Selection, open_journal
from .manifest import MANIFEST_COLUMNS, Manifest, ManifestRow, read_manifest
from .runner import Batch, BatchRow, BatchSummary
from .sqlite import SQLiteJournal

__all__ = [
    "MANIFEST_COLUMNS",
    "Batch",
    "BatchError",
    "BatchRow",
    "BatchSummary",
    "Journal",
    "JournalRow",
    "JournalSpec",
    "JournalTally",
    "Manifest",
    "ManifestRow",
    "SQLiteJournal",
    "Selection",
    "open_journal",
    "read_manifest",
]

"""Batches: a manifest of images submitted exactly once, resumable (:class:`Batch`).

One module per concern:

=====================  ==========================================================================
:mod:`.manifest`       reading and checking the manifest's rows, streamed
:mod:`.journal`        the :class:`Journal` interface and its semantics
:mod:`.backends`       :func:`open_journal`: the backend a journal spec names
:mod:`.sqlite`         :class:`SQLiteJournal`: the journal in an SQLite file (WAL)
:mod:`.postgres`       the journal in a PostgreSQL database, shared by many workers
:mod:`.sql`            what the two SQL backends say alike (selections, claim checks)
:mod:`.spend`          :class:`Quote`: what a submit queues and costs; the guard; the config
                       file's prices
:mod:`.buckets`        rate-limit buckets in the journal, shared by every process on it
:mod:`.follow`         learning statuses from GetImagesList pages and notifications
:mod:`.results`        results before they expire: the retention, checking a file
:mod:`.progress`       :class:`Progress`: rows per state, rates, ETAs, spend, expiry
:mod:`.runner`         :class:`Batch`: submit (reconciling before resending), status, wait,
                       download
=====================  ==========================================================================

See :mod:`.runner` for how a batch is run and what exactly-once rests on.
"""

from __future__ import annotations

from ..errors import BatchError
from .backends import open_journal
from .journal import Journal, JournalRow, JournalSpec, JournalTally, Selection
from .manifest import MANIFEST_COLUMNS, Manifest, ManifestRow, read_manifest
from .progress import Progress
from .runner import Batch, BatchRow, BatchSummary
from .spend import DEFAULT_CONFIRM_OVER, Quote, SpendRefused
from .sqlite import SQLiteJournal

__all__ = [
    "DEFAULT_CONFIRM_OVER",
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
    "Progress",
    "Quote",
    "SQLiteJournal",
    "Selection",
    "SpendRefused",
    "open_journal",
    "read_manifest",
]

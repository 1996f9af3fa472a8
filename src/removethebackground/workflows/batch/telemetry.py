"""What a :class:`~.runner.Batch` tells the process's observer: its work and its counts.

Through the core's seam (:mod:`removethebackground.core.observe`): with no observer
set (the default) each function below is one check. With
:func:`removethebackground.plugins.otel.instrument` they become spans (``Batch.submit``,
``Batch.status``, ``Batch.wait``, ``Batch.download``) and the metrics named here:

* ``removethebackground.batch.rows``: rows by ``removethebackground.batch.state``
  (``pending``, ``unknown``, ``submitted``, ``failed``, ``downloaded``), the journal's
  own count (a gauge: workers of one journal report the same rows);
* ``removethebackground.batch.images``: submitted images by
  ``removethebackground.image.status`` (``Delivered`` ...);
* ``removethebackground.batch.queued`` and ``removethebackground.batch.spend``: images
  the journal learnt were queued, and what they cost at ``price_per_image``;
* ``removethebackground.batch.row.duration``: seconds per row by
  ``removethebackground.batch.phase`` (``submit``, ``reconcile``, ``status``,
  ``download``) and ``removethebackground.outcome``; its count's rate is the throughput.

Each carries ``removethebackground.batch.id``. Nothing of a row's content (its image,
its ids, its error) is reported.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, ParamSpec, Protocol, TypeVar

from ...core import observe

__all__ = ["BatchTelemetry", "observed"]


class Counts(Protocol):
    """The counts of a :class:`~.runner.BatchSummary` reported."""

    @property
    def total(self) -> int: ...
    @property
    def pending(self) -> int: ...
    @property
    def unknown(self) -> int: ...
    @property
    def submitted(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def downloaded(self) -> int: ...
    @property
    def by_status(self) -> Mapping[str, int]: ...


class BatchTelemetry:
    """The reports of one batch (``batch_id``)."""

    __slots__ = ("_base", "_statuses", "prices")

    def __init__(self, batch_id: str) -> None:
        self._base: dict[str, str] = {"removethebackground.batch.id": str(batch_id)}
        #: The submit's prices by template id (for the spend metric).
        self.prices: Mapping[str, Decimal] = {}
        self._statuses: set[str] = set()  # reported so far: a status no row has left is 0

    @contextmanager
    def work(self, name: str, **attributes: str | int) -> Iterator[dict[str, Any]]:
        """A span of work ``Batch.<name>``; the dict yielded takes attributes for its end."""
        ended: dict[str, Any] = {}
        if observe.observer is None:
            yield ended
            return
        with observe.work(f"Batch.{name}", {**self._base, **attributes}, ended):
            yield ended

    def summary(self, summary: Counts, ended: dict[str, Any] | None = None) -> None:
        """Report the journal's counts (and put them on the work's span)."""
        if observe.observer is None:
            return
        states = {
            "pending": summary.pending,
            "unknown": summary.unknown,
            "submitted": summary.submitted,
            "failed": summary.failed,
            "downloaded": summary.downloaded,
        }
        for state, count in states.items():
            observe.measure(
                "removethebackground.batch.rows",
                count,
                {**self._base, "removethebackground.batch.state": state},
            )
        by_status = dict.fromkeys(self._statuses, 0) | dict(summary.by_status)
        self._statuses.update(by_status)
        for status, count in by_status.items():
            observe.measure(
                "removethebackground.batch.images",
                count,
                {**self._base, "removethebackground.image.status": status},
            )
        if ended is not None:
            ended["removethebackground.batch.rows.total"] = summary.total
            for state, count in states.items():
                ended[f"removethebackground.batch.rows.{state}"] = count

    def row(self, phase: str, outcome: str, started: float) -> None:
        """One row's work ended (``started``: :func:`time.perf_counter` at its start)."""
        if observe.observer is None:
            return
        observe.measure(
            "removethebackground.batch.row.duration",
            time.perf_counter() - started,
            {
                **self._base,
                "removethebackground.batch.phase": phase,
                "removethebackground.outcome": outcome,
            },
        )

    def queued(self, template_id: str) -> None:
        """The journal learnt that a row's image was queued (with ``template_id``)."""
        if observe.observer is None:
            return
        observe.measure("removethebackground.batch.queued", 1, self._base)
        price = self.prices.get(template_id)
        if price is not None:
            observe.measure("removethebackground.batch.spend", float(price), self._base)


P = ParamSpec("P")
R = TypeVar("R")


def observed(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Make a method of :class:`~.runner.Batch` a span of work ``Batch.<name>`` that
    ends with the journal's counts (one check when no observer is set)."""

    def wrap(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            if observe.observer is None:
                return method(*args, **kwargs)
            batch: Any = args[0]
            telemetry: BatchTelemetry = batch._telemetry
            with telemetry.work(name) as ended:
                try:
                    return method(*args, **kwargs)
                finally:
                    try:
                        telemetry.summary(batch.summary(), ended)
                    except Exception as exc:  # a closed journal: no counts, the work's end stands
                        ended["removethebackground.batch.counts"] = type(exc).__name__

        return run

    return wrap

"""Progress of a long batch: rows per state, rates, ETAs, spend so far and the results
due to expire (:class:`Progress`, made by ``Batch.progress``).

Everything is counted by the journal from the rows' times (:class:`~.journal.JournalPace`),
so a progress costs a few queries whatever the batch's size, and any machine reading
the journal (a PostgreSQL one too) sees the same.

* **Rates** are rows per minute over the last ``window`` seconds (15 minutes by default):
  rows *queued* (ticket recorded), *settled* (a terminal status first read, or failed)
  and *downloaded* (files written and verified). A batch younger than the window is
  measured over its own age (since the first such row; a minute at least, so that a
  burst does not read as a rate); ``None`` until the first such row.
* **ETAs** divide what is left by the rate: ``queued`` the rows not queued yet
  (pending and unknown), ``settled`` the rows not settled, ``downloaded`` the Delivered
  rows not downloaded. ``None`` without a rate, ``0`` when nothing is left.
* **Spend so far** prices the queued rows per template with the prices given
  (:func:`~.spend.check_prices`), else the config file's ``[prices]`` (in its
  currency); ``None`` when a template queued has no price.
* **Expiry**: of the Delivered rows not downloaded, ``expired`` are past the retention
  (counted from ``ready_since``, see :mod:`.results`) and ``expiring`` expire within
  ``expiring_within`` seconds (expired ones not included).

:meth:`Progress.to_json` is the shape ``rtb batch status --json`` prints under
``"progress"`` (documented in the docs' *Large catalogues* chapter; keys are only
ever added).
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from .journal import EVENTS, JournalPace, JournalTally
from .spend import make_quote

__all__ = ["DEFAULT_WINDOW", "Progress", "format_duration", "iso_time", "make_progress"]

#: Rates are measured over this many seconds (the last 15 minutes).
DEFAULT_WINDOW: Final = 15 * 60.0


def iso_time(timestamp: float | None) -> str | None:
    """A clock reading as ISO 8601 in UTC (``2026-12-07T21:05:00Z``), ``None`` for none."""
    if timestamp is None:
        return None
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def format_duration(seconds: float) -> str:
    """``42s``, ``14m``, ``3h05m``, ``2d04h``: a short duration for people."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


@dataclasses.dataclass(frozen=True, slots=True)
class Progress:
    """Where a batch stands (see the module documentation for each number)."""

    at: float
    total: int
    pending: int
    unknown: int
    submitted: int
    failed: int
    by_status: Mapping[str, int]
    settled: int
    downloaded: int
    delivered: int
    window: float
    rates: Mapping[str, float | None]
    etas: Mapping[str, float | None]
    queued_by_template: Mapping[str, int]
    spend: Decimal | None
    unpriced: tuple[str, ...]
    priced: bool
    retention: float
    expiring_within: float
    expiring: int
    expired: int
    next_expiry: float | None
    currency: str = ""

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape (keys are only ever added)."""
        return {
            "at": iso_time(self.at),
            "rows": {
                "total": self.total,
                "pending": self.pending,
                "unknown": self.unknown,
                "submitted": self.submitted,
                "failed": self.failed,
                "settled": self.settled,
                "delivered": self.delivered,
                "downloaded": self.downloaded,
            },
            "statuses": dict(self.by_status),
            "window_seconds": self.window,
            "rate_per_minute": {k: _round(v) for k, v in self.rates.items()},
            "eta_seconds": {k: _round(v) for k, v in self.etas.items()},
            "spend": {
                "queued_by_template": dict(self.queued_by_template),
                "cost": None if self.spend is None else str(self.spend),
                "currency": self.currency or None,
                "unpriced": list(self.unpriced) if self.priced else None,
            },
            "expiry": {
                "retention_seconds": self.retention,
                "within_seconds": self.expiring_within,
                "expiring": self.expiring,
                "expired": self.expired,
                "next_expiry": iso_time(self.next_expiry),
            },
        }

    def _money(self, amount: Decimal) -> str:
        return _money_text(amount, self.currency)

    def line(self, event: str = "settled") -> str:
        """One line for a progress bar, its rate and ETA those of ``event``."""
        parts = [f"{self.settled}/{self.total} settled"]
        if self.downloaded:
            parts.append(f"{self.downloaded} downloaded")
        rate = self.rates.get(event)
        if rate is not None:
            parts.append(f"{rate:.1f} {event}/min")
        eta = self.etas.get(event)
        if eta is not None and eta > 0:
            parts.append(f"ETA {format_duration(eta)}")
        if self.spend is not None:
            parts.append(f"spent {self._money(self.spend)}")
        if self.expired:
            parts.append(f"{self.expired} expired")
        if self.expiring:
            parts.append(f"{self.expiring} expiring")
        return ", ".join(parts)

    def __str__(self) -> str:
        statuses = ", ".join(f"{k} {v}" for k, v in self.by_status.items()) or "none yet"
        lines = [
            f"rows: {self.total} in all; {self.pending} pending, {self.unknown} unknown, "
            f"{self.submitted} submitted, {self.failed} failed; statuses: {statuses}; "
            f"{self.settled} settled, {self.downloaded} downloaded",
        ]
        rates = []
        for event in EVENTS:
            rate = self.rates.get(event)
            if rate is None:
                continue
            eta = self.etas.get(event)
            left = "" if eta is None else f" (ETA {format_duration(eta)})"
            rates.append(f"{rate:.1f} {event}/min{left}")
        window = format_duration(self.window)
        lines.append(f"rate over the last {window}: " + ("; ".join(rates) or "nothing yet"))
        if self.spend is not None:
            queued = sum(self.queued_by_template.values())
            lines.append(f"spend so far: {self._money(self.spend)} for {queued}")
        elif self.priced and self.unpriced:
            names = ", ".join(t or "the default template" for t in self.unpriced)
            lines.append(f"spend so far: unknown (no price for {names})")
        within = format_duration(self.expiring_within)
        text = f"results: {self.expiring} expire within {within}, {self.expired} expired"
        if self.next_expiry is not None:
            text += f"; the next at {iso_time(self.next_expiry)}"
        lines.append(text + f" (retention {format_duration(self.retention)})")
        return "\n".join(lines)


def _money_text(amount: Decimal, currency: str) -> str:
    return f"{amount} {currency}" if currency else str(amount)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def make_progress(
    tally: JournalTally,
    pace: JournalPace,
    *,
    now: float,
    window: float,
    retention: float,
    expiring_within: float,
    labels: Mapping[int | None, str],
    terminal: frozenset[int],
    delivered_id: int,
    prices: dict[str, Decimal] | Decimal | None,
    currency: str = "",
) -> Progress:
    """The progress from the journal's counts (``labels``: a status id's name)."""
    states = tally.states
    pending = states.get("pending", 0)
    unknown = states.get("submitting", 0)
    submitted = states.get("submitted", 0)
    failed = states.get("failed", 0)
    total = sum(states.values())
    by_status: dict[str, int] = {}
    for status_id, n in tally.statuses.items():
        name = labels.get(status_id) or f"Status {status_id}"
        by_status[name] = by_status.get(name, 0) + n
    settled = failed + sum(n for i, n in tally.statuses.items() if i in terminal)
    delivered = tally.statuses.get(delivered_id, 0)
    rates: dict[str, float | None] = {}
    for event in EVENTS:
        first = pace.first.get(event)
        recent = pace.recent.get(event, 0)
        # A batch younger than the window is measured over its own age, a minute at least.
        span = max(min(window, now - first), min(window, 60.0)) if first is not None else 0.0
        rates[event] = recent / span * 60.0 if recent and span > 0 else None
    left = {
        "queued": pending + unknown,
        "settled": total - settled,
        "downloaded": max(0, delivered - tally.downloaded),
    }
    etas: dict[str, float | None] = {}
    for event, count in left.items():
        rate = rates.get(event)
        etas[event] = 0.0 if count == 0 else (None if not rate else count / rate * 60.0)
    quote = make_quote(
        itertools.chain.from_iterable(
            itertools.repeat(t, n) for t, n in pace.queued_by_template.items()
        ),
        prices,
    )
    return Progress(
        at=now,
        total=total,
        pending=pending,
        unknown=unknown,
        submitted=submitted,
        failed=failed,
        by_status=dict(sorted(by_status.items())),
        settled=settled,
        downloaded=tally.downloaded,
        delivered=delivered,
        window=window,
        rates=rates,
        etas=etas,
        queued_by_template=dict(pace.queued_by_template),
        spend=quote.cost if prices is not None else None,
        unpriced=quote.unpriced,
        priced=prices is not None,
        retention=retention,
        expiring_within=expiring_within,
        expiring=pace.expiring - pace.expired,
        expired=pace.expired,
        next_expiry=None if pace.next_ready is None else pace.next_ready + retention,
        currency=currency if prices is not None else "",
    )

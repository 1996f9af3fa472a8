"""Rate limits per kind of call: :class:`RateLimits` and :class:`RateLimitedTransport`.

Every call is of one kind, from the generated operation's facts:

* ``"queue"``: it changes state and has an outcome lookup (the calls that queue an
  image: ``AddImage*``, ``Add*WithCustomerImageId`` ...);
* ``"write"``: any other call that changes state (templates, products, deletions);
* ``"read"``: a call that changes nothing (``GetImageStatus``, ``GetImagesList`` ...).

:class:`RateLimits` gives a kind a :class:`Rate` (calls per second and a burst). The
limiter is a token bucket kept as a GCRA (one "theoretical arrival time" per kind),
so its state is one number per kind and a take is one atomic read-modify-write:
what a shared store (a journal's table) can hold as well. The state lives behind
:class:`BucketStore`; :class:`LocalBuckets` is the in-process one (a lock, thread-safe).

**The call's deadline.** A call waits for its token within its budget
(:mod:`removethebackground.core.deadline`): the wait spends it, and a call whose
token would come later than what is left of its deadline takes none and raises
:class:`~removethebackground.core.errors.TransportTimeout` at once, naming the kind,
the wait and the option.

**429 and Retry-After.** An answer ``429`` (or ``503`` with a ``Retry-After``) pauses
that kind for every caller of the client, until the time the header asks (or
:attr:`RateLimits.pause` seconds without one); calls of the kind started meanwhile
wait for the pause's end (within their deadline), and then go at the kind's rate.
The answer itself goes back to the retry policy as before (which retries reads).

Off by default: a client without ``rate_limits=`` has no limiter in its transport at
all. ``rate_limits=RateLimits()`` (no rates) keeps only the shared 429 pauses.

**Shared buckets.** :meth:`RateLimitedTransport.sharing` makes a limiter take from
another store for a while (a batch's journal: its tables, see
:mod:`removethebackground.workflows.batch.buckets`), so the limits hold for every
process on it; every store applies the same arithmetic, :func:`gcra_take`.
:meth:`RateLimits.configured` reads the config file's ``[rates]`` table.
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from ..bindings.base import CallContext
from . import deadline as _deadline
from .errors import InvalidParameterError, TransportTimeout
from .http import HttpAnswer, HttpRequest
from .retry import MIN_ATTEMPT, _retry_after
from .transport import Transport
from .wire import Operation

__all__ = [
    "KINDS",
    "AsyncRateLimitedTransport",
    "BucketStore",
    "LocalBuckets",
    "Rate",
    "RateLimitedTransport",
    "RateLimits",
    "check_rate_limits",
    "find_limiter",
    "gcra_take",
    "kind_of",
    "parse_rate",
]

KINDS = ("queue", "write", "read")


def kind_of(op: Operation[Any]) -> str:
    """The kind of ``op``: ``"queue"``, ``"write"`` or ``"read"`` (see the module)."""
    if not op.changes_state:
        return "read"
    return "queue" if op.outcome_lookup is not None else "write"


@dataclass(frozen=True, slots=True)
class Rate:
    """``per_second`` calls a second on average, at most ``burst`` at once."""

    per_second: float
    burst: int = 1

    def __post_init__(self) -> None:
        value = self.per_second
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidParameterError("rate_limits", f"a rate of {value!r} is not a number")
        if not 0 < value <= 1e6 or math.isnan(value):
            raise InvalidParameterError(
                "rate_limits", f"a rate of {value!r} calls a second is not in (0, 1e6]"
            )
        burst = self.burst
        if isinstance(burst, bool) or not isinstance(burst, int) or not 1 <= burst <= 1_000_000:
            raise InvalidParameterError(
                "rate_limits", f"burst={burst!r} is not a whole number of calls in 1..1000000"
            )


_RATE = re.compile(
    r"^\s*(?P<kind>[a-z]+)\s*=\s*(?P<n>\d+(?:\.\d+)?)\s*/\s*(?P<unit>s|min|h)"
    r"\s*(?:,\s*burst\s*=\s*(?P<burst>\d+))?\s*$"
)
_UNITS = {"s": 1.0, "min": 60.0, "h": 3600.0}


def parse_rate(text: str) -> tuple[str, Rate]:
    """``"queue=2/s"``, ``"read=600/min,burst=20"``: the kind and its :class:`Rate`."""
    found = _RATE.match(text) if isinstance(text, str) else None
    if found is None or found["kind"] not in KINDS:
        raise InvalidParameterError(
            "rate",
            f"{text!r} is not KIND=N/s, N/min or N/h (optionally ',burst=B') with KIND one "
            f"of {', '.join(KINDS)}: e.g. 'queue=2/s' or 'read=600/min,burst=20'",
        )
    per_second = float(found["n"]) / _UNITS[found["unit"]]
    burst = int(found["burst"]) if found["burst"] else 1
    return found["kind"], Rate(per_second, burst)


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Rates per kind of call (``"queue"``, ``"write"``, ``"read"``); a kind without a
    rate is not limited (a 429 still pauses it).

    Attributes:
        rates: kind to :class:`Rate`, or to a number of calls a second (burst 1).
        pause: seconds a 429 without a usable ``Retry-After`` pauses its kind.
        max_pause: the longest pause a ``Retry-After`` can ask for.
    """

    rates: Mapping[str, Rate] = field(default_factory=dict)
    pause: float = 1.0
    max_pause: float = 600.0

    def __post_init__(self) -> None:
        if not isinstance(self.rates, Mapping):
            raise InvalidParameterError(
                "rate_limits", f"rates must map a kind to a Rate, got {self.rates!r}"
            )
        checked: dict[str, Rate] = {}
        for kind, rate in self.rates.items():
            if kind not in KINDS:
                raise InvalidParameterError(
                    "rate_limits", f"{kind!r} is not a kind of call: use one of {', '.join(KINDS)}"
                )
            checked[kind] = rate if isinstance(rate, Rate) else Rate(rate)
        object.__setattr__(self, "rates", MappingProxyType(checked))
        for name in ("pause", "max_pause"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidParameterError("rate_limits", f"{name}={value!r} is not seconds")
            if not 0 <= value <= 1e6:
                raise InvalidParameterError("rate_limits", f"{name}={value} is not in [0, 1e6]")

    @classmethod
    def parse(cls, texts: Iterable[str]) -> RateLimits:
        """From ``KIND=N/s`` texts (see :func:`parse_rate`), as the CLI's ``--rate``."""
        return cls(dict(parse_rate(text) for text in texts))

    @classmethod
    def configured(
        cls, extra: Iterable[str] = (), environ: Mapping[str, str] | None = None
    ) -> RateLimits | None:
        """The ``[rates]`` table of the config file (``RTB_CONFIG``, or ``config.toml``
        in the user's config directory), with ``extra`` ``KIND=N/s`` texts winning per
        kind (``rtb --rate``); ``None`` when neither sets a rate::

            [rates]
            queue = "2/s"
            read = "600/min,burst=20"
            pause = 5          # seconds a 429 without Retry-After pauses its kind
        """
        from .settings import config_path, read_table

        table = read_table("rates", environ)
        where = f"in the config file {config_path(environ)}"
        rates: dict[str, Rate] = {}
        options: dict[str, float] = {}
        for key, value in table.items():
            if key in ("pause", "max_pause"):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise InvalidParameterError(
                        f"[rates] {key}", f"must be seconds (a number), got {value!r} {where}"
                    )
                options[key] = float(value)
                continue
            if key not in KINDS:
                raise InvalidParameterError(
                    f"[rates] {key}",
                    f"is not a kind of call: use {', '.join(KINDS)}, pause or max_pause ({where})",
                )
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise InvalidParameterError(
                    f"[rates] {key}", f'must be a rate such as "2/s", got {value!r} {where}'
                )
            text = f"{value}/s" if isinstance(value, (int, float)) else value
            try:
                rates[key] = parse_rate(f"{key}={text}")[1]
            except InvalidParameterError as exc:
                message = str(exc).removeprefix(f"{exc.parameter}: ")
                raise InvalidParameterError(f"[rates] {key}", f"{message} ({where})") from None
        rates.update(dict(parse_rate(text) for text in extra))
        if not rates and not options:
            return None
        return cls(rates, **options)


def check_rate_limits(value: object) -> RateLimits | None:
    """The client's ``rate_limits=``: a :class:`RateLimits`, a mapping of kinds to
    rates (a :class:`Rate`, a number of calls a second or a ``"N/s"`` text), or None."""
    if value is None or isinstance(value, RateLimits):
        return value
    if isinstance(value, Mapping):
        rates: dict[str, Rate] = {}
        for kind, rate in value.items():
            if isinstance(rate, str):
                kind, rate = parse_rate(f"{kind}={rate}")
            rates[kind] = rate
        return RateLimits(rates)
    raise InvalidParameterError(
        "rate_limits",
        f"expected a RateLimits or a mapping such as {{'queue': '2/s'}}, got {value!r}",
    )


class BucketStore(Protocol):
    """Where the buckets' state lives: one process (:class:`LocalBuckets`) or a store
    shared by many workers (a journal's table). Each method is atomic.

    Times are the limiter's clock's (``now``): a store shared between processes or
    machines needs a clock they all share, so give its limiter ``clock=time.time``
    (or let the store read its database's clock and ignore ``now``)."""

    def take(self, kind: str, rate: Rate | None, now: float, max_wait: float) -> float | None:
        """Reserve the next token of ``kind``: the seconds to wait for it from ``now``
        (0: at once), or ``None``, reserving nothing, when that is over ``max_wait``."""

    def pause(self, kind: str, until: float) -> None:
        """No token of ``kind`` before ``until`` (a later pause than one set wins)."""


def gcra_take(
    tat: float | None, paused: float | None, rate: Rate | None, now: float, max_wait: float
) -> tuple[float | None, float | None]:
    """One take from a bucket whose state is ``tat`` (its theoretical arrival time,
    ``None``: never taken) and ``paused`` (no token before it, ``None``: no pause).

    Returns the seconds to wait from ``now`` (``None`` when over ``max_wait``: nothing
    reserved) and the new ``tat`` to store. The one piece of arithmetic every
    :class:`BucketStore` applies inside its atomic read-modify-write."""
    start = now if paused is None else max(now, paused)
    if rate is None:
        wait = start - now
        return (wait if wait <= max_wait else None), tat
    interval = 1.0 / rate.per_second
    new_tat = max(start if tat is None else tat, start) + interval
    wait = max(start - now, new_tat - rate.burst * interval - now, 0.0)
    if wait > max_wait:
        return None, tat
    return wait, new_tat


class LocalBuckets:
    """The buckets of one process (thread-safe). Times are the limiter's clock's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tat: dict[str, float] = {}
        self._paused: dict[str, float] = {}

    def take(self, kind: str, rate: Rate | None, now: float, max_wait: float) -> float | None:
        with self._lock:
            wait, tat = gcra_take(self._tat.get(kind), self._paused.get(kind), rate, now, max_wait)
            if tat is not None:
                self._tat[kind] = tat
            return wait

    def pause(self, kind: str, until: float) -> None:
        with self._lock:
            if until > self._paused.get(kind, -math.inf):
                self._paused[kind] = until


def find_limiter(transport: object) -> RateLimitedTransport | AsyncRateLimitedTransport | None:
    """The :class:`RateLimitedTransport` (or :class:`AsyncRateLimitedTransport`) in a chain
    of wrapping transports (each wrapper's ``inner``), e.g. a client's ``transport``;
    ``None`` without one."""
    seen = 0
    while transport is not None and seen < 16:
        if isinstance(transport, (RateLimitedTransport, AsyncRateLimitedTransport)):
            return transport
        transport = vars(transport).get("inner") if hasattr(transport, "__dict__") else None
        seen += 1
    return None


class _Limiter:
    """The buckets, the limits and the limiter's two steps (:meth:`acquire` before a
    send, :meth:`observe` after it), shared by the sync and the async transports."""

    def __init__(
        self,
        inner: Any,
        limits: RateLimits,
        *,
        store: BucketStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        owns_inner: bool = True,
    ) -> None:
        self.inner = inner
        self.limits = limits
        self.store: BucketStore = store if store is not None else LocalBuckets()
        self._clock = clock
        self._owns_inner = owns_inner

    @property
    def session(self) -> Any:
        """The inner transport's session (what the stubber and cassettes mount on)."""
        return getattr(self.inner, "session", None)

    def __getattr__(self, name: str) -> Any:
        if name == "inner" or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.inner, name)

    @contextlib.contextmanager
    def sharing(
        self, store: BucketStore, *, clock: Callable[[], float] = time.time
    ) -> Iterator[None]:
        """Take tokens from ``store`` (timed by ``clock``, a clock the sharers agree on)
        for the ``with`` block, then from this transport's own buckets again: how a
        batch on a shared journal makes the limits hold for all its workers together."""
        previous = (self.store, self._clock)
        self.store, self._clock = store, clock
        try:
            yield
        finally:
            self.store, self._clock = previous

    def acquire(self, request: HttpRequest) -> float:
        """Reserve the token of ``request``'s kind: the seconds to wait for it (the caller
        sleeps, or awaits, that long), or :class:`TransportTimeout` at once when it would
        come later than what is left of the call's deadline."""
        op = request.operation
        kind = kind_of(op)
        spent = _deadline.budget()
        max_wait = math.inf if spent is None else max(0.0, spent.left() - MIN_ATTEMPT)
        wait = self.store.take(kind, self.limits.rates.get(kind), self._clock(), max_wait)
        if wait is None:
            seconds = spent.seconds if spent is not None else 0.0
            raise TransportTimeout(
                f"no {kind!r} call may start within what is left of the {seconds:g} s "
                f"deadline (the rate limit or a 429 pause holds the next one later): "
                f"pass a longer deadline=, or a higher rate in rate_limits=",
                operation=op.name,
                binding=request.binding.value,
            )
        return wait

    def observe(self, request: HttpRequest, answer: HttpAnswer) -> None:
        """A 429 (or a 503 with ``Retry-After``) pauses the kind of ``request``."""
        if answer.status == 429 or (answer.status == 503 and _has_retry_after(answer)):
            asked = _retry_after(answer.headers)
            pause = self.limits.pause if asked is None else min(asked, self.limits.max_pause)
            self.store.pause(kind_of(request.operation), self._clock() + pause)


class RateLimitedTransport(_Limiter):
    """Waits for a token of the call's kind before each send; a 429 pauses the kind.

    Args:
        inner: the transport that sends.
        limits: the rates per kind.
        store: where the buckets live (default: a :class:`LocalBuckets` of its own).
        clock, sleep: injectable for tests (the call's deadline is measured as what
            is left of it, in seconds, whatever the clock).
        owns_inner: close ``inner`` when this transport is closed.
    """

    def __init__(
        self,
        inner: Transport,
        limits: RateLimits,
        *,
        store: BucketStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        owns_inner: bool = True,
    ) -> None:
        super().__init__(inner, limits, store=store, clock=clock, owns_inner=owns_inner)
        self._sleep = sleep

    def close(self) -> None:
        if self._owns_inner:
            self.inner.close()

    def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        wait = self.acquire(request)
        if wait > 0:
            self._sleep(wait)
        answer: HttpAnswer = self.inner.send(request, ctx)
        self.observe(request, answer)
        return answer


class AsyncRateLimitedTransport(_Limiter):
    """:class:`RateLimitedTransport` for the async client (asyncio): the same buckets and
    decisions, awaiting the wait and an async inner transport. ``sleep`` is awaited
    (default ``asyncio.sleep``).

    A :class:`BucketStore` is called without awaiting: :class:`LocalBuckets` holds its
    lock for a few arithmetic steps only, which never blocks the loop for long.
    """

    def __init__(
        self,
        inner: Any,
        limits: RateLimits,
        *,
        store: BucketStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        owns_inner: bool = True,
    ) -> None:
        if sleep is None:  # asyncio is imported by the async client only
            import asyncio

            sleep = asyncio.sleep
        super().__init__(inner, limits, store=store, clock=clock, owns_inner=owns_inner)
        self._sleep = sleep

    async def close(self) -> None:
        if self._owns_inner:
            await self.inner.close()

    async def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        wait = self.acquire(request)
        if wait > 0:
            await self._sleep(wait)
        answer: HttpAnswer = await self.inner.send(request, ctx)
        self.observe(request, answer)
        return answer


def _has_retry_after(answer: HttpAnswer) -> bool:
    try:
        return answer.headers.get("Retry-After") is not None
    except Exception:
        return False

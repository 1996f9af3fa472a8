"""A total deadline per call: one watchdog thread, a heap of deadlines, sockets shut down.

The per-read timeout of a socket bounds each ``recv``, not the call: a server or
proxy that sends a byte every few seconds (of the headers or of the body), or an
endless stream of ``100 Continue`` lines, holds a call for as long as it likes.
The deadline bounds the whole call, as gRPC's does: every attempt, every backoff
wait and any reconciliation lookup, connect, headers and body together.

One budget per call: :func:`begin` starts the call's :class:`Budget` on the
calling thread (the client does, in ``ServiceClient._call``; the retry transport
does when it is used alone). A call made while one runs on the same thread (the
lookup that reconciles an unknown outcome) spends that budget, it does not start
its own. Each attempt arms a watch (below) for what is left of the budget, so the
watchdog never looks at a connection between attempts, when it may be back in
the pool and in another call's hands; the retry policy starts a retry only when
what is left can hold it.

How: :func:`arm` puts the call's deadline on a heap shared by the whole process
and makes it the calling thread's *current watch*. The connection pools of the
default transport (through :class:`WatchedAdapter`) hand each connection they give
out to the current watch before it connects or sends, so the watchdog knows the
socket from the first byte on (and looks again every 50 ms when the deadline
passes while the socket is still being made). One daemon thread sleeps until the
earliest deadline; when a deadline
passes before its call has :func:`disarm`-ed it, the thread marks the watch
``fired`` and shuts the socket down, which ends whatever ``recv`` the call is
blocked in. The transport sees ``fired`` and raises
:class:`~removethebackground.core.errors.TransportTimeout`.

Cost per call: one small object, one lock round and one ``heappush`` to arm, one
lock round to disarm; no thread per call. Entries of finished calls are dropped
lazily, and the heap is rebuilt when they outnumber the live ones, so memory
stays proportional to the calls in flight.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import math
import os
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = [
    "Budget",
    "Watch",
    "WatchedAdapter",
    "arm",
    "arm_until",
    "begin",
    "begin_task",
    "budget",
    "current",
    "disarm",
    "end",
    "end_task",
    "state",
]


class Budget:
    """One call's time: ``seconds`` given, ending at ``ends`` (``time.monotonic``)."""

    __slots__ = ("ends", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left (negative once it has passed)."""
        return self.ends - time.monotonic()


class Watch:
    """One attempt's deadline: the connection it uses and whether the deadline fired.

    ``seconds`` is the deadline of the call it belongs to (for the error's text).
    """

    __slots__ = ("conn", "done", "fired", "seconds", "when")

    def __init__(self, when: float, seconds: float = 0.0) -> None:
        self.when = when
        self.seconds = seconds
        self.conn: Any = None
        self.fired = False
        self.done = False


class _Watchdog:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Watch]] = []
        self._cond = threading.Condition(threading.Lock())
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._stale = 0
        self._wake_at = math.inf  # when the watchdog wakes next, by itself

    def arm(self, when: float, seconds: float) -> Watch:
        watch = Watch(when, seconds)
        with self._cond:
            heapq.heappush(self._heap, (when, next(self._seq), watch))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="removethebackground-deadline", daemon=True
                )
                self._thread.start()
            elif when < self._wake_at:  # rare: only an earlier deadline than any so far
                self._cond.notify()
        return watch

    def disarm(self, watch: Watch) -> None:
        with self._cond:
            watch.done = True
            self._stale += 1
            if self._stale > 1024 and self._stale * 2 > len(self._heap):
                self._heap = [entry for entry in self._heap if not entry[2].done]
                heapq.heapify(self._heap)
                self._stale = 0

    def _after_fork(self) -> None:
        # The child has no watchdog thread: start one on its first call.
        self._cond = threading.Condition(threading.Lock())
        self._heap = []
        self._thread = None
        self._stale = 0
        self._wake_at = math.inf

    def _run(self) -> None:
        cond = self._cond
        with cond:
            while True:
                heap = self._heap
                idle_until = math.inf
                while heap and heap[0][2].done:
                    idle_until = heapq.heappop(heap)[0]
                    self._stale = max(0, self._stale - 1)
                if not heap:
                    # Nothing to watch. Sleep until the last finished call's deadline all
                    # the same: a next call with the same deadline arms a later one and
                    # need not wake this thread (no notify per call); an earlier one does.
                    delay = idle_until - time.monotonic()  # inf - t: nothing was popped
                    if 0 < delay < math.inf:
                        self._wake_at = idle_until
                        cond.wait(delay)
                    else:
                        self._wake_at = math.inf
                        cond.wait()
                    continue
                delay = heap[0][0] - time.monotonic()
                if delay > 0:
                    self._wake_at = heap[0][0]
                    cond.wait(delay)
                    continue
                _, _, watch = heapq.heappop(heap)
                # Under the lock: a call that has disarmed is never touched, so a
                # connection already back in the pool for another call is safe.
                watch.fired = True
                if not _shut(watch.conn):
                    # Not connected yet (or no connection known): look again soon, so a
                    # socket that appears after the deadline is shut down as well.
                    heapq.heappush(heap, (time.monotonic() + _AGAIN, next(self._seq), watch))


_AGAIN = 0.05


def _shut(conn: Any) -> bool:
    """Shut the connection's socket down; whether there was one."""
    sock = getattr(conn, "sock", None)
    if sock is None:
        return False
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    return True


_WATCHDOG = _Watchdog()
os.register_at_fork(after_in_child=_WATCHDOG._after_fork)


class _ThisThread(threading.local):
    """What runs on one thread: its call's budget and its attempt's watch."""

    budget: Budget | None = None
    watch: Watch | None = None


#: The state of the calling thread (read directly on the hot path of every call).
state = _ThisThread()
_current = state


def arm(seconds: float) -> Watch:
    """Start a deadline ``seconds`` from now on this thread; pair with :func:`disarm`."""
    watch = _WATCHDOG.arm(time.monotonic() + seconds, seconds)
    _current.watch = watch
    return watch


def arm_until(spent: Budget) -> Watch:
    """Start a deadline at the end of the call's budget (one attempt of the call)."""
    watch = _WATCHDOG.arm(spent.ends, spent.seconds)
    _current.watch = watch
    return watch


def begin(seconds: float) -> Budget | None:
    """Start a call's budget of ``seconds`` on this thread, unless one runs already
    (then ``None``: the call spends its caller's). Pair with :func:`end`."""
    if _current.budget is not None:
        return None
    started = Budget(seconds)
    _current.budget = started
    return started


def end(started: Budget | None) -> None:
    """The call that :func:`begin` returned ``started`` for is over."""
    if started is not None:
        _current.budget = None


def budget() -> Budget | None:
    """The budget of the call running in this task (async) or on this thread, if any."""
    found: Budget | None = _task_budget.get()
    if found is None:
        found = _current.budget
    return found


# --- the async call path: one budget per task -----------------------------------------------
#
# An asyncio task runs in a context of its own (a copy of its creator's), so a context
# variable holds the budget of the call running in a task, as the thread's state does for
# the sync path: a lookup awaited inside the call spends it, a call in another task does
# not see it. Its attempts are bounded with asyncio's own timeouts (the async transport),
# not with the watchdog thread.

_task_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "removethebackground_budget", default=None
)


def begin_task(seconds: float) -> contextvars.Token[Budget | None] | None:
    """Start a call's budget of ``seconds`` in this task, unless one runs already (then
    ``None``: the call spends its caller's). Pair with :func:`end_task`."""
    if _task_budget.get() is not None:
        return None
    return _task_budget.set(Budget(seconds))


def end_task(token: contextvars.Token[Budget | None] | None) -> None:
    """The call that :func:`begin_task` returned ``token`` for is over."""
    if token is not None:
        _task_budget.reset(token)


def disarm(watch: Watch) -> None:
    """The call is over: its deadline no longer applies."""
    _current.watch = None
    _WATCHDOG.disarm(watch)


def current() -> Watch | None:
    """The watch of the call running on this thread, if any."""
    watch: Watch | None = _current.watch
    return watch


class _WatchedPool:
    """Hands each connection it gives out to the current call's watch, before any I/O
    (new or reused, whatever connection class the pool uses)."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        watch = current()
        if watch is not None:
            watch.conn = conn
        return conn


class _HTTPPool(_WatchedPool, HTTPConnectionPool):
    pass


class _HTTPSPool(_WatchedPool, HTTPSConnectionPool):
    pass


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter with pools of watched connections (direct and through a proxy)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager

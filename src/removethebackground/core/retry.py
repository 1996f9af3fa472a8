"""Retries by idempotency: :class:`RetryPolicy` and :class:`RetryingTransport`.

:class:`RetryingTransport` wraps another :class:`~removethebackground.core.transport.Transport`
(the client wraps its default one) and decides per operation, from the generated
``Operation.changes_state`` flag (codegen's ``policies.py``). It is policy only:

* **Read-only operations** (``Get*``, ``getImageStatus``) are sent again on a
  connection failure, a timeout before any answer came, and a 502, 503 or 504 answer
  (and 408/429, which say "not now" as well), with exponential backoff and full
  jitter, at most ``attempts`` sends. A ``Retry-After`` header (seconds or an HTTP
  date) is honoured; when it asks for more time than is left, the answer is
  returned as it is.
* **Operations that change state** are sent again only when the request surely
  never left (connection refused, connect timeout). When the outcome is unknown
  (``request_sent is None``: a timeout or a dropped connection after the request
  went out) the transport error goes back to the caller as it is:
  :meth:`ServiceClient._call <removethebackground.core.client.ServiceClient._call>`
  reconciles it from the call's own values (:mod:`removethebackground.core.reconcile`)
  and, when the service never saw it, sends it again through :meth:`wait_to_resend`.

**One deadline per call.** The call's deadline bounds everything, every attempt and
every backoff wait included (:mod:`removethebackground.core.deadline`): each attempt
is armed for what is left of it, and a retry starts only when, after its wait, at
least :data:`MIN_ATTEMPT` seconds are left. ``RetryPolicy.budget`` can only shorten
that (no retry starts once ``budget`` seconds have passed since the first failure);
it never lets a call outlive its deadline. Used on its own (not under a client), the
transport starts the call's budget itself, from the inner transport's ``deadline``.

Every retry is logged at INFO on the ``removethebackground`` logger (operation,
attempt, reason, delay; never a secret). Time is injectable (``clock=``, ``sleep=``,
``random=``) so tests run without waiting; the deadline itself runs on the real
monotonic clock (the watchdog's).
"""

from __future__ import annotations

import email.utils
import logging
import random as _random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..bindings.base import CallContext
from . import deadline as _deadline
from . import observe as _observe
from .errors import RETRYABLE_HTTP_STATUSES, InvalidParameterError, TransportError
from .http import HttpAnswer, HttpRequest
from .transport import Transport

__all__ = [
    "MIN_ATTEMPT",
    "AsyncRetryingTransport",
    "RetryPolicy",
    "RetryingTransport",
    "check_retries",
]

log = logging.getLogger("removethebackground")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a read-only call is retried.

    Attributes:
        attempts: the most sends of one call, the first included (1: no retries).
        backoff: the first delay's upper bound in seconds; it doubles per retry.
        max_backoff: the largest delay's upper bound.
        budget: seconds from the first failure after which no retry starts; the
            call's deadline bounds retries in any case (this can only end them sooner).
        jitter: draw each delay uniformly in ``[0, bound]`` (full jitter); else ``bound``.
        honour_retry_after: wait as long as a ``Retry-After`` header asks (within the
            deadline and the budget).
    """

    attempts: int = 3
    backoff: float = 0.25
    max_backoff: float = 4.0
    budget: float = 30.0
    jitter: bool = True
    honour_retry_after: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int):
            raise InvalidParameterError("retries", "attempts must be an int (1 means no retry)")
        if not 1 <= self.attempts <= 100:
            raise InvalidParameterError("retries", f"attempts={self.attempts} is not in 1..100")
        for name in ("backoff", "max_backoff", "budget"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidParameterError("retries", f"{name} must be a number of seconds")
            if not 0 <= value < 1e6:
                raise InvalidParameterError("retries", f"{name}={value} is not in [0, 1e6)")

    def delay(self, retry: int, draw: Callable[[], float]) -> float:
        """The wait before retry number ``retry`` (1 for the first)."""
        from .backoff import Backoff

        backoff = Backoff(self.backoff, self.max_backoff, jitter=1.0 if self.jitter else 0.0)
        return backoff.delay(retry, draw)


NO_RETRIES = RetryPolicy(attempts=1)

#: A retry starts only when, after its backoff wait, at least this many seconds of the
#: call's deadline are left (less cannot hold a round trip worth making).
MIN_ATTEMPT = 0.1


def check_retries(retries: RetryPolicy | int | bool | None) -> RetryPolicy:
    """A policy from the client's ``retries=`` (a policy, a number of retries, or False)."""
    if retries is None or retries is True:
        return RetryPolicy()
    if retries is False:
        return NO_RETRIES
    if isinstance(retries, RetryPolicy):
        return retries
    if isinstance(retries, int) and not isinstance(retries, bool):
        if not 0 <= retries <= 99:
            raise InvalidParameterError(
                "retries", f"{retries} is not a number of retries in 0..99 (0 or False: none)"
            )
        return RetryPolicy(attempts=retries + 1)
    raise InvalidParameterError(
        "retries", f"expected a RetryPolicy, a number of retries or False, got {retries!r}"
    )


class _RetryPlanner:
    """The policy's decisions, shared by the sync and the async retrying transports: after
    each attempt, whether to send again and after what wait (no I/O, no sleeping here)."""

    policy: RetryPolicy
    _clock: Callable[[], float]
    _random: Callable[[], float]

    def _plan_resend(self, request: HttpRequest, sends: int, reason: str) -> float | None:
        """The wait before sending ``request`` again after ``sends`` sends of a call that
        never reached the service; ``None`` when the policy or the deadline allow none."""
        if sends >= self.policy.attempts:
            return None
        delay = self.policy.delay(sends, self._random)
        if not self._fits(delay, None):
            self._log_no_time(request, reason, delay)
            return None
        self._log_retry(request, sends, reason, delay, "sending again")
        return delay

    def _plan_read(
        self,
        request: HttpRequest,
        attempt: int,
        first_failure: float | None,
        failure: TransportError | None,
        answer: HttpAnswer | None,
    ) -> tuple[float, float] | None:
        """After attempt ``attempt`` of a read-only call (which failed with ``failure`` or
        answered ``answer``): ``(first_failure, delay)`` to retry, ``None`` to stop (the
        caller raises the failure or returns the answer)."""
        policy = self.policy
        if attempt >= policy.attempts:
            return None
        wait_for: float | None = None
        if failure is not None:
            if not (failure.retryable and failure.http_status is None):
                return None
            reason: str = type(failure).__name__
        else:
            assert answer is not None
            if answer.status not in RETRYABLE_HTTP_STATUSES:
                return None
            reason = f"HTTP {answer.status}"
            wait_for = _retry_after(answer.headers) if policy.honour_retry_after else None
        if first_failure is None:
            first_failure = self._clock()
        delay = policy.delay(attempt, self._random)
        if wait_for is not None:
            delay = max(delay, wait_for)
        if not self._fits(delay, first_failure):
            self._log_no_time(request, reason, delay)
            return None
        self._log_retry(request, attempt, reason, delay, "retrying")
        return first_failure, delay

    def _plan_once(
        self,
        request: HttpRequest,
        attempt: int,
        first_failure: float | None,
        failure: TransportError,
    ) -> tuple[float, float] | None:
        """After attempt ``attempt`` of a call that changes state failed with ``failure``:
        ``(first_failure, delay)`` to send again (only when the request surely never
        left), ``None`` to raise the failure."""
        policy = self.policy
        never_left = failure.request_sent is False and failure.http_status is None
        if not (never_left and failure.retryable) or attempt >= policy.attempts:
            return None
        if first_failure is None:
            first_failure = self._clock()
        delay = policy.delay(attempt, self._random)
        reason = f"{type(failure).__name__}: the request never left"
        if not self._fits(delay, first_failure):
            self._log_no_time(request, reason, delay)
            return None
        self._log_retry(request, attempt, reason, delay, "sending again")
        return first_failure, delay

    def _fits(self, delay: float, first_failure: float | None) -> bool:
        """Whether a retry after ``delay`` seconds fits the call's deadline and the
        policy's budget (counted from ``first_failure`` on the injectable clock)."""
        spent = _deadline.budget()
        if spent is not None and delay + MIN_ATTEMPT > spent.left():
            return False
        if first_failure is not None:
            return delay <= self.policy.budget - (self._clock() - first_failure)
        return True

    def _log_retry(
        self, request: HttpRequest, attempt: int, reason: str, delay: float, what: str
    ) -> None:
        if _observe.observer is not None:
            _observe.retrying(attempt, reason, delay)
        log.info(
            "%s over %s: attempt %d of %d failed (%s); %s in %.2f s",
            request.operation.name,
            request.binding.value,
            attempt,
            self.policy.attempts,
            reason,
            what,
            delay,
        )

    def _log_no_time(self, request: HttpRequest, reason: str, delay: float) -> None:
        log.info(
            "%s over %s: not retried after %s (a wait of %.2f s does not fit what is left "
            "of the deadline or the retry budget)",
            request.operation.name,
            request.binding.value,
            reason,
            delay,
        )


class RetryingTransport(_RetryPlanner):
    """A transport that resends what is safe to resend; see the module documentation.

    Args:
        inner: the transport that sends each attempt.
        policy: the retry policy (default :class:`RetryPolicy()`).
        clock: the time source (seconds) of the retry budget, injectable for tests
            (the call's deadline runs on the real monotonic clock all the same).
        sleep: the pause between attempts, injectable for tests.
        random: the jitter's chance, injectable for tests.
        owns_inner: close ``inner`` when this transport is closed.
    """

    def __init__(
        self,
        inner: Transport,
        policy: RetryPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
        owns_inner: bool = True,
    ) -> None:
        self.inner = inner
        self.policy = policy if policy is not None else RetryPolicy()
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self._owns_inner = owns_inner

    @property
    def session(self) -> Any:
        """The inner transport's session (what the stubber and cassettes mount on)."""
        return getattr(self.inner, "session", None)

    def __getattr__(self, name: str) -> Any:
        # The inner transport's settings (timeout, deadline, verify ...) read through.
        if name == "inner" or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.inner, name)

    def close(self) -> None:
        if self._owns_inner:
            self.inner.close()

    def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        if self.policy.attempts == 1:
            return self.inner.send(request, ctx)
        if _deadline.state.budget is not None:  # within a client's call: its budget
            if request.operation.changes_state:
                return self._send_once(request, ctx)
            return self._send_read(request, ctx)
        started: _deadline.Budget | None = None
        seconds = getattr(self.inner, "deadline", None)  # used on its own: the whole call
        if isinstance(seconds, (int, float)) and 0 < seconds < 1e6:
            started = _deadline.begin(float(seconds))
        try:
            if request.operation.changes_state:
                return self._send_once(request, ctx)
            return self._send_read(request, ctx)
        finally:
            _deadline.end(started)

    def wait_to_resend(self, request: HttpRequest, sends: int, reason: str) -> bool:
        """Wait before sending ``request`` again after ``sends`` sends, if the policy
        and the call's deadline allow another; whether they did.

        For a caller that learnt that a call of unknown outcome never ran (the client,
        after reconciling it).
        """
        delay = self._plan_resend(request, sends, reason)
        if delay is None:
            return False
        if delay > 0:
            self._sleep(delay)
        return True

    def _send_read(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        first_failure: float | None = None
        attempt = 1
        observed = None if _observe.observer is None else _observe.current()
        while True:
            failure: TransportError | None = None
            answer: HttpAnswer | None = None
            mark = None if observed is None else observed.attempt_started()
            try:
                answer = self.inner.send(request, ctx)
            except TransportError as exc:
                failure = exc
            if observed is not None:
                _ended(observed, mark, answer, failure)
            plan = self._plan_read(request, attempt, first_failure, failure, answer)
            if plan is None:
                if failure is not None:
                    raise failure
                assert answer is not None
                return answer
            first_failure, delay = plan
            if delay > 0:
                self._sleep(delay)
            request = request.renewed()
            attempt += 1

    def _send_once(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        """Send; resend only when the request surely never left. An unknown outcome
        (``request_sent is None``) goes back to the caller, who can reconcile it."""
        first_failure: float | None = None
        attempt = 1
        observed = None if _observe.observer is None else _observe.current()
        while True:
            mark = None if observed is None else observed.attempt_started()
            try:
                answer = self.inner.send(request, ctx)
            except TransportError as exc:
                if observed is not None:
                    observed.attempt_ended(mark, exc.http_status, exc)
                plan = self._plan_once(request, attempt, first_failure, exc)
                if plan is None:
                    raise
            else:
                if observed is not None:
                    observed.attempt_ended(mark, answer.status, None)
                return answer
            first_failure, delay = plan
            if delay > 0:
                self._sleep(delay)
            request = request.renewed()
            attempt += 1


class AsyncRetryingTransport(_RetryPlanner):
    """:class:`RetryingTransport` for the async client (asyncio): the same policy and
    decisions, awaiting an :class:`~removethebackground.core.asynctransport.AsyncTransport`
    and ``asyncio.sleep`` between attempts. Within a call it spends the call's budget
    (the task's, :func:`removethebackground.core.deadline.begin_task`).

    Args: as :class:`RetryingTransport`; ``sleep`` is awaited (default ``asyncio.sleep``).
    """

    def __init__(
        self,
        inner: Any,
        policy: RetryPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        random: Callable[[], float] = _random.random,
        owns_inner: bool = True,
    ) -> None:
        if sleep is None:  # asyncio is imported by the async client only
            import asyncio

            sleep = asyncio.sleep
        self.inner = inner
        self.policy = policy if policy is not None else RetryPolicy()
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self._owns_inner = owns_inner

    def __getattr__(self, name: str) -> Any:
        if name == "inner" or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.inner, name)

    async def close(self) -> None:
        if self._owns_inner:
            await self.inner.close()

    async def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        if self.policy.attempts == 1:
            answer: HttpAnswer = await self.inner.send(request, ctx)
            return answer
        token = None
        if _deadline.budget() is None:  # used on its own: the inner deadline is the call's
            seconds = getattr(self.inner, "deadline", None)
            if isinstance(seconds, (int, float)) and 0 < seconds < 1e6:
                token = _deadline.begin_task(float(seconds))
        try:
            if request.operation.changes_state:
                return await self._send_once(request, ctx)
            return await self._send_read(request, ctx)
        finally:
            _deadline.end_task(token)

    async def wait_to_resend(self, request: HttpRequest, sends: int, reason: str) -> bool:
        """As :meth:`RetryingTransport.wait_to_resend`, awaiting the wait."""
        delay = self._plan_resend(request, sends, reason)
        if delay is None:
            return False
        if delay > 0:
            await self._sleep(delay)
        return True

    async def _send_read(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        first_failure: float | None = None
        attempt = 1
        observed = None if _observe.observer is None else _observe.current()
        while True:
            failure: TransportError | None = None
            answer: HttpAnswer | None = None
            mark = None if observed is None else observed.attempt_started()
            try:
                answer = await self.inner.send(request, ctx)
            except TransportError as exc:
                failure = exc
            if observed is not None:
                _ended(observed, mark, answer, failure)
            plan = self._plan_read(request, attempt, first_failure, failure, answer)
            if plan is None:
                if failure is not None:
                    raise failure
                assert answer is not None
                return answer
            first_failure, delay = plan
            if delay > 0:
                await self._sleep(delay)
            request = request.renewed()
            attempt += 1

    async def _send_once(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        first_failure: float | None = None
        attempt = 1
        observed = None if _observe.observer is None else _observe.current()
        while True:
            mark = None if observed is None else observed.attempt_started()
            try:
                answer: HttpAnswer = await self.inner.send(request, ctx)
            except TransportError as exc:
                if observed is not None:
                    observed.attempt_ended(mark, exc.http_status, exc)
                plan = self._plan_once(request, attempt, first_failure, exc)
                if plan is None:
                    raise
            else:
                if observed is not None:
                    observed.attempt_ended(mark, answer.status, None)
                return answer
            first_failure, delay = plan
            if delay > 0:
                await self._sleep(delay)
            request = request.renewed()
            attempt += 1


def _ended(
    observed: _observe.Call,
    mark: tuple[int, object] | None,
    answer: HttpAnswer | None,
    failure: TransportError | None,
) -> None:
    """Tell the observer how a send ended: with ``answer`` or with ``failure``."""
    if failure is not None:
        observed.attempt_ended(mark, failure.http_status, failure)
    elif answer is not None:
        observed.attempt_ended(mark, answer.status, None)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    try:
        value = headers.get("Retry-After")
    except Exception:
        return None
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(min(int(value), 10**6))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())

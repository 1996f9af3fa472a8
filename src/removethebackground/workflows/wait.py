"""``wait_for``: poll an image's status until it is delivered (or stuck), with backoff.

::

    status = wait_for(client, ticket, timeout=600, on_progress=print)
    if ImageStatusName.of(status) is ImageStatusName.DELIVERED:
        download(status, "out/")

It calls GetImageStatus (generation 2) or getImageStatus (generation 1) first at
once, then after ``poll`` seconds, doubling the pause up to ``max_poll`` with
jitter, until the image reaches a terminal status (80 Delivered, or the sandbox's
50 On Hold; generation 1's 4 Completed and 5 On Hold), and returns that
``ImageStatus``. ``on_progress(status)`` is called with the first answer and with
every answer whose status differs from the one before.

Transient failures (no answer: :class:`~removethebackground.core.errors.TransportError`;
the service's own :class:`~removethebackground.core.errors.ServerFault`) are retried on
the next poll: GetImageStatus changes nothing, so asking again is safe. Client
faults (wrong key, unknown ticket) are raised at once. When ``timeout`` runs out,
:class:`~.errors.WaitTimeout` is raised, naming the last status seen.

Time is injectable: ``clock()`` returns seconds (default ``time.monotonic``) and
``sleep(seconds)`` waits (default ``time.sleep``). With the sandbox's frozen clock a
test passes ``clock=sb.clock.now, sleep=sb.advance`` and nothing sleeps for real.
The loop is bounded even if ``clock`` never moves: the time slept counts as well.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from collections.abc import Callable
from typing import Any, overload

from ..core.backoff import Backoff
from ..core.errors import InvalidParameterError, ServerFault, TransportError
from ..generated import legacy, pixelz
from ._common import AnyClient, AnyStatus, as_ticket, check_form, get_status
from .errors import WaitTimeout
from .status import ImageStatusName

__all__ = ["WaitRounds", "wait_for"]


@overload
def wait_for(
    client: pixelz.PixelzClient,
    ticket: object,
    *,
    timeout: float = ...,
    poll: float = ...,
    max_poll: float = ...,
    jitter: float = ...,
    on_progress: Callable[[pixelz.ImageStatus], object] | None = ...,
    clock: Callable[[], float] = ...,
    sleep: Callable[[float], object] = ...,
    rng: Callable[[], float] = ...,
) -> pixelz.ImageStatus: ...


@overload
def wait_for(
    client: legacy.RemoveTheBackgroundClient,
    ticket: object,
    *,
    timeout: float = ...,
    poll: float = ...,
    max_poll: float = ...,
    jitter: float = ...,
    on_progress: Callable[[legacy.ImageStatus], object] | None = ...,
    clock: Callable[[], float] = ...,
    sleep: Callable[[float], object] = ...,
    rng: Callable[[], float] = ...,
) -> legacy.ImageStatus: ...


def wait_for(
    client: AnyClient,
    ticket: object,
    *,
    timeout: float = 3600.0,
    poll: float = 2.0,
    max_poll: float = 60.0,
    jitter: float = 0.25,
    on_progress: Callable[[Any], object] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> AnyStatus:
    """Poll until the image is terminal; returns its last ``ImageStatus``.

    Args:
        client: a :class:`~removethebackground.PixelzClient` or
            :class:`~removethebackground.RemoveTheBackgroundClient`.
        ticket: the image ticket (``uuid.UUID``, GUID text, or the result of an
            image-adding call).
        timeout: give up after this many seconds (raises :class:`WaitTimeout`).
        poll: the first pause between two polls; doubles up to ``max_poll``.
        jitter: each pause is shortened by up to this fraction, at random.
        on_progress: called with the status at the first answer and on every change.
        clock: the time source (for tests).
        sleep: the pause (for tests).
        rng: the randomness of the jitter (for tests).
    """
    check_form(client, awaited=False)
    rounds = WaitRounds(
        as_ticket(ticket),
        timeout=timeout,
        poll=poll,
        max_poll=max_poll,
        jitter=jitter,
        on_progress=on_progress,
        clock=clock,
        rng=rng,
    )
    for _round in range(rounds.max_rounds):
        try:
            status = get_status(client, rounds.ticket)
        except (TransportError, ServerFault) as exc:
            rounds.failed(exc)
        else:
            done = rounds.answered(status)
            if done is not None:
                return done
        pause = rounds.next_pause()
        if pause is None:
            break
        sleep(pause)
    raise rounds.timed_out()


class WaitRounds:
    """The decisions of :func:`wait_for`, with no I/O: shared by the sync and async forms.

    The loop around it asks for the status, reports the answer (:meth:`answered`) or
    the transient error (:meth:`failed`), then sleeps :meth:`next_pause` seconds, at
    most :attr:`max_rounds` times, and raises :meth:`timed_out` when the time is up.
    The arguments are checked here, before anything is sent.
    """

    def __init__(
        self,
        ticket: uuid.UUID,
        *,
        timeout: float,
        poll: float,
        max_poll: float,
        jitter: float,
        on_progress: Callable[[Any], object] | None,
        clock: Callable[[], float],
        rng: Callable[[], float],
    ) -> None:
        for name, value in (("timeout", timeout), ("poll", poll), ("max_poll", max_poll)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise InvalidParameterError(
                    name, f"must be a positive number of seconds, got {value!r}"
                )
        self.ticket = ticket
        self.timeout = timeout
        self._on_progress = on_progress
        self._clock = clock
        # Each pause is drawn from [d * (1 - jitter), d], d = poll, 2 poll, ... up to max_poll.
        self._pauses = Backoff(poll, max(max_poll, poll), jitter=min(max(jitter, 0.0), 1.0)).delays(
            rng
        )
        self._started = clock()
        self._slept = 0.0
        self._last: AnyStatus | None = None
        self._last_name: ImageStatusName | None = None
        self._last_id: int | None = None
        self._last_error: BaseException | None = None
        #: Bounded: every round sleeps at least min(poll * (1 - jitter), remaining) > 0
        #: or ends, so the loop ends even if ``clock`` never moves.
        self.max_rounds = int(timeout / max(poll * (1.0 - min(jitter, 0.99)), 1e-3)) + 2

    def answered(self, status: AnyStatus | None) -> AnyStatus | None:
        """Record an answer; returns the status when it is terminal (the wait is over)."""
        self._last_error = None
        if status is None:
            return None
        if self._last is None or status.status_id != self._last_id:
            self._last_id = status.status_id
            self._last_name = ImageStatusName.of(status)
            if self._on_progress is not None:
                self._on_progress(status)
        self._last = status
        if self._last_name is not None and self._last_name.is_terminal:
            return status
        return None

    def failed(self, error: BaseException) -> None:
        """Record a transient failure (retried on the next poll)."""
        self._last_error = error

    def next_pause(self) -> float | None:
        """Seconds to sleep before the next poll (counted as slept), or ``None``: time is up."""
        elapsed = max(self._clock() - self._started, self._slept)
        remaining = self.timeout - elapsed
        if remaining <= 0:
            return None
        pause = min(next(self._pauses), remaining)
        self._slept += pause
        return pause

    def timed_out(self) -> WaitTimeout:
        """The error to raise when the time ran out, naming the last status seen."""
        last_name, last_id, last_error = self._last_name, self._last_id, self._last_error
        shown = (
            last_name.label
            if last_name is not None
            else (f"status {last_id}" if last_id is not None else "no answer")
        )
        reason = f" (last error: {type(last_error).__name__})" if last_error is not None else ""
        return WaitTimeout(
            f"image {self.ticket} did not reach a final status within {self.timeout:g} s: "
            f"last status {shown}{reason}",
            ticket=self.ticket,
            last_status=last_name if last_name is not None else last_id,
            timeout=self.timeout,
            last_error=last_error,
        )

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
from collections.abc import Callable
from typing import Any, overload

from ..core.backoff import Backoff
from ..core.errors import InvalidParameterError, ServerFault, TransportError
from ..generated import legacy, pixelz
from ._common import AnyClient, AnyStatus, as_ticket, get_status
from .errors import WaitTimeout
from .status import ImageStatusName

__all__ = ["wait_for"]


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
    image = as_ticket(ticket)
    for name, value in (("timeout", timeout), ("poll", poll), ("max_poll", max_poll)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise InvalidParameterError(
                name, f"must be a positive number of seconds, got {value!r}"
            )
    # Each pause is drawn from [d * (1 - jitter), d], d = poll, 2 poll, ... up to max_poll.
    pauses = Backoff(poll, max(max_poll, poll), jitter=min(max(jitter, 0.0), 1.0)).delays(rng)
    started = clock()
    slept = 0.0
    last: AnyStatus | None = None
    last_name: ImageStatusName | None = None
    last_id: int | None = None
    last_error: BaseException | None = None
    # Bounded: every round sleeps at least min(poll * (1 - jitter), remaining) > 0 or ends.
    max_rounds = int(timeout / max(poll * (1.0 - min(jitter, 0.99)), 1e-3)) + 2
    for _round in range(max_rounds):
        try:
            status = get_status(client, image)
        except (TransportError, ServerFault) as exc:
            last_error = exc
        else:
            last_error = None
            if status is not None:
                if last is None or status.status_id != last_id:
                    last_id = status.status_id
                    last_name = ImageStatusName.of(status)
                    if on_progress is not None:
                        on_progress(status)
                last = status
                if last_name is not None and last_name.is_terminal:
                    return status
        elapsed = max(clock() - started, slept)
        remaining = timeout - elapsed
        if remaining <= 0:
            break
        pause = min(next(pauses), remaining)
        sleep(pause)
        slept += pause
    shown = (
        last_name.label
        if last_name is not None
        else (f"status {last_id}" if last_id is not None else "no answer")
    )
    reason = f" (last error: {type(last_error).__name__})" if last_error is not None else ""
    raise WaitTimeout(
        f"image {image} did not reach a final status within {timeout:g} s: last status "
        f"{shown}{reason}",
        ticket=image,
        last_status=last_name if last_name is not None else last_id,
        timeout=timeout,
        last_error=last_error,
    )

"""Reconciliation: did a call of unknown outcome run? Asked on the call's own values.

A call that queues an image (``AddImageToQueue`` and the other four) may reach the
service and lose its answer: a timeout or a dropped connection after the request
went out (``TransportError.request_sent is None``). Sending it again could queue
the image twice, so it is **looked up** instead, by the key the caller gave it
(``customerImageId``), with the read-only operation the generated facts name
(``Operation.outcome_lookup``: ``GetImageStatus`` with ``imageTicket``
``nonticket``, as the service documents; codegen's ``policies.py``)::

    found = reconcile(client, op, values, cause=exc)
    if found is not None:   # it ran: what the call would have returned
        return found.result
    # None: the service never saw it; the caller may send it again

The lookup goes through the client's own call path (the generated method, hence
``ServiceClient._call``): it is read-only, so retried by the client's policy, and
it spends what is left of the call's deadline (:mod:`removethebackground.core.deadline`).
The answer is built with the operation's result model from the found item (the
ticket); no request is parsed again and no service answer is made up.

When it cannot tell (no lookup for this operation, no key among the values, the
lookup failed, or it found something the result cannot be built from),
:func:`reconcile` raises :class:`~removethebackground.core.errors.OutcomeUnknownError`
saying what to check. The key must be unique per image for any of this to be right.

One piece for every caller: :meth:`ServiceClient._call
<removethebackground.core.client.ServiceClient._call>` reconciles a call whose answer
was lost (when retries are on); ``Batch`` defers that for its own calls
(:func:`deferred`) and reconciles the rows its journal left unknown through
:func:`reconcile` as well, after letting them settle, so each unknown outcome is
looked up once; ``workflows.get_status`` finds an image by ``customer_image_id``
through :func:`find`.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from . import deadline as _deadline
from .errors import (
    InvalidParameterError,
    NotFoundError,
    OutcomeUnknownError,
    RemoveTheBackgroundError,
    TransportError,
)
from .wire import Operation, OutcomeLookup

__all__ = [
    "Found",
    "deferred",
    "find",
    "find_async",
    "is_deferred",
    "look_up",
    "look_up_async",
    "reconcile",
    "reconcile_async",
    "unknown_outcome",
]

log = logging.getLogger("removethebackground")

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Found(Generic[R]):
    """The service has it: ``result`` is what the call would have returned (built with
    the operation's result model), ``item`` what the lookup found (an ``ImageStatus``)."""

    result: R
    item: Any


def find(client: Any, facts: OutcomeLookup, key: str) -> Any:
    """What the service holds under ``key``: the lookup's found item (``None`` when its
    answer holds none). The lookup's errors propagate (``NotFoundError``: nothing is
    under the key)."""
    answer = getattr(client, facts.method)(**_lookup_arguments(facts, key))
    return getattr(answer, facts.found, None) if facts.found else answer


async def find_async(client: Any, facts: OutcomeLookup, key: str) -> Any:
    """:func:`find` through an async client (the same lookup, awaited)."""
    answer = await getattr(client, facts.method)(**_lookup_arguments(facts, key))
    return getattr(answer, facts.found, None) if facts.found else answer


def look_up(client: Any, op: Operation[R], values: Mapping[str, object]) -> Found[R] | None:
    """Ask the service whether the call of ``op`` with ``values`` ran, by its own key.

    Returns :class:`Found`, or ``None`` when the service has nothing under the key
    (``NotFoundError``: it never saw the call). The lookup's own errors propagate;
    :class:`InvalidParameterError` when ``op`` has no lookup or ``values`` no key.
    """
    facts, key = _key_of(op, values)
    try:
        item = find(client, facts, key)
    except NotFoundError:
        return None
    return _found(op, facts, item)


async def look_up_async(
    client: Any, op: Operation[R], values: Mapping[str, object]
) -> Found[R] | None:
    """:func:`look_up` through an async client."""
    facts, key = _key_of(op, values)
    try:
        item = await find_async(client, facts, key)
    except NotFoundError:
        return None
    return _found(op, facts, item)


def reconcile(
    client: Any,
    op: Operation[R],
    values: Mapping[str, object],
    *,
    cause: TransportError | None = None,
) -> Found[R] | None:
    """:func:`look_up`, with every way it cannot tell raised as
    :class:`OutcomeUnknownError` (which says what to check). ``cause`` is the error
    that left the outcome unknown, if the caller saw one."""
    facts = _can_reconcile(op, values, cause)
    try:
        found = look_up(client, op, values)
    except _Unbuildable as exc:
        raise unknown_outcome(op, cause, str(exc)) from None
    except RemoveTheBackgroundError as failure:
        raise unknown_outcome(
            op, cause, f"{facts.operation} failed too ({type(failure).__name__})"
        ) from None
    _log_found(op, found)
    return found


async def reconcile_async(
    client: Any,
    op: Operation[R],
    values: Mapping[str, object],
    *,
    cause: TransportError | None = None,
) -> Found[R] | None:
    """:func:`reconcile` through an async client: the same lookup facts, decisions and
    errors, the lookup awaited (it spends what is left of the task's call budget)."""
    facts = _can_reconcile(op, values, cause)
    try:
        found = await look_up_async(client, op, values)
    except _Unbuildable as exc:
        raise unknown_outcome(op, cause, str(exc)) from None
    except RemoveTheBackgroundError as failure:
        raise unknown_outcome(
            op, cause, f"{facts.operation} failed too ({type(failure).__name__})"
        ) from None
    _log_found(op, found)
    return found


# --- the pure steps of a reconciliation, shared by the sync and async forms ---------------


def _lookup_arguments(facts: OutcomeLookup, key: str) -> dict[str, object]:
    arguments: dict[str, object] = dict(facts.fixed)
    arguments[facts.by] = key
    return arguments


def _key_of(op: Operation[Any], values: Mapping[str, object]) -> tuple[OutcomeLookup, str]:
    facts = _facts(op)
    key = values.get(facts.key)
    if not isinstance(key, str) or not key.strip():
        raise InvalidParameterError(
            facts.key,
            f"{key!r} cannot be looked up: {op.name} is found again only by a non-empty "
            f"{facts.key} (give each image a unique one)",
        )
    return facts, key


def _found(op: Operation[R], facts: OutcomeLookup, item: Any) -> Found[R]:
    """The call's result built from what the lookup found, or :class:`_Unbuildable`."""
    if item is None:
        raise _Unbuildable(f"{facts.operation} answered without {facts.found}")
    fields = {target: getattr(item, source, None) for target, source in facts.result}
    if any(value is None for value in fields.values()):
        missing = ", ".join(t for t, v in fields.items() if v is None)
        raise _Unbuildable(f"it did arrive, but {facts.operation} answered without {missing}")
    try:
        result = op.result_model(**fields)
    except Exception as exc:
        raise _Unbuildable(
            f"it did arrive, but its {op.result_model.__name__} cannot be built from what "
            f"{facts.operation} answered ({type(exc).__name__})"
        ) from None
    return Found(result, item)


def _can_reconcile(
    op: Operation[Any], values: Mapping[str, object], cause: TransportError | None
) -> OutcomeLookup:
    """The lookup facts of ``op``, or :class:`OutcomeUnknownError` when the call cannot
    be looked up (no lookup, no key, no time left); logs the lookup it is about to make."""
    facts = op.outcome_lookup
    if facts is None:
        raise unknown_outcome(
            op, cause, "it is not a call that queues an image, which could be looked up"
        )
    key = values.get(facts.key)
    if not isinstance(key, str) or not key.strip():
        raise unknown_outcome(op, cause, f"it carries no {_wire(op, facts.key)} to look it up by")
    spent = _deadline.budget()
    if spent is not None and spent.ends <= time.monotonic():
        raise unknown_outcome(
            op,
            cause,
            f"the call's deadline of {spent.seconds} s left no time to ask {facts.operation}",
        )
    log.info(
        "%s: the outcome is unknown (%s); asking %s by %s",
        op.name,
        type(cause).__name__ if cause is not None else "not recorded",
        facts.operation,
        _wire(op, facts.key),
    )
    return facts


def _log_found(op: Operation[Any], found: Found[Any] | None) -> None:
    if found is None:
        log.info("%s: the service never saw it", op.name)
    else:
        log.info("%s: it had arrived; not sent again", op.name)


def unknown_outcome(
    op: Operation[Any], cause: TransportError | None, why: str
) -> OutcomeUnknownError:
    """The error for a call of ``op`` that may have run, not sent again because ``why``."""
    if cause is not None:
        text = cause.args[0] if cause.args else cause
        went = (
            f"the request went out, but no answer came ({type(cause).__name__}: {text}), "
            f"so {op.name} may or may not have run"
        )
    else:
        went = f"{op.name} may or may not have run"
    error = OutcomeUnknownError(
        f"{went}; it was not sent again because {why}. Check whether it ran before you send "
        "it again (for an image: get_image_status by its ticket or customer_image_id, or "
        "get_images_list), and give each image a unique customer_image_id so that the "
        "client can check by itself",
        cause=cause,
        operation=op.name,
        binding=cause.binding if cause is not None else None,
        endpoint=cause.endpoint if cause is not None else None,
    )
    return error


# --- deferring: a caller that reconciles later, from a journal of its own ------------------

# A context variable, not a thread-local: each thread starts with a context of its own,
# and each asyncio task with a copy of its creator's, so a block of deferred calls
# covers the calls of its thread or task (and of the tasks it starts), no others.
_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "removethebackground_deferred", default=False
)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Calls made inside the block (on this thread, or in this asyncio task) leave an
    unknown outcome to the caller: the client raises the transport error as it is,
    without looking the call up (the caller reconciles it later through
    :func:`reconcile`, as ``Batch`` does)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def is_deferred() -> bool:
    """Whether calls here leave unknown outcomes to their caller."""
    return _deferred.get()


# --- helpers --------------------------------------------------------------------------------


class _Unbuildable(RemoveTheBackgroundError):
    """The lookup answered, but the call's result cannot be built from what it found."""


def _facts(op: Operation[Any]) -> OutcomeLookup:
    facts = op.outcome_lookup
    if facts is None:
        raise InvalidParameterError(
            "op", f"{op.name} does not queue an image: it has no outcome lookup"
        )
    return facts


def _wire(op: Operation[Any], attr: str) -> str:
    """The wire name of ``op``'s parameter ``attr`` (``customerImageId``)."""
    for f in op.params:
        if f.attr == attr:
            return f.name
    return attr

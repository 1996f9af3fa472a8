"""Retries by idempotency: :class:`RetryPolicy` and :class:`RetryingTransport`.

:class:`RetryingTransport` wraps another :class:`~removethebackground.core.transport.Transport`
(the client wraps its default one) and decides per operation, from the generated
``Operation.changes_state`` flag (codegen's ``policies.py``):

* **Read-only operations** (``Get*``, ``getImageStatus``) are sent again on a
  connection failure, a timeout before any answer came, and a 502, 503 or 504 answer
  (and 408/429, which say "not now" as well), with exponential backoff and full
  jitter, at most ``attempts`` sends and within ``budget`` seconds in all. A
  ``Retry-After`` header (seconds or an HTTP date) is honoured; when it asks for
  more than the budget has left, the answer is returned as it is.
* **Operations that change state** are sent again only when the request surely
  never left (connection refused, connect timeout). When the outcome is unknown
  (a timeout or a dropped connection after the request went out) and the request
  carried a ``customerImageId``, the transport asks ``GetImageStatus`` for that id
  (with ``imageTicket`` ``nonticket``, as the service documents): if the image is
  there, the call's answer is made from its ticket and nothing is sent again; if
  the service does not know the id, the request never ran and is sent again. With
  no such id, or when the status cannot be read, it raises
  :class:`~removethebackground.core.errors.OutcomeUnknownError`, which says what to check.
  The id must be unique per image for this to be right.

Every retry is logged at INFO on the ``removethebackground`` logger (operation,
attempt, reason, delay; never a secret). Time is injectable (``clock=``, ``sleep=``,
``random=``) so tests run without waiting.
"""

from __future__ import annotations

import email.utils
import logging
import random as _random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..bindings import BINDINGS, SOAP_BINDINGS, CallContext, HttpAnswer, HttpRequest
from .errors import (
    RETRYABLE_HTTP_STATUSES,
    InvalidParameterError,
    NotFoundError,
    OutcomeUnknownError,
    RemoveTheBackgroundError,
    TransportError,
)
from .transport import Transport
from .wire import Operation

__all__ = ["RetryPolicy", "RetryingTransport", "check_retries"]

log = logging.getLogger("removethebackground")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a read-only call is retried.

    Attributes:
        attempts: the most sends of one call, the first included (1: no retries).
        backoff: the first delay's upper bound in seconds; it doubles per retry.
        max_backoff: the largest delay's upper bound.
        budget: seconds from the first send after which no retry starts.
        jitter: draw each delay uniformly in ``[0, bound]`` (full jitter); else ``bound``.
        honour_retry_after: wait as long as a ``Retry-After`` header asks (within budget).
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


class RetryingTransport:
    """A transport that resends what is safe to resend; see the module documentation.

    Args:
        inner: the transport that sends each attempt.
        policy: the retry policy (default :class:`RetryPolicy()`).
        clock: the time source (seconds), injectable for tests.
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
        policy = self.policy
        if policy.attempts == 1:
            return self.inner.send(request, ctx)
        if request.operation.changes_state:
            return self._send_once(request, ctx)
        return self._send_read(request, ctx)

    # --- read-only operations ---------------------------------------------------------

    def _send_read(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        policy = self.policy
        start: float | None = None
        attempt = 1
        while True:
            try:
                answer = self.inner.send(request, ctx)
            except TransportError as exc:
                if not (exc.retryable and exc.http_status is None) or attempt >= policy.attempts:
                    raise
                reason: str = type(exc).__name__
                wait_for: float | None = None
                failure: TransportError | None = exc
            else:
                if answer.status not in RETRYABLE_HTTP_STATUSES or attempt >= policy.attempts:
                    return answer
                reason = f"HTTP {answer.status}"
                wait_for = _retry_after(answer.headers) if policy.honour_retry_after else None
                failure = None
            if start is None:
                start = self._clock()
            delay = policy.delay(attempt, self._random)
            if wait_for is not None:
                delay = max(delay, wait_for)
            left = policy.budget - (self._clock() - start)
            if delay > left:
                log.info(
                    "%s over %s: not retried after %s (a wait of %.2f s is beyond the budget)",
                    request.operation.name,
                    request.binding.value,
                    reason,
                    delay,
                )
                if failure is not None:
                    raise failure
                return answer
            log.info(
                "%s over %s: attempt %d of %d failed (%s); retrying in %.2f s",
                request.operation.name,
                request.binding.value,
                attempt,
                policy.attempts,
                reason,
                delay,
            )
            if delay > 0:
                self._sleep(delay)
            attempt += 1

    # --- operations that change state -------------------------------------------------

    def _send_once(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        """Send; resend only when the request surely never left, or the service says
        that it never saw it."""
        attempt = 1
        policy = self.policy
        while True:
            try:
                return self.inner.send(request, ctx)
            except TransportError as exc:
                if exc.request_sent is False and exc.http_status is None and exc.retryable:
                    reason = "the request never left"
                elif exc.request_sent is None:
                    answer = self._reconcile(request, ctx, exc)
                    if answer is not None:
                        return answer
                    reason = "the service has no image with this customerImageId"
                else:
                    raise
                if attempt >= policy.attempts:
                    if exc.request_sent is None:
                        raise self._unknown(request, exc, "no attempt is left") from None
                    raise
                delay = policy.delay(attempt, self._random)
                log.info(
                    "%s over %s: attempt %d of %d failed (%s: %s); sending again in %.2f s",
                    request.operation.name,
                    request.binding.value,
                    attempt,
                    policy.attempts,
                    type(exc).__name__,
                    reason,
                    delay,
                )
                if delay > 0:
                    self._sleep(delay)
                attempt += 1

    def _reconcile(
        self, request: HttpRequest, ctx: CallContext, exc: TransportError
    ) -> HttpAnswer | None:
        """The answer of a call whose outcome is unknown, from ``GetImageStatus`` by its
        ``customerImageId``; ``None`` when the service never saw it; else raise
        :class:`OutcomeUnknownError`."""
        op = request.operation
        status_op = _status_operation(op)
        if status_op is None or not _queues_an_image(op) or not op.credential_params:
            raise self._unknown(
                request, exc, "it is not a call that queues an image, which could be looked up"
            )
        try:
            values = _request_values(request)
        except Exception:
            values = {}
        customer_id = values.get("customer_image_id")
        if not isinstance(customer_id, str) or not customer_id.strip():
            raise self._unknown(request, exc, "it carries no customerImageId to look it up by")
        engine = BINDINGS[request.binding]
        email_attr, key_attr = _credentials(op)
        s_email, s_key = _credentials(status_op)
        query = {
            s_email: values.get(email_attr),
            s_key: values.get(key_attr),
            "customer_image_id": customer_id,
            "image_ticket": "nonticket",
        }
        log.info(
            "%s over %s: the outcome is unknown (%s); asking GetImageStatus by customerImageId",
            op.name,
            request.binding.value,
            type(exc).__name__,
        )
        try:
            status_request = engine.build_request(status_op, query, _endpoint_of(request), {}, ctx)
            answer = self._send_read(status_request, ctx)
            found = engine.read_answer(status_op, answer, ctx)
        except NotFoundError:
            log.info("%s: the service never saw it; sending it again", op.name)
            return None
        except RemoveTheBackgroundError as failure:
            raise self._unknown(
                request, exc, f"GetImageStatus failed too ({type(failure).__name__})"
            ) from None
        image = getattr(found, "image_status", None)
        ticket = getattr(image, "image_ticket", None)
        if ticket is None:
            raise self._unknown(request, exc, "GetImageStatus answered without a ticket")
        try:
            from ..service.engines import ENGINES

            result = op.result_model(image_ticket=ticket)
            body = ENGINES[request.binding].render_result(op, result)
        except Exception:
            raise self._unknown(
                request, exc, f"it did arrive (ticket {ticket}), but its result cannot be rebuilt"
            ) from None
        log.info("%s: it had arrived (ticket %s); not sent again", op.name, ticket)
        return HttpAnswer(200, "OK", {"Content-Type": engine.answer_content_type}, body)

    def _unknown(self, request: HttpRequest, exc: TransportError, why: str) -> OutcomeUnknownError:
        op = request.operation.name
        return OutcomeUnknownError(
            f"the request went out, but no answer came ({type(exc).__name__}: "
            f"{exc.args[0] if exc.args else exc}), so {op} may or may not have run; it was "
            f"not sent again because {why}. Check whether it ran before you send it again "
            "(for an image: get_image_status by its ticket or customer_image_id, or "
            "get_images_list), and give each image a unique customer_image_id so that the "
            "client can check by itself",
            cause=exc,
            operation=op,
            binding=request.binding.value,
            endpoint=exc.endpoint,
        )


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


_STATUS_OPS: dict[int, tuple[Operation[Any], Operation[Any] | None]] = {}


def _status_operation(op: Operation[Any]) -> Operation[Any] | None:
    """The ``GetImageStatus`` of ``op``'s service, if it looks images up by customerImageId."""
    found = _STATUS_OPS.get(id(op))
    if found is not None and found[0] is op:
        return found[1]
    from ..generated import GENERATIONS

    status: Operation[Any] | None = None
    for generation in GENERATIONS.values():
        operations = generation.service.operations
        if any(candidate is op for candidate in operations.values()):
            candidate = operations.get("GetImageStatus")
            if candidate is not None and _has_param(candidate, "customer_image_id"):
                status = candidate
    _STATUS_OPS[id(op)] = (op, status)
    return status


def _queues_an_image(op: Operation[Any]) -> bool:
    """Whether ``op`` queues an image: it takes a customerImageId and returns only the
    image's ticket (the five image-adding operations), so that its answer can be rebuilt
    from ``GetImageStatus``. (DeleteImageFromQueue also takes the id, but a found image
    says nothing about whether it ran.)"""
    spec = getattr(op.result_model, "__wire__", None)
    fields = tuple(f.attr for f in spec.fields) if spec is not None else ()
    return _has_param(op, "customer_image_id") and fields == ("image_ticket",)


def _has_param(op: Operation[Any], attr: str) -> bool:
    return any(f.attr == attr for f in op.params)


def _credentials(op: Operation[Any]) -> tuple[str, str]:
    by_name = {f.name: f.attr for f in op.params}
    return by_name[op.credential_params[0]], by_name[op.credential_params[1]]


def _endpoint_of(request: HttpRequest) -> str:
    """The endpoint a request was built for (the HTTP bindings add ``/<op>`` and a query)."""
    parts = urlsplit(request.url)
    path = parts.path
    location = request.operation.http_location
    if request.binding not in SOAP_BINDINGS and location and path.endswith(location):
        path = path[: -len(location)]
    return f"{parts.scheme}://{parts.netloc}{path}"


def _request_values(request: HttpRequest) -> dict[str, Any]:
    """The values of a built request, read back with the service side of its binding."""
    from ..service.requests import parse_http_request, parse_soap_request, read_envelope

    op = request.operation
    if request.binding in SOAP_BINDINGS:
        element = read_envelope(request.body or b"", request.binding)
        return parse_soap_request(op, element)
    if request.method == "GET":
        text = urlsplit(request.url).query
    else:
        text = (request.body or b"").decode("utf-8")
    return parse_http_request(op, parse_qsl(text, keep_blank_values=True))

"""The runtime base of the generated async clients: :class:`AsyncServiceClient` (asyncio).

The same account, configuration and pure steps as the sync
:class:`~removethebackground.core.client.ServiceClient` (both are
:class:`~removethebackground.core.client.ClientBase`): the binding check, the
credentials, ``build_request``, strict mode, ``read_answer``, the fault table and the
scrubbing of every error are the same code. Only the sending is awaited::

    request = self._prepare(op, args)                     # ClientBase (no I/O)
    answer  = await transport.send(request, ctx)          # asynctransport.py, retry.py
    return    self._answer(op, answer)                    # ClientBase (no I/O)

The transport is :class:`~removethebackground.core.asynctransport.AsyncHttpTransport`
(the ``async`` extra), under :class:`~removethebackground.core.ratelimit.AsyncRateLimitedTransport`
when ``rate_limits=`` is given and :class:`~removethebackground.core.retry.AsyncRetryingTransport`
(the sync policy's own decisions). One budget per call, held by the asyncio task
(:func:`~removethebackground.core.deadline.begin_task`), covers every attempt, backoff
wait and reconciliation lookup; a lost answer of a call that queues an image is
reconciled by :func:`~removethebackground.core.reconcile.reconcile_async` from the same
``Operation.outcome_lookup`` facts.

A call takes a slot of the transport's connection limit
(:meth:`AsyncHttpTransport.hold
<removethebackground.core.asynctransport.AsyncHttpTransport.hold>`) before its request
is built, and keeps it to its end: calls beyond ``max_connections`` wait holding nothing
but their task, and the first ones go out without waiting for the others to be built.

asyncio only (the transport runs on asyncio's connections): trio, and anyio on trio, are
not supported.
Constructing a client does no I/O and works inside a running loop; its connections are
made on the first call, in the loop that awaits it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ..bindings import EnvelopePlugin
from . import deadline as _deadline
from . import reconcile as _reconcile
from .client import ClientBase
from .config import ClientConfig, StrictMode
from .errors import InvalidParameterError, RemoveTheBackgroundError, TransportError
from .faults import FaultTable
from .http import HttpAnswer, HttpRequest
from .ratelimit import AsyncRateLimitedTransport, RateLimits
from .retry import AsyncRetryingTransport, RetryPolicy
from .secret import Secret
from .transport import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT
from .wire import Binding, Operation

if TYPE_CHECKING:
    from .asynctransport import AsyncTransport

__all__ = ["AsyncServiceClient"]

R = TypeVar("R")


def _holder(transport: Any) -> Any:
    """The transport whose connection limit a call holds a slot of for its whole length
    (:meth:`AsyncHttpTransport.hold
    <removethebackground.core.asynctransport.AsyncHttpTransport.hold>`), under the
    wrappers (retries, rate limits); ``None`` for a transport without one."""
    while transport is not None:
        if callable(getattr(type(transport), "hold", None)):
            return transport
        transport = getattr(transport, "inner", None)
    return None


class AsyncServiceClient(ClientBase):
    """Base of the generated async clients (asyncio): one service, one account, one binding.

    The arguments are those of :class:`~removethebackground.core.client.ServiceClient`,
    with the same meaning and checks, except:

    Args:
        transport: an :class:`~removethebackground.core.asynctransport.AsyncTransport`
            (``async def send``/``close``) instead of the default
            :class:`~removethebackground.core.asynctransport.AsyncHttpTransport`; the client
            leaves closing it to you. There is no ``session=``.
        max_connections: connections open at most, to all hosts together (default 100,
            :data:`~removethebackground.core.asynctransport.DEFAULT_MAX_CONNECTIONS`);
            calls beyond it wait for a free one within their deadline.
        trust_env: read ``HTTP(S)_PROXY``, ``NO_PROXY`` and ``.netrc`` from the
            environment, as the sync client does (default ``True``); ``proxy=`` or
            ``proxies=`` win over them.

    Use it with ``async with`` or ``await client.close()``. Every method is a coroutine
    raising the same errors as the sync client's (classes, attributes, redaction). Use
    a client from one event loop at a time (its connections belong to that loop); many
    tasks of that loop may share it, up to ``max_connections`` calls on the wire at once.
    Without httptools installed, constructing one raises
    :class:`~removethebackground.core.errors.InvalidParameterError` naming the extra
    (``pip install 'removethebackground[async]'``).
    """

    def __init__(
        self,
        email: str,
        api_key: str | Secret,
        *,
        binding: Binding | str = Binding.SOAP11,
        endpoint: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        transport: AsyncTransport | None = None,
        plugins: Sequence[EnvelopePlugin] = (),
        fault_classes: FaultTable | None = None,
        strict: StrictMode | None = None,
        verify: bool | str | None = None,
        cert: str | tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
        proxy: str | None = None,
        deadline: float | None = None,
        retries: RetryPolicy | int | bool | None = None,
        validate: bool = True,
        endpoint_source: str | None = None,
        rate_limits: RateLimits | Mapping[str, object] | None = None,
        max_connections: int | None = None,
        trust_env: bool = True,
    ) -> None:
        config = self._checked_config(
            email,
            api_key,
            transport,
            binding=binding,
            endpoint=endpoint,
            timeout=timeout,
            deadline=deadline,
            retries=retries,
            max_response_bytes=max_response_bytes,
            plugins=plugins,
            fault_classes=fault_classes,
            strict=strict,
            verify=verify,
            cert=cert,
            proxies=proxies,
            proxy=proxy,
            validate=validate,
            endpoint_source=endpoint_source,
            rate_limits=rate_limits,
        )
        sender: Any = transport
        if sender is None:
            # Imported here: a sync program that imports the generated modules never
            # loads asyncio or httptools.
            from .asynctransport import DEFAULT_MAX_CONNECTIONS, AsyncHttpTransport

            sender = AsyncHttpTransport(
                timeout=config.timeout,
                max_response_bytes=config.max_response_bytes,
                verify=config.verify,
                cert=config.cert,
                proxies=config.proxies,
                deadline=config.deadline,
                max_connections=(
                    DEFAULT_MAX_CONNECTIONS if max_connections is None else max_connections
                ),
                trust_env=trust_env,
            )
        elif max_connections is not None or trust_env is not True:
            raise InvalidParameterError(
                "max_connections" if max_connections is not None else "trust_env",
                "goes to the transport you pass, not here",
            )
        sender, owns = self._wrapped(
            sender,
            config,
            made=transport is None,
            rate_limited=AsyncRateLimitedTransport,
            retrying=AsyncRetryingTransport,
        )
        self._configure(email, Secret(api_key), config, sender, owns=owns)

    @property
    def transport(self) -> AsyncTransport:
        transport: AsyncTransport = self._transport
        return transport

    async def close(self) -> None:
        """Close the connections if the client made them (not a clone's, nor a given one's)."""
        if self._owns_transport:
            await self._transport.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- calls ------------------------------------------------------------------

    def _configure(
        self, email: str, api_key: Secret, config: ClientConfig, transport: Any, *, owns: bool
    ) -> None:
        super()._configure(email, api_key, config, transport, owns=owns)
        self._slots = _holder(transport)

    async def _call(self, op: Operation[R], args: Mapping[str, object]) -> R:
        seconds = self._call_seconds()
        # One deadline for the whole call (None: a caller's, for a reconciliation lookup).
        token = _deadline.begin_task(seconds) if seconds > 0 else None
        held = None
        if token is not None:
            # Calls beyond max_connections wait here, before their request is built: a
            # waiting call holds its task and two frames, not a request, its envelope and
            # the frames of every layer (about 4 KiB a call less), and the first calls go
            # out without waiting for the others to be built.
            holder = self._slots
            if holder is not None:
                refused: TransportError | None = None
                try:
                    held = await holder.hold(op.name, self._config.binding.value)
                except TransportError as exc:  # no slot within the deadline
                    refused = exc
                except BaseException:
                    _deadline.end_task(token)
                    raise
                if refused is not None:  # outside the except block: nothing chains to it
                    _deadline.end_task(token)
                    self._refused(op, args, refused)
                    raise self._scrub(refused)
        try:
            return await self._call_held(op, args, token)
        finally:
            if held is not None:
                held.release()

    def _refused(self, op: Operation[R], args: Mapping[str, object], exc: TransportError) -> None:
        """A call that got no slot: its input is checked (a bad value's error wins), and
        an observer sees it end with ``exc``."""
        request = self._prepare(op, args)
        observed = self._observe(op, request)
        if observed is not None:
            observed.end(exc)

    async def _call_held(self, op: Operation[R], args: Mapping[str, object], token: Any) -> R:
        """The call, with its slot held: build, send, settle a lost answer, read."""
        try:
            request = self._prepare(op, args)
        except BaseException:
            _deadline.end_task(token)
            raise
        observed = self._observe(op, request)  # an observer's spans and metrics; None: off
        lost: TransportError | None
        failure: RemoveTheBackgroundError | None = None
        try:
            try:
                answer = await self._transport.send(request, self._ctx)
            except TransportError as exc:
                if exc.request_sent is not None or not op.changes_state or not self._reconciles():
                    raise
                lost = exc
            else:
                lost = None
            if lost is not None:  # the request went out and its answer was lost
                if observed is not None:
                    observed.lost()
                settled = await self._settle(op, args, request, lost)
                if isinstance(settled, _reconcile.Found):
                    result: R = settled.result
                    return result
                answer = settled
            if observed is not None:
                observed.answered(answer.status)
            return self._answer(op, answer)
        except RemoveTheBackgroundError as exc:
            failure = exc
        except Exception as exc:
            failure = self._unreadable(op, exc)
            if failure is None:  # a test double's own assertion
                raise
        except BaseException as exc:  # a cancellation: the call ends with it
            if observed is not None:
                observed.end(exc)
                observed = None
            raise
        finally:
            _deadline.end_task(token)
            if observed is not None:
                observed.end(failure)
        # Outside the except block, so that nothing chains the error to what it replaced.
        raise self._scrub(failure)

    async def _settle(
        self,
        op: Operation[R],
        args: Mapping[str, object],
        request: HttpRequest,
        lost: TransportError,
    ) -> _reconcile.Found[R] | HttpAnswer:
        """As :meth:`ServiceClient._settle
        <removethebackground.core.client.ServiceClient._settle>`, awaited."""
        transport = self._transport
        assert isinstance(transport, AsyncRetryingTransport)
        sends = 1
        while True:
            found = await _reconcile.reconcile_async(self, op, args, cause=lost)
            if found is not None:
                return found
            if not await transport.wait_to_resend(request, sends, "the service never saw it"):
                raise _reconcile.unknown_outcome(
                    op,
                    lost,
                    "the service had not seen it when asked, and no attempt or time is left "
                    "to send it again",
                )
            sends += 1
            request = request.renewed()
            try:
                answer: HttpAnswer = await transport.send(request, self._ctx)
                return answer
            except TransportError as exc:
                if exc.request_sent is not None:
                    raise
                lost = exc

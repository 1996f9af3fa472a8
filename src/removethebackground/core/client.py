"""The runtime base of the generated clients: configuration and one call path.

A :class:`ServiceClient` holds the account, its configuration (one immutable
:class:`~removethebackground.core.config.ClientConfig`: binding, endpoint, timeouts,
retries, plugins, fault table, strict mode ...) and a transport. Each generated
method calls :meth:`ServiceClient._call`, whose work is three steps (around them it
only checks that the WSDL offers the operation on the binding, fills in the
credentials, validates in strict mode, and completes the call context of any error)::

    request = engine.build_request(op, values, endpoint, headers, ctx)   # bindings/
    answer  = transport.send(request, ctx)                                # transport.py
    return    engine.read_answer(op, answer, ctx)                         # bindings/

``engine`` is the binding's class from :data:`removethebackground.bindings.BINDINGS`;
the transport is :class:`~removethebackground.core.transport.RequestsTransport`,
wrapped in a :class:`~removethebackground.core.retry.RetryingTransport` that resends
read-only calls on passing failures and never resends a call that changes state
blindly (see :mod:`removethebackground.core.retry`), unless a transport is given.
``_call`` starts one deadline for the whole call (:mod:`removethebackground.core.deadline`),
and when the answer of a call that queues an image is lost it reconciles the call
from its own values (:mod:`removethebackground.core.reconcile`).

Whatever fails, only library errors leave a call, and none of them carries the key:
every error is redacted once more on its way out (its text, its attributes, its
notes), leaves with no ``__cause__`` or ``__context__`` chain, and the frames of its
traceback below the call hold no local variables (crash reporters send them).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Mapping, Sequence
from functools import partial
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import requests

from ..bindings import BINDINGS, SOAP_BINDINGS, CallContext, EnvelopePlugin
from ..bindings.http import form_pairs
from . import constraints as _constraints
from . import deadline as _deadline
from . import observe as _observe
from . import reconcile as _reconcile
from .config import ClientConfig, MessageValidator, StrictMode, check_offered
from .errors import (
    InvalidParameterError,
    MalformedResponseError,
    RemoveTheBackgroundError,
    TransportError,
    UnsupportedBindingError,
)
from .faults import FaultTable
from .http import HttpAnswer, HttpRequest
from .ratelimit import RateLimitedTransport, RateLimits
from .retry import AsyncRetryingTransport, RetryingTransport, RetryPolicy
from .secret import Secret
from .transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    RequestsTransport,
    Transport,
)
from .wire import Binding, Operation, Service

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "ClientBase",
    "ServiceClient",
    "build_envelope",
    "form_pairs",
]

log = logging.getLogger("removethebackground")

R = TypeVar("R")


class ClientBase:
    """What the sync and the async clients share: the account, the configuration and the
    pure steps of a call (no I/O), so both call paths behave alike.

    :class:`ServiceClient` (sync) and
    :class:`~removethebackground.core.asyncclient.AsyncServiceClient` (asyncio) add the
    transport and the call path; each call path runs these steps::

        request = self._prepare(op, args)     # binding offered, credentials, build, strict
        answer  = <send request, retries, deadline, reconciliation>
        return    self._answer(op, answer)    # strict, read_answer
        # any failure: self._unreadable(op, exc) for a foreign one, then self._scrub(error)
    """

    SERVICE: ClassVar[Service]
    _transport: Any

    def __init__(self, email: str, api_key: str | Secret, **kwargs: Any) -> None:
        raise NotImplementedError  # the sync and async clients each construct themselves

    @classmethod
    def _checked_config(
        cls, email: object, api_key: object, transport: object, **options: Any
    ) -> ClientConfig:
        """The constructor's checks, for the sync and the async clients alike: the account
        given, the options made one :class:`ClientConfig`, and no TLS or proxy option
        beside a transport of the caller's (they would not reach it)."""
        if not isinstance(email, str) or not email.strip():
            raise InvalidParameterError("email", "is empty: pass the account's contact email")
        if not isinstance(api_key, (str, Secret)) or not api_key:
            raise InvalidParameterError("api_key", "is empty: pass the account's API key")
        config = ClientConfig.for_service(cls.SERVICE, **options)
        if transport is not None and (
            config.verify is not None or config.cert is not None or config.proxies is not None
        ):
            raise InvalidParameterError(
                "transport", "verify=, cert= and proxies= go to the transport you pass, not here"
            )
        return config

    @staticmethod
    def _wrapped(
        transport: Any, config: ClientConfig, *, made: bool, rate_limited: Any, retrying: Any
    ) -> tuple[Any, bool]:
        """``transport`` under the rate limiter and the retries the configuration asks for
        (``rate_limited``, ``retrying``: the sync or the async classes), and whether the
        client closes what it holds. A transport the client ``made`` gets the default
        retries; the wrappers of a transport you pass close themselves, never it."""
        policy = config.retries or RetryPolicy()
        if made:
            if config.rate_limits is not None:  # under the retries: every attempt takes one
                transport = rate_limited(transport, config.rate_limits)
            if policy.attempts > 1:
                transport = retrying(transport, policy)
            return transport, True
        owns = False
        if config.rate_limits is not None:
            transport = rate_limited(transport, config.rate_limits, owns_inner=False)
            owns = True
        if config.retries is not None and policy.attempts > 1:
            transport = retrying(transport, policy, owns_inner=owns)
            owns = True
        return transport, owns

    def _configure(
        self, email: str, api_key: Secret, config: ClientConfig, transport: Any, *, owns: bool
    ) -> None:
        """Set the client up from a checked configuration (the constructor's and
        :meth:`with_binding`'s common end); the attributes below are what calls read."""
        check_offered(self.SERVICE, config.binding)
        self._config = config
        self._email = email
        self._api_key = api_key
        self._binding = config.binding
        self._endpoint = config.endpoint
        self._validate = config.validate
        self._safe_endpoint = config.safe_endpoint
        self._engine = BINDINGS[config.binding]
        self._transport = transport
        self._owns_transport = owns
        self._plugins = config.envelope_plugins()
        # The validator is made (and for the schema, compiled) once, when asked for.
        self._strict: MessageValidator | None = (
            None if config.strict is None else config.strict(self.SERVICE)
        )
        self._ctx = CallContext(
            redact=self._redact, fault_class=config.fault_classes.classify, plugins=self._plugins
        )

    # --- construction helpers -------------------------------------------------

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        profile: str | None = None,
        **overrides: Any,
    ) -> Self:
        """A client configured as ``rtb`` is: arguments, then ``profile`` (of the config
        file) when named, then the environment, then the ``RTB_PROFILE`` (or ``default``)
        profile, then the WSDL's address (see :mod:`removethebackground.core.settings`).

        The account is ``RTB_EMAIL`` and ``RTB_API_KEY`` (or ``email``/``api_key`` in
        the profile); the binding ``RTB_BINDING``; the endpoint the generation's own
        variable: ``RTB_PIXELZ_ENDPOINT`` (or its alias ``RTB_ENDPOINT``) for
        :class:`PixelzClient`, ``RTB_LEGACY_ENDPOINT`` for
        :class:`RemoveTheBackgroundClient` (which never reads ``RTB_ENDPOINT``), or
        ``pixelz_endpoint``/``legacy_endpoint`` in the profile. ``client.endpoint_source``
        says which one it was.

        ``environ`` replaces ``os.environ`` (``RTB_CONFIG`` in it names the config
        file); keyword arguments override everything (``endpoint=``, ``email=``,
        ``api_key=``, ``timeout=``, ``session=`` ...).
        """
        from . import settings as _settings

        env = os.environ if environ is None else environ
        # None given for a setting is as good as not giving it.
        overrides = {
            k: v for k, v in overrides.items() if v is not None or k not in _RESOLVED_ARGUMENTS
        }
        generation = _generation_of(cls.SERVICE)
        endpoint_key = None if generation is None else _settings.endpoint_key(generation)
        keys = ("email", "api_key", "binding") + (() if endpoint_key is None else (endpoint_key,))
        arguments: dict[str, str | None] = {}
        for key in ("email", "api_key"):
            value = overrides.get(key)
            if isinstance(value, str):  # a Secret api_key goes to the constructor as it is
                arguments[key] = value
        found = _settings.resolve(keys, arguments, profile=profile, environ=env)
        kwargs: dict[str, Any] = {}
        for key, variable in (("email", "RTB_EMAIL"), ("api_key", "RTB_API_KEY")):
            if key in overrides:
                continue
            setting = found.settings.get(key)
            if setting is None:
                raise InvalidParameterError(
                    variable,
                    f"is not set: export {variable}=..., put {key} in the config file's "
                    f"profile {found.profile!r} ({found.config_file}; `rtb config set "
                    f"{key.replace('_', '-')} ...`), or pass {key}= to from_env",
                )
            kwargs[key] = setting.value
        binding = found.settings.get("binding")
        if binding is not None and "binding" not in overrides:
            try:
                kwargs["binding"] = Binding.parse(binding.value)
            except ValueError as exc:
                raise InvalidParameterError(
                    binding.name if binding.origin == "env" else "binding",
                    f"{exc} (from {binding.source})",
                ) from None
        endpoint = None if endpoint_key is None else found.settings.get(endpoint_key)
        if endpoint is not None and "endpoint" not in overrides:
            kwargs["endpoint"] = endpoint.value
            kwargs["endpoint_source"] = endpoint.source
        kwargs.update(overrides)
        email = kwargs.pop("email")
        api_key = kwargs.pop("api_key")
        # From here on the key is held as a Secret only (masked in every repr, so in the
        # locals a crash reporter sends of this frame and the constructor's).
        if isinstance(api_key, str) and api_key:
            api_key = Secret(api_key)
        del found, arguments, overrides
        return cls(email, api_key, **kwargs)

    def with_binding(self, binding: Binding | str) -> Self:
        """The same account, endpoint and configuration over another binding, sharing the
        transport (which this client keeps closing); see :meth:`ClientConfig.with_binding`."""
        clone = type(self).__new__(type(self))
        clone._configure(
            self._email,
            self._api_key,
            self._config.with_binding(binding),
            self._transport,
            owns=False,
        )
        return clone

    @property
    def config(self) -> ClientConfig:
        """The client's configuration (immutable)."""
        return self._config

    @property
    def binding(self) -> Binding:
        return self._binding

    @property
    def endpoint(self) -> str:
        return self._endpoint

    @property
    def endpoint_source(self) -> str:
        """Where the endpoint came from: ``"argument"``, ``"RTB_PIXELZ_ENDPOINT"``,
        ``"config file profile 'x'"``, ``"WSDL default"`` ..."""
        return self._config.endpoint_source

    @property
    def validate(self) -> bool:
        """Whether the overlay's value rules are checked before sending."""
        return self._validate

    @property
    def email(self) -> str:
        return self._email

    @property
    def timeout(self) -> float | tuple[float, float]:
        return self._config.timeout

    @property
    def transport(self) -> Any:
        return self._transport

    @property
    def deadline(self) -> float:
        """Seconds for a whole call."""
        transport = getattr(self._transport, "inner", self._transport)
        return float(getattr(transport, "deadline", 0.0))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(email={self._email!r}, api_key='***', "
            f"binding={self._binding.value!r}, endpoint={self._safe_endpoint!r}, "
            f"endpoint_source={self._config.endpoint_source!r}"
            f"{'' if self._validate else ', validate=False'})"
        )

    # --- calls ------------------------------------------------------------------

    # --- the pure steps of a call, shared by the sync and async call paths -------------

    def _prepare(self, op: Operation[Any], args: Mapping[str, object]) -> HttpRequest:
        """The request of a call: the binding checked against the WSDL, the credentials
        filled in, the request built (and checked in strict mode). Raises before
        anything is sent."""
        if self._binding not in op.bindings:
            offered = ", ".join(sorted(b.value for b in op.bindings))
            raise UnsupportedBindingError(
                "binding",
                f"{op.name} is not offered over {self._binding.value} by the WSDL (it offers "
                f"{offered}): use client.with_binding(Binding.SOAP11) for this call",
            )
        if op.credential_params:
            email_attr, key_attr = _credential_attrs(op)
            values = {**args, email_attr: self._email, key_attr: self._api_key}
        else:  # a service without credential parameters (generated with ANY_SERVICE rules)
            values = dict(args)
        return self._request(op, values)

    def _answer(self, op: Operation[R], answer: HttpAnswer) -> R:
        """The result of ``answer`` (checked in strict mode), or the library error it is."""
        if self._strict is not None:
            self._strict.check_answer(op, self._binding, answer)
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s over %s: HTTP %s, %d bytes",
                op.name,
                self._binding.value,
                answer.status,
                len(answer.body),
            )
        return self._engine.read_answer(op, answer, self._ctx)

    def _unreadable(self, op: Operation[Any], exc: Exception) -> MalformedResponseError | None:
        """The library error for a foreign exception raised while reading an answer;
        ``None`` for a test double's own assertion (``passes_through``), to re-raise."""
        if getattr(exc, "passes_through", False):
            return None
        return MalformedResponseError(
            f"the answer could not be read ({type(exc).__name__}: {_text_of(exc)})",
            operation=op.name,
            binding=self._binding.value,
        )

    def _service_name(self) -> str:
        """The service as telemetry names it: the client class without ``Client`` (and,
        for an async client, without ``Async``): ``Pixelz``, ``RemoveTheBackground``."""
        name = type(self).__name__
        return name.removeprefix("Async").removesuffix("Client") or name

    def _observe(self, op: Operation[Any], request: HttpRequest) -> _observe.Call | None:
        """Start observing a call whose request is built (core/observe.py); ``None``: off."""
        if _observe.observer is None:
            return None
        return _observe.begin(
            self._service_name(), op, self._binding, self._endpoint, request.method
        )

    _budget_seconds: float | None = None  # the call's deadline, found on the first call

    def _call_seconds(self) -> float:
        """The seconds of one call's budget: ``deadline=``, else the transport's own
        deadline (0: none, for a transport without one)."""
        seconds = self._budget_seconds
        if seconds is None:
            seconds = self._config.deadline if self._config.deadline is not None else self.deadline
            self._budget_seconds = seconds
        return seconds

    def _reconciles(self) -> bool:
        """Whether a lost answer is reconciled here: retries are on (a retrying
        transport), and the caller has not deferred it."""
        transport = self._transport
        return (
            isinstance(transport, (RetryingTransport, AsyncRetryingTransport))
            and transport.policy.attempts > 1
            and not _reconcile.is_deferred()
        )

    def _request(self, op: Operation[Any], values: Mapping[str, object]) -> HttpRequest:
        """The request of ``op``, checked in strict mode; an error on the way (a value the
        binding or the schema refuses) leaves scrubbed like any other: the frames that
        wrote the key into the body are cleared."""
        try:
            if self._validate:
                request = self._engine.build_request(
                    op, values, self._endpoint, _NO_HEADERS, self._ctx
                )
            else:  # validate=False: values as given, the service decides
                with _constraints.unchecked():
                    request = self._engine.build_request(
                        op, values, self._endpoint, _NO_HEADERS, self._ctx
                    )
            if self._strict is not None:
                self._strict.check_request(op, values)
        except RemoveTheBackgroundError as exc:
            raise self._scrub(exc) from None
        if self._plugins:  # a nonce, a timestamp, a MessageID: new for every attempt
            request = dataclasses.replace(request, renew=partial(self._request, op, values))
        return request

    # --- secrets ------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        return self._api_key.redact(text)

    def _scrub(self, exc: RemoveTheBackgroundError) -> RemoveTheBackgroundError:
        """The error as it may leave a call: the endpoint filled in, every text redacted,
        no chain to the exceptions it replaced, and the finished frames of its traceback
        (and of the tracebacks of the errors it holds) cleared of their local variables."""
        if exc.endpoint is None:  # the call context, filled in once for every error
            exc.endpoint = self._safe_endpoint
        _scrub_exception(exc, self._redact, set())
        return exc


class ServiceClient(ClientBase):
    """Base of the generated clients: one service, one account, one binding.

    Args:
        email: the account's contact email (``contactEmail``).
        api_key: the account's API key (``contactAPIkey``), a str or a
            :class:`~removethebackground.core.secret.Secret`; held as a ``Secret``, never
            logged or shown.
        binding: :class:`Binding` or its name; default SOAP 1.1.
        endpoint: the service URL (``.../soap.asmx``); default the WSDL's address.
            :meth:`from_env` finds it as ``rtb`` does (see
            :mod:`removethebackground.core.settings`).
        endpoint_source: where ``endpoint`` came from, shown as ``client.endpoint_source``
            and in ``repr``; default ``"argument"``, or ``"WSDL default"`` without an
            endpoint (:meth:`from_env` passes the variable or the config file's profile).
        validate: ``True`` (the default): a value an overlay rule of the generated
            client refuses (``'GIF' must be one of ...``, ``images_per_page`` out of
            1..100) raises :class:`~removethebackground.core.errors.InvalidParameterError`
            before anything is sent. ``False``: values are sent as given (Python values
            still become their text: an ``int`` its digits), for when the service
            accepts a value the overlay does not know yet; the service then decides.
        timeout: seconds, or a ``(connect, read)`` pair, for each socket operation;
            always finite.
        deadline: seconds for the whole call, as gRPC's deadline: every attempt
            (connect, headers and body), every backoff wait between retries and any
            lookup that reconciles a lost answer together; default 3 times the
            (largest) timeout, or the given transport's own ``deadline``. A retry
            starts only when what is left can hold it (each attempt is armed for
            what is left; see :mod:`removethebackground.core.deadline`). When it
            passes, the connection is closed and the call raises
            :class:`~removethebackground.core.errors.TransportTimeout` (or
            :class:`~removethebackground.core.errors.OutcomeUnknownError` for a call
            that changes state and could not be looked up in time).
        retries: a :class:`~removethebackground.core.retry.RetryPolicy`, a number of
            retries, or ``False``; default ``RetryPolicy()`` (3 attempts, read-only
            operations only; see :mod:`removethebackground.core.retry`). Applies to the
            default transport, and to a given ``transport`` only when set. With
            retries on, a call that queues an image and loses its answer is
            reconciled by its ``customer_image_id``
            (:mod:`removethebackground.core.reconcile`), never sent twice blindly.
        session: a :class:`requests.Session` of your own (proxies, certificates,
            TLS settings); the client then leaves closing it to you.
        max_response_bytes: answers larger than this are refused.
        transport: a :class:`~removethebackground.core.transport.Transport` to send
            requests with, instead of the default one built from ``session``,
            ``timeout`` and ``max_response_bytes``; the client leaves closing it to you.
        plugins: envelope plugins for the SOAP bindings (see
            :class:`~removethebackground.bindings.EnvelopePlugin`), such as
            ``UsernameToken``/``Signature`` (:mod:`removethebackground.plugins.wsse`) and
            ``Addressing()`` (:mod:`removethebackground.plugins.addressing`, which is
            given the endpoint: see :mod:`removethebackground.core.config`).
        verify: TLS server verification: ``True`` (on, the default), ``False``, or the
            path of a CA bundle for a private CA. ``None``: on, or as ``session`` says.
        cert: a client certificate for mutual TLS: one PEM file with certificate and
            key, or a ``(cert, key)`` pair of paths.
        proxies, proxy: proxies by scheme (``{"https": "http://proxy:3128"}``), or one
            proxy URL for both schemes. See :mod:`removethebackground.core.connection`.
        fault_classes: which fault text becomes which exception class, for this
            client (a :class:`~removethebackground.core.faults.FaultTable`, e.g.
            ``DEFAULT_FAULT_TABLE.with_rule(r"quota", QuotaError)``); default
            :data:`~removethebackground.core.faults.DEFAULT_FAULT_TABLE`.
        strict: a strict mode, a function from the service to a validator of every
            request (before sending) and every answer: ``strict=validator_for`` (from
            :mod:`removethebackground.plugins.strict`) checks them against the WSDL's
            own XML Schema.
        rate_limits: rates per kind of call (``"queue"``, ``"write"``, ``"read"``), a
            :class:`~removethebackground.core.ratelimit.RateLimits` or a mapping such as
            ``{"queue": "2/s", "read": "600/min,burst=20"}``; a 429 then pauses its kind
            for every call of this client. Default ``None``: no limiter. Waiting for a
            token spends the call's deadline (see :mod:`removethebackground.core.ratelimit`).

    The arguments other than the account and the connection objects make one
    :class:`~removethebackground.core.config.ClientConfig` (``client.config``),
    checked once.
    """

    def __init__(
        self,
        email: str,
        api_key: str | Secret,
        *,
        binding: Binding | str = Binding.SOAP11,
        endpoint: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        transport: Transport | None = None,
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
        made = transport is None
        if transport is None:
            transport = RequestsTransport(
                session,
                timeout=config.timeout,
                max_response_bytes=config.max_response_bytes,
                verify=config.verify,
                cert=config.cert,
                proxies=None if config.proxies is None else dict(config.proxies),
                deadline=config.deadline,
            )
        sender, owns = self._wrapped(
            transport,
            config,
            made=made,
            rate_limited=RateLimitedTransport,
            retrying=RetryingTransport,
        )
        self._configure(email, Secret(api_key), config, sender, owns=owns)

    @property
    def transport(self) -> Transport:
        transport: Transport = self._transport
        return transport

    @property
    def _session(self) -> requests.Session:
        """The default transport's session (what the stubber and cassettes mount on)."""
        session = getattr(self._transport, "session", None)
        if not isinstance(session, requests.Session):
            raise TypeError(f"{type(self._transport).__name__} has no requests session")
        return session

    def close(self) -> None:
        """Close the connections if the client made them (not a clone's, nor a given one's)."""
        if self._owns_transport:
            self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, op: Operation[R], args: Mapping[str, object]) -> R:
        request = self._prepare(op, args)
        started = self._begin_budget()  # one deadline for the whole call (None: a caller's)
        observed = self._observe(op, request)  # an observer's spans and metrics; None: off
        lost: TransportError | None
        failure: RemoveTheBackgroundError | None = None
        try:
            try:
                answer = self._transport.send(request, self._ctx)
            except TransportError as exc:
                if exc.request_sent is not None or not op.changes_state or not self._reconciles():
                    raise
                lost = exc
            else:
                lost = None
            if lost is not None:  # the request went out and its answer was lost
                if observed is not None:
                    observed.lost()
                settled = self._settle(op, args, request, lost)
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
        finally:
            _deadline.end(started)
            if observed is not None:
                observed.end(failure)
        # Outside the except block, so that nothing chains the error to what it replaced.
        raise self._scrub(failure)

    def _begin_budget(self) -> _deadline.Budget | None:
        """Start the call's budget (:meth:`_call_seconds`; none for a transport without a
        deadline); ``None`` when a call on this thread runs already (a reconciliation
        lookup spends its caller's budget)."""
        seconds = self._call_seconds()
        return _deadline.begin(seconds) if seconds > 0 else None

    def _settle(
        self,
        op: Operation[R],
        args: Mapping[str, object],
        request: HttpRequest,
        lost: TransportError,
    ) -> _reconcile.Found[R] | HttpAnswer:
        """A call whose answer was lost: what it returned (looked up by its own values),
        or the answer of sending it again when the service never saw it; else raise
        :class:`~removethebackground.core.errors.OutcomeUnknownError`."""
        transport = self._transport
        assert isinstance(transport, RetryingTransport)
        sends = 1
        while True:
            found = _reconcile.reconcile(self, op, args, cause=lost)
            if found is not None:
                return found
            if not transport.wait_to_resend(request, sends, "the service never saw it"):
                raise _reconcile.unknown_outcome(
                    op,
                    lost,
                    "the service had not seen it when asked, and no attempt or time is left "
                    "to send it again",
                )
            sends += 1
            request = request.renewed()
            try:
                return transport.send(request, self._ctx)
            except TransportError as exc:
                if exc.request_sent is not None:
                    raise
                lost = exc


_NO_HEADERS: Mapping[str, str] = {}
# The arguments of from_env that the settings resolve (None: not given).
_RESOLVED_ARGUMENTS = frozenset({"email", "api_key", "binding", "endpoint", "endpoint_source"})


def _generation_of(service: Service) -> str | None:
    """The registry key of the generation whose WSDL ``service`` is (``None`` for a
    service of no generation: its endpoint comes from arguments or the WSDL only)."""
    from ..generated import GENERATIONS

    for key, generation in GENERATIONS.items():
        if generation.service is service:
            return key
    return None


def _text_of(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return type(exc).__name__


def _scrub_exception(exc: BaseException, redact: Any, seen: set[int]) -> None:
    """Redact every text of ``exc`` (and of library errors it holds) and cut its chain."""
    if id(exc) in seen:
        return
    seen.add(id(exc))
    _clear_frames(exc.__traceback__)
    exc.args = tuple(_scrub_value(a, redact, seen) for a in exc.args)
    state = getattr(exc, "__dict__", None)
    if state:
        for name, value in list(state.items()):
            state[name] = _scrub_value(value, redact, seen)
    exc.__cause__ = None
    exc.__context__ = None
    exc.__suppress_context__ = True


def _clear_frames(tb: TracebackType | None) -> None:
    """Drop the local variables of every finished frame of ``tb``.

    The frames below the client's call held the request body, the answer and the
    parsed trees, all with the key; crash reporters send frame locals. The line
    numbers and code of each entry stay, so the traceback still reads the same.
    The frame still executing (the client's own) cannot be cleared and is skipped:
    what it holds shows masked (:class:`~removethebackground.core.http.HttpRequest`,
    :class:`~removethebackground.core.http.HttpAnswer`, :class:`Secret`).
    """
    while tb is not None:
        try:
            tb.tb_frame.clear()
        except RuntimeError:  # an executing frame
            pass
        tb = tb.tb_next


def _scrub_value(value: object, redact: Any, seen: set[int]) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, BaseException):
        _scrub_exception(value, redact, seen)
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_scrub_value(v, redact, seen) for v in value)
    return value


# --- request building, shared with the sandbox and the tests ------------------------


_CREDENTIALS: dict[int, tuple[Operation[Any], tuple[str, str]]] = {}


def _credential_attrs(op: Operation[Any]) -> tuple[str, str]:
    found = _CREDENTIALS.get(id(op))
    if found is not None and found[0] is op:
        return found[1]
    by_name = {f.name: f.attr for f in op.params}
    attrs = by_name[op.credential_params[0]], by_name[op.credential_params[1]]
    _CREDENTIALS[id(op)] = (op, attrs)
    return attrs


def build_envelope(op: Operation[Any], binding: Binding, values: Mapping[str, object]) -> bytes:
    """The SOAP envelope of a request (``values`` keyed by attribute name)."""
    return SOAP_BINDINGS[binding].build_envelope(op, values)

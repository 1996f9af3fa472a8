"""The configuration of a client: one immutable object, validated once.

:class:`ClientConfig` holds everything a :class:`~removethebackground.core.client.ServiceClient`
is configured with besides the account and the connection objects (``session=``,
``transport=``): the binding, the endpoint and where it came from (``endpoint_source``:
``"argument"``, ``"RTB_PIXELZ_ENDPOINT"``, ``"config file profile 'x'"``, ``"WSDL
default"``; see :mod:`removethebackground.core.settings`), the timeouts, the retry
policy, the answer size limit, the envelope plugins, the fault table, strict mode,
whether the overlay's value rules are checked before sending (``validate``; see
:mod:`removethebackground.core.constraints`), and the TLS and proxy options. The
client's keyword arguments build one (:meth:`ClientConfig.for_service`);
``client.config`` shows it, and ``client.with_binding(...)`` is a client with a copy
of it that differs in the binding (:meth:`ClientConfig.with_binding`).

Every field is checked in ``__post_init__``, so a copy made with
:func:`dataclasses.replace` is checked too; a bad value raises
:class:`~removethebackground.core.errors.InvalidParameterError` naming the parameter.

Two hooks keep the core free of plugins (it imports none):

- ``plugins``: envelope plugins (:class:`~removethebackground.bindings.EnvelopePlugin`).
  A plugin that needs the client's endpoint has ``for_endpoint(endpoint)``, which
  returns the plugin to use (WS-Addressing's
  :class:`~removethebackground.plugins.addressing.Addressing` writes it as ``wsa:To``).
- ``strict``: a :data:`StrictMode`, a function from a
  :class:`~removethebackground.core.wire.Service` to its :class:`MessageValidator`;
  :func:`removethebackground.plugins.strict.validator_for` validates against the WSDL's
  own schema (``PixelzClient(..., strict=validator_for)``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from ..bindings import SOAP_BINDINGS
from .connection import Cert, check_cert, check_proxies, check_verify
from .errors import InvalidParameterError, UnsupportedBindingError, _safe_endpoint
from .faults import DEFAULT_FAULT_TABLE, FaultTable
from .ratelimit import RateLimits, check_rate_limits
from .retry import RetryPolicy, check_retries
from .settings import WSDL_DEFAULT
from .transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    Timeout,
    check_deadline,
    check_timeout,
)
from .wire import Binding, Operation, Service

if TYPE_CHECKING:
    from ..bindings.base import EnvelopePlugin
    from .http import HttpAnswer

__all__ = ["ClientConfig", "MessageValidator", "StrictMode"]


class MessageValidator(Protocol):
    """Checks each request before it is sent and each answer before it is read."""

    def check_request(self, op: Operation[Any], values: Mapping[str, object]) -> None:
        """Raise :class:`~removethebackground.core.errors.InvalidParameterError` to refuse."""

    def check_answer(self, op: Operation[Any], binding: Binding, answer: HttpAnswer) -> None:
        """Raise :class:`~removethebackground.core.errors.MalformedResponseError` to refuse."""


#: What ``strict=`` takes: the validator of a service (made once per client).
StrictMode = Callable[[Service], MessageValidator]


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """A client's configuration (see the module docstring and :class:`ServiceClient`'s
    arguments, which have the same names and meanings).

    ``retries`` is ``None`` when not given: the default transport then retries with
    ``RetryPolicy()``, and a given transport is used as it is. ``verify=None`` leaves
    TLS verification on (or to the session given).
    """

    binding: Binding
    endpoint: str
    timeout: Timeout = DEFAULT_TIMEOUT
    deadline: float | None = None
    retries: RetryPolicy | None = None
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    plugins: tuple[EnvelopePlugin, ...] = ()
    fault_classes: FaultTable = DEFAULT_FAULT_TABLE
    strict: StrictMode | None = None
    verify: bool | str | None = None
    cert: Cert | None = None
    proxies: Mapping[str, str] | None = None
    validate: bool = True
    endpoint_source: str = "argument"
    rate_limits: RateLimits | None = None

    def __post_init__(self) -> None:
        def put(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        try:
            put("binding", Binding.parse(self.binding))
        except ValueError as exc:
            raise InvalidParameterError("binding", str(exc)) from None
        put("endpoint", _check_endpoint(self.endpoint))
        put("timeout", check_timeout(self.timeout))
        put("deadline", check_deadline(self.deadline))
        if self.retries is not None:
            put("retries", check_retries(self.retries))
        put("rate_limits", check_rate_limits(self.rate_limits))
        size = self.max_response_bytes
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise InvalidParameterError(
                "max_response_bytes", f"{size!r} is not a positive number of bytes"
            )
        put("plugins", _check_plugins(self.plugins, self.binding))
        if not isinstance(self.fault_classes, FaultTable):  # a table is immutable: shared
            put("fault_classes", FaultTable(self.fault_classes))
        put("strict", _check_strict(self.strict))
        if self.verify is not None:
            put("verify", check_verify(self.verify))
        put("cert", check_cert(self.cert))
        proxies = check_proxies(self.proxies)
        put("proxies", None if proxies is None else MappingProxyType(proxies))
        if not isinstance(self.validate, bool):
            raise InvalidParameterError(
                "validate",
                f"{self.validate!r} is not a bool: pass validate=False to send values the "
                "overlay's rules would refuse, or leave it out (True)",
            )
        source = self.endpoint_source
        if not isinstance(source, str) or not source.strip():
            raise InvalidParameterError(
                "endpoint_source",
                f"{source!r} does not say where the endpoint came from: pass a label "
                "such as 'argument' or 'RTB_PIXELZ_ENDPOINT', or leave it out",
            )

    @classmethod
    def for_service(
        cls,
        service: Service,
        *,
        binding: Binding | str = Binding.SOAP11,
        endpoint: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        deadline: float | None = None,
        retries: RetryPolicy | int | bool | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        plugins: Sequence[EnvelopePlugin] = (),
        fault_classes: FaultTable | None = None,
        strict: StrictMode | None = None,
        verify: bool | str | None = None,
        cert: str | tuple[str, str] | None = None,
        proxies: Mapping[str, str] | None = None,
        proxy: str | None = None,
        validate: bool = True,
        endpoint_source: str | None = None,
        rate_limits: RateLimits | Mapping[str, object] | None = None,
    ) -> ClientConfig:
        """The configuration of a client of ``service`` (the endpoint defaults to the
        WSDL's address for the binding); the arguments are the client's.

        ``endpoint_source`` says where ``endpoint`` came from (default ``"argument"``,
        or ``"WSDL default"`` without an endpoint)."""
        try:
            chosen = Binding.parse(binding)
        except ValueError as exc:
            raise InvalidParameterError("binding", str(exc)) from None
        check_offered(service, chosen)
        return cls(
            binding=chosen,
            endpoint=endpoint or service.default_endpoints[chosen],
            timeout=timeout,
            deadline=deadline,
            retries=None if retries is None else check_retries(retries),
            max_response_bytes=max_response_bytes,
            plugins=tuple(plugins) if isinstance(plugins, Sequence) else plugins,
            fault_classes=DEFAULT_FAULT_TABLE if fault_classes is None else fault_classes,
            strict=strict,
            verify=verify,
            cert=cert,
            proxies=check_proxies(proxies, proxy),
            validate=validate,
            endpoint_source=(
                endpoint_source
                if endpoint_source is not None
                else ("argument" if endpoint else WSDL_DEFAULT)
            ),
            rate_limits=check_rate_limits(rate_limits),
        )

    def with_binding(self, binding: Binding | str) -> ClientConfig:
        """This configuration over another binding: the envelope plugins stay with the
        SOAP bindings (HTTP GET/POST have no envelope)."""
        try:
            chosen = Binding.parse(binding)
        except ValueError as exc:
            raise InvalidParameterError("binding", str(exc)) from None
        return replace(
            self, binding=chosen, plugins=self.plugins if chosen in SOAP_BINDINGS else ()
        )

    @property
    def safe_endpoint(self) -> str | None:
        """The endpoint as it may be shown (no user info, query or fragment)."""
        return _safe_endpoint(self.endpoint)

    def envelope_plugins(self) -> tuple[EnvelopePlugin, ...]:
        """The plugins as the calls use them, each given the endpoint if it asks for it."""
        bound: list[EnvelopePlugin] = []
        for plugin in self.plugins:
            for_endpoint = getattr(plugin, "for_endpoint", None)
            bound.append(for_endpoint(self.endpoint) if callable(for_endpoint) else plugin)
        return tuple(bound)


def check_offered(service: Service, binding: Binding) -> None:
    """Refuse a binding the WSDL of ``service`` does not offer."""
    if binding not in service.default_endpoints:
        raise UnsupportedBindingError(
            "binding", f"{service.name} offers no {binding.value} binding"
        )


def _check_plugins(plugins: object, binding: Binding) -> tuple[EnvelopePlugin, ...]:
    if isinstance(plugins, (str, bytes)) or not isinstance(plugins, (list, tuple)):
        raise InvalidParameterError(
            "plugins", f"expected a list of envelope plugins, got {type(plugins).__name__}"
        )
    for plugin in plugins:
        if not (
            callable(getattr(plugin, "outgoing", None))
            and callable(getattr(plugin, "incoming", None))
        ):
            raise InvalidParameterError(
                "plugins", f"{plugin!r} has no outgoing()/incoming() methods"
            )
    if plugins and binding not in SOAP_BINDINGS:
        raise UnsupportedBindingError(
            "plugins", f"envelope plugins need a SOAP binding, not {binding.value}"
        )
    return tuple(plugins)


def _check_strict(strict: object) -> StrictMode | None:
    if strict is None or strict is False:
        return None
    if strict is True or not callable(strict):
        raise InvalidParameterError(
            "strict",
            f"{strict!r} is not a strict mode: pass a function from the service to its "
            "validator, such as strict=validator_for "
            "(from removethebackground.plugins.strict import validator_for)",
        )
    return strict


def _check_endpoint(endpoint: object) -> str:
    parts = urlsplit(endpoint) if isinstance(endpoint, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidParameterError(
            "endpoint", f"{endpoint!r} is not an http(s) URL such as https://host/soap.asmx"
        )
    assert isinstance(endpoint, str)
    if parts.query or parts.fragment:
        # The query itself is not repeated: it may hold a credential.
        bare = _safe_endpoint(endpoint)
        raise InvalidParameterError(
            "endpoint",
            f"{bare!r} was given with a query string or fragment, which a service address "
            f"cannot carry: pass {bare!r} (such as https://host/soap.asmx)",
        )
    return endpoint

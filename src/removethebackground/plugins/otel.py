"""OpenTelemetry traces and metrics of every call, its retries and a batch's work.

::

    from removethebackground.plugins.otel import instrument

    instrument()            # the global tracer and meter providers, as set up by the SDK
    client = PixelzClient.from_env()
    client.get_templates()  # one CLIENT span "Pixelz/GetTemplates", its metrics

:func:`instrument` sets the process's observer (:mod:`removethebackground.core.observe`),
so every client of the process is traced, whatever made it (``rtb``, ``Batch``, your
code); :func:`uninstrument` takes it away. It needs only ``opentelemetry-api`` (the
``otel`` extra); what is exported, where, and how sampled is the SDK's business (see the
Observability page of the documentation). Without the SDK every span and instrument is
a no-op.

What is recorded (names and attributes; nothing else):

* a span per call, kind CLIENT, named ``{service}/{operation}`` (``Pixelz/GetImageStatus``),
  as the RPC semantic conventions name calls: ``rpc.system.name`` (``soap``),
  ``rpc.method`` (the same as the name), ``server.address``, ``server.port``,
  ``http.request.method``, ``http.response.status_code``, ``rpc.response.status_code`` (a
  SOAP fault's code: ``Client``, ``Server``), ``error.type`` (the error's class), and
  ``removethebackground.binding``, ``removethebackground.attempts``,
  ``removethebackground.outcome`` (``ok``, ``reconciled``, ``fault``, ``unknown``,
  ``error``); an event ``retry`` per retry (``removethebackground.attempt``,
  ``removethebackground.retry.reason``, ``removethebackground.retry.delay_s``);
* under it, with retries on (the default), a span per send, kind INTERNAL, named
  ``{service}/{operation} attempt``: ``removethebackground.attempt``,
  ``http.request.resend_count`` (from the second send), ``http.request.method``,
  ``server.address``, ``server.port``, ``http.response.status_code``, ``error.type``;
* a span per piece of a batch's work (``Batch.submit``, ``Batch.status``, ``Batch.wait``,
  ``Batch.download``), kind INTERNAL, with ``removethebackground.batch.id`` and the
  journal's counts at its end; the calls it makes are its children;
* metrics: ``rpc.client.call.duration`` (s), ``removethebackground.client.attempts``,
  ``removethebackground.batch.calls`` and the batch's own (:data:`BATCH_INSTRUMENTS`).

Never recorded: the key or any credential, the email, a URL's path or query, a
header, the envelope or any value of a call, an error's text.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

try:
    from opentelemetry import context as otel_context
    from opentelemetry import metrics, trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError as exc:  # pragma: no cover - the message is what is tested
    raise ImportError(
        "removethebackground.plugins.otel needs the otel extra (opentelemetry-api): "
        'pip install ".[otel]" in the project\'s clone',
        name=exc.name,
    ) from exc

from .._version import __version__
from ..core import observe
from ..core.observe import Attributes, CallEnd, CallInfo

__all__ = [
    "BATCH_INSTRUMENTS",
    "INSTRUMENTATION_NAME",
    "OpenTelemetryObserver",
    "instrument",
    "is_instrumented",
    "uninstrument",
]

log = logging.getLogger("removethebackground.otel")

#: The instrumentation scope of the tracer and the meter.
INSTRUMENTATION_NAME = "removethebackground"
#: ``rpc.system.name``: the service is an ASP.NET ASMX SOAP service (its HTTP GET and
#: POST bindings are the same service; ``removethebackground.binding`` says which).
RPC_SYSTEM = "soap"


@dataclass(frozen=True, slots=True)
class Instrument:
    """A metric a workflow reports through :func:`removethebackground.core.observe.measure`."""

    kind: str  # "counter", "histogram", "gauge"
    unit: str
    description: str


#: The batch's metrics, by name (what :mod:`removethebackground.workflows.batch` measures).
BATCH_INSTRUMENTS: Mapping[str, Instrument] = {
    "removethebackground.batch.rows": Instrument(
        "gauge",
        "{row}",
        "Rows of the batch's journal by state (pending, unknown, submitted, failed, "
        "downloaded), as the journal counted them last",
    ),
    "removethebackground.batch.images": Instrument(
        "gauge",
        "{image}",
        "Submitted images of the batch by their last known status (Delivered, ...)",
    ),
    "removethebackground.batch.queued": Instrument(
        "counter", "{image}", "Images the journal learnt were queued (by this process)"
    ),
    "removethebackground.batch.spend": Instrument(
        "counter",
        "1",
        "What the images learnt queued cost, at the batch's price_per_image (in the "
        "account's currency; only rows whose template has a price)",
    ),
    "removethebackground.batch.row.duration": Instrument(
        "histogram",
        "s",
        "Time to work one row (submit, reconcile, status, download); its count's rate "
        "is the batch's throughput",
    ),
}

_WORK: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "removethebackground_otel_work", default=None
)


class _CallSpan:
    """One call's span (made current while the call runs) and its attempts."""

    __slots__ = ("_info", "_observer", "_recording", "_span", "_token")

    def __init__(self, observer: OpenTelemetryObserver, info: CallInfo) -> None:
        self._observer = observer
        self._info = info
        name = f"{info.service}/{info.operation}"
        self._span = observer.tracer.start_span(
            name,
            kind=SpanKind.CLIENT,
            attributes={
                "rpc.system.name": RPC_SYSTEM,
                "rpc.method": name,
                "server.address": info.server_address,
                "server.port": info.server_port,
                "http.request.method": info.method,
                "removethebackground.binding": info.binding,
            },
        )
        # A span not recorded (no SDK, or sampled out) gets no attempts and no attributes.
        self._recording = self._span.is_recording()
        self._token = otel_context.attach(trace.set_span_in_context(self._span))

    def attempt_started(self, attempt: int) -> object:
        if not self._recording:
            return None
        info = self._info
        attributes: dict[str, str | int] = {
            "removethebackground.attempt": attempt,
            "http.request.method": info.method,
            "server.address": info.server_address,
            "server.port": info.server_port,
        }
        if attempt > 1:
            attributes["http.request.resend_count"] = attempt - 1
        return self._observer.tracer.start_span(
            f"{info.service}/{info.operation} attempt",
            kind=SpanKind.INTERNAL,
            attributes=attributes,
        )

    def attempt_ended(
        self, token: object, attempt: int, status: int | None, error: BaseException | None
    ) -> None:
        self._observer.attempts.add(1, self._observer.method_attributes(self._info))
        if not isinstance(token, trace.Span):
            return
        if status is not None:
            token.set_attribute("http.response.status_code", status)
        if error is not None:
            token.set_attribute("error.type", type(error).__name__)
            token.set_status(Status(StatusCode.ERROR))
        elif status is not None and status >= 500:
            token.set_attribute("error.type", str(status))
            token.set_status(Status(StatusCode.ERROR))
        token.end()

    def retrying(self, attempt: int, reason: str, delay: float) -> None:
        if not self._recording:
            return
        self._span.add_event(
            "retry",
            {
                "removethebackground.attempt": attempt,
                "removethebackground.retry.reason": reason,
                "removethebackground.retry.delay_s": round(delay, 3),
            },
        )

    def ended(self, end: CallEnd) -> None:
        span = self._span
        try:
            if not self._recording:
                span.end()
                return
            span.set_attribute("removethebackground.attempts", end.attempts)
            span.set_attribute("removethebackground.outcome", end.outcome)
            if end.status is not None:
                span.set_attribute("http.response.status_code", end.status)
            if end.fault_code is not None:
                span.set_attribute("rpc.response.status_code", end.fault_code)
            if end.error_type is not None:
                span.set_attribute("error.type", end.error_type)
                span.set_status(Status(StatusCode.ERROR))
            span.end()
        finally:
            otel_context.detach(self._token)
        self._observer.record_call(self._info, end)


class _WorkSpan:
    __slots__ = ("_span", "_token", "_work_token")

    def __init__(self, observer: OpenTelemetryObserver, name: str, attributes: Attributes) -> None:
        self._span = observer.tracer.start_span(
            name, kind=SpanKind.INTERNAL, attributes=dict(attributes)
        )
        self._token = otel_context.attach(trace.set_span_in_context(self._span))
        self._work_token = _WORK.set(name)

    def ended(self, error: BaseException | None, attributes: Attributes) -> None:
        span = self._span
        try:
            span.set_attributes(dict(attributes))
            if error is not None:
                span.set_attribute("error.type", type(error).__name__)
                span.set_status(Status(StatusCode.ERROR))
            span.end()
        finally:
            _WORK.reset(self._work_token)
            otel_context.detach(self._token)


class OpenTelemetryObserver:
    """The observer :func:`instrument` sets: spans from a tracer, metrics from a meter.

    Args:
        tracer_provider: where spans go (default the global one).
        meter_provider: where metrics go (default the global one).
    """

    def __init__(
        self,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self.tracer = trace.get_tracer(
            INSTRUMENTATION_NAME, __version__, tracer_provider=tracer_provider
        )
        meter = metrics.get_meter(INSTRUMENTATION_NAME, __version__, meter_provider=meter_provider)
        self.call_duration = meter.create_histogram(
            "rpc.client.call.duration",
            unit="s",
            description="Duration of the calls of the service (every attempt, wait and lookup)",
        )
        self.attempts = meter.create_counter(
            "removethebackground.client.attempts",
            unit="{attempt}",
            description="Sends of the calls, retries included (with retries on)",
        )
        self.batch_calls = meter.create_counter(
            "removethebackground.batch.calls",
            unit="{call}",
            description="Calls made by a batch's work, by the work (Batch.submit ...)",
        )
        self._instruments: dict[str, Any] = {}
        self._methods: dict[tuple[str, str, str], Mapping[str, str]] = {}
        for name, spec in BATCH_INSTRUMENTS.items():
            if spec.kind == "counter":
                made: Any = meter.create_counter(name, unit=spec.unit, description=spec.description)
            elif spec.kind == "histogram":
                made = meter.create_histogram(name, unit=spec.unit, description=spec.description)
            else:
                made = meter.create_gauge(name, unit=spec.unit, description=spec.description)
            self._instruments[name] = made

    # --- the observer seam ---------------------------------------------------------

    def call_started(self, call: CallInfo) -> _CallSpan:
        return _CallSpan(self, call)

    def work_started(self, name: str, attributes: Attributes) -> _WorkSpan:
        return _WorkSpan(self, name, attributes)

    def measure(self, name: str, value: int | float, attributes: Attributes) -> None:
        instrument = self._instruments.get(name)
        if instrument is None:
            log.debug("no instrument %s: not recorded", name)
            return
        spec = BATCH_INSTRUMENTS[name]
        if spec.kind == "histogram":
            instrument.record(value, dict(attributes))
        elif spec.kind == "gauge":
            instrument.set(value, dict(attributes))
        else:
            instrument.add(value, dict(attributes))

    def method_attributes(self, info: CallInfo) -> Mapping[str, str]:
        """``rpc.method`` and the binding of ``info`` (made once per operation and binding)."""
        key = (info.service, info.operation, info.binding)
        found = self._methods.get(key)
        if found is None:
            found = {
                "rpc.method": f"{info.service}/{info.operation}",
                "removethebackground.binding": info.binding,
            }
            self._methods[key] = found
        return found

    def record_call(self, info: CallInfo, end: CallEnd) -> None:
        method = f"{info.service}/{info.operation}"
        attributes: dict[str, str | int] = {
            "rpc.system.name": RPC_SYSTEM,
            "rpc.method": method,
            "server.address": info.server_address,
            "server.port": info.server_port,
            "removethebackground.binding": info.binding,
            "removethebackground.outcome": end.outcome,
        }
        if end.error_type is not None:
            attributes["error.type"] = end.error_type
        self.call_duration.record(end.seconds, attributes)
        work = _WORK.get()
        if work is not None:
            self.batch_calls.add(
                1,
                {
                    "rpc.method": method,
                    "removethebackground.work": work,
                    "removethebackground.outcome": end.outcome,
                },
            )


def instrument(
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
) -> OpenTelemetryObserver:
    """Trace and measure every call of the process (replacing an earlier
    :func:`instrument`); returns the observer set."""
    instrumentation = OpenTelemetryObserver(tracer_provider, meter_provider)
    observe.set_observer(instrumentation)
    return instrumentation


def uninstrument() -> None:
    """Stop tracing (when :func:`instrument` set the observer)."""
    if isinstance(observe.get_observer(), OpenTelemetryObserver):
        observe.set_observer(None)


def is_instrumented() -> bool:
    return isinstance(observe.get_observer(), OpenTelemetryObserver)

"""OpenTelemetry in tests: an SDK tracer and meter exporting to memory, instrumented.

::

    with Telemetry() as telemetry:
        client.get_templates()
    telemetry.spans()          # finished spans, oldest first
    telemetry.points("rpc.client.call.duration")
"""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from removethebackground.core import observe
from removethebackground.plugins.otel import OpenTelemetryObserver, instrument


class Telemetry:
    """Spans and metrics of the block, in memory; the process's observer during it."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])
        self.observer: OpenTelemetryObserver | None = None
        self._previous: Any = None

    def __enter__(self) -> Telemetry:
        self._previous = observe.get_observer()
        self.observer = instrument(self.tracer_provider, self.meter_provider)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        observe.set_observer(self._previous)

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> list[ReadableSpan]:
        return [s for s in self.spans() if s.name == name]

    def metrics(self) -> dict[str, list[Any]]:
        """Metric name -> its data points (collected now)."""
        found: dict[str, list[Any]] = {}
        data = self.reader.get_metrics_data()
        if data is None:
            return found
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    found.setdefault(metric.name, []).extend(metric.data.data_points)
        return found

    def points(self, name: str) -> list[Any]:
        return self.metrics().get(name, [])


def texts_of_spans(spans: list[ReadableSpan]) -> Iterator[str]:
    """Every text an exporter sends of ``spans``: names, attributes (keys and values),
    events, links, status descriptions and the resource."""
    for span in spans:
        yield span.name
        yield span.to_json()
        for key, value in (span.attributes or {}).items():
            yield f"{key}={value}"
        for event in span.events:
            yield event.name
            for key, value in (event.attributes or {}).items():
                yield f"{key}={value}"
        if span.status.description:
            yield span.status.description


def texts_of_metrics(telemetry: Telemetry) -> Iterator[str]:
    data = telemetry.reader.get_metrics_data()
    if data is not None:
        yield data.to_json()

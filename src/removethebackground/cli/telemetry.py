"""``rtb --otel EXPORTER`` (or ``RTB_OTEL``): a span per command, over its calls' spans.

Imported only when the option is given, so ``rtb --help`` and every command without
it import no OpenTelemetry module. The exporters:

- ``console``: spans and metrics printed as JSON on stderr when the command ends
  (the ``opentelemetry-sdk`` package);
- ``otlp``: sent over OTLP/HTTP (``opentelemetry-exporter-otlp-proto-http``) to where
  the standard variables say (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``..._HEADERS`` ...);
- ``global``: the providers already set in the process, as ``opentelemetry-instrument
  rtb ...`` sets them from the ``OTEL_*`` variables.

The service is named ``rtb`` unless ``OTEL_SERVICE_NAME`` says otherwise. The command's
span is named ``rtb <command>`` (``rtb batch wait``) and holds the command's path and
its exit code, never an argument or an option's value.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from .context import EXIT, CliError

__all__ = ["EXPORTERS", "CommandTelemetry", "command_path"]

#: The values of ``--otel``.
EXPORTERS = ("console", "otlp", "global")

_NAMES = {code: name for name, code in EXIT.items()}


def command_path(group: click.Group, ctx: click.Context, args: list[str]) -> list[str]:
    """The command names at the start of ``args`` (``["batch", "wait"]``): names only."""
    path: list[str] = []
    command: click.Command | None = group
    for token in args:
        if not isinstance(command, click.Group):
            break
        if token.startswith("-"):
            continue
        found = command.get_command(ctx, token)
        if found is None:
            break
        path.append(token)
        command = found
    return path


class CommandTelemetry:
    """The providers, the instrumentation and the span of one ``rtb`` command."""

    def __init__(self, exporter: str, path: list[str]) -> None:
        try:
            from opentelemetry import context, trace

            from ..plugins.otel import instrument
        except ImportError:
            raise CliError(
                '--otel needs the otel extra: pip install ".[otel]" in the project\'s clone',
                EXIT["usage"],
            ) from None
        self._owned: list[Any] = []
        tracer_provider, meter_provider = self._providers(exporter)
        self.observer = instrument(tracer_provider, meter_provider)
        name = " ".join(["rtb", *path])
        self.span = self.observer.tracer.start_span(
            name,
            kind=trace.SpanKind.INTERNAL,
            attributes={"removethebackground.command": name},
        )
        self._token = context.attach(trace.set_span_in_context(self.span))

    def _providers(self, exporter: str) -> tuple[Any, Any]:
        if exporter == "global":
            return None, None
        try:
            from opentelemetry.sdk.metrics import MeterProvider
            from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
        except ImportError:
            raise CliError(
                f"--otel {exporter} needs the OpenTelemetry SDK: pip install opentelemetry-sdk",
                EXIT["usage"],
            ) from None
        attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": "rtb"}
        resource = Resource.create(attributes)
        if exporter == "console":
            from opentelemetry.sdk.metrics.export import ConsoleMetricExporter
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter

            out = sys.stderr
            spans: Any = SimpleSpanProcessor(ConsoleSpanExporter(out=out))
            metric_exporter: Any = ConsoleMetricExporter(out=out)
        else:
            try:
                from opentelemetry.exporter.otlp.proto.http.metric_exporter import (  # type: ignore[import-not-found,unused-ignore]
                    OTLPMetricExporter,
                )
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found,unused-ignore]
                    OTLPSpanExporter,
                )
            except ImportError:
                raise CliError(
                    "--otel otlp needs the OTLP exporter: "
                    "pip install opentelemetry-exporter-otlp-proto-http",
                    EXIT["usage"],
                ) from None
            spans = BatchSpanProcessor(OTLPSpanExporter())
            metric_exporter = OTLPMetricExporter()
        tracer_provider = TracerProvider(resource=resource)
        tracer_provider.add_span_processor(spans)
        # Exported once, when the command ends (the reader's shutdown collects).
        reader = PeriodicExportingMetricReader(metric_exporter, export_interval_millis=3_600_000)
        meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
        self._owned = [tracer_provider, meter_provider]
        return tracer_provider, meter_provider

    def stop(self, code: int | None) -> None:
        """End the command's span with its exit code, and flush what this made."""
        from opentelemetry import context
        from opentelemetry.trace import Status, StatusCode

        from ..plugins.otel import uninstrument

        span = self.span
        if code is not None:
            span.set_attribute("process.exit.code", code)
        if code != EXIT["ok"]:
            span.set_attribute(
                "error.type", "exit" if code is None else _NAMES.get(code, str(code))
            )
            span.set_status(Status(StatusCode.ERROR))
        span.end()
        context.detach(self._token)
        uninstrument()
        for provider in self._owned:
            provider.shutdown()

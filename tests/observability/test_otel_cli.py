"""``rtb --otel``: a span per command over its calls' spans, exported as asked; lazy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from removethebackground.testing.sandbox import SandboxHandle

TICKET = "9a4e4e16-8e77-4e8c-b579-79fba86611e3"


def _rtb(sandbox: SandboxHandle, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("RTB_", "OTEL_"))}
    full.update(
        RTB_EMAIL=sandbox.demo_email,
        RTB_API_KEY=sandbox.demo_api_key,
        RTB_PIXELZ_ENDPOINT=sandbox.pixelz_endpoint,
        RTB_CONFIG=os.devnull,
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "removethebackground", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
        check=False,
    )


def _documents(text: str) -> list[dict[str, Any]]:
    """The JSON documents the console exporters wrote, one after the other."""
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    index = text.find("{")
    while index != -1:
        document, end = decoder.raw_decode(text, index)
        found.append(document)
        index = text.find("{", end)
    return found


def test_otel_console_prints_the_commands_span_over_its_calls(sandbox: SandboxHandle) -> None:
    done = _rtb(sandbox, "--otel", "console", "templates")
    assert done.returncode == 0, done.stderr
    assert "Demo White Background" in done.stdout and "trace_id" not in done.stdout
    documents = _documents(done.stderr)
    spans = {d["name"]: d for d in documents if "span_id" in d.get("context", {})}
    command = spans["rtb templates"]
    call = spans["Pixelz/GetTemplates"]
    assert command["parent_id"] is None
    assert call["parent_id"] == command["context"]["span_id"]
    assert command["attributes"] == {
        "removethebackground.command": "rtb templates",
        "process.exit.code": 0,
    }
    assert command["resource"]["attributes"]["service.name"] == "rtb"
    assert call["kind"] == "SpanKind.CLIENT"
    metrics = [d for d in documents if "resource_metrics" in d]
    names = {
        m["name"]
        for d in metrics
        for r in d["resource_metrics"]
        for s in r["scope_metrics"]
        for m in s["metrics"]
    }
    assert "rpc.client.call.duration" in names


def test_rtb_otel_from_the_environment_and_a_failing_command(sandbox: SandboxHandle) -> None:
    done = _rtb(sandbox, "status", TICKET, RTB_OTEL="console", OTEL_SERVICE_NAME="shop-sync")
    assert done.returncode == 3, done.stderr  # a fault
    spans = {d["name"]: d for d in _documents(done.stderr) if "context" in d}
    command = spans["rtb status"]
    assert command["status"]["status_code"] == "ERROR"
    assert command["attributes"]["error.type"] == "fault"
    assert command["attributes"]["process.exit.code"] == 3
    assert command["resource"]["attributes"]["service.name"] == "shop-sync"
    assert spans["Pixelz/GetImageStatus"]["attributes"]["error.type"] == "NotFoundError"
    # The arguments are in no span or metric: not the ticket, not the key.
    exported = json.dumps(_documents(done.stderr))
    assert TICKET not in exported and sandbox.demo_api_key not in exported


def test_a_bad_exporter_is_a_usage_error(sandbox: SandboxHandle) -> None:
    done = _rtb(sandbox, "--otel", "zipkin", "templates")
    assert done.returncode == 2 and "--otel" in done.stderr


def test_otlp_without_its_exporter_says_what_to_install(sandbox: SandboxHandle) -> None:
    pytest.importorskip("opentelemetry.sdk")
    try:
        import opentelemetry.exporter.otlp.proto.http  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("the OTLP exporter is installed")
    done = _rtb(sandbox, "--otel", "otlp", "templates")
    assert done.returncode == 2
    assert "pip install opentelemetry-exporter-otlp-proto-http" in done.stderr


def test_without_otel_and_for_help_no_opentelemetry_module_is_imported() -> None:
    code = (
        "import sys\n"
        "from removethebackground.cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "bad = sorted(m for m in sys.modules if m.startswith('opentelemetry') "
        "or m.endswith('.otel') or m.endswith('cli.telemetry'))\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_command_path_is_names_only() -> None:
    import click

    from removethebackground.cli.app import cli
    from removethebackground.cli.telemetry import command_path

    ctx = click.Context(cli)
    assert command_path(cli, ctx, ["batch", "wait", "j.sqlite", "--timeout", "3"]) == [
        "batch",
        "wait",
    ]
    assert command_path(cli, ctx, ["templates", "--json"]) == ["templates"]
    assert command_path(cli, ctx, ["nonsense"]) == []


def test_the_plugin_without_the_api_says_which_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['opentelemetry'] = None\n"
        "try:\n"
        "    import removethebackground.plugins.otel\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert 'pip install ".[otel]"' in done.stdout, done.stderr

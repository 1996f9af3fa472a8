"""docs/observability.md's console exporter example runs as written, against a sandbox."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from removethebackground.testing.sandbox import SandboxHandle

PAGE = Path(__file__).resolve().parents[2] / "docs" / "observability.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _example() -> str:
    (code,) = [b for b in BLOCK.findall(PAGE.read_text(encoding="utf-8")) if "ConsoleSpan" in b]
    return code


def test_the_console_example_prints_the_call_under_the_callers_span(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    script = tmp_path / "example.py"
    script.write_text(_example(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RTB_", "OTEL_"))}
    env.update(
        RTB_EMAIL=sandbox.demo_email,
        RTB_API_KEY=sandbox.demo_api_key,
        RTB_PIXELZ_ENDPOINT=sandbox.pixelz_endpoint,
        RTB_CONFIG=os.devnull,
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    decoder = json.JSONDecoder()
    spans, index = [], done.stdout.find("{")
    while index != -1:
        span, end = decoder.raw_decode(done.stdout, index)
        spans.append(span)
        index = done.stdout.find("{", end)
    assert [s["name"] for s in spans] == [
        "Pixelz/GetTemplates attempt",
        "Pixelz/GetTemplates",
        "nightly sync",
    ]
    attempt, call, mine = spans
    assert attempt["parent_id"] == call["context"]["span_id"]
    assert call["parent_id"] == mine["context"]["span_id"]
    # The page shows these attributes: they are the call's, the port apart.
    shown = json.loads(re.search(r"```json\n(.*?)```", PAGE.read_text(), re.S)[1])  # type: ignore[index]
    assert call["kind"] == shown["kind"]
    expected = {**shown["attributes"], "server.port": call["attributes"]["server.port"]}
    assert call["attributes"] == expected

"""``rtb sandbox``, ``python -m removethebackground.sandbox`` and ``scripts/demo.py``, run
as users run them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from removethebackground import AuthenticationError, Binding, PixelzClient
from removethebackground.cli.main import main
from removethebackground.sandbox.server import build_parser, parse_account

ROOT = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"sandbox on (http://127\.0\.0\.1:(\d+))")


@contextmanager
def running(*args: str, cwd: Path | None = None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        url = None
        deadline = time.monotonic() + 20
        lines = []
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            match = URL_LINE.search(line)
            if match:
                url = match.group(1)
        assert url is not None, "".join(lines) + (process.stderr.read() if process.stderr else "")
        yield process, url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:  # pragma: no cover
                process.kill()
                process.wait()


def test_python_m_sandbox_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    with running(
        "-m",
        "removethebackground.sandbox",
        "--port",
        "0",
        "--step-seconds",
        "0.2",
        "--account",
        "team@example.org:s3cret:with-colon",
        "--quiet",
    ) as (process, url):
        client = PixelzClient(
            "team@example.org",
            "s3cret:with-colon",
            binding=Binding.SOAP12,
            endpoint=f"{url}/soap.asmx",
        )
        assert len(client.get_templates().templates or []) == 1
        ticket = client.add_image_to_queue(
            template_id=str((client.get_templates().templates or [])[0].template_id),  # type: ignore[union-attr]
            image_url="http://example.com/cli.jpg",
        ).image_ticket
        deadline = time.monotonic() + 10
        while True:  # a running (not frozen) clock with 0.2 s steps
            status = client.get_image_status(image_ticket=str(ticket)).image_status
            assert status is not None
            if status.status_id == 80 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert status.status_id == 80
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        out = process.stdout.read() if process.stdout else ""
        err = process.stderr.read() if process.stderr else ""
    assert "s3cret" not in out + err  # keys of --account are never printed or logged
    assert "stopping the sandbox" in out


def test_rtb_sandbox_banner_and_persistent_data(tmp_path: Path) -> None:
    data = tmp_path / ".rtb-sandbox"
    args = ("-m", "removethebackground.cli", "sandbox", "--port", "0", "--data", str(data))
    with running(*args) as (process, url):
        banner = ""
        assert process.stdout is not None
        while "Press Ctrl+C" not in banner:
            banner += process.stdout.readline()
        client = PixelzClient("demo@example.com", "demo-key", endpoint=f"{url}/soap.asmx")
        client.add_template(template_name="Persisted")
    assert f"{url}/soap.asmx" in banner and f"{url}/legacy/soap.asmx" in banner
    assert "demo@example.com / demo-key" in banner
    assert str(data) in banner and "temporary" not in banner
    assert (data / "sandbox.sqlite3").is_file()
    with running(*args) as (_process, url):
        client = PixelzClient("demo@example.com", "demo-key", endpoint=f"{url}/soap.asmx")
        names = [t.template_name for t in client.get_templates().templates or [] if t]
        assert names[-1] == "Persisted"
        with pytest.raises(AuthenticationError):
            PixelzClient("x@example.org", "k", endpoint=f"{url}/soap.asmx").get_templates()


def test_cli_parsing() -> None:
    args = build_parser().parse_args(
        ["--port", "0", "--account", "a@b.example:k1", "--account", "c@d.example:k2"]
    )
    assert (args.port, args.host, args.step_seconds) == (0, "127.0.0.1", 3.0)
    assert args.account == [("a@b.example", "k1"), ("c@d.example", "k2")]
    assert args.data is None
    assert build_parser().parse_args([]).port == 8110
    assert parse_account("a@b.example:k:ey") == ("a@b.example", "k:ey")
    for bad in (
        ["--account", "nokey"],
        ["--port", "70000"],
        ["--step-seconds", "0"],
    ):
        with pytest.raises(SystemExit) as caught:
            build_parser().parse_args(bad)
        assert caught.value.code == 2
    assert main([]) == 2


def test_demo_script_runs_end_to_end(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    written = list((tmp_path / "demo-output").glob("*.png"))
    assert len(written) == 1
    assert "Delivered" in result.stdout and "transparent" in result.stdout
    fraction = re.search(r"(\d+)% transparent", result.stdout)
    assert fraction is not None and 30 <= int(fraction.group(1)) <= 95

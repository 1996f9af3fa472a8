"""``rtb batch wait --listen HOST:PORT``: the rows' notifications received by the command
itself, against a real sandbox on loopback (wall clock, 0.2 s status steps), in this
process; the status calls are counted at the sandbox's request log."""

from __future__ import annotations

import csv
import json
import os
import socket
import sys
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from removethebackground.cli.main import main
from removethebackground.core.redaction import secret_forms
from removethebackground.sandbox import DEMO_API_KEY, DEMO_EMAIL
from removethebackground.sandbox.imaging import make_sample_product_photo
from removethebackground.testing.sandbox import run_sandbox

EMAIL, KEY = DEMO_EMAIL, DEMO_API_KEY  # the account with templates 1001 and 1002


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(env: dict[str, str | None], *args: str) -> tuple[int, str, str]:
    with CliRunner().isolation(env=env) as (out, err, _mixed):
        code = main(list(args))
        sys.stdout.flush()
        sys.stderr.flush()
        result = (code, out.getvalue().decode(), err.getvalue().decode())
    for form in secret_forms(KEY):
        assert form not in result[1] + result[2]
    return result


def test_batch_wait_listen_settles_rows_from_their_notifications(tmp_path: Path) -> None:
    with run_sandbox(realtime=True, step_seconds=0.2) as sb:
        env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("RTB_")}
        env.update(
            {
                "RTB_EMAIL": EMAIL,
                "RTB_API_KEY": KEY,
                "RTB_PIXELZ_ENDPOINT": sb.pixelz_endpoint,
                "RTB_CONFIG": str(tmp_path / "config.toml"),
                "COLUMNS": "200",
                "NO_COLOR": "1",
            }
        )
        port = _free_port()
        url = sb.upload(make_sample_product_photo(48, 36, seed=3), "a.jpg")
        manifest = tmp_path / "m.csv"
        with manifest.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["image", "template_id", "callback_url"])
            for _ in range(20):
                writer.writerow([url, "1001", f"http://127.0.0.1:{port}/rtb"])
        code, _out, err = _run(env, "batch", "submit", str(manifest))
        assert code == 0, err
        start = max(r.id for r in sb.requests_log())
        code, out, err = _run(
            env,
            "batch",
            "wait",
            f"{manifest}.journal",
            "--listen",
            f"127.0.0.1:{port}",
            "--poll",
            "0.2",
            "--timeout",
            "60",
            "--json",
        )
        assert code == 0, err
        assert f"listening for notifications on 127.0.0.1:{port}" in err
        statuses = Counter(row["status"] for row in json.loads(out)["rows"])
        assert statuses == Counter({"Delivered": 20})
        calls = Counter(
            r.operation
            for r in sb.requests_log()
            if r.id > start and r.operation in ("GetImageStatus", "GetImagesList")
        )
        # One round of pages (the page and the empty one after it) confirmed all 20.
        assert sum(calls.values()) <= 2, calls


def test_batch_wait_listen_refuses_a_bad_address(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv.journal"
    manifest.write_bytes(b"")
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("RTB_")}
    env.update({"RTB_EMAIL": EMAIL, "RTB_API_KEY": KEY, "RTB_CONFIG": str(tmp_path / "c.toml")})
    code, _out, err = _run(env, "batch", "wait", str(manifest), "--listen", "8080")
    assert code == 2 and "--listen: expected HOST:PORT" in err and "'8080'" in err

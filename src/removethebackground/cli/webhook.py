"""``rtb webhook serve``: receive, verify and print the service's notifications."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import click

from .context import EXIT, CliError, json_option, want_json, workflows
from .context import state as current_state

__all__ = ["webhook"]


@click.group()
def webhook() -> None:
    """Receive the service's image notifications."""


@webhook.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="interface to listen on")
@click.option("--port", type=click.IntRange(0, 65535), default=8111, show_default=True)
@click.option(
    "--download",
    "download_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="download each delivered image into this folder",
)
@json_option
def webhook_serve(host: str, port: int, download_dir: Path | None, json_flag: bool) -> int:
    """Serve a webhook receiver: verifies each notification's signature, confirms it with
    GetImageStatus, prints one line per image (JSON lines with --json); Ctrl+C stops it.
    """
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from .render import plain, status_row

    state = current_state()
    want_json(json_flag)
    wf = workflows()
    client = state.client()
    key = state.settings.get("api_key") or ""
    lock = threading.Lock()

    def handler(status: Any) -> None:
        row = status_row(status)
        name = wf.ImageStatusName.of(status)
        if download_dir is not None and name is not None and name.is_delivered:
            row["files"] = [str(p) for p in wf.download(status, download_dir, client=client)]
        with lock:
            if state.output.json:
                import json

                sys.stdout.write(json.dumps(plain(row), ensure_ascii=False) + "\n")
            else:
                files = f" -> {', '.join(row['files'])}" if row.get("files") else ""
                sys.stdout.write(f"{row['ticket']}  {row['status_id']} {row['status']}{files}\n")
            sys.stdout.flush()

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    app = wf.webhook_app(key, client, handler)
    try:
        server = make_server(host, port, app, server_class=WSGIServer, handler_class=QuietHandler)
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    actual = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    state.output.note(
        f"webhook receiver on http://{shown}:{actual}/ (use it as --callback-url); Ctrl+C stops"
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        client.close()
    return EXIT["ok"]

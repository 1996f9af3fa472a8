"""Serving the sandbox with waitress, in the background or in the foreground (``rtb sandbox``).

:class:`Sandbox` binds the port, runs waitress (several worker threads, one
process) on a background thread, and stops everything cleanly: no new
connections, open ones closed, workers joined, database closed, temporary data
removed. ``main`` is the command line (``rtb sandbox`` and ``python -m
removethebackground.sandbox``).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import logging
import signal
import sys
import threading
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self

from ..core.wire import Generation
from ..generated import GENERATIONS
from .app import SandboxApp
from .clock import SandboxClock
from .config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_RETENTION_SECONDS,
    DEMO_API_KEY,
    DEMO_EMAIL,
    SandboxConfig,
)
from .store import ImageRow, Store, WebhookRow

__all__ = ["Sandbox", "build_parser", "main", "parse_account"]

log = logging.getLogger("removethebackground.sandbox")


class Sandbox:
    """A running sandbox: :class:`SandboxApp` served by waitress on a background thread.

    Args:
        host: interface to listen on (default 127.0.0.1).
        port: TCP port; 0 picks a free one (see :attr:`port` / :attr:`url`).
        data_dir: where the state lives; ``None`` for a temporary directory removed on stop.
        accounts: ``(email, api_key)`` pairs besides the demo account.
        step_seconds: seconds per status step (shorthand for ``config.step_seconds``).
        clock: the clock statuses move on (default: wall time); pass
            ``SandboxClock(frozen=True)`` to drive it with :meth:`advance` only.
        config: other settings; ``step_seconds`` overrides its ``step_seconds``.
        threads: waitress worker threads.
        generations: the generations to serve (default: ``GENERATIONS``).

    The helpers below (:meth:`advance`, :meth:`seed_image`, ...) are those of
    :attr:`app` (a :class:`SandboxApp`), where they are implemented.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        data_dir: str | Path | None = None,
        accounts: Iterable[tuple[str, str]] = (),
        step_seconds: float | None = None,
        clock: SandboxClock | None = None,
        config: SandboxConfig | None = None,
        threads: int = 4,
        generations: Mapping[str, Generation] | None = None,
    ) -> None:
        base = config or SandboxConfig()
        if step_seconds is not None:
            base = dataclasses.replace(base, step_seconds=float(step_seconds))
        self.config = base
        self.host = host
        self._requested_port = port
        self._data_dir = data_dir
        self._accounts = list(accounts)
        self._clock = clock
        self._threads = threads
        self.generations: Mapping[str, Generation] = (
            GENERATIONS if generations is None else generations
        )
        self._app: SandboxApp | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._lock = threading.Lock()

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> Self:
        from waitress.server import create_server

        with self._lock:
            if self._app is not None:
                return self
            app = SandboxApp(
                self._data_dir,
                accounts=self._accounts,
                config=self.config,
                clock=self._clock,
                generations=self.generations,
            )
            try:
                # Any: the stubs type the result as a union that lacks effective_port,
                # which the TCP server create_server returns here does have.
                server: Any = create_server(
                    app,
                    host=self.host,
                    port=self._requested_port,
                    threads=self._threads,
                    ident="removethebackground-sandbox",
                    clear_untrusted_proxy_headers=True,
                    channel_timeout=30,
                )
            except BaseException:
                app.close()
                raise
            self._app = app
            self._server = server
            self._port = int(server.effective_port)
            app.base_url = self.url
            self._thread = threading.Thread(target=server.run, name="rtb-sandbox-http", daemon=True)
            self._thread.start()
        log.info("sandbox listening on %s (data in %s)", self.url, app.data_dir)
        return self

    def stop(self) -> None:
        """Stop serving and the workers; safe to call twice."""
        with self._lock:
            app, server, thread = self._app, self._server, self._thread
            self._app = self._server = self._thread = None
        if server is not None:
            from waitress import wasyncore

            socket_map = server._map
            # 1. Let the requests in progress finish and start no new ones. Their worker
            #    threads wake the loop through the trigger pipe, so it must stay open
            #    until they are done.
            server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
            # 2. Close every connection, the listening socket and the trigger in the
            #    loop's own thread; with nothing left to watch, the loop returns.
            try:
                server.trigger.pull_trigger(lambda: wasyncore.close_all(socket_map))
            except OSError:
                # pull_trigger queues the thunk before writing its wake-up byte; a wake-up
                # already in the pipe can make the loop run the thunk (closing the pipe)
                # first, and then our write fails with EBADF. The work is done anyway.
                pass
            if thread is not None:
                thread.join(timeout=10)
            if socket_map:  # the loop ended without running the thunk: close from here
                wasyncore.close_all(socket_map, ignore_all=True)
        if app is not None:
            app.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._app is not None

    # --- addresses ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the sandbox is not started")
        return self._port

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8110``."""
        return f"http://{_display_host(self.host)}:{self.port}"

    def endpoint(self, generation: str) -> str:
        """The address of one generation (a key of :attr:`generations`), e.g. ``pixelz``."""
        try:
            return self.url + self.generations[generation].sandbox_path
        except KeyError:
            known = ", ".join(self.generations)
            raise KeyError(f"no generation {generation!r} (known: {known})") from None

    @property
    def pixelz_endpoint(self) -> str:
        return self.url + GENERATIONS["pixelz"].sandbox_path

    @property
    def legacy_endpoint(self) -> str:
        return self.url + GENERATIONS["legacy"].sandbox_path

    demo_email = DEMO_EMAIL
    demo_api_key = DEMO_API_KEY

    # --- state and test helpers -------------------------------------------------------------------

    @property
    def app(self) -> SandboxApp:
        if self._app is None:
            raise RuntimeError("the sandbox is not started")
        return self._app

    @property
    def clock(self) -> SandboxClock:
        return self.app.clock

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def data_dir(self) -> Path:
        return self.app.data_dir

    def advance(self, seconds: float) -> None:
        """Move the clock by ``seconds`` and wait until every due step and job is done."""
        self.app.advance(seconds)

    def settle(self, timeout: float = 60.0) -> None:
        self.app.settle(timeout)

    def upload(self, data: bytes, name: str = "image.jpg") -> str:
        """Upload ``data`` through ``PUT /uploads/<name>``; returns the URL to queue."""
        request = urllib.request.Request(  # noqa: S310 (our own http URL)
            f"{self.url}/uploads/{name}",
            data=data,
            method="PUT",
            headers={"Content-Type": "application/octet-stream"},
        )
        # The sandbox is local: no proxy from the environment applies.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=30) as response:
            answer = json.loads(response.read().decode("utf-8"))
        return str(answer["url"])

    def seed_image(self, email: str = DEMO_EMAIL, **kwargs: Any) -> str:
        return self.app.seed_image(email, **kwargs)

    def image(self, ticket: str) -> ImageRow | None:
        return self.app.image(ticket)

    def webhook_deliveries(self, ticket: str | None = None) -> list[WebhookRow]:
        return self.app.webhook_deliveries(ticket)

    def wait_for_webhooks(self, timeout: float = 30.0) -> bool:
        return self.app.wait_for_webhooks(timeout)

    def add_account(self, email: str, api_key: str) -> None:
        self.app.add_account(email, api_key)

    def __repr__(self) -> str:
        where = self.url if self.running else "not started"
        return f"Sandbox({where})"


def _display_host(host: str) -> str:
    if host in ("", "0.0.0.0"):  # noqa: S104 (displaying, not binding)
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host


# --- command line -------------------------------------------------------------------------------


def parse_account(text: str) -> tuple[str, str]:
    """``EMAIL:KEY`` as a pair (the key may contain ':')."""
    email, sep, key = text.partition(":")
    email = email.strip()
    if not sep or not email or "@" not in email or not key:
        raise argparse.ArgumentTypeError(f"expected EMAIL:KEY, got {text.split(':')[0]!r}:...")
    return email, key


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("the port must be between 0 and 65535")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be a positive number of days")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sandbox's options (shared by ``rtb sandbox`` and ``python -m ...sandbox``)."""
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"interface to listen on (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free port and prints it)",
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        default=None,
        help=(
            "keep the state (accounts, templates, images, outputs) in DIR, e.g. "
            "./.rtb-sandbox, and reuse it on the next start (default: a temporary "
            "directory, deleted on exit)"
        ),
    )
    parser.add_argument(
        "--account",
        metavar="EMAIL:KEY",
        type=parse_account,
        action="append",
        default=[],
        help="add an account besides demo@example.com (repeatable)",
    )
    parser.add_argument(
        "--step-seconds",
        type=_seconds,
        default=3.0,
        help="seconds between status steps New -> In Production -> ... (default 3)",
    )
    parser.add_argument(
        "--retention-days",
        type=_days,
        default=DEFAULT_RETENTION_SECONDS / 86400,
        help="days a delivered image's results stay downloadable; then their URLs "
        "answer 404 (default 30)",
    )
    parser.add_argument("--threads", type=int, default=4, help="HTTP worker threads (default 4)")
    parser.add_argument(
        "--require-wsse",
        action="store_true",
        help=(
            "require a WS-Security UsernameToken on SOAP calls (username: the contact "
            "email, password: the API key; text or digest) and answer the WSS faults"
        ),
    )
    parser.add_argument(
        "--require-wsa",
        action="store_true",
        help="require WS-Addressing Action (= the SOAPAction) and To (= the endpoint)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="log warnings only (default: one line per call)"
    )


def build_parser(prog: str = "rtb sandbox") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Run the local Remove The Background / Pixelz sandbox: both SOAP generations, "
            "real background removal, no account or internet needed."
        ),
    )
    add_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Start a sandbox from parsed arguments and serve until interrupted."""
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.threads < 1:
        print("error: --threads must be at least 1", file=sys.stderr)
        return 2
    if importlib.util.find_spec("waitress") is None:
        print(
            'error: the sandbox needs waitress, of the sandbox extra: pip install ".[sandbox]" '
            "in the project's clone",
            file=sys.stderr,
        )
        return 1
    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        data_dir=args.data,
        accounts=args.account,
        step_seconds=args.step_seconds,
        threads=args.threads,
        config=SandboxConfig(
            require_wsse=args.require_wsse,
            require_wsa=args.require_wsa,
            retention_seconds=args.retention_days * 86400,
        ),
    )
    try:
        sandbox.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _on_signal)
    try:
        _print_banner(sandbox, args)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        print("stopping the sandbox ...", flush=True)
        sandbox.stop()
    return 0


def _print_banner(sandbox: Sandbox, args: argparse.Namespace) -> None:
    data = str(sandbox.data_dir) + ("" if args.data else " (temporary, deleted on exit)")
    lines = [
        f"Remove The Background sandbox on {sandbox.url}",
        f"  generation 2 (Pixelz):  {sandbox.pixelz_endpoint}   (WSDL: ?WSDL)",
        f"  generation 1 (legacy):  {sandbox.legacy_endpoint}",
        f"  uploads:                PUT {sandbox.url}/uploads/<name>  (answers the URL to queue)",
        f"  demo account:           {DEMO_EMAIL} / {DEMO_API_KEY}",
    ]
    for email, _key in args.account:
        lines.append(f"  account:                {email}")
    lines += [
        f"  status step:            {sandbox.config.step_seconds:g} s",
        f"  data:                   {data}",
        "Press Ctrl+C to stop.",
    ]
    print("\n".join(lines), flush=True)


def main(argv: Sequence[str] | None = None, *, prog: str = "rtb sandbox") -> int:
    """``rtb sandbox`` / ``python -m removethebackground.sandbox``."""
    args = build_parser(prog).parse_args(argv)
    return run(args)

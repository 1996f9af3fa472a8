"""Run the local sandbox in-process, for tests: :func:`run_sandbox` and the ``sandbox`` fixture.

::

    from removethebackground.testing.sandbox import run_sandbox

    with run_sandbox() as sb:
        client = sb.pixelz_client()
        ticket = client.add_image_to_queue(template_id="1001", image_url=sb.upload(photo))
        sb.advance(3 * sb.step_seconds)      # New -> ... -> Delivered, no sleeping
        assert client.get_image_status(image_ticket=str(ticket.image_ticket)) ...

By default the sandbox listens on a free port of 127.0.0.1, keeps its state in a
temporary directory (removed on exit) and runs on a **frozen** clock: statuses
change only when the test calls :meth:`SandboxHandle.advance`, which returns once
every step that became due, and the background removal it starts, is done. Pass
``realtime=True`` for a clock that follows wall time (and a short
``step_seconds``), as the demo does.

The pytest fixture ``sandbox`` is **function-scoped**: every test gets a fresh
sandbox (fresh data, demo account, templates 1001 and 1002, frozen clock); starting
one takes a few tens of milliseconds. Enable it in a test module (or conftest.py)
with::

    pytest_plugins = ["removethebackground.testing.sandbox"]

(importing the name ``sandbox`` works too, but linters then flag each test
argument that shadows it).

This module has no asserts of its own, so pytest need not rewrite it (and then does
not warn when a test module imported it before registering it): PYTEST_DONT_REWRITE
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import pytest

from ..core.asyncclient import AsyncServiceClient
from ..core.client import ServiceClient
from ..core.wire import Binding, Generation
from ..generated import (
    AsyncPixelzClient,
    AsyncRemoveTheBackgroundClient,
    PixelzClient,
    RemoveTheBackgroundClient,
)
from ..sandbox import DEMO_API_KEY, DEMO_EMAIL, Sandbox, SandboxClock, SandboxConfig
from ..sandbox.app import SandboxApp
from ..sandbox.store import ImageRow, RequestRow, Store, WebhookRow

__all__ = ["SandboxHandle", "run_sandbox", "sandbox"]


class SandboxHandle:
    """A sandbox running in this process (see the module docstring).

    The parts are exposed as they are: :attr:`server` (the
    :class:`~removethebackground.sandbox.Sandbox` serving it), :attr:`app` (its
    :class:`~removethebackground.sandbox.SandboxApp`: state, workers and test
    helpers) and :attr:`store` (the SQLite state). The methods below are
    conveniences for what tests do most; each calls the one implementation (on
    :attr:`app`, or :attr:`server` for addresses and uploads) directly.
    """

    def __init__(self, server: Sandbox) -> None:
        self._server = server

    # --- the parts -----------------------------------------------------------------------

    @property
    def server(self) -> Sandbox:
        """The server: addresses, ``upload``, ``stop``."""
        return self._server

    @property
    def app(self) -> SandboxApp:
        """The WSGI app and the state behind it: clock, store, workers, test helpers."""
        return self._server.app

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def clock(self) -> SandboxClock:
        return self.app.clock

    @property
    def data_dir(self) -> Path:
        return self.app.data_dir

    # --- addresses and the demo account ----------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:40123``."""
        return self._server.url

    def endpoint(self, generation: str) -> str:
        """The address of one generation (a key of ``GENERATIONS``)."""
        return self._server.endpoint(generation)

    @property
    def pixelz_endpoint(self) -> str:
        """Generation 2 (Pixelz): ``<url>/soap.asmx``."""
        return self.endpoint("pixelz")

    @property
    def legacy_endpoint(self) -> str:
        """Generation 1 (legacy): ``<url>/legacy/soap.asmx``."""
        return self.endpoint("legacy")

    demo_email = DEMO_EMAIL
    demo_api_key = DEMO_API_KEY

    # --- clients --------------------------------------------------------------------------------

    def client(
        self,
        generation: str,
        binding: Binding | str = Binding.SOAP11,
        *,
        email: str | None = None,
        api_key: str | None = None,
        **kwargs: Any,
    ) -> ServiceClient:
        """A client of any served generation, for the demo account (or another)."""
        cls: type[ServiceClient] = self._server.generations[generation].client_class
        return cls(
            email or self.demo_email,
            api_key or self.demo_api_key,
            binding=binding,
            endpoint=self.endpoint(generation),
            **kwargs,
        )

    def pixelz_client(
        self,
        binding: Binding | str = Binding.SOAP11,
        *,
        email: str | None = None,
        api_key: str | None = None,
        **kwargs: Any,
    ) -> PixelzClient:
        """A generation 2 client for the demo account (or another one)."""
        return cast(
            PixelzClient, self.client("pixelz", binding, email=email, api_key=api_key, **kwargs)
        )

    def legacy_client(
        self,
        binding: Binding | str = Binding.SOAP11,
        *,
        email: str | None = None,
        api_key: str | None = None,
        **kwargs: Any,
    ) -> RemoveTheBackgroundClient:
        """A generation 1 client for the demo account (or another one)."""
        return cast(
            RemoveTheBackgroundClient,
            self.client("legacy", binding, email=email, api_key=api_key, **kwargs),
        )

    def async_client(
        self,
        generation: str,
        binding: Binding | str = Binding.SOAP11,
        *,
        email: str | None = None,
        api_key: str | None = None,
        **kwargs: Any,
    ) -> AsyncServiceClient:
        """An async client of any served generation (``AsyncPixelzClient``,
        ``AsyncRemoveTheBackgroundClient``), for the demo account (or another).

        Making one does no I/O, in a running loop or not; use it as ``async with
        sb.async_client("pixelz") as client:`` (or ``await client.close()``).
        """
        cls: type[AsyncServiceClient] | None = self._server.generations[
            generation
        ].async_client_class
        if cls is None:
            raise LookupError(f"generation {generation!r} has no async client")
        return cls(
            email or self.demo_email,
            api_key or self.demo_api_key,
            binding=binding,
            endpoint=self.endpoint(generation),
            **kwargs,
        )

    def async_pixelz_client(
        self,
        binding: Binding | str = Binding.SOAP11,
        *,
        email: str | None = None,
        api_key: str | None = None,
        **kwargs: Any,
    ) -> AsyncPixelzClient:
        """A generation 2 ``AsyncPixelzClient`` for the demo account (or another one)."""
        return cast(
            AsyncPixelzClient,
            self.async_client("pixelz", binding, email=email, api_key=api_key, **kwargs),
        )

    def async_legacy_client(
        self,
        binding: Binding | str = Binding.SOAP11,
        *,
        email: str | None = None,
        api_key: str | None = None,
        **kwargs: Any,
    ) -> AsyncRemoveTheBackgroundClient:
        """A generation 1 ``AsyncRemoveTheBackgroundClient`` for the demo account (or another)."""
        return cast(
            AsyncRemoveTheBackgroundClient,
            self.async_client("legacy", binding, email=email, api_key=api_key, **kwargs),
        )

    # --- time -----------------------------------------------------------------------------------

    @property
    def step_seconds(self) -> float:
        return self.app.config.step_seconds

    def advance(self, seconds: float) -> None:
        """Move the clock forward and return once the sandbox has caught up."""
        self.app.advance(seconds)

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until every due status step and the processing it starts are done."""
        self.app.settle(timeout)

    # --- state ----------------------------------------------------------------------------------

    def upload(self, data: bytes, name: str = "image.jpg") -> str:
        """Upload image bytes to ``PUT /uploads/<name>``; returns the URL to queue."""
        return self._server.upload(data, name)

    def seed_image(self, email: str | None = None, **kwargs: Any) -> str:
        """Put an image straight into a status (see ``SandboxApp.seed_image``)."""
        return self.app.seed_image(email or self.demo_email, **kwargs)

    def image(self, ticket: object) -> ImageRow | None:
        """The stored row of an image (status, job outcome, error ...)."""
        return self.app.image(ticket)

    def add_account(self, email: str, api_key: str) -> None:
        """Create (or re-key) an account besides the demo account."""
        self.app.add_account(email, api_key)

    def webhook_deliveries(self, ticket: object | None = None) -> list[WebhookRow]:
        """The webhook deliveries (of one ticket, or all) and their outcomes."""
        return self.app.webhook_deliveries(ticket)

    def wait_for_webhooks(self, timeout: float = 30.0) -> bool:
        """Wait until no notification is queued or in flight (retries included)."""
        return self.app.wait_for_webhooks(timeout)

    def requests_log(self, limit: int | None = None) -> list[RequestRow]:
        """The requests the sandbox received, credentials masked, oldest first.

        Each has the time, method, path (query included), generation, binding,
        operation, email, HTTP status, fault text and duration; see
        ``SandboxApp.requests_log``.
        """
        return self.app.requests_log(limit)

    def stop(self) -> None:
        """Stop the sandbox now (also done when the ``with`` block ends)."""
        self._server.stop()

    def __repr__(self) -> str:
        return f"SandboxHandle({self._server!r})"


@contextmanager
def run_sandbox(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    data_dir: str | Path | None = None,
    accounts: Iterable[tuple[str, str]] = (),
    step_seconds: float = 3.0,
    realtime: bool = False,
    clock: SandboxClock | None = None,
    config: SandboxConfig | None = None,
    threads: int = 4,
    generations: Mapping[str, Generation] | None = None,
    require_wsse: bool = False,
    require_wsa: bool = False,
) -> Iterator[SandboxHandle]:
    """Start a sandbox in this process for the ``with`` block; yields a :class:`SandboxHandle`.

    Args:
        host: the address to listen on (default: 127.0.0.1).
        port: the port to listen on (default: 0, a free port).
        data_dir: keep the state there (default: a temporary directory, removed after).
        accounts: ``(email, api_key)`` pairs besides the demo account.
        step_seconds: seconds per status step.
        realtime: let the clock follow wall time instead of freezing it.
        clock: a clock of your own (overrides ``realtime``).
        config: other settings (:class:`SandboxConfig`); ``step_seconds`` wins.
        threads: HTTP worker threads.
        generations: the generations to serve (default: ``GENERATIONS``).
        require_wsse: refuse SOAP calls without a valid WS-Security UsernameToken
            (``rtb sandbox --require-wsse``).
        require_wsa: refuse SOAP calls without WS-Addressing headers
            (``rtb sandbox --require-wsa``).
    """
    if require_wsse or require_wsa:
        base = config or SandboxConfig()
        config = dataclasses.replace(
            base,
            require_wsse=require_wsse or base.require_wsse,
            require_wsa=require_wsa or base.require_wsa,
        )
    server = Sandbox(
        host=host,
        port=port,
        data_dir=data_dir,
        accounts=accounts,
        step_seconds=step_seconds,
        clock=clock or SandboxClock(frozen=not realtime),
        config=config,
        threads=threads,
        generations=generations,
    )
    server.start()
    try:
        yield SandboxHandle(server)
    finally:
        server.stop()


@pytest.fixture
def sandbox() -> Iterator[SandboxHandle]:
    """A fresh sandbox per test: free port, temporary data, frozen clock (3 s steps)."""
    with run_sandbox() as handle:
        yield handle

"""One sandbox's state and workers, and the helpers tests drive them with.

:class:`SandboxState` wires the pieces together: the data directory (SQLite
database, ``uploads/``, ``out/``), the :class:`~.store.Store` with the demo
account seeded (:mod:`.seed`) and the ``--account`` accounts added
(:mod:`.accounts`), the image fetcher (:mod:`.fetch`), the status worker and the
webhook sender (:mod:`.worker`), and the dispatcher of the operations
(:class:`~.service.SandboxService`). Its helpers (:meth:`~SandboxState.advance`,
:meth:`~SandboxState.settle`, :meth:`~SandboxState.seed_image`, ...) are the one
implementation that :class:`~.server.Sandbox` and
:class:`~removethebackground.testing.sandbox.SandboxHandle` call.

:class:`~.app.SandboxApp` is this state plus the routes (a WSGI callable).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .accounts import ensure_account
from .clock import SandboxClock
from .config import DEMO_EMAIL, SandboxConfig
from .fetch import ImageFetcher
from .seed import seed_demo_account
from .seed import seed_image as _seed_image
from .service import SandboxService
from .statuses import DELIVERED
from .store import ImageRow, RequestRow, Store, WebhookRow
from .worker import Processor, WebhookSender
from .wsse import HeaderChecks

__all__ = ["SandboxState"]


class SandboxState:
    """State, workers and test helpers of one sandbox.

    Args:
        data_dir: where the SQLite database, uploads and outputs live; ``None`` for a
            temporary directory that :meth:`close` removes.
        accounts: ``(email, api_key)`` pairs to create besides the demo account.
        config: behaviour settings (:class:`SandboxConfig`).
        clock: the clock statuses move on (default: wall time).
        start: start the background workers now (else call :meth:`start`).
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        accounts: Iterable[tuple[str, str]] = (),
        config: SandboxConfig | None = None,
        clock: SandboxClock | None = None,
        start: bool = True,
    ) -> None:
        self._temporary = data_dir is None
        self.data_dir = Path(
            tempfile.mkdtemp(prefix="rtb-sandbox-") if data_dir is None else data_dir
        ).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.uploads_dir = self.data_dir / "uploads"
        self.out_dir = self.data_dir / "out"
        self.uploads_dir.mkdir(exist_ok=True)
        self.out_dir.mkdir(exist_ok=True)
        self.config = config or SandboxConfig()
        self.clock = clock or SandboxClock()
        self.store = Store(self.data_dir / "sandbox.sqlite3")
        seed_demo_account(self.store)
        for email, api_key in accounts:
            ensure_account(self.store, email, api_key, self.clock.now())
        self.fetcher = ImageFetcher(
            self.uploads_dir,
            timeout=self.config.fetch_timeout,
            max_bytes=self.config.max_image_bytes,
            synthetic_example_images=self.config.synthetic_example_images,
        )
        self.webhooks = WebhookSender(self.store, self.config, self.clock)
        self.processor = Processor(
            self.store,
            self.clock,
            self.config,
            self.fetcher,
            self.out_dir,
            on_delivered=self.webhooks.notify_delivered,
        )
        self.service = SandboxService(self.store, self.clock, self.config, wake=self.processor.wake)
        # --require-wsse / --require-wsa: None unless one is on (see .wsse).
        self.header_checks = HeaderChecks.from_config(self.config, self.store, self.clock)
        # The base URL this sandbox is served at, once known (set by ``Sandbox.start``):
        # the default base of the output URLs of seeded images.
        self.base_url: str | None = None
        self._closed = False
        if start:
            self.start()

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        self.webhooks.start()
        self.processor.start()

    def close(self) -> None:
        """Stop the workers, close the database; remove the data if it was temporary."""
        if self._closed:
            return
        self._closed = True
        self.processor.stop()
        self.webhooks.stop()
        self.store.close()
        if self._temporary:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # --- test helpers ---------------------------------------------------------------------------

    def settle(self, timeout: float = 60.0) -> None:
        """Do every status step that is due and wait for the processing it starts."""
        self.processor.settle(timeout)

    def advance(self, seconds: float) -> None:
        """Move the clock forward, then :meth:`settle`: the new statuses are visible at once."""
        self.clock.advance(seconds)
        self.settle()

    def wait_for_webhooks(self, timeout: float = 30.0) -> bool:
        """Wait until no notification is queued or in flight (retries included)."""
        return self.webhooks.wait_idle(timeout)

    def webhook_deliveries(self, ticket: object | None = None) -> list[WebhookRow]:
        """The stored webhook deliveries (of one ticket, or all), oldest first."""
        return self.store.list_webhooks(ticket=None if ticket is None else str(ticket))

    def requests_log(self, limit: int | None = None) -> list[RequestRow]:
        """The requests received (the newest ``limit``, or all kept), oldest first.

        Credentials are masked (see :mod:`.requestlog`); ``GET /`` and the page's
        thumbnails are not logged. Empty when ``config.request_log_size`` is 0.
        """
        return self.store.list_requests(limit)[::-1]

    def add_account(self, email: str, api_key: str) -> None:
        """Create (or re-key) an account, as ``--account EMAIL:KEY`` does."""
        ensure_account(self.store, email, api_key, self.clock.now())

    def seed_image(
        self,
        email: str = DEMO_EMAIL,
        *,
        ticket: str | None = None,
        status: int = DELIVERED,
        product_id: str | None = None,
        customer_image_id: str | None = None,
        image_url: str = "http://example.com/images/seed.jpg",
        held: bool = False,
        base_url: str | None = None,
    ) -> str:
        """Put an image straight into ``status`` (80: processed now, with real outputs).

        For fixtures and replays: the image belongs to ``email`` (which must exist);
        ``held`` keeps it where it is; its output URLs start with ``base_url``
        (default: :attr:`base_url`, else ``http://127.0.0.1``). Returns the ticket.
        """
        ticket = _seed_image(
            self.store,
            self.fetcher,
            self.out_dir,
            self.clock.now(),
            email,
            ticket=ticket,
            status=status,
            product_id=product_id,
            customer_image_id=customer_image_id,
            image_url=image_url,
            held=held,
            base_url=base_url or self.base_url or "http://127.0.0.1",
        )
        self.processor.wake()
        return ticket

    def image(self, ticket: object) -> ImageRow | None:
        """The stored row of an image (status, job outcome, error ...)."""
        return self.store.get_image(str(ticket))

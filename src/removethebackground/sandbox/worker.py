"""Background work: status steps, background removal, and webhook notifications.

**Status steps.** An image moves 10 New -> 60 In Production -> 70 Production
Finished -> 80 Delivered, one step every ``step_seconds`` on the sandbox clock.
Each step is scheduled from the previous one (not from when the worker noticed),
so moving a frozen clock by ``3 * step`` takes a new image to Delivered in one go.
Images with productId ``hold`` (and seeded images marked held) do not move.

Status ids and names are those of :mod:`.statuses`; output names and URLs those
of :mod:`.outputs`.

**Processing.** When an image enters 60 (or is rejected back to 60), a job on a
small thread pool fetches every image URL (:mod:`.fetch`), removes the background
(``imaging.cut_out``), applies the image's template (``imaging.compose_output`` and
``encode_output``: format, background, resize, margins) and writes
``<data>/out/<ticket>.<ext>`` (then ``-2.<ext>`` ... for imageURL2..5; ``<ext>`` is
``jpg``, ``png``, ``tif`` or ``psd`` by the template's format, ``png`` without a
template), the PNG thumbnail of the first output, ``<ticket>-thumb.png``, and one
of its source as fetched, ``<ticket>-source.png`` (the "before" of the page at
``/``). The step to 70 waits until the job is done. If fetching or decoding fails
(or the template cannot be met) the image goes to **50 "On Hold"** right away, with
no output URLs; the reason is logged (WARNING, no query strings) and kept in the
store; the image stays there and can be deleted. A job never takes the worker down:
every exception ends as such an outcome.

**Webhooks.** When an image reaches 80 and has a callback URL (imageCallbackURL,
or else its template's callbackUrl), the sandbox POSTs a JSON notification there.
The real field names are undocumented; these are the sandbox's::

    POST <callback URL>
    Content-Type: application/json; charset=utf-8
    User-Agent: removethebackground-sandbox
    X-RTB-Event: image-has-been-processed
    X-RTB-Delivery: <delivery id>
    X-RTB-Attempt: <1, 2, ...>
    X-RTB-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the account's API key>

    {"Event": "image-has-been-processed", "ImageTicket": "...", "CustomerImageId": ...,
     "ProductId": ..., "CustomerFolder": ..., "TemplateId": ..., "StatusId": 80,
     "StatusName": "Delivered", "IsPaid": true, "ThumbnailImageURL": "...",
     "FinalImagesURL": ["..."], "DeliveredUTC": "yyyy-MM-dd HH:mm:ss"}

Any 2xx answer is success. Otherwise (or on a connection error or timeout) it is
retried after ``webhook_backoff`` seconds, doubling each time, up to
``webhook_attempts`` tries in all, on its own thread: a slow or failing receiver
never holds up processing. Deliveries are stored, so pending ones resume after a
restart.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import heapq
import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import requests

from ..core.backoff import Backoff
from .accounts import template_spec
from .clock import SandboxClock, format_time
from .config import SandboxConfig
from .fetch import USER_AGENT, FetchError, ImageFetcher, is_loopback, loggable_url
from .imaging import (
    ImageProcessingError,
    OutputSpec,
    compose_output,
    cut_out,
    encode_output,
    make_thumbnail,
)
from .outputs import (
    output_name,
    output_urls,
    source_thumbnail_name,
    thumbnail_name,
    thumbnail_url,
)
from .statuses import DELIVERED, FINISHED, IN_PRODUCTION, NEW, ON_HOLD, STATUS_NAMES
from .store import ImageRow, Store

__all__ = ["WEBHOOK_EVENT", "Processor", "WebhookSender", "process_image", "webhook_payload"]

log = logging.getLogger("removethebackground.sandbox")

WEBHOOK_EVENT = "image-has-been-processed"


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    partial.write_bytes(data)
    partial.replace(path)


def output_spec_for(store: Store, row: ImageRow) -> OutputSpec:
    """What ``row``'s outputs look like: its template's, or a transparent PNG without one."""
    template = store.get_template(row.template_id) if row.template_id is not None else None
    if template is None or template.email.lower() != row.email.lower():
        return OutputSpec()
    return OutputSpec.from_template(template_spec(template))


def process_image(
    row: ImageRow, fetcher: ImageFetcher, out_dir: Path, spec: OutputSpec | None = None
) -> int:
    """Fetch, cut out, render (``spec``) and write every image of ``row``; returns how many.

    Raises :class:`FetchError` or :class:`ImageProcessingError` with a readable reason.
    """
    spec = spec or OutputSpec()
    results: list[bytes] = []
    thumbnail = source = b""
    for index, url in enumerate(row.urls, 1):
        data = fetcher.fetch(url)
        try:
            composed = compose_output(cut_out(data), spec)
            results.append(encode_output(composed, spec).data)
            if index == 1:
                thumbnail = make_thumbnail(composed)
                source = make_thumbnail(data)
        except ImageProcessingError as exc:
            raise ImageProcessingError(
                f"cannot process image {index} ({loggable_url(url)}): {exc}"
            ) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    for index, output in enumerate(results, 1):
        _write_atomically(out_dir / output_name(row.ticket, index, spec.extension), output)
    _write_atomically(out_dir / thumbnail_name(row.ticket), thumbnail)
    _write_atomically(out_dir / source_thumbnail_name(row.ticket), source)
    return len(results)


def webhook_payload(row: ImageRow, delivered_at: float) -> dict[str, object]:
    return {
        "Event": WEBHOOK_EVENT,
        "ImageTicket": row.ticket,
        "CustomerImageId": row.customer_image_id,
        "ProductId": row.product_id,
        "CustomerFolder": row.customer_folder,
        "TemplateId": row.template_id,
        "StatusId": DELIVERED,
        "StatusName": STATUS_NAMES[DELIVERED],
        "IsPaid": True,
        "ThumbnailImageURL": thumbnail_url(row.base_url, row.ticket),
        "FinalImagesURL": output_urls(row.base_url, row.ticket, row.outputs, row.output_ext),
        "DeliveredUTC": format_time(delivered_at),
    }


class Processor:
    """Moves images through their statuses and runs the background removal jobs."""

    def __init__(
        self,
        store: Store,
        clock: SandboxClock,
        config: SandboxConfig,
        fetcher: ImageFetcher,
        out_dir: Path,
        *,
        on_delivered: Callable[[ImageRow, float], None] = lambda row, when: None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.fetcher = fetcher
        self.out_dir = out_dir
        self._on_delivered = on_delivered
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=config.processing_threads, thread_name_prefix="rtb-sandbox-job"
        )
        self._futures: set[concurrent.futures.Future[None]] = set()
        self._futures_lock = threading.Lock()
        self._pump_lock = threading.RLock()
        self._cond = threading.Condition()
        self._woken = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        # Jobs that were running when a previous process stopped start again.
        for row in self.store.images_with_job("running"):
            self.store.update_image(row.ticket, job="queued")
        self._thread = threading.Thread(target=self._run, name="rtb-sandbox-steps", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._pool.shutdown(wait=True, cancel_futures=True)

    def wake(self) -> None:
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.pump()
            except Exception:  # a bug must not stop the steps; log it and go on
                if self._stopping.is_set():
                    break
                log.exception("sandbox worker: status step failed")
            with self._cond:
                if not self._woken and not self._stopping.is_set():
                    self._cond.wait(self._next_wait())
                self._woken = False

    def _next_wait(self) -> float:
        if self.clock.frozen:
            return 1.0
        due = self.store.next_step_time(self.config.step_seconds)
        if due is None:
            return 1.0
        return max(0.005, min(1.0, due - self.clock.now()))

    # --- stepping ------------------------------------------------------------------------

    def pump(self) -> bool:
        """Do every step that is due now; returns whether anything changed."""
        if self._stopping.is_set():
            return False
        changed = False
        with self._pump_lock:
            for row in self.store.images_with_job("queued"):
                if row.status == IN_PRODUCTION:
                    self._start_job(row.ticket)
                    changed = True
            for row in self.store.images_with_job("failed"):
                if row.status == IN_PRODUCTION:
                    changed |= self._hold(row.ticket)
            while True:
                now = self.clock.now()
                progressed = False
                for row in self.store.images_to_step(now, self.config.step_seconds):
                    progressed |= self._step(row.ticket, now)
                if not progressed:
                    break
                changed = True
        return changed

    def _step(self, ticket: str, now: float) -> bool:
        step = self.config.step_seconds
        delivered: ImageRow | None = None
        submit = False
        with self.store.transaction():
            row = self.store.get_image(ticket)
            if row is None or row.held or row.status_since + step > now:
                return False
            since = row.status_since + step
            if row.status == NEW:
                self.store.update_image(
                    ticket, status=IN_PRODUCTION, status_since=since, job="running", error=None
                )
                submit = True
            elif row.status == IN_PRODUCTION and row.job == "done":
                self.store.update_image(ticket, status=FINISHED, status_since=since)
            elif row.status == FINISHED:
                self.store.update_image(ticket, status=DELIVERED, status_since=since)
                delivered = self.store.get_image(ticket)
            else:
                return False
        if submit:
            self._submit(ticket)
        if delivered is not None:
            log.info("image %s delivered", ticket)
            try:
                self._on_delivered(delivered, self.clock.now())
            except Exception:
                log.exception("sandbox worker: cannot queue the notification of %s", ticket)
        return True

    def _hold(self, ticket: str) -> bool:
        with self.store.transaction():
            row = self.store.get_image(ticket)
            if row is None or row.status != IN_PRODUCTION or row.job != "failed":
                return False
            self.store.update_image(
                ticket, status=ON_HOLD, status_since=self.clock.now(), held=True
            )
        return True

    def _start_job(self, ticket: str) -> None:
        with self.store.transaction():
            row = self.store.get_image(ticket)
            if row is None or row.job != "queued":
                return
            self.store.update_image(ticket, job="running")
        self._submit(ticket)

    def _submit(self, ticket: str) -> None:
        try:
            future = self._pool.submit(self._job, ticket)
        except RuntimeError:  # shutting down: the job starts again on the next start
            return
        with self._futures_lock:
            self._futures.add(future)
        future.add_done_callback(self._job_done)

    def _job_done(self, future: concurrent.futures.Future[None]) -> None:
        with self._futures_lock:
            self._futures.discard(future)
        self.wake()

    def _job(self, ticket: str) -> None:
        row = self.store.get_image(ticket)
        if row is None or row.status != IN_PRODUCTION:
            return
        started = time.perf_counter()
        try:
            spec = output_spec_for(self.store, row)
            count = process_image(row, self.fetcher, self.out_dir, spec)
        except (FetchError, ImageProcessingError) as exc:
            self._finish(ticket, job="failed", error=str(exc))
            log.warning("image %s of %s is on hold: %s", ticket, row.email, exc)
            return
        except Exception as exc:
            self._finish(ticket, job="failed", error=f"internal error: {exc}")
            log.exception("image %s of %s: processing failed", ticket, row.email)
            return
        self._finish(ticket, job="done", error=None, outputs=count, output_ext=spec.extension)
        log.info(
            "image %s processed: %d image(s) in %.0f ms",
            ticket,
            count,
            (time.perf_counter() - started) * 1000,
        )

    def _finish(
        self,
        ticket: str,
        *,
        job: str,
        error: str | None,
        outputs: int = 0,
        output_ext: str | None = None,
    ) -> None:
        if self._stopping.is_set():
            return
        try:
            with self.store.transaction():
                row = self.store.get_image(ticket)
                if row is None or row.status != IN_PRODUCTION or row.job != "running":
                    return
                changes: dict[str, object] = {"job": job, "error": error, "outputs": outputs}
                if output_ext is not None:
                    changes["output_ext"] = output_ext
                self.store.update_image(ticket, **changes)
        except RuntimeError:  # the store closed under us while stopping
            return

    def settle(self, timeout: float = 60.0) -> None:
        """Do every due step and wait for every job they start, until nothing is left."""
        deadline = time.monotonic() + timeout
        while True:
            changed = self.pump()
            with self._futures_lock:
                pending = list(self._futures)
            if pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the sandbox did not settle in time")
                concurrent.futures.wait(pending, timeout=remaining)
                continue
            if not changed:
                return
            if time.monotonic() > deadline:
                raise TimeoutError("the sandbox did not settle in time")


class WebhookSender:
    """Delivers the stored notifications with retries (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        config: SandboxConfig,
        clock: SandboxClock,
    ) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self._queue: list[tuple[float, int]] = []
        self._attempts: dict[int, int] = {}
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._busy = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        for row in self.store.list_webhooks(state="pending"):
            self._push(row.id, 0.0, row.attempts)
        self._thread = threading.Thread(target=self._run, name="rtb-sandbox-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.config.webhook_timeout * 2 + 5)
            self._thread = None

    def notify_delivered(self, row: ImageRow, delivered_at: float) -> None:
        """Queue the notification of an image that reached 80 (if it has a callback URL)."""
        if not row.callback_url:
            return
        body = json.dumps(webhook_payload(row, delivered_at), separators=(",", ":"))
        webhook_id = self.store.add_webhook(
            ticket=row.ticket, email=row.email, url=row.callback_url, body=body, now=delivered_at
        )
        self._push(webhook_id, 0.0, 0)

    def _push(self, webhook_id: int, delay: float, attempts: int) -> None:
        with self._cond:
            self._attempts[webhook_id] = attempts
            heapq.heappush(self._queue, (time.monotonic() + delay, webhook_id))
            self._cond.notify_all()

    def pending(self) -> int:
        with self._cond:
            return len(self._queue) + self._busy

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no delivery is queued or in flight; returns False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._cond:
                if not self._queue:
                    self._cond.wait(1.0)
                    continue
                due, webhook_id = self._queue[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._cond.wait(min(wait, 1.0))
                    continue
                heapq.heappop(self._queue)
                attempts = self._attempts.pop(webhook_id, 0)
                self._busy += 1
            try:
                self._attempt(webhook_id, attempts + 1)
            except Exception:
                if not self._stopping.is_set():
                    log.exception("sandbox webhooks: delivery %d failed unexpectedly", webhook_id)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _attempt(self, webhook_id: int, attempt: int) -> None:
        row = self.store.get_webhook(webhook_id)
        if row is None or row.state != "pending":
            return
        account = self.store.get_account(row.email)
        body = row.body.encode("utf-8")
        secret = (account.api_key if account is not None else "").encode("utf-8")
        signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-RTB-Event": WEBHOOK_EVENT,
            "X-RTB-Delivery": str(webhook_id),
            "X-RTB-Attempt": str(attempt),
            "X-RTB-Signature": f"sha256={signature}",
        }
        status: int | None = None
        error: str | None = None
        shown = loggable_url(row.url)
        try:
            host = urlsplit(row.url).hostname
            with requests.Session() as session:
                session.trust_env = not is_loopback(host)
                response = session.post(
                    row.url,
                    data=body,
                    headers=headers,
                    timeout=(self.config.webhook_timeout, self.config.webhook_timeout),
                    allow_redirects=False,
                )
                status = response.status_code
                response.close()
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except (requests.RequestException, ValueError) as exc:
            error = type(exc).__name__
        if error is None:
            self.store.update_webhook(
                webhook_id,
                state="delivered",
                attempts=attempt,
                last_status=status,
                last_error=None,
                finished=self.clock.now(),
            )
            log.info("webhook %d for %s delivered to %s", webhook_id, row.ticket, shown)
            return
        if attempt >= self.config.webhook_attempts or self._stopping.is_set():
            final = attempt >= self.config.webhook_attempts
            self.store.update_webhook(
                webhook_id,
                state="failed" if final else "pending",
                attempts=attempt,
                last_status=status,
                last_error=error,
                finished=self.clock.now() if final else None,
            )
            if final:
                log.warning(
                    "webhook %d for %s to %s failed %d times (%s); giving up",
                    webhook_id,
                    row.ticket,
                    shown,
                    attempt,
                    error,
                )
            return
        self.store.update_webhook(
            webhook_id,
            state="pending",
            attempts=attempt,
            last_status=status,
            last_error=error,
            finished=None,
        )
        delay = Backoff(self.config.webhook_backoff).bound(attempt)
        log.info(
            "webhook %d for %s to %s: %s; retry %d in %.2f s",
            webhook_id,
            row.ticket,
            shown,
            error,
            attempt + 1,
            delay,
        )
        self._push(webhook_id, delay, attempt)

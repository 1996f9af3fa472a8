"""The work several commands share: asking for, waiting for and downloading images, and
where local files are uploaded.

Thin layers over :mod:`removethebackground.workflows` (imported when first used) that add
one progress bar per step and one shared deadline.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .context import EXIT, CliError, State, workflows

if TYPE_CHECKING:
    from ..core.client import ServiceClient

__all__ = [
    "download_all",
    "get_status",
    "is_url",
    "not_delivered",
    "result_name",
    "uploader",
    "wait_all",
]


def is_url(text: str) -> bool:
    return text.strip().lower().startswith(("http://", "https://"))


def _is_loopback(url: str) -> bool:
    import ipaddress

    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uploader(state: State, client: ServiceClient, upload_url: str | None) -> Any:
    """Where local files go: --upload-url, else the sandbox the endpoint points at."""
    wf = workflows()
    base = upload_url or os.environ.get("RTB_UPLOAD_URL")
    if not base and _is_loopback(client.endpoint):
        parts = urlsplit(client.endpoint)
        base = f"{parts.scheme}://{parts.netloc}"
    if not base:
        return None
    return wf.SandboxUploader(base, timeout=state.timeout)


def get_status(client: ServiceClient, ticket: str) -> Any:
    """The image status of ``ticket`` (GetImageStatus of the client's generation)."""
    answer = client.get_image_status(image_ticket=ticket)  # type: ignore[attr-defined]
    if answer.image_status is None:
        raise CliError(f"no status for ticket {ticket}", EXIT["fault"])
    return answer.image_status


def wait_all(
    state: State,
    client: ServiceClient,
    tickets: Sequence[str],
    *,
    timeout: float,
    poll: float,
) -> list[Any]:
    """Wait for every ticket (one shared deadline) with one progress bar."""
    wf = workflows()
    deadline = time.monotonic() + timeout
    statuses: list[Any] = []
    with state.output.progress("waiting", total=len(tickets)) as bar:
        task = bar.task_ids[0]
        for ticket in tickets:
            remaining = max(0.0, deadline - time.monotonic())

            def progress(status: Any, ticket: str = ticket) -> None:
                name = wf.ImageStatusName.of(status)
                bar.update(task, detail=f"{ticket[:8]} {name.label if name else status.status_id}")

            status = wf.wait_for(client, ticket, timeout=remaining, poll=poll, on_progress=progress)
            statuses.append(status)
            bar.advance(task)
    return statuses


def download_all(
    state: State,
    client: ServiceClient,
    statuses: Sequence[Any],
    dest: Path,
    *,
    thumbnail: bool,
    concurrency: int,
    sources: Sequence[str] | None = None,
) -> list[list[Path]]:
    """Download every delivered image (nothing for the others), with one progress bar."""
    wf = workflows()
    written: list[list[Path]] = []
    with state.output.progress("downloading", total=len(statuses)) as bar:
        task = bar.task_ids[0]
        for n, status in enumerate(statuses):
            name = wf.ImageStatusName.of(status)
            if name is not None and not name.is_delivered:
                written.append([])
            else:
                written.append(
                    list(
                        wf.download(
                            status,
                            dest,
                            client=client,
                            thumbnail=thumbnail,
                            concurrency=concurrency,
                            name=result_name(sources[n], status) if sources else None,
                        )
                    )
                )
            bar.advance(task)
    return written


def result_name(source: str, status: Any) -> str:
    """``shoe-0-fb6f8d3a``: the source's name and the ticket's first 8 digits."""
    stem = Path(urlsplit(source).path if is_url(source) else source).stem
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:80]
    short = str(status.image_ticket)[:8]
    return f"{stem}-{short}" if stem else str(status.image_ticket)


def not_delivered(statuses: Sequence[Any]) -> list[Any]:
    """The statuses that are not Delivered (on hold, or not finished)."""
    wf = workflows()
    out = []
    for status in statuses:
        name = wf.ImageStatusName.of(status)
        if name is None or not name.is_delivered:
            out.append(status)
    return out

"""The work several commands share: asking for, waiting for and downloading images, and
where local files are uploaded.

Thin layers over :mod:`removethebackground.workflows` (imported when first used) that add
one progress bar per step and one shared deadline.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .context import EXIT, CliError, State, describe, exit_code_of, per_ticket, workflows

if TYPE_CHECKING:
    from ..core.client import ServiceClient

__all__ = [
    "Failures",
    "download_all",
    "failed_row",
    "get_status",
    "get_statuses",
    "is_url",
    "not_delivered",
    "not_delivered_note",
    "report_failures",
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


#: The tickets of a command that failed on their own (see :func:`.context.per_ticket`),
#: each with its error, in the order they failed.
Failures = dict[str, BaseException]


def _one(failures: Failures | None, ticket: str, exc: Exception) -> None:
    """Record ``exc`` for ``ticket`` if it concerns that ticket alone; raise it otherwise."""
    if failures is None or not per_ticket(exc):
        raise exc
    failures[ticket] = exc


def get_statuses(client: ServiceClient, tickets: Sequence[str], failures: Failures) -> list[Any]:
    """The status of each ticket, ``None`` for those that failed (recorded in ``failures``)."""
    statuses: list[Any] = []
    for ticket in tickets:
        try:
            statuses.append(get_status(client, ticket))
        except Exception as exc:
            _one(failures, ticket, exc)
            statuses.append(None)
    return statuses


def wait_all(
    state: State,
    client: ServiceClient,
    tickets: Sequence[str],
    *,
    timeout: float,
    poll: float,
    failures: Failures | None = None,
) -> list[Any]:
    """Wait for every ticket (one shared deadline) with one progress bar.

    With ``failures``, a ticket that fails on its own (its wait ran out, the service
    does not know it) is recorded there and its status is ``None``; every other ticket
    is still waited for (those after a timeout get one more look each).
    """
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

            try:
                status = wf.wait_for(
                    client, ticket, timeout=remaining, poll=poll, on_progress=progress
                )
            except wf.WaitTimeout as exc:
                # The time the user gave, not what was left of it for this ticket.
                exc.timeout = timeout
                _one(failures, ticket, exc)
                status = None
            except Exception as exc:
                _one(failures, ticket, exc)
                status = None
            statuses.append(status)
            bar.advance(task)
    return statuses


def report_failures(state: State, failures: Failures) -> int:
    """One ``error: TICKET: ...`` line per failed ticket on stderr; the exit code they make
    (0 when none failed)."""
    codes = []
    for ticket, exc in failures.items():
        code, message = describe(exc)
        codes.append(code)
        text = message if ticket in message else f"{ticket}: {message}"
        text = " ".join(state.redact(text).split())
        state.output.note(f"error: {text}")
    return exit_code_of(codes)


def failed_row(ticket: str, exc: BaseException) -> dict[str, Any]:
    """The row of a ticket that failed: what is known of it, and the error (for --json)."""
    last = getattr(exc, "last_status", None)
    status = getattr(last, "label", None)
    return {"ticket": ticket, "status": status or "error", "error": describe(exc)[1]}


def download_all(
    state: State,
    client: ServiceClient,
    statuses: Sequence[Any],
    dest: Path,
    *,
    thumbnail: bool,
    concurrency: int,
    name: str | None = None,
    sources: Sequence[str] | None = None,
    folders: Sequence[str | os.PathLike[str]] | None = None,
    failures: Failures | None = None,
) -> list[list[Path]]:
    """Download every delivered image (nothing for the others, nor for a ``None``
    status), with one progress bar, its files named by the pattern ``name`` (see
    :func:`removethebackground.workflows.download.check_name`; ``sources``: what each
    image was made from, for ``{stem}``) in ``dest`` (``folders``: each image's folder
    below it); with ``failures``, a download that fails is recorded there and the others
    go on."""
    wf = workflows()
    names = wf.ResultNames()
    written: list[list[Path]] = []
    with state.output.progress("downloading", total=len(statuses)) as bar:
        task = bar.task_ids[0]
        for n, status in enumerate(statuses):
            label = None if status is None else wf.ImageStatusName.of(status)
            if status is None or (label is not None and not label.is_delivered):
                written.append([])
            else:
                where = dest / folders[n] if folders else dest
                source = sources[n] if sources else None
                try:
                    names.claim(status, where, name=name, source=source)
                    files = wf.download(
                        status,
                        where,
                        client=client,
                        thumbnail=thumbnail,
                        concurrency=concurrency,
                        name=name,
                        source=source,
                    )
                except Exception as exc:
                    _one(failures, str(status.image_ticket), exc)
                    files = []
                written.append(list(files))
            bar.advance(task)
    return written


def not_delivered(statuses: Sequence[Any]) -> list[Any]:
    """The statuses that are not Delivered (on hold, or not finished); ``None`` (a ticket
    that failed, reported on its own) is left out."""
    wf = workflows()
    out = []
    for status in statuses:
        if status is None:
            continue
        name = wf.ImageStatusName.of(status)
        if name is None or not name.is_delivered:
            out.append(status)
    return out


ON_HOLD_MEANS = (
    "On Hold means the service stopped working on the image: it could not fetch or read "
    "it, or cannot meet its template. Check the image URL or file and the template, then "
    "submit it again"
)


def not_delivered_note(pending: Sequence[Any], *, waited: bool, downloading: bool = True) -> str:
    """What to tell about images that were not delivered, and what to do about each kind
    (``waited``: they were waited for; ``downloading``: the command downloads)."""
    wf = workflows()
    held = [s for s in pending if wf.ImageStatusName.of(s) == wf.ImageStatusName.ON_HOLD]
    unfinished = [s for s in pending if s not in held]
    parts = []
    if held:
        tickets = ", ".join(str(s.image_ticket) for s in held)
        nothing = ", nothing downloaded for them" if downloading else ""
        parts.append(f"{len(held)} image(s) On Hold{nothing} ({tickets}). {ON_HOLD_MEANS}.")
    if unfinished and downloading:
        labels = sorted({str(getattr(s, "status_name", None) or s.status_id) for s in unfinished})
        hint = (
            "wait longer with --timeout"
            if waited
            else "add --wait to wait for them first, or download later"
        )
        parts.append(
            f"{len(unfinished)} image(s) not delivered yet ({', '.join(labels)}): "
            f"nothing downloaded for them ({hint})"
        )
    return " ".join(parts)

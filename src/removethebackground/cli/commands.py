"""The ``rtb`` commands built on :mod:`removethebackground.workflows`.

``submit``, ``wait``, ``download``, ``images``, ``products``, ``batch`` and
``webhook serve``: thin layers over the workflows library (``submit``, ``wait_for``,
``download``, ``iter_images``, ``iter_product_ids``, ``Batch``, ``webhook_app``) that
add progress bars, tables and ``--json``.
"""

from __future__ import annotations

import ipaddress
import itertools
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click

from ..core.client import ServiceClient
from .app import (
    EXIT,
    CliError,
    State,
    _get_status,
    _print_statuses,
    _state,
    _status_row,
    _ticket,
    _want_json,
    _workflows,
    cli,
    json_option,
)

F = TypeVar("F", bound=Callable[..., Any])

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})


# --- helpers -----------------------------------------------------------------------------------


def _expand(inputs: Sequence[str], recursive: bool) -> list[str]:
    """URLs as given; folders as the image files in them (sorted); files as given."""
    found: list[str] = []
    for item in inputs:
        if _is_url(item):
            found.append(item.strip())
            continue
        path = Path(item)
        if path.is_dir():
            pattern = "**/*" if recursive else "*"
            images = sorted(
                p for p in path.glob(pattern) if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
            )
            if not images:
                raise CliError(
                    f"{path} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})",
                    EXIT["usage"],
                )
            found.extend(str(p) for p in images)
        elif path.is_file():
            found.append(str(path))
        else:
            raise CliError(
                f"{item}: no such file or folder (or give an http(s) URL)", EXIT["usage"]
            )
    return found


def _is_url(text: str) -> bool:
    return text.strip().lower().startswith(("http://", "https://"))


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _uploader(state: State, client: ServiceClient, upload_url: str | None) -> Any:
    """Where local files go: --upload-url, else the sandbox the endpoint points at."""
    wf = _workflows()
    base = upload_url or os.environ.get("RTB_UPLOAD_URL")
    if not base and _is_loopback(client.endpoint):
        parts = urlsplit(client.endpoint)
        base = f"{parts.scheme}://{parts.netloc}"
    if not base:
        return None
    return wf.SandboxUploader(base, timeout=state.timeout)


def _deadline(timeout: float) -> float:
    return time.monotonic() + timeout


def _wait_all(
    state: State,
    client: ServiceClient,
    tickets: Sequence[str],
    *,
    timeout: float,
    poll: float,
) -> list[Any]:
    """Wait for every ticket (one shared deadline) with one progress bar."""
    wf = _workflows()
    deadline = _deadline(timeout)
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


def _download_all(
    state: State,
    client: ServiceClient,
    statuses: Sequence[Any],
    dest: Path,
    *,
    thumbnail: bool,
    concurrency: int,
    sources: Sequence[str] | None = None,
) -> list[list[Path]]:
    wf = _workflows()
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
                            name=_result_name(sources[n], status) if sources else None,
                        )
                    )
                )
            bar.advance(task)
    return written


def _result_name(source: str, status: Any) -> str:
    """``shoe-0-fb6f8d3a``: the source's name and the ticket's first 8 digits."""
    stem = Path(urlsplit(source).path if _is_url(source) else source).stem
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:80]
    short = str(status.image_ticket)[:8]
    return f"{stem}-{short}" if stem else str(status.image_ticket)


def _not_delivered(statuses: Sequence[Any]) -> list[Any]:
    wf = _workflows()
    out = []
    for status in statuses:
        name = wf.ImageStatusName.of(status)
        if name is None or not name.is_delivered:
            out.append(status)
    return out


wait_options = [
    click.option(
        "--timeout",
        type=click.FloatRange(min=0.0),
        default=3600.0,
        show_default=True,
        help="seconds to wait in all; exit code 5 when they run out",
    ),
    click.option(
        "--poll",
        type=click.FloatRange(min=0.05),
        default=2.0,
        show_default=True,
        help="seconds between the first status checks (then backing off)",
    ),
]


def _with(options: list[Any]) -> Callable[[F], F]:
    def decorate(f: F) -> F:
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


# --- rtb submit --------------------------------------------------------------------------------


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--template-id", metavar="ID", help="template to use [setting template_id]")
@click.option("--product-id", metavar="TEXT", help="productId for every image")
@click.option("--customer-folder", metavar="TEXT", help="customerFolder for every image")
@click.option(
    "--customer-image-id",
    metavar="TEXT",
    help="customerImageId (one image only; with several, each file's name is used)",
)
@click.option("--callback-url", metavar="URL", help="imageCallbackURL: where to notify")
@click.option(
    "--param",
    "extra",
    multiple=True,
    metavar="NAME=VALUE",
    help="any other AddImageToQueue parameter, e.g. --param instruction='keep shadow'",
)
@click.option("--recursive", is_flag=True, help="take the images of sub-folders too")
@click.option(
    "--upload-url",
    metavar="URL",
    help="where local files are PUT (/uploads/<name>) [env RTB_UPLOAD_URL; default: the "
    "sandbox when the endpoint is on this machine]",
)
@click.option("--wait", "wait_flag", is_flag=True, help="wait until every image is done")
@click.option(
    "--download",
    "download_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="wait, then download the cut-outs into this folder",
)
@click.option("--thumbnail", is_flag=True, help="with --download: the thumbnails too")
@click.option("--concurrency", type=click.IntRange(1, 16), default=4, show_default=True)
@_with(wait_options)
@json_option
def submit(
    inputs: tuple[str, ...],
    template_id: str | None,
    product_id: str | None,
    customer_folder: str | None,
    customer_image_id: str | None,
    callback_url: str | None,
    extra: tuple[str, ...],
    recursive: bool,
    upload_url: str | None,
    wait_flag: bool,
    download_dir: Path | None,
    thumbnail: bool,
    concurrency: int,
    timeout: float,
    poll: float,
    json_flag: bool,
) -> int:
    """Queue images (files, folders or URLs) with AddImageToQueue; optionally wait and download.

    \b
        rtb submit ./photos --wait --download ./cutouts
        rtb submit https://shop.example/shoe.jpg --template-id 1001
    """
    state = _state()
    _want_json(json_flag)
    wf = _workflows()
    if state.generation != "pixelz":
        raise CliError(
            "submit needs generation 2 (pixelz): drop --generation legacy", EXIT["usage"]
        )
    sources = _expand(inputs, recursive)
    if customer_image_id and len(sources) > 1:
        raise CliError(
            "--customer-image-id names one image: give one input, or leave it out to use "
            "each file's name",
            EXIT["usage"],
        )
    params: dict[str, Any] = {}
    for item in extra:
        pname, sep, pvalue = item.partition("=")
        if not sep or not pname.strip():
            raise CliError(f"--param {item!r}: write NAME=VALUE", EXIT["usage"])
        params[pname.strip().replace("-", "_")] = pvalue
    template: str | None = template_id or state.settings.get("template_id")
    for key, value in (
        ("template_id", template),
        ("product_id", product_id),
        ("customer_folder", customer_folder),
        ("image_callback_url", callback_url),
    ):
        if value:
            params[key] = value
    rows: list[dict[str, Any]] = []
    with state.client("pixelz") as client:
        uploader = _uploader(state, client, upload_url)
        with state.output.progress("submitting", total=len(sources)) as bar:
            task = bar.task_ids[0]
            for source in sources:
                own = dict(params)
                if customer_image_id:
                    own["customer_image_id"] = customer_image_id
                elif not _is_url(source) and len(sources) > 1:
                    own.setdefault("customer_image_id", Path(source).name)
                if uploader is None and not _is_url(source):
                    raise CliError(
                        f"{source} is a local file but the service can only fetch URLs: pass "
                        "--upload-url (a server taking PUT /uploads/<name>) or give URLs",
                        EXIT["usage"],
                    )
                ticket = wf.submit(client, source, uploader=uploader, **own)
                rows.append({"source": source, "ticket": str(ticket)})
                bar.advance(task)
        if wait_flag or download_dir is not None:
            statuses = _wait_all(
                state, client, [r["ticket"] for r in rows], timeout=timeout, poll=poll
            )
            for row, status in zip(rows, statuses, strict=True):
                row.update({k: v for k, v in _status_row(status).items() if k not in ("ticket",)})
            if download_dir is not None:
                files = _download_all(
                    state,
                    client,
                    statuses,
                    download_dir,
                    thumbnail=thumbnail,
                    concurrency=concurrency,
                    sources=sources,
                )
                for row, written in zip(rows, files, strict=True):
                    row["files"] = [str(p) for p in written]
            failed = _not_delivered(statuses)
        else:
            failed = []
    _print_rows(state, rows)
    if failed:
        state.output.note(
            f"{len(failed)} of {len(rows)} images were not delivered "
            f"({', '.join(sorted({str(s.status_name) for s in failed}))}): see `rtb status`"
        )
        return EXIT["failed"]
    return EXIT["ok"]


def _print_rows(state: State, rows: Sequence[dict[str, Any]]) -> None:
    if state.output.json:
        state.output.emit_json(list(rows))
        return
    columns = ["source", "ticket", "status", "files"]
    used = [c for c in columns if any(r.get(c) not in (None, "", []) for r in rows)]
    state.output.table(used, ([r.get(c) for c in used] for r in rows))


# --- rtb wait / download -------------------------------------------------------------------------


@cli.command()
@click.argument("tickets", nargs=-1, required=True, metavar="TICKET...")
@_with(wait_options)
@json_option
def wait(tickets: tuple[str, ...], timeout: float, poll: float, json_flag: bool) -> int:
    """Wait until images are delivered (or on hold); exit 5 on --timeout."""
    state = _state()
    _want_json(json_flag)
    checked = [_ticket(t) for t in tickets]
    with state.client() as client:
        statuses = _wait_all(state, client, checked, timeout=timeout, poll=poll)
    _print_statuses([_status_row(s) for s in statuses], ("final_images_url",))
    return EXIT["failed"] if _not_delivered(statuses) else EXIT["ok"]


@cli.command()
@click.argument("tickets", nargs=-1, required=True, metavar="TICKET...")
@click.option(
    "--dest",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="folder to write the results into",
)
@click.option("--thumbnail", is_flag=True, help="the thumbnails too")
@click.option("--concurrency", type=click.IntRange(1, 16), default=4, show_default=True)
@click.option("--wait", "wait_flag", is_flag=True, help="wait for delivery first")
@_with(wait_options)
@json_option
def download(
    tickets: tuple[str, ...],
    dest: Path,
    thumbnail: bool,
    concurrency: int,
    wait_flag: bool,
    timeout: float,
    poll: float,
    json_flag: bool,
) -> int:
    """Download the results of delivered images."""
    state = _state()
    _want_json(json_flag)
    checked = [_ticket(t) for t in tickets]
    with state.client() as client:
        if wait_flag:
            statuses = _wait_all(state, client, checked, timeout=timeout, poll=poll)
        else:
            statuses = [_get_status(client, t) for t in checked]
        pending = _not_delivered(statuses)
        files = _download_all(
            state, client, statuses, dest, thumbnail=thumbnail, concurrency=concurrency
        )
    rows = []
    for status, written in zip(statuses, files, strict=True):
        row = _status_row(status)
        row["files"] = [str(p) for p in written]
        rows.append(row)
    _print_statuses(rows, ("files",))
    if pending:
        state.output.note(
            f"{len(pending)} image(s) not delivered yet: nothing downloaded for them "
            "(add --wait to wait first)"
        )
        return EXIT["failed"]
    return EXIT["ok"]


# --- rtb images / products -----------------------------------------------------------------------


@cli.command()
@click.option("--status", "image_status", metavar="STATUS", help="only this status (id or name)")
@click.option("--exclude-status", metavar="STATUS", help="leave out this status (id or name)")
@click.option("--product-id", metavar="TEXT", help="only this productId")
@click.option("--from", "from_date", metavar="YYYY-MM-DD", help="added on or after this day")
@click.option("--to", "to_date", metavar="YYYY-MM-DD", help="added on or before this day")
@click.option(
    "--sort-by", type=click.Choice(["id", "date", "status"]), default="id", show_default=True
)
@click.option("--descending", is_flag=True, help="newest / highest first")
@click.option("--limit", type=click.IntRange(min=1), help="show at most this many")
@json_option
def images(
    image_status: str | None,
    exclude_status: str | None,
    product_id: str | None,
    from_date: str | None,
    to_date: str | None,
    sort_by: str,
    descending: bool,
    limit: int | None,
    json_flag: bool,
) -> int:
    """List the account's images, every page (GetImagesList)."""
    state = _state()
    _want_json(json_flag)
    wf = _workflows()
    with state.client("pixelz") as client:
        found = wf.iter_images(
            client,
            image_status=image_status,
            exclude_image_status=exclude_status,
            product_id=product_id,
            from_date=from_date,
            to_date=to_date,
            sort_by=sort_by,
            descending=descending,
        )
        rows = [_status_row(s) for s in itertools.islice(found, limit)]
    _print_statuses(rows)
    return EXIT["ok"]


@cli.command()
@click.option("--limit", type=click.IntRange(min=1), help="show at most this many")
@json_option
def products(limit: int | None, json_flag: bool) -> int:
    """List the account's product ids with their image counts (GetProductIdsList)."""
    state = _state()
    _want_json(json_flag)
    wf = _workflows()
    with state.client("pixelz") as client:
        found = list(itertools.islice(wf.iter_product_ids(client), limit))
    if state.output.json:
        state.output.emit_json(found)
    else:
        state.output.records([_plain(p) for p in found])
    return EXIT["ok"]


def _plain(value: Any) -> Any:
    from .render import plain

    return plain(value)


# --- rtb batch ---------------------------------------------------------------------------------


@cli.group()
def batch() -> None:
    """Submit a CSV manifest of images exactly once and follow it through a journal.

    \b
    The manifest has a header row and the columns image (a URL, or a file relative
    to the CSV), customer_image_id, product_id, template_id, callback_url.
        rtb batch submit photos.csv        # journal: photos.csv.journal
        rtb batch status photos.csv.journal
        rtb batch wait photos.csv.journal
        rtb batch download photos.csv.journal ./cutouts
    A rerun of submit resumes: rows already sent are never sent twice.
    """


@contextmanager
def _batch(state: State, journal: Path, upload_url: str | None = None) -> Iterator[Any]:
    wf = _workflows()
    with state.client("pixelz") as client:
        job = wf.Batch(journal, client, uploader=_uploader(state, client, upload_url))
        try:
            yield job
        finally:
            job.close()


def _batch_rows(job: Any) -> list[dict[str, Any]]:
    rows = []
    for row in job.rows():
        rows.append(
            {
                "row": row.row_no,
                "image": row.image,
                "customer_image_id": row.customer_image_id,
                "state": row.state,
                "ticket": None if row.ticket is None else str(row.ticket),
                "status": None if row.status is None else row.status.label,
                "files": list(row.paths),
                "error": row.error,
            }
        )
    return rows


def _batch_report(state: State, job: Any, summary: Any, journal: Path) -> int:
    """Rows as a table (or JSON with the summary); exit 1 when rows failed."""
    data = _plain(summary)
    rows = _batch_rows(job)
    if state.output.json:
        state.output.emit_json({"journal": str(journal), "summary": data, "rows": rows})
    else:
        columns = ["row", "image", "customer_image_id", "state", "ticket", "status", "files"]
        columns += ["error"] if any(r["error"] for r in rows) else []
        used = [c for c in columns if any(r.get(c) not in (None, "", []) for r in rows)]
        state.output.table(used, ([r.get(c) for c in used] for r in rows))
        state.output.note(f"{journal}: {str(summary).splitlines()[0]}")
    return EXIT["failed"] if getattr(summary, "failed", 0) else EXIT["ok"]


journal_argument = click.argument(
    "journal", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)


@batch.command("submit")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    help="the journal file (default: MANIFEST.journal)",
)
@click.option("--concurrency", type=click.IntRange(1, 32), default=4, show_default=True)
@click.option("--retry-failed", is_flag=True, help="send again the rows that failed before")
@click.option("--upload-url", metavar="URL", help="where local files are PUT (see rtb submit)")
@json_option
def batch_submit(
    manifest: Path,
    journal: Path | None,
    concurrency: int,
    retry_failed: bool,
    upload_url: str | None,
    json_flag: bool,
) -> int:
    """Queue every row of MANIFEST.csv that is not queued yet."""
    state = _state()
    _want_json(json_flag)
    path = journal or manifest.with_name(manifest.name + ".journal")
    with _batch(state, path, upload_url) as job:
        with state.output.progress("submitting", total=None):
            summary = job.submit(manifest, concurrency=concurrency, retry_failed=retry_failed)
        return _batch_report(state, job, summary, path)


@batch.command("status")
@journal_argument
@json_option
def batch_status(journal: Path, json_flag: bool) -> int:
    """Ask for the status of every image of the batch not finished yet."""
    state = _state()
    _want_json(json_flag)
    with _batch(state, journal) as job:
        return _batch_report(state, job, job.status(), journal)


@batch.command("wait")
@journal_argument
@_with(wait_options)
@json_option
def batch_wait(journal: Path, timeout: float, poll: float, json_flag: bool) -> int:
    """Wait until every image of the batch is delivered or on hold; exit 5 on --timeout."""
    state = _state()
    _want_json(json_flag)
    with _batch(state, journal) as job:
        with state.output.progress("waiting", total=None) as bar:
            task = bar.task_ids[0]

            def progress(summary: Any) -> None:
                done = sum(n for name, n in summary.by_status.items() if name in _TERMINAL_LABELS)
                bar.update(task, total=summary.submitted, completed=done)

            summary = job.wait(
                timeout=timeout, poll=poll, max_poll=max(poll, 30.0), on_progress=progress
            )
        return _batch_report(state, job, summary, journal)


_TERMINAL_LABELS = frozenset({"Delivered", "On Hold"})


@batch.command("download")
@journal_argument
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--thumbnail", is_flag=True, help="the thumbnails too")
@click.option("--concurrency", type=click.IntRange(1, 16), default=4, show_default=True)
@json_option
def batch_download(
    journal: Path, dest: Path, thumbnail: bool, concurrency: int, json_flag: bool
) -> int:
    """Download the results of every delivered image of the batch into DEST (resumable)."""
    state = _state()
    _want_json(json_flag)
    with _batch(state, journal) as job:
        with state.output.progress("downloading", total=None):
            job.download(dest, thumbnail=thumbnail, concurrency=concurrency)
        return _batch_report(state, job, job.summary(), journal)


# --- rtb webhook serve ---------------------------------------------------------------------------


@cli.group()
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

    state = _state()
    _want_json(json_flag)
    wf = _workflows()
    client = state.client()
    key = state.settings.get("api_key") or ""
    lock = threading.Lock()

    def handler(status: Any) -> None:
        row = _status_row(status)
        name = wf.ImageStatusName.of(status)
        if download_dir is not None and name is not None and name.is_delivered:
            row["files"] = [str(p) for p in wf.download(status, download_dir, client=client)]
        with lock:
            if state.output.json:
                import json

                sys.stdout.write(json.dumps(_plain(row), ensure_ascii=False) + "\n")
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

"""``rtb batch``: a CSV manifest submitted exactly once and followed through a journal
(:class:`removethebackground.workflows.Batch`)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .context import (
    EXIT,
    CliError,
    State,
    json_option,
    wait_options,
    want_json,
    with_options,
    workflows,
)
from .context import state as current_state
from .jobs import uploader
from .spend import guarded_submit, prices_of, spend_of, spend_options

__all__ = ["batch"]


@click.group()
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


#: ``--retention-days``' default (the workflows' DEFAULT_RETENTION, kept here so that
#: ``rtb --help`` does not import the workflows).
RETENTION_DAYS = 30.0

retention_option = click.option(
    "--retention-days",
    type=click.FloatRange(min=0, min_open=True),
    default=RETENTION_DAYS,
    show_default=True,
    metavar="DAYS",
    help="how long the service keeps delivered results (expiry is counted from it)",
)


@contextmanager
def _batch(
    state: State,
    journal: Path | str,
    upload_url: str | None = None,
    *,
    retention_days: float = RETENTION_DAYS,
) -> Iterator[Any]:
    wf = workflows()
    with state.client("pixelz") as client:
        job = wf.Batch(
            journal,
            client,
            uploader=uploader(state, client, upload_url),
            retention=retention_days * 86400.0,
        )
        try:
            yield job
        finally:
            job.close()


def _with_rates(limits: Any, rates: tuple[str, ...]) -> Any:
    """``limits`` (``rtb --rate``'s, or ``None``) with ``rates`` winning per kind."""
    from ..core.errors import InvalidParameterError
    from ..core.ratelimit import RateLimits

    try:
        given = RateLimits.parse(rates)
    except InvalidParameterError as exc:
        raise CliError(f"--{exc}", EXIT["usage"]) from None
    if limits is None:
        return given
    return RateLimits(
        {**limits.rates, **given.rates}, pause=limits.pause, max_pause=limits.max_pause
    )


def _batch_rows(job: Any) -> list[dict[str, Any]]:
    from ..workflows.batch.progress import iso_time

    rows = []
    for row in job.rows():
        delivered = row.status is not None and row.status.label == "Delivered"
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
                "sha256": list(row.sha256),
                "queued_at": iso_time(row.queued_at),
                "settled_at": iso_time(row.settled_at),
                "downloaded_at": iso_time(row.downloaded_at),
                "expires_at": iso_time(job.expires_at(row)) if delivered else None,
            }
        )
    return rows


def _batch_report(
    state: State, job: Any, summary: Any, journal: Path | str, progress: Any = None
) -> int:
    """Rows as a table (or JSON with the summary and the progress); exit 1 when rows
    failed."""
    from .render import plain

    data = plain(summary)
    rows = _batch_rows(job)
    if state.output.json:
        out: dict[str, Any] = {"journal": job.journal.location, "summary": data}
        if progress is not None:
            out["progress"] = progress.to_json()
        state.output.emit_json(out | {"rows": rows})
    else:
        for row in rows:  # the expiry matters only until the files are here
            row["expires"] = None if row["files"] else row["expires_at"]
        columns = ["row", "image", "customer_image_id", "state", "ticket", "status", "files"]
        columns += ["expires"]
        columns += ["error"] if any(r["error"] for r in rows) else []
        used = [c for c in columns if any(r.get(c) not in (None, "", []) for r in rows)]
        state.output.table(used, ([r.get(c) for c in used] for r in rows))
        state.output.note(f"{job.journal.location}: {str(summary).splitlines()[0]}")
        if progress is not None:
            for line in str(progress).splitlines():
                state.output.note(line)
    return EXIT["failed"] if getattr(summary, "failed", 0) else EXIT["ok"]


class _BarFollower:
    """Keeps a progress bar's count and detail (``Progress.line``) up to date from the
    journal, at most every ``every`` seconds (a callback of the batch's threads)."""

    def __init__(self, job: Any, bar: Any, event: str, every: float = 2.0) -> None:
        self.job, self.bar, self.event, self.every = job, bar, event, every
        self._last = float("-inf")
        self._lock = threading.Lock()

    def __call__(self, *_args: Any) -> None:
        if getattr(self.bar, "disable", False):
            return  # no terminal: nothing is drawn
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.every:
                return
            self._last = now
        self.show(self.job.progress(by_template=False))

    def show(self, progress: Any) -> None:
        total, done = {
            "queued": (progress.total, progress.total - progress.pending - progress.unknown),
            "settled": (progress.total, progress.settled),
            "downloaded": (progress.delivered, progress.downloaded),
        }[self.event]
        task = self.bar.task_ids[0]
        self.bar.update(task, total=total, completed=done, detail=progress.line(self.event))


class JournalParam(click.ParamType[Any]):
    """A journal file (a path), or a ``postgresql://`` URL kept as it is (a path would
    fold its ``//``); ``exists``: a file must exist already."""

    name = "journal"

    def __init__(self, *, exists: bool) -> None:
        self.path = click.Path(exists=exists, dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str) and value.lower().startswith(("postgresql://", "postgres://")):
            return value
        return self.path.convert(value, param, ctx)


journal_argument = click.argument("journal", type=JournalParam(exists=True))


@batch.command("submit")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--journal",
    type=JournalParam(exists=False),
    help="the journal file (default: MANIFEST.journal), or a postgresql:// URL that any "
    "number of machines share",
)
@click.option("--concurrency", type=click.IntRange(1, 32), default=4, show_default=True)
@click.option("--retry-failed", is_flag=True, help="send again the rows that failed before")
@click.option("--upload-url", metavar="URL", help="where local files are PUT (see rtb submit)")
@click.option(
    "--rate",
    "rates",
    multiple=True,
    metavar="KIND=N/s",
    help="as rtb --rate (queue, write or read); with a journal, the limit holds for every "
    "process on it together; repeatable",
)
@spend_options
@json_option
def batch_submit(
    manifest: Path,
    journal: Path | str | None,
    concurrency: int,
    retry_failed: bool,
    upload_url: str | None,
    rates: tuple[str, ...],
    confirm_over: int | None,
    max_spend: str | None,
    price_per_image: tuple[str, ...],
    yes: bool,
    dry_run: bool,
    json_flag: bool,
) -> int:
    """Queue every row of MANIFEST.csv that is not queued yet.

    The whole manifest is checked first: every problem is reported at once, and with
    any, nothing is sent and no journal is written. Then it says how many images it
    will queue with which templates (and, with --price-per-image, what that costs),
    and asks above --confirm-over images or --max-spend (without a terminal it
    refuses unless --yes is given); --dry-run stops there, sending nothing.

    Rate limits (--rate, rtb --rate, the config file's [rates]) are kept in the
    journal: every process submitting, waiting on or asking the status of the same
    journal (file or postgresql:// URL) takes its calls from the same limits, and a
    429 answer one of them gets pauses them all.
    """
    state = current_state()
    want_json(json_flag)
    if rates:
        state.rate_limits = _with_rates(state.rate_limits, rates)
    path = journal or manifest.with_name(manifest.name + ".journal")
    with state.client("pixelz") as client:
        put = uploader(state, client, upload_url)
        _check_manifest(state, manifest, can_upload=put is not None)
        job = workflows().Batch(path, client, uploader=put)
        try:
            spend = spend_of(confirm_over, max_spend, price_per_image, yes, dry_run)
            summary = guarded_submit(
                state,
                job,
                manifest,
                spend,
                retry_failed=retry_failed,
                concurrency=concurrency,
                follow=lambda bar: _BarFollower(job, bar, "queued"),
            )
            if summary is None:
                return EXIT["ok"]
            return _batch_report(state, job, summary, path)
        finally:
            job.close()


def _check_manifest(state: State, manifest: Path, *, can_upload: bool) -> None:
    """Read the whole manifest before a journal exists; every problem on a line of its own."""
    from ..core.errors import InvalidParameterError
    from ..workflows.batch.manifest import ManifestError, read_manifest

    rows = read_manifest(manifest, can_upload=can_upload)
    try:
        for _row in rows:
            pass
    except InvalidParameterError as exc:
        problems = exc.errors if isinstance(exc, ManifestError) else (exc,)
        count = exc.count if isinstance(exc, ManifestError) else 1
        for problem in problems:
            text = problem.user_message.removeprefix("manifest: ").removeprefix("manifest ")
            state.output.note(f"error: {manifest}: {state.redact(text)}")
        more = f" ({count - len(problems)} more not shown)" if count > len(problems) else ""
        raise CliError(
            f"{manifest}: {count} problem{'s' if count > 1 else ''}{more}; nothing was sent "
            "and no journal was written: fix the manifest and run again",
            EXIT["usage"],
        ) from None
    finally:
        rows.close()


@batch.command("status")
@journal_argument
@click.option(
    "--expiring-within",
    type=click.FloatRange(min=0),
    default=24.0,
    show_default=True,
    metavar="HOURS",
    help="count the delivered rows not downloaded whose results expire within HOURS",
)
@retention_option
@click.option(
    "--price-per-image",
    "price_per_image",
    multiple=True,
    metavar="[TEMPLATE=]AMOUNT",
    help="your price per image, to say what the queued rows cost (repeat per template; "
    "default: the config file's [prices])",
)
@json_option
def batch_status(
    journal: Path | str,
    expiring_within: float,
    retention_days: float,
    price_per_image: tuple[str, ...],
    json_flag: bool,
) -> int:
    """Ask for the status of every image of the batch not finished yet, then show the
    rows, their progress (rows per state, rates and ETA over the last 15 minutes, spend
    so far with --price-per-image) and the results due to expire or expired.

    --json prints {"journal", "summary", "progress", "rows"} (see the docs' Large
    catalogues chapter for the shape).
    """
    state = current_state()
    want_json(json_flag)
    from ..core.errors import InvalidParameterError
    from ..workflows.batch.spend import check_prices, configured_spend

    prices = prices_of(price_per_image)
    try:  # before anything is asked
        check_prices(prices)
    except InvalidParameterError as exc:
        raise CliError(f"--price-per-image: {exc}", EXIT["usage"]) from None
    if prices is None:
        try:  # the config file's [prices], checked before anything is asked
            configured_spend()
        except InvalidParameterError as exc:
            raise CliError(str(exc), EXIT["usage"]) from None
    with _batch(state, journal, retention_days=retention_days) as job:
        summary = job.status()
        progress = job.progress(expiring_within=expiring_within * 3600.0, price_per_image=prices)
        return _batch_report(state, job, summary, journal, progress)


def _listen_address(value: str | None) -> tuple[str, int] | None:
    if value is None:
        return None
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise CliError(
            f"--listen: expected HOST:PORT (for example 0.0.0.0:8080), got {value!r}",
            EXIT["usage"],
        )
    return host.strip("[]"), int(port)


@batch.command("wait")
@journal_argument
@with_options(wait_options)
@click.option(
    "--listen",
    metavar="HOST:PORT",
    help="receive the signed notifications of the rows' callback_url here (the URL must "
    "reach this address, directly or through a public URL in front of it); the service "
    "is then asked once they have all come, and every 300 s meanwhile",
)
@json_option
def batch_wait(
    journal: Path | str, timeout: float, poll: float, listen: str | None, json_flag: bool
) -> int:
    """Wait until every image of the batch is delivered or on hold; exit 5 on --timeout."""
    state = current_state()
    want_json(json_flag)
    address = _listen_address(listen)
    with contextlib.ExitStack() as stack, _batch(state, journal) as job:
        hooks = None
        if address is not None:
            from ..core.errors import InvalidParameterError
            from ..workflows.batch.follow import Notifications

            try:
                hooks = stack.enter_context(
                    Notifications(*address, str(state.settings.get("api_key") or ""))
                )
            except InvalidParameterError as exc:
                raise CliError(str(exc), EXIT["usage"]) from None
            host, port = hooks.address
            state.output.note(f"listening for notifications on {host}:{port}")
        with state.output.progress("waiting", total=None) as bar:
            follower = _BarFollower(job, bar, "settled", every=0.0)

            def progress(summary: Any) -> None:
                follower()

            summary = job.wait(
                timeout=timeout,
                poll=poll,
                max_poll=300.0 if hooks is not None else max(poll, 30.0),
                on_progress=progress,
                notifications=hooks,
            )
        return _batch_report(state, job, summary, journal)


@batch.command("download")
@journal_argument
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--thumbnail", is_flag=True, help="the thumbnails too")
@click.option("--concurrency", type=click.IntRange(1, 16), default=4, show_default=True)
@click.option(
    "--no-verify",
    "no_verify",
    is_flag=True,
    help="do not check the files downloaded before against their recorded SHA-256",
)
@retention_option
@json_option
def batch_download(
    journal: Path | str,
    dest: Path,
    thumbnail: bool,
    concurrency: int,
    no_verify: bool,
    retention_days: float,
    json_flag: bool,
) -> int:
    """Download the results of every delivered image of the batch into DEST (resumable).

    The rows go soonest to expire first; every file is checked (size, image type) and
    its SHA-256 recorded in the journal. The files downloaded before are checked first:
    one gone or changed is fetched again (--no-verify skips this).
    """
    state = current_state()
    want_json(json_flag)
    with _batch(state, journal, retention_days=retention_days) as job:
        with state.output.progress("downloading", total=None) as bar:
            follower = _BarFollower(job, bar, "downloaded")
            try:
                job.download(
                    dest,
                    thumbnail=thumbnail,
                    concurrency=concurrency,
                    verify=not no_verify,
                    on_progress=follower,
                )
            finally:
                follower.every = 0.0
                follower()
        return _batch_report(state, job, job.summary(), journal)

"""``rtb submit``: queue files, folders or URLs with AddImageToQueue; optionally wait for
them and download the cut-outs.

Files and folders go through a journal (the batch journal of
:mod:`removethebackground.workflows.batch`, :data:`JOURNAL_NAME` in the ``--download``
folder, else beside the inputs), so a rerun resumes instead of queueing again: each
file gets a customer image id that is a stable hash of its path below the input and of
its content (:func:`customer_image_id_of`), images already queued are not sent again,
and results already downloaded are not fetched again. Results of a folder are mirrored
below ``--download`` (``photos/shoes/a.jpg`` -> ``cutouts/shoes/a-<ticket8>.png``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import secrets
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
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
from .images import check_name_option, name_option
from .jobs import (
    download_all,
    is_url,
    not_delivered,
    not_delivered_note,
    uploader,
    wait_all,
)
from .spend import Spend, decide, guarded_submit, quote_of, spend_of, spend_options

__all__ = ["IMAGE_SUFFIXES", "JOURNAL_NAME", "Input", "customer_image_id_of", "submit"]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})

#: The journal's file name, in the ``--download`` folder or beside the inputs.
JOURNAL_NAME = ".rtb-submit.journal"

#: Hex digits of the SHA-256 in a made-up customer image id (``rtb-`` + 20: 80 bits).
ID_DIGITS = 20


@dataclasses.dataclass(frozen=True, slots=True)
class Input:
    """One image to queue: ``source`` (a URL, or a file's path as found), ``root`` (the
    folder given, or a file's own folder; ``None`` for a URL) and ``relative`` (its path
    below ``root``: what its results mirror below ``--download``, and part of its id)."""

    source: str
    root: Path | None = None
    relative: PurePosixPath = dataclasses.field(default_factory=PurePosixPath)

    @property
    def folder(self) -> PurePosixPath:
        """Where its results go below ``--download``."""
        return self.relative.parent


def customer_image_id_of(item: Input) -> str:
    """``rtb-<sha256 prefix>``: a hash of the file's path below its input root and of its
    content (a URL: of the URL), the same on every run, different for the same name with
    other content."""
    digest = hashlib.sha256()
    if item.root is None:
        digest.update(b"rtb-submit url\0" + item.source.encode("utf-8"))
    else:
        digest.update(b"rtb-submit file\0" + item.relative.as_posix().encode("utf-8") + b"\0")
        with open(item.source, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return f"rtb-{digest.hexdigest()[:ID_DIGITS]}"


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--template-id", metavar="ID", help="template to use [setting template_id]")
@click.option("--product-id", metavar="TEXT", help="productId for every image")
@click.option("--customer-folder", metavar="TEXT", help="customerFolder for every image")
@click.option(
    "--customer-image-id",
    metavar="TEXT",
    help="customerImageId (one image only; by default rtb-<hash of the file's path and content>)",
)
@click.option("--callback-url", metavar="URL", help="imageCallbackURL: where to notify")
@click.option(
    "--param",
    "extra",
    multiple=True,
    metavar="NAME=VALUE",
    help="any other AddImageToQueue parameter, e.g. --param instruction='keep shadow' "
    "(not journaled: a rerun queues again)",
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
    help="wait, then download the cut-outs into this folder (folders mirrored)",
)
@name_option
@click.option("--thumbnail", is_flag=True, help="with --download: the thumbnails too")
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"the journal that makes a rerun resume [default: DIR/{JOURNAL_NAME} with "
    f"--download DIR, else {JOURNAL_NAME} beside the inputs]",
)
@click.option(
    "--no-journal", is_flag=True, help="queue without a journal: a rerun queues everything again"
)
@click.option("--retry-failed", is_flag=True, help="send again the images that failed before")
@click.option("--concurrency", type=click.IntRange(1, 16), default=4, show_default=True)
@spend_options
@with_options(wait_options)
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
    name: str | None,
    thumbnail: bool,
    journal: Path | None,
    no_journal: bool,
    retry_failed: bool,
    concurrency: int,
    confirm_over: int | None,
    max_spend: str | None,
    price_per_image: tuple[str, ...],
    yes: bool,
    dry_run: bool,
    timeout: float,
    poll: float,
    json_flag: bool,
) -> int:
    """Queue images (files, folders or URLs) with AddImageToQueue; optionally wait and download.

    \b
        rtb submit ./photos --template-id 1001 --wait --download ./cutouts
        rtb submit https://shop.example/shoe.jpg --template-id 1001
    Files and folders go through a journal: a rerun resumes, queueing nothing twice
    and downloading only what is missing. Results are named by --name (default
    {stem}-{ticket8}.{ext}) and a folder's sub-folders are mirrored below --download.
    Before sending it says how many images it queues (and, with --price-per-image,
    their cost), and asks above --confirm-over / --max-spend (see rtb batch submit).
    """
    state = current_state()
    spend = spend_of(confirm_over, max_spend, price_per_image, yes, dry_run)
    want_json(json_flag)
    pattern = check_name_option(name)
    if state.generation != "pixelz":
        raise CliError(
            "submit needs generation 2 (pixelz): drop --generation legacy", EXIT["usage"]
        )
    items = _expand(inputs, recursive)
    if customer_image_id and len(items) > 1:
        raise CliError(
            "--customer-image-id names one image: give one input, or leave it out to have "
            "an id made for each (rtb-<hash of the file's path and content>)",
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
    if journal is not None and no_journal:
        raise CliError("--journal and --no-journal contradict each other: give one", EXIT["usage"])
    local = [i for i in items if i.root is not None]
    where = journal
    if where is None and not no_journal:
        shared = _beside(local) if local else None
        beside = None if shared is None else shared / JOURNAL_NAME
        if download_dir is not None:
            where = download_dir / JOURNAL_NAME
            # A first run without --download kept its journal beside the inputs: go on
            # with that one rather than queue the same images (and ids) again.
            if not where.exists() and beside is not None and beside.exists():
                where = beside
        elif local:
            if beside is None:
                raise CliError(
                    "the inputs share no folder to keep the journal in: give --download DIR "
                    "(it is kept there), --journal PATH or --no-journal",
                    EXIT["usage"],
                )
            where = beside
    unjournaled = sorted(k for k in params if k not in _JOURNALED)
    if where is not None and unjournaled:
        shown = ", ".join(f"--{k.replace('_', '-')}" for k in unjournaled)
        state.output.note(
            f"{shown} cannot be recorded in a journal: these images are queued without one "
            "and a rerun queues them again (--no-journal says so and drops this note)"
        )
        where = None
    ids = {i: customer_image_id or customer_image_id_of(i) for i in items}
    with state.client("pixelz") as client:
        put = uploader(state, client, upload_url)
        if put is None and local:
            raise CliError(
                f"{local[0].source} is a local file but the service can only fetch URLs: "
                "pass --upload-url (a server taking PUT /uploads/<name>) or give URLs",
                EXIT["usage"],
            )
        if where is None:
            # Without a journal each run queues again, so the ids are new on every run.
            templates = [str(params.get("template_id", ""))] * len(items)
            if not decide(state, quote_of(templates, spend), spend):
                return EXIT["ok"]  # a dry run (a refusal raises)
            run = secrets.token_hex(3)
            fresh = {i: customer_image_id or f"{ids[i]}-{run}" for i in items}
            return _submit_direct(
                state,
                client,
                items,
                fresh,
                params,
                put,
                wait=wait_flag or download_dir is not None,
                download_dir=download_dir,
                pattern=pattern,
                thumbnail=thumbnail,
                concurrency=concurrency,
                timeout=timeout,
                poll=poll,
            )
        return _submit_journaled(
            state,
            client,
            items,
            ids,
            params,
            put,
            where,
            wait=wait_flag or download_dir is not None,
            download_dir=download_dir,
            pattern=pattern,
            thumbnail=thumbnail,
            concurrency=concurrency,
            retry_failed=retry_failed,
            timeout=timeout,
            poll=poll,
            spend=spend,
        )


#: The AddImageToQueue parameters a journal row records (the manifest's columns).
_JOURNALED = frozenset({"template_id", "product_id", "image_callback_url"})


def _beside(local: Sequence[Input]) -> Path | None:
    """The folder of the inputs (a folder given, or the files' folder); of inputs in
    several folders, the folder they share; ``None`` when that is the file system's root."""
    roots = {i.root.resolve() for i in local if i.root is not None}
    shared = Path(os.path.commonpath(sorted(str(r) for r in roots)))
    if len(roots) > 1 and shared.parent == shared:
        return None
    return shared


def _submit_journaled(
    state: State,
    client: Any,
    items: Sequence[Input],
    ids: Mapping[Input, str],
    params: Mapping[str, Any],
    put: Any,
    where: Path,
    *,
    wait: bool,
    download_dir: Path | None,
    pattern: str,
    thumbnail: bool,
    concurrency: int,
    retry_failed: bool,
    timeout: float,
    poll: float,
    spend: Spend,
) -> int:
    """Through the journal ``where``: what it holds is not sent again; new inputs are
    added after it. The options of a rerun apply to the images it adds."""
    wf = workflows()
    where.parent.mkdir(parents=True, exist_ok=True)
    folders = {ids[i]: i.folder for i in items}
    timed_out: Exception | None = None
    download_failed: Exception | None = None
    with wf.Batch(where, client, uploader=put) as job:
        manifest = _manifest(job, items, ids, params)
        sent = guarded_submit(
            state, job, manifest, spend, retry_failed=retry_failed, concurrency=concurrency
        )
        if sent is None:
            return EXIT["ok"]  # --dry-run
        if wait:
            try:
                with state.output.progress("waiting", total=None):
                    job.wait(timeout=timeout, poll=poll, max_poll=max(poll, 30.0))
            except wf.WaitTimeout as exc:
                timed_out = exc
        if download_dir is not None:
            try:
                with state.output.progress("downloading", total=None):
                    job.download(
                        download_dir,
                        thumbnail=thumbnail,
                        concurrency=concurrency,
                        name=pattern,
                        folder=lambda row: folders.get(row.customer_image_id),
                    )
            except wf.DownloadError as exc:
                download_failed = exc
        recorded = {r.customer_image_id: r for r in _journal_rows(job)}
    rows: list[dict[str, Any]] = []
    statuses: list[Any] = []
    for item in items:
        rows.append(_row(item, recorded[ids[item]], statuses))
    _print_rows(state, rows)
    return _outcome(state, rows, statuses, where, timed_out, download_failed, wait, download_dir)


def _manifest(
    job: Any, items: Sequence[Input], ids: Mapping[Input, str], params: Mapping[str, Any]
) -> list[dict[str, str]]:
    """The journal's rows as recorded, then the inputs it does not hold yet."""
    cells = ("image", "customer_image_id", "product_id", "template_id", "callback_url")
    manifest = [{c: str(getattr(r, c) or "") for c in cells} for r in job.rows()]
    known = {row["customer_image_id"] for row in manifest}
    for item in items:
        cid = ids[item]
        if cid in known:
            continue
        known.add(cid)
        image = item.source if item.root is None else str(Path(item.source).resolve())
        manifest.append(
            {
                "image": image,
                "customer_image_id": cid,
                "product_id": str(params.get("product_id") or ""),
                "template_id": str(params.get("template_id") or ""),
                "callback_url": str(params.get("image_callback_url") or ""),
            }
        )
    return manifest


def _journal_rows(job: Any) -> Iterator[Any]:
    """Every row of the journal as it holds it (with the last status read), a page at a time."""
    from ..workflows.batch import Selection

    after = 0
    while True:
        page = job.journal.select(Selection.ALL, after=after, limit=256)
        if not page:
            return
        yield from page
        after = page[-1].row_no


def _row(item: Input, row: Any, statuses: list[Any]) -> dict[str, Any]:
    """The output row of one input from its journal row (its status appended to ``statuses``)."""
    from ..generated import pixelz
    from .render import status_row

    out: dict[str, Any] = {
        "source": item.source,
        "ticket": None if row.ticket is None else str(row.ticket),
        "customer_image_id": row.customer_image_id,
        "state": row.state,
    }
    if row.status_json is not None:
        status = workflows().from_json(pixelz.ImageStatus, row.status_json)
        statuses.append(status)
        out.update({k: v for k, v in status_row(status).items() if k not in out})
    out["files"] = list(row.paths or ())
    out["error"] = row.error
    return out


def _outcome(
    state: State,
    rows: Sequence[dict[str, Any]],
    statuses: Sequence[Any],
    where: Path,
    timed_out: Exception | None,
    download_failed: Exception | None,
    waited: bool,
    download_dir: Path | None,
) -> int:
    """What to tell on stderr, and the exit code: 5 a timeout or an unknown outcome, 1 an
    image that failed, is not delivered or did not download, else 0."""
    from .context import describe

    codes = [EXIT["ok"]]
    failed = [r for r in rows if r["state"] == "failed"]
    unknown = [r for r in rows if r["state"] == "submitting"]
    if failed:
        state.output.note(
            f"{len(failed)} of {len(rows)} images failed (see the error column); fix them "
            "and run again with --retry-failed"
        )
        codes.append(EXIT["failed"])
    if unknown:
        state.output.note(
            f"{len(unknown)} of {len(rows)} images have an unknown outcome (no answer): run "
            f"the same command again; it looks them up before sending anything ({where})"
        )
        codes.append(EXIT["timeout"])
    if timed_out is not None:
        code, message = describe(timed_out)
        state.output.note(f"error: {state.redact(message)}")
        codes.append(code)
    elif waited:
        pending = not_delivered(statuses)
        if pending:
            state.output.note(
                not_delivered_note(pending, waited=True, downloading=download_dir is not None)
            )
            codes.append(EXIT["failed"])
    if download_failed is not None:
        code, message = describe(download_failed)
        state.output.note(f"error: {state.redact(message)}")
        codes.append(code)
    return max(codes)


def _submit_direct(
    state: State,
    client: Any,
    items: Sequence[Input],
    ids: Mapping[Input, str],
    params: Mapping[str, Any],
    put: Any,
    *,
    wait: bool,
    download_dir: Path | None,
    pattern: str,
    thumbnail: bool,
    concurrency: int,
    timeout: float,
    poll: float,
) -> int:
    """Without a journal: each image queued once in this run (with an id of its own, so
    that a lost answer is looked up rather than sent again), then waited for and
    downloaded."""
    from .render import status_row

    wf = workflows()
    rows: list[dict[str, Any]] = []
    with state.output.progress("submitting", total=len(items)) as bar:
        task = bar.task_ids[0]
        for item in items:
            own = dict(params)
            own.setdefault("customer_image_id", ids[item])
            ticket = wf.submit(client, item.source, uploader=put, **own)
            rows.append(
                {
                    "source": item.source,
                    "ticket": str(ticket),
                    "customer_image_id": own["customer_image_id"],
                }
            )
            bar.advance(task)
    failed: list[Any] = []
    if wait:
        statuses = wait_all(state, client, [r["ticket"] for r in rows], timeout=timeout, poll=poll)
        for row, status in zip(rows, statuses, strict=True):
            row.update({k: v for k, v in status_row(status).items() if k not in ("ticket",)})
        if download_dir is not None:
            written = download_all(
                state,
                client,
                statuses,
                download_dir,
                thumbnail=thumbnail,
                concurrency=concurrency,
                name=pattern,
                sources=[i.source for i in items],
                folders=[i.folder for i in items],
            )
            for row, files in zip(rows, written, strict=True):
                row["files"] = [str(p) for p in files]
        failed = not_delivered(statuses)
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
    columns = ["source", "ticket", "status", "files", "error"]
    used = [c for c in columns if any(r.get(c) not in (None, "", []) for r in rows)]
    state.output.table(used, ([r.get(c) for c in used] for r in rows))


def _expand(inputs: Sequence[str], recursive: bool) -> list[Input]:
    """URLs as given; folders as the image files in them (sorted); files as given.

    The same image found twice (a file given and in a folder given) is taken once.
    """
    found: list[Input] = []
    seen: set[str] = set()

    def add(one: Input) -> None:
        key = one.source if one.root is None else str(Path(one.source).resolve())
        if key not in seen:
            seen.add(key)
            found.append(one)

    for item in inputs:
        if is_url(item):
            add(Input(item.strip()))
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
            for p in images:
                add(Input(str(p), path, PurePosixPath(p.relative_to(path).as_posix())))
        elif path.is_file():
            add(Input(str(path), path.parent, PurePosixPath(path.name)))
        else:
            raise CliError(
                f"{item}: no such file or folder (or give an http(s) URL)", EXIT["usage"]
            )
    return found

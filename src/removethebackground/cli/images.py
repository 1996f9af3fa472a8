"""``rtb status``, ``wait``, ``download``, ``images``, ``products`` and ``templates``:
the images (and templates) of the account, by ticket or as lists."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import click

from .context import (
    EXIT,
    json_option,
    parse_ticket,
    state,
    wait_options,
    want_json,
    with_options,
    workflows,
)
from .jobs import (
    Failures,
    download_all,
    failed_row,
    get_statuses,
    not_delivered,
    not_delivered_note,
    report_failures,
    wait_all,
)

__all__ = [
    "check_name_option",
    "download",
    "images",
    "name_option",
    "products",
    "status",
    "templates",
    "wait",
]

#: ``--name PATTERN`` of the commands that download (``rtb download``, ``rtb submit``).
name_option = click.option(
    "--name",
    metavar="PATTERN",
    help="file names of the results: fields {stem} {ticket} {ticket8} {customer_image_id} "
    "{product_id} {ext}, '/' for sub-folders  [default: {stem}-{ticket8}.{ext}]",
)


def check_name_option(name: str | None) -> str:
    """``--name`` checked before anything is sent (exit 2 naming it, the value and the fix)."""
    from ..workflows.download import check_name

    return check_name(name, parameter="--name")


@click.command()
@click.argument("tickets", nargs=-1, required=True, metavar="TICKET...")
@json_option
def status(tickets: tuple[str, ...], json_flag: bool) -> int:
    """Show the status of images (GetImageStatus; --generation legacy for generation 1).

    A ticket that fails (unknown to the service, say) gets its own error line; the
    others are still shown, and the exit code says that one failed.
    """
    current = state()
    want_json(json_flag)
    checked = [parse_ticket(t) for t in tickets]
    failures: Failures = {}
    with current.client() as client:
        statuses = get_statuses(client, checked, failures)
    _print(current, checked, statuses, failures, ("final_images_url",))
    return report_failures(current, failures)


def _print(
    current: Any,
    tickets: list[str],
    statuses: list[Any],
    failures: Failures,
    extra: tuple[str, ...],
    files: list[list[Path]] | None = None,
) -> None:
    """One row per ticket, in the order given: its status, or what is known and its error
    (``error``, in JSON; in a table, the ticket's error line on stderr says it)."""
    from .render import print_statuses, status_row

    rows = []
    for n, (ticket, each) in enumerate(zip(tickets, statuses, strict=True)):
        row = status_row(each) if each is not None else failed_row(ticket, failures[ticket])
        if ticket in failures and each is not None:
            row["error"] = failed_row(ticket, failures[ticket])["error"]
        if files is not None:
            row["files"] = [str(p) for p in files[n]]
        rows.append(row)
    if not current.output.json:
        # A table shows what is known; a ticket with no status has its error line only.
        rows = [r for r in rows if r.get("status") != "error"]
        if not rows:
            return
    print_statuses(current.output, rows, extra)


@click.command()
@click.argument("tickets", nargs=-1, required=True, metavar="TICKET...")
@with_options(wait_options)
@json_option
def wait(tickets: tuple[str, ...], timeout: float, poll: float, json_flag: bool) -> int:
    """Wait until images are delivered (or on hold); exit 5 on --timeout."""
    current = state()
    want_json(json_flag)
    checked = [parse_ticket(t) for t in tickets]
    failures: Failures = {}
    with current.client() as client:
        statuses = wait_all(current, client, checked, timeout=timeout, poll=poll, failures=failures)
    _print(current, checked, statuses, failures, ("final_images_url",))
    pending = not_delivered(statuses)  # once waited for: On Hold
    note = not_delivered_note(pending, waited=True, downloading=False) if pending else ""
    if note:
        current.output.note(note)
    code = report_failures(current, failures)
    if code == EXIT["ok"] and pending:
        return EXIT["failed"]
    return code


@click.command()
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
@name_option
@with_options(wait_options)
@json_option
def download(
    tickets: tuple[str, ...],
    dest: Path,
    thumbnail: bool,
    concurrency: int,
    wait_flag: bool,
    name: str | None,
    timeout: float,
    poll: float,
    json_flag: bool,
) -> int:
    """Download the results of delivered images.

    \b
    Files are named by --name (default {stem}-{ticket8}.{ext}; {stem} is the customer
    image id here, or "image" when there is none).
    """
    current = state()
    want_json(json_flag)
    name = check_name_option(name)
    checked = [parse_ticket(t) for t in tickets]
    failures: Failures = {}
    with current.client() as client:
        if wait_flag:
            statuses = wait_all(
                current, client, checked, timeout=timeout, poll=poll, failures=failures
            )
        else:
            statuses = get_statuses(client, checked, failures)
        pending = not_delivered(statuses)
        files = download_all(
            current,
            client,
            statuses,
            dest,
            thumbnail=thumbnail,
            concurrency=concurrency,
            name=name,
            failures=failures,
        )
    _print(current, checked, statuses, failures, ("files",), files)
    if pending:
        current.output.note(not_delivered_note(pending, waited=wait_flag))
    code = report_failures(current, failures)
    if code == EXIT["ok"] and pending:
        return EXIT["failed"]
    return code


@click.command()
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
    from .render import print_statuses, status_row

    current = state()
    want_json(json_flag)
    wf = workflows()
    with current.client("pixelz") as client:
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
        rows = [status_row(s) for s in itertools.islice(found, limit)]
    print_statuses(current.output, rows)
    return EXIT["ok"]


@click.command()
@click.option("--limit", type=click.IntRange(min=1), help="show at most this many")
@json_option
def products(limit: int | None, json_flag: bool) -> int:
    """List the account's product ids with their image counts (GetProductIdsList)."""
    from .render import plain

    current = state()
    want_json(json_flag)
    wf = workflows()
    with current.client("pixelz") as client:
        found = list(itertools.islice(wf.iter_product_ids(client), limit))
    if current.output.json:
        current.output.emit_json(found)
    else:
        current.output.records([plain(p) for p in found])
    return EXIT["ok"]


@click.command()
@json_option
def templates(json_flag: bool) -> int:
    """List the account's templates (GetTemplates)."""
    current = state()
    want_json(json_flag)
    with current.client("pixelz") as client:
        found = [t for t in client.get_templates().templates or [] if t is not None]  # type: ignore[attr-defined]
    if current.output.json:
        current.output.emit_json(found)
        return EXIT["ok"]
    # The contract's Money carries a currency and no amount: the column says what it
    # can, the currencies a template is priced in, and is named for that.
    current.output.table(
        ("id", "name", "output", "delivery (h)", "combined", "currency"),
        (
            (
                t.template_id,
                t.template_name,
                t.output_format,
                t.delivery_time_in_hours,
                t.is_combined_images,
                _currencies(t.prices),
            )
            for t in found
        ),
    )
    return EXIT["ok"]


def _currencies(prices: Any) -> str:
    """The distinct currencies of a template's ``Money`` prices, in their order."""
    seen: list[str] = []
    for price in prices or []:
        currency = getattr(price, "currency", None)
        if currency and currency not in seen:
            seen.append(str(currency))
    return ", ".join(seen)

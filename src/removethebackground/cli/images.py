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
from .jobs import download_all, get_status, not_delivered, wait_all

__all__ = ["download", "images", "products", "status", "templates", "wait"]


@click.command()
@click.argument("tickets", nargs=-1, required=True, metavar="TICKET...")
@json_option
def status(tickets: tuple[str, ...], json_flag: bool) -> int:
    """Show the status of images (GetImageStatus; --generation legacy for generation 1)."""
    from .render import print_statuses, status_row

    current = state()
    want_json(json_flag)
    rows = []
    with current.client() as client:
        for ticket in tickets:
            rows.append(status_row(get_status(client, parse_ticket(ticket))))
    print_statuses(current.output, rows, ("final_images_url",))
    return EXIT["ok"]


@click.command()
@click.argument("tickets", nargs=-1, required=True, metavar="TICKET...")
@with_options(wait_options)
@json_option
def wait(tickets: tuple[str, ...], timeout: float, poll: float, json_flag: bool) -> int:
    """Wait until images are delivered (or on hold); exit 5 on --timeout."""
    from .render import print_statuses, status_row

    current = state()
    want_json(json_flag)
    checked = [parse_ticket(t) for t in tickets]
    with current.client() as client:
        statuses = wait_all(current, client, checked, timeout=timeout, poll=poll)
    print_statuses(current.output, [status_row(s) for s in statuses], ("final_images_url",))
    return EXIT["failed"] if not_delivered(statuses) else EXIT["ok"]


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
@with_options(wait_options)
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
    from .render import print_statuses, status_row

    current = state()
    want_json(json_flag)
    checked = [parse_ticket(t) for t in tickets]
    with current.client() as client:
        if wait_flag:
            statuses = wait_all(current, client, checked, timeout=timeout, poll=poll)
        else:
            statuses = [get_status(client, t) for t in checked]
        pending = not_delivered(statuses)
        files = download_all(
            current, client, statuses, dest, thumbnail=thumbnail, concurrency=concurrency
        )
    rows = []
    for each, written in zip(statuses, files, strict=True):
        row = status_row(each)
        row["files"] = [str(p) for p in written]
        rows.append(row)
    print_statuses(current.output, rows, ("files",))
    if pending:
        current.output.note(
            f"{len(pending)} image(s) not delivered yet: nothing downloaded for them "
            "(add --wait to wait first)"
        )
        return EXIT["failed"]
    return EXIT["ok"]


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
    current.output.table(
        ("id", "name", "output", "delivery (h)", "combined", "prices"),
        (
            (
                t.template_id,
                t.template_name,
                t.output_format,
                t.delivery_time_in_hours,
                t.is_combined_images,
                [_money(p) for p in t.prices or [] if p is not None],
            )
            for t in found
        ),
    )
    return EXIT["ok"]


def _money(price: Any) -> str:
    from .render import plain

    data = plain(price)
    if isinstance(data, dict):
        return " ".join(str(v) for v in data.values() if v is not None)
    return str(data)

"""``rtb submit``: queue files, folders or URLs with AddImageToQueue; optionally wait for
them and download the cut-outs."""

from __future__ import annotations

from collections.abc import Sequence
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
from .jobs import download_all, is_url, not_delivered, uploader, wait_all

__all__ = ["IMAGE_SUFFIXES", "submit"]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})


@click.command()
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
    from .render import status_row

    state = current_state()
    want_json(json_flag)
    wf = workflows()
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
        put = uploader(state, client, upload_url)
        with state.output.progress("submitting", total=len(sources)) as bar:
            task = bar.task_ids[0]
            for source in sources:
                own = dict(params)
                if customer_image_id:
                    own["customer_image_id"] = customer_image_id
                elif not is_url(source) and len(sources) > 1:
                    own.setdefault("customer_image_id", Path(source).name)
                if put is None and not is_url(source):
                    raise CliError(
                        f"{source} is a local file but the service can only fetch URLs: pass "
                        "--upload-url (a server taking PUT /uploads/<name>) or give URLs",
                        EXIT["usage"],
                    )
                ticket = wf.submit(client, source, uploader=put, **own)
                rows.append({"source": source, "ticket": str(ticket)})
                bar.advance(task)
        if wait_flag or download_dir is not None:
            statuses = wait_all(
                state, client, [r["ticket"] for r in rows], timeout=timeout, poll=poll
            )
            for row, status in zip(rows, statuses, strict=True):
                row.update({k: v for k, v in status_row(status).items() if k not in ("ticket",)})
            if download_dir is not None:
                files = download_all(
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
            failed = not_delivered(statuses)
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


def _expand(inputs: Sequence[str], recursive: bool) -> list[str]:
    """URLs as given; folders as the image files in them (sorted); files as given."""
    found: list[str] = []
    for item in inputs:
        if is_url(item):
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

"""``rtb mcp``: serve the job to AI agents over MCP on standard input and output.

The account, endpoint and binding come from the same settings as every other command
(flags, profile, ``RTB_*`` variables, the config file); the tools never see them. The
server itself lives in :mod:`removethebackground.agents` (the ``mcp`` extra), imported
when the command runs.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from .context import EXIT, CliError
from .context import state as current_state

__all__ = ["mcp"]

#: ``--max-images``' default (the agents' DEFAULT_MAX_IMAGES, kept here so that
#: ``rtb --help`` imports nothing of the server).
MAX_IMAGES = 20


def _amount(option: str, text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise CliError(f"{option} {text!r}: give an amount such as 0.25 or 250", EXIT["usage"])
    return value


def _prices(values: tuple[str, ...]) -> Decimal | dict[str, Decimal] | None:
    if not values:
        return None
    if len(values) == 1 and "=" not in values[0]:
        return _amount("--price-per-image", values[0])
    out: dict[str, Decimal] = {}
    for value in values:
        template, sep, amount = value.partition("=")
        if not sep:
            raise CliError(
                f"--price-per-image {value!r}: with several prices, give each as "
                "TEMPLATE=AMOUNT (=AMOUNT for the default template)",
                EXIT["usage"],
            )
        out[template.strip()] = _amount("--price-per-image", amount)
    return out


@click.command()
@click.option(
    "--max-images",
    type=click.IntRange(0),
    default=MAX_IMAGES,
    show_default=True,
    metavar="N",
    help="images the session may queue in all; more is refused before anything is sent",
)
@click.option(
    "--max-spend",
    metavar="AMOUNT",
    help="cost the session may spend in all (needs --price-per-image for every template)",
)
@click.option(
    "--price-per-image",
    "price_per_image",
    multiple=True,
    metavar="[TEMPLATE=]AMOUNT",
    help="your price per image, for --max-spend (repeat per template)",
)
@click.option(
    "--files-root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("."),
    show_default="the current folder",
    help="local images are read only below this folder",
)
@click.option(
    "--download-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("rtb-downloads"),
    show_default=True,
    help="results are written only below this folder",
)
@click.option(
    "--upload-url",
    metavar="URL",
    help="where local files are PUT (/uploads/<name>) [env RTB_UPLOAD_URL; default: the "
    "sandbox when the endpoint is on this machine]",
)
@click.option(
    "--read-only", is_flag=True, help="serve only the tools that change nothing (no queueing)"
)
@click.option(
    "--no-operations",
    is_flag=True,
    help="leave out the call_* tools (one per operation of the service)",
)
def mcp(
    max_images: int,
    max_spend: str | None,
    price_per_image: tuple[str, ...],
    files_root: Path,
    download_dir: Path,
    upload_url: str | None,
    read_only: bool,
    no_operations: bool,
) -> int:
    """Serve the job to AI agents over MCP (stdio); needs the mcp extra.

    \b
    In an MCP client's configuration:
        {"mcpServers": {"rtb": {"command": "rtb", "args": ["mcp", "--max-images", "50"]}}}
    Tools: templates, submit, status, wait (with progress), download, lists of
    images and products, contact, invoices, delete, reject, and one call_* tool per
    operation. The account comes from the settings of rtb (RTB_EMAIL, RTB_API_KEY,
    profiles) and never reaches the agent. Each session may queue --max-images
    images (and spend --max-spend); local images are read below --files-root,
    results written below --download-dir.
    """
    state = current_state()
    limit = None if max_spend is None else _amount("--max-spend", max_spend)
    prices = _prices(price_per_image)
    try:
        from ..agents.server import serve_stdio
        from ..agents.tools import Limits, Session
    except ImportError as exc:
        raise CliError(
            f'rtb mcp needs the mcp extra ({exc}): pip install ".[cli,mcp]" in the '
            "project's clone",
            EXIT["usage"],
        ) from None
    from .jobs import uploader

    first = state.client("pixelz")  # no account: a usage error now, not in every tool
    clients: dict[str, Any] = {"pixelz": first}

    def client_for(generation: str) -> Any:
        return clients.pop(generation, None) or state.client(generation)

    limits = Limits(
        max_images=max_images,
        max_spend=limit,
        prices=prices,
        files_root=files_root.resolve(),
        download_dir=download_dir.resolve(),
        operations=not no_operations,
        read_only=read_only,
        default_template=state.settings.get("template_id"),
    )
    session = Session(
        client_for,
        limits=limits,
        uploader=uploader(state, first, upload_url),
        secrets=state.secrets,
    )
    serve_stdio(session)
    return EXIT["ok"]

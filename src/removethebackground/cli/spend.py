"""What a submit will queue and cost, said before anything is sent; the question above
a threshold (``--confirm-over``, ``--max-spend``), ``--yes`` and ``--dry-run``
(:class:`removethebackground.workflows.batch.Quote`)."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import click

from .context import EXIT, CliError, State

__all__ = [
    "Spend",
    "decide",
    "guarded_submit",
    "prices_of",
    "quote_of",
    "spend_of",
    "spend_options",
]

#: ``--confirm-over``'s default (the workflows' DEFAULT_CONFIRM_OVER, kept here so that
#: ``rtb --help`` does not import the workflows).
CONFIRM_OVER = 1000


@dataclasses.dataclass(frozen=True, slots=True)
class Spend:
    confirm_over: int | None
    max_spend: str | None
    prices: dict[str, str] | str | None
    yes: bool
    dry_run: bool


def _prices(values: tuple[str, ...]) -> dict[str, str] | str | None:
    """``--price-per-image AMOUNT`` (every template) or ``TEMPLATE=AMOUNT`` (repeated)."""
    if not values:
        return None
    if len(values) == 1 and "=" not in values[0]:
        return values[0]
    out: dict[str, str] = {}
    for value in values:
        template, sep, amount = value.partition("=")
        if not sep:
            raise CliError(
                f"--price-per-image {value!r}: with several prices, give each as "
                "TEMPLATE=AMOUNT (e.g. 1001=0.25; =0.25 for the default template)",
                EXIT["usage"],
            )
        out[template.strip()] = amount.strip()
    return out


_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--confirm-over",
        type=click.IntRange(0),
        default=None,
        metavar="N",
        help=f"ask before queueing more than N images (without a terminal: refuse; see "
        f"--yes)  [default: the config file's [spend] confirm_over, else {CONFIRM_OVER}]",
    ),
    click.option(
        "--max-spend",
        metavar="AMOUNT",
        help="ask before a cost over AMOUNT (needs a price for every template)  "
        "[default: the config file's [spend] max_spend]",
    ),
    click.option(
        "--price-per-image",
        "price_per_image",
        multiple=True,
        metavar="[TEMPLATE=]AMOUNT",
        help="your price per image, to say what a batch costs (repeat per template)  "
        "[default: the config file's [prices] table]",
    ),
    click.option("--yes", is_flag=True, help="queue above --confirm-over / --max-spend unasked"),
    click.option(
        "--dry-run", is_flag=True, help="say what would be queued and what it costs; send nothing"
    ),
]


def spend_options(f: Any) -> Any:
    for option in reversed(_OPTIONS):
        f = option(f)
    return f


def spend_of(
    confirm_over: int | None,
    max_spend: str | None,
    price_per_image: tuple[str, ...],
    yes: bool,
    dry_run: bool,
) -> Spend:
    """The options, the config file's ``[spend]`` filling those not given (its
    ``[prices]`` are used where the quote is made, when no --price-per-image is given)."""
    configured = _configured()
    if confirm_over is None:
        confirm_over = CONFIRM_OVER if configured.confirm_over is None else configured.confirm_over
    if max_spend is None and configured.max_spend is not None:
        max_spend = str(configured.max_spend)
    return Spend(confirm_over, max_spend, _prices(price_per_image), yes, dry_run)


def _configured() -> Any:
    from ..core.errors import InvalidParameterError
    from ..workflows.batch.spend import configured_spend

    try:
        return configured_spend()
    except InvalidParameterError as exc:
        raise CliError(str(exc), EXIT["usage"]) from None


def prices_of(price_per_image: tuple[str, ...]) -> dict[str, str] | str | None:
    """``--price-per-image`` values as ``price_per_image=`` takes them."""
    return _prices(price_per_image)


def _quote_json(quote: Any) -> dict[str, Any]:
    currency = {"currency": quote.currency} if getattr(quote, "currency", "") else {}
    return currency | {
        "images": quote.images,
        "by_template": dict(quote.by_template),
        "prices": {t: str(p) for t, p in quote.prices.items()},
        "cost": None if quote.cost is None else str(quote.cost),
        "unpriced": list(quote.unpriced),
    }


def decide(state: State, quote: Any, spend: Spend) -> bool | None:
    """Say ``quote``; ``None`` for a dry run (nothing to send), else whether the user
    approved a quote over a threshold (``True`` when under all). Refuses (a usage error
    naming --yes) when a threshold is passed without a terminal to ask. A single image
    without a price is not announced (its one line would only repeat the command)."""
    if quote.images != 1 or quote.prices or spend.dry_run:
        state.output.note(str(quote))
    if spend.dry_run:
        if state.output.json:
            state.output.emit_json({"dry_run": True, "quote": _quote_json(quote)})
        state.output.note("--dry-run: nothing was sent")
        return None
    try:
        limit = None if spend.max_spend is None else Decimal(spend.max_spend)
    except ArithmeticError:
        raise CliError(
            f"--max-spend {spend.max_spend!r}: give an amount such as 250 or 99.50",
            EXIT["usage"],
        ) from None
    if limit is not None and quote.images and quote.cost is None:
        raise CliError(
            "--max-spend needs a price for every template queued: give --price-per-image "
            f"for {', '.join(repr(t) for t in quote.unpriced)} (TEMPLATE=AMOUNT), or a "
            "price in the config file's [prices] table",
            EXIT["usage"],
        )
    reasons = [] if spend.yes else quote.over(spend.confirm_over, limit)
    if not reasons:
        return True
    if sys.stdin.isatty() and state.output.interactive:
        if click.confirm(f"{'; '.join(reasons)}: queue them?", err=True):
            return True
        raise CliError("nothing was sent", EXIT["failed"])
    raise CliError(
        f"{'; '.join(reasons)}; nothing was sent (no terminal to ask): give --yes to "
        "queue them, or raise --confirm-over / --max-spend",
        EXIT["usage"],
    )


def quote_of(templates: list[str], spend: Spend) -> Any:
    """The quote of images queued without a journal (one template id each)."""
    from ..workflows.batch.spend import check_prices, make_quote

    if spend.prices is None:
        configured = _configured()
        return make_quote(templates, configured.prices, currency=configured.currency)
    return make_quote(templates, check_prices(spend.prices))


def guarded_submit(
    state: State,
    job: Any,
    manifest: Any,
    spend: Spend,
    *,
    retry_failed: bool,
    follow: Callable[[Any], Callable[[], object]] | None = None,
    **kwargs: Any,
) -> Any:
    """Say the quote, then :meth:`Batch.submit` it unless this is a dry run (``None``
    then) or it passes a threshold that nobody confirmed (see :func:`decide`).
    ``follow(bar)``: the ``on_progress`` of the submit, given its progress bar."""
    quote = job.quote(manifest, retry_failed=retry_failed, price_per_image=spend.prices)
    approved = decide(state, quote, spend)
    if approved is None:
        return None
    # The journal may have grown between the quote and the submit: confirm only as many.
    with state.output.progress("submitting", total=None) as bar:
        if follow is not None:
            kwargs["on_progress"] = follow(bar)
        return job.submit(
            manifest,
            retry_failed=retry_failed,
            price_per_image=spend.prices,
            confirm_over=spend.confirm_over,
            max_spend=spend.max_spend,
            confirm=lambda q: approved and q.images <= quote.images,
            **kwargs,
        )

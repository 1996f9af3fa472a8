"""What a batch will queue before it sends anything: images per template and, with
prices, what that costs (:class:`Quote`); the guard that asks above a threshold.

The service's contract carries no amounts, so prices are the user's own
(``price_per_image=``: one amount for every template, or a mapping from template id
to amount, ``""`` naming the account's default template). Amounts are
:class:`~decimal.Decimal` in the account's currency; no currency is assumed.

**In the config file** (:func:`configured_spend`; the file of ``RTB_CONFIG``, or
``config.toml`` in the user's config directory): the prices when
``price_per_image=`` is not given, and ``max_spend`` / ``confirm_over`` when those are
not given (``rtb``'s options, ``Batch.submit``'s ``max_spend=``)::

    [prices]
    currency = "EUR"   # shown with the amounts (optional)
    default = "0.25"   # the account's default template (rows without a template_id)
    1001 = "0.40"      # template id -> price per image

    [spend]
    max_spend = "500"  # ask (or refuse) above this cost
    confirm_over = 200 # ask (or refuse) above this many images (rtb; default 1000)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation

from ...core.errors import InvalidParameterError
from ..errors import BatchError

__all__ = [
    "DEFAULT_CONFIRM_OVER",
    "Confirm",
    "ConfiguredSpend",
    "Prices",
    "Quote",
    "SpendRefused",
    "check_prices",
    "configured_spend",
    "make_quote",
]

#: Images above which a batch asks before sending (remove.bg's own CLI asks above 50).
DEFAULT_CONFIRM_OVER = 1000

#: One price for every template, or a price per template id (``""``: the default template).
Prices = Decimal | int | float | str | Mapping[str, Decimal | int | float | str]

#: Asked with the quote when it is over a threshold: ``True`` sends, ``False`` refuses.
Confirm = Callable[["Quote"], bool]


class SpendRefused(BatchError):
    """A batch over its threshold was not confirmed: nothing was sent."""


def _amount(name: str, value: object) -> Decimal:
    if isinstance(value, bool):
        raise InvalidParameterError(name, f"must be an amount, got {value!r}")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidParameterError(
            name, f"must be an amount such as 0.25, got {value!r}"
        ) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidParameterError(name, f"must be a finite amount >= 0, got {value!r}")
    return amount


def check_prices(prices: Prices | None) -> dict[str, Decimal] | Decimal | None:
    """``price_per_image=`` checked: ``None``, one :class:`Decimal`, or template -> Decimal."""
    if prices is None:
        return None
    if isinstance(prices, Mapping):
        return {
            str(template): _amount(f"price_per_image[{template!r}]", value)
            for template, value in prices.items()
        }
    return _amount("price_per_image", prices)


def check_threshold(confirm_over: int | None, max_spend: object) -> Decimal | None:
    """Refuse a bad ``confirm_over=`` and return ``max_spend=`` as an amount."""
    if confirm_over is not None and (
        isinstance(confirm_over, bool) or not isinstance(confirm_over, int) or confirm_over < 0
    ):
        raise InvalidParameterError(
            "confirm_over", f"must be an int >= 0 or None (never ask), got {confirm_over!r}"
        )
    return None if max_spend is None else _amount("max_spend", max_spend)


@dataclasses.dataclass(frozen=True, slots=True)
class Quote:
    """What a submit will queue: ``images`` in all, ``by_template`` (template id ->
    images, ``""`` the account's default template) and, when every template queued has
    a price, ``cost``; ``unpriced`` names the templates without one."""

    images: int
    by_template: Mapping[str, int]
    prices: Mapping[str, Decimal]
    cost: Decimal | None
    unpriced: tuple[str, ...] = ()
    #: the currency the amounts are in, when configured (``""``: not said)
    currency: str = ""

    def over(self, confirm_over: int | None, max_spend: Decimal | None) -> list[str]:
        """The thresholds this quote passes, as sentences (empty: none)."""
        reasons = []
        if confirm_over is not None and self.images > confirm_over:
            reasons.append(f"{self.images} images is over the {confirm_over} that need no asking")
        if max_spend is not None and self.cost is not None and self.cost > max_spend:
            reasons.append(
                f"a cost of {self._money(self.cost)} is over max_spend {self._money(max_spend)}"
            )
        return reasons

    def __str__(self) -> str:
        if not self.images:
            return "nothing to queue"
        parts = []
        for template, count in self.by_template.items():
            name = f"template {template}" if template else "the default template"
            price = self.prices.get(template)
            cost = "" if price is None else f" at {price} = {self._money(price * count)}"
            parts.append(f"{count} with {name}{cost}")
        text = f"{self.images} image{'s' if self.images != 1 else ''} to queue: " + "; ".join(parts)
        if self.cost is not None:
            text += f"; cost {self._money(self.cost)}"
        elif self.prices:
            text += (
                f"; no price for {', '.join(t or 'the default template' for t in self.unpriced)}"
            )
        return text

    def _money(self, amount: Decimal) -> str:
        return f"{amount} {self.currency}" if self.currency else str(amount)


def make_quote(
    templates: Iterable[str],
    prices: dict[str, Decimal] | Decimal | None,
    *,
    currency: str = "",
) -> Quote:
    """The quote for the template ids of the rows to be queued (streamed: bounded memory)."""
    counts: dict[str, int] = {}
    for template in templates:
        counts[template] = counts.get(template, 0) + 1
    counts = dict(sorted(counts.items()))
    if prices is None:
        known: dict[str, Decimal] = {}
    elif isinstance(prices, Decimal):
        known = dict.fromkeys(counts, prices)
    else:
        known = {t: prices[t] for t in counts if t in prices}
    unpriced = tuple(t for t in counts if t not in known)
    cost = None if unpriced else sum((known[t] * n for t, n in counts.items()), Decimal(0))
    return Quote(sum(counts.values()), counts, known, cost, unpriced, currency)


@dataclasses.dataclass(frozen=True, slots=True)
class ConfiguredSpend:
    """The config file's ``[prices]`` and ``[spend]`` tables, checked (see the module):
    ``prices`` template id -> amount (``""`` the default template; ``None``: no table),
    ``currency`` (``""``: not said), ``max_spend`` and ``confirm_over`` (``None``: not set).
    """

    prices: dict[str, Decimal] | None = None
    currency: str = ""
    max_spend: Decimal | None = None
    confirm_over: int | None = None


def configured_spend(environ: Mapping[str, str] | None = None) -> ConfiguredSpend:
    """Read ``[prices]`` and ``[spend]`` from the config file (``environ``: instead of
    ``os.environ``, for ``RTB_CONFIG``); a bad value raises
    :class:`~removethebackground.core.errors.InvalidParameterError` naming the key and the
    file."""
    from ...core.settings import config_path, read_table

    where = f"in the config file {config_path(environ)}"
    table = read_table("prices", environ)
    currency = table.pop("currency", "")
    if not isinstance(currency, str) or not (
        currency == "" or (currency.isalpha() and len(currency) <= 8)
    ):
        raise InvalidParameterError(
            "[prices] currency", f'must be a currency code such as "EUR", got {currency!r} {where}'
        )
    prices: dict[str, Decimal] | None = None
    if table:
        prices = {}
        for key, value in table.items():
            template = "" if key == "default" else key
            if template and not template.isdigit():
                raise InvalidParameterError(
                    f"[prices] {key}",
                    f'is not a template id: give template numbers (e.g. 1001 = "0.40"), '
                    f"default (the account's default template) or currency {where}",
                )
            prices[template] = _amount(f"[prices] {key} ({where})", value)
    spend = read_table("spend", environ)
    unknown = sorted(set(spend) - {"max_spend", "confirm_over"})
    if unknown:
        raise InvalidParameterError(
            f"[spend] {unknown[0]}", f"is not a setting: use max_spend or confirm_over ({where})"
        )
    max_spend = spend.get("max_spend")
    confirm_over = spend.get("confirm_over")
    if confirm_over is not None and (
        isinstance(confirm_over, bool) or not isinstance(confirm_over, int) or confirm_over < 0
    ):
        raise InvalidParameterError(
            "[spend] confirm_over", f"must be a whole number of images >= 0 {where}"
        )
    return ConfiguredSpend(
        prices=prices,
        currency=currency.upper(),
        max_spend=None if max_spend is None else _amount(f"[spend] max_spend ({where})", max_spend),
        confirm_over=confirm_over,
    )


def guard(
    quote: Quote,
    *,
    confirm_over: int | None,
    max_spend: Decimal | None,
    confirm: Confirm | None,
) -> None:
    """Raise :class:`SpendRefused` when ``quote`` passes a threshold and ``confirm``
    does not say yes; :class:`InvalidParameterError` when ``max_spend`` cannot be
    checked (a template queued has no price)."""
    if max_spend is not None and quote.images and quote.cost is None:
        missing = ", ".join(repr(t) for t in quote.unpriced)
        raise InvalidParameterError(
            "max_spend",
            f"needs a price for every template queued; price_per_image has none for {missing}",
        )
    reasons = quote.over(confirm_over, max_spend)
    if not reasons:
        return
    if confirm is not None and confirm(quote):
        return
    raise SpendRefused(
        f"{quote}. Not sent: {'; '.join(reasons)}. Nothing was queued: confirm it "
        "(confirm=, or rtb's --yes), or raise confirm_over= / max_spend= (--confirm-over, "
        "--max-spend)"
    )

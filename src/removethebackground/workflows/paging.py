"""``iter_images`` and ``iter_product_ids``: walk GetImagesList / GetProductIdsList page by page.

::

    for image in iter_images(client, image_status=ImageStatusName.DELIVERED, product_id="shoes"):
        print(image.image_ticket, image.final_images_url)

Pages hold at most 100 items (the service's limit for ``imagesPerPage`` and
``productIdsPerPage``); the walk stops at the first page with fewer items than
asked for, or after ``max_pages``. Only one page is held at a time.

Sorting defaults to ``sort_by="id"`` ascending, so that images added while the walk
runs land at the end instead of shifting the pages already read (the service's own
default is by date, newest first). The walk also stops if the service answers the
same page twice in a row (a service that ignores ``page``), so it always ends.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ..core.errors import InvalidParameterError
from ..generated import pixelz
from ._common import check_form
from .status import ImageStatusName

__all__ = ["MAX_PER_PAGE", "Pages", "images_query", "iter_images", "iter_product_ids"]

MAX_PER_PAGE = 100
_T = TypeVar("_T")


def _per_page(value: int, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PER_PAGE:
        raise InvalidParameterError(name, f"must be an int from 1 to {MAX_PER_PAGE}, got {value!r}")
    return str(value)


def _status_text(value: object, name: str) -> str | None:
    if value is None:
        return None
    try:
        return str(ImageStatusName.parse(value).value)
    except InvalidParameterError as exc:
        raise InvalidParameterError(name, str(exc).split(": ", 1)[1]) from None


def _date_text(value: object, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()).strftime("%Y-%m-%d")
        except ValueError:
            pass
    raise InvalidParameterError(
        name, f"expected a date (datetime.date or YYYY-MM-DD), got {value!r}"
    )


def _check_max_pages(max_pages: int | None) -> None:
    if max_pages is not None and (
        isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1
    ):
        raise InvalidParameterError(
            "max_pages", f"must be a positive int or None, got {max_pages!r}"
        )


class Pages:
    """The page walk of :func:`iter_images` and :func:`iter_product_ids`, with no I/O:
    shared by the sync and async forms.

    The loop asks for page :attr:`page` while :meth:`wanted`, and hands the page's raw
    items to :meth:`read`, which returns the items to give out and whether to go on.
    """

    def __init__(self, per_page: int, max_pages: int | None) -> None:
        self.size = _per_page(per_page, "per_page")
        _check_max_pages(max_pages)
        self._per_page = per_page
        self._max_pages = max_pages
        self.page = 1
        self._previous: list[object] | None = None

    def wanted(self) -> bool:
        return self._max_pages is None or self.page <= self._max_pages

    @property
    def page_text(self) -> str:
        return str(self.page)

    def read(
        self, raw: Sequence[_T | None] | None, key: Callable[[_T], object]
    ) -> tuple[list[_T], bool]:
        """The items of a page, and whether there may be another page after it.

        The walk ends at an empty page, at the same page answered twice in a row (a
        service that ignores ``page``) and after a page with fewer items than asked for.
        """
        items = [item for item in raw or [] if item is not None]
        keys = [key(item) for item in items]
        if not items or keys == self._previous:
            return [], False
        if len(raw or []) < self._per_page:
            return items, False
        self._previous = keys
        self.page += 1
        return items, True


def images_query(
    *,
    image_status: ImageStatusName | int | str | None,
    exclude_image_status: ImageStatusName | int | str | None,
    product_id: str | None,
    from_date: datetime.date | str | None,
    to_date: datetime.date | str | None,
    sort_by: str,
    descending: bool,
) -> dict[str, Any]:
    """The GetImagesList parameters of a walk, but the page: checked before anything is sent."""
    status_text = _status_text(image_status, "image_status")
    exclude_text = _status_text(exclude_image_status, "exclude_image_status")
    first = _date_text(from_date, "from_date")
    last = _date_text(to_date, "to_date")
    if sort_by not in ("id", "date", "status"):
        raise InvalidParameterError("sort_by", f"must be id, date or status, got {sort_by!r}")
    return {
        "image_status": status_text,
        "exclude_image_status": exclude_text,
        "product_id": product_id,
        "from_date": first,
        "to_date": last,
        "sort_by": sort_by,
        "is_descending": "true" if descending else "false",
    }


def image_key(item: pixelz.ImageStatus) -> object:
    return item.image_ticket


def product_id_key(item: pixelz.ProductIdStatistic) -> object:
    return (item.product_id, item.done_count, item.todo_count)


def iter_images(
    client: pixelz.PixelzClient,
    *,
    image_status: ImageStatusName | int | str | None = None,
    exclude_image_status: ImageStatusName | int | str | None = None,
    product_id: str | None = None,
    from_date: datetime.date | str | None = None,
    to_date: datetime.date | str | None = None,
    sort_by: str = "id",
    descending: bool = False,
    per_page: int = MAX_PER_PAGE,
    max_pages: int | None = None,
) -> Iterator[pixelz.ImageStatus]:
    """Every image matching the filters, as ``ImageStatus``, over as many pages as needed.

    ``image_status`` / ``exclude_image_status`` take an :class:`ImageStatusName`, an id
    or a name; ``from_date`` / ``to_date`` a ``datetime.date`` or ``YYYY-MM-DD``
    (inclusive, as the service reads them); ``sort_by`` is ``id``, ``date`` or ``status``.
    """
    query = images_query(
        image_status=image_status,
        exclude_image_status=exclude_image_status,
        product_id=product_id,
        from_date=from_date,
        to_date=to_date,
        sort_by=sort_by,
        descending=descending,
    )
    pages = Pages(per_page, max_pages)
    check_form(client, awaited=False)
    return _walk_images(client, query, pages)


def _walk_images(
    client: pixelz.PixelzClient, query: dict[str, Any], pages: Pages
) -> Iterator[pixelz.ImageStatus]:
    while pages.wanted():
        answer = client.get_images_list(page=pages.page_text, images_per_page=pages.size, **query)
        items, more = pages.read(answer.images, image_key)
        yield from items
        if not more:
            return


def iter_product_ids(
    client: pixelz.PixelzClient,
    *,
    per_page: int = MAX_PER_PAGE,
    max_pages: int | None = None,
) -> Iterator[pixelz.ProductIdStatistic]:
    """Every product id with its done and to-do counts (GetProductIdsList), page by page."""
    pages = Pages(per_page, max_pages)
    check_form(client, awaited=False)
    return _walk_product_ids(client, pages)


def _walk_product_ids(
    client: pixelz.PixelzClient, pages: Pages
) -> Iterator[pixelz.ProductIdStatistic]:
    while pages.wanted():
        answer = client.get_product_ids_list(page=pages.page_text, product_ids_per_page=pages.size)
        items, more = pages.read(answer.product_ids, product_id_key)
        yield from items
        if not more:
            return

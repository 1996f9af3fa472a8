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
from collections.abc import Iterator

from ..core.errors import InvalidParameterError
from ..generated import pixelz
from .status import ImageStatusName

__all__ = ["MAX_PER_PAGE", "iter_images", "iter_product_ids"]

MAX_PER_PAGE = 100


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
    status_text = _status_text(image_status, "image_status")
    exclude_text = _status_text(exclude_image_status, "exclude_image_status")
    first = _date_text(from_date, "from_date")
    last = _date_text(to_date, "to_date")
    if sort_by not in ("id", "date", "status"):
        raise InvalidParameterError("sort_by", f"must be id, date or status, got {sort_by!r}")
    size = _per_page(per_page, "per_page")
    _check_max_pages(max_pages)
    page = 1
    previous: list[object] | None = None
    while max_pages is None or page <= max_pages:
        answer = client.get_images_list(
            image_status=status_text,
            exclude_image_status=exclude_text,
            product_id=product_id,
            from_date=first,
            to_date=last,
            page=str(page),
            images_per_page=size,
            sort_by=sort_by,
            is_descending="true" if descending else "false",
        )
        items = [item for item in answer.images or [] if item is not None]
        keys: list[object] = [item.image_ticket for item in items]
        if not items or keys == previous:
            return
        yield from items
        if len(answer.images or []) < per_page:
            return
        previous = keys
        page += 1


def iter_product_ids(
    client: pixelz.PixelzClient,
    *,
    per_page: int = MAX_PER_PAGE,
    max_pages: int | None = None,
) -> Iterator[pixelz.ProductIdStatistic]:
    """Every product id with its done and to-do counts (GetProductIdsList), page by page."""
    size = _per_page(per_page, "per_page")
    _check_max_pages(max_pages)
    page = 1
    previous: list[object] | None = None
    while max_pages is None or page <= max_pages:
        answer = client.get_product_ids_list(page=str(page), product_ids_per_page=size)
        items = [item for item in answer.product_ids or [] if item is not None]
        keys: list[object] = [(i.product_id, i.done_count, i.todo_count) for i in items]
        if not items or keys == previous:
            return
        yield from items
        if len(answer.product_ids or []) < per_page:
            return
        previous = keys
        page += 1

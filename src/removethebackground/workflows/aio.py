"""The workflows in async form, for the async clients: ``submit``, ``wait_for``,
``download``, ``iter_images`` and ``iter_product_ids``, awaited in an asyncio loop.

::

    from removethebackground import AsyncPixelzClient
    from removethebackground.workflows import aio

    async with AsyncPixelzClient.from_env() as client:
        ticket = await aio.submit(client, "https://shop.example/shoe.jpg", template_id="1001")
        status = await aio.wait_for(client, ticket, timeout=3600)
        paths = await aio.download(status, "cutouts/")
        async for image in aio.iter_images(client, image_status="Delivered"):
            ...

Same names, same parameters, same semantics and the same errors as the sync
functions of :mod:`removethebackground.workflows` (one import line tells them
apart); the decisions are shared with them, not copied: the argument checks, the
status interpretation and the backoff schedule of :class:`~.wait.WaitRounds`, the
page walk of :class:`~.paging.Pages`, and the download plan, range decisions and
file writing of :mod:`.download`. What differs:

- the calls are awaited on the async client (``AsyncPixelzClient``,
  ``AsyncRemoveTheBackgroundClient``); the sync clients keep the sync functions;
- :func:`wait_for` sleeps with ``asyncio.sleep``; a ``sleep=`` of your own may be a
  coroutine function or a plain one (the sandbox's ``advance``);
- :func:`submit` awaits an ``async def`` uploader; a plain uploader (the
  :class:`~.upload.SandboxUploader`, the :class:`~.upload.PresignedPutUploader`)
  reads the file and uploads with requests, so it is run in a worker thread
  (``asyncio.to_thread``) and the loop keeps running;
- :func:`download` fetches with aiohttp (the ``async`` extra) on a
  ``aiohttp.ClientSession`` of its own, or the ``session=`` you pass; the
  ``concurrency`` files of one image are fetched as tasks, not threads. Each chunk
  is written as it comes; the last step of a file (``fsync``, the Pillow check,
  the rename) runs in a worker thread;
- :func:`iter_images` and :func:`iter_product_ids` are async generators
  (``async for``); their arguments are checked when they are called.

Cancelling one of these (``task.cancel()``, ``asyncio.timeout``) cancels the call in
flight; a download keeps its ``.part`` file and resumes it next time. asyncio only:
the async clients and the downloads need an asyncio loop (no trio).
"""

from __future__ import annotations

import asyncio
import datetime
import inspect
import os
import random
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import urlsplit

from ..core.errors import ServerFault, TransportError
from ..generated import legacy, pixelz
from ._common import AnyStatus, as_ticket, check_form
from .download import (
    CHUNK,
    DEFAULT_MAX_BYTES,
    _StartAgain,
    check_name,
    check_size,
    finish,
    given_status,
    interrupted,
    looked_up,
    over_cap,
    part_path,
    plan_download,
    range_decision,
    range_refused,
    resume_from,
    ticket_to_look_up,
    too_large,
    unreachable,
)
from .paging import (
    MAX_PER_PAGE,
    Pages,
    image_key,
    images_query,
    product_id_key,
)
from .status import ImageStatusName
from .upload import check_submit, image_source, uploaded_url
from .wait import WaitRounds

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "AnyAsyncClient",
    "download",
    "get_status",
    "iter_images",
    "iter_product_ids",
    "submit",
    "wait_for",
]


#: The async clients of both generations.
AnyAsyncClient = pixelz.AsyncPixelzClient | legacy.AsyncRemoveTheBackgroundClient


async def get_status(client: AnyAsyncClient, ticket: uuid.UUID) -> AnyStatus | None:
    """GetImageStatus (generation 2) or getImageStatus (generation 1), awaited."""
    answer: Any = await client.get_image_status(image_ticket=ticket)
    status: AnyStatus | None = answer.image_status
    return status


# --- submit ------------------------------------------------------------------------------


async def submit(
    client: pixelz.AsyncPixelzClient,
    path_or_url: str | os.PathLike[str],
    *,
    uploader: Callable[[Path], str] | Callable[[Path], Awaitable[str]] | None = None,
    **params: Any,
) -> uuid.UUID:
    """Queue one image with AddImageToQueue on an ``AsyncPixelzClient``; returns its ticket.

    As :func:`removethebackground.workflows.submit`: a URL is sent as ``image_url``; a
    local file is first handed to ``uploader`` (awaited when it is a coroutine
    function, else run in a worker thread); every other keyword goes to
    ``add_image_to_queue``. The refusals are raised before anything is sent.
    """
    check_form(client, awaited=True)
    check_submit(client, params)
    source = image_source(path_or_url, uploader)
    if isinstance(source, str):
        url = source
    else:
        assert uploader is not None  # image_source refuses a file without one
        if _is_coroutine_function(uploader):
            answer: object = await uploader(source)  # type: ignore[misc]
        else:
            answer = await asyncio.to_thread(uploader, source)
        url = uploaded_url(answer, source)
    result: Any = await client.add_image_to_queue(image_url=url, **params)
    ticket: uuid.UUID = result.image_ticket
    return ticket


def _is_coroutine_function(function: object) -> bool:
    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
        getattr(function, "__call__", None)  # noqa: B004 - an object with async __call__
    )


# --- wait_for ----------------------------------------------------------------------------


@overload
async def wait_for(
    client: pixelz.AsyncPixelzClient,
    ticket: object,
    *,
    timeout: float = ...,
    poll: float = ...,
    max_poll: float = ...,
    jitter: float = ...,
    on_progress: Callable[[pixelz.ImageStatus], object] | None = ...,
    clock: Callable[[], float] = ...,
    sleep: Callable[[float], object] = ...,
    rng: Callable[[], float] = ...,
) -> pixelz.ImageStatus: ...


@overload
async def wait_for(
    client: legacy.AsyncRemoveTheBackgroundClient,
    ticket: object,
    *,
    timeout: float = ...,
    poll: float = ...,
    max_poll: float = ...,
    jitter: float = ...,
    on_progress: Callable[[legacy.ImageStatus], object] | None = ...,
    clock: Callable[[], float] = ...,
    sleep: Callable[[float], object] = ...,
    rng: Callable[[], float] = ...,
) -> legacy.ImageStatus: ...


async def wait_for(
    client: AnyAsyncClient,
    ticket: object,
    *,
    timeout: float = 3600.0,
    poll: float = 2.0,
    max_poll: float = 60.0,
    jitter: float = 0.25,
    on_progress: Callable[[Any], object] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = asyncio.sleep,
    rng: Callable[[], float] = random.random,
) -> AnyStatus:
    """Poll until the image is terminal; returns its last ``ImageStatus``.

    As :func:`removethebackground.workflows.wait_for` (the same parameters, backoff,
    progress reports, retried failures and :class:`~.errors.WaitTimeout`), awaited:
    ``sleep`` defaults to ``asyncio.sleep``, and may be a plain function (its result
    is awaited when it is awaitable).
    """
    check_form(client, awaited=True)
    rounds = WaitRounds(
        as_ticket(ticket),
        timeout=timeout,
        poll=poll,
        max_poll=max_poll,
        jitter=jitter,
        on_progress=on_progress,
        clock=clock,
        rng=rng,
    )
    for _round in range(rounds.max_rounds):
        try:
            status = await get_status(client, rounds.ticket)
        except (TransportError, ServerFault) as exc:
            rounds.failed(exc)
        else:
            done = rounds.answered(status)
            if done is not None:
                return done
        pause = rounds.next_pause()
        if pause is None:
            break
        slept = sleep(pause)
        if inspect.isawaitable(slept):
            await slept
    raise rounds.timed_out()


# --- paging ------------------------------------------------------------------------------


def iter_images(
    client: pixelz.AsyncPixelzClient,
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
) -> AsyncIterator[pixelz.ImageStatus]:
    """Every image matching the filters (``async for``), over as many pages as needed.

    As :func:`removethebackground.workflows.iter_images`; the arguments are checked
    when it is called, before anything is sent. Only one page is held at a time.
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
    check_form(client, awaited=True)
    return _walk_images(client, query, pages)


async def _walk_images(
    client: pixelz.AsyncPixelzClient, query: dict[str, Any], pages: Pages
) -> AsyncIterator[pixelz.ImageStatus]:
    while pages.wanted():
        answer = await client.get_images_list(
            page=pages.page_text, images_per_page=pages.size, **query
        )
        items, more = pages.read(answer.images, image_key)
        for item in items:
            yield item
        if not more:
            return


def iter_product_ids(
    client: pixelz.AsyncPixelzClient,
    *,
    per_page: int = MAX_PER_PAGE,
    max_pages: int | None = None,
) -> AsyncIterator[pixelz.ProductIdStatistic]:
    """Every product id with its counts (GetProductIdsList), ``async for``, page by page."""
    pages = Pages(per_page, max_pages)
    check_form(client, awaited=True)
    return _walk_product_ids(client, pages)


async def _walk_product_ids(
    client: pixelz.AsyncPixelzClient, pages: Pages
) -> AsyncIterator[pixelz.ProductIdStatistic]:
    while pages.wanted():
        answer = await client.get_product_ids_list(
            page=pages.page_text, product_ids_per_page=pages.size
        )
        items, more = pages.read(answer.product_ids, product_id_key)
        for item in items:
            yield item
        if not more:
            return


# --- download ----------------------------------------------------------------------------


async def download(
    status_or_ticket: object,
    dest: str | os.PathLike[str],
    *,
    client: AnyAsyncClient | None = None,
    thumbnail: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    concurrency: int = 4,
    session: aiohttp.ClientSession | None = None,
    timeout: float | tuple[float, float] = 30.0,
    name: str | None = None,
    source: str | os.PathLike[str] | None = None,
    verify_images: bool = True,
) -> list[Path]:
    """Download the results of a delivered image into the directory ``dest``.

    As :func:`removethebackground.workflows.download` (names, safety, resuming,
    verification, errors), with aiohttp: ``session`` is an ``aiohttp.ClientSession``
    of yours (else one is made and closed), ``timeout`` seconds (or a
    ``(connect, read)`` pair) for connecting and for each read, and the files of the
    image are fetched by up to ``concurrency`` tasks.
    """
    pattern = check_name(name)
    status = given_status(status_or_ticket)
    if status is None:
        ticket = ticket_to_look_up(status_or_ticket, client, awaited=True)
        assert client is not None  # ticket_to_look_up refuses a ticket without one
        status = looked_up(await get_status(client, ticket), ticket)
    targets = plan_download(
        status,
        dest,
        pattern=pattern,
        thumbnail=thumbnail,
        max_bytes=max_bytes,
        concurrency=concurrency,
        source=source,
    )
    import aiohttp  # the async extra; imported when a download runs

    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    limits = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
    own = session is None
    http = session or aiohttp.ClientSession()
    gate = asyncio.Semaphore(min(concurrency, len(targets)))

    async def one(url: str, path: Path) -> Path:
        async with gate:
            # A session of its own takes the environment's proxy, as requests does for
            # the sync form (looked up here: aiohttp's trust_env would do it in a thread).
            proxy = _env_proxy(url) if own else None
            return await _fetch(http, url, path, max_bytes, limits, verify_images, proxy)

    try:
        results = await asyncio.gather(
            *(one(url, path) for url, path in targets), return_exceptions=True
        )
    finally:
        if own:
            await http.close()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [path for _url, path in targets]


async def _fetch(
    session: aiohttp.ClientSession,
    url: str,
    path: Path,
    max_bytes: int,
    limits: aiohttp.ClientTimeout,
    verify_images: bool,
    proxy: str | None,
) -> Path:
    import aiohttp

    if path.is_file():
        return path  # written by an earlier run: complete, since only complete files are renamed
    part = part_path(path)
    for attempt in range(2):  # a resume that the server refuses is retried once from 0
        offset, headers = resume_from(part, attempt)
        try:
            response = await session.get(url, headers=headers, timeout=limits, proxy=proxy)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise unreachable(url, exc) from None
        async with response:
            try:
                mode, total = range_decision(url, offset, response.status, response.headers)
            except _StartAgain:
                continue
            if mode == "wb":
                offset = 0
            if total is not None and total > max_bytes:
                part.unlink(missing_ok=True)
                raise too_large(url, total, max_bytes)
            size = offset
            try:
                with open(part, mode) as out:
                    async for chunk in response.content.iter_chunked(CHUNK):
                        size += len(chunk)
                        if size > max_bytes:
                            break
                        out.write(chunk)
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise interrupted(url, exc, size) from None
            if size > max_bytes:
                part.unlink(missing_ok=True)
                raise over_cap(url, max_bytes)
        check_size(url, size, total)
        return await asyncio.to_thread(_sync_and_finish, part, path, url, verify_images)
    raise range_refused(url)


def _env_proxy(url: str) -> str | None:
    """The proxy ``HTTP(S)_PROXY`` names for ``url``, unless ``NO_PROXY`` exempts its host."""
    parts = urlsplit(url)
    if parts.hostname is None or urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme.lower())


def _sync_and_finish(part: Path, path: Path, url: str, verify_images: bool) -> Path:
    with open(part, "rb+") as out:
        os.fsync(out.fileno())
    return finish(part, path, url, verify_images)

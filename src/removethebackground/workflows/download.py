"""``download``: fetch every final image of a delivered image to disk, safely.

::

    paths = download(status, "cutouts/")                        # an ImageStatus
    paths = download(ticket, "cutouts/", client=client, thumbnail=True)

- **What**: every URL of ``FinalImagesURL`` (generation 2; the service's imageURL ..
  imageURL5 give up to five results) or ``finalImageURL`` (generation 1), and with
  ``thumbnail=True`` the ``ThumbnailImageURL`` too. An image that is not delivered
  raises :class:`~.errors.DownloadError` before anything is fetched.
- **Names**: one scheme everywhere (:func:`download`, ``Batch.download``, ``rtb download``,
  ``rtb submit --download``): ``name=`` is a pattern, by default :data:`DEFAULT_NAME`
  ``"{stem}-{ticket8}.{ext}"`` (``shoe-fe7b7e4b.png``), with the fields of
  :data:`NAME_FIELDS` (see :func:`check_name`); the second to fifth finals get ``-2`` ..
  ``-5`` and the thumbnail ``-thumb`` before the extension (``shoe-fe7b7e4b-thumb.png``).
- **Safe**: only ``http``/``https`` URLs; at most ``max_bytes`` per file (checked
  against ``Content-Length`` first and while streaming); every file is written to a
  temporary ``.<name>.part`` in the same directory, fsynced, checked and renamed into
  place, so a file under its final name is always complete.
- **Resumable**: a file already under its final name is not fetched again; a partial
  ``.part`` left by an interrupted run is continued with ``Range: bytes=<size>-`` when
  the server answers ``206`` with a matching ``Content-Range``, and fetched again
  from the start otherwise.
- **Verified**: the size must match what the server announced, and when Pillow is
  importable the file must open as an image (``Image.verify()``).
- **Concurrent**: the files of one image are fetched by up to ``concurrency`` threads.

Pass ``session=`` to use your own ``requests.Session`` (proxies, TLS settings).
"""

from __future__ import annotations

import concurrent.futures
import difflib
import importlib.util
import os
import re
import string
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import requests

from ..core.errors import InvalidParameterError
from ._common import AnyClient, AnyStatus, as_ticket, check_form, get_status
from .errors import DownloadError
from .status import ImageStatusName

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_NAME",
    "NAME_FIELDS",
    "ResultNames",
    "check_name",
    "download",
    "result_name",
    "result_urls",
]

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
CHUNK = 64 * 1024
_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".psd", ".gif", ".webp", ".bmp"}
_UNSAFE = re.compile(r"[^\w.-]+")
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.I)


def result_urls(status: AnyStatus, *, thumbnail: bool = False) -> list[tuple[str, str]]:
    """``(kind, url)`` pairs of a status: ``("final", url)`` ..., then ``("thumb", url)``."""
    urls: list[tuple[str, str]] = []
    finals = getattr(status, "final_images_url", None)
    if finals is None:
        single = getattr(status, "final_image_url", None)
        finals = [single] if single else []
    urls += [("final", url) for url in finals if url]
    if thumbnail:
        thumb = getattr(status, "thumbnail_image_url", None)
        if thumb:
            urls.append(("thumb", thumb))
    return urls


#: The default name of a result: the photo's name and the ticket's first 8 digits.
DEFAULT_NAME = "{stem}-{ticket8}.{ext}"

#: The fields a ``name=`` pattern may use.
NAME_FIELDS = ("stem", "ticket", "ticket8", "customer_image_id", "product_id", "ext")

#: Fields that can be empty for an image (no product id, a URL without a known
#: extension); ``stem`` and ``customer_image_id`` fall back, the ticket is always there.
_MAY_BE_EMPTY = ("product_id", "ext")
_FIELD_HELP = ", ".join("{" + f + "}" for f in NAME_FIELDS)


def check_name(name: str | None, *, parameter: str = "name") -> str:
    """The ``name`` pattern checked; returns the pattern to use (:data:`DEFAULT_NAME` for
    ``None``). Refuses, before anything is sent, with :class:`InvalidParameterError`
    naming ``parameter``, the value and the fix.

    A pattern is a file name, or a path below the destination folder with ``/``, made
    of text and the fields of :data:`NAME_FIELDS`:

    - ``{stem}``: the photo's file name without its extension (of the local file or
      URL the image was made from), else the customer image id, else ``image``;
    - ``{ticket}``, ``{ticket8}``: the ticket, its first 8 hex digits;
    - ``{customer_image_id}``: the image's customer image id, else the ticket;
    - ``{product_id}``: its product id (may be empty);
    - ``{ext}``: the result's extension from its URL (``png``, ``jpg`` ...; empty when
      the URL has none, and the ``.`` before it is then left out).

    Field values are made file-name safe (anything but letters, digits, ``.``, ``_``
    and ``-`` becomes ``-``), so only the pattern's own text can make folders. A
    folder of the pattern that comes out empty (``{product_id}/`` for an image without
    one) is left out. A pattern without any field is a fixed stem, as before:
    ``"shoe"`` means ``"shoe.{ext}"``.

    Refused: an unknown field (or one with a conversion or format spec), unbalanced
    braces, ``\\`` or control characters, an absolute path, ``.`` or ``..`` as a folder,
    and a pattern that can give an empty file name (one made only of ``{product_id}``
    and ``{ext}``: add ``{stem}`` or ``{ticket8}``).
    """
    if name is None:
        return DEFAULT_NAME
    if not isinstance(name, str):
        raise InvalidParameterError(
            parameter, f"must be a text pattern such as {DEFAULT_NAME!r}, got {type(name).__name__}"
        )

    def refuse(problem: str, fix: str) -> InvalidParameterError:
        return InvalidParameterError(parameter, f"{name!r} {problem}: {fix}")

    if not name.strip():
        raise refuse("is empty", f"give a pattern such as {DEFAULT_NAME!r}")
    if any(ord(c) < 0x20 or c == "\x7f" for c in name) or "\\" in name:
        raise refuse("contains a control character or a backslash", "use '/' between folders")
    try:
        pieces = list(string.Formatter().parse(name))
    except ValueError:
        raise refuse("has an unbalanced '{' or '}'", "write '{{' and '}}' for braces") from None
    fields: list[str] = []
    for _text, field, spec, conversion in pieces:
        if field is None:
            continue
        if field not in NAME_FIELDS:
            near = difflib.get_close_matches(field, NAME_FIELDS, n=1)
            hint = f"did you mean {{{near[0]}}}? " if near else ""
            raise refuse(
                f"uses the unknown field {{{field}}}", f"{hint}the fields are {_FIELD_HELP}"
            )
        if spec or conversion:
            raise refuse(
                f"formats the field {{{field}}}",
                "write fields plain, without '!' or ':' (use {ticket8} for a short ticket)",
            )
        fields.append(field)
    if not fields:
        name = name + ".{ext}"  # a fixed stem, as name= was before patterns
    if name.startswith("/"):
        raise refuse("is an absolute path", "give a name (or sub-folder/name) below the folder")
    for part in name.split("/")[:-1]:
        if part in (".", ".."):
            raise refuse(f"uses {part!r} as a folder", "results stay below the folder given")
    # Rendered with every field filled, and with every field that can be empty empty.
    full = {f: "x" for f in NAME_FIELDS}
    _render(name, full, parameter=parameter)
    bare = dict(full, **{f: "" for f in _MAY_BE_EMPTY})
    _render(name, bare, parameter=parameter)
    return name


def _field(value: object, limit: int = 100) -> str:
    """A field's value made file-name safe: one path component, no leading dots."""
    text = _UNSAFE.sub("-", str(value or "")).strip(".-")
    return text[:limit].rstrip(".-")


def _render(pattern: str, values: dict[str, str], *, parameter: str = "name") -> PurePosixPath:
    """``pattern`` with ``values`` (already safe): a relative path, or the refusal."""
    out: list[str] = []
    for text, field, _spec, _conversion in string.Formatter().parse(pattern):
        out.append(text)
        if field is not None:
            value = values[field]
            if field == "ext" and not value and out and out[-1].endswith("."):
                out[-1] = out[-1][:-1]  # no extension known: no dot either
            out.append(value)
    parts = [p.strip() for p in "".join(out).split("/")]
    folders = [p for p in parts[:-1] if p]
    last = parts[-1] if parts else ""
    if any(p in (".", "..") for p in folders) or last.strip(".") == "":
        raise InvalidParameterError(
            parameter,
            f"{pattern!r} can give an empty file name (for an image without a product "
            "id, or a result URL without an extension): add {stem} or {ticket8}, e.g. "
            + repr(DEFAULT_NAME),
        )
    return PurePosixPath(*folders, last)


def result_name(
    status: AnyStatus,
    *,
    name: str | None = None,
    source: str | os.PathLike[str] | None = None,
    url: str = "",
    suffix: str = "",
) -> PurePosixPath:
    """The relative path of one result of ``status`` under the pattern ``name``.

    ``source``: the local file or URL the image was made from (for ``{stem}``); ``url``:
    the result's URL (for ``{ext}``); ``suffix``: ``-2`` ... or ``-thumb``, put before
    the extension.
    """
    pattern = check_name(name)
    ticket = str(status.image_ticket)
    cid = _field(getattr(status, "customer_image_id", None))
    stem = ""
    if source is not None:
        text = os.fspath(source)
        if "://" in text:
            stem = _field(PurePosixPath(urlsplit(text).path).stem, 80)
        else:
            stem = _field(Path(text).stem, 80)
    ext = _extension(url).lstrip(".") if url else ""
    values = {
        "stem": stem or cid or "image",
        "ticket": ticket,
        "ticket8": ticket[:8],
        "customer_image_id": cid or ticket,
        "product_id": _field(getattr(status, "product_id", None)),
        "ext": ext,
    }
    path = _render(pattern, values)
    if suffix:  # before the extension: the one of {ext}, else the name's own
        last = path.name
        end = f".{ext}" if ext and last.endswith(f".{ext}") else PurePosixPath(last).suffix
        path = path.with_name(f"{last[: len(last) - len(end)]}{suffix}{end}")
    return path


class ResultNames:
    """The names given out by the downloads of several images into one folder (a run of
    ``Batch.download``, ``rtb download``, ``rtb submit --download``).

    A pattern without ``{ticket}``, ``{ticket8}`` or ``{customer_image_id}`` can name two
    images alike (``{stem}.{ext}`` for ``a.jpg`` and ``a.png``); the second would find the
    first one's file and take it for its own. :meth:`claim` refuses that image instead,
    with :class:`DownloadError` (thread-safe).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken: dict[Path, str] = {}

    def claim(
        self,
        status: AnyStatus,
        dest: str | os.PathLike[str],
        *,
        name: str | None = None,
        source: str | os.PathLike[str] | None = None,
    ) -> None:
        """Take the name of ``status``'s first result in ``dest``, or raise if another
        image of this run has it."""
        urls = [url for kind, url in result_urls(status) if kind == "final"]
        if not urls:
            return
        path = Path(dest) / result_name(status, name=name, source=source, url=urls[0])
        ticket = str(status.image_ticket)
        with self._lock:
            other = self._taken.setdefault(path, ticket)
        if other != ticket:
            raise DownloadError(
                f"image {ticket} would be written to {path}, the file of image {other}: "
                f"name {check_name(name)!r} names them alike; add {{ticket8}} to it"
            )


def download(
    status_or_ticket: object,
    dest: str | os.PathLike[str],
    *,
    client: AnyClient | None = None,
    thumbnail: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    concurrency: int = 4,
    session: requests.Session | None = None,
    timeout: float | tuple[float, float] = 30.0,
    name: str | None = None,
    source: str | os.PathLike[str] | None = None,
    verify_images: bool = True,
) -> list[Path]:
    """Download the results of a delivered image into the directory ``dest``.

    ``name``: the pattern of the file names (:func:`check_name`; default
    :data:`DEFAULT_NAME`), checked before anything is sent; ``source``: the local file
    or URL the image was made from, for ``{stem}``.

    Returns the paths written (or found complete), finals first, then the thumbnail.
    Raises :class:`DownloadError` (after every other file has been tried) if a file
    cannot be fetched; a partial ``.part`` is kept so that the next call resumes it.
    """
    pattern = check_name(name)
    status = _resolve(status_or_ticket, client)
    targets = plan_download(
        status,
        dest,
        pattern=pattern,
        thumbnail=thumbnail,
        max_bytes=max_bytes,
        concurrency=concurrency,
        source=source,
    )
    own = session is None
    http = session or requests.Session()
    try:
        workers = min(concurrency, len(targets))
        with concurrent.futures.ThreadPoolExecutor(workers, "rtb-download") as pool:
            futures = [
                pool.submit(_fetch, http, url, path, max_bytes, timeout, verify_images)
                for url, path in targets
            ]
            errors = [f.exception() for f in futures]
    finally:
        if own:
            http.close()
    for error in errors:
        if error is not None:
            raise error
    return [path for _url, path in targets]


def plan_download(
    status: AnyStatus,
    dest: str | os.PathLike[str],
    *,
    pattern: str,
    thumbnail: bool,
    max_bytes: int,
    concurrency: int,
    source: str | os.PathLike[str] | None,
) -> list[tuple[str, Path]]:
    """The ``(url, path)`` of every result to fetch, checked before anything is fetched
    (shared by the sync and async forms); makes the folders."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise InvalidParameterError("max_bytes", f"must be a positive int, got {max_bytes!r}")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidParameterError("concurrency", f"must be an int >= 1, got {concurrency!r}")
    state = ImageStatusName.of(status)
    ticket = status.image_ticket
    if state is not ImageStatusName.DELIVERED:
        shown = state.label if state is not None else f"status {status.status_id}"
        raise DownloadError(f"image {ticket} is {shown}, not delivered: nothing to download")
    urls = result_urls(status, thumbnail=thumbnail)
    if not any(kind == "final" for kind, _ in urls):
        raise DownloadError(f"image {ticket} is delivered but has no final image URL")
    for _kind, url in urls:
        _check_url(url)
    directory = Path(dest)
    directory.mkdir(parents=True, exist_ok=True)
    targets: list[tuple[str, Path]] = []
    finals = 0
    for kind, url in urls:
        if kind == "final":
            finals += 1
            suffix = "" if finals == 1 else f"-{finals}"
        else:
            suffix = "-thumb"
        relative = result_name(status, name=pattern, source=source, url=url, suffix=suffix)
        targets.append((url, directory / relative))
    for _url, path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
    return targets


def given_status(value: object) -> AnyStatus | None:
    """The ``ImageStatus`` given as ``status_or_ticket`` (or in an answer), else ``None``."""
    if hasattr(value, "status_id") and hasattr(value, "image_ticket"):
        return value  # type: ignore[return-value]
    inner = getattr(value, "image_status", None)
    if inner is not None and hasattr(inner, "status_id"):
        return inner  # type: ignore[no-any-return]
    return None


def ticket_to_look_up(value: object, client: object | None, *, awaited: bool) -> uuid.UUID:
    """The ticket of ``status_or_ticket`` when it is no status; it needs ``client`` (of
    the form, sync or async, of the function called)."""
    ticket = as_ticket(value, "status_or_ticket")
    if client is None:
        raise InvalidParameterError(
            "client", "a ticket alone needs client= to look up its final image URLs"
        )
    check_form(client, awaited=awaited)
    return ticket


def looked_up(status: AnyStatus | None, ticket: uuid.UUID) -> AnyStatus:
    if status is None:
        raise DownloadError(f"GetImageStatus answered no ImageStatus for {ticket}")
    return status


def _resolve(value: object, client: AnyClient | None) -> AnyStatus:
    status = given_status(value)
    if status is not None:
        return status
    ticket = ticket_to_look_up(value, client, awaited=False)
    return looked_up(get_status(client, ticket), ticket)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise DownloadError(f"refusing to download a non-http(s) URL: {url[:80]!r}", url=url)


def _extension(url: str) -> str:
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return suffix if suffix in _EXTENSIONS else ""


def _shown(url: str) -> str:
    """The URL without its query (a presigned URL's query is a credential)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _fetch(
    session: requests.Session,
    url: str,
    path: Path,
    max_bytes: int,
    timeout: float | tuple[float, float],
    verify_images: bool,
) -> Path:
    if path.is_file():
        return path  # written by an earlier run: complete, since only complete files are renamed
    part = part_path(path)
    for attempt in range(2):  # a resume that the server refuses is retried once from 0
        offset, headers = resume_from(part, attempt)
        try:
            response = session.get(url, headers=headers, stream=True, timeout=timeout)
        except requests.RequestException as exc:
            raise unreachable(url, exc) from None
        with response:
            try:
                mode, total = range_decision(url, offset, response.status_code, response.headers)
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
                    for chunk in response.iter_content(CHUNK):
                        size += len(chunk)
                        if size > max_bytes:
                            break
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
            except requests.RequestException as exc:
                raise interrupted(url, exc, size) from None
            if size > max_bytes:
                part.unlink(missing_ok=True)
                raise over_cap(url, max_bytes)
        check_size(url, size, total)
        return finish(part, path, url, verify_images)
    raise range_refused(url)


def resume_from(part: Path, attempt: int) -> tuple[int, dict[str, str]]:
    """Where attempt ``attempt`` (0 or 1) starts: the size of a ``.part`` left by an
    earlier run on the first one, 0 (the ``.part`` removed) otherwise; and its headers."""
    offset = part.stat().st_size if part.exists() and attempt == 0 else 0
    if offset == 0 and part.exists():
        part.unlink()
    return offset, ({"Range": f"bytes={offset}-"} if offset else {})


def part_path(path: Path) -> Path:
    """Where ``path`` is written until it is complete."""
    return path.with_name(f".{path.name}.part")


class _StartAgain(Exception):
    """The answer is not the range asked for: fetch again from the start."""


def range_decision(
    url: str, offset: int, status: int, headers: Mapping[str, str]
) -> tuple[str, int | None]:
    """How to write an answer to a GET from ``offset``: ``("ab", total)`` to append a
    range, ``("wb", total)`` to write from the start; raises ``_StartAgain`` for a
    range that is not the one asked for (the caller fetches again from 0), and
    :class:`DownloadError` for any other status. ``total`` is the size announced, if any.
    (Shared by the sync and async forms.)
    """
    total: int | None
    if offset and status == 206:
        match = _CONTENT_RANGE.fullmatch(headers.get("Content-Range", "").strip())
        if match is None or int(match.group(1)) != offset:
            raise _StartAgain
        total = None if match.group(3) == "*" else int(match.group(3))
        return "ab", total
    if status == 200:
        length = headers.get("Content-Length", "")
        total = int(length) if length.isdigit() else None
        return "wb", total
    if offset and status == 416:
        raise _StartAgain
    raise DownloadError(f"cannot fetch {_shown(url)}: HTTP {status}", url=url)


def too_large(url: str, total: int, max_bytes: int) -> DownloadError:
    return DownloadError(
        f"{_shown(url)} is {total} bytes, more than max_bytes={max_bytes}", url=url
    )


def over_cap(url: str, max_bytes: int) -> DownloadError:
    return DownloadError(f"{_shown(url)} is larger than max_bytes={max_bytes}", url=url)


def interrupted(url: str, error: BaseException, size: int) -> DownloadError:
    return DownloadError(
        f"download of {_shown(url)} interrupted ({type(error).__name__}) after "
        f"{size} bytes; the partial file is kept and resumed next time",
        url=url,
    )


def unreachable(url: str, error: BaseException) -> DownloadError:
    return DownloadError(f"cannot fetch {_shown(url)}: {type(error).__name__}", url=url)


def range_refused(url: str) -> DownloadError:
    return DownloadError(f"{_shown(url)}: the server did not honour the range request", url=url)


def check_size(url: str, size: int, total: int | None) -> None:
    if total is not None and size != total:
        raise DownloadError(
            f"{_shown(url)}: got {size} of {total} bytes; the partial file is kept "
            "and resumed next time",
            url=url,
        )


def finish(part: Path, path: Path, url: str, verify_images: bool) -> Path:
    """A complete ``.part`` checked (as an image) and renamed into place, durably."""
    if verify_images:
        _verify_image(part, url)
    os.replace(part, path)
    _fsync_dir(path.parent)
    return path


_PILLOW = importlib.util.find_spec("PIL") is not None


def _verify_image(path: Path, url: str) -> None:
    if not _PILLOW:
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        path.unlink(missing_ok=True)
        raise DownloadError(
            f"{_shown(url)} is not a decodable image ({type(exc).__name__})", url=url
        ) from None


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

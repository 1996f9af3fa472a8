"""The manifest of a batch: reading and checking its rows, one at a time.

A manifest is a CSV file (UTF-8, with a header row) or any iterable of mappings, with
the columns :data:`MANIFEST_COLUMNS`: ``image`` (an http(s) URL, or a local file:
relative paths are read from the CSV's folder, or from the working folder for an
iterable), and the optional ``customer_image_id``, ``product_id``, ``template_id`` and
``callback_url``. Row *n* is the *n*-th data row (blank lines do not count).

:func:`read_manifest` streams: it yields one checked :class:`ManifestRow` per row and
never holds the manifest in memory, so a manifest of any length is read in bounded
memory. A bad row raises :class:`~removethebackground.core.errors.InvalidParameterError`
whose ``parameter`` names the row and the column (``manifest row 3 column template_id``).
"""

from __future__ import annotations

import csv
import dataclasses
import os
from collections.abc import Generator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ...core.errors import InvalidParameterError
from ..upload import is_url

__all__ = ["MANIFEST_COLUMNS", "Manifest", "ManifestRow", "read_manifest"]

MANIFEST_COLUMNS = ("image", "customer_image_id", "product_id", "template_id", "callback_url")

#: What a batch accepts as its manifest: a CSV file's path, or an iterable of mappings.
Manifest = str | os.PathLike[str] | Iterable[Mapping[str, Any]]


@dataclasses.dataclass(frozen=True, slots=True)
class ManifestRow:
    """One checked row of a manifest.

    ``image`` is the cell as written (what the journal compares on a resume);
    ``source`` is what is sent: the URL, or the absolute path of the local file.
    ``given_id`` is the ``customer_image_id`` cell (empty: the journal makes one up).
    """

    row_no: int
    image: str
    source: str
    given_id: str
    product_id: str
    template_id: str
    callback_url: str


def read_manifest(manifest: Manifest, *, can_upload: bool) -> Generator[ManifestRow, None, None]:
    """Every row of ``manifest``, checked, in order (a generator: close it when done early).

    ``can_upload``: whether local files can be sent (the batch has an uploader); if
    not, a row naming a local file is refused with the fix.
    """
    if isinstance(manifest, (str, os.PathLike)):
        path = Path(manifest)
        try:
            handle = open(path, newline="", encoding="utf-8-sig")
        except OSError as exc:
            raise InvalidParameterError("manifest", f"cannot read {path}: {exc.strerror}") from None
        with handle:
            reader = csv.DictReader(handle)
            _check_columns(reader.fieldnames or [])
            base = path.resolve().parent
            for row_no, cells in enumerate(reader, start=1):
                yield check_row(row_no, cells, base, can_upload=can_upload)
        return
    base = Path.cwd()
    for row_no, raw in enumerate(manifest, start=1):
        yield check_row(row_no, raw, base, can_upload=can_upload)


def check_row(row_no: int, raw: Mapping[str, Any], base: Path, *, can_upload: bool) -> ManifestRow:
    """Row ``row_no`` checked: every cell a known column, the image a URL or a file, ..."""
    if not isinstance(raw, Mapping):
        raise InvalidParameterError("manifest", f"row {row_no} is not a mapping of columns")
    values: dict[str, str] = {}
    for key, value in raw.items():
        if key is None:  # csv: more cells than the header has columns
            if any(str(v).strip() for v in (value or [])):
                raise InvalidParameterError(
                    f"manifest row {row_no}", "has more cells than the header has columns"
                )
            continue
        name = str(key).strip().lower()
        if name not in MANIFEST_COLUMNS:
            raise InvalidParameterError(
                f"manifest row {row_no}",
                f"unknown column {key!r}: use {', '.join(MANIFEST_COLUMNS)}",
            )
        values[name] = "" if value is None else str(value).strip()

    def bad(column: str, message: str) -> InvalidParameterError:
        return InvalidParameterError(f"manifest row {row_no} column {column}", message)

    for column, text in values.items():
        if any(ord(c) < 0x20 for c in text):
            raise bad(column, "contains control characters")
    image = values.get("image", "")
    if not image:
        raise bad("image", "is empty: give an http(s) URL or a local file")
    if is_url(image):
        source = image
    elif "://" in image:
        raise bad("image", f"only http:// and https:// URLs can be queued: {image[:80]!r}")
    else:
        path = Path(image)
        path = path if path.is_absolute() else base / path
        if not path.is_file():
            raise bad("image", f"{image!r} is neither an http(s) URL nor an existing file")
        if not can_upload:
            raise bad(
                "image",
                f"{image!r} is a local file: create the Batch with uploader=SandboxUploader"
                "(url), PresignedPutUploader(presign) or any callable (path) -> url",
            )
        source = str(path)
    given = values.get("customer_image_id", "")
    if len(given) > 100:
        raise bad("customer_image_id", "is longer than 100 characters")
    product = values.get("product_id", "")
    if len(product) > 100:
        raise bad("product_id", "is longer than 100 characters")
    template = values.get("template_id", "")
    if template and not template.isdigit():
        raise bad("template_id", f"must be a number, got {template!r}")
    callback = values.get("callback_url", "")
    if callback and not is_url(callback):
        raise bad("callback_url", f"must be an http(s) URL, got {callback[:80]!r}")
    return ManifestRow(row_no, image, source, given, product, template, callback)


def _check_columns(names: Sequence[str]) -> None:
    cleaned = [str(n or "").strip().lower() for n in names]
    if "image" not in cleaned:
        raise InvalidParameterError(
            "manifest", f"the CSV has no 'image' column (columns: {', '.join(MANIFEST_COLUMNS)})"
        )
    unknown = [n for n in cleaned if n not in MANIFEST_COLUMNS]
    if unknown:
        raise InvalidParameterError(
            "manifest", f"unknown column {unknown[0]!r}: use {', '.join(MANIFEST_COLUMNS)}"
        )

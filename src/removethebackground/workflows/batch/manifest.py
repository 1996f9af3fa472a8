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
With more than one problem, the reader goes on to the end of the manifest (yielding no
more rows) and raises one :class:`ManifestError` that lists them all (``errors``), so a
manifest is fixed in one go rather than one error per run.
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

__all__ = [
    "MANIFEST_COLUMNS",
    "MAX_REPORTED",
    "Manifest",
    "ManifestError",
    "ManifestRow",
    "check_row",
    "read_manifest",
]

MANIFEST_COLUMNS = ("image", "customer_image_id", "product_id", "template_id", "callback_url")

#: What a batch accepts as its manifest: a CSV file's path, or an iterable of mappings.
Manifest = str | os.PathLike[str] | Iterable[Mapping[str, Any]]

#: Problems a :class:`ManifestError` keeps (the rest are counted): bounded memory still.
MAX_REPORTED = 100


class ManifestError(InvalidParameterError):
    """A manifest with more than one problem: ``errors`` holds each (an
    :class:`InvalidParameterError` naming row and column), up to :data:`MAX_REPORTED`;
    ``count`` is how many there were in all."""

    def __init__(self, errors: Sequence[InvalidParameterError], count: int) -> None:
        shown = "; ".join(str(e) for e in errors)
        more = f"; and {count - len(errors)} more" if count > len(errors) else ""
        super().__init__("manifest", f"{count} problems: {shown}{more}")
        self.errors = tuple(errors)
        self.count = count


class _Problems:
    """The problems found so far: the first :data:`MAX_REPORTED` and their count."""

    def __init__(self) -> None:
        self.kept: list[InvalidParameterError] = []
        self.count = 0

    def add(self, found: Sequence[InvalidParameterError]) -> None:
        self.count += len(found)
        self.kept.extend(found[: max(0, MAX_REPORTED - len(self.kept))])

    def raise_any(self) -> None:
        if self.count == 1:
            raise self.kept[0]
        if self.count:
            raise ManifestError(self.kept, self.count)


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
    problems = _Problems()
    if isinstance(manifest, (str, os.PathLike)):
        path = Path(manifest)
        try:
            handle = open(path, newline="", encoding="utf-8-sig")
        except OSError as exc:
            raise InvalidParameterError("manifest", f"cannot read {path}: {exc.strerror}") from None
        with handle:
            reader = csv.DictReader(handle)
            problems.add(_column_problems(reader.fieldnames or []))
            problems.raise_any()  # with the wrong columns, every row would say so again
            base = path.resolve().parent
            yield from _checked(enumerate(reader, start=1), base, can_upload, problems)
        return
    yield from _checked(enumerate(manifest, start=1), Path.cwd(), can_upload, problems)


def _checked(
    rows: Iterable[tuple[int, Any]], base: Path, can_upload: bool, problems: _Problems
) -> Generator[ManifestRow, None, None]:
    """The rows checked; after the first bad one, only the problems of the rest (no rows),
    all raised at the end."""
    for row_no, raw in rows:
        found = row_problems(row_no, raw, base, can_upload=can_upload)
        if isinstance(found, ManifestRow):
            if not problems.count:
                yield found
        else:
            problems.add(found)
    problems.raise_any()


def check_row(row_no: int, raw: Mapping[str, Any], base: Path, *, can_upload: bool) -> ManifestRow:
    """Row ``row_no`` checked: every cell a known column, the image a URL or a file, ...

    Raises the row's problem (an :class:`InvalidParameterError` naming row and column),
    or a :class:`ManifestError` with each of them when it has several.
    """
    found = row_problems(row_no, raw, base, can_upload=can_upload)
    if isinstance(found, ManifestRow):
        return found
    problems = _Problems()
    problems.add(found)
    problems.raise_any()
    raise AssertionError("unreachable: a row without a result has problems")  # pragma: no cover


def row_problems(
    row_no: int, raw: Mapping[str, Any], base: Path, *, can_upload: bool
) -> ManifestRow | list[InvalidParameterError]:
    """Row ``row_no`` checked: the row, or every problem it has (one per column at most)."""
    if not isinstance(raw, Mapping):
        return [InvalidParameterError("manifest", f"row {row_no} is not a mapping of columns")]
    found: list[InvalidParameterError] = []
    values: dict[str, str] = {}
    for key, value in raw.items():
        if key is None:  # csv: more cells than the header has columns
            if any(str(v).strip() for v in (value or [])):
                found.append(
                    InvalidParameterError(
                        f"manifest row {row_no}", "has more cells than the header has columns"
                    )
                )
            continue
        name = str(key).strip().lower()
        if name not in MANIFEST_COLUMNS:
            found.append(
                InvalidParameterError(
                    f"manifest row {row_no}",
                    f"unknown column {key!r}: use {', '.join(MANIFEST_COLUMNS)}",
                )
            )
            continue
        values[name] = "" if value is None else str(value).strip()

    def bad(column: str, message: str) -> None:
        found.append(InvalidParameterError(f"manifest row {row_no} column {column}", message))

    for column, text in list(values.items()):
        if any(ord(c) < 0x20 for c in text):
            bad(column, "contains control characters")
            values[column] = ""  # reported once: not checked again below
    image = values.get("image", "")
    source = image
    if not image:
        if not any(e.parameter.endswith(" column image") for e in found):
            bad("image", "is empty: give an http(s) URL or a local file")
    elif is_url(image):
        source = image
    elif "://" in image:
        bad("image", f"only http:// and https:// URLs can be queued: {image[:80]!r}")
    else:
        path = Path(image)
        path = path if path.is_absolute() else base / path
        if not path.is_file():
            bad("image", f"{image!r} is neither an http(s) URL nor an existing file")
        elif not can_upload:
            bad(
                "image",
                f"{image!r} is a local file: create the Batch with uploader=SandboxUploader"
                "(url), PresignedPutUploader(presign) or any callable (path) -> url",
            )
        source = str(path)
    given = values.get("customer_image_id", "")
    if len(given) > 100:
        bad("customer_image_id", "is longer than 100 characters")
    product = values.get("product_id", "")
    if len(product) > 100:
        bad("product_id", "is longer than 100 characters")
    template = values.get("template_id", "")
    if template and not template.isdigit():
        bad("template_id", f"must be a number, got {template!r}")
    callback = values.get("callback_url", "")
    if callback and not is_url(callback):
        bad("callback_url", f"must be an http(s) URL, got {callback[:80]!r}")
    if found:
        return found
    return ManifestRow(row_no, image, source, given, product, template, callback)


def _column_problems(names: Sequence[str]) -> list[InvalidParameterError]:
    cleaned = [str(n or "").strip().lower() for n in names]
    found = []
    if "image" not in cleaned:
        found.append(
            InvalidParameterError(
                "manifest",
                f"the CSV has no 'image' column (columns: {', '.join(MANIFEST_COLUMNS)})",
            )
        )
    unknown = [n for n in cleaned if n not in MANIFEST_COLUMNS]
    if unknown:
        found.append(
            InvalidParameterError(
                "manifest",
                f"unknown column{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(n) for n in unknown)}: use {', '.join(MANIFEST_COLUMNS)}",
            )
        )
    return found

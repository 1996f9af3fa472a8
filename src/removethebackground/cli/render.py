"""Output of ``rtb``: rich tables for people, JSON for scripts, progress bars on a terminal.

Tables and JSON go to stdout; progress bars, notes and errors to stderr. Progress bars
are drawn only when stderr is a terminal, so pipes and CI logs stay clean. Every cell
is plain text (rich markup in the data is never interpreted).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import os
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ..core.wire import UnsetType, WireModel

__all__ = ["STATUS_COLUMNS", "Output", "plain", "print_statuses", "status_row"]


def plain(value: Any) -> Any:
    """A result dataclass (or anything under it) as JSON-ready data, keyed by attribute."""
    if isinstance(value, UnsetType):
        return None
    if isinstance(value, WireModel):  # a generated result: the workflows' own conversion
        from ..workflows import to_dict

        return to_dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if isinstance(item, UnsetType):
                continue
            out[f.name] = plain(item)
        return out
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value if isinstance(value.value, (int, str)) else str(value)
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


STATUS_COLUMNS = ("ticket", "status_id", "status", "product_id", "customer_image_id")


def status_row(status: Any) -> dict[str, Any]:
    """One image status of either generation as a flat row."""
    data = plain(status)
    urls = data.get("final_images_url")
    if urls is None and data.get("final_image_url"):
        urls = [data["final_image_url"]]
    return {
        "ticket": data.get("image_ticket"),
        "status_id": data.get("status_id"),
        "status": data.get("status_name"),
        "product_id": data.get("product_id"),
        "customer_image_id": data.get("customer_image_id"),
        "final_images_url": [u for u in urls or [] if u],
    }


def print_statuses(out: Output, rows: Sequence[dict[str, Any]], extra: Sequence[str] = ()) -> None:
    """Status rows as JSON, or as a table of the columns that hold something."""
    if out.json:
        out.emit_json(list(rows))
        return
    columns = [*STATUS_COLUMNS, *extra]
    used = [c for c in columns if any(r.get(c) not in (None, "", []) for r in rows)] or columns
    out.table(used, ([r.get(c) for c in used] for r in rows))


def _cell(value: Any) -> Text:
    if value is None:
        return Text("")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, (list, tuple)):
        return Text(", ".join(_item_text(v) for v in value))
    if isinstance(value, dict):
        return Text(json.dumps(value, ensure_ascii=False))
    return Text(str(value))


def _item_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


class Output:
    """Where and how one ``rtb`` run writes."""

    def __init__(self, *, json_output: bool) -> None:
        self.json = json_output
        self.out = Console(file=sys.stdout, markup=False, highlight=False)
        self.err = Console(file=sys.stderr, markup=False, highlight=False, stderr=True)

    # --- JSON ---------------------------------------------------------------------------

    def emit_json(self, data: Any) -> None:
        sys.stdout.write(json.dumps(plain(data), indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    # --- tables -------------------------------------------------------------------------

    def table(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        title: str | None = None,
    ) -> None:
        rows = list(rows)
        if not rows:
            self.note("nothing found" if title is None else f"{title}: nothing found")
            return
        table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", show_edge=False)
        for name in columns:
            table.add_column(name, overflow="fold")
        for row in rows:
            table.add_row(*(_cell(v) for v in row))
        if self.out.is_terminal:
            self.out.print(table)
            return
        # Into a pipe or a file: as wide as the table needs, so nothing is cut or folded.
        natural = self.out.measure(table, options=self.out.options.update_width(10_000))
        wide = Console(
            file=sys.stdout, markup=False, highlight=False, width=max(natural.maximum, 20)
        )
        with wide.capture() as captured:
            wide.print(table)
        text = "\n".join(line.rstrip() for line in captured.get().splitlines())
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def pairs(self, data: Mapping[str, Any], *, title: str | None = None) -> None:
        flat = _flatten(data)
        self.table(("field", "value"), flat.items(), title=title)

    def records(self, items: Sequence[Any], *, title: str | None = None) -> None:
        """A list of dicts as one table; columns that are empty everywhere are left out."""
        if not items:
            self.note("nothing found")
            return
        flat = [_flatten(item) if isinstance(item, Mapping) else {"value": item} for item in items]
        columns: list[str] = []
        for item in flat:
            for key, value in item.items():
                if key not in columns and value not in (None, "", []):
                    columns.append(key)
        self.table(
            columns or ["value"], [[item.get(c) for c in columns] for item in flat], title=title
        )

    def result(self, value: Any) -> None:
        """Any result dataclass: its scalar fields as pairs, each list as a table."""
        data = plain(value)
        if not isinstance(data, Mapping):
            self.out.print(Text(str(data)))
            return
        scalars = {k: v for k, v in data.items() if not isinstance(v, list)}
        lists = {k: v for k, v in data.items() if isinstance(v, list)}
        if not data:
            self.note("done (the operation returns no data)")
            return
        if scalars:
            self.pairs(scalars)
        for key, items in lists.items():
            if items and all(isinstance(i, Mapping) or i is None for i in items):
                flat = [_flatten(i or {}) for i in items]
                if max(len(f) for f in flat) > 7:  # too wide for one table: one per item
                    for n, item in enumerate(flat):
                        self.pairs(item, title=f"{key}[{n}]")
                else:
                    self.records(flat, title=f"{key} ({len(items)})")
            else:
                self.pairs({key: items})

    def note(self, text: str) -> None:
        """A line for people on stderr (never part of the data on stdout)."""
        self.err.print(Text(text), soft_wrap=True)

    # --- progress -----------------------------------------------------------------------

    @property
    def interactive(self) -> bool:
        return self.err.is_terminal

    @contextmanager
    def progress(self, description: str, total: int | None) -> Iterator[Progress]:
        """A progress bar on stderr; drawn only when stderr is a terminal."""
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=self.err,
            disable=not self.interactive,
            transient=False,
        )
        with progress:
            progress.add_task(description, total=total, detail="")
            yield progress

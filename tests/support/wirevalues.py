"""An lxml reader of recorded XML into the generated dataclasses that does not use
``removethebackground.core.codec``, and the fields reachable from an operation."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from lxml import etree

from removethebackground.core.wire import Field
from support.envelopes import XSI_NIL


def _scalar(xsd: str | None, text: str) -> Any:
    if xsd in ("string", None):
        return text
    if xsd == "int":
        return int(text)
    if xsd == "boolean":
        return {"true": True, "false": False, "1": True, "0": False}[text.strip()]
    if xsd == "guid":
        return uuid.UUID(text.strip())
    raise AssertionError(f"the test reader does not know xsd:{xsd}")


def read_wire_value(f: Field, el: etree._Element) -> Any:
    """``el`` as the Python value the generated dataclasses hold for field ``f``."""
    if el.get(XSI_NIL) == "true":
        return None
    if f.item is not None:
        return [read_wire_value(f.item, c) for c in el if c.tag == f.item.tag]
    if f.model is not None:
        spec = f.model.__wire__
        values: dict[str, Any] = {}
        for g in spec.fields:
            if g.attribute:
                values[g.attr] = el.get(g.tag)
                continue
            found = [c for c in el if c.tag == g.tag]
            values[g.attr] = read_wire_value(g, found[0]) if found else None
        return f.model(**values)
    return _scalar(f.xsd, el.text or "")


def form_values(
    pairs: Iterable[tuple[str, str]], params: Iterable[Any], fields: Mapping[str, Field]
) -> dict[str, Any]:
    """HTTP GET/POST pairs as keyword values of the typed method (attribute names)."""
    pairs = list(pairs)
    out: dict[str, Any] = {}
    for param in params:
        values = [v for k, v in pairs if k == param.name]
        f = fields[param.attr]
        if param.array:
            xsd = f.item.xsd if f.item is not None else "string"
            out[param.attr] = [_scalar(xsd, v) for v in values]
        elif values:
            out[param.attr] = values[0]
    return out


def iter_fields(fields: Iterable[Field]) -> Iterator[Field]:
    """Every field reachable from ``fields`` (items and the fields of models), once."""
    seen: set[int] = set()
    stack = list(fields)
    while stack:
        f = stack.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        yield f
        if f.item is not None:
            stack.append(f.item)
        if f.model is not None:
            stack.extend(f.model.__wire__.fields)

"""Hypothesis strategies drawn from the generated wire facts: values any field may hold."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from removethebackground.wire import UNSET, Field, Operation, WireModel

__all__ = ["TEXT", "instance_of", "params_of", "slot_of", "value_of"]


def is_xml_char(c: str) -> bool:
    o = ord(c)
    return o in (0x9, 0xA, 0xD) or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000


XML_CHAR = st.characters(codec="utf-8").filter(is_xml_char)
SPECIAL = st.sampled_from([*"&<>\"']\r\n\t =;%+/?#", "]]>", "&amp;", "<![CDATA[", "é", "😀"])
TEXT = st.lists(st.one_of(SPECIAL, XML_CHAR), max_size=8).map("".join)
SCALARS = {
    "string": TEXT,
    "int": st.integers(-(2**31), 2**31 - 1),
    "boolean": st.booleans(),
    "guid": st.uuids(),
}


def value_of(f: Field) -> st.SearchStrategy[Any]:
    """A present value of field ``f``."""
    if f.item is not None:
        item = value_of(f.item)
        if f.item.nillable:
            item = st.none() | item
        return st.lists(item, max_size=3)
    if f.model is not None:
        return instance_of(f.model)
    assert f.xsd in SCALARS, f"no strategy for xsd:{f.xsd}: extend SCALARS"
    return SCALARS[f.xsd]


def slot_of(f: Field) -> st.SearchStrategy[Any]:
    """Anything field ``f`` may hold: absent or nil where the schema allows it."""
    value = value_of(f)
    if f.min_occurs == 0 and f.nillable:
        return st.just(UNSET) | st.none() | value
    if f.min_occurs == 0 or f.nillable:
        return st.none() | value
    return value


def instance_of(model: type[WireModel]) -> st.SearchStrategy[Any]:
    fields = {f.attr: st.deferred(lambda f=f: slot_of(f)) for f in model.__wire__.fields}
    return st.fixed_dictionaries(fields).map(lambda values: model(**values))


def params_of(op: Operation[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({f.attr: slot_of(f) for f in op.params})

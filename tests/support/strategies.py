"""Hypothesis strategies drawn from the generated wire facts: values any field may hold."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from hypothesis import strategies as st

from removethebackground.core.constraints import DATETIME_FORMAT
from removethebackground.core.wire import UNSET, Constraint, Field, Operation, WireModel

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
    # further XSD types, for the WSDL corpus (tests/wsdl-corpus)
    "long": st.integers(-(2**63), 2**63 - 1),
    "short": st.integers(-(2**15), 2**15 - 1),
    "decimal": st.decimals(
        allow_nan=False, allow_infinity=False, places=4, max_value=10**12, min_value=-(10**12)
    ),
    "float": st.floats(allow_nan=False, allow_infinity=False, width=32),
    "double": st.floats(allow_nan=False, allow_infinity=False),
    "anyURI": TEXT,
    "date": st.dates(),
    "token": st.from_regex(r"[A-Za-z0-9_.-]{0,8}", fullmatch=True),
    "normalizedString": st.from_regex(r"[A-Za-z0-9_.-]{0,8}", fullmatch=True),
    # an untyped element (.NET object): written with the xsi:type of its Python value
    "anyType": st.one_of(st.integers(-(2**31), 2**31 - 1), st.booleans(), TEXT),
    "byte": st.integers(-(2**7), 2**7 - 1),
    "unsignedByte": st.integers(0, 2**8 - 1),
    "unsignedShort": st.integers(0, 2**16 - 1),
    "unsignedInt": st.integers(0, 2**32 - 1),
    "unsignedLong": st.integers(0, 2**64 - 1),
    "integer": st.integers(-(2**70), 2**70),
    "char": st.integers(0, 0xFFFF),  # .NET char: its UTF-16 code unit as xs:int
    # naive, or at an offset other than UTC: zeep writes UTC as "Z", the runtime "+00:00"
    # (both valid xs:dateTime; .NET reads either)
    "dateTime": st.datetimes(
        datetime.datetime(1, 1, 2),
        datetime.datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [
                None,
                datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
                datetime.timezone(datetime.timedelta(hours=-8)),
            ]
        ),
    ),
    "base64Binary": st.binary(max_size=24),
}


def _xml_value(text: str) -> Any:
    """An element whose content (one namespaced child with a text) an ``xs:any`` field
    (.NET XmlNode, a DataSet's rows) carries."""
    from lxml import etree

    holder = etree.Element("content")
    etree.SubElement(holder, "{urn:corpus}note").text = text
    return holder


SCALARS["xml"] = st.from_regex(r"[A-Za-z0-9 ]{0,8}", fullmatch=True).map(_xml_value)
# One item of an xs:list (a .NET [Flags] enum): a non-empty word.
LIST_ITEM = st.from_regex(r"[A-Za-z0-9_]{1,8}", fullmatch=True)


def allowed_text(c: Constraint) -> st.SearchStrategy[str]:
    """A wire text that the overlay rule ``c`` allows (the empty text included)."""
    if c.kind == "integer":
        low = -(10**9) if c.minimum is None else c.minimum
        high = 10**9 if c.maximum is None else c.maximum
        texts = st.integers(low, high).map(str)
    elif c.kind == "boolean":
        texts = st.sampled_from(["true", "false"])
    elif c.kind == "choice":
        texts = st.sampled_from(c.choices)
    elif c.kind == "date":
        texts = st.dates(datetime.date(1900, 1, 1)).map(datetime.date.isoformat)
    elif c.kind == "datetime":
        # far enough ahead for any "at least N hours ahead" rule
        texts = st.datetimes(datetime.datetime(2200, 1, 1), datetime.datetime(9000, 1, 1)).map(
            lambda d: d.strftime(DATETIME_FORMAT)
        )
    elif c.kind == "guid":
        texts = st.uuids().map(str)
    else:
        assert c.pattern is not None
        texts = st.from_regex(c.pattern, fullmatch=True).filter(
            lambda t: (
                all(is_xml_char(ch) for ch in t)
                and (c.max_length is None or len(t) <= c.max_length)
                and t == t.strip()
            )
        )
    return st.just("") | texts | st.sampled_from(c.also or ("",))


def natural_value(c: Constraint) -> st.SearchStrategy[Any]:
    """An allowed value of an overlay rule as its natural Python type, or as its text."""
    texts = allowed_text(c)
    if c.kind == "integer":
        low = -(10**9) if c.minimum is None else c.minimum
        high = 10**9 if c.maximum is None else c.maximum
        return texts | st.integers(low, high)
    if c.kind == "boolean":
        return texts | st.booleans()
    if c.kind == "choice" and c.numeric:
        return texts | st.sampled_from([int(choice) for choice in c.choices])
    if c.kind == "date":
        return texts | st.dates(datetime.date(1900, 1, 1))
    if c.kind == "datetime":
        zones = st.sampled_from([datetime.UTC, datetime.timezone(datetime.timedelta(hours=-5))])
        return texts | st.datetimes(
            datetime.datetime(2200, 1, 1), datetime.datetime(9000, 1, 1), timezones=zones
        )
    if c.kind == "guid":
        return texts | st.uuids()
    return texts


def value_of(f: Field, natural: bool = False) -> st.SearchStrategy[Any]:
    """A present value of field ``f``; for a field with an overlay rule, a text it allows
    (``natural``: or its natural Python value)."""
    if f.constraint is not None:
        return natural_value(f.constraint) if natural else allowed_text(f.constraint)
    if f.item is not None:
        item = value_of(dataclasses.replace(f.item, max_occurs=1))  # one item
        if f.item.nillable:
            item = st.none() | item
        # an array type whose item is required (minOccurs="1") has at least one
        return st.lists(item, min_size=f.item.min_occurs, max_size=max(3, f.item.min_occurs))
    if f.repeated and f.item is None:
        # a repeated element (maxOccurs > 1) of a complex type: its values as a list
        one = value_of(dataclasses.replace(f, max_occurs=1), natural)
        return st.lists(one, min_size=f.min_occurs, max_size=max(3, f.min_occurs))
    if f.model is not None:
        return instance_of(f.model)
    if f.xsd_list:
        items = LIST_ITEM if f.xsd in ("string", "token", "normalizedString") else SCALARS[f.xsd]
        return st.lists(items, max_size=3)
    assert f.xsd in SCALARS, f"no strategy for xsd:{f.xsd}: extend SCALARS"
    return SCALARS[f.xsd]


def slot_of(f: Field, natural: bool = False) -> st.SearchStrategy[Any]:
    """Anything field ``f`` may hold: absent or nil where the schema allows it."""
    value = value_of(f, natural)
    if f.min_occurs == 0 and f.nillable:
        return st.just(UNSET) | st.none() | value
    if f.min_occurs == 0 or f.nillable:
        return st.none() | value
    return value


def instance_of(model: type[WireModel]) -> st.SearchStrategy[Any]:
    fields = {f.attr: st.deferred(lambda f=f: slot_of(f)) for f in model.__wire__.fields}
    return st.fixed_dictionaries(fields).map(lambda values: model(**values))


def params_of(op: Operation[Any], natural: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({f.attr: slot_of(f, natural) for f in op.params})

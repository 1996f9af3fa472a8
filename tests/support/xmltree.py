"""A prefix- and indentation-blind comparison of XML trees."""

from __future__ import annotations

from typing import Any

from lxml import etree

_PLAIN = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, _PLAIN)


def canonical(el: etree._Element) -> tuple[Any, ...]:
    """An element as (tag, text, attributes, children), blind to prefixes and indentation.

    Tags and attribute names are compared in Clark notation, so prefixes and where the
    namespaces are declared do not matter. Whitespace-only text of an element that has
    child elements (indentation) and whitespace-only tails are dropped; the text of a leaf
    is kept exactly, with ``<a/>`` and ``<a></a>`` both "".
    """
    children = [c for c in el if isinstance(c.tag, str)]
    text = el.text or ""
    if children and not text.strip():
        text = ""
    tails = tuple((c.tail or "") for c in children if (c.tail or "").strip())
    attributes = tuple(sorted(el.attrib.items()))
    return (el.tag, text, attributes, tails, tuple(canonical(c) for c in children))


def assert_xml_equivalent(ours: bytes | etree._Element, theirs: bytes | etree._Element) -> None:
    a = parse_xml(ours) if isinstance(ours, bytes) else ours
    b = parse_xml(theirs) if isinstance(theirs, bytes) else theirs
    ca, cb = canonical(a), canonical(b)
    if ca != cb:
        raise AssertionError(
            "XML differs:\n ours:   "
            + etree.tostring(a, encoding="unicode")[:3000]
            + "\n theirs: "
            + etree.tostring(b, encoding="unicode")[:3000]
        )

"""Read and write XML from the generated wire facts, with lxml.

The same functions serve the client (requests out, results in) and the sandbox
(requests in, results out). Values are checked against the schema's types on
the way out; on the way in, unknown elements are ignored (as .NET's
XmlSerializer does), so a service that adds elements does not break clients.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from lxml import etree

from .constraints import to_wire
from .errors import InvalidParameterError, MalformedResponseError
from .secret import Secret
from .wire import UNSET, Field, TypeSpec, WireModel

MS_TYPES_NS = "http://microsoft.com/wsdl/types/"
#: The ``xsd`` values of fields that are not XSD simple types (see :class:`Field`).
UNTYPED, ANY_XML = "anyType", "xml"

__all__ = [
    "XSI_NIL",
    "XSI_NS",
    "XSD_NS",
    "SOAP11_ENV",
    "SOAP12_ENV",
    "build_children",
    "compile_writer",
    "dataset_rows",
    "dataset_tables",
    "format_field",
    "format_scalar",
    "parse_children",
    "parse_model",
    "parse_scalar",
    "read_field",
    "read_model",
    "safe_fromstring",
    "to_element",
    "xml_char",
]

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
XSI_NIL = f"{{{XSI_NS}}}nil"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"

M = TypeVar("M", bound=WireModel)

_INT_RANGES = {
    "int": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
    "char": (0, 2**16 - 1),
    "integer": (None, None),
}
_STRINGS = {"string", "anyURI", "normalizedString", "token"}


# --- scalars ---------------------------------------------------------------


def format_scalar(xsd: str, value: object, where: str) -> str:
    """A Python value as the text of an element of XSD type ``xsd``.

    Raises :class:`InvalidParameterError` naming ``where`` when the value does not
    fit the type.
    """
    if xsd in _STRINGS:
        if isinstance(value, Secret):
            # The credential travels as a Secret up to here, where it is written.
            return value.reveal()
        if isinstance(value, uuid.UUID):
            # Tickets come back typed guid but several operations take them as xsd:string
            # (imageTicket of GetImageStatus, ...): accept the UUID and send its text.
            return str(value)
        if not isinstance(value, str):
            raise InvalidParameterError(where, _not_a_str(value))
        return value
    if xsd in _INT_RANGES:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidParameterError(where, f"expected int, got {type(value).__name__}")
        low, high = _INT_RANGES[xsd]
        if (low is not None and value < low) or (high is not None and value > high):
            raise InvalidParameterError(where, f"{value} is outside the range of xsd:{xsd}")
        return str(value)
    if xsd == "boolean":
        if not isinstance(value, bool):
            raise InvalidParameterError(where, f"expected bool, got {type(value).__name__}")
        return "true" if value else "false"
    if xsd == "guid":
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, str):
            try:
                return str(uuid.UUID(value))
            except ValueError:
                pass
        raise InvalidParameterError(where, f"expected a GUID (uuid.UUID), got {value!r}")
    if xsd == "decimal":
        if isinstance(value, bool) or not isinstance(value, (decimal.Decimal, int)):
            raise InvalidParameterError(where, "expected decimal.Decimal or int")
        if isinstance(value, decimal.Decimal) and not value.is_finite():
            raise InvalidParameterError(where, "xsd:decimal cannot carry NaN or infinity")
        return format(value, "f") if isinstance(value, decimal.Decimal) else str(value)
    if xsd in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (float, int)):
            raise InvalidParameterError(where, "expected float")
        f = float(value)
        if f != f:
            return "NaN"
        if f in (float("inf"), float("-inf")):
            return "INF" if f > 0 else "-INF"
        return repr(f)
    if xsd == "dateTime":
        if not isinstance(value, datetime.datetime):
            raise InvalidParameterError(where, "expected datetime.datetime")
        return value.isoformat()
    if xsd == "date":
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            raise InvalidParameterError(where, "expected datetime.date")
        return value.isoformat()
    if xsd == "base64Binary":
        if not isinstance(value, (bytes, bytearray)):
            raise InvalidParameterError(where, "expected bytes")
        return base64.b64encode(bytes(value)).decode("ascii")
    raise InvalidParameterError(where, f"unsupported XSD type {xsd}")


def _not_a_str(value: object) -> str:
    """Why ``value`` cannot go where the schema wants one string, and what to pass."""
    kind = type(value).__name__
    if isinstance(value, (bytes, bytearray)):
        return f"expected str, got {kind}: decode it first (value.decode())"
    if isinstance(value, (int, float, decimal.Decimal)):
        return f"expected str, got {kind}: pass str({value!r})"
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return f"expected one str, got a {kind}: this parameter is a single value"
    return f"expected str, got {kind}"


def format_field(f: Field, value: object, where: str) -> str:
    """:func:`format_scalar` for a field, after its overlay rule (``Field.constraint``).

    With a constraint the value may also be the natural Python type (``int``,
    ``bool``, ``datetime.date``, ...): :func:`removethebackground.core.constraints.to_wire`
    formats and checks it; the text then goes through :func:`format_scalar` for the
    field's XSD type, as any other value.
    """
    assert f.xsd is not None
    if f.constraint is not None:
        value = to_wire(f.constraint, value, where)
    return format_scalar(f.xsd, value, where)


def parse_scalar(xsd: str, text: str | None, where: str) -> Any:
    """The text of an element as a Python value; :class:`MalformedResponseError` if it is not."""
    raw = text or ""
    if xsd in _STRINGS:
        return raw
    value = raw.strip()
    try:
        if xsd in _INT_RANGES:
            number = int(value)
            low, high = _INT_RANGES[xsd]
            if (low is not None and number < low) or (high is not None and number > high):
                raise ValueError("out of range")
            return number
        if xsd == "boolean":
            if value in ("true", "1"):
                return True
            if value in ("false", "0"):
                return False
            raise ValueError("not a boolean")
        if xsd == "guid":
            return uuid.UUID(value)
        if xsd == "decimal":
            return decimal.Decimal(value)
        if xsd in ("double", "float"):
            return float({"INF": "inf", "-INF": "-inf"}.get(value, value))
        if xsd == "dateTime":
            return datetime.datetime.fromisoformat(value)
        if xsd == "date":
            return datetime.date.fromisoformat(value[:10])
        if xsd == "base64Binary":
            return base64.b64decode("".join(value.split()), validate=True)
    except (ValueError, ArithmeticError, TypeError) as exc:
        raise MalformedResponseError(f"{where}: {raw[:60]!r} is not a valid xsd:{xsd}") from exc
    raise MalformedResponseError(f"{where}: unsupported XSD type {xsd}")


# --- writing ---------------------------------------------------------------


def _set_text(el: etree._Element, text: str, where: str) -> None:
    try:
        el.text = text
    except ValueError:
        bad = next((c for c in text if not xml_char(c)), "?")
        raise InvalidParameterError(
            where,
            f"contains U+{ord(bad):04X}, which XML 1.0 cannot carry: remove control characters",
        ) from None


def xml_char(c: str) -> bool:
    """Whether XML 1.0 can carry the character ``c``."""
    o = ord(c)
    return o in (0x9, 0xA, 0xD) or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000


def _append_value(parent: etree._Element, f: Field, value: object, where: str) -> None:
    if f.attribute:
        if value is None:
            return
        assert f.xsd is not None
        text = format_field(f, value, where)
        try:
            parent.set(f.tag, text)
        except ValueError:
            _set_text(etree.Element("x"), text, where)
        return
    if value is None:
        if f.nillable:
            el = etree.SubElement(parent, f.tag)
            el.set(XSI_NIL, "true")
            return
        if f.min_occurs > 0:
            raise InvalidParameterError(where, "is required (minOccurs=1) and cannot be None")
        return
    if f.xsd == UNTYPED:
        _write_untyped(parent, f, value, where)
        return
    el = etree.SubElement(parent, f.tag)
    if f.xsd == ANY_XML:
        if not isinstance(value, etree._Element):
            raise InvalidParameterError(
                where, f"expected an lxml element (its content is sent), got {type(value).__name__}"
            )
        _copy_content(value, el)
        return
    if f.xsd_list:
        _set_text(el, _list_text(f, value, where), where)
        return
    if f.item is not None:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise InvalidParameterError(
                where, f"expected a list, got {type(value).__name__}: wrap it in [...]"
            )
        items = list(value)
        _check_item_count(f.item, len(items), where)
        for index, item in enumerate(items):
            _append_value(el, f.item, item, f"{where}[{index}]")
        return
    if f.model is not None:
        if not isinstance(value, f.model):
            raise InvalidParameterError(
                where, f"expected {f.model.__name__}, got {type(value).__name__}"
            )
        _fill(el, value.__wire__, value, where)
        return
    assert f.xsd is not None
    _set_text(el, format_field(f, value, where), where)


def _check_item_count(item: Field, count: int, where: str) -> None:
    """An array whose items the schema requires (``minOccurs`` >= 1 on the item) needs them."""
    if count < item.min_occurs:
        raise InvalidParameterError(
            where,
            f"has {count} items; the schema requires at least {item.min_occurs} "
            f"{item.name} (minOccurs={item.min_occurs}): pass a longer list",
        )


def _fill(el: etree._Element, spec: TypeSpec, obj: WireModel, where: str) -> None:
    for f in spec.fields:
        if f.text:
            value = getattr(obj, f.attr)
            if value is not None:
                _set_text(el, format_field(f, value, f"{where}.{f.attr}"), f"{where}.{f.attr}")
            continue
        _append_field(el, f, getattr(obj, f.attr), f"{where}.{f.attr}")


def _list_text(f: Field, value: object, where: str) -> str:
    """An ``xs:list`` value (a .NET ``[Flags]`` enum): its items' texts, space-separated."""
    assert f.xsd is not None
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise InvalidParameterError(
            where, f"expected a list of values, got {type(value).__name__}: wrap it in [...]"
        )
    texts = [format_field(f, item, f"{where}[{i}]") for i, item in enumerate(value)]
    for i, text in enumerate(texts):
        if not text or any(c.isspace() for c in text):
            raise InvalidParameterError(
                f"{where}[{i}]", f"{text!r}: an xs:list item cannot be empty or contain spaces"
            )
    return " ".join(texts)


# The xsi:type .NET's XmlSerializer writes for a value of an ``object`` member
# (System.Xml.Serialization.XmlSerializationWriter.WriteTypedPrimitive in the .NET
# reference source, mono's mcs/class/System.XML/System.Xml.Serialization/
# XmlSerializationWriter.cs), by Python type; bool before int (a bool is an int).
_UNTYPED_WRITES: tuple[tuple[type, str, str], ...] = (
    (bool, XSD_NS, "boolean"),
    (str, XSD_NS, "string"),
    (decimal.Decimal, XSD_NS, "decimal"),
    (float, XSD_NS, "double"),
    (datetime.datetime, XSD_NS, "dateTime"),
    (datetime.date, XSD_NS, "date"),
    (bytes, XSD_NS, "base64Binary"),
    (uuid.UUID, MS_TYPES_NS, "guid"),
)


def _write_untyped(parent: etree._Element, f: Field, value: object, where: str) -> None:
    """An untyped element (.NET ``object``): a typed simple value, or an element's content."""
    if isinstance(value, etree._Element):
        _copy_content(value, etree.SubElement(parent, f.tag))
        return
    if isinstance(value, int) and not isinstance(value, bool):
        xsd = "int" if -(2**31) <= value < 2**31 else "long"
        found: tuple[str, str] | None = (XSD_NS, xsd)
    else:
        found = next(((ns, x) for t, ns, x in _UNTYPED_WRITES if isinstance(value, t)), None)
    if found is None:
        raise InvalidParameterError(
            where,
            f"an untyped element takes str, int, float, bool, decimal.Decimal, datetime, "
            f"date, bytes, uuid.UUID or an lxml element, not {type(value).__name__}",
        )
    ns, xsd = found
    prefix = next((p for p, uri in parent.nsmap.items() if uri == ns and p), None)
    nsmap = None if prefix else {"xsd" if ns == XSD_NS else "ms": ns}
    el = etree.SubElement(parent, f.tag, nsmap=nsmap)
    prefix = prefix or ("xsd" if ns == XSD_NS else "ms")
    el.set(f"{{{XSI_NS}}}type", f"{prefix}:{xsd}")
    _set_text(el, format_scalar(xsd, value, where), where)


def _copy_content(source: etree._Element, target: etree._Element) -> None:
    """``source``'s attributes, text and children (copies) into ``target``."""
    for key, val in source.attrib.items():
        target.set(key, val)
    target.text = source.text
    for child in source:
        target.append(_detached(child))


def _append_field(parent: etree._Element, f: Field, value: object, where: str) -> None:
    if value is UNSET:
        if f.min_occurs > 0 and not f.repeated:
            raise InvalidParameterError(where, "is required (minOccurs=1) and cannot be UNSET")
        return
    if f.repeated and f.item is None:
        if value is None:
            return
        if not isinstance(value, (list, tuple)):
            raise InvalidParameterError(where, "expected a list")
        for index, item in enumerate(value):
            _append_value(parent, f, item, f"{where}[{index}]")
        return
    _append_value(parent, f, value, where)


def build_children(
    parent: etree._Element,
    fields: Iterable[Field],
    values: Mapping[str, object],
    names: Mapping[str, str] | None = None,
) -> None:
    """Append one child per field to ``parent``, in schema order.

    ``values`` is keyed by Python attribute name; a missing key is ``None``.
    ``names`` maps attribute names to the names used in error messages.
    """
    for f in fields:
        where = (names or {}).get(f.attr, f.attr)
        _append_field(parent, f, values.get(f.attr), where)


def to_element(
    obj: WireModel, tag: str, nsmap: Mapping[str | None, str] | None = None
) -> etree._Element:
    """A generated dataclass as an element named ``tag`` (Clark notation)."""
    el = etree.Element(tag, nsmap=dict(nsmap) if nsmap else None)  # type: ignore[arg-type]
    _fill(el, obj.__wire__, obj, type(obj).__name__)
    return el


# --- reading ---------------------------------------------------------------


def _is_nil(el: etree._Element) -> bool:
    return el.get(XSI_NIL) in ("true", "1")


def _read_value(el: etree._Element, f: Field, where: str) -> Any:
    if _is_nil(el):
        return None
    if f.xsd == UNTYPED:
        return _read_untyped(el, where)
    if f.xsd == ANY_XML:
        return _detached(el)
    if f.xsd_list:
        assert f.xsd is not None
        return [parse_scalar(f.xsd, text, where) for text in (el.text or "").split()]
    if f.item is not None:
        items = []
        for index, child in enumerate(el):
            if not isinstance(child.tag, str):
                continue
            if child.tag != f.item.tag:
                continue
            items.append(_read_value(child, f.item, f"{where}[{index}]"))
        return items
    if f.model is not None:
        return parse_model(el, f.model, where)
    assert f.xsd is not None
    return parse_scalar(f.xsd, el.text, where)


def _detached(el: etree._Element) -> etree._Element:
    """A copy of ``el`` that keeps its namespace declarations and drops its tail."""
    copy = etree.fromstring(etree.tostring(el, with_tail=False), _parser())
    return copy


def _read_untyped(el: etree._Element, where: str) -> Any:
    """An untyped element's value (see :data:`~removethebackground.core.wire.AnyValue`)."""
    xsi_type = el.get(f"{{{XSI_NS}}}type")
    if xsi_type is not None:
        prefix, _, local = xsi_type.rpartition(":")
        ns = el.nsmap.get(prefix or None)
        if (ns == XSD_NS and (local in _STRINGS or local in _INT_RANGES or local in _SIMPLE)) or (
            ns == MS_TYPES_NS and local in ("guid", "char")
        ):
            if local == "anyType":
                return el.text or ""
            return parse_scalar(local, el.text, f"{where} (xsi:type {xsi_type})")
    if any(isinstance(child.tag, str) for child in el):
        return _detached(el)
    return el.text or ""


_SIMPLE = frozenset(
    {"boolean", "decimal", "double", "float", "dateTime", "date", "base64Binary", "anyType"}
)


def read_field(el: etree._Element | None, f: Field, where: str) -> Any:
    """The value of one element read as field ``f`` (a result that is not a model).

    ``None`` (no element) reads as what the field says of an absent element: ``[]``
    for an array, ``None`` for an untyped or any-XML element; for a simple type it is
    a malformed answer.
    """
    if el is None or _is_nil(el):
        if f.item is not None or f.xsd_list:
            return []
        if f.xsd in (UNTYPED, ANY_XML):
            return None
        raise MalformedResponseError(f"{where}: the element is missing")
    value = _read_value(el, f, where)
    return [] if value is None and f.item is not None else value


def parse_children(
    el: etree._Element,
    fields: tuple[Field, ...],
    by_tag: Mapping[str, Field],
    where: str,
    shared: Mapping[str, tuple[Field, ...]] | None = None,
) -> dict[str, Any]:
    """Read the children of ``el`` into a dict keyed by attribute name.

    Absent optional elements are ``None`` (or :data:`UNSET` when also nillable);
    an absent required element raises :class:`MalformedResponseError`.
    """
    out: dict[str, Any] = {}
    last = -1  # with ``shared``: the schema position of the last element read
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        f = by_tag.get(tag)
        if f is None:
            continue
        if shared:
            if tag in shared:
                f = _by_position(shared[tag], fields, last, out)
            last = fields.index(f)
        value = _read_value(child, f, f"{where}/{f.name}")
        if f.repeated and f.item is None:
            out.setdefault(f.attr, []).append(value)
        else:
            out[f.attr] = value
    for f in fields:
        if f.text:
            assert f.xsd is not None
            if _is_nil(el):
                out[f.attr] = None
            elif f.xsd_list:
                out[f.attr] = _read_value(el, f, where)
            else:
                out[f.attr] = parse_scalar(f.xsd, el.text, where)
            continue
        if f.attribute:
            # An absent attribute is its schema default (XSD 1.0 part 1, 3.2.1), as
            # wsdl.exe's proxies read it: the default becomes the field's initialiser
            # (XmlCodeExporter.ExportMember's DefaultValueAttribute in the reference source,
            # System.Xml/System/Xml/Serialization/XmlCodeExporter.cs).
            raw = el.get(f.tag, f.default)
            assert f.xsd is not None
            out[f.attr] = None if raw is None else parse_scalar(f.xsd, raw, f"{where}/@{f.name}")
            continue
        if f.attr in out:
            continue
        if f.repeated and f.item is None:
            out[f.attr] = []
        elif f.required:
            raise MalformedResponseError(f"{where}: required element {f.name} is missing")
        elif f.min_occurs == 0 and f.nillable:
            out[f.attr] = UNSET
        else:
            out[f.attr] = None
    return out


def _by_position(
    candidates: tuple[Field, ...], fields: tuple[Field, ...], last: int, out: Mapping[str, Any]
) -> Field:
    """Which of several fields with one XML name an element is: the first at or after the
    last element read (a sequence is read in order, as zeep reads it), else the first not
    yet read."""
    for f in candidates:
        if fields.index(f) >= last and (f.attr not in out or f.repeated):
            return f
    for f in candidates:
        if f.attr not in out:
            return f
    return candidates[0]


def parse_model(el: etree._Element, model: type[M], where: str = "") -> M:
    """Read ``el`` as an instance of the generated dataclass ``model``."""
    spec = model.__wire__
    values = parse_children(el, spec.fields, spec.by_tag, where or spec.name, spec.shared)
    return model(**values)


# --- safe parsing ------------------------------------------------------------

_local = threading.local()


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


def safe_fromstring(data: bytes, what: str = "response") -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network.

    A document that declares a DOCTYPE is refused outright, so neither entity
    expansion ("billion laughs") nor external entities can happen.
    """
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise MalformedResponseError(f"the {what} declares a DTD, which SOAP forbids")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedResponseError(f"the {what} is not well-formed XML: {exc}") from None
    # The byte scan above sees a DOCTYPE in UTF-8; in any other encoding (UTF-16, or one
    # an XML declaration names) only the parsed tree can tell.
    if not data.startswith(_UTF8_STARTS) and root.getroottree().docinfo.doctype:  # type: ignore[union-attr]
        raise MalformedResponseError(f"the {what} declares a DTD, which SOAP forbids")
    return root


# Starts of documents that are certainly UTF-8 (ASCII-compatible, no other encoding
# declared): ASP.NET's declaration, and an element with no declaration at all.
_UTF8_STARTS = (
    b'<?xml version="1.0" encoding="utf-8"?>',
    b"<?xml version='1.0' encoding='utf-8'?>",
    *(b"<" + bytes([c]) for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"),
)


# --- compiled fast paths ---------------------------------------------------------------------
#
# The generic functions above walk the wire facts on every call. A call's hot path uses
# plans compiled once per field list or model instead: a writer that produces exactly
# the bytes lxml would (checked by tests against ``build_children`` + ``etree.tostring``),
# and a reader that converts each known child with a precomputed converter. Neither
# loosens anything: the writer still formats every value with :func:`format_field`
# and refuses what XML cannot carry, and whenever the reader meets anything unusual it
# hands the element to :func:`parse_model`, whose result or error is then final.

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NIL_VALUES = frozenset({"true", "1"})
# A string that needs escaping or that XML cannot carry: the slow path decides.
_NEEDS_CARE = re.compile("[&<>\r]|[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Writer = Callable[[Mapping[str, object], list[str]], None]


def _text_of(f: Field, value: object, where: str) -> str:
    text = format_field(f, value, where)
    if _NOT_XML.search(text):
        bad = _NOT_XML.search(text)
        assert bad is not None
        raise InvalidParameterError(
            where,
            f"contains U+{ord(bad.group()[0]):04X}, which XML 1.0 cannot carry: "
            "remove control characters",
        )
    return text.translate(_TEXT_ESCAPES)


def _field_writer(f: Field, namespace: str) -> Callable[[object, list[str], str], None] | None:
    """A writer of one field's elements, or ``None`` where only the generic path can."""
    if f.attribute or f.model is not None or f.namespace != namespace or _special(f):
        return None
    name = f.name
    open_tag, close_tag = f"<{name}>", f"</{name}>"
    empty_tag = f"<{name}/>"
    if f.item is not None:
        item = f.item
        if (
            item.model is not None
            or item.attribute
            or item.namespace != namespace
            or _special(item)
        ):
            return None
        assert item.xsd is not None
        item_open, item_close = f"<{item.name}>", f"</{item.name}>"
        item_nil = f'<{item.name} xsi:nil="true"/>'
        item_nillable = item.nillable
        item_min = item.min_occurs

        def write_array(value: object, out: list[str], where: str) -> None:
            if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                raise InvalidParameterError(
                    where, f"expected a list, got {type(value).__name__}: wrap it in [...]"
                )
            parts: list[str] = []
            for index, element in enumerate(value):
                if element is None:
                    if not item_nillable:
                        if item.min_occurs > 0:
                            raise InvalidParameterError(
                                f"{where}[{index}]",
                                "is required (minOccurs=1) and cannot be None",
                            )
                        continue
                    parts.append(item_nil)
                    continue
                text = _text_of(item, element, f"{where}[{index}]")
                parts.append(f"{item_open}{text}{item_close}")
            if item_min and len(parts) < item_min:
                _check_item_count(item, len(parts), where)
            out.append(f"{open_tag}{''.join(parts)}{close_tag}" if parts else empty_tag)

        return write_array
    assert f.xsd is not None
    xsd = f.xsd
    if xsd in _STRINGS and f.constraint is None:

        def write_string(value: object, out: list[str], where: str) -> None:
            if type(value) is not str or _NEEDS_CARE.search(value):
                value = _text_of(f, value, where)  # checks, refuses or escapes
            out.append(f"{open_tag}{value}{close_tag}")

        return write_string

    def write_scalar(value: object, out: list[str], where: str) -> None:
        text = _text_of(f, value, where)
        out.append(f"{open_tag}{text}{close_tag}")

    return write_scalar


def _special(f: Field) -> bool:
    """A field only the generic functions read and write (untyped, any XML, lists, text)."""
    return f.xsd in (UNTYPED, ANY_XML) or f.xsd_list or f.text


def compile_writer(fields: tuple[Field, ...], namespace: str) -> Writer | None:
    """A fast writer of ``fields`` as children of an element in ``namespace``.

    It appends, for the values (keyed by attribute name, a missing key is ``None``),
    exactly the text lxml would serialise for :func:`build_children` under a parent
    whose default namespace is ``namespace`` and that has ``xsi`` in scope. ``None``
    when a field needs the generic path (complex types, attributes, foreign
    namespaces).
    """
    steps: list[tuple[str, bool, bool, Callable[[object, list[str], str], None]]] = []
    for f in fields:
        writer = _field_writer(f, namespace)
        if writer is None:
            return None
        present = _present_writer(f, writer)
        steps.append(
            (f.attr, f.min_occurs > 0 and not f.repeated, f.repeated and f.item is None, present)
        )

    def write(values: Mapping[str, object], out: list[str]) -> None:
        for attr, required, repeated, writer in steps:
            value = values.get(attr)
            if value is UNSET:
                if required:
                    raise InvalidParameterError(
                        attr, "is required (minOccurs=1) and cannot be UNSET"
                    )
                continue
            if repeated:
                if value is None:
                    continue
                if not isinstance(value, (list, tuple)):
                    raise InvalidParameterError(attr, "expected a list")
                for index, element in enumerate(value):
                    writer(element, out, f"{attr}[{index}]")
                continue
            writer(value, out, attr)

    return write


def _present_writer(
    f: Field, writer: Callable[[object, list[str], str], None]
) -> Callable[[object, list[str], str], None]:
    """``writer``, with what ``None`` means for ``f``: nil, an error, or nothing."""
    nil = f'<{f.name} xsi:nil="true"/>' if f.nillable else None
    required = f.min_occurs > 0

    def write(value: object, out: list[str], where: str) -> None:
        if value is None:
            if nil is not None:
                out.append(nil)
            elif required:
                raise InvalidParameterError(where, "is required (minOccurs=1) and cannot be None")
            return
        writer(value, out, where)

    return write


_Converter = Callable[[etree._Element], Any]
_Reader = Callable[[etree._Element], Any]
_READERS: dict[type[WireModel], _Reader] = {}
_READERS_LOCK = threading.Lock()


def _text(el: etree._Element) -> str | None:
    text = el.text
    if text is None:
        return None if el.get(XSI_NIL) in _NIL_VALUES else ""
    return text


def _scalar_converter(xsd: str) -> _Converter:
    """A converter that returns the value or raises (any exception: the caller falls back)."""
    if xsd in _STRINGS:
        return _text
    if xsd in _INT_RANGES:
        low, high = _INT_RANGES[xsd]

        def to_int(el: etree._Element) -> int:
            number = int(el.text or "")
            if (low is not None and number < low) or (high is not None and number > high):
                raise ValueError(xsd)
            return number

        return to_int
    if xsd == "boolean":
        booleans = {"true": True, "1": True, "false": False, "0": False}

        def to_bool(el: etree._Element) -> bool:
            return booleans[(el.text or "").strip()]

        return to_bool
    if xsd == "guid":
        return lambda el: uuid.UUID((el.text or "").strip())
    if xsd == "decimal":
        return lambda el: decimal.Decimal((el.text or "").strip())
    if xsd == "dateTime":
        return lambda el: datetime.datetime.fromisoformat((el.text or "").strip())

    def generic(el: etree._Element) -> Any:
        if el.text is None and el.get(XSI_NIL) in _NIL_VALUES:
            return None
        return parse_scalar(xsd, el.text, xsd)

    return generic


def _converter(f: Field) -> _Converter:
    if f.item is not None:
        item = f.item
        item_tag = item.tag
        convert_item = _converter(item)

        item_nillable = item.nillable

        def to_list(el: etree._Element) -> list[Any] | None:
            items: list[Any] = []
            for child in el:
                if child.tag == item_tag:
                    if item_nillable and child.get(XSI_NIL) in _NIL_VALUES:
                        items.append(None)
                    else:
                        items.append(convert_item(child))
            if not items and el.get(XSI_NIL) in _NIL_VALUES:
                return None
            return items

        return to_list
    if f.model is not None:
        return _reader(f.model)
    if _special(f):
        return lambda el: _read_value(el, f, f.name)
    assert f.xsd is not None
    return _scalar_converter(f.xsd)


def _compile_reader(model: type[WireModel]) -> _Reader:
    spec = model.__wire__
    if spec.shared or any(f.attribute or f.text for f in spec.fields):
        # attributes, simple content or one name on several fields: the general reader
        return lambda el: parse_model(el, model)
    entries: dict[str, tuple[str, bool, bool]] = {}
    absent: dict[str, Any] = {}
    required: list[str] = []
    for f in spec.fields:
        repeated = f.repeated and f.item is None
        entries[f.tag] = (f.attr, f.nillable, repeated)
        if repeated:
            absent[f.attr] = None  # a fresh list is made for each object
        elif f.required:
            required.append(f.attr)
        else:
            absent[f.attr] = UNSET if f.min_occurs == 0 and f.nillable else None
    lists = [f.attr for f in spec.fields if f.repeated and f.item is None]
    converters: dict[str, _Converter] = {}

    def read(el: etree._Element) -> Any:
        if not converters:
            for f in spec.fields:
                converters[f.tag] = _converter(f)
        out: dict[str, Any] = {}
        for child in el:
            tag = child.tag
            entry = entries.get(tag)
            if entry is None:
                if not isinstance(tag, str):
                    continue
                continue
            attr, nillable, repeated = entry
            # xsi:nil is looked at where the schema allows it; elsewhere a nil element
            # (which has no content) is read as None by the converters themselves.
            if nillable and child.get(XSI_NIL) in _NIL_VALUES:
                value = None
            else:
                value = converters[tag](child)
            if repeated:
                out.setdefault(attr, []).append(value)
            else:
                out[attr] = value
        if not out and el.get(XSI_NIL) in _NIL_VALUES:
            return None
        if len(out) != len(entries):
            for attr in required:
                if attr not in out:
                    raise LookupError(attr)
            for attr, default in absent.items():
                if attr not in out:
                    out[attr] = [] if attr in lists else default
        return model(**out)

    return read


def _reader(model: type[WireModel]) -> _Reader:
    reader = _READERS.get(model)
    if reader is None:
        with _READERS_LOCK:
            reader = _READERS.get(model)
            if reader is None:
                reader = _compile_reader(model)
                _READERS[model] = reader
    return reader


def read_model(el: etree._Element, model: type[M], where: str = "") -> M:
    """:func:`parse_model`, through a plan compiled once per model.

    Same result and the same errors: anything the plan does not expect (a value it
    cannot convert, a missing required element) sends the element to
    :func:`parse_model`, which returns the result or raises the precise error. (The
    one input on which the two differ breaks the schema: an element the schema does
    not make nillable, marked ``xsi:nil`` yet with content. The generic path reads
    None, the plan reads the content.)
    """
    try:
        result: M = _reader(model)(el)
        return result
    except Exception:
        return parse_model(el, model, where)


# --- DataSets --------------------------------------------------------------------------------

DIFFGRAM_NS = "urn:schemas-microsoft-com:xml-diffgram-v1"


def dataset_tables(dataset: etree._Element) -> dict[str, list[dict[str, str | None]]]:
    """The rows of a .NET ``DataSet`` result, by table: ``{table: [{column: text}]}``.

    ``dataset`` is the result element (an :data:`~removethebackground.core.wire.XmlElement`)
    as ASMX writes a ``DataSet``: an inline ``xs:schema``, then a ``diffgr:diffgram``
    whose first child is the data set, whose children are rows named after their table
    (System.Data.DataSet.WriteXml with XmlWriteMode.DiffGram). Each row is a dict of its
    child elements' texts (``None`` for a column the row leaves out is not added: only the
    columns present are keys; an empty element is ``""``). Rows of the diffgram's
    ``diffgr:before`` section (the original values of changed rows) are not rows.
    A DataSet written without a diffgram (the data set element directly) is read too.
    """
    if not isinstance(dataset, etree._Element):
        raise TypeError(f"expected an lxml element, got {type(dataset).__name__}")
    children = [c for c in dataset if isinstance(c.tag, str)]
    data: etree._Element | None = None
    for child in children:
        if child.tag == f"{{{DIFFGRAM_NS}}}diffgram":
            data = next((c for c in child if isinstance(c.tag, str)), None)
            break
        if child.tag != f"{{{XSD_NS}}}schema":
            data = child
            break
    tables: dict[str, list[dict[str, str | None]]] = {}
    if data is None or data.tag in (f"{{{DIFFGRAM_NS}}}before", f"{{{DIFFGRAM_NS}}}errors"):
        return tables
    for row in data:
        if not isinstance(row.tag, str):
            continue
        values: dict[str, str | None] = {}
        for column in row:
            if isinstance(column.tag, str):
                nil = column.get(XSI_NIL) in ("true", "1")
                values[etree.QName(column).localname] = None if nil else (column.text or "")
        tables.setdefault(etree.QName(row).localname, []).append(values)
    return tables


def dataset_rows(dataset: etree._Element, table: str | None = None) -> list[dict[str, str | None]]:
    """The rows of one table of a ``DataSet`` result (see :func:`dataset_tables`).

    ``table`` names it; ``None``: the data set's only table (``[]`` when it has none).
    Raises :class:`KeyError` naming the tables there are when ``table`` is not one, or
    when ``table`` is ``None`` and there are several.
    """
    tables = dataset_tables(dataset)
    if table is None:
        if len(tables) > 1:
            raise KeyError(f"the DataSet has several tables ({', '.join(tables)}): pass table=NAME")
        return next(iter(tables.values()), [])
    if table not in tables:
        raise KeyError(
            f"the DataSet has no rows of table {table!r} (it has {', '.join(tables) or 'none'})"
        )
    return tables[table]

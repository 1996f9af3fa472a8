"""Read a WSDL with zeep, offline, into a small model that the renderer writes out.

zeep does the WSDL and XML Schema work (imports, type resolution, bindings); this
module only walks what zeep built and keeps what the runtime needs. Nothing here
touches the network: the SOAP-encoding schema that ASMX WSDLs import without a
location comes from ``codegen/schemas/``, and any other remote load is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from removethebackground.core.codec import parse_scalar
from removethebackground.core.errors import MalformedResponseError

from .errors import CodegenError
from .naming import pascal, snake
from .overlay import ConstraintModel, Overlay, OverlayError
from .policies import LookupRule, changes_state, outcome_lookup

SCHEMAS = Path(__file__).parent / "schemas"
LOCAL_SCHEMAS = {
    "http://schemas.xmlsoap.org/soap/encoding": SCHEMAS / "soap-encoding.xsd",
}
XSD_NS = "http://www.w3.org/2001/XMLSchema"
MS_TYPES_NS = "http://microsoft.com/wsdl/types/"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"

# XSD built-in types the runtime can carry, with their Python annotation.
PY_TYPES = {
    "string": "str",
    "anyURI": "str",
    "normalizedString": "str",
    "token": "str",
    "int": "int",
    "long": "int",
    "short": "int",
    "byte": "int",
    "unsignedInt": "int",
    "unsignedLong": "int",
    "unsignedShort": "int",
    "unsignedByte": "int",
    "integer": "int",
    "boolean": "bool",
    "decimal": "decimal.Decimal",
    "double": "float",
    "float": "float",
    "dateTime": "datetime.datetime",
    "date": "datetime.date",
    "base64Binary": "bytes",
    "guid": "uuid.UUID",
    "char": "int",
}

BINDING_KINDS = {
    "Soap11Binding": "SOAP11",
    "Soap12Binding": "SOAP12",
    "HttpGetBinding": "HTTP_GET",
    "HttpPostBinding": "HTTP_POST",
}


# Pseudo-types of Field.xsd that are not XSD simple types (removethebackground.core.wire).
UNTYPED, ANY_XML = "anyType", "xml"

# The content of an anonymous complex type, as _Builder._shape describes it; with the
# element's namespace and name, what tells two anonymous types' classes apart.
Shape = tuple[Any, ...]
AnonymousKey = tuple[str, str, Shape]


@dataclass(frozen=True)
class BuildOptions:
    """The rules a generation's WSDL must follow; the defaults are this service's.

    Attributes:
        credentials: the two parameters (compared case-insensitively) every
            operation must carry and the client fills in (``contactEmail``,
            ``contactAPIkey``); ``None``: operations carry none (a WSDL of another
            service, such as the test corpus).
        single_service: refuse a WSDL with more than one ``wsdl:service``; when
            false, the first service (by name) with a SOAP port is used.
        scalar_results: allow an operation whose result is a simple type (``int``,
            ``string``): the method returns the Python value. This service's results
            are all complex types, and a scalar one there would be a modelling error.
        service: the ``wsdl:service`` to build, by local name, in a WSDL with several
            (``None``: the rule of ``single_service``).
    """

    credentials: tuple[str, str] | None = ("contactEmail", "contactAPIkey")
    single_service: bool = True
    scalar_results: bool = False
    service: str | None = None


ASMX_SERVICE = BuildOptions()
ANY_SERVICE = BuildOptions(credentials=None, single_service=False, scalar_results=True)


@dataclass
class FieldModel:
    attr: str
    name: str
    namespace: str | None
    xsd: str | None = None
    model: str | None = None  # generated class name
    item: FieldModel | None = None
    min_occurs: int = 0
    max_occurs: int | None = 1
    nillable: bool = False
    attribute: bool = False
    type_name: str = ""
    constraint: ConstraintModel | None = None  # from the generation's overlay
    #: the schema's enumeration of the values (open: ``Literal[...] | str``)
    enumeration: tuple[str, ...] = ()
    xsd_list: bool = False  # xs:list: a space-separated list of xsd values
    text: bool = False  # the text of an xs:simpleContent type
    schema_default: str | None = None  # an attribute's default="..." (lexical form)

    @property
    def repeated(self) -> bool:
        return self.max_occurs is None or self.max_occurs > 1

    def scalar_annotation(self, overlay: bool = True) -> str:
        """The Python type of one value; with ``overlay``, the overlay rule's type."""
        if self.model is not None:
            return self.model
        if overlay and self.constraint is not None:
            return self.constraint.python_type()
        assert self.xsd is not None
        if self.xsd == UNTYPED:
            return "AnyValue"
        if self.xsd == ANY_XML:
            return "XmlElement"
        one = PY_TYPES[self.xsd]
        if self.enumeration:
            values = ", ".join(repr(v) for v in self.enumeration)
            one = f"Literal[{values}] | {one}"
        if self.xsd_list:
            return f"list[{one}]"
        return one

    def annotation(self, overlay: bool = True) -> str:
        """The Python annotation (``overlay=False``: as the WSDL alone says)."""
        if self.item is not None:
            inner = self.item.scalar_annotation(overlay)
            if self.item.nillable:
                inner += " | None"
            base = f"list[{inner}]"
        else:
            base = self.scalar_annotation(overlay)
            if self.repeated:
                return f"list[{base}]"
        if self.xsd in (UNTYPED, ANY_XML) and not self.nillable:
            return f"{base} | None"  # absent: None, whatever minOccurs says
        if self.min_occurs == 0 and self.nillable:
            return f"{base} | None | UnsetType"
        if self.min_occurs == 0 or self.nillable:
            return f"{base} | None"
        return base

    def default(self) -> str | None:
        if self.repeated and self.item is None:
            return "field(default_factory=list)"
        if self.min_occurs == 0 and self.nillable:
            return "UNSET"
        if self.min_occurs == 0:
            return "None"
        return None


@dataclass
class TypeModel:
    class_name: str
    name: str
    namespace: str
    fields: list[FieldModel]
    any_attribute: bool = False  # xs:anyAttribute: other attributes are ignored


@dataclass
class FaultModel:
    """A ``wsdl:fault`` of the portType: its detail element and the exception class."""

    name: str  # the wsdl:fault name
    element: str
    namespace: str | None
    model: str  # the detail element's generated class
    class_name: str = ""  # the generated exception class, set once all types are known
    operations: list[str] = field(default_factory=list)


@dataclass
class OperationModel:
    name: str
    python_name: str
    namespace: str
    soap_actions: dict[str, str]
    request_element: str
    params: list[FieldModel]
    credential_params: tuple[str, ...]
    response_element: str
    result: FieldModel
    bindings: list[str]
    http_location: str | None = None
    http_params: list[tuple[str, str, bool]] = field(default_factory=list)
    http_result_element: str | None = None
    documentation: str = ""
    faults: list[FaultModel] = field(default_factory=list)
    changes_state: bool = True
    outcome_lookup: LookupModel | None = None
    #: Why the operation's rule in codegen/policies.py does not fit this WSDL (then it
    #: has no lookup: a lost answer stays unknown, never resent; the golden file says why).
    outcome_lookup_unfit: str = ""


@dataclass
class LookupModel:
    """A :class:`~codegen.policies.LookupRule` checked against the WSDL, in attribute names
    (what ``removethebackground.core.wire.OutcomeLookup`` holds)."""

    key: str
    operation: str
    method: str
    by: str
    fixed: list[tuple[str, str]]
    found: str
    result: list[tuple[str, str]]
    source: str
    rule: LookupRule


@dataclass
class ServiceModel:
    key: str
    wsdl_path: str
    name: str
    namespace: str
    client_class: str
    endpoints: dict[str, str]
    types: list[TypeModel]
    operations: list[OperationModel]
    overlay: str | None = None  # the overlay file applied, relative to the root
    faults: list[FaultModel] = field(default_factory=list)  # distinct, in first-use order


def _offline_transport() -> Any:
    from zeep.transports import Transport

    class OfflineTransport(Transport):  # type: ignore[misc]
        """Serves the local copies of well-known schemas and refuses the network.

        ``documents`` keeps every document it served (the WSDL, its imports), which
        codegen reads for what zeep does not keep (enumeration facets).
        """

        documents: list[bytes]

        def load(self, url: str) -> bytes:
            local = LOCAL_SCHEMAS.get(url.rstrip("/"))
            if local is not None:
                return local.read_bytes()
            if url.startswith(("http://", "https://")):
                raise CodegenError(
                    f"the WSDL asks for {url}; codegen runs offline: add a local copy "
                    f"of that document to codegen/schemas/ and to LOCAL_SCHEMAS"
                )
            data: bytes = super().load(url)
            self.documents.append(data)
            return data

    transport = OfflineTransport()
    transport.documents = []
    return transport


def load_wsdl(path: Path) -> Any:
    return _load(path)[0]


def _load(path: Path) -> tuple[Any, list[bytes]]:
    """zeep's WSDL object and the documents it was read from."""
    import zeep

    settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True)
    transport = _offline_transport()
    wsdl = zeep.Client(str(path), transport=transport, settings=settings).wsdl
    return wsdl, transport.documents


def _enumerations(documents: list[bytes]) -> dict[str, tuple[str, ...]]:
    """The enumeration values of every named simple type, by ``{namespace}name``.

    zeep keeps no facets, so the schema documents are read again: a restriction's
    ``xs:enumeration`` values, and for an ``xs:list`` (a .NET ``[Flags]`` enum, as
    XmlSchemaExporter.ExportEnumMapping writes it in mono's
    mcs/class/System.XML/System.Xml.Serialization/XmlSchemaExporter.cs) those of its
    inline item type.
    """
    out: dict[str, tuple[str, ...]] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for data in documents:
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError:
            continue
        for schema in root.iter(f"{{{XSD_NS}}}schema"):
            tns = schema.get("targetNamespace", "")
            for simple in schema.iterfind(f"{{{XSD_NS}}}simpleType"):
                name = simple.get("name")
                restriction = simple.find(f"{{{XSD_NS}}}restriction")
                if restriction is None:
                    restriction = simple.find(
                        f"{{{XSD_NS}}}list/{{{XSD_NS}}}simpleType/{{{XSD_NS}}}restriction"
                    )
                if name is None or restriction is None:
                    continue
                values = tuple(
                    e.get("value", "") for e in restriction.iterfind(f"{{{XSD_NS}}}enumeration")
                )
                if values:
                    out[f"{{{tns}}}{name}"] = tuple(dict.fromkeys(values))
    return out


def _local(qname: Any) -> tuple[str | None, str]:
    q = etree.QName(qname)
    return q.namespace, q.localname


def _simple_name(ztype: Any, where: str = "") -> str:
    """The built-in (or ``guid``) name of a zeep simple type."""
    ns, local = _local(ztype.qname) if ztype.qname is not None else (None, "")
    if ns == MS_TYPES_NS and local in PY_TYPES:
        return local
    for klass in type(ztype).__mro__:
        qn = getattr(klass, "_default_qname", None)
        if qn is not None:
            bns, blocal = _local(qn)
            if bns == XSD_NS and blocal in PY_TYPES:
                return blocal
    shown = "an anonymous simple type" if ztype.qname is None else f"xsd type {ztype.qname}"
    raise CodegenError(
        f"{where or 'an element'}: {shown} is not one the runtime carries (it carries "
        f"{', '.join(sorted(PY_TYPES))}, xs:list of them, and untyped elements): "
        "give it one of those types"
    )


def _simple_content(ztype: Any) -> Any | None:
    """zeep's stand-in element (``_value_1``) for the text of an xs:simpleContent type."""
    from zeep.xsd.elements.element import Element

    element = getattr(ztype, "_element", None)
    return element if isinstance(element, Element) else None


def _is_anonymous(ztype: Any) -> bool:
    """A type declared inside its element: zeep gives it the element's name as qname
    (in the schema's target namespace), and ``is_global`` false."""
    return ztype.qname is None or not getattr(ztype, "is_global", True)


def _is_complex(ztype: Any) -> bool:
    from zeep.xsd.types.complex import ComplexType

    return isinstance(ztype, ComplexType)


def _is_untyped(ztype: Any) -> bool:
    """An element of no type or of ``xs:anyType`` (.NET ``object``): zeep's AnyType itself."""
    from zeep.xsd.types.any import AnyType

    return type(ztype) is AnyType


def _is_any_xml(ztype: Any) -> bool:
    """A complex type whose content is any XML, as ASMX writes for ``XmlNode``/``XmlElement``
    (``<s:sequence><s:any/></s:sequence>``) and for ``DataSet`` (``<s:element
    ref="s:schema"/><s:any/>``): see XmlSchemaExporter.ExportXmlSerializable /
    ExportAnyType in mono's mcs/class/System.XML/System.Xml.Serialization/XmlSchemaExporter.cs.
    """
    if not _is_complex(ztype) or _simple_content(ztype) is not None:
        return False
    from zeep.xsd.elements.any import Any as XsdAny
    from zeep.xsd.elements.builtins import Schema

    children = [child for _, child in ztype.elements]
    if not children or not isinstance(children[-1], XsdAny):
        return False
    if any(not isinstance(c, Schema) for c in children[:-1]) or len(children) > 2:
        return False
    return not [a for _, a in ztype.attributes if getattr(a, "qname", None) is not None]


def _array_item(ztype: Any) -> Any | None:
    """The repeated child if ``ztype`` is an ASMX array wrapper (ArrayOfX)."""
    if not _is_complex(ztype) or ztype.attributes:
        return None
    if _simple_content(ztype) is not None:
        return None
    elements = ztype.elements
    if len(elements) != 1:
        return None
    _, child = elements[0]
    if not hasattr(child, "qname") or child.qname is None:  # xs:any, xs:choice
        return None
    if child.max_occurs == "unbounded" or (
        isinstance(child.max_occurs, int) and child.max_occurs > 1
    ):
        return child
    return None


def _segments(namespace: str) -> list[str]:
    return [segment for segment in re.split(r"[/:#]+", namespace) if segment]


def _pascal_segment(segment: str) -> str:
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", segment) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts)


def _ns_suffix(namespace: str, sharing: list[str] | None = None) -> str:
    """The class-name suffix of a namespace, among the namespaces ``sharing`` a type name.

    It is the last path (or URN) segment of ``namespace`` that is not the same in all of
    them, in PascalCase: ``…/2004/07/Shop.Orders`` and ``…/2004/07/Shop.Billing`` give
    ``ShopOrders`` and ``ShopBilling``; ``…/2012-01-13/ldb/types`` and
    ``…/2015-11-27/ldb/types`` give ``20120113`` and ``20151127``. Alone, the last
    segment. Used only for a type name that several namespaces of one WSDL share (see
    :meth:`_Builder.plan_names`).
    """
    mine = _segments(namespace)
    others = [_segments(ns) for ns in sharing or [namespace]]
    depth = max([len(mine), *map(len, others)])
    for i in range(1, depth + 1):
        here = {(segs[-i] if len(segs) >= i else "") for segs in others}
        if len(here) > 1 or len(others) == 1:
            found = _pascal_segment(mine[-i]) if len(mine) >= i else ""
            return found or "Ns"
    return "Ns"


class _Builder:
    def __init__(self, wsdl: Any, enumerations: dict[str, tuple[str, ...]] | None = None) -> None:
        self.wsdl = wsdl
        self.types: dict[str, TypeModel] = {}
        self.order: list[str] = []
        self.enumerations = enumerations or {}
        self.names: dict[str, str] = {}  # {ns}local of a named type -> its class name
        # (namespace, element name, content shape) of an anonymous type -> its class name
        self.anonymous: dict[AnonymousKey, str] = {}
        self._shapes: dict[int, Shape] = {}
        # zeep names a named xs:list type anySimpleType on the elements that use it: the
        # schema documents' registries still know the name, by object.
        self.type_names: dict[int, str] = {
            id(ztype): qname
            for document in getattr(wsdl.types, "documents", [])
            for qname, ztype in getattr(document, "_types", {}).items()
        }

    def plan_names(self, service_namespace: str) -> None:
        """Class names for the named complex types, decided once for the whole WSDL.

        A type gets its own name in PascalCase; a name that types of several namespaces
        share (WCF data contracts of several CLR namespaces) is kept by the type of the
        service's namespace, and the others get the suffix of their namespace
        (:func:`_ns_suffix`): ``Log`` and ``LogShopOrders``. The rule depends only on
        the set of types, not on which operation uses them first.
        """
        by_name: dict[str, list[tuple[str, str]]] = {}
        for ztype in getattr(self.wsdl.types, "types", []):
            if ztype.qname is None or not _is_complex(ztype):
                continue
            ns, local = _local(ztype.qname)
            by_name.setdefault(pascal(local), []).append((ns or "", local))
        taken: set[str] = set()
        for name, owners in sorted(by_name.items()):
            owners = sorted(set(owners))
            if len(owners) == 1:
                self.names[f"{{{owners[0][0]}}}{owners[0][1]}"] = name
                taken.add(name)
                continue
            sharing = [ns for ns, _ in owners]
            for ns, local in owners:
                chosen = name if ns == service_namespace else name + _ns_suffix(ns, sharing)
                self.names[f"{{{ns}}}{local}"] = chosen
        counts: dict[str, list[str]] = {}
        for key, chosen in self.names.items():
            counts.setdefault(chosen, []).append(key)
        clashes = {k: v for k, v in counts.items() if len(v) > 1}
        if clashes:
            name, keys = sorted(clashes.items())[0]
            raise CodegenError(
                f"the schema types {' and '.join(sorted(keys))} both map to class {name} "
                "(same name, namespaces ending alike): rename one of the types"
            )

    def plan_anonymous_names(self) -> None:
        """Class names for the anonymous complex types, decided once for the whole WSDL.

        An anonymous type is named after its element (``set`` -> ``Set``). Anonymous types
        of the same content (:meth:`_shape`: children, attributes and their types) under
        one element name are one class, wherever they appear. When types of different
        content would get one class name (``set`` holding an attribute ``option`` in
        ``OptionList`` and ``set`` holding ``property`` elements in ``QualifierList``), each
        of them takes the name of what declares it in front: ``OptionListSet`` and
        ``QualifierListSet`` (a global element keeps the plain name; a content declared in
        several places takes the first of those names in sort order). As for named types
        (:meth:`plan_names`), the rule depends only on the schema, not on which operation
        uses a type first.
        """
        parents: dict[AnonymousKey, set[tuple[str, Any]]] = {}
        walked: set[int] = set()

        def walk(ztype: Any, parent: tuple[str, Any]) -> None:
            if id(ztype) in walked or _simple_content(ztype) is not None:
                return
            walked.add(id(ztype))
            for _, child in getattr(ztype, "elements", []):
                visit(child, parent)

        def visit(element: Any, parent: tuple[str, Any], top: bool = False) -> None:
            ztype = getattr(element, "type", None)
            if getattr(element, "qname", None) is None or ztype is None:
                return
            if not _is_complex(ztype) or not _is_anonymous(ztype) or _is_any_xml(ztype):
                return
            item = None if top else _array_item(ztype)
            if item is not None:  # an ArrayOf wrapper has no class: its items belong to parent
                visit(item, parent)
                return
            ident = self._anonymous_key(element)
            parents.setdefault(ident, set()).add(parent)
            walk(ztype, ("anonymous", ident))

        schema = self.wsdl.types
        for element in sorted(getattr(schema, "elements", []), key=lambda e: str(e.qname)):
            visit(element, ("class", ""), top=True)
        for ztype in sorted(getattr(schema, "types", []), key=lambda t: str(t.qname)):
            if _is_anonymous(ztype) or not _is_complex(ztype):
                continue
            ns, local = _local(ztype.qname)
            walk(ztype, ("class", self.names.get(f"{{{ns or ''}}}{local}", pascal(local))))

        groups: dict[str, list[AnonymousKey]] = {}
        for ident in sorted(parents, key=repr):
            groups.setdefault(pascal(ident[1]), []).append(ident)
        chosen: dict[AnonymousKey, str] = {}

        def name_of(ident: AnonymousKey, resolving: frozenset[AnonymousKey]) -> str:
            if ident in chosen:
                return chosen[ident]
            wanted = pascal(ident[1])
            if len(groups[wanted]) == 1:
                name = wanted
            else:
                prefixes = [
                    value if kind == "class" else name_of(value, resolving | {ident})
                    for kind, value in parents[ident]
                    if kind == "class" or value not in resolving
                ]
                name = min(prefixes, default="") + wanted
            chosen[ident] = name
            return name

        by_name: dict[str, list[AnonymousKey]] = {}
        for ident in sorted(parents, key=repr):
            by_name.setdefault(name_of(ident, frozenset()), []).append(ident)
        for name, idents in by_name.items():
            # Still one name for several contents (two global elements of one name in two
            # namespaces, say): the first in sort order keeps it, the others get their
            # namespace's suffix, or a number within one namespace.
            sharing = sorted({ns for ns, _, _ in idents})
            for n, ident in enumerate(idents):
                if n == 0:
                    self.anonymous[ident] = name
                elif ident[0] != idents[0][0]:
                    self.anonymous[ident] = name + _ns_suffix(ident[0], sharing)
                else:
                    self.anonymous[ident] = f"{name}{n + 1}"

    def _anonymous_key(self, element: Any) -> AnonymousKey:
        """The namespace, name and shape that tell the class of ``element``'s anonymous
        type; the namespace is the type's (its schema's target namespace), as zeep names it."""
        ztype = element.type
        ns, local = _local(ztype.qname if ztype.qname is not None else element.qname)
        return (ns or "", local, self._shape(ztype))

    def _shape(self, ztype: Any, stack: tuple[int, ...] = ()) -> Shape:
        """What an anonymous complex type's class is made of: two equal shapes are one class.

        Its children (name, namespace, occurrences, nillable, type) and attributes in
        order, nested anonymous types by their own shape, named types by name.
        """
        known = self._shapes.get(id(ztype))
        if known is not None:
            return known
        if id(ztype) in stack:
            return ("a type that contains itself",)
        stack = (*stack, id(ztype))
        parts: list[Any] = []
        text = _simple_content(ztype)
        if text is not None:
            parts.append(("text", self._type_shape(text.type, stack)))
        else:
            for name, child in getattr(ztype, "elements", []):
                if getattr(child, "qname", None) is None or not hasattr(child, "type"):
                    parts.append(("particle", name, type(child).__name__))
                    continue
                occurs = (child.min_occurs, child.max_occurs, bool(child.nillable))
                kind = self._type_shape(child.type, stack)
                parts.append(("element", name, str(child.qname), occurs, kind))
        for name, attribute in getattr(ztype, "attributes", []):
            if getattr(attribute, "qname", None) is None:
                parts.append(("anyAttribute",))
                continue
            kind = self._type_shape(attribute.type, stack)
            parts.append(("attribute", name, str(attribute.qname), bool(attribute.required), kind))
        shape = tuple(parts)
        self._shapes[id(ztype)] = shape
        return shape

    def _type_shape(self, ztype: Any, stack: tuple[int, ...]) -> Shape:
        from zeep.xsd.types.collection import ListType

        if ztype is None:
            return ("none",)
        if not _is_anonymous(ztype):
            item = self._type_shape(ztype.item_type, stack) if isinstance(ztype, ListType) else ()
            return ("named", str(ztype.qname), self.type_names.get(id(ztype), ""), item)
        if _is_complex(ztype):
            return ("anonymous", self._shape(ztype, stack))
        if isinstance(ztype, ListType):
            return ("list", self._type_shape(ztype.item_type, stack))
        try:
            return ("simple", _simple_name(ztype))
        except CodegenError:
            return ("simple", type(ztype).__name__)

    def _new_class(self, key: str, wanted: str, namespace: str, local: str) -> str:
        taken = {t.class_name for t in self.types.values()} | {
            n for k, n in self.names.items() if k != key
        }
        name = wanted
        if name in taken:
            name = wanted + _ns_suffix(namespace) if namespace else wanted
        if name in taken:
            name = wanted + "Element"
        if name in taken:
            raise CodegenError(
                f"the schema type or element {local} ({namespace or 'no namespace'}) maps to "
                f"class {wanted}, which another type already has: rename one of them"
            )
        return name

    def class_for(self, ztype: Any) -> str:
        ns, local = _local(ztype.qname)
        key = f"{{{ns or ''}}}{local}"
        if key not in self.types:
            class_name = self.names.get(key) or self._new_class(key, pascal(local), ns or "", local)
            self.names[key] = class_name
            model = TypeModel(class_name, local, ns or "", [])
            self.types[key] = model  # register first: types may refer to themselves
            model.fields, model.any_attribute = self.fields_of(ztype, local)
            self.order.append(key)
        return self.types[key].class_name

    def class_for_element(self, element: Any) -> str:
        """The class of an element's complex type; an anonymous one is named after it."""
        ztype = element.type
        if not _is_anonymous(ztype):
            return self.class_for(ztype)
        # zeep names an anonymous type after its element: two such types of one element
        # name share that qname, so the class is found by content (plan_anonymous_names).
        anonymous = self._anonymous_key(element)
        ns, local, _ = anonymous
        planned = self.anonymous.get(anonymous)
        key = f"anonymous {{{ns}}}{local}" + ("" if planned is None else f" {planned}")
        if key not in self.types:
            class_name = self._new_class(key, planned or pascal(local), ns, local)
            model = TypeModel(class_name, local, ns, [])
            self.types[key] = model  # register first: types may refer to themselves
            where = local if ztype.qname is not None else f"element {local}"
            model.fields, model.any_attribute = self.fields_of(ztype, where)
            self.order.append(key)
        return self.types[key].class_name

    def _simple(self, fm: FieldModel, ztype: Any, where: str) -> None:
        """Fill in ``fm`` for a simple type: its XSD name, list-ness and enumeration."""
        from zeep.xsd.types.collection import ListType

        if isinstance(ztype, ListType):
            item = ztype.item_type
            if isinstance(item, ListType) or _is_complex(item):
                raise CodegenError(f"{where}: an xs:list of lists is not supported")
            fm.xsd = _simple_name(item, where)
            fm.xsd_list = True
            named = self.type_names.get(id(ztype))
            if named is not None:
                fm.type_name = _local(named)[1]
                fm.enumeration = self.enumerations.get(named, ())
            if not fm.enumeration and item.qname is not None:
                fm.enumeration = self.enumerations.get(str(item.qname), ())
            return
        fm.xsd = _simple_name(ztype, where)
        if ztype.qname is not None and fm.xsd in ("string", "token", "normalizedString"):
            fm.enumeration = self.enumerations.get(str(ztype.qname), ())

    def field_for(self, attr_source: str, element: Any, where: str = "") -> FieldModel:
        ns, local = _local(element.qname)
        where = f"{where}/{local}" if where else local
        max_occurs = None if element.max_occurs == "unbounded" else int(element.max_occurs)
        fm = FieldModel(
            attr=snake(attr_source),
            name=local,
            namespace=ns,
            min_occurs=int(element.min_occurs),
            max_occurs=max_occurs,
            nillable=bool(element.nillable),
        )
        ztype = element.type
        if ztype.qname is not None:
            fm.type_name = _local(ztype.qname)[1]
        item = _array_item(ztype)
        if _is_untyped(ztype):
            fm.xsd = UNTYPED
        elif _is_any_xml(ztype):
            fm.xsd = ANY_XML
        elif item is not None:
            fm.item = self.field_for(item.name, item, where)
            fm.item.attr = "item"
        elif _is_complex(ztype):
            fm.model = self.class_for_element(element)
        else:
            self._simple(fm, ztype, where)
        return fm

    def fields_of(self, ztype: Any, where: str = "") -> tuple[list[FieldModel], bool]:
        """The fields of a complex type, and whether it has an ``xs:anyAttribute``."""
        from zeep.xsd.elements.any import AnyAttribute

        if not where:
            where = _local(ztype.qname)[1] if ztype.qname is not None else "an anonymous type"
        _refuse_unsupported_children(ztype, where)
        out: list[FieldModel] = []
        text = _simple_content(ztype)
        if text is not None:
            # xs:simpleContent: zeep's stand-in element (``_value_1``) is the text.
            fm = FieldModel(attr="value", name="", namespace=None, min_occurs=1, text=True)
            if text.type.qname is not None:
                fm.type_name = _local(text.type.qname)[1]
            if _is_complex(text.type) or _is_untyped(text.type):
                raise CodegenError(
                    f"{where}: xs:simpleContent whose base is not a simple type is not "
                    "supported: give the extension a simple base type"
                )
            self._simple(fm, text.type, f"{where} (simple content)")
            out.append(fm)
        else:
            out += [self.field_for(name, el, where) for name, el in ztype.elements]
        any_attribute = False
        for name, attribute in ztype.attributes:
            if isinstance(attribute, AnyAttribute) or getattr(attribute, "qname", None) is None:
                # xs:anyAttribute (.NET SoapHeader classes, [XmlAnyAttribute]): nothing to
                # send; other attributes of an answer are ignored, as unknown elements are.
                any_attribute = True
                continue
            ns, local = _local(attribute.qname)
            fm = FieldModel(
                attr=snake(name),
                name=local,
                namespace=ns,
                min_occurs=1 if attribute.required else 0,
                attribute=True,
                schema_default=getattr(attribute, "default", None),
            )
            self._simple(fm, attribute.type, f"{where}/@{local}")
            if fm.schema_default is not None:
                _check_default(fm, f"{where}/@{local}")
            out.append(fm)
        # Two XML names with one Python name (``Street_Type`` and ``StreetType``): the
        # later one, in schema order, gets ``_2`` (then ``_3``, ...).
        seen: set[str] = set()
        for fm in out:
            base, n = fm.attr, 2
            while fm.attr in seen:
                fm.attr = f"{base.rstrip('_')}_{n}"
                n += 1
            seen.add(fm.attr)
        return out, any_attribute


def _check_default(fm: FieldModel, where: str) -> None:
    """Refuse an attribute default the runtime could not read as the attribute's type."""
    if fm.xsd is None or fm.xsd_list or fm.xsd in (UNTYPED, ANY_XML):
        raise CodegenError(
            f"{where}: a default ({fm.schema_default!r}) on an attribute of this type is not "
            "supported: drop the default or give the attribute a built-in simple type"
        )
    try:
        parse_scalar(fm.xsd, fm.schema_default, where)
    except MalformedResponseError as exc:
        raise CodegenError(
            f"{where}: default={fm.schema_default!r} is not a valid {fm.xsd}: correct the "
            f"schema's default ({exc})"
        ) from None


def _refuse_unsupported_children(ztype: Any, where: str | None = None) -> None:
    """A clear refusal for the content models the runtime cannot carry yet."""
    from zeep.xsd.elements.any import Any as XsdAny
    from zeep.xsd.elements.indicators import Choice, Group

    if where is None:
        where = _local(ztype.qname)[1] if ztype.qname is not None else "an anonymous type"
    if not hasattr(ztype, "elements"):
        raise CodegenError(
            f"{where}: a message wrapper of type xs:anyType (or of no type) is not "
            "supported: give the wrapper element a complex type"
        )
    if _simple_content(ztype) is not None:
        return  # xs:simpleContent, carried as a value field
    # zeep's ``elements`` flattens a choice nested in a sequence into plain (required)
    # elements: look for one in the nested content model, which keeps it.
    stack = [child for _, child in getattr(ztype, "elements_nested", [])]
    while stack:
        particle = stack.pop()
        if isinstance(particle, Choice):
            raise CodegenError(
                f"{where}: xs:choice is not supported: use an xs:sequence of optional elements"
            )
        if isinstance(particle, (list, tuple)) or type(particle).__name__ in ("Sequence", "All"):
            stack.extend(particle)
        elif isinstance(particle, Group):
            stack.append(particle.child)
    for _name, child in ztype.elements:
        if isinstance(child, Choice):
            raise CodegenError(
                f"{where}: xs:choice is not supported: use an xs:sequence of optional elements"
            )
        if isinstance(child, XsdAny):
            raise CodegenError(
                f"{where}: xs:any (wildcard content) beside other elements is not supported "
                "(only as the whole content, which is read as an lxml element): give the "
                "wildcard an element of its own"
            )
        if isinstance(child, Group):
            raise CodegenError(
                f"{where}: xs:group references are not supported: inline the group's elements"
            )
        if not hasattr(child, "qname"):
            raise CodegenError(
                f"{where}: {type(child).__name__} content is not supported: "
                "use an xs:sequence of elements"
            )


def _documentation(path: Path) -> dict[str, str]:
    """``wsdl:documentation`` of each portType operation, when the service has any."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    docs: dict[str, str] = {}
    for op in tree.iterfind(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation"):
        doc = op.find(f"{{{WSDL_NS}}}documentation")
        if doc is not None and (doc.text or "").strip():
            docs.setdefault(op.get("name", ""), " ".join((doc.text or "").split()))
    return docs


def apply_overlay(
    overlay: Overlay, operations: list[OperationModel], types: list[TypeModel]
) -> None:
    """Put the overlay's rules on the fields they name; refuse what the WSDL does not have."""
    by_op = {op.name: op for op in operations}
    for op_name, entries in overlay.operations.items():
        op = by_op.get(op_name)
        if op is None:
            raise OverlayError(
                f"{overlay.path}: operation {op_name!r} is not in the WSDL "
                f"(it has {', '.join(sorted(by_op))})"
            )
        params = {p.name: p for p in op.params}
        for name, rule in entries.items():
            target = params.get(name)
            if target is None:
                raise OverlayError(
                    f"{overlay.path}: {op_name} has no parameter {name!r} in the WSDL "
                    f"(its parameters: {', '.join(params)})"
                )
            if name in op.credential_params:
                raise OverlayError(
                    f"{overlay.path}: {op_name}.{name} is a credential the client fills in"
                )
            _constrain(overlay, f"{op_name}.{name}", target, rule)
    by_type = {t.name: t for t in types}
    for type_name, entries in overlay.types.items():
        model = by_type.get(type_name)
        if model is None:
            raise OverlayError(
                f"{overlay.path}: type {type_name!r} is not in the WSDL's schema "
                f"(it has {', '.join(sorted(by_type))})"
            )
        fields = {f.name: f for f in model.fields}
        for name, rule in entries.items():
            target = fields.get(name)
            if target is None:
                raise OverlayError(
                    f"{overlay.path}: type {type_name} has no element or attribute {name!r} "
                    f"(its children: {', '.join(fields)})"
                )
            _constrain(overlay, f"{type_name}.{name}", target, rule)


def _constrain(overlay: Overlay, where: str, target: FieldModel, rule: ConstraintModel) -> None:
    if target.xsd != "string" or target.repeated or target.item is not None:
        what = target.type_name or target.xsd or target.model
        raise OverlayError(
            f"{overlay.path}: {where} is {what} in the WSDL, not a single xsd:string: "
            "the overlay only describes what a string element carries"
        )
    target.constraint = rule


def _refuse_encoded(path: Path) -> None:
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    for ns in ("http://schemas.xmlsoap.org/wsdl/soap/", "http://schemas.xmlsoap.org/wsdl/soap12/"):
        for body in tree.iter(f"{{{ns}}}body"):
            if body.get("use") == "encoded":
                raise CodegenError(
                    'SOAP-encoded messages (soap:body use="encoded") are not supported: the '
                    'WS-I Basic Profile 1.1 (R2706) forbids them; only use="literal" is '
                    "generated (ask the service for its document/literal endpoint)"
                )


def _check_style(op_name: str, op: Any) -> None:
    """Only document/literal: refuse rpc style and SOAP encoding with a clear error."""
    if getattr(op, "style", "document") == "rpc":
        raise CodegenError(
            f'{op_name}: rpc-style binding (soap:binding/operation style="rpc") is not '
            "supported; only document/literal wrapped operations, as ASMX writes them "
            "(rpc/encoded is what the WS-I Basic Profile forbids; rpc/literal is not generated)"
        )
    if op.output is None:
        raise CodegenError(f"{op_name}: one-way operations (no wsdl:output) are not supported")


def _declared_faults(
    op_name: str, bop: Any, builder: _Builder, known: dict[str, FaultModel]
) -> list[FaultModel]:
    """The ``wsdl:fault`` elements of the operation's portType entry, as fault models.

    Each fault message must be one part naming an element of a complex type (what
    WCF and document/literal services write); ``known`` (by detail element tag)
    shares one model between the operations that declare the same fault.
    """
    out: list[FaultModel] = []
    messages = getattr(bop.abstract, "fault_messages", None) or {}
    for fault_name, message in messages.items():
        parts = list(message.parts.values())
        if len(parts) != 1 or parts[0].element is None:
            raise CodegenError(
                f"{op_name}: the wsdl:fault {fault_name} must be one message part naming an "
                "element (document/literal); typed parts are not supported"
            )
        element = parts[0].element
        if not _is_complex(element.type):
            raise CodegenError(
                f"{op_name}: the wsdl:fault {fault_name} detail element "
                f"{etree.QName(element.qname).localname} is a simple type; "
                "only complex-typed fault details are supported"
            )
        ns, local = _local(element.qname)
        tag = f"{{{ns}}}{local}" if ns else local
        fm = known.get(tag)
        if fm is None:
            fm = FaultModel(fault_name, local, ns, builder.class_for_element(element))
            known[tag] = fm
        fm.operations.append(op_name)
        out.append(fm)
    return out


def _name_faults(faults: list[FaultModel], types: list[TypeModel]) -> None:
    """One exception class name per fault: the fault name, ending in Fault/Error/Exception."""
    taken = {t.class_name for t in types}
    for fm in faults:
        base = pascal(fm.name)
        if not base.endswith(("Fault", "Error", "Exception")):
            base += "Fault"
        name = base if base not in taken else base + "Error"
        if name in taken:
            raise CodegenError(f"the wsdl:fault {fm.name}: class {name} is taken by a schema type")
        taken.add(name)
        fm.class_name = name


def _service_of(wsdl: Any, options: BuildOptions) -> Any:
    if options.service is not None:
        by_name = {_local(name)[1]: svc for name, svc in wsdl.services.items()}
        chosen = by_name.get(options.service)
        if chosen is None:
            raise CodegenError(
                f"no wsdl:service named {options.service!r} (the WSDL has "
                f"{', '.join(sorted(by_name)) or 'none'})"
            )
        return chosen
    if options.single_service:
        if len(wsdl.services) != 1:
            raise CodegenError(f"expected exactly one wsdl:service, found {len(wsdl.services)}")
        return next(iter(wsdl.services.values()))
    for name in sorted(wsdl.services):
        service = wsdl.services[name]
        if any(
            BINDING_KINDS.get(type(port.binding).__name__, "").startswith("SOAP")
            for port in service.ports.values()
        ):
            return service
    raise CodegenError("no wsdl:service with a SOAP 1.1 or SOAP 1.2 port")


def build(
    key: str,
    path: Path,
    client_class: str,
    root: Path,
    overlay: Overlay | None = None,
    options: BuildOptions = ASMX_SERVICE,
) -> ServiceModel:
    """The model of the WSDL at ``path``; :class:`CodegenError` is the only error raised.

    A refusal names the WSDL file, the type, element or operation, the construct and
    what to do; any other failure (a WSDL zeep cannot read, a truncated file, a
    reference to nothing) is a :class:`CodegenError` naming the file and the cause.
    """
    shown = path.as_posix()
    try:
        return _build(key, path, client_class, root, overlay, options)
    except OverlayError:
        raise  # names the overlay file, which is what to fix
    except CodegenError as exc:
        message = str(exc)
        if shown in message:
            raise
        raise CodegenError(f"{shown}: {message}") from exc
    except RecursionError as exc:
        raise CodegenError(
            f"{shown}: the schema nests too deeply to be read ({exc}): check for a type "
            "that extends itself"
        ) from None
    except Exception as exc:  # zeep, lxml and the walk over them: wrapped, never leaked
        cause = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}".strip()
        raise CodegenError(
            f"{shown}: the WSDL could not be read or modelled ({cause[:400]}); check that it "
            "is a complete, valid WSDL 1.1 document (python -m zeep can show where it fails)"
        ) from exc


def _build(
    key: str,
    path: Path,
    client_class: str,
    root: Path,
    overlay: Overlay | None,
    options: BuildOptions,
) -> ServiceModel:
    _refuse_encoded(path)
    wsdl, documents = _load(path)
    builder = _Builder(wsdl, _enumerations(documents))
    docs = _documentation(path)
    service = _service_of(wsdl, options)
    endpoints: dict[str, str] = {}
    per_binding: dict[str, Any] = {}
    for port in service.ports.values():
        kind = BINDING_KINDS.get(type(port.binding).__name__)
        if kind is None:
            continue
        address = (port.binding_options or {}).get("address")
        if address is None:
            raise CodegenError(
                f"the port {port.name} has no address (soap:address location); "
                "every port the client can call needs one"
            )
        if kind in per_binding:
            raise CodegenError(
                f"the service {_local(service.name)[1]} has two {kind} ports; the runtime "
                "keeps one address per binding: give the other port a service of its own"
            )
        endpoints[kind] = address
        per_binding[kind] = port.binding

    soap = per_binding.get("SOAP11") or per_binding.get("SOAP12")
    if soap is None:
        raise CodegenError("the WSDL has no SOAP binding")
    namespace = _local(soap.name)[0] or ""
    builder.plan_names(namespace)
    builder.plan_anonymous_names()
    operations: list[OperationModel] = []
    known_faults: dict[str, FaultModel] = {}
    for op_name in sorted(soap._operations):
        op = soap._operations[op_name]
        _check_style(op_name, op)
        req = op.input.body
        resp = op.output.body
        if req is None or resp is None or req.qname is None or resp.qname is None:
            raise CodegenError(
                f"{op_name}: the input and output must each be one element part "
                "(document/literal wrapped, as ASMX writes); this message has none"
            )
        op_namespace = _local(req.qname)[0] or ""
        if (_local(resp.qname)[0] or "") != op_namespace:
            raise CodegenError(
                f"{op_name}: the request and response elements are in different namespaces "
                f"({op_namespace} and {_local(resp.qname)[0]}); the runtime keeps one per operation"
            )
        _refuse_unsupported_children(req.type, f"{op_name} (request {_local(req.qname)[1]})")
        _refuse_unsupported_children(resp.type, f"{op_name} (response {_local(resp.qname)[1]})")
        params, _ = builder.fields_of(req.type, f"{op_name} (request {_local(req.qname)[1]})")
        credential_params: tuple[str, ...] = ()
        if options.credentials is not None:
            wanted = tuple(c.lower() for c in options.credentials)
            creds = [p.name for p in params if p.name.lower() in wanted]
            if sorted(c.lower() for c in creds) != sorted(wanted):
                raise CodegenError(f"{op_name}: no {'/'.join(options.credentials)} parameters")
            credential_params = tuple(next(c for c in creds if c.lower() == w) for w in wanted)
        result_children = resp.type.elements
        response_name = _local(resp.qname)[1]
        if len(result_children) > 1:
            raise CodegenError(
                f"{op_name}: the response wrapper {response_name} has "
                f"{len(result_children)} children; a result is one element (.NET out and ref "
                "parameters are not supported): return one type holding them"
            )
        if not result_children:
            # A void method: ASMX writes an empty wrapper (<s:complexType />) for it, as
            # SoapReflector / ServiceDescriptionReflector do in mono's
            # mcs/class/System.Web.Services/System.Web.Services.Description/.
            result = FieldModel(attr="result", name="", namespace=None)
        else:
            result = builder.field_for(
                result_children[0][0], result_children[0][1], f"{op_name} result"
            )
        simple = result.model is None and result.item is None and result.name != ""
        if simple and result.xsd not in (UNTYPED, ANY_XML) and not options.scalar_results:
            raise CodegenError(
                f"{op_name}: the result {result.name} is a simple type ({result.xsd}); this "
                "generation's rules want complex results: use BuildOptions(scalar_results=True) "
                "(the any-service rules) in codegen/config.py if that is right"
            )
        if result.repeated:
            raise CodegenError(
                f"{op_name}: the result element {result.name} repeats (maxOccurs > 1); "
                "a result must be one element (wrap a list in an ArrayOf type)"
            )
        if result.item is not None and result.item.model is None and not options.scalar_results:
            raise CodegenError(
                f"{op_name}: the result {result.name} is an array of simple values; this "
                "generation's rules want complex results: use BuildOptions(scalar_results=True)"
            )
        plain = result.model is not None or (simple and result.xsd not in (UNTYPED, ANY_XML))
        bindings: list[str] = []
        actions: dict[str, str] = {}
        http_location = None
        http_params: list[tuple[str, str, bool]] = []
        http_result = None
        for kind in ("SOAP11", "SOAP12", "HTTP_GET", "HTTP_POST"):
            binding = per_binding.get(kind)
            if binding is None or op_name not in binding._operations:
                continue
            bop = binding._operations[op_name]
            if kind.startswith("SOAP"):
                bindings.append(kind)
                actions[kind] = bop.soapaction or ""
                continue
            out_body = getattr(bop.output, "body", None) if bop.output is not None else None
            if not plain and (
                out_body is None
                or out_body.type.qname is None
                or _local(out_body.type.qname)[1] != result.type_name
                or result.type_name == ""
            ):
                # A void, untyped or XML result over HTTP GET/POST has no typed answer
                # element (<wsdl:output/>, or an anyType one): such operations are called
                # over SOAP only (UnsupportedBindingError names the binding before sending).
                continue
            bindings.append(kind)
            location = bop.location
            if http_location not in (None, location):
                raise CodegenError(f"{op_name}: HTTP GET and POST locations differ")
            http_location = location
            parts = [
                (name, snake(name), _array_item(el.type) is not None or _is_complex(el.type))
                for name, el in bop.input.body.type.elements
            ]
            if http_params and parts != http_params:
                raise CodegenError(f"{op_name}: HTTP GET and POST parameters differ")
            http_params = parts
            http_result = _local(bop.output.body.qname)[1]
            http_type = bop.output.body.type
            if http_type.qname is None or _local(http_type.qname)[1] != result.type_name:
                raise CodegenError(
                    f"{op_name}: the {kind} answer is not of the SOAP result's type "
                    f"{result.type_name}; the runtime reads both with one class"
                )
        operations.append(
            OperationModel(
                name=op_name,
                python_name=snake(op_name),
                namespace=op_namespace,
                soap_actions=actions,
                request_element=_local(req.qname)[1],
                params=params,
                credential_params=credential_params,
                response_element=_local(resp.qname)[1],
                result=result,
                bindings=bindings,
                http_location=http_location,
                http_params=http_params,
                http_result_element=http_result,
                documentation=docs.get(op_name, ""),
                faults=_declared_faults(op_name, op, builder, known_faults),
                changes_state=changes_state(op_name),
            )
        )
    names = [o.python_name for o in operations]
    if len(set(names)) != len(names):
        raise CodegenError(f"two operations share a Python name: {names}")
    # Every named complex type of the schema gets a class, used or not.
    for ztype in sorted(wsdl.types.types, key=lambda t: str(t.qname)):
        if ztype.qname is None or not _is_complex(ztype):
            continue
        ns, _ = _local(ztype.qname)
        if ns != namespace or _array_item(ztype) is not None or _is_any_xml(ztype):
            continue
        builder.class_for(ztype)
    types = [builder.types[k] for k in builder.order]
    faults = list(known_faults.values())
    _name_faults(faults, types)
    for om in operations:
        rule = outcome_lookup(om.name)
        if rule is not None:
            try:
                om.outcome_lookup = _resolve_lookup(om, rule, operations, types)
            except CodegenError as exc:
                om.outcome_lookup_unfit = str(exc)
    if overlay is not None:
        apply_overlay(overlay, operations, types)
    return ServiceModel(
        key=key,
        wsdl_path=path.relative_to(root).as_posix(),
        name=_local(service.name)[1],
        namespace=namespace,
        client_class=client_class,
        endpoints=endpoints,
        types=types,
        operations=operations,
        overlay=None if overlay is None else overlay.path,
        faults=faults,
    )


def _resolve_lookup(
    op: OperationModel,
    rule: LookupRule,
    operations: list[OperationModel],
    types: list[TypeModel],
) -> LookupModel:
    """``rule`` (codegen/policies.py) in attribute names, every name checked against the WSDL."""

    def fail(why: str) -> CodegenError:
        return CodegenError(
            f"{op.name}: the outcome lookup of codegen/policies.py does not fit the WSDL: "
            f"{why}; correct QUEUES_AN_IMAGE"
        )

    def param(owner: OperationModel, name: str) -> str:
        for p in owner.params:
            if p.name == name and p.xsd is not None and not p.repeated:
                return p.attr
        raise fail(f"{owner.name} has no single simple parameter {name}")

    by_class = {t.class_name: t for t in types}

    def children(owner: str, model: str | None) -> dict[str, FieldModel]:
        found = by_class.get(model or "")
        if found is None:
            raise fail(f"{owner} is not a complex type")
        return {f.name: f for f in found.fields if not f.attribute}

    lookup = next((o for o in operations if o.name == rule.operation), None)
    if lookup is None:
        raise fail(f"the service has no operation {rule.operation}")
    if lookup.changes_state:
        raise fail(f"{lookup.name} changes state; a lookup must be read-only")
    answer = children(f"the result of {lookup.name}", lookup.result.model)
    item = answer.get(rule.found)
    if item is None or item.model is None or item.repeated:
        raise fail(f"the result of {lookup.name} has no single {rule.found}")
    item_fields = children(rule.found, item.model)
    result_fields = children(f"the result of {op.name}", op.result.model)
    if set(result_fields) != set(rule.result):
        raise fail(
            f"the result of {op.name} has the fields {sorted(result_fields)}, the rule "
            f"builds {sorted(rule.result)}"
        )
    mapping: list[tuple[str, str]] = []
    for target, source in rule.result.items():
        have = item_fields.get(source)
        if have is None:
            raise fail(f"{rule.found} has no {source}")
        if (have.xsd, have.model) != (result_fields[target].xsd, result_fields[target].model):
            raise fail(f"{rule.found}.{source} and {target} differ in type")
        mapping.append((result_fields[target].attr, have.attr))
    return LookupModel(
        key=param(op, rule.key),
        operation=lookup.name,
        method=lookup.python_name,
        by=param(lookup, rule.by),
        fixed=[(param(lookup, name), value) for name, value in rule.fixed.items()],
        found=item.attr,
        result=mapping,
        source=rule.source,
        rule=rule,
    )

"""The real-world part of the WSDL corpus (tests/wsdl-corpus/, see PROVENANCE.md there) and
the .NET constructs each of its WSDLs shows, counted from the WSDL and the schemas it imports.

Used by tests/codegen/test_wsdl_corpus.py and by tests/codegen/corpus_report.py, which prints
what codegen does with each (build / refused / crash) and how many envelopes equal zeep's.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from support.paths import REPO_ROOT

CORPUS = REPO_ROOT / "tests" / "wsdl-corpus"

# Entry WSDLs of public ASMX and WCF services (or of .NET test services), the twenty the
# corpus figures count, with what each is there for.
REAL_WORLD: dict[str, str] = {
    "savon/interhome.wsdl": "Interhome (ASMX): a SOAP header class with anyAttribute",
    "savon/taxcloud.wsdl": "TaxCloud (ASMX): enumerations",
    "wasabi/economic.wsdl": "e-conomic (ASMX, 1511 operations): arrays, void operations",
    "wasabi/namespaced_actions.wsdl": "an ASMX API: untyped elements (.NET object)",
    "wsdl2phpgenerator/currency_convertor.wsdl": "webservicex CurrencyConvertor (ASMX): enums",
    "node-soap/agresso_timesheet.wsdl": "Agresso timesheets (ASMX): array results",
    "wsdl-to-postman/avm_properties_dataset.wsdl": "an ASMX service: DataSet results",
    "wsdl-to-postman/texas_geocoder.wsdl": "Texas A&M geocoder (ASMX): a [Flags] enum",
    "wsdl-to-postman/soap_body_auth_headers.wsdl": "ASMX: a header class with anyAttribute",
    "wsdl-to-postman/xml_method.wsdl": ".NET (SoapCore): an XmlElement parameter, void",
    "fsharp-wsdlprovider/direct_click.wsdl": "Siriona DirectClick (ASMX): arrays, void, flags",
    "fsharp-wsdlprovider/planning.wsdl": "Availpro planning (ASMX): untyped elements, void",
    "fsharp-wsdlprovider/weather.wsdl": "CDYNE weather (ASMX): an array of complex items",
    "fsharp-wsdlprovider/synxis.wsdl": "SynXis Channel Connect (WCF): simple content, lists",
    "fsharp-wsdlprovider/national-rail/NationalRail.wsdl": (
        "National Rail OpenLDBWS (ASMX): simple content, one type name in several namespaces"
    ),
    "dotnet-wcf/collection_types.wsdl": "a WCF test service: dictionaries, arrays, anyType",
    "dotnet-wcf/dataset_wrapper.wsdl": "a .NET test service: a DataSet field",
    "wsdltophp/my_board_pack.wsdl": "MyBoardPack (WCF, 128 operations): repeated type names",
    "wsdltophp/bingsearch.wsdl": "Bing API 2.0 (ASMX): enumerations",
    "wsdl-tsclient/products.wsdl": "24SevenOffice products (ASMX): array results",
}

# The constructs of issue 19, in the order the docs' table lists them.
CONSTRUCTS: dict[str, str] = {
    "array_complex": "array result, complex items (`ArrayOfT`)",
    "array_scalar": "array result, scalar items (`ArrayOfString`, ...)",
    "dictionary": "WCF dictionary (`ArrayOfKeyValueOf...`)",
    "void": "void operation (empty response wrapper)",
    "header_any_attribute": "SOAP header class with `<s:anyAttribute/>`",
    "untyped": "untyped element (.NET `object`, `xs:anyType`)",
    "array_of_any_type": "`ArrayOfAnyType` (.NET `object[]`)",
    "dataset": 'DataSet (`<s:element ref="s:schema"/><s:any/>`)',
    "xml_node": "XmlNode / XmlElement (`<s:any/>` alone)",
    "flags": "`[Flags]` enum (`xs:list` of an enumeration)",
    "simple_content_attrs": "`xs:simpleContent` with attributes",
    "simple_content_text": "`xs:simpleContent` without attributes",
    "anonymous_same_name": "anonymous types of one element name with different content",
    "same_name": "one type name in several namespaces",
    "enumeration": "enumeration (`xs:enumeration`)",
}

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP_NS = ("http://schemas.xmlsoap.org/wsdl/soap/", "http://schemas.xmlsoap.org/wsdl/soap12/")


def _documents(path: Path) -> Iterator[etree._Element]:
    """The WSDL and every local document it imports (wsdl:import, xs:import, xs:include)."""
    seen: set[Path] = set()
    todo = [path.resolve()]
    while todo:
        current = todo.pop()
        if current in seen or not current.is_file():
            continue
        seen.add(current)
        root = etree.parse(str(current)).getroot()
        yield root
        for el in root.iter(f"{{{WSDL}}}import", f"{{{XS}}}import", f"{{{XS}}}include"):
            where = el.get("location") or el.get("schemaLocation")
            if where and "://" not in where:
                todo.append((current.parent / where).resolve())


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _qname(el: etree._Element, value: str) -> tuple[str | None, str]:
    prefix, _, local = value.rpartition(":")
    return el.nsmap.get(prefix or None), local


def constructs(path: Path) -> collections.Counter[str]:
    """How many times each construct of CONSTRUCTS occurs in the WSDL at ``path``."""
    found: collections.Counter[str] = collections.Counter()
    docs = list(_documents(path))
    schemas = [s for doc in docs for s in doc.iter(f"{{{XS}}}schema")]
    types: dict[tuple[str | None, str], etree._Element] = {}
    elements: dict[tuple[str | None, str], etree._Element] = {}
    names: dict[str, set[str | None]] = collections.defaultdict(set)
    for schema in schemas:
        tns = schema.get("targetNamespace")
        for t in schema:
            if _local(t) in ("complexType", "simpleType") and t.get("name"):
                types[(tns, t.get("name"))] = t
                names[t.get("name")].add(tns)
            elif _local(t) == "element" and t.get("name"):
                elements[(tns, t.get("name"))] = t
    found["same_name"] = sum(1 for spaces in names.values() if len(spaces) > 1)
    inline: dict[str, set[bytes]] = collections.defaultdict(set)
    for schema in schemas:
        for el in schema.iter(f"{{{XS}}}element"):
            ct = el.find(f"{{{XS}}}complexType")
            if el.get("name") and ct is not None:
                inline[el.get("name", "")].add(etree.tostring(ct, method="c14n"))
    found["anonymous_same_name"] = sum(1 for contents in inline.values() if len(contents) > 1)

    def complex_of(el: etree._Element) -> etree._Element | None:
        inline = el.find(f"{{{XS}}}complexType")
        if inline is not None:
            return inline
        if el.get("type"):
            t = types.get(_qname(el, el.get("type", "")))
            return t if t is not None and _local(t) == "complexType" else None
        return None

    def children(ct: etree._Element) -> list[etree._Element]:
        return [c for c in ct.iter(f"{{{XS}}}element", f"{{{XS}}}any") if c.getparent() is not None]

    for schema in schemas:
        for el in schema.iter(f"{{{XS}}}element"):
            if el.get("ref", "").endswith(":schema"):
                found["dataset"] += 1
            elif el.get("name") and el.get("ref") is None:
                if (el.get("type") is None and len(el) == 0) or (
                    el.get("type", "").endswith(":anyType")
                    and _qname(el, el.get("type", ""))[0] == XS
                ):
                    found["untyped"] += 1
        for seq in schema.iter(f"{{{XS}}}sequence"):
            kids = [k for k in seq if _local(k)]
            if len(kids) == 1 and _local(kids[0]) == "any":
                found["xml_node"] += 1
        for ct in schema.iter(f"{{{XS}}}complexType"):
            if ct.get("name") == "ArrayOfAnyType":
                found["array_of_any_type"] += 1
            if (ct.get("name") or "").startswith("ArrayOfKeyValueOf"):
                found["dictionary"] += 1
        for sc in schema.iter(f"{{{XS}}}simpleContent"):
            has_attrs = next(sc.iter(f"{{{XS}}}attribute"), None) is not None
            found["simple_content_attrs" if has_attrs else "simple_content_text"] += 1
        for st in schema.iter(f"{{{XS}}}simpleType"):
            if (
                next(st.iter(f"{{{XS}}}enumeration"), None) is not None
                and st.find(f"{{{XS}}}list") is None
            ):
                found["enumeration"] += 1
        for lst in schema.iter(f"{{{XS}}}list"):
            item = lst.get("itemType")
            target = types.get(_qname(lst, item)) if item else lst.find(f"{{{XS}}}simpleType")
            if target is not None and next(target.iter(f"{{{XS}}}enumeration"), None) is not None:
                found["flags"] += 1

    # operations: the response wrapper of each document/literal output message
    messages = {
        (doc.get("targetNamespace"), m.get("name")): m
        for doc in docs
        for m in doc.findall(f"{{{WSDL}}}message")
    }
    seen_wrappers: set[tuple[str | None, str]] = set()
    for doc in docs:
        for op in doc.iter(f"{{{WSDL}}}operation"):
            out = op.find(f"{{{WSDL}}}output")
            if out is None or not out.get("message"):
                continue
            msg = messages.get(_qname(out, out.get("message", "")))
            if msg is None:
                continue
            for part in msg.findall(f"{{{WSDL}}}part"):
                key = _qname(part, part.get("element", "")) if part.get("element") else None
                if key is None or key in seen_wrappers or key not in elements:
                    continue
                seen_wrappers.add(key)
                wrapper = complex_of(elements[key])
                kids = children(wrapper) if wrapper is not None else []
                if wrapper is not None and not kids:
                    found["void"] += 1
                if len(kids) == 1 and kids[0].get("type"):
                    array = complex_of(kids[0])
                    items = children(array) if array is not None else []
                    if len(items) == 1 and items[0].get("maxOccurs") == "unbounded":
                        item_type = items[0].get("type") or ""
                        namespace, local = _qname(items[0], item_type) if item_type else (XS, "")
                        if local.startswith("KeyValueOf") or "KeyValueOf" in (
                            items[0].get("name") or ""
                        ):
                            continue
                        scalar = namespace == XS or (
                            (namespace, local) in types
                            and _local(types[(namespace, local)]) == "simpleType"
                        )
                        found["array_scalar" if scalar else "array_complex"] += 1

    # SOAP header classes with anyAttribute (each header element once)
    headers: set[tuple[str | None, str]] = set()
    for doc in docs:
        for header in doc.iter(*(f"{{{ns}}}header" for ns in SOAP_NS)):
            msg = messages.get(_qname(header, header.get("message", "")))
            if msg is None:
                continue
            for part in msg.findall(f"{{{WSDL}}}part"):
                if part.get("name") != header.get("part") or not part.get("element"):
                    continue
                key = _qname(part, part.get("element", ""))
                el = elements.get(key)
                ct = complex_of(el) if el is not None else None
                if ct is not None and ct.find(f"{{{XS}}}anyAttribute") is not None:
                    headers.add(key)
    found["header_any_attribute"] = len(headers)
    return +found


def operations(path: Path) -> int:
    """The operations of the WSDL's portTypes (its own and those it imports)."""
    return sum(
        len(doc.findall(f"{{{WSDL}}}portType/{{{WSDL}}}operation")) for doc in _documents(path)
    )

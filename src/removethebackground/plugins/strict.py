"""Schema-strict mode: every message checked against the WSDL's own XML Schema.

``PixelzClient(..., strict=validator_for)`` (``strict=`` takes a function from the
service to its validator, see :mod:`removethebackground.core.config`; this module's
:func:`validator_for` is one) validates each outgoing request, before it is
sent, and each incoming answer, before it is read, against the schema embedded in
the service's WSDL (``<wsdl:types>``). The generated code already refuses what the
Python types cannot carry; strict mode adds everything else the schema says,
including facets the generated types do not model (``maxLength``, ``pattern``,
``enumeration`` ...), and answers that a lenient reader would accept (unknown or
misplaced elements, values that do not fit their type).

The schema comes from the WSDL that codegen copies into the package at build time
(``generated/wsdl/<key>/``); it is parsed and compiled only when strict mode is
first used, once per service, with no network access: the schemas of the WSDL
import each other in memory, and a schema that imports a namespace the WSDL does
not carry (the SOAP-encoding schema, which only the HTTP bindings' abstract types
use) is left out.

A request that breaks the schema raises
:class:`~removethebackground.core.errors.InvalidParameterError` naming the
parameter (its Python name), the element and the rule; an answer that breaks it raises
:class:`~removethebackground.core.errors.MalformedResponseError`.
Faults are not validated (ASMX's fault elements are not in the WSDL's schema).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from typing import Any

from lxml import etree

from ..bindings.soap import SOAP_ENVELOPES
from ..core.codec import build_children, safe_fromstring
from ..core.errors import InvalidParameterError, MalformedResponseError
from ..core.http import HttpAnswer
from ..core.wire import Binding, Operation, Service
from ..core.wsdl import vendored_wsdl

__all__ = ["SchemaValidator", "validator_for"]

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
_SCHEME = "rtb-schema:"


class _MemoryResolver(etree.Resolver):
    """Resolves the in-memory locations given to the WSDL's schema imports."""

    def __init__(self, documents: Mapping[str, bytes]) -> None:
        super().__init__()
        self._documents = documents

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:  # type: ignore[override]
        data = self._documents.get(system_url)
        if data is None:
            return None
        return self.resolve_string(data, context)  # type: ignore[call-arg]


def _schemas_of(wsdl: bytes) -> dict[str, etree._Element]:
    root = safe_fromstring(wsdl, "WSDL")
    found: dict[str, etree._Element] = {}
    for schema in root.iterfind(f"{{{WSDL_NS}}}types/{{{XSD_NS}}}schema"):
        # A standalone copy that keeps every namespace in scope in the WSDL: the
        # schema's QName references (type="tns:X") use prefixes declared on the root.
        alone = etree.Element(schema.tag, attrib=dict(schema.attrib), nsmap=schema.nsmap)  # type: ignore[arg-type, misc]
        alone.extend(copy.deepcopy(child) for child in schema)
        found[schema.get("targetNamespace", "")] = alone
    return found


def _compile(service: Service, wsdl: bytes | None = None) -> etree.XMLSchema:
    schemas = _schemas_of(vendored_wsdl(service) if wsdl is None else wsdl)

    def closure(ns: str, seen: set[str]) -> bool:
        """Whether the schema of ``ns`` and everything it imports is available."""
        if ns in seen:
            return True
        seen.add(ns)
        schema = schemas.get(ns)
        if schema is None:
            return False
        imports = schema.iterfind(f"{{{XSD_NS}}}import")
        return all(closure(i.get("namespace", ""), seen) for i in imports)

    if not closure(service.namespace, set()):
        raise MalformedResponseError(
            f"strict mode: the schema of {service.namespace} imports a namespace the WSDL "
            "does not carry"
        )
    documents: dict[str, bytes] = {}
    for ns, schema in schemas.items():
        for imp in schema.iterfind(f"{{{XSD_NS}}}import"):
            target = imp.get("namespace", "")
            if target in schemas:
                imp.set("schemaLocation", _SCHEME + target)
        documents[_SCHEME + ns] = etree.tostring(schema)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parser.resolvers.add(_MemoryResolver(documents))
    main = etree.fromstring(documents[_SCHEME + service.namespace], parser)
    return etree.XMLSchema(main)


class SchemaValidator:
    """The compiled schema of one service, and the checks of strict mode.

    ``wsdl`` overrides the packaged WSDL the schema is read from (for a service
    whose live WSDL says more than the vendored one).
    """

    def __init__(self, service: Service, wsdl: bytes | None = None) -> None:
        self.service = service
        self._schema = _compile(service, wsdl)
        self._lock = threading.Lock()  # an XMLSchema's error log is per object

    def _violation(self, element: etree._Element) -> tuple[str, str] | None:
        """(element local name, message) of the first violation, or ``None``."""
        with self._lock:
            if self._schema.validate(element):
                return None
            error = self._schema.error_log.last_error  # type: ignore[attr-defined]
        message = error.message if error is not None else "invalid"
        name = message.split("'", 2)[1] if message.startswith("Element '") else ""
        return etree.QName(name).localname if name else "", message

    def check_request(self, op: Operation[Any], values: Mapping[str, object]) -> None:
        """Validate the request element of ``op`` with ``values``, before sending."""
        element = etree.Element(op.request_tag, nsmap={None: op.namespace})  # type: ignore[dict-item]
        build_children(element, op.params, values)
        found = self._violation(element)
        if found is None:
            return
        name, message = found
        attr = next((f.attr for f in op.params if f.name == name), name or op.request_element)
        raise InvalidParameterError(
            attr,
            f"violates the WSDL schema ({op.request_element}/{name}): {message}",
        )

    def check_answer(self, op: Operation[Any], binding: Binding, answer: HttpAnswer) -> None:
        """Validate the answer's result element; faults and non-XML are left to the binding."""
        if answer.status != 200 or not answer.body:
            return
        try:
            root = safe_fromstring(answer.body)
        except MalformedResponseError:
            return  # the binding reports it, with its context
        element = root
        tag = root.tag if isinstance(root.tag, str) else ""
        ns = tag[1 : tag.find("}")] if tag.startswith("{") else ""
        if ns in SOAP_ENVELOPES:
            body = root.find(f"{{{ns}}}Body")
            if body is None or not len(body) or body[0].tag == f"{{{ns}}}Fault":
                return
            element = body[0]
        found = self._violation(copy.deepcopy(element))
        if found is None:
            return
        name, message = found
        raise MalformedResponseError(
            f"the answer violates the WSDL schema ({name or element.tag}): {message}",
            http_status=answer.status,
            operation=op.name,
            binding=binding.value,
        )


_VALIDATORS: dict[str, SchemaValidator] = {}
_VALIDATORS_LOCK = threading.Lock()


def validator_for(service: Service) -> SchemaValidator:
    """The validator of ``service``, compiled on first use and kept: what a client's
    ``strict=`` takes (``PixelzClient(..., strict=validator_for)``)."""
    with _VALIDATORS_LOCK:
        found = _VALIDATORS.get(service.wsdl_resource)
        if found is None or found.service is not service:
            found = SchemaValidator(service)
            _VALIDATORS[service.wsdl_resource] = found
    return found

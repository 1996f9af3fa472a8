"""Write a :class:`~codegen.model.ServiceModel` out as Python source and a golden file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .config import GenerationConfig
from .model import FaultModel, FieldModel, OperationModel, ServiceModel, TypeModel

PLAIN_XSD = frozenset(
    {
        "string",
        "anyURI",
        "normalizedString",
        "token",
        "int",
        "long",
        "short",
        "byte",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
        "integer",
        "boolean",
        "decimal",
        "double",
        "float",
        "dateTime",
        "date",
        "base64Binary",
        "guid",
        "char",
    }
)

BINDING_TITLES = {
    "SOAP11": "SOAP 1.1",
    "SOAP12": "SOAP 1.2",
    "HTTP_GET": "HTTP GET",
    "HTTP_POST": "HTTP POST",
}


def header(service: ServiceModel, root: Path, comment: str = "#") -> str:
    digest = hashlib.sha256((root / service.wsdl_path).read_bytes()).hexdigest()
    overlay = ""
    if service.overlay is not None:
        overlay = (
            f"{comment} With the reviewed overlay {service.overlay} (values the WSDL cannot say).\n"
        )
    return (
        f"{comment} Generated from {service.wsdl_path} by codegen; do not edit.\n"
        f"{comment} WSDL sha256: {digest}\n"
        f"{overlay}"
        f"{comment} Regenerate with `make codegen`; `make codegen-check` fails when stale.\n"
    )


def _ns_expr(ns: str | None, service: ServiceModel) -> str:
    if ns is None:
        return "None"
    return "NS" if ns == service.namespace else repr(ns)


def _field_expr(f: FieldModel, service: ServiceModel) -> str:
    args = [repr(f.attr), repr(f.name), _ns_expr(f.namespace, service)]
    if f.xsd is not None:
        args.append(f"xsd={f.xsd!r}")
    if f.model is not None:
        args.append(f"model={f.model}")
    if f.item is not None:
        args.append(f"item={_field_expr(f.item, service)}")
    if f.min_occurs != 0:
        args.append(f"min_occurs={f.min_occurs}")
    if f.max_occurs != 1:
        args.append(f"max_occurs={f.max_occurs!r}")
    if f.nillable:
        args.append("nillable=True")
    if f.attribute:
        args.append("attribute=True")
    if f.type_name:
        args.append(f"type_name={f.type_name!r}")
    if f.constraint is not None:
        args.append(f"constraint={f.constraint.render()}")
    if f.xsd_list:
        args.append("xsd_list=True")
    if f.text:
        args.append("text=True")
    if f.schema_default is not None:
        args.append(f"default={f.schema_default!r}")
    return f"Field({', '.join(args)})"


def _rule(f: FieldModel) -> str:
    """The overlay rule of a field and its source, for docstrings; ``""`` without one."""
    if f.constraint is None:
        return ""
    text = f"; {f.constraint.describe()} (source: {f.constraint.source})"
    return text.replace("\\", "\\\\")  # the docstring is not a raw string


def _occurs(f: FieldModel) -> str:
    upper = "unbounded" if f.max_occurs is None else str(f.max_occurs)
    nil = ", nillable" if f.nillable else ""
    return f"[{f.min_occurs}..{upper}{nil}]"


def _xml_type(f: FieldModel) -> str:
    if f.item is not None:
        return f"{f.type_name} of {f.item.name}"
    if f.xsd == "anyType" and not f.type_name:
        return "untyped"
    if f.xsd == "xml":
        return f"{f.type_name or 'anonymous'}: any XML"
    kind = f.type_name or f.xsd or f.model or "?"
    if f.xsd_list:
        kind += f" (xs:list of {f.xsd})"
    return kind


def _render_type(t: TypeModel) -> list[str]:
    lines = [
        "@dataclass(kw_only=True, slots=True)",
        f"class {t.class_name}(WireModel):",
        f'    """Schema type ``{t.name}``.',
        "",
    ]
    if not t.fields:
        lines.append("    It has no children: an empty element.")
    for f in t.fields:
        if f.text:
            lines.append(f"    - ``{f.attr}``: the element's text ({_xml_type(f)})")
            continue
        kind = "attribute" if f.attribute else "element"
        lines.append(
            f"    - ``{f.attr}``: {kind} ``{f.name}`` ({_xml_type(f)}) {_occurs(f)}{_rule(f)}"
        )
    if t.any_attribute:
        lines.append("")
        lines.append("    It allows any other attribute (xs:anyAttribute): none is sent, and")
        lines.append("    those of an answer are ignored.")
    lines.append('    """')
    if t.fields:
        lines.append("")
    for f in t.fields:
        default = f.default()
        suffix = f" = {default}" if default is not None else ""
        lines.append(f"    {f.attr}: {f.annotation()}{suffix}")
    return lines


def _render_fault(fm: FaultModel) -> list[str]:
    ops = ", ".join(f"``{name}``" for name in fm.operations)
    return [
        f"class {fm.class_name}(DeclaredFault[{fm.model}]):",
        f'    """The declared fault ``{fm.name}`` (``wsdl:fault``) of {ops}.',
        "",
        f"    Raised when a fault's detail carries ``{fm.element}``; ``detail_value`` holds it",
        f"    as :class:`{fm.model}`.",
        '    """',
    ]


def _fault_expr(fm: FaultModel, service: ServiceModel) -> str:
    ns = _ns_expr(fm.namespace, service)
    return f"FaultSpec({fm.name!r}, {fm.element!r}, {ns}, model={fm.model}, error={fm.class_name})"


def _signature_params(op: OperationModel) -> list[FieldModel]:
    return [p for p in op.params if p.name not in op.credential_params]


def _param_decl(p: FieldModel) -> str:
    """A keyword parameter; required elements (minOccurs >= 1) have no default."""
    default = p.default()
    if default is None:
        return f"{p.attr}: {p.annotation()}"
    if default.startswith("field("):
        return f"{p.attr}: {p.annotation()} | None = None"
    return f"{p.attr}: {p.annotation()} = {default}"


def _op_const(op: OperationModel) -> str:
    return f"OP_{op.python_name.upper()}"


def _result_class(op: OperationModel) -> str:
    """The result's generated class, or its Python type for a simple-typed result."""
    if op.result.model is not None:
        return op.result.model
    if op.result.name == "":
        return "None"  # a void method
    if op.result.item is not None:
        inner = op.result.item.scalar_annotation(overlay=False)
        return f"list[{inner} | None]" if op.result.item.nillable else f"list[{inner}]"
    if op.result.xsd in ("anyType", "xml"):
        return f"{op.result.scalar_annotation(overlay=False)} | None"
    return op.result.scalar_annotation(overlay=False)


def _result_model(op: OperationModel) -> str:
    """The ``result_model`` of the operation's wire facts: a class, as ``type[R]`` wants."""
    result = _result_class(op)
    if op.result.model is not None:
        return result
    if result == "None":
        return "type(None)"
    if result.startswith("list["):
        return "list"
    if op.result.xsd in ("anyType", "xml"):
        return f"cast({f'type[{result}]'!r}, object)"
    return _op_type(op)


def _op_type(op: OperationModel) -> str:
    """The type parameter of the operation's ``Operation[...]``: the result's type, except
    that an enumeration's ``Literal[...] | str`` is ``str`` there (``type[...]`` cannot
    hold literals; the method's return annotation keeps them)."""
    if op.result.enumeration and op.result.item is None and not op.result.xsd_list:
        return op.result.scalar_annotation(overlay=False).rpartition(" | ")[2]
    return _result_class(op)


def _render_operation_fact(op: OperationModel, service: ServiceModel) -> list[str]:
    lines = [f"{_op_const(op)}: Operation[{_op_type(op)}] = Operation("]
    lines.append(f"    name={op.name!r},")
    lines.append(f"    python_name={op.python_name!r},")
    lines.append(f"    namespace={_ns_expr(op.namespace, service)},")
    actions = ", ".join(f"Binding.{k}: {v!r}" for k, v in op.soap_actions.items())
    lines.append(f"    soap_actions={{{actions}}},")
    lines.append(f"    request_element={op.request_element!r},")
    lines.append("    params=(")
    for p in op.params:
        lines.append(f"        {_field_expr(p, service)},")
    lines.append("    ),")
    lines.append(f"    credential_params={op.credential_params!r},")
    lines.append(f"    response_element={op.response_element!r},")
    if op.result.name == "":
        lines.append("    result=VOID,")
    else:
        lines.append(f"    result={_field_expr(op.result, service)},")
    lines.append(f"    result_model={_result_model(op)},")
    bindings = ", ".join(f"Binding.{b}" for b in op.bindings)
    lines.append(f"    bindings=frozenset(({bindings},)),")
    if op.http_location is not None:
        lines.append(f"    http_location={op.http_location!r},")
        lines.append("    http_params=(")
        for name, attr, array in op.http_params:
            extra = ", array=True" if array else ""
            lines.append(f"        HttpParam({name!r}, {attr!r}{extra}),")
        lines.append("    ),")
        lines.append(f"    http_result_element={op.http_result_element!r},")
    if op.documentation:
        lines.append(f"    documentation={op.documentation!r},")
    if op.faults:
        lines.append("    faults=(")
        for fm in op.faults:
            lines.append(f"        {_fault_expr(fm, service)},")
        lines.append("    ),")
    lines.append(f"    changes_state={op.changes_state!r},")
    lookup = op.outcome_lookup
    if lookup is not None:
        lines.append("    outcome_lookup=OutcomeLookup(")
        lines.append(f"        key={lookup.key!r},")
        lines.append(f"        operation={lookup.operation!r},")
        lines.append(f"        method={lookup.method!r},")
        lines.append(f"        by={lookup.by!r},")
        lines.append(f"        fixed={tuple(lookup.fixed)!r},")
        lines.append(f"        found={lookup.found!r},")
        lines.append(f"        result={tuple(lookup.result)!r},")
        lines.append(f"        source={lookup.source!r},")
        lines.append("    ),")
    lines.append(")")
    return lines


def async_client_class(service: ServiceModel) -> str:
    """The async client's class name: the sync one's with ``Async`` before it."""
    return f"Async{service.client_class}"


def _render_method(op: OperationModel, *, is_async: bool = False) -> list[str]:
    params = _signature_params(op)
    result = _result_class(op)
    lines = [f"    {'async def' if is_async else 'def'} {op.python_name}("]
    lines.append("        self,")
    if params:
        lines.append("        *,")
    for p in params:
        lines.append(f"        {_param_decl(p)},")
    lines.append(f"    ) -> {result}:")
    bindings = ", ".join(BINDING_TITLES[b] for b in op.bindings)
    missing = [BINDING_TITLES[b] for b in BINDING_TITLES if b not in op.bindings]
    doc = [f'        """Call ``{op.name}``.', ""]
    if op.documentation:
        doc += [f"        {op.documentation}", ""]
    for kind, action in op.soap_actions.items():
        doc.append(f"        SOAPAction ({BINDING_TITLES[kind]}): ``{action}``")
    doc.append(f"        Bindings: {bindings}.")
    if missing:
        doc.append(
            f"        Not offered on {', '.join(missing)}: calling it there raises "
            "UnsupportedBindingError before anything is sent."
        )
    if op.http_location:
        doc.append(
            f"        HTTP location: ``{op.http_location}``; "
            f"answer root ``{op.http_result_element}``."
        )
    if op.result.name == "":
        doc.append("        Returns nothing (a void method): ``None`` once the service answered.")
    elif op.result.model is not None:
        doc.append(f"        Returns the ``{op.result.name}`` element as :class:`{result}`.")
    else:
        doc.append(f"        Returns the ``{op.result.name}`` element as ``{result}``.")
    for fm in op.faults:
        doc.append(
            f"        Raises :class:`{fm.class_name}` (declared fault ``{fm.name}``) when the "
            f"fault detail is ``{fm.element}``."
        )
    if params:
        doc.append("")
        doc.append("        Parameters (XML element names):")
        for p in params:
            doc.append(
                f"        - ``{p.attr}``: ``{p.name}`` ({_xml_type(p)}) {_occurs(p)}{_rule(p)}"
            )
        if any(p.constraint is not None for p in params):
            doc.append("")
            doc.append("        Values the WSDL types as strings but the service reads as numbers,")
            doc.append("        dates, flags or closed sets take the natural Python type (or the")
            doc.append("        string as the service reads it) and are checked before sending:")
            doc.append("        InvalidParameterError names the parameter, value and rule.")
    doc.append('        """')
    lines += doc
    args = ", ".join(f"{p.attr!r}: {p.attr}" for p in params)
    call = "await self._call" if is_async else "self._call"
    lines.append(f"        return {call}({_op_const(op)}, {{{args}}})")
    return lines


def render_module(service: ServiceModel, root: Path) -> str:
    annotations = (
        " ".join(f.annotation() for t in service.types for f in t.fields)
        + " "
        + " ".join(p.annotation() for op in service.operations for p in op.params)
        + " "
        + " ".join(_result_class(op) for op in service.operations)
    )
    imports = ["from __future__ import annotations", ""]
    for mod in ("datetime", "decimal", "uuid"):
        if f"{mod}." in annotations:
            imports.append(f"import {mod}")
    uses_field = any(
        f.default() == "field(default_factory=list)" for t in service.types for f in t.fields
    )
    imports.append("from dataclasses import dataclass" + (", field" if uses_field else ""))
    typing_names = []
    if any("cast(" in _result_model(op) for op in service.operations):
        typing_names.append("cast")
    if "Literal[" in annotations:
        typing_names.append("Literal")
    if typing_names:
        imports.append(f"from typing import {', '.join(sorted(typing_names))}")
    imports.append("")
    imports.append("from removethebackground.core.asyncclient import AsyncServiceClient")
    imports.append("from removethebackground.core.client import ServiceClient")
    if service.faults:
        imports.append("from removethebackground.core.errors import DeclaredFault")
    wire_names = ["Binding", "Field", "Operation", "Service", "TypeSpec", "WireModel"]
    if any(op.http_location for op in service.operations):
        wire_names.append("HttpParam")
    if service.faults:
        wire_names.append("FaultSpec")
    if any(op.outcome_lookup is not None for op in service.operations):
        wire_names.append("OutcomeLookup")
    if "UnsetType" in annotations:
        wire_names += ["UNSET", "UnsetType"]
    for alias in ("AnyValue", "XmlElement"):
        if alias in annotations:
            wire_names.append(alias)
    if any(op.result.name == "" for op in service.operations):
        wire_names.append("VOID")
    constrained = [f for t in service.types for f in t.fields] + [
        p for op in service.operations for p in op.params
    ]
    if any(f.constraint is not None for f in constrained):
        wire_names.append("Constraint")
    imports.append(f"from removethebackground.core.wire import {', '.join(sorted(wire_names))}")

    out: list[str] = [header(service, root).rstrip("\n")]
    out.append(f'"""Typed client for the ``{service.name}`` service of ``{service.wsdl_path}``.')
    out.append("")
    out.append("Every schema type is a dataclass; every operation is a method of")
    out.append(
        f":class:`{service.client_class}` and, awaited, of :class:`{async_client_class(service)}`"
    )
    out.append("(asyncio); the ``OP_*`` constants and ``SERVICE`` are the wire facts the runtime")
    out.append("and the sandbox read and write XML from.")
    out.append('"""')
    out.append("")
    out += imports
    out.append("")
    exported = [t.class_name for t in service.types] + [service.client_class, "SERVICE"]
    exported.append(async_client_class(service))
    exported += [fm.class_name for fm in service.faults]
    exported += [_op_const(op) for op in service.operations]
    out.append("__all__ = [")
    for name in sorted(exported):
        out.append(f"    {name!r},")
    out.append("]")
    out.append("")
    out.append(f"NS = {service.namespace!r}")
    out.append("")
    for t in service.types:
        out.append("")
        out += _render_type(t)
        out.append("")
    for fm in service.faults:
        out.append("")
        out += _render_fault(fm)
        out.append("")
    out.append("")
    out.append("# Wire facts: element names, order, XSD types and occurrence of every type.")
    for t in service.types:
        out.append("")
        if t.fields:
            out.append(f"{t.class_name}.__wire__ = TypeSpec(")
            out.append(f"    {t.name!r},")
            out.append(f"    {_ns_expr(t.namespace, service)},")
            out.append("    (")
            for f in t.fields:
                out.append(f"        {_field_expr(f, service)},")
            out.append("    ),")
            out.append(")")
        else:
            ns = _ns_expr(t.namespace, service)
            out.append(f"{t.class_name}.__wire__ = TypeSpec({t.name!r}, {ns}, ())")
    for op in service.operations:
        out.append("")
        out += _render_operation_fact(op, service)
    out.append("")
    out.append("SERVICE = Service(")
    out.append(f"    name={service.name!r},")
    out.append("    namespace=NS,")
    wsdl_name = Path(service.wsdl_path).name
    out.append(f"    wsdl_resource={f'wsdl/{service.key}/{wsdl_name}'!r},")
    endpoints = ", ".join(f"Binding.{k}: {v!r}" for k, v in service.endpoints.items())
    out.append(f"    default_endpoints={{{endpoints}}},")
    ops = ", ".join(f"{op.name!r}: {_op_const(op)}" for op in service.operations)
    out.append(f"    operations={{{ops}}},")
    if service.types:
        out.append(f"    models=({', '.join(t.class_name for t in service.types)},),")
    else:
        out.append("    models=(),")
    out.append(")")
    out.append("")
    out.append("")
    out.append(f"class {service.client_class}(ServiceClient):")
    out.append(
        f'    """Client of ``{service.name}`` ({service.namespace}), from ``{service.wsdl_path}``.'
    )
    out.append("")
    out.append("    Construction and bindings are described on :class:`ServiceClient`.")
    out.append('    """')
    out.append("")
    out.append("    SERVICE = SERVICE")
    for op in service.operations:
        out.append("")
        out += _render_method(op)
    out.append("")
    out.append("")
    out.append(f"class {async_client_class(service)}(AsyncServiceClient):")
    out.append(
        f'    """Async client (asyncio) of ``{service.name}`` ({service.namespace}), from '
        f"``{service.wsdl_path}``."
    )
    out.append("")
    out.append(
        f"    The methods of :class:`{service.client_class}`, as coroutines: the same names,"
    )
    out.append("    parameters, value rules, results and errors. Construction is described on")
    out.append(
        "    :class:`AsyncServiceClient`; close it with ``async with`` or ``await close()``."
    )
    out.append('    """')
    out.append("")
    out.append("    SERVICE = SERVICE")
    for op in service.operations:
        out.append("")
        out += _render_method(op, is_async=True)
    out.append("")
    return "\n".join(out)


def render_golden(service: ServiceModel, root: Path) -> str:
    out = [header(service, root).rstrip("\n")]
    out.append(
        f"service {service.name} namespace {service.namespace} client {service.client_class}"
    )
    out.append(f"  async client {async_client_class(service)}")
    for kind, url in service.endpoints.items():
        out.append(f"  endpoint {kind} {url}")
    for op in service.operations:
        out.append("")
        params = ", ".join(_param_decl(p) for p in _signature_params(op))
        out.append(f"operation {op.name}")
        out.append(f"  def {op.python_name}(*, {params}) -> {_result_class(op)}")
        out.append(f"  bindings {' '.join(op.bindings)}")
        out.append(f"  changes_state {'yes' if op.changes_state else 'no (retried)'}")
        if op.outcome_lookup is not None:
            rule = op.outcome_lookup.rule
            args = ", ".join(
                [f"{rule.by}=<{rule.key}>"] + [f"{k}={v!r}" for k, v in rule.fixed.items()]
            )
            built = ", ".join(f"{k}={rule.found}.{v}" for k, v in rule.result.items())
            out.append(f"  outcome_lookup {rule.operation}({args}) -> {built}")
        elif op.outcome_lookup_unfit:
            out.append(f"  outcome_lookup none: {op.outcome_lookup_unfit}")
        for kind, action in op.soap_actions.items():
            out.append(f"  soap_action {kind} {action}")
        out.append(
            f"  request {op.request_element}: "
            + ", ".join(f"{p.name} {_xml_type(p)} {_occurs(p)}" for p in op.params)
        )
        for p in op.params:
            if p.constraint is not None:
                out.append(f"  value {p.name}: {_golden_rule(p)}")
        if op.result.name == "":
            out.append(f"  response {op.response_element} (empty: void) -> None")
        else:
            kind = "" if op.result.model is not None else f" {_xml_type(op.result)}"
            if op.result.xsd in PLAIN_XSD and not op.result.xsd_list:
                kind = ""  # as the golden files have always written simple results
            out.append(
                f"  response {op.response_element}/{op.result.name}{kind} -> {_result_class(op)}"
            )
        for fm in op.faults:
            out.append(f"  fault {fm.name}: detail {fm.element} -> {fm.class_name}({fm.model})")
        if op.http_location:
            keys = ", ".join(f"{n}{'[]' if a else ''}" for n, _, a in op.http_params)
            out.append(f"  http {op.http_location} ({keys}) -> {op.http_result_element}")
        out.append(f"  async def {op.python_name}(*, {params}) -> {_result_class(op)}")
    for t in service.types:
        out.append("")
        out.append(f"type {t.class_name} ({t.name})")
        for f in t.fields:
            if f.text:
                out.append(f"  {f.attr}: {f.annotation()} <- text() {_xml_type(f)}")
                continue
            kind = "@" if f.attribute else ""
            out.append(
                f"  {f.attr}: {f.annotation()} <- {kind}{f.name} {_xml_type(f)} {_occurs(f)}"
            )
            if f.constraint is not None:
                out.append(f"    value {f.name}: {_golden_rule(f)}")
    out.append("")
    return "\n".join(out)


def _golden_rule(f: FieldModel) -> str:
    c = f.constraint
    assert c is not None
    named = f" <- {c.name}" if c.name else ""
    return f"{c.describe()}{named} [{c.source}]"


def render_registry(entries: list[tuple[GenerationConfig, ServiceModel]]) -> str:
    """``generated/__init__.py``: the registry of generations, from ``codegen/config.py``."""
    out = ["# Generated from codegen/config.py by codegen; do not edit."]
    out.append('"""The registry of generations: one generated module per WSDL in ``wsdl/``.')
    out.append("")
    for gen, model in entries:
        count = len(model.operations)
        plural = "operation" if count == 1 else "operations"
        out.append(
            f"- :mod:`.{gen.key}`: {gen.label}, service ``{model.name}`` "
            f"({count} {plural}), client :class:`{gen.client_class}` "
            f"(async: :class:`{async_client_class(model)}`)."
        )
    out.append("")
    out.append(
        "``GENERATIONS`` maps each key to its :class:`~removethebackground.core.wire.Generation`;"
    )
    out.append("the package, the sandbox and the testing helpers loop over it.")
    out.append('"""')
    out.append("")
    out.append("from __future__ import annotations")
    out.append("")
    out.append("from collections.abc import Mapping")
    out.append("from types import MappingProxyType")
    out.append("")
    out.append("from removethebackground.core.wire import Generation")
    out.append("")
    keys = sorted(gen.key for gen, _ in entries)
    out.append(f"from . import {', '.join(keys)}")
    for gen, model in sorted(entries, key=lambda e: e[0].key):
        out.append(f"from .{gen.key} import {async_client_class(model)}, {gen.client_class}")
    out.append("")
    names = sorted(
        [
            "GENERATIONS",
            *(gen.client_class for gen, _ in entries),
            *(async_client_class(model) for _, model in entries),
        ]
    )
    out.append("__all__ = [")
    for name in names:
        out.append(f"    {name!r},")
    out.append("]")
    out.append("")
    out.append("GENERATIONS: Mapping[str, Generation] = MappingProxyType(")
    out.append("    {")
    for gen, model in entries:
        out.append(f"        {gen.key!r}: Generation(")
        out.append(f"            key={gen.key!r},")
        out.append(f"            client_class={gen.client_class},")
        out.append(f"            async_client_class={async_client_class(model)},")
        out.append(f"            service={gen.key}.SERVICE,")
        out.append(f"            sandbox_path={gen.sandbox_path!r},")
        out.append(f"            label={gen.label!r},")
        out.append("        ),")
    out.append("    }")
    out.append(")")
    out.append("")
    return "\n".join(out)

"""The API diff between two service models: what changes for a caller of the generated client.

Both sides are :class:`~codegen.model.ServiceModel` objects, built by the same code
that writes the client, so the diff speaks of what the client exposes (methods,
keyword parameters, result dataclasses, bindings) and not of the WSDL's XML.

Every change is ``breaking`` (a caller's code, or its type check, can stop working
after regenerating) or ``compatible`` (it keeps working). Changes that alter what
goes over the wire but not the Python surface (a SOAPAction, an HTTP location, an
element name behind an unchanged attribute, element order) are compatible for
callers of the *regenerated* client; they carry ``wire: true`` because a client
generated from the old WSDL would send the old wire form.

The rules, for a caller of the generated client:

- operations (matched by Python method name): added compatible, removed breaking;
- parameters (keyword-only, matched by Python name): added optional compatible,
  added required breaking, removed breaking; a removed and an added parameter at
  the same position with the same type count as one ``param_renamed`` (breaking);
  retyped breaking when the Python annotation changes, compatible (wire) when only
  the XSD type behind the same annotation does; made required breaking, made
  optional compatible; no longer accepting ``None``/``UNSET`` breaking;
- reordered parameters: **compatible**. The methods take keyword-only parameters
  (``def m(self, *, ...)``), so no Python call depends on their order, and the
  regenerated client writes the elements in the new sequence order, which is the
  order an ASMX service reads. It is marked ``wire`` (an old client sends the old
  order);
- result types (every type reachable from an operation's result): field added
  compatible (unknown elements are ignored, and callers read results rather than
  build them), removed breaking, retyped breaking, made optional breaking (code
  that read the value unguarded must now handle ``None``), made required compatible;
- parameter types (reachable from a parameter): as parameters; a type reachable
  from both sides gets the stricter verdict;
- types: added compatible, removed breaking (the class can no longer be imported);
- bindings of an operation: gained compatible, lost breaking (the call now raises
  ``UnsupportedBindingError``);
- overlay rules (``codegen/overlays/``: the values a string parameter may take):
  a rule added to a free string, or narrowed (fewer choices, a tighter range, a
  longer deadline, a removed extra value), is breaking for callers, who may pass a
  value that is now refused before sending (``param_values_narrowed``, or
  ``param_values_changed`` when it both narrows and widens, or changes kind or
  pattern); a rule removed or widened is compatible (``param_values_widened``); a
  changed source alone is compatible. On result-only types they are compatible;
- SOAPActions, HTTP locations and keys, request/response element names, namespace:
  compatible, wire; default endpoint addresses: compatible (callers that pass ``endpoint=`` are
  unaffected; the others now reach the new address).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from .model import FieldModel, OperationModel, ServiceModel, TypeModel
from .overlay import ConstraintModel
from .render import _param_decl, _signature_params

# Exit codes of the ``diff``, ``update`` and ``check-live`` commands.
EXIT_OK = 0  # nothing breaking (there may be compatible changes)
EXIT_BREAKING = 1  # at least one breaking change
EXIT_USAGE = 2  # bad command line (argparse's own code)
EXIT_INPUT = 3  # a WSDL could not be read, fetched, accepted or modelled


@dataclass(frozen=True)
class Change:
    """One difference. ``scope`` is ``service``, ``operation`` or ``type``."""

    kind: str
    scope: str
    subject: str
    message: str
    breaking: bool
    wire: bool = False
    old: Any = None
    new: Any = None


@dataclass
class ApiDiff:
    old: str
    new: str
    changes: list[Change]

    @property
    def breaking(self) -> bool:
        return any(c.breaking for c in self.changes)

    def exit_code(self) -> int:
        return EXIT_BREAKING if self.breaking else EXIT_OK

    def without(self, *kinds: str) -> ApiDiff:
        return ApiDiff(self.old, self.new, [c for c in self.changes if c.kind not in kinds])

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "breaking": self.breaking,
            "counts": {
                "breaking": sum(c.breaking for c in self.changes),
                "compatible": sum(not c.breaking for c in self.changes),
            },
            "changes": [asdict(c) for c in self.changes],
        }

    def render_json(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n"

    def render_text(self) -> str:
        n_break = sum(c.breaking for c in self.changes)
        n_compat = len(self.changes) - n_break
        lines = [f"API diff: {self.old} -> {self.new}"]
        if not self.changes:
            lines.append("no changes to the generated client's API")
            return "\n".join(lines) + "\n"
        lines.append(f"{n_break} breaking, {n_compat} compatible")
        groups: dict[str, list[Change]] = {}
        for change in self.changes:
            groups.setdefault(_group(change), []).append(change)
        for title, changes in groups.items():
            lines.append("")
            lines.append(title)
            for c in changes:
                mark = "BREAKING  " if c.breaking else "compatible"
                wire = " (wire)" if c.wire else ""
                lines.append(f"  {mark} {c.message}{wire}")
        return "\n".join(lines) + "\n"


_LISTED = {
    "operation_added": "operations",
    "operation_removed": "operations",
    "type_added": "types",
    "type_removed": "types",
}


def _group(change: Change) -> str:
    """The heading a change is listed under in the text output."""
    if change.kind in _LISTED:
        return _LISTED[change.kind]
    return f"{change.scope} {change.subject}".rstrip()


# --- parameters and fields ------------------------------------------------------------------


def _base(f: FieldModel) -> str:
    """The Python type of a field without its optionality (``list[str]``, ``int``).

    As the WSDL alone says: what an overlay rule adds (``int | str`` for a string
    element read as a number) is compared by :func:`_rule_change` instead.
    """
    if f.item is not None:
        inner = f.item.scalar_annotation(overlay=False)
        if f.item.nillable:
            inner += " | None"
        return f"list[{inner}]"
    base = f.scalar_annotation(overlay=False)
    return f"list[{base}]" if f.repeated else base


_LITERALS = re.compile(r"Literal\[[^\]]*\] \| ")


def _open(annotation: str) -> str:
    """An annotation without its open enumerations (``Literal[...] | str`` -> ``str``)."""
    return _LITERALS.sub("", annotation)


def _range(c: ConstraintModel) -> tuple[float, float]:
    low = float("-inf") if c.minimum is None else c.minimum
    high = float("inf") if c.maximum is None else c.maximum
    return low, high


def _rule_change(
    a: ConstraintModel | None, b: ConstraintModel | None
) -> tuple[str, bool | None] | None:
    """How an overlay rule changed: (``narrowed``/``widened``/``changed``, narrower?).

    ``narrower`` is True when some value the old rule allowed is now refused, False
    when the new rule allows everything the old one did (and more), ``None`` when
    only the stated source changed. ``None`` overall: no change.
    """
    if a == b or (a is not None and b is not None and _same_rule(a, b) and a.source == b.source):
        return None
    if a is None:
        return "narrowed", True  # a free string now has a rule
    if b is None:
        return "widened", False
    if _same_rule(a, b):
        return "changed", None  # the source only
    if a.kind != b.kind or a.pattern != b.pattern or a.numeric != b.numeric:
        return "changed", True
    narrower = wider = False
    (alow, ahigh), (blow, bhigh) = _range(a), _range(b)
    narrower |= blow > alow or bhigh < ahigh
    wider |= blow < alow or bhigh > ahigh
    if a.kind == "choice":
        old, new = _choice_set(a), _choice_set(b)
        narrower |= not old <= new
        wider |= not new <= old
        narrower |= a.ignore_case and not b.ignore_case
        wider |= b.ignore_case and not a.ignore_case
    narrower |= not set(a.also) <= set(b.also)
    wider |= not set(b.also) <= set(a.also)
    for limit in ("max_length",):
        old_limit, new_limit = getattr(a, limit), getattr(b, limit)
        if old_limit != new_limit:
            narrower |= new_limit is not None and (old_limit is None or new_limit < old_limit)
            wider |= old_limit is not None and (new_limit is None or new_limit > old_limit)
    if a.hours_ahead != b.hours_ahead:
        narrower |= (b.hours_ahead or 0) > (a.hours_ahead or 0)
        wider |= (b.hours_ahead or 0) < (a.hours_ahead or 0)
    if narrower:
        return ("changed" if wider else "narrowed"), True
    return "widened", False


def _same_rule(a: ConstraintModel, b: ConstraintModel) -> bool:
    skip = {"source", "name", "message"}
    return all(getattr(a, k) == getattr(b, k) for k in a.__dataclass_fields__ if k not in skip)


def _choice_set(c: ConstraintModel) -> set[str]:
    return {x.lower() for x in c.choices} if c.ignore_case else set(c.choices)


def _describe_rule(c: ConstraintModel | None) -> str:
    return "any string" if c is None else c.describe()


def _wire_type(f: FieldModel) -> str:
    kind = "@" if f.attribute else ""
    inner = f"[{f.item.type_name or f.item.xsd}]" if f.item is not None else ""
    return f"{kind}{f.type_name or f.xsd or f.model}{inner}"


@dataclass(frozen=True)
class _Shape:
    """What a keyword parameter (or dataclass field) accepts."""

    has_default: bool
    accepts_none: bool
    accepts_unset: bool


def _shape(f: FieldModel, param: bool) -> _Shape:
    annotation = f.annotation(overlay=False)
    default = f.default()
    # A repeated parameter is declared ``list[X] | None = None`` (see render._param_decl).
    list_param = param and default is not None and default.startswith("field(")
    return _Shape(
        has_default=default is not None,
        accepts_none="| None" in annotation.replace(_base(f), "", 1) or list_param,
        accepts_unset="UnsetType" in annotation,
    )


def _decl(f: FieldModel, param: bool) -> str:
    if param:
        return _param_decl(f)
    default = f.default()
    return f"{f.attr}: {f.annotation()}" + ("" if default is None else f" = {default}")


def _pairs(
    old: list[FieldModel], new: list[FieldModel]
) -> tuple[
    list[tuple[FieldModel, FieldModel]],
    list[FieldModel],
    list[FieldModel],
    list[tuple[FieldModel, FieldModel]],
]:
    """Matched (by Python name), removed, added, and renamed pairs.

    The rename heuristic: a removed and an added entry at the same position of
    their lists, with the same Python and wire type, are one entry renamed.
    """
    new_by_attr = {f.attr: f for f in new}
    old_attrs = {f.attr for f in old}
    matched = [(f, new_by_attr[f.attr]) for f in old if f.attr in new_by_attr]
    removed = [f for f in old if f.attr not in new_by_attr]
    added = [f for f in new if f.attr not in old_attrs]
    renamed: list[tuple[FieldModel, FieldModel]] = []
    for gone in list(removed):
        pos = old.index(gone)
        if pos >= len(new):
            continue
        candidate = new[pos]
        if (
            candidate in added
            and _base(candidate) == _base(gone)
            and _wire_type(candidate) == _wire_type(gone)
        ):
            renamed.append((gone, candidate))
            removed.remove(gone)
            added.remove(candidate)
    return matched, removed, added, renamed


def _field_changes(
    scope: str,
    subject: str,
    old: list[FieldModel],
    new: list[FieldModel],
    *,
    noun: str,
    inputs: bool,
    outputs: bool,
) -> list[Change]:
    """Changes between two lists of parameters or dataclass fields.

    ``inputs``: callers pass these values (parameters, fields of parameter types);
    ``outputs``: callers read them (fields of result types). Both may be true.
    """
    out: list[Change] = []

    def add(kind: str, message: str, breaking: bool, wire: bool = False, **kw: Any) -> None:
        out.append(Change(kind, scope, subject, message, breaking, wire, **kw))

    param = noun == "parameter"
    matched, removed, added, renamed = _pairs(old, new)
    kind_prefix = "param" if noun == "parameter" else "field"
    for f in added:
        shape = _shape(f, param)
        decl = _decl(f, param)
        required = not shape.has_default
        breaking = inputs and required
        what = "required" if required else "optional"
        add(
            f"{kind_prefix}_added",
            f"{noun} {f.attr} added ({what}): {decl}",
            breaking,
            new={"name": f.attr, "element": f.name, "type": _base(f), "required": required},
        )
    for f in removed:
        add(
            f"{kind_prefix}_removed",
            f"{noun} {f.attr} removed (was {_base(f)})",
            True,
            old={"name": f.attr, "element": f.name, "type": _base(f)},
        )
    for gone, came in renamed:
        add(
            f"{kind_prefix}_renamed",
            f"{noun} {gone.attr} renamed to {came.attr} (same position and type {_base(came)})",
            True,
            wire=gone.name != came.name,
            old=gone.attr,
            new=came.attr,
        )
    for a, b in matched:
        if a.name != b.name or a.namespace != b.namespace or a.attribute != b.attribute:
            add(
                f"{kind_prefix}_wire_renamed",
                f"{noun} {a.attr}: XML name {a.name} -> {b.name}",
                False,
                wire=True,
                old=a.name,
                new=b.name,
            )
        if _base(a) != _base(b) and _open(_base(a)) == _open(_base(b)):
            # Only the schema's enumeration changed: the type is open (``Literal[...] |
            # str``), so callers passing or reading other values are not broken.
            add(
                f"{kind_prefix}_enumeration_changed",
                f"{noun} {a.attr} enumeration: {_base(a)} -> {_base(b)}",
                False,
                wire=True,
                old=_base(a),
                new=_base(b),
            )
        elif _base(a) != _base(b):
            add(
                f"{kind_prefix}_retyped",
                f"{noun} {a.attr} retyped: {_base(a)} -> {_base(b)}",
                True,
                wire=True,
                old=_base(a),
                new=_base(b),
            )
        elif _wire_type(a) != _wire_type(b):
            add(
                f"{kind_prefix}_retyped",
                f"{noun} {a.attr}: XSD type {_wire_type(a)} -> {_wire_type(b)}, "
                f"Python type stays {_base(b)}",
                False,
                wire=True,
                old=_wire_type(a),
                new=_wire_type(b),
            )
        rule = _rule_change(a.constraint, b.constraint)
        if rule is not None:
            verb, narrower_rule = rule
            # callers pass inputs: refusing a value they could send is breaking
            rule_breaking = bool(narrower_rule) and inputs
            source = "" if b.constraint is None else f" [{b.constraint.source}]"
            add(
                f"{kind_prefix}_values_{verb}",
                f"{noun} {a.attr} values {verb} (overlay): {_describe_rule(a.constraint)} -> "
                f"{_describe_rule(b.constraint)}{source}",
                rule_breaking,
                old=None if a.constraint is None else a.constraint.describe(),
                new=None if b.constraint is None else b.constraint.describe(),
            )
        sa, sb = _shape(a, param), _shape(b, param)
        if sa == sb:
            continue
        narrower = (
            (sa.has_default and not sb.has_default)
            or (sa.accepts_none and not sb.accepts_none)
            or (sa.accepts_unset and not sb.accepts_unset)
        )
        wider = (
            (sb.has_default and not sa.has_default)
            or (sb.accepts_none and not sa.accepts_none)
            or (sb.accepts_unset and not sa.accepts_unset)
        )
        if sa.has_default != sb.has_default:
            verb = "made optional" if sb.has_default else "made required"
        else:
            verb = "nullability changed"
        kind = f"{kind_prefix}_{verb.replace(' ', '_')}"
        breaking = (inputs and narrower) or (outputs and wider)
        facts = []
        if a.min_occurs != b.min_occurs:
            facts.append(f"minOccurs {a.min_occurs} -> {b.min_occurs}")
        if a.nillable != b.nillable:
            facts.append(f"nillable {str(a.nillable).lower()} -> {str(b.nillable).lower()}")
        add(
            kind,
            f"{noun} {a.attr} {verb}: `{_decl(a, param)}` -> `{_decl(b, param)}`"
            + (f" ({', '.join(facts)})" if facts else ""),
            breaking,
            wire=True,
            old={"min_occurs": a.min_occurs, "nillable": a.nillable},
            new={"min_occurs": b.min_occurs, "nillable": b.nillable},
        )
    old_order = [a.attr for a, _ in matched]
    position = {f.attr: i for i, f in enumerate(new)}
    new_order = sorted(old_order, key=lambda attr: position[attr])
    if old_order != new_order:
        plural = "parameters" if noun == "parameter" else "fields"
        add(
            f"{kind_prefix}s_reordered",
            f"{plural} reordered: {', '.join(old_order)} -> {', '.join(new_order)} "
            "(keyword-only in Python; the regenerated client sends the new order)",
            False,
            wire=True,
            old=old_order,
            new=new_order,
        )
    return out


# --- types -----------------------------------------------------------------------------------


def _reachable(service: ServiceModel, roots: Iterable[FieldModel]) -> set[str]:
    by_class = {t.class_name: t for t in service.types}
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        f = stack.pop()
        for name in (f.model, f.item.model if f.item is not None else None):
            if name is not None and name not in seen and name in by_class:
                seen.add(name)
                stack.extend(by_class[name].fields)
    return seen


def _directions(service: ServiceModel) -> tuple[set[str], set[str]]:
    inputs = _reachable(service, (p for op in service.operations for p in op.params))
    outputs = _reachable(service, (op.result for op in service.operations))
    return inputs, outputs


def _type_changes(old: ServiceModel, new: ServiceModel) -> list[Change]:
    out: list[Change] = []
    old_types = {t.class_name: t for t in old.types}
    new_types = {t.class_name: t for t in new.types}
    old_in, old_out = _directions(old)
    new_in, new_out = _directions(new)
    for name, t in new_types.items():
        if name not in old_types:
            out.append(
                Change("type_added", "type", name, f"{name} added (schema type {t.name})", False)
            )
    for name, t in old_types.items():
        if name not in new_types:
            out.append(
                Change("type_removed", "type", name, f"{name} removed (schema type {t.name})", True)
            )
    for name, a in old_types.items():
        b: TypeModel | None = new_types.get(name)
        if b is None:
            continue
        if (a.name, a.namespace) != (b.name, b.namespace):
            out.append(
                Change(
                    "type_wire_renamed",
                    "type",
                    name,
                    f"schema type {a.name} -> {b.name}",
                    False,
                    wire=True,
                    old=a.name,
                    new=b.name,
                )
            )
        # Unused types count as results: callers only read what the service returns.
        inputs = name in old_in or name in new_in
        outputs = name in old_out or name in new_out or not inputs
        out += _field_changes(
            "type", name, a.fields, b.fields, noun="field", inputs=inputs, outputs=outputs
        )
    return out


# --- operations and the service --------------------------------------------------------------


def _operation_changes(a: OperationModel, b: OperationModel) -> list[Change]:
    subject = a.python_name
    out: list[Change] = []

    def add(kind: str, message: str, breaking: bool, wire: bool = False, **kw: Any) -> None:
        out.append(Change(kind, "operation", subject, message, breaking, wire, **kw))

    if a.name != b.name:
        add(
            "operation_wire_renamed",
            f"operation name {a.name} -> {b.name}",
            False,
            True,
            old=a.name,
            new=b.name,
        )
    out += _field_changes(
        "operation",
        subject,
        _signature_params(a),
        _signature_params(b),
        noun="parameter",
        inputs=True,
        outputs=False,
    )
    if a.credential_params != b.credential_params:
        add(
            "credentials_changed",
            f"credential elements {', '.join(a.credential_params)} -> "
            f"{', '.join(b.credential_params)} (filled in by the client)",
            False,
            True,
            old=list(a.credential_params),
            new=list(b.credential_params),
        )
    ra, rb = a.result.model, b.result.model
    if ra != rb:
        add("result_retyped", f"returns {rb} instead of {ra}", True, True, old=ra, new=rb)
    if a.result.name != b.result.name or a.response_element != b.response_element:
        add(
            "result_wire_renamed",
            f"response {a.response_element}/{a.result.name} -> "
            f"{b.response_element}/{b.result.name}",
            False,
            True,
            old=f"{a.response_element}/{a.result.name}",
            new=f"{b.response_element}/{b.result.name}",
        )
    if a.request_element != b.request_element:
        add(
            "request_wire_renamed",
            f"request element {a.request_element} -> {b.request_element}",
            False,
            True,
            old=a.request_element,
            new=b.request_element,
        )
    for kind in b.bindings:
        if kind not in a.bindings:
            add("binding_added", f"now offered on {kind}", False, new=kind)
    for kind in a.bindings:
        if kind not in b.bindings:
            add(
                "binding_removed",
                f"no longer offered on {kind} (calls there raise UnsupportedBindingError)",
                True,
                old=kind,
            )
    for kind in sorted(set(a.soap_actions) & set(b.soap_actions)):
        if a.soap_actions[kind] != b.soap_actions[kind]:
            add(
                "soap_action_changed",
                f"SOAPAction ({kind}) {a.soap_actions[kind]} -> {b.soap_actions[kind]}",
                False,
                True,
                old=a.soap_actions[kind],
                new=b.soap_actions[kind],
            )
    if a.http_location and b.http_location and a.http_location != b.http_location:
        add(
            "http_location_changed",
            f"HTTP location {a.http_location} -> {b.http_location}",
            False,
            True,
            old=a.http_location,
            new=b.http_location,
        )
    if a.http_params and b.http_params and a.http_params != b.http_params:
        keys_a = [f"{n}{'[]' * arr}" for n, _, arr in a.http_params]
        keys_b = [f"{n}{'[]' * arr}" for n, _, arr in b.http_params]
        add(
            "http_params_changed",
            f"HTTP GET/POST keys {', '.join(keys_a)} -> {', '.join(keys_b)}",
            False,
            True,
            old=keys_a,
            new=keys_b,
        )
    if (
        a.http_result_element
        and b.http_result_element
        and a.http_result_element != b.http_result_element
    ):
        add(
            "http_result_wire_renamed",
            f"HTTP answer root {a.http_result_element} -> {b.http_result_element}",
            False,
            True,
            old=a.http_result_element,
            new=b.http_result_element,
        )
    if a.documentation != b.documentation:
        add(
            "documentation_changed",
            "documentation changed",
            False,
            old=a.documentation,
            new=b.documentation,
        )
    return out


def diff_models(
    old: ServiceModel, new: ServiceModel, old_label: str = "old", new_label: str = "new"
) -> ApiDiff:
    changes: list[Change] = []
    if old.namespace != new.namespace:
        changes.append(
            Change(
                "namespace_changed",
                "service",
                "",
                f"namespace {old.namespace} -> {new.namespace}",
                False,
                True,
                old=old.namespace,
                new=new.namespace,
            )
        )
    if old.name != new.name:
        changes.append(
            Change(
                "service_renamed",
                "service",
                "",
                f"service name {old.name} -> {new.name}",
                False,
                True,
                old=old.name,
                new=new.name,
            )
        )
    for kind in new.endpoints:
        if kind not in old.endpoints:
            changes.append(
                Change(
                    "service_binding_added",
                    "service",
                    "",
                    f"binding {kind} added at {new.endpoints[kind]}",
                    False,
                    new=kind,
                )
            )
    for kind in old.endpoints:
        if kind not in new.endpoints:
            changes.append(
                Change(
                    "service_binding_removed",
                    "service",
                    "",
                    f"binding {kind} removed",
                    True,
                    old=kind,
                )
            )
        elif old.endpoints[kind] != new.endpoints[kind]:
            changes.append(
                Change(
                    "endpoint_changed",
                    "service",
                    "",
                    f"default endpoint {kind} {old.endpoints[kind]} -> {new.endpoints[kind]}",
                    False,
                    old=old.endpoints[kind],
                    new=new.endpoints[kind],
                )
            )
    old_ops = {o.python_name: o for o in old.operations}
    new_ops = {o.python_name: o for o in new.operations}
    for name, op in new_ops.items():
        if name not in old_ops:
            n = len(_signature_params(op))
            changes.append(
                Change(
                    "operation_added",
                    "operation",
                    name,
                    f"{op.name} added: {name}(), {n} keyword parameter{'s' * (n != 1)} "
                    f"-> {op.result.model}",
                    False,
                    new=op.name,
                )
            )
    for name, op in old_ops.items():
        if name not in new_ops:
            changes.append(
                Change(
                    "operation_removed",
                    "operation",
                    name,
                    f"{op.name} removed: {name}() is gone",
                    True,
                    old=op.name,
                )
            )
    for name, a in old_ops.items():
        if name in new_ops:
            changes += _operation_changes(a, new_ops[name])
    changes += _type_changes(old, new)
    return ApiDiff(old_label, new_label, changes)

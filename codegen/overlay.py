"""The reviewed overlay of a generation: what the service accepts where the WSDL says ``string``.

One TOML file per generation (``codegen/overlays/<key>.toml``, named by
``GenerationConfig.overlay``). Its shape::

    [values.page]                       # a named rule, used by several parameters
    kind = "integer"
    minimum = 1
    source = "reconstructed: ..."

    [operations.GetImagesList]          # by the WSDL's operation name
    page = "page"                       # an XML parameter name -> a named rule
    sortBy = { kind = "choice", choices = ["id", "date", "status"], source = "service.md" }

    [types.MarkerInfo]                  # by the schema type's name
    swatchColorCode = "colour"

Every rule says where its facts come from (``source``: ``service.md``, the help
page, recorded traffic, or "reconstructed" with the reason). Codegen puts each rule
on the parameter's generated ``Field`` as a ``Constraint``; the client checks and
formats values with it, the sandbox validates with it.

The overlay only narrows what the WSDL says: an entry for an operation, parameter,
type or field the WSDL does not have is refused, and so is a rule on an element
that is not an ``xsd:string`` (the WSDL already types those), or a rule with
unknown keys.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CodegenError

__all__ = ["ConstraintModel", "Overlay", "OverlayError", "load_overlay"]

KINDS = ("integer", "boolean", "choice", "date", "datetime", "guid", "text")
_KEYS = {
    "kind",
    "minimum",
    "maximum",
    "choices",
    "ignore_case",
    "pattern",
    "message",
    "max_length",
    "hours_ahead",
    "also",
    "source",
}


class OverlayError(CodegenError):
    """The overlay is malformed or contradicts the WSDL."""


@dataclass(frozen=True)
class ConstraintModel:
    """One rule, as codegen renders it (mirrors ``removethebackground.core.wire.Constraint``)."""

    kind: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    numeric: bool = False
    ignore_case: bool = False
    pattern: str | None = None
    message: str = ""
    max_length: int | None = None
    hours_ahead: int | None = None
    also: tuple[str, ...] = ()
    source: str = ""
    name: str = ""  # the named rule it came from, for the golden file; not rendered

    def python_type(self) -> str:
        """The annotation of a parameter under this rule (without ``| None``)."""
        if self.kind == "integer":
            return "int | str"
        if self.kind == "boolean":
            return "bool | str"
        if self.kind == "choice":
            if self.numeric:
                return f"Literal[{', '.join(self.choices)}] | str"
            # ``| str``: a caller holding the value in a plain ``str`` still type-checks
            # (the runtime check refuses what is not one of the choices)
            return f"Literal[{', '.join(_quote(c) for c in self.choices)}] | str"
        if self.kind == "date":
            return "datetime.date | str"
        if self.kind == "datetime":
            return "datetime.datetime | str"
        if self.kind == "guid":
            return "uuid.UUID | str"
        return "str"

    def describe(self) -> str:
        """The rule in one line, for docstrings and the golden file."""
        if self.kind == "integer":
            low = "" if self.minimum is None else str(self.minimum)
            high = "" if self.maximum is None else str(self.maximum)
            text = f"whole number {low}..{high}" if low or high else "whole number"
        elif self.kind == "boolean":
            text = "true or false"
        elif self.kind == "choice":
            text = "one of " + ", ".join(self.choices)
            if self.ignore_case:
                text += " (any case)"
        elif self.kind == "date":
            text = "date yyyy-MM-dd"
        elif self.kind == "datetime":
            text = "date and time yyyy-MM-dd HH:mm:ss (UTC)"
            if self.hours_ahead:
                text += f", at least {self.hours_ahead} hours ahead"
        elif self.kind == "guid":
            text = "GUID"
        else:
            parts = []
            if self.pattern is not None:
                parts.append(f"matching {self.pattern}")
            if self.max_length is not None:
                parts.append(f"at most {self.max_length} characters")
            text = "text " + ", ".join(parts) if parts else "text"
        if self.also:
            text += " or " + " or ".join(repr(a) for a in self.also)
        return text

    def render(self) -> str:
        """The ``Constraint(...)`` expression of the generated module."""
        args = [repr(self.kind)]
        defaults = ConstraintModel(self.kind)
        for name in (
            "minimum",
            "maximum",
            "choices",
            "numeric",
            "ignore_case",
            "pattern",
            "message",
            "max_length",
            "hours_ahead",
            "also",
            "source",
        ):
            value = getattr(self, name)
            if value != getattr(defaults, name):
                args.append(f"{name}={value!r}")
        return f"Constraint({', '.join(args)})"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Overlay:
    """The rules of one generation, by operation and parameter, and by type and field."""

    path: str
    operations: dict[str, dict[str, ConstraintModel]] = field(default_factory=dict)
    types: dict[str, dict[str, ConstraintModel]] = field(default_factory=dict)


def _rule(where: str, raw: Any, named: dict[str, ConstraintModel]) -> ConstraintModel:
    if isinstance(raw, str):
        if raw not in named:
            known = ", ".join(sorted(named)) or "none"
            raise OverlayError(f"{where}: no rule named {raw!r} in [values] (known: {known})")
        return named[raw]
    if not isinstance(raw, dict):
        raise OverlayError(f"{where}: expected a rule (a table) or the name of one in [values]")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise OverlayError(f"{where}: unknown keys {', '.join(unknown)} (known: {sorted(_KEYS)})")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise OverlayError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise OverlayError(
            f"{where}: every rule says where it comes from (source = 'service.md', "
            "'help page', 'recorded traffic' or 'reconstructed: ...')"
        )

    def integer(key: str) -> int | None:
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise OverlayError(f"{where}: {key} must be a whole number")
        return value

    def allowed_for(keys: set[str]) -> None:
        extra = sorted((set(raw) - {"kind", "source", "also"}) - keys)
        if extra:
            raise OverlayError(f"{where}: {', '.join(extra)} do not apply to kind {kind!r}")

    choices: tuple[str, ...] = ()
    numeric = False
    if kind == "integer":
        allowed_for({"minimum", "maximum"})
    elif kind == "choice":
        allowed_for({"choices", "ignore_case"})
        values = raw.get("choices")
        if not isinstance(values, list) or not values:
            raise OverlayError(f"{where}: a choice needs a non-empty list of choices")
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            numeric = True
            choices = tuple(str(v) for v in values)
        elif all(isinstance(v, str) and v for v in values):
            choices = tuple(values)
        else:
            raise OverlayError(f"{where}: choices must be all whole numbers or all strings")
        if len(set(choices)) != len(choices):
            raise OverlayError(f"{where}: choices repeat a value")
    elif kind == "datetime":
        allowed_for({"hours_ahead"})
    elif kind == "text":
        allowed_for({"pattern", "message", "max_length"})
        pattern = raw.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise OverlayError(f"{where}: pattern {pattern!r} is not a regex: {exc}") from None
    else:
        allowed_for(set())
    also = raw.get("also", [])
    if not isinstance(also, list) or not all(isinstance(a, str) and a for a in also):
        raise OverlayError(f"{where}: also must be a list of strings")
    minimum, maximum = integer("minimum"), integer("maximum")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise OverlayError(f"{where}: minimum {minimum} is above maximum {maximum}")
    return ConstraintModel(
        kind=kind,
        minimum=minimum,
        maximum=maximum,
        choices=choices,
        numeric=numeric,
        ignore_case=bool(raw.get("ignore_case", False)),
        pattern=raw.get("pattern"),
        message=str(raw.get("message", "")),
        max_length=integer("max_length"),
        hours_ahead=integer("hours_ahead"),
        also=tuple(also),
        source=" ".join(source.split()),
    )


def parse_overlay(text: str, path: str) -> Overlay:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OverlayError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"values", "operations", "types"})
    if unknown:
        raise OverlayError(f"{path}: unknown sections {', '.join(unknown)}")
    named: dict[str, ConstraintModel] = {}
    for name, raw in data.get("values", {}).items():
        rule = _rule(f"{path}: [values.{name}]", raw, {})
        named[name] = ConstraintModel(**{**rule.__dict__, "name": name})
    overlay = Overlay(path)
    for section, target in (("operations", overlay.operations), ("types", overlay.types)):
        for owner, entries in data.get(section, {}).items():
            if not isinstance(entries, dict):
                raise OverlayError(f"{path}: [{section}.{owner}] must be a table")
            target[owner] = {
                name: _rule(f"{path}: {section}.{owner}.{name}", raw, named)
                for name, raw in entries.items()
            }
    return overlay


def load_overlay(path: Path, root: Path) -> Overlay:
    """Read and check the shape of an overlay file (against the WSDL: in ``model.build``)."""
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OverlayError(f"{shown}: cannot read the overlay: {exc.strerror}") from None
    return parse_overlay(text, shown)

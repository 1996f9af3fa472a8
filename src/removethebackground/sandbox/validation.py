"""Reading and checking operation parameters, with fault texts that name the wire parameter.

Every scalar parameter of generation 2 is a string on the wire, so the service
parses numbers, dates and booleans itself and answers a ``soap:Client`` fault that
names the parameter by its XML name (``imageURL is required``), as the recorded
traffic shows. The texts are chosen so the client's fault table
(:data:`~removethebackground.core.faults.DEFAULT_FAULT_TABLE`) classifies them:
"is required", "is not a valid", "must be" become
:class:`~removethebackground.core.errors.InvalidArgumentFault`.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from ..core.constraints import problem
from ..core.wire import Constraint, Field, Operation, TypeSpec, WireModel

__all__ = [
    "DATETIME_FORMAT",
    "Fault",
    "Params",
    "SimulatedServerError",
    "check_constraints",
    "check_url_params",
    "is_http_url",
]

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_QUOTE_LIMIT = 100


class Fault(Exception):
    """A fault the service raises on purpose; its text goes to the caller as is."""

    def __init__(self, text: str, *, server: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.server = server


class SimulatedServerError(RuntimeError):
    """An "unhandled" server error the sandbox raises on purpose.

    For the test hooks (productId ``server-error`` and the like) and for an
    operation the sandbox has no handler for. It answers as an ASMX web method that
    throws: a server fault over SOAP, the message as text over HTTP GET/POST.
    """


def quoted(value: object) -> str:
    text = str(value)
    if len(text) > _QUOTE_LIMIT:
        text = text[:_QUOTE_LIMIT] + "..."
    return f"'{text}'"


def is_http_url(text: str) -> bool:
    """An absolute http or https URL with a host (and nothing that cannot be in one)."""
    if not text or any(c.isspace() or ord(c) < 0x20 for c in text):
        return False
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        return False
    del port
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


class Params:
    """The parameters of one call, read by attribute name, named by XML name in faults."""

    def __init__(self, op: Operation[Any], values: Mapping[str, Any]) -> None:
        self.op = op
        self.values = values
        self._names = {f.attr: f.name for f in op.params}
        self._rules = {f.attr: f.constraint for f in op.params if f.constraint is not None}

    def rule(self, attr: str) -> Constraint | None:
        """The overlay rule of a parameter (already enforced by :func:`check_constraints`).

        Where a parameter has one, the helpers below take its limits and choices from
        it instead of their arguments, so a handler's literals cannot drift from it.
        """
        return self._rules.get(attr)

    def has(self, attr: str) -> bool:
        return attr in self._names

    def name(self, attr: str) -> str:
        return self._names.get(attr, attr)

    def raw(self, attr: str) -> str | None:
        value = self.values.get(attr)
        return None if value is None else str(value)

    def text(self, attr: str) -> str:
        """The value with surrounding whitespace removed; ``""`` when absent."""
        value = self.values.get(attr)
        return "" if value is None else str(value).strip()

    def optional_text(self, attr: str, *, max_length: int = 255) -> str | None:
        """Free text as sent, or ``None`` when absent or empty."""
        value = self.raw(attr)
        if value is None or value == "":
            return None
        if len(value) > max_length:
            raise Fault(f"{self.name(attr)} is too long (at most {max_length} characters)")
        return value

    def required_text(self, attr: str, *, max_length: int = 255) -> str:
        value = self.optional_text(attr, max_length=max_length)
        if value is None or not value.strip():
            raise Fault(f"{self.name(attr)} is required")
        return value

    def items(self, attr: str) -> list[Any]:
        value = self.values.get(attr)
        return [] if value is None else list(value)

    def guid(self, attr: str) -> str:
        text = self.text(attr)
        if not text:
            raise Fault(f"{self.name(attr)} is required")
        try:
            return str(uuid.UUID(text))
        except ValueError:
            raise Fault(f"{self.name(attr)} is not a valid GUID: {quoted(text)}") from None

    def integer(
        self,
        attr: str,
        *,
        default: int | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        """An optional whole number; ``default`` when empty."""
        text = self.text(attr)
        if not text:
            return default
        name = self.name(attr)
        if not re.fullmatch(r"[+-]?\d{1,10}", text):
            raise Fault(f"{name} is not a valid number: {quoted(text)}")
        value = int(text)
        rule = self.rule(attr)
        if rule is not None and rule.kind == "integer":
            minimum, maximum = rule.minimum, rule.maximum
        if minimum is not None and maximum is not None and not minimum <= value <= maximum:
            raise Fault(f"{name} must be between {minimum} and {maximum}: {quoted(text)}")
        if minimum is not None and value < minimum:
            raise Fault(f"{name} must be at least {minimum}: {quoted(text)}")
        if maximum is not None and value > maximum:
            raise Fault(f"{name} must be at most {maximum}: {quoted(text)}")
        return value

    def required_integer(self, attr: str, *, minimum: int | None = None) -> int:
        value = self.integer(attr, minimum=minimum)
        if value is None:
            raise Fault(f"{self.name(attr)} is required")
        return value

    def one_of(
        self, attr: str, choices: Sequence[int], *, default: int | None = None
    ) -> int | None:
        text = self.text(attr)
        if not text:
            return default
        rule = self.rule(attr)
        if rule is not None and rule.kind == "choice" and rule.numeric:
            choices = [int(c) for c in rule.choices]
        listed = ", ".join(str(c) for c in choices[:-1]) + f" or {choices[-1]}"
        if not re.fullmatch(r"\d{1,6}", text) or int(text) not in choices:
            raise Fault(f"{self.name(attr)} must be {listed}: {quoted(text)}")
        return int(text)

    def word(self, attr: str, choices: Iterable[str], *, default: str) -> str:
        """One of ``choices`` (case-insensitive), returned as listed there."""
        text = self.text(attr)
        if not text:
            return default
        rule = self.rule(attr)
        options = list(rule.choices if rule is not None and rule.kind == "choice" else choices)
        for option in options:
            if option.lower() == text.lower():
                return option
        raise Fault(f"{self.name(attr)} must be one of {', '.join(options)}: {quoted(text)}")

    def boolean(self, attr: str, *, default: bool) -> bool:
        text = self.text(attr).lower()
        if not text:
            return default
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise Fault(f"{self.name(attr)} must be true or false: {quoted(self.text(attr))}")

    def date(self, attr: str) -> datetime.date | None:
        text = self.text(attr)
        if not text:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise Fault(
                f"{self.name(attr)} is not a valid date (yyyy-MM-dd): {quoted(text)}"
            ) from None

    def date_time(self, attr: str) -> datetime.datetime | None:
        text = self.text(attr)
        if not text:
            return None
        try:
            value = datetime.datetime.strptime(text, DATETIME_FORMAT)
        except ValueError:
            raise Fault(
                f"{self.name(attr)} is not a valid date and time (yyyy-MM-dd HH:mm:ss): "
                f"{quoted(text)}"
            ) from None
        return value.replace(tzinfo=datetime.UTC)

    def colour(self, attr: str) -> str:
        text = self.text(attr)
        if text and not _COLOUR.fullmatch(text):
            raise Fault(f"{self.name(attr)} is not a valid colour (#RRGGBB): {quoted(text)}")
        return text.upper()

    def email(self, attr: str) -> str | None:
        text = self.text(attr)
        if not text:
            return None
        if not _EMAIL.fullmatch(text) or len(text) > 254:
            raise Fault(f"{self.name(attr)} is not a valid email address: {quoted(text)}")
        return text


# --- URL parameters, found from the wire facts -------------------------------------------------


def _is_url_name(name: str) -> bool:
    """``imageURL``, ``imageURL2``, ``additionalResourceFileURLs``, ``callbackUrl`` ..."""
    return re.sub(r"\d+$", "", name.lower()).endswith(("url", "urls"))


def check_url_params(op: Operation[Any], values: Mapping[str, Any]) -> None:
    """Every non-empty parameter whose XML name ends in URL/Url(s) must be an http(s) URL.

    Walks arrays and nested types (``MarkerInfo.swatchImageURL``) through their
    ``TypeSpec``, so a URL parameter a new WSDL adds is checked without a code change.
    """
    for f in op.params:
        _check_value(f, values.get(f.attr), f.name)


def _check_value(f: Field, value: Any, where: str, *, url: bool = False) -> None:
    if value is None:
        return
    if f.item is not None:
        for index, item in enumerate(value):
            if item is None:
                raise Fault(f"{where} must be a list without nil items (item {index + 1} is nil)")
            _check_value(f.item, item, where, url=_is_url_name(f.name))
        return
    if f.repeated and isinstance(value, list):
        for item in value:
            _check_value(_single(f), item, where)
        return
    if f.model is not None and isinstance(value, WireModel):
        _check_model(value.__wire__, value, where)
        return
    if f.xsd in ("string", "anyURI") and (url or _is_url_name(f.name)) and isinstance(value, str):
        text = value.strip()
        if text and not is_http_url(text):
            raise Fault(f"{where} is not a valid absolute http or https URL: {quoted(text)}")


def _check_model(spec: TypeSpec, obj: WireModel, where: str) -> None:
    for f in spec.fields:
        _check_value(f, getattr(obj, f.attr), f"{where}/{f.name}")


def _single(f: Field) -> Field:
    return Field(f.attr, f.name, f.namespace, xsd=f.xsd, model=f.model)


# --- the overlay's rules, from the generated wire facts -------------------------------------------


def check_constraints(op: Operation[Any], values: Mapping[str, Any], now: float) -> None:
    """Every parameter (and field of a parameter's type) with an overlay rule must obey it.

    The rules are the ``Field.constraint`` facts that codegen wrote from
    ``codegen/overlays/<generation>.toml``, the same ones the client checks before
    sending, so the sandbox refuses exactly what a client would have refused. The
    fault is ``"<xml name> <problem>: '<text>'"`` (``imagesPerPage must be between 1
    and 100: '500'``), a ``soap:Client`` fault. ``now`` is the sandbox clock, for the
    rules that count from the present (a deadline at least 24 hours ahead).
    """
    for f in op.params:
        _check_rule(f, values.get(f.attr), f.name, now)


def _check_rule(f: Field, value: Any, where: str, now: float) -> None:
    if value is None:
        return
    if f.constraint is not None and isinstance(value, str):
        wrong = problem(f.constraint, value, now)
        if wrong is not None:
            raise Fault(f"{where} {wrong}: {quoted(value.strip())}")
        return
    if f.item is not None and isinstance(value, list):
        for item in value:
            _check_rule(f.item, item, where, now)
        return
    if f.model is not None and isinstance(value, WireModel):
        for child in value.__wire__.fields:
            _check_rule(child, getattr(value, child.attr), child.name, now)
        return
    if f.model is not None and isinstance(value, list):
        for item in value:
            _check_rule(f, item, where, now)

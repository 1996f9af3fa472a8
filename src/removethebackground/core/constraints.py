"""The values a parameter may take where the WSDL only says ``string``.

The Pixelz WSDL types almost every parameter as ``xsd:string``; the service parses
numbers, dates, booleans and closed sets itself and answers a ``soap:Client`` fault
for anything else. Codegen writes what is known about them (from the generation's
reviewed overlay in ``codegen/overlays/``) as a :class:`~removethebackground.core.wire.Constraint`
on the parameter's :class:`~removethebackground.core.wire.Field`. Two functions read it:

- :func:`to_wire` (the client): a natural Python value (``int``, ``bool``,
  ``datetime.date``, ``datetime.datetime``, ``uuid.UUID``) or a plain ``str`` as the
  element's text, checked with :func:`problem`; bad input raises
  :class:`~removethebackground.core.errors.InvalidParameterError` before anything is sent.
- :func:`problem` (the client and the sandbox): what is wrong with a wire text, or
  ``None``. The sandbox's fault is ``"<xml name> <problem>: '<text>'"``, the client's
  error names the parameter, the value and the allowed values; both come from the
  same rule, so the client refuses exactly what the sandbox would.

A plain ``str`` that the rule allows is sent exactly as given (so callers that
already passed ``"100"`` or ``"true"`` send the same bytes as before); an empty
string is what the service reads as "not given" and is always let through.

The rules can be switched off for a client (``validate=False``, ``rtb --no-validate``),
for the day the service accepts a value the overlay does not know yet: inside
:func:`unchecked`, :func:`to_wire` still turns the Python value into its text (an
``int`` is written as its digits, a ``datetime`` in UTC, and a type with no text for
the rule, such as a ``float`` for a whole number, is still refused) but checks no rule,
and the service (or the sandbox, which keeps checking) has the last word.
"""

from __future__ import annotations

import datetime
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from .errors import InvalidParameterError
from .wire import Constraint

__all__ = ["DATETIME_FORMAT", "allowed", "checking", "problem", "to_wire", "unchecked"]

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_NUMBER = re.compile(r"[+-]?\d{1,10}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")

# Whether to_wire checks the rules, in this thread or task: a client's validate=False
# turns it off around building its request (a context variable, so a client of
# another thread, or a sandbox serving in this process, keeps its own).
_CHECKING: ContextVar[bool] = ContextVar("removethebackground_constraints_checking", default=True)


def checking() -> bool:
    """Whether :func:`to_wire` checks the rules here (``False`` inside :func:`unchecked`)."""
    return _CHECKING.get()


@contextmanager
def unchecked() -> Iterator[None]:
    """Within it, :func:`to_wire` converts values but checks no rule."""
    token = _CHECKING.set(False)
    try:
        yield
    finally:
        _CHECKING.reset(token)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _listed(choices: tuple[str, ...]) -> str:
    if len(choices) == 1:
        return choices[0]
    return ", ".join(choices[:-1]) + f" or {choices[-1]}"


def allowed(c: Constraint) -> str:
    """The rule in words, as the service's fault texts put it (``must be 24, 72 or 168``)."""
    if c.kind == "integer":
        if c.minimum is not None and c.maximum is not None:
            return f"must be between {c.minimum} and {c.maximum}"
        if c.minimum is not None:
            return f"must be at least {c.minimum}"
        if c.maximum is not None:
            return f"must be at most {c.maximum}"
        return "must be a whole number"
    if c.kind == "boolean":
        return "must be true or false"
    if c.kind == "choice":
        if c.numeric:
            return f"must be {_listed(c.choices)}"
        return f"must be one of {', '.join(c.choices)}"
    if c.kind == "date":
        return "must be a date (yyyy-MM-dd)"
    if c.kind == "datetime":
        rule = "must be a date and time (yyyy-MM-dd HH:mm:ss, UTC)"
        if c.hours_ahead:
            rule += f" at least {c.hours_ahead} hours ahead"
        return rule
    if c.kind == "guid":
        also = "".join(f" or {a!r}" for a in c.also)
        return f"must be a GUID{also}"
    rules = []
    if c.pattern is not None:
        rules.append(f"must match {c.pattern}")
    if c.max_length is not None:
        rules.append(f"must be at most {c.max_length} characters")
    return " and ".join(rules) or "must be text"


def problem(c: Constraint, text: str, now: float | None = None) -> str | None:
    """What is wrong with the wire text ``text`` under ``c``, or ``None`` if nothing.

    Surrounding whitespace is ignored (the service trims before parsing) and an
    empty text is always fine (it means "not given"). ``now`` (seconds since the
    epoch, default the system clock) is what ``hours_ahead`` counts from.
    """
    value = text.strip()
    if not value:
        return None
    if any(value.lower() == a.lower() for a in c.also):
        return None
    kind = c.kind
    if kind == "integer":
        if not _NUMBER.fullmatch(value):
            return "is not a valid number"
        number = int(value)
        if (c.minimum is not None and number < c.minimum) or (
            c.maximum is not None and number > c.maximum
        ):
            return allowed(c)
        return None
    if kind == "boolean":
        return None if value.lower() in ("true", "false", "1", "0") else allowed(c)
    if kind == "choice":
        if c.numeric:
            ok = re.fullmatch(r"\d{1,6}", value) is not None and str(int(value)) in c.choices
        elif c.ignore_case:
            ok = value.lower() in (choice.lower() for choice in c.choices)
        else:
            ok = value in c.choices
        return None if ok else allowed(c)
    if kind == "date":
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            datetime.date.fromisoformat(value)
        except ValueError:
            return "is not a valid date (yyyy-MM-dd)"
        return None
    if kind == "datetime":
        try:
            if not _DATETIME.fullmatch(value):
                raise ValueError(value)
            moment = datetime.datetime.strptime(value, DATETIME_FORMAT).replace(tzinfo=datetime.UTC)
        except ValueError:
            return "is not a valid date and time (yyyy-MM-dd HH:mm:ss)"
        if c.hours_ahead:
            clock = time.time() if now is None else now
            if moment.timestamp() < clock + c.hours_ahead * 3600:
                return f"must be at least {c.hours_ahead} hours ahead (UTC)"
        return None
    if kind == "guid":
        try:
            uuid.UUID(value)
        except ValueError:
            return "is not a valid GUID"
        return None
    if kind == "text":
        if c.max_length is not None and len(value) > c.max_length:
            return f"is too long (at most {c.max_length} characters)"
        if c.pattern is not None and not _compiled(c.pattern).fullmatch(value):
            return c.message or f"must match {c.pattern}"
        return None
    raise ValueError(f"unknown constraint kind {kind!r}")


def _type_error(where: str, expected: str, value: object) -> InvalidParameterError:
    return InvalidParameterError(
        where, f"expected {expected}, got {type(value).__name__}: {_shown(value)}"
    )


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _text(c: Constraint, value: object, where: str) -> str:
    """``value`` as wire text, by Python type; no rule checked yet."""
    if isinstance(value, str):
        return value
    kind = c.kind
    if kind in ("integer", "choice") and (kind == "integer" or c.numeric):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise _type_error(where, "int (or its digits as str)", value)
    if kind == "boolean":
        if isinstance(value, bool):
            return "true" if value else "false"
        raise _type_error(where, "bool (or 'true'/'false')", value)
    if kind == "date":
        if isinstance(value, datetime.datetime):
            raise InvalidParameterError(
                where, f"expected a datetime.date, got a datetime {value!r}: pass value.date()"
            )
        if isinstance(value, datetime.date):
            return value.isoformat()
        raise _type_error(where, "datetime.date (or 'yyyy-MM-dd')", value)
    if kind == "datetime":
        if isinstance(value, datetime.datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise InvalidParameterError(
                    where,
                    f"{value!r} has no time zone: pass an aware datetime "
                    "(e.g. tzinfo=datetime.UTC); it is sent in UTC",
                )
            return value.astimezone(datetime.UTC).strftime(DATETIME_FORMAT)
        raise _type_error(where, "datetime.datetime (or 'yyyy-MM-dd HH:mm:ss')", value)
    if kind == "guid":
        if isinstance(value, uuid.UUID):
            return str(value)
        raise _type_error(where, "uuid.UUID (or its str)", value)
    raise _type_error(where, "str", value)


def to_wire(c: Constraint, value: object, where: str, now: float | None = None) -> str:
    """The text of the element for ``value``; :class:`InvalidParameterError` if it breaks ``c``."""
    text = _text(c, value, where)
    if not _CHECKING.get():  # validate=False: the service has the last word
        return text
    wrong = problem(c, text, now)
    if wrong is not None:
        source = f" (source: {c.source})" if c.source else ""
        hint = _allowed_hint(c, wrong)
        refused = InvalidParameterError(where, f"{_shown(value)} {wrong}{hint}{source}")
        refused.source = c.source or None  # the text's provenance, as an attribute too
        raise refused
    return text


def _allowed_hint(c: Constraint, wrong: str) -> str:
    """The allowed values, when the problem text does not already say them."""
    rule = allowed(c)
    return "" if rule == wrong or wrong.startswith("must") else f": it {rule}"

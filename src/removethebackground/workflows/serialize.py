"""Results as plain JSON-ready data and back: :func:`to_dict`, :func:`to_json`, :func:`from_dict`.

``to_dict`` turns a generated result dataclass (of either generation) into dicts,
lists, ``str``, ``int``, ``bool`` and ``None`` only, keyed by the Python attribute
names (``image_ticket``, ``final_images_url``)::

    UUID        -> "9a4e4e16-8e77-4e8c-b579-79fba86611e3"
    Decimal     -> "12.50"           (a string: no precision is lost)
    datetime    -> "2012-01-02T03:04:05+00:00"   (ISO 8601), date -> "2012-01-02"
    bytes       -> base64 text
    float       -> a number; NaN and infinities as "NaN", "INF", "-INF"
    UNSET       -> the key is left out (``None`` stays ``null``: they differ)

``from_dict(Model, data)`` reads that back, driven by the dataclass's type hints, and
checks every value on the way (unknown keys, wrong types and missing required fields
raise :class:`~removethebackground.core.errors.InvalidParameterError` naming the path,
e.g. ``images[2].status_id``). A missing optional key takes the field's default
(``UNSET`` where the schema allows both an omitted and a nil element).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import decimal
import json
import math
import types
import typing
import uuid
from typing import Any, TypeVar, Union

from ..core.errors import InvalidParameterError
from ..core.wire import UNSET, UnsetType

__all__ = ["from_dict", "from_json", "to_dict", "to_json"]

T = TypeVar("T")
_MISSING = dataclasses.MISSING


def to_dict(result: Any) -> Any:
    """``result`` (a generated dataclass, or a list of them) as plain JSON-ready data."""
    return _dump(result, "result")


def to_json(result: Any, *, indent: int | None = None) -> str:
    """:func:`to_dict` as JSON text (keys in field order)."""
    return json.dumps(_dump(result, "result"), indent=indent, ensure_ascii=False)


def from_json(model: type[T], text: str | bytes) -> T:
    """:func:`from_dict` of JSON text."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidParameterError("data", f"not JSON: {exc}") from None
    return from_dict(model, data)


def from_dict(model: type[T], data: Any) -> T:
    """Build ``model`` (a generated dataclass) from what :func:`to_dict` gave."""
    if not (isinstance(model, type) and dataclasses.is_dataclass(model)):
        raise InvalidParameterError("model", f"expected a generated dataclass, got {model!r}")
    value: T = _load(model, data, model.__name__)
    return value


# --- out ----------------------------------------------------------------------------------


def _dump(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (list, tuple)):
        return [_dump(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is UNSET:
                continue
            out[f.name] = _dump(item, f"{where}.{f.name}")
        return out
    if value is UNSET:
        raise InvalidParameterError(where, "UNSET can only stand for a field of a dataclass")
    raise InvalidParameterError(where, f"cannot convert {type(value).__name__} to JSON data")


# --- in -----------------------------------------------------------------------------------

_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(model: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(model)
    if hints is None:
        hints = typing.get_type_hints(model)
        _HINTS[model] = hints
    return hints


def _load(tp: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        return _load_union(typing.get_args(tp), data, where)
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        if not isinstance(data, list):
            raise _wrong(where, "a list", data)
        return [_load(item, element, f"{where}[{i}]") for i, element in enumerate(data)]
    if tp is Any:
        return data
    if tp is type(None):
        if data is not None:
            raise _wrong(where, "null", data)
        return None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _load_model(tp, data, where)
    return _load_scalar(tp, data, where)


def _load_union(options: tuple[Any, ...], data: Any, where: str) -> Any:
    if data is None and type(None) in options:
        return None
    if data is UNSET and UnsetType in options:
        return UNSET
    rest = [o for o in options if o is not type(None) and o is not UnsetType]
    if len(rest) == 1:
        return _load(rest[0], data, where)
    errors: list[str] = []
    for option in rest:
        try:
            return _load(option, data, where)
        except InvalidParameterError as exc:
            errors.append(str(exc))
    raise InvalidParameterError(where, "; ".join(errors) or "no type fits")


def _load_model(model: type[Any], data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise _wrong(where, f"an object for {model.__name__}", data)
    hints = _hints(model)
    fields = {f.name: f for f in dataclasses.fields(model)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise InvalidParameterError(
            f"{where}.{unknown[0]}", f"{model.__name__} has no field {unknown[0]!r}"
        )
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name in data:
            kwargs[name] = _load(hints[name], data[name], f"{where}.{name}")
        elif f.default is _MISSING and f.default_factory is _MISSING:
            raise InvalidParameterError(f"{where}.{name}", "is required but missing")
    return model(**kwargs)


def _load_scalar(tp: Any, data: Any, where: str) -> Any:
    if tp is bool:
        if not isinstance(data, bool):
            raise _wrong(where, "true or false", data)
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise _wrong(where, "an integer", data)
        return data
    if tp is str:
        if not isinstance(data, str):
            raise _wrong(where, "a string", data)
        return data
    if tp is float:
        if isinstance(data, str) and data in ("NaN", "INF", "-INF"):
            return float(data.replace("INF", "inf").replace("NaN", "nan"))
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise _wrong(where, "a number", data)
        return float(data)
    if tp is uuid.UUID:
        if isinstance(data, str):
            try:
                return uuid.UUID(data)
            except ValueError:
                pass
        raise _wrong(where, "a GUID string", data)
    if tp is decimal.Decimal:
        if isinstance(data, (str, int)) and not isinstance(data, bool):
            try:
                return decimal.Decimal(data)
            except decimal.InvalidOperation:
                pass
        raise _wrong(where, "a decimal number as a string", data)
    if tp is datetime.datetime:
        if isinstance(data, str):
            try:
                return datetime.datetime.fromisoformat(data)
            except ValueError:
                pass
        raise _wrong(where, "an ISO 8601 date and time", data)
    if tp is datetime.date:
        if isinstance(data, str):
            try:
                return datetime.date.fromisoformat(data)
            except ValueError:
                pass
        raise _wrong(where, "an ISO 8601 date", data)
    if tp is datetime.time:
        if isinstance(data, str):
            try:
                return datetime.time.fromisoformat(data)
            except ValueError:
                pass
        raise _wrong(where, "an ISO 8601 time", data)
    if tp is bytes:
        if isinstance(data, str):
            try:
                return base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                pass
        raise _wrong(where, "base64 text", data)
    if tp is UnsetType:
        raise InvalidParameterError(where, "UNSET is written as a missing key")
    raise InvalidParameterError(where, f"unsupported field type {tp!r}")


def _wrong(where: str, expected: str, data: Any) -> InvalidParameterError:
    shown = repr(data)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return InvalidParameterError(where, f"expected {expected}, got {shown}")

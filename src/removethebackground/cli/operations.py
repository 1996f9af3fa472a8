"""The commands of ``rtb call``: one per operation of every generation.

They are built at run time from the generated wire facts of every generation
in the registry (``removethebackground.generated.GENERATIONS``: ``pixelz.SERVICE``,
``legacy.SERVICE``): one option
per parameter, named after its Python name (``--template-id``) and also accepting the
XML name (``--templateId``); values are checked against the parameter's XSD type before
anything is sent (int ranges, ``true``/``false``, GUIDs, decimals, dates); an array is a
repeated option (``--colorway-ids 1 --colorway-ids 2``), and an array of complex items
takes one JSON object per item. The credential parameters are filled in by the client.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import inspect
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

import click

from ..core.codec import format_scalar
from ..core.constraints import allowed
from ..core.errors import InvalidParameterError
from ..core.wire import SECRET_PARAMS, Field, Operation, Service, WireModel
from ..generated import GENERATIONS

__all__ = [
    "SERVICES",
    "XsdType",
    "find_operation",
    "operation_command",
    "operation_rows",
    "option_name",
    "suggest_operations",
]

# Every generation of the registry, keyed as there: ``pixelz``, ``legacy`` ...
SERVICES: Mapping[str, tuple[Service, type[Any]]] = {
    key: (generation.service, generation.client_class) for key, generation in GENERATIONS.items()
}


def operation_rows() -> list[dict[str, Any]]:
    """Every operation of every generation: what ``rtb call --list`` shows."""
    rows = []
    for generation, (service, _cls) in SERVICES.items():
        for op in service.operations.values():
            shown = [p.name for p in op.params if p.name not in op.credential_params]
            rows.append(
                {
                    "generation": generation,
                    "operation": op.name,
                    "python_name": op.python_name,
                    "bindings": sorted(b.value for b in op.bindings),
                    "parameters": shown,
                }
            )
    return rows


def option_name(f: Field) -> str:
    return "--" + f.attr.replace("_", "-")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def find_operation(name: str, generation: str) -> Operation[Any] | None:
    """``AddImageToQueue``, ``add_image_to_queue`` and ``add-image-to-queue`` all match."""
    service = SERVICES[generation][0]
    if name in service.operations:
        return service.operations[name]
    wanted = _key(name)
    for op in service.operations.values():
        if wanted in (_key(op.name), _key(op.python_name)):
            return op
    return None


def suggest_operations(name: str, generation: str, limit: int = 3) -> list[str]:
    """The operations whose name is close to ``name`` (difflib), those of ``generation``
    first; another generation's are shown with the flag that selects it.

    Names are compared as :func:`find_operation` matches them (case, ``-`` and ``_``
    ignored), on the XML name and the Python name alike: ``GetImageStats`` and
    ``get-image-stats`` both find ``GetImageStatus``.
    """
    import difflib

    choices: dict[str, str] = {}
    for each in (generation, *(g for g in SERVICES if g != generation)):
        flag = "" if each == generation else f" (rtb --generation {each} call ...)"
        for op in SERVICES[each][0].operations.values():
            for key in (_key(op.name), _key(op.python_name)):
                choices.setdefault(key, f"{op.name}{flag}")
    found: list[str] = []
    for key in difflib.get_close_matches(_key(name), list(choices), n=limit * 2, cutoff=0.6):
        if choices[key] not in found:
            found.append(choices[key])
    return found[:limit]


class XsdType(click.ParamType):  # type: ignore[type-arg]  # generic in click 8.5 only
    """A command-line value read as the XSD type of a parameter."""

    def __init__(self, xsd: str, model: type[WireModel] | None = None) -> None:
        self.xsd = xsd
        self.model = model
        self.name = model.__name__ if model is not None else xsd

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        where = param.opts[0] if param is not None and param.opts else self.xsd
        try:
            if self.model is not None:
                return _model_from_json(self.model, value, where)
            parsed = _parse_scalar(self.xsd, value)
            format_scalar(self.xsd, parsed, where)  # ranges and the like, as the client checks
        except (ValueError, InvalidParameterError, decimal.InvalidOperation) as exc:
            self.fail(f"{value!r} is not a valid xsd:{self.name}: {_reason(exc)}", param, ctx)
        return parsed


def _reason(exc: Exception) -> str:
    if isinstance(exc, InvalidParameterError):
        return str(exc).split(": ", 1)[-1]
    return str(exc) or type(exc).__name__


def _parse_scalar(xsd: str, text: str) -> Any:
    if xsd in ("string", "anyURI", "normalizedString", "token"):
        return text
    if xsd in (
        "int",
        "long",
        "short",
        "byte",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
        "char",
        "integer",
    ):
        if not re.fullmatch(r"[+-]?\d+", text.strip()):
            raise ValueError("give a whole number, e.g. 42")
        return int(text)
    if xsd == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise ValueError("give true or false")
    if xsd == "guid":
        try:
            return uuid.UUID(text.strip())
        except ValueError:
            raise ValueError("give a GUID, e.g. 9a4e4e16-8e77-4e8c-b579-79fba86611e3") from None
    if xsd == "decimal":
        number = decimal.Decimal(text.strip())
        if not number.is_finite():
            raise ValueError("give a finite number, e.g. 12.50")
        return number
    if xsd in ("double", "float"):
        return float(text)
    if xsd == "dateTime":
        return datetime.datetime.fromisoformat(text.strip())
    if xsd == "date":
        return datetime.date.fromisoformat(text.strip())
    if xsd == "base64Binary":
        try:
            return base64.b64decode(text, validate=True)
        except binascii.Error:
            raise ValueError("give base64 text") from None
    return text


def _model_from_json(model: type[WireModel], text: str, where: str) -> WireModel:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"give a JSON object ({exc.msg})") from None
    return _build_model(model, data, where)


def _build_model(model: type[WireModel], data: Any, where: str) -> WireModel:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: give a JSON object")
    spec = model.__wire__
    by_name: dict[str, Field] = {}
    for each in spec.fields:
        by_name[each.attr] = each
        by_name[each.name] = each
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        f = by_name.get(key)
        if f is None:
            known = ", ".join(x.name for x in spec.fields)
            raise ValueError(f"{where}: {model.__name__} has no field {key!r} (fields: {known})")
        kwargs[f.attr] = _json_value(f, value, f"{where}.{f.name}")
    return model(**kwargs)


def _json_value(f: Field, value: Any, where: str) -> Any:
    if value is None:
        return None
    if f.item is not None:
        if not isinstance(value, list):
            raise ValueError(f"{where}: give a JSON list")
        return [_json_value(f.item, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if f.model is not None:
        return _build_model(f.model, value, where)
    text = value if isinstance(value, str) else json.dumps(value)
    parsed = _parse_scalar(f.xsd or "string", text)
    format_scalar(f.xsd or "string", parsed, where)
    return parsed


def _type_text(f: Field) -> str:
    if f.item is not None:
        inner = f.item.model.__name__ if f.item.model is not None else f.item.xsd
        return f"array of {inner}; repeat the option"
    if f.model is not None:
        return f"{f.model.__name__} as a JSON object"
    return f"xsd:{f.xsd}"


def _summary(op: Operation[Any], client_class: type[Any]) -> str:
    """The help of an operation: its documentation and the method's docstring head."""
    method = getattr(client_class, op.python_name, None)
    doc = inspect.getdoc(method) or ""
    head = doc.split("\n\nParameters", 1)[0].strip()
    head = re.sub(r":\w+:`~?([^`]+)`", r"\1", head).replace("``", "`")
    parts = [p for p in (op.documentation.strip(), head) if p]
    parts.append(f"Python: client.{op.python_name}(...)")
    # click rewraps paragraphs; keep the docstring's lines as they are.
    return "\n\n".join("\b\n" + p for p in parts)


def operation_command(op: Operation[Any], generation: str, run: Any) -> click.Command:
    """The click command of one operation.

    ``run(op, generation, kwargs, secrets, json_flag)`` makes the call.
    """
    client_class = SERVICES[generation][1]
    credentials = set(op.credential_params)
    params: list[click.Parameter] = []
    attrs: list[Field] = []
    for f in op.params:
        if f.name in credentials:
            continue
        names = [option_name(f)]
        if f.name != f.attr and "--" + f.name not in names:
            names.append("--" + f.name)
        repeated = f.item is not None or f.repeated
        inner: Field = f.item if f.item is not None else f
        kind = XsdType(inner.xsd or "string", inner.model)
        occurs = "required" if f.required else "optional"
        secret = " (a credential: never shown)" if f.name.lower() in SECRET_PARAMS else ""
        rule = f"; {allowed(inner.constraint)}" if inner.constraint is not None else ""
        params.append(
            click.Option(
                [*names, f.attr],
                type=kind,
                multiple=repeated,
                required=f.required,
                metavar="JSON"
                if inner.model is not None
                else inner.xsd.upper()
                if inner.xsd
                else None,
                help=f"<{f.name}> ({_type_text(f)}, {occurs}){rule}{secret}",
            )
        )
        attrs.append(f)

    params.append(
        click.Option(
            ["--json", "json_flag"], is_flag=True, help="print JSON for scripts instead of tables"
        )
    )

    def callback(json_flag: bool = False, **kwargs: Any) -> int:
        values: dict[str, Any] = {}
        secrets: list[str] = []
        for f in attrs:
            value = kwargs.get(f.attr)
            if f.item is not None or f.repeated:
                if not value:
                    continue
                value = list(value)
            elif value is None:
                continue
            if f.name.lower() in SECRET_PARAMS and isinstance(value, str):
                secrets.append(value)
            values[f.attr] = value
        result: int = run(op, generation, values, secrets, json_flag)
        return result

    return click.Command(
        op.name,
        params=params,
        callback=callback,
        help=_summary(op, client_class),
        short_help=f"{op.name} ({', '.join(sorted(b.value for b in op.bindings))})",
        no_args_is_help=False,
    )

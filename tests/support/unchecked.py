"""Requests that bypass the client's overlay checks: what an older or foreign client sends."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from removethebackground.core.wire import Field, Operation, Service


def _without_rule(f: Field) -> Field:
    item = None if f.item is None else _without_rule(f.item)
    return replace(f, constraint=None, item=item)


def unchecked(op: Operation[Any]) -> Operation[Any]:
    """``op`` without the overlay rules on its parameters: what an older or foreign
    client would send. Nested types keep theirs (they are shared with the service)."""
    return replace(op, params=tuple(_without_rule(f) for f in op.params))


def call_unchecked(client: Any, method: str, **kwargs: Any) -> Any:
    """Call ``method`` through the client's real path, minus its overlay checks."""
    op = next(o for o in client.SERVICE.operations.values() if o.python_name == method)
    return client._call(unchecked(op), kwargs)


def operation_named(service: Service, method: str) -> Operation[Any]:
    return next(o for o in service.operations.values() if o.python_name == method)

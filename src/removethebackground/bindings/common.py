"""Pieces every binding's client side uses: reading results, errors built with redaction."""

from __future__ import annotations

from typing import Any, TypeVar

from lxml import etree

from ..core.codec import ANY_XML, UNTYPED, XSI_NIL, parse_scalar, read_field, read_model
from ..core.errors import DeclaredFault, HTTPStatusError, MalformedResponseError, ServiceFault
from ..core.http import HttpAnswer
from ..core.wire import Binding, Operation
from .base import CallContext

__all__ = [
    "declared_fault",
    "excerpt",
    "fault_error",
    "http_status_error",
    "local_code",
    "redact_element",
    "result_of",
]

R = TypeVar("R")


def local_code(raw: str | None) -> str:
    """The local part of a fault code QName such as ``soap:Client``."""
    raw = (raw or "").strip()
    _prefix, sep, local = raw.rpartition(":")
    return local if sep else raw


def excerpt(data: bytes, ctx: CallContext, limit: int = 200) -> str | None:
    """The start of a body for an error, redacted before it is cut."""
    if not data:
        return None
    # Redact the whole body first: a key cut by the limit would leave a prefix.
    return ctx.redact(data.decode("utf-8", "replace"))[:limit]


def redact_element(element: etree._Element, ctx: CallContext) -> etree._Element:
    """A copy of ``element`` with the secrets removed from every text, tail and attribute."""
    copy = etree.fromstring(etree.tostring(element))
    for el in copy.iter():
        if el.text:
            el.text = ctx.redact(el.text)
        if el.tail:
            el.tail = ctx.redact(el.tail)
        for name, value in el.attrib.items():
            el.set(name, ctx.redact(str(value)))
    return copy


def fault_error(
    op: Operation[Any],
    binding: Binding,
    status: int,
    code: str | None,
    subcode: str | None,
    text: str,
    detail: etree._Element | None,
    ctx: CallContext,
    cls: type[ServiceFault] | None = None,
) -> ServiceFault:
    """The library error for a fault the service answered (text and detail redacted).

    ``cls`` overrides the fault table (a WS-Security or WS-Addressing fault code).
    Otherwise a ``detail`` child that ``op`` declares (``wsdl:fault``) makes the fault
    that declared fault's class, with the child read (after redaction) as its model.
    """
    text = ctx.redact(text)
    if detail is not None and len(detail) == 0 and not (detail.text or "").strip():
        detail = None
    if detail is not None:
        detail = redact_element(detail, ctx)
    if cls is None and detail is not None and op.faults:
        declared = declared_fault(op, binding, status, code, subcode, text, detail)
        if declared is not None:
            return declared
    if cls is None:
        cls = ctx.fault_class(code or None, text)
    return cls(
        text,
        code=code or None,
        subcode=subcode,
        detail=detail,
        http_status=status,
        operation=op.name,
        binding=binding.value,
    )


def declared_fault(
    op: Operation[Any],
    binding: Binding,
    status: int,
    code: str | None,
    subcode: str | None,
    text: str,
    detail: etree._Element,
) -> DeclaredFault[Any] | None:
    """The declared fault whose detail element ``detail`` carries, or ``None``.

    The first child of ``detail`` whose tag a :class:`~removethebackground.core.wire.FaultSpec`
    of ``op`` names is read as that fault's model. A declared element that does not
    read as its type is not that fault (a service writing something else under the
    same name): the fault table classes it as it would any undeclared fault.
    """
    by_tag = {spec.tag: spec for spec in op.faults}
    for child in detail:
        spec = by_tag.get(child.tag) if isinstance(child.tag, str) else None
        if spec is None:
            continue
        try:
            value = read_model(child, spec.model, spec.element)
        except MalformedResponseError:
            return None
        return spec.error(
            text,
            detail_value=value,
            code=code or None,
            subcode=subcode,
            detail=detail,
            http_status=status,
            operation=op.name,
            binding=binding.value,
        )
    return None


def http_status_error(
    op: Operation[Any], binding: Binding, answer: HttpAnswer, ctx: CallContext
) -> HTTPStatusError:
    """An HTTP answer that is neither a result nor a fault of this binding."""
    ctype = answer.mime
    return HTTPStatusError(
        f"HTTP {answer.status} {ctx.redact(answer.reason or '')}".strip()
        + (f" ({ctype})" if ctype else "")
        + ("" if answer.body else ", empty body"),
        http_status=answer.status,
        excerpt=excerpt(answer.body, ctx),
        operation=op.name,
        binding=binding.value,
    )


def result_of(op: Operation[R], el: etree._Element | None, status: int, binding: Binding) -> R:
    """Read the result element of ``op``; a missing or nil one is a malformed answer
    (except where the result's kind says what an absent one is: ``codec.read_field``)."""
    if op.void:
        return None  # type: ignore[return-value]  # Operation[None]: a void method
    if op.result.item is not None or op.result.xsd in (UNTYPED, ANY_XML):  # list, object, XML
        try:
            value: R = read_field(el, op.result, op.result.name)
            return value
        except MalformedResponseError as exc:
            raise MalformedResponseError(
                str(exc.args[0]), http_status=status, operation=op.name, binding=binding.value
            ) from None
    if el is None or el.get(XSI_NIL) in ("true", "1"):
        raise MalformedResponseError(
            f"the answer has no {op.result.name}",
            http_status=status,
            operation=op.name,
            binding=binding.value,
        )
    try:
        if op.result.model is None and op.result.xsd is not None:  # a simple-typed result
            if op.result.xsd_list:
                return read_field(el, op.result, op.result.name)  # type: ignore[no-any-return]
            value = parse_scalar(op.result.xsd, el.text, op.result.name)
            return value
        result: R = read_model(el, op.result_model, op.result.name)  # type: ignore[type-var]
        return result
    except MalformedResponseError as exc:
        raise MalformedResponseError(
            str(exc.args[0]), http_status=status, operation=op.name, binding=binding.value
        ) from None

"""The ``<wsse:Security>`` header block, ``wsu:Timestamp`` and the time format they use."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable

from lxml import etree

from ...core.codec import SOAP11_ENV, SOAP12_ENV
from .names import WSSE_NS, WSU_ID, WSU_NS

__all__ = [
    "Clock",
    "add_timestamp",
    "declare_wsu",
    "ensure_id",
    "envelope_ns",
    "format_time",
    "header_of",
    "parse_time",
    "security_header",
    "utc_now",
]

Clock = Callable[[], datetime.datetime]


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def format_time(moment: datetime.datetime) -> str:
    """``2026-12-01T07:00:00.123Z``: UTC, milliseconds, as WSS 1.1 recommends."""
    moment = moment.astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime.datetime:
    """An ``xsd:dateTime`` with a zone (``Z`` or ``+hh:mm``); ValueError otherwise."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return moment.astimezone(datetime.UTC)


def envelope_ns(envelope: etree._Element) -> str:
    ns = etree.QName(envelope).namespace
    if ns not in (SOAP11_ENV, SOAP12_ENV) or etree.QName(envelope).localname != "Envelope":
        raise ValueError("not a SOAP 1.1 or 1.2 envelope")
    return ns


def header_of(envelope: etree._Element, *, create: bool) -> etree._Element | None:
    ns = envelope_ns(envelope)
    header = envelope.find(f"{{{ns}}}Header")
    if header is None and create:
        header = etree.Element(f"{{{ns}}}Header")
        envelope.insert(0, header)
    return header


def security_header(
    envelope: etree._Element, *, create: bool = True, must_understand: bool = True
) -> etree._Element | None:
    """The envelope's ``<wsse:Security>`` block (made, with ``mustUnderstand``, if asked)."""
    header = header_of(envelope, create=create)
    if header is None:
        return None
    security = header.find(f"{{{WSSE_NS}}}Security")
    if security is None and create:
        security = etree.SubElement(
            header, f"{{{WSSE_NS}}}Security", nsmap={"wsse": WSSE_NS, "wsu": WSU_NS}
        )
        if must_understand:
            ns = envelope_ns(envelope)
            # SOAP 1.1 writes "1", SOAP 1.2 "true" (both accept either).
            value = "1" if ns == SOAP11_ENV else "true"
            security.set(f"{{{ns}}}mustUnderstand", value)
    return security


def declare_wsu(element: etree._Element) -> None:
    """Declare the ``wsu`` prefix on ``element`` unless it is in scope there already.

    lxml writes an attribute whose namespace has no prefix in scope with a made-up
    one (``ns0:Id``); that is valid XML, but WSS 1.1 and the services that follow its
    examples (WCF among them) expect ``wsu:Id``. An element cannot be given a new
    declaration in place, so the subtree's declarations are rewritten with ``wsu``
    on top, keeping every prefix declared below (a prefix may be used in an
    attribute value only, as ``xsi:type="q:name"`` does, where lxml cannot see it).
    """
    if "wsu" in element.nsmap:  # ours, or another meaning here: leave the subtree as it is
        return
    keep = {p for el in element.iter() if isinstance(el.tag, str) for p in el.nsmap if p}
    etree.cleanup_namespaces(
        element, top_nsmap={"wsu": WSU_NS}, keep_ns_prefixes=sorted(keep | {"wsu"})
    )


def ensure_id(element: etree._Element, prefix: str = "id") -> str:
    """The element's ``wsu:Id``, set to a fresh one first if it has none (with the
    ``wsu`` prefix declared on the element if no ancestor declares it)."""
    value = element.get(WSU_ID)
    if not value:
        value = f"{prefix}-{uuid.uuid4()}"
        declare_wsu(element)
        element.set(WSU_ID, value)
    return value


def add_timestamp(
    security: etree._Element, now: datetime.datetime, lifetime: float
) -> etree._Element:
    """Put ``<wsu:Timestamp>`` (Created, Expires = Created + lifetime) first in the block."""
    existing = security.find(f"{{{WSU_NS}}}Timestamp")
    if existing is not None:
        return existing
    stamp = etree.Element(f"{{{WSU_NS}}}Timestamp")
    etree.SubElement(stamp, f"{{{WSU_NS}}}Created").text = format_time(now)
    expires = now + datetime.timedelta(seconds=lifetime)
    etree.SubElement(stamp, f"{{{WSU_NS}}}Expires").text = format_time(expires)
    ensure_id(stamp, "TS")
    security.insert(0, stamp)
    return stamp

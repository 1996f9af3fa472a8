"""Envelope logs: every request and answer, pretty-printed, secrets removed.

At DEBUG, the ``removethebackground.wire`` logger gets one record per request and
one per answer::

    logging.getLogger("removethebackground.wire").setLevel(logging.DEBUG)

Before anything is written, the text of these elements is replaced by ``***``:
the credential parameters (``contactAPIkey`` and the other
:data:`~removethebackground.core.wire.SECRET_PARAMS`), WS-Security ``Password``,
``Nonce`` and ``BinarySecurityToken``, XML Signature ``SignatureValue``, and any
text holding a PEM private key. Long base64 content (a certificate, an image) is
cut to its length and a SHA-256 prefix. The client's own API key is also removed
wherever else it might appear. Nothing is formatted unless DEBUG is on.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable

from lxml import etree

from .wire import SECRET_PARAMS

__all__ = ["BASE64_CUT", "REDACTED_ELEMENTS", "format_envelope", "log_envelope", "wire_log"]

wire_log = logging.getLogger("removethebackground.wire")

_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
_DS = "http://www.w3.org/2000/09/xmldsig#"
REDACTED_ELEMENTS = frozenset(
    {
        f"{{{_WSSE}}}Password",
        f"{{{_WSSE}}}Nonce",
        f"{{{_WSSE}}}BinarySecurityToken",
        f"{{{_DS}}}SignatureValue",
    }
)
BASE64_CUT = 120  # base64 runs longer than this are shown as length and digest
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]+$")
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.S
)
_MASK = "***"
_TEXT_LIMIT = 64 * 1024


def _cut(text: str) -> str:
    compact = "".join(text.split())
    if len(compact) > BASE64_CUT and _BASE64.match(text):
        digest = hashlib.sha256(compact.encode("ascii")).hexdigest()[:16]
        return f"[{len(compact)} base64 chars, sha256 {digest}...]"
    return text


def _redact_tree(root: etree._Element) -> None:
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname.lower()
        if el.tag in REDACTED_ELEMENTS or local in SECRET_PARAMS:
            if len(el) == 0 and el.text:
                el.text = _MASK
            else:
                for child in list(el):
                    el.remove(child)
                el.text = _MASK
            continue
        if el.text:
            el.text = _cut(_PRIVATE_KEY.sub(_MASK, el.text))
        for name, value in el.attrib.items():
            if isinstance(name, str) and etree.QName(name).localname.lower() in SECRET_PARAMS:
                el.set(name, _MASK)
            elif "PRIVATE KEY" in value:
                el.set(name, _MASK)


def _no_redact(text: str) -> str:
    return text


def format_envelope(data: bytes | etree._Element, redact: Callable[[str], str] = _no_redact) -> str:
    """The envelope (or any XML; other text as is) pretty-printed with secrets removed.

    ``redact`` removes the caller's own secrets (the client's API key) from the text.
    """
    if isinstance(data, etree._Element):
        root: etree._Element | None = etree.fromstring(etree.tostring(data))
    else:
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True
        )
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError:
            root = None
    if root is None:
        raw = data if isinstance(data, bytes) else b""
        text = raw[:_TEXT_LIMIT].decode("utf-8", "replace")
        return _PRIVATE_KEY.sub(_MASK, redact(text))
    _redact_tree(root)
    text = etree.tostring(root, pretty_print=True, encoding="unicode")
    return _PRIVATE_KEY.sub(_MASK, redact(text.rstrip("\n")))


def log_envelope(
    direction: str,
    data: bytes | etree._Element,
    operation: str,
    binding: str,
    redact: Callable[[str], str] = _no_redact,
) -> None:
    """Log one envelope at DEBUG on ``removethebackground.wire`` (``direction``: request/answer)."""
    if not wire_log.isEnabledFor(logging.DEBUG):
        return
    wire_log.debug(
        "%s of %s over %s:\n%s", direction, operation, binding, format_envelope(data, redact)
    )

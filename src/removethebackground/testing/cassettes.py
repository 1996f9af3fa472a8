"""SOAP-aware cassettes for vcrpy / pytest-recording.

Plain vcrpy matches requests on method and URI, which cannot tell two SOAP calls
apart (every SOAP 1.1/1.2 call is ``POST /soap.asmx``), and writes bodies as they
are, API key included. This module gives:

- matchers that compare what identifies a call: ``rtb_method``, ``rtb_path`` (the
  URL path, ignoring scheme, host and port so a cassette recorded against a
  sandbox on one port replays on any other), ``rtb_query`` (query pairs with
  secrets masked), ``soap_action`` (the ``SOAPAction`` header or the SOAP 1.2
  ``action=`` parameter) and ``soap_body`` (the body canonicalised: XML
  compared as a tree of namespace-qualified names, attributes and text, so
  prefixes and indentation do not matter, form bodies
  as ordered pairs; secrets masked on both sides);
- a scrubber that removes the API key, the email and other credentials from XML
  bodies, form bodies, query strings and headers *before anything is written*,
  and any literal secret you name from responses too;
- :func:`vcr_config` and :func:`register_matchers` to wire both into vcrpy, and
  :mod:`removethebackground.testing.pytest_plugin` to do it for pytest-recording;
- :class:`CassetteWire`, which records and replays the async clients' requests: vcrpy
  patches the HTTP libraries it knows (requests, for the sync clients), and
  :func:`vcr_config` names this one in ``custom_patches``, so that while a cassette is
  in use the async transport's ``wire``
  (:class:`~removethebackground.core.asynctransport.Wire`) is this class. One cassette
  serves both clients: the same requests, the same matchers, the same scrubbing.

Usage with pytest-recording (in ``conftest.py``)::

    pytest_plugins = ["removethebackground.testing.pytest_plugin"]

then mark tests with ``@pytest.mark.vcr``. Plain vcrpy::

    my_vcr = vcr.VCR(**vcr_config(secrets=[api_key, email]))
    register_matchers(my_vcr)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from ..core import asynctransport as _asynctransport
from ..core.redaction import MASK, redact
from ..core.wire import EMAIL_PARAMS, SECRET_PARAMS

__all__ = [
    "EMAIL_PLACEHOLDER",
    "CassetteWire",
    "MATCH_ON",
    "SECRET_PARAMS",
    "SECRET_PLACEHOLDER",
    "canonical_body",
    "make_request_scrubber",
    "make_response_scrubber",
    "redact_text",
    "register_matchers",
    "soap_action",
    "vcr_config",
]

SECRET_PLACEHOLDER = MASK
EMAIL_PLACEHOLDER = "user@example.invalid"
# Parameter and element names whose values are credentials (case-insensitive).
MATCH_ON = ("rtb_method", "rtb_path", "rtb_query", "soap_action", "soap_body")
SECRET_HEADERS = ("authorization", "cookie", "set-cookie", "proxy-authorization")

_ACTION = re.compile(r'action\s*=\s*"?([^";]+)"?', re.I)

_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_DS = "http://www.w3.org/2000/09/xmldsig#"
_WSA = "http://www.w3.org/2005/08/addressing"
# WS-Security elements whose text is a credential, or lets one be guessed offline
# (a PasswordDigest with its Nonce): scrubbed before recording.
WSSE_SECRET_ELEMENTS = frozenset(
    {
        f"{{{_WSSE}}}Password",
        f"{{{_WSSE}}}Nonce",
        f"{{{_WSSE}}}BinarySecurityToken",
        f"{{{_DS}}}SignatureValue",
    }
)
WSSE_EMAIL_ELEMENTS = frozenset({f"{{{_WSSE}}}Username"})
# WS-Security and WS-Addressing values that differ on every call: ignored when matching.
VOLATILE_ELEMENTS = WSSE_SECRET_ELEMENTS | {
    f"{{{_WSU}}}Created",
    f"{{{_WSU}}}Expires",
    f"{{{_DS}}}DigestValue",
    f"{{{_WSA}}}MessageID",
}
_REFERENCES = frozenset({f"{{{_DS}}}Reference", f"{{{_WSSE}}}Reference"})


def _mask(name: str, value: str) -> str:
    lower = name.lower()
    if lower in SECRET_PARAMS:
        return SECRET_PLACEHOLDER
    if lower in EMAIL_PARAMS:
        return EMAIL_PLACEHOLDER
    return value


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form of each literal secret replaced (see
    :mod:`removethebackground.core.redaction`); an email becomes :data:`EMAIL_PLACEHOLDER`."""
    secrets = [s for s in secrets if s]
    emails = [s for s in secrets if "@" in s]
    text = redact(text, [s for s in secrets if "@" not in s], SECRET_PLACEHOLDER)
    return redact(text, emails, EMAIL_PLACEHOLDER)


def _as_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    return b""


def _parse_xml(data: bytes) -> etree._Element | None:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None


def _scrub_xml(root: etree._Element) -> None:
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in WSSE_SECRET_ELEMENTS and el.text:
            el.text = SECRET_PLACEHOLDER
            continue
        if el.tag in WSSE_EMAIL_ELEMENTS and el.text:
            el.text = EMAIL_PLACEHOLDER
            continue
        local = etree.QName(el).localname
        if el.text is not None and len(el) == 0:
            masked = _mask(local, el.text)
            if masked is not el.text:
                el.text = masked


def _scrub_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, _mask(k, v)) for k, v in pairs]


def _looks_like_form(data: bytes) -> bool:
    return bool(data) and b"<" not in data[:1] and b"=" in data


def _scrub_body(data: bytes, secrets: Iterable[str]) -> bytes:
    if not data:
        return data
    root = _parse_xml(data) if data.lstrip()[:1] == b"<" else None
    if root is not None:
        _scrub_xml(root)
        had_decl = data.lstrip().startswith(b"<?xml")
        out: bytes = etree.tostring(root, xml_declaration=had_decl, encoding="utf-8")
        return redact_text(out.decode("utf-8"), secrets).encode("utf-8")
    if _looks_like_form(data):
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            return data
        pairs = _scrub_pairs(parse_qsl(text, keep_blank_values=True))
        return redact_text(urlencode(pairs), secrets).encode("ascii")
    try:
        return redact_text(data.decode("utf-8"), secrets).encode("utf-8")
    except UnicodeDecodeError:
        return data


def _scrub_uri(uri: str, secrets: Iterable[str]) -> str:
    parts = urlsplit(uri)
    if not parts.query:
        return redact_text(uri, secrets)
    pairs = _scrub_pairs(parse_qsl(parts.query, keep_blank_values=True))
    return redact_text(urlunsplit(parts._replace(query=urlencode(pairs))), secrets)


def make_request_scrubber(secrets: Iterable[str] = ()) -> Callable[[Any], Any]:
    """A ``before_record_request`` hook: mask credentials in URI, body and headers."""
    literal = tuple(s for s in secrets if s)

    def scrub(request: Any) -> Any:
        request.uri = _scrub_uri(request.uri, literal)
        request.body = _scrub_body(_as_bytes(request.body), literal) or None
        for name in list(request.headers):
            if name.lower() in SECRET_HEADERS:
                del request.headers[name]
        return request

    return scrub


def make_response_scrubber(secrets: Iterable[str] = ()) -> Callable[[Any], Any]:
    """A ``before_record_response`` hook: mask credential elements and literal secrets."""
    literal = tuple(s for s in secrets if s)

    def scrub(response: Any) -> Any:
        body = response.get("body", {})
        data = _as_bytes(body.get("string"))
        if data:
            body["string"] = _scrub_body(data, literal)
        headers = response.get("headers", {})
        for name in list(headers):
            if name.lower() in SECRET_HEADERS:
                del headers[name]
        return response

    return scrub


# --- matching ---------------------------------------------------------------------


def _header(request: Any, name: str) -> str:
    headers: Mapping[str, Any] = request.headers
    for key, value in headers.items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return ""


def soap_action(request: Any) -> str:
    """The SOAPAction header, or the ``action`` of a SOAP 1.2 Content-Type ('' if neither)."""
    action = _header(request, "soapaction").strip().strip('"')
    if action:
        return action
    match = _ACTION.search(_header(request, "content-type"))
    return match.group(1) if match else ""


def canonical_body(body: Any) -> bytes:
    """A body in a form where equivalent SOAP requests compare equal, secrets masked."""
    data = _as_bytes(body)
    if not data:
        return b""
    if data.lstrip()[:1] == b"<":
        root = _parse_xml(data)
        if root is not None:
            _scrub_xml(root)
            return repr(_shape(root)).encode("utf-8")
    if _looks_like_form(data):
        try:
            pairs = _scrub_pairs(parse_qsl(data.decode("ascii"), keep_blank_values=True))
        except UnicodeDecodeError:
            return data
        return urlencode(pairs).encode("ascii")
    return data


def _shape(el: etree._Element) -> tuple[Any, ...]:
    """An element as nested tuples: namespace-qualified names, prefixes ignored.

    The values that change on every call (WS-Security nonces, times, digests and
    signature values, ``wsu:Id`` references, WS-Addressing MessageID) are replaced by
    ``"~"`` so that two recordings of the same call match.
    """
    children = [c for c in el if isinstance(c.tag, str)]
    text = el.text or ""
    if children and not text.strip():
        text = ""
    if el.tag in VOLATILE_ELEMENTS:
        text = "~"
    attrs = sorted(
        (str(k), "~" if _volatile_attribute(el, str(k)) else str(v)) for k, v in el.attrib.items()
    )
    return (el.tag, attrs, text, tuple(_shape(c) for c in children))


def _volatile_attribute(el: etree._Element, name: str) -> bool:
    return name == f"{{{_WSU}}}Id" or (name == "URI" and el.tag in _REFERENCES)


def _query_pairs(uri: str) -> list[tuple[str, str]]:
    return _scrub_pairs(parse_qsl(urlsplit(uri).query, keep_blank_values=True))


def _check(ok: bool, what: str, a: object, b: object) -> None:
    if not ok:
        raise AssertionError(f"{what} differs: {a!r} != {b!r}")


def _match_method(r1: Any, r2: Any) -> None:
    _check(r1.method.upper() == r2.method.upper(), "method", r1.method, r2.method)


def _match_path(r1: Any, r2: Any) -> None:
    p1, p2 = urlsplit(r1.uri).path, urlsplit(r2.uri).path
    _check(p1 == p2, "path", p1, p2)


def _match_query(r1: Any, r2: Any) -> None:
    q1, q2 = _query_pairs(r1.uri), _query_pairs(r2.uri)
    _check(q1 == q2, "query", q1, q2)


def _match_action(r1: Any, r2: Any) -> None:
    a1, a2 = soap_action(r1), soap_action(r2)
    _check(a1 == a2, "SOAP action", a1, a2)


def _match_body(r1: Any, r2: Any) -> None:
    b1, b2 = canonical_body(r1.body), canonical_body(r2.body)
    _check(b1 == b2, "canonical body", b1[:200], b2[:200])


MATCHERS: dict[str, Callable[[Any, Any], None]] = {
    "rtb_method": _match_method,
    "rtb_path": _match_path,
    "rtb_query": _match_query,
    "soap_action": _match_action,
    "soap_body": _match_body,
}


def register_matchers(vcr: Any) -> Any:
    """Register the SOAP matchers on a ``vcr.VCR`` instance; returns it."""
    for name, matcher in MATCHERS.items():
        vcr.register_matcher(name, matcher)
    return vcr


def vcr_config(secrets: Iterable[str] = (), **overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``vcr.VCR`` / pytest-recording's ``vcr_config`` fixture.

    ``secrets`` are literal values (the API key, the email) to remove wherever
    they appear, on top of the credential parameters removed by name.
    """
    literal = tuple(secrets)
    config: dict[str, Any] = {
        "match_on": list(MATCH_ON),
        "before_record_request": make_request_scrubber(literal),
        "before_record_response": make_response_scrubber(literal),
        "filter_headers": list(SECRET_HEADERS),
        "decode_compressed_response": True,
        "custom_patches": ((_asynctransport.AsyncHttpTransport, "wire", CassetteWire),),
    }
    config.update(overrides)
    return config


_REAL_EXCHANGE = _asynctransport.Wire.exchange


class CassetteWire(_asynctransport.Wire):
    """The async transport's wire while a vcrpy cassette is in use (vcrpy makes a
    subclass with ``cassette`` set): a recorded answer is played, else the request
    goes out and its answer is recorded (scrubbed by the cassette's filters), or
    refused when the cassette may not grow, as vcrpy does for requests."""

    cassette: Any = None

    @classmethod
    async def exchange(
        cls,
        transport: _asynctransport.AsyncHttpTransport,
        request: Any,
        ctx: Any,
    ) -> Any:
        from vcr.errors import (  # type: ignore[import-untyped]
            CannotOverwriteExistingCassetteException,
        )
        from vcr.request import Request  # type: ignore[import-untyped]

        from ..core.http import HttpAnswer

        cassette = cls.cassette
        recorded = Request(request.method, request.url, request.body, dict(request.headers))
        if cassette.can_play_response_for(recorded):
            played = cassette.play_response(recorded)
            headers = _asynctransport.AnswerHeaders(
                (k, ", ".join(v) if isinstance(v, list) else str(v))
                for k, v in played["headers"].items()
            )
            body = played["body"]["string"]
            if isinstance(body, str):
                body = body.encode("utf-8")
            status = played["status"]
            return HttpAnswer(int(status["code"]), str(status["message"]), headers, body)
        if cassette.write_protected and cassette.filter_request(recorded):
            raise CannotOverwriteExistingCassetteException(
                cassette=cassette, failed_request=recorded
            )
        answer = await _REAL_EXCHANGE(transport, request, ctx)
        kept = {k: [v] for k, v in answer.headers.items() if k.lower() != "content-encoding"}
        cassette.append(
            recorded,
            {
                "status": {"code": answer.status, "message": answer.reason},
                "headers": kept,
                "body": {"string": answer.body},
            },
        )
        return answer

"""Redaction: the forms a secret takes, and how to remove them from a text or a query string.

One module for everything that hides credentials: the client's errors and logs
(:class:`~removethebackground.core.secret.Secret` and the log filter), the cassettes
(:mod:`removethebackground.testing.cassettes`), the sandbox's request log and page.

A secret is found in any of the forms it can take on the way to and from a service
(:func:`secret_pattern`):

- as is;
- percent-encoded, with upper- or lower-case hex digits (``%2B`` and ASP.NET's
  ``%2b``), with ``+`` for a space, character by character, so that partly
  encoded forms are found too;
- as HTML/XML character references, decimal or hex, with or without leading
  zeros, and the named ones (``&amp;`` ``&lt;`` ``&gt;`` ``&quot;`` ``&apos;``);
- as a JSON or C# ``\\uXXXX`` escape, a ``\\xXX`` escape, or behind a backslash
  (``repr`` and JSON write ``\\'`` and ``\\"``);
- base64 (standard and URL-safe alphabet, with or without padding), also as a
  part of a longer base64 text (a ``Basic`` authorization header, say), at each of
  the three alignments.

:func:`redact` replaces every form of every secret given by :data:`MASK` (or another
placeholder); :func:`redact_query` also masks query parameters by name
(:data:`~removethebackground.core.wire.SECRET_PARAMS`) and any parameter whose decoded
value hides a secret. :func:`secret_forms` lists the plain forms, for tests and
quick searches.
"""

from __future__ import annotations

import base64
import functools
import html
import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import quote, quote_plus, unquote_plus

from .wire import SECRET_PARAMS

__all__ = ["MASK", "redact", "redact_query", "secret_forms", "secret_pattern"]

MASK: Final[str] = "***"
#: Longer secrets are found in their plain forms only (:func:`secret_forms`), not in
#: mixed ones: a pattern per character (or of their forms) would take long to compile.
MAX_PATTERN_CHARS: Final[int] = 256

_NAMED = {"&": ("amp",), "<": ("lt",), ">": ("gt",), '"': ("quot",), "'": ("apos",)}
_UPPER_HEX = re.compile(r"%[0-9A-F]{2}")


def _char_pattern(c: str) -> str:
    """A pattern for one character of a secret in any of its encodings."""
    alternatives = [re.escape(c)]
    code = ord(c)
    encoded = c.encode("utf-8")
    alternatives.append("".join(f"%(?i:{b:02x})" for b in encoded))
    if c == " ":
        alternatives.append(r"\+")
    alternatives.append(f"&#0*{code};")
    alternatives.append(f"&#[xX]0*(?i:{code:x});")
    alternatives.extend(f"&{name};" for name in _NAMED.get(c, ()))
    if code < 0x10000:
        alternatives.append(f"\\\\[uU](?i:{code:04x})")
    if code < 0x100:
        alternatives.append(f"\\\\x(?i:{code:02x})")
    # A backslash escape, as repr() and JSON write quotes and backslashes.
    alternatives.append("\\\\" + re.escape(c))
    return "(?:" + "|".join(alternatives) + ")"


def _base64_forms(value: str) -> set[str]:
    """The base64 texts of ``value`` alone and inside a longer base64 text."""
    data = value.encode("utf-8")
    forms: set[str] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(data).decode("ascii")
        forms.add(whole)
        forms.add(whole.rstrip("="))
        for offset in range(3):
            # Inside a longer text the secret starts at any byte offset: encode it
            # behind ``offset`` filler bytes and keep only the characters that depend
            # on the secret's bytes alone.
            text = encode(b"\0" * offset + data).decode("ascii").rstrip("=")
            start = {0: 0, 1: 2, 2: 3}[offset]
            usable = (len(data) + offset) // 3 * 4
            core = text[start:usable]
            if len(core) >= 8:
                forms.add(core)
    return forms


def secret_pattern(secret: str) -> re.Pattern[str]:
    """A regular expression that matches ``secret`` in any of its forms (never the empty
    text: an empty secret matches nothing). Compiled on each call: a
    :class:`~removethebackground.core.secret.Secret` keeps its own."""
    if not secret:
        return re.compile(r"(?!)")
    if len(secret) > MAX_PATTERN_CHARS:
        # A hostile "key" of a hundred thousand characters (the sandbox masks whatever a
        # request sends as a credential): its plain forms only, which compile at once.
        forms = secret_forms(secret) | _base64_forms(secret)
        return re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))
    literal = "".join(_char_pattern(c) for c in secret)
    parts = [literal, *(re.escape(f) for f in sorted(_base64_forms(secret), key=len))]
    return re.compile("|".join(reversed(parts)))


def secret_forms(secret: str) -> frozenset[str]:
    """The plain forms of ``secret``: as is, percent-encoded (``%20`` or ``+`` for a
    space, ``/`` kept or encoded, upper- or lower-case hex), HTML/XML-escaped, as decimal
    and hex character references, and base64. :func:`secret_pattern` finds these and
    every mixed form too."""
    if not secret:
        return frozenset()
    forms = {secret, html.escape(secret, quote=True), html.escape(secret, quote=False)}
    for encoded in (quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret)):
        forms |= {encoded, _UPPER_HEX.sub(lambda m: m.group(0).lower(), encoded)}
    forms.add("".join(f"&#{ord(c)};" for c in secret))
    forms.add("".join(f"&#x{ord(c):x};" for c in secret))
    forms.add("".join(f"&#x{ord(c):X};" for c in secret))
    data = secret.encode("utf-8")
    forms |= {base64.b64encode(data).decode("ascii"), base64.urlsafe_b64encode(data).decode()}
    return frozenset(form for form in forms if form)


def redact(text: str, secrets: Iterable[str], mask: str = MASK) -> str:
    """``text`` with every form of every secret replaced by ``mask``.

    The longest secret goes first, so that a secret that contains another is
    replaced whole. Empty secrets are skipped.
    """
    known = sorted({s for s in secrets if s}, key=lambda s: (-len(s), s))
    for secret in known:  # the longest first
        if len(secret) <= MAX_PATTERN_CHARS:
            break
        for form in _plain_forms(secret):
            text = text.replace(form, mask)
    short = tuple(s for s in known if len(s) <= MAX_PATTERN_CHARS)
    return _joined_pattern(short).sub(mask, text) if short else text


@functools.lru_cache(maxsize=16)
def _plain_forms(secret: str) -> tuple[str, ...]:
    """The plain forms of a long secret, longest first."""
    return tuple(sorted(secret_forms(secret), key=len, reverse=True))


@functools.lru_cache(maxsize=256)
def _joined_pattern(secrets: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for several secrets, longest first (the sandbox and the cassettes
    redact the same few secrets over and over: one pass, compiled once)."""
    return re.compile("|".join(f"(?:{secret_pattern(s).pattern})" for s in secrets))


def _layers(text: str) -> list[str]:
    """``text`` and what it decodes to (percent/``+``, character references), 3 times."""
    seen = [text]
    current = text
    for _ in range(3):
        current = html.unescape(unquote_plus(current, errors="replace"))
        if current == seen[-1]:
            break
        seen.append(current)
    return seen


def redact_query(query: str, secrets: Iterable[str], mask: str = MASK) -> str:
    """A query string (``a=1&b=2``, as sent) with credentials masked, the rest kept as sent.

    The value of every parameter named in :data:`~removethebackground.core.wire.SECRET_PARAMS`
    (the name read as ASP.NET reads it, percent- and ``+``-decoded, any case) becomes
    ``mask``; so does any parameter whose value, decoded up to three times (percent,
    ``+``, character references), contains one of ``secrets`` (and the whole pair when
    the name hides one). Then every form of every secret left is replaced.
    """
    known = [s for s in secrets if s]
    parts = []
    for part in query.split("&"):
        name, sep, _ = part.partition("=")
        plain_name = unquote_plus(name, errors="replace").strip().lower()
        if plain_name in SECRET_PARAMS:
            part = f"{name}={mask}"
        elif known and any(s in layer for layer in _layers(part) for s in known):
            hidden = any(s in layer for layer in _layers(name) for s in known)
            part = mask if hidden else f"{name}{sep}{mask}"
        parts.append(part)
    return redact("&".join(parts), known, mask)

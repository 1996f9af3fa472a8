"""HTTP plumbing shared by the sandbox's routes: the request, the response, small helpers.

Nothing here knows SOAP (that is :mod:`.responses`) or the sandbox's state.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from ..service.errors import EmptyAnswer, UnhandledError
from ..service.texts import COLLECTION_COUNT_EXCEEDED, MAX_HTTP_COLLECTION_KEYS

__all__ = [
    "NO_CACHE",
    "Request",
    "Response",
    "StartResponse",
    "base_url",
    "not_found",
    "query_pairs",
    "read_body",
    "text",
]

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
NO_CACHE = ("Cache-Control", "private, max-age=0")
_HOST = re.compile(r"[A-Za-z0-9.\-]{1,253}(:\d{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?")


@dataclass(frozen=True, slots=True)
class Request:
    """One request: the WSGI environ, its method (upper case) and path.

    ``args`` are the path segments after the one the route matched on
    (``/out/<name>`` -> ``[name]``).
    """

    environ: dict[str, Any]
    method: str
    path: str
    args: tuple[str, ...] = ()

    @property
    def query(self) -> str:
        return str(self.environ.get("QUERY_STRING", ""))

    @property
    def content_type(self) -> str:
        return str(self.environ.get("CONTENT_TYPE", ""))

    @property
    def base_url(self) -> str:
        """``scheme://host[:port]`` as the caller addressed the sandbox."""
        return base_url(self.environ)

    def body(self, limit: int) -> bytes:
        """The request body; :class:`~removethebackground.service.errors.EmptyAnswer` 413
        beyond ``limit`` bytes."""
        return read_body(self.environ, limit)


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    def send(self, start_response: StartResponse, *, head: bool = False) -> list[bytes]:
        headers = list(self.headers)
        if self.content_type is not None:
            headers.append(("Content-Type", self.content_type))
        headers.append(("Content-Length", str(len(self.body))))
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Unknown"
        start_response(f"{self.status} {phrase}", headers)
        return [b"" if head else self.body]


def text(status: int, message: str) -> Response:
    """A plain-text answer (one line)."""
    return Response(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")


def not_found() -> Response:
    return text(404, "Not found")


def base_url(environ: dict[str, Any]) -> str:
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    if scheme not in ("http", "https"):
        scheme = "http"
    host = str(environ.get("HTTP_HOST", "")).strip()
    if not _HOST.fullmatch(host):
        name = str(environ.get("SERVER_NAME", "127.0.0.1"))
        port = str(environ.get("SERVER_PORT", "80"))
        host = name if _HOST.fullmatch(name) else "127.0.0.1"
        if port.isdigit() and port not in ("80", "443"):
            host = f"{host}:{port}"
    return f"{scheme}://{host}"


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    declared = str(environ.get("CONTENT_LENGTH", "") or "").strip()
    if declared.isdigit():
        length = int(declared)
        if length > limit:
            raise EmptyAnswer(413, "Request Entity Too Large")
        data: bytes = stream.read(length)
        return data
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise EmptyAnswer(413, "Request Entity Too Large")
    return data


def query_pairs(text: str) -> list[tuple[str, str]]:
    """The decoded ``name=value`` pairs of a query string, as ASP.NET reads one.

    ``HttpValueCollection.FillFromString`` takes any number of pairs, but before each
    one ``ThrowIfMaxHttpCollectionKeysExceeded`` refuses to go on once the collection
    holds ``aspnet:MaxHttpCollectionKeys`` (1000) distinct keys, names compared
    ignoring case (a ``NameValueCollection``; a pair without ``=`` has the null name):
    an :class:`~removethebackground.service.errors.UnhandledError`, the
    ``InvalidOperationException`` a page leaves to ASP.NET's error page (500).

    The reference material has no page of the service (only the ASMX endpoints): the
    sandbox's pages read their query as a page on the recorded stack would (ASP.NET 4,
    ``X-AspNet-Version: 4.0.30319``, with the MS11-100 key limit every patched server
    of that era has), in the words of the .NET 4.5+ reference source.
    """
    pairs: list[tuple[str, str]] = []
    keys: set[str | None] = set()
    segments = text.split("&") if text else []
    if len(segments) > 1 and segments[-1] == "":
        # A trailing '&': FillFromString adds (null, "") after the last pair, unchecked.
        segments.pop()
    for segment in segments:
        if len(keys) >= MAX_HTTP_COLLECTION_KEYS:
            raise UnhandledError(500, COLLECTION_COUNT_EXCEEDED, "System.InvalidOperationException")
        name, sep, _ = segment.partition("=")
        keys.add(name.lower() if sep else None)
        pairs.extend(parse_qsl(segment, keep_blank_values=True))
    return pairs

"""A ``requests`` transport adapter that answers from a script (recorded bytes, a canned
reply, a function or an exception) and records what the client sent, so no test touches
the network."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from removethebackground.core.wire import Binding
from support.envelopes import SOAP_CONTENT_TYPES
from support.paths import HttpMessage


@dataclass(frozen=True)
class Reply:
    """What the fake server answers. ``Content-Length`` is added unless ``length=False``."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/xml; charset=utf-8"),)
    reason: str | None = None
    length: bool = True

    @classmethod
    def from_message(cls, message: HttpMessage) -> Reply:
        return cls(message.status, message.body, message.headers, message.reason, length=False)

    @classmethod
    def soap(cls, binding: Binding, body: bytes, status: int = 200) -> Reply:
        return cls(status, body, (("Content-Type", SOAP_CONTENT_TYPES[binding]),))


Responder = Reply | BaseException | Callable[[requests.PreparedRequest], "Reply | BaseException"]

_REASONS = {
    200: "OK",
    400: "Bad Request",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ReplayAdapter(BaseAdapter):
    """Answers every request from ``responder`` and records the request and its options."""

    def __init__(self, responder: Responder, *, raw: Callable[[bytes], Any] | None = None) -> None:
        super().__init__()
        self.responder = responder
        self.raw = raw or io.BytesIO
        self.sent: list[requests.PreparedRequest] = []
        self.options: list[dict[str, Any]] = []
        self.closed = False

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        self.sent.append(request)
        self.options.append({"stream": stream, "timeout": timeout, "verify": verify})
        answer = self.responder(request) if callable(self.responder) else self.responder
        if isinstance(answer, BaseException):
            raise answer
        headers = CaseInsensitiveDict(dict(answer.headers))
        if answer.length and "Content-Length" not in headers:
            headers["Content-Length"] = str(len(answer.body))
        response = requests.Response()
        response.status_code = answer.status
        response.reason = answer.reason or _REASONS.get(answer.status, "")
        response.headers = headers
        response.raw = self.raw(answer.body)
        response.url = request.url or ""
        response.request = request
        response.encoding = get_encoding_from_headers(headers)
        response.connection = self
        return response

    def close(self) -> None:
        self.closed = True

    @property
    def last(self) -> requests.PreparedRequest:
        assert self.sent, "the client sent nothing"
        return self.sent[-1]


def session_with(adapter: BaseAdapter) -> requests.Session:
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session

"""The HTTP messages of a call: what a binding builds, a transport sends, and the answer read.

Neutral ground between the layers: the client halves of the bindings
(:mod:`removethebackground.bindings`) build :class:`HttpRequest` and read
:class:`HttpAnswer`; a transport (:mod:`.transport`, :mod:`.retry`, or one of the
caller's own) turns the one into the other; plugins such as strict mode look at
answers. Nothing here knows a binding's protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .wire import Binding, Operation

__all__ = ["HttpAnswer", "HttpRequest"]


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One HTTP request, ready to send: what a binding builds and a transport sends.

    ``operation`` and ``binding`` travel with it so that a transport policy (retries,
    logging) can decide per operation without parsing anything. ``renew``, when set,
    builds the request again for another attempt: the client sets it when envelope
    plugins write values that must be new in every message (a WS-Security nonce and
    timestamp, a WS-Addressing MessageID, a signature over them), so that a retry is
    not refused as a replay. A transport that sends a request again sends
    :meth:`renewed`.
    """

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None
    operation: Operation[Any]
    binding: Binding
    renew: Callable[[], HttpRequest] | None = field(default=None, compare=False)

    def renewed(self) -> HttpRequest:
        """The request to send for another attempt: built again when ``renew`` is set."""
        return self if self.renew is None else self.renew()

    def __repr__(self) -> str:
        # The URL's query (HTTP GET), the headers and the body carry the credentials.
        return (
            f"HttpRequest(method={self.method!r}, url={self.url.split('?', 1)[0]!r}, "
            f"operation={self.operation.name!r}, binding={self.binding.value!r}, "
            f"body=<{len(self.body or b'')} bytes>)"
        )


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """One HTTP answer, fully read: what a transport returns and a binding reads.

    ``headers`` is case-insensitive when it comes from the default transport.
    """

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes

    def __repr__(self) -> str:
        # A hostile answer may echo the request's credentials in its reason or body.
        return (
            f"HttpAnswer(status={self.status!r}, mime={self.mime!r}, body=<{len(self.body)} bytes>)"
        )

    @property
    def mime(self) -> str:
        """The media type of ``Content-Type``, lower-cased, without parameters."""
        return self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()

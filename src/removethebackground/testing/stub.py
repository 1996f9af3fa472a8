"""Canned answers for unit tests, checked against the WSDL's wire facts.

Like botocore's Stubber: queue the answers a test expects, with the parameters
each call must carry, and the client gets them through its real request and
response path (envelope building, HTTP, parsing, fault mapping) with no server::

    from removethebackground.generated import pixelz
    from removethebackground.testing.stub import Stubber

    client = PixelzClient("me@example.com", "key", endpoint="http://stub.invalid/soap.asmx")
    with Stubber(client) as stub:
        stub.add_response(
            "GetImageStatus",
            pixelz.ImageStatusResponse(image_status=pixelz.ImageStatus(
                image_ticket=ticket, status_id=80, is_paid=True)),
            expected_params={"image_ticket": str(ticket)},
        )
        stub.add_fault("GetImageStatus", "Image not found")
        ...
        stub.assert_no_pending_responses()

The async clients are stubbed the same way, with ``with`` or ``async with``; their
innermost transport answers from the queue (calls in flight together get the queued
answers in the order they were sent)::

    async with AsyncPixelzClient("me@example.com", "key", endpoint=...) as client:
        with Stubber(client) as stub:
            stub.add_response("GetImageStatus", ...)
            status = await client.get_image_status(image_ticket=ticket)

Canned results are serialised with the same wire facts as the sandbox's answers,
so a result that the schema would not allow (a missing required element, a value
of the wrong type) is refused when it is added, not when the test runs.
Requests are parsed back with those facts too: a call to another operation, or
with other parameters than ``expected_params`` says, fails the test with
:class:`StubAssertionError`; an expected value is compared as the client would send
it, so a ``uuid.UUID`` ticket or an ``int`` page matches its text. The key and email
are never compared or shown.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from ..core.asyncclient import AsyncServiceClient
from ..core.asynctransport import AsyncHttpTransport
from ..core.client import ServiceClient
from ..core.codec import format_field
from ..core.errors import InvalidParameterError
from ..core.http import HttpAnswer, HttpRequest
from ..core.ratelimit import AsyncRateLimitedTransport
from ..core.retry import AsyncRetryingTransport
from ..core.wire import Binding, Field, Operation, WireModel
from ..service import (
    HTTP_BY_METHOD,
    HTTP_ENGINES,
    SOAP_ENGINES,
    FaultCode,
    SoapRefusal,
    parse_soap_request,
    route_soap_request,
    soap_binding_of,
)

__all__ = ["StubAssertionError", "Stubber"]


class StubAssertionError(AssertionError):
    """A call did not match what the test queued."""

    #: The client lets this one through as it is (it fails the test, not the call).
    passes_through = True


@dataclass(frozen=True, slots=True)
class _Canned:
    op: Operation[Any]
    expected: Mapping[str, object] | None
    result: WireModel | None = None
    fault_code: FaultCode = FaultCode.CLIENT
    fault_text: str = ""
    http_status: int = 200


class _StubAdapter(BaseAdapter):
    def __init__(self, stubber: Stubber) -> None:
        super().__init__()
        self._stubber = stubber

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        return self._stubber._answer(request)

    def close(self) -> None:
        pass


class Stubber:
    """Queue canned answers for one client (see the module docstring)."""

    def __init__(self, client: ServiceClient | AsyncServiceClient) -> None:
        self._client = client
        self._queue: deque[_Canned] = deque()
        self._prefix = client.endpoint.split("?")[0]
        self._adapter = _StubAdapter(self)
        self._replaced: BaseAdapter | None = None
        self._stubbed: object | None = None
        self._stubbed_method = "send"

    # --- queueing ---------------------------------------------------------------------

    def _operation(self, name: str) -> Operation[Any]:
        service = self._client.SERVICE
        for op in service.operations.values():
            if name in (op.name, op.python_name):
                return op
        raise KeyError(f"{service.name} has no operation {name!r}")

    def add_response(
        self,
        operation: str,
        result: WireModel,
        expected_params: Mapping[str, object] | None = None,
    ) -> None:
        """The next call must be ``operation`` (XML or Python name); it returns ``result``.

        ``expected_params`` maps Python parameter names to the values the call must
        send; parameters not named there are not compared. ``None`` skips the check.
        """
        op = self._operation(operation)
        if not isinstance(result, op.result_model):
            raise TypeError(
                f"{op.name} returns {op.result_model.__name__}, not {type(result).__name__}"
            )
        self._render(_Canned(op, None, result), Binding.SOAP11)  # checks it against the schema
        self._queue.append(_Canned(op, expected_params, result))

    def add_fault(
        self,
        operation: str,
        text: str,
        *,
        code: str = "Client",
        expected_params: Mapping[str, object] | None = None,
    ) -> None:
        """The next call must be ``operation``; the service answers with a fault.

        ``code`` is ``"Client"`` or ``"Server"`` (or ``"VersionMismatch"``,
        ``"MustUnderstand"``); over HTTP GET/POST the fault is the text/plain 500
        those bindings use.
        """
        op = self._operation(operation)
        self._queue.append(
            _Canned(
                op, expected_params, fault_code=FaultCode(code), fault_text=text, http_status=500
            )
        )

    def assert_no_pending_responses(self) -> None:
        if self._queue:
            names = ", ".join(c.op.name for c in self._queue)
            raise StubAssertionError(f"queued answers were never requested: {names}")

    # --- activation -----------------------------------------------------------------------

    def activate(self) -> None:
        """Answer the client's calls to its endpoint from the queue.

        A sync client's session gets an adapter for the endpoint; an async client's
        innermost transport (under its retries and rate limits) answers from the queue
        instead of the network, so the deadline, retries, reconciliation and the
        answer's reading run as they do for real.
        """
        if isinstance(self._client, AsyncServiceClient):
            self._stubbed = _innermost(self._client.transport)
            method = "_exchange" if isinstance(self._stubbed, AsyncHttpTransport) else "send"
            self._stubbed_method = method
            setattr(self._stubbed, method, self._answer_async)
            return
        session = self._client._session
        self._replaced = session.adapters.get(self._prefix)
        session.mount(self._prefix, self._adapter)

    def deactivate(self) -> None:
        """Give the endpoint back to whatever answered it before."""
        if isinstance(self._client, AsyncServiceClient):
            if self._stubbed is not None:
                delattr(self._stubbed, self._stubbed_method)
                self._stubbed = None
            return
        session = self._client._session
        if self._replaced is not None:
            session.mount(self._prefix, self._replaced)
        else:
            session.adapters.pop(self._prefix, None)

    def __enter__(self) -> Self:
        self.activate()
        return self

    def __exit__(self, *exc: object) -> None:
        self.deactivate()

    async def __aenter__(self) -> Self:
        self.activate()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.deactivate()

    # --- answering ------------------------------------------------------------------------

    def _answer(self, request: requests.PreparedRequest) -> requests.Response:
        body = request.body or b""
        status, content_type, data = self.answer(
            str(request.method),
            request.url or "",
            request.headers,
            body.encode() if isinstance(body, str) else bytes(body),
        )
        response = requests.Response()
        response.status_code = status
        response.reason = "OK" if status == 200 else "Internal Server Error"
        response.headers["Content-Type"] = content_type
        response.headers["Content-Length"] = str(len(data))
        response.raw = io.BytesIO(data)
        response.request = request
        response.url = request.url or ""
        return response

    async def _answer_async(self, request: HttpRequest, ctx: object) -> HttpAnswer:
        status, content_type, data = self.answer(
            request.method, request.url, request.headers, request.body or b""
        )
        headers = CaseInsensitiveDict({"Content-Type": content_type})
        headers["Content-Length"] = str(len(data))
        reason = "OK" if status == 200 else "Internal Server Error"
        return HttpAnswer(status, reason, headers, data)

    def answer(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        """The next queued answer to one request: ``(status, content type, body)``.

        The one place a request is checked against the queue, whatever carried it (the
        requests adapter of a sync client, the transport of an async one). ``headers``
        is looked up case-insensitively.
        """
        if not self._queue:
            raise StubAssertionError(f"unexpected call: {method} {urlsplit(url).path}")
        canned = self._queue.popleft()
        binding, op, params = self._read(method, url, _Headers(headers), body)
        if op is not canned.op:
            raise StubAssertionError(f"expected a call to {canned.op.name}, got {op.name}")
        if canned.expected is not None:
            fields = {f.attr: f for f in op.params}
            for name, want in canned.expected.items():
                got = params.get(name)
                if isinstance(want, (list, tuple)) and isinstance(got, list):
                    want = list(want)
                if not _same(fields.get(name), want, got):
                    raise StubAssertionError(
                        f"{op.name}: parameter {name} is {got!r}, expected {want!r}"
                    )
        return self._render(canned, binding)

    def _read(
        self, method: str, url: str, headers: _Headers, data: bytes
    ) -> tuple[Binding, Operation[Any], dict[str, Any]]:
        service = self._client.SERVICE
        content_type = headers.get("Content-Type") or ""
        soap = soap_binding_of(content_type) if method == "POST" else None
        if soap is not None:
            # Routed as the service routes it (removethebackground.service.routing).
            try:
                route = route_soap_request(service, content_type, headers.get("SOAPAction"), data)
            except SoapRefusal as exc:
                raise StubAssertionError(
                    f"the service would refuse this request: HTTP {exc.status} {exc.text}".strip()
                ) from None
            return route.binding, route.op, parse_soap_request(route.op, route.element)
        path = urlsplit(url).path
        name = path.rstrip("/").rsplit("/", 1)[-1]
        found = [o for o in service.operations.values() if o.http_location == f"/{name}"]
        if not found:
            raise StubAssertionError(f"no HTTP operation at {path}")
        op = found[0]
        http = HTTP_BY_METHOD[method]
        text = http.request_text(urlsplit(url).query, data)
        pairs = parse_qsl(text, keep_blank_values=True)
        return http.binding, op, http.read_request(op, pairs)

    def _render(self, canned: _Canned, binding: Binding) -> tuple[int, str, bytes]:
        soap = SOAP_ENGINES.get(binding)
        if soap is not None:
            ctype = soap.answer_content_type
            if canned.result is None:
                return 500, ctype, soap.render_fault(canned.fault_code, canned.fault_text)
            return 200, ctype, soap.render_result(canned.op, canned.result)
        http = HTTP_ENGINES[binding]
        if canned.result is None:
            return 500, http.error_content_type, http.render_error(canned.fault_text)
        return 200, http.answer_content_type, http.render_result(canned.op, canned.result)


def _same(f: Field | None, want: object, got: object) -> bool:
    """Whether an expected parameter matches the one sent.

    An expected value is compared as the client would send it, so the natural types a
    parameter takes (``uuid.UUID`` for a ticket, ``int`` for a page) match the text
    that arrives for a string-typed element.
    """
    if want == got:
        return True
    if f is None or want is None or got is None:
        return False
    if isinstance(want, list) and isinstance(got, list):
        item = f.item or f
        if len(want) != len(got):
            return False
        return all(_same(item, w, g) for w, g in zip(want, got, strict=True))
    if f.xsd is None or isinstance(want, list):
        return False
    try:
        return format_field(f, want, f.attr) == format_field(f, got, f.attr)
    except InvalidParameterError:
        return False


def _innermost(transport: object) -> object:
    """The transport under every wrapper (retries, rate limits) of an async client."""
    while isinstance(transport, (AsyncRetryingTransport, AsyncRateLimitedTransport)):
        transport = transport.inner
    return transport


class _Headers:
    """Headers looked up case-insensitively, whatever mapping carried them."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._lower = {str(k).lower(): str(v) for k, v in headers.items()}

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._lower.get(name.lower(), default)

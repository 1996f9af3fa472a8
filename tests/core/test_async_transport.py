"""What the async transport (asyncio and httptools) does on the wire that the shared
suites do not reach: kept connections the server closed, the connection limit across
hosts, interim and close-ended answers, the request's head, and a header that would
break it. Each runs against a loopback server on real sockets.
"""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from typing import Any

import pytest

from removethebackground import (
    AsyncPixelzClient,
    Binding,
    InvalidParameterError,
    RemoveTheBackgroundError,
)
from removethebackground.bindings.base import CallContext
from removethebackground.core.asynctransport import AsyncHttpTransport
from removethebackground.core.faults import fault_class
from removethebackground.core.http import HttpRequest
from support.clients import make_client
from support.hostile import HostileServer, Request, answer

EMAIL = "demo@example.com"
KEY = "demo-key"
_XML = (("Content-Type", "text/xml; charset=utf-8"),)


def _status_body(customer_id: str = "c1") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
        'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        '<GetImageStatusResponse xmlns="http://removethebackground.com/">'
        "<GetImageStatusResult><ImageStatus>"
        f"<ImageTicket>{uuid.UUID(int=7)}</ImageTicket><CustomerImageId>{customer_id}"
        "</CustomerImageId><StatusId>10</StatusId><IsPaid>false</IsPaid></ImageStatus>"
        "</GetImageStatusResult></GetImageStatusResponse></soap:Body></soap:Envelope>"
    ).encode()


def _transport(client: Any) -> AsyncHttpTransport:
    transport = client.transport
    while not isinstance(transport, AsyncHttpTransport):
        transport = transport.inner
    return transport


def _kept_then_closed(server: HostileServer, conn: socket.socket, request: Request) -> None:
    """A keep-alive answer (no ``Connection: close``), then the server closes the
    connection, as IIS does when a kept connection's idle time runs out."""
    answer(200, _status_body(), _XML, close=False)(server, conn, request)
    time.sleep(0.05)
    conn.close()


def test_a_kept_connection_the_server_closed_is_dropped_not_written_to() -> None:
    with HostileServer(_kept_then_closed) as server:

        async def main() -> list[int]:
            async with AsyncPixelzClient(
                EMAIL, KEY, endpoint=server.endpoint, retries=False, timeout=5
            ) as client:
                transport = _transport(client)
                seen = []
                for _ in range(3):
                    status = await client.get_image_status(image_ticket="nonticket")
                    assert status.image_status is not None
                    seen.append(transport.idle_connections)
                    await asyncio.sleep(0.3)  # the server closes the kept connection
                    seen.append(transport.open_connections)
                return seen

        seen = asyncio.run(main())
    assert seen == [1, 0, 1, 0, 1, 0]  # kept after each call, dropped when the server closed it
    assert len(server.requests) == 3  # each call sent once, on a connection of its own


def test_max_connections_counts_the_kept_connections_of_every_host() -> None:
    """With ``max_connections=1``, a call to a second host closes the connection kept for
    the first: never more than one open."""
    keep = answer(200, _status_body(), _XML, close=False)
    with HostileServer(keep) as first, HostileServer(keep) as second:

        async def main() -> list[int]:
            transport = AsyncHttpTransport(max_connections=1)
            opened = []
            try:
                for endpoint in (first.endpoint, second.endpoint, first.endpoint):
                    client = AsyncPixelzClient(EMAIL, KEY, endpoint=endpoint, transport=transport)
                    await client.get_image_status(image_ticket="nonticket")
                    opened.append(transport.open_connections)
            finally:
                await transport.close()
            return opened

        opened = asyncio.run(main())
    assert opened == [1, 1, 1]
    assert (len(first.requests), len(second.requests)) == (2, 1)


def test_an_interim_100_continue_is_passed_over(client_kind: str) -> None:
    body = _status_body("after-continue")

    def behave(server: HostileServer, conn: socket.socket, request: Request) -> None:
        server.write(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        server.write(conn, head + body)
        conn.close()

    with HostileServer(behave) as server:
        client = make_client(client_kind, EMAIL, KEY, endpoint=server.endpoint, retries=False)
        try:
            status = client.get_image_status(image_ticket="nonticket").image_status
        finally:
            client.close()
    assert status is not None and status.customer_image_id == "after-continue"


def test_an_answer_without_a_length_ends_with_the_connection(client_kind: str) -> None:
    body = _status_body("to-the-close")
    with HostileServer(answer(200, body, _XML, content_length=False)) as server:
        client = make_client(client_kind, EMAIL, KEY, endpoint=server.endpoint, retries=False)
        try:
            status = client.get_image_status(image_ticket="nonticket").image_status
        finally:
            client.close()
    assert status is not None and status.customer_image_id == "to-the-close"


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.HTTP_GET], ids=str)
def test_both_clients_send_the_same_head(binding: Binding) -> None:
    """The same request line and header names (Host, Accept-Encoding, Content-Length,
    the binding's own), so that a service or a proxy sees one client."""
    heads: dict[str, Request] = {}
    with HostileServer(answer(200, _status_body(), _XML)) as server:
        for kind in ("sync", "async"):
            client = make_client(
                kind, EMAIL, KEY, endpoint=server.endpoint, binding=binding, retries=False
            )
            try:
                client.get_image_status(image_ticket="nonticket")
            except RemoveTheBackgroundError:
                pass  # an envelope to an HTTP GET call: only the request matters here
            finally:
                client.close()
            heads[kind] = server.requests[-1]

    def names(request: Request) -> set[str]:
        lines = request.head.decode("latin-1").split("\r\n")[1:]
        return {line.partition(":")[0].strip().lower() for line in lines}

    sync, aio = heads["sync"], heads["async"]
    assert aio.line == sync.line
    assert names(aio) == names(sync)
    for name in ("Host", "Accept-Encoding", "User-Agent", "Content-Type", "SOAPAction"):
        assert aio.header(name) == sync.header(name), name
    assert aio.body == sync.body


def test_a_line_break_in_a_header_is_refused_before_anything_is_sent() -> None:
    from removethebackground.generated import pixelz

    op = pixelz.PixelzClient.SERVICE.operations["GetImageStatus"]
    with HostileServer(answer(200, _status_body(), _XML)) as server:
        request = HttpRequest(
            "POST",
            server.endpoint,
            {"Content-Type": "text/xml", "SOAPAction": '"x"\r\nX-Injected: 1'},
            b"<x/>",
            op,
            Binding.SOAP11,
        )

        async def main() -> None:
            transport = AsyncHttpTransport(timeout=2)
            try:
                await transport.send(request, CallContext(lambda text: text, fault_class))
            finally:
                await transport.close()

        with pytest.raises(InvalidParameterError) as info:
            asyncio.run(main())
    assert info.value.parameter == "headers"
    assert "SOAPAction" in str(info.value)
    assert server.requests == []


def test_bytes_after_an_answer_are_not_read_into_it_and_close_the_connection() -> None:
    """A server that writes a second answer's head behind the first, in one write: the
    call gets the first answer as it was, and the connection is not kept."""
    body = _status_body("first")
    first = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    behind = b"HTTP/1.1 500 Nope\r\nX-Behind: 1\r\nContent-Length: 0\r\n\r\n"

    def behave(server: HostileServer, conn: socket.socket, request: Request) -> None:
        server.write(conn, first + behind)

    with HostileServer(behave) as server:

        async def main() -> tuple[Any, int]:
            transport = AsyncHttpTransport(timeout=5)
            client = AsyncPixelzClient(EMAIL, KEY, endpoint=server.endpoint, transport=transport)
            seen: list[Any] = []
            real = transport._exchange

            async def keep(request: HttpRequest, ctx: CallContext) -> Any:
                answer = await real(request, ctx)
                seen.append(answer)
                return answer

            transport._exchange = keep  # type: ignore[method-assign]
            try:
                status = await client.get_image_status(image_ticket="nonticket")
                assert status.image_status is not None
                assert status.image_status.customer_image_id == "first"
                await asyncio.sleep(0.05)
                return seen[0], transport.open_connections
            finally:
                await transport.close()

        answer, kept = asyncio.run(main())
    assert answer.status == 200 and "X-Behind" not in answer.headers
    assert kept == 0

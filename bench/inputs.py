"""The benchmarks' inputs: recorded-style answers and in-process transports that return them.

Every client under test gets the same answer bytes:

- the requests-based clients (this client, zeep, the hand-written one) get a
  :class:`requests.Session` with :class:`RecordedAnswerAdapter` mounted, which
  answers as :class:`requests.adapters.HTTPAdapter` would: a real
  :class:`requests.Response` whose ``raw`` is a :class:`urllib3.response.HTTPResponse`
  over the bytes (``preload_content=False``), so streamed reads work, and a client
  that calls ``session.get_adapter(url).send(...)`` directly works too;
- suds gets :class:`RecordedSudsTransport`, a :class:`suds.transport.Transport`
  that returns the same bytes (suds has no requests layer, so it skips that
  work: its whole-call figures are a little flattering for it).

The GetImageStatus answer is byte for byte the recorded SOAP 1.1 answer of the
service (``asmx-traffic/pixelz/020-soap11-GetImageStatus-delivered``); the test of
this module checks that whenever the recordings are available. GetImagesList
answers are rendered from the generated dataclasses the same way.
"""

from __future__ import annotations

import io
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3.response import HTTPResponse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from removethebackground import Binding  # noqa: E402
from removethebackground.generated import pixelz  # noqa: E402
from removethebackground.service import render_soap_result  # noqa: E402

WSDL = ROOT / "wsdl/pixelz/pixelz.wsdl"
ENDPOINT = "http://127.0.0.1:8110/soap.asmx"
EMAIL = "demo@example.com"
API_KEY = "demo-key"
TICKET = "9a4e4e16-8e77-4e8c-b579-79fba86611e3"
#: The recording the GetImageStatus answer reproduces, relative to the traffic folder.
RECORDED_STATUS = "pixelz/020-soap11-GetImageStatus-delivered.response.http"
#: The headers the service sent with it (Content-Length is added per answer).
ANSWER_HEADERS = {
    "Server": "Mono.WebServer.XSP/4.2.0.0 Linux",
    "X-AspNet-Version": "4.0.30319",
    "Cache-Control": "private, max-age=0",
    "Content-Type": "text/xml; charset=utf-8",
}


def status_answer() -> bytes:
    """The SOAP 1.1 answer to GetImageStatus for a delivered image (recording 020)."""
    base = "http://127.0.0.1:8110/out/" + TICKET
    result = pixelz.ImageStatusResponse(
        image_status=pixelz.ImageStatus(
            image_ticket=uuid.UUID(TICKET),
            customer_image_id="cust-A",
            product_id="prod-1",
            status_name="Delivered",
            status_id=80,
            is_paid=True,
            thumbnail_image_url=base + "-thumb.png",
            final_images_url=[base + ".png"],
        )
    )
    return render_soap_result(pixelz.OP_GET_IMAGE_STATUS, Binding.SOAP11, result)


def images_list_answer(count: int) -> bytes:
    """A SOAP 1.1 answer to GetImagesList with ``count`` images, shaped as recording 023."""
    images: list[pixelz.ImageStatus | None] = []
    for i in range(count):
        ticket = uuid.UUID(int=(0x5EED << 96) + i)
        base = f"http://127.0.0.1:8110/out/{ticket}"
        images.append(
            pixelz.ImageStatus(
                image_ticket=ticket,
                # As in the recordings, some images carry no customer id or product id.
                customer_image_id=f"cust-{i}" if i % 4 else None,
                product_id=f"prod-{i % 7}" if i % 4 else None,
                status_name="Delivered",
                status_id=80,
                is_paid=True,
                thumbnail_image_url=base + "-thumb.png",
                final_images_url=[base + ".png"],
            )
        )
    result = pixelz.ImagesListResponse(images=images)
    return render_soap_result(pixelz.OP_GET_IMAGES_LIST, Binding.SOAP11, result)


class RecordedAnswerAdapter(BaseAdapter):
    """A transport adapter that answers every request with the same recorded bytes.

    ``send`` behaves as :meth:`requests.adapters.HTTPAdapter.send` followed by its
    ``build_response``: nothing is read before the caller reads, whether through
    :meth:`requests.Session.request` or by calling the adapter directly.
    """

    def __init__(self, body: bytes, *, status: int = 200, reason: str = "OK") -> None:
        super().__init__()
        self.body = body
        self.status = status
        self.reason = reason
        self.headers = {**ANSWER_HEADERS, "Content-Length": str(len(body))}
        self.sent = 0
        self.last_request: requests.PreparedRequest | None = None
        self._lock = threading.Lock()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        with self._lock:
            self.sent += 1
            self.last_request = request
        raw = HTTPResponse(
            body=io.BytesIO(self.body),
            headers=self.headers,
            status=self.status,
            version=11,
            version_string="HTTP/1.1",
            reason=self.reason,
            preload_content=False,
            decode_content=True,
            request_method=request.method,
            request_url=request.url,
        )
        response = requests.Response()
        response.status_code = raw.status
        response.headers = CaseInsensitiveDict(raw.headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = raw
        response.reason = self.reason
        response.url = request.url or ""
        response.request = request
        response.connection = self  # type: ignore[attr-defined]
        extract_cookies_to_jar(response.cookies, request, raw)  # type: ignore[arg-type]
        return response

    def close(self) -> None:
        pass


def recorded_session(body: bytes) -> tuple[requests.Session, RecordedAnswerAdapter]:
    """A session whose http:// and https:// requests all get ``body``."""
    session = requests.Session()
    adapter = RecordedAnswerAdapter(body)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session, adapter


# --- zeep and suds, offline --------------------------------------------------------------------


def zeep_transport(session: requests.Session | None = None) -> Any:
    """A ``zeep.Transport`` on ``session`` that reads schemas from local copies only."""
    import zeep
    from codegen.model import LOCAL_SCHEMAS

    class OfflineTransport(zeep.Transport):  # type: ignore[misc]
        def load(self, url: str) -> bytes:
            local = LOCAL_SCHEMAS.get(url.rstrip("/"))
            if local is not None:
                return local.read_bytes()
            if url.startswith(("http://", "https://")):
                raise RuntimeError(f"the WSDL asks for {url}; the benchmarks run offline")
            data: bytes = super().load(url)
            return data

    return OfflineTransport(session=session) if session is not None else OfflineTransport()


def zeep_service(client: Any, endpoint: str = ENDPOINT) -> Any:
    """The SOAP 1.1 port of a ``zeep.Client`` on the Pixelz WSDL, at ``endpoint``."""
    return client.create_service("{http://removethebackground.com/}soapSoap", endpoint)


def wsdl_url() -> str:
    return WSDL.resolve().as_uri()


def _open_local(url: str) -> io.BytesIO:
    """The documents suds may ask for: the vendored WSDL and local schema copies."""
    from codegen.model import LOCAL_SCHEMAS

    local = LOCAL_SCHEMAS.get(url.rstrip("/"))
    if local is not None:
        return io.BytesIO(local.read_bytes())
    if url == wsdl_url():
        return io.BytesIO(WSDL.read_bytes())
    raise RuntimeError(f"suds asked for {url}; the benchmarks run offline")


def suds_transport(body: bytes) -> Any:
    """A ``suds.transport.Transport`` that answers every call with ``body``."""
    from suds.transport import Reply, Transport

    class RecordedSudsTransport(Transport):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.last_message: bytes | None = None

        def open(self, request: Any) -> io.BytesIO:
            return _open_local(request.url)

        def send(self, request: Any) -> Any:
            self.last_message = request.message
            return Reply(200, dict(ANSWER_HEADERS), body)

    return RecordedSudsTransport()


def suds_http_transport() -> Any:
    """suds' own urllib transport (no proxies) for the loopback runs; the WSDL stays local."""
    from suds.transport.http import HttpTransport

    class LocalWsdlHttpTransport(HttpTransport):  # type: ignore[misc]
        def open(self, request: Any) -> io.BytesIO:
            return _open_local(request.url)

    return LocalWsdlHttpTransport(proxy={})


def suds_client(transport: Any, endpoint: str = ENDPOINT, **options: Any) -> Any:
    """A ``suds.client.Client`` on the vendored WSDL (file:// URL, no cache), SOAP 1.1 port."""
    from suds.client import Client

    client = Client(wsdl_url(), transport=transport, cache=None, **options)
    client.set_options(port="soapSoap", location=endpoint)
    return client

"""The sandbox as a WSGI application: routes, and the state and workers behind them.

Routes (all answers carry ``Content-Length``; none is ever a traceback page):

=============================================  ==============================================
``GET /soap.asmx?WSDL``                         generation 2 (Pixelz) WSDL, addresses rewritten
``POST /soap.asmx``                             SOAP 1.1 / 1.2 (by Content-Type)
``GET|POST /soap.asmx/<Operation>``             HTTP GET / HTTP POST bindings
``... /legacy/soap.asmx ...``                   the same for generation 1 (``getImageStatus``)
``PUT|POST /uploads/<name>``                    store an image, answer its URL (see :mod:`.fetch`)
``GET /uploads/<token>/<name>``                 an uploaded file
``GET /out/<ticket>.png``, ``-thumb.png``       final image and thumbnail (``-2.png``... for
                                                imageURL2..5)
``GET /pay/<invoice>``, ``/invoices/<id>.pdf``  stand-ins for the payment page and invoice PDF
``GET /``                                       a plain-text index
=============================================  ==============================================

The service paths are matched case-insensitively, as IIS does. Addresses in the
WSDL, output URLs and invoice URLs are built from the request's ``Host`` header, so
they work whatever name the caller used for the sandbox.
"""

from __future__ import annotations

import datetime
import html
import json
import logging
import mimetypes
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from .. import asmx as protocol
from ..asmx import EmptyAnswer, FaultCode, RequestError
from ..bindings import HTTP_BY_METHOD
from ..generated import GENERATIONS
from ..wire import Binding, Service
from .clock import SandboxClock
from .config import DEMO_EMAIL, SandboxConfig
from .fetch import ImageFetcher, save_upload, upload_file
from .service import (
    CallContext,
    SandboxService,
    ensure_account,
    seed_demo_account,
)
from .store import ImageRow, Store, WebhookRow
from .validation import Fault, SimulatedServerError
from .worker import Processor, WebhookSender, process_image

__all__ = ["Endpoint", "SandboxApp", "create_app"]

log = logging.getLogger("removethebackground.sandbox")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
_HOST = re.compile(r"[A-Za-z0-9.\-]{1,253}(:\d{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?")
_OUT_NAME = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(-thumb|-[2-5])?\.png"
)
_INVOICE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_NO_CACHE = ("Cache-Control", "private, max-age=0")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One generation of the service, served at ``path``."""

    path: str
    service: Service
    label: str


ENDPOINTS = tuple(Endpoint(g.sandbox_path, g.service, g.label) for g in GENERATIONS.values())


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


class SandboxApp:
    """State, workers and routes of one sandbox; a WSGI callable.

    Args:
        data_dir: where the SQLite database, uploads and outputs live; ``None`` for a
            temporary directory that :meth:`close` removes.
        accounts: ``(email, api_key)`` pairs to create besides the demo account.
        config: behaviour settings (:class:`SandboxConfig`).
        clock: the clock statuses move on (default: wall time).
        start: start the background workers now (else call :meth:`start`).
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        accounts: Iterable[tuple[str, str]] = (),
        config: SandboxConfig | None = None,
        clock: SandboxClock | None = None,
        start: bool = True,
    ) -> None:
        self._temporary = data_dir is None
        self.data_dir = Path(
            tempfile.mkdtemp(prefix="rtb-sandbox-") if data_dir is None else data_dir
        ).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.uploads_dir = self.data_dir / "uploads"
        self.out_dir = self.data_dir / "out"
        self.uploads_dir.mkdir(exist_ok=True)
        self.out_dir.mkdir(exist_ok=True)
        self.config = config or SandboxConfig()
        self.clock = clock or SandboxClock()
        self.store = Store(self.data_dir / "sandbox.sqlite3")
        seed_demo_account(self.store)
        for email, api_key in accounts:
            ensure_account(self.store, email, api_key, self.clock.now())
        self.fetcher = ImageFetcher(
            self.uploads_dir,
            timeout=self.config.fetch_timeout,
            max_bytes=self.config.max_image_bytes,
            synthetic_example_images=self.config.synthetic_example_images,
        )
        self.webhooks = WebhookSender(self.store, self.config, self.clock)
        self.processor = Processor(
            self.store,
            self.clock,
            self.config,
            self.fetcher,
            self.out_dir,
            on_delivered=self.webhooks.notify_delivered,
        )
        self.service = SandboxService(self.store, self.clock, self.config, wake=self.processor.wake)
        self.endpoints = ENDPOINTS
        self._closed = False
        if start:
            self.start()

    # --- lifecycle and test helpers ---------------------------------------------------------

    def start(self) -> None:
        self.webhooks.start()
        self.processor.start()

    def close(self) -> None:
        """Stop the workers, close the database; remove the data if it was temporary."""
        if self._closed:
            return
        self._closed = True
        self.processor.stop()
        self.webhooks.stop()
        self.store.close()
        if self._temporary:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def settle(self, timeout: float = 60.0) -> None:
        """Do every status step that is due and wait for the processing it starts."""
        self.processor.settle(timeout)

    def advance(self, seconds: float) -> None:
        """Move the clock forward, then :meth:`settle`: the new statuses are visible at once."""
        self.clock.advance(seconds)
        self.settle()

    def wait_for_webhooks(self, timeout: float = 30.0) -> bool:
        """Wait until no notification is queued or in flight (retries included)."""
        return self.webhooks.wait_idle(timeout)

    def webhook_deliveries(self, ticket: str | None = None) -> list[WebhookRow]:
        return self.store.list_webhooks(ticket=ticket)

    def add_account(self, email: str, api_key: str) -> None:
        ensure_account(self.store, email, api_key, self.clock.now())

    def seed_image(
        self,
        email: str = DEMO_EMAIL,
        *,
        ticket: str | None = None,
        status: int = 80,
        product_id: str | None = None,
        customer_image_id: str | None = None,
        image_url: str = "http://example.com/images/seed.jpg",
        held: bool = False,
        base_url: str = "http://127.0.0.1",
    ) -> str:
        """Put an image straight into ``status`` (80: processed now, with real outputs).

        For fixtures and replays: the image belongs to ``email`` (which must exist);
        ``held`` keeps it where it is. Returns the ticket.
        """
        if status not in (10, 50, 60, 70, 80):
            raise ValueError(f"unknown status {status}")
        account = self.store.get_account(email)
        if account is None:
            raise ValueError(f"no account {email!r}")
        ticket = str(uuid.UUID(ticket)) if ticket else str(uuid.uuid4())
        row = self.store.insert_image(
            ticket=ticket,
            email=account.email,
            operation="seed",
            template_id=None,
            customer_image_id=customer_image_id,
            product_id=product_id,
            customer_folder=None,
            urls=[image_url],
            callback_url=None,
            base_url=base_url,
            request={},
            status=status,
            now=self.clock.now(),
            held=held or status == 50,
            job="queued" if status == 60 else "none",
        )
        if status in (70, 80):
            outputs = process_image(row, self.fetcher, self.out_dir)
            self.store.update_image(ticket, outputs=outputs, job="done")
        self.processor.wake()
        return ticket

    def image(self, ticket: str) -> ImageRow | None:
        return self.store.get_image(ticket)

    # --- WSGI ----------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO", "") or "/")
        started = time.perf_counter()
        try:
            response = self._route(environ, method, path)
        except Exception as exc:  # last resort: never a traceback page
            log.exception("sandbox: unexpected error on %s %s", method, path[:200])
            response = Response(
                500,
                protocol.render_text_error(f"Server was unable to process request. ---> {exc}"),
                protocol.PLAIN_CONTENT_TYPE,
            )
        log.debug(
            "%s %s -> %d (%.1f ms)",
            method,
            path[:200],
            response.status,
            (time.perf_counter() - started) * 1000,
        )
        return response.send(start_response, head=method == "HEAD")

    def _route(self, environ: dict[str, Any], method: str, path: str) -> Response:
        lowered = path.lower()
        for endpoint in self.endpoints:
            base = endpoint.path.lower()
            if lowered in (base, base + "/"):
                return self._endpoint(endpoint, environ, method)
            if lowered.startswith(base + "/"):
                return self._http_binding(endpoint, path[len(base) + 1 :], environ, method)
        parts = [p for p in path.split("/") if p]
        if parts and parts[0] == "uploads":
            return self._uploads(parts[1:], environ, method)
        if len(parts) == 2 and parts[0] == "out" and method in ("GET", "HEAD"):
            return self._output(parts[1])
        if len(parts) == 2 and parts[0] == "pay" and method in ("GET", "HEAD"):
            return self._payment_page(parts[1], environ)
        if len(parts) == 2 and parts[0] == "invoices" and method in ("GET", "HEAD"):
            return self._invoice_pdf(parts[1])
        if not parts and method in ("GET", "HEAD"):
            return self._index(environ)
        return _text(404, "Not found")

    # --- the service endpoints -------------------------------------------------------------------

    def _endpoint(self, endpoint: Endpoint, environ: dict[str, Any], method: str) -> Response:
        if method in ("GET", "HEAD"):
            names = [
                part.split("=", 1)[0].lower()
                for part in str(environ.get("QUERY_STRING", "")).split("&")
            ]
            if "wsdl" in names:
                url = _base_url(environ) + endpoint.path
                return Response(
                    200,
                    protocol.wsdl_for(endpoint.service, url),
                    protocol.HTTP_CONTENT_TYPE,
                    [_NO_CACHE],
                )
            return self._service_page(endpoint, environ)
        if method == "POST":
            return self._soap(endpoint, environ)
        return Response(405, headers=[("Allow", "GET, HEAD, POST")])

    def _soap(self, endpoint: Endpoint, environ: dict[str, Any]) -> Response:
        content_type = str(environ.get("CONTENT_TYPE", ""))
        binding = protocol.soap_binding_of(content_type)
        if binding is None or binding not in endpoint.service.default_endpoints:
            return Response(415)
        op_name = "?"
        try:
            body = _read_body(environ, self.config.max_request_bytes)
            element = protocol.read_envelope(body, binding)
            action = protocol.soap_action_of(binding, content_type, environ.get("HTTP_SOAPACTION"))
            op = protocol.route_soap(endpoint.service, binding, element, action)
            op_name = op.name
            values = protocol.parse_soap_request(op, element)
            result = self.service.call(
                endpoint.service, op, values, CallContext(_base_url(environ))
            )
            answer = protocol.render_soap_result(op, binding, result)
            log.info("%s %s -> 200", binding.value, op_name)
            return Response(200, answer, protocol.SOAP_CONTENT_TYPES[binding], [_NO_CACHE])
        except EmptyAnswer as exc:
            log.info("%s %s -> %d", binding.value, op_name, exc.status)
            return Response(exc.status)
        except RequestError as exc:
            answer_binding = Binding.SOAP11 if exc.soap11 else binding
            return self._soap_fault(answer_binding, exc.code, exc.text, op_name)
        except Fault as exc:
            code = FaultCode.SERVER if exc.server else FaultCode.CLIENT
            return self._soap_fault(binding, code, exc.text, op_name)
        except SimulatedServerError as exc:
            text = f"Server was unable to process request. ---> {exc}"
            return self._soap_fault(binding, FaultCode.SERVER, text, op_name)
        except Exception as exc:
            log.exception("%s %s: unexpected error", binding.value, op_name)
            text = f"Server was unable to process request. ---> {exc or type(exc).__name__}"
            return self._soap_fault(binding, FaultCode.SERVER, text, op_name)

    def _soap_fault(self, binding: Binding, code: FaultCode, text: str, op_name: str) -> Response:
        log.info("%s %s -> 500 %s fault: %s", binding.value, op_name, code.value, text[:200])
        return Response(
            500,
            protocol.render_soap_fault(binding, code, text),
            protocol.SOAP_CONTENT_TYPES[binding],
            [_NO_CACHE],
        )

    def _http_binding(
        self, endpoint: Endpoint, name: str, environ: dict[str, Any], method: str
    ) -> Response:
        # Not HEAD: calling an operation can change state, and HEAD must not.
        engine = HTTP_BY_METHOD.get(method)
        if engine is None:
            return Response(405, headers=[("Allow", "GET, POST")])
        chosen = engine.binding
        ops = endpoint.service.operations
        op = ops.get(name) or next(
            (o for o in ops.values() if o.name.lower() == name.lower()), None
        )
        try:
            if op is None or chosen not in op.bindings:
                raise protocol.unrecognized_http_operation(name[:100])
            mime = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
            if not engine.accepts(mime):
                return Response(415)
            body = _read_body(environ, self.config.max_request_bytes) if engine.reads_body else b""
            text = engine.request_text(str(environ.get("QUERY_STRING", "")), body)
            try:
                pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=1000)
            except ValueError:
                raise RequestError("Too many parameters.") from None
            values = protocol.parse_http_request(op, pairs)
            result = self.service.call(
                endpoint.service, op, values, CallContext(_base_url(environ))
            )
            log.info("%s %s -> 200", chosen.value, op.name)
            return Response(
                200,
                protocol.render_http_result(op, result),
                protocol.HTTP_CONTENT_TYPE,
                [_NO_CACHE],
            )
        except EmptyAnswer as exc:
            return Response(exc.status)
        except (RequestError, Fault) as exc:
            return self._text_error(chosen, name, exc.text)
        except SimulatedServerError as exc:
            return self._text_error(chosen, name, str(exc))
        except Exception as exc:
            log.exception("%s %s: unexpected error", chosen.value, name[:100])
            return self._text_error(chosen, name, str(exc) or type(exc).__name__)

    def _text_error(self, binding: Binding, name: str, text: str) -> Response:
        log.info("%s %s -> 500: %s", binding.value, name[:100], text[:200])
        return Response(
            500, protocol.render_text_error(text), protocol.PLAIN_CONTENT_TYPE, [_NO_CACHE]
        )

    def _service_page(self, endpoint: Endpoint, environ: dict[str, Any]) -> Response:
        url = html.escape(_base_url(environ) + endpoint.path)
        items = "".join(
            f"<li>{html.escape(name)}</li>" for name in sorted(endpoint.service.operations)
        )
        page = (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{html.escape(endpoint.service.name)} web service (sandbox)</title></head>"
            f"<body><h1>{html.escape(endpoint.label)}: sandbox</h1>"
            f'<p>Service description: <a href="{url}?WSDL">{url}?WSDL</a></p>'
            f"<ul>{items}</ul></body></html>"
        )
        return Response(200, page.encode("utf-8"), "text/html; charset=utf-8", [_NO_CACHE])

    # --- files ----------------------------------------------------------------------------

    def _uploads(self, parts: list[str], environ: dict[str, Any], method: str) -> Response:
        if method in ("PUT", "POST") and len(parts) <= 1:
            name = parts[0] if parts else "upload"
            try:
                data = _read_body(environ, self.config.max_image_bytes)
            except EmptyAnswer:
                return _text(413, f"uploads are limited to {self.config.max_image_bytes} bytes")
            if not data:
                return _text(400, "the upload is empty: send the image bytes as the body")
            try:
                token, digest = save_upload(self.uploads_dir, name, data)
            except ValueError:
                return _text(400, "invalid upload name: use letters, digits, '.', '_' and '-' only")
            url = f"{_base_url(environ)}/uploads/{token}/{name}"
            body = json.dumps({"url": url, "name": name, "bytes": len(data), "sha256": digest})
            log.info("upload %s/%s stored (%d bytes)", token, name, len(data))
            return Response(201, body.encode("utf-8"), "application/json", [("Location", url)])
        if method in ("GET", "HEAD") and len(parts) == 2:
            path = upload_file(self.uploads_dir, parts[0], parts[1])
            if path is None:
                return _text(404, "Not found")
            guessed = mimetypes.guess_type(parts[1])[0] or "application/octet-stream"
            return Response(200, path.read_bytes(), guessed)
        if len(parts) <= 1:
            return Response(405, headers=[("Allow", "PUT, POST")])
        return _text(404, "Not found")

    def _output(self, name: str) -> Response:
        if not _OUT_NAME.fullmatch(name):
            return _text(404, "Not found")
        path = self.out_dir / name
        if not path.is_file():
            return _text(404, "Not found")
        return Response(200, path.read_bytes(), "image/png", [_NO_CACHE])

    def _payment_page(self, invoice_id: str, environ: dict[str, Any]) -> Response:
        if not _INVOICE_ID.fullmatch(invoice_id):
            return _text(404, "Not found")
        query = dict(parse_qsl(str(environ.get("QUERY_STRING", "")), max_num_fields=20))
        back = query.get("returnUrl", "")
        link = ""
        if back.lower().startswith(("http://", "https://")):
            link = f'<p><a href="{html.escape(back)}">Return to the shop</a></p>'
        page = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Payment (sandbox)</title>'
            f"</head><body><h1>Invoice {html.escape(invoice_id)}</h1>"
            "<p>This is the sandbox: nothing is charged.</p>"
            f"{link}</body></html>"
        )
        return Response(200, page.encode("utf-8"), "text/html; charset=utf-8")

    def _invoice_pdf(self, name: str) -> Response:
        if not name.endswith(".pdf") or not _INVOICE_ID.fullmatch(name[:-4]):
            return _text(404, "Not found")
        return Response(200, _pdf(f"Sandbox invoice {name[:-4]}"), "application/pdf")

    def _index(self, environ: dict[str, Any]) -> Response:
        base = _base_url(environ)
        lines = ["Remove The Background sandbox", ""]
        for endpoint in self.endpoints:
            lines.append(f"{endpoint.label}: {base}{endpoint.path} (WSDL: ?WSDL)")
        lines += [
            f"uploads: PUT {base}/uploads/<name> with the image bytes",
            f"outputs: {base}/out/<ticket>.png",
            f"generated {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC",
        ]
        return Response(200, ("\n".join(lines) + "\n").encode("utf-8"), "text/plain; charset=utf-8")


def create_app(
    data_dir: str | Path | None = None,
    *,
    accounts: Iterable[tuple[str, str]] = (),
    config: SandboxConfig | None = None,
    clock: SandboxClock | None = None,
    start: bool = True,
) -> SandboxApp:
    """The sandbox as a WSGI application (with its workers running unless ``start=False``).

    Serve it with any WSGI server; call ``app.close()`` when done.
    """
    return SandboxApp(data_dir, accounts=accounts, config=config, clock=clock, start=start)


# --- helpers -------------------------------------------------------------------------------


def _text(status: int, text: str) -> Response:
    return Response(status, (text + "\n").encode("utf-8"), "text/plain; charset=utf-8")


def _base_url(environ: dict[str, Any]) -> str:
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


def _read_body(environ: dict[str, Any], limit: int) -> bytes:
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


def _pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (a stand-in for the real invoice PDF)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 18 Tf 72 760 Td ({safe}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)

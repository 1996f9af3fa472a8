"""The sandbox as a WSGI application: a table of routes to the functions that answer them.

=============================================  ==============================================
``GET /soap.asmx?WSDL``                         generation 2 (Pixelz) WSDL, addresses rewritten
``POST /soap.asmx``                             SOAP 1.1 / 1.2 (by Content-Type)
``GET|POST /soap.asmx/<Operation>``             HTTP GET / HTTP POST bindings
``... /legacy/soap.asmx ...``                   the same for generation 1 (``getImageStatus``)
``PUT|POST /uploads/<name>``                    store an image, answer its URL (see :mod:`.fetch`)
``GET /uploads/<token>/<name>``                 an uploaded file
``GET /out/<ticket>.<ext>``, ``-thumb.png``     final image (``ext`` by the template's format:
                                                jpg, png, tif, psd; ``-2.<ext>``... for
                                                imageURL2..5), its thumbnail, ``-source.png``
``GET /pay/<invoice>``, ``/invoices/<id>.pdf``  stand-ins for the payment page and invoice PDF
``GET /``                                       the developer's page (:mod:`.page`)
=============================================  ==============================================

Every answered request but the page and its thumbnails is recorded, credentials
masked, by :class:`~.requestlog.RequestLog` (``app.requests_log()`` reads it back).

Where each answer is made: the service endpoints (one per entry of
``GENERATIONS``) in :mod:`.responses`, uploads and outputs in :mod:`.files`, the
payment page and invoice PDF in :mod:`.billing`, the root page in :mod:`.page`. The
state and workers behind them are :class:`~.state.SandboxState`, which
:class:`SandboxApp` extends with the routing only. All answers carry
``Content-Length``; none is ever a traceback page.

The service paths are matched case-insensitively, as IIS does. Addresses in the
WSDL, output URLs and invoice URLs are built from the request's ``Host`` header, so
they work whatever name the caller used for the sandbox.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import service as protocol
from ..core.wire import Generation
from ..generated import GENERATIONS
from . import billing, files, page, requestlog, responses
from .clock import SandboxClock
from .config import SandboxConfig
from .responses import Endpoint
from .state import SandboxState
from .web import Request, Response, StartResponse, not_found

__all__ = ["ENDPOINTS", "ROUTES", "Endpoint", "Route", "SandboxApp", "create_app"]

log = logging.getLogger("removethebackground.sandbox")

ENDPOINTS = tuple(Endpoint.of(g) for g in GENERATIONS.values())

READ = frozenset({"GET", "HEAD"})


@dataclass(frozen=True, slots=True)
class Route:
    """``/<first>/<args...>``: answered by ``handler(app, request)``.

    ``methods``: the methods it takes (``None``: any; the handler decides);
    ``args``: how many segments follow ``first`` (``None``: any number).
    Anything no route takes is a 404.
    """

    first: str
    handler: Callable[[SandboxApp, Request], Response]
    methods: frozenset[str] | None = READ
    args: int | None = 1


# Tried in order, after the service endpoints (``responses.endpoint`` / ``http_binding``).
ROUTES: tuple[Route, ...] = (
    Route("uploads", files.uploads, methods=None, args=None),  # PUT/POST /uploads/<name>, GET
    Route("out", files.output),  # GET /out/<name>
    Route("pay", billing.payment_page),  # GET /pay/<invoice>
    Route("invoices", billing.invoice_pdf),  # GET /invoices/<invoice>.pdf
    Route("", page.index, args=0),  # GET /
)


class SandboxApp(SandboxState):
    """One sandbox (:class:`~.state.SandboxState`) as a WSGI callable.

    Args:
        data_dir, accounts, config, clock, start: as :class:`~.state.SandboxState`.
        generations: the generations to serve (default: ``GENERATIONS``), each at its
            ``sandbox_path``; one without handlers answers every call with a server fault.
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        accounts: Iterable[tuple[str, str]] = (),
        config: SandboxConfig | None = None,
        clock: SandboxClock | None = None,
        start: bool = True,
        generations: Mapping[str, Generation] | None = None,
    ) -> None:
        super().__init__(data_dir, accounts=accounts, config=config, clock=clock, start=start)
        self.generations: Mapping[str, Generation] = (
            GENERATIONS if generations is None else generations
        )
        self.endpoints = (
            ENDPOINTS
            if generations is None
            else tuple(Endpoint.of(g) for g in generations.values())
        )
        self.routes = ROUTES
        size = self.config.request_log_size
        self.request_log = (
            requestlog.RequestLog(self.store, self.clock, keep=size) if size > 0 else None
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO", "") or "/")
        started = time.perf_counter()
        try:
            response = self.route(Request(environ, method, path))
        except Exception as exc:  # last resort: never a traceback page
            log.exception("sandbox: unexpected error on %s %s", method, path[:200])
            text = f"Server was unable to process request. ---> {exc}"
            requestlog.note(environ).fault = text
            response = Response(
                500,
                protocol.render_text_error(text),
                protocol.PLAIN_CONTENT_TYPE,
            )
        seconds = time.perf_counter() - started
        log.debug("%s %s -> %d (%.1f ms)", method, path[:200], response.status, seconds * 1000)
        if self.request_log is not None:
            self.request_log.record(environ, method, path, response.status, seconds)
        return response.send(start_response, head=method == "HEAD")

    def route(self, request: Request) -> Response:
        """The answer to ``request``: a service endpoint, else the first route that takes it."""
        path = request.path
        lowered = path.lower()
        for ep in self.endpoints:
            base = ep.path.lower()
            if lowered == base or lowered.startswith(base + "/"):
                requestlog.note(request.environ).generation = ep.key
            if lowered == base:
                return responses.endpoint(self, ep, request)
            if lowered.startswith(base + "/"):
                # ASP.NET's PathInfo: "/<name>" ("/" alone is no operation, see asmx).
                return responses.http_binding(self, ep, path[len(base) :], request)
        parts = [p for p in path.split("/") if p]
        first, args = (parts[0], tuple(parts[1:])) if parts else ("", ())
        for route in self.routes:
            if (
                route.first == first
                and (route.args is None or route.args == len(args))
                and (route.methods is None or request.method in route.methods)
            ):
                try:
                    return route.handler(self, Request(request.environ, request.method, path, args))
                except protocol.UnhandledError as exc:
                    # An exception a page leaves to ASP.NET (System.Web's HttpException,
                    # InvalidOperationException...): its error page, not the catch-all.
                    requestlog.note(request.environ).fault = exc.message
                    return Response(
                        exc.status, protocol.render_error_page(exc), protocol.HTML_CONTENT_TYPE
                    )
        return not_found()


def create_app(
    data_dir: str | Path | None = None,
    *,
    accounts: Iterable[tuple[str, str]] = (),
    config: SandboxConfig | None = None,
    clock: SandboxClock | None = None,
    start: bool = True,
    generations: Mapping[str, Generation] | None = None,
) -> SandboxApp:
    """The sandbox as a WSGI application (with its workers running unless ``start=False``).

    Serve it with any WSGI server; call ``app.close()`` when done.
    """
    return SandboxApp(
        data_dir,
        accounts=accounts,
        config=config,
        clock=clock,
        start=start,
        generations=generations,
    )

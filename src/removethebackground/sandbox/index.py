"""``GET /``: a plain-text index of what this sandbox serves and where."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from .outputs import output_name, output_url
from .web import Request, Response

if TYPE_CHECKING:
    from .app import SandboxApp

__all__ = ["index"]


def index(app: SandboxApp, request: Request) -> Response:
    base = request.base_url
    lines = ["Remove The Background sandbox", ""]
    for endpoint in app.endpoints:
        lines.append(f"{endpoint.label}: {base}{endpoint.path} (WSDL: ?WSDL)")
    lines += [
        f"uploads: PUT {base}/uploads/<name> with the image bytes",
        f"outputs: {output_url(base, output_name('<ticket>', 1))}",
        f"generated {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC",
    ]
    return Response(200, ("\n".join(lines) + "\n").encode("utf-8"), "text/plain; charset=utf-8")

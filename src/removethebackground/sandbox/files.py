"""Files the sandbox serves: uploads (``/uploads/...``) and outputs (``/out/<name>``).

- ``PUT|POST /uploads/<name>``: store the body as an image; answers 201 with its URL
  (``Location`` header and JSON ``url``), the ``image_url`` to queue
  (storage in :mod:`.fetch`);
- ``GET /uploads/<token>/<name>``: an uploaded file;
- ``GET /out/<name>``: a final image or thumbnail the worker wrote, by the names of
  :mod:`.outputs`; 404 once the image's results are past the retention
  (``SandboxConfig.retention_seconds``, counted from its delivery).
"""

from __future__ import annotations

import json
import logging
import mimetypes
from typing import TYPE_CHECKING

from ..service.errors import EmptyAnswer
from .fetch import save_upload, upload_file
from .outputs import OUTPUT_CONTENT_TYPES, OUTPUT_NAME, upload_url
from .statuses import DELIVERED
from .web import NO_CACHE, Request, Response, not_found, text

if TYPE_CHECKING:
    from .state import SandboxState

__all__ = ["output", "uploads"]

log = logging.getLogger("removethebackground.sandbox")


def uploads(app: SandboxState, request: Request) -> Response:
    parts = request.args
    if request.method in ("PUT", "POST") and len(parts) <= 1:
        name = parts[0] if parts else "upload"
        limit = app.config.max_image_bytes
        try:
            data = request.body(limit)
        except EmptyAnswer:
            return text(413, f"uploads are limited to {limit} bytes")
        if not data:
            return text(400, "the upload is empty: send the image bytes as the body")
        try:
            token, digest = save_upload(app.uploads_dir, name, data)
        except ValueError:
            return text(400, "invalid upload name: use letters, digits, '.', '_' and '-' only")
        url = upload_url(request.base_url, token, name)
        body = json.dumps({"url": url, "name": name, "bytes": len(data), "sha256": digest})
        log.info("upload %s/%s stored (%d bytes)", token, name, len(data))
        return Response(201, body.encode("utf-8"), "application/json", [("Location", url)])
    if request.method in ("GET", "HEAD") and len(parts) == 2:
        path = upload_file(app.uploads_dir, parts[0], parts[1])
        if path is None:
            return not_found()
        guessed = mimetypes.guess_type(parts[1])[0] or "application/octet-stream"
        return Response(200, path.read_bytes(), guessed)
    if len(parts) <= 1:
        return Response(405, headers=[("Allow", "PUT, POST")])
    return not_found()


def output(app: SandboxState, request: Request) -> Response:
    (name,) = request.args
    if not OUTPUT_NAME.fullmatch(name):
        return not_found()
    path = app.out_dir / name
    if not path.is_file() or _expired(app, name):
        return not_found()
    content_type = OUTPUT_CONTENT_TYPES[name.rsplit(".", 1)[1]]
    return Response(200, path.read_bytes(), content_type, [NO_CACHE])


def _expired(app: SandboxState, name: str) -> bool:
    """Whether the results of the image ``name`` belongs to are past the retention.

    The source thumbnail (the page's "before") is the sandbox's own and stays."""
    if name.endswith("-source.png"):
        return False
    image = app.store.get_image(name[:36])
    if image is None or image.status != DELIVERED:
        return False
    return app.clock.now() - image.status_since >= app.config.retention_seconds

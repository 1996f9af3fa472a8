"""Webhooks: check a notification's signature, and a small WSGI receiver that confirms each one.

When an image is delivered and has a callback URL, the service POSTs a JSON
notification to it. The real service's field names and signing are undocumented;
this module follows the sandbox's (see ``removethebackground.sandbox.worker``)::

    X-RTB-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the API key>
    {"Event": "image-has-been-processed", "ImageTicket": "...", "StatusId": 80, ...}

:func:`verify_webhook` checks the signature in constant time (``hmac.compare_digest``)
over the exact bytes received, then parses the JSON into a :class:`WebhookNotification`.

:func:`webhook_app` is a WSGI application (serve it with waitress, gunicorn ...)::

    def handler(status: pixelz.ImageStatus) -> None:
        if ImageStatusName.of(status) is ImageStatusName.DELIVERED:
            download(status, "cutouts/")

    app = webhook_app(api_key, client, handler)

It accepts only ``POST`` with a valid signature and a body of at most ``max_body``
bytes, and **never trusts the content**: it asks GetImageStatus for the ticket named
in the notification and calls ``handler`` with that answer (what the service says
now), not with the notification. Answers: 200 after the handler returned; 401 for a
missing or wrong signature; 400 for a malformed body; 405/413 for other methods and
oversized bodies; 202 when GetImageStatus does not know the ticket (nothing to do,
no retry wanted); 503 when GetImageStatus could not be asked and 500 when the
handler raised, so that the sender retries. A notification can arrive more than
once (retries, replays): make ``handler`` idempotent.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import ClientFault, NotFoundError, RemoveTheBackgroundError
from ._common import AnyClient, AnyStatus, get_status
from .errors import WebhookVerificationError

__all__ = [
    "SIGNATURE_HEADER",
    "WebhookNotification",
    "sign_webhook",
    "verify_webhook",
    "webhook_app",
]

log = logging.getLogger("removethebackground.workflows")

SIGNATURE_HEADER = "X-RTB-Signature"
DEFAULT_MAX_BODY = 1024 * 1024


@dataclass(frozen=True, slots=True)
class WebhookNotification:
    """A verified notification, as sent (check its facts with GetImageStatus)."""

    event: str
    image_ticket: uuid.UUID
    status_id: int | None = None
    status_name: str | None = None
    customer_image_id: str | None = None
    product_id: str | None = None
    customer_folder: str | None = None
    template_id: int | None = None
    is_paid: bool | None = None
    thumbnail_image_url: str | None = None
    final_images_url: tuple[str, ...] = ()
    delivered_utc: datetime.datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


def sign_webhook(body: bytes, api_key: str) -> str:
    """The ``X-RTB-Signature`` value for ``body``: ``sha256=<hex HMAC>``."""
    digest = hmac.new(api_key.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _header(headers: Mapping[str, str] | Iterable[tuple[str, str]], name: str) -> str | None:
    items = headers.items() if isinstance(headers, Mapping) else headers
    wanted = name.lower()
    wsgi = "HTTP_" + name.upper().replace("-", "_")
    for key, value in items:
        if key.lower() == wanted or key == wsgi:
            return value
    return None


def verify_webhook(
    body: bytes,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    api_key: str,
) -> WebhookNotification:
    """Check ``X-RTB-Signature`` over ``body`` and parse it.

    Raises :class:`WebhookVerificationError` for a missing, malformed or wrong
    signature and for a body that is not a notification.

    ``headers`` may be any mapping or list of pairs (names matched without regard to
    case; WSGI ``HTTP_X_RTB_SIGNATURE`` keys work too).
    """
    _check_signature(body, headers, api_key)
    return _parse(bytes(body))


def _check_signature(
    body: bytes,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    api_key: str,
) -> None:
    if not isinstance(body, (bytes, bytearray)):
        raise WebhookVerificationError("the body must be the raw bytes received")
    if not api_key:
        raise WebhookVerificationError("no API key to check the signature with")
    given = _header(headers, SIGNATURE_HEADER)
    if not given:
        raise WebhookVerificationError(f"no {SIGNATURE_HEADER} header")
    scheme, _, hexdigest = given.strip().partition("=")
    if scheme.strip().lower() != "sha256" or not hexdigest:
        raise WebhookVerificationError(f"{SIGNATURE_HEADER} is not of the form sha256=<hex>")
    expected = sign_webhook(bytes(body), api_key).partition("=")[2]
    if not hmac.compare_digest(expected.encode("ascii"), hexdigest.strip().lower().encode("utf-8")):
        raise WebhookVerificationError("the signature does not match the body")


def _parse(body: bytes) -> WebhookNotification:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WebhookVerificationError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookVerificationError("the body is not a JSON object")
    try:
        ticket = uuid.UUID(str(data.get("ImageTicket", "")))
    except ValueError:
        raise WebhookVerificationError("the notification has no valid ImageTicket") from None

    def text(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) else None

    def integer(key: str) -> int | None:
        value = data.get(key)
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        return None

    finals = data.get("FinalImagesURL")
    urls = tuple(u for u in finals if isinstance(u, str)) if isinstance(finals, list) else ()
    delivered: datetime.datetime | None = None
    when = text("DeliveredUTC")
    if when:
        try:
            delivered = datetime.datetime.strptime(when, "%Y-%m-%d %H:%M:%S").replace(
                tzinfo=datetime.UTC
            )
        except ValueError:
            delivered = None
    paid = data.get("IsPaid")
    return WebhookNotification(
        event=text("Event") or "",
        image_ticket=ticket,
        status_id=integer("StatusId"),
        status_name=text("StatusName"),
        customer_image_id=text("CustomerImageId"),
        product_id=text("ProductId"),
        customer_folder=text("CustomerFolder"),
        template_id=integer("TemplateId"),
        is_paid=paid if isinstance(paid, bool) else None,
        thumbnail_image_url=text("ThumbnailImageURL"),
        final_images_url=urls,
        delivered_utc=delivered,
        raw=data,
    )


StartResponse = Callable[..., Any]


def webhook_app(
    api_key: str,
    client: AnyClient,
    handler: Callable[[AnyStatus], object],
    *,
    max_body: int = DEFAULT_MAX_BODY,
) -> Callable[[dict[str, Any], StartResponse], list[bytes]]:
    """A WSGI app: verify each notification, confirm it with GetImageStatus, call ``handler``."""
    if not api_key:
        raise WebhookVerificationError("webhook_app needs the account's API key")

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        def answer(code: int, reason: str, text: str) -> list[bytes]:
            body = (text + "\n").encode("utf-8")
            start_response(
                f"{code} {reason}",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]

        if environ.get("REQUEST_METHOD") != "POST":
            return answer(405, "Method Not Allowed", "POST notifications here")
        length_text = str(environ.get("CONTENT_LENGTH") or "0")
        if not length_text.isdigit():
            return answer(400, "Bad Request", "bad Content-Length")
        length = int(length_text)
        if length > max_body:
            return answer(413, "Payload Too Large", "notification too large")
        body = environ["wsgi.input"].read(length) if length else b""
        headers = [(k, str(v)) for k, v in environ.items() if k.startswith("HTTP_")]
        try:
            _check_signature(body, headers, api_key)
        except WebhookVerificationError as exc:
            log.warning("webhook refused: %s", exc)
            return answer(401, "Unauthorized", "bad signature")
        try:
            note = _parse(body)
        except WebhookVerificationError as exc:
            log.warning("webhook refused: %s", exc)
            return answer(400, "Bad Request", "malformed notification")
        try:
            status = get_status(client, note.image_ticket)
        except NotFoundError:
            log.warning("webhook for unknown image %s ignored", note.image_ticket)
            return answer(202, "Accepted", "unknown image: ignored")
        except ClientFault as exc:
            log.warning("webhook for %s: GetImageStatus refused: %s", note.image_ticket, exc)
            return answer(503, "Service Unavailable", "cannot confirm")
        except RemoveTheBackgroundError as exc:
            log.warning("webhook for %s: cannot confirm: %s", note.image_ticket, exc)
            return answer(503, "Service Unavailable", "cannot confirm")
        if status is None:
            return answer(503, "Service Unavailable", "cannot confirm")
        try:
            handler(status)
        except Exception:
            log.exception("webhook handler failed for %s", note.image_ticket)
            return answer(500, "Internal Server Error", "handler failed")
        return answer(200, "OK", "ok")

    return app

"""Webhooks: signatures checked in constant time; the receiver confirms each notification."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from removethebackground import (
    ImageStatusName,
    WebhookNotification,
    WebhookVerificationError,
    verify_webhook,
    webhook_app,
)
from removethebackground.generated import pixelz
from removethebackground.testing.sandbox import SandboxHandle
from removethebackground.workflows import sign_webhook
from support.workflows import serve

KEY = "demo-key"


def _body(**fields: Any) -> bytes:
    data = {
        "Event": "image-has-been-processed",
        "ImageTicket": str(uuid.UUID(int=3)),
        "StatusId": 80,
    }
    data.update(fields)
    return json.dumps(data, separators=(",", ":")).encode()


def test_the_signature_is_the_sandboxs_hmac_of_the_body() -> None:
    import hashlib
    import hmac

    body = _body()
    assert (
        sign_webhook(body, KEY)
        == "sha256=" + hmac.new(KEY.encode(), body, hashlib.sha256).hexdigest()
    )


def test_a_signed_notification_is_parsed() -> None:
    body = _body(
        CustomerImageId="c1",
        ProductId="p",
        TemplateId=1001,
        StatusName="Delivered",
        IsPaid=True,
        FinalImagesURL=["http://127.0.0.1:9/out/a.png"],
        DeliveredUTC="2026-01-02 03:04:05",
    )
    note = verify_webhook(body, {"x-rtb-signature": sign_webhook(body, KEY)}, KEY)
    assert isinstance(note, WebhookNotification)
    assert note.image_ticket == uuid.UUID(int=3) and note.status_id == 80
    assert note.customer_image_id == "c1" and note.template_id == 1001 and note.is_paid is True
    assert note.final_images_url == ("http://127.0.0.1:9/out/a.png",)
    assert note.delivered_utc is not None and note.delivered_utc.hour == 3
    # WSGI-style header names and lists of pairs work too
    assert verify_webhook(body, [("HTTP_X_RTB_SIGNATURE", sign_webhook(body, KEY))], KEY) == note


@pytest.mark.parametrize(
    ("headers", "body", "says"),
    [
        ({}, _body(), "no X-RTB-Signature"),
        ({"X-RTB-Signature": "md5=abc"}, _body(), "sha256=<hex>"),
        ({"X-RTB-Signature": "sha256="}, _body(), "sha256=<hex>"),
        ({"X-RTB-Signature": sign_webhook(_body(), "other-key")}, _body(), "does not match"),
        ({"X-RTB-Signature": sign_webhook(_body(), KEY)}, _body(StatusId=81), "does not match"),
        ({"X-RTB-Signature": sign_webhook(b"[1]", KEY)}, b"[1]", "not a JSON object"),
        ({"X-RTB-Signature": sign_webhook(b"\xff", KEY)}, b"\xff", "not JSON"),
        (
            {"X-RTB-Signature": sign_webhook(_body(ImageTicket="x"), KEY)},
            _body(ImageTicket="x"),
            "ImageTicket",
        ),
    ],
)
def test_unsigned_tampered_or_malformed_notifications_are_refused(
    headers: dict[str, str], body: bytes, says: str
) -> None:
    with pytest.raises(WebhookVerificationError, match=says) as info:
        verify_webhook(body, headers, KEY)
    assert KEY not in str(info.value)


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    from removethebackground.workflows import webhooks

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(webhooks.hmac, "compare_digest", spy)
    body = _body()
    verify_webhook(
        body, {"X-RTB-Signature": sign_webhook(body, KEY).upper().replace("SHA", "sha")}, KEY
    )
    assert len(calls) == 1


def test_the_receiver_with_real_webhooks_from_the_sandbox(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    got: list[pixelz.ImageStatus] = []
    done = threading.Event()

    def handler(status: Any) -> None:
        got.append(status)
        done.set()

    client = sandbox.pixelz_client()
    app = webhook_app(sandbox.demo_api_key, client, handler)
    with serve(app) as base:
        photo = _photo()
        queued = client.add_image_to_queue(
            template_id="1001",
            image_url=sandbox.upload(photo),
            image_callback_url=f"{base}/hooks/rtb",
            customer_image_id="hooked",
        )
        sandbox.advance(3 * sandbox.step_seconds)
        assert sandbox.wait_for_webhooks(20)
        assert done.wait(5)
        (delivery,) = sandbox.webhook_deliveries(queued.image_ticket)
        assert delivery.state == "delivered"
        (status,) = got
        assert isinstance(status, pixelz.ImageStatus)
        assert status.image_ticket == queued.image_ticket
        assert ImageStatusName.of(status) is ImageStatusName.DELIVERED
        assert status.customer_image_id == "hooked" and status.final_images_url

        # A forged notification (wrong key) is refused and reaches no handler.
        forged = _body(ImageTicket=str(queued.image_ticket))
        answer = requests.post(
            f"{base}/hooks/rtb",
            data=forged,
            headers={"X-RTB-Signature": sign_webhook(forged, "guessed")},
            timeout=5,
        )
        assert answer.status_code == 401
        assert requests.get(f"{base}/hooks/rtb", timeout=5).status_code == 405

        # A correctly signed notification that lies about the status: the handler gets
        # what GetImageStatus says, never the notification's claims.
        other = client.add_image_to_queue(
            template_id="1001", image_url="http://127.0.0.1:9/a.jpg", product_id="hold"
        )
        lying = _body(
            ImageTicket=str(other.image_ticket), StatusId=80, FinalImagesURL=["http://evil/x"]
        )
        answer = requests.post(
            f"{base}/hooks/rtb",
            data=lying,
            headers={"X-RTB-Signature": sign_webhook(lying, KEY)},
            timeout=5,
        )
        assert answer.status_code == 200
        assert got[-1].image_ticket == other.image_ticket and got[-1].status_id == 10
        assert not got[-1].final_images_url

        # A signed notification for an image the service does not know: no handler call.
        unknown = _body(ImageTicket=str(uuid.uuid4()))
        answer = requests.post(
            f"{base}/hooks/rtb",
            data=unknown,
            headers={"X-RTB-Signature": sign_webhook(unknown, KEY)},
            timeout=5,
        )
        assert answer.status_code == 202 and len(got) == 2


def test_the_receiver_asks_for_a_retry_when_it_cannot_confirm_or_the_handler_fails(
    sandbox: SandboxHandle,
) -> None:
    client = sandbox.pixelz_client()
    ticket = client.add_image_to_queue(
        template_id="1001", image_url="http://127.0.0.1:9/a.jpg"
    ).image_ticket
    body = _body(ImageTicket=str(ticket))
    headers = {"X-RTB-Signature": sign_webhook(body, KEY)}

    def broken(status: Any) -> None:
        raise RuntimeError("disk full")

    with serve(webhook_app(KEY, client, broken)) as base:
        assert requests.post(base, data=body, headers=headers, timeout=5).status_code == 500
    down = sandbox.pixelz_client()
    down_client = type(down)("demo@example.com", KEY, endpoint="http://127.0.0.1:9/soap.asmx")
    with serve(webhook_app(KEY, down_client, lambda s: None)) as base:
        assert requests.post(base, data=body, headers=headers, timeout=5).status_code == 503
    with serve(webhook_app(KEY, client, lambda s: None, max_body=10)) as base:
        assert requests.post(base, data=body, headers=headers, timeout=5).status_code == 413


def _photo() -> bytes:
    from removethebackground.sandbox.imaging import make_sample_product_photo

    return make_sample_product_photo(120, 90, seed=5)

"""Seed data: the demo account of the recorded traffic, and images put straight into a status.

The demo account ``demo@example.com`` / ``demo-key`` (contact 4242, "Demo User" of
"Example Inc."), its templates 1001 "Demo White Background" and 1002 "Web Shop
(square)" and its invoices (INV-2012-0001 as recorded, two older paid ones) are
created the first time a data directory is used (:func:`seed_demo_account`); a
restart keeps whatever the user changed since.

:func:`seed_image` is for fixtures and replays: an image of an existing account,
straight in any status (80: processed now, with real outputs).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .accounts import TEMPLATE_DEFAULTS
from .config import DEMO_API_KEY, DEMO_EMAIL
from .fetch import ImageFetcher
from .statuses import DELIVERED, FINISHED, IN_PRODUCTION, ON_HOLD, STATUS_NAMES
from .store import InvoiceRow, Store
from .worker import process_image

__all__ = ["DEMO_INVOICES", "DEMO_TEMPLATES", "seed_demo_account", "seed_image"]

DEMO_TEMPLATES: tuple[tuple[int, str, str, Mapping[str, Any]], ...] = (
    (
        1001,
        "Demo White Background",
        "2012-01-02 03:04:05",
        {"output_format": "JPG", "delivery_time_in_hours": 24, "is_kept_model": True},
    ),
    (
        1002,
        "Web Shop (square)",
        "2012-02-03 04:05:06",
        {
            "output_format": "PNG",
            "delivery_time_in_hours": 72,
            "resize_type": 1,
            "resize_width": 1000,
            "resize_height": 1000,
            "margin_type": 1,
            "margin_top": 5,
            "margin_bottom": 5,
            "margin_left": 5,
            "margin_right": 5,
            "shadow_type": 2,
            "is_kept_model": True,
        },
    ),
)
DEMO_INVOICES = (
    InvoiceRow("INV-2011-0042", DEMO_EMAIL, "2011-11-30 09:30:00", "40.00", True),
    InvoiceRow("INV-2011-0057", DEMO_EMAIL, "2011-12-31 18:00:00", "25.00", True),
    InvoiceRow("INV-2012-0001", DEMO_EMAIL, "2012-06-30 12:00:00", "12.50", False),
)


def seed_demo_account(store: Store) -> None:
    """Create the demo account (as in the traffic) the first time a data directory is used."""
    if store.get_meta("seeded") == "1":
        return
    if store.get_account(DEMO_EMAIL) is None:
        store.upsert_account(
            DEMO_EMAIL, DEMO_API_KEY, person="Demo User", company="Example Inc.", contact_id=4242
        )
    for template_id, name, created, spec in DEMO_TEMPLATES:
        if store.get_template(template_id) is None:
            store.add_template(
                DEMO_EMAIL, name, {**TEMPLATE_DEFAULTS, **spec}, created, template_id=template_id
            )
    store.replace_invoices(DEMO_EMAIL, DEMO_INVOICES)
    store.set_meta("seeded", "1")


def seed_image(
    store: Store,
    fetcher: ImageFetcher,
    out_dir: Path,
    now: float,
    email: str,
    *,
    ticket: str | None = None,
    status: int = DELIVERED,
    product_id: str | None = None,
    customer_image_id: str | None = None,
    image_url: str = "http://example.com/images/seed.jpg",
    held: bool = False,
    base_url: str = "http://127.0.0.1",
) -> str:
    """Insert an image of ``email`` (which must exist) in ``status``; returns its ticket.

    At 70 or 80 its outputs are made now, from ``image_url``; ``held`` (and status 50)
    keeps it where it is. The caller wakes the worker.
    """
    if status not in STATUS_NAMES:
        raise ValueError(f"unknown status {status}")
    account = store.get_account(email)
    if account is None:
        raise ValueError(f"no account {email!r}")
    ticket = str(uuid.UUID(ticket)) if ticket else str(uuid.uuid4())
    row = store.insert_image(
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
        now=now,
        held=held or status == ON_HOLD,
        job="queued" if status == IN_PRODUCTION else "none",
    )
    if status in (FINISHED, DELIVERED):
        outputs = process_image(row, fetcher, out_dir)
        store.update_image(ticket, outputs=outputs, job="done")
    return ticket

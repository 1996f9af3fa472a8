"""Names and URLs of what the sandbox serves besides the SOAP endpoints, declared once.

The worker writes the outputs under these names, the operations and the webhooks
put these URLs in their answers, and the app serves them (``GET /out/<name>``):

- ``<ticket>.png``: the first final image; ``<ticket>-2.png`` ... ``-5.png`` for
  imageURL2..5;
- ``<ticket>-thumb.png``: the thumbnail of the first one (all served as
  :data:`OUTPUT_CONTENT_TYPE`);
- ``/uploads/<token>/<name>``: an uploaded image (:mod:`.fetch` stores it);
- ``/pay/<invoice>`` and ``/invoices/<invoice>.pdf``: stand-ins for the payment
  page and the invoice PDF of ``GetInvoiceList``.

Every URL is built from the base URL the caller used (``http://host:port``).
"""

from __future__ import annotations

import re

__all__ = [
    "INVOICE_ID",
    "OUTPUT_CONTENT_TYPE",
    "OUTPUT_NAME",
    "invoice_url",
    "output_name",
    "output_url",
    "output_urls",
    "payment_url",
    "thumbnail_name",
    "thumbnail_url",
    "upload_url",
]

OUTPUT_NAME = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(-thumb|-[2-5])?\.png"
)
OUTPUT_CONTENT_TYPE = "image/png"
INVOICE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def output_name(ticket: str, index: int) -> str:
    """File name of the ``index``-th (1-based) final image of a ticket."""
    return f"{ticket}.png" if index == 1 else f"{ticket}-{index}.png"


def thumbnail_name(ticket: str) -> str:
    return f"{ticket}-thumb.png"


def output_url(base_url: str, name: str) -> str:
    return f"{base_url}/out/{name}"


def output_urls(base_url: str, ticket: str, count: int) -> list[str]:
    """The URLs of the ``count`` final images of a ticket."""
    return [output_url(base_url, output_name(ticket, i)) for i in range(1, count + 1)]


def thumbnail_url(base_url: str, ticket: str) -> str:
    return output_url(base_url, thumbnail_name(ticket))


def payment_url(base_url: str, invoice_id: str) -> str:
    return f"{base_url}/pay/{invoice_id}"


def invoice_url(base_url: str, invoice_id: str) -> str:
    return f"{base_url}/invoices/{invoice_id}.pdf"


def upload_url(base_url: str, token: str, name: str) -> str:
    return f"{base_url}/uploads/{token}/{name}"

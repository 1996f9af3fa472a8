"""Names and URLs of what the sandbox serves besides the SOAP endpoints, declared once.

The worker writes the outputs under these names, the operations and the webhooks
put these URLs in their answers, and the app serves them (``GET /out/<name>``):

- ``<ticket>.<ext>``: the first final image; ``<ticket>-2.<ext>`` ... ``-5.<ext>``
  for imageURL2..5, where ``<ext>`` is the template's output format (``jpg``, ``png``,
  ``tif``, ``psd``: ``imaging.OUTPUT_EXTENSIONS``; ``png`` without a template), served
  as :data:`OUTPUT_CONTENT_TYPES` says;
- ``<ticket>-thumb.png``: the PNG thumbnail of the first one, whatever its format
  (browsers show it);
- ``<ticket>-source.png``: a PNG thumbnail of the first source image as fetched (the
  "before" of the page at ``/``);
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
    "OUTPUT_CONTENT_TYPES",
    "OUTPUT_NAME",
    "invoice_url",
    "output_name",
    "output_url",
    "output_urls",
    "payment_url",
    "source_thumbnail_name",
    "thumbnail_name",
    "thumbnail_url",
    "upload_url",
]

OUTPUT_NAME = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"(?:-thumb\.png|-source\.png|(?:-[2-5])?\.(?:png|jpg|tif|psd))"
)
#: Content type of the thumbnails (and of a PNG output).
OUTPUT_CONTENT_TYPE = "image/png"
#: Content type of each output extension (``imaging.CONTENT_TYPES``).
OUTPUT_CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "tif": "image/tiff",
    "psd": "image/vnd.adobe.photoshop",
}
INVOICE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def output_name(ticket: str, index: int, extension: str = "png") -> str:
    """File name of the ``index``-th (1-based) final image of a ticket.

    ``extension`` is the template's output format (``jpg``, ``png``, ``tif``, ``psd``).
    """
    return f"{ticket}.{extension}" if index == 1 else f"{ticket}-{index}.{extension}"


def thumbnail_name(ticket: str) -> str:
    """The thumbnail is always a PNG (browsers show it), whatever the output format."""
    return f"{ticket}-thumb.png"


def source_thumbnail_name(ticket: str) -> str:
    """A PNG thumbnail of the first source image as fetched (the "before" of the page)."""
    return f"{ticket}-source.png"


def output_url(base_url: str, name: str) -> str:
    return f"{base_url}/out/{name}"


def output_urls(base_url: str, ticket: str, count: int, extension: str = "png") -> list[str]:
    """The URLs of the ``count`` final images of a ticket."""
    return [output_url(base_url, output_name(ticket, i, extension)) for i in range(1, count + 1)]


def thumbnail_url(base_url: str, ticket: str) -> str:
    return output_url(base_url, thumbnail_name(ticket))


def payment_url(base_url: str, invoice_id: str) -> str:
    return f"{base_url}/pay/{invoice_id}"


def invoice_url(base_url: str, invoice_id: str) -> str:
    return f"{base_url}/invoices/{invoice_id}.pdf"


def upload_url(base_url: str, token: str, name: str) -> str:
    return f"{base_url}/uploads/{token}/{name}"

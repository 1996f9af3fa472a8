"""Stand-ins for what ``GetInvoiceList`` links to: ``/pay/<id>`` and ``/invoices/<id>.pdf``.

The real service's payment page and invoice PDFs are not in the reference
material; the sandbox answers a plain HTML page (with a link back to ``returnUrl``
when it is an http(s) URL) and a one-page PDF naming the invoice.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from .outputs import INVOICE_ID
from .web import Request, Response, not_found, query_pairs

if TYPE_CHECKING:
    from .state import SandboxState

__all__ = ["invoice_pdf", "payment_page", "pdf"]


def payment_page(app: SandboxState, request: Request) -> Response:
    (invoice_id,) = request.args
    if not INVOICE_ID.fullmatch(invoice_id):
        return not_found()
    query = dict(query_pairs(request.query))
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


def invoice_pdf(app: SandboxState, request: Request) -> Response:
    (name,) = request.args
    if not name.endswith(".pdf") or not INVOICE_ID.fullmatch(name[:-4]):
        return not_found()
    return Response(200, pdf(f"Sandbox invoice {name[:-4]}"), "application/pdf")


def pdf(text: str) -> bytes:
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

"""The sandbox's root page (``GET /``): what a developer wants to see at a glance.

One server-rendered HTML page with inline CSS and no script, so it works offline and
in any browser: the service endpoints, then per account its templates and its newest
images (status, template, the "before" and "after" thumbnails side by side, the
delivered files), the webhook deliveries (state, attempts, the receiver's last answer,
the signed JSON body), every request received (the request log of :mod:`.requestlog`:
time, method, path and query, generation / binding / operation, account, HTTP status,
fault text, duration) and the image requests with their parameters, as the store
recorded them.

**Safety.** Every value from the store is HTML-escaped (text and attributes). Images
are shown only from the sandbox's own ``/out/`` files, by relative URL, and only when the
file exists, so the page never makes the browser fetch anything from elsewhere; the
``Content-Security-Policy`` header says the same (no script, images and styles from
the page itself). Credentials never appear: the store keeps no credential parameter in
its request records (``service._request_record`` drops :data:`~..wire.SECRET_PARAMS`
and the email; the request log masks them before it stores a row), and this page
masks them once more, as ``***``: any parameter or URL query parameter named in
:data:`~..wire.SECRET_PARAMS`, and any account's API key in any form
(:mod:`removethebackground.core.redaction`: as is, percent-encoded in either case,
``+`` for space, XML-escaped, as character references, base64 ...) found anywhere in
a shown value. API
keys themselves are never shown.

Each list shows the newest :data:`PAGE_LIMIT` entries.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Protocol
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..core.redaction import MASK, redact
from ..core.wire import SECRET_PARAMS
from .accounts import template_spec
from .clock import format_time
from .imaging import OutputSpec
from .outputs import output_name, source_thumbnail_name, thumbnail_name
from .statuses import DELIVERED, ON_HOLD, STATUS_NAMES
from .store import ImageFilter, ImageRow, RequestRow, Store, TemplateRow, WebhookRow
from .web import Request, Response

__all__ = ["CONTENT_TYPE", "HEADERS", "PAGE_LIMIT", "Masker", "PageSource", "index", "render_index"]

PAGE_LIMIT: Final[int] = 100
CONTENT_TYPE: Final[str] = "text/html; charset=utf-8"
HEADERS: Final[tuple[tuple[str, str], ...]] = (
    (
        "Content-Security-Policy",
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)

_STATUS_CLASS: Final[Mapping[int, str]] = {
    10: "new",
    ON_HOLD: "hold",
    60: "busy",
    70: "busy",
    DELIVERED: "done",
}

_CSS: Final[str] = """
:root { color-scheme: light; --line: #d8dce3; --muted: #5b6472; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1d2330; background: var(--bg); }
header { background: #1f2a44; color: #fff; padding: 14px 24px; }
header h1 { margin: 0 0 4px; font-size: 19px; }
header p { margin: 2px 0; color: #c9d2e3; }
header a { color: #fff; }
nav { padding: 8px 24px; background: #fff; border-bottom: 1px solid var(--line); }
nav a { margin-right: 16px; color: #2449a8; }
main { padding: 8px 24px 32px; }
h2 { font-size: 17px; margin: 24px 0 6px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
p.note { color: var(--muted); margin: 4px 0 10px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
         border-bottom: 1px solid var(--line); }
th { background: #eef1f5; font-weight: 600; white-space: nowrap; }
code, .mono { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
              overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
         font-weight: 600; white-space: nowrap; background: #e4e7ec; }
.badge.new { background: #e3ecff; color: #1f4bb3; }
.badge.busy { background: #fff1d6; color: #8a5a00; }
.badge.done { background: #dcf5e3; color: #146c2e; }
.badge.hold, .badge.failed { background: #fde2e1; color: #a1221b; }
.badge.pending { background: #fff1d6; color: #8a5a00; }
.badge.delivered { background: #dcf5e3; color: #146c2e; }
.pair { display: flex; gap: 10px; align-items: flex-start; }
figure { margin: 0; text-align: center; }
figcaption { font-size: 11px; color: var(--muted); }
.thumb { display: block; width: 128px; height: 128px; object-fit: contain;
         border: 1px solid var(--line); border-radius: 4px;
         background-color: #fff;
         background-image: linear-gradient(45deg, #e6e8ec 25%, transparent 25%),
           linear-gradient(-45deg, #e6e8ec 25%, transparent 25%),
           linear-gradient(45deg, transparent 75%, #e6e8ec 75%),
           linear-gradient(-45deg, transparent 75%, #e6e8ec 75%);
         background-size: 16px 16px;
         background-position: 0 0, 0 8px, 8px -8px, -8px 0; }
.empty { display: flex; width: 128px; height: 128px; align-items: center; justify-content: center;
         border: 1px dashed var(--line); border-radius: 4px; color: var(--muted); font-size: 12px;
         text-align: center; padding: 4px; }
.error { color: #a1221b; }
details summary { cursor: pointer; color: #2449a8; }
dl.params { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 0 10px; }
dl.params dt { color: var(--muted); }
dl.params dd { margin: 0; overflow-wrap: anywhere; }
"""


class Masker:
    """Hides credentials in text shown on the page (see the module docstring)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = tuple(s for s in secrets if s)

    def text(self, value: object) -> str:
        text = value if isinstance(value, str) else _plain(value)
        return redact(text, self._secrets)

    def url(self, value: object) -> str:
        """A URL with credential query parameters (and any secret) masked."""
        text = value if isinstance(value, str) else _plain(value)
        try:
            parts = urlsplit(text)
            pairs = parse_qsl(parts.query, keep_blank_values=True)
        except ValueError:
            return self.text(text)
        if any(name.lower() in SECRET_PARAMS for name, _ in pairs):
            masked = [(n, MASK if n.lower() in SECRET_PARAMS else v) for n, v in pairs]
            text = urlunsplit(parts._replace(query=urlencode(masked, safe="*")))
        return self.text(text)

    def params(self, record: Mapping[str, Any]) -> list[tuple[str, str]]:
        """A request record as (name, shown value) pairs, credentials masked."""
        shown = []
        for name, value in record.items():
            if str(name).lower() in SECRET_PARAMS:
                shown.append((str(name), MASK))
            elif "url" in str(name).lower():
                urls = value if isinstance(value, list) else [value]
                shown.append((str(name), ", ".join(self.url(u) for u in urls)))
            else:
                shown.append((str(name), self.text(value)))
        return shown


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _e(value: object) -> str:
    return html.escape(value if isinstance(value, str) else _plain(value), quote=True)


def _answer_text(status: object, error: object) -> str:
    if isinstance(status, int):
        answer = f"HTTP {status}"
        return answer if not error or error == answer else f"{answer} ({error})"
    return str(error or "no answer")


def _badge(text: str, kind: str) -> str:
    return f'<span class="badge {_e(kind)}">{_e(text)}</span>'


def _hex(colour: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{channel:02X}" for channel in colour)


def _describe_template(row: TemplateRow) -> str:
    spec = OutputSpec.from_template(template_spec(row))
    parts = [spec.output_format]
    if spec.transparent:
        parts.append("transparent")
    elif spec.background_type == 3 and spec.background_vertical_gradient_color is not None:
        parts.append("gradient from " + _hex(spec.background_color))
    else:
        parts.append("on " + _hex(spec.background_color))
    if spec.resize_type in (1, 2) and (spec.resize_width or spec.resize_height):
        unit = "%" if spec.resize_unit == 1 else " px"
        kind = "canvas" if spec.resize_type == 1 else "fit"
        parts.append(f"{kind} {spec.resize_width}x{spec.resize_height}{unit}")
    if spec.margin_type in (1, 2):
        unit = "%" if spec.margin_type == 1 else " px"
        margins = (spec.margin_top, spec.margin_right, spec.margin_bottom, spec.margin_left)
        parts.append("margins " + "/".join(str(m) for m in margins) + unit)
    if spec.resize_max_size:
        parts.append(f"max {spec.resize_max_size} px")
    if spec.resize_min_size:
        parts.append(f"min {spec.resize_min_size} px")
    return ", ".join(parts)


class _Page:
    def __init__(
        self, store: Store, *, base_url: str, endpoints: Sequence[tuple[str, str]], out_dir: Path
    ) -> None:
        self.store = store
        self.base_url = base_url
        self.endpoints = endpoints
        self.out_dir = out_dir
        self.accounts = store.list_accounts()
        self.mask = Masker(account.api_key for account in self.accounts)
        self.templates: dict[int, TemplateRow] = {}
        self.images: dict[str, list[ImageRow]] = {}
        for account in self.accounts:
            for template in store.list_templates(account.email):
                self.templates[template.id] = template
            self.images[account.email] = store.list_images(
                account.email, ImageFilter(sort_by="id", descending=True, limit=PAGE_LIMIT)
            )

    def _file(self, name: str) -> str | None:
        """Relative URL of an output file, if it exists."""
        return f"/out/{quote(name)}" if (self.out_dir / name).is_file() else None

    def _thumb(self, name: str, caption: str, missing: str) -> str:
        url = self._file(name)
        if url is None:
            return (
                f'<figure><div class="empty">{_e(missing)}</div>'
                f"<figcaption>{_e(caption)}</figcaption></figure>"
            )
        return (
            f'<figure><img class="thumb {_e(caption)}" src="{_e(url)}" alt="{_e(caption)}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>"
        )

    def render(self) -> str:
        body = [self._header(), self._nav(), "<main>"]
        body.append(self._images_section())
        body.append(self._webhooks_section())
        body.append(self._received_section())
        body.append(self._requests_section())
        body.append("</main>")
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="icon" href="data:,">'
            "<title>Remove The Background sandbox</title>"
            f"<style>{_CSS}</style></head><body>" + "".join(body) + "</body></html>"
        )

    def _header(self) -> str:
        lines = []
        for label, path in self.endpoints:
            url = self.base_url + path
            lines.append(
                f'<p>{_e(label)}: <a href="{_e(path)}">{_e(url)}</a> '
                f'(<a href="{_e(path)}?WSDL">WSDL</a>)</p>'
            )
        lines.append(
            f"<p>Uploads: <code>PUT {_e(self.base_url)}/uploads/&lt;name&gt;</code> with the "
            f"image bytes. Outputs: <code>{_e(self.base_url)}/out/&lt;ticket&gt;.&lt;ext&gt;"
            "</code>.</p>"
        )
        return "<header><h1>Remove The Background sandbox</h1>" + "".join(lines) + "</header>"

    def _nav(self) -> str:
        return (
            '<nav><a href="#images">Images</a><a href="#webhooks">Webhook deliveries</a>'
            '<a href="#received">Requests received</a><a href="#requests">Image requests</a>'
            '<a href="/">Reload</a></nav>'
        )

    # --- images ---------------------------------------------------------------------------

    def _images_section(self) -> str:
        out = ['<section id="images"><h2>Accounts and their images</h2>']
        for account in self.accounts:
            images = self.images[account.email]
            templates = [t for t in self.templates.values() if t.email == account.email]
            out.append(
                f'<h3 class="account">{_e(self.mask.text(account.email))}</h3>'
                f'<p class="note">Contact {_e(account.contact_id)}'
                f"{' &middot; ' + _e(self.mask.text(account.company)) if account.company else ''}"
                f" &middot; {len(images)} image(s) shown, newest first</p>"
            )
            if templates:
                rows = "".join(
                    f"<tr><td>{_e(t.id)}</td><td>{_e(self.mask.text(t.name))}</td>"
                    f"<td>{_e(_describe_template(t))}</td></tr>"
                    for t in templates
                )
                out.append(
                    '<details><summary>Templates</summary><table class="templates">'
                    "<tr><th>Id</th><th>Name</th><th>Output</th></tr>"
                    f"{rows}</table></details>"
                )
            if not images:
                out.append('<p class="note">No images yet.</p>')
                continue
            out.append(
                '<table class="images"><tr><th>Image</th><th>Status</th><th>Template</th>'
                "<th>Before / after</th><th>Delivered files</th></tr>"
            )
            out.extend(self._image_row(row) for row in images)
            out.append("</table>")
        out.append("</section>")
        return "".join(out)

    def _image_row(self, row: ImageRow) -> str:
        name = STATUS_NAMES.get(row.status, str(row.status))
        status = _badge(f"{row.status} {name}", _STATUS_CLASS.get(row.status, ""))
        if row.error:
            status += f'<div class="error">{_e(self.mask.text(row.error))}</div>'
        if row.rejections:
            status += (
                f"<div>rejected {row.rejections}x: {_e(self.mask.text(row.reject_comment))}</div>"
            )
        template = self.templates.get(row.template_id) if row.template_id is not None else None
        if template is not None:
            template_cell = (
                f"{_e(template.id)} {_e(self.mask.text(template.name))}"
                f'<div class="note">{_e(_describe_template(template))}</div>'
            )
        elif row.template_id is not None:
            template_cell = f"{_e(row.template_id)} (deleted)"
        else:
            template_cell = "none (transparent PNG)"
        delivered = row.status == DELIVERED
        before = self._thumb(source_thumbnail_name(row.ticket), "before", "not fetched yet")
        after = (
            self._thumb(thumbnail_name(row.ticket), "after", "not delivered")
            if delivered
            else f'<figure><div class="empty">{_e(name)}</div><figcaption>after</figcaption>'
            "</figure>"
        )
        files = []
        if delivered:
            for index in range(1, row.outputs + 1):
                file_name = output_name(row.ticket, index, row.output_ext)
                url = self._file(file_name)
                if url is not None:
                    files.append(f'<div><a href="{_e(url)}">{_e(file_name)}</a></div>')
        details = [
            ("ticket", row.ticket),
            ("operation", row.operation),
            ("received", format_time(row.created)),
            ("customerImageId", row.customer_image_id),
            ("productId", row.product_id),
        ]
        ident = "".join(
            f"<dt>{_e(k)}</dt><dd>{_e(self.mask.text(v))}</dd>" for k, v in details if v
        )
        sources = "".join(
            f"<dt>imageURL{'' if i == 1 else i}</dt><dd>{_e(self.mask.url(u))}</dd>"
            for i, u in enumerate(row.urls, 1)
        )
        return (
            f'<tr class="image" id="image-{_e(row.ticket)}">'
            f'<td><dl class="params mono">{ident}{sources}</dl></td>'
            f"<td>{status}</td><td>{template_cell}</td>"
            f'<td><div class="pair">{before}{after}</div></td>'
            f"<td>{''.join(files) or '&mdash;'}</td></tr>"
        )

    # --- webhooks ---------------------------------------------------------------------------

    def _webhooks_section(self) -> str:
        deliveries = self.store.list_webhooks()[-PAGE_LIMIT:][::-1]
        out = [
            '<section id="webhooks"><h2>Webhook deliveries</h2>'
            '<p class="note">POSTed when an image is delivered, signed with the account\'s API '
            "key (<code>X-RTB-Signature</code>); retried with backoff until a 2xx answer or "
            "the last attempt.</p>"
        ]
        if not deliveries:
            out.append('<p class="note">No deliveries yet.</p></section>')
            return "".join(out)
        out.append(
            '<table class="webhooks"><tr><th>#</th><th>Image</th><th>Receiver</th><th>State</th>'
            "<th>Attempts</th><th>Answers</th><th>Queued / finished</th><th>Body</th></tr>"
        )
        out.extend(self._webhook_row(row) for row in deliveries)
        out.append("</table></section>")
        return "".join(out)

    def _webhook_row(self, row: WebhookRow) -> str:
        answers = [
            (answer.get("attempt"), _answer_text(answer.get("status"), answer.get("error")))
            for answer in row.answers
        ]
        if not answers and row.attempts:  # a delivery recorded before answers were kept
            answers = [(row.attempts, _answer_text(row.last_status, row.last_error))]
        shown = "".join(
            f'<div class="answer">attempt {_e(n)}: {_e(self.mask.text(text))}</div>'
            for n, text in answers
        )
        retries = max(0, row.attempts - 1)
        attempts = str(row.attempts)
        if retries:
            attempts += f" ({retries} retr{'y' if retries == 1 else 'ies'})"
        finished = _e(format_time(row.finished)) if row.finished is not None else "&mdash;"
        try:
            body = json.dumps(json.loads(row.body), indent=2, sort_keys=True)
        except ValueError:
            body = row.body
        return (
            f'<tr class="webhook"><td>{_e(row.id)}</td>'
            f'<td class="mono">{_e(row.ticket)}</td>'
            f'<td class="mono">{_e(self.mask.url(row.url))}</td>'
            f"<td>{_badge(row.state, row.state)}</td><td>{_e(attempts)}</td>"
            f"<td>{shown or 'none yet'}</td>"
            f"<td>{_e(format_time(row.created))}<br>{finished}</td>"
            '<td><details><summary>JSON</summary><pre class="mono">'
            f"{_e(self.mask.text(body))}</pre></details></td></tr>"
        )

    # --- requests received --------------------------------------------------------------------

    def _received_section(self) -> str:
        rows = self.store.list_requests(PAGE_LIMIT)
        out = [
            '<section id="received"><h2>Requests received</h2>'
            '<p class="note">Every request the sandbox answered, newest first (not this page '
            "or its thumbnails), credentials shown as ***. Times on the sandbox clock.</p>"
        ]
        if not rows:
            out.append('<p class="note">No requests received yet.</p></section>')
            return "".join(out)
        out.append(
            '<table class="received"><tr><th>Time</th><th>Method</th><th>Path</th>'
            "<th>Call</th><th>Account</th><th>Answer</th><th>ms</th></tr>"
        )
        out.extend(self._received_row(row) for row in rows)
        out.append("</table></section>")
        return "".join(out)

    def _received_row(self, row: RequestRow) -> str:
        call = " / ".join(
            _e(self.mask.text(part))
            for part in (row.generation, row.binding, row.operation)
            if part
        )
        kind = "done" if 200 <= row.status < 400 else "failed"
        answer = _badge(str(row.status), kind)
        if row.fault:
            answer += f'<div class="error">{_e(self.mask.text(row.fault))}</div>'
        return (
            f'<tr class="received"><td>{_e(format_time(row.at))}</td>'
            f"<td>{_e(row.method)}</td>"
            f'<td class="mono">{_e(self.mask.url(row.path))}</td>'
            f"<td>{call or '&mdash;'}</td>"
            f"<td>{_e(self.mask.text(row.email)) if row.email else '&mdash;'}</td>"
            f"<td>{answer}</td><td>{row.duration_ms:.1f}</td></tr>"
        )

    # --- image requests -----------------------------------------------------------------------

    def _requests_section(self) -> str:
        rows = sorted(
            (row for images in self.images.values() for row in images),
            key=lambda row: (row.created, row.seq),
            reverse=True,
        )[:PAGE_LIMIT]
        out = [
            '<section id="requests"><h2>Image requests</h2>'
            '<p class="note">The image requests as the sandbox recorded them: the parameters '
            "sent, without the credentials (shown as ***).</p>"
        ]
        if not rows:
            out.append('<p class="note">No requests yet.</p></section>')
            return "".join(out)
        out.append(
            '<table class="requests"><tr><th>Received</th><th>Account</th><th>Operation</th>'
            "<th>Ticket</th><th>Parameters</th></tr>"
        )
        for row in rows:
            params = "".join(
                f"<dt>{_e(name)}</dt><dd>{_e(value)}</dd>"
                for name, value in self.mask.params(row.request)
            )
            out.append(
                f'<tr class="request"><td>{_e(format_time(row.created))}</td>'
                f"<td>{_e(self.mask.text(row.email))}</td><td>{_e(row.operation)}</td>"
                f'<td class="mono"><a href="#image-{_e(row.ticket)}">{_e(row.ticket)}</a></td>'
                f'<td><dl class="params mono">{params or "<dt>(none)</dt><dd></dd>"}</dl></td>'
                "</tr>"
            )
        out.append("</table></section>")
        return "".join(out)


def render_index(
    store: Store, *, base_url: str, endpoints: Sequence[tuple[str, str]], out_dir: Path
) -> bytes:
    """The root page as UTF-8 HTML (send it with :data:`CONTENT_TYPE` and :data:`HEADERS`).

    ``endpoints`` are ``(label, path)`` pairs; ``out_dir`` is where the outputs live (an
    image is shown only when its file is there).
    """
    page = _Page(store, base_url=base_url, endpoints=endpoints, out_dir=out_dir)
    return page.render().encode("utf-8")


class _Served(Protocol):
    """An endpoint the page lists (a :class:`~.responses.Endpoint`)."""

    @property
    def label(self) -> str: ...

    @property
    def path(self) -> str: ...


class PageSource(Protocol):
    """What the page reads of the sandbox (a :class:`~.app.SandboxApp`, which routes
    ``GET /`` here: the page does not import it)."""

    @property
    def store(self) -> Store: ...

    @property
    def out_dir(self) -> Path: ...

    @property
    def endpoints(self) -> Sequence[_Served]: ...


def index(app: PageSource, request: Request) -> Response:
    """The route of ``GET /``."""
    body = render_index(
        app.store,
        base_url=request.base_url,
        endpoints=[(endpoint.label, endpoint.path) for endpoint in app.endpoints],
        out_dir=app.out_dir,
    )
    return Response(200, body, CONTENT_TYPE, list(HEADERS))

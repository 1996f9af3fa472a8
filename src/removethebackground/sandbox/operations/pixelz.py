"""Generation 2 (Pixelz, ``/soap.asmx``): what its 16 operations do in the sandbox.

:data:`HANDLERS` maps each operation name of the WSDL to its handler (see
:mod:`.common` for the signature). Every handler first checks that each non-empty
parameter whose name ends in URL is an http(s) URL (``check_url_params``), then
reads and checks its own parameters, with fault texts chosen to match the recorded
traffic where it shows them ("imageURL is required", "imageTicket is not a valid
GUID: '...'", "Image not found") and the client's fault classes elsewhere.

Recorded behaviour (``asmx-traffic/``): the fields of templates and contact,
invoice URLs, ``IsPaid`` true once delivered, empty ``ThumbnailImageURL`` /
``FinalImagesURL`` until then, GetImagesList sorting and paging,
GetProductIdsList counting, DeleteImageFromQueue and RejectProcessedImage results,
productId ``hold`` (the image stays New, so it can always be deleted).

Reconstructed (not shown anywhere; chosen here and documented):

- defaults for empty parameters: GetImagesList page 1, 50 per page, sortBy date,
  isDescending true; GetProductIdsList page 1, 50 per page; GetInvoiceList 20 per
  page, newest first; AddTemplate as :data:`~..accounts.TEMPLATE_DEFAULTS`;
- AddStackImageToQueue refuses a part that arrives more than 5 minutes (sandbox
  clock) after the first part with the same productId;
- EditContact changes only the fields sent non-empty; the trial image count and
  days of credit do not change.
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import quote_plus

from ...core.wire import EMAIL_PARAMS, SECRET_PARAMS, WireModel
from ...generated import pixelz
from ..accounts import TEMPLATE_DEFAULTS, template_spec
from ..clock import format_time
from ..outputs import invoice_url, output_urls, payment_url, thumbnail_url
from ..statuses import DELIVERED, IN_PRODUCTION, NEW, STATUSES, status_name
from ..store import Account, ImageFilter, ImageRow, TemplateRow
from ..validation import DATETIME_FORMAT, Fault, Params, check_url_params, quoted
from .common import HOLD_PRODUCT_ID, Backend, Handler, OperationCall, find_image, template_of

__all__ = ["HANDLERS", "image_status"]

log = logging.getLogger("removethebackground.sandbox")

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50
INVOICES_PER_PAGE = 20
STACK_WINDOW_SECONDS = 300
OUTPUT_FORMATS = ("JPG", "JPEG", "TIF", "TIFF", "PNG", "PSD")
DELIVERY_HOURS = (24, 72, 168)
EXTRA_IMAGE_URLS = ("image_url2", "image_url3", "image_url4", "image_url5")
# Parameters never copied into the stored request record (credentials and keys).
_SECRET_NAMES = SECRET_PARAMS | EMAIL_PARAMS


def _day_start(day: datetime.date) -> float:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC).timestamp()


def _dotnet_url_encode(text: str) -> str:
    """Like ASP.NET's ``HttpUtility.UrlEncode``: lower-case escapes, ``+`` for spaces."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote_plus(text, safe=""))


def image_status(row: ImageRow, base_url: str) -> pixelz.ImageStatus:
    """A stored image as GetImageStatus and GetImagesList show it (URLs once delivered)."""
    delivered = row.status == DELIVERED
    return pixelz.ImageStatus(
        image_ticket=uuid.UUID(row.ticket),
        customer_image_id=row.customer_image_id,
        product_id=row.product_id,
        status_name=status_name(row.status),
        status_id=row.status,
        is_paid=delivered,
        thumbnail_image_url=thumbnail_url(base_url, row.ticket) if delivered else "",
        final_images_url=(
            list(output_urls(base_url, row.ticket, row.outputs, row.output_ext))
            if delivered
            else []
        ),
    )


# --- images -------------------------------------------------------------------------------


def add_image(backend: Backend, params: Params, account: Account, ctx: OperationCall) -> WireModel:
    op = params.op
    template: TemplateRow | None = None
    if params.has("template_id"):
        template = template_of(backend, account, params.required_integer("template_id", minimum=1))
    if params.has("application_code"):
        params.required_text("application_code")
    main_url = params.text("image_url")
    if not main_url:
        raise Fault(f"{params.name('image_url')} is required")
    urls = [main_url] + [
        params.text(attr) for attr in EXTRA_IMAGE_URLS if params.has(attr) and params.text(attr)
    ]
    now = backend.clock.now()
    record: dict[str, Any] = {}
    if params.has("image_requested_delivery_time_in_hours"):
        params.one_of("image_requested_delivery_time_in_hours", DELIVERY_HOURS)
    if params.has("image_deadline_date_time_utc"):
        deadline = params.date_time("image_deadline_date_time_utc")
        if deadline is not None:
            rule = params.rule("image_deadline_date_time_utc")  # the overlay's, if any
            hours = 24 if rule is None or rule.hours_ahead is None else rule.hours_ahead
            if deadline.timestamp() < now + hours * 3600:
                name = params.name("image_deadline_date_time_utc")
                text = params.text("image_deadline_date_time_utc")
                raise Fault(f"{name} must be at least {hours} hours ahead (UTC): {quoted(text)}")
            record["deadlineUTC"] = deadline.strftime(DATETIME_FORMAT)
    if params.has("colorway_ids"):
        for value in params.items("colorway_ids"):
            if not isinstance(value, int) or value < 0:
                raise Fault(f"{params.name('colorway_ids')} must contain numbers of at least 0")
    if params.has("color_change_requests"):
        check_color_changes(params)
    customer_image_id = params.optional_text("customer_image_id", max_length=100)
    product_id = params.optional_text("product_id", max_length=100)
    customer_folder = params.optional_text("customer_folder", max_length=255)
    if params.has("instruction"):
        params.optional_text("instruction", max_length=4000)
    if op.name == "AddStackImageToQueue" and product_id:
        first = backend.store.first_stack_part(account.email, product_id)
        if first is not None and now - first.created > STACK_WINDOW_SECONDS:
            raise Fault(
                f"{params.name('product_id')} {quoted(product_id)}: the parts of a stack "
                "must be added within 5 minutes of the first part"
            )
    callback = params.text("image_callback_url") if params.has("image_callback_url") else ""
    if not callback and template is not None:
        callback = str(template.spec.get("callback_url") or "")
    record.update(request_record(params))
    ticket = str(uuid.uuid4())
    backend.store.insert_image(
        ticket=ticket,
        email=account.email,
        operation=op.name,
        template_id=None if template is None else template.id,
        customer_image_id=customer_image_id,
        product_id=product_id,
        customer_folder=customer_folder,
        urls=urls,
        callback_url=callback or None,
        base_url=ctx.base_url,
        request=record,
        status=NEW,
        now=now,
        held=product_id == HOLD_PRODUCT_ID,
    )
    log.info("%s: image %s queued for %s", op.name, ticket, account.email)
    backend.wake()
    return pixelz.ImageTicketResponse(image_ticket=uuid.UUID(ticket))


def get_image_status(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    row = find_image(backend, params, account)
    return pixelz.ImageStatusResponse(image_status=image_status(row, ctx.base_url))


def delete_image(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    with backend.store.transaction():
        row = find_image(backend, params, account)
        if row.status >= IN_PRODUCTION:
            raise Fault(
                f"Image cannot be deleted: it is {status_name(row.status)} "
                f"(status {row.status}); images can be deleted only before production "
                "starts (status below 60)"
            )
        backend.store.delete_image(row.ticket)
    log.info("DeleteImageFromQueue: image %s deleted for %s", row.ticket, account.email)
    return pixelz.EmptyResponse()


def reject_image(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    comment = params.required_text("comment", max_length=4000)
    markup = params.text("markup_image_url") or None
    with backend.store.transaction():
        row = find_image(backend, params, account)
        if row.status != DELIVERED:
            raise Fault(
                f"Image cannot be rejected: it is {status_name(row.status)} "
                f"(status {row.status}); only delivered images (status 80) can be rejected"
            )
        backend.store.update_image(
            row.ticket,
            status=IN_PRODUCTION,
            status_since=backend.clock.now(),
            job="queued",
            outputs=0,
            error=None,
            rejections=row.rejections + 1,
            reject_comment=comment,
            markup_url=markup,
        )
    log.info("RejectProcessedImage: image %s back in production", row.ticket)
    backend.wake()
    return pixelz.EmptyResponse()


def get_images_list(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    page = params.integer("page", default=1, minimum=1)
    per_page = params.integer(
        "images_per_page", default=DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE
    )
    sort_by = params.word("sort_by", ("id", "date", "status"), default="date")
    descending = params.boolean("is_descending", default=True)
    status = params.one_of("image_status", STATUSES)
    exclude = params.one_of("exclude_image_status", STATUSES)
    product_id = params.optional_text("product_id", max_length=100)
    first_day = params.date("from_date")
    last_day = params.date("to_date")
    if first_day is not None and last_day is not None and first_day > last_day:
        raise Fault(f"{params.name('from_date')} must be on or before {params.name('to_date')}")
    assert page is not None and per_page is not None
    rows = backend.store.list_images(
        account.email,
        ImageFilter(
            status=status,
            exclude_status=exclude,
            product_id=product_id,
            created_from=None if first_day is None else _day_start(first_day),
            # The day after 9999-12-31 does not exist: that range has no upper end.
            created_before=(
                None
                if last_day is None or last_day == datetime.date.max
                else _day_start(last_day + datetime.timedelta(days=1))
            ),
            sort_by=sort_by,
            descending=descending,
            limit=per_page,
            offset=(page - 1) * per_page,
        ),
    )
    return pixelz.ImagesListResponse(images=[image_status(row, ctx.base_url) for row in rows])


def get_product_ids_list(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    page = params.integer("page", default=1, minimum=1)
    per_page = params.integer(
        "product_ids_per_page", default=DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE
    )
    assert page is not None and per_page is not None
    stats = backend.store.product_stats(account.email, limit=per_page, offset=(page - 1) * per_page)
    return pixelz.ProductIdsListResponse(
        product_ids=[
            pixelz.ProductIdStatistic(product_id=s.product_id, done_count=s.done, todo_count=s.todo)
            for s in stats
        ]
    )


# --- templates ------------------------------------------------------------------------------


def get_templates(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    items: list[pixelz.Template | None] = []
    for row in backend.store.list_templates(account.email):
        spec = template_spec(row)
        items.append(
            pixelz.Template(
                template_id=row.id,
                contact_id=account.contact_id,
                template_name=row.name,
                prices=[pixelz.Money(currency=account.currency)],
                is_combined_images=bool(spec["is_combined_images"]),
                template_label_id=0,
                is_recreate_detail=False,
                color_adjustment=False,
                color_adjustment_setting="",
                color_adjustment_comment="",
                color_matching=False,
                color_matching_setting="",
                output_format=str(spec["output_format"]),
                delivery_time_in_hours=int(spec["delivery_time_in_hours"]),
            )
        )
    return pixelz.TemplatesResponse(templates=items)


def get_template_spec(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    row = template_of(backend, account, params.required_integer("template_id", minimum=1))
    spec = template_spec(row)
    known = {f.attr for f in pixelz.TemplateSpec.__wire__.fields}
    return pixelz.TemplateSpecResponse(
        template=pixelz.TemplateSpec(
            id=row.id,
            name=row.name,
            price=pixelz.Money(currency=account.currency),
            created_date=row.created,
            modified_date=row.modified,
            is_deleted=False,
            **{k: v for k, v in spec.items() if k in known},
        )
    )


def add_template(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    name = params.required_text("template_name", max_length=100).strip()
    if not all(c.isalnum() or c in "()[] " for c in name):
        raise Fault(
            f"{params.name('template_name')} must be made of letters, digits, brackets "
            f"and spaces: {quoted(name)}"
        )
    spec: dict[str, Any] = dict(TEMPLATE_DEFAULTS)
    spec["output_format"] = params.word("template_output_format", OUTPUT_FORMATS, default="JPG")
    spec["delivery_time_in_hours"] = params.one_of(
        "delivery_time_in_hour", (168, 72, 24), default=72
    )
    spec["background_type"] = params.integer("background_type", default=1, minimum=0, maximum=9)
    spec["background_color"] = params.colour("background_color") or "#FFFFFF"
    spec["background_vertical_gradient_color"] = params.colour("background_vertical_gradient_color")
    for attr in (
        "resize_type",
        "resize_unit",
        "resize_height",
        "resize_width",
        "resize_min_size",
        "resize_max_size",
        "margin_type",
        "margin_top",
        "margin_bottom",
        "margin_left",
        "margin_right",
        "margin_vertical_alignment",
        "shadow_type",
    ):
        spec[attr] = params.integer(attr, default=0, minimum=0, maximum=100000)
    for attr in ("is_combined_images", "is_kept_mannequin", "is_kept_model"):
        spec[attr] = params.boolean(attr, default=False)
    spec["callback_url"] = params.text("callback_url")
    spec["comment"] = params.optional_text("comment", max_length=1000) or ""
    template_id = backend.store.add_template(
        account.email, name, spec, format_time(backend.clock.now())
    )
    log.info("AddTemplate: template %d created for %s", template_id, account.email)
    return pixelz.TemplateIdResponse(template_id=template_id)


# --- account --------------------------------------------------------------------------------


def get_contact(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    return pixelz.ContactDetailedResponse(
        contact=pixelz.Contact(
            contact_person=account.person,
            contact_company=account.company,
            contact_email=account.email,
            contact_days_of_credit=account.days_of_credit,
            contact_account_balance=pixelz.Money(currency=account.currency),
            number_of_trial_images=account.trial_images,
        )
    )


def edit_contact(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    details: dict[str, str] = {}
    params.email("billing_email")
    params.integer("timezone_index", minimum=0, maximum=200)
    params.boolean("is_received_newslater", default=False)
    for f in params.op.params:
        if f.name.lower() in _SECRET_NAMES or f.attr in ("contact_name", "contact_company"):
            continue
        value = params.optional_text(f.attr, max_length=255)
        if value is not None:
            details[f.name] = value
    backend.store.update_contact(
        account.email,
        person=params.optional_text("contact_name", max_length=100),
        company=params.optional_text("contact_company", max_length=100),
        details=details,
    )
    log.info("EditContact: contact details of %s changed", account.email)
    return pixelz.EmptyResponse()


def get_invoice_list(
    backend: Backend, params: Params, account: Account, ctx: OperationCall
) -> WireModel:
    first_day = params.date("from_date")
    last_day = params.date("to_date")
    if first_day is not None and last_day is not None and first_day > last_day:
        raise Fault(f"{params.name('from_date')} must be on or before {params.name('to_date')}")
    page = params.integer("page", default=1, minimum=1)
    assert page is not None
    return_url = params.text("return_url")
    rows = backend.store.list_invoices(
        account.email,
        created_from=None if first_day is None else f"{first_day.isoformat()} 00:00:00",
        created_before=(
            None
            if last_day is None or last_day == datetime.date.max  # no day after it
            else f"{(last_day + datetime.timedelta(days=1)).isoformat()} 00:00:00"
        ),
        limit=INVOICES_PER_PAGE,
        offset=(page - 1) * INVOICES_PER_PAGE,
    )
    suffix = f"?returnUrl={_dotnet_url_encode(return_url)}" if return_url else ""
    return pixelz.InvoiceListResponse(
        invoices=[
            pixelz.Invoice(
                invoice_id=row.id,
                created_date=row.created,
                amount_due=row.amount,
                is_paid=row.paid,
                payment_url=payment_url(ctx.base_url, row.id) + suffix,
                invoice_url=invoice_url(ctx.base_url, row.id),
            )
            for row in rows
        ]
    )


def check_color_changes(params: Params) -> None:
    where = params.name("color_change_requests")
    for request in params.items("color_change_requests"):
        if not isinstance(request, pixelz.ColorChangeRequest):
            raise Fault(f"{where} must be a list without nil items")
        for marker in request.color_change_request_markers or []:
            if marker is None:
                raise Fault(f"{where}: colorChangeRequestMarkers must be a list without nil items")
            for label, value in (("markerX", marker.marker_x), ("markerY", marker.marker_y)):
                if value is None or value.strip() == "":
                    continue
                try:
                    number = float(value)
                except ValueError:
                    number = -1.0
                if not 0.0 <= number <= 1.0:
                    raise Fault(f"{label} must be a number between 0 and 1: {quoted(value)}")
            code = (marker.swatch_color_code or "").strip()
            if code and not re.fullmatch(r"#[0-9A-Fa-f]{6}", code):
                raise Fault(f"swatchColorCode is not a valid colour (#RRGGBB): {quoted(code)}")


def request_record(params: Params) -> dict[str, Any]:
    """The plain parameters of an image request, by XML name, for the record (no secrets)."""
    record: dict[str, Any] = {}
    for f in params.op.params:
        if f.name.lower() in _SECRET_NAMES or f.model is not None:
            continue
        value = params.values.get(f.attr)
        if value is None or value == "" or value == []:
            continue
        if f.item is not None and f.item.model is not None:
            continue
        record.setdefault(f.name, value)
    return record


def _urls_checked(handler: Handler) -> Handler:
    """``handler``, after the URL check every Pixelz operation makes on its parameters."""

    @functools.wraps(handler)
    def checked(
        backend: Backend, params: Params, account: Account, ctx: OperationCall
    ) -> WireModel:
        check_url_params(params.op, params.values)
        return handler(backend, params, account, ctx)

    return checked


HANDLERS: Mapping[str, Handler] = MappingProxyType(
    {
        name: _urls_checked(handler)
        for name, handler in {
            "AddImageToQueue": add_image,
            "AddImageWithInstructionToQueue": add_image,
            "AddPartnerImageToQueue": add_image,
            "AddStackImageToQueue": add_image,
            "WhiteGloveService": add_image,
            "DeleteImageFromQueue": delete_image,
            "GetImageStatus": get_image_status,
            "GetImagesList": get_images_list,
            "GetProductIdsList": get_product_ids_list,
            "RejectProcessedImage": reject_image,
            "GetTemplates": get_templates,
            "GetTemplateSpec": get_template_spec,
            "AddTemplate": add_template,
            "GetInvoiceList": get_invoice_list,
            "GetContactDetailed": get_contact,
            "EditContact": edit_contact,
        }.items()
    }
)

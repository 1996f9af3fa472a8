"""What the operations of both generations do in the sandbox.

Each handler takes the parsed parameters (keyed by the generated attribute names)
and returns an instance of the operation's generated result type; the protocol
layer turns that into XML for whichever binding was used. Deliberate errors raise
:class:`~.validation.Fault` (a ``soap:Client`` fault, or the text/plain error of the
HTTP bindings) with texts chosen to match the recorded traffic where it shows them
("Invalid contact credentials", "imageURL is required", "imageTicket is not a
valid GUID: '...'", "Image not found") and the client's fault classes elsewhere.

Recorded behaviour (``asmx-traffic/``): the demo account and its contact details,
templates 1001/1002 and their fields, invoice INV-2012-0001 and its URLs, status
names New / In Production / Delivered, ``IsPaid`` true once delivered, empty
``ThumbnailImageURL``/``FinalImagesURL`` until then, GetImagesList sorting and
paging, GetProductIdsList counting, DeleteImageFromQueue and RejectProcessedImage
results, the simulated server errors (productId ``server-error``, ticket
``00000000-0000-0000-0000-000000000500``) and productId ``hold`` (the image stays
New, so it can always be deleted).

Reconstructed (not shown anywhere; chosen here and documented):

- status 70 is named "Production Finished" (service.md's name), and 50 "On Hold" is
  a sandbox status for an image whose source could not be fetched or decoded: it
  stays there, with no output URLs, and can be deleted;
- generation 1 status ids: 10 -> 1 "Queued" and 80 -> 4 "Completed" are recorded;
  60 -> 2 "Processing", 70 -> 3 "Quality Control" and 50 -> 5 "On Hold" are
  reconstructions;
- defaults for empty parameters: GetImagesList page 1, 50 per page, sortBy date,
  isDescending true; GetProductIdsList page 1, 50 per page; GetInvoiceList 20 per
  page, newest first; AddTemplate output JPG, 72 hours, background type 1 on
  #FFFFFF, every number 0, every flag false;
- AddStackImageToQueue refuses a part that arrives more than 5 minutes (sandbox
  clock) after the first part with the same productId;
- EditContact changes only the fields sent non-empty; the trial image count and
  days of credit do not change.
"""

from __future__ import annotations

import datetime
import hmac
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from ..generated import legacy, pixelz
from ..wire import EMAIL_PARAMS, SECRET_PARAMS, Operation, Service, WireModel
from .clock import SandboxClock
from .config import DEMO_API_KEY, DEMO_EMAIL, SandboxConfig
from .store import Account, ImageFilter, ImageRow, InvoiceRow, Store, TemplateRow
from .validation import (
    DATETIME_FORMAT,
    Fault,
    Params,
    SimulatedServerError,
    check_url_params,
    quoted,
)

__all__ = [
    "HOLD_PRODUCT_ID",
    "LEGACY_STATUS",
    "SERVER_ERROR_PRODUCT_ID",
    "SERVER_ERROR_TICKET",
    "STATUS_NAMES",
    "CallContext",
    "SandboxService",
    "ensure_account",
    "format_time",
    "output_name",
    "output_urls",
    "seed_demo_account",
    "thumbnail_name",
]

log = logging.getLogger("removethebackground.sandbox")

NEW, ON_HOLD, IN_PRODUCTION, FINISHED, DELIVERED = 10, 50, 60, 70, 80
STATUS_NAMES = {
    NEW: "New",
    ON_HOLD: "On Hold",
    IN_PRODUCTION: "In Production",
    FINISHED: "Production Finished",
    DELIVERED: "Delivered",
}
LEGACY_STATUS = {
    NEW: (1, "Queued"),
    IN_PRODUCTION: (2, "Processing"),
    FINISHED: (3, "Quality Control"),
    DELIVERED: (4, "Completed"),
    ON_HOLD: (5, "On Hold"),
}
SERVER_ERROR_PRODUCT_ID = "server-error"
SERVER_ERROR_TICKET = "00000000-0000-0000-0000-000000000500"
HOLD_PRODUCT_ID = "hold"
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50
INVOICES_PER_PAGE = 20
STACK_WINDOW_SECONDS = 300
OUTPUT_FORMATS = ("JPG", "JPEG", "TIF", "TIFF", "PNG", "PSD")
DELIVERY_HOURS = (24, 72, 168)
EXTRA_IMAGE_URLS = ("image_url2", "image_url3", "image_url4", "image_url5")
# Parameters never copied into the stored request record (credentials and keys).
_SECRET_NAMES = SECRET_PARAMS | EMAIL_PARAMS

Handler = Callable[[Params, Account, "CallContext"], WireModel]


@dataclass(frozen=True, slots=True)
class CallContext:
    """Per-request facts: the base URL the caller used (``http://host:port``)."""

    base_url: str


# --- names and URLs of the outputs ----------------------------------------------------------


def output_name(ticket: str, index: int) -> str:
    """File name of the ``index``-th (1-based) final image of a ticket."""
    return f"{ticket}.png" if index == 1 else f"{ticket}-{index}.png"


def thumbnail_name(ticket: str) -> str:
    return f"{ticket}-thumb.png"


def output_urls(base_url: str, ticket: str, count: int) -> list[str]:
    return [f"{base_url}/out/{output_name(ticket, i)}" for i in range(1, count + 1)]


def format_time(timestamp: float) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in UTC."""
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime(DATETIME_FORMAT)


def _day_start(day: datetime.date) -> float:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC).timestamp()


def _dotnet_url_encode(text: str) -> str:
    """Like ASP.NET's ``HttpUtility.UrlEncode``: lower-case escapes, ``+`` for spaces."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote_plus(text, safe=""))


# --- seeding ----------------------------------------------------------------------------------

_SPEC_DEFAULTS: dict[str, Any] = {
    "output_format": "JPG",
    "delivery_time_in_hours": 72,
    "background_type": 1,
    "background_color": "#FFFFFF",
    "background_vertical_gradient_color": "",
    "resize_type": 0,
    "resize_unit": 0,
    "resize_width": 0,
    "resize_height": 0,
    "resize_max_size": 0,
    "resize_min_size": 0,
    "margin_type": 0,
    "margin_top": 0,
    "margin_bottom": 0,
    "margin_left": 0,
    "margin_right": 0,
    "margin_vertical_alignment": 0,
    "shadow_type": 0,
    "is_combined_images": False,
    "callback_url": "",
    "comment": "",
    "is_kept_mannequin": False,
    "is_kept_model": False,
}
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
                DEMO_EMAIL, name, {**_SPEC_DEFAULTS, **spec}, created, template_id=template_id
            )
    store.replace_invoices(DEMO_EMAIL, DEMO_INVOICES)
    store.set_meta("seeded", "1")


def ensure_account(store: Store, email: str, api_key: str, now: float) -> Account:
    """Create (or re-key) an account from ``--account``; a new one gets one template."""
    account = store.upsert_account(email, api_key, person=email.split("@", 1)[0])
    if not store.list_templates(account.email):
        store.add_template(
            account.email,
            "White Background",
            {**_SPEC_DEFAULTS, "delivery_time_in_hours": 24},
            format_time(now),
        )
    return account


# --- the service ----------------------------------------------------------------------------------


class SandboxService:
    """The behaviour of every operation of both generations, over one :class:`Store`."""

    def __init__(
        self,
        store: Store,
        clock: SandboxClock,
        config: SandboxConfig,
        *,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self._wake = wake
        self._pixelz: dict[str, Handler] = {
            "AddImageToQueue": self._add_image,
            "AddImageWithInstructionToQueue": self._add_image,
            "AddPartnerImageToQueue": self._add_image,
            "AddStackImageToQueue": self._add_image,
            "WhiteGloveService": self._add_image,
            "DeleteImageFromQueue": self._delete_image,
            "GetImageStatus": self._get_image_status,
            "GetImagesList": self._get_images_list,
            "GetProductIdsList": self._get_product_ids_list,
            "RejectProcessedImage": self._reject_image,
            "GetTemplates": self._get_templates,
            "GetTemplateSpec": self._get_template_spec,
            "AddTemplate": self._add_template,
            "GetInvoiceList": self._get_invoice_list,
            "GetContactDetailed": self._get_contact,
            "EditContact": self._edit_contact,
        }
        self._legacy: dict[str, Handler] = {"getImageStatus": self._legacy_image_status}

    def handlers(self, service: Service) -> Mapping[str, Handler]:
        if service is pixelz.SERVICE:
            return self._pixelz
        if service is legacy.SERVICE:
            return self._legacy
        return {}

    def unimplemented(self, service: Service) -> list[str]:
        """Operations of ``service`` the sandbox has no behaviour for (should be none)."""
        known = self.handlers(service)
        return sorted(name for name in service.operations if name not in known)

    def call(
        self, service: Service, op: Operation[Any], values: Mapping[str, Any], ctx: CallContext
    ) -> WireModel:
        handler = self.handlers(service).get(op.name)
        if handler is None:
            raise NotImplementedError(f"the sandbox does not implement {op.name}")
        params = Params(op, values)
        account = self._authenticate(op, params)
        _simulate_failures(params)
        if service is pixelz.SERVICE:
            check_url_params(op, values)
        return handler(params, account, ctx)

    # --- common ----------------------------------------------------------------------------

    def _authenticate(self, op: Operation[Any], params: Params) -> Account:
        by_name = {f.name: f.attr for f in op.params}
        email_attr = by_name.get(op.credential_params[0], "contact_email")
        key_attr = by_name.get(op.credential_params[1], "contact_api_key")
        email = params.text(email_attr)
        key = params.raw(key_attr) or ""
        account = self.store.get_account(email) if email else None
        if (
            account is None
            or not key
            or not hmac.compare_digest(account.api_key.encode("utf-8"), key.encode("utf-8"))
        ):
            log.info("%s: refused credentials for %r", op.name, email[:100])
            raise Fault("Invalid contact credentials")
        return account

    def image_status(self, row: ImageRow, base_url: str) -> pixelz.ImageStatus:
        delivered = row.status == DELIVERED
        return pixelz.ImageStatus(
            image_ticket=uuid.UUID(row.ticket),
            customer_image_id=row.customer_image_id,
            product_id=row.product_id,
            status_name=STATUS_NAMES.get(row.status, str(row.status)),
            status_id=row.status,
            is_paid=delivered,
            thumbnail_image_url=(
                f"{base_url}/out/{thumbnail_name(row.ticket)}" if delivered else ""
            ),
            final_images_url=(
                list(output_urls(base_url, row.ticket, row.outputs)) if delivered else []
            ),
        )

    def _find_image(self, params: Params, account: Account) -> ImageRow:
        ticket_text = params.text("image_ticket")
        if ticket_text and ticket_text.lower() != "nonticket":
            ticket = params.guid("image_ticket")
            row = self.store.get_image(ticket)
            if row is None or row.email != account.email:
                raise Fault("Image not found")
            return row
        customer_id = params.raw("customer_image_id") if params.has("customer_image_id") else None
        if customer_id:
            found = self.store.find_image_by_customer_id(account.email, customer_id)
            if found is None:
                raise Fault("Image not found")
            return found
        names = params.name("image_ticket")
        if params.has("customer_image_id"):
            names += f" or {params.name('customer_image_id')}"
        raise Fault(f"{names} is required")

    def _template_of(self, account: Account, template_id: int) -> TemplateRow:
        template = self.store.get_template(template_id)
        if template is None or template.email != account.email:
            raise Fault(f"Template {template_id} not found")
        return template

    # --- images -------------------------------------------------------------------------------

    def _add_image(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
        op = params.op
        template: TemplateRow | None = None
        if params.has("template_id"):
            template = self._template_of(account, params.required_integer("template_id", minimum=1))
        if params.has("application_code"):
            params.required_text("application_code")
        main_url = params.text("image_url")
        if not main_url:
            raise Fault(f"{params.name('image_url')} is required")
        urls = [main_url] + [
            params.text(attr) for attr in EXTRA_IMAGE_URLS if params.has(attr) and params.text(attr)
        ]
        now = self.clock.now()
        record: dict[str, Any] = {}
        if params.has("image_requested_delivery_time_in_hours"):
            params.one_of("image_requested_delivery_time_in_hours", DELIVERY_HOURS)
        if params.has("image_deadline_date_time_utc"):
            deadline = params.date_time("image_deadline_date_time_utc")
            if deadline is not None:
                if deadline.timestamp() < now + 24 * 3600:
                    name = params.name("image_deadline_date_time_utc")
                    text = params.text("image_deadline_date_time_utc")
                    raise Fault(f"{name} must be at least 24 hours ahead (UTC): {quoted(text)}")
                record["deadlineUTC"] = deadline.strftime(DATETIME_FORMAT)
        if params.has("colorway_ids"):
            for value in params.items("colorway_ids"):
                if not isinstance(value, int) or value < 0:
                    raise Fault(f"{params.name('colorway_ids')} must contain numbers of at least 0")
        if params.has("color_change_requests"):
            _check_color_changes(params)
        customer_image_id = params.optional_text("customer_image_id", max_length=100)
        product_id = params.optional_text("product_id", max_length=100)
        customer_folder = params.optional_text("customer_folder", max_length=255)
        if params.has("instruction"):
            params.optional_text("instruction", max_length=4000)
        if op.name == "AddStackImageToQueue" and product_id:
            first = self.store.first_stack_part(account.email, product_id)
            if first is not None and now - first.created > STACK_WINDOW_SECONDS:
                raise Fault(
                    f"{params.name('product_id')} {quoted(product_id)}: the parts of a stack "
                    "must be added within 5 minutes of the first part"
                )
        callback = params.text("image_callback_url") if params.has("image_callback_url") else ""
        if not callback and template is not None:
            callback = str(template.spec.get("callback_url") or "")
        record.update(_request_record(params))
        ticket = str(uuid.uuid4())
        self.store.insert_image(
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
        self._wake()
        return pixelz.ImageTicketResponse(image_ticket=uuid.UUID(ticket))

    def _get_image_status(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
        row = self._find_image(params, account)
        return pixelz.ImageStatusResponse(image_status=self.image_status(row, ctx.base_url))

    def _delete_image(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
        with self.store.transaction():
            row = self._find_image(params, account)
            if row.status >= IN_PRODUCTION:
                raise Fault(
                    f"Image cannot be deleted: it is {STATUS_NAMES.get(row.status, row.status)} "
                    f"(status {row.status}); images can be deleted only before production "
                    "starts (status below 60)"
                )
            self.store.delete_image(row.ticket)
        log.info("DeleteImageFromQueue: image %s deleted for %s", row.ticket, account.email)
        return pixelz.EmptyResponse()

    def _reject_image(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
        comment = params.required_text("comment", max_length=4000)
        markup = params.text("markup_image_url") or None
        with self.store.transaction():
            row = self._find_image(params, account)
            if row.status != DELIVERED:
                raise Fault(
                    f"Image cannot be rejected: it is {STATUS_NAMES.get(row.status, row.status)} "
                    f"(status {row.status}); only delivered images (status 80) can be rejected"
                )
            self.store.update_image(
                row.ticket,
                status=IN_PRODUCTION,
                status_since=self.clock.now(),
                job="queued",
                outputs=0,
                error=None,
                rejections=row.rejections + 1,
                reject_comment=comment,
                markup_url=markup,
            )
        log.info("RejectProcessedImage: image %s back in production", row.ticket)
        self._wake()
        return pixelz.EmptyResponse()

    def _get_images_list(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
        page = params.integer("page", default=1, minimum=1)
        per_page = params.integer(
            "images_per_page", default=DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE
        )
        sort_by = params.word("sort_by", ("id", "date", "status"), default="date")
        descending = params.boolean("is_descending", default=True)
        statuses = tuple(STATUS_NAMES)
        status = params.one_of("image_status", statuses)
        exclude = params.one_of("exclude_image_status", statuses)
        product_id = params.optional_text("product_id", max_length=100)
        first_day = params.date("from_date")
        last_day = params.date("to_date")
        if first_day is not None and last_day is not None and first_day > last_day:
            raise Fault(f"{params.name('from_date')} must be on or before {params.name('to_date')}")
        assert page is not None and per_page is not None
        rows = self.store.list_images(
            account.email,
            ImageFilter(
                status=status,
                exclude_status=exclude,
                product_id=product_id,
                created_from=None if first_day is None else _day_start(first_day),
                created_before=(
                    None if last_day is None else _day_start(last_day + datetime.timedelta(days=1))
                ),
                sort_by=sort_by,
                descending=descending,
                limit=per_page,
                offset=(page - 1) * per_page,
            ),
        )
        return pixelz.ImagesListResponse(
            images=[self.image_status(row, ctx.base_url) for row in rows]
        )

    def _get_product_ids_list(
        self, params: Params, account: Account, ctx: CallContext
    ) -> WireModel:
        page = params.integer("page", default=1, minimum=1)
        per_page = params.integer(
            "product_ids_per_page", default=DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE
        )
        assert page is not None and per_page is not None
        stats = self.store.product_stats(
            account.email, limit=per_page, offset=(page - 1) * per_page
        )
        return pixelz.ProductIdsListResponse(
            product_ids=[
                pixelz.ProductIdStatistic(
                    product_id=s.product_id, done_count=s.done, todo_count=s.todo
                )
                for s in stats
            ]
        )

    # --- templates ------------------------------------------------------------------------------

    def _get_templates(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
        items: list[pixelz.Template | None] = []
        for row in self.store.list_templates(account.email):
            spec = {**_SPEC_DEFAULTS, **row.spec}
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

    def _get_template_spec(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
        row = self._template_of(account, params.required_integer("template_id", minimum=1))
        spec = {**_SPEC_DEFAULTS, **row.spec}
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

    def _add_template(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
        name = params.required_text("template_name", max_length=100).strip()
        if not all(c.isalnum() or c in "()[] " for c in name):
            raise Fault(
                f"{params.name('template_name')} must be made of letters, digits, brackets "
                f"and spaces: {quoted(name)}"
            )
        spec: dict[str, Any] = dict(_SPEC_DEFAULTS)
        spec["output_format"] = params.word("template_output_format", OUTPUT_FORMATS, default="JPG")
        spec["delivery_time_in_hours"] = params.one_of(
            "delivery_time_in_hour", (168, 72, 24), default=72
        )
        spec["background_type"] = params.integer("background_type", default=1, minimum=0, maximum=9)
        spec["background_color"] = params.colour("background_color") or "#FFFFFF"
        spec["background_vertical_gradient_color"] = params.colour(
            "background_vertical_gradient_color"
        )
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
        template_id = self.store.add_template(
            account.email, name, spec, format_time(self.clock.now())
        )
        log.info("AddTemplate: template %d created for %s", template_id, account.email)
        return pixelz.TemplateIdResponse(template_id=template_id)

    # --- account --------------------------------------------------------------------------------

    def _get_contact(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
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

    def _edit_contact(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
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
        self.store.update_contact(
            account.email,
            person=params.optional_text("contact_name", max_length=100),
            company=params.optional_text("contact_company", max_length=100),
            details=details,
        )
        log.info("EditContact: contact details of %s changed", account.email)
        return pixelz.EmptyResponse()

    def _get_invoice_list(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
        first_day = params.date("from_date")
        last_day = params.date("to_date")
        if first_day is not None and last_day is not None and first_day > last_day:
            raise Fault(f"{params.name('from_date')} must be on or before {params.name('to_date')}")
        page = params.integer("page", default=1, minimum=1)
        assert page is not None
        return_url = params.text("return_url")
        rows = self.store.list_invoices(
            account.email,
            created_from=None if first_day is None else f"{first_day.isoformat()} 00:00:00",
            created_before=(
                None
                if last_day is None
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
                    payment_url=f"{ctx.base_url}/pay/{row.id}{suffix}",
                    invoice_url=f"{ctx.base_url}/invoices/{row.id}.pdf",
                )
                for row in rows
            ]
        )

    # --- generation 1 -----------------------------------------------------------------------------

    def _legacy_image_status(self, params: Params, account: Account, ctx: CallContext) -> WireModel:
        ticket = params.guid("image_ticket")
        row = self.store.get_image(ticket)
        if row is None or row.email != account.email:
            raise Fault("Image not found")
        status_id, status_name = LEGACY_STATUS.get(row.status, (0, "Unknown"))
        final = (
            output_urls(ctx.base_url, row.ticket, 1)[0]
            if row.status == DELIVERED and row.outputs
            else ""
        )
        return legacy.ImageStatusResponse(
            image_status=legacy.ImageStatus(
                image_ticket=uuid.UUID(row.ticket),
                status_name=status_name,
                status_id=status_id,
                final_image_url=final,
            )
        )


def _simulate_failures(params: Params) -> None:
    """The recorded test hooks: an "unhandled" error for a magic productId or ticket."""
    if params.has("product_id") and params.text("product_id") == SERVER_ERROR_PRODUCT_ID:
        raise SimulatedServerError(
            f"Simulated unhandled server error for productId '{SERVER_ERROR_PRODUCT_ID}'"
        )
    if params.has("image_ticket") and params.text("image_ticket").lower() == SERVER_ERROR_TICKET:
        raise SimulatedServerError(
            f"Simulated unhandled server error for ticket {SERVER_ERROR_TICKET}"
        )


def _check_color_changes(params: Params) -> None:
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


def _request_record(params: Params) -> dict[str, Any]:
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

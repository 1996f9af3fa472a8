"""One call of every Pixelz operation against the sandbox, checked against its store
(shared by the binding round-trip tests and the strict-mode tests)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from removethebackground import Binding, InvalidStateError, PixelzClient
from removethebackground.generated import pixelz
from removethebackground.testing.sandbox import SandboxHandle

EXAMPLE = "http://example.com/images/shoe.jpg"


def _queue(c: PixelzClient, sb: SandboxHandle, **kw: Any) -> str:
    """Queue an image over SOAP 1.1 (offered by every add operation)."""
    soap = c.with_binding(Binding.SOAP11)
    kw.setdefault("template_id", "1001")
    kw.setdefault("image_url", EXAMPLE)
    return str(soap.add_image_to_queue(**kw).image_ticket)


def add_image_to_queue(c: PixelzClient, sb: SandboxHandle) -> None:
    result = c.add_image_to_queue(
        template_id="1001",
        image_url=EXAMPLE,
        image_url2="http://example.com/images/shoe-2.jpg",
        additional_resource_file_urls=["http://example.com/res/1.pdf"],
        colorway_ids=[7, 8],
        color_change_requests=[
            pixelz.ColorChangeRequest(
                color_change_request_markers=[
                    pixelz.MarkerInfo(
                        swatch_image_url="http://example.com/swatch.jpg",
                        swatch_color_code="#FF0000",
                        marker_x="0.25",
                        marker_y="0.75",
                    )
                ],
                customer_image_color_id="red",
                output_file_name="shoe-red.jpg",
            )
        ],
        customer_image_id="cust-1",
        product_id="prod-1",
    )
    row = sb.image(result.image_ticket)
    assert row is not None and row.status == 10 and row.operation == "AddImageToQueue"
    assert row.urls == (EXAMPLE, "http://example.com/images/shoe-2.jpg")
    assert row.request["colorwayIds"] == [7, 8]


def _add_like(method: str) -> Callable[[PixelzClient, SandboxHandle], None]:
    def call(c: PixelzClient, sb: SandboxHandle) -> None:
        kwargs: dict[str, Any] = {"image_url": EXAMPLE, "customer_image_id": "c", "product_id": "p"}
        if method != "white_glove_service":
            kwargs["template_id"] = "1002"
        if method == "add_partner_image_to_queue":
            kwargs["application_code"] = "partner-app"
        if method in ("add_image_with_instruction_to_queue", "add_stack_image_to_queue"):
            kwargs["colorway_ids"] = [3, 4]
        if method == "add_image_with_instruction_to_queue":
            kwargs["instruction"] = "straighten the handle"
            kwargs["additional_resource_file_urls"] = ["http://example.com/brief.pdf"]
        result = getattr(c, method)(**kwargs)
        assert isinstance(result.image_ticket, uuid.UUID)
        row = sb.image(result.image_ticket)
        assert row is not None and row.status == 10 and row.customer_image_id == "c"
        assert row.template_id == (None if method == "white_glove_service" else 1002)
        if "colorway_ids" in kwargs:
            assert row.request["colorwayIds"] == [3, 4]

    return call


def delete_image_from_queue(c: PixelzClient, sb: SandboxHandle) -> None:
    ticket = _queue(c, sb)
    assert c.delete_image_from_queue(image_ticket=ticket) == pixelz.EmptyResponse()
    assert sb.image(ticket) is None


def get_image_status(c: PixelzClient, sb: SandboxHandle) -> None:
    ticket = _queue(c, sb, customer_image_id="cust-9", product_id="prod-9")
    status = c.get_image_status(image_ticket=ticket).image_status
    assert status is not None
    assert (status.status_id, status.status_name, status.is_paid) == (10, "New", False)
    assert status.customer_image_id == "cust-9" and status.product_id == "prod-9"
    assert status.thumbnail_image_url == "" and status.final_images_url == []
    sb.advance(3 * sb.step_seconds)
    by_customer = c.get_image_status(image_ticket="nonticket", customer_image_id="cust-9")
    assert by_customer.image_status is not None
    assert by_customer.image_status.status_id == 80
    assert by_customer.image_status.final_images_url == [f"{sb.url}/out/{ticket}.jpg"]


def get_images_list(c: PixelzClient, sb: SandboxHandle) -> None:
    first = _queue(c, sb, product_id="a")
    second = _queue(c, sb, product_id="b")
    listed = c.get_images_list(
        page="1", images_per_page="10", sort_by="id", is_descending="false"
    ).images
    assert [str(i.image_ticket) for i in listed or [] if i] == [first, second]
    only_b = c.get_images_list(product_id="b", page="1", images_per_page="10").images
    assert [str(i.image_ticket) for i in only_b or [] if i] == [second]


def get_product_ids_list(c: PixelzClient, sb: SandboxHandle) -> None:
    _queue(c, sb, product_id="a")
    sb.seed_image(product_id="a", status=80)
    stats = c.get_product_ids_list(page="1", product_ids_per_page="5").product_ids
    assert [(s.product_id, s.done_count, s.todo_count) for s in stats or [] if s] == [("a", 1, 1)]


def reject_processed_image(c: PixelzClient, sb: SandboxHandle) -> None:
    ticket = sb.seed_image(status=80)
    result = c.reject_processed_image(
        image_ticket=ticket, comment="shadow missing", markup_image_url="http://example.com/m.png"
    )
    assert result == pixelz.EmptyResponse()
    row = sb.image(ticket)
    assert row is not None and row.status == 60 and row.reject_comment == "shadow missing"
    with pytest.raises(InvalidStateError):
        c.reject_processed_image(image_ticket=ticket, comment="again")


def get_templates(c: PixelzClient, sb: SandboxHandle) -> None:
    templates = c.get_templates().templates or []
    assert [(t.template_id, t.template_name) for t in templates if t] == [
        (1001, "Demo White Background"),
        (1002, "Web Shop (square)"),
    ]
    assert all(t and t.contact_id == 4242 for t in templates)


def get_template_spec(c: PixelzClient, sb: SandboxHandle) -> None:
    spec = c.get_template_spec(template_id="1002").template
    assert spec is not None
    assert (spec.id, spec.name, spec.output_format, spec.delivery_time_in_hours) == (
        1002,
        "Web Shop (square)",
        "PNG",
        72,
    )
    assert (spec.resize_width, spec.resize_height, spec.shadow_type) == (1000, 1000, 2)


def add_template(c: PixelzClient, sb: SandboxHandle) -> None:
    created = c.add_template(
        template_name="Print (TIFF)",
        template_output_format="tiff",
        delivery_time_in_hour="168",
        background_color="#ffffff",
        resize_width="2000",
        is_kept_model="true",
        callback_url="http://127.0.0.1:9/tpl",
        comment="made in a test",
    )
    assert created.template_id == 1003
    spec = c.get_template_spec(template_id=str(created.template_id)).template
    assert spec is not None
    assert (spec.name, spec.output_format, spec.delivery_time_in_hours) == (
        "Print (TIFF)",
        "TIFF",
        168,
    )
    assert (spec.resize_width, spec.is_kept_model, spec.callback_url) == (
        2000,
        True,
        "http://127.0.0.1:9/tpl",
    )


def get_invoice_list(c: PixelzClient, sb: SandboxHandle) -> None:
    invoices = c.get_invoice_list(from_date="2012-01-01", return_url="http://shop.test/back")
    items = [i for i in invoices.invoices or [] if i]
    assert [i.invoice_id for i in items] == ["INV-2012-0001"]
    assert items[0].payment_url == (
        f"{sb.url}/pay/INV-2012-0001?returnUrl=http%3a%2f%2fshop.test%2fback"
    )
    assert items[0].invoice_url == f"{sb.url}/invoices/INV-2012-0001.pdf"
    everything = c.get_invoice_list().invoices or []
    assert len(everything) == 3


def get_contact_detailed(c: PixelzClient, sb: SandboxHandle) -> None:
    contact = c.get_contact_detailed().contact
    assert contact is not None
    assert (contact.contact_person, contact.contact_company, contact.contact_email) == (
        "Demo User",
        "Example Inc.",
        "demo@example.com",
    )
    assert contact.contact_account_balance == pixelz.Money(currency="USD")


def edit_contact(c: PixelzClient, sb: SandboxHandle) -> None:
    assert (
        c.edit_contact(
            contact_name="Dana Demo",
            contact_company="Example Widgets Ltd.",
            billing_email="billing@example.com",
            timezone_index="35",
            is_received_newslater="true",
        )
        == pixelz.EmptyResponse()
    )
    contact = c.get_contact_detailed().contact
    assert contact is not None
    assert (contact.contact_person, contact.contact_company) == (
        "Dana Demo",
        "Example Widgets Ltd.",
    )


PIXELZ_CALLS: dict[str, Callable[[PixelzClient, SandboxHandle], None]] = {
    "AddImageToQueue": add_image_to_queue,
    "AddImageWithInstructionToQueue": _add_like("add_image_with_instruction_to_queue"),
    "AddPartnerImageToQueue": _add_like("add_partner_image_to_queue"),
    "AddStackImageToQueue": _add_like("add_stack_image_to_queue"),
    "WhiteGloveService": _add_like("white_glove_service"),
    "DeleteImageFromQueue": delete_image_from_queue,
    "GetImageStatus": get_image_status,
    "GetImagesList": get_images_list,
    "GetProductIdsList": get_product_ids_list,
    "RejectProcessedImage": reject_processed_image,
    "GetTemplates": get_templates,
    "GetTemplateSpec": get_template_spec,
    "AddTemplate": add_template,
    "GetInvoiceList": get_invoice_list,
    "GetContactDetailed": get_contact_detailed,
    "EditContact": edit_contact,
}

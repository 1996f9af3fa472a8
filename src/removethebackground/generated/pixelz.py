# Generated from wsdl/pixelz/pixelz.wsdl by codegen; do not edit.
# WSDL sha256: 4f309b2cbb72910a2c7cb6598c30fb8187dc98c40f9b2401b2faf90ff4bd194f
# With the reviewed overlay codegen/overlays/pixelz.toml (values the WSDL cannot say).
# Regenerate with `make codegen`; `make codegen-check` fails when stale.
"""Typed client for the ``soap`` service of ``wsdl/pixelz/pixelz.wsdl``.

Every schema type is a dataclass; every operation is a method of
:class:`PixelzClient` and, awaited, of :class:`AsyncPixelzClient`
(asyncio); the ``OP_*`` constants and ``SERVICE`` are the wire facts the runtime
and the sandbox read and write XML from.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Literal

from removethebackground.core.asyncclient import AsyncServiceClient
from removethebackground.core.client import ServiceClient
from removethebackground.core.wire import (
    Binding,
    Constraint,
    Field,
    HttpParam,
    Operation,
    OutcomeLookup,
    Service,
    TypeSpec,
    WireModel,
)

__all__ = [
    "AsyncPixelzClient",
    "ColorChangeRequest",
    "Contact",
    "ContactDetailedResponse",
    "EmptyResponse",
    "ImageStatus",
    "ImageStatusResponse",
    "ImageTicketResponse",
    "ImagesListResponse",
    "Invoice",
    "InvoiceListResponse",
    "MarkerInfo",
    "Money",
    "OP_ADD_IMAGE_TO_QUEUE",
    "OP_ADD_IMAGE_WITH_INSTRUCTION_TO_QUEUE",
    "OP_ADD_PARTNER_IMAGE_TO_QUEUE",
    "OP_ADD_STACK_IMAGE_TO_QUEUE",
    "OP_ADD_TEMPLATE",
    "OP_DELETE_IMAGE_FROM_QUEUE",
    "OP_EDIT_CONTACT",
    "OP_GET_CONTACT_DETAILED",
    "OP_GET_IMAGES_LIST",
    "OP_GET_IMAGE_STATUS",
    "OP_GET_INVOICE_LIST",
    "OP_GET_PRODUCT_IDS_LIST",
    "OP_GET_TEMPLATES",
    "OP_GET_TEMPLATE_SPEC",
    "OP_REJECT_PROCESSED_IMAGE",
    "OP_WHITE_GLOVE_SERVICE",
    "PixelzClient",
    "ProductIdStatistic",
    "ProductIdsListResponse",
    "SERVICE",
    "Template",
    "TemplateIdResponse",
    "TemplateSpec",
    "TemplateSpecResponse",
    "TemplatesResponse",
]

NS = "http://removethebackground.com/"


@dataclass(kw_only=True, slots=True)
class MarkerInfo(WireModel):
    """Schema type ``MarkerInfo``.

    - ``swatch_image_url``: element ``swatchImageURL`` (string) [0..1]
    - ``swatch_color_code``: element ``swatchColorCode`` (string) [0..1]; text matching #[0-9A-Fa-f]{6} (source: recorded traffic: #FFFFFF; reconstructed: #RRGGBB hex)
    - ``marker_x``: element ``markerX`` (string) [0..1]
    - ``marker_y``: element ``markerY`` (string) [0..1]
    """

    swatch_image_url: str | None = None
    swatch_color_code: str | None = None
    marker_x: str | None = None
    marker_y: str | None = None


@dataclass(kw_only=True, slots=True)
class ColorChangeRequest(WireModel):
    """Schema type ``ColorChangeRequest``.

    - ``color_change_request_markers``: element ``colorChangeRequestMarkers`` (ArrayOfMarkerInfo of MarkerInfo) [0..1]
    - ``customer_image_color_id``: element ``customerImageColorID`` (string) [0..1]
    - ``output_file_name``: element ``outputFileName`` (string) [0..1]
    """

    color_change_request_markers: list[MarkerInfo | None] | None = None
    customer_image_color_id: str | None = None
    output_file_name: str | None = None


@dataclass(kw_only=True, slots=True)
class ImageTicketResponse(WireModel):
    """Schema type ``ImageTicketResponse``.

    - ``image_ticket``: element ``ImageTicket`` (guid) [1..1]
    """

    image_ticket: uuid.UUID


@dataclass(kw_only=True, slots=True)
class TemplateIdResponse(WireModel):
    """Schema type ``TemplateIdResponse``.

    - ``template_id``: element ``TemplateId`` (int) [1..1]
    """

    template_id: int


@dataclass(kw_only=True, slots=True)
class EmptyResponse(WireModel):
    """Schema type ``EmptyResponse``.

    It has no children: an empty element.
    """


@dataclass(kw_only=True, slots=True)
class Money(WireModel):
    """Schema type ``Money``.

    - ``currency``: attribute ``Currency`` (string) [0..1]
    """

    currency: str | None = None


@dataclass(kw_only=True, slots=True)
class Contact(WireModel):
    """Schema type ``Contact``.

    - ``contact_person``: element ``ContactPerson`` (string) [0..1]
    - ``contact_company``: element ``ContactCompany`` (string) [0..1]
    - ``contact_email``: element ``ContactEmail`` (string) [0..1]
    - ``contact_days_of_credit``: element ``ContactDaysOfCredit`` (int) [1..1]
    - ``contact_account_balance``: element ``ContactAccountBalance`` (Money) [0..1]
    - ``number_of_trial_images``: element ``NumberOfTrialImages`` (int) [1..1]
    """

    contact_person: str | None = None
    contact_company: str | None = None
    contact_email: str | None = None
    contact_days_of_credit: int
    contact_account_balance: Money | None = None
    number_of_trial_images: int


@dataclass(kw_only=True, slots=True)
class ContactDetailedResponse(WireModel):
    """Schema type ``ContactDetailedResponse``.

    - ``contact``: element ``Contact`` (Contact) [0..1]
    """

    contact: Contact | None = None


@dataclass(kw_only=True, slots=True)
class ImageStatus(WireModel):
    """Schema type ``ImageStatus``.

    - ``image_ticket``: element ``ImageTicket`` (guid) [1..1]
    - ``customer_image_id``: element ``CustomerImageId`` (string) [0..1]
    - ``product_id``: element ``ProductId`` (string) [0..1]
    - ``status_name``: element ``StatusName`` (string) [0..1]
    - ``status_id``: element ``StatusId`` (int) [1..1]
    - ``is_paid``: element ``IsPaid`` (boolean) [1..1]
    - ``thumbnail_image_url``: element ``ThumbnailImageURL`` (string) [0..1]
    - ``final_images_url``: element ``FinalImagesURL`` (ArrayOfString of string) [0..1]
    """

    image_ticket: uuid.UUID
    customer_image_id: str | None = None
    product_id: str | None = None
    status_name: str | None = None
    status_id: int
    is_paid: bool
    thumbnail_image_url: str | None = None
    final_images_url: list[str | None] | None = None


@dataclass(kw_only=True, slots=True)
class ImageStatusResponse(WireModel):
    """Schema type ``ImageStatusResponse``.

    - ``image_status``: element ``ImageStatus`` (ImageStatus) [0..1]
    """

    image_status: ImageStatus | None = None


@dataclass(kw_only=True, slots=True)
class ImagesListResponse(WireModel):
    """Schema type ``ImagesListResponse``.

    - ``images``: element ``Images`` (ArrayOfImageStatus of ImageStatus) [0..1]
    """

    images: list[ImageStatus | None] | None = None


@dataclass(kw_only=True, slots=True)
class Invoice(WireModel):
    """Schema type ``Invoice``.

    - ``invoice_id``: element ``InvoiceId`` (string) [0..1]
    - ``created_date``: element ``CreatedDate`` (string) [0..1]
    - ``amount_due``: element ``AmountDue`` (string) [0..1]
    - ``is_paid``: element ``IsPaid`` (boolean) [1..1]
    - ``payment_url``: element ``PaymentUrl`` (string) [0..1]
    - ``invoice_url``: element ``InvoiceUrl`` (string) [0..1]
    """

    invoice_id: str | None = None
    created_date: str | None = None
    amount_due: str | None = None
    is_paid: bool
    payment_url: str | None = None
    invoice_url: str | None = None


@dataclass(kw_only=True, slots=True)
class InvoiceListResponse(WireModel):
    """Schema type ``InvoiceListResponse``.

    - ``invoices``: element ``Invoices`` (ArrayOfInvoice of Invoice) [0..1]
    """

    invoices: list[Invoice | None] | None = None


@dataclass(kw_only=True, slots=True)
class ProductIdStatistic(WireModel):
    """Schema type ``ProductIdStatistic``.

    - ``product_id``: element ``ProductId`` (string) [0..1]
    - ``done_count``: element ``DoneCount`` (int) [1..1]
    - ``todo_count``: element ``TodoCount`` (int) [1..1]
    """

    product_id: str | None = None
    done_count: int
    todo_count: int


@dataclass(kw_only=True, slots=True)
class ProductIdsListResponse(WireModel):
    """Schema type ``ProductIdsListResponse``.

    - ``product_ids``: element ``ProductIds`` (ArrayOfProductIdStatistic of ProductIdStatistic) [0..1]
    """

    product_ids: list[ProductIdStatistic | None] | None = None


@dataclass(kw_only=True, slots=True)
class TemplateSpec(WireModel):
    """Schema type ``TemplateSpec``.

    - ``id``: element ``Id`` (int) [1..1]
    - ``name``: element ``Name`` (string) [0..1]
    - ``price``: element ``Price`` (Money) [0..1]
    - ``created_date``: element ``CreatedDate`` (string) [0..1]
    - ``modified_date``: element ``ModifiedDate`` (string) [0..1]
    - ``is_deleted``: element ``IsDeleted`` (boolean) [1..1]
    - ``output_format``: element ``OutputFormat`` (string) [0..1]
    - ``delivery_time_in_hours``: element ``DeliveryTimeInHours`` (int) [1..1]
    - ``background_type``: element ``BackgroundType`` (int) [1..1]
    - ``background_color``: element ``BackgroundColor`` (string) [0..1]
    - ``background_vertical_gradient_color``: element ``BackgroundVerticalGradientColor`` (string) [0..1]
    - ``resize_type``: element ``ResizeType`` (int) [1..1]
    - ``resize_unit``: element ``ResizeUnit`` (int) [1..1]
    - ``resize_width``: element ``ResizeWidth`` (int) [1..1]
    - ``resize_height``: element ``ResizeHeight`` (int) [1..1]
    - ``resize_max_size``: element ``ResizeMaxSize`` (int) [1..1]
    - ``resize_min_size``: element ``ResizeMinSize`` (int) [1..1]
    - ``margin_type``: element ``MarginType`` (int) [1..1]
    - ``margin_top``: element ``MarginTop`` (int) [1..1]
    - ``margin_bottom``: element ``MarginBottom`` (int) [1..1]
    - ``margin_left``: element ``MarginLeft`` (int) [1..1]
    - ``margin_right``: element ``MarginRight`` (int) [1..1]
    - ``margin_vertical_alignment``: element ``MarginVerticalAlignment`` (int) [1..1]
    - ``shadow_type``: element ``ShadowType`` (int) [1..1]
    - ``is_combined_images``: element ``IsCombinedImages`` (boolean) [1..1]
    - ``callback_url``: element ``CallbackUrl`` (string) [0..1]
    - ``comment``: element ``Comment`` (string) [0..1]
    - ``is_kept_mannequin``: element ``IsKeptMannequin`` (boolean) [1..1]
    - ``is_kept_model``: element ``IsKeptModel`` (boolean) [1..1]
    """

    id: int
    name: str | None = None
    price: Money | None = None
    created_date: str | None = None
    modified_date: str | None = None
    is_deleted: bool
    output_format: str | None = None
    delivery_time_in_hours: int
    background_type: int
    background_color: str | None = None
    background_vertical_gradient_color: str | None = None
    resize_type: int
    resize_unit: int
    resize_width: int
    resize_height: int
    resize_max_size: int
    resize_min_size: int
    margin_type: int
    margin_top: int
    margin_bottom: int
    margin_left: int
    margin_right: int
    margin_vertical_alignment: int
    shadow_type: int
    is_combined_images: bool
    callback_url: str | None = None
    comment: str | None = None
    is_kept_mannequin: bool
    is_kept_model: bool


@dataclass(kw_only=True, slots=True)
class TemplateSpecResponse(WireModel):
    """Schema type ``TemplateSpecResponse``.

    - ``template``: element ``Template`` (TemplateSpec) [0..1]
    """

    template: TemplateSpec | None = None


@dataclass(kw_only=True, slots=True)
class Template(WireModel):
    """Schema type ``Template``.

    - ``template_id``: element ``TemplateId`` (int) [1..1]
    - ``contact_id``: element ``ContactId`` (int) [1..1]
    - ``template_name``: element ``TemplateName`` (string) [0..1]
    - ``prices``: element ``Prices`` (ArrayOfMoney of Price) [0..1]
    - ``is_combined_images``: element ``IsCombinedImages`` (boolean) [1..1]
    - ``template_label_id``: element ``TemplateLabelId`` (int) [1..1]
    - ``is_recreate_detail``: element ``IsRecreateDetail`` (boolean) [1..1]
    - ``color_adjustment``: element ``ColorAdjustment`` (boolean) [1..1]
    - ``color_adjustment_setting``: element ``ColorAdjustmentSetting`` (string) [0..1]
    - ``color_adjustment_comment``: element ``ColorAdjustmentComment`` (string) [0..1]
    - ``color_matching``: element ``ColorMatching`` (boolean) [1..1]
    - ``color_matching_setting``: element ``ColorMatchingSetting`` (string) [0..1]
    - ``output_format``: element ``OutputFormat`` (string) [0..1]
    - ``delivery_time_in_hours``: element ``DeliveryTimeInHours`` (int) [1..1]
    """

    template_id: int
    contact_id: int
    template_name: str | None = None
    prices: list[Money | None] | None = None
    is_combined_images: bool
    template_label_id: int
    is_recreate_detail: bool
    color_adjustment: bool
    color_adjustment_setting: str | None = None
    color_adjustment_comment: str | None = None
    color_matching: bool
    color_matching_setting: str | None = None
    output_format: str | None = None
    delivery_time_in_hours: int


@dataclass(kw_only=True, slots=True)
class TemplatesResponse(WireModel):
    """Schema type ``TemplatesResponse``.

    - ``templates``: element ``Templates`` (ArrayOfTemplate of Template) [0..1]
    """

    templates: list[Template | None] | None = None


# Wire facts: element names, order, XSD types and occurrence of every type.

MarkerInfo.__wire__ = TypeSpec(
    "MarkerInfo",
    NS,
    (
        Field("swatch_image_url", "swatchImageURL", NS, xsd="string", type_name="string"),
        Field(
            "swatch_color_code",
            "swatchColorCode",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "text",
                pattern="#[0-9A-Fa-f]{6}",
                message="is not a valid colour (#RRGGBB)",
                source="recorded traffic: #FFFFFF; reconstructed: #RRGGBB hex",
            ),
        ),
        Field("marker_x", "markerX", NS, xsd="string", type_name="string"),
        Field("marker_y", "markerY", NS, xsd="string", type_name="string"),
    ),
)

ColorChangeRequest.__wire__ = TypeSpec(
    "ColorChangeRequest",
    NS,
    (
        Field(
            "color_change_request_markers",
            "colorChangeRequestMarkers",
            NS,
            item=Field(
                "item",
                "MarkerInfo",
                NS,
                model=MarkerInfo,
                max_occurs=None,
                nillable=True,
                type_name="MarkerInfo",
            ),
            type_name="ArrayOfMarkerInfo",
        ),
        Field(
            "customer_image_color_id", "customerImageColorID", NS, xsd="string", type_name="string"
        ),
        Field("output_file_name", "outputFileName", NS, xsd="string", type_name="string"),
    ),
)

ImageTicketResponse.__wire__ = TypeSpec(
    "ImageTicketResponse",
    NS,
    (Field("image_ticket", "ImageTicket", NS, xsd="guid", min_occurs=1, type_name="guid"),),
)

TemplateIdResponse.__wire__ = TypeSpec(
    "TemplateIdResponse",
    NS,
    (Field("template_id", "TemplateId", NS, xsd="int", min_occurs=1, type_name="int"),),
)

EmptyResponse.__wire__ = TypeSpec("EmptyResponse", NS, ())

Money.__wire__ = TypeSpec(
    "Money",
    NS,
    (Field("currency", "Currency", None, xsd="string", attribute=True),),
)

Contact.__wire__ = TypeSpec(
    "Contact",
    NS,
    (
        Field("contact_person", "ContactPerson", NS, xsd="string", type_name="string"),
        Field("contact_company", "ContactCompany", NS, xsd="string", type_name="string"),
        Field("contact_email", "ContactEmail", NS, xsd="string", type_name="string"),
        Field(
            "contact_days_of_credit",
            "ContactDaysOfCredit",
            NS,
            xsd="int",
            min_occurs=1,
            type_name="int",
        ),
        Field(
            "contact_account_balance", "ContactAccountBalance", NS, model=Money, type_name="Money"
        ),
        Field(
            "number_of_trial_images",
            "NumberOfTrialImages",
            NS,
            xsd="int",
            min_occurs=1,
            type_name="int",
        ),
    ),
)

ContactDetailedResponse.__wire__ = TypeSpec(
    "ContactDetailedResponse",
    NS,
    (Field("contact", "Contact", NS, model=Contact, type_name="Contact"),),
)

ImageStatus.__wire__ = TypeSpec(
    "ImageStatus",
    NS,
    (
        Field("image_ticket", "ImageTicket", NS, xsd="guid", min_occurs=1, type_name="guid"),
        Field("customer_image_id", "CustomerImageId", NS, xsd="string", type_name="string"),
        Field("product_id", "ProductId", NS, xsd="string", type_name="string"),
        Field("status_name", "StatusName", NS, xsd="string", type_name="string"),
        Field("status_id", "StatusId", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("is_paid", "IsPaid", NS, xsd="boolean", min_occurs=1, type_name="boolean"),
        Field("thumbnail_image_url", "ThumbnailImageURL", NS, xsd="string", type_name="string"),
        Field(
            "final_images_url",
            "FinalImagesURL",
            NS,
            item=Field(
                "item",
                "string",
                NS,
                xsd="string",
                max_occurs=None,
                nillable=True,
                type_name="string",
            ),
            type_name="ArrayOfString",
        ),
    ),
)

ImageStatusResponse.__wire__ = TypeSpec(
    "ImageStatusResponse",
    NS,
    (Field("image_status", "ImageStatus", NS, model=ImageStatus, type_name="ImageStatus"),),
)

ImagesListResponse.__wire__ = TypeSpec(
    "ImagesListResponse",
    NS,
    (
        Field(
            "images",
            "Images",
            NS,
            item=Field(
                "item",
                "ImageStatus",
                NS,
                model=ImageStatus,
                max_occurs=None,
                nillable=True,
                type_name="ImageStatus",
            ),
            type_name="ArrayOfImageStatus",
        ),
    ),
)

Invoice.__wire__ = TypeSpec(
    "Invoice",
    NS,
    (
        Field("invoice_id", "InvoiceId", NS, xsd="string", type_name="string"),
        Field("created_date", "CreatedDate", NS, xsd="string", type_name="string"),
        Field("amount_due", "AmountDue", NS, xsd="string", type_name="string"),
        Field("is_paid", "IsPaid", NS, xsd="boolean", min_occurs=1, type_name="boolean"),
        Field("payment_url", "PaymentUrl", NS, xsd="string", type_name="string"),
        Field("invoice_url", "InvoiceUrl", NS, xsd="string", type_name="string"),
    ),
)

InvoiceListResponse.__wire__ = TypeSpec(
    "InvoiceListResponse",
    NS,
    (
        Field(
            "invoices",
            "Invoices",
            NS,
            item=Field(
                "item",
                "Invoice",
                NS,
                model=Invoice,
                max_occurs=None,
                nillable=True,
                type_name="Invoice",
            ),
            type_name="ArrayOfInvoice",
        ),
    ),
)

ProductIdStatistic.__wire__ = TypeSpec(
    "ProductIdStatistic",
    NS,
    (
        Field("product_id", "ProductId", NS, xsd="string", type_name="string"),
        Field("done_count", "DoneCount", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("todo_count", "TodoCount", NS, xsd="int", min_occurs=1, type_name="int"),
    ),
)

ProductIdsListResponse.__wire__ = TypeSpec(
    "ProductIdsListResponse",
    NS,
    (
        Field(
            "product_ids",
            "ProductIds",
            NS,
            item=Field(
                "item",
                "ProductIdStatistic",
                NS,
                model=ProductIdStatistic,
                max_occurs=None,
                nillable=True,
                type_name="ProductIdStatistic",
            ),
            type_name="ArrayOfProductIdStatistic",
        ),
    ),
)

TemplateSpec.__wire__ = TypeSpec(
    "TemplateSpec",
    NS,
    (
        Field("id", "Id", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("name", "Name", NS, xsd="string", type_name="string"),
        Field("price", "Price", NS, model=Money, type_name="Money"),
        Field("created_date", "CreatedDate", NS, xsd="string", type_name="string"),
        Field("modified_date", "ModifiedDate", NS, xsd="string", type_name="string"),
        Field("is_deleted", "IsDeleted", NS, xsd="boolean", min_occurs=1, type_name="boolean"),
        Field("output_format", "OutputFormat", NS, xsd="string", type_name="string"),
        Field(
            "delivery_time_in_hours",
            "DeliveryTimeInHours",
            NS,
            xsd="int",
            min_occurs=1,
            type_name="int",
        ),
        Field("background_type", "BackgroundType", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("background_color", "BackgroundColor", NS, xsd="string", type_name="string"),
        Field(
            "background_vertical_gradient_color",
            "BackgroundVerticalGradientColor",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field("resize_type", "ResizeType", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("resize_unit", "ResizeUnit", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("resize_width", "ResizeWidth", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("resize_height", "ResizeHeight", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("resize_max_size", "ResizeMaxSize", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("resize_min_size", "ResizeMinSize", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("margin_type", "MarginType", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("margin_top", "MarginTop", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("margin_bottom", "MarginBottom", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("margin_left", "MarginLeft", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("margin_right", "MarginRight", NS, xsd="int", min_occurs=1, type_name="int"),
        Field(
            "margin_vertical_alignment",
            "MarginVerticalAlignment",
            NS,
            xsd="int",
            min_occurs=1,
            type_name="int",
        ),
        Field("shadow_type", "ShadowType", NS, xsd="int", min_occurs=1, type_name="int"),
        Field(
            "is_combined_images",
            "IsCombinedImages",
            NS,
            xsd="boolean",
            min_occurs=1,
            type_name="boolean",
        ),
        Field("callback_url", "CallbackUrl", NS, xsd="string", type_name="string"),
        Field("comment", "Comment", NS, xsd="string", type_name="string"),
        Field(
            "is_kept_mannequin",
            "IsKeptMannequin",
            NS,
            xsd="boolean",
            min_occurs=1,
            type_name="boolean",
        ),
        Field("is_kept_model", "IsKeptModel", NS, xsd="boolean", min_occurs=1, type_name="boolean"),
    ),
)

TemplateSpecResponse.__wire__ = TypeSpec(
    "TemplateSpecResponse",
    NS,
    (Field("template", "Template", NS, model=TemplateSpec, type_name="TemplateSpec"),),
)

Template.__wire__ = TypeSpec(
    "Template",
    NS,
    (
        Field("template_id", "TemplateId", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("contact_id", "ContactId", NS, xsd="int", min_occurs=1, type_name="int"),
        Field("template_name", "TemplateName", NS, xsd="string", type_name="string"),
        Field(
            "prices",
            "Prices",
            NS,
            item=Field(
                "item", "Price", NS, model=Money, max_occurs=None, nillable=True, type_name="Money"
            ),
            type_name="ArrayOfMoney",
        ),
        Field(
            "is_combined_images",
            "IsCombinedImages",
            NS,
            xsd="boolean",
            min_occurs=1,
            type_name="boolean",
        ),
        Field("template_label_id", "TemplateLabelId", NS, xsd="int", min_occurs=1, type_name="int"),
        Field(
            "is_recreate_detail",
            "IsRecreateDetail",
            NS,
            xsd="boolean",
            min_occurs=1,
            type_name="boolean",
        ),
        Field(
            "color_adjustment",
            "ColorAdjustment",
            NS,
            xsd="boolean",
            min_occurs=1,
            type_name="boolean",
        ),
        Field(
            "color_adjustment_setting",
            "ColorAdjustmentSetting",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "color_adjustment_comment",
            "ColorAdjustmentComment",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "color_matching", "ColorMatching", NS, xsd="boolean", min_occurs=1, type_name="boolean"
        ),
        Field(
            "color_matching_setting", "ColorMatchingSetting", NS, xsd="string", type_name="string"
        ),
        Field("output_format", "OutputFormat", NS, xsd="string", type_name="string"),
        Field(
            "delivery_time_in_hours",
            "DeliveryTimeInHours",
            NS,
            xsd="int",
            min_occurs=1,
            type_name="int",
        ),
    ),
)

TemplatesResponse.__wire__ = TypeSpec(
    "TemplatesResponse",
    NS,
    (
        Field(
            "templates",
            "Templates",
            NS,
            item=Field(
                "item",
                "Template",
                NS,
                model=Template,
                max_occurs=None,
                nillable=True,
                type_name="Template",
            ),
            type_name="ArrayOfTemplate",
        ),
    ),
)

OP_ADD_IMAGE_TO_QUEUE: Operation[ImageTicketResponse] = Operation(
    name="AddImageToQueue",
    python_name="add_image_to_queue",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/AddImageToQueue",
        Binding.SOAP12: "http://removethebackground.com/AddImageToQueue",
    },
    request_element="AddImageToQueue",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field("developer_api_key", "developerAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "template_id",
            "templateId",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=1,
                source="recorded traffic: templates 1001 and 1002; reconstructed: ids are positive",
            ),
        ),
        Field("image_url", "imageURL", NS, xsd="string", type_name="string"),
        Field("image_url2", "imageURL2", NS, xsd="string", type_name="string"),
        Field("image_url3", "imageURL3", NS, xsd="string", type_name="string"),
        Field("image_url4", "imageURL4", NS, xsd="string", type_name="string"),
        Field("image_url5", "imageURL5", NS, xsd="string", type_name="string"),
        Field(
            "color_reference_file_url",
            "colorReferenceFileURL",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "additional_resource_file_url",
            "additionalResourceFileURL",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "additional_resource_file_urls",
            "additionalResourceFileURLs",
            NS,
            item=Field(
                "item",
                "string",
                NS,
                xsd="string",
                max_occurs=None,
                nillable=True,
                type_name="string",
            ),
            type_name="ArrayOfString",
        ),
        Field(
            "image_requested_delivery_time_in_hours",
            "imageRequestedDeliveryTimeInHours",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "choice",
                choices=("24", "72", "168"),
                numeric=True,
                source="service.md: delivery time in hours 168, 72 or 24",
            ),
        ),
        Field("image_callback_url", "imageCallbackURL", NS, xsd="string", type_name="string"),
        Field("customer_image_id", "customerImageId", NS, xsd="string", type_name="string"),
        Field("product_id", "productId", NS, xsd="string", type_name="string"),
        Field("customer_folder", "customerFolder", NS, xsd="string", type_name="string"),
        Field(
            "image_deadline_date_time_utc",
            "imageDeadlineDateTimeUTC",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "datetime",
                hours_ahead=24,
                source="service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead",
            ),
        ),
        Field("instruction", "instruction", NS, xsd="string", type_name="string"),
        Field(
            "colorway_ids",
            "colorwayIds",
            NS,
            item=Field("item", "int", NS, xsd="int", max_occurs=None, type_name="int"),
            type_name="ArrayOfInt",
        ),
        Field(
            "color_change_requests",
            "colorChangeRequests",
            NS,
            item=Field(
                "item",
                "ColorChangeRequest",
                NS,
                model=ColorChangeRequest,
                max_occurs=None,
                nillable=True,
                type_name="ColorChangeRequest",
            ),
            type_name="ArrayOfColorChangeRequest",
        ),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="AddImageToQueueResponse",
    result=Field(
        "add_image_to_queue_result",
        "AddImageToQueueResult",
        NS,
        model=ImageTicketResponse,
        type_name="ImageTicketResponse",
    ),
    result_model=ImageTicketResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
        )
    ),
    changes_state=True,
    outcome_lookup=OutcomeLookup(
        key="customer_image_id",
        operation="GetImageStatus",
        method="get_image_status",
        by="customer_image_id",
        fixed=(("image_ticket", "nonticket"),),
        found="image_status",
        result=(("image_ticket", "image_ticket"),),
        source="service.md: GetImageStatus by customerImageId (then imageTicket may be `nonticket`); the image-adding operations return only ImageTicket",
    ),
)

OP_ADD_IMAGE_WITH_INSTRUCTION_TO_QUEUE: Operation[ImageTicketResponse] = Operation(
    name="AddImageWithInstructionToQueue",
    python_name="add_image_with_instruction_to_queue",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/AddImageWithInstructionToQueue",
        Binding.SOAP12: "http://removethebackground.com/AddImageWithInstructionToQueue",
    },
    request_element="AddImageWithInstructionToQueue",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field("developer_api_key", "developerAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "template_id",
            "templateId",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=1,
                source="recorded traffic: templates 1001 and 1002; reconstructed: ids are positive",
            ),
        ),
        Field("image_url", "imageURL", NS, xsd="string", type_name="string"),
        Field("image_url2", "imageURL2", NS, xsd="string", type_name="string"),
        Field("image_url3", "imageURL3", NS, xsd="string", type_name="string"),
        Field("image_url4", "imageURL4", NS, xsd="string", type_name="string"),
        Field("image_url5", "imageURL5", NS, xsd="string", type_name="string"),
        Field(
            "additional_resource_file_url",
            "additionalResourceFileURL",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "additional_resource_file_url2",
            "additionalResourceFileURL2",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "additional_resource_file_url3",
            "additionalResourceFileURL3",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "additional_resource_file_url4",
            "additionalResourceFileURL4",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "additional_resource_file_url5",
            "additionalResourceFileURL5",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "image_requested_delivery_time_in_hours",
            "imageRequestedDeliveryTimeInHours",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "choice",
                choices=("24", "72", "168"),
                numeric=True,
                source="service.md: delivery time in hours 168, 72 or 24",
            ),
        ),
        Field("image_callback_url", "imageCallbackURL", NS, xsd="string", type_name="string"),
        Field("customer_image_id", "customerImageId", NS, xsd="string", type_name="string"),
        Field("product_id", "productId", NS, xsd="string", type_name="string"),
        Field("customer_folder", "customerFolder", NS, xsd="string", type_name="string"),
        Field(
            "image_deadline_date_time_utc",
            "imageDeadlineDateTimeUTC",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "datetime",
                hours_ahead=24,
                source="service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead",
            ),
        ),
        Field("instruction", "instruction", NS, xsd="string", type_name="string"),
        Field(
            "colorway_ids",
            "colorwayIds",
            NS,
            item=Field("item", "int", NS, xsd="int", max_occurs=None, type_name="int"),
            type_name="ArrayOfInt",
        ),
        Field(
            "additional_resource_file_urls",
            "additionalResourceFileURLs",
            NS,
            item=Field(
                "item",
                "string",
                NS,
                xsd="string",
                max_occurs=None,
                nillable=True,
                type_name="string",
            ),
            type_name="ArrayOfString",
        ),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="AddImageWithInstructionToQueueResponse",
    result=Field(
        "add_image_with_instruction_to_queue_result",
        "AddImageWithInstructionToQueueResult",
        NS,
        model=ImageTicketResponse,
        type_name="ImageTicketResponse",
    ),
    result_model=ImageTicketResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/AddImageWithInstructionToQueue",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("developerAPIkey", "developer_api_key"),
        HttpParam("templateId", "template_id"),
        HttpParam("imageURL", "image_url"),
        HttpParam("imageURL2", "image_url2"),
        HttpParam("imageURL3", "image_url3"),
        HttpParam("imageURL4", "image_url4"),
        HttpParam("imageURL5", "image_url5"),
        HttpParam("additionalResourceFileURL", "additional_resource_file_url"),
        HttpParam("additionalResourceFileURL2", "additional_resource_file_url2"),
        HttpParam("additionalResourceFileURL3", "additional_resource_file_url3"),
        HttpParam("additionalResourceFileURL4", "additional_resource_file_url4"),
        HttpParam("additionalResourceFileURL5", "additional_resource_file_url5"),
        HttpParam("imageRequestedDeliveryTimeInHours", "image_requested_delivery_time_in_hours"),
        HttpParam("imageCallbackURL", "image_callback_url"),
        HttpParam("customerImageId", "customer_image_id"),
        HttpParam("productId", "product_id"),
        HttpParam("customerFolder", "customer_folder"),
        HttpParam("imageDeadlineDateTimeUTC", "image_deadline_date_time_utc"),
        HttpParam("instruction", "instruction"),
        HttpParam("colorwayIds", "colorway_ids", array=True),
        HttpParam("additionalResourceFileURLs", "additional_resource_file_urls", array=True),
    ),
    http_result_element="ImageTicketResponse",
    changes_state=True,
    outcome_lookup=OutcomeLookup(
        key="customer_image_id",
        operation="GetImageStatus",
        method="get_image_status",
        by="customer_image_id",
        fixed=(("image_ticket", "nonticket"),),
        found="image_status",
        result=(("image_ticket", "image_ticket"),),
        source="service.md: GetImageStatus by customerImageId (then imageTicket may be `nonticket`); the image-adding operations return only ImageTicket",
    ),
)

OP_ADD_PARTNER_IMAGE_TO_QUEUE: Operation[ImageTicketResponse] = Operation(
    name="AddPartnerImageToQueue",
    python_name="add_partner_image_to_queue",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/AddPartnerImageToQueue",
        Binding.SOAP12: "http://removethebackground.com/AddPartnerImageToQueue",
    },
    request_element="AddPartnerImageToQueue",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field("application_code", "applicationCode", NS, xsd="string", type_name="string"),
        Field(
            "template_id",
            "templateId",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=1,
                source="recorded traffic: templates 1001 and 1002; reconstructed: ids are positive",
            ),
        ),
        Field("image_url", "imageURL", NS, xsd="string", type_name="string"),
        Field("image_url2", "imageURL2", NS, xsd="string", type_name="string"),
        Field("image_url3", "imageURL3", NS, xsd="string", type_name="string"),
        Field("image_url4", "imageURL4", NS, xsd="string", type_name="string"),
        Field("image_url5", "imageURL5", NS, xsd="string", type_name="string"),
        Field(
            "additional_resource_file_url",
            "additionalResourceFileURL",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "image_requested_delivery_time_in_hours",
            "imageRequestedDeliveryTimeInHours",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "choice",
                choices=("24", "72", "168"),
                numeric=True,
                source="service.md: delivery time in hours 168, 72 or 24",
            ),
        ),
        Field("image_callback_url", "imageCallbackURL", NS, xsd="string", type_name="string"),
        Field("customer_image_id", "customerImageId", NS, xsd="string", type_name="string"),
        Field("product_id", "productId", NS, xsd="string", type_name="string"),
        Field("customer_folder", "customerFolder", NS, xsd="string", type_name="string"),
        Field(
            "image_deadline_date_time_utc",
            "imageDeadlineDateTimeUTC",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "datetime",
                hours_ahead=24,
                source="service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead",
            ),
        ),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="AddPartnerImageToQueueResponse",
    result=Field(
        "add_partner_image_to_queue_result",
        "AddPartnerImageToQueueResult",
        NS,
        model=ImageTicketResponse,
        type_name="ImageTicketResponse",
    ),
    result_model=ImageTicketResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/AddPartnerImageToQueue",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("applicationCode", "application_code"),
        HttpParam("templateId", "template_id"),
        HttpParam("imageURL", "image_url"),
        HttpParam("imageURL2", "image_url2"),
        HttpParam("imageURL3", "image_url3"),
        HttpParam("imageURL4", "image_url4"),
        HttpParam("imageURL5", "image_url5"),
        HttpParam("additionalResourceFileURL", "additional_resource_file_url"),
        HttpParam("imageRequestedDeliveryTimeInHours", "image_requested_delivery_time_in_hours"),
        HttpParam("imageCallbackURL", "image_callback_url"),
        HttpParam("customerImageId", "customer_image_id"),
        HttpParam("productId", "product_id"),
        HttpParam("customerFolder", "customer_folder"),
        HttpParam("imageDeadlineDateTimeUTC", "image_deadline_date_time_utc"),
    ),
    http_result_element="ImageTicketResponse",
    changes_state=True,
    outcome_lookup=OutcomeLookup(
        key="customer_image_id",
        operation="GetImageStatus",
        method="get_image_status",
        by="customer_image_id",
        fixed=(("image_ticket", "nonticket"),),
        found="image_status",
        result=(("image_ticket", "image_ticket"),),
        source="service.md: GetImageStatus by customerImageId (then imageTicket may be `nonticket`); the image-adding operations return only ImageTicket",
    ),
)

OP_ADD_STACK_IMAGE_TO_QUEUE: Operation[ImageTicketResponse] = Operation(
    name="AddStackImageToQueue",
    python_name="add_stack_image_to_queue",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/AddStackImageToQueue",
        Binding.SOAP12: "http://removethebackground.com/AddStackImageToQueue",
    },
    request_element="AddStackImageToQueue",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field("developer_api_key", "developerAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "template_id",
            "templateId",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=1,
                source="recorded traffic: templates 1001 and 1002; reconstructed: ids are positive",
            ),
        ),
        Field("image_url", "imageURL", NS, xsd="string", type_name="string"),
        Field("image_url2", "imageURL2", NS, xsd="string", type_name="string"),
        Field("image_url3", "imageURL3", NS, xsd="string", type_name="string"),
        Field("image_url4", "imageURL4", NS, xsd="string", type_name="string"),
        Field("image_url5", "imageURL5", NS, xsd="string", type_name="string"),
        Field(
            "color_reference_file_url",
            "colorReferenceFileURL",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "additional_resource_file_url",
            "additionalResourceFileURL",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field(
            "image_requested_delivery_time_in_hours",
            "imageRequestedDeliveryTimeInHours",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "choice",
                choices=("24", "72", "168"),
                numeric=True,
                source="service.md: delivery time in hours 168, 72 or 24",
            ),
        ),
        Field("image_callback_url", "imageCallbackURL", NS, xsd="string", type_name="string"),
        Field("customer_image_id", "customerImageId", NS, xsd="string", type_name="string"),
        Field("product_id", "productId", NS, xsd="string", type_name="string"),
        Field("customer_folder", "customerFolder", NS, xsd="string", type_name="string"),
        Field(
            "image_deadline_date_time_utc",
            "imageDeadlineDateTimeUTC",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "datetime",
                hours_ahead=24,
                source="service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead",
            ),
        ),
        Field("instruction", "instruction", NS, xsd="string", type_name="string"),
        Field(
            "colorway_ids",
            "colorwayIds",
            NS,
            item=Field("item", "int", NS, xsd="int", max_occurs=None, type_name="int"),
            type_name="ArrayOfInt",
        ),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="AddStackImageToQueueResponse",
    result=Field(
        "add_stack_image_to_queue_result",
        "AddStackImageToQueueResult",
        NS,
        model=ImageTicketResponse,
        type_name="ImageTicketResponse",
    ),
    result_model=ImageTicketResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/AddStackImageToQueue",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("developerAPIkey", "developer_api_key"),
        HttpParam("templateId", "template_id"),
        HttpParam("imageURL", "image_url"),
        HttpParam("imageURL2", "image_url2"),
        HttpParam("imageURL3", "image_url3"),
        HttpParam("imageURL4", "image_url4"),
        HttpParam("imageURL5", "image_url5"),
        HttpParam("colorReferenceFileURL", "color_reference_file_url"),
        HttpParam("additionalResourceFileURL", "additional_resource_file_url"),
        HttpParam("imageRequestedDeliveryTimeInHours", "image_requested_delivery_time_in_hours"),
        HttpParam("imageCallbackURL", "image_callback_url"),
        HttpParam("customerImageId", "customer_image_id"),
        HttpParam("productId", "product_id"),
        HttpParam("customerFolder", "customer_folder"),
        HttpParam("imageDeadlineDateTimeUTC", "image_deadline_date_time_utc"),
        HttpParam("instruction", "instruction"),
        HttpParam("colorwayIds", "colorway_ids", array=True),
    ),
    http_result_element="ImageTicketResponse",
    changes_state=True,
    outcome_lookup=OutcomeLookup(
        key="customer_image_id",
        operation="GetImageStatus",
        method="get_image_status",
        by="customer_image_id",
        fixed=(("image_ticket", "nonticket"),),
        found="image_status",
        result=(("image_ticket", "image_ticket"),),
        source="service.md: GetImageStatus by customerImageId (then imageTicket may be `nonticket`); the image-adding operations return only ImageTicket",
    ),
)

OP_ADD_TEMPLATE: Operation[TemplateIdResponse] = Operation(
    name="AddTemplate",
    python_name="add_template",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/AddTemplate",
        Binding.SOAP12: "http://removethebackground.com/AddTemplate",
    },
    request_element="AddTemplate",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "template_name",
            "templateName",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "text",
                pattern="(?:[^\\W_]|[()\\[\\] ])+",
                message="must be made of letters, digits, brackets and spaces",
                max_length=100,
                source="service.md: name of letters, digits, brackets, spaces; reconstructed: at most 100 characters",
            ),
        ),
        Field(
            "template_output_format",
            "templateOutputFormat",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "choice",
                choices=("JPG", "JPEG", "TIF", "TIFF", "PNG", "PSD"),
                ignore_case=True,
                source="service.md: output format JPG, JPEG, TIF, TIFF, PNG, PSD; reconstructed: any case",
            ),
        ),
        Field(
            "delivery_time_in_hour",
            "deliveryTimeInHour",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "choice",
                choices=("168", "72", "24"),
                numeric=True,
                source="service.md: delivery time in hours (168, 72, 24), listed as the help page lists them",
            ),
        ),
        Field(
            "background_type",
            "backgroundType",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=9,
                source="recorded traffic: 1; reconstructed: a small code 0..9",
            ),
        ),
        Field(
            "background_color",
            "backgroundColor",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "text",
                pattern="#[0-9A-Fa-f]{6}",
                message="is not a valid colour (#RRGGBB)",
                source="recorded traffic: #FFFFFF; reconstructed: #RRGGBB hex",
            ),
        ),
        Field(
            "background_vertical_gradient_color",
            "backgroundVerticalGradientColor",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "text",
                pattern="#[0-9A-Fa-f]{6}",
                message="is not a valid colour (#RRGGBB)",
                source="recorded traffic: #FFFFFF; reconstructed: #RRGGBB hex",
            ),
        ),
        Field(
            "resize_type",
            "resizeType",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "resize_unit",
            "resizeUnit",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "resize_height",
            "resizeHeight",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "resize_width",
            "resizeWidth",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "resize_min_size",
            "resizeMinSize",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "resize_max_size",
            "resizeMaxSize",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "margin_type",
            "marginType",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "margin_top",
            "marginTop",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "margin_bottom",
            "marginBottom",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "margin_left",
            "marginLeft",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "margin_right",
            "marginRight",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "margin_vertical_alignment",
            "marginVerticalAlignment",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "shadow_type",
            "shadowType",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=100000,
                source="recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000",
            ),
        ),
        Field(
            "is_combined_images",
            "isCombinedImages",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "boolean",
                source="recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing)",
            ),
        ),
        Field("callback_url", "callbackUrl", NS, xsd="string", type_name="string"),
        Field("comment", "comment", NS, xsd="string", type_name="string"),
        Field(
            "is_kept_mannequin",
            "isKeptMannequin",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "boolean",
                source="recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing)",
            ),
        ),
        Field(
            "is_kept_model",
            "isKeptModel",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "boolean",
                source="recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing)",
            ),
        ),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="AddTemplateResponse",
    result=Field(
        "add_template_result",
        "AddTemplateResult",
        NS,
        model=TemplateIdResponse,
        type_name="TemplateIdResponse",
    ),
    result_model=TemplateIdResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/AddTemplate",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("templateName", "template_name"),
        HttpParam("templateOutputFormat", "template_output_format"),
        HttpParam("deliveryTimeInHour", "delivery_time_in_hour"),
        HttpParam("backgroundType", "background_type"),
        HttpParam("backgroundColor", "background_color"),
        HttpParam("backgroundVerticalGradientColor", "background_vertical_gradient_color"),
        HttpParam("resizeType", "resize_type"),
        HttpParam("resizeUnit", "resize_unit"),
        HttpParam("resizeHeight", "resize_height"),
        HttpParam("resizeWidth", "resize_width"),
        HttpParam("resizeMinSize", "resize_min_size"),
        HttpParam("resizeMaxSize", "resize_max_size"),
        HttpParam("marginType", "margin_type"),
        HttpParam("marginTop", "margin_top"),
        HttpParam("marginBottom", "margin_bottom"),
        HttpParam("marginLeft", "margin_left"),
        HttpParam("marginRight", "margin_right"),
        HttpParam("marginVerticalAlignment", "margin_vertical_alignment"),
        HttpParam("shadowType", "shadow_type"),
        HttpParam("isCombinedImages", "is_combined_images"),
        HttpParam("callbackUrl", "callback_url"),
        HttpParam("comment", "comment"),
        HttpParam("isKeptMannequin", "is_kept_mannequin"),
        HttpParam("isKeptModel", "is_kept_model"),
    ),
    http_result_element="TemplateIdResponse",
    changes_state=True,
)

OP_DELETE_IMAGE_FROM_QUEUE: Operation[EmptyResponse] = Operation(
    name="DeleteImageFromQueue",
    python_name="delete_image_from_queue",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/DeleteImageFromQueue",
        Binding.SOAP12: "http://removethebackground.com/DeleteImageFromQueue",
    },
    request_element="DeleteImageFromQueue",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "image_ticket",
            "imageTicket",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "guid",
                also=("nonticket",),
                source="reconstructed: the same lookup as GetImageStatus (service.md)",
            ),
        ),
        Field("customer_image_id", "customerImageId", NS, xsd="string", type_name="string"),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="DeleteImageFromQueueResponse",
    result=Field(
        "delete_image_from_queue_result",
        "DeleteImageFromQueueResult",
        NS,
        model=EmptyResponse,
        type_name="EmptyResponse",
    ),
    result_model=EmptyResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/DeleteImageFromQueue",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("imageTicket", "image_ticket"),
        HttpParam("customerImageId", "customer_image_id"),
    ),
    http_result_element="EmptyResponse",
    changes_state=True,
)

OP_EDIT_CONTACT: Operation[EmptyResponse] = Operation(
    name="EditContact",
    python_name="edit_contact",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/EditContact",
        Binding.SOAP12: "http://removethebackground.com/EditContact",
    },
    request_element="EditContact",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field("contact_name", "contactName", NS, xsd="string", type_name="string"),
        Field("contact_company", "contactCompany", NS, xsd="string", type_name="string"),
        Field("contact_address1", "contactAddress1", NS, xsd="string", type_name="string"),
        Field("contact_address2", "contactAddress2", NS, xsd="string", type_name="string"),
        Field("contact_zip_code", "contactZipCode", NS, xsd="string", type_name="string"),
        Field("contact_city", "contactCity", NS, xsd="string", type_name="string"),
        Field("contact_state", "contactState", NS, xsd="string", type_name="string"),
        Field("contact_phone", "contactPhone", NS, xsd="string", type_name="string"),
        Field(
            "timezone_index",
            "timezoneIndex",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=0,
                maximum=200,
                source="reconstructed: an index into the service's time zone list",
            ),
        ),
        Field(
            "billing_email",
            "billingEmail",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "text",
                pattern="[^@\\s]+@[^@\\s]+\\.[^@\\s]+",
                message="is not a valid email address",
                max_length=254,
                source="reconstructed: an email address (at most 254 characters)",
            ),
        ),
        Field("billing_address1", "billingAddress1", NS, xsd="string", type_name="string"),
        Field("billing_address2", "billingAddress2", NS, xsd="string", type_name="string"),
        Field("billing_zip_code", "billingZipCode", NS, xsd="string", type_name="string"),
        Field("billing_city", "billingCity", NS, xsd="string", type_name="string"),
        Field("billing_state", "billingState", NS, xsd="string", type_name="string"),
        Field("eu_vat_number", "euVatNumber", NS, xsd="string", type_name="string"),
        Field(
            "is_received_newslater",
            "isReceivedNewslater",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "boolean",
                source="recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing)",
            ),
        ),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="EditContactResponse",
    result=Field(
        "edit_contact_result",
        "EditContactResult",
        NS,
        model=EmptyResponse,
        type_name="EmptyResponse",
    ),
    result_model=EmptyResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/EditContact",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("contactName", "contact_name"),
        HttpParam("contactCompany", "contact_company"),
        HttpParam("contactAddress1", "contact_address1"),
        HttpParam("contactAddress2", "contact_address2"),
        HttpParam("contactZipCode", "contact_zip_code"),
        HttpParam("contactCity", "contact_city"),
        HttpParam("contactState", "contact_state"),
        HttpParam("contactPhone", "contact_phone"),
        HttpParam("timezoneIndex", "timezone_index"),
        HttpParam("billingEmail", "billing_email"),
        HttpParam("billingAddress1", "billing_address1"),
        HttpParam("billingAddress2", "billing_address2"),
        HttpParam("billingZipCode", "billing_zip_code"),
        HttpParam("billingCity", "billing_city"),
        HttpParam("billingState", "billing_state"),
        HttpParam("euVatNumber", "eu_vat_number"),
        HttpParam("isReceivedNewslater", "is_received_newslater"),
    ),
    http_result_element="EmptyResponse",
    changes_state=True,
)

OP_GET_CONTACT_DETAILED: Operation[ContactDetailedResponse] = Operation(
    name="GetContactDetailed",
    python_name="get_contact_detailed",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/GetContactDetailed",
        Binding.SOAP12: "http://removethebackground.com/GetContactDetailed",
    },
    request_element="GetContactDetailed",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="GetContactDetailedResponse",
    result=Field(
        "get_contact_detailed_result",
        "GetContactDetailedResult",
        NS,
        model=ContactDetailedResponse,
        type_name="ContactDetailedResponse",
    ),
    result_model=ContactDetailedResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/GetContactDetailed",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
    ),
    http_result_element="ContactDetailedResponse",
    changes_state=False,
)

OP_GET_IMAGE_STATUS: Operation[ImageStatusResponse] = Operation(
    name="GetImageStatus",
    python_name="get_image_status",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/GetImageStatus",
        Binding.SOAP12: "http://removethebackground.com/GetImageStatus",
    },
    request_element="GetImageStatus",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "image_ticket",
            "imageTicket",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "guid",
                also=("nonticket",),
                source="service.md: imageTicket, or `nonticket` with customerImageId; recorded traffic: 'imageTicket is not a valid GUID'",
            ),
        ),
        Field("customer_image_id", "customerImageId", NS, xsd="string", type_name="string"),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="GetImageStatusResponse",
    result=Field(
        "get_image_status_result",
        "GetImageStatusResult",
        NS,
        model=ImageStatusResponse,
        type_name="ImageStatusResponse",
    ),
    result_model=ImageStatusResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/GetImageStatus",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("imageTicket", "image_ticket"),
        HttpParam("customerImageId", "customer_image_id"),
    ),
    http_result_element="ImageStatusResponse",
    changes_state=False,
)

OP_GET_IMAGES_LIST: Operation[ImagesListResponse] = Operation(
    name="GetImagesList",
    python_name="get_images_list",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/GetImagesList",
        Binding.SOAP12: "http://removethebackground.com/GetImagesList",
    },
    request_element="GetImagesList",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "image_status",
            "imageStatus",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "choice",
                choices=("10", "50", "60", "70", "80"),
                numeric=True,
                source="service.md: 10 New, 60 In Production, 70 Production Finished, 80 Delivered; 50 On Hold is reconstructed (the sandbox's status for an image it cannot fetch)",
            ),
        ),
        Field(
            "exclude_image_status",
            "excludeImageStatus",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "choice",
                choices=("10", "50", "60", "70", "80"),
                numeric=True,
                source="service.md: 10 New, 60 In Production, 70 Production Finished, 80 Delivered; 50 On Hold is reconstructed (the sandbox's status for an image it cannot fetch)",
            ),
        ),
        Field("product_id", "productId", NS, xsd="string", type_name="string"),
        Field(
            "from_date",
            "fromDate",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint("date", source="service.md: date range YYYY-MM-DD"),
        ),
        Field(
            "to_date",
            "toDate",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint("date", source="service.md: date range YYYY-MM-DD"),
        ),
        Field(
            "page",
            "page",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=1,
                source="reconstructed: pages count from 1; recorded traffic sends page 1 and 2",
            ),
        ),
        Field(
            "images_per_page",
            "imagesPerPage",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=1,
                maximum=100,
                source="service.md: imagesPerPage at most 100; recorded traffic sends 10 and 1",
            ),
        ),
        Field(
            "sort_by",
            "sortBy",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "choice",
                choices=("id", "date", "status"),
                ignore_case=True,
                source="service.md: sortBy id, date or status; reconstructed: any case",
            ),
        ),
        Field(
            "is_descending",
            "isDescending",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "boolean",
                source="service.md: isDescending true or false; recorded traffic: lower case",
            ),
        ),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="GetImagesListResponse",
    result=Field(
        "get_images_list_result",
        "GetImagesListResult",
        NS,
        model=ImagesListResponse,
        type_name="ImagesListResponse",
    ),
    result_model=ImagesListResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/GetImagesList",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("imageStatus", "image_status"),
        HttpParam("excludeImageStatus", "exclude_image_status"),
        HttpParam("productId", "product_id"),
        HttpParam("fromDate", "from_date"),
        HttpParam("toDate", "to_date"),
        HttpParam("page", "page"),
        HttpParam("imagesPerPage", "images_per_page"),
        HttpParam("sortBy", "sort_by"),
        HttpParam("isDescending", "is_descending"),
    ),
    http_result_element="ImagesListResponse",
    changes_state=False,
)

OP_GET_INVOICE_LIST: Operation[InvoiceListResponse] = Operation(
    name="GetInvoiceList",
    python_name="get_invoice_list",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/GetInvoiceList",
        Binding.SOAP12: "http://removethebackground.com/GetInvoiceList",
    },
    request_element="GetInvoiceList",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "from_date",
            "fromDate",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint("date", source="service.md: date range YYYY-MM-DD"),
        ),
        Field(
            "to_date",
            "toDate",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint("date", source="service.md: date range YYYY-MM-DD"),
        ),
        Field(
            "page",
            "page",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=1,
                source="reconstructed: pages count from 1; recorded traffic sends page 1 and 2",
            ),
        ),
        Field("return_url", "returnUrl", NS, xsd="string", type_name="string"),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="GetInvoiceListResponse",
    result=Field(
        "get_invoice_list_result",
        "GetInvoiceListResult",
        NS,
        model=InvoiceListResponse,
        type_name="InvoiceListResponse",
    ),
    result_model=InvoiceListResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/GetInvoiceList",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("fromDate", "from_date"),
        HttpParam("toDate", "to_date"),
        HttpParam("page", "page"),
        HttpParam("returnUrl", "return_url"),
    ),
    http_result_element="InvoiceListResponse",
    changes_state=False,
)

OP_GET_PRODUCT_IDS_LIST: Operation[ProductIdsListResponse] = Operation(
    name="GetProductIdsList",
    python_name="get_product_ids_list",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/GetProductIdsList",
        Binding.SOAP12: "http://removethebackground.com/GetProductIdsList",
    },
    request_element="GetProductIdsList",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "page",
            "page",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=1,
                source="reconstructed: pages count from 1; recorded traffic sends page 1 and 2",
            ),
        ),
        Field(
            "product_ids_per_page",
            "productIdsPerPage",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=1,
                maximum=100,
                source="reconstructed: as imagesPerPage (service.md: at most 100)",
            ),
        ),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="GetProductIdsListResponse",
    result=Field(
        "get_product_ids_list_result",
        "GetProductIdsListResult",
        NS,
        model=ProductIdsListResponse,
        type_name="ProductIdsListResponse",
    ),
    result_model=ProductIdsListResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/GetProductIdsList",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("page", "page"),
        HttpParam("productIdsPerPage", "product_ids_per_page"),
    ),
    http_result_element="ProductIdsListResponse",
    changes_state=False,
)

OP_GET_TEMPLATE_SPEC: Operation[TemplateSpecResponse] = Operation(
    name="GetTemplateSpec",
    python_name="get_template_spec",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/GetTemplateSpec",
        Binding.SOAP12: "http://removethebackground.com/GetTemplateSpec",
    },
    request_element="GetTemplateSpec",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "template_id",
            "templateId",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "integer",
                minimum=1,
                source="recorded traffic: templates 1001 and 1002; reconstructed: ids are positive",
            ),
        ),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="GetTemplateSpecResponse",
    result=Field(
        "get_template_spec_result",
        "GetTemplateSpecResult",
        NS,
        model=TemplateSpecResponse,
        type_name="TemplateSpecResponse",
    ),
    result_model=TemplateSpecResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/GetTemplateSpec",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("templateId", "template_id"),
    ),
    http_result_element="TemplateSpecResponse",
    changes_state=False,
)

OP_GET_TEMPLATES: Operation[TemplatesResponse] = Operation(
    name="GetTemplates",
    python_name="get_templates",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/GetTemplates",
        Binding.SOAP12: "http://removethebackground.com/GetTemplates",
    },
    request_element="GetTemplates",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="GetTemplatesResponse",
    result=Field(
        "get_templates_result",
        "GetTemplatesResult",
        NS,
        model=TemplatesResponse,
        type_name="TemplatesResponse",
    ),
    result_model=TemplatesResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/GetTemplates",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
    ),
    http_result_element="TemplatesResponse",
    changes_state=False,
)

OP_REJECT_PROCESSED_IMAGE: Operation[EmptyResponse] = Operation(
    name="RejectProcessedImage",
    python_name="reject_processed_image",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/RejectProcessedImage",
        Binding.SOAP12: "http://removethebackground.com/RejectProcessedImage",
    },
    request_element="RejectProcessedImage",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field(
            "image_ticket",
            "imageTicket",
            NS,
            xsd="string",
            type_name="string",
            constraint=Constraint(
                "guid",
                also=("nonticket",),
                source="reconstructed: the same lookup as GetImageStatus (service.md)",
            ),
        ),
        Field("comment", "comment", NS, xsd="string", type_name="string"),
        Field("customer_image_id", "customerImageId", NS, xsd="string", type_name="string"),
        Field("markup_image_url", "markupImageUrl", NS, xsd="string", type_name="string"),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="RejectProcessedImageResponse",
    result=Field(
        "reject_processed_image_result",
        "RejectProcessedImageResult",
        NS,
        model=EmptyResponse,
        type_name="EmptyResponse",
    ),
    result_model=EmptyResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/RejectProcessedImage",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("imageTicket", "image_ticket"),
        HttpParam("comment", "comment"),
        HttpParam("customerImageId", "customer_image_id"),
        HttpParam("markupImageUrl", "markup_image_url"),
    ),
    http_result_element="EmptyResponse",
    changes_state=True,
)

OP_WHITE_GLOVE_SERVICE: Operation[ImageTicketResponse] = Operation(
    name="WhiteGloveService",
    python_name="white_glove_service",
    namespace=NS,
    soap_actions={
        Binding.SOAP11: "http://removethebackground.com/WhiteGloveService",
        Binding.SOAP12: "http://removethebackground.com/WhiteGloveService",
    },
    request_element="WhiteGloveService",
    params=(
        Field("contact_email", "contactEmail", NS, xsd="string", type_name="string"),
        Field("contact_api_key", "contactAPIkey", NS, xsd="string", type_name="string"),
        Field("developer_api_key", "developerAPIkey", NS, xsd="string", type_name="string"),
        Field("image_url", "imageURL", NS, xsd="string", type_name="string"),
        Field("image_url2", "imageURL2", NS, xsd="string", type_name="string"),
        Field("image_url3", "imageURL3", NS, xsd="string", type_name="string"),
        Field("image_url4", "imageURL4", NS, xsd="string", type_name="string"),
        Field("image_url5", "imageURL5", NS, xsd="string", type_name="string"),
        Field(
            "color_reference_file_url",
            "colorReferenceFileURL",
            NS,
            xsd="string",
            type_name="string",
        ),
        Field("image_callback_url", "imageCallbackURL", NS, xsd="string", type_name="string"),
        Field("customer_image_id", "customerImageId", NS, xsd="string", type_name="string"),
        Field("product_id", "productId", NS, xsd="string", type_name="string"),
        Field("customer_folder", "customerFolder", NS, xsd="string", type_name="string"),
    ),
    credential_params=("contactEmail", "contactAPIkey"),
    response_element="WhiteGloveServiceResponse",
    result=Field(
        "white_glove_service_result",
        "WhiteGloveServiceResult",
        NS,
        model=ImageTicketResponse,
        type_name="ImageTicketResponse",
    ),
    result_model=ImageTicketResponse,
    bindings=frozenset(
        (
            Binding.SOAP11,
            Binding.SOAP12,
            Binding.HTTP_GET,
            Binding.HTTP_POST,
        )
    ),
    http_location="/WhiteGloveService",
    http_params=(
        HttpParam("contactEmail", "contact_email"),
        HttpParam("contactAPIkey", "contact_api_key"),
        HttpParam("developerAPIkey", "developer_api_key"),
        HttpParam("imageURL", "image_url"),
        HttpParam("imageURL2", "image_url2"),
        HttpParam("imageURL3", "image_url3"),
        HttpParam("imageURL4", "image_url4"),
        HttpParam("imageURL5", "image_url5"),
        HttpParam("colorReferenceFileURL", "color_reference_file_url"),
        HttpParam("imageCallbackURL", "image_callback_url"),
        HttpParam("customerImageId", "customer_image_id"),
        HttpParam("productId", "product_id"),
        HttpParam("customerFolder", "customer_folder"),
    ),
    http_result_element="ImageTicketResponse",
    changes_state=True,
    outcome_lookup=OutcomeLookup(
        key="customer_image_id",
        operation="GetImageStatus",
        method="get_image_status",
        by="customer_image_id",
        fixed=(("image_ticket", "nonticket"),),
        found="image_status",
        result=(("image_ticket", "image_ticket"),),
        source="service.md: GetImageStatus by customerImageId (then imageTicket may be `nonticket`); the image-adding operations return only ImageTicket",
    ),
)

SERVICE = Service(
    name="soap",
    namespace=NS,
    wsdl_resource="wsdl/pixelz/pixelz.wsdl",
    default_endpoints={
        Binding.SOAP11: "https://api.pixelz.com/soap.asmx",
        Binding.SOAP12: "https://api.pixelz.com/soap.asmx",
        Binding.HTTP_GET: "https://api.pixelz.com/soap.asmx",
        Binding.HTTP_POST: "https://api.pixelz.com/soap.asmx",
    },
    operations={
        "AddImageToQueue": OP_ADD_IMAGE_TO_QUEUE,
        "AddImageWithInstructionToQueue": OP_ADD_IMAGE_WITH_INSTRUCTION_TO_QUEUE,
        "AddPartnerImageToQueue": OP_ADD_PARTNER_IMAGE_TO_QUEUE,
        "AddStackImageToQueue": OP_ADD_STACK_IMAGE_TO_QUEUE,
        "AddTemplate": OP_ADD_TEMPLATE,
        "DeleteImageFromQueue": OP_DELETE_IMAGE_FROM_QUEUE,
        "EditContact": OP_EDIT_CONTACT,
        "GetContactDetailed": OP_GET_CONTACT_DETAILED,
        "GetImageStatus": OP_GET_IMAGE_STATUS,
        "GetImagesList": OP_GET_IMAGES_LIST,
        "GetInvoiceList": OP_GET_INVOICE_LIST,
        "GetProductIdsList": OP_GET_PRODUCT_IDS_LIST,
        "GetTemplateSpec": OP_GET_TEMPLATE_SPEC,
        "GetTemplates": OP_GET_TEMPLATES,
        "RejectProcessedImage": OP_REJECT_PROCESSED_IMAGE,
        "WhiteGloveService": OP_WHITE_GLOVE_SERVICE,
    },
    models=(
        MarkerInfo,
        ColorChangeRequest,
        ImageTicketResponse,
        TemplateIdResponse,
        EmptyResponse,
        Money,
        Contact,
        ContactDetailedResponse,
        ImageStatus,
        ImageStatusResponse,
        ImagesListResponse,
        Invoice,
        InvoiceListResponse,
        ProductIdStatistic,
        ProductIdsListResponse,
        TemplateSpec,
        TemplateSpecResponse,
        Template,
        TemplatesResponse,
    ),
)


class PixelzClient(ServiceClient):
    """Client of ``soap`` (http://removethebackground.com/), from ``wsdl/pixelz/pixelz.wsdl``.

    Construction and bindings are described on :class:`ServiceClient`.
    """

    SERVICE = SERVICE

    def add_image_to_queue(
        self,
        *,
        developer_api_key: str | None = None,
        template_id: int | str | None = None,
        image_url: str | None = None,
        image_url2: str | None = None,
        image_url3: str | None = None,
        image_url4: str | None = None,
        image_url5: str | None = None,
        color_reference_file_url: str | None = None,
        additional_resource_file_url: str | None = None,
        additional_resource_file_urls: list[str | None] | None = None,
        image_requested_delivery_time_in_hours: Literal[24, 72, 168] | str | None = None,
        image_callback_url: str | None = None,
        customer_image_id: str | None = None,
        product_id: str | None = None,
        customer_folder: str | None = None,
        image_deadline_date_time_utc: datetime.datetime | str | None = None,
        instruction: str | None = None,
        colorway_ids: list[int] | None = None,
        color_change_requests: list[ColorChangeRequest | None] | None = None,
    ) -> ImageTicketResponse:
        """Call ``AddImageToQueue``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/AddImageToQueue``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/AddImageToQueue``
        Bindings: SOAP 1.1, SOAP 1.2.
        Not offered on HTTP GET, HTTP POST: calling it there raises UnsupportedBindingError before anything is sent.
        Returns the ``AddImageToQueueResult`` element as :class:`ImageTicketResponse`.

        Parameters (XML element names):
        - ``developer_api_key``: ``developerAPIkey`` (string) [0..1]
        - ``template_id``: ``templateId`` (string) [0..1]; whole number 1.. (source: recorded traffic: templates 1001 and 1002; reconstructed: ids are positive)
        - ``image_url``: ``imageURL`` (string) [0..1]
        - ``image_url2``: ``imageURL2`` (string) [0..1]
        - ``image_url3``: ``imageURL3`` (string) [0..1]
        - ``image_url4``: ``imageURL4`` (string) [0..1]
        - ``image_url5``: ``imageURL5`` (string) [0..1]
        - ``color_reference_file_url``: ``colorReferenceFileURL`` (string) [0..1]
        - ``additional_resource_file_url``: ``additionalResourceFileURL`` (string) [0..1]
        - ``additional_resource_file_urls``: ``additionalResourceFileURLs`` (ArrayOfString of string) [0..1]
        - ``image_requested_delivery_time_in_hours``: ``imageRequestedDeliveryTimeInHours`` (string) [0..1]; one of 24, 72, 168 (source: service.md: delivery time in hours 168, 72 or 24)
        - ``image_callback_url``: ``imageCallbackURL`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``product_id``: ``productId`` (string) [0..1]
        - ``customer_folder``: ``customerFolder`` (string) [0..1]
        - ``image_deadline_date_time_utc``: ``imageDeadlineDateTimeUTC`` (string) [0..1]; date and time yyyy-MM-dd HH:mm:ss (UTC), at least 24 hours ahead (source: service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead)
        - ``instruction``: ``instruction`` (string) [0..1]
        - ``colorway_ids``: ``colorwayIds`` (ArrayOfInt of int) [0..1]
        - ``color_change_requests``: ``colorChangeRequests`` (ArrayOfColorChangeRequest of ColorChangeRequest) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_ADD_IMAGE_TO_QUEUE,
            {
                "developer_api_key": developer_api_key,
                "template_id": template_id,
                "image_url": image_url,
                "image_url2": image_url2,
                "image_url3": image_url3,
                "image_url4": image_url4,
                "image_url5": image_url5,
                "color_reference_file_url": color_reference_file_url,
                "additional_resource_file_url": additional_resource_file_url,
                "additional_resource_file_urls": additional_resource_file_urls,
                "image_requested_delivery_time_in_hours": image_requested_delivery_time_in_hours,
                "image_callback_url": image_callback_url,
                "customer_image_id": customer_image_id,
                "product_id": product_id,
                "customer_folder": customer_folder,
                "image_deadline_date_time_utc": image_deadline_date_time_utc,
                "instruction": instruction,
                "colorway_ids": colorway_ids,
                "color_change_requests": color_change_requests,
            },
        )

    def add_image_with_instruction_to_queue(
        self,
        *,
        developer_api_key: str | None = None,
        template_id: int | str | None = None,
        image_url: str | None = None,
        image_url2: str | None = None,
        image_url3: str | None = None,
        image_url4: str | None = None,
        image_url5: str | None = None,
        additional_resource_file_url: str | None = None,
        additional_resource_file_url2: str | None = None,
        additional_resource_file_url3: str | None = None,
        additional_resource_file_url4: str | None = None,
        additional_resource_file_url5: str | None = None,
        image_requested_delivery_time_in_hours: Literal[24, 72, 168] | str | None = None,
        image_callback_url: str | None = None,
        customer_image_id: str | None = None,
        product_id: str | None = None,
        customer_folder: str | None = None,
        image_deadline_date_time_utc: datetime.datetime | str | None = None,
        instruction: str | None = None,
        colorway_ids: list[int] | None = None,
        additional_resource_file_urls: list[str | None] | None = None,
    ) -> ImageTicketResponse:
        """Call ``AddImageWithInstructionToQueue``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/AddImageWithInstructionToQueue``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/AddImageWithInstructionToQueue``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/AddImageWithInstructionToQueue``; answer root ``ImageTicketResponse``.
        Returns the ``AddImageWithInstructionToQueueResult`` element as :class:`ImageTicketResponse`.

        Parameters (XML element names):
        - ``developer_api_key``: ``developerAPIkey`` (string) [0..1]
        - ``template_id``: ``templateId`` (string) [0..1]; whole number 1.. (source: recorded traffic: templates 1001 and 1002; reconstructed: ids are positive)
        - ``image_url``: ``imageURL`` (string) [0..1]
        - ``image_url2``: ``imageURL2`` (string) [0..1]
        - ``image_url3``: ``imageURL3`` (string) [0..1]
        - ``image_url4``: ``imageURL4`` (string) [0..1]
        - ``image_url5``: ``imageURL5`` (string) [0..1]
        - ``additional_resource_file_url``: ``additionalResourceFileURL`` (string) [0..1]
        - ``additional_resource_file_url2``: ``additionalResourceFileURL2`` (string) [0..1]
        - ``additional_resource_file_url3``: ``additionalResourceFileURL3`` (string) [0..1]
        - ``additional_resource_file_url4``: ``additionalResourceFileURL4`` (string) [0..1]
        - ``additional_resource_file_url5``: ``additionalResourceFileURL5`` (string) [0..1]
        - ``image_requested_delivery_time_in_hours``: ``imageRequestedDeliveryTimeInHours`` (string) [0..1]; one of 24, 72, 168 (source: service.md: delivery time in hours 168, 72 or 24)
        - ``image_callback_url``: ``imageCallbackURL`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``product_id``: ``productId`` (string) [0..1]
        - ``customer_folder``: ``customerFolder`` (string) [0..1]
        - ``image_deadline_date_time_utc``: ``imageDeadlineDateTimeUTC`` (string) [0..1]; date and time yyyy-MM-dd HH:mm:ss (UTC), at least 24 hours ahead (source: service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead)
        - ``instruction``: ``instruction`` (string) [0..1]
        - ``colorway_ids``: ``colorwayIds`` (ArrayOfInt of int) [0..1]
        - ``additional_resource_file_urls``: ``additionalResourceFileURLs`` (ArrayOfString of string) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_ADD_IMAGE_WITH_INSTRUCTION_TO_QUEUE,
            {
                "developer_api_key": developer_api_key,
                "template_id": template_id,
                "image_url": image_url,
                "image_url2": image_url2,
                "image_url3": image_url3,
                "image_url4": image_url4,
                "image_url5": image_url5,
                "additional_resource_file_url": additional_resource_file_url,
                "additional_resource_file_url2": additional_resource_file_url2,
                "additional_resource_file_url3": additional_resource_file_url3,
                "additional_resource_file_url4": additional_resource_file_url4,
                "additional_resource_file_url5": additional_resource_file_url5,
                "image_requested_delivery_time_in_hours": image_requested_delivery_time_in_hours,
                "image_callback_url": image_callback_url,
                "customer_image_id": customer_image_id,
                "product_id": product_id,
                "customer_folder": customer_folder,
                "image_deadline_date_time_utc": image_deadline_date_time_utc,
                "instruction": instruction,
                "colorway_ids": colorway_ids,
                "additional_resource_file_urls": additional_resource_file_urls,
            },
        )

    def add_partner_image_to_queue(
        self,
        *,
        application_code: str | None = None,
        template_id: int | str | None = None,
        image_url: str | None = None,
        image_url2: str | None = None,
        image_url3: str | None = None,
        image_url4: str | None = None,
        image_url5: str | None = None,
        additional_resource_file_url: str | None = None,
        image_requested_delivery_time_in_hours: Literal[24, 72, 168] | str | None = None,
        image_callback_url: str | None = None,
        customer_image_id: str | None = None,
        product_id: str | None = None,
        customer_folder: str | None = None,
        image_deadline_date_time_utc: datetime.datetime | str | None = None,
    ) -> ImageTicketResponse:
        """Call ``AddPartnerImageToQueue``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/AddPartnerImageToQueue``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/AddPartnerImageToQueue``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/AddPartnerImageToQueue``; answer root ``ImageTicketResponse``.
        Returns the ``AddPartnerImageToQueueResult`` element as :class:`ImageTicketResponse`.

        Parameters (XML element names):
        - ``application_code``: ``applicationCode`` (string) [0..1]
        - ``template_id``: ``templateId`` (string) [0..1]; whole number 1.. (source: recorded traffic: templates 1001 and 1002; reconstructed: ids are positive)
        - ``image_url``: ``imageURL`` (string) [0..1]
        - ``image_url2``: ``imageURL2`` (string) [0..1]
        - ``image_url3``: ``imageURL3`` (string) [0..1]
        - ``image_url4``: ``imageURL4`` (string) [0..1]
        - ``image_url5``: ``imageURL5`` (string) [0..1]
        - ``additional_resource_file_url``: ``additionalResourceFileURL`` (string) [0..1]
        - ``image_requested_delivery_time_in_hours``: ``imageRequestedDeliveryTimeInHours`` (string) [0..1]; one of 24, 72, 168 (source: service.md: delivery time in hours 168, 72 or 24)
        - ``image_callback_url``: ``imageCallbackURL`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``product_id``: ``productId`` (string) [0..1]
        - ``customer_folder``: ``customerFolder`` (string) [0..1]
        - ``image_deadline_date_time_utc``: ``imageDeadlineDateTimeUTC`` (string) [0..1]; date and time yyyy-MM-dd HH:mm:ss (UTC), at least 24 hours ahead (source: service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead)

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_ADD_PARTNER_IMAGE_TO_QUEUE,
            {
                "application_code": application_code,
                "template_id": template_id,
                "image_url": image_url,
                "image_url2": image_url2,
                "image_url3": image_url3,
                "image_url4": image_url4,
                "image_url5": image_url5,
                "additional_resource_file_url": additional_resource_file_url,
                "image_requested_delivery_time_in_hours": image_requested_delivery_time_in_hours,
                "image_callback_url": image_callback_url,
                "customer_image_id": customer_image_id,
                "product_id": product_id,
                "customer_folder": customer_folder,
                "image_deadline_date_time_utc": image_deadline_date_time_utc,
            },
        )

    def add_stack_image_to_queue(
        self,
        *,
        developer_api_key: str | None = None,
        template_id: int | str | None = None,
        image_url: str | None = None,
        image_url2: str | None = None,
        image_url3: str | None = None,
        image_url4: str | None = None,
        image_url5: str | None = None,
        color_reference_file_url: str | None = None,
        additional_resource_file_url: str | None = None,
        image_requested_delivery_time_in_hours: Literal[24, 72, 168] | str | None = None,
        image_callback_url: str | None = None,
        customer_image_id: str | None = None,
        product_id: str | None = None,
        customer_folder: str | None = None,
        image_deadline_date_time_utc: datetime.datetime | str | None = None,
        instruction: str | None = None,
        colorway_ids: list[int] | None = None,
    ) -> ImageTicketResponse:
        """Call ``AddStackImageToQueue``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/AddStackImageToQueue``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/AddStackImageToQueue``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/AddStackImageToQueue``; answer root ``ImageTicketResponse``.
        Returns the ``AddStackImageToQueueResult`` element as :class:`ImageTicketResponse`.

        Parameters (XML element names):
        - ``developer_api_key``: ``developerAPIkey`` (string) [0..1]
        - ``template_id``: ``templateId`` (string) [0..1]; whole number 1.. (source: recorded traffic: templates 1001 and 1002; reconstructed: ids are positive)
        - ``image_url``: ``imageURL`` (string) [0..1]
        - ``image_url2``: ``imageURL2`` (string) [0..1]
        - ``image_url3``: ``imageURL3`` (string) [0..1]
        - ``image_url4``: ``imageURL4`` (string) [0..1]
        - ``image_url5``: ``imageURL5`` (string) [0..1]
        - ``color_reference_file_url``: ``colorReferenceFileURL`` (string) [0..1]
        - ``additional_resource_file_url``: ``additionalResourceFileURL`` (string) [0..1]
        - ``image_requested_delivery_time_in_hours``: ``imageRequestedDeliveryTimeInHours`` (string) [0..1]; one of 24, 72, 168 (source: service.md: delivery time in hours 168, 72 or 24)
        - ``image_callback_url``: ``imageCallbackURL`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``product_id``: ``productId`` (string) [0..1]
        - ``customer_folder``: ``customerFolder`` (string) [0..1]
        - ``image_deadline_date_time_utc``: ``imageDeadlineDateTimeUTC`` (string) [0..1]; date and time yyyy-MM-dd HH:mm:ss (UTC), at least 24 hours ahead (source: service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead)
        - ``instruction``: ``instruction`` (string) [0..1]
        - ``colorway_ids``: ``colorwayIds`` (ArrayOfInt of int) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_ADD_STACK_IMAGE_TO_QUEUE,
            {
                "developer_api_key": developer_api_key,
                "template_id": template_id,
                "image_url": image_url,
                "image_url2": image_url2,
                "image_url3": image_url3,
                "image_url4": image_url4,
                "image_url5": image_url5,
                "color_reference_file_url": color_reference_file_url,
                "additional_resource_file_url": additional_resource_file_url,
                "image_requested_delivery_time_in_hours": image_requested_delivery_time_in_hours,
                "image_callback_url": image_callback_url,
                "customer_image_id": customer_image_id,
                "product_id": product_id,
                "customer_folder": customer_folder,
                "image_deadline_date_time_utc": image_deadline_date_time_utc,
                "instruction": instruction,
                "colorway_ids": colorway_ids,
            },
        )

    def add_template(
        self,
        *,
        template_name: str | None = None,
        template_output_format: Literal["JPG", "JPEG", "TIF", "TIFF", "PNG", "PSD"]
        | str
        | None = None,
        delivery_time_in_hour: Literal[168, 72, 24] | str | None = None,
        background_type: int | str | None = None,
        background_color: str | None = None,
        background_vertical_gradient_color: str | None = None,
        resize_type: int | str | None = None,
        resize_unit: int | str | None = None,
        resize_height: int | str | None = None,
        resize_width: int | str | None = None,
        resize_min_size: int | str | None = None,
        resize_max_size: int | str | None = None,
        margin_type: int | str | None = None,
        margin_top: int | str | None = None,
        margin_bottom: int | str | None = None,
        margin_left: int | str | None = None,
        margin_right: int | str | None = None,
        margin_vertical_alignment: int | str | None = None,
        shadow_type: int | str | None = None,
        is_combined_images: bool | str | None = None,
        callback_url: str | None = None,
        comment: str | None = None,
        is_kept_mannequin: bool | str | None = None,
        is_kept_model: bool | str | None = None,
    ) -> TemplateIdResponse:
        """Call ``AddTemplate``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/AddTemplate``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/AddTemplate``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/AddTemplate``; answer root ``TemplateIdResponse``.
        Returns the ``AddTemplateResult`` element as :class:`TemplateIdResponse`.

        Parameters (XML element names):
        - ``template_name``: ``templateName`` (string) [0..1]; text matching (?:[^\\W_]|[()\\[\\] ])+, at most 100 characters (source: service.md: name of letters, digits, brackets, spaces; reconstructed: at most 100 characters)
        - ``template_output_format``: ``templateOutputFormat`` (string) [0..1]; one of JPG, JPEG, TIF, TIFF, PNG, PSD (any case) (source: service.md: output format JPG, JPEG, TIF, TIFF, PNG, PSD; reconstructed: any case)
        - ``delivery_time_in_hour``: ``deliveryTimeInHour`` (string) [0..1]; one of 168, 72, 24 (source: service.md: delivery time in hours (168, 72, 24), listed as the help page lists them)
        - ``background_type``: ``backgroundType`` (string) [0..1]; whole number 0..9 (source: recorded traffic: 1; reconstructed: a small code 0..9)
        - ``background_color``: ``backgroundColor`` (string) [0..1]; text matching #[0-9A-Fa-f]{6} (source: recorded traffic: #FFFFFF; reconstructed: #RRGGBB hex)
        - ``background_vertical_gradient_color``: ``backgroundVerticalGradientColor`` (string) [0..1]; text matching #[0-9A-Fa-f]{6} (source: recorded traffic: #FFFFFF; reconstructed: #RRGGBB hex)
        - ``resize_type``: ``resizeType`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``resize_unit``: ``resizeUnit`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``resize_height``: ``resizeHeight`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``resize_width``: ``resizeWidth`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``resize_min_size``: ``resizeMinSize`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``resize_max_size``: ``resizeMaxSize`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_type``: ``marginType`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_top``: ``marginTop`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_bottom``: ``marginBottom`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_left``: ``marginLeft`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_right``: ``marginRight`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_vertical_alignment``: ``marginVerticalAlignment`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``shadow_type``: ``shadowType`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``is_combined_images``: ``isCombinedImages`` (string) [0..1]; true or false (source: recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing))
        - ``callback_url``: ``callbackUrl`` (string) [0..1]
        - ``comment``: ``comment`` (string) [0..1]
        - ``is_kept_mannequin``: ``isKeptMannequin`` (string) [0..1]; true or false (source: recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing))
        - ``is_kept_model``: ``isKeptModel`` (string) [0..1]; true or false (source: recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing))

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_ADD_TEMPLATE,
            {
                "template_name": template_name,
                "template_output_format": template_output_format,
                "delivery_time_in_hour": delivery_time_in_hour,
                "background_type": background_type,
                "background_color": background_color,
                "background_vertical_gradient_color": background_vertical_gradient_color,
                "resize_type": resize_type,
                "resize_unit": resize_unit,
                "resize_height": resize_height,
                "resize_width": resize_width,
                "resize_min_size": resize_min_size,
                "resize_max_size": resize_max_size,
                "margin_type": margin_type,
                "margin_top": margin_top,
                "margin_bottom": margin_bottom,
                "margin_left": margin_left,
                "margin_right": margin_right,
                "margin_vertical_alignment": margin_vertical_alignment,
                "shadow_type": shadow_type,
                "is_combined_images": is_combined_images,
                "callback_url": callback_url,
                "comment": comment,
                "is_kept_mannequin": is_kept_mannequin,
                "is_kept_model": is_kept_model,
            },
        )

    def delete_image_from_queue(
        self,
        *,
        image_ticket: uuid.UUID | str | None = None,
        customer_image_id: str | None = None,
    ) -> EmptyResponse:
        """Call ``DeleteImageFromQueue``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/DeleteImageFromQueue``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/DeleteImageFromQueue``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/DeleteImageFromQueue``; answer root ``EmptyResponse``.
        Returns the ``DeleteImageFromQueueResult`` element as :class:`EmptyResponse`.

        Parameters (XML element names):
        - ``image_ticket``: ``imageTicket`` (string) [0..1]; GUID or 'nonticket' (source: reconstructed: the same lookup as GetImageStatus (service.md))
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_DELETE_IMAGE_FROM_QUEUE,
            {"image_ticket": image_ticket, "customer_image_id": customer_image_id},
        )

    def edit_contact(
        self,
        *,
        contact_name: str | None = None,
        contact_company: str | None = None,
        contact_address1: str | None = None,
        contact_address2: str | None = None,
        contact_zip_code: str | None = None,
        contact_city: str | None = None,
        contact_state: str | None = None,
        contact_phone: str | None = None,
        timezone_index: int | str | None = None,
        billing_email: str | None = None,
        billing_address1: str | None = None,
        billing_address2: str | None = None,
        billing_zip_code: str | None = None,
        billing_city: str | None = None,
        billing_state: str | None = None,
        eu_vat_number: str | None = None,
        is_received_newslater: bool | str | None = None,
    ) -> EmptyResponse:
        """Call ``EditContact``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/EditContact``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/EditContact``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/EditContact``; answer root ``EmptyResponse``.
        Returns the ``EditContactResult`` element as :class:`EmptyResponse`.

        Parameters (XML element names):
        - ``contact_name``: ``contactName`` (string) [0..1]
        - ``contact_company``: ``contactCompany`` (string) [0..1]
        - ``contact_address1``: ``contactAddress1`` (string) [0..1]
        - ``contact_address2``: ``contactAddress2`` (string) [0..1]
        - ``contact_zip_code``: ``contactZipCode`` (string) [0..1]
        - ``contact_city``: ``contactCity`` (string) [0..1]
        - ``contact_state``: ``contactState`` (string) [0..1]
        - ``contact_phone``: ``contactPhone`` (string) [0..1]
        - ``timezone_index``: ``timezoneIndex`` (string) [0..1]; whole number 0..200 (source: reconstructed: an index into the service's time zone list)
        - ``billing_email``: ``billingEmail`` (string) [0..1]; text matching [^@\\s]+@[^@\\s]+\\.[^@\\s]+, at most 254 characters (source: reconstructed: an email address (at most 254 characters))
        - ``billing_address1``: ``billingAddress1`` (string) [0..1]
        - ``billing_address2``: ``billingAddress2`` (string) [0..1]
        - ``billing_zip_code``: ``billingZipCode`` (string) [0..1]
        - ``billing_city``: ``billingCity`` (string) [0..1]
        - ``billing_state``: ``billingState`` (string) [0..1]
        - ``eu_vat_number``: ``euVatNumber`` (string) [0..1]
        - ``is_received_newslater``: ``isReceivedNewslater`` (string) [0..1]; true or false (source: recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing))

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_EDIT_CONTACT,
            {
                "contact_name": contact_name,
                "contact_company": contact_company,
                "contact_address1": contact_address1,
                "contact_address2": contact_address2,
                "contact_zip_code": contact_zip_code,
                "contact_city": contact_city,
                "contact_state": contact_state,
                "contact_phone": contact_phone,
                "timezone_index": timezone_index,
                "billing_email": billing_email,
                "billing_address1": billing_address1,
                "billing_address2": billing_address2,
                "billing_zip_code": billing_zip_code,
                "billing_city": billing_city,
                "billing_state": billing_state,
                "eu_vat_number": eu_vat_number,
                "is_received_newslater": is_received_newslater,
            },
        )

    def get_contact_detailed(
        self,
    ) -> ContactDetailedResponse:
        """Call ``GetContactDetailed``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetContactDetailed``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetContactDetailed``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetContactDetailed``; answer root ``ContactDetailedResponse``.
        Returns the ``GetContactDetailedResult`` element as :class:`ContactDetailedResponse`.
        """
        return self._call(OP_GET_CONTACT_DETAILED, {})

    def get_image_status(
        self,
        *,
        image_ticket: uuid.UUID | str | None = None,
        customer_image_id: str | None = None,
    ) -> ImageStatusResponse:
        """Call ``GetImageStatus``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetImageStatus``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetImageStatus``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetImageStatus``; answer root ``ImageStatusResponse``.
        Returns the ``GetImageStatusResult`` element as :class:`ImageStatusResponse`.

        Parameters (XML element names):
        - ``image_ticket``: ``imageTicket`` (string) [0..1]; GUID or 'nonticket' (source: service.md: imageTicket, or `nonticket` with customerImageId; recorded traffic: 'imageTicket is not a valid GUID')
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_GET_IMAGE_STATUS,
            {"image_ticket": image_ticket, "customer_image_id": customer_image_id},
        )

    def get_images_list(
        self,
        *,
        image_status: Literal[10, 50, 60, 70, 80] | str | None = None,
        exclude_image_status: Literal[10, 50, 60, 70, 80] | str | None = None,
        product_id: str | None = None,
        from_date: datetime.date | str | None = None,
        to_date: datetime.date | str | None = None,
        page: int | str | None = None,
        images_per_page: int | str | None = None,
        sort_by: Literal["id", "date", "status"] | str | None = None,
        is_descending: bool | str | None = None,
    ) -> ImagesListResponse:
        """Call ``GetImagesList``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetImagesList``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetImagesList``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetImagesList``; answer root ``ImagesListResponse``.
        Returns the ``GetImagesListResult`` element as :class:`ImagesListResponse`.

        Parameters (XML element names):
        - ``image_status``: ``imageStatus`` (string) [0..1]; one of 10, 50, 60, 70, 80 (source: service.md: 10 New, 60 In Production, 70 Production Finished, 80 Delivered; 50 On Hold is reconstructed (the sandbox's status for an image it cannot fetch))
        - ``exclude_image_status``: ``excludeImageStatus`` (string) [0..1]; one of 10, 50, 60, 70, 80 (source: service.md: 10 New, 60 In Production, 70 Production Finished, 80 Delivered; 50 On Hold is reconstructed (the sandbox's status for an image it cannot fetch))
        - ``product_id``: ``productId`` (string) [0..1]
        - ``from_date``: ``fromDate`` (string) [0..1]; date yyyy-MM-dd (source: service.md: date range YYYY-MM-DD)
        - ``to_date``: ``toDate`` (string) [0..1]; date yyyy-MM-dd (source: service.md: date range YYYY-MM-DD)
        - ``page``: ``page`` (string) [0..1]; whole number 1.. (source: reconstructed: pages count from 1; recorded traffic sends page 1 and 2)
        - ``images_per_page``: ``imagesPerPage`` (string) [0..1]; whole number 1..100 (source: service.md: imagesPerPage at most 100; recorded traffic sends 10 and 1)
        - ``sort_by``: ``sortBy`` (string) [0..1]; one of id, date, status (any case) (source: service.md: sortBy id, date or status; reconstructed: any case)
        - ``is_descending``: ``isDescending`` (string) [0..1]; true or false (source: service.md: isDescending true or false; recorded traffic: lower case)

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_GET_IMAGES_LIST,
            {
                "image_status": image_status,
                "exclude_image_status": exclude_image_status,
                "product_id": product_id,
                "from_date": from_date,
                "to_date": to_date,
                "page": page,
                "images_per_page": images_per_page,
                "sort_by": sort_by,
                "is_descending": is_descending,
            },
        )

    def get_invoice_list(
        self,
        *,
        from_date: datetime.date | str | None = None,
        to_date: datetime.date | str | None = None,
        page: int | str | None = None,
        return_url: str | None = None,
    ) -> InvoiceListResponse:
        """Call ``GetInvoiceList``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetInvoiceList``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetInvoiceList``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetInvoiceList``; answer root ``InvoiceListResponse``.
        Returns the ``GetInvoiceListResult`` element as :class:`InvoiceListResponse`.

        Parameters (XML element names):
        - ``from_date``: ``fromDate`` (string) [0..1]; date yyyy-MM-dd (source: service.md: date range YYYY-MM-DD)
        - ``to_date``: ``toDate`` (string) [0..1]; date yyyy-MM-dd (source: service.md: date range YYYY-MM-DD)
        - ``page``: ``page`` (string) [0..1]; whole number 1.. (source: reconstructed: pages count from 1; recorded traffic sends page 1 and 2)
        - ``return_url``: ``returnUrl`` (string) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_GET_INVOICE_LIST,
            {"from_date": from_date, "to_date": to_date, "page": page, "return_url": return_url},
        )

    def get_product_ids_list(
        self,
        *,
        page: int | str | None = None,
        product_ids_per_page: int | str | None = None,
    ) -> ProductIdsListResponse:
        """Call ``GetProductIdsList``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetProductIdsList``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetProductIdsList``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetProductIdsList``; answer root ``ProductIdsListResponse``.
        Returns the ``GetProductIdsListResult`` element as :class:`ProductIdsListResponse`.

        Parameters (XML element names):
        - ``page``: ``page`` (string) [0..1]; whole number 1.. (source: reconstructed: pages count from 1; recorded traffic sends page 1 and 2)
        - ``product_ids_per_page``: ``productIdsPerPage`` (string) [0..1]; whole number 1..100 (source: reconstructed: as imagesPerPage (service.md: at most 100))

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_GET_PRODUCT_IDS_LIST, {"page": page, "product_ids_per_page": product_ids_per_page}
        )

    def get_template_spec(
        self,
        *,
        template_id: int | str | None = None,
    ) -> TemplateSpecResponse:
        """Call ``GetTemplateSpec``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetTemplateSpec``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetTemplateSpec``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetTemplateSpec``; answer root ``TemplateSpecResponse``.
        Returns the ``GetTemplateSpecResult`` element as :class:`TemplateSpecResponse`.

        Parameters (XML element names):
        - ``template_id``: ``templateId`` (string) [0..1]; whole number 1.. (source: recorded traffic: templates 1001 and 1002; reconstructed: ids are positive)

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(OP_GET_TEMPLATE_SPEC, {"template_id": template_id})

    def get_templates(
        self,
    ) -> TemplatesResponse:
        """Call ``GetTemplates``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetTemplates``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetTemplates``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetTemplates``; answer root ``TemplatesResponse``.
        Returns the ``GetTemplatesResult`` element as :class:`TemplatesResponse`.
        """
        return self._call(OP_GET_TEMPLATES, {})

    def reject_processed_image(
        self,
        *,
        image_ticket: uuid.UUID | str | None = None,
        comment: str | None = None,
        customer_image_id: str | None = None,
        markup_image_url: str | None = None,
    ) -> EmptyResponse:
        """Call ``RejectProcessedImage``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/RejectProcessedImage``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/RejectProcessedImage``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/RejectProcessedImage``; answer root ``EmptyResponse``.
        Returns the ``RejectProcessedImageResult`` element as :class:`EmptyResponse`.

        Parameters (XML element names):
        - ``image_ticket``: ``imageTicket`` (string) [0..1]; GUID or 'nonticket' (source: reconstructed: the same lookup as GetImageStatus (service.md))
        - ``comment``: ``comment`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``markup_image_url``: ``markupImageUrl`` (string) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return self._call(
            OP_REJECT_PROCESSED_IMAGE,
            {
                "image_ticket": image_ticket,
                "comment": comment,
                "customer_image_id": customer_image_id,
                "markup_image_url": markup_image_url,
            },
        )

    def white_glove_service(
        self,
        *,
        developer_api_key: str | None = None,
        image_url: str | None = None,
        image_url2: str | None = None,
        image_url3: str | None = None,
        image_url4: str | None = None,
        image_url5: str | None = None,
        color_reference_file_url: str | None = None,
        image_callback_url: str | None = None,
        customer_image_id: str | None = None,
        product_id: str | None = None,
        customer_folder: str | None = None,
    ) -> ImageTicketResponse:
        """Call ``WhiteGloveService``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/WhiteGloveService``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/WhiteGloveService``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/WhiteGloveService``; answer root ``ImageTicketResponse``.
        Returns the ``WhiteGloveServiceResult`` element as :class:`ImageTicketResponse`.

        Parameters (XML element names):
        - ``developer_api_key``: ``developerAPIkey`` (string) [0..1]
        - ``image_url``: ``imageURL`` (string) [0..1]
        - ``image_url2``: ``imageURL2`` (string) [0..1]
        - ``image_url3``: ``imageURL3`` (string) [0..1]
        - ``image_url4``: ``imageURL4`` (string) [0..1]
        - ``image_url5``: ``imageURL5`` (string) [0..1]
        - ``color_reference_file_url``: ``colorReferenceFileURL`` (string) [0..1]
        - ``image_callback_url``: ``imageCallbackURL`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``product_id``: ``productId`` (string) [0..1]
        - ``customer_folder``: ``customerFolder`` (string) [0..1]
        """
        return self._call(
            OP_WHITE_GLOVE_SERVICE,
            {
                "developer_api_key": developer_api_key,
                "image_url": image_url,
                "image_url2": image_url2,
                "image_url3": image_url3,
                "image_url4": image_url4,
                "image_url5": image_url5,
                "color_reference_file_url": color_reference_file_url,
                "image_callback_url": image_callback_url,
                "customer_image_id": customer_image_id,
                "product_id": product_id,
                "customer_folder": customer_folder,
            },
        )


class AsyncPixelzClient(AsyncServiceClient):
    """Async client (asyncio) of ``soap`` (http://removethebackground.com/), from ``wsdl/pixelz/pixelz.wsdl``.

    The methods of :class:`PixelzClient`, as coroutines: the same names,
    parameters, value rules, results and errors. Construction is described on
    :class:`AsyncServiceClient`; close it with ``async with`` or ``await close()``.
    """

    SERVICE = SERVICE

    async def add_image_to_queue(
        self,
        *,
        developer_api_key: str | None = None,
        template_id: int | str | None = None,
        image_url: str | None = None,
        image_url2: str | None = None,
        image_url3: str | None = None,
        image_url4: str | None = None,
        image_url5: str | None = None,
        color_reference_file_url: str | None = None,
        additional_resource_file_url: str | None = None,
        additional_resource_file_urls: list[str | None] | None = None,
        image_requested_delivery_time_in_hours: Literal[24, 72, 168] | str | None = None,
        image_callback_url: str | None = None,
        customer_image_id: str | None = None,
        product_id: str | None = None,
        customer_folder: str | None = None,
        image_deadline_date_time_utc: datetime.datetime | str | None = None,
        instruction: str | None = None,
        colorway_ids: list[int] | None = None,
        color_change_requests: list[ColorChangeRequest | None] | None = None,
    ) -> ImageTicketResponse:
        """Call ``AddImageToQueue``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/AddImageToQueue``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/AddImageToQueue``
        Bindings: SOAP 1.1, SOAP 1.2.
        Not offered on HTTP GET, HTTP POST: calling it there raises UnsupportedBindingError before anything is sent.
        Returns the ``AddImageToQueueResult`` element as :class:`ImageTicketResponse`.

        Parameters (XML element names):
        - ``developer_api_key``: ``developerAPIkey`` (string) [0..1]
        - ``template_id``: ``templateId`` (string) [0..1]; whole number 1.. (source: recorded traffic: templates 1001 and 1002; reconstructed: ids are positive)
        - ``image_url``: ``imageURL`` (string) [0..1]
        - ``image_url2``: ``imageURL2`` (string) [0..1]
        - ``image_url3``: ``imageURL3`` (string) [0..1]
        - ``image_url4``: ``imageURL4`` (string) [0..1]
        - ``image_url5``: ``imageURL5`` (string) [0..1]
        - ``color_reference_file_url``: ``colorReferenceFileURL`` (string) [0..1]
        - ``additional_resource_file_url``: ``additionalResourceFileURL`` (string) [0..1]
        - ``additional_resource_file_urls``: ``additionalResourceFileURLs`` (ArrayOfString of string) [0..1]
        - ``image_requested_delivery_time_in_hours``: ``imageRequestedDeliveryTimeInHours`` (string) [0..1]; one of 24, 72, 168 (source: service.md: delivery time in hours 168, 72 or 24)
        - ``image_callback_url``: ``imageCallbackURL`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``product_id``: ``productId`` (string) [0..1]
        - ``customer_folder``: ``customerFolder`` (string) [0..1]
        - ``image_deadline_date_time_utc``: ``imageDeadlineDateTimeUTC`` (string) [0..1]; date and time yyyy-MM-dd HH:mm:ss (UTC), at least 24 hours ahead (source: service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead)
        - ``instruction``: ``instruction`` (string) [0..1]
        - ``colorway_ids``: ``colorwayIds`` (ArrayOfInt of int) [0..1]
        - ``color_change_requests``: ``colorChangeRequests`` (ArrayOfColorChangeRequest of ColorChangeRequest) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_ADD_IMAGE_TO_QUEUE,
            {
                "developer_api_key": developer_api_key,
                "template_id": template_id,
                "image_url": image_url,
                "image_url2": image_url2,
                "image_url3": image_url3,
                "image_url4": image_url4,
                "image_url5": image_url5,
                "color_reference_file_url": color_reference_file_url,
                "additional_resource_file_url": additional_resource_file_url,
                "additional_resource_file_urls": additional_resource_file_urls,
                "image_requested_delivery_time_in_hours": image_requested_delivery_time_in_hours,
                "image_callback_url": image_callback_url,
                "customer_image_id": customer_image_id,
                "product_id": product_id,
                "customer_folder": customer_folder,
                "image_deadline_date_time_utc": image_deadline_date_time_utc,
                "instruction": instruction,
                "colorway_ids": colorway_ids,
                "color_change_requests": color_change_requests,
            },
        )

    async def add_image_with_instruction_to_queue(
        self,
        *,
        developer_api_key: str | None = None,
        template_id: int | str | None = None,
        image_url: str | None = None,
        image_url2: str | None = None,
        image_url3: str | None = None,
        image_url4: str | None = None,
        image_url5: str | None = None,
        additional_resource_file_url: str | None = None,
        additional_resource_file_url2: str | None = None,
        additional_resource_file_url3: str | None = None,
        additional_resource_file_url4: str | None = None,
        additional_resource_file_url5: str | None = None,
        image_requested_delivery_time_in_hours: Literal[24, 72, 168] | str | None = None,
        image_callback_url: str | None = None,
        customer_image_id: str | None = None,
        product_id: str | None = None,
        customer_folder: str | None = None,
        image_deadline_date_time_utc: datetime.datetime | str | None = None,
        instruction: str | None = None,
        colorway_ids: list[int] | None = None,
        additional_resource_file_urls: list[str | None] | None = None,
    ) -> ImageTicketResponse:
        """Call ``AddImageWithInstructionToQueue``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/AddImageWithInstructionToQueue``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/AddImageWithInstructionToQueue``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/AddImageWithInstructionToQueue``; answer root ``ImageTicketResponse``.
        Returns the ``AddImageWithInstructionToQueueResult`` element as :class:`ImageTicketResponse`.

        Parameters (XML element names):
        - ``developer_api_key``: ``developerAPIkey`` (string) [0..1]
        - ``template_id``: ``templateId`` (string) [0..1]; whole number 1.. (source: recorded traffic: templates 1001 and 1002; reconstructed: ids are positive)
        - ``image_url``: ``imageURL`` (string) [0..1]
        - ``image_url2``: ``imageURL2`` (string) [0..1]
        - ``image_url3``: ``imageURL3`` (string) [0..1]
        - ``image_url4``: ``imageURL4`` (string) [0..1]
        - ``image_url5``: ``imageURL5`` (string) [0..1]
        - ``additional_resource_file_url``: ``additionalResourceFileURL`` (string) [0..1]
        - ``additional_resource_file_url2``: ``additionalResourceFileURL2`` (string) [0..1]
        - ``additional_resource_file_url3``: ``additionalResourceFileURL3`` (string) [0..1]
        - ``additional_resource_file_url4``: ``additionalResourceFileURL4`` (string) [0..1]
        - ``additional_resource_file_url5``: ``additionalResourceFileURL5`` (string) [0..1]
        - ``image_requested_delivery_time_in_hours``: ``imageRequestedDeliveryTimeInHours`` (string) [0..1]; one of 24, 72, 168 (source: service.md: delivery time in hours 168, 72 or 24)
        - ``image_callback_url``: ``imageCallbackURL`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``product_id``: ``productId`` (string) [0..1]
        - ``customer_folder``: ``customerFolder`` (string) [0..1]
        - ``image_deadline_date_time_utc``: ``imageDeadlineDateTimeUTC`` (string) [0..1]; date and time yyyy-MM-dd HH:mm:ss (UTC), at least 24 hours ahead (source: service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead)
        - ``instruction``: ``instruction`` (string) [0..1]
        - ``colorway_ids``: ``colorwayIds`` (ArrayOfInt of int) [0..1]
        - ``additional_resource_file_urls``: ``additionalResourceFileURLs`` (ArrayOfString of string) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_ADD_IMAGE_WITH_INSTRUCTION_TO_QUEUE,
            {
                "developer_api_key": developer_api_key,
                "template_id": template_id,
                "image_url": image_url,
                "image_url2": image_url2,
                "image_url3": image_url3,
                "image_url4": image_url4,
                "image_url5": image_url5,
                "additional_resource_file_url": additional_resource_file_url,
                "additional_resource_file_url2": additional_resource_file_url2,
                "additional_resource_file_url3": additional_resource_file_url3,
                "additional_resource_file_url4": additional_resource_file_url4,
                "additional_resource_file_url5": additional_resource_file_url5,
                "image_requested_delivery_time_in_hours": image_requested_delivery_time_in_hours,
                "image_callback_url": image_callback_url,
                "customer_image_id": customer_image_id,
                "product_id": product_id,
                "customer_folder": customer_folder,
                "image_deadline_date_time_utc": image_deadline_date_time_utc,
                "instruction": instruction,
                "colorway_ids": colorway_ids,
                "additional_resource_file_urls": additional_resource_file_urls,
            },
        )

    async def add_partner_image_to_queue(
        self,
        *,
        application_code: str | None = None,
        template_id: int | str | None = None,
        image_url: str | None = None,
        image_url2: str | None = None,
        image_url3: str | None = None,
        image_url4: str | None = None,
        image_url5: str | None = None,
        additional_resource_file_url: str | None = None,
        image_requested_delivery_time_in_hours: Literal[24, 72, 168] | str | None = None,
        image_callback_url: str | None = None,
        customer_image_id: str | None = None,
        product_id: str | None = None,
        customer_folder: str | None = None,
        image_deadline_date_time_utc: datetime.datetime | str | None = None,
    ) -> ImageTicketResponse:
        """Call ``AddPartnerImageToQueue``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/AddPartnerImageToQueue``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/AddPartnerImageToQueue``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/AddPartnerImageToQueue``; answer root ``ImageTicketResponse``.
        Returns the ``AddPartnerImageToQueueResult`` element as :class:`ImageTicketResponse`.

        Parameters (XML element names):
        - ``application_code``: ``applicationCode`` (string) [0..1]
        - ``template_id``: ``templateId`` (string) [0..1]; whole number 1.. (source: recorded traffic: templates 1001 and 1002; reconstructed: ids are positive)
        - ``image_url``: ``imageURL`` (string) [0..1]
        - ``image_url2``: ``imageURL2`` (string) [0..1]
        - ``image_url3``: ``imageURL3`` (string) [0..1]
        - ``image_url4``: ``imageURL4`` (string) [0..1]
        - ``image_url5``: ``imageURL5`` (string) [0..1]
        - ``additional_resource_file_url``: ``additionalResourceFileURL`` (string) [0..1]
        - ``image_requested_delivery_time_in_hours``: ``imageRequestedDeliveryTimeInHours`` (string) [0..1]; one of 24, 72, 168 (source: service.md: delivery time in hours 168, 72 or 24)
        - ``image_callback_url``: ``imageCallbackURL`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``product_id``: ``productId`` (string) [0..1]
        - ``customer_folder``: ``customerFolder`` (string) [0..1]
        - ``image_deadline_date_time_utc``: ``imageDeadlineDateTimeUTC`` (string) [0..1]; date and time yyyy-MM-dd HH:mm:ss (UTC), at least 24 hours ahead (source: service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead)

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_ADD_PARTNER_IMAGE_TO_QUEUE,
            {
                "application_code": application_code,
                "template_id": template_id,
                "image_url": image_url,
                "image_url2": image_url2,
                "image_url3": image_url3,
                "image_url4": image_url4,
                "image_url5": image_url5,
                "additional_resource_file_url": additional_resource_file_url,
                "image_requested_delivery_time_in_hours": image_requested_delivery_time_in_hours,
                "image_callback_url": image_callback_url,
                "customer_image_id": customer_image_id,
                "product_id": product_id,
                "customer_folder": customer_folder,
                "image_deadline_date_time_utc": image_deadline_date_time_utc,
            },
        )

    async def add_stack_image_to_queue(
        self,
        *,
        developer_api_key: str | None = None,
        template_id: int | str | None = None,
        image_url: str | None = None,
        image_url2: str | None = None,
        image_url3: str | None = None,
        image_url4: str | None = None,
        image_url5: str | None = None,
        color_reference_file_url: str | None = None,
        additional_resource_file_url: str | None = None,
        image_requested_delivery_time_in_hours: Literal[24, 72, 168] | str | None = None,
        image_callback_url: str | None = None,
        customer_image_id: str | None = None,
        product_id: str | None = None,
        customer_folder: str | None = None,
        image_deadline_date_time_utc: datetime.datetime | str | None = None,
        instruction: str | None = None,
        colorway_ids: list[int] | None = None,
    ) -> ImageTicketResponse:
        """Call ``AddStackImageToQueue``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/AddStackImageToQueue``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/AddStackImageToQueue``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/AddStackImageToQueue``; answer root ``ImageTicketResponse``.
        Returns the ``AddStackImageToQueueResult`` element as :class:`ImageTicketResponse`.

        Parameters (XML element names):
        - ``developer_api_key``: ``developerAPIkey`` (string) [0..1]
        - ``template_id``: ``templateId`` (string) [0..1]; whole number 1.. (source: recorded traffic: templates 1001 and 1002; reconstructed: ids are positive)
        - ``image_url``: ``imageURL`` (string) [0..1]
        - ``image_url2``: ``imageURL2`` (string) [0..1]
        - ``image_url3``: ``imageURL3`` (string) [0..1]
        - ``image_url4``: ``imageURL4`` (string) [0..1]
        - ``image_url5``: ``imageURL5`` (string) [0..1]
        - ``color_reference_file_url``: ``colorReferenceFileURL`` (string) [0..1]
        - ``additional_resource_file_url``: ``additionalResourceFileURL`` (string) [0..1]
        - ``image_requested_delivery_time_in_hours``: ``imageRequestedDeliveryTimeInHours`` (string) [0..1]; one of 24, 72, 168 (source: service.md: delivery time in hours 168, 72 or 24)
        - ``image_callback_url``: ``imageCallbackURL`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``product_id``: ``productId`` (string) [0..1]
        - ``customer_folder``: ``customerFolder`` (string) [0..1]
        - ``image_deadline_date_time_utc``: ``imageDeadlineDateTimeUTC`` (string) [0..1]; date and time yyyy-MM-dd HH:mm:ss (UTC), at least 24 hours ahead (source: service.md: imageDeadlineDateTimeUTC is yyyy-MM-dd HH:mm:ss, at least 24 hours ahead)
        - ``instruction``: ``instruction`` (string) [0..1]
        - ``colorway_ids``: ``colorwayIds`` (ArrayOfInt of int) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_ADD_STACK_IMAGE_TO_QUEUE,
            {
                "developer_api_key": developer_api_key,
                "template_id": template_id,
                "image_url": image_url,
                "image_url2": image_url2,
                "image_url3": image_url3,
                "image_url4": image_url4,
                "image_url5": image_url5,
                "color_reference_file_url": color_reference_file_url,
                "additional_resource_file_url": additional_resource_file_url,
                "image_requested_delivery_time_in_hours": image_requested_delivery_time_in_hours,
                "image_callback_url": image_callback_url,
                "customer_image_id": customer_image_id,
                "product_id": product_id,
                "customer_folder": customer_folder,
                "image_deadline_date_time_utc": image_deadline_date_time_utc,
                "instruction": instruction,
                "colorway_ids": colorway_ids,
            },
        )

    async def add_template(
        self,
        *,
        template_name: str | None = None,
        template_output_format: Literal["JPG", "JPEG", "TIF", "TIFF", "PNG", "PSD"]
        | str
        | None = None,
        delivery_time_in_hour: Literal[168, 72, 24] | str | None = None,
        background_type: int | str | None = None,
        background_color: str | None = None,
        background_vertical_gradient_color: str | None = None,
        resize_type: int | str | None = None,
        resize_unit: int | str | None = None,
        resize_height: int | str | None = None,
        resize_width: int | str | None = None,
        resize_min_size: int | str | None = None,
        resize_max_size: int | str | None = None,
        margin_type: int | str | None = None,
        margin_top: int | str | None = None,
        margin_bottom: int | str | None = None,
        margin_left: int | str | None = None,
        margin_right: int | str | None = None,
        margin_vertical_alignment: int | str | None = None,
        shadow_type: int | str | None = None,
        is_combined_images: bool | str | None = None,
        callback_url: str | None = None,
        comment: str | None = None,
        is_kept_mannequin: bool | str | None = None,
        is_kept_model: bool | str | None = None,
    ) -> TemplateIdResponse:
        """Call ``AddTemplate``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/AddTemplate``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/AddTemplate``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/AddTemplate``; answer root ``TemplateIdResponse``.
        Returns the ``AddTemplateResult`` element as :class:`TemplateIdResponse`.

        Parameters (XML element names):
        - ``template_name``: ``templateName`` (string) [0..1]; text matching (?:[^\\W_]|[()\\[\\] ])+, at most 100 characters (source: service.md: name of letters, digits, brackets, spaces; reconstructed: at most 100 characters)
        - ``template_output_format``: ``templateOutputFormat`` (string) [0..1]; one of JPG, JPEG, TIF, TIFF, PNG, PSD (any case) (source: service.md: output format JPG, JPEG, TIF, TIFF, PNG, PSD; reconstructed: any case)
        - ``delivery_time_in_hour``: ``deliveryTimeInHour`` (string) [0..1]; one of 168, 72, 24 (source: service.md: delivery time in hours (168, 72, 24), listed as the help page lists them)
        - ``background_type``: ``backgroundType`` (string) [0..1]; whole number 0..9 (source: recorded traffic: 1; reconstructed: a small code 0..9)
        - ``background_color``: ``backgroundColor`` (string) [0..1]; text matching #[0-9A-Fa-f]{6} (source: recorded traffic: #FFFFFF; reconstructed: #RRGGBB hex)
        - ``background_vertical_gradient_color``: ``backgroundVerticalGradientColor`` (string) [0..1]; text matching #[0-9A-Fa-f]{6} (source: recorded traffic: #FFFFFF; reconstructed: #RRGGBB hex)
        - ``resize_type``: ``resizeType`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``resize_unit``: ``resizeUnit`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``resize_height``: ``resizeHeight`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``resize_width``: ``resizeWidth`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``resize_min_size``: ``resizeMinSize`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``resize_max_size``: ``resizeMaxSize`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_type``: ``marginType`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_top``: ``marginTop`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_bottom``: ``marginBottom`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_left``: ``marginLeft`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_right``: ``marginRight`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``margin_vertical_alignment``: ``marginVerticalAlignment`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``shadow_type``: ``shadowType`` (string) [0..1]; whole number 0..100000 (source: recorded traffic: numbers (1000, 5, 0); reconstructed: whole numbers 0..100000)
        - ``is_combined_images``: ``isCombinedImages`` (string) [0..1]; true or false (source: recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing))
        - ``callback_url``: ``callbackUrl`` (string) [0..1]
        - ``comment``: ``comment`` (string) [0..1]
        - ``is_kept_mannequin``: ``isKeptMannequin`` (string) [0..1]; true or false (source: recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing))
        - ``is_kept_model``: ``isKeptModel`` (string) [0..1]; true or false (source: recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing))

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_ADD_TEMPLATE,
            {
                "template_name": template_name,
                "template_output_format": template_output_format,
                "delivery_time_in_hour": delivery_time_in_hour,
                "background_type": background_type,
                "background_color": background_color,
                "background_vertical_gradient_color": background_vertical_gradient_color,
                "resize_type": resize_type,
                "resize_unit": resize_unit,
                "resize_height": resize_height,
                "resize_width": resize_width,
                "resize_min_size": resize_min_size,
                "resize_max_size": resize_max_size,
                "margin_type": margin_type,
                "margin_top": margin_top,
                "margin_bottom": margin_bottom,
                "margin_left": margin_left,
                "margin_right": margin_right,
                "margin_vertical_alignment": margin_vertical_alignment,
                "shadow_type": shadow_type,
                "is_combined_images": is_combined_images,
                "callback_url": callback_url,
                "comment": comment,
                "is_kept_mannequin": is_kept_mannequin,
                "is_kept_model": is_kept_model,
            },
        )

    async def delete_image_from_queue(
        self,
        *,
        image_ticket: uuid.UUID | str | None = None,
        customer_image_id: str | None = None,
    ) -> EmptyResponse:
        """Call ``DeleteImageFromQueue``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/DeleteImageFromQueue``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/DeleteImageFromQueue``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/DeleteImageFromQueue``; answer root ``EmptyResponse``.
        Returns the ``DeleteImageFromQueueResult`` element as :class:`EmptyResponse`.

        Parameters (XML element names):
        - ``image_ticket``: ``imageTicket`` (string) [0..1]; GUID or 'nonticket' (source: reconstructed: the same lookup as GetImageStatus (service.md))
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_DELETE_IMAGE_FROM_QUEUE,
            {"image_ticket": image_ticket, "customer_image_id": customer_image_id},
        )

    async def edit_contact(
        self,
        *,
        contact_name: str | None = None,
        contact_company: str | None = None,
        contact_address1: str | None = None,
        contact_address2: str | None = None,
        contact_zip_code: str | None = None,
        contact_city: str | None = None,
        contact_state: str | None = None,
        contact_phone: str | None = None,
        timezone_index: int | str | None = None,
        billing_email: str | None = None,
        billing_address1: str | None = None,
        billing_address2: str | None = None,
        billing_zip_code: str | None = None,
        billing_city: str | None = None,
        billing_state: str | None = None,
        eu_vat_number: str | None = None,
        is_received_newslater: bool | str | None = None,
    ) -> EmptyResponse:
        """Call ``EditContact``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/EditContact``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/EditContact``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/EditContact``; answer root ``EmptyResponse``.
        Returns the ``EditContactResult`` element as :class:`EmptyResponse`.

        Parameters (XML element names):
        - ``contact_name``: ``contactName`` (string) [0..1]
        - ``contact_company``: ``contactCompany`` (string) [0..1]
        - ``contact_address1``: ``contactAddress1`` (string) [0..1]
        - ``contact_address2``: ``contactAddress2`` (string) [0..1]
        - ``contact_zip_code``: ``contactZipCode`` (string) [0..1]
        - ``contact_city``: ``contactCity`` (string) [0..1]
        - ``contact_state``: ``contactState`` (string) [0..1]
        - ``contact_phone``: ``contactPhone`` (string) [0..1]
        - ``timezone_index``: ``timezoneIndex`` (string) [0..1]; whole number 0..200 (source: reconstructed: an index into the service's time zone list)
        - ``billing_email``: ``billingEmail`` (string) [0..1]; text matching [^@\\s]+@[^@\\s]+\\.[^@\\s]+, at most 254 characters (source: reconstructed: an email address (at most 254 characters))
        - ``billing_address1``: ``billingAddress1`` (string) [0..1]
        - ``billing_address2``: ``billingAddress2`` (string) [0..1]
        - ``billing_zip_code``: ``billingZipCode`` (string) [0..1]
        - ``billing_city``: ``billingCity`` (string) [0..1]
        - ``billing_state``: ``billingState`` (string) [0..1]
        - ``eu_vat_number``: ``euVatNumber`` (string) [0..1]
        - ``is_received_newslater``: ``isReceivedNewslater`` (string) [0..1]; true or false (source: recorded traffic: true/false in lower case; reconstructed: 1/0 and any case read too (.NET Boolean parsing))

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_EDIT_CONTACT,
            {
                "contact_name": contact_name,
                "contact_company": contact_company,
                "contact_address1": contact_address1,
                "contact_address2": contact_address2,
                "contact_zip_code": contact_zip_code,
                "contact_city": contact_city,
                "contact_state": contact_state,
                "contact_phone": contact_phone,
                "timezone_index": timezone_index,
                "billing_email": billing_email,
                "billing_address1": billing_address1,
                "billing_address2": billing_address2,
                "billing_zip_code": billing_zip_code,
                "billing_city": billing_city,
                "billing_state": billing_state,
                "eu_vat_number": eu_vat_number,
                "is_received_newslater": is_received_newslater,
            },
        )

    async def get_contact_detailed(
        self,
    ) -> ContactDetailedResponse:
        """Call ``GetContactDetailed``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetContactDetailed``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetContactDetailed``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetContactDetailed``; answer root ``ContactDetailedResponse``.
        Returns the ``GetContactDetailedResult`` element as :class:`ContactDetailedResponse`.
        """
        return await self._call(OP_GET_CONTACT_DETAILED, {})

    async def get_image_status(
        self,
        *,
        image_ticket: uuid.UUID | str | None = None,
        customer_image_id: str | None = None,
    ) -> ImageStatusResponse:
        """Call ``GetImageStatus``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetImageStatus``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetImageStatus``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetImageStatus``; answer root ``ImageStatusResponse``.
        Returns the ``GetImageStatusResult`` element as :class:`ImageStatusResponse`.

        Parameters (XML element names):
        - ``image_ticket``: ``imageTicket`` (string) [0..1]; GUID or 'nonticket' (source: service.md: imageTicket, or `nonticket` with customerImageId; recorded traffic: 'imageTicket is not a valid GUID')
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_GET_IMAGE_STATUS,
            {"image_ticket": image_ticket, "customer_image_id": customer_image_id},
        )

    async def get_images_list(
        self,
        *,
        image_status: Literal[10, 50, 60, 70, 80] | str | None = None,
        exclude_image_status: Literal[10, 50, 60, 70, 80] | str | None = None,
        product_id: str | None = None,
        from_date: datetime.date | str | None = None,
        to_date: datetime.date | str | None = None,
        page: int | str | None = None,
        images_per_page: int | str | None = None,
        sort_by: Literal["id", "date", "status"] | str | None = None,
        is_descending: bool | str | None = None,
    ) -> ImagesListResponse:
        """Call ``GetImagesList``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetImagesList``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetImagesList``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetImagesList``; answer root ``ImagesListResponse``.
        Returns the ``GetImagesListResult`` element as :class:`ImagesListResponse`.

        Parameters (XML element names):
        - ``image_status``: ``imageStatus`` (string) [0..1]; one of 10, 50, 60, 70, 80 (source: service.md: 10 New, 60 In Production, 70 Production Finished, 80 Delivered; 50 On Hold is reconstructed (the sandbox's status for an image it cannot fetch))
        - ``exclude_image_status``: ``excludeImageStatus`` (string) [0..1]; one of 10, 50, 60, 70, 80 (source: service.md: 10 New, 60 In Production, 70 Production Finished, 80 Delivered; 50 On Hold is reconstructed (the sandbox's status for an image it cannot fetch))
        - ``product_id``: ``productId`` (string) [0..1]
        - ``from_date``: ``fromDate`` (string) [0..1]; date yyyy-MM-dd (source: service.md: date range YYYY-MM-DD)
        - ``to_date``: ``toDate`` (string) [0..1]; date yyyy-MM-dd (source: service.md: date range YYYY-MM-DD)
        - ``page``: ``page`` (string) [0..1]; whole number 1.. (source: reconstructed: pages count from 1; recorded traffic sends page 1 and 2)
        - ``images_per_page``: ``imagesPerPage`` (string) [0..1]; whole number 1..100 (source: service.md: imagesPerPage at most 100; recorded traffic sends 10 and 1)
        - ``sort_by``: ``sortBy`` (string) [0..1]; one of id, date, status (any case) (source: service.md: sortBy id, date or status; reconstructed: any case)
        - ``is_descending``: ``isDescending`` (string) [0..1]; true or false (source: service.md: isDescending true or false; recorded traffic: lower case)

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_GET_IMAGES_LIST,
            {
                "image_status": image_status,
                "exclude_image_status": exclude_image_status,
                "product_id": product_id,
                "from_date": from_date,
                "to_date": to_date,
                "page": page,
                "images_per_page": images_per_page,
                "sort_by": sort_by,
                "is_descending": is_descending,
            },
        )

    async def get_invoice_list(
        self,
        *,
        from_date: datetime.date | str | None = None,
        to_date: datetime.date | str | None = None,
        page: int | str | None = None,
        return_url: str | None = None,
    ) -> InvoiceListResponse:
        """Call ``GetInvoiceList``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetInvoiceList``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetInvoiceList``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetInvoiceList``; answer root ``InvoiceListResponse``.
        Returns the ``GetInvoiceListResult`` element as :class:`InvoiceListResponse`.

        Parameters (XML element names):
        - ``from_date``: ``fromDate`` (string) [0..1]; date yyyy-MM-dd (source: service.md: date range YYYY-MM-DD)
        - ``to_date``: ``toDate`` (string) [0..1]; date yyyy-MM-dd (source: service.md: date range YYYY-MM-DD)
        - ``page``: ``page`` (string) [0..1]; whole number 1.. (source: reconstructed: pages count from 1; recorded traffic sends page 1 and 2)
        - ``return_url``: ``returnUrl`` (string) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_GET_INVOICE_LIST,
            {"from_date": from_date, "to_date": to_date, "page": page, "return_url": return_url},
        )

    async def get_product_ids_list(
        self,
        *,
        page: int | str | None = None,
        product_ids_per_page: int | str | None = None,
    ) -> ProductIdsListResponse:
        """Call ``GetProductIdsList``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetProductIdsList``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetProductIdsList``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetProductIdsList``; answer root ``ProductIdsListResponse``.
        Returns the ``GetProductIdsListResult`` element as :class:`ProductIdsListResponse`.

        Parameters (XML element names):
        - ``page``: ``page`` (string) [0..1]; whole number 1.. (source: reconstructed: pages count from 1; recorded traffic sends page 1 and 2)
        - ``product_ids_per_page``: ``productIdsPerPage`` (string) [0..1]; whole number 1..100 (source: reconstructed: as imagesPerPage (service.md: at most 100))

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_GET_PRODUCT_IDS_LIST, {"page": page, "product_ids_per_page": product_ids_per_page}
        )

    async def get_template_spec(
        self,
        *,
        template_id: int | str | None = None,
    ) -> TemplateSpecResponse:
        """Call ``GetTemplateSpec``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetTemplateSpec``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetTemplateSpec``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetTemplateSpec``; answer root ``TemplateSpecResponse``.
        Returns the ``GetTemplateSpecResult`` element as :class:`TemplateSpecResponse`.

        Parameters (XML element names):
        - ``template_id``: ``templateId`` (string) [0..1]; whole number 1.. (source: recorded traffic: templates 1001 and 1002; reconstructed: ids are positive)

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(OP_GET_TEMPLATE_SPEC, {"template_id": template_id})

    async def get_templates(
        self,
    ) -> TemplatesResponse:
        """Call ``GetTemplates``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/GetTemplates``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/GetTemplates``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/GetTemplates``; answer root ``TemplatesResponse``.
        Returns the ``GetTemplatesResult`` element as :class:`TemplatesResponse`.
        """
        return await self._call(OP_GET_TEMPLATES, {})

    async def reject_processed_image(
        self,
        *,
        image_ticket: uuid.UUID | str | None = None,
        comment: str | None = None,
        customer_image_id: str | None = None,
        markup_image_url: str | None = None,
    ) -> EmptyResponse:
        """Call ``RejectProcessedImage``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/RejectProcessedImage``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/RejectProcessedImage``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/RejectProcessedImage``; answer root ``EmptyResponse``.
        Returns the ``RejectProcessedImageResult`` element as :class:`EmptyResponse`.

        Parameters (XML element names):
        - ``image_ticket``: ``imageTicket`` (string) [0..1]; GUID or 'nonticket' (source: reconstructed: the same lookup as GetImageStatus (service.md))
        - ``comment``: ``comment`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``markup_image_url``: ``markupImageUrl`` (string) [0..1]

        Values the WSDL types as strings but the service reads as numbers,
        dates, flags or closed sets take the natural Python type (or the
        string as the service reads it) and are checked before sending:
        InvalidParameterError names the parameter, value and rule.
        """
        return await self._call(
            OP_REJECT_PROCESSED_IMAGE,
            {
                "image_ticket": image_ticket,
                "comment": comment,
                "customer_image_id": customer_image_id,
                "markup_image_url": markup_image_url,
            },
        )

    async def white_glove_service(
        self,
        *,
        developer_api_key: str | None = None,
        image_url: str | None = None,
        image_url2: str | None = None,
        image_url3: str | None = None,
        image_url4: str | None = None,
        image_url5: str | None = None,
        color_reference_file_url: str | None = None,
        image_callback_url: str | None = None,
        customer_image_id: str | None = None,
        product_id: str | None = None,
        customer_folder: str | None = None,
    ) -> ImageTicketResponse:
        """Call ``WhiteGloveService``.

        SOAPAction (SOAP 1.1): ``http://removethebackground.com/WhiteGloveService``
        SOAPAction (SOAP 1.2): ``http://removethebackground.com/WhiteGloveService``
        Bindings: SOAP 1.1, SOAP 1.2, HTTP GET, HTTP POST.
        HTTP location: ``/WhiteGloveService``; answer root ``ImageTicketResponse``.
        Returns the ``WhiteGloveServiceResult`` element as :class:`ImageTicketResponse`.

        Parameters (XML element names):
        - ``developer_api_key``: ``developerAPIkey`` (string) [0..1]
        - ``image_url``: ``imageURL`` (string) [0..1]
        - ``image_url2``: ``imageURL2`` (string) [0..1]
        - ``image_url3``: ``imageURL3`` (string) [0..1]
        - ``image_url4``: ``imageURL4`` (string) [0..1]
        - ``image_url5``: ``imageURL5`` (string) [0..1]
        - ``color_reference_file_url``: ``colorReferenceFileURL`` (string) [0..1]
        - ``image_callback_url``: ``imageCallbackURL`` (string) [0..1]
        - ``customer_image_id``: ``customerImageId`` (string) [0..1]
        - ``product_id``: ``productId`` (string) [0..1]
        - ``customer_folder``: ``customerFolder`` (string) [0..1]
        """
        return await self._call(
            OP_WHITE_GLOVE_SERVICE,
            {
                "developer_api_key": developer_api_key,
                "image_url": image_url,
                "image_url2": image_url2,
                "image_url3": image_url3,
                "image_url4": image_url4,
                "image_url5": image_url5,
                "color_reference_file_url": color_reference_file_url,
                "image_callback_url": image_callback_url,
                "customer_image_id": customer_image_id,
                "product_id": product_id,
                "customer_folder": customer_folder,
            },
        )

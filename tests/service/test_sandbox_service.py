"""What the operations do: statuses on the driven clock, delete/reject rules, lists, validation."""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from typing import TYPE_CHECKING

import pytest
import requests

from removethebackground import (
    AuthenticationError,
    Binding,
    InvalidArgumentFault,
    InvalidParameterError,
    InvalidStateError,
    NotFoundError,
    PixelzClient,
    ServerFault,
)
from removethebackground.core.client import build_envelope
from removethebackground.core.constraints import allowed, problem
from removethebackground.generated import pixelz
from support.unchecked import call_unchecked, operation_named

if TYPE_CHECKING:
    from removethebackground.testing.sandbox import SandboxHandle


URL = "http://example.com/images/shoe.jpg"


@pytest.fixture
def client(sandbox: SandboxHandle) -> PixelzClient:
    return sandbox.pixelz_client(Binding.SOAP11)


def queue(client: PixelzClient, **kw: object) -> str:
    kw.setdefault("template_id", "1001")
    kw.setdefault("image_url", URL)
    return str(client.add_image_to_queue(**kw).image_ticket)  # type: ignore[arg-type]


def status(client: PixelzClient, ticket: str) -> tuple[int, str | None]:
    answer = client.get_image_status(image_ticket=ticket).image_status
    assert answer is not None
    return answer.status_id, answer.status_name


def tickets(result: pixelz.ImagesListResponse) -> list[str]:
    return [str(i.image_ticket) for i in result.images or [] if i is not None]


def refused_alike(client: PixelzClient, method: str, kwargs: dict[str, object]) -> str:
    """The sandbox's fault text for ``kwargs``, after checking what the client does with them.

    Where a parameter breaks its overlay rule, the client must refuse the call before
    sending (``InvalidParameterError`` naming the parameter, the value and the rule);
    the same values sent without the client's checks must then be refused by the
    sandbox. Otherwise the client sends them and the sandbox's fault comes back.
    """
    op = operation_named(client.SERVICE, method)
    fields = {f.attr: f for f in op.params}
    broken = [
        attr
        for attr, value in kwargs.items()
        if (c := fields[attr].constraint) is not None
        and isinstance(value, str)
        and problem(c, value) is not None
    ]
    if broken:
        with pytest.raises(InvalidParameterError) as refused:
            getattr(client, method)(**kwargs)
        c = fields[broken[0]].constraint
        assert c is not None
        assert refused.value.parameter == broken[0]
        assert repr(kwargs[broken[0]]) in str(refused.value)
        assert allowed(c) in str(refused.value) or problem(c, str(kwargs[broken[0]])) in str(
            refused.value
        )
        with pytest.raises(InvalidArgumentFault) as caught:
            call_unchecked(client, method, **kwargs)
    else:
        with pytest.raises(InvalidArgumentFault) as caught:
            getattr(client, method)(**kwargs)
    return caught.value.message


# --- statuses on the clock --------------------------------------------------------------


def test_status_steps_follow_the_driven_clock(sandbox: SandboxHandle, client: PixelzClient) -> None:
    ticket = queue(client)
    step = sandbox.step_seconds
    assert status(client, ticket) == (10, "New")
    sandbox.advance(step - 0.01)
    assert status(client, ticket) == (10, "New")
    sandbox.advance(0.01)
    assert status(client, ticket) == (60, "In Production")
    sandbox.advance(step)
    assert status(client, ticket) == (70, "Production Finished")
    sandbox.advance(step)
    delivered = client.get_image_status(image_ticket=ticket).image_status
    assert delivered is not None
    assert (delivered.status_id, delivered.status_name, delivered.is_paid) == (
        80,
        "Delivered",
        True,
    )
    assert delivered.thumbnail_image_url == f"{sandbox.url}/out/{ticket}-thumb.png"
    # Template 1001 delivers JPG: the extension follows the template's output format.
    assert delivered.final_images_url == [f"{sandbox.url}/out/{ticket}.jpg"]
    sandbox.advance(100 * step)
    assert status(client, ticket) == (80, "Delivered")


def test_a_long_jump_goes_straight_to_delivered(
    sandbox: SandboxHandle, client: PixelzClient
) -> None:
    first = queue(client)
    sandbox.advance(sandbox.step_seconds)
    second = queue(client)
    sandbox.advance(2 * sandbox.step_seconds)
    assert status(client, first) == (80, "Delivered")
    assert status(client, second) == (70, "Production Finished")


def test_frozen_clock_does_not_move_on_its_own(
    sandbox: SandboxHandle, client: PixelzClient
) -> None:
    ticket = queue(client)
    before = sandbox.clock.now()
    sandbox.settle()
    assert sandbox.clock.now() == before
    assert status(client, ticket) == (10, "New")


def test_product_id_hold_keeps_the_image_new(sandbox: SandboxHandle, client: PixelzClient) -> None:
    ticket = queue(client, product_id="hold")
    sandbox.advance(50 * sandbox.step_seconds)
    assert status(client, ticket) == (10, "New")


def test_clock_only_moves_forward(sandbox: SandboxHandle) -> None:
    with pytest.raises(ValueError):
        sandbox.clock.advance(-1)


# --- delete and reject ------------------------------------------------------------------


def test_delete_only_before_production(sandbox: SandboxHandle, client: PixelzClient) -> None:
    ticket = queue(client, customer_image_id="c-1")
    sandbox.advance(sandbox.step_seconds)
    with pytest.raises(InvalidStateError) as caught:
        client.delete_image_from_queue(image_ticket=ticket)
    assert "cannot be deleted" in caught.value.message and "status 60" in caught.value.message
    sandbox.advance(2 * sandbox.step_seconds)
    with pytest.raises(InvalidStateError):
        client.delete_image_from_queue(image_ticket=ticket)
    fresh = queue(client, customer_image_id="c-2")
    client.delete_image_from_queue(image_ticket="nonticket", customer_image_id="c-2")
    assert sandbox.image(fresh) is None
    with pytest.raises(NotFoundError):
        client.get_image_status(image_ticket=fresh)
    with pytest.raises(NotFoundError):
        client.delete_image_from_queue(image_ticket=fresh)


def test_reject_only_when_delivered_and_back_to_production(
    sandbox: SandboxHandle, client: PixelzClient
) -> None:
    ticket = queue(client)
    with pytest.raises(InvalidStateError) as caught:
        client.reject_processed_image(image_ticket=ticket, comment="too early")
    assert "cannot be rejected" in caught.value.message
    sandbox.advance(3 * sandbox.step_seconds)
    with pytest.raises(InvalidArgumentFault):
        client.reject_processed_image(image_ticket=ticket, comment="")
    client.reject_processed_image(image_ticket=ticket, comment="shadow missing")
    again = client.get_image_status(image_ticket=ticket).image_status
    assert again is not None
    assert (again.status_id, again.is_paid, again.final_images_url) == (60, False, [])
    assert again.thumbnail_image_url == ""
    sandbox.advance(2 * sandbox.step_seconds)
    assert status(client, ticket) == (80, "Delivered")
    row = sandbox.image(ticket)
    assert row is not None and row.rejections == 1


def test_images_of_other_accounts_are_not_found(
    sandbox: SandboxHandle, client: PixelzClient
) -> None:
    sandbox.add_account("other@example.org", "other-key")
    other = sandbox.pixelz_client(email="other@example.org", api_key="other-key")
    ticket = queue(client)
    with pytest.raises(NotFoundError):
        other.get_image_status(image_ticket=ticket)
    with pytest.raises(NotFoundError):
        other.delete_image_from_queue(image_ticket=ticket)
    assert tickets(other.get_images_list()) == []
    with pytest.raises(NotFoundError):  # templates belong to their account
        other.add_image_to_queue(template_id="1001", image_url=URL)
    own = other.get_templates().templates or []
    assert len(own) == 1 and own[0] is not None
    assert queue(other, template_id=str(own[0].template_id))


def test_credentials(sandbox: SandboxHandle) -> None:
    for email, key in (
        ("demo@example.com", "wrong"),
        ("nobody@example.com", "demo-key"),
        ("demo@example.com", "demo-key "),
    ):
        with pytest.raises(AuthenticationError):
            sandbox.pixelz_client(email=email, api_key=key).get_templates()
    assert sandbox.pixelz_client(email="DEMO@example.com").get_templates().templates


# --- lists ------------------------------------------------------------------------------


def test_images_list_filters_sorting_and_paging(
    sandbox: SandboxHandle, client: PixelzClient
) -> None:
    a = queue(client, product_id="p1")
    sandbox.advance(1)
    b = queue(client, product_id="p2")
    sandbox.advance(1)
    c = queue(client, product_id="p1")
    sandbox.advance(sandbox.step_seconds - 2)  # a -> 60
    assert tickets(client.get_images_list()) == [c, b, a]  # date, newest first
    assert tickets(client.get_images_list(sort_by="id", is_descending="false")) == [a, b, c]
    assert tickets(client.get_images_list(sort_by="STATUS", is_descending="true")) == [a, c, b]
    assert tickets(client.get_images_list(image_status="60")) == [a]
    assert tickets(client.get_images_list(exclude_image_status="60")) == [c, b]
    assert tickets(client.get_images_list(product_id="p1", sort_by="id")) == [c, a]
    pages = [
        tickets(client.get_images_list(page=str(p), images_per_page="2", sort_by="id"))
        for p in (1, 2, 3)
    ]
    assert pages == [[c, b], [a], []]
    today = datetime.datetime.fromtimestamp(sandbox.clock.now(), datetime.UTC).date()
    yesterday = today - datetime.timedelta(days=1)
    assert len(tickets(client.get_images_list(from_date=today.isoformat()))) == 3
    assert len(tickets(client.get_images_list(to_date=today.isoformat()))) == 3
    assert tickets(client.get_images_list(to_date=yesterday.isoformat())) == []
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert tickets(client.get_images_list(from_date=tomorrow)) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"images_per_page": "101"}, "imagesPerPage must be between 1 and 100: '101'"),
        ({"images_per_page": "0"}, "imagesPerPage must be between 1 and 100: '0'"),
        ({"page": "0"}, "page must be at least 1: '0'"),
        ({"page": "two"}, "page is not a valid number: 'two'"),
        ({"sort_by": "name"}, "sortBy must be one of id, date, status: 'name'"),
        ({"is_descending": "yes"}, "isDescending must be true or false: 'yes'"),
        ({"image_status": "15"}, "imageStatus must be 10, 50, 60, 70 or 80: '15'"),
        ({"exclude_image_status": "x"}, "excludeImageStatus must be 10, 50, 60, 70 or 80: 'x'"),
        ({"from_date": "2024-13-01"}, "fromDate is not a valid date (yyyy-MM-dd): '2024-13-01'"),
        ({"to_date": "01/02/2024"}, "toDate is not a valid date (yyyy-MM-dd): '01/02/2024'"),
        (
            {"from_date": "2024-02-02", "to_date": "2024-02-01"},
            "fromDate must be on or before toDate",
        ),
    ],
)
def test_images_list_validation(client: PixelzClient, params: dict[str, str], message: str) -> None:
    assert refused_alike(client, "get_images_list", dict(params)) == message


def test_product_ids_list_counts_and_pages(sandbox: SandboxHandle, client: PixelzClient) -> None:
    for product in ("b", "a", "a", "c"):
        queue(client, product_id=product)
    queue(client)  # no productId: not counted
    sandbox.advance(3 * sandbox.step_seconds)
    queue(client, product_id="a")
    sandbox.seed_image(product_id="c", status=80)
    stats = client.get_product_ids_list().product_ids or []
    assert [(s.product_id, s.done_count, s.todo_count) for s in stats if s] == [
        ("a", 2, 1),
        ("b", 1, 0),
        ("c", 2, 0),
    ]
    second = client.get_product_ids_list(page="2", product_ids_per_page="2").product_ids or []
    assert [s.product_id for s in second if s] == ["c"]
    assert (
        refused_alike(client, "get_product_ids_list", {"product_ids_per_page": "1000"})
        == "productIdsPerPage must be between 1 and 100: '1000'"
    )


# --- adding images: validation ----------------------------------------------------------


def _in_hours(sandbox: SandboxHandle, hours: float) -> str:
    moment = datetime.datetime.fromtimestamp(sandbox.clock.now() + hours * 3600, datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image_url": ""}, "imageURL is required"),
        (
            {"image_url": "ftp://example.com/a.jpg"},
            "imageURL is not a valid absolute http or https URL: 'ftp://example.com/a.jpg'",
        ),
        (
            {"image_url": "/relative.jpg"},
            "imageURL is not a valid absolute http or https URL: '/relative.jpg'",
        ),
        (
            {"image_url2": "not a url"},
            "imageURL2 is not a valid absolute http or https URL: 'not a url'",
        ),
        (
            {"image_callback_url": "javascript:x"},
            "imageCallbackURL is not a valid absolute http or https URL: 'javascript:x'",
        ),
        (
            {"additional_resource_file_urls": ["x"]},
            "additionalResourceFileURLs is not a valid absolute http or https URL: 'x'",
        ),
        ({"template_id": ""}, "templateId is required"),
        ({"template_id": "abc"}, "templateId is not a valid number: 'abc'"),
        (
            {"image_requested_delivery_time_in_hours": "12"},
            "imageRequestedDeliveryTimeInHours must be 24, 72 or 168: '12'",
        ),
        (
            {"image_deadline_date_time_utc": "tomorrow"},
            "imageDeadlineDateTimeUTC is not a valid date and time (yyyy-MM-dd HH:mm:ss): "
            "'tomorrow'",
        ),
        ({"colorway_ids": [-1]}, "colorwayIds must contain numbers of at least 0"),
        ({"customer_image_id": "x" * 101}, "customerImageId is too long (at most 100 characters)"),
        (
            {
                "color_change_requests": [
                    pixelz.ColorChangeRequest(
                        color_change_request_markers=[pixelz.MarkerInfo(marker_x="2")]
                    )
                ]
            },
            "markerX must be a number between 0 and 1: '2'",
        ),
        (
            {
                "color_change_requests": [
                    pixelz.ColorChangeRequest(
                        color_change_request_markers=[
                            pixelz.MarkerInfo(swatch_image_url="file:///etc/passwd")
                        ]
                    )
                ]
            },
            "colorChangeRequests/colorChangeRequestMarkers/swatchImageURL is not a valid "
            "absolute http or https URL: 'file:///etc/passwd'",
        ),
        (
            {"color_change_requests": [None]},
            "colorChangeRequests must be a list without nil items (item 1 is nil)",
        ),
    ],
)
def test_add_image_validation(
    client: PixelzClient, kwargs: dict[str, object], message: str
) -> None:
    kwargs = {"template_id": "1001", "image_url": URL, **kwargs}
    assert refused_alike(client, "add_image_to_queue", kwargs) == message


def test_a_rule_of_a_nested_type_is_checked_by_both(
    sandbox: SandboxHandle, client: PixelzClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MarkerInfo.swatchColorCode (an overlay rule on a type): the client refuses a bad
    colour; the same request, built without the rule and posted raw, the sandbox refuses."""
    requests_ = [
        pixelz.ColorChangeRequest(
            color_change_request_markers=[pixelz.MarkerInfo(swatch_color_code="red")]
        )
    ]
    with pytest.raises(InvalidParameterError) as refused:
        queue(client, color_change_requests=requests_)
    assert "swatch_color_code" in refused.value.parameter and "'red'" in str(refused.value)
    spec = pixelz.MarkerInfo.__wire__
    loose = dataclasses.replace(
        spec, fields=tuple(dataclasses.replace(f, constraint=None) for f in spec.fields)
    )
    values = {
        "contact_email": sandbox.demo_email,
        "contact_api_key": sandbox.demo_api_key,
        "template_id": "1001",
        "image_url": URL,
        "color_change_requests": requests_,
    }
    with monkeypatch.context() as patch:
        patch.setattr(pixelz.MarkerInfo, "__wire__", loose)
        body = build_envelope(pixelz.OP_ADD_IMAGE_TO_QUEUE, Binding.SOAP11, values)
    answer = requests.post(
        sandbox.pixelz_endpoint,
        data=body,
        headers={"Content-Type": "text/xml; charset=utf-8"},
        timeout=10,
    )
    assert answer.status_code == 500
    assert b"swatchColorCode is not a valid colour (#RRGGBB): 'red'" in answer.content


def test_deadline_must_be_a_day_ahead(sandbox: SandboxHandle, client: PixelzClient) -> None:
    late = {"template_id": "1001", "image_url": URL}
    late["image_deadline_date_time_utc"] = _in_hours(sandbox, 23)
    message = refused_alike(client, "add_image_to_queue", late)
    assert "must be at least 24 hours ahead" in message
    ticket = queue(client, image_deadline_date_time_utc=_in_hours(sandbox, 25))
    row = sandbox.image(ticket)
    assert row is not None and row.request["deadlineUTC"] == _in_hours(sandbox, 25)


def test_unknown_template_and_partner_code(client: PixelzClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.add_image_to_queue(template_id="4711", image_url=URL)
    assert caught.value.message == "Template 4711 not found"
    with pytest.raises(InvalidArgumentFault) as partner:
        client.add_partner_image_to_queue(template_id="1001", image_url=URL, application_code="")
    assert partner.value.message == "applicationCode is required"


def test_stack_parts_must_arrive_within_five_minutes(
    sandbox: SandboxHandle, client: PixelzClient
) -> None:
    client.add_stack_image_to_queue(template_id="1001", image_url=URL, product_id="stack-1")
    sandbox.advance(299)
    client.add_stack_image_to_queue(template_id="1001", image_url=URL, product_id="stack-1")
    sandbox.advance(2)
    with pytest.raises(InvalidArgumentFault) as caught:
        client.add_stack_image_to_queue(template_id="1001", image_url=URL, product_id="stack-1")
    assert "within 5 minutes" in caught.value.message
    client.add_stack_image_to_queue(template_id="1001", image_url=URL, product_id="stack-2")


def test_simulated_server_error_by_ticket(client: PixelzClient) -> None:
    with pytest.raises(ServerFault) as caught:
        client.get_image_status(image_ticket="00000000-0000-0000-0000-000000000500")
    assert caught.value.inner_message == (
        "Simulated unhandled server error for ticket 00000000-0000-0000-0000-000000000500"
    )


def test_get_image_status_needs_a_ticket_or_customer_id(client: PixelzClient) -> None:
    with pytest.raises(InvalidArgumentFault) as caught:
        client.get_image_status(image_ticket="", customer_image_id="")
    assert caught.value.message == "imageTicket or customerImageId is required"
    with pytest.raises(NotFoundError):
        client.get_image_status(image_ticket="nonticket", customer_image_id="nope")


def test_customer_image_id_finds_the_newest(sandbox: SandboxHandle, client: PixelzClient) -> None:
    queue(client, customer_image_id="same")
    newest = queue(client, customer_image_id="same")
    answer = client.get_image_status(image_ticket="nonticket", customer_image_id="same")
    assert answer.image_status is not None
    assert str(answer.image_status.image_ticket) == newest


# --- templates, contact, invoices -------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"template_name": ""}, "templateName is required"),
        (
            {"template_name": "Bad/Name"},
            "templateName must be made of letters, digits, brackets and spaces: 'Bad/Name'",
        ),
        (
            {"template_output_format": "gif"},
            "templateOutputFormat must be one of JPG, JPEG, TIF, TIFF, PNG, PSD: 'gif'",
        ),
        ({"delivery_time_in_hour": "48"}, "deliveryTimeInHour must be 168, 72 or 24: '48'"),
        ({"background_color": "white"}, "backgroundColor is not a valid colour (#RRGGBB): 'white'"),
        ({"resize_width": "-5"}, "resizeWidth must be between 0 and 100000: '-5'"),
        ({"margin_top": "1.5"}, "marginTop is not a valid number: '1.5'"),
        ({"is_kept_model": "maybe"}, "isKeptModel must be true or false: 'maybe'"),
        ({"callback_url": "nope"}, "callbackUrl is not a valid absolute http or https URL: 'nope'"),
    ],
)
def test_add_template_validation(
    client: PixelzClient, kwargs: dict[str, str], message: str
) -> None:
    kwargs = {"template_name": "Fine [1]", **kwargs}
    assert refused_alike(client, "add_template", dict(kwargs)) == message


def test_add_template_defaults_and_listing(sandbox: SandboxHandle, client: PixelzClient) -> None:
    created = client.add_template(template_name="Minimal")
    spec = client.get_template_spec(template_id=str(created.template_id)).template
    assert spec is not None
    assert (spec.output_format, spec.delivery_time_in_hours, spec.background_color) == (
        "JPG",
        72,
        "#FFFFFF",
    )
    assert (spec.callback_url, spec.comment, spec.is_deleted) == ("", "", False)
    names = [t.template_name for t in client.get_templates().templates or [] if t]
    assert names == ["Demo White Background", "Web Shop (square)", "Minimal"]
    today = datetime.datetime.fromtimestamp(sandbox.clock.now(), datetime.UTC)
    assert spec.created_date == today.strftime("%Y-%m-%d %H:%M:%S")


def test_template_callback_is_used_when_the_image_has_none(
    sandbox: SandboxHandle, client: PixelzClient
) -> None:
    template = client.add_template(template_name="Hooked", callback_url="http://127.0.0.1:9/tpl")
    ticket = queue(client, template_id=str(template.template_id))
    own = queue(
        client, template_id=str(template.template_id), image_callback_url="http://127.0.0.1:9/own"
    )
    first, second = sandbox.image(ticket), sandbox.image(own)
    assert first is not None and first.callback_url == "http://127.0.0.1:9/tpl"
    assert second is not None and second.callback_url == "http://127.0.0.1:9/own"


def test_edit_contact_changes_what_get_contact_detailed_returns(client: PixelzClient) -> None:
    client.edit_contact(contact_name="Dana Demo")
    contact = client.get_contact_detailed().contact
    assert contact is not None
    assert (contact.contact_person, contact.contact_company) == ("Dana Demo", "Example Inc.")
    client.edit_contact(contact_company="Widgets", contact_city="Springfield")
    contact = client.get_contact_detailed().contact
    assert contact is not None
    assert (contact.contact_person, contact.contact_company) == ("Dana Demo", "Widgets")
    message = refused_alike(client, "edit_contact", {"billing_email": "not-an-email"})
    assert message == "billingEmail is not a valid email address: 'not-an-email'"
    message = refused_alike(client, "edit_contact", {"is_received_newslater": "perhaps"})
    assert message == "isReceivedNewslater must be true or false: 'perhaps'"


def test_invoice_list_range_paging_and_return_url(
    sandbox: SandboxHandle, client: PixelzClient
) -> None:
    ids = [i.invoice_id for i in client.get_invoice_list().invoices or [] if i]
    assert ids == ["INV-2012-0001", "INV-2011-0057", "INV-2011-0042"]
    december = client.get_invoice_list(from_date="2011-12-01", to_date="2011-12-31")
    assert [i.invoice_id for i in december.invoices or [] if i] == ["INV-2011-0057"]
    assert client.get_invoice_list(page="2").invoices == []
    plain = (client.get_invoice_list(to_date="2011-11-30").invoices or [None])[0]
    assert plain is not None and plain.payment_url == f"{sandbox.url}/pay/INV-2011-0042"
    assert plain.is_paid and plain.amount_due == "40.00"
    with pytest.raises(InvalidArgumentFault):
        client.get_invoice_list(return_url="not a url")
    message = refused_alike(client, "get_invoice_list", {"from_date": "2012-1-1"})
    assert message == "fromDate is not a valid date (yyyy-MM-dd): '2012-1-1'"


def test_image_status_over_every_binding_agrees(sandbox: SandboxHandle) -> None:
    ticket = sandbox.seed_image(status=80, customer_image_id="x", product_id="y")
    answers = set()
    for binding in Binding:
        with sandbox.pixelz_client(binding) as c:
            answer = c.get_image_status(image_ticket=ticket).image_status
            assert answer is not None
            answers.add(
                (
                    answer.image_ticket,
                    answer.status_id,
                    answer.customer_image_id,
                    tuple(answer.final_images_url or []),
                )
            )
    # A seeded image has no template: a transparent PNG.
    assert answers == {(uuid.UUID(ticket), 80, "x", (f"{sandbox.url}/out/{ticket}.png",))}

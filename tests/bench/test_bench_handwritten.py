"""The benchmarks' baseline stays honest: the hand-written client (bench/handwritten.py)
sends the same requests as ``PixelzClient`` (XML-equivalent bodies, same SOAPAction)
and reads the same values from the same answers. Also checks the benchmarks' fake
transport. No timing here: that is ``make bench``.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from pathlib import Path

import pytest
import requests
from bench.handwritten import HandwrittenFault, HandwrittenPixelz
from bench.inputs import (
    API_KEY,
    EMAIL,
    ENDPOINT,
    RECORDED_STATUS,
    TICKET,
    images_list_answer,
    recorded_session,
    status_answer,
)
from lxml import etree

from removethebackground import Binding, PixelzClient
from removethebackground.core.errors import ServiceFault
from removethebackground.generated import pixelz
from removethebackground.service import render_soap_fault, render_soap_result

TRAFFIC = Path(os.environ.get("RTB_TRAFFIC_DIR", "/work/shared/reference/asmx-traffic"))


def _pair(body: bytes, email: str = EMAIL, api_key: str = API_KEY):
    ours_session, ours_adapter = recorded_session(body)
    hand_session, hand_adapter = recorded_session(body)
    ours = PixelzClient(
        email, api_key, binding=Binding.SOAP11, endpoint=ENDPOINT, session=ours_session
    )
    hand = HandwrittenPixelz(email, api_key, endpoint=ENDPOINT, session=hand_session)
    return ours, ours_adapter, hand, hand_adapter


def _canonical(body: bytes | str | None) -> bytes:
    assert isinstance(body, bytes)
    return etree.tostring(etree.fromstring(body), method="c14n")


def _same_request(ours_adapter, hand_adapter) -> None:
    mine, theirs = ours_adapter.last_request, hand_adapter.last_request
    assert mine is not None and theirs is not None
    assert _canonical(theirs.body) == _canonical(mine.body)
    assert theirs.headers["SOAPAction"] == mine.headers["SOAPAction"]
    assert theirs.headers["Content-Type"] == mine.headers["Content-Type"]
    assert theirs.method == mine.method == "POST"
    assert theirs.url == mine.url


@pytest.mark.parametrize(
    ("email", "api_key", "kwargs"),
    [
        (EMAIL, API_KEY, {"image_ticket": TICKET}),
        (EMAIL, API_KEY, {"customer_image_id": "cust-A"}),
        ("a&b@example.com", "k<e>y&\"'", {"image_ticket": TICKET, "customer_image_id": ""}),
        ("ünï@example.com", "key\r\nwith\ttabs", {"customer_image_id": "]]> 😀 \u2028"}),
    ],
)
def test_get_image_status_same_request_and_values(email, api_key, kwargs):
    ours, ours_adapter, hand, hand_adapter = _pair(status_answer(), email, api_key)
    mine = ours.get_image_status(**kwargs)
    theirs = hand.get_image_status(**kwargs)
    _same_request(ours_adapter, hand_adapter)
    assert dataclasses.asdict(theirs) == dataclasses.asdict(mine)
    assert mine.image_status is not None and mine.image_status.status_id == 80


@pytest.mark.parametrize(
    "kwargs",
    [
        {"page": "1"},
        {},
        {
            "image_status": "80",
            "exclude_image_status": "",
            "product_id": "p&<1>",
            "from_date": "2026-01-01",
            "to_date": "2026-12-31",
            "page": "2",
            "images_per_page": "50",
            "sort_by": "date",
            "is_descending": "true",
        },
    ],
)
def test_get_images_list_same_request(kwargs):
    ours, ours_adapter, hand, hand_adapter = _pair(images_list_answer(3))
    ours.get_images_list(**kwargs)
    hand.get_images_list(**kwargs)
    _same_request(ours_adapter, hand_adapter)


@pytest.mark.parametrize("count", [0, 1, 100])
def test_get_images_list_same_values(count):
    ours, _, hand, _ = _pair(images_list_answer(count))
    mine = ours.get_images_list(page="1")
    theirs = hand.get_images_list(page="1")
    assert dataclasses.asdict(theirs) == dataclasses.asdict(mine)
    assert len(mine.images or []) == count


def test_same_values_for_nils_empties_and_absent_elements():
    images: list[pixelz.ImageStatus | None] = [
        pixelz.ImageStatus(image_ticket=uuid.UUID(int=1), status_id=10, is_paid=False),
        None,  # a nil array item
        pixelz.ImageStatus(
            image_ticket=uuid.UUID(int=2),
            customer_image_id="",
            product_id=" spaced ",
            status_name="On Hold",
            status_id=50,
            is_paid=True,
            thumbnail_image_url="",
            final_images_url=[None, "", "http://127.0.0.1/a.png"],
        ),
        pixelz.ImageStatus(
            image_ticket=uuid.UUID(int=3), status_id=80, is_paid=True, final_images_url=[]
        ),
    ]
    answer = render_soap_result(
        pixelz.OP_GET_IMAGES_LIST, Binding.SOAP11, pixelz.ImagesListResponse(images=images)
    )
    ours, _, hand, _ = _pair(answer)
    mine = ours.get_images_list()
    assert mine.images is not None and mine.images[1] is None
    assert dataclasses.asdict(hand.get_images_list()) == dataclasses.asdict(mine)

    empty = render_soap_result(
        pixelz.OP_GET_IMAGE_STATUS, Binding.SOAP11, pixelz.ImageStatusResponse()
    )
    ours, _, hand, _ = _pair(empty)
    assert ours.get_image_status(image_ticket=TICKET).image_status is None
    assert hand.get_image_status(image_ticket=TICKET).image_status is None


def test_both_raise_on_a_fault():
    from removethebackground.service import FaultCode

    fault = render_soap_fault(Binding.SOAP11, FaultCode.CLIENT, "Invalid contact credentials")
    ours, _, hand, _ = _pair(fault)
    ours_session = ours._session
    ours_session.get_adapter(ENDPOINT).status = 500  # type: ignore[attr-defined]
    hand._session.get_adapter(ENDPOINT).status = 500  # type: ignore[attr-defined]
    with pytest.raises(ServiceFault, match="Invalid contact credentials"):
        ours.get_image_status(image_ticket=TICKET)
    with pytest.raises(HandwrittenFault, match="Invalid contact credentials"):
        hand.get_image_status(image_ticket=TICKET)


def test_handwritten_parser_refuses_a_dtd():
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>' + status_answer().split(
        b"?>", 1
    )[1].replace(b"cust-A", b"&e;")
    _, _, hand, _ = _pair(evil)
    with pytest.raises(HandwrittenFault, match="DTD"):
        hand.get_image_status(image_ticket=TICKET)


def test_handwritten_refuses_what_xml_cannot_carry():
    _, _, hand, adapter = _pair(status_answer())
    with pytest.raises(ValueError, match="imageTicket"):
        hand.get_image_status(image_ticket="a\x00b")
    assert adapter.sent == 0


def test_status_answer_is_the_recording():
    recording = TRAFFIC / RECORDED_STATUS
    if not recording.exists():
        pytest.skip(f"the recorded traffic is not available at {TRAFFIC}")
    _head, _, body = recording.read_bytes().partition(b"\r\n\r\n")
    assert status_answer() == body


def test_fake_adapter_streams_when_called_directly():
    body = images_list_answer(5)
    session, adapter = recorded_session(body)
    request = requests.Request("POST", ENDPOINT, data=b"<x/>").prepare()
    response = session.get_adapter(ENDPOINT).send(request, stream=True, timeout=5)
    assert isinstance(response, requests.Response)
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(body))
    assert b"".join(response.iter_content(chunk_size=100)) == body
    assert adapter.sent == 1 and adapter.last_request is request

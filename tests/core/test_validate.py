"""``validate=False``: values go out as given, and the service (here the sandbox) decides.

By default a value the overlay's rules refuse raises before anything is sent; with
``validate=False`` it reaches the sandbox, which keeps checking and answers its Client
fault. Python values still become their text, and a type with no text for the rule is
still refused.
"""

from __future__ import annotations

import datetime
import threading

import pytest
import requests
from lxml import etree

from removethebackground import (
    Binding,
    InvalidArgumentFault,
    InvalidParameterError,
    PixelzClient,
    TransportError,
)
from removethebackground.core import constraints
from removethebackground.core.retry import RetryPolicy
from removethebackground.testing.sandbox import SandboxHandle
from support.replay import ReplayAdapter, session_with

ENDPOINT = "http://127.0.0.1:9/soap.asmx"


def sent_soap(validate: bool, **kwargs: object) -> dict[str, str]:
    """The elements of the GetImagesList request a client writes (nothing listens)."""
    adapter = ReplayAdapter(requests.ConnectionError("nothing listens"))
    client = PixelzClient(
        "me@example.com",
        "key",
        endpoint=ENDPOINT,
        session=session_with(adapter),
        retries=RetryPolicy(attempts=1),
        validate=validate,
    )
    with pytest.raises(TransportError):
        client.get_images_list(**kwargs)  # type: ignore[arg-type]
    body = adapter.last.body
    root = etree.fromstring(body if isinstance(body, bytes) else str(body).encode())
    return {etree.QName(el).localname: el.text or "" for el in root[0][0]}


def test_the_default_refuses_before_sending_and_validate_false_reaches_the_sandbox(
    sandbox: SandboxHandle,
) -> None:
    checked = sandbox.pixelz_client()
    before = len(sandbox.requests_log())
    with pytest.raises(InvalidParameterError) as refused:
        checked.get_images_list(images_per_page=500)
    assert refused.value.parameter == "images_per_page"
    assert "between 1 and 100" in str(refused.value)
    assert len(sandbox.requests_log()) == before, "a refused value was sent"

    unchecked = sandbox.pixelz_client(validate=False)
    assert unchecked.validate is False and "validate=False" in repr(unchecked)
    with pytest.raises(InvalidArgumentFault) as fault:
        unchecked.get_images_list(images_per_page=500)
    assert fault.value.message.startswith("imagesPerPage "), fault.value.message
    log = sandbox.requests_log()
    assert len(log) == before + 1 and log[-1].operation == "GetImagesList"

    # a closed set too ('GIF' is no output format the overlay knows)
    with pytest.raises(InvalidParameterError) as gif:
        checked.add_template(template_name="Cut", template_output_format="GIF")
    assert gif.value.parameter == "template_output_format" and "'GIF'" in str(gif.value)
    with pytest.raises(InvalidArgumentFault) as gif_fault:
        unchecked.add_template(template_name="Cut", template_output_format="GIF")
    assert "templateOutputFormat" in gif_fault.value.message

    # the checked client still checks: validate=False is the client's own, not global
    with pytest.raises(InvalidParameterError):
        checked.get_images_list(images_per_page=500)
    assert constraints.checking()


@pytest.mark.parametrize("binding", [Binding.HTTP_GET, Binding.HTTP_POST, Binding.SOAP12])
def test_validate_false_on_every_binding(sandbox: SandboxHandle, binding: Binding) -> None:
    with pytest.raises(InvalidParameterError):
        sandbox.pixelz_client(binding).get_images_list(images_per_page=0)
    with pytest.raises(InvalidArgumentFault) as fault:
        sandbox.pixelz_client(binding, validate=False).get_images_list(images_per_page=0)
    assert "imagesPerPage" in fault.value.message


def test_types_still_convert_without_the_rules() -> None:
    # an int is written as its digits, a datetime in UTC, exactly as when validating
    sent = sent_soap(False, images_per_page=500, image_status=99, page=2)
    assert (sent["imagesPerPage"], sent["imageStatus"], sent["page"]) == ("500", "99", "2")
    assert sent_soap(True, images_per_page=5, page=2)["imagesPerPage"] == "5"
    # a str goes out exactly as given
    assert sent_soap(False, images_per_page="lots")["imagesPerPage"] == "lots"
    # a type with no text for the rule is still refused, before sending
    with pytest.raises(InvalidParameterError) as info:
        sent_soap(False, images_per_page=1.5)
    assert info.value.parameter == "images_per_page" and "float" in str(info.value)


def test_a_naive_datetime_is_still_refused_without_the_rules() -> None:
    client = PixelzClient("me@example.com", "key", endpoint=ENDPOINT, validate=False)
    with pytest.raises(InvalidParameterError) as info:
        client.add_image_to_queue(
            image_url="http://example.com/a.jpg",
            image_deadline_date_time_utc=datetime.datetime(2030, 1, 1),
        )
    assert "time zone" in str(info.value)


def test_validate_must_be_a_bool() -> None:
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient("me@example.com", "key", validate="no")  # type: ignore[arg-type]
    assert info.value.parameter == "validate" and "'no'" in str(info.value)
    assert "validate=False" in str(info.value)


def test_unchecked_is_per_thread() -> None:
    seen: list[bool] = []
    with constraints.unchecked():
        assert not constraints.checking()
        worker = threading.Thread(target=lambda: seen.append(constraints.checking()))
        worker.start()
        worker.join()
    assert seen == [True] and constraints.checking()

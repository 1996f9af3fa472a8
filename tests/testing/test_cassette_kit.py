"""Unit tests of the SOAP-aware cassette kit: scrubbing and matching."""

from __future__ import annotations

from typing import Any

import pytest
import vcr
from vcr.request import Request

from removethebackground.core.client import build_envelope, form_pairs
from removethebackground.core.wire import Binding
from removethebackground.generated import legacy, pixelz
from removethebackground.testing.cassettes import (
    EMAIL_PLACEHOLDER,
    SECRET_PLACEHOLDER,
    canonical_body,
    make_request_scrubber,
    make_response_scrubber,
    register_matchers,
    soap_action,
    vcr_config,
)
from support.cassettes import cassette_matches

KEY = "k3y-Secret/+="
EMAIL = "buyer+shop@example.com"
URL = "http://127.0.0.1:8110/soap.asmx"


def soap_request(op: Any, binding: Binding, **values: object) -> Request:
    values = {"contact_email": EMAIL, "contact_api_key": KEY, **values}
    body = build_envelope(op, binding, values)
    action = op.soap_actions[binding]
    if binding is Binding.SOAP11:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}
    else:
        headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'}
    return Request("POST", URL, body, headers)


def form_request(op: Any, method: str, **values: object) -> Request:
    from urllib.parse import urlencode

    pairs = urlencode(form_pairs(op, {"contact_email": EMAIL, "contact_api_key": KEY, **values}))
    url = URL + (op.http_location or "")
    if method == "GET":
        return Request("GET", f"{url}?{pairs}", None, {})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return Request("POST", url, pairs.encode(), headers)


def secret_free(text: str) -> bool:
    from urllib.parse import quote, quote_plus

    forms = {KEY, quote_plus(KEY), quote(KEY, safe=""), EMAIL, quote_plus(EMAIL)}
    return not any(f in text for f in forms)


TICKET = "8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11"


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12])
def test_soap_bodies_are_scrubbed(binding: Binding) -> None:
    request = soap_request(pixelz.OP_GET_IMAGE_STATUS, binding, image_ticket=TICKET)
    assert not secret_free(request.body.decode())
    scrubbed = make_request_scrubber()(request)
    text = scrubbed.body.decode()
    assert secret_free(text)
    assert f"<contactAPIkey>{SECRET_PLACEHOLDER}</contactAPIkey>" in text
    assert f"<contactEmail>{EMAIL_PLACEHOLDER}</contactEmail>" in text
    assert f"<imageTicket>{TICKET}</imageTicket>" in text


def test_legacy_capitalised_credentials_are_scrubbed() -> None:
    request = soap_request(legacy.OP_GET_IMAGE_STATUS, Binding.SOAP11, image_ticket=TICKET)
    text = make_request_scrubber()(request).body.decode()
    assert secret_free(text) and "<ContactAPIkey>***</ContactAPIkey>" in text


def test_query_strings_and_form_bodies_are_scrubbed() -> None:
    get = make_request_scrubber()(form_request(pixelz.OP_GET_TEMPLATES, "GET"))
    post = make_request_scrubber()(
        form_request(
            pixelz.OP_ADD_PARTNER_IMAGE_TO_QUEUE,
            "POST",
            application_code="app-secret",
            image_url="http://x/a.jpg",
        )
    )
    assert secret_free(get.uri) and "contactAPIkey=%2A%2A%2A" in get.uri
    body = post.body.decode()
    assert secret_free(body) and "app-secret" not in body
    assert "imageURL=http%3A%2F%2Fx%2Fa.jpg" in body


def test_developer_key_and_auth_headers_are_scrubbed() -> None:
    request = soap_request(
        pixelz.OP_ADD_IMAGE_TO_QUEUE,
        Binding.SOAP11,
        developer_api_key="dev-secret",
        image_url="http://x/a.jpg",
    )
    request.headers["Authorization"] = "Basic c2VjcmV0"
    scrubbed = make_request_scrubber()(request)
    assert "dev-secret" not in scrubbed.body.decode()
    assert "Authorization" not in scrubbed.headers


def test_responses_lose_literal_secrets_and_credential_elements() -> None:
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="x"><soap:Body>'
        f"<GetContactDetailedResponse><Contact><ContactEmail>{EMAIL}</ContactEmail>"
        f"<Note>key was {KEY}</Note></Contact></GetContactDetailedResponse>"
        f"</soap:Body></soap:Envelope>"
    ).encode()
    response = {"body": {"string": body}, "headers": {"Set-Cookie": ["a=b"]}}
    out = make_response_scrubber([KEY, EMAIL])(response)
    text = out["body"]["string"].decode()
    assert secret_free(text)
    assert "Set-Cookie" not in out["headers"]
    assert "<Note>key was ***</Note>" in text


def test_the_same_call_matches_whatever_the_secrets() -> None:
    recorded = make_request_scrubber()(
        soap_request(pixelz.OP_GET_TEMPLATE_SPEC, Binding.SOAP12, template_id="1001")
    )
    live = soap_request(pixelz.OP_GET_TEMPLATE_SPEC, Binding.SOAP12, template_id="1001")
    assert cassette_matches(recorded, live)


def test_calls_that_differ_only_in_body_or_action_do_not_match() -> None:
    a = soap_request(pixelz.OP_GET_TEMPLATE_SPEC, Binding.SOAP11, template_id="1001")
    b = soap_request(pixelz.OP_GET_TEMPLATE_SPEC, Binding.SOAP11, template_id="1002")
    assert not cassette_matches(a, b)
    c = soap_request(pixelz.OP_GET_TEMPLATES, Binding.SOAP11)
    d = soap_request(pixelz.OP_GET_CONTACT_DETAILED, Binding.SOAP11)
    c.body = d.body  # same body, another SOAPAction
    assert not cassette_matches(c, d)
    # plain vcrpy would have taken all four for the same call
    assert a.method == b.method == c.method and a.uri == b.uri == c.uri


def test_canonical_body_ignores_prefixes_and_whitespace_only() -> None:
    one = (
        b'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
        b'<s:Body><Op xmlns="urn:x"><a>1</a><b> 2 </b></Op></s:Body></s:Envelope>'
    )
    two = (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n'
        b'  <soap:Body>\n    <Op xmlns="urn:x">\n      <a>1</a>\n      <b> 2 </b>\n'
        b"    </Op>\n  </soap:Body>\n</soap:Envelope>"
    )
    three = one.replace(b"<b> 2 </b>", b"<b>2</b>")
    assert canonical_body(one) == canonical_body(two)
    assert canonical_body(one) != canonical_body(three)


def test_soap_action_reads_both_versions() -> None:
    assert soap_action(Request("POST", URL, b"", {"SOAPAction": '"urn:a"'})) == "urn:a"
    assert (
        soap_action(
            Request("POST", URL, b"", {"Content-Type": 'application/soap+xml; action="urn:b"'})
        )
        == "urn:b"
    )
    assert soap_action(Request("GET", URL, None, {})) == ""


def test_vcr_config_wires_matchers_into_vcrpy() -> None:
    config = vcr_config(secrets=[KEY])
    my_vcr = register_matchers(vcr.VCR(**config))
    assert list(my_vcr.match_on) == list(config["match_on"])
    for name in config["match_on"]:
        assert name in my_vcr.matchers

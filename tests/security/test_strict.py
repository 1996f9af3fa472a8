"""Schema-strict mode: requests and answers checked against the WSDL's own XML Schema."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from removethebackground import Binding, InvalidParameterError, MalformedResponseError
from removethebackground.bindings import CallContext
from removethebackground.core.http import HttpAnswer, HttpRequest
from removethebackground.generated import legacy, pixelz
from removethebackground.plugins.strict import SchemaValidator, validator_for
from removethebackground.testing.sandbox import SandboxHandle
from support.calls import PIXELZ_CALLS
from support.clients import make_client

ROOT = Path(__file__).resolve().parents[2]
OP = pixelz.OP_GET_IMAGE_STATUS


class _Canned:
    """A transport that answers from memory and counts what it was asked to send."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        self.sent.append(request)
        return HttpAnswer(200, "OK", {"Content-Type": "text/xml; charset=utf-8"}, self.body)

    def close(self) -> None:
        pass


def _answer(inner: str) -> bytes:
    ns = "http://removethebackground.com/"
    return (
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
        'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<soap:Body><GetImageStatusResponse xmlns="{ns}"><GetImageStatusResult>'
        f"<ImageStatus>{inner}</ImageStatus></GetImageStatusResult></GetImageStatusResponse>"
        "</soap:Body></soap:Envelope>"
    ).encode()


GOOD = f"<ImageTicket>{uuid.uuid4()}</ImageTicket><StatusId>80</StatusId><IsPaid>true</IsPaid>"


@pytest.mark.parametrize("name", sorted(PIXELZ_CALLS))
def test_every_pixelz_operation_passes_strict_mode_against_the_sandbox(
    sandbox: SandboxHandle, name: str
) -> None:
    op = pixelz.SERVICE.operations[name]
    binding = Binding.SOAP12 if Binding.SOAP12 in op.bindings else Binding.SOAP11
    with sandbox.pixelz_client(binding, strict=validator_for) as client:
        PIXELZ_CALLS[name](client, sandbox)


@pytest.mark.parametrize("binding", sorted(legacy.OP_GET_IMAGE_STATUS.bindings))
def test_legacy_answers_pass_strict_mode_on_every_binding(
    sandbox: SandboxHandle, binding: Binding
) -> None:
    ticket = sandbox.seed_image(status=80)
    with sandbox.legacy_client(binding, strict=validator_for) as client:
        status = client.get_image_status(image_ticket=ticket).image_status
    assert status is not None and status.status_id == 4


@pytest.mark.parametrize(
    ("inner", "element", "rule"),
    [
        (  # out of order: the lenient reader takes it, the schema's sequence does not
            f"<StatusId>80</StatusId><ImageTicket>{uuid.uuid4()}</ImageTicket>"
            "<IsPaid>true</IsPaid>",
            "ImageTicket",
            "not expected",
        ),
        (GOOD.replace("true", "yes"), "IsPaid", "boolean"),
        (GOOD + "<Surprise>1</Surprise>", "Surprise", "not expected"),
        (
            GOOD.replace("<StatusId>80", "<StatusId>8x"),
            "StatusId",
            "int",
        ),
    ],
)
def test_an_answer_that_breaks_the_schema_is_refused(
    inner: str, element: str, rule: str, client_kind: str
) -> None:
    body = _answer(inner)
    lenient = make_client(client_kind, "a@b.c", "k", transport=_Canned(body))
    strict = make_client(client_kind, "a@b.c", "k", transport=_Canned(body), strict=validator_for)
    if element not in ("StatusId", "IsPaid"):
        lenient.get_image_status(
            image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11"
        )  # what strict mode adds
    with pytest.raises(MalformedResponseError) as info:
        strict.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")
    text = str(info.value)
    assert element in text and rule in text and "WSDL schema" in text
    assert info.value.operation == "GetImageStatus"


def test_a_valid_answer_reads_the_same_in_strict_mode(client_kind: str) -> None:
    body = _answer(GOOD)
    lenient = make_client(client_kind, "a@b.c", "k", transport=_Canned(body))
    strict = make_client(client_kind, "a@b.c", "k", transport=_Canned(body), strict=validator_for)
    assert strict.get_image_status(
        image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11"
    ) == lenient.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")


def _wsdl_with_a_facet() -> bytes:
    """The Pixelz WSDL with customerImageId of GetImageStatus limited to 8 characters.

    A facet that the generated types do not model: only strict mode sees it.
    """
    wsdl = (ROOT / "wsdl/pixelz/pixelz.wsdl").read_text(encoding="utf-8")
    start = wsdl.index('<s:element name="GetImageStatus">')
    old = '<s:element minOccurs="0" maxOccurs="1" name="customerImageId" type="s:string" />'
    new = (
        '<s:element minOccurs="0" maxOccurs="1" name="customerImageId"><s:simpleType>'
        '<s:restriction base="s:string"><s:maxLength value="8" /></s:restriction>'
        "</s:simpleType></s:element>"
    )
    at = wsdl.index(old, start)
    return (wsdl[:at] + new + wsdl[at + len(old) :]).encode()


def test_a_request_that_breaks_the_schema_is_refused_before_sending() -> None:
    transport = _Canned(_answer(GOOD))
    client = pixelz.PixelzClient("a@b.c", "k", transport=transport, strict=validator_for)
    client._strict = SchemaValidator(pixelz.SERVICE, wsdl=_wsdl_with_a_facet())
    client.get_image_status(image_ticket="nonticket", customer_image_id="sku-1234")
    assert len(transport.sent) == 1
    with pytest.raises(InvalidParameterError) as info:
        client.get_image_status(image_ticket="nonticket", customer_image_id="sku-123456789")
    assert info.value.parameter == "customer_image_id"
    assert "maxLength" in str(info.value) and "customerImageId" in str(info.value)
    assert len(transport.sent) == 1  # nothing was sent


def test_faults_are_left_to_the_binding(client_kind: str) -> None:
    from removethebackground import NotFoundError
    from removethebackground.service import FaultCode, render_soap_fault

    fault = render_soap_fault(Binding.SOAP11, FaultCode.CLIENT, "Image not found")

    class _Fault(_Canned):
        def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
            return HttpAnswer(500, "Error", {"Content-Type": "text/xml; charset=utf-8"}, fault)

    client = make_client(client_kind, "a@b.c", "k", transport=_Fault(b""), strict=validator_for)
    with pytest.raises(NotFoundError):
        client.get_image_status(image_ticket="8c4b2d33-76f1-4d1e-9a63-3f2a6b0c9d11")


def test_the_schema_is_compiled_once_and_only_when_asked_for() -> None:
    assert validator_for(pixelz.SERVICE) is validator_for(pixelz.SERVICE)
    code = (
        "import sys, removethebackground as r\n"
        "c = r.PixelzClient('a@b.c', 'k')\n"
        "c.with_binding('soap12')\n"
        "assert not [m for m in sys.modules if m.startswith('removethebackground.plugins.')]\n"
        "from removethebackground.plugins import strict\n"
        "assert not strict._VALIDATORS\n"
        "r.PixelzClient('a@b.c', 'k', strict=strict.validator_for)\n"
        "assert strict._VALIDATORS\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("value", [True, "schema", 1])
def test_strict_takes_a_strict_mode_not_a_flag(value: object) -> None:
    with pytest.raises(InvalidParameterError) as info:
        pixelz.PixelzClient("a@b.c", "k", strict=value)  # type: ignore[arg-type]
    assert info.value.parameter == "strict" and "strict=validator_for" in str(info.value)
    assert pixelz.PixelzClient("a@b.c", "k", strict=None)._strict is None


def test_strict_mode_survives_a_change_of_binding() -> None:
    client = pixelz.PixelzClient("a@b.c", "k", strict=validator_for)
    assert client.with_binding(Binding.HTTP_GET)._strict is client._strict

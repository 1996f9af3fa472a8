"""How the sandbox finds what answers a call: handler tables by generation key, and routes.

- every operation of every registered generation has a handler (and no handler
  answers an operation its WSDL does not have);
- the dispatcher looks handlers up by the generation's registry key, not by which
  ``Service`` object it holds: a generation with no handler table, even one that
  shares the Pixelz wire facts, answers every call with a clear server fault;
- output names, the ``/out/`` pattern and the URL builders agree;
- the test handle exposes the server, app and store, and its helpers act on them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests

from removethebackground import Binding, ServerFault
from removethebackground.core.client import build_envelope
from removethebackground.core.wire import Generation
from removethebackground.generated import GENERATIONS, PixelzClient, pixelz
from removethebackground.sandbox import outputs, statuses
from removethebackground.sandbox.operations import HANDLERS
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from support.envelopes import fault_of

CREDENTIALS = {"contact_email": "demo@example.com", "contact_api_key": "demo-key"}
SOAP_TYPES = {
    Binding.SOAP11: "text/xml; charset=utf-8",
    Binding.SOAP12: "application/soap+xml; charset=utf-8",
}
# A generation the sandbox has no handlers for. It reuses the Pixelz wire facts (the
# very same Service object) under another key: dispatch by key must not serve it
# with the Pixelz handlers.
FAKE = Generation(
    key="fake",
    client_class=PixelzClient,
    service=pixelz.SERVICE,
    sandbox_path="/fake/soap.asmx",
    label="a generation without handlers",
)
FAKE_CASES = [
    pytest.param(name, binding, id=f"{name}-{binding.value}")
    for name, op in sorted(pixelz.SERVICE.operations.items())
    for binding in sorted(op.bindings)
]


@pytest.mark.parametrize("key", list(GENERATIONS))
def test_every_operation_of_every_generation_has_a_handler(key: str) -> None:
    assert key in HANDLERS, f"no handler table for generation {key!r}"
    assert set(HANDLERS[key]) == set(GENERATIONS[key].service.operations)
    assert all(callable(handler) for handler in HANDLERS[key].values())


def test_no_handler_table_without_a_generation() -> None:
    assert set(HANDLERS) <= set(GENERATIONS)


@pytest.fixture(scope="module")
def with_fake() -> Iterator[SandboxHandle]:
    with run_sandbox(generations={**GENERATIONS, "fake": FAKE}) as handle:
        yield handle


@pytest.mark.parametrize(("name", "binding"), FAKE_CASES)
def test_a_generation_without_handlers_answers_a_server_fault(
    with_fake: SandboxHandle, name: str, binding: Binding
) -> None:
    op = pixelz.SERVICE.operations[name]
    url = with_fake.endpoint("fake")
    message = (
        f"The sandbox has no handler for {name} of generation 'fake': "
        "the generation is not implemented in the sandbox"
    )
    if binding in SOAP_TYPES:
        response = requests.post(
            url,
            data=build_envelope(op, binding, CREDENTIALS),
            headers={"Content-Type": SOAP_TYPES[binding], "SOAPAction": op.soap_actions[binding]},
            timeout=10,
        )
        code = "soap:Server" if binding is Binding.SOAP11 else "soap:Receiver"
        assert response.status_code == 500
        assert fault_of(response) == (
            code,
            f"Server was unable to process request. ---> {message}",
        )
    else:
        values = {p.name: "0" for p in op.http_params}
        values.update(contactEmail="demo@example.com", contactAPIkey="demo-key")
        if binding is Binding.HTTP_GET:
            response = requests.get(f"{url}/{name}?{urlencode(values)}", timeout=10)
        else:
            response = requests.post(f"{url}/{name}", data=values, timeout=10)
        assert response.status_code == 500
        assert response.content == message.replace("'", "&#39;").encode() + b"\n"
    assert b"Traceback" not in response.content


def test_the_client_sees_the_fault_and_the_other_generations_still_work(
    with_fake: SandboxHandle,
) -> None:
    with with_fake.client("fake", Binding.SOAP12) as fake:
        with pytest.raises(ServerFault) as caught:
            fake.get_templates()  # type: ignore[attr-defined]
    assert "no handler for GetTemplates of generation 'fake'" in str(caught.value.message)
    wsdl = requests.get(with_fake.endpoint("fake") + "?WSDL", timeout=10)
    assert wsdl.status_code == 200
    assert with_fake.endpoint("fake").encode() in wsdl.content
    with with_fake.pixelz_client() as real:
        assert [t.template_id for t in real.get_templates().templates or [] if t] == [1001, 1002]


def test_output_names_match_the_served_pattern() -> None:
    ticket = str(uuid.uuid4())
    names = [outputs.output_name(ticket, i) for i in range(1, 6)]
    names.append(outputs.thumbnail_name(ticket))
    assert names[0] == f"{ticket}.png" and names[1] == f"{ticket}-2.png"
    assert names[-1] == f"{ticket}-thumb.png"
    assert all(outputs.OUTPUT_NAME.fullmatch(n) for n in names)
    assert not outputs.OUTPUT_NAME.fullmatch(f"{ticket}-6.png")
    assert outputs.output_urls("http://h:1", ticket, 2) == [
        f"http://h:1/out/{ticket}.png",
        f"http://h:1/out/{ticket}-2.png",
    ]
    assert outputs.thumbnail_url("http://h:1", ticket) == f"http://h:1/out/{ticket}-thumb.png"


def test_statuses_of_both_generations() -> None:
    assert statuses.STATUSES == (10, 50, 60, 70, 80)
    assert statuses.status_name(statuses.DELIVERED) == "Delivered"
    assert statuses.status_name(99) == "99"
    assert set(statuses.LEGACY_STATUS) == set(statuses.STATUSES)
    assert statuses.LEGACY_STATUS[statuses.DELIVERED] == (4, "Completed")


def test_the_handle_exposes_its_parts(sandbox: SandboxHandle) -> None:
    assert sandbox.app is sandbox.server.app
    assert sandbox.store is sandbox.app.store
    assert sandbox.clock is sandbox.app.clock
    assert sandbox.endpoint("pixelz") == sandbox.server.url + "/soap.asmx"
    ticket = sandbox.seed_image()
    row = sandbox.image(ticket)
    assert row is not None and row.status == 80
    # Seeded images get the URL the sandbox is served at, whoever seeds them.
    assert row.base_url == sandbox.url
    other = sandbox.server.seed_image(status=10)
    assert sandbox.app.image(other) is not None
    assert sandbox.app.image(other).base_url == sandbox.url  # type: ignore[union-attr]

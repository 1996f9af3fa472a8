"""Cassettes of real calls, recorded against the sandbox and replayed offline.

``make record`` (``pytest tests/testing/test_cassettes.py --record-mode=rewrite``) starts a
sandbox, makes the calls and writes ``tests/cassettes/``; ``make test`` replays them
with no server at all (record mode ``none``: an unmatched request fails the test).
The cassettes are written through the kit's scrubber, so they hold no API key or
email; matching uses the kit's SOAP-aware matchers.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from removethebackground import (
    AsyncPixelzClient,
    Binding,
    NotFoundError,
    PixelzClient,
    RemoveTheBackgroundClient,
)
from removethebackground.testing.cassettes import EMAIL_PLACEHOLDER, register_matchers
from removethebackground.testing.cassettes import vcr_config as kit_config

CASSETTES = Path(__file__).parents[1] / "cassettes"
DEMO_EMAIL = "demo@example.com"
DEMO_KEY = "demo-key"
OFFLINE = "http://127.0.0.1:9"  # replay never connects; a stray request would be refused


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES)


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    return kit_config(secrets=[DEMO_KEY, DEMO_EMAIL])


@pytest.fixture
def base_url(record_mode: str) -> Iterator[str]:
    """A live sandbox while recording; an address that is never contacted on replay."""
    if record_mode == "none":
        yield OFFLINE
        return
    from removethebackground.testing.sandbox import run_sandbox

    with run_sandbox() as sb:
        yield sb.url


def pixelz(base_url: str, binding: Binding) -> PixelzClient:
    return PixelzClient(DEMO_EMAIL, DEMO_KEY, binding=binding, endpoint=f"{base_url}/soap.asmx")


@pytest.mark.vcr
@pytest.mark.parametrize("binding", list(Binding), ids=lambda b: b.value)
def test_templates_and_contact_on_every_binding(base_url: str, binding: Binding) -> None:
    client = pixelz(base_url, binding)
    templates = client.get_templates().templates or []
    assert [t.template_id for t in templates if t] == [1001, 1002]
    contact = client.get_contact_detailed().contact
    assert contact is not None and contact.contact_person
    assert contact.contact_email in (DEMO_EMAIL, EMAIL_PLACEHOLDER)


@pytest.mark.vcr
def test_two_calls_replay_in_swapped_order(base_url: str, record_mode: str) -> None:
    """Recorded as 1001 then 1002; replayed as 1002 then 1001.

    Both are ``POST /soap.asmx`` with the same SOAPAction: only body matching tells
    them apart, so plain method+URI matching would hand back the wrong answer.
    """
    client = pixelz(base_url, Binding.SOAP12)
    order = ["1001", "1002"] if record_mode != "none" else ["1002", "1001"]
    for template_id in order:
        spec = client.get_template_spec(template_id=template_id).template
        assert spec is not None and spec.id == int(template_id)


@pytest.mark.vcr
def test_faults_replay_as_exceptions(base_url: str) -> None:
    legacy = RemoveTheBackgroundClient(
        DEMO_EMAIL, DEMO_KEY, binding=Binding.SOAP11, endpoint=f"{base_url}/legacy/soap.asmx"
    )
    with pytest.raises(NotFoundError) as info:
        legacy.get_image_status(image_ticket=str(uuid.UUID(int=42)))
    assert info.value.code == "Client" and info.value.http_status == 500


def test_recorded_cassettes_hold_no_secret() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert len(files) >= 6, "cassettes missing: run make record"
    forms = {DEMO_KEY, DEMO_EMAIL, quote_plus(DEMO_EMAIL), quote(DEMO_EMAIL, safe="")}
    for path in files:
        text = path.read_text(encoding="utf-8")
        leaked = [f for f in forms if f in text]
        assert not leaked, f"{path.name} contains {leaked}"
        assert "***" in text or "%2A%2A%2A" in text, f"{path.name}: no masked credential"


# --- the async client --------------------------------------------------------------------


def _kit_vcr() -> Any:
    import vcr

    return register_matchers(vcr.VCR(**kit_config(secrets=[DEMO_KEY, DEMO_EMAIL])))


def test_the_async_client_replays_what_the_sync_client_recorded() -> None:
    # One cassette for both clients: the same requests on the wire, the same matchers.
    cassette = CASSETTES / "test_templates_and_contact_on_every_binding[soap11].yaml"

    async def scenario() -> None:
        async with AsyncPixelzClient(
            DEMO_EMAIL, DEMO_KEY, endpoint=f"{OFFLINE}/soap.asmx"
        ) as client:
            templates = (await client.get_templates()).templates or []
            assert [t.template_id for t in templates if t] == [1001, 1002]
            contact = (await client.get_contact_detailed()).contact
            assert contact is not None and contact.contact_person

    with _kit_vcr().use_cassette(str(cassette), record_mode="none"):
        asyncio.run(scenario())


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12], ids=lambda b: b.value)
def test_the_async_client_records_scrubbed_cassettes_and_replays_them(
    tmp_path: Path, binding: Binding
) -> None:
    from removethebackground.testing.sandbox import run_sandbox

    cassette = tmp_path / "async.yaml"

    async def calls(base: str) -> tuple[list[int], uuid.UUID]:
        async with AsyncPixelzClient(
            DEMO_EMAIL, DEMO_KEY, binding=binding, endpoint=f"{base}/soap.asmx"
        ) as client:
            templates = (await client.get_templates()).templates or []
            queued = await client.add_image_to_queue(
                template_id="1001", image_url="http://127.0.0.1:9/a.jpg", customer_image_id="c1"
            )
            status = (await client.get_image_status(image_ticket=queued.image_ticket)).image_status
            assert status is not None and status.customer_image_id == "c1"
            return [t.template_id for t in templates if t], queued.image_ticket

    with run_sandbox() as sb, _kit_vcr().use_cassette(str(cassette), record_mode="all"):
        recorded = asyncio.run(calls(sb.url))
    text = cassette.read_text()
    for secret in (DEMO_KEY, DEMO_EMAIL, quote_plus(DEMO_EMAIL), quote(DEMO_EMAIL, safe="")):
        assert secret not in text
    with _kit_vcr().use_cassette(str(cassette), record_mode="none"):
        replayed = asyncio.run(calls(OFFLINE))  # the sandbox is gone: only the cassette answers
    assert replayed == recorded

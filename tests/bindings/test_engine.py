"""The call engine: the binding table, the compiled fast paths, and the transport seam.

- every :class:`Binding` has exactly one engine, and nothing outside ``bindings/``
  branches on the binding;
- the compiled envelope writer produces the same bytes as the lxml tree path, for
  every operation of every generation, on hypothesis inputs, and refuses the same
  bad values;
- the compiled reader gives the same objects as the generic :func:`parse_model`;
- the default transport resolves environment settings once per host for its own
  session, uses a caller's session as given, and a transport of one's own plugs in.
"""

from __future__ import annotations

import datetime
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from removethebackground import GENERATIONS, PixelzClient
from removethebackground.bindings import (
    BINDINGS,
    HTTP_BINDINGS,
    SOAP_BINDINGS,
    BindingEngine,
    CallContext,
)
from removethebackground.core.codec import parse_model, read_model, to_element
from removethebackground.core.errors import InvalidParameterError
from removethebackground.core.faults import fault_class
from removethebackground.core.http import HttpAnswer, HttpRequest
from removethebackground.core.wire import Binding, Operation
from removethebackground.generated import pixelz
from removethebackground.service import render_soap_result
from support.clients import make_client
from support.replay import ReplayAdapter, Reply, session_with
from support.strategies import instance_of, params_of

SRC = Path(__file__).resolve().parents[2] / "src" / "removethebackground"
OPERATIONS = [
    pytest.param(op, id=f"{key}-{op.name}")
    for key, gen in GENERATIONS.items()
    for op in gen.service.operations.values()
]
RULED = [p for p in OPERATIONS if any(f.constraint for f in p.values[0].params)]
MODELS = sorted(
    {m for gen in GENERATIONS.values() for m in gen.service.models},
    key=lambda m: (m.__module__, m.__name__),  # one order in every process (xdist workers)
)
EXAMPLES = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class _TreePath:
    """An envelope plugin that changes nothing: it forces the lxml tree path."""

    def outgoing(self, envelope: etree._Element, op: Operation[Any], binding: Binding) -> None:
        pass

    def incoming(self, envelope: etree._Element, op: Operation[Any], binding: Binding) -> None:
        pass


TREE = CallContext(redact=lambda t: t, fault_class=fault_class, plugins=(_TreePath(),))


def test_every_binding_has_one_engine() -> None:
    assert set(BINDINGS) == set(Binding)
    for binding, engine in BINDINGS.items():
        assert isinstance(engine, BindingEngine)
        assert engine.binding is binding
    assert set(SOAP_BINDINGS) | set(HTTP_BINDINGS) == set(Binding)
    assert not set(SOAP_BINDINGS) & set(HTTP_BINDINGS)
    content_types = {e.answer_content_type for e in SOAP_BINDINGS.values()}
    assert len(content_types) == 2


BRANCHING = re.compile(
    r"(?:\bis(?: not)?|[!=]=)\s*Binding\.[A-Z_0-9]+|\.is_soap\b|in \(Binding\.[A-Z_0-9]+"
)


def test_no_binding_branching_outside_the_engines() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith(("bindings/", "generated/")) or rel == "core/wire.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if BRANCHING.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert not offenders, "binding branching belongs in bindings/:\n" + "\n".join(offenders)


@pytest.mark.parametrize("binding", list(SOAP_BINDINGS), ids=str)
@pytest.mark.parametrize("op", OPERATIONS)
@EXAMPLES
@given(data=st.data())
def test_compiled_envelope_is_the_bytes_lxml_writes(
    binding: Binding, op: Operation[Any], data: st.DataObject
) -> None:
    values = data.draw(params_of(op))
    engine = SOAP_BINDINGS[binding]
    assert engine.build_envelope(op, values) == engine.build_envelope(op, values, TREE)


@pytest.mark.parametrize("binding", list(SOAP_BINDINGS), ids=str)
@pytest.mark.parametrize("op", RULED)
@EXAMPLES
@given(data=st.data())
def test_compiled_envelope_formats_natural_values_as_lxml_does(
    binding: Binding, op: Operation[Any], data: st.DataObject
) -> None:
    """int, bool, date, datetime and UUID values of overlay parameters: the same bytes."""
    values = data.draw(params_of(op, natural=True))
    engine = SOAP_BINDINGS[binding]
    assert engine.build_envelope(op, values) == engine.build_envelope(op, values, TREE)


BAD_VALUES = [
    ("customer_image_id", 42, "expected str"),
    ("customer_image_id", "bad\x01text", "U+0001"),
    ("customer_image_id", "\ud800", "U+D800"),
    # the overlay rule of imageTicket (a GUID or 'nonticket'), the same on both paths
    ("image_ticket", 42, "uuid.UUID"),
    ("image_ticket", "not-a-guid", "is not a valid GUID"),
    ("image_ticket", datetime.date(2024, 1, 1), "uuid.UUID"),
]


@pytest.mark.parametrize("binding", list(SOAP_BINDINGS), ids=str)
@pytest.mark.parametrize(("attr", "value", "text"), BAD_VALUES)
def test_compiled_envelope_refuses_what_the_tree_refuses(
    binding: Binding, attr: str, value: object, text: str
) -> None:
    op = pixelz.OP_GET_IMAGE_STATUS
    values = {"contact_email": "a@b.c", "contact_api_key": "k", attr: value}
    engine = SOAP_BINDINGS[binding]
    with pytest.raises(InvalidParameterError) as fast:
        engine.build_envelope(op, values)
    assert fast.value.parameter == attr and text in str(fast.value)
    if value != "\ud800":  # lxml's own message for a lone surrogate differs; both refuse it
        with pytest.raises(InvalidParameterError) as tree:
            engine.build_envelope(op, values, TREE)
        assert str(tree.value) == str(fast.value)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@EXAMPLES
@given(data=st.data())
def test_compiled_reader_reads_what_parse_model_reads(model: Any, data: st.DataObject) -> None:
    instance = data.draw(instance_of(model))
    element = to_element(instance, f"{{{model.__wire__.namespace}}}{model.__wire__.name}")
    reparsed = etree.fromstring(etree.tostring(element))
    assert read_model(reparsed, model) == parse_model(reparsed, model) == instance


def test_compiled_reader_falls_back_to_the_precise_error() -> None:
    from removethebackground.core.errors import MalformedResponseError

    ns = "http://removethebackground.com/"
    broken = etree.fromstring(
        f'<ImageStatus xmlns="{ns}"><ImageTicket>not-a-guid</ImageTicket></ImageStatus>'
    )
    with pytest.raises(MalformedResponseError) as generic:
        parse_model(broken, pixelz.ImageStatus)
    with pytest.raises(MalformedResponseError) as compiled:
        read_model(broken, pixelz.ImageStatus)
    assert str(compiled.value) == str(generic.value)


# --- the transport seam --------------------------------------------------------------------


def _status_reply() -> bytes:
    result = pixelz.ImageStatusResponse(
        image_status=pixelz.ImageStatus(image_ticket=uuid.uuid4(), status_id=80, is_paid=True)
    )
    return render_soap_result(pixelz.OP_GET_IMAGE_STATUS, Binding.SOAP11, result)


def test_own_session_reads_the_environment_once_per_host(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = requests.Session.merge_environment_settings

    def spy(self: requests.Session, url: str | None, *args: Any) -> Any:
        calls.append(str(url))
        return real(self, url, *args)

    monkeypatch.setattr(requests.Session, "merge_environment_settings", spy)
    client = PixelzClient("a@b.c", "key", endpoint="http://one.invalid/soap.asmx")
    adapter = ReplayAdapter(Reply(body=_status_reply()))
    client._session.mount("http://", adapter)
    for _ in range(3):
        client.get_image_status(image_ticket=str(uuid.uuid4()))
    other = client.with_binding(Binding.SOAP11)
    other.get_image_status(image_ticket=str(uuid.uuid4()))
    assert len(adapter.sent) == 4
    assert calls == ["http://one.invalid/"]


def test_a_callers_session_is_used_as_given() -> None:
    seen: list[int] = []
    session = session_with(ReplayAdapter(Reply(body=_status_reply())))
    session.hooks["response"].append(lambda r, *a, **k: seen.append(r.status_code))
    session.headers["X-Team"] = "studio"
    client = PixelzClient("a@b.c", "key", session=session)
    client.get_image_status(image_ticket=str(uuid.uuid4()))
    client.get_image_status(image_ticket=str(uuid.uuid4()))
    assert seen == [200, 200]


class _RecordingTransport:
    """A transport of one's own: answers from memory, records what it was given."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.requests: list[HttpRequest] = []
        self.closed = False

    def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:
        self.requests.append(request)
        return HttpAnswer(200, "OK", {"Content-Type": "text/xml; charset=utf-8"}, self.body)

    def close(self) -> None:
        self.closed = True


class _AsyncRecordingTransport(_RecordingTransport):
    """The same, for the async client (``async def send``/``close``)."""

    async def send(self, request: HttpRequest, ctx: CallContext) -> HttpAnswer:  # type: ignore[override]
        return _RecordingTransport.send(self, request, ctx)

    async def close(self) -> None:  # type: ignore[override]
        _RecordingTransport.close(self)


def test_a_transport_of_ones_own_plugs_in_without_touching_bindings(client_kind: str) -> None:
    transport = (_RecordingTransport if client_kind == "sync" else _AsyncRecordingTransport)(
        _status_reply()
    )
    client = make_client(client_kind, "a@b.c", "secret-key", transport=transport)
    status = client.get_image_status(image_ticket=str(uuid.uuid4()))
    assert status.image_status is not None and status.image_status.status_id == 80
    (request,) = transport.requests
    assert request.operation is pixelz.OP_GET_IMAGE_STATUS
    assert request.binding is Binding.SOAP11
    assert request.headers["SOAPAction"] == '"http://removethebackground.com/GetImageStatus"'
    assert request.body is not None and b"<contactAPIkey>secret-key</contactAPIkey>" in request.body
    client.close()
    assert not transport.closed  # a transport that was given is the caller's to close


NIL_CASES = [
    pytest.param(model, f, id=f"{model.__name__}.{f.attr}")
    for model in MODELS
    for f in model.__wire__.fields
    if not f.attribute
]


@pytest.mark.parametrize(("model", "field"), NIL_CASES)
def test_a_nil_element_reads_the_same_through_the_plan(model: Any, field: Any) -> None:
    """xsi:nil on any element, nillable or not, reads as the generic path reads it."""
    from removethebackground.core.codec import XSI_NIL, XSI_NS
    from removethebackground.core.errors import MalformedResponseError

    spec = model.__wire__
    el = etree.Element(f"{{{spec.namespace}}}{spec.name}", nsmap={"xsi": XSI_NS})
    etree.SubElement(el, field.tag).set(XSI_NIL, "true")
    try:
        expected: Any = parse_model(el, model)
    except MalformedResponseError as exc:
        with pytest.raises(MalformedResponseError) as info:
            read_model(el, model)
        assert str(info.value) == str(exc)
        return
    assert read_model(el, model) == expected

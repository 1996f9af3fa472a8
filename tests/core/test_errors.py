"""The error hierarchy: call context, pickling and copying, ``retryable``, the fault table
(immutable, per client) and one fault-class rule for all four bindings (sandbox and
recorded traffic)."""

from __future__ import annotations

import copy
import inspect
import pickle
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from lxml import etree

from removethebackground import PixelzClient, RemoveTheBackgroundClient
from removethebackground.core import errors
from removethebackground.core.errors import (
    AuthenticationError,
    ClientFault,
    ConnectionFailedError,
    HTTPStatusError,
    InvalidArgumentFault,
    InvalidParameterError,
    MalformedResponseError,
    NotFoundError,
    ProtocolFault,
    RemoveTheBackgroundError,
    ServerFault,
    ServiceFault,
    TransportError,
    TransportTimeout,
)
from removethebackground.core.faults import DEFAULT_FAULT_TABLE, FaultTable, fault_class
from removethebackground.core.retry import RetryPolicy
from removethebackground.core.wire import Binding
from removethebackground.testing.sandbox import SandboxHandle
from support.envelopes import soap_fault
from support.paths import NO_REFERENCE, REFERENCE, read_http_message
from support.replay import ReplayAdapter, Reply, session_with
from support.servers import closed_port
from support.unchecked import call_unchecked

ALL = [Binding.SOAP11, Binding.SOAP12, Binding.HTTP_GET, Binding.HTTP_POST]
EMAIL = "demo@example.com"
KEY = "k3y"
TICKET = "9a4e4e16-8e77-4e8c-b579-79fba86611e3"
PLAIN = (("Content-Type", "text/plain; charset=utf-8"),)


def exported_error_classes() -> list[type[RemoveTheBackgroundError]]:
    """Every exception class errors.py exports (a new one is picked up automatically)."""
    found = []
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, RemoveTheBackgroundError), name
            found.append(obj)
    return found


CLASSES = exported_error_classes()

# A value for every constructor parameter any class has; a class with a new parameter
# must add it here (the tests below fail until it does).
DETAIL = '<detail><info a="1">x<more>y</more>tail</info></detail>'
VALUES: dict[str, Any] = {
    "text": "Server was unable to process request. ---> boom",
    "message": "something went wrong",
    "parameter": "image_ticket",
    "code": "Server",
    "subcode": "BadTicket",
    "http_status": 503,
    "operation": "GetImageStatus",
    "binding": "soap12",
    "endpoint": "https://user:secret@api.example.com:8443/soap.asmx?k=1#frag",
    "excerpt": "<html>busy</html>",
    "retryable": True,
    "reason": "hostname_mismatch",
    "detail_value": None,
    "cause": None,  # OutcomeUnknownError: the transport error that left the outcome unknown
}


def build(cls: type[RemoveTheBackgroundError], **override: Any) -> RemoveTheBackgroundError:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, param in inspect.signature(cls).parameters.items():
        if param.kind is param.VAR_POSITIONAL:
            args.append(VALUES["message"])
            continue
        if name == "detail":
            value: Any = etree.fromstring(DETAIL)
        else:
            assert name in VALUES, f"{cls.__name__}: no test value for parameter {name!r}"
            value = VALUES[name]
        value = override.get(name, value)
        if param.kind is param.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            args.append(value)
    return cls(*args, **kwargs)


def public_state(exc: RemoveTheBackgroundError) -> dict[str, Any]:
    """Every attribute a user can read, with the lxml detail as its XML."""
    state: dict[str, Any] = {}
    for name in dir(exc):
        if name.startswith("_") or name in ("with_traceback", "add_note"):
            continue
        value = getattr(exc, name)
        if callable(value):
            continue
        if isinstance(value, etree._Element):
            value = etree.tostring(value)
        state[name] = value
    return state


def test_every_exported_exception_class_is_found() -> None:
    names = {cls.__name__ for cls in CLASSES}
    assert {
        "RemoveTheBackgroundError",
        "ServiceFault",
        "ServerFault",
        "TransportError",
        "InvalidParameterError",
        "UnsupportedBindingError",
    } <= names
    # and nothing defined in errors.py escapes the list
    defined, todo = set(), [RemoveTheBackgroundError]
    while todo:
        cls = todo.pop()
        if cls.__module__ == errors.__name__:
            defined.add(cls)
        todo.extend(cls.__subclasses__())
    assert defined == set(CLASSES)
    assert len(CLASSES) == 19


# --- the call context, once for all ---------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_class_carries_the_call_context(cls: type[RemoveTheBackgroundError]) -> None:
    exc = build(cls)
    assert exc.operation == "GetImageStatus"
    assert exc.binding == "soap12"
    assert exc.endpoint == "https://api.example.com:8443/soap.asmx"  # no user info, query
    if "http_status" in inspect.signature(cls).parameters:
        assert exc.http_status == 503
    else:  # InvalidParameterError: nothing was sent, so no status
        assert exc.http_status is None
    assert exc.retryable is True  # given explicitly
    assert "secret" not in str(exc) + repr(exc) + str(vars(exc))


def test_the_context_is_declared_on_the_root_only() -> None:
    root_init = inspect.signature(RemoveTheBackgroundError).parameters
    assert {"operation", "binding", "http_status", "endpoint", "retryable"} <= set(root_init)
    for cls in CLASSES:
        for name in ("operation", "binding", "http_status", "endpoint", "retryable"):
            assert name not in vars(cls) or cls is RemoveTheBackgroundError, (cls, name)
            if cls is not RemoveTheBackgroundError:
                assert f"self.{name} =" not in inspect.getsource(cls), (cls, name)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://u:p@host.example/soap.asmx", "https://host.example/soap.asmx"),
        ("http://127.0.0.1:8110/soap.asmx?x=1#y", "http://127.0.0.1:8110/soap.asmx"),
        ("http://[::1]:81/soap.asmx", "http://[::1]:81/soap.asmx"),
        ("http://user@[::1]/soap.asmx", "http://[::1]/soap.asmx"),
        ("not a url", None),
        ("http://host:notaport/x", None),
        (None, None),
    ],
)
def test_endpoint_never_keeps_credentials(given: str | None, kept: str | None) -> None:
    assert TransportError("x", endpoint=given).endpoint == kept


def test_str_keeps_its_forms() -> None:
    fault = ServerFault(VALUES["text"], code="Server", http_status=500, operation="Op", binding="b")
    assert (
        str(fault)
        == "Op over b: Server fault (HTTP 500): Server was unable to process request. ---> boom"
    )
    assert repr(fault) == (
        "ServerFault(code='Server', message='Server was unable to process request. ---> boom', "
        "http_status=500, operation='Op', binding='b')"
    )
    transport = HTTPStatusError("HTTP 503", excerpt="busy", operation="Op", binding="b")
    assert str(transport) == "Op over b: HTTP 503 (body starts: 'busy')"
    assert (
        str(InvalidParameterError("page", "expected str", operation="Op")) == "page: expected str"
    )
    assert str(RemoveTheBackgroundError("plain")) == "plain"
    assert str(RemoveTheBackgroundError("plain", operation="Op", binding="b")) == "Op over b: plain"


# --- pickling and copying --------------------------------------------------------------------


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_class_pickles_with_all_its_attributes(
    cls: type[RemoveTheBackgroundError], protocol: int
) -> None:
    for retryable in (None, True, False):
        exc = build(cls, retryable=retryable)
        exc.add_note("a note")
        back = pickle.loads(pickle.dumps(exc, protocol=protocol))
        assert type(back) is cls
        assert back.args == exc.args
        assert public_state(back) == public_state(exc)
        assert (str(back), repr(back)) == (str(exc), repr(exc))
        assert back.__notes__ == ["a note"]


@pytest.mark.parametrize("how", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_class_copies(cls: type[RemoveTheBackgroundError], how: Callable[[Any], Any]) -> None:
    exc = build(cls)
    twin = how(exc)
    assert type(twin) is cls and twin is not exc
    assert public_state(twin) == public_state(exc)
    assert (str(twin), repr(twin)) == (str(exc), repr(exc))


def test_the_detail_comes_back_as_an_element() -> None:
    exc = build(ServiceFault)
    assert isinstance(exc, ServiceFault) and exc.detail is not None
    for back in (pickle.loads(pickle.dumps(exc)), copy.deepcopy(exc)):
        assert isinstance(back, ServiceFault)
        assert isinstance(back.detail, etree._Element)
        assert back.detail is not exc.detail
        assert back.detail_xml == exc.detail_xml == DETAIL
        assert back.detail.findtext("info/more") == "y"
    empty = ServiceFault("x", detail=None)
    assert pickle.loads(pickle.dumps(empty)).detail is None


def test_a_fault_from_a_real_answer_pickles() -> None:
    reply = Reply.soap(
        Binding.SOAP11,
        soap_fault(Binding.SOAP11, "Client", "Image not found", detail="<id>42</id>"),
        status=500,
    )
    client = PixelzClient(EMAIL, KEY, session=session_with(ReplayAdapter(reply)))
    with pytest.raises(NotFoundError) as info:
        client.get_image_status(image_ticket=TICKET)
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is NotFoundError and back.detail_xml == info.value.detail_xml
    assert "<id>42</id>" in (back.detail_xml or "")
    assert (back.operation, back.binding, back.http_status) == ("GetImageStatus", "soap11", 500)


# --- retryable -------------------------------------------------------------------------------


def _client(responder: Any, binding: Binding = Binding.SOAP11, **kw: Any) -> PixelzClient:
    return PixelzClient(
        EMAIL, KEY, binding=binding, session=session_with(ReplayAdapter(responder)), **kw
    )


def _raised(client: PixelzClient) -> RemoveTheBackgroundError:
    with pytest.raises(RemoveTheBackgroundError) as info:
        client.get_image_status(image_ticket=TICKET)
    return info.value


def _html(status: int) -> Reply:
    return Reply(status, b"<html>gateway</html>", (("Content-Type", "text/html"),))


@pytest.mark.parametrize("binding", ALL, ids=str)
@pytest.mark.parametrize(
    ("responder", "cls", "retryable"),
    [
        (requests.ConnectionError("Connection refused"), ConnectionFailedError, True),
        (requests.ConnectionError("Connection reset by peer"), ConnectionFailedError, True),
        (requests.ConnectTimeout("connect timed out"), TransportTimeout, True),
        (requests.ReadTimeout("read timed out"), TransportTimeout, True),
        (_html(502), HTTPStatusError, True),
        (_html(503), HTTPStatusError, True),
        (_html(504), HTTPStatusError, True),
        (_html(429), HTTPStatusError, True),
        (Reply(400, b"", ()), HTTPStatusError, False),
        (Reply(415, b"", ()), HTTPStatusError, False),
        (Reply(302, b"", (("Location", "http://elsewhere.example/"),)), HTTPStatusError, False),
        (Reply(200, b"<not xml"), MalformedResponseError, False),
        (requests.TooManyRedirects("loop"), TransportError, False),
    ],
    ids=[
        "refused",
        "reset",
        "connect-timeout",
        "read-timeout",
        "502",
        "503",
        "504",
        "429",
        "400",
        "415",
        "302",
        "malformed",
        "other",
    ],
)
def test_retryable_per_failure(
    binding: Binding, responder: Any, cls: type, retryable: bool
) -> None:
    # the retryable ones are resent (same attempts) without backoff waits
    exc = _raised(_client(responder, binding, retries=RetryPolicy(backoff=0)))
    assert type(exc) is cls
    assert exc.retryable is retryable


def test_a_500_html_page_is_not_retryable() -> None:
    exc = _raised(_client(_html(500)))
    assert isinstance(exc, HTTPStatusError) and exc.retryable is False


def test_connection_refused_for_real_is_retryable() -> None:
    client = PixelzClient(EMAIL, KEY, endpoint=f"http://127.0.0.1:{closed_port()}/soap.asmx")
    with pytest.raises(ConnectionFailedError) as info:
        client.get_templates()
    assert info.value.retryable is True
    client.close()


@pytest.mark.parametrize(
    ("code", "text", "cls"),
    [
        ("Client", "Invalid contact credentials", AuthenticationError),
        ("Client", "Image not found", NotFoundError),
        ("Client", "imageTicket is not a valid GUID: 'x'", InvalidArgumentFault),
        ("Client", "Something odd", ClientFault),
        ("Server", "Server was unable to process request. ---> boom", ServerFault),
        ("VersionMismatch", "Possible SOAP version mismatch", ProtocolFault),
    ],
)
def test_faults_are_not_retryable(code: str, text: str, cls: type) -> None:
    exc = _raised(_client(Reply.soap(Binding.SOAP11, soap_fault(Binding.SOAP11, code, text), 500)))
    assert type(exc) is cls and exc.retryable is False


def test_invalid_parameters_are_not_retryable() -> None:
    with pytest.raises(InvalidParameterError) as info:
        _client(Reply()).get_image_status(image_ticket=123)  # type: ignore[arg-type]
    assert info.value.retryable is False


def test_an_instance_may_override_retryable() -> None:
    assert ServerFault("x").retryable is False
    assert ServerFault("x", retryable=True).retryable is True
    assert ConnectionFailedError("x", retryable=False).retryable is False
    assert HTTPStatusError("x", http_status=503).retryable is True
    assert HTTPStatusError("x", http_status=None).retryable is False
    fault = ServerFault("x")
    fault.retryable = True
    assert fault.retryable is True and pickle.loads(pickle.dumps(fault)).retryable is True
    fault.retryable = None  # back to the class's answer
    assert fault.retryable is False


# --- the fault table -------------------------------------------------------------------------


class QuotaFault(ClientFault):
    """A user's own client fault."""


class DatabaseBusy(ServerFault):
    """A user's own server fault known to pass."""

    default_retryable = True


def test_the_default_table_is_read_only() -> None:
    assert isinstance(DEFAULT_FAULT_TABLE, tuple)
    assert not hasattr(errors, "FAULT_CLASSES") and not hasattr(errors, "DEFAULT_FAULT_TABLE")
    before = tuple(DEFAULT_FAULT_TABLE)
    assert not hasattr(DEFAULT_FAULT_TABLE, "insert") and not hasattr(DEFAULT_FAULT_TABLE, "append")
    with pytest.raises(TypeError):
        DEFAULT_FAULT_TABLE[0] = (re.compile("x"), QuotaFault)  # type: ignore[index]
    assert tuple(DEFAULT_FAULT_TABLE) == before


def test_with_rule_and_extend_return_new_tables() -> None:
    table = DEFAULT_FAULT_TABLE.with_rule(r"quota EXCEEDED", QuotaFault)
    assert isinstance(table, FaultTable) and table is not DEFAULT_FAULT_TABLE
    assert table[0][1] is QuotaFault and table[1:] == DEFAULT_FAULT_TABLE
    assert table.classify("Client", "Quota exceeded for this month") is QuotaFault
    assert DEFAULT_FAULT_TABLE.classify("Client", "Quota exceeded for this month") is ClientFault
    # with_rule goes first, extend last: "invalid quota" is an argument fault by default
    assert table.classify("Client", "invalid quota exceeded") is QuotaFault
    later = DEFAULT_FAULT_TABLE.extend([(re.compile("quota"), QuotaFault)])
    assert later[-1][1] is QuotaFault and later[: len(DEFAULT_FAULT_TABLE)] == DEFAULT_FAULT_TABLE
    assert later.classify("Client", "invalid quota exceeded") is InvalidArgumentFault
    assert later.classify("Client", "quota exceeded") is QuotaFault
    assert pickle.loads(pickle.dumps(table)) == table
    assert type(pickle.loads(pickle.dumps(table))) is FaultTable
    assert "QuotaFault" in repr(table)


@pytest.mark.parametrize(
    "rule",
    [
        ("x", ValueError),
        ("x", ServiceFault),
        ("x", ProtocolFault),
        (42, QuotaFault),
        ("x",),
        "x",
    ],
)
def test_bad_rules_are_refused(rule: Any) -> None:
    with pytest.raises(InvalidParameterError) as info:
        FaultTable([rule])
    assert info.value.parameter == "fault_classes"


def test_a_bad_table_is_refused_by_the_client() -> None:
    with pytest.raises(InvalidParameterError) as info:
        PixelzClient(EMAIL, KEY, fault_classes="quota")  # type: ignore[arg-type]
    assert info.value.parameter == "fault_classes"


def test_the_table_is_per_client() -> None:
    reply = Reply.soap(
        Binding.SOAP11, soap_fault(Binding.SOAP11, "Client", "Quota exceeded"), status=500
    )
    table = DEFAULT_FAULT_TABLE.with_rule("quota exceeded", QuotaFault)
    mine = _client(reply, fault_classes=table)
    theirs = _client(reply)
    assert type(_raised(mine)) is QuotaFault
    assert type(_raised(theirs)) is ClientFault
    # with_binding keeps the table
    plain = Reply(500, b"Quota exceeded\r\n", PLAIN)
    mine_http = _client(plain, fault_classes=table).with_binding(Binding.HTTP_GET)
    assert type(_raised(mine_http)) is QuotaFault
    assert type(_raised(_client(plain).with_binding(Binding.HTTP_GET))) is ServerFault
    # a plain list of pairs is accepted too
    listed = _client(reply, fault_classes=[(re.compile("quota", re.I), QuotaFault)])  # type: ignore[arg-type]
    assert type(_raised(listed)) is QuotaFault


def test_fault_class_keeps_working_without_a_table() -> None:
    assert fault_class("Client", "Invalid contact credentials") is AuthenticationError
    assert fault_class(None, "Image not found") is NotFoundError
    assert fault_class(None, "boom") is ServerFault
    assert fault_class("Server", "Server was unable to process request. ---> not found") is (
        ServerFault
    )
    assert fault_class("q0:Custom", "x") is ServiceFault
    # the documented limit: HTTP sends no code, so an unknown client text reads as a
    # server failure there
    assert fault_class("Client", "Something odd") is ClientFault
    assert fault_class(None, "Something odd") is ServerFault
    assert fault_class("Client", "quota", [("quota", QuotaFault)]) is QuotaFault


# --- one rule for all bindings ---------------------------------------------------------------


def _fault_reply(binding: Binding, code: str, text: str) -> Reply:
    """The answer ASMX sends for a fault over ``binding`` (HTTP: no code, no prefix)."""
    if binding.is_soap:
        wire_code = (
            {"Client": "Sender", "Server": "Receiver"}[code] if binding is Binding.SOAP12 else code
        )
        return Reply.soap(binding, soap_fault(binding, wire_code, text), status=500)
    prefix = "Server was unable to process request. ---> "
    plain = text[len(prefix) :] if text.startswith(prefix) else text
    return Reply(500, plain.encode() + b"\r\n", PLAIN)


RULE_CASES = [
    ("Client", "Invalid contact credentials", AuthenticationError),
    ("Client", "Image not found", NotFoundError),
    ("Client", "imageTicket is not a valid GUID: 'x'", InvalidArgumentFault),
    ("Client", "Missing parameter: imageTicket.", InvalidArgumentFault),
    ("Server", "Server was unable to process request. ---> boom", ServerFault),
    (
        "Server",
        "Server was unable to process request. ---> Object reference not set to an instance "
        "of an object.",
        ServerFault,
    ),
]


@pytest.mark.parametrize(("code", "text", "cls"), RULE_CASES)
def test_the_same_fault_is_the_same_class_on_every_binding(code: str, text: str, cls: type) -> None:
    seen = []
    for binding in ALL:
        exc = _raised(_client(_fault_reply(binding, code, text), binding))
        assert type(exc) is cls, binding
        assert exc.binding == binding.value
        assert exc.code == (code if binding.is_soap else None)
        seen.append((type(exc), exc.retryable, getattr(exc, "inner_message", None)))
    assert len(set(seen)) == 1, seen


def test_a_server_rule_applies_on_every_binding() -> None:
    table = DEFAULT_FAULT_TABLE.with_rule(r"^Timeout expired", DatabaseBusy)
    text = "Server was unable to process request. ---> Timeout expired. The pool is full."
    for binding in ALL:
        exc = _raised(_client(_fault_reply(binding, "Server", text), binding, fault_classes=table))
        assert type(exc) is DatabaseBusy, binding
        assert exc.retryable is True
        assert isinstance(exc, ServerFault) and exc.inner_message.startswith("Timeout expired")


def test_the_code_wins_over_the_wording() -> None:
    # a soap:Server fault whose text reads like a client one stays a ServerFault, and a
    # server rule never turns a soap:Client fault into a server one
    table = DEFAULT_FAULT_TABLE.with_rule("boom", DatabaseBusy)
    assert table.classify("Server", "Server was unable to process request. ---> not found") is (
        ServerFault
    )
    assert table.classify("Client", "boom") is ClientFault
    assert table.classify(None, "boom") is DatabaseBusy


SANDBOX_FAILURES: dict[str, tuple[Callable[[SandboxHandle, Binding], Any], type]] = {
    "server-error": (
        lambda sb, b: sb.pixelz_client(b).white_glove_service(
            image_url="http://example.com/a.jpg", product_id="server-error"
        ),
        ServerFault,
    ),
    "bad-credentials": (
        lambda sb, b: sb.pixelz_client(b, api_key="wrong").get_templates(),
        AuthenticationError,
    ),
    "image-not-found": (
        lambda sb, b: sb.pixelz_client(b).get_image_status(image_ticket=str(uuid.uuid4())),
        NotFoundError,
    ),
    "bad-guid": (
        # sent without the client's overlay checks, which refuse it before sending
        lambda sb, b: call_unchecked(sb.pixelz_client(b), "get_image_status", image_ticket="x"),
        InvalidArgumentFault,
    ),
    "legacy-bad-credentials": (
        lambda sb, b: sb.legacy_client(b, api_key="wrong").get_image_status(image_ticket=TICKET),
        AuthenticationError,
    ),
}


@pytest.mark.parametrize("failure", sorted(SANDBOX_FAILURES))
def test_the_sandbox_failure_is_the_same_on_every_binding(
    sandbox: SandboxHandle, failure: str
) -> None:
    call, cls = SANDBOX_FAILURES[failure]
    outcomes = {}
    for binding in ALL:
        with pytest.raises(RemoveTheBackgroundError) as info:
            call(sandbox, binding)
        exc = info.value
        assert type(exc) is cls, f"{failure} over {binding.value}: {exc!r}"
        assert exc.binding == binding.value and exc.http_status == 500
        assert exc.code == (
            ("Server" if cls is ServerFault else "Client") if binding.is_soap else None
        )
        outcomes[binding] = (type(exc), exc.retryable, getattr(exc, "inner_message", None))
    assert len(set(outcomes.values())) == 1, outcomes
    if cls is ServerFault:
        assert outcomes[Binding.HTTP_GET][2] == (
            "Simulated unhandled server error for productId 'server-error'"
        )


# --- the recorded traffic --------------------------------------------------------------------

_BINDING_IN_NAME = {
    "soap11": Binding.SOAP11,
    "soap12": Binding.SOAP12,
    "httpget": Binding.HTTP_GET,
    "httppost": Binding.HTTP_POST,
}

# The same failure, recorded on several bindings: (folder, recording number) and the class.
RECORDED_GROUPS = {
    "legacy-credentials": ("legacy", ("13", "15", "28"), AuthenticationError),
    "legacy-server-fault": ("legacy", ("17", "18", "30"), ServerFault),
    "legacy-bad-guid": ("legacy", ("14",), InvalidArgumentFault),
    "pixelz-credentials": ("pixelz", ("029", "049", "062"), AuthenticationError),
    "pixelz-server-fault": ("pixelz", ("044", "051"), ServerFault),
    "pixelz-bad-guid": ("pixelz", ("034",), InvalidArgumentFault),
    "pixelz-not-found": ("pixelz", ("035",), NotFoundError),
}


def _recorded_outcome(folder: str, number: str) -> RemoveTheBackgroundError:
    assert REFERENCE is not None
    (response,) = sorted((REFERENCE / "asmx-traffic" / folder).glob(f"{number}-*.response.http"))
    binding = _BINDING_IN_NAME[Path(response).name.split("-")[1]]
    adapter = ReplayAdapter(Reply.from_message(read_http_message(response)))
    session = session_with(adapter)
    with pytest.raises(RemoveTheBackgroundError) as info:
        if folder == "legacy":
            RemoveTheBackgroundClient(
                EMAIL, KEY, binding=binding, session=session
            ).get_image_status(image_ticket=TICKET)
        else:
            PixelzClient(EMAIL, KEY, binding=binding, session=session).get_image_status(
                image_ticket=TICKET
            )
    assert info.value.binding == binding.value
    return info.value


@pytest.mark.skipif(REFERENCE is None, reason=NO_REFERENCE)
@pytest.mark.parametrize("group", sorted(RECORDED_GROUPS))
def test_recorded_failures_are_the_same_class_on_every_binding(group: str) -> None:
    folder, numbers, cls = RECORDED_GROUPS[group]
    outcomes = [_recorded_outcome(folder, number) for number in numbers]
    for exc in outcomes:
        assert type(exc) is cls, f"{group}: {exc!r}"
        assert exc.retryable is False
    assert len({(type(e), e.retryable, getattr(e, "inner_message", None)) for e in outcomes}) == 1
    if cls is ServerFault:
        assert all(
            isinstance(e, ServerFault) and "Simulated unhandled" in e.inner_message
            for e in outcomes
        )

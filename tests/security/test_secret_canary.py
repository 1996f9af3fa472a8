"""A canary key, driven through every error path on every binding, is found nowhere.

The key is full of characters that every layer encodes differently. Each hostile
server below echoes the request, or the key in some encoding, into the answer (a
fault text, a reason phrase, a body that does not parse, a value that does not
parse, a redirect, a broken header), or breaks the channel. For every resulting
error the test searches, for every encoding of the key: the text, the repr, every
attribute (recursively), the ``__cause__`` / ``__context__`` chain, the formatted
traceback, every log record of every logger at every level (urllib3 included), and
the local variables of every frame of its traceback and of the tracebacks of the
exceptions it holds, as a crash reporter sends them (each value's ``repr``, and the
items of containers), and every span and metric that OpenTelemetry exported of the
call (the SDK's in-memory exporter and reader: names, attributes, events).
"""

from __future__ import annotations

import base64
import html
import logging
import socket
import traceback
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from removethebackground import Binding, PixelzClient, RemoveTheBackgroundError, Secret
from removethebackground.bindings import SOAP_BINDINGS
from removethebackground.service import FaultCode, render_soap_fault, render_text_error
from support.clients import make_client
from support.hostile import HostileServer, Request, answer, hold, raw, reset
from support.otel import Telemetry, texts_of_metrics, texts_of_spans

EMAIL = "canary@example.com"
KEY = "Ky+/= &<>%;\"'#?é-canary-0123456789"
ALL = [Binding.SOAP11, Binding.SOAP12, Binding.HTTP_GET, Binding.HTTP_POST]
TICKET = "9a4e4e16-8e77-4e8c-b579-79fba86611e3"


def _refs(text: str, fmt: str) -> str:
    return "".join(fmt.format(ord(c)) for c in text)


FORMS: dict[str, str] = {
    "plain": KEY,
    "percent": quote(KEY, safe=""),
    "percent-lower": quote(KEY, safe="")
    .replace("%2B", "%2b")
    .replace("%2F", "%2f")
    .replace("%3D", "%3d")
    .replace("%3B", "%3b")
    .replace("%3F", "%3f")
    .replace("%C3%A9", "%c3%a9"),
    "plus": quote_plus(KEY),
    "plus-lower": quote_plus(KEY).replace("%2B", "%2b").replace("%2F", "%2f"),
    "html": html.escape(KEY),
    "html-min": html.escape(KEY, quote=False),
    "decimal-refs": _refs(KEY, "&#{};"),
    "hex-refs": _refs(KEY, "&#x{:x};"),
    "hex-refs-upper": _refs(KEY, "&#x{:X};"),
    "base64": base64.b64encode(KEY.encode()).decode(),
    "base64-url": base64.urlsafe_b64encode(KEY.encode()).decode(),
    "base64-basic": base64.b64encode(f"{EMAIL}:{KEY}".encode()).decode(),
    "json": "".join(f"\\u{ord(c):04x}" for c in KEY),
}
# What the search looks for: the forms, and the core of the key that no encoding changes.
NEEDLES = {**FORMS, "core": "canary-0123456789"}


def leaks(text: str) -> list[str]:
    return [name for name, form in NEEDLES.items() if form in text]


def walk(value: Any, seen: set[int], out: list[str]) -> None:
    """Every text reachable from an error: attributes, chain, containers."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, bytes):
        out.append(value.decode("utf-8", "replace"))
    elif isinstance(value, BaseException):
        out.append(str(value))
        out.append(repr(value))
        for part in (value.args, value.__cause__, value.__context__, vars(value)):
            walk(part, seen, out)
    elif isinstance(value, dict):
        for k, v in value.items():
            walk(k, seen, out)
            walk(v, seen, out)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            walk(v, seen, out)
    elif hasattr(value, "tag") and hasattr(value, "iter"):  # an lxml element
        from lxml import etree

        out.append(etree.tostring(value, encoding="unicode"))
    elif value is not None and not isinstance(value, (int, float, bool, type)):
        out.append(repr(value))


def frame_locals(error: BaseException) -> list[str]:
    """The reprs of every local of every frame in the tracebacks reachable from ``error``."""
    out: list[str] = []
    seen: set[int] = set()
    for exc in exceptions_in(error):
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            for name, value in frame.f_locals.items():
                local_reprs(value, seen, out, f"{frame.f_code.co_name}:{name}", 0)
    return out


def exceptions_in(value: Any, seen: set[int] | None = None) -> list[BaseException]:
    """``value`` and every exception still attached to it (chain, args, attributes)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    found: list[BaseException] = []
    if isinstance(value, BaseException):
        found.append(value)
        parts: list[Any] = [value.args, value.__cause__, value.__context__, vars(value)]
    elif isinstance(value, dict):
        parts = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple, set, frozenset)):
        parts = list(value)
    else:
        return found
    for part in parts:
        found.extend(exceptions_in(part, seen))
    return found


def local_reprs(value: Any, seen: set[int], out: list[str], where: str, depth: int) -> None:
    """``repr(value)``, and the same for the items of a container (bounded depth)."""
    if id(value) in seen or depth > 6:
        return
    seen.add(id(value))
    try:
        text = repr(value)
    except Exception as exc:  # a half-built object: its repr is not what is searched
        text = f"<repr failed: {type(exc).__name__}>"
    out.append(f"{where} = {text}")
    if isinstance(value, (bytes, bytearray)):
        out.append(f"{where} = {bytes(value).decode('utf-8', 'replace')}")
    elif hasattr(value, "tag") and hasattr(value, "iter") and hasattr(value, "nsmap"):
        from lxml import etree

        out.append(f"{where} = {etree.tostring(value, encoding='unicode')}")
    elif isinstance(value, dict):
        for k, v in list(value.items()):
            local_reprs(k, seen, out, where, depth + 1)
            local_reprs(v, seen, out, where, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in list(value):
            local_reprs(v, seen, out, where, depth + 1)


# --- the servers --------------------------------------------------------------------------


def echo(status: int, ctype: str, *, cut: int | None = None) -> Any:
    """Answer with the request itself (line, headers and body), as a body."""

    def behave(server: HostileServer, conn: socket.socket, request: Request) -> None:
        body = request.head + b"\r\n\r\n" + request.body
        if cut:
            body = body[:cut]
        answer(status, body, (("Content-Type", ctype),))(server, conn, request)

    return behave


def fault_with_key(binding: Binding) -> Any:
    text = f"Invalid contact credentials for {KEY} ({FORMS['percent-lower']}, {FORMS['base64']})"
    if binding in SOAP_BINDINGS:
        engine = SOAP_BINDINGS[binding]
        body = render_soap_fault(binding, FaultCode.CLIENT, text)
        body = body.replace(b"</faultstring>", f" {FORMS['decimal-refs']}</faultstring>".encode())
        return answer(500, body, (("Content-Type", engine.answer_content_type),))
    return answer(500, render_text_error(text), (("Content-Type", "text/plain; charset=utf-8"),))


def reason_with_key() -> Any:
    reason = f"Busy {FORMS['percent']} {FORMS['base64']} {FORMS['plus-lower']}"
    return answer(503, b"", (), reason=reason)


def value_with_key(binding: Binding) -> Any:
    """A well-formed answer whose StatusId is the key (a parse error quoting the value)."""
    inner = (
        "<ImageStatus><ImageTicket>9a4e4e16-8e77-4e8c-b579-79fba86611e3</ImageTicket>"
        f"<StatusId>{html.escape(KEY)}</StatusId><IsPaid>false</IsPaid></ImageStatus>"
    )
    ns = "http://removethebackground.com/"
    if binding in SOAP_BINDINGS:
        env = SOAP_BINDINGS[binding].envelope_ns
        body = (
            f'<soap:Envelope xmlns:soap="{env}"><soap:Body>'
            f'<GetImageStatusResponse xmlns="{ns}"><GetImageStatusResult>{inner}'
            "</GetImageStatusResult></GetImageStatusResponse></soap:Body></soap:Envelope>"
        )
        ctype = SOAP_BINDINGS[binding].answer_content_type
    else:
        body = f'<ImageStatusResponse xmlns="{ns}">{inner}</ImageStatusResponse>'
        ctype = "text/xml; charset=utf-8"
    return answer(200, body.encode(), (("Content-Type", ctype),))


def redirect_with_key() -> Any:
    return answer(
        302, b"", (("Location", f"http://127.0.0.1:9/x?contactAPIkey={FORMS['percent']}"),)
    )


def broken_header() -> Any:
    """A header line urllib3 cannot parse: it logs a WARNING with the request URL."""
    return raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n: no name\r\n"
        b"Content-Length: 4\r\nConnection: close\r\n\r\n<a/>"
    )


def behaviours(binding: Binding) -> dict[str, Any]:
    return {
        "fault": fault_with_key(binding),
        "reason-phrase": reason_with_key(),
        "echo-html-200": echo(200, "text/html"),
        "echo-xml-truncated": echo(200, "text/xml", cut=300),
        "echo-text-500": echo(500, "text/plain"),
        "echo-soap-500": echo(500, "text/xml"),
        "echo-400": echo(400, "text/html"),
        "parse-error": value_with_key(binding),
        "redirect": redirect_with_key(),
        "broken-header": broken_header(),
        "timeout": hold,
        "reset": reset,
    }


def call(client: PixelzClient) -> RemoveTheBackgroundError | None:
    """The error of one call (this frame holds nothing but the client)."""
    try:
        client.get_image_status(image_ticket=TICKET, customer_image_id="c")
    except RemoveTheBackgroundError as exc:
        return exc
    return None


CASES = [(b, name) for b in ALL for name in behaviours(b)]


@pytest.mark.parametrize(("binding", "name"), CASES, ids=[f"{b}-{n}" for b, n in CASES])
def test_the_key_is_nowhere(
    binding: Binding, name: str, caplog: pytest.LogCaptureFixture, client_kind: str
) -> None:
    behaviour = behaviours(binding)[name]
    loggers = [logging.getLogger(n) for n in list(logging.Logger.manager.loggerDict)]
    levels = [(lg, lg.level) for lg in loggers if isinstance(lg, logging.Logger)]
    caplog.set_level(1)
    for lg, _ in levels:
        lg.setLevel(1)
    telemetry = Telemetry()
    try:
        with HostileServer(behaviour) as server, telemetry:
            client = make_client(
                client_kind,
                EMAIL,
                KEY,
                binding=binding,
                endpoint=server.endpoint,
                timeout=0.3,
                deadline=1.0,
                retries=1,
            )
            try:
                error = call(client)
            finally:
                client.close()
    finally:
        for lg, level in levels:
            lg.setLevel(level)
    assert error is not None, f"{name}: the call succeeded"
    texts: list[str] = []
    walk(error, set(), texts)
    texts.append("".join(traceback.format_exception(error)))
    for text in texts:
        assert not leaks(text), (name, leaks(text), text[:500])
    assert error.__cause__ is None and error.__context__ is None
    # What a crash reporter sends: the locals of every frame the error passed through.
    for line in frame_locals(error):
        assert not leaks(line), (name, leaks(line), line[:500])
    # Every record of every logger, as a handler would format it (with its traceback).
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    records = caplog.records
    for record in records:
        line = formatter.format(record)
        assert not leaks(line), (name, leaks(line), line[:500])
    if name in ("broken-header", "timeout") and client_kind == "sync":
        assert any(r.name.startswith("urllib3") for r in records), "urllib3 logged nothing"
    # Every span and metric OpenTelemetry exported of the call.
    spans = telemetry.spans()
    assert any(s.name == "Pixelz/GetImageStatus" for s in spans)
    for text in [*texts_of_spans(spans), *texts_of_metrics(telemetry)]:
        assert not leaks(text), (name, leaks(text), text[:500])


def test_the_span_search_finds_a_leaking_attribute(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search above would see a leak: here an instrumentation of its own records the
    request's URL (``url.full``, as generic HTTP instrumentations do), whose query holds
    the key on HTTP GET, on the call's span."""
    from opentelemetry import trace

    from removethebackground.core.transport import RequestsTransport

    send = RequestsTransport.send

    def leaky_send(self: RequestsTransport, request: Any, ctx: Any) -> Any:
        trace.get_current_span().set_attribute("url.full", request.url)
        return send(self, request, ctx)

    monkeypatch.setattr(RequestsTransport, "send", leaky_send)
    telemetry = Telemetry()
    with HostileServer(echo(500, "text/plain")) as server, telemetry:
        client = PixelzClient(
            EMAIL, KEY, binding=Binding.HTTP_GET, endpoint=server.endpoint, retries=False
        )
        try:
            call(client)
        finally:
            client.close()
    found = [leaks(text) for text in texts_of_spans(telemetry.spans())]
    assert any(found), "the leaking attribute was not found"


def test_the_client_holds_a_masked_secret(client_kind: str) -> None:
    import pickle

    client = make_client(client_kind, EMAIL, KEY)
    inner = getattr(client, "async_client", client)
    assert not leaks(repr(client)) and not leaks(str(vars(inner)))
    secret = inner._api_key
    assert isinstance(secret, Secret) and secret.reveal() == KEY
    assert repr(secret) == "Secret('***')" and str(secret) == "***" and f"{secret}" == "***"
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert PixelzClient(EMAIL, Secret(KEY))._api_key == secret


@pytest.mark.parametrize("form", sorted(FORMS))
def test_the_redactor_knows_every_form(form: str) -> None:
    secret = Secret(KEY)
    text = f"before {FORMS[form]} after"
    redacted = secret.redact(text)
    assert not leaks(redacted) and "***" in redacted, redacted
    if form != "base64-basic":  # inside a longer base64 text, the email part stays
        assert redacted == "before *** after"
    assert not leaks(secret.redact(repr(text)))


def test_an_urllib3_child_logger_created_later_is_filtered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("urllib3.some.new.module")
    secret = Secret("late-key-1234567890")
    with caplog.at_level(1):
        logger.warning("GET /x?contactAPIkey=%s&k2=%s", "abc", secret.reveal())
    assert "abc" not in caplog.text and "late-key-1234567890" not in caplog.text


@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
@pytest.mark.parametrize("binding", ALL)
def test_a_request_refused_before_sending_leaves_no_key_in_frames(
    binding: Binding, strict: bool, client_kind: str
) -> None:
    """The codec wrote the key into the body before it met the bad value: those frames
    are cleared too."""
    from removethebackground.plugins.strict import validator_for

    client = make_client(
        client_kind,
        EMAIL,
        KEY,
        binding=binding,
        endpoint="http://127.0.0.1:9/soap.asmx",
        strict=validator_for if strict else None,
    )
    for bad in ({"image_ticket": "x\x01y"}, {"image_ticket": TICKET, "customer_image_id": "\x02"}):
        try:
            client.get_image_status(**bad)
        except RemoveTheBackgroundError as exc:
            error = exc
        else:
            raise AssertionError(f"{bad} was sent")
        texts: list[str] = []
        walk(error, set(), texts)
        texts.extend(frame_locals(error))
        for text in texts:
            assert not leaks(text), (bad, leaks(text), text[:500])


def test_a_huge_secret_is_redacted_in_its_plain_forms_at_once() -> None:
    """A hostile "key" of 100,000 characters (the sandbox masks whatever a request sends
    as a credential) is found as is and encoded, without compiling a pattern per char."""
    import time

    from removethebackground.core.redaction import redact

    huge = "x&y" * 33_334
    started = time.perf_counter()
    for form in (huge, html.escape(huge), quote(huge, safe="")):
        assert redact(f"a {form} b", [KEY, huge]) == "a *** b"
    assert redact(f"{KEY} {huge}", [huge, KEY]) == "*** ***"
    assert time.perf_counter() - started < 2.0

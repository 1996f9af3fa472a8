"""Helpers shared by the wire-level tests.

- where the recorded ASMX traffic lives (``../shared/reference`` next to the clone, or
  ``/work/shared/reference``), and a reader for its ``*.http`` files;
- :class:`ReplayAdapter`, a ``requests`` transport adapter that answers from a script
  (recorded bytes, a canned reply, a function or an exception) and records what the
  client sent, so no test touches the network;
- :class:`LocalServer`, a real HTTP server on 127.0.0.1 for the few tests that need
  urllib3 itself (its log records, its connection handling);
- :func:`canonical` / :func:`assert_xml_equivalent`, a prefix- and indentation-blind
  comparison of XML trees;
- :func:`zeep_client`, a zeep client of a generated service's WSDL, built offline with
  codegen's transport (the pixelz WSDL imports the SOAP-encoding schema without a location);
- :func:`read_wire_value`, an lxml reader of recorded XML into the generated dataclasses
  that does not use ``removethebackground.core.codec``.
"""

from __future__ import annotations

import functools
import http.server
import io
import socket
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import requests
from lxml import etree
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # codegen is a top-level package of the repository
    sys.path.insert(0, str(REPO_ROOT))

from removethebackground.core.wire import Binding, Field, Operation, Service  # noqa: E402

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSI_NIL = f"{{{XSI_NS}}}nil"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
ENVELOPE_NS = {Binding.SOAP11: SOAP11_ENV, Binding.SOAP12: SOAP12_ENV}
SOAP_CONTENT_TYPES = {
    Binding.SOAP11: "text/xml; charset=utf-8",
    Binding.SOAP12: "application/soap+xml; charset=utf-8",
}


# --- the reference material ----------------------------------------------------------


def reference_dir() -> Path | None:
    """``<clone>/../shared/reference`` (CI), else ``/work/shared/reference``, else None."""
    for candidate in (REPO_ROOT.parent / "shared" / "reference", Path("/work/shared/reference")):
        if (candidate / "asmx-traffic").is_dir():
            return candidate
    return None


REFERENCE = reference_dir()
NO_REFERENCE = (
    "the recorded ASMX traffic is not available: expected shared/reference/asmx-traffic "
    "next to the repository clone or at /work/shared/reference"
)


@dataclass(frozen=True)
class HttpMessage:
    """One recorded HTTP request or response, exact bytes split into parts."""

    start_line: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def status(self) -> int:
        return int(self.start_line.split()[1])

    @property
    def reason(self) -> str:
        return self.start_line.split(maxsplit=2)[2] if self.start_line.count(" ") >= 2 else ""


def read_http_message(path: Path) -> HttpMessage:
    data = path.read_bytes()
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, f"{path.name}: no blank line after the headers"
    lines = head.decode("latin-1").split("\r\n")
    headers = []
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers.append((key.strip(), value.strip()))
    message = HttpMessage(lines[0], tuple(headers), body)
    declared = message.header("Content-Length")
    if declared is not None:
        assert int(declared) == len(body), f"{path.name}: Content-Length does not match the body"
    return message


def traffic_pairs() -> list[tuple[str, Path, Path]]:
    """``(folder, request file, response file)`` for every recorded exchange."""
    if REFERENCE is None:
        return []
    pairs = []
    for folder in ("legacy", "pixelz"):
        for request in sorted((REFERENCE / "asmx-traffic" / folder).glob("*.request.http")):
            response = request.with_name(request.name.replace(".request.", ".response."))
            pairs.append((folder, request, response))
    return pairs


# --- a transport adapter that replays answers -----------------------------------------


@dataclass(frozen=True)
class Reply:
    """What the fake server answers. ``Content-Length`` is added unless ``length=False``."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "text/xml; charset=utf-8"),)
    reason: str | None = None
    length: bool = True

    @classmethod
    def from_message(cls, message: HttpMessage) -> Reply:
        return cls(message.status, message.body, message.headers, message.reason, length=False)

    @classmethod
    def soap(cls, binding: Binding, body: bytes, status: int = 200) -> Reply:
        return cls(status, body, (("Content-Type", SOAP_CONTENT_TYPES[binding]),))


Responder = Reply | BaseException | Callable[[requests.PreparedRequest], "Reply | BaseException"]

_REASONS = {
    200: "OK",
    400: "Bad Request",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ReplayAdapter(BaseAdapter):
    """Answers every request from ``responder`` and records the request and its options."""

    def __init__(self, responder: Responder, *, raw: Callable[[bytes], Any] | None = None) -> None:
        super().__init__()
        self.responder = responder
        self.raw = raw or io.BytesIO
        self.sent: list[requests.PreparedRequest] = []
        self.options: list[dict[str, Any]] = []
        self.closed = False

    def send(  # type: ignore[override]
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        self.sent.append(request)
        self.options.append({"stream": stream, "timeout": timeout, "verify": verify})
        answer = self.responder(request) if callable(self.responder) else self.responder
        if isinstance(answer, BaseException):
            raise answer
        headers = CaseInsensitiveDict(dict(answer.headers))
        if answer.length and "Content-Length" not in headers:
            headers["Content-Length"] = str(len(answer.body))
        response = requests.Response()
        response.status_code = answer.status
        response.reason = answer.reason or _REASONS.get(answer.status, "")
        response.headers = headers
        response.raw = self.raw(answer.body)
        response.url = request.url or ""
        response.request = request
        response.encoding = get_encoding_from_headers(headers)
        response.connection = self
        return response

    def close(self) -> None:
        self.closed = True

    @property
    def last(self) -> requests.PreparedRequest:
        assert self.sent, "the client sent nothing"
        return self.sent[-1]


def session_with(adapter: BaseAdapter) -> requests.Session:
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- a real local HTTP server ----------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalServer:
    """A threaded HTTP server on 127.0.0.1 answering from ``respond`` (use as a context)."""

    respond: Callable[[Seen], Reply]
    seen: list[Seen] = field(default_factory=list)

    def __enter__(self) -> LocalServer:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, dict(self.headers.items()), body)
                owner.seen.append(seen)
                reply = owner.respond(seen)
                self.send_response(reply.status, reply.reason)
                for key, value in reply.headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.01,), daemon=True
        )
        self._thread.start()
        return self

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/soap.asmx"

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def closed_port() -> int:
    """A local port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def fault_of(response: requests.Response) -> tuple[str, str]:
    """(code, text) of a SOAP 1.1 or 1.2 fault answer."""
    root = etree.fromstring(response.content)
    ns = etree.QName(root).namespace
    fault = root.find(f"{{{ns}}}Body/{{{ns}}}Fault")
    assert fault is not None, response.content
    if ns == SOAP11_ENV:
        return fault.findtext("faultcode") or "", fault.findtext("faultstring") or ""
    code = fault.findtext(f"{{{ns}}}Code/{{{ns}}}Value") or ""
    return code, fault.findtext(f"{{{ns}}}Reason/{{{ns}}}Text") or ""


def cassette_matches(r1: Any, r2: Any) -> bool:
    """Whether the cassettes' matchers take two vcr requests for the same call."""
    from removethebackground.testing.cassettes import MATCHERS

    try:
        for matcher in MATCHERS.values():
            matcher(r1, r2)
    except AssertionError:
        return False
    return True


def envelope_tree(op: Operation[Any], binding: Binding, values: dict[str, Any]) -> etree._Element:
    """The client's request envelope for ``op`` over a SOAP binding, parsed."""
    from removethebackground.core.client import build_envelope

    return etree.fromstring(build_envelope(op, binding, values))


# --- XML comparison --------------------------------------------------------------------

_PLAIN = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, _PLAIN)


def canonical(el: etree._Element) -> tuple[Any, ...]:
    """An element as (tag, text, attributes, children), blind to prefixes and indentation.

    Tags and attribute names are compared in Clark notation, so prefixes and where the
    namespaces are declared do not matter. Whitespace-only text of an element that has
    child elements (indentation) and whitespace-only tails are dropped; the text of a leaf
    is kept exactly, with ``<a/>`` and ``<a></a>`` both "".
    """
    children = [c for c in el if isinstance(c.tag, str)]
    text = el.text or ""
    if children and not text.strip():
        text = ""
    tails = tuple((c.tail or "") for c in children if (c.tail or "").strip())
    attributes = tuple(sorted(el.attrib.items()))
    return (el.tag, text, attributes, tails, tuple(canonical(c) for c in children))


def assert_xml_equivalent(ours: bytes | etree._Element, theirs: bytes | etree._Element) -> None:
    a = parse_xml(ours) if isinstance(ours, bytes) else ours
    b = parse_xml(theirs) if isinstance(theirs, bytes) else theirs
    ca, cb = canonical(a), canonical(b)
    if ca != cb:
        raise AssertionError(
            "XML differs:\n ours:   "
            + etree.tostring(a, encoding="unicode")[:3000]
            + "\n theirs: "
            + etree.tostring(b, encoding="unicode")[:3000]
        )


def soap_response(binding: Binding, payload: etree._Element) -> bytes:
    """``payload`` inside a SOAP envelope of ``binding``, the way ASMX writes it."""
    env = ENVELOPE_NS[binding]
    envelope = etree.Element(
        f"{{{env}}}Envelope",
        nsmap={"soap": env, "xsi": XSI_NS, "xsd": "http://www.w3.org/2001/XMLSchema"},
    )
    etree.SubElement(envelope, f"{{{env}}}Body").append(payload)
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
    return data


def soap_fault(
    binding: Binding, code: str, text: str, *, detail: str = "", subcode: str | None = None
) -> bytes:
    """A fault as ASMX writes it (``code`` without prefix, e.g. ``Client`` or ``Sender``)."""
    if binding is Binding.SOAP11:
        fault = (
            f"<soap:Fault><faultcode>soap:{code}</faultcode><faultstring>{text}</faultstring>"
            f"<detail>{detail}</detail></soap:Fault>"
        )
    else:
        sub = f"<soap:Subcode><soap:Value>{subcode}</soap:Value></soap:Subcode>" if subcode else ""
        fault = (
            f"<soap:Fault><soap:Code><soap:Value>soap:{code}</soap:Value>{sub}</soap:Code>"
            f'<soap:Reason><soap:Text xml:lang="en">{text}</soap:Text></soap:Reason>'
            f"<soap:Detail>{detail}</soap:Detail></soap:Fault>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{ENVELOPE_NS[binding]}"'
        f' xmlns:xsi="{XSI_NS}"><soap:Body>{fault}</soap:Body></soap:Envelope>'
    ).encode()


# --- zeep -------------------------------------------------------------------------------


def wsdl_path(service: Service) -> Path:
    """The WSDL a generated module was built from (packaged copy, else the vendored one)."""
    import removethebackground.generated as generated

    packaged = Path(generated.__file__).parent / service.wsdl_resource
    return packaged if packaged.exists() else REPO_ROOT / service.wsdl_resource


@functools.cache
def _zeep_client(path: str) -> Any:
    import zeep
    from codegen.model import _offline_transport

    settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True)
    return zeep.Client(path, transport=_offline_transport(), settings=settings)


def zeep_client(service: Service) -> Any:
    return _zeep_client(str(wsdl_path(service)))


# --- an lxml reader of recorded XML, independent of removethebackground.core.codec -----------


def _scalar(xsd: str | None, text: str) -> Any:
    if xsd in ("string", None):
        return text
    if xsd == "int":
        return int(text)
    if xsd == "boolean":
        return {"true": True, "false": False, "1": True, "0": False}[text.strip()]
    if xsd == "guid":
        return uuid.UUID(text.strip())
    raise AssertionError(f"the test reader does not know xsd:{xsd}")


def read_wire_value(f: Field, el: etree._Element) -> Any:
    """``el`` as the Python value the generated dataclasses hold for field ``f``."""
    if el.get(XSI_NIL) == "true":
        return None
    if f.item is not None:
        return [read_wire_value(f.item, c) for c in el if c.tag == f.item.tag]
    if f.model is not None:
        spec = f.model.__wire__
        values: dict[str, Any] = {}
        for g in spec.fields:
            if g.attribute:
                values[g.attr] = el.get(g.tag)
                continue
            found = [c for c in el if c.tag == g.tag]
            values[g.attr] = read_wire_value(g, found[0]) if found else None
        return f.model(**values)
    return _scalar(f.xsd, el.text or "")


def form_values(
    pairs: Iterable[tuple[str, str]], params: Iterable[Any], fields: Mapping[str, Field]
) -> dict[str, Any]:
    """HTTP GET/POST pairs as keyword values of the typed method (attribute names)."""
    pairs = list(pairs)
    out: dict[str, Any] = {}
    for param in params:
        values = [v for k, v in pairs if k == param.name]
        f = fields[param.attr]
        if param.array:
            xsd = f.item.xsd if f.item is not None else "string"
            out[param.attr] = [_scalar(xsd, v) for v in values]
        elif values:
            out[param.attr] = values[0]
    return out


def iter_fields(fields: Iterable[Field]) -> Iterator[Field]:
    """Every field reachable from ``fields`` (items and the fields of models), once."""
    seen: set[int] = set()
    stack = list(fields)
    while stack:
        f = stack.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        yield f
        if f.item is not None:
            stack.append(f.item)
        if f.model is not None:
            stack.extend(f.model.__wire__.fields)


# --- requests that bypass the client's overlay checks --------------------------------------------


def _without_rule(f: Field) -> Field:
    item = None if f.item is None else _without_rule(f.item)
    return replace(f, constraint=None, item=item)


def unchecked(op: Operation[Any]) -> Operation[Any]:
    """``op`` without the overlay rules on its parameters: what an older or foreign
    client would send. Nested types keep theirs (they are shared with the service)."""
    return replace(op, params=tuple(_without_rule(f) for f in op.params))


def call_unchecked(client: Any, method: str, **kwargs: Any) -> Any:
    """Call ``method`` through the client's real path, minus its overlay checks."""
    op = next(o for o in client.SERVICE.operations.values() if o.python_name == method)
    return client._call(unchecked(op), kwargs)


def operation_named(service: Service, method: str) -> Operation[Any]:
    return next(o for o in service.operations.values() if o.python_name == method)

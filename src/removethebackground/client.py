"""The thin runtime wrapper that the generated clients inherit.

It holds the credentials, the binding, the endpoint, the timeout and a pooled
:class:`requests.Session`; builds each request from the generated wire facts;
and turns every answer into a result dataclass or an exception from
:mod:`removethebackground.errors`. It never retries on its own, so a request is
sent exactly once per call.
"""

from __future__ import annotations

import html
import logging
import os
import re
import time
from collections.abc import Mapping
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import quote, quote_plus, urlencode, urlsplit

import requests
from lxml import etree
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError

from . import __version__
from .codec import (
    SOAP11_ENV,
    SOAP12_ENV,
    XSD_NS,
    XSI_NS,
    build_children,
    format_scalar,
    parse_model,
    safe_fromstring,
)
from .errors import (
    DEFAULT_FAULT_TABLE,
    ConnectionFailedError,
    FaultTable,
    HTTPStatusError,
    InvalidParameterError,
    MalformedResponseError,
    ServiceFault,
    TransportError,
    TransportTimeout,
    UnsupportedBindingError,
    fault_class,
)
from .wire import SECRET_PARAMS, Binding, Field, Operation, Service

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "DEFAULT_TIMEOUT", "ServiceClient"]

log = logging.getLogger("removethebackground")

R = TypeVar("R")

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
CONTENT_TYPES = {
    Binding.SOAP11: "text/xml; charset=utf-8",
    Binding.SOAP12: "application/soap+xml; charset=utf-8",
    Binding.HTTP_POST: "application/x-www-form-urlencoded",
}
ENVELOPES = {Binding.SOAP11: SOAP11_ENV, Binding.SOAP12: SOAP12_ENV}
_SOAP12_CODES = {"Sender": "Client", "Receiver": "Server"}


class _RedactQueryKeys(logging.Filter):
    """Hide credentials that urllib3's debug log would print as part of a GET URL."""

    pattern = re.compile(r"(?i)((?:" + "|".join(sorted(SECRET_PARAMS)) + r")=)[^&\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                self.pattern.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args
            )
        return True


for _name in ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.poolmanager"):
    logging.getLogger(_name).addFilter(_RedactQueryKeys())


class ServiceClient:
    """Base of the generated clients: one service, one account, one binding.

    Args:
        email: the account's contact email (``contactEmail``).
        api_key: the account's API key (``contactAPIkey``); never logged or shown.
        binding: :class:`Binding` or its name; default SOAP 1.1.
        endpoint: the service URL (``.../soap.asmx``); default the WSDL's address.
        timeout: seconds, or a ``(connect, read)`` pair; always finite.
        session: a :class:`requests.Session` of your own (proxies, certificates,
            TLS settings); the client then leaves closing it to you.
        max_response_bytes: answers larger than this are refused.
        fault_classes: the :class:`~removethebackground.errors.FaultTable` that
            maps fault texts to exception classes; default
            :data:`~removethebackground.errors.DEFAULT_FAULT_TABLE`.
    """

    SERVICE: ClassVar[Service]

    def __init__(
        self,
        email: str,
        api_key: str,
        *,
        binding: Binding | str = Binding.SOAP11,
        endpoint: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        fault_classes: FaultTable | None = None,
    ) -> None:
        if not isinstance(email, str) or not email.strip():
            raise InvalidParameterError("email", "is empty: pass the account's contact email")
        if not isinstance(api_key, str) or not api_key:
            raise InvalidParameterError("api_key", "is empty: pass the account's API key")
        try:
            self._binding = Binding.parse(binding)
        except ValueError as exc:
            raise InvalidParameterError("binding", str(exc)) from None
        if self._binding not in self.SERVICE.default_endpoints:
            raise UnsupportedBindingError(
                "binding", f"{self.SERVICE.name} offers no {self._binding.value} binding"
            )
        self._endpoint = _check_endpoint(endpoint or self.SERVICE.default_endpoints[self._binding])
        self._timeout = _check_timeout(timeout)
        if max_response_bytes <= 0:
            raise InvalidParameterError("max_response_bytes", "must be a positive number")
        self._max_bytes = max_response_bytes
        self._fault_classes = (
            DEFAULT_FAULT_TABLE if fault_classes is None else FaultTable(fault_classes)
        )
        self._email = email
        self._api_key = api_key
        self._owns_session = session is None
        self._session = session if session is not None else _new_session()

    # --- construction helpers -------------------------------------------------

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Self:
        """Build a client from ``RTB_EMAIL``, ``RTB_API_KEY``, ``RTB_ENDPOINT``, ``RTB_BINDING``.

        Keyword arguments override the environment (``timeout=``, ``session=`` ...).
        """
        env = os.environ if environ is None else environ
        missing = [name for name in ("RTB_EMAIL", "RTB_API_KEY") if not env.get(name)]
        if missing:
            raise InvalidParameterError(
                missing[0], f"is not set: export {missing[0]}=... or pass it to the constructor"
            )
        kwargs: dict[str, Any] = {}
        if env.get("RTB_ENDPOINT"):
            kwargs["endpoint"] = env["RTB_ENDPOINT"]
        if env.get("RTB_BINDING"):
            try:
                kwargs["binding"] = Binding.parse(env["RTB_BINDING"])
            except ValueError as exc:
                raise InvalidParameterError("RTB_BINDING", str(exc)) from None
        kwargs.update(overrides)
        return cls(env["RTB_EMAIL"], env["RTB_API_KEY"], **kwargs)

    def with_binding(self, binding: Binding | str) -> Self:
        """The same account and endpoint over another binding, sharing the session."""
        clone = type(self)(
            self._email,
            self._api_key,
            binding=binding,
            endpoint=self._endpoint,
            timeout=self._timeout,
            session=self._session,
            max_response_bytes=self._max_bytes,
            fault_classes=self._fault_classes,
        )
        return clone

    @property
    def binding(self) -> Binding:
        return self._binding

    @property
    def endpoint(self) -> str:
        return self._endpoint

    @property
    def email(self) -> str:
        return self._email

    @property
    def timeout(self) -> float | tuple[float, float]:
        return self._timeout

    def close(self) -> None:
        """Close the session if the client made it."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(email={self._email!r}, api_key='***', "
            f"binding={self._binding.value!r}, endpoint={self._endpoint!r})"
        )

    # --- calls ------------------------------------------------------------------

    def _call(self, op: Operation[R], args: Mapping[str, object]) -> R:
        binding = self._binding
        if binding not in op.bindings:
            offered = ", ".join(sorted(b.value for b in op.bindings))
            raise UnsupportedBindingError(
                "binding",
                f"{op.name} is not offered over {binding.value} by the WSDL (it offers "
                f"{offered}): use client.with_binding(Binding.SOAP11) for this call",
            )
        values = dict(args)
        email_attr, key_attr = _credential_attrs(op)
        values[email_attr] = self._email
        values[key_attr] = self._api_key
        method, url, headers, body = self._build(op, binding, values)
        started = time.perf_counter()
        try:
            response = self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=self._timeout,
                stream=True,
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise TransportTimeout(
                self._redact(f"no answer within {self._timeout} s: {exc}"),
                operation=op.name,
                binding=binding.value,
            ) from None
        except requests.ConnectionError as exc:
            raise ConnectionFailedError(
                self._redact(f"cannot reach {self._endpoint}: {exc}"),
                operation=op.name,
                binding=binding.value,
            ) from None
        except requests.RequestException as exc:
            raise TransportError(
                self._redact(str(exc)), operation=op.name, binding=binding.value
            ) from None
        try:
            data = self._read(response, op, binding)
        finally:
            response.close()
        log.debug(
            "%s over %s: HTTP %s, %d bytes in %.1f ms",
            op.name,
            binding.value,
            response.status_code,
            len(data),
            (time.perf_counter() - started) * 1000,
        )
        return self._interpret(op, binding, response, data)

    def _build(
        self, op: Operation[Any], binding: Binding, values: dict[str, object]
    ) -> tuple[str, str, dict[str, str], bytes | None]:
        headers = {"User-Agent": f"removethebackground/{__version__}"}
        if binding.is_soap:
            body = build_envelope(op, binding, values)
            action = op.soap_actions[binding]
            if binding is Binding.SOAP11:
                headers["Content-Type"] = CONTENT_TYPES[binding]
                headers["SOAPAction"] = f'"{action}"'
            else:
                headers["Content-Type"] = f'{CONTENT_TYPES[binding]}; action="{action}"'
            return "POST", self._endpoint, headers, body
        pairs = form_pairs(op, values)
        url = self._endpoint.rstrip("/") + (op.http_location or "")
        if binding is Binding.HTTP_GET:
            query = urlencode(pairs)
            return "GET", f"{url}?{query}" if query else url, headers, None
        headers["Content-Type"] = CONTENT_TYPES[binding]
        return "POST", url, headers, urlencode(pairs).encode("ascii")

    def _read(self, response: requests.Response, op: Operation[Any], binding: Binding) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self._max_bytes:
            raise MalformedResponseError(
                f"the answer is {declared} bytes, over max_response_bytes={self._max_bytes}",
                http_status=response.status_code,
                operation=op.name,
                binding=binding.value,
            )
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > self._max_bytes:
                    raise MalformedResponseError(
                        f"the answer exceeds max_response_bytes={self._max_bytes}",
                        http_status=response.status_code,
                        operation=op.name,
                        binding=binding.value,
                    )
                chunks.append(chunk)
        except requests.RequestException as exc:
            cause = exc.args[0] if exc.args else None
            if isinstance(exc, requests.Timeout) or isinstance(cause, ReadTimeoutError):
                raise TransportTimeout(
                    self._redact(f"the answer stopped for over {self._timeout} s: {exc}"),
                    http_status=response.status_code,
                    operation=op.name,
                    binding=binding.value,
                ) from None
            raise MalformedResponseError(
                self._redact(f"the answer broke off: {exc}"),
                http_status=response.status_code,
                operation=op.name,
                binding=binding.value,
            ) from None
        return b"".join(chunks)

    def _interpret(
        self, op: Operation[R], binding: Binding, response: requests.Response, data: bytes
    ) -> R:
        status = response.status_code
        ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        ctx: dict[str, Any] = {"operation": op.name, "binding": binding.value}
        xml_type = ctype in ("text/xml", "application/soap+xml", "application/xml")
        if binding.is_soap and (status == 200 or (status == 500 and xml_type and data)):
            root = self._parse(data, status, ctx)
            return self._soap_result(op, binding, root, status, ctx)
        if not binding.is_soap and status == 200:
            root = self._parse(data, status, ctx)
            return self._http_result(op, root, status, ctx)
        if not binding.is_soap and status == 500 and ctype == "text/plain":
            text = self._redact(html.unescape(data.decode("utf-8", "replace")).strip())
            cls = fault_class(None, text, self._fault_classes)
            raise cls(text, code=None, http_status=status, **ctx)
        raise HTTPStatusError(
            f"HTTP {status} {response.reason or ''}".strip()
            + (f" ({ctype})" if ctype else "")
            + ("" if data else ", empty body"),
            http_status=status,
            excerpt=self._excerpt(data),
            **ctx,
        )

    def _parse(self, data: bytes, status: int, ctx: dict[str, Any]) -> etree._Element:
        try:
            return safe_fromstring(data)
        except MalformedResponseError as exc:
            raise MalformedResponseError(
                str(exc.args[0]), http_status=status, excerpt=self._excerpt(data), **ctx
            ) from None

    def _soap_result(
        self,
        op: Operation[R],
        binding: Binding,
        root: etree._Element,
        status: int,
        ctx: dict[str, Any],
    ) -> R:
        env_ns = etree.QName(root).namespace
        if etree.QName(root).localname != "Envelope" or env_ns not in (SOAP11_ENV, SOAP12_ENV):
            raise MalformedResponseError(
                f"expected a SOAP envelope, got <{etree.QName(root).localname}>",
                http_status=status,
                **ctx,
            )
        body = root.find(f"{{{env_ns}}}Body")
        first = None if body is None else next((c for c in body if isinstance(c.tag, str)), None)
        if first is None:
            raise MalformedResponseError("the SOAP body is empty", http_status=status, **ctx)
        if first.tag == f"{{{env_ns}}}Fault":
            raise self._fault(first, env_ns, status, ctx)
        if status != 200:
            raise MalformedResponseError(
                f"HTTP {status} without a SOAP fault", http_status=status, **ctx
            )
        if env_ns != ENVELOPES[binding]:
            raise MalformedResponseError(
                f"answered with a {env_ns} envelope to a {binding.value} request",
                http_status=status,
                **ctx,
            )
        if first.tag != op.response_tag:
            raise MalformedResponseError(
                f"expected <{op.response_element}>, got <{etree.QName(first).localname}>",
                http_status=status,
                **ctx,
            )
        return self._result_of(op, first.find(op.result.tag), status, ctx)

    def _http_result(
        self, op: Operation[R], root: etree._Element, status: int, ctx: dict[str, Any]
    ) -> R:
        if root.tag != op.http_result_tag:
            raise MalformedResponseError(
                f"expected <{op.http_result_element}>, got <{etree.QName(root).localname}>",
                http_status=status,
                **ctx,
            )
        return self._result_of(op, root, status, ctx)

    def _result_of(
        self, op: Operation[R], el: etree._Element | None, status: int, ctx: dict[str, Any]
    ) -> R:
        if el is None or el.get(f"{{{XSI_NS}}}nil") in ("true", "1"):
            raise MalformedResponseError(
                f"the answer has no {op.result.name}", http_status=status, **ctx
            )
        try:
            return parse_model(el, op.result_model, op.result.name)  # type: ignore[type-var]
        except MalformedResponseError as exc:
            raise MalformedResponseError(str(exc.args[0]), http_status=status, **ctx) from None

    def _fault(
        self, fault: etree._Element, env_ns: str, status: int, ctx: dict[str, Any]
    ) -> ServiceFault:
        subcode = None
        if env_ns == SOAP11_ENV:
            text = fault.findtext("faultstring") or ""
            detail = fault.find("detail")
            code = _local_code(fault.findtext("faultcode")).split(".")[0]
        else:
            code = _local_code(fault.findtext(f"{{{env_ns}}}Code/{{{env_ns}}}Value"))
            code = _SOAP12_CODES.get(code, code)
            sub = fault.findtext(f"{{{env_ns}}}Code/{{{env_ns}}}Subcode/{{{env_ns}}}Value")
            if sub is not None:
                subcode = _local_code(sub)
            text = fault.findtext(f"{{{env_ns}}}Reason/{{{env_ns}}}Text") or ""
            detail = fault.find(f"{{{env_ns}}}Detail")
        text = self._redact(text)
        if detail is not None and len(detail) == 0 and not (detail.text or "").strip():
            detail = None
        if detail is not None:
            detail = self._redact_element(detail)
        cls = fault_class(code or None, text, self._fault_classes)
        return cls(
            text, code=code or None, subcode=subcode, detail=detail, http_status=status, **ctx
        )

    # --- secrets ------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        for form in secret_forms(self._api_key):
            text = text.replace(form, "***")
        return text

    def _redact_element(self, element: etree._Element) -> etree._Element:
        """A copy of ``element`` with the key removed from every text, tail and attribute."""
        copy = etree.fromstring(etree.tostring(element))
        for el in copy.iter():
            if el.text:
                el.text = self._redact(el.text)
            if el.tail:
                el.tail = self._redact(el.tail)
            for name, value in el.attrib.items():
                el.set(name, self._redact(str(value)))
        return copy

    def _excerpt(self, data: bytes, limit: int = 200) -> str | None:
        if not data:
            return None
        # Redact the whole body first: a key cut by the limit would leave a prefix.
        return self._redact(data.decode("utf-8", "replace"))[:limit]


# --- request building, shared with the sandbox and the tests ------------------------


def secret_forms(secret: str) -> set[str]:
    """The ways a secret can appear on the wire: as is, URL-encoded, XML-escaped."""
    forms = {secret, quote_plus(secret), quote(secret, safe=""), html.escape(secret)}
    return {form for form in forms if form}


def _credential_attrs(op: Operation[Any]) -> tuple[str, str]:
    by_name = {f.name: f.attr for f in op.params}
    return by_name[op.credential_params[0]], by_name[op.credential_params[1]]


def build_envelope(op: Operation[Any], binding: Binding, values: Mapping[str, object]) -> bytes:
    """The SOAP envelope of a request (``values`` keyed by attribute name)."""
    env_ns = ENVELOPES[binding]
    envelope = etree.Element(
        f"{{{env_ns}}}Envelope", nsmap={"soap": env_ns, "xsi": XSI_NS, "xsd": XSD_NS}
    )
    body = etree.SubElement(envelope, f"{{{env_ns}}}Body")
    request = etree.SubElement(body, op.request_tag, nsmap={None: op.namespace})  # type: ignore[dict-item]
    build_children(request, op.params, values)
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
    return data


def form_pairs(op: Operation[Any], values: Mapping[str, object]) -> list[tuple[str, str]]:
    """The ``name=value`` pairs of an HTTP GET/POST request, every parameter present.

    Arrays become repeated pairs, and ``None`` elsewhere is sent empty. An empty or
    absent array would send no pair at all, which ASMX does not read as an empty
    array: its HTTP parameter reader fails on the missing key (a 500
    "Object reference not set to an instance of an object."). Such a call is
    refused here, before anything is sent.
    """
    fields: dict[str, Field] = {f.attr: f for f in op.params}
    pairs: list[tuple[str, str]] = []
    for param in op.http_params:
        value = values.get(param.attr)
        f = fields.get(param.attr)
        if param.array:
            if value is not None and (
                isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple))
            ):
                raise InvalidParameterError(param.attr, "expected a list: wrap it in [...]")
            if not value:
                raise InvalidParameterError(
                    param.attr,
                    "HTTP GET/POST cannot send an empty or absent array (the service fails on "
                    "the missing key): pass at least one value, or call over a SOAP binding",
                )
            item = f.item if f is not None and f.item is not None else None
            for index, element in enumerate(value):
                where = f"{param.attr}[{index}]"
                if element is None:
                    raise InvalidParameterError(
                        where, "None cannot be sent over HTTP GET/POST: use a SOAP binding"
                    )
                xsd = item.xsd if item is not None and item.xsd else "string"
                pairs.append((param.name, _form_text(format_scalar(xsd, element, where), where)))
            continue
        if value is None:
            pairs.append((param.name, ""))
            continue
        xsd = f.xsd if f is not None and f.xsd else "string"
        pairs.append((param.name, _form_text(format_scalar(xsd, value, param.attr), param.attr)))
    return pairs


def _form_text(text: str, where: str) -> str:
    if any(ord(c) < 0x20 and c not in "\t\n\r" for c in text):
        raise InvalidParameterError(where, "contains control characters: remove them")
    return text


def _local_code(raw: str | None) -> str:
    """The local part of a fault code QName such as ``soap:Client``."""
    raw = (raw or "").strip()
    _prefix, sep, local = raw.rpartition(":")
    return local if sep else raw


def _check_endpoint(endpoint: str) -> str:
    parts = urlsplit(endpoint) if isinstance(endpoint, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidParameterError(
            "endpoint", f"{endpoint!r} is not an http(s) URL such as https://host/soap.asmx"
        )
    if parts.query or parts.fragment:
        raise InvalidParameterError("endpoint", "must not carry a query string or fragment")
    return endpoint


def _check_timeout(timeout: float | tuple[float, float]) -> float | tuple[float, float]:
    if isinstance(timeout, tuple) and len(timeout) != 2:
        raise InvalidParameterError("timeout", "a tuple must be a (connect, read) pair")
    values = timeout if isinstance(timeout, tuple) else (timeout,)
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e6:
            raise InvalidParameterError(
                "timeout", "must be a positive number of seconds (or a (connect, read) pair)"
            )
    return timeout


def _new_session() -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.trust_env = True
    return session

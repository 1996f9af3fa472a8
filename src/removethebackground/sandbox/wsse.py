"""The sandbox's WS-Security and WS-Addressing checks (``--require-wsse``, ``--require-wsa``).

Off by default: a plain ASMX service knows neither, ignores their headers, and
answers a ``mustUnderstand`` Security header with a MustUnderstand fault (which
the sandbox's protocol layer does). When asked, :class:`HeaderChecks` reads the
SOAP header of each SOAP request before the operation runs.

WS-Security (OASIS WSS 1.1, UsernameToken Profile 1.1), the sandbox's choices:

- the ``wsse:Username`` is the account's contact email and the password its API
  key (there is no separate WS-Security credential in this API);
- ``PasswordText`` is compared with the key; ``PasswordDigest`` must be
  Base64(SHA-1(nonce + created + key)), and needs ``wsse:Nonce`` and ``wsu:Created``;
- the token's ``wsu:Created`` and the ``wsu:Timestamp`` are read on the sandbox's
  clock (so a test can age a message with ``advance``): a Created more than
  ``window`` seconds (300, the profile's suggestion) in the past, or more than
  ``skew`` seconds (60) in the future, or an ``Expires`` passed, is
  ``wsse:MessageExpired``;
- a nonce seen before within the window is a replay: ``wsse:FailedAuthentication``
  (nonces are kept for the window, at most 100 000);
- a ``ds:Signature``, if present, is checked with the X.509 BinarySecurityToken it
  points at (needs the ``wsse`` extra) and must cover Body and Timestamp; every
  other element it references by ``wsu:Id`` (the WS-Addressing headers and the
  UsernameToken of ``Signature(sign_addressing=True, sign_username_token=True)``)
  must match its digest too, so a changed signed header is ``wsse:FailedCheck``
  (the WS-Addressing checks above read the headers before the signature is
  checked); the certificate itself is not checked against a CA (the sandbox trusts
  any signer);
- faults carry the specification's codes and fault strings: SOAP 1.1
  ``faultcode`` ``wsse:FailedAuthentication`` (the ``wsse`` prefix declared on the
  element), SOAP 1.2 ``Sender`` with that QName as ``Subcode``. The texts say no
  more than the specification's, as a real service's would.

WS-Addressing 1.0 (2005/08): ``wsa:Action`` must be present and equal the
SOAPAction (``wsa:ActionMismatch`` otherwise), ``wsa:To`` present and equal the
endpoint URL the request came to (``wsa:DestinationUnreachable``); a missing one is
``wsa:MessageAddressingHeaderRequired``. The faults follow WS-Addressing 1.0 SOAP
Binding section 6: SOAP 1.1 ``faultcode`` is the most specific code, SOAP 1.2 nests
them as Subcodes.

Checked headers are then removed from the envelope (they are understood), so the
protocol layer's ``mustUnderstand`` check does not refuse them.
"""

from __future__ import annotations

import base64
import binascii
import collections
import datetime
import hmac
import threading
from collections.abc import Callable

from lxml import etree

from ..core.codec import SOAP12_ENV, XSD_NS, XSI_NS, safe_fromstring
from ..core.errors import MalformedResponseError
from ..core.wire import Binding
from ..plugins.addressing import WSA_NS
from ..plugins.wsse.faults import FAULT_STRINGS
from ..plugins.wsse.header import parse_time
from ..plugins.wsse.names import (
    BASE64_BINARY,
    DS_NS,
    PASSWORD_DIGEST,
    PASSWORD_TEXT,
    WSSE_NS,
    WSU_NS,
)
from ..plugins.wsse.username import password_digest
from ..service.engines import ENVELOPE_NS, XML_DECLARATION
from .clock import SandboxClock
from .config import SandboxConfig
from .store import Store

__all__ = ["HeaderChecks", "HeaderFault"]

_WSA_REASONS = {
    "InvalidAddressingHeader": (
        "A header representing a Message Addressing Property is not valid and the "
        "message cannot be processed"
    ),
    "MessageAddressingHeaderRequired": (
        "A required header representing a Message Addressing Property is not present"
    ),
    "DestinationUnreachable": "No route can be determined to reach [destination]",
    "ActionNotSupported": "The [action] cannot be processed at the receiver",
}
MAX_NONCES = 100_000


class HeaderFault(Exception):
    """A refused header: ``codes`` are local names in ``namespace``, outermost first."""

    def __init__(self, prefix: str, namespace: str, codes: tuple[str, ...], text: str) -> None:
        super().__init__(text)
        self.prefix = prefix
        self.namespace = namespace
        self.codes = codes
        self.text = text

    def render(self, binding: Binding) -> bytes:
        ns = ENVELOPE_NS[binding]
        envelope = etree.Element(
            f"{{{ns}}}Envelope", nsmap={"soap": ns, "xsi": XSI_NS, "xsd": XSD_NS}
        )
        body = etree.SubElement(envelope, f"{{{ns}}}Body")
        fault = etree.SubElement(body, f"{{{ns}}}Fault")
        qualified = {self.prefix: self.namespace}
        if ns == SOAP12_ENV:
            code = etree.SubElement(fault, f"{{{ns}}}Code")
            etree.SubElement(code, f"{{{ns}}}Value").text = "soap:Sender"
            parent = code
            for local in self.codes:
                parent = etree.SubElement(parent, f"{{{ns}}}Subcode")
                value = etree.SubElement(parent, f"{{{ns}}}Value", nsmap=qualified)
                value.text = f"{self.prefix}:{local}"
            reason = etree.SubElement(fault, f"{{{ns}}}Reason")
            text = etree.SubElement(reason, f"{{{ns}}}Text")
            text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
            text.text = self.text
        else:
            # SOAP 1.1 has no subcodes: the most specific code is the faultcode.
            code = etree.SubElement(fault, "faultcode", nsmap=qualified)
            code.text = f"{self.prefix}:{self.codes[-1]}"
            etree.SubElement(fault, "faultstring").text = self.text
        data: bytes = etree.tostring(envelope, encoding="utf-8")
        return XML_DECLARATION + data


def _wsse(code: str) -> HeaderFault:
    return HeaderFault("wsse", WSSE_NS, (code,), FAULT_STRINGS[code])


def _wsa(*codes: str) -> HeaderFault:
    return HeaderFault("wsa", WSA_NS, codes, _WSA_REASONS[codes[0]])


class HeaderChecks:
    """The checks of one sandbox (see the module docstring).

    Args:
        api_key_of: the API key of an account by contact email (``None``: no such account).
        now: the sandbox clock, seconds since the epoch.
    """

    def __init__(
        self,
        api_key_of: Callable[[str], str | None],
        now: Callable[[], float],
        *,
        require_wsse: bool = False,
        require_wsa: bool = False,
        window: float = 300.0,
        skew: float = 60.0,
    ) -> None:
        self._api_key_of = api_key_of
        self._now = now
        self.require_wsse = require_wsse
        self.require_wsa = require_wsa
        self.window = window
        self.skew = skew
        self._nonces: collections.OrderedDict[bytes, float] = collections.OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_config(
        cls, config: SandboxConfig, store: Store, clock: SandboxClock
    ) -> HeaderChecks | None:
        """The checks a sandbox's settings ask for, or ``None`` when none is on."""
        if not (config.require_wsse or config.require_wsa):
            return None

        def api_key_of(email: str) -> str | None:
            account = store.get_account(email)
            return None if account is None else account.api_key

        return cls(
            api_key_of,
            clock.now,
            require_wsse=config.require_wsse,
            require_wsa=config.require_wsa,
        )

    def check(self, body: bytes, binding: Binding, action: str, endpoint_url: str) -> bytes:
        """The request body with the checked headers removed; raises :class:`HeaderFault`."""
        try:
            root = safe_fromstring(body, "request")
        except MalformedResponseError:
            return body  # the protocol layer answers 400
        ns = ENVELOPE_NS[binding]
        if etree.QName(root).namespace != ns:
            return body  # the protocol layer answers VersionMismatch
        header = root.find(f"{{{ns}}}Header")
        if self.require_wsa:
            self._check_addressing(header, action, endpoint_url)
        if self.require_wsse:
            security = None if header is None else header.find(f"{{{WSSE_NS}}}Security")
            if security is None:
                raise _wsse("InvalidSecurity")
            self._check_security(root, security)
            assert header is not None
            header.remove(security)
        if header is not None and self.require_wsa:
            for block in header:
                if isinstance(block.tag, str) and etree.QName(block).namespace == WSA_NS:
                    if f"{{{ns}}}mustUnderstand" in block.attrib:
                        del block.attrib[f"{{{ns}}}mustUnderstand"]
        data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
        return data

    # --- WS-Addressing --------------------------------------------------------------------

    def _check_addressing(
        self, header: etree._Element | None, action: str, endpoint_url: str
    ) -> None:
        def text(name: str) -> str | None:
            found = None if header is None else header.findtext(f"{{{WSA_NS}}}{name}")
            return None if found is None else found.strip()

        sent_action, to = text("Action"), text("To")
        if sent_action is None or to is None:
            raise _wsa("MessageAddressingHeaderRequired")
        if sent_action != action:
            raise _wsa("InvalidAddressingHeader", "ActionMismatch")
        if to.rstrip("/").lower() != endpoint_url.rstrip("/").lower():
            raise _wsa("DestinationUnreachable")

    # --- WS-Security ------------------------------------------------------------------------

    def _moment(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self._now(), datetime.UTC)

    def _check_security(self, root: etree._Element, security: etree._Element) -> None:
        now = self._moment()
        stamp = security.find(f"{{{WSU_NS}}}Timestamp")
        if stamp is not None:
            self._check_timestamp(stamp, now)
        tokens = security.findall(f"{{{WSSE_NS}}}UsernameToken")
        if len(tokens) != 1:
            raise _wsse("InvalidSecurity" if tokens else "FailedAuthentication")
        self._check_username_token(tokens[0], now)
        if security.find(f"{{{DS_NS}}}Signature") is not None:
            self._check_signature(root, now)

    def _check_timestamp(self, stamp: etree._Element, now: datetime.datetime) -> None:
        try:
            created = parse_time(stamp.findtext(f"{{{WSU_NS}}}Created") or "")
            expires_text = stamp.findtext(f"{{{WSU_NS}}}Expires")
            expires = None if expires_text is None else parse_time(expires_text)
        except ValueError:
            raise _wsse("InvalidSecurity") from None
        if expires is not None and expires < created:
            raise _wsse("InvalidSecurity")
        if created - now > datetime.timedelta(seconds=self.skew):
            raise _wsse("MessageExpired")
        if expires is not None and now > expires:
            raise _wsse("MessageExpired")

    def _check_username_token(self, token: etree._Element, now: datetime.datetime) -> None:
        username = (token.findtext(f"{{{WSSE_NS}}}Username") or "").strip()
        password_el = token.find(f"{{{WSSE_NS}}}Password")
        if not username or password_el is None:
            raise _wsse("InvalidSecurityToken")
        kind = password_el.get("Type", PASSWORD_TEXT)
        if kind not in (PASSWORD_TEXT, PASSWORD_DIGEST):
            raise _wsse("UnsupportedSecurityToken")
        nonce_el = token.find(f"{{{WSSE_NS}}}Nonce")
        created_text = token.findtext(f"{{{WSU_NS}}}Created")
        nonce: bytes | None = None
        if nonce_el is not None:
            if nonce_el.get("EncodingType", BASE64_BINARY) != BASE64_BINARY:
                raise _wsse("UnsupportedSecurityToken")
            try:
                nonce = base64.b64decode("".join((nonce_el.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                raise _wsse("InvalidSecurityToken") from None
            if not nonce:
                raise _wsse("InvalidSecurityToken")
        if kind == PASSWORD_DIGEST and (nonce is None or created_text is None):
            raise _wsse("InvalidSecurityToken")
        if created_text is not None:
            try:
                created = parse_time(created_text)
            except ValueError:
                raise _wsse("InvalidSecurityToken") from None
            age = (now - created).total_seconds()
            if age > self.window or -age > self.skew:
                raise _wsse("MessageExpired")
        api_key = self._api_key_of(username)
        sent = password_el.text or ""
        if kind == PASSWORD_DIGEST:
            assert nonce is not None and created_text is not None
            expected = password_digest(nonce, created_text, api_key or "")
            ok = hmac.compare_digest(sent.strip().encode(), expected.encode())
        else:
            ok = hmac.compare_digest(sent.encode(), (api_key or "").encode())
        if api_key is None or not ok:
            raise _wsse("FailedAuthentication")
        if nonce is not None and not self._remember(nonce):
            raise _wsse("FailedAuthentication")

    def _remember(self, nonce: bytes) -> bool:
        """Record a nonce; False if it was seen within the window (a replay)."""
        now = self._now()
        with self._lock:
            while self._nonces:
                oldest, seen = next(iter(self._nonces.items()))
                if now - seen <= self.window + self.skew and len(self._nonces) < MAX_NONCES:
                    break
                del self._nonces[oldest]
            if nonce in self._nonces:
                return False
            self._nonces[nonce] = now
            return True

    def _check_signature(self, root: etree._Element, now: datetime.datetime) -> None:
        try:
            from ..plugins.wsse.signature import SignatureCheckError, verify_envelope
        except ImportError:  # pragma: no cover - the module itself imports nothing optional
            raise _wsse("UnsupportedAlgorithm") from None
        try:
            verify_envelope(root, None, now=now, skew=self.skew)
        except SignatureCheckError as exc:
            raise _wsse(exc.code) from None
        except ImportError:
            # No xmlsec here: the sandbox cannot check signatures.
            raise _wsse("UnsupportedAlgorithm") from None

"""X.509 Token Profile 1.1 signatures: sign requests, verify signed answers.

:class:`Signature` is an envelope plugin. On each request it adds to the
``<wsse:Security>`` header a ``wsu:Timestamp`` (unless one is there), a
``wsse:BinarySecurityToken`` with the caller's X.509 certificate and a
``ds:Signature`` over the SOAP Body and the Timestamp (exclusive C14N, RSA-SHA256,
SHA-256 digests), whose ``KeyInfo`` points at the token. With ``sign_addressing``
the signature also covers the WS-Addressing header blocks (``wsa:Action``,
``wsa:MessageID``, ``wsa:To``, ``wsa:ReplyTo`` ...), and with
``sign_username_token`` the ``wsse:UsernameToken``, as WCF's policies often ask.
Every signed element gets a ``wsu:Id`` written with the ``wsu`` prefix.

Given ``server_cert``, it requires every result to be signed by that certificate
over its Body and Timestamp, and refuses the answer otherwise. SOAP faults are
reported as they come, signed or not, unless ``require_signed_faults`` is set: an
attacker on the path can then forge a fault (make a call fail, or make it look
refused), never a result.

The signing is done by the XML Security Library through the ``xmlsec`` package:
install the ``wsse`` extra (``pip install "removethebackground[wsse]"``). It is
imported only when a :class:`Signature` is made.
"""

from __future__ import annotations

import base64
import datetime
import math
import ssl
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from lxml import etree

from ...core.errors import InvalidParameterError, TransportError
from .credential import Credential
from .header import (
    Clock,
    add_timestamp,
    ensure_id,
    envelope_ns,
    header_of,
    parse_time,
    security_header,
    utc_now,
)
from .names import (
    BASE64_BINARY,
    DS_NS,
    EXC_C14N,
    WSA_NAMESPACES,
    WSSE_NS,
    WSU_ID,
    WSU_NS,
    X509V3,
)

__all__ = [
    "DIGEST_ALGORITHMS",
    "SIGNATURE_ALGORITHMS",
    "Signature",
    "SignatureCheckError",
    "SignatureVerificationError",
    "load_xmlsec",
    "sign_envelope",
    "verify_envelope",
]

SIGNATURE_ALGORITHMS = frozenset(
    {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    }
)
DIGEST_ALGORITHMS = frozenset(
    {
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmldsig-more#sha384",
        "http://www.w3.org/2001/04/xmlenc#sha512",
    }
)
_NS = {"ds": DS_NS, "wsse": WSSE_NS, "wsu": WSU_NS}


def _find(el: etree._Element, path: str) -> etree._Element | None:
    """The first match of a relative path, by XPath: lxml's ``find`` misses the nodes
    that xmlsec made in an in-memory tree (their names are not in the tree's dictionary)."""
    found = el.xpath(path, namespaces=_NS)
    assert isinstance(found, list)
    first = found[0] if found else None
    return first if isinstance(first, etree._Element) else None


def _findall(el: etree._Element, path: str) -> list[etree._Element]:
    found = el.xpath(path, namespaces=_NS)
    assert isinstance(found, list)
    return [f for f in found if isinstance(f, etree._Element)]


def load_xmlsec() -> ModuleType:
    """The ``xmlsec`` module, or an ImportError that names the extra to install."""
    try:
        import xmlsec
    except ImportError as exc:
        raise ImportError(
            "WS-Security signatures need the 'xmlsec' package: "
            "pip install 'removethebackground[wsse]'"
        ) from exc
    return xmlsec


class SignatureVerificationError(TransportError):
    """An answer's signature is missing, invalid, or not over the parts it must cover.

    Raised by :class:`Signature` on an answer when ``server_cert`` is set: the
    answer is not used.
    """


class SignatureCheckError(Exception):
    """Why :func:`verify_envelope` refused an envelope; ``code`` is a WSS fault local name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- key material ---------------------------------------------------------------------


def _pem_bytes(value: Any, what: str, *, private: bool) -> bytes:
    """PEM bytes from PEM text/bytes or a ``cryptography`` key / certificate object."""
    if isinstance(value, str):
        value = value.encode("ascii", "replace")
    if isinstance(value, bytes):
        if b"-----BEGIN" not in value:
            raise InvalidParameterError(what, "is not PEM data (-----BEGIN ...)")
        return value
    if private and hasattr(value, "private_bytes"):
        from cryptography.hazmat.primitives import serialization

        data: bytes = value.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return data
    if not private and hasattr(value, "public_bytes"):
        from cryptography.hazmat.primitives import serialization

        cert: bytes = value.public_bytes(serialization.Encoding.PEM)
        return cert
    raise InvalidParameterError(
        what, "must be PEM bytes or text, or a cryptography key/certificate object"
    )


def _read(path: str | Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InvalidParameterError(what, f"cannot read {str(path)!r}: {exc.strerror}") from None


def _cert_der(cert_pem: bytes, what: str) -> bytes:
    text = cert_pem.decode("ascii", "replace")
    start = text.find("-----BEGIN CERTIFICATE-----")
    end = text.find("-----END CERTIFICATE-----", start)
    if start < 0 or end < 0:
        raise InvalidParameterError(what, "holds no PEM certificate (BEGIN CERTIFICATE)")
    return ssl.PEM_cert_to_DER_cert(text[start : end + len("-----END CERTIFICATE-----")])


# --- signing ----------------------------------------------------------------------------


def sign_envelope(
    envelope: etree._Element,
    key_pem: bytes,
    cert_pem: bytes,
    *,
    password: str | None = None,
    now: datetime.datetime | None = None,
    lifetime: float = 300,
    must_understand: bool = True,
    extra: Iterable[etree._Element] = (),
) -> etree._Element:
    """Sign ``envelope`` in place (Body, Timestamp and ``extra``); returns the ds:Signature.

    Each signed element without a ``wsu:Id`` gets one (``wsu:Id="Body-<uuid>"``, the
    prefix ``wsu`` declared on it when no ancestor declares it).
    """
    xmlsec = load_xmlsec()
    env_ns = envelope_ns(envelope)
    body = envelope.find(f"{{{env_ns}}}Body")
    if body is None:
        raise ValueError("the envelope has no Body")
    security = security_header(envelope, must_understand=must_understand)
    assert security is not None
    stamp = add_timestamp(security, now or utc_now(), lifetime)
    token = etree.SubElement(security, f"{{{WSSE_NS}}}BinarySecurityToken")
    token.set("EncodingType", BASE64_BINARY)
    token.set("ValueType", X509V3)
    token.text = base64.b64encode(_cert_der(cert_pem, "cert")).decode("ascii")
    token_id = ensure_id(token, "X509")

    signature: etree._Element = xmlsec.template.create(
        envelope, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256, ns="ds"
    )
    security.append(signature)
    ctx = xmlsec.SignatureContext()
    for target in (body, stamp, *extra):
        ref = xmlsec.template.add_reference(
            signature,
            xmlsec.Transform.SHA256,
            uri="#" + ensure_id(target, etree.QName(target).localname),
        )
        xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
        ctx.register_id(target, "Id", WSU_NS)
    key_info = xmlsec.template.ensure_key_info(signature)
    key = xmlsec.Key.from_memory(key_pem, xmlsec.KeyFormat.PEM, password)
    ctx.key = key
    ctx.sign(signature)
    # KeyInfo is not signed; the token reference goes in after signing, as xmlsec
    # knows nothing of WSS token references.
    ref_holder = etree.SubElement(key_info, f"{{{WSSE_NS}}}SecurityTokenReference")
    reference = etree.SubElement(ref_holder, f"{{{WSSE_NS}}}Reference")
    reference.set("URI", "#" + token_id)
    reference.set("ValueType", X509V3)
    return signature


# --- verifying ---------------------------------------------------------------------------


def _ids(envelope: etree._Element) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for el in envelope.iter():
        if not isinstance(el.tag, str):
            continue
        value = el.get(WSU_ID)
        if value is None:
            continue
        if value in found:
            raise SignatureCheckError("InvalidSecurity", f"the wsu:Id {value!r} is not unique")
        found[value] = el
    return found


def token_certificate(envelope: etree._Element, signature: etree._Element) -> bytes:
    """The DER certificate of the BinarySecurityToken the signature's KeyInfo points at."""
    ref = _find(signature, "ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference")
    if ref is None or not (ref.get("URI") or "").startswith("#"):
        raise SignatureCheckError(
            "SecurityTokenUnavailable", "the signature's KeyInfo names no token reference"
        )
    token = _ids(envelope).get((ref.get("URI") or "")[1:])
    if token is None or token.tag != f"{{{WSSE_NS}}}BinarySecurityToken":
        raise SignatureCheckError(
            "SecurityTokenUnavailable", "the referenced security token is not in the message"
        )
    if token.get("ValueType") != X509V3:
        raise SignatureCheckError(
            "UnsupportedSecurityToken", "only X.509 v3 binary security tokens are supported"
        )
    try:
        return base64.b64decode("".join((token.text or "").split()), validate=True)
    except ValueError:
        raise SignatureCheckError(
            "InvalidSecurityToken", "the binary security token is not base64"
        ) from None


def verify_envelope(
    envelope: etree._Element,
    cert: bytes | None = None,
    *,
    now: datetime.datetime | None = None,
    skew: float = 300,
) -> list[etree._Element]:
    """Check the envelope's signature; returns the elements it covers.

    The key is ``cert`` (PEM or DER) or, when ``None``, the BinarySecurityToken
    the signature's KeyInfo points at. The signature must use an allowed algorithm
    (:data:`SIGNATURE_ALGORITHMS`, :data:`DIGEST_ALGORITHMS`, exclusive C14N),
    cover the Body and the Timestamp of this envelope's Security header, and the
    Timestamp must not have expired (``skew`` seconds of clock difference allowed).
    Raises :class:`SignatureCheckError` naming the WSS fault code.
    """
    xmlsec = load_xmlsec()
    env_ns = envelope_ns(envelope)
    security = security_header(envelope, create=False)
    if security is None:
        raise SignatureCheckError("InvalidSecurity", "the message has no wsse:Security header")
    signature = _find(security, "ds:Signature")
    if signature is None:
        raise SignatureCheckError("InvalidSecurity", "the Security header holds no ds:Signature")
    info = _find(signature, "ds:SignedInfo")
    if info is None:
        raise SignatureCheckError("InvalidSecurity", "the signature has no SignedInfo")
    c14n = _find(info, "ds:CanonicalizationMethod")
    method = _find(info, "ds:SignatureMethod")
    if c14n is None or c14n.get("Algorithm") != EXC_C14N:
        raise SignatureCheckError("UnsupportedAlgorithm", "SignedInfo must use exclusive C14N")
    if method is None or method.get("Algorithm") not in SIGNATURE_ALGORITHMS:
        raise SignatureCheckError(
            "UnsupportedAlgorithm",
            f"signature algorithm {None if method is None else method.get('Algorithm')} "
            "is not accepted (use RSA-SHA256)",
        )
    ids = _ids(envelope)
    ctx = xmlsec.SignatureContext()
    covered: list[etree._Element] = []
    for ref in _findall(info, "ds:Reference"):
        digest = _find(ref, "ds:DigestMethod")
        if digest is None or digest.get("Algorithm") not in DIGEST_ALGORITHMS:
            raise SignatureCheckError("UnsupportedAlgorithm", "digest algorithm not accepted")
        for transform in _findall(ref, "ds:Transforms/ds:Transform"):
            if transform.get("Algorithm") != EXC_C14N:
                raise SignatureCheckError(
                    "UnsupportedAlgorithm", f"transform {transform.get('Algorithm')} not accepted"
                )
        uri = ref.get("URI") or ""
        target = ids.get(uri[1:]) if uri.startswith("#") else None
        if target is None:
            raise SignatureCheckError("FailedCheck", f"reference {uri!r} names no element")
        ctx.register_id(target, "Id", WSU_NS)
        covered.append(target)
    body = envelope.find(f"{{{env_ns}}}Body")
    stamp = _find(security, "wsu:Timestamp")
    if body is None or not any(el is body for el in covered):
        raise SignatureCheckError("FailedCheck", "the signature does not cover the SOAP Body")
    if stamp is None or not any(el is stamp for el in covered):
        raise SignatureCheckError("FailedCheck", "the signature does not cover the Timestamp")
    if cert is None:
        der = token_certificate(envelope, signature)
        key_format = xmlsec.KeyFormat.CERT_DER
        key_data = der
    else:
        pem = b"-----BEGIN" in cert
        key_format = xmlsec.KeyFormat.CERT_PEM if pem else xmlsec.KeyFormat.CERT_DER
        key_data = cert
    try:
        ctx.key = xmlsec.Key.from_memory(key_data, key_format, None)
    except xmlsec.Error:
        raise SignatureCheckError(
            "InvalidSecurityToken", "the certificate cannot be read"
        ) from None
    try:
        ctx.verify(signature)
    except xmlsec.Error:
        raise SignatureCheckError("FailedCheck", "the signature does not verify") from None
    expires_el = _find(stamp, "wsu:Expires")
    if expires_el is not None:
        expires = expires_el.text or ""
        try:
            deadline = parse_time(expires)
        except ValueError:
            raise SignatureCheckError("InvalidSecurity", "wsu:Expires is not a dateTime") from None
        if (now or utc_now()) > deadline + datetime.timedelta(seconds=skew):
            raise SignatureCheckError("MessageExpired", "the message has expired")
    return covered


class Signature:
    """An envelope plugin that signs each request and (optionally) checks signed answers.

    Args:
        key_file: the path of the PEM private key.
        cert_file: the path of the PEM certificate.
        key: the private key as PEM bytes/text or a ``cryptography`` object, instead of
            ``key_file``.
        cert: the certificate as PEM bytes/text or a ``cryptography`` object, instead of
            ``cert_file``.
        password: the private key's passphrase, if it is encrypted.
        server_cert: the service's signing certificate (path, PEM bytes, or a
            ``cryptography`` certificate). When given, every result must be signed
            by it over its Body and Timestamp, or :class:`SignatureVerificationError`
            is raised and the answer is not used. SOAP faults are NOT checked unless
            ``require_signed_faults`` is set: an unsigned (or forged) fault is raised
            as the fault it says it is.
        require_signed_faults: check SOAP faults as results are checked (needs
            ``server_cert``): an unsigned fault raises
            :class:`SignatureVerificationError` instead of its fault class. Off by
            default, as services sign their results and rarely their faults.
        sign_addressing: also sign every WS-Addressing header block of the request
            (``wsa:Action``, ``wsa:MessageID``, ``wsa:To``, ``wsa:ReplyTo`` ...), so that
            they cannot be changed or moved to another message unnoticed. Put
            ``Addressing()`` before the Signature in ``plugins=``: the plugins run in
            order, and a request without such headers is refused before it is sent.
        sign_username_token: also sign the request's ``wsse:UsernameToken`` (put the
            ``UsernameToken`` before the Signature in ``plugins=``).
        lifetime: seconds of the Timestamp this plugin adds when none is there.
        must_understand: mark the Security header ``mustUnderstand``.
        clock: returns the current time as an aware ``datetime`` (for tests).

    The private key and its password are held as :class:`Credential` and never shown.
    """

    def __init__(
        self,
        key_file: str | Path | None = None,
        cert_file: str | Path | None = None,
        *,
        key: Any = None,
        cert: Any = None,
        password: str | None = None,
        server_cert: Any = None,
        require_signed_faults: bool = False,
        sign_addressing: bool = False,
        sign_username_token: bool = False,
        lifetime: float = 300,
        must_understand: bool = True,
        clock: Clock | None = None,
    ) -> None:
        load_xmlsec()
        for name, flag in (
            ("require_signed_faults", require_signed_faults),
            ("sign_addressing", sign_addressing),
            ("sign_username_token", sign_username_token),
        ):
            if not isinstance(flag, bool):
                raise InvalidParameterError(name, f"{flag!r} is not True or False")
        if (key_file is None) == (key is None):
            raise InvalidParameterError("key", "pass exactly one of key_file= or key=")
        if (cert_file is None) == (cert is None):
            raise InvalidParameterError("cert", "pass exactly one of cert_file= or cert=")
        key_pem = (
            _read(key_file, "key_file")
            if key_file is not None
            else _pem_bytes(key, "key", private=True)
        )
        if b"PRIVATE KEY-----" not in key_pem:
            raise InvalidParameterError("key", "holds no PEM private key (BEGIN ... PRIVATE KEY)")
        cert_pem = (
            _read(cert_file, "cert_file")
            if cert_file is not None
            else _pem_bytes(cert, "cert", private=False)
        )
        _cert_der(cert_pem, "cert")
        if (
            isinstance(lifetime, bool)
            or not isinstance(lifetime, (int, float))
            or not math.isfinite(lifetime)
            or lifetime <= 0
        ):
            raise InvalidParameterError(
                "lifetime", f"{lifetime!r} is not a positive number of seconds (e.g. 300)"
            )
        self._key: Credential[bytes] = Credential(key_pem)
        self._password: Credential[str] | None = None if password is None else Credential(password)
        self.cert_pem = cert_pem
        self.server_cert: bytes | None = None
        if server_cert is not None:
            if isinstance(server_cert, Path) or (
                isinstance(server_cert, str) and "-----BEGIN" not in server_cert
            ):
                self.server_cert = _read(server_cert, "server_cert")
            else:
                self.server_cert = _pem_bytes(server_cert, "server_cert", private=False)
            _cert_der(self.server_cert, "server_cert")
        if require_signed_faults and self.server_cert is None:
            raise InvalidParameterError(
                "require_signed_faults",
                "True needs the service's certificate: pass server_cert= as well",
            )
        self.require_signed_faults = require_signed_faults
        self.sign_addressing = sign_addressing
        self.sign_username_token = sign_username_token
        self.lifetime = float(lifetime)
        self.must_understand = must_understand
        self._clock = clock or utc_now
        # Fail now, not on the first call, if the key does not load (wrong passphrase ...).
        xmlsec = load_xmlsec()
        try:
            xmlsec.Key.from_memory(key_pem, xmlsec.KeyFormat.PEM, password)
        except xmlsec.Error:
            raise InvalidParameterError(
                "key", "cannot be loaded (not an RSA/EC PEM key, or a wrong password)"
            ) from None

    def __repr__(self) -> str:
        parts = ["key='***'", "RSA-SHA256"]
        if self.sign_addressing:
            parts.append("signs WS-Addressing")
        if self.sign_username_token:
            parts.append("signs UsernameToken")
        if self.server_cert is not None:
            faults = " and faults" if self.require_signed_faults else ""
            parts.append(f"verifies answers{faults}")
        return f"Signature({', '.join(parts)})"

    def _extra(self, envelope: etree._Element, op: Any) -> list[etree._Element]:
        """The request's elements to sign besides Body and Timestamp."""
        extra: list[etree._Element] = []
        where = f" ({op.name})" if getattr(op, "name", None) else ""
        if self.sign_addressing:
            header = header_of(envelope, create=False)
            blocks = [
                el
                for el in (() if header is None else header)
                if isinstance(el.tag, str) and etree.QName(el).namespace in WSA_NAMESPACES
            ]
            if not blocks:
                raise InvalidParameterError(
                    "plugins",
                    f"Signature(sign_addressing=True) found no WS-Addressing header to sign"
                    f"{where}: put Addressing() before the Signature in plugins=[...]",
                )
            extra.extend(blocks)
        if self.sign_username_token:
            security = security_header(envelope, create=False)
            tokens = [] if security is None else _findall(security, "wsse:UsernameToken")
            if not tokens:
                raise InvalidParameterError(
                    "plugins",
                    f"Signature(sign_username_token=True) found no wsse:UsernameToken to sign"
                    f"{where}: put UsernameToken(...) before the Signature in plugins=[...]",
                )
            extra.extend(tokens)
        return extra

    def outgoing(self, envelope: etree._Element, op: Any = None, binding: Any = None) -> None:
        extra = self._extra(envelope, op)
        sign_envelope(
            envelope,
            self._key.reveal(),
            self.cert_pem,
            password=None if self._password is None else self._password.reveal(),
            now=self._clock(),
            lifetime=self.lifetime,
            must_understand=self.must_understand,
            extra=extra,
        )

    def incoming(self, envelope: etree._Element, op: Any = None, binding: Any = None) -> None:
        if self.server_cert is None:
            return
        # By default a fault is reported as it came: services sign their results, rarely
        # their faults, and a forged fault can only make a call fail (or look refused).
        env_ns = envelope_ns(envelope)
        body = envelope.find(f"{{{env_ns}}}Body")
        if (
            not self.require_signed_faults
            and body is not None
            and body.find(f"{{{env_ns}}}Fault") is not None
        ):
            return
        try:
            verify_envelope(envelope, self.server_cert, now=self._clock())
        except SignatureCheckError as exc:
            raise SignatureVerificationError(
                f"the answer's signature was refused: {exc}",
                operation=getattr(op, "name", None),
                binding=getattr(binding, "value", None),
            ) from None

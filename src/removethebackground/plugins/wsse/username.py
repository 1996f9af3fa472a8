"""UsernameToken Profile 1.1: ``<wsse:UsernameToken>`` with PasswordText or PasswordDigest."""

from __future__ import annotations

import base64
import hashlib
import math
import os
from typing import Any

from lxml import etree

from ...core.errors import InvalidParameterError
from ...core.secret import Secret
from .credential import Credential
from .header import Clock, add_timestamp, ensure_id, format_time, security_header, utc_now
from .names import BASE64_BINARY, PASSWORD_DIGEST, PASSWORD_TEXT, WSSE_NS, WSU_NS

__all__ = ["UsernameToken", "password_digest"]


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """``Base64(SHA-1(nonce + created + password))``, UsernameToken Profile 1.1 section 3.1.

    ``nonce`` is the raw nonce (the decoded ``wsse:Nonce``), ``created`` the exact
    text of ``wsu:Created``.
    """
    # SHA-1 is what the profile specifies; it is not used here for anything else.
    digest = hashlib.sha1(nonce + created.encode("utf-8") + password.encode("utf-8"))  # noqa: S324
    return base64.b64encode(digest.digest()).decode("ascii")


class UsernameToken:
    """An envelope plugin that adds a UsernameToken (and a Timestamp) to each request.

    Args:
        username: the account's contact email (the sandbox and this client's
            convention; see docs/soap-standards.md).
        password: the account's API key; held as a :class:`Credential`.
        digest: write the header's password as ``PasswordDigest``
            (Base64(SHA-1(nonce + created + password)), with a fresh 16-byte
            ``wsse:Nonce`` and ``wsu:Created``) rather than as text (``PasswordText``).
            This keeps the key out of the header only: every operation of the WSDL
            also carries it in the Body (``contactAPIkey``), in plain text, so over
            plain HTTP the digest protects nothing; TLS is what protects the key.
        timestamp: add ``<wsu:Timestamp>`` (Created, Expires) to the header.
        lifetime: seconds between the Timestamp's Created and Expires.
        must_understand: mark the Security header ``mustUnderstand`` (a service
            without WS-Security then refuses the call with a MustUnderstand fault
            instead of ignoring the token).
        clock: returns the current time as an aware ``datetime`` (for tests).
    """

    def __init__(
        self,
        username: str,
        password: str | Secret | Credential[str],
        *,
        digest: bool = False,
        timestamp: bool = True,
        lifetime: float = 300,
        must_understand: bool = True,
        clock: Clock | None = None,
    ) -> None:
        if not isinstance(username, str) or not username.strip():
            raise InvalidParameterError("username", "is empty: pass the account's contact email")
        if isinstance(password, Secret):  # the client's API key, as the client holds it
            password = password.reveal()
        secret = password if isinstance(password, Credential) else Credential(password)
        if not isinstance(secret.reveal(), str) or not secret.reveal():
            raise InvalidParameterError("password", "is empty: pass the account's API key")
        if (
            isinstance(lifetime, bool)
            or not isinstance(lifetime, (int, float))
            or not math.isfinite(lifetime)
            or lifetime <= 0
        ):
            raise InvalidParameterError(
                "lifetime", f"{lifetime!r} is not a positive number of seconds (e.g. 300)"
            )
        self.username = username
        self._password: Credential[str] = secret
        self.digest = bool(digest)
        self.timestamp = bool(timestamp)
        self.lifetime = float(lifetime)
        self.must_understand = must_understand
        self._clock = clock or utc_now

    @property
    def password(self) -> Credential[str]:
        return self._password

    def __repr__(self) -> str:
        kind = "PasswordDigest" if self.digest else "PasswordText"
        return f"UsernameToken(username={self.username!r}, password='***', {kind})"

    # --- the plugin protocol -------------------------------------------------------------

    def outgoing(self, envelope: etree._Element, op: Any = None, binding: Any = None) -> None:
        security = security_header(envelope, must_understand=self.must_understand)
        assert security is not None
        now = self._clock()
        if self.timestamp:
            add_timestamp(security, now, self.lifetime)
        security.append(self.token(nonce=os.urandom(16), created=format_time(now)))

    def incoming(self, envelope: etree._Element, op: Any = None, binding: Any = None) -> None:
        """Nothing to check on an answer: a UsernameToken authenticates the caller only."""

    # --- building ------------------------------------------------------------------------

    def token(self, *, nonce: bytes, created: str) -> etree._Element:
        """The ``<wsse:UsernameToken>`` element for a given nonce and creation time."""
        token = etree.Element(f"{{{WSSE_NS}}}UsernameToken", nsmap={"wsse": WSSE_NS, "wsu": WSU_NS})
        ensure_id(token, "UsernameToken")
        etree.SubElement(token, f"{{{WSSE_NS}}}Username").text = self.username
        password = etree.SubElement(token, f"{{{WSSE_NS}}}Password")
        if self.digest:
            password.set("Type", PASSWORD_DIGEST)
            password.text = password_digest(nonce, created, self._password.reveal())
        else:
            password.set("Type", PASSWORD_TEXT)
            password.text = self._password.reveal()
        # A Nonce and Created also go with PasswordText: they let the service refuse replays.
        nonce_el = etree.SubElement(token, f"{{{WSSE_NS}}}Nonce")
        nonce_el.set("EncodingType", BASE64_BINARY)
        nonce_el.text = base64.b64encode(nonce).decode("ascii")
        etree.SubElement(token, f"{{{WSU_NS}}}Created").text = created
        return token

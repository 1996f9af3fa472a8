"""OASIS Web Services Security 1.1 for the SOAP bindings.

- :class:`UsernameToken` (UsernameToken Profile 1.1): the account's contact email as
  ``wsse:Username`` and its API key as the password, sent as ``PasswordText`` or
  ``PasswordDigest`` (Base64(SHA-1(nonce + created + password))), with a
  ``wsu:Timestamp``. The key also travels in every request's Body (``contactAPIkey``,
  as the WSDL says), whatever the header carries: TLS is what protects it.
- :class:`Signature` (X.509 Token Profile 1.1): signs Body and Timestamp (and, when
  asked, the WS-Addressing headers and the UsernameToken) with a
  BinarySecurityToken, exclusive C14N and RSA-SHA256; verifies signed results (and
  faults, when asked). Needs the ``wsse`` extra (``xmlsec``), imported only when a
  Signature is made.
- :mod:`.faults`: the specification's fault codes as exceptions
  (:class:`FailedAuthenticationError`, :class:`MessageExpiredError`, ...).

Both are envelope plugins: pass them to a client as ``plugins=[...]``; each
request envelope goes through ``plugin.outgoing(envelope, op, binding)`` before it
is sent, and each answer through ``plugin.incoming(envelope, op, binding)``.
"""

from __future__ import annotations

from .credential import Credential
from .faults import (
    FAULT_STRINGS,
    FailedAuthenticationError,
    FailedCheckError,
    InvalidSecurityError,
    InvalidSecurityTokenError,
    MessageExpiredError,
    SecurityFault,
    SecurityTokenUnavailableError,
    UnsupportedAlgorithmError,
    UnsupportedSecurityTokenError,
)
from .names import WSSE_NS, WSU_NS
from .signature import Signature, SignatureVerificationError
from .username import UsernameToken, password_digest

__all__ = [
    "FAULT_STRINGS",
    "WSSE_NS",
    "WSU_NS",
    "FailedAuthenticationError",
    "FailedCheckError",
    "InvalidSecurityError",
    "InvalidSecurityTokenError",
    "MessageExpiredError",
    "Credential",
    "SecurityFault",
    "SecurityTokenUnavailableError",
    "Signature",
    "SignatureVerificationError",
    "UnsupportedAlgorithmError",
    "UnsupportedSecurityTokenError",
    "UsernameToken",
    "password_digest",
]

"""The fault codes of OASIS WSS 1.1 SOAP Message Security (section 12) as exceptions.

A service that refuses a message's ``<wsse:Security>`` header answers with one of
the specification's fault codes: in SOAP 1.1 as the ``faultcode`` itself
(``wsse:FailedAuthentication``, the ``wsse`` prefix declared in the answer), in
SOAP 1.2 as the ``Subcode`` of a ``Sender`` fault. The client raises the class of
this module that matches the code; each is a :class:`~removethebackground.core.errors.ClientFault`
(the request was at fault), and :class:`FailedAuthenticationError` is also an
:class:`~removethebackground.core.errors.AuthenticationError`, so ``except
AuthenticationError`` catches a refused password too.

:data:`FAULT_STRINGS` holds the specification's fault strings, which the sandbox
sends.

Importing this module registers the classes with the core
(:func:`removethebackground.core.faultcodes.register_fault_codes`); a program that has
not imported the plugin gets a plain fault for these codes (see
:mod:`removethebackground.core.faultcodes`).
"""

from __future__ import annotations

from typing import Final

from ...core.errors import AuthenticationError, ClientFault
from ...core.faultcodes import register_fault_codes
from .names import WSSE_NS

__all__ = [
    "FAULT_STRINGS",
    "SECURITY_FAULTS",
    "FailedAuthenticationError",
    "FailedCheckError",
    "InvalidSecurityError",
    "InvalidSecurityTokenError",
    "MessageExpiredError",
    "SecurityFault",
    "SecurityTokenUnavailableError",
    "UnsupportedAlgorithmError",
    "UnsupportedSecurityTokenError",
]


class SecurityFault(ClientFault):
    """The service refused the message's WS-Security header.

    ``subcode`` is the fault's local name (``"FailedAuthentication"``) and
    :attr:`qname` the full QName in Clark notation (``{<wsse namespace>}FailedAuthentication``).
    """

    local_name: str = ""

    @property
    def qname(self) -> str:
        return f"{{{WSSE_NS}}}{self.subcode or self.local_name}"


class UnsupportedSecurityTokenError(SecurityFault):
    """wsse:UnsupportedSecurityToken: an unsupported token was provided."""

    local_name = "UnsupportedSecurityToken"


class UnsupportedAlgorithmError(SecurityFault):
    """wsse:UnsupportedAlgorithm: an unsupported signature or encryption algorithm was used."""

    local_name = "UnsupportedAlgorithm"


class InvalidSecurityError(SecurityFault):
    """wsse:InvalidSecurity: an error was discovered processing the ``<wsse:Security>`` header."""

    local_name = "InvalidSecurity"


class InvalidSecurityTokenError(SecurityFault):
    """wsse:InvalidSecurityToken: an invalid security token was provided."""

    local_name = "InvalidSecurityToken"


class FailedAuthenticationError(SecurityFault, AuthenticationError):
    """wsse:FailedAuthentication: the security token could not be authenticated or authorized."""

    local_name = "FailedAuthentication"


class FailedCheckError(SecurityFault):
    """wsse:FailedCheck: the signature or decryption was invalid."""

    local_name = "FailedCheck"


class SecurityTokenUnavailableError(SecurityFault):
    """wsse:SecurityTokenUnavailable: a referenced security token could not be retrieved."""

    local_name = "SecurityTokenUnavailable"


class MessageExpiredError(SecurityFault):
    """wsse:MessageExpired: the message has expired (its timestamp is too old)."""

    local_name = "MessageExpired"


_CLASSES: tuple[type[SecurityFault], ...] = (
    UnsupportedSecurityTokenError,
    UnsupportedAlgorithmError,
    InvalidSecurityError,
    InvalidSecurityTokenError,
    FailedAuthenticationError,
    FailedCheckError,
    SecurityTokenUnavailableError,
    MessageExpiredError,
)

# Local name (in the wsse namespace) -> class.
SECURITY_FAULTS: Final[dict[str, type[SecurityFault]]] = {
    cls_.local_name: cls_ for cls_ in _CLASSES
}

# The fault strings of WSS 1.1 SOAP Message Security, section 12 (tables 1 and 2).
FAULT_STRINGS: Final[dict[str, str]] = {
    "UnsupportedSecurityToken": "An unsupported token was provided",
    "UnsupportedAlgorithm": "An unsupported signature or encryption algorithm was used",
    "InvalidSecurity": "An error was discovered processing the <wsse:Security> header.",
    "InvalidSecurityToken": "An invalid security token was provided",
    "FailedAuthentication": "The security token could not be authenticated or authorized",
    "FailedCheck": "The signature or decryption was invalid",
    "SecurityTokenUnavailable": "Referenced security token could not be retrieved",
    "MessageExpired": "The message has expired",
}


# The client raises these classes for wsse: fault codes (see core/faultcodes.py).
register_fault_codes(WSSE_NS, SECURITY_FAULTS, SecurityFault)

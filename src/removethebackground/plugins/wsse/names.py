"""Namespaces and URIs of OASIS WSS 1.1, its token profiles and XML Signature."""

from __future__ import annotations

from typing import Final

__all__ = [
    "BASE64_BINARY",
    "DS_NS",
    "EXC_C14N",
    "PASSWORD_DIGEST",
    "PASSWORD_TEXT",
    "RSA_SHA256",
    "SHA256",
    "WSA_NAMESPACES",
    "WSSE11_NS",
    "WSSE_NS",
    "WSU_ID",
    "WSU_NS",
    "X509V3",
]

WSSE_NS: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSSE11_NS: Final = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
_UT_PROFILE: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
)
_SMS: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"
_X509_PROFILE: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0"
)
PASSWORD_TEXT: Final = _UT_PROFILE + "#PasswordText"
PASSWORD_DIGEST: Final = _UT_PROFILE + "#PasswordDigest"
BASE64_BINARY: Final = _SMS + "#Base64Binary"
X509V3: Final = _X509_PROFILE + "#X509v3"
WSU_ID: Final = f"{{{WSU_NS}}}Id"

DS_NS: Final = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N: Final = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256: Final = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256: Final = "http://www.w3.org/2001/04/xmlenc#sha256"

# WS-Addressing, whose header blocks a Signature can cover (sign_addressing=True). The
# plugins are independent of each other, so the namespaces are repeated here: 1.0
# (2005/08, what plugins.addressing writes) and the 2004/08 submission WCF also speaks.
WSA_NAMESPACES: Final = (
    "http://www.w3.org/2005/08/addressing",
    "http://schemas.xmlsoap.org/ws/2004/08/addressing",
)

"""TLS and proxy options of a client, and how a failed TLS handshake is reported.

- ``verify=``: ``True`` (the default: the system's / certifi's CAs), ``False`` (no
  verification: for local experiments only), or the path of a CA bundle (a file
  of PEM certificates, or a directory prepared with ``c_rehash``) for a private CA.
- ``cert=``: a client certificate for mutual TLS: the path of one PEM file holding
  certificate and key, or a ``(cert_path, key_path)`` pair. The key must not be
  encrypted (``requests`` cannot prompt for a passphrase).
- ``proxies=`` / ``proxy=``: a mapping like ``{"http": URL, "https": URL}`` or one
  URL for both. ``http://`` endpoints go through the proxy as absolute-URI requests
  (the proxy sees them, bodies included); ``https://`` endpoints go through a
  ``CONNECT`` tunnel, so the proxy only sees the host and port.

:func:`tls_error` turns the exception of a failed handshake into
:class:`~removethebackground.core.errors.TLSVerificationError` with its ``reason``.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from .errors import InvalidParameterError, TLSVerificationError

__all__ = ["check_cert", "check_proxies", "check_verify", "tls_error"]

Cert = str | tuple[str, str]

# OpenSSL X509_V_ERR_* codes (x509_vfy.h).
_UNTRUSTED = {2, 18, 19, 20, 21, 27}
_EXPIRED = {9, 10}
_HOSTNAME = {62, 64}
_CLIENT_CERT_ALERTS = (
    "certificate required",
    "alert bad certificate",
    "unknown ca",
    "certificate unknown",
    "handshake failure",
    "peer did not return a certificate",
)


def _file(path: object, what: str) -> str:
    if isinstance(path, Path):
        path = str(path)
    if not isinstance(path, str) or not path:
        raise InvalidParameterError(what, "must be a file path")
    if not Path(path).is_file():
        raise InvalidParameterError(what, f"{path!r} is not a readable file")
    return path


def check_verify(verify: object) -> bool | str:
    """``True``, ``False`` or an existing CA bundle path (file or directory)."""
    if isinstance(verify, bool):
        return verify
    if isinstance(verify, Path):
        verify = str(verify)
    if isinstance(verify, str) and verify and Path(verify).exists():
        return verify
    raise InvalidParameterError(
        "verify",
        f"{verify!r} is neither True/False nor an existing CA bundle file or directory: "
        "pass verify='path/to/ca.pem' for a private CA",
    )


def check_cert(cert: object) -> Cert | None:
    """``None``, a combined PEM path, or a ``(cert_path, key_path)`` pair of files."""
    if cert is None:
        return None
    if isinstance(cert, (str, Path)):
        return _file(cert, "cert")
    if isinstance(cert, tuple) and len(cert) == 2:
        return (_file(cert[0], "cert"), _file(cert[1], "cert"))
    raise InvalidParameterError(
        "cert", "pass the path of a PEM file with certificate and key, or a (cert, key) pair"
    )


def check_proxies(proxies: object, proxy: object = None) -> dict[str, str] | None:
    """The proxy mapping for requests, from ``proxies=`` (a mapping) or ``proxy=`` (a URL)."""
    if proxies is not None and proxy is not None:
        raise InvalidParameterError("proxy", "pass proxy= or proxies=, not both")
    if proxy is not None:
        if not isinstance(proxy, str):
            raise InvalidParameterError("proxy", "must be a URL such as http://proxy:3128")
        proxies = {"http": proxy, "https": proxy}
    if proxies is None:
        return None
    if not isinstance(proxies, Mapping):
        raise InvalidParameterError(
            "proxies", "must be a mapping such as {'https': 'http://proxy:3128'}"
        )
    checked: dict[str, str] = {}
    for scheme, url in proxies.items():
        if not isinstance(scheme, str) or not (
            scheme in ("http", "https", "all") or "://" in scheme
        ):
            raise InvalidParameterError(
                "proxies", f"key {scheme!r}: use 'http', 'https', 'all' or 'scheme://host'"
            )
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidParameterError(
                "proxies",
                f"{scheme}: {url!r} is not an http(s) proxy URL such as http://proxy:3128",
            )
        checked[scheme] = url
    return checked


def _ssl_cause(exc: BaseException) -> BaseException | None:
    """The innermost ``ssl.SSLError`` in an exception's args, cause and context chain."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    found: BaseException | None = None
    while stack and len(seen) < 50:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            found = current
        for item in (*current.args, current.__cause__, current.__context__):
            if isinstance(item, BaseException):
                stack.append(item)
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
    return found


def tls_error(
    exc: BaseException,
    endpoint: str,
    *,
    operation: str | None = None,
    binding: str | None = None,
) -> TLSVerificationError | None:
    """A :class:`TLSVerificationError` for a certificate failure, else ``None``."""
    cause = _ssl_cause(exc)
    if cause is None:
        return None
    host = urlsplit(endpoint).hostname or endpoint
    text = str(cause).lower()
    code = getattr(cause, "verify_code", None)
    if isinstance(cause, ssl.SSLCertVerificationError) or code is not None:
        detail = getattr(cause, "verify_message", None) or str(cause)
        if code in _HOSTNAME or "hostname mismatch" in text or "match" in text:
            reason, what = "hostname_mismatch", f"the certificate of {host} is for another name"
        elif code in _EXPIRED:
            reason, what = "expired", f"the certificate of {host} has expired or is not yet valid"
        elif code in _UNTRUSTED or "issuer" in text or "self-signed" in text:
            reason = "untrusted_issuer"
            what = (
                f"the certificate of {host} is not issued by a trusted CA "
                "(for a private CA pass verify='path/to/ca.pem')"
            )
        else:
            reason, what = "other", f"the certificate of {host} was refused"
        return TLSVerificationError(
            f"TLS verification failed: {what} ({detail})",
            reason=reason,
            operation=operation,
            binding=binding,
        )
    if any(alert in text for alert in _CLIENT_CERT_ALERTS):
        return TLSVerificationError(
            f"TLS handshake failed: {host} refused the client certificate or wants one "
            f"(pass cert=...) ({cause})",
            reason="client_certificate_refused",
            operation=operation,
            binding=binding,
        )
    return None

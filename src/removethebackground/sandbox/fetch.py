"""Where the sandbox gets the images it processes: uploads, the network, or a generator.

- **Uploads.** ``PUT`` (or ``POST``) ``/uploads/<name>`` with the raw bytes stores them
  under ``<data>/uploads/<token>/<name>`` and answers ``201 Created`` with
  ``Location: <url>`` and a JSON body ``{"url": ..., "name": ..., "bytes": ...,
  "sha256": ...}``; ``GET <url>`` serves them back. This stands in for the
  presigned uploads of the real service: pass the URL as ``imageURL``. When the
  sandbox processes such a URL it reads the file directly.
- **http/https URLs** are fetched with requests: connect and read timeouts of
  ``fetch_timeout`` seconds each, at most ``max_image_bytes``, redirects followed,
  proxies from the environment except for loopback hosts. No other scheme is
  fetched, ever.
- **Reserved example domains** (``example.com``, ``example.net``, ``example.org``,
  their subdomains and ``*.example``, RFC 2606) are not fetched: the sandbox draws
  a sample product photo for them (``imaging.make_sample_product_photo``, seeded
  from the URL), so the documentation's and the recorded traffic's examples work
  offline. Hosts under ``.invalid`` fail at once, without a DNS lookup.

Every failure is a :class:`FetchError` whose text says what went wrong; the image
then goes "On Hold" (see :mod:`.worker`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import zlib
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from .imaging import make_sample_product_photo

__all__ = [
    "UPLOAD_NAME",
    "FetchError",
    "ImageFetcher",
    "is_loopback",
    "loggable_url",
    "save_upload",
    "upload_file",
]

UPLOAD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_UPLOAD_PATH = re.compile(r"/uploads/([0-9a-f]{32})/([A-Za-z0-9][A-Za-z0-9._-]{0,127})")
_EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
USER_AGENT = "removethebackground-sandbox"


class FetchError(Exception):
    """The image could not be fetched; the text is the reason."""


def loggable_url(url: str) -> str:
    """The URL without query, fragment or user info (they may carry signatures or keys)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))[:200]
    except ValueError:
        return "<unparsable URL>"


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def save_upload(uploads_dir: Path, name: str, data: bytes) -> tuple[str, str]:
    """Store an upload; returns ``(token, sha256)``."""
    if not UPLOAD_NAME.fullmatch(name) or ".." in name:
        raise ValueError(f"invalid upload name {name!r}")
    token = secrets.token_hex(16)
    folder = uploads_dir / token
    folder.mkdir(parents=True, exist_ok=False)
    partial = folder / f".{name}.part"
    partial.write_bytes(data)
    partial.replace(folder / name)
    return token, hashlib.sha256(data).hexdigest()


def upload_file(uploads_dir: Path, token: str, name: str) -> Path | None:
    """The stored file of an upload, or ``None``."""
    if not re.fullmatch(r"[0-9a-f]{32}", token) or not UPLOAD_NAME.fullmatch(name):
        return None
    if ".." in name:
        return None
    path = uploads_dir / token / name
    return path if path.is_file() else None


class ImageFetcher:
    """Fetch the bytes behind an image URL (see the module docstring)."""

    def __init__(
        self,
        uploads_dir: Path,
        *,
        timeout: float,
        max_bytes: int,
        synthetic_example_images: bool = True,
    ) -> None:
        self.uploads_dir = uploads_dir
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.synthetic_example_images = synthetic_example_images

    def fetch(self, url: str) -> bytes:
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").lower()
            parts.port  # noqa: B018 (validates the port)
        except ValueError:
            raise FetchError(f"cannot fetch {loggable_url(url)}: not a valid URL") from None
        if parts.scheme.lower() not in ("http", "https") or not host:
            raise FetchError(
                f"cannot fetch {loggable_url(url)}: only http and https URLs are fetched"
            )
        match = _UPLOAD_PATH.fullmatch(parts.path)
        if match is not None:
            local = upload_file(self.uploads_dir, match.group(1), match.group(2))
            if local is not None:
                return self._checked(local.read_bytes(), url)
        if host == "invalid" or host.endswith(".invalid"):
            raise FetchError(
                f"cannot fetch {loggable_url(url)}: the host {host} does not exist "
                "(reserved .invalid domain)"
            )
        if self.synthetic_example_images and _is_example_host(host):
            seed = zlib.crc32(url.encode("utf-8")) & 0xFFFF
            return make_sample_product_photo(seed=seed)
        return self._download(url, host)

    def _checked(self, data: bytes, url: str) -> bytes:
        if len(data) > self.max_bytes:
            raise FetchError(
                f"cannot use {loggable_url(url)}: {len(data)} bytes is over the "
                f"{self.max_bytes}-byte limit"
            )
        if not data:
            raise FetchError(f"cannot use {loggable_url(url)}: the file is empty")
        return data

    def _download(self, url: str, host: str) -> bytes:
        shown = loggable_url(url)
        with requests.Session() as session:
            session.trust_env = not is_loopback(host)
            try:
                with session.get(
                    url,
                    timeout=(self.timeout, self.timeout),
                    stream=True,
                    headers={"User-Agent": USER_AGENT},
                ) as response:
                    if response.status_code != 200:
                        raise FetchError(
                            f"cannot fetch {shown}: HTTP {response.status_code} "
                            f"{response.reason or ''}".rstrip()
                        )
                    declared = response.headers.get("Content-Length", "")
                    if declared.isdigit() and int(declared) > self.max_bytes:
                        raise FetchError(
                            f"cannot fetch {shown}: {declared} bytes is over the "
                            f"{self.max_bytes}-byte limit"
                        )
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in response.iter_content(chunk_size=65536):
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise FetchError(
                                f"cannot fetch {shown}: more than {self.max_bytes} bytes"
                            )
                        chunks.append(chunk)
            except requests.Timeout:
                raise FetchError(
                    f"cannot fetch {shown}: no answer within {self.timeout:g} s"
                ) from None
            except requests.ConnectionError as exc:
                raise FetchError(
                    f"cannot fetch {shown}: connection failed ({_short(exc)})"
                ) from None
            except requests.RequestException as exc:
                raise FetchError(f"cannot fetch {shown}: {_short(exc)}") from None
        return self._checked(b"".join(chunks), url)


def _is_example_host(host: str) -> bool:
    if host == "example" or host.endswith(".example"):
        return True
    return any(host == d or host.endswith("." + d) for d in _EXAMPLE_DOMAINS)


def _short(exc: BaseException) -> str:
    text = str(exc)
    reason = re.search(r"\[Errno -?\d+\] ([^')\]]+)", text)
    if reason:
        return reason.group(1)
    return text[:160]

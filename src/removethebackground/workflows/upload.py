"""``submit``: queue an image from a URL or a local file, and the uploaders that make files URLs.

::

    ticket = submit(client, "https://shop.example/shoe.jpg", template_id="1001")
    ticket = submit(client, "photos/shoe.jpg", uploader=SandboxUploader(sb.url),
                    template_id="1001", customer_image_id="shoe-1")

The service fetches every image from a URL, so a local file first has to be put
somewhere it can fetch it. An *uploader* is any callable ``(path) -> url``:

- :class:`SandboxUploader` sends the file to the sandbox's ``PUT /uploads/<name>`` and
  returns the URL it answers;
- :class:`PresignedPutUploader` asks a ``presign(name)`` callable of yours for a
  presigned PUT URL and the public GET URL, PUTs the file there and returns the GET
  URL. For S3-style storage (boto3 is not a dependency: bring your own client)::

      import boto3
      s3 = boto3.client("s3")

      def presign(name: str) -> tuple[str, str]:
          key = f"rtb-uploads/{uuid.uuid4()}/{name}"
          put = s3.generate_presigned_url(
              "put_object", Params={"Bucket": "my-bucket", "Key": key}, ExpiresIn=900)
          get = s3.generate_presigned_url(
              "get_object", Params={"Bucket": "my-bucket", "Key": key}, ExpiresIn=7 * 86400)
          return put, get

      uploader = PresignedPutUploader(presign)

  (the GET URL must stay valid until the service has fetched the image).
"""

from __future__ import annotations

import mimetypes
import os
import re
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote, urlsplit

import requests

from ..core.errors import InvalidParameterError
from ..generated import pixelz
from ._common import check_form, is_legacy
from .errors import UploadError

__all__ = [
    "DEFAULT_MAX_UPLOAD_BYTES",
    "PresignedPutUploader",
    "PresignedUpload",
    "SandboxUploader",
    "Uploader",
    "is_url",
    "submit",
]

DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class Uploader(Protocol):
    """Anything that makes a local file fetchable and returns its URL."""

    def __call__(self, path: Path) -> str: ...


class PresignedUpload(NamedTuple):
    """What a ``presign`` callable returns: where to PUT, where the service GETs."""

    put_url: str
    get_url: str
    headers: Mapping[str, str] = {}


def is_url(value: object) -> bool:
    """True for text that starts with ``http://`` or ``https://``."""
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def upload_name(path: Path) -> str:
    """A name safe for an upload route: letters, digits, ``.``, ``_`` and ``-``."""
    cleaned = _NAME_CHARS.sub("-", path.name).strip("-.") or "image"
    return cleaned[:100]


def _check_http(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise UploadError(f"{what} is not an http(s) URL: {url[:80]!r}")
    return url


def _open_file(path: Path, max_bytes: int) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UploadError(f"cannot read {path}: {exc.strerror}") from None
    if size == 0:
        raise UploadError(f"{path} is empty")
    if size > max_bytes:
        raise UploadError(f"{path} is {size} bytes, more than max_bytes={max_bytes}")
    return size


class SandboxUploader:
    """Upload to the sandbox's ``PUT <base_url>/uploads/<name>``; returns the URL it answers."""

    def __init__(
        self,
        base_url: str,
        *,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    ) -> None:
        self.base_url = _check_http(base_url.rstrip("/"), "base_url")
        self._session = session
        self.timeout = timeout
        self.max_bytes = max_bytes

    def __call__(self, path: Path) -> str:
        path = Path(path)
        size = _open_file(path, self.max_bytes)
        url = f"{self.base_url}/uploads/{quote(upload_name(path))}"
        http = self._session or requests.Session()
        try:
            with open(path, "rb") as body:
                response = http.put(
                    url,
                    data=body,
                    headers={"Content-Length": str(size), "Content-Type": _mime(path)},
                    timeout=self.timeout,
                )
        except requests.RequestException as exc:
            raise UploadError(f"cannot upload {path.name} to {url}: {type(exc).__name__}") from None
        finally:
            if self._session is None:
                http.close()
        if response.status_code not in (200, 201):
            raise UploadError(
                f"upload of {path.name} to {url} failed: HTTP {response.status_code} "
                f"{response.text[:200]!r}"
            )
        location = response.headers.get("Location")
        if not location:
            try:
                location = str(response.json()["url"])
            except (ValueError, KeyError, TypeError):
                raise UploadError(f"the upload route answered no URL for {path.name}") from None
        return _check_http(location, "the upload route's answer")

    def __repr__(self) -> str:
        return f"SandboxUploader({self.base_url!r})"


class PresignedPutUploader:
    """PUT the file to a presigned URL from ``presign(name)``; returns the GET URL.

    ``presign`` returns a :class:`PresignedUpload`, or a ``(put_url, get_url)`` pair.
    Neither URL is ever logged or put in an error text with its query (a presigned
    URL's query is a credential).
    """

    def __init__(
        self,
        presign: Callable[[str], PresignedUpload | tuple[str, str]],
        *,
        session: requests.Session | None = None,
        timeout: float = 60.0,
        max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        content_type: str | None = None,
    ) -> None:
        self._presign = presign
        self._session = session
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.content_type = content_type

    def __call__(self, path: Path) -> str:
        path = Path(path)
        size = _open_file(path, self.max_bytes)
        answer: Any = self._presign(upload_name(path))
        if isinstance(answer, PresignedUpload):
            target = answer
        elif isinstance(answer, tuple) and len(answer) == 2:
            target = PresignedUpload(str(answer[0]), str(answer[1]))
        else:
            raise UploadError("presign(name) must return (put_url, get_url) or PresignedUpload")
        _check_http(_strip_query(target.put_url), "the presigned PUT URL")
        _check_http(_strip_query(target.get_url), "the public GET URL")
        headers = {"Content-Length": str(size), "Content-Type": self.content_type or _mime(path)}
        headers.update(target.headers)
        http = self._session or requests.Session()
        try:
            with open(path, "rb") as body:
                response = http.put(
                    target.put_url, data=body, headers=headers, timeout=self.timeout
                )
        except requests.RequestException as exc:
            raise UploadError(
                f"cannot upload {path.name} to {_strip_query(target.put_url)}: {type(exc).__name__}"
            ) from None
        finally:
            if self._session is None:
                http.close()
        if not 200 <= response.status_code < 300:
            raise UploadError(
                f"upload of {path.name} to {_strip_query(target.put_url)} failed: "
                f"HTTP {response.status_code}"
            )
        return target.get_url

    def __repr__(self) -> str:
        return f"PresignedPutUploader({self._presign!r})"


def _strip_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def _mime(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def image_source(
    path_or_url: str | os.PathLike[str], uploader: Callable[..., Any] | None
) -> str | Path:
    """What to queue, checked: a URL as given (``str``), or a local file to hand to
    ``uploader`` (``Path``). Shared by the sync and async forms."""
    if is_url(path_or_url):
        return str(path_or_url).strip()
    text = os.fspath(path_or_url)
    if "://" in text:
        raise InvalidParameterError(
            "path_or_url", f"only http:// and https:// URLs can be queued, got {text[:80]!r}"
        )
    path = Path(text)
    if not path.is_file():
        raise InvalidParameterError(
            "path_or_url", f"{text!r} is neither an http(s) URL nor an existing file"
        )
    if uploader is None:
        raise InvalidParameterError(
            "uploader",
            f"{path.name} is a local file: pass uploader=SandboxUploader(url), "
            "PresignedPutUploader(presign) or any callable (path) -> url",
        )
    return path


def uploaded_url(url: object, path: Path) -> str:
    """The uploader's answer for ``path``, checked to be an http(s) URL."""
    if not is_url(url):
        raise UploadError(f"the uploader returned no http(s) URL for {path.name}")
    return str(url)


def resolve_image(
    path_or_url: str | os.PathLike[str], uploader: Callable[[Path], str] | None
) -> str:
    """The URL to queue: a URL as given, a local file through ``uploader``."""
    source = image_source(path_or_url, uploader)
    if isinstance(source, str):
        return source
    assert uploader is not None  # image_source refuses a file without one
    return uploaded_url(uploader(source), source)


def check_submit(client: object, params: Mapping[str, Any]) -> None:
    """The refusals of :func:`submit` that need no I/O (shared with the async form)."""
    if is_legacy(client):
        raise InvalidParameterError(
            "client", "generation 1 has no image-adding operation: use a PixelzClient"
        )
    if "image_url" in params:
        raise InvalidParameterError("image_url", "give the image as path_or_url instead")


def submit(
    client: pixelz.PixelzClient,
    path_or_url: str | os.PathLike[str],
    *,
    uploader: Callable[[Path], str] | None = None,
    **params: Any,
) -> uuid.UUID:
    """Queue one image with AddImageToQueue; returns its ticket.

    A URL is sent as ``image_url``; a local file is first handed to ``uploader``.
    Every other keyword (``template_id``, ``customer_image_id``, ``product_id``,
    ``image_callback_url`` ...) goes to :meth:`PixelzClient.add_image_to_queue`.
    """
    check_form(client, awaited=False)
    check_submit(client, params)
    url = resolve_image(path_or_url, uploader)
    answer = client.add_image_to_queue(image_url=url, **params)
    return answer.image_ticket

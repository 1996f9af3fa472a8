"""Results before they expire: how long the service keeps them, and the checks of a
downloaded file (its image type by magic bytes, its size, its SHA-256).

**Retention.** The service's documents say nothing of how long a delivered image's
``FinalImagesURL`` stay downloadable, nor whether its status then changes (the
contract's ``ImageStatus`` has no field for it). :data:`DEFAULT_RETENTION` assumes 30
days, what file services of the time commonly kept; ``Batch(retention=...)`` and
``rtb batch status|download --retention-days`` change it. A result's expiry is counted
from the row's ``ready_since`` (:mod:`.journal`): the last time the journal saw the
image unfinished, so it is never later than the real one. The sandbox models the same retention
(``SandboxConfig.retention_seconds``): past it, the output URLs answer 404.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from ..errors import DownloadError

__all__ = [
    "DEFAULT_EXPIRING_WITHIN",
    "DEFAULT_RETENTION",
    "IMAGE_SIGNATURES",
    "file_sha256",
    "image_type",
    "verify_file",
]

#: How long results stay downloadable after delivery, in seconds (assumed: 30 days).
DEFAULT_RETENTION: Final = 30 * 24 * 3600.0

#: Rows whose results expire within this many seconds are "due to expire" (24 hours).
DEFAULT_EXPIRING_WITHIN: Final = 24 * 3600.0

#: The image types a result may have (the template's output formats: JPG, PNG, TIF, PSD,
#: and the thumbnails' PNG; GIF, WebP and BMP for other deliveries), by their first bytes.
IMAGE_SIGNATURES: Final = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"8BPS", "psd"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
)

_CHUNK = 1024 * 1024


def image_type(head: bytes) -> str | None:
    """The image type the bytes ``head`` (a file's first 16 or more) start with, or ``None``."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    for signature, kind in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def verify_file(path: Path) -> str:
    """Check that ``path`` is a non-empty file of a known image type; returns its SHA-256
    (hex). Raises :class:`DownloadError` naming the file and what is wrong."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
            digest.update(head)
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise DownloadError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not head:
        raise DownloadError(f"{path}: the file is empty")
    if image_type(head) is None:
        raise DownloadError(
            f"{path}: not an image (it starts with {head[:8].hex()}, no known image type)"
        )
    return digest.hexdigest()


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of ``path``, or ``None`` when it cannot be read (gone)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()

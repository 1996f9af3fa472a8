"""The errors of the workflows: all of them derive from ``RemoveTheBackgroundError``."""

from __future__ import annotations

from ..core.errors import RemoveTheBackgroundError

__all__ = [
    "BatchError",
    "DownloadError",
    "UploadError",
    "WaitTimeout",
    "WebhookVerificationError",
]


class WaitTimeout(RemoveTheBackgroundError):
    """An image (or a batch) did not reach a final status in time.

    Attributes:
        ticket: the image ticket waited for (``None`` for a batch).
        last_status: the last :class:`~.status.ImageStatusName` seen (``None`` if no
            answer arrived at all).
        timeout: the time allowed, in seconds.
        last_error: the last transient error seen while polling, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        ticket: object = None,
        last_status: object = None,
        timeout: float = 0.0,
        last_error: BaseException | None = None,
    ) -> None:
        self.ticket = ticket
        self.last_status = last_status
        self.timeout = timeout
        self.last_error = last_error
        super().__init__(message)


class DownloadError(RemoveTheBackgroundError):
    """A result could not be downloaded (no URL yet, bad scheme, too large, broken)."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        self.url = url
        super().__init__(message)


class UploadError(RemoveTheBackgroundError):
    """A local file could not be uploaded to where the service can fetch it."""


class WebhookVerificationError(RemoveTheBackgroundError):
    """A webhook notification is not signed with the account's key, or is malformed."""


class BatchError(RemoveTheBackgroundError):
    """A batch journal or manifest cannot be used (changed manifest, other account ...)."""

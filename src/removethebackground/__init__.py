"""Typed client for the Remove The Background / Pixelz SOAP API.

Generated from the service's own WSDLs (``wsdl/``): see
:class:`PixelzClient` (generation 2, 16 operations) and
:class:`RemoveTheBackgroundClient` (generation 1, ``getImageStatus``); every
generated client and the registry ``GENERATIONS`` come from
:mod:`removethebackground.generated`.
Result types live in :mod:`removethebackground.generated.pixelz` and
:mod:`removethebackground.generated.legacy`; errors in :mod:`removethebackground.core.errors`.
The workflows users come for (submit, wait, download, batches, webhooks) are in
:mod:`removethebackground.workflows`; their main names are re-exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._version import __version__
from .core.errors import (
    AuthenticationError,
    ClientFault,
    ConnectionFailedError,
    HTTPStatusError,
    InvalidArgumentFault,
    InvalidParameterError,
    InvalidStateError,
    MalformedResponseError,
    NotFoundError,
    OutcomeUnknownError,
    ProtocolFault,
    RemoveTheBackgroundError,
    ServerFault,
    ServiceFault,
    TLSVerificationError,
    TransportError,
    TransportTimeout,
    UnsupportedBindingError,
)
from .core.retry import RetryingTransport, RetryPolicy
from .core.secret import Secret
from .core.wire import UNSET, Binding, UnsetType
from .generated import *  # noqa: F403  (the registry: GENERATIONS and every generated client)
from .generated import __all__ as _generated_all

if TYPE_CHECKING:  # imported on first use (see __getattr__): plain client use stays lean
    from .workflows import (
        Batch,
        BatchError,
        BatchSummary,
        DownloadError,
        ImageStatusName,
        PresignedPutUploader,
        SandboxUploader,
        Uploader,
        UploadError,
        WaitTimeout,
        WebhookNotification,
        WebhookVerificationError,
        from_dict,
        iter_images,
        iter_product_ids,
        submit,
        to_dict,
        to_json,
        verify_webhook,
        wait_for,
        webhook_app,
    )
    from .workflows.download import download

__all__ = [
    "UNSET",
    "AuthenticationError",
    "Binding",
    "ClientFault",
    "ConnectionFailedError",
    "HTTPStatusError",
    "InvalidArgumentFault",
    "InvalidParameterError",
    "InvalidStateError",
    "MalformedResponseError",
    "NotFoundError",
    "OutcomeUnknownError",
    "ProtocolFault",
    "RemoveTheBackgroundError",
    "RetryPolicy",
    "RetryingTransport",
    "Secret",
    "ServerFault",
    "ServiceFault",
    "TLSVerificationError",
    "TransportError",
    "TransportTimeout",
    "UnsetType",
    "UnsupportedBindingError",
    "__version__",
    # removethebackground.workflows
    "Batch",
    "BatchError",
    "BatchSummary",
    "DownloadError",
    "ImageStatusName",
    "PresignedPutUploader",
    "SandboxUploader",
    "UploadError",
    "Uploader",
    "WaitTimeout",
    "WebhookNotification",
    "WebhookVerificationError",
    "download",
    "from_dict",
    "iter_images",
    "iter_product_ids",
    "submit",
    "to_dict",
    "to_json",
    "verify_webhook",
    "wait_for",
    "webhook_app",
    *_generated_all,
]

_WORKFLOWS = frozenset(
    {
        "Batch",
        "BatchError",
        "BatchSummary",
        "DownloadError",
        "ImageStatusName",
        "PresignedPutUploader",
        "SandboxUploader",
        "Uploader",
        "UploadError",
        "WaitTimeout",
        "WebhookNotification",
        "WebhookVerificationError",
        "download",
        "from_dict",
        "iter_images",
        "iter_product_ids",
        "submit",
        "to_dict",
        "to_json",
        "verify_webhook",
        "wait_for",
        "webhook_app",
    }
)


def __getattr__(name: str) -> object:
    """The workflow names, imported from :mod:`removethebackground.workflows` on first use."""
    if name in _WORKFLOWS:
        from . import workflows

        value = getattr(workflows, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

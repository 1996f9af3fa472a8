"""Typed client for the Remove The Background / Pixelz SOAP API.

Generated from the service's own WSDLs (``wsdl/``): see
:class:`PixelzClient` (generation 2, 16 operations) and
:class:`RemoveTheBackgroundClient` (generation 1, ``getImageStatus``), and their
asyncio forms :class:`AsyncPixelzClient` and :class:`AsyncRemoveTheBackgroundClient`
(the ``async`` extra: httptools); every
generated client and the registry ``GENERATIONS`` come from
:mod:`removethebackground.generated`.
Result types live in :mod:`removethebackground.generated.pixelz` and
:mod:`removethebackground.generated.legacy`; errors in :mod:`removethebackground.core.errors`.
The workflows users come for (submit, wait, download, batches, webhooks) are in
:mod:`removethebackground.workflows`; their main names are re-exported here.

Importing the package is cheap: each name below is imported from its module on first
use (``__getattr__``), so ``import removethebackground`` loads neither requests nor lxml
nor the generated code until a name that needs them is asked for.
"""

from __future__ import annotations

import importlib

from ._version import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers read it)
if TYPE_CHECKING:  # what type checkers and IDEs see; at run time see __getattr__
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
    from .generated import (
        GENERATIONS,
        AsyncPixelzClient,
        AsyncRemoveTheBackgroundClient,
        PixelzClient,
        RemoveTheBackgroundClient,
    )
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
        download,
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

__all__ = [
    "GENERATIONS",
    "UNSET",
    "AsyncPixelzClient",
    "AsyncRemoveTheBackgroundClient",
    "AuthenticationError",
    "Batch",
    "BatchError",
    "BatchSummary",
    "Binding",
    "ClientFault",
    "ConnectionFailedError",
    "DownloadError",
    "HTTPStatusError",
    "ImageStatusName",
    "InvalidArgumentFault",
    "InvalidParameterError",
    "InvalidStateError",
    "MalformedResponseError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PixelzClient",
    "PresignedPutUploader",
    "ProtocolFault",
    "RemoveTheBackgroundClient",
    "RemoveTheBackgroundError",
    "RetryPolicy",
    "RetryingTransport",
    "SandboxUploader",
    "Secret",
    "ServerFault",
    "ServiceFault",
    "TLSVerificationError",
    "TransportError",
    "TransportTimeout",
    "UnsetType",
    "UnsupportedBindingError",
    "UploadError",
    "Uploader",
    "WaitTimeout",
    "WebhookNotification",
    "WebhookVerificationError",
    "__version__",
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
]

# The module each lazy name comes from (relative to this package).
_ERRORS = (
    "AuthenticationError",
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
    "ServerFault",
    "ServiceFault",
    "TLSVerificationError",
    "TransportError",
    "TransportTimeout",
    "UnsupportedBindingError",
)
_WORKFLOWS = (
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
)
_SOURCES: dict[str, str] = {
    **dict.fromkeys(_ERRORS, ".core.errors"),
    "RetryPolicy": ".core.retry",
    "RetryingTransport": ".core.retry",
    "Secret": ".core.secret",
    "UNSET": ".core.wire",
    "Binding": ".core.wire",
    "UnsetType": ".core.wire",
    "GENERATIONS": ".generated",
    "AsyncPixelzClient": ".generated",
    "AsyncRemoveTheBackgroundClient": ".generated",
    "PixelzClient": ".generated",
    "RemoveTheBackgroundClient": ".generated",
    **dict.fromkeys(_WORKFLOWS, ".workflows"),
}


def __getattr__(name: str) -> object:
    """A public name, imported from its module on first use (then kept here)."""
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(source, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

"""The job users come for, as a library: send images, wait, download, verify webhooks.

Built on the public client only (:class:`~removethebackground.PixelzClient`,
:class:`~removethebackground.RemoveTheBackgroundClient`, the generated dataclasses and
the errors), one module per concern:

=====================  ==========================================================================
:mod:`.status`         :class:`ImageStatusName`: the statuses of both generations as one enum
:mod:`.serialize`      :func:`to_dict`, :func:`to_json`, :func:`from_dict`: results as plain data
:mod:`.wait`           :func:`wait_for`: poll with exponential backoff and jitter until delivered
:mod:`.paging`         :func:`iter_images`, :func:`iter_product_ids`: every page of a list
:mod:`.download`       :func:`download`: safe, atomic, resumable, verified, concurrent downloads
:mod:`.upload`         :func:`submit` and the uploaders that turn local files into URLs
:mod:`.webhooks`       :func:`verify_webhook`, :func:`webhook_app`: signed notifications, confirmed
:mod:`.batch`          :class:`Batch`: a manifest of images submitted exactly once, resumable
:mod:`.errors`         :class:`WaitTimeout`, :class:`DownloadError`, :class:`UploadError`, ...
:mod:`.aio`            the same functions, awaited, for the async clients (``AsyncPixelzClient``)
=====================  ==========================================================================

The whole round trip::

    from removethebackground import PixelzClient, submit, wait_for, download, SandboxUploader

    client = PixelzClient.from_env()
    ticket = submit(client, "shoe.jpg", uploader=SandboxUploader("http://127.0.0.1:8110"),
                    template_id="1001")
    status = wait_for(client, ticket, timeout=3600, on_progress=lambda s: print(s.status_name))
    paths = download(status, "cutouts/")

Tickets are values: every ticket parameter of the client and of these functions takes a
``uuid.UUID`` as well as its text.
"""

from __future__ import annotations

from .batch import MANIFEST_COLUMNS, Batch, BatchRow, BatchSummary
from .download import DEFAULT_MAX_BYTES, DEFAULT_NAME, ResultNames, download, result_urls
from .errors import BatchError, DownloadError, UploadError, WaitTimeout, WebhookVerificationError
from .paging import MAX_PER_PAGE, iter_images, iter_product_ids
from .serialize import from_dict, from_json, to_dict, to_json
from .status import ImageStatusName
from .upload import PresignedPutUploader, PresignedUpload, SandboxUploader, Uploader, submit
from .wait import wait_for
from .webhooks import (
    SIGNATURE_HEADER,
    WebhookNotification,
    sign_webhook,
    verify_webhook,
    webhook_app,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_NAME",
    "MANIFEST_COLUMNS",
    "MAX_PER_PAGE",
    "SIGNATURE_HEADER",
    "Batch",
    "BatchError",
    "BatchRow",
    "BatchSummary",
    "DownloadError",
    "ImageStatusName",
    "PresignedPutUploader",
    "PresignedUpload",
    "ResultNames",
    "SandboxUploader",
    "UploadError",
    "Uploader",
    "WaitTimeout",
    "WebhookNotification",
    "WebhookVerificationError",
    "download",
    "from_dict",
    "from_json",
    "iter_images",
    "iter_product_ids",
    "result_urls",
    "sign_webhook",
    "submit",
    "to_dict",
    "to_json",
    "verify_webhook",
    "wait_for",
    "webhook_app",
]

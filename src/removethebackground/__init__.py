"""Typed client for the Remove The Background / Pixelz SOAP API.

Generated from the service's own WSDLs (``wsdl/``): see
:class:`PixelzClient` (generation 2, 16 operations) and
:class:`RemoveTheBackgroundClient` (generation 1, ``getImageStatus``); every
generated client and the registry ``GENERATIONS`` come from
:mod:`removethebackground.generated`.
Result types live in :mod:`removethebackground.generated.pixelz` and
:mod:`removethebackground.generated.legacy`; errors in :mod:`removethebackground.errors`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (
    AuthenticationError,
    ClientFault,
    ConnectionFailedError,
    HTTPStatusError,
    InvalidArgumentFault,
    InvalidParameterError,
    InvalidStateError,
    MalformedResponseError,
    NotFoundError,
    ProtocolFault,
    RemoveTheBackgroundError,
    ServerFault,
    ServiceFault,
    TransportError,
    TransportTimeout,
    UnsupportedBindingError,
)
from .generated import *  # noqa: F403  (the registry: GENERATIONS and every generated client)
from .generated import __all__ as _generated_all
from .wire import UNSET, Binding, UnsetType

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
    "ProtocolFault",
    "RemoveTheBackgroundError",
    "ServerFault",
    "ServiceFault",
    "TransportError",
    "TransportTimeout",
    "UnsetType",
    "UnsupportedBindingError",
    "__version__",
    *_generated_all,
]

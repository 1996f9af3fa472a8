"""Typed client for the Remove The Background / Pixelz SOAP API.

Generated from the service's own WSDLs (``wsdl/``): see
:class:`PixelzClient` (generation 2, 16 operations) and
:class:`RemoveTheBackgroundClient` (generation 1, ``getImageStatus``).
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
from .generated.legacy import RemoveTheBackgroundClient
from .generated.pixelz import PixelzClient
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
    "PixelzClient",
    "ProtocolFault",
    "RemoveTheBackgroundClient",
    "RemoveTheBackgroundError",
    "ServerFault",
    "ServiceFault",
    "TransportError",
    "TransportTimeout",
    "UnsetType",
    "UnsupportedBindingError",
    "__version__",
]

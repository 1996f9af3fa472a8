# Generated from codegen/config.py by codegen; do not edit.
"""The registry of generations: one generated module per WSDL in ``wsdl/``.

- :mod:`.pixelz`: generation 2 (Pixelz), service ``soap`` (16 operations), client :class:`PixelzClient` (async: :class:`AsyncPixelzClient`).
- :mod:`.legacy`: generation 1 (legacy), service ``soap`` (1 operation), client :class:`RemoveTheBackgroundClient` (async: :class:`AsyncRemoveTheBackgroundClient`).

``GENERATIONS`` maps each key to its :class:`~removethebackground.core.wire.Generation`;
the package, the sandbox and the testing helpers loop over it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from removethebackground.core.wire import Generation

from . import legacy, pixelz
from .legacy import AsyncRemoveTheBackgroundClient, RemoveTheBackgroundClient
from .pixelz import AsyncPixelzClient, PixelzClient

__all__ = [
    "AsyncPixelzClient",
    "AsyncRemoveTheBackgroundClient",
    "GENERATIONS",
    "PixelzClient",
    "RemoveTheBackgroundClient",
]

GENERATIONS: Mapping[str, Generation] = MappingProxyType(
    {
        "pixelz": Generation(
            key="pixelz",
            client_class=PixelzClient,
            async_client_class=AsyncPixelzClient,
            service=pixelz.SERVICE,
            sandbox_path="/soap.asmx",
            label="generation 2 (Pixelz)",
        ),
        "legacy": Generation(
            key="legacy",
            client_class=RemoveTheBackgroundClient,
            async_client_class=AsyncRemoveTheBackgroundClient,
            service=legacy.SERVICE,
            sandbox_path="/legacy/soap.asmx",
            label="generation 1 (legacy)",
        ),
    }
)

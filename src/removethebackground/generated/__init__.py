# Generated from codegen/config.py by codegen; do not edit.
"""The registry of generations: one generated module per WSDL in ``wsdl/``.

- :mod:`.pixelz`: generation 2 (Pixelz), service ``soap`` (16 operations), client :class:`PixelzClient`.
- :mod:`.legacy`: generation 1 (legacy), service ``soap`` (1 operation), client :class:`RemoveTheBackgroundClient`.

``GENERATIONS`` maps each key to its :class:`~removethebackground.core.wire.Generation`;
the package, the sandbox and the testing helpers loop over it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from removethebackground.core.wire import Generation

from . import legacy, pixelz
from .legacy import RemoveTheBackgroundClient
from .pixelz import PixelzClient

__all__ = [
    "GENERATIONS",
    "PixelzClient",
    "RemoveTheBackgroundClient",
]

GENERATIONS: Mapping[str, Generation] = MappingProxyType(
    {
        "pixelz": Generation(
            key="pixelz",
            client_class=PixelzClient,
            service=pixelz.SERVICE,
            sandbox_path="/soap.asmx",
            label="generation 2 (Pixelz)",
        ),
        "legacy": Generation(
            key="legacy",
            client_class=RemoveTheBackgroundClient,
            service=legacy.SERVICE,
            sandbox_path="/legacy/soap.asmx",
            label="generation 1 (legacy)",
        ),
    }
)

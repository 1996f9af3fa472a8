"""The operations of each generation, one module per generation, keyed like ``GENERATIONS``.

- :mod:`.pixelz`: generation 2 (Pixelz, 16 operations);
- :mod:`.legacy`: generation 1 (``getImageStatus``);
- :mod:`.common`: the handler signature (:data:`Handler`), what handlers get
  (:class:`Backend`, :class:`OperationCall`) and the look-ups they share.

:data:`HANDLERS` maps a generation key (``"pixelz"``, ``"legacy"``) to that
generation's table ``{operation name: handler}``. The dispatcher
(:class:`~..service.SandboxService`) looks up ``HANDLERS[generation.key][op.name]``;
a generation with no table here answers every call with a server fault. A new
generation gets a module here and one line below.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import legacy, pixelz
from .common import Backend, Handler, OperationCall

__all__ = ["HANDLERS", "Backend", "OperationCall", "Handler"]

HANDLERS: Mapping[str, Mapping[str, Handler]] = MappingProxyType(
    {
        "pixelz": pixelz.HANDLERS,
        "legacy": legacy.HANDLERS,
    }
)

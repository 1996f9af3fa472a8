"""A zeep client of a generated service's WSDL, built offline with codegen's transport
(the pixelz WSDL imports the SOAP-encoding schema without a location)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from removethebackground.core.wire import Service
from support.paths import REPO_ROOT


def wsdl_path(service: Service) -> Path:
    """The WSDL a generated module was built from (packaged copy, else the vendored one)."""
    import removethebackground.generated as generated

    packaged = Path(generated.__file__).parent / service.wsdl_resource
    return packaged if packaged.exists() else REPO_ROOT / service.wsdl_resource


@functools.cache
def _zeep_client(path: str) -> Any:
    import zeep
    from codegen.model import _offline_transport

    settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True)
    return zeep.Client(path, transport=_offline_transport(), settings=settings)


def zeep_client(service: Service) -> Any:
    return _zeep_client(str(wsdl_path(service)))

"""pytest-recording integration: SOAP-aware matching and scrubbing for ``@pytest.mark.vcr``.

Enable it in a ``conftest.py``::

    pytest_plugins = ["removethebackground.testing.pytest_plugin"]

The ``vcr_config`` fixture it provides scrubs the credentials by name and, in
addition, the literal values of ``RTB_API_KEY`` and ``RTB_EMAIL`` when they are
set; override ``rtb_secrets`` to add more.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .cassettes import register_matchers
from .cassettes import vcr_config as _vcr_config

__all__ = ["pytest_recording_configure", "rtb_secrets", "vcr_config"]


@pytest.fixture
def rtb_secrets() -> list[str]:
    """Literal secrets to scrub from cassettes (defaults: RTB_API_KEY, RTB_EMAIL)."""
    return [v for v in (os.environ.get("RTB_API_KEY"), os.environ.get("RTB_EMAIL")) if v]


@pytest.fixture
def vcr_config(rtb_secrets: list[str]) -> dict[str, Any]:
    return _vcr_config(secrets=rtb_secrets)


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    register_matchers(vcr)

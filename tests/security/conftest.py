"""Fixtures of the WS-Security tests: a throwaway PKI and the certificates it issues."""

from __future__ import annotations

import pytest

from support.pki import PKI, Issued


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKI:
    return PKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def signer(pki: PKI) -> Issued:
    return pki.issue("signer", client=True)


@pytest.fixture(scope="module")
def server_signer(pki: PKI) -> Issued:
    return pki.issue("service-signer")

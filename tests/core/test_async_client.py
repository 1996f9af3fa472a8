"""The async clients: generated from the same facts, built without I/O inside a running
loop, closed by ``async with``, and the extra named when aiohttp is missing.

The behaviour they share with the sync clients (bindings, faults, retries, deadline,
reconciliation, secrets) is tested once for both, through the ``client_kind`` fixture
(tests/support/clients.py); this file holds what only the async client has.
"""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from removethebackground import (
    GENERATIONS,
    AsyncPixelzClient,
    AsyncRemoveTheBackgroundClient,
    Binding,
    InvalidParameterError,
    NotFoundError,
    PixelzClient,
)
from removethebackground.core.asynctransport import AiohttpTransport
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox

EMAIL = "demo@example.com"
KEY = "demo-key"


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        yield handle


def test_the_async_clients_have_the_sync_clients_methods_as_coroutines() -> None:
    for generation in GENERATIONS.values():
        sync, aio = generation.client_class, generation.async_client_class
        assert aio is not None and aio.SERVICE is sync.SERVICE
        for op in sync.SERVICE.operations.values():
            method = getattr(aio, op.python_name)
            assert inspect.iscoroutinefunction(method), op.python_name
            assert inspect.signature(method) == inspect.signature(getattr(sync, op.python_name))
            assert method.__doc__ == getattr(sync, op.python_name).__doc__
    assert GENERATIONS["legacy"].async_client_class is AsyncRemoveTheBackgroundClient


def test_construction_inside_a_running_loop_does_no_io() -> None:
    async def build() -> AsyncPixelzClient:
        # Nothing listens on this endpoint: a construction that connected would fail.
        client = AsyncPixelzClient(EMAIL, KEY, endpoint="http://127.0.0.1:9/soap.asmx")
        transport = client.transport.inner  # type: ignore[attr-defined]
        assert isinstance(transport, AiohttpTransport)
        assert transport.session is None  # made on the first call, in its loop
        await client.close()
        return client

    client = asyncio.run(build())
    assert "api_key='***'" in repr(client)


def test_calls_over_every_binding_and_a_fault(sb: SandboxHandle) -> None:
    async def main() -> None:
        async with AsyncPixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint) as client:
            for binding in Binding:
                answer = await client.with_binding(binding).get_templates()
                assert answer.templates
            with pytest.raises(NotFoundError) as info:
                await client.get_image_status(image_ticket=uuid.uuid4())
            assert info.value.operation == "GetImageStatus"
            assert info.value.__context__ is None
            transport = client.transport.inner  # type: ignore[attr-defined]
        assert transport.session is None  # async with closed it

    asyncio.run(main())


def test_many_calls_at_once_share_the_pool(sb: SandboxHandle) -> None:
    async def main() -> list[object]:
        async with AsyncPixelzClient(
            EMAIL, KEY, endpoint=sb.pixelz_endpoint, max_connections=4
        ) as client:
            return await asyncio.gather(*(client.get_templates() for _ in range(20)))

    assert len(asyncio.run(main())) == 20


def test_a_client_works_in_a_later_loop(sb: SandboxHandle) -> None:
    client = AsyncPixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint)
    assert asyncio.run(client.get_templates()).templates
    assert asyncio.run(client.get_templates()).templates  # the first loop is closed
    asyncio.run(client.close())


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "10"])
def test_max_connections_is_checked_before_anything(bad: object) -> None:
    with pytest.raises(InvalidParameterError) as info:
        AsyncPixelzClient(EMAIL, KEY, max_connections=bad)  # type: ignore[arg-type]
    assert info.value.parameter == "max_connections"
    assert repr(bad) in str(info.value)


def test_the_sync_client_loads_neither_asyncio_nor_aiohttp() -> None:
    code = (
        "import sys, removethebackground as r\n"
        "r.PixelzClient(email='a@b.c', api_key='k')\n"
        "bad = [m for m in ('asyncio', 'aiohttp') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_aiohttp_the_error_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['aiohttp'] = None  # as if it were not installed\n"
        "import removethebackground as r\n"
        "try:\n"
        "    r.AsyncPixelzClient(email='a@b.c', api_key='k')\n"
        "except r.InvalidParameterError as exc:\n"
        "    print(str(exc))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert "pip install 'removethebackground[async]'" in done.stdout


def test_a_sync_client_is_not_an_async_one() -> None:
    assert not issubclass(PixelzClient, AsyncPixelzClient)
    assert not issubclass(AsyncPixelzClient, PixelzClient)

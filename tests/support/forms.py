"""The workflows in both forms, sync and async, for one parametrised set of tests.

A test is written once as a coroutine on a :class:`Form` and run with ``form.run``:
the sync form calls the sync functions of ``removethebackground.workflows`` on a sync
client, the async form awaits those of ``removethebackground.workflows.aio`` on an
async client. ``form.fake(obj)`` makes a fake client of plain methods async for the
async form, so the scripted fakes serve both.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

import pytest

from removethebackground import workflows
from removethebackground.core.wire import Binding
from removethebackground.testing.sandbox import SandboxHandle
from removethebackground.workflows import aio

T = TypeVar("T")

__all__ = ["ASYNC", "FORMS", "SYNC", "Form", "forms"]


class _AsyncFacade:
    """``obj`` with every method made a coroutine function (attributes as they are)."""

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._obj, name)
        if not callable(value) or inspect.iscoroutinefunction(value):
            return value

        @functools.wraps(value)
        async def call(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0)  # a real await point, as a call on the wire has
            return value(*args, **kwargs)

        return call


class Form:
    """One form of the workflows (see the module docstring)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.is_async = name == "async"
        self.module: Any = aio if self.is_async else workflows

    def __repr__(self) -> str:
        return self.name

    def run(self, scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
        return asyncio.run(scenario())

    @contextlib.asynccontextmanager
    async def client(
        self,
        sb: SandboxHandle,
        generation: str = "pixelz",
        binding: Binding | str = Binding.SOAP11,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        if self.is_async:
            async with sb.async_client(generation, binding, **kwargs) as client:
                yield client
        else:
            client = sb.client(generation, binding, **kwargs)
            try:
                yield client
            finally:
                client.close()

    def fake(self, obj: Any) -> Any:
        return _AsyncFacade(obj) if self.is_async else obj

    def spy(self, client: Any, method: str, record: Callable[[dict[str, Any]], object]) -> None:
        """Have ``record(kwargs)`` see every call of ``client.<method>``."""
        real = getattr(client, method)
        if self.is_async:

            async def spied_async(**kwargs: Any) -> Any:
                record(kwargs)
                return await real(**kwargs)

            setattr(client, method, spied_async)
        else:

            def spied(**kwargs: Any) -> Any:
                record(kwargs)
                return real(**kwargs)

            setattr(client, method, spied)

    async def _value(self, result: Any) -> Any:
        return await result if inspect.isawaitable(result) else result

    async def submit(self, client: Any, *args: Any, **kwargs: Any) -> Any:
        return await self._value(self.module.submit(client, *args, **kwargs))

    async def wait_for(self, client: Any, *args: Any, **kwargs: Any) -> Any:
        return await self._value(self.module.wait_for(client, *args, **kwargs))

    async def download(self, *args: Any, **kwargs: Any) -> Any:
        return await self._value(self.module.download(*args, **kwargs))

    def iter_images(self, client: Any, **kwargs: Any) -> Any:
        """The iterator itself (its arguments are checked when it is made)."""
        return self.module.iter_images(client, **kwargs)

    async def images(self, client: Any, **kwargs: Any) -> list[Any]:
        return await self._list(self.module.iter_images(client, **kwargs))

    async def product_ids(self, client: Any, **kwargs: Any) -> list[Any]:
        return await self._list(self.module.iter_product_ids(client, **kwargs))

    async def first_image(self, client: Any, **kwargs: Any) -> Any:
        walk = self.module.iter_images(client, **kwargs)
        if self.is_async:
            return await anext(walk)
        return next(walk)

    async def _list(self, walk: Any) -> list[Any]:
        if self.is_async:
            return [item async for item in walk]
        return list(walk)


SYNC = Form("sync")
ASYNC = Form("async")
FORMS = [SYNC, ASYNC]

#: ``@forms`` on a test: one run per form, the form as the ``form`` argument.
forms = pytest.mark.parametrize("form", FORMS, ids=repr)

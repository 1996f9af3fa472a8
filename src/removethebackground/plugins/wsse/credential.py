"""A WS-Security credential (a password or a private key) that never shows itself.

Unlike the client's :class:`~removethebackground.core.secret.Secret` (the API key, a
str, searched for and redacted in every form), a :class:`Credential` may hold bytes
(a PEM private key) and is only ever written into a header or handed to the signer.
"""

from __future__ import annotations

from typing import Generic, NoReturn, TypeVar

__all__ = ["Credential"]

T = TypeVar("T", str, bytes)


class Credential(Generic[T]):
    """Holds a password or a private key; ``repr()`` and ``str()`` show ``***``.

    Read the value with :meth:`reveal`. Secrets compare by identity only and cannot
    be pickled, so a value never leaks through an ``==`` in an assertion message or
    a cache file.
    """

    __slots__ = ("_value",)

    _value: T

    def __init__(self, value: T) -> None:
        self._value = value

    def reveal(self) -> T:
        value: T = self._value
        return value

    def __repr__(self) -> str:
        return "Credential('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Credential cannot be pickled")

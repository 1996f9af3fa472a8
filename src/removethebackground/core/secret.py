"""Credentials that are never shown: :class:`Secret`, and the log filter that knows them.

A :class:`Secret` holds the API key. Its ``repr`` and ``str`` are masked, it does
not pickle, and the plain value comes out only through :meth:`Secret.reveal`,
which the codec calls when it writes the request (the key travels as a ``Secret``
up to there).

:meth:`Secret.redact` removes the secret from a text in any of the forms it can
take on the way to and from a service (:mod:`removethebackground.core.redaction`
lists them).

Every live secret is also known to :class:`RedactingFilter`, the log filter
installed on every logger of urllib3 and requests (each logger, not only the
parent: a filter on a logger sees only the records logged on that very logger,
never those that propagate to it from its children).
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import weakref
from typing import Any, NoReturn

from .redaction import MASK, secret_pattern

__all__ = ["RedactingFilter", "Secret", "install_log_filter", "redact_all"]

#: Secrets shorter than this are not searched for (see :meth:`Secret.redact`).
MIN_REDACTED = 4


class Secret:
    """A credential whose ``repr`` and ``str`` are masked; :meth:`reveal` gives the value."""

    __slots__ = ("__weakref__", "_pattern", "_value")

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"a Secret holds a str, not {type(value).__name__}")
        self._value = value
        self._pattern: re.Pattern[str] | None = None
        _LIVE.add(self)

    def reveal(self) -> str:
        """The plain value (for writing the request only)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode("utf-8"), other._value.encode("utf-8"))

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret is not pickled: pass the key to the new process yourself")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: Any) -> Secret:
        return self

    @property
    def pattern(self) -> re.Pattern[str]:
        """A regular expression that matches the secret in any of its forms."""
        pattern = self._pattern
        if pattern is None:
            pattern = self._pattern = secret_pattern(self._value)
        return pattern

    def redact(self, text: str) -> str:
        """``text`` with every form of the secret replaced by ``***``.

        A value shorter than :data:`MIN_REDACTED` characters is left alone: it is no
        secret (a test's ``"k"``), and masking every ``k`` would garble every message.
        """
        if len(self._value) < MIN_REDACTED:
            return text
        return self.pattern.sub(MASK, text)


_LIVE: weakref.WeakSet[Secret] = weakref.WeakSet()


def redact_all(text: str) -> str:
    """``text`` with every form of every live :class:`Secret` replaced by ``***``."""
    for secret in list(_LIVE):
        text = secret.redact(text)
    return text


class RedactingFilter(logging.Filter):
    """Masks credentials in a log record: every live secret in any form, and the value
    of any credential parameter in a URL (``contactAPIkey=...``), whatever the key."""

    def __init__(self, param_names: frozenset[str] | set[str]) -> None:
        super().__init__()
        names = "|".join(sorted(re.escape(n) for n in param_names))
        self.params = re.compile(r"(?i)((?:" + names + r")=)[^&\s\"'#]*")

    def clean(self, text: str) -> str:
        return redact_all(self.params.sub(r"\1" + MASK, text))

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record: keep only what surely holds no secret
            message = f"(unformattable log record of {record.name})"
        cleaned = self.clean(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[0] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.clean(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


_INSTALL_LOCK = threading.Lock()


def install_log_filter(roots: tuple[str, ...], filt: RedactingFilter) -> None:
    """Attach ``filt`` to each logger named in ``roots`` and to every existing descendant.

    Loggers created later under these roots get it too: the logging manager is asked
    for them through :func:`logging.getLogger`, which this wraps once.
    """
    with _INSTALL_LOCK:
        _ROOTS.update(roots)
        _FILTERS[:] = [filt]
        for name in list(logging.Logger.manager.loggerDict):
            if _covered(name):
                _attach(logging.getLogger(name))
        for root in roots:
            _attach(logging.getLogger(root))
        manager = logging.Logger.manager
        if not getattr(manager, "_rtb_wrapped", False):
            original = manager.getLogger

            def get_logger(name: str) -> logging.Logger:
                logger = original(name)
                if _covered(name):
                    _attach(logger)
                return logger

            manager.getLogger = get_logger  # type: ignore[method-assign]
            manager._rtb_wrapped = True  # type: ignore[attr-defined]


_ROOTS: set[str] = set()
_FILTERS: list[RedactingFilter] = []


def _covered(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in _ROOTS)


def _attach(logger: logging.Logger | logging.PlaceHolder) -> None:
    if not isinstance(logger, logging.Logger):
        return
    for filt in _FILTERS:
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(filt)

"""The log of the requests the sandbox received, credentials masked.

:class:`~.app.SandboxApp` hands every answered request to :meth:`RequestLog.record`:
one row in the store's ``request_log`` table (:class:`~.store.RequestRow`) with the
time on the sandbox clock, the method, the path and query string, the generation,
binding and operation where routing found them, the account email sent, the HTTP
status of the answer, the fault or error text of a failed call, and the time taken.
The routes fill in what only they know through :func:`note` (a :class:`Note` kept in
the WSGI environ).

**What is kept.** No request body, not even an excerpt: the SOAP body and the form
carry the credentials, and what a developer needs from them (operation, email,
outcome) is in the row already; the image requests' parameters (without credentials)
are in the images table. The newest ``SandboxConfig.request_log_size`` rows are kept
(pruned every :data:`PRUNE_EVERY` rows); texts are cut at :data:`MAX_TEXT` characters.

**Not logged:** ``GET``/``HEAD /`` (the page itself, else every reload would push the
service calls out of view) and the ``/out/<ticket>-thumb.png`` / ``-source.png``
thumbnails the page shows (a page load fetches dozens). Final output files are
logged: a client downloading them is a request worth seeing.

**Masking, before anything is stored.** In the query string
(:func:`~removethebackground.core.redaction.redact_query`), the value of every
parameter named in :data:`~..wire.SECRET_PARAMS` (the name read as ASP.NET reads it,
percent- and ``+``-decoded, any case) becomes ``***``; so does any parameter whose
value, decoded up to three times (percent, ``+``, HTML/XML character references),
contains a known secret. Known secrets are every account's API key (re-read at most
once a second) and the credential values this request sent (a wrong key is a
secret too). Then every text stored (path, email, fault) has each known secret
replaced by ``***`` in every form it can take (as is, percent-encoded in either case,
HTML/XML-escaped, as character references, base64 ...: see
:mod:`removethebackground.core.redaction`, which does the masking).

A failure to log (a locked or closed database, a bug) is logged once as a warning
and never changes the answer.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Final

from ..core.redaction import MASK, redact, redact_query
from ..core.wire import EMAIL_PARAMS, SECRET_PARAMS
from .clock import SandboxClock
from .store import RequestRow, Store

__all__ = [
    "MASK",
    "MAX_TEXT",
    "PRUNE_EVERY",
    "Note",
    "RequestLog",
    "note",
    "skipped",
]

log = logging.getLogger("removethebackground.sandbox")

MAX_TEXT: Final[int] = 2000
PRUNE_EVERY: Final[int] = 100
_ENVIRON_KEY: Final[str] = "removethebackground.sandbox.note"
_ACCOUNT_KEYS_TTL: Final[float] = 1.0


@dataclass(slots=True)
class Note:
    """What routing learned about a request; ``secrets`` are masked, never stored."""

    generation: str | None = None
    binding: str | None = None
    operation: str | None = None
    email: str | None = None
    fault: str | None = None
    secrets: list[str] = field(default_factory=list)

    def param(self, name: str, value: object) -> None:
        """A request parameter as sent (wire ``name``): keeps the credentials and email."""
        if value is None:
            return
        lowered = name.lower()
        if lowered in SECRET_PARAMS:
            text = str(value)
            if text:
                self.secrets.append(text)
        elif lowered in EMAIL_PARAMS and self.email is None:
            self.email = str(value)


def note(environ: dict[str, Any]) -> Note:
    """The :class:`Note` of the request whose WSGI environ this is (made on first use)."""
    found = environ.get(_ENVIRON_KEY)
    if not isinstance(found, Note):
        found = Note()
        environ[_ENVIRON_KEY] = found
    return found


def skipped(method: str, path: str) -> bool:
    """Requests the log leaves out (see the module docstring): the page and its thumbnails."""
    if method not in ("GET", "HEAD"):
        return False
    return path == "/" or (
        path.startswith("/out/") and path.endswith(("-thumb.png", "-source.png"))
    )


def _wsgi_text(value: object) -> str:
    """A WSGI environ string (bytes read as latin-1) as the UTF-8 text it carries."""
    text = str(value)
    try:
        return text.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text


def _cut(text: str | None) -> str | None:
    if text is None:
        return None
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "\u2026"


class RequestLog:
    """Records answered requests in ``store`` (see the module docstring).

    Args:
        store, clock: the sandbox's store and clock.
        keep: how many of the newest rows to keep.
        prune_every: delete the older rows every this many rows.
    """

    def __init__(
        self, store: Store, clock: SandboxClock, *, keep: int, prune_every: int = PRUNE_EVERY
    ) -> None:
        self.store = store
        self.clock = clock
        self.keep = keep
        self.prune_every = prune_every
        self._lock = threading.Lock()
        self._account_keys: tuple[str, ...] = ()
        self._keys_read = -_ACCOUNT_KEYS_TTL
        self._warned = False

    def account_keys(self) -> tuple[str, ...]:
        """Every account's API key, re-read at most once a second."""
        now = time.monotonic()
        with self._lock:
            if now - self._keys_read < _ACCOUNT_KEYS_TTL:
                return self._account_keys
        keys = tuple(account.api_key for account in self.store.list_accounts())
        with self._lock:
            self._account_keys, self._keys_read = keys, now
        return keys

    def entry(
        self, environ: dict[str, Any], method: str, path: str, status: int, seconds: float
    ) -> RequestRow:
        """The masked row for one answered request."""
        seen = note(environ)
        secrets = sorted({*self.account_keys(), *seen.secrets}, key=len, reverse=True)
        shown = _wsgi_text(path)
        query = _wsgi_text(environ.get("QUERY_STRING", "") or "")
        if query:
            shown += "?" + redact_query(query, secrets)

        def masked(text: str | None) -> str | None:
            return None if text is None else _cut(redact(text, secrets))

        return RequestRow(
            id=0,
            at=self.clock.now(),
            method=method[:20],
            path=masked(shown) or "/",
            generation=seen.generation,
            binding=seen.binding,
            operation=masked(seen.operation),
            email=masked(seen.email),
            status=status,
            fault=masked(seen.fault),
            duration_ms=round(seconds * 1000, 3),
        )

    def record(
        self, environ: dict[str, Any], method: str, path: str, status: int, seconds: float
    ) -> None:
        """Log one answered request; never raises."""
        if skipped(method, path):
            return
        try:
            row = self.entry(environ, method, path, status, seconds)
            self.store.log_request(row, keep=self.keep, prune_every=self.prune_every)
        except Exception:  # the answer matters more than its log line
            if not self._warned:
                self._warned = True
                log.warning("sandbox: could not log a request", exc_info=True)
            else:
                log.debug("sandbox: could not log a request", exc_info=True)

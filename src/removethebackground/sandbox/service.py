"""The dispatcher: one call of any generation, from parsed parameters to a result object.

:class:`SandboxService` takes an operation of a generation and its parsed
parameters (keyed by the generated attribute names) and, for every generation
alike:

1. looks up the handler ``HANDLERS[generation.key][op.name]``
   (:mod:`.operations`); a generation or operation with no handler answers a
   server fault ("Server was unable to process request. ---> The sandbox has no
   handler for ..."), as an ASMX web method that throws would;
2. authenticates the caller (:func:`.accounts.authenticate`);
3. applies the recorded test hooks: productId ``server-error`` and ticket
   ``00000000-0000-0000-0000-000000000500`` give a server fault;
4. calls the handler, which returns an instance of the operation's generated
   result type or raises :class:`~.validation.Fault`.

The protocol layer (:mod:`.responses`) turns the result or the fault into XML or
text for whichever binding was used.

The names below ``__all__`` that are defined elsewhere (statuses, output names,
seed and account helpers) are re-exported for callers that import them from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..core.wire import Generation, Operation, Service, WireModel
from ..generated import GENERATIONS, pixelz
from .accounts import authenticate, ensure_account
from .clock import SandboxClock, format_time
from .config import SandboxConfig
from .operations import HANDLERS, Backend, Handler, OperationCall
from .operations import pixelz as pixelz_operations
from .operations.common import HOLD_PRODUCT_ID, SERVER_ERROR_PRODUCT_ID, SERVER_ERROR_TICKET
from .outputs import output_name, output_urls, thumbnail_name
from .seed import seed_demo_account
from .statuses import LEGACY_STATUS, STATUS_NAMES
from .store import ImageRow, Store
from .validation import Params, SimulatedServerError, check_constraints

__all__ = [
    "HOLD_PRODUCT_ID",
    "LEGACY_STATUS",
    "SERVER_ERROR_PRODUCT_ID",
    "SERVER_ERROR_TICKET",
    "STATUS_NAMES",
    "OperationCall",
    "SandboxService",
    "ensure_account",
    "format_time",
    "output_name",
    "output_urls",
    "seed_demo_account",
    "thumbnail_name",
]


class SandboxService:
    """Every operation of every registered generation, over one :class:`Store`.

    Args:
        store, clock, config: the sandbox's state and settings.
        wake: called when an image wants a status step (the worker's ``wake``).
        handlers: the handler tables by generation key (default :data:`HANDLERS`).
    """

    def __init__(
        self,
        store: Store,
        clock: SandboxClock,
        config: SandboxConfig,
        *,
        wake: Callable[[], None] = lambda: None,
        handlers: Mapping[str, Mapping[str, Handler]] = HANDLERS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.backend = Backend(store, clock, config, wake)
        self.tables = handlers

    def image_status(self, row: ImageRow, base_url: str) -> pixelz.ImageStatus:
        """A stored image as generation 2 shows it (:func:`.operations.pixelz.image_status`)."""
        return pixelz_operations.image_status(row, base_url)

    def handlers(self, generation: Generation | Service | str) -> Mapping[str, Handler]:
        """The handler table of a generation (empty if it has none)."""
        return self.tables.get(_key_of(generation), {})

    def unimplemented(self, generation: Generation | Service | str) -> list[str]:
        """Operations of ``generation`` the sandbox has no handler for (should be none)."""
        service = _generation_of(generation).service
        known = self.handlers(generation)
        return sorted(name for name in service.operations if name not in known)

    def call(
        self,
        generation: Generation | Service | str,
        op: Operation[Any],
        values: Mapping[str, Any],
        ctx: OperationCall,
    ) -> WireModel:
        """Answer one call of ``op`` (an operation of ``generation``)."""
        key = _key_of(generation)
        table = self.tables.get(key)
        handler = None if table is None else table.get(op.name)
        if handler is None:
            what = "generation" if table is None else "operation"
            raise SimulatedServerError(
                f"The sandbox has no handler for {op.name} of generation {key!r}: "
                f"the {what} is not implemented in the sandbox"
            )
        params = Params(op, values)
        account = authenticate(self.store, op, params)
        _simulate_failures(params)
        check_constraints(op, values, self.clock.now())  # the overlay's rules, as the client's
        return handler(self.backend, params, account, ctx)


def _generation_of(generation: Generation | Service | str) -> Generation:
    if isinstance(generation, Generation):
        return generation
    if isinstance(generation, str):
        return GENERATIONS[generation]
    # Callers that hold only the wire facts of a registered generation.
    for entry in GENERATIONS.values():
        if entry.service == generation:
            return entry
    raise KeyError(f"no registered generation serves {generation.name!r}")


def _key_of(generation: Generation | Service | str) -> str:
    if isinstance(generation, str):
        return generation
    return _generation_of(generation).key


def _simulate_failures(params: Params) -> None:
    """The recorded test hooks: an "unhandled" error for a magic productId or ticket."""
    if params.has("product_id") and params.text("product_id") == SERVER_ERROR_PRODUCT_ID:
        raise SimulatedServerError(
            f"Simulated unhandled server error for productId '{SERVER_ERROR_PRODUCT_ID}'"
        )
    if params.has("image_ticket") and params.text("image_ticket").lower() == SERVER_ERROR_TICKET:
        raise SimulatedServerError(
            f"Simulated unhandled server error for ticket {SERVER_ERROR_TICKET}"
        )

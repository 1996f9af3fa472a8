"""What every operation handler gets, and the look-ups several handlers share.

A handler is a plain function ``handler(backend, params, account, ctx) -> result``:

- ``backend`` (:class:`Backend`): the sandbox's state (store, clock, config) and
  ``wake()``, which tells the worker that an image wants a status step;
- ``params`` (:class:`~..validation.Params`): the parsed parameters, read by the
  generated attribute names, named by their XML names in faults;
- ``account``: the caller, already authenticated;
- ``ctx`` (:class:`OperationCall`): per-request facts (the base URL the caller used).

It returns an instance of the operation's generated result type and raises
:class:`~..validation.Fault` for the service's deliberate errors. The protocol
layer (:mod:`..responses`) turns either into XML for the binding used.

The recorded test hooks live here too: productId ``server-error`` and ticket
``00000000-0000-0000-0000-000000000500`` give a server fault (checked by the
dispatcher, :mod:`..service`, for every generation), productId ``hold`` keeps an
image at New.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ...core.wire import WireModel
from ..clock import SandboxClock
from ..config import SandboxConfig
from ..store import Account, ImageRow, Store, TemplateRow
from ..validation import Fault, Params

__all__ = [
    "HOLD_PRODUCT_ID",
    "SERVER_ERROR_PRODUCT_ID",
    "SERVER_ERROR_TICKET",
    "Backend",
    "OperationCall",
    "Handler",
    "find_image",
    "own_image",
    "template_of",
]

SERVER_ERROR_PRODUCT_ID = "server-error"
SERVER_ERROR_TICKET = "00000000-0000-0000-0000-000000000500"
HOLD_PRODUCT_ID = "hold"


@dataclass(frozen=True, slots=True)
class OperationCall:
    """Per-request facts: the base URL the caller used (``http://host:port``)."""

    base_url: str


def _no_wake() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Backend:
    """The state behind the handlers of one sandbox."""

    store: Store
    clock: SandboxClock
    config: SandboxConfig
    wake: Callable[[], None] = field(default=_no_wake)


Handler = Callable[[Backend, Params, Account, OperationCall], WireModel]


def own_image(backend: Backend, ticket: str, account: Account) -> ImageRow:
    """The image ``ticket`` of ``account``, or the recorded ``Image not found`` fault."""
    row = backend.store.get_image(ticket)
    if row is None or row.email != account.email:
        raise Fault("Image not found")
    return row


def find_image(backend: Backend, params: Params, account: Account) -> ImageRow:
    """The image a call names by ``imageTicket`` or else ``customerImageId``."""
    ticket_text = params.text("image_ticket")
    if ticket_text and ticket_text.lower() != "nonticket":
        return own_image(backend, params.guid("image_ticket"), account)
    customer_id = params.raw("customer_image_id") if params.has("customer_image_id") else None
    if customer_id:
        found = backend.store.find_image_by_customer_id(account.email, customer_id)
        if found is None:
            raise Fault("Image not found")
        return found
    names = params.name("image_ticket")
    if params.has("customer_image_id"):
        names += f" or {params.name('customer_image_id')}"
    raise Fault(f"{names} is required")


def template_of(backend: Backend, account: Account, template_id: int) -> TemplateRow:
    template = backend.store.get_template(template_id)
    if template is None or template.email != account.email:
        raise Fault(f"Template {template_id} not found")
    return template

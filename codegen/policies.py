"""Which operations change the service's state, and how a lost answer is looked up: the
hand-written half of the retry policy.

The wire facts cannot tell a read from a write, so this list says it. Codegen emits
``changes_state`` on every generated :class:`~removethebackground.core.wire.Operation`
(and a ``changes_state`` line in the golden files); the retry transport
(:mod:`removethebackground.core.retry`) resends only operations with
``changes_state=False``.

The rule: an operation named ``Get...`` (``GetImageStatus``, the legacy
``getImageStatus``) is read-only unless it is listed here; every other operation
changes state, listed or not, so an operation a new WSDL adds is never resent
until someone classes it. The list names the known writes, so that the reason
for each stays written down.

:data:`QUEUES_AN_IMAGE` names the operations that queue an image and how to find
out, when a call's answer was lost, whether it ran: the service documents
``GetImageStatus`` by ``customerImageId`` with ``imageTicket`` ``nonticket``
(reference ``service.md``), and the five image-adding operations answer only the
image's ``ImageTicket``, which that status holds. Codegen checks every name against
the WSDL and emits :class:`~removethebackground.core.wire.OutcomeLookup` as
``Operation.outcome_lookup`` (an ``outcome_lookup`` line in the golden files);
:mod:`removethebackground.core.reconcile` acts on it. An operation not listed has
no lookup: its lost answer stays unknown (``OutcomeUnknownError``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["CHANGES_STATE", "QUEUES_AN_IMAGE", "LookupRule", "changes_state", "outcome_lookup"]

#: Operations that change state, with what they change.
CHANGES_STATE: dict[str, str] = {
    "AddImageToQueue": "queues an image (and charges for it)",
    "AddImageWithInstructionToQueue": "queues an image",
    "AddPartnerImageToQueue": "queues an image",
    "AddStackImageToQueue": "queues one part of a stack",
    "WhiteGloveService": "queues an image for the premium service",
    "AddTemplate": "creates a template",
    "DeleteImageFromQueue": "cancels an image",
    "RejectProcessedImage": "asks for a redo",
    "EditContact": "changes the account",
}

_READ = re.compile(r"^[Gg]et[A-Z]")


def changes_state(operation: str) -> bool:
    """Whether ``operation`` changes state (see the module documentation)."""
    return operation in CHANGES_STATE or not _READ.match(operation)


@dataclass(frozen=True)
class LookupRule:
    """How the outcome of a call that queues something is looked up (wire names).

    Attributes:
        key: the queueing operation's parameter that identifies what it queues.
        operation: the read-only operation that finds it by that key.
        by: the lookup's parameter that takes the key.
        fixed: the lookup's other parameters, with the values they take.
        found: the child of the lookup's result that holds what was found.
        result: the queueing operation's result, field by field, from the found
            item's fields (result field -> found field); every field of the result.
        source: where the rule comes from.
    """

    key: str
    operation: str
    by: str
    fixed: dict[str, str] = field(default_factory=dict)
    found: str = ""
    result: dict[str, str] = field(default_factory=dict)
    source: str = ""


_BY_CUSTOMER_IMAGE_ID = LookupRule(
    key="customerImageId",
    operation="GetImageStatus",
    by="customerImageId",
    fixed={"imageTicket": "nonticket"},
    found="ImageStatus",
    result={"ImageTicket": "ImageTicket"},
    source=(
        "service.md: GetImageStatus by customerImageId (then imageTicket may be "
        "`nonticket`); the image-adding operations return only ImageTicket"
    ),
)

#: Operations that queue an image, with how a lost answer is looked up.
#: (DeleteImageFromQueue and RejectProcessedImage take a customerImageId too, but a
#: found image says nothing about whether they ran.)
QUEUES_AN_IMAGE: dict[str, LookupRule] = {
    "AddImageToQueue": _BY_CUSTOMER_IMAGE_ID,
    "AddImageWithInstructionToQueue": _BY_CUSTOMER_IMAGE_ID,
    "AddPartnerImageToQueue": _BY_CUSTOMER_IMAGE_ID,
    "AddStackImageToQueue": _BY_CUSTOMER_IMAGE_ID,
    "WhiteGloveService": _BY_CUSTOMER_IMAGE_ID,
}


def outcome_lookup(operation: str) -> LookupRule | None:
    """How a lost answer of ``operation`` is looked up, if it queues an image."""
    return QUEUES_AN_IMAGE.get(operation)

"""Which operations change the service's state: the hand-written half of the retry policy.

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
"""

from __future__ import annotations

import re

__all__ = ["CHANGES_STATE", "changes_state"]

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

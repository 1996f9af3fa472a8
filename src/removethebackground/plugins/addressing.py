"""WS-Addressing 1.0 (the 2005/08 namespace) message headers for the SOAP bindings.

With the plugin in its ``plugins=`` a client adds to each request, in the SOAP Header::

    from removethebackground.plugins.addressing import Addressing

    client = PixelzClient(email, api_key, binding=Binding.SOAP12, plugins=[Addressing()])


- ``wsa:Action``: the operation's SOAPAction (SOAP 1.1 header / SOAP 1.2 ``action=``);
- ``wsa:MessageID``: a fresh ``urn:uuid:...``;
- ``wsa:ReplyTo/wsa:Address``: the anonymous address (answer on this connection);
- ``wsa:To``: the endpoint URL.

None is marked ``mustUnderstand``: a service without WS-Addressing (a plain ASMX
service) ignores them, as SOAP lets it. When an answer carries ``wsa:RelatesTo``, it
must name the request's MessageID.

A service that checks the headers answers the faults of WS-Addressing 1.0 SOAP
Binding section 6, raised as the :class:`AddressingFault` classes below (the SOAP 1.1
``faultcode`` or the SOAP 1.2 innermost ``Subcode`` is the ``wsa:`` QName). Importing
this module registers them with the core
(:func:`removethebackground.core.faultcodes.register_fault_codes`).
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, Final

from lxml import etree

from ..core.codec import SOAP11_ENV, SOAP12_ENV
from ..core.errors import ClientFault, InvalidParameterError, MalformedResponseError
from ..core.faultcodes import register_fault_codes

__all__ = [
    "ADDRESSING_FAULTS",
    "ANONYMOUS",
    "WSA_NS",
    "ActionMismatchError",
    "ActionNotSupportedError",
    "Addressing",
    "AddressingFault",
    "DestinationUnreachableError",
    "InvalidAddressingHeaderError",
    "MessageAddressingHeaderRequiredError",
]

WSA_NS: Final = "http://www.w3.org/2005/08/addressing"
ANONYMOUS: Final = WSA_NS + "/anonymous"


class AddressingFault(ClientFault):
    """The service refused the request's WS-Addressing headers.

    ``subcode`` is the most specific ``wsa:`` fault code (local name).
    """

    local_name: str = ""

    @property
    def qname(self) -> str:
        return f"{{{WSA_NS}}}{self.subcode or self.local_name}"


class InvalidAddressingHeaderError(AddressingFault):
    """wsa:InvalidAddressingHeader: a WS-Addressing header is not valid."""

    local_name = "InvalidAddressingHeader"


class ActionMismatchError(InvalidAddressingHeaderError):
    """wsa:ActionMismatch: ``wsa:Action`` differs from the SOAPAction."""

    local_name = "ActionMismatch"


class MessageAddressingHeaderRequiredError(AddressingFault):
    """wsa:MessageAddressingHeaderRequired: a required WS-Addressing header is missing."""

    local_name = "MessageAddressingHeaderRequired"


class DestinationUnreachableError(AddressingFault):
    """wsa:DestinationUnreachable: ``wsa:To`` names no endpoint of this service."""

    local_name = "DestinationUnreachable"


class ActionNotSupportedError(AddressingFault):
    """wsa:ActionNotSupported: the service has no operation for ``wsa:Action``."""

    local_name = "ActionNotSupported"


ADDRESSING_FAULTS: Final[dict[str, type[AddressingFault]]] = {
    cls.local_name: cls
    for cls in (
        InvalidAddressingHeaderError,
        ActionMismatchError,
        MessageAddressingHeaderRequiredError,
        DestinationUnreachableError,
        ActionNotSupportedError,
    )
}


# The client raises these classes for wsa: fault codes (see core/faultcodes.py).
register_fault_codes(WSA_NS, ADDRESSING_FAULTS, AddressingFault)


class Addressing:
    """An envelope plugin that adds the WS-Addressing headers (see the module docstring).

    Args:
        to: the endpoint URL written as ``wsa:To``; by default the client's endpoint
            (the client calls :meth:`for_endpoint` with it).
    """

    def __init__(self, to: str | None = None) -> None:
        if to is not None and (not isinstance(to, str) or not to):
            raise InvalidParameterError(
                "to", f"{to!r} is not an endpoint URL: pass the URL or None"
            )
        self.to = to
        self._sent = threading.local()

    def for_endpoint(self, endpoint: str) -> Addressing:
        """The plugin a client with ``endpoint`` uses: this one if ``to`` was given, else
        one that writes ``endpoint`` as ``wsa:To``."""
        return self if self.to is not None else Addressing(endpoint)

    def __repr__(self) -> str:
        return f"Addressing(to={self.to!r})"

    def outgoing(self, envelope: etree._Element, op: Any, binding: Any) -> None:
        ns = etree.QName(envelope).namespace
        if ns not in (SOAP11_ENV, SOAP12_ENV):
            raise ValueError("not a SOAP envelope")
        header = envelope.find(f"{{{ns}}}Header")
        if header is None:
            header = etree.Element(f"{{{ns}}}Header")
            envelope.insert(0, header)
        message_id = f"urn:uuid:{uuid.uuid4()}"
        self._sent.message_id = message_id
        nsmap = {"wsa": WSA_NS}
        etree.SubElement(header, f"{{{WSA_NS}}}Action", nsmap=nsmap).text = op.soap_actions[binding]
        etree.SubElement(header, f"{{{WSA_NS}}}MessageID", nsmap=nsmap).text = message_id
        reply = etree.SubElement(header, f"{{{WSA_NS}}}ReplyTo", nsmap=nsmap)
        etree.SubElement(reply, f"{{{WSA_NS}}}Address").text = ANONYMOUS
        if self.to is None:
            raise ValueError("Addressing() has no wsa:To: give it to a client, or pass to=")
        etree.SubElement(header, f"{{{WSA_NS}}}To", nsmap=nsmap).text = self.to

    def incoming(self, envelope: etree._Element, op: Any, binding: Any) -> None:
        ns = etree.QName(envelope).namespace
        relates = envelope.findtext(f"{{{ns}}}Header/{{{WSA_NS}}}RelatesTo")
        sent = getattr(self._sent, "message_id", None)
        if relates is not None and sent is not None and relates.strip() != sent:
            raise MalformedResponseError(
                f"the answer relates to {relates.strip()!r}, not to this request ({sent})",
                operation=getattr(op, "name", None),
                binding=getattr(binding, "value", None),
            )

"""The vocabulary of the generated wire facts.

``codegen`` reads a WSDL with zeep and writes modules under
``removethebackground.generated`` that describe every schema type and operation
with the classes below. The runtime (``removethebackground.core.codec``, the engines of
``removethebackground.bindings`` and ``removethebackground.core.client``) and the sandbox
read and write XML from these facts alone: nothing parses a WSDL at run time.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, TypeAlias, TypeVar

if TYPE_CHECKING:
    import datetime
    import decimal
    import uuid

    from lxml import etree

    from .errors import DeclaredFault

__all__ = [
    "UNSET",
    "VOID",
    "AnyValue",
    "XmlElement",
    "EMAIL_PARAMS",
    "Generation",
    "SECRET_PARAMS",
    "Binding",
    "Constraint",
    "FaultSpec",
    "Field",
    "HttpParam",
    "Operation",
    "OutcomeLookup",
    "Service",
    "TypeSpec",
    "UnsetType",
    "WireModel",
]


class UnsetType(enum.Enum):
    """The type of :data:`UNSET`."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = UnsetType.UNSET
"""An element that is left out of the message (``minOccurs="0"``).

Used only where the schema also allows ``xsi:nil`` (``nillable="true"``), so that
``None`` (sent as ``xsi:nil="true"``) and "not sent at all" stay distinct. Where an
element is optional but not nillable, ``None`` means "left out".
"""


# Parameter names (lower-cased) whose values are credentials: never logged, shown or
# recorded. One list for the client's log filter, the cassette scrubber and the sandbox.
SECRET_PARAMS: Final = frozenset({"contactapikey", "developerapikey", "applicationcode", "apikey"})
EMAIL_PARAMS: Final = frozenset({"contactemail"})


AnyValue: TypeAlias = (
    "str | int | float | bool | decimal.Decimal | datetime.datetime | datetime.date"
    " | bytes | uuid.UUID | etree._Element"
)
"""The value of an untyped element (.NET ``object``: an element with no ``type``).

Read: the XSD simple type its ``xsi:type`` names (``int``, ``boolean``, ``dateTime``,
...; .NET's ``guid`` as :class:`uuid.UUID`) as that Python value; without ``xsi:type``,
its text (``str``) when it has no child elements, else the element itself (an lxml
element, detached from the answer). Written: a Python value with the ``xsi:type``
.NET's XmlSerializer writes for it (``str`` as ``xsd:string``, ``int`` as ``xsd:int`` or
``xsd:long``, ...), an lxml element as its content (text, children and attributes).
"""

XmlElement: TypeAlias = "etree._Element"
"""The value of an element whose content is any XML (``xs:any``): a .NET ``XmlNode`` or
``XmlElement`` result, or a ``DataSet`` (its inline schema and diffgram; see
:func:`removethebackground.core.codec.dataset_rows`). Read as the element itself (an
lxml element named after the schema's element, detached from the answer); written as
its content."""


class Binding(enum.StrEnum):
    """The four ways an ASMX service can be called; the WSDL says which it offers."""

    SOAP11 = "soap11"
    SOAP12 = "soap12"
    HTTP_GET = "http_get"
    HTTP_POST = "http_post"

    @classmethod
    def parse(cls, value: str | Binding) -> Binding:
        """Accept a member, its value (``"soap12"``) or its name (``"SOAP12"``)."""
        if isinstance(value, Binding):
            return value
        text = str(value).strip().lower().replace("-", "_").replace(".", "")
        aliases = {
            "soap": "soap11",
            "soap1_1": "soap11",
            "soap1_2": "soap12",
            "get": "http_get",
            "post": "http_post",
            "httpget": "http_get",
            "httppost": "http_post",
        }
        text = aliases.get(text, text)
        for member in cls:
            if member.value == text:
                return member
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"unknown binding {value!r}: use one of {choices}")

    @property
    def is_soap(self) -> bool:
        return self in (Binding.SOAP11, Binding.SOAP12)


@dataclass(frozen=True, slots=True)
class Constraint:
    """What a parameter's values may be, where the WSDL only says ``string``.

    Written by codegen from the generation's reviewed overlay (``codegen/overlays/``);
    the client checks and formats values with it before sending
    (:mod:`removethebackground.core.constraints`), and the sandbox validates the wire text
    with the same rules, so the two cannot drift.

    ``kind`` is one of ``integer`` (``minimum``/``maximum``), ``boolean``
    (``true``/``false``), ``choice`` (a closed set of wire texts in ``choices``;
    ``numeric`` when they are whole numbers, ``ignore_case`` when the service reads
    them case-insensitively), ``date`` (``yyyy-MM-dd``), ``datetime``
    (``yyyy-MM-dd HH:mm:ss`` in UTC, ``hours_ahead`` at least that far in the
    future), ``guid``, or ``text`` (``pattern``, matched in full, with ``message``
    saying what it means; ``max_length``). ``also`` lists other wire texts accepted
    as they are (``nonticket``). ``source`` says where the facts come from.
    """

    kind: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    numeric: bool = False
    ignore_case: bool = False
    pattern: str | None = None
    message: str = ""
    max_length: int | None = None
    hours_ahead: int | None = None
    also: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class Field:
    """One child element (or attribute) of a message or complex type.

    ``xsd`` names a built-in simple type (``"string"``, ``"int"``, ``"boolean"``,
    ``"guid"``, ...) and ``model`` a generated dataclass; exactly one is set, except
    for an array wrapper (``ArrayOfString`` and the like), which has ``item``: the
    repeated child, itself a :class:`Field` with ``max_occurs=None``.

    Two ``xsd`` values are not XSD simple types: ``"anyType"``, an untyped element
    (its value an :data:`AnyValue`), and ``"xml"``, an element of any XML content
    (its value an :data:`XmlElement`). ``xsd_list``: the text is a space-separated
    list of ``xsd`` values (``xs:list``, a .NET ``[Flags]`` enum), the value a Python
    list. ``text``: the field is the text of its type's element (``xs:simpleContent``;
    ``name`` is ``""``), beside the type's attribute fields. ``default``: an attribute's
    schema ``default`` (its lexical form), the value an answer without the attribute is
    read as; ``None`` when the schema gives none.
    """

    attr: str
    name: str
    namespace: str | None
    xsd: str | None = None
    model: type[WireModel] | None = None
    item: Field | None = None
    min_occurs: int = 0
    max_occurs: int | None = 1
    nillable: bool = False
    attribute: bool = False
    type_name: str = ""
    constraint: Constraint | None = None
    xsd_list: bool = False
    text: bool = False
    default: str | None = None

    @property
    def tag(self) -> str:
        return f"{{{self.namespace}}}{self.name}" if self.namespace else self.name

    @property
    def repeated(self) -> bool:
        return self.max_occurs is None or self.max_occurs > 1

    @property
    def required(self) -> bool:
        return self.min_occurs > 0 and not self.nillable and not self.repeated


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """A complex type: its XML name and its children, in schema order."""

    name: str
    namespace: str
    fields: tuple[Field, ...]
    by_tag: Mapping[str, Field] = field(default_factory=dict, compare=False, repr=False)
    shared: Mapping[str, tuple[Field, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        # One qualified name on several fields (``formation`` and ``formation_2``: a
        # sequence that extends one holding an element of the same name, as zeep flattens
        # it): ``shared`` lists them in schema order and the reader picks one by position
        # (see codec.parse_children).
        named: dict[str, list[Field]] = {}
        for f in self.fields:
            if not f.attribute and not f.text:
                named.setdefault(f.tag, []).append(f)
        object.__setattr__(self, "by_tag", {tag: fs[0] for tag, fs in named.items()})
        shared = {tag: tuple(fs) for tag, fs in named.items() if len(fs) > 1}
        object.__setattr__(self, "shared", shared)


class WireModel:
    """Base of every generated dataclass; ``__wire__`` holds its :class:`TypeSpec`."""

    __slots__ = ()
    __wire__: ClassVar[TypeSpec]

    def __reduce__(self) -> tuple[Any, ...]:
        # Slotted dataclasses pickle only with protocol 2 and later by default; this
        # makes every protocol work (an exception's detail_value travels in any).
        values = tuple((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))  # type: ignore[arg-type]
        return (_rebuild_model, (type(self), values))


def _rebuild_model(cls: type[WireModel], values: tuple[tuple[str, Any], ...]) -> WireModel:
    return cls(**dict(values))


@dataclass(frozen=True, slots=True)
class HttpParam:
    """A parameter of the HTTP GET/POST bindings: a form or query key."""

    name: str
    attr: str
    array: bool = False


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """A fault the WSDL declares on an operation (``wsdl:fault``).

    When a fault answer's ``detail`` (SOAP 1.2 ``Detail``) has a child named ``tag``,
    the binding reads that child as ``model`` and raises ``error`` (a generated
    :class:`~removethebackground.core.errors.DeclaredFault` subclass) with the value in
    ``detail_value``. ``name`` is the ``wsdl:fault`` name.
    """

    name: str
    element: str
    namespace: str | None
    model: type[WireModel]
    error: type[DeclaredFault[Any]]

    @property
    def tag(self) -> str:
        return f"{{{self.namespace}}}{self.element}" if self.namespace else self.element


@dataclass(frozen=True, slots=True)
class OutcomeLookup:
    """How to learn whether a call that queues something ran, when its answer was lost.

    A call that queues an image carries the caller's own key for it
    (``customerImageId``), and a read-only operation finds the image by that key
    (``GetImageStatus`` with ``imageTicket`` ``nonticket``, as the service documents).
    When the request of such a call went out and no answer came,
    :mod:`removethebackground.core.reconcile` asks that operation instead of sending
    the call again. Written by codegen from its reviewed list
    (``codegen/policies.py``), every name checked against the WSDL.

    Attributes (attribute names, as the generated methods take them):
        key: the queueing operation's parameter that holds the key.
        operation: the wire name of the read-only operation that looks it up.
        method: that operation's method on the generated client.
        by: that operation's parameter that takes the key.
        fixed: its other arguments, fixed: ``(parameter, value)`` pairs.
        found: the field of the lookup's result that holds what was found (``None``
            there: the service has no such item).
        result: the queueing operation's result, built from the found item:
            ``(result field, found item's field)`` pairs, every field of the result.
        source: where the facts come from.
    """

    key: str
    operation: str
    method: str
    by: str
    fixed: tuple[tuple[str, str], ...] = ()
    found: str = ""
    result: tuple[tuple[str, str], ...] = ()
    source: str = ""


VOID: Final = Field("result", "", None)
"""The result of an operation that returns nothing (a .NET ``void`` method: an empty
response wrapper, ``<s:complexType />``); its method returns ``None``."""

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Operation(Generic[R]):
    """Everything the runtime needs to call one operation on any binding."""

    name: str
    python_name: str
    namespace: str
    soap_actions: Mapping[Binding, str]
    request_element: str
    params: tuple[Field, ...]
    credential_params: tuple[str, ...]  # (email, key), or () for a service without them
    response_element: str
    result: Field
    result_model: type[R]
    bindings: frozenset[Binding]
    http_location: str | None = None
    http_params: tuple[HttpParam, ...] = ()
    http_result_element: str | None = None
    documentation: str = ""
    faults: tuple[FaultSpec, ...] = ()  # the wsdl:fault details it declares
    #: Whether a call changes the service's state (queues, edits, deletes). Such calls
    #: are never sent twice by a retry policy; read-only ones (``False``) may be.
    #: Generated from codegen's hand-written list (``codegen/policies.py``); ``True``
    #: unless told otherwise, the safe answer for an operation nobody classed.
    changes_state: bool = True
    #: For an operation that queues an image: how a lost answer is looked up
    #: (:class:`OutcomeLookup`); ``None`` for every other operation.
    outcome_lookup: OutcomeLookup | None = None

    @property
    def void(self) -> bool:
        """Whether the operation returns nothing (its result is :data:`VOID`)."""
        return self.result is VOID or self.result.name == ""

    @property
    def request_tag(self) -> str:
        return f"{{{self.namespace}}}{self.request_element}"

    @property
    def response_tag(self) -> str:
        return f"{{{self.namespace}}}{self.response_element}"

    @property
    def http_result_tag(self) -> str | None:
        if self.http_result_element is None:
            return None
        return f"{{{self.namespace}}}{self.http_result_element}"


@dataclass(frozen=True, slots=True)
class Service:
    """One WSDL: its service name, addresses and operations."""

    name: str
    namespace: str
    wsdl_resource: str
    default_endpoints: Mapping[Binding, str]
    operations: Mapping[str, Operation[Any]]
    models: tuple[type[WireModel], ...] = ()

    def operation(self, name: str) -> Operation[Any]:
        try:
            return self.operations[name]
        except KeyError:
            raise KeyError(f"{self.name} has no operation {name!r}") from None


@dataclass(frozen=True, slots=True)
class Generation:
    """One entry of the registry of generations (``removethebackground.generated.GENERATIONS``).

    Codegen writes the registry from ``codegen/config.py``; the package ``__init__``,
    the sandbox, the testing helpers and the tests loop over it, so a third WSDL needs
    no hand-written code to be importable, served and tested.

    Attributes:
        key: the generated module's name and the registry key (``"pixelz"``).
        client_class: the generated client class (a ``ServiceClient`` subclass).
        service: the generated wire facts of the WSDL.
        sandbox_path: where the local sandbox serves this generation.
        label: a short human name, for banners and pages.
        async_client_class: the generated async client class (an
            ``AsyncServiceClient`` subclass), with the same methods as coroutines.
    """

    key: str
    client_class: type[Any]
    service: Service
    sandbox_path: str
    label: str
    async_client_class: type[Any] | None = None

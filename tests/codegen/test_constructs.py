"""The constructs .NET services publish, each generated, typed and round-tripped.

``fixtures/asmx_constructs.wsdl`` is written as ASP.NET's ServiceDescriptionReflector
and XmlSchemaExporter write them (mono's mcs/class/System.Web.Services and
mcs/class/System.XML/System.Xml.Serialization): array results (``ArrayOfString``,
``ArrayOfItem``), a void method (an empty response wrapper), ``object`` (an element of no
type), a ``DataSet`` and an ``XmlNode`` result, a ``[Flags]`` enum (``xs:list``), an enum,
``xs:simpleContent`` and a SOAP-header class with ``xs:anyAttribute``. For each: the
generated module's types, the request envelope against zeep's for the same values, and
an answer zeep writes read back to the same values.
"""

from __future__ import annotations

import decimal
import importlib.util
import inspect
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from codegen.errors import CodegenError
from codegen.model import ANY_SERVICE, ServiceModel, build
from codegen.render import render_module
from lxml import etree

from removethebackground.bindings import SOAP_BINDINGS, CallContext
from removethebackground.core.codec import (
    XSD_NS,
    XSI_NS,
    dataset_rows,
    dataset_tables,
    parse_model,
    read_model,
)
from removethebackground.core.errors import InvalidParameterError
from removethebackground.core.faults import fault_class
from removethebackground.core.http import HttpAnswer
from removethebackground.core.wire import Binding, Field, TypeSpec, WireModel
from removethebackground.service import render_soap_result
from support.envelopes import ENVELOPE_NS
from support.xmltree import assert_xml_equivalent, parse_xml
from support.zeepclient import _zeep_client

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
WSDL = FIXTURES / "asmx_constructs.wsdl"
NS = "http://example.org/constructs/"
XSI_TYPE = f"{{{XSI_NS}}}type"


def model() -> ServiceModel:
    return build("constructs", WSDL, "ConstructsClient", FIXTURES, options=ANY_SERVICE)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    path = tmp_path_factory.mktemp("constructs") / "constructs_generated.py"
    path.write_text(render_module(model(), FIXTURES), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("constructs_generated", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["constructs_generated"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def zeep() -> Any:
    return _zeep_client(str(WSDL))


# --- types -----------------------------------------------------------------------------------


def test_every_construct_is_typed(generated: ModuleType) -> None:
    client = generated.ConstructsClient

    def returns(method: str) -> str:
        return str(inspect.signature(getattr(client, method)).return_annotation)

    assert returns("get_names") == "list[str | None]"
    assert returns("get_items") == "list[Item | None]"
    assert returns("clear") == "None"
    assert returns("save_item") == "None"
    assert returns("echo") == "AnyValue | None"
    assert returns("get_data") == "XmlElement | None"
    assert returns("get_node") == "XmlElement | None"
    assert returns("get_price") == "Price"
    echo = inspect.signature(client.echo).parameters
    assert echo["color"].annotation == "Literal['Red', 'Green', 'Blue'] | str"
    assert echo["options"].annotation == "list[Literal['None', 'Bold', 'Italic'] | str]"
    assert echo["value"].annotation == "AnyValue | None"
    assert generated.Price.__annotations__ == {
        "value": "decimal.Decimal",
        "currency": "str | None",
    }
    assert generated.Item.__annotations__["tag"] == "AnyValue | None"
    # the header class's xs:anyAttribute adds no field and no crash
    assert generated.AuthHeader.__annotations__ == {"token": "str | None"}
    assert generated.OP_CLEAR.void and not generated.OP_GET_NAMES.void


def test_the_generated_module_passes_mypy_strict(generated: ModuleType) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", generated.__file__],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- requests: the envelopes zeep writes ----------------------------------------------------


def _resolved_types(envelope: etree._Element) -> etree._Element:
    """``xsi:type`` values in Clark notation, so prefixes do not count."""
    for el in envelope.iter():
        value = el.get(XSI_TYPE)
        if value is not None:
            prefix, _, local = value.rpartition(":")
            el.set(XSI_TYPE, f"{{{el.nsmap.get(prefix or None)}}}{local}")
    return envelope


def _ours(module: ModuleType, op: str, binding: Binding, **values: Any) -> etree._Element:
    operation = module.SERVICE.operations[op]
    return _resolved_types(parse_xml(SOAP_BINDINGS[binding].build_envelope(operation, values)))


def _theirs(zeep: Any, op: str, binding: Binding, **kwargs: Any) -> etree._Element:
    port = "ConstructsSoap" if binding is Binding.SOAP11 else "ConstructsSoap12"
    service = zeep.bind("Constructs", port)
    envelope = zeep.create_message(service, op, **kwargs)
    return _resolved_types(parse_xml(etree.tostring(envelope)))


BINDINGS = pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12], ids=str)


@BINDINGS
def test_flags_enum_and_untyped_parameters_are_written_as_zeep_writes_them(
    generated: ModuleType, zeep: Any, binding: Binding
) -> None:
    from zeep import xsd

    cases: list[tuple[Any, Any]] = [
        ("hello", xsd.AnyObject(zeep.get_type("xsd:string"), "hello")),
        (42, xsd.AnyObject(zeep.get_type("xsd:int"), 42)),
        (2**40, xsd.AnyObject(zeep.get_type("xsd:long"), 2**40)),
        (True, xsd.AnyObject(zeep.get_type("xsd:boolean"), True)),
        (decimal.Decimal("1.50"), xsd.AnyObject(zeep.get_type("xsd:decimal"), "1.50")),
    ]
    for ours_value, zeep_value in cases:
        ours = _ours(
            generated, "Echo", binding, value=ours_value, color="Green", options=["Bold", "Italic"]
        )
        theirs = _theirs(
            zeep, "Echo", binding, value=zeep_value, color="Green", options=["Bold", "Italic"]
        )
        assert_xml_equivalent(ours, theirs)
    # an unknown enum value is sent as it is (open enumerations), an empty list as ""
    ours = _ours(generated, "Echo", binding, value=None, color="Purple", options=[])
    theirs = _theirs(zeep, "Echo", binding, color="Purple", options=[])
    assert_xml_equivalent(ours, theirs)


@BINDINGS
def test_a_complex_parameter_with_simple_content_lists_and_arrays_matches_zeep(
    generated: ModuleType, zeep: Any, binding: Binding
) -> None:
    from zeep import xsd

    item = generated.Item(
        name="pen",
        color="Blue",
        options=["Bold"],
        price=generated.Price(value=decimal.Decimal("3.25"), currency="EUR"),
        tag="red",
    )
    ours = _ours(generated, "SaveItem", binding, item=item, names=["a", "b"])
    theirs = _theirs(
        zeep,
        "SaveItem",
        binding,
        item={
            "Name": "pen",
            "Color": "Blue",
            "Options": ["Bold"],
            "Price": {"_value_1": decimal.Decimal("3.25"), "currency": "EUR"},
            "Tag": xsd.AnyObject(zeep.get_type("xsd:string"), "red"),
        },
        names={"string": ["a", "b"]},
    )
    assert_xml_equivalent(ours, theirs)


def test_an_lxml_element_is_sent_as_the_untyped_elements_content(generated: ModuleType) -> None:
    value = etree.fromstring('<v xmlns="urn:x" a="1">t<b>2</b></v>')
    ours = _ours(generated, "Echo", Binding.SOAP11, value=value, color="Red", options=["None"])
    sent = ours.find(f".//{{{NS}}}value")
    assert sent is not None and sent.get("a") == "1" and sent.text == "t"
    assert [c.tag for c in sent] == ["{urn:x}b"] and sent.get(XSI_TYPE) is None


def test_wrong_values_are_refused_before_sending(generated: ModuleType) -> None:
    with pytest.raises(InvalidParameterError, match=r"options.*expected a list of values"):
        _ours(generated, "Echo", Binding.SOAP11, value=None, color="Red", options="Bold")
    with pytest.raises(InvalidParameterError, match=r"options\[0\].*cannot be empty or contain"):
        _ours(generated, "Echo", Binding.SOAP11, value=None, color="Red", options=["A B"])
    with pytest.raises(InvalidParameterError, match="an untyped element takes str, int"):
        _ours(generated, "Echo", Binding.SOAP11, value=object(), color="Red", options=[])


# --- answers: written by zeep, read back -------------------------------------------------------


def _zeep_answer(zeep: Any, op: str, binding: Binding, value: Any) -> HttpAnswer:
    """The response envelope zeep's schema writes for the result ``value``."""
    port = "ConstructsSoap" if binding is Binding.SOAP11 else "ConstructsSoap12"
    operation = zeep.bind("Constructs", port)._binding._operations[op]
    env = ENVELOPE_NS[binding]
    envelope = etree.Element(f"{{{env}}}Envelope", nsmap={"soap": env})
    body = etree.SubElement(envelope, f"{{{env}}}Body")
    element = operation.output.body
    result = element.type.elements[0][0] if element.type.elements else None
    element.render(body, element(**({result: value} if result else {})))
    ctype = "text/xml" if binding is Binding.SOAP11 else "application/soap+xml"
    return HttpAnswer(
        200, "OK", {"Content-Type": f"{ctype}; charset=utf-8"}, etree.tostring(envelope)
    )


def _read(module: ModuleType, op: str, binding: Binding, answer: HttpAnswer) -> Any:
    operation = module.SERVICE.operations[op]
    return SOAP_BINDINGS[binding].read_answer(
        operation, answer, CallContext(lambda t: t, fault_class)
    )


@BINDINGS
def test_zeep_answers_read_back_to_the_same_values(
    generated: ModuleType, zeep: Any, binding: Binding
) -> None:
    from zeep import xsd

    def read(op: str, value: Any) -> Any:
        return _read(generated, op, binding, _zeep_answer(zeep, op, binding, value))

    assert read("GetNames", {"string": ["a", "", "c"]}) == ["a", "", "c"]
    assert read("GetNames", None) == []  # a null array: absent, read as []
    assert read("Clear", None) is None
    assert read("GetPrice", {"_value_1": decimal.Decimal("9.99"), "currency": "USD"}) == (
        generated.Price(value=decimal.Decimal("9.99"), currency="USD")
    )
    items = read(
        "GetItems",
        {
            "Item": [
                {
                    "Name": "pen",
                    "Color": "Red",
                    "Options": ["Bold", "Italic"],
                    "Price": {"_value_1": decimal.Decimal("1"), "currency": None},
                    "Tag": xsd.AnyObject(zeep.get_type("xsd:int"), 7),
                },
                {"Name": None, "Color": "Blue", "Options": [], "Price": None, "Tag": None},
            ]
        },
    )
    assert items == [
        generated.Item(
            name="pen",
            color="Red",
            options=["Bold", "Italic"],
            price=generated.Price(value=decimal.Decimal("1"), currency=None),
            tag=7,
        ),
        generated.Item(name=None, color="Blue", options=[], price=None, tag=None),
    ]
    for value, expected in [
        (xsd.AnyObject(zeep.get_type("xsd:string"), "x"), "x"),
        (xsd.AnyObject(zeep.get_type("xsd:boolean"), False), False),
        (xsd.AnyObject(zeep.get_type("xsd:double"), 0.5), 0.5),
        (
            xsd.AnyObject(zeep.get_type("xsd:decimal"), decimal.Decimal("2.5")),
            decimal.Decimal("2.5"),
        ),
        ("plain text", "plain text"),  # no xsi:type: the text
        (None, None),
    ]:
        assert read("Echo", value) == expected


# --- answers as ASP.NET writes them ----------------------------------------------------------

DATASET = f"""<GetDataResult xmlns="{NS}">
  <xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema"
      xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">
    <xs:element name="NewDataSet" msdata:IsDataSet="true"><xs:complexType>
      <xs:choice minOccurs="0" maxOccurs="unbounded"><xs:element name="Orders">
        <xs:complexType><xs:sequence>
          <xs:element name="Id" type="xs:int" minOccurs="0" />
          <xs:element name="Customer" type="xs:string" minOccurs="0" />
        </xs:sequence></xs:complexType></xs:element></xs:choice>
    </xs:complexType></xs:element>
  </xs:schema>
  <diffgr:diffgram xmlns:msdata="urn:schemas-microsoft-com:xml-msdata"
      xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1">
    <NewDataSet xmlns="">
      <Orders diffgr:id="Orders1" msdata:rowOrder="0"><Id>1</Id><Customer>Ada</Customer></Orders>
      <Orders diffgr:id="Orders2" msdata:rowOrder="1"><Id>2</Id><Customer /></Orders>
    </NewDataSet>
  </diffgr:diffgram>
</GetDataResult>"""


def _asmx_answer(op: str, inner: str) -> HttpAnswer:
    env = ENVELOPE_NS[Binding.SOAP11]
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{env}" '
        f'xmlns:xsi="{XSI_NS}" xmlns:xsd="{XSD_NS}"><soap:Body>'
        f'<{op}Response xmlns="{NS}">{inner}</{op}Response></soap:Body></soap:Envelope>'
    )
    return HttpAnswer(200, "OK", {"Content-Type": "text/xml; charset=utf-8"}, body.encode())


def test_a_dataset_result_is_an_element_and_its_rows(generated: ModuleType) -> None:
    result = _read(generated, "GetData", Binding.SOAP11, _asmx_answer("GetData", DATASET))
    assert isinstance(result, etree._Element)
    assert result.tag == f"{{{NS}}}GetDataResult" and result.getparent() is None
    assert dataset_rows(result) == [
        {"Id": "1", "Customer": "Ada"},
        {"Id": "2", "Customer": ""},
    ]
    assert list(dataset_tables(result)) == ["Orders"]
    with pytest.raises(KeyError, match="no rows of table 'Lines' \\(it has Orders\\)"):
        dataset_rows(result, "Lines")
    # no result element: a null DataSet
    assert _read(generated, "GetData", Binding.SOAP11, _asmx_answer("GetData", "")) is None


def test_an_xml_node_result_and_untyped_element_content(generated: ModuleType) -> None:
    node = _read(
        generated,
        "GetNode",
        Binding.SOAP11,
        _asmx_answer("GetNode", '<GetNodeResult><note xmlns="">hi</note></GetNodeResult>'),
    )
    assert node.find("note").text == "hi"
    value = _read(
        generated,
        "Echo",
        Binding.SOAP11,
        _asmx_answer("Echo", '<EchoResult><a xmlns="">1</a></EchoResult>'),
    )
    assert isinstance(value, etree._Element) and value.find("a").text == "1"
    guid = _read(
        generated,
        "Echo",
        Binding.SOAP11,
        _asmx_answer(
            "Echo",
            '<EchoResult xmlns:q1="http://microsoft.com/wsdl/types/" xsi:type="q1:guid">'
            "8c6b1a4e-1f0b-4a55-9f61-0c1a9d2e7b11</EchoResult>",
        ),
    )
    assert str(guid) == "8c6b1a4e-1f0b-4a55-9f61-0c1a9d2e7b11"


@BINDINGS
def test_the_service_side_writes_what_the_client_reads(
    generated: ModuleType, binding: Binding
) -> None:
    for op, value in [
        ("GetNames", ["x", None, "z"]),
        (
            "GetItems",
            [generated.Item(color="Red", options=["Bold"], name="n", price=None, tag=None)],
        ),
        ("GetPrice", generated.Price(value=decimal.Decimal("1.5"), currency=None)),
        ("Echo", 12),
        ("Clear", None),
    ]:
        operation = generated.SERVICE.operations[op]
        body = render_soap_result(operation, binding, value)
        ctype = "text/xml" if binding is Binding.SOAP11 else "application/soap+xml"
        answer = HttpAnswer(200, "OK", {"Content-Type": f"{ctype}; charset=utf-8"}, body)
        assert _read(generated, op, binding, answer) == value


# --- WCF: dictionaries and one type name in several namespaces ------------------------------

WCF = FIXTURES / "wcf_constructs.wsdl"
ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"


@pytest.fixture(scope="module")
def wcf(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    model = build("wcf", WCF, "JournalClient", FIXTURES, options=ANY_SERVICE)
    path = tmp_path_factory.mktemp("wcf") / "wcf_generated.py"
    path.write_text(render_module(model, FIXTURES), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("wcf_generated", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["wcf_generated"] = module
    spec.loader.exec_module(module)
    return module


def test_a_type_name_of_two_namespaces_gets_the_namespaces_suffix(wcf: ModuleType) -> None:
    assert wcf.LogShopOrders.__wire__.name == wcf.LogShopBilling.__wire__.name == "Log"
    assert wcf.LogShopOrders.__annotations__["billing"] == "LogShopBilling | None | UnsetType"
    assert not hasattr(wcf, "Log")
    sig = inspect.signature(wcf.JournalClient.get_totals)
    assert str(sig.return_annotation) == "list[KeyValueOfstringint]"


def test_a_wcf_dictionary_is_a_list_of_key_value_models(wcf: ModuleType) -> None:
    zeep = _zeep_client(str(WCF))
    pairs = [wcf.KeyValueOfstringint(key="a", value=1), wcf.KeyValueOfstringint(key=None, value=2)]
    ours = parse_xml(
        SOAP_BINDINGS[Binding.SOAP11].build_envelope(wcf.OP_GET_LOGS, {"counts": pairs})
    )
    service = zeep.bind("Journal", "BasicHttpBinding_IJournal")
    theirs = zeep.create_message(
        service,
        "GetLogs",
        counts={"KeyValueOfstringint": [{"Key": "a", "Value": 1}, {"Key": None, "Value": 2}]},
    )
    theirs = parse_xml(etree.tostring(theirs))
    for header in theirs.findall(f"{{{ENVELOPE_NS[Binding.SOAP11]}}}Header"):
        theirs.remove(header)  # zeep's WS-Addressing header (wsaw:Action in the portType)
    assert_xml_equivalent(ours, theirs)
    answer = _zeep_wcf_answer(zeep, [{"Key": "x", "Value": 5}])
    result = SOAP_BINDINGS[Binding.SOAP11].read_answer(
        wcf.OP_GET_TOTALS, answer, CallContext(lambda t: t, fault_class)
    )
    assert result == [wcf.KeyValueOfstringint(key="x", value=5)]


def _zeep_wcf_answer(zeep: Any, pairs: list[dict[str, Any]]) -> HttpAnswer:
    operation = zeep.bind("Journal", "BasicHttpBinding_IJournal")._binding._operations["GetTotals"]
    env = ENVELOPE_NS[Binding.SOAP11]
    envelope = etree.Element(f"{{{env}}}Envelope", nsmap={"s": env})
    body = etree.SubElement(envelope, f"{{{env}}}Body")
    element = operation.output.body
    element.render(body, element(GetTotalsResult={"KeyValueOfstringint": pairs}))
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    return HttpAnswer(200, "OK", headers, etree.tostring(envelope))


def test_a_new_enumeration_value_is_a_compatible_change(tmp_path: Path) -> None:
    from codegen.update import diff_sources

    new = tmp_path / "new.wsdl"
    new.write_text(
        WSDL.read_text(encoding="utf-8").replace(
            '<s:enumeration value="Blue" />',
            '<s:enumeration value="Blue" /><s:enumeration value="Black" />',
        ),
        encoding="utf-8",
    )
    diff = diff_sources(str(WSDL), str(new), options=ANY_SERVICE)
    kinds = {c.kind for c in diff.changes}
    assert kinds == {"param_enumeration_changed", "field_enumeration_changed"}
    assert diff.exit_code() == 0  # nothing breaking: the Literal types are open


def test_http_get_carries_an_array_result_and_not_a_void_method(generated: ModuleType) -> None:
    """A void method's HTTP GET binding has no answer element (``<wsdl:output />``): it is
    offered over SOAP only. An array result reads from its HTTP answer root."""
    from removethebackground.bindings import HTTP_BINDINGS

    assert Binding.HTTP_GET not in generated.OP_CLEAR.bindings
    assert Binding.HTTP_GET in generated.OP_GET_NAMES.bindings
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><ArrayOfString xmlns:xsi="{XSI_NS}" '
        f'xmlns="{NS}"><string>a</string><string xsi:nil="true" /><string /></ArrayOfString>'
    ).encode()
    answer = HttpAnswer(200, "OK", {"Content-Type": "text/xml; charset=utf-8"}, body)
    result = HTTP_BINDINGS[Binding.HTTP_GET].read_answer(
        generated.OP_GET_NAMES, answer, CallContext(lambda t: t, fault_class)
    )
    assert result == ["a", None, ""]


def test_an_array_whose_items_are_required_refuses_too_few_before_sending() -> None:
    """``<s:element minOccurs="1" maxOccurs="unbounded" name="level">`` as an array's only
    child: an empty list would be an element the schema forbids (zeep refuses it too)."""
    from removethebackground.core.codec import build_children, compile_writer
    from removethebackground.core.wire import Field

    item = Field("item", "level", NS, xsd="string", min_occurs=1, max_occurs=None)
    layout = Field("layout", "layout", NS, item=item, min_occurs=0, type_name="PlanningLayout")
    writer = compile_writer((layout,), NS)
    assert writer is not None
    for write in (
        lambda values: writer(values, []),
        lambda values: build_children(etree.Element("x"), (layout,), values),
    ):
        with pytest.raises(InvalidParameterError, match=r"layout.*0 items.*at least 1 level"):
            write({"layout": []})
        write({"layout": ["a"]})


# --- anonymous types of one element name under several parents ---------------------------------

ANONYMOUS = FIXTURES / "anonymous_types.wsdl"


@pytest.fixture(scope="module")
def anonymous(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    model = build("anonymous", ANONYMOUS, "PlanningClient", FIXTURES, options=ANY_SERVICE)
    path = tmp_path_factory.mktemp("anonymous") / "anonymous_generated.py"
    path.write_text(render_module(model, FIXTURES), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("anonymous_generated", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["anonymous_generated"] = module
    spec.loader.exec_module(module)
    return module


def test_anonymous_types_of_one_element_name_get_their_parents_names(
    anonymous: ModuleType,
) -> None:
    """``set`` in OptionList and in QualifierList (and ``property`` in three places) are
    anonymous types of different content: each is a class of its own, named after the class
    that holds it; ``margin``, the same content in two parents, is one class, ``Margin``."""
    fields = {
        name: list(getattr(anonymous, name).__annotations__)
        for name in (
            "OptionListSet",
            "QualifierListSet",
            "QualifierListSetProperty",
            "LayoutProperty",
            "PlanningProperty",
            "Margin",
        )
    }
    assert fields == {
        "OptionListSet": ["option"],
        "QualifierListSet": ["property", "name"],
        "QualifierListSetProperty": ["name", "qualifier"],
        "LayoutProperty": ["name"],
        "PlanningProperty": ["value", "name"],
        "Margin": ["size"],
    }
    assert not hasattr(anonymous, "Set") and not hasattr(anonymous, "Property")
    assert anonymous.OptionListSet.__wire__.name == anonymous.QualifierListSet.__wire__.name
    params = inspect.signature(anonymous.PlanningClient.plan).parameters
    assert str(params["options"].annotation) == "list[OptionListSet] | None"
    assert anonymous.Layout.__annotations__["level"] == "list[LayoutProperty] | None"
    assert anonymous.Layout.__annotations__["margin"] == "Margin | None"
    assert anonymous.Planning.__annotations__["margin"] == "Margin | None"


def test_anonymous_types_of_one_element_name_are_sent_and_read_as_zeep_does(
    anonymous: ModuleType,
) -> None:
    zeep = _zeep_client(str(ANONYMOUS))
    m = anonymous
    ours = parse_xml(
        SOAP_BINDINGS[Binding.SOAP11].build_envelope(
            m.OP_PLAN,
            {
                "options": [m.OptionListSet(option="fast")],
                "qualifiers": [
                    m.QualifierListSet(
                        property=[m.QualifierListSetProperty(name="a", qualifier="b")], name="q"
                    )
                ],
                "layout": m.Layout(level=[m.LayoutProperty(name="room")], margin=m.Margin(size=2)),
            },
        )
    )
    theirs = zeep.create_message(
        zeep.bind("Planning", "PlanningSoap"),
        "Plan",
        options={"set": [{"option": "fast"}]},
        qualifiers={"set": [{"property": [{"name": "a", "qualifier": "b"}], "name": "q"}]},
        layout={"level": {"property": [{"name": "room"}]}, "margin": {"size": 2}},
    )
    assert_xml_equivalent(ours, parse_xml(etree.tostring(theirs)))

    operation = zeep.bind("Planning", "PlanningSoap")._binding._operations["Plan"]
    env = ENVELOPE_NS[Binding.SOAP11]
    envelope = etree.Element(f"{{{env}}}Envelope", nsmap={"soap": env})
    body = etree.SubElement(envelope, f"{{{env}}}Body")
    element = operation.output.body
    planning = {"margin": {"size": 5}, "property": [{"value": "1", "name": "x"}]}
    element.render(body, element(PlanResult=planning))
    answer = HttpAnswer(
        200, "OK", {"Content-Type": "text/xml; charset=utf-8"}, etree.tostring(envelope)
    )
    result = SOAP_BINDINGS[Binding.SOAP11].read_answer(
        m.OP_PLAN, answer, CallContext(lambda t: t, fault_class)
    )
    assert result == m.Planning(
        margin=m.Margin(size=5), property=[m.PlanningProperty(value="1", name="x")]
    )


# --- attribute defaults ------------------------------------------------------------------------

DEFAULTS = FIXTURES / "attribute_defaults.wsdl"


@pytest.fixture(scope="module")
def defaults(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    model = build("defaults", DEFAULTS, "HotelClient", FIXTURES, options=ANY_SERVICE)
    path = tmp_path_factory.mktemp("defaults") / "defaults_generated.py"
    path.write_text(render_module(model, FIXTURES), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("defaults_generated", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["defaults_generated"] = module
    spec.loader.exec_module(module)
    return module


def _book_answer(attributes: str) -> HttpAnswer:
    env = ENVELOPE_NS[Binding.SOAP11]
    body = (
        f'<soap:Envelope xmlns:soap="{env}"><soap:Body>'
        '<BookResponse xmlns="http://example.org/defaults/">'
        f"<BookResult {attributes}><name>x</name></BookResult>"
        "</BookResponse></soap:Body></soap:Envelope>"
    )
    return HttpAnswer(200, "OK", {"Content-Type": "text/xml; charset=utf-8"}, body.encode())


def test_an_absent_attribute_reads_as_its_schema_default(defaults: ModuleType) -> None:
    """``default="false"`` on a boolean, ``default="Closed"`` on an enumeration and
    ``default=""`` on a string: an answer without them reads as those values (zeep does the
    same, keeping the default's lexical form); an attribute without a default stays None."""
    m = defaults
    read = SOAP_BINDINGS[Binding.SOAP11].read_answer
    context = CallContext(lambda t: t, fault_class)
    result = read(m.OP_BOOK, _book_answer(""), context)
    assert result == m.Room(name="x", smoking=False, status="Closed", note="", floor=None)
    given = 'smoking="true" status="Open" note="n" floor="2"'
    result = read(m.OP_BOOK, _book_answer(given), context)
    assert result == m.Room(name="x", smoking=True, status="Open", note="n", floor=2)

    zeep = _zeep_client(str(DEFAULTS))
    operation = zeep.bind("Hotel", "HotelSoap")._binding._operations["Book"]
    theirs = operation.output.body.parse(
        parse_xml(_book_answer("").body)[0][0], zeep.wsdl.types
    ).BookResult
    lexical = {"smoking": "false", "status": "Closed", "note": "", "floor": None}
    assert {k: theirs[k] for k in lexical} == lexical


def test_an_attribute_default_is_carried_only_where_the_schema_gives_one(
    defaults: ModuleType,
) -> None:
    by_attr = {f.attr: f.default for f in defaults.Room.__wire__.fields}
    assert by_attr == {
        "name": None,
        "smoking": "false",
        "status": "Closed",
        "note": "",
        "floor": None,
    }
    # writing is unchanged: an attribute left None is not sent (zeep leaves it out too)
    envelope = parse_xml(
        SOAP_BINDINGS[Binding.SOAP11].build_envelope(
            defaults.OP_BOOK, {"room": defaults.Room(name="x")}
        )
    )
    (room,) = envelope.iter("{http://example.org/defaults/}room")
    assert dict(room.attrib) == {}


def test_an_attribute_default_not_of_its_type_is_refused(tmp_path: Path) -> None:
    wsdl = tmp_path / "bad_default.wsdl"
    wsdl.write_text(
        DEFAULTS.read_text(encoding="utf-8").replace('default="false"', 'default="maybe"'),
        encoding="utf-8",
    )
    with pytest.raises(
        CodegenError, match=r"Room/@smoking: default='maybe' is not a valid boolean"
    ):
        build("bad", wsdl, "HotelClient", FIXTURES, options=ANY_SERVICE)


@dataclass
class _Shared(WireModel):
    """A type whose sequence holds one qualified name twice: zeep flattens a base type's
    element and a group's element of the same name (National Rail's ``ServiceDetails``,
    ``formation`` and ``formation_2``) into one sequence."""

    first: str | None = None
    middle: str = ""
    second: str | None = None


_Shared.__wire__ = TypeSpec(
    "Shared",
    NS,
    (
        Field("first", "formation", NS, xsd="string"),
        Field("middle", "middle", NS, xsd="string", min_occurs=1),
        Field("second", "formation", NS, xsd="string"),
    ),
)


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        (["formation", "middle"], _Shared(first="1", middle="2")),
        (["middle", "formation"], _Shared(middle="1", second="2")),
        (["formation", "middle", "formation"], _Shared(first="1", middle="2", second="3")),
    ],
)
def test_one_name_on_two_fields_is_read_by_position_as_zeep_reads_it(
    children: list[str], expected: _Shared
) -> None:
    el = etree.Element(f"{{{NS}}}Shared")
    for n, name in enumerate(children, 1):
        etree.SubElement(el, f"{{{NS}}}{name}").text = str(n)
    assert read_model(el, _Shared) == expected
    assert parse_model(el, _Shared) == expected

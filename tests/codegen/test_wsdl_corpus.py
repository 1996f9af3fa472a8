"""Codegen on a corpus of other services' WSDLs (tests/wsdl-corpus/, see PROVENANCE.md there).

For every entry WSDL of the corpus, codegen (with the rules for any service,
``codegen.model.ANY_SERVICE``: no credential parameters, several services allowed,
simple-typed results) either builds a model or refuses with a clear error naming the
construct it does not support; the expected outcome of each file is pinned below.
For every WSDL it accepts, the generated module imports, and for every operation the
SOAP 1.1 and 1.2 envelopes it writes are the same XML as zeep's ``create_message`` for
the same (hypothesis, bounded) inputs, and an answer zeep's schema describes reads back
as the value it was built from; and the generated modules pass ``mypy --strict`` (one run
over all of them).

Twenty of the entries are real-world WSDLs of public ASMX and WCF services
(``support.wsdl_corpus.REAL_WORLD``), chosen so that together they show every .NET construct
of ``support.wsdl_corpus.CONSTRUCTS``; tests/codegen/corpus_report.py prints what codegen
does with each. ``make test`` runs a bounded slice (``CORPUS_EXAMPLES`` examples, at most
``CORPUS_OPERATIONS`` operations of a WSDL); ``make corpus`` runs every operation with many
examples.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib.util
import os
import pickle
import re
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from codegen.model import ANY_SERVICE, CodegenError, ServiceModel, build
from codegen.render import render_module
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree

from removethebackground.bindings import SOAP_BINDINGS, CallContext
from removethebackground.core.codec import parse_scalar, to_element
from removethebackground.core.errors import ClientFault, DeclaredFault, ServiceFault
from removethebackground.core.faults import fault_class
from removethebackground.core.http import HttpAnswer
from removethebackground.core.wire import UNSET, Binding, Operation
from removethebackground.service import render_soap_result
from support.envelopes import ENVELOPE_NS, XSI_NIL
from support.replay import ReplayAdapter, Reply, session_with
from support.strategies import instance_of, slot_of, value_of
from support.wirevalues import iter_fields
from support.wsdl_corpus import CONSTRUCTS, REAL_WORLD, constructs
from support.xmltree import assert_xml_equivalent, parse_xml
from support.zeepclient import _zeep_client

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "wsdl-corpus"

# Entry WSDLs (files that other files of the corpus import are not entries) and what
# codegen does with each: None = builds, otherwise a text its refusal must contain.
EXPECTED: dict[str, str | None] = {
    "fastify/calculator.wsdl": None,  # the DNE Online ASMX calculator: int result
    "zeep/soap_header.wsdl": None,
    "zeep/soap_import_main.wsdl": None,  # wsdl:import of soap_import_2.wsdl, xsd:import
    "zeep/soap_transport_err.wsdl": None,
    "zeep-integration/recursive_schema_main.wsdl": None,  # xsd:imports in a cycle, no ops
    "node-soap/wcf_fault.wsdl": None,  # WCF: a declared wsdl:fault with a typed detail
    "node-soap/logincms.wsdl": None,  # Axis (AFIP WSAA): a declared fault, empty detail type
    "node-soap/wcf_extended_recursive.wsdl": None,  # WCF: Person and Department contain each other
    "node-soap/item_information.wsdl": None,  # extension of extension, decimal
    "node-soap/asmx_self_referencing.wsdl": None,  # ASMX: a type that contains itself
    "node-soap/exec_file_unqualified.wsdl": None,  # elementFormDefault="unqualified"
    "node-soap/extension-base/foo.wsdl": None,  # xsd:import of an extension's base
    "zeep/claim.wsdl": 'SOAP-encoded messages (soap:body use="encoded") are not supported',
    "zeep/soap.wsdl": "one-way operations (no wsdl:output) are not supported",
    "zeep-integration/hello_world_recursive.wsdl": "one-way operations (no wsdl:output)",
    "zeep/benchmark.wsdl": "the result element item repeats (maxOccurs > 1)",
    "zeep/http.wsdl": "no wsdl:service with a SOAP 1.1 or SOAP 1.2 port",
    "node-soap/mixed_sequence_choice.wsdl": "dataList: xs:choice is not supported",
    "node-soap/cybersource/CyberSourceTransaction_1.26.wsdl": (
        "runTransaction: the response wrapper replyMessage has 44 children"
    ),
    "node-soap/dummy/Dummy.wsdl": None,  # xs:simpleContent (text with attributes)
    "node-soap/default_namespace_anytype.wsdl": (
        "MyOperation (request Request): a message wrapper of type xs:anyType (or of no type)"
    ),
    "zeep-integration/test_http_post.wsdl": "no wsdl:service with a SOAP 1.1 or SOAP 1.2 port",
}
# The real-world twenty (support.wsdl_corpus.REAL_WORLD): None = builds, a text = refused
# with it (naming the file), CRASH = fails with another exception (a codegen bug: the test
# expects it and fails once it is fixed, so that the fix updates this table).
CRASH = "crash"
EXPECTED |= {
    "savon/interhome.wsdl": None,  # a header class with anyAttribute
    "savon/taxcloud.wsdl": None,
    "wasabi/economic.wsdl": None,  # 1511 operations: arrays, 362 void
    "wasabi/namespaced_actions.wsdl": None,  # untyped elements
    "wsdl2phpgenerator/currency_convertor.wsdl": None,
    "node-soap/agresso_timesheet.wsdl": None,  # array results
    "wsdl-to-postman/avm_properties_dataset.wsdl": None,  # 42 DataSets
    "wsdl-to-postman/texas_geocoder.wsdl": None,  # a [Flags] enum
    "wsdl-to-postman/soap_body_auth_headers.wsdl": None,
    "wsdl-to-postman/xml_method.wsdl": None,  # an XmlElement parameter, void
    "fsharp-wsdlprovider/direct_click.wsdl": None,
    "fsharp-wsdlprovider/planning.wsdl": None,
    "fsharp-wsdlprovider/weather.wsdl": None,
    "fsharp-wsdlprovider/synxis.wsdl": (  # an attribute named "Caption " (zeep fails too)
        "synxis.wsdl: the WSDL could not be read or modelled (builtins.ValueError: "
        "Invalid tag name 'Caption ')"
    ),
    "fsharp-wsdlprovider/national-rail/NationalRail.wsdl": None,  # one name, 4 namespaces
    "dotnet-wcf/collection_types.wsdl": None,  # WCF dictionaries
    "dotnet-wcf/dataset_wrapper.wsdl": None,  # a DataSet field
    "wsdltophp/my_board_pack.wsdl": (
        "my_board_pack.wsdl: Attendees_GetByMeeting: the response wrapper MeetingAttendeeRespM "
        "has 3 children; a result is one element (.NET out and ref parameters are not supported)"
    ),
    "wsdltophp/bingsearch.wsdl": None,
    "wsdl-tsclient/products.wsdl": None,  # array results
}
BUILT = [name for name, refusal in EXPECTED.items() if refusal is None]
# WSDLs that build but whose envelopes or answers differ from zeep's: a codegen bug each,
# expected to fail (strictly: the fix must remove the line).
DIFFER_FROM_ZEEP: dict[str, str] = {}
COMPARED = [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=DIFFER_FROM_ZEEP[name]))
    if name in DIFFER_FROM_ZEEP
    else name
    for name in BUILT
]
# WSDLs whose answers do not read back as written, for a reason other than a codegen bug,
# expected to fail (not strict: the difference shows only when a draw has the construct).
READ_BACK_DIFFERS: dict[str, str] = {}
READ_BACK = [
    pytest.param(name, marks=pytest.mark.xfail(strict=False, reason=READ_BACK_DIFFERS[name]))
    if name in READ_BACK_DIFFERS
    else name
    for name in COMPARED
]
EXAMPLES = settings(  # bounded for make test; make corpus runs 200
    max_examples=int(os.environ.get("CORPUS_EXAMPLES", "10")),
    deadline=None,
    # data_too_large: a WSDL with many large result types (National Rail: eleven boards of
    # nested arrays) overruns the entropy buffer on some draws; those are skipped, not failed
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
    # no "explain" phase: tracing the engines while many operations draw takes minutes; and
    # make test reports a failing example as found (make corpus shrinks it)
    phases=[Phase.explicit, Phase.reuse, Phase.generate]
    + ([Phase.shrink] if os.environ.get("CORPUS_OPERATIONS") == "0" else []),
)
# At most this many operations of one WSDL (an even spread, the same each run) in make test;
# 0 (make corpus) = all of them. e-conomic's WSDL has 1511.
OPERATIONS = int(os.environ.get("CORPUS_OPERATIONS", "40"))
ZEEP_KINDS = {Binding.SOAP11: "Soap11Binding", Binding.SOAP12: "Soap12Binding"}


def _key(name: str) -> str:
    return "corpus_" + name.replace("/", "_").replace("-", "_").removesuffix(".wsdl")


@functools.cache
def model_of(name: str) -> ServiceModel:
    """The model of a corpus WSDL (built once a process: e-conomic's takes a second)."""
    path = CORPUS / name
    return build(_key(name), path, "CorpusClient", CORPUS, options=ANY_SERVICE)


_MODULES: dict[str, ModuleType] = {}


def module_of(name: str, tmp: Path) -> ModuleType:
    """The generated module of a corpus WSDL, written to ``tmp`` and imported."""
    if name not in _MODULES:
        source = render_module(model_of(name), CORPUS)
        path = tmp / f"{_key(name)}.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(_key(name), path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_key(name)] = module
        spec.loader.exec_module(module)
        _MODULES[name] = module
    return _MODULES[name]


@pytest.fixture(scope="module")
def generated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus")


def test_the_corpus_has_its_entry_wsdls_each_with_provenance() -> None:
    provenance = (CORPUS / "PROVENANCE.md").read_text(encoding="utf-8")
    assert len(EXPECTED) >= 10
    assert len(REAL_WORLD) >= 20 and REAL_WORLD.keys() <= EXPECTED.keys()
    for path in CORPUS.rglob("*"):
        if path.suffix in (".wsdl", ".xsd"):
            rel = path.relative_to(CORPUS).as_posix()
            assert f"`{rel}`" in provenance, f"{rel} has no provenance line"
    for name in EXPECTED:
        assert (CORPUS / name).is_file(), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.filterwarnings("ignore:The wsdl.operation 'DummySave' was not found")  # zeep's
def test_codegen_builds_or_refuses_clearly(name: str) -> None:
    refusal = EXPECTED[name]
    if refusal == CRASH:
        with pytest.raises(Exception) as crashed:
            model_of(name)
        assert not isinstance(crashed.value, CodegenError)
        pytest.xfail(f"codegen crashes on {name}: {type(crashed.value).__name__}")
    if refusal is None:
        model = model_of(name)
        assert all(op.credential_params == () for op in model.operations)
        return
    with pytest.raises(CodegenError) as info:
        model_of(name)
    assert refusal in str(info.value)


def test_the_service_rules_still_refuse_these_wsdls() -> None:
    """The vendored generations keep their strict rules (credentials, one service)."""
    with pytest.raises(CodegenError, match="no contactEmail/contactAPIkey parameters"):
        build("x", CORPUS / "fastify/calculator.wsdl", "X", CORPUS)


# Generated modules mypy --strict rejects: a codegen bug each (the test of it fails once the
# module passes, so that the fix removes the line).
MYPY_FAILS: dict[str, str] = {}


def _mypy(files: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )


def test_a_module_mypy_rejects_still_fails(generated_dir: Path) -> None:
    for name, reason in MYPY_FAILS.items():
        module_of(name, generated_dir)
        checked = _mypy([str(generated_dir / f"{_key(name)}.py")])
        assert checked.returncode != 0, (
            f"{name} passes mypy --strict now: remove it from MYPY_FAILS"
        )
        assert "valid-type" in checked.stdout, (reason, checked.stdout[-2000:])


def test_generated_modules_import_and_pass_mypy_strict(generated_dir: Path) -> None:
    for name in BUILT:
        module = module_of(name, generated_dir)
        assert module.SERVICE.operations.keys() == {op.name for op in model_of(name).operations}
    files = [str(generated_dir / f"{_key(name)}.py") for name in BUILT if name not in MYPY_FAILS]
    checked = _mypy(files)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _operations(name: str, tmp: Path) -> list[Operation[Any]]:
    """The operations of a WSDL the tests exercise: all, or an even spread of OPERATIONS."""
    ops = list(module_of(name, tmp).SERVICE.operations.values())
    if OPERATIONS and len(ops) > OPERATIONS:
        step = len(ops) / OPERATIONS
        ops = [ops[int(i * step)] for i in range(OPERATIONS)]
    return ops


def _zeep_service(name: str, model: ServiceModel, binding: Binding) -> tuple[Any, Any]:
    client = _zeep_client(str(CORPUS / name))
    service = client.wsdl.services[model.name]
    for port in service.ports.values():
        if type(port.binding).__name__ == ZEEP_KINDS[binding]:
            return client, client.bind(model.name, port.name)
    pytest.skip(f"{name} has no {binding.value} port")


def _zeep_input(f: Any, value: Any) -> Any:
    """Our value as zeep's input: ``None`` on a nillable element is ``xsd.Nil``; left-out
    values (``UNSET``, ``None`` on a non-nillable one) are not passed, but for an attribute,
    whose ``None`` is passed: zeep writes an attribute it is not given with the schema's
    ``default`` (``CompoundValue.__init__`` sets ``attribute.default_value``) and leaves
    out one given ``None``, as the runtime leaves out ``None``."""
    from zeep import xsd

    if value is None and f.nillable:
        return xsd.Nil
    if f.repeated and f.item is None and isinstance(value, list):
        return [_zeep_input(_single(f), v) for v in value]
    if f.item is not None:
        # zeep cannot write a nil item of a complex array (it puts xsi:nil on the item's
        # first child): such items are left out on both sides (test_zeep_differential,
        # difference 1).
        kept = [v for v in value if not (v is None and f.item.model is not None)]
        return {f.item.name: [_zeep_input(f.item, v) for v in kept]}
    if f.model is not None:
        return {
            g.name or "_value_1": _zeep_input(g, getattr(value, g.attr))
            for g in f.model.__wire__.fields
            if _sent(g, getattr(value, g.attr)) or g.attribute
        }
    if f.xsd == "xml":
        # an xs:any wildcard is zeep's "_value_1"; a copy, as zeep moves the node it is given
        (child,) = value  # the strategy's one child: a wildcard of maxOccurs 1 takes one
        return {"_value_1": copy.deepcopy(child)}
    return str(value) if f.xsd == "guid" else value


def _sent(f: Any, value: Any) -> bool:
    return value is not UNSET and not (value is None and not f.nillable)


WSA_NS = "http://www.w3.org/2005/08/addressing"


def _without_zeep_addressing(envelope: etree._Element) -> etree._Element:
    """zeep's envelope without the WS-Addressing header it adds on its own.

    zeep writes ``wsa:Action``/``MessageID``/``To`` whenever the portType carries
    ``wsaw:Action`` (WCF WSDLs always do), even for a basicHttpBinding port, which
    neither needs nor reads them; the runtime sends them only with its
    WS-Addressing plugin. That one header, and nothing else, is left out.
    """
    copy = parse_xml(etree.tostring(envelope))
    for header in copy.findall(f"{{{copy.nsmap.get(copy.prefix)}}}Header"):
        if all(etree.QName(child).namespace == WSA_NS for child in header):
            copy.remove(header)
    return copy


EXPONENT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)E[+-]?\d+")


def _lower_exponents(envelope: etree._Element) -> etree._Element:
    """zeep's envelope with ``1.5E+16`` written ``1.5e+16``, as the runtime writes an
    xs:float (``repr``); both are the XSD lexical form of the same value
    (test_zeep_writes_float_exponents_in_upper_case pins the difference)."""
    for el in envelope.iter():
        if el.text and EXPONENT.fullmatch(el.text):
            el.text = el.text.replace("E", "e")
    return envelope


def _without_complex_nil_items(envelope: etree._Element, op: Operation[Any]) -> etree._Element:
    """Our envelope without the nil items of complex arrays, which zeep cannot write."""
    tags = {f.item.tag for f in iter_fields(op.params) if f.item is not None and f.item.model}
    for el in list(envelope.iter(*tags)) if tags else []:
        if el.get(XSI_NIL) == "true":
            parent = el.getparent()
            assert parent is not None
            parent.remove(el)
    return envelope


def _single(f: Any) -> Any:
    return dataclasses.replace(f, max_occurs=1)


def _params(op: Operation[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Inputs of ``op``: support's strategies, with repeated elements as lists."""
    slots = {}
    for f in op.params:
        if f.repeated and f.item is None:
            slots[f.attr] = st.lists(value_of(_single(f)), max_size=3)
        else:
            slots[f.attr] = slot_of(f)
    return st.fixed_dictionaries(slots)


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12], ids=str)
@pytest.mark.parametrize("name", COMPARED)
@EXAMPLES
@given(data=st.data())
def test_envelopes_match_zeep(
    name: str, binding: Binding, generated_dir: Path, data: st.DataObject
) -> None:
    model = model_of(name)
    for op in _operations(name, generated_dir):
        if binding not in op.bindings:
            continue
        values = data.draw(_params(op), label=op.name)
        client, service = _zeep_service(name, model, binding)
        kwargs = {
            f.name: _zeep_input(f, values[f.attr]) for f in op.params if _sent(f, values[f.attr])
        }
        theirs = _without_zeep_addressing(client.create_message(service, op.name, **kwargs))
        ours = parse_xml(SOAP_BINDINGS[binding].build_envelope(op, values))
        assert ours.tag == f"{{{ENVELOPE_NS[binding]}}}Envelope"
        assert_xml_equivalent(_without_complex_nil_items(ours, op), _lower_exponents(theirs))


@pytest.mark.parametrize("name", READ_BACK)
@EXAMPLES
@given(data=st.data())
def test_answers_read_back_as_zeep_reads_them(
    name: str, generated_dir: Path, data: st.DataObject
) -> None:
    """A response element written from a value reads back (ours) as that value, and
    zeep's schema type for the result element parses it to the same value (complex
    results compared field by field, with zeep's known readings of empty elements)."""
    model = model_of(name)
    client = _zeep_client(str(CORPUS / name))
    for op in _operations(name, generated_dir):
        binding = Binding.SOAP11 if Binding.SOAP11 in op.bindings else Binding.SOAP12
        engine = SOAP_BINDINGS[binding]
        value = None if op.void else data.draw(value_of(op.result), label=op.name)
        body = render_soap_result(op, binding, value)
        ctype = "text/xml" if binding is Binding.SOAP11 else "application/soap+xml"
        answer = HttpAnswer(200, "OK", {"Content-Type": f"{ctype}; charset=utf-8"}, body)
        result = engine.read_answer(op, answer, CallContext(lambda t: t, fault_class))
        assert _plain(op.result, result) == _plain(op.result, value)
        if op.void or _has_xml(op.result):
            continue  # zeep reads a DataSet's xs:any as schema + _value_1: ours alone
        _, service = _zeep_service(name, model, binding)
        zeep_op = service._binding._operations[op.name]
        response = parse_xml(body)[0][0]  # Envelope/Body/<op>Response
        parsed = zeep_op.output.body.parse(response, client.wsdl.types)
        theirs = getattr(parsed, op.result.name)
        # zeep reads empty elements as None, and so on: the differences the differential
        # test names, applied by the same two functions.
        assert _from_zeep(op.result, theirs) == _zeep_expected(op.result, value)


def _plain(f: Any, value: Any) -> Any:
    """``value`` with its xs:any contents (lxml elements, equal only to themselves) as their
    canonical XML text, for comparing."""
    if value is None and f is not None and f.attribute and f.default is not None:
        return parse_scalar(f.xsd, f.default, f.name)  # an absent attribute: its default
    if (value is None or value is UNSET) and f is not None and f.repeated and f.item is None:
        return []  # a repeated element written as None or UNSET (none of it) reads as []
    if f is None or value is None or value is UNSET:
        return value
    if isinstance(value, list):
        one = f.item if f.item is not None else _single(f)
        return [_plain(one, v) for v in value]
    if f.model is not None:
        return {g.attr: _plain(g, getattr(value, g.attr)) for g in f.model.__wire__.fields}
    if f.xsd == "xml":
        return [etree.tostring(child, method="c14n", exclusive=True) for child in value]
    return value


def _has_xml(f: Any, seen: frozenset[Any] = frozenset()) -> bool:
    if f is None:
        return False
    if f.xsd == "xml":
        return True
    model = f.item.model if f.item is not None else f.model
    if model is None or model in seen:
        return False
    return any(_has_xml(g, seen | {model}) for g in model.__wire__.fields)


def _zeep_readable(model: Any) -> tuple[Any, ...]:
    """The fields of ``model`` zeep reads apart: not two children of one local name in
    different namespaces (National Rail's ``sta`` of 2015 and of 2017), which zeep's
    objects, keyed by local name, hold as one."""
    names = [g.name for g in model.__wire__.fields]
    return tuple(g for g in model.__wire__.fields if names.count(g.name) == 1)


def _zeep_expected(f: Any, value: Any) -> Any:
    """What zeep reads for ``value`` written as field ``f`` (as test_zeep_differential's
    ``zeep_expected``, for schemas with nillable children too: a nil child is content)."""
    if value is None and f.attribute and f.default is not None:
        return parse_scalar(f.xsd, f.default, f.name)  # an absent attribute: its default
    if value is None or value is UNSET:
        return None
    if f.repeated and f.item is None and isinstance(value, list):
        return [_zeep_expected(_single(f), v) for v in value] or None
    if f.item is not None:
        return [_zeep_expected(f.item, v) for v in value] or None  # <Items/>: zeep None
    if f.model is not None:
        fields = _zeep_readable(f.model)
        children = {g.attr: _zeep_expected(g, getattr(value, g.attr)) for g in fields}
        # an empty element is None to zeep; so is one whose children all read as None
        # (zeep reads a nil complex child as an object of Nones: see _from_zeep)
        return None if _blank(fields, children) else children
    if f.xsd in ("string", "anyType") and value == "" and not f.attribute:
        return None  # <x/> (untyped: <x xsi:type="xsd:string"/>): zeep None, ours ""
    if f.xsd_list and value == []:
        return None  # an empty [Flags] value, <x/>: zeep None, ours []
    return value


def _blank(fields: tuple[Any, ...], children: dict[str, Any]) -> bool:
    """Whether a model's children are all None, or their attribute's default (what zeep
    gives the attributes of a nil element, and of an absent one, ``<x/>`` being None)."""
    return all(
        v is None
        or (g.attribute and g.default is not None and v == parse_scalar(g.xsd, g.default, g.name))
        for g, v in zip(fields, children.values(), strict=True)
    )


def _from_zeep(f: Any, value: Any) -> Any:
    """A zeep value as plain Python (models as dicts by attribute name); a model whose
    children are all None (how zeep reads ``xsi:nil`` on a complex element) is None."""
    if value is None:
        return None
    if f.attribute and f.default is not None and value == f.default:
        # zeep fills an absent attribute with the default's lexical form (the string
        # "false"), where it parses a present one (False): read it as the runtime does
        return parse_scalar(f.xsd, value, f.name)
    if f.repeated and f.item is None and isinstance(value, list):
        return [_from_zeep(_single(f), v) for v in value] or None
    if f.item is not None:
        return [_from_zeep(f.item, v) for v in value[f.item.name]] or None
    if f.model is not None:
        fields = _zeep_readable(f.model)  # "_value_1": zeep's name of simple content
        children = {g.attr: _from_zeep(g, value[g.name or "_value_1"]) for g in fields}
        return None if _blank(fields, children) else children
    if f.xsd == "guid":
        return uuid.UUID(value)
    return value


# --- declared faults (wsdl:fault) ------------------------------------------------------------

FAULTS = "node-soap/wcf_fault.wsdl"
WCF_NS = "http://foo.schemas/Foo"


def _fault_answer(binding: Binding, detail: bytes, code: str = "Client") -> HttpAnswer:
    """A fault as WCF writes one for a ``FaultException<T>``: the detail element in the
    contract's namespace, with ``xmlns:i`` for the schema instance namespace."""
    env = ENVELOPE_NS[binding]
    if binding is Binding.SOAP11:
        fault = (
            f"<s:Fault><faultcode>s:{code}</faultcode>"
            '<faultstring xml:lang="en-US">The verification failed.</faultstring>'
            f"<detail>{detail.decode()}</detail></s:Fault>"
        )
        ctype = "text/xml; charset=utf-8"
    else:
        sub = {"Client": "Sender", "Server": "Receiver"}[code]
        fault = (
            f"<s:Fault><s:Code><s:Value>s:{sub}</s:Value></s:Code>"
            '<s:Reason><s:Text xml:lang="en-US">The verification failed.</s:Text></s:Reason>'
            f"<s:Detail>{detail.decode()}</s:Detail></s:Fault>"
        )
        ctype = "application/soap+xml; charset=utf-8"
    body = f'<s:Envelope xmlns:s="{env}"><s:Body>{fault}</s:Body></s:Envelope>'.encode()
    return HttpAnswer(500, "Internal Server Error", {"Content-Type": ctype}, body)


def _raised(op: Operation[Any], binding: Binding, answer: HttpAnswer, redact: Any = None) -> Any:
    if binding not in op.bindings:
        # The WSDL's one port is SOAP 1.1; the same contract on a SOAP 1.2 port (a WCF
        # wsHttpBinding or customBinding endpoint) writes the fault in ``Detail``.
        actions = {**op.soap_actions, binding: op.soap_actions[Binding.SOAP11]}
        op = dataclasses.replace(op, soap_actions=actions, bindings=op.bindings | {binding})
    ctx = CallContext(redact or (lambda t: t), fault_class)
    with pytest.raises(ServiceFault) as info:
        SOAP_BINDINGS[binding].read_answer(op, answer, ctx)
    return info.value


def _detail_xml(value: Any) -> bytes:
    el = to_element(value, f"{{{WCF_NS}}}FooException", {None: WCF_NS, "i": XSI})
    return etree.tostring(el)


XSI = "http://www.w3.org/2001/XMLSchema-instance"


def test_declared_faults_are_on_the_operation(generated_dir: Path) -> None:
    module = module_of(FAULTS, generated_dir)
    (spec,) = module.OP_VERIFY.faults
    assert spec.tag == f"{{{WCF_NS}}}FooException"
    assert spec.model is module.FooException
    assert spec.error is module.FooExceptionFault
    assert issubclass(module.FooExceptionFault, DeclaredFault)
    assert "FooExceptionFault" in module.__all__
    # a declared fault whose detail type is also the fault's name gets a class of its own
    login = module_of("node-soap/logincms.wsdl", generated_dir)
    (spec,) = login.OP_LOGIN_CMS.faults
    assert (spec.error.__name__, spec.model.__name__) == ("LoginFaultError", "LoginFault")


@pytest.mark.parametrize("binding", [Binding.SOAP11, Binding.SOAP12], ids=str)
@EXAMPLES
@given(data=st.data())
def test_a_declared_fault_raises_its_class_with_the_detail_zeep_reads(
    binding: Binding, generated_dir: Path, data: st.DataObject
) -> None:
    module = module_of(FAULTS, generated_dir)
    value = data.draw(instance_of(module.FooException))
    detail = _detail_xml(value)
    exc = _raised(module.OP_VERIFY, binding, _fault_answer(binding, detail))
    assert type(exc) is module.FooExceptionFault
    assert exc.detail_value == value
    assert (exc.code, exc.message, exc.http_status) == ("Client", "The verification failed.", 500)
    assert exc.operation == "Verify" and exc.binding == binding.value
    # zeep's schema element reads the same detail to the same value
    client = _zeep_client(str(CORPUS / FAULTS))
    theirs = client.get_element(f"{{{WCF_NS}}}FooException").parse(
        etree.fromstring(detail), client.wsdl.types
    )
    ours = exc.detail_value.message
    assert theirs.Message == (None if ours in (UNSET, "") else ours)  # zeep: <x/> is None


def test_a_fault_without_the_declared_element_is_classed_by_the_table(
    generated_dir: Path,
) -> None:
    module = module_of(FAULTS, generated_dir)
    other = b'<Other xmlns="urn:x"><Message>no</Message></Other>'
    for binding in (Binding.SOAP11, Binding.SOAP12):
        exc = _raised(module.OP_VERIFY, binding, _fault_answer(binding, other))
        assert type(exc) is ClientFault
        assert not isinstance(exc, DeclaredFault)
        exc = _raised(module.OP_VERIFY, binding, _fault_answer(binding, b"", code="Server"))
        assert not isinstance(exc, DeclaredFault) and exc.detail is None


def test_a_declared_fault_detail_is_redacted_before_it_is_read(generated_dir: Path) -> None:
    module = module_of(FAULTS, generated_dir)
    detail = _detail_xml(module.FooException(message="key s3cr3t rejected"))
    exc = _raised(
        module.OP_VERIFY,
        Binding.SOAP11,
        _fault_answer(Binding.SOAP11, detail),
        redact=lambda t: t.replace("s3cr3t", "***"),
    )
    assert exc.detail_value.message == "key *** rejected"
    assert "s3cr3t" not in repr(exc) + str(exc) + (exc.detail_xml or "")


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_generated_fault_class_pickles(generated_dir: Path, protocol: int) -> None:
    module = module_of(FAULTS, generated_dir)
    detail = _detail_xml(module.FooException(message="boom"))
    exc = _raised(module.OP_VERIFY, Binding.SOAP12, _fault_answer(Binding.SOAP12, detail))
    exc.add_note("a note")
    back = pickle.loads(pickle.dumps(exc, protocol=protocol))
    assert type(back) is module.FooExceptionFault
    assert back.detail_value == exc.detail_value == module.FooException(message="boom")
    assert back.detail_xml == exc.detail_xml
    assert (str(back), repr(back), back.args) == (str(exc), repr(exc), exc.args)
    assert back.__notes__ == ["a note"]


def test_xml_names_with_separators_become_python_names() -> None:
    """``IV_REQUESTER``, ``Activity_description``, ``order-line``: words split there too."""
    from codegen.naming import pascal, snake

    assert snake("IV_REQUESTER") == "iv_requester"
    assert snake("Activity_description") == "activity_description"
    assert snake("string_simple") == "string_simple"
    assert pascal("order-line") == "OrderLine"
    assert pascal("GetImageStatus") == "GetImageStatus"  # unchanged where it was valid
    with pytest.raises(ValueError, match="cannot split"):
        snake("_")


def test_a_service_is_picked_by_name() -> None:
    """``BuildOptions(service=...)`` builds the named wsdl:service, or names the ones there are."""
    path = CORPUS / "fastify/calculator.wsdl"
    chosen = dataclasses.replace(ANY_SERVICE, service="Calculator")
    assert build("x", path, "X", CORPUS, options=chosen).name == "Calculator"
    missing = dataclasses.replace(ANY_SERVICE, service="Abacus")
    with pytest.raises(CodegenError, match=r"no wsdl:service named 'Abacus' \(the WSDL has Calc"):
        build("x", path, "X", CORPUS, options=missing)


def test_the_generated_client_raises_the_declared_fault(generated_dir: Path) -> None:
    """Through the whole call path: the typed method, the engine, the SOAP 1.1 binding."""
    module = module_of(FAULTS, generated_dir)
    detail = _detail_xml(module.FooException(message="no such name"))
    answer = _fault_answer(Binding.SOAP11, detail)
    adapter = ReplayAdapter(Reply(500, answer.body, (("Content-Type", "text/xml; charset=utf-8"),)))
    # The service takes no credentials; the client's constructor still asks for a pair.
    client = module.CorpusClient(
        "x@example.com", "k", endpoint="http://127.0.0.1:9/svc", session=session_with(adapter)
    )
    with pytest.raises(module.FooExceptionFault) as info:
        client.verify(verification_request=None)
    assert info.value.detail_value == module.FooException(message="no such name")
    assert info.value.operation == "Verify"
    assert len(adapter.sent) == 1


# --- the real-world twenty --------------------------------------------------------------------


def test_the_real_world_wsdls_show_every_construct() -> None:
    """Together the twenty show each construct of CONSTRUCTS (one has no permissively
    licensed example yet: ArrayOfAnyType); the counts are the docs' table."""
    shown = {construct for name in REAL_WORLD for construct in constructs(CORPUS / name)}
    assert set(CONSTRUCTS) - shown == {"array_of_any_type"}


def test_the_docs_table_names_wsdls_that_show_the_construct() -> None:
    """Every row of the docs' "Other services' WSDLs" table names a construct and corpus
    WSDLs that really show it."""
    page = (ROOT / "docs" / "other-wsdls.md").read_text(encoding="utf-8")
    table = page.split("## The constructs", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    labels = {label: key for key, label in CONSTRUCTS.items()}
    seen = set()
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        key = labels[cells[0].replace("\\|", "|")]
        seen.add(key)
        for name in re.findall(r"`([^`]+\.wsdl)`", cells[1]):
            assert key in constructs(CORPUS / name), (name, key)
            assert name in REAL_WORLD, name
    assert seen == set(CONSTRUCTS)


def test_zeep_writes_float_exponents_in_upper_case() -> None:
    """The one lexical difference the envelope comparison removes (_lower_exponents): for
    an xs:float zeep writes ``1E+16`` (as .NET's XmlConvert does), the runtime ``1e+16``;
    XSD reads both as the same value."""
    from zeep.xsd.types.builtins import Float

    from removethebackground.core.codec import format_scalar, parse_scalar

    assert Float().xmlvalue(1e16) == "1E+16"
    assert format_scalar("float", 1e16, "x") == "1e+16"
    assert parse_scalar("float", "1E+16", "x") == parse_scalar("float", "1e+16", "x") == 1e16

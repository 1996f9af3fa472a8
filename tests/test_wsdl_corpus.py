"""Codegen on a corpus of other services' WSDLs (tests/wsdl-corpus/, see PROVENANCE.md there).

For every entry WSDL of the corpus, codegen (with the rules for any service,
``codegen.model.ANY_SERVICE``: no credential parameters, several services allowed,
simple-typed results) either builds a model or refuses with a clear error naming the
construct it does not support; the expected outcome of each file is pinned below.
For every WSDL it accepts, the generated module imports, and for every operation the
SOAP 1.1 and 1.2 envelopes it writes are the same XML as zeep's ``create_message`` for
the same (hypothesis, bounded) inputs, and an answer zeep's schema describes reads back
as the value it was built from; and the generated modules pass ``mypy --strict``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from codegen.model import ANY_SERVICE, CodegenError, ServiceModel, build
from codegen.render import render_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from removethebackground.bindings import SOAP_BINDINGS, CallContext
from removethebackground.bindings.base import HttpAnswer
from removethebackground.errors import fault_class
from removethebackground.wire import Binding, Operation
from support import ENVELOPE_NS, _zeep_client, assert_xml_equivalent, parse_xml
from support.strategies import slot_of, value_of

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "wsdl-corpus"

# Entry WSDLs (files that other files of the corpus import are not entries) and what
# codegen does with each: None = builds, otherwise a text its refusal must contain.
EXPECTED: dict[str, str | None] = {
    "fastify/calculator.wsdl": None,  # the DNE Online ASMX calculator: int result
    "zeep/soap_header.wsdl": None,
    "zeep/soap_import_main.wsdl": None,  # wsdl:import of soap_import_2.wsdl, xsd:import
    "zeep/soap_transport_err.wsdl": None,
    "zeep-integration/recursive_schema_main.wsdl": None,  # xsd:imports in a cycle, no ops
    "zeep/claim.wsdl": 'SOAP-encoded messages (soap:body use="encoded") are not supported',
    "zeep/soap.wsdl": "one-way operations (no wsdl:output) are not supported",
    "zeep-integration/hello_world_recursive.wsdl": "one-way operations (no wsdl:output)",
    "zeep/benchmark.wsdl": "the result element item repeats (maxOccurs > 1)",
    "zeep/http.wsdl": "no wsdl:service with a SOAP 1.1 or SOAP 1.2 port",
    "zeep-integration/test_http_post.wsdl": "no wsdl:service with a SOAP 1.1 or SOAP 1.2 port",
}
BUILT = [name for name, refusal in EXPECTED.items() if refusal is None]
EXAMPLES = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ZEEP_KINDS = {Binding.SOAP11: "Soap11Binding", Binding.SOAP12: "Soap12Binding"}


def _key(name: str) -> str:
    return "corpus_" + name.replace("/", "_").replace("-", "_").removesuffix(".wsdl")


def model_of(name: str) -> ServiceModel:
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


def test_the_corpus_has_ten_entry_wsdls_each_with_provenance() -> None:
    provenance = (CORPUS / "PROVENANCE.md").read_text(encoding="utf-8")
    assert len(EXPECTED) >= 10
    for path in CORPUS.rglob("*"):
        if path.suffix in (".wsdl", ".xsd"):
            rel = path.relative_to(CORPUS).as_posix()
            assert f"`{rel}`" in provenance, f"{rel} has no provenance line"
    for name in EXPECTED:
        assert (CORPUS / name).is_file(), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_codegen_builds_or_refuses_clearly(name: str) -> None:
    refusal = EXPECTED[name]
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


def test_generated_modules_import_and_pass_mypy_strict(generated_dir: Path) -> None:
    for name in BUILT:
        module = module_of(name, generated_dir)
        assert module.SERVICE.operations.keys() == {op.name for op in model_of(name).operations}
    files = [str(generated_dir / f"{_key(name)}.py") for name in BUILT]
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _operations(name: str, tmp: Path) -> list[Operation[Any]]:
    return list(module_of(name, tmp).SERVICE.operations.values())


def _zeep_service(name: str, model: ServiceModel, binding: Binding) -> tuple[Any, Any]:
    client = _zeep_client(str(CORPUS / name))
    service = client.wsdl.services[model.name]
    for port in service.ports.values():
        if type(port.binding).__name__ == ZEEP_KINDS[binding]:
            return client, client.bind(model.name, port.name)
    pytest.skip(f"{name} has no {binding.value} port")


def _zeep_input(f: Any, value: Any) -> Any:
    if f.repeated and f.item is None and isinstance(value, list):
        return [_zeep_input(_single(f), v) for v in value]
    if f.item is not None:
        return {f.item.name: [_zeep_input(f.item, v) for v in value]}
    if f.model is not None:
        return {
            g.name: _zeep_input(g, getattr(value, g.attr))
            for g in f.model.__wire__.fields
            if getattr(value, g.attr) is not None
        }
    return str(value) if f.xsd == "guid" else value


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
@pytest.mark.parametrize("name", BUILT)
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
            f.name: _zeep_input(f, values[f.attr]) for f in op.params if values[f.attr] is not None
        }
        theirs = etree.tostring(client.create_message(service, op.name, **kwargs))
        ours = SOAP_BINDINGS[binding].build_envelope(op, values)
        assert parse_xml(ours).tag == f"{{{ENVELOPE_NS[binding]}}}Envelope"
        assert_xml_equivalent(parse_xml(ours), parse_xml(theirs))


@pytest.mark.parametrize("name", BUILT)
@EXAMPLES
@given(data=st.data())
def test_answers_read_back_as_zeep_reads_them(
    name: str, generated_dir: Path, data: st.DataObject
) -> None:
    """A response element written from a value reads back (ours) as that value, and
    zeep's schema type for the result element parses it to the same value."""
    model = model_of(name)
    client = _zeep_client(str(CORPUS / name))
    engine = SOAP_BINDINGS[Binding.SOAP11]
    for op in _operations(name, generated_dir):
        if op.result.model is not None:
            continue  # complex results: covered for our generations by the zeep differential
        value = data.draw(value_of(op.result), label=op.name)
        body = engine.render_result(op, value)
        answer = HttpAnswer(200, "OK", {"Content-Type": "text/xml; charset=utf-8"}, body)
        result = engine.read_answer(op, answer, CallContext(lambda t: t, fault_class))
        assert result == value
        _, service = _zeep_service(name, model, Binding.SOAP11)
        zeep_op = service._binding._operations[op.name]
        response = parse_xml(body)[0][0]  # Envelope/Body/<op>Response
        parsed = zeep_op.output.body.parse(response, client.wsdl.types)
        assert getattr(parsed, op.result.name) == value

"""Only :class:`CodegenError` ever comes out of codegen, whatever the WSDL.

Real WSDLs (the two vendored generations, ASMX and WCF files of the corpus, the
constructs fixture) are mutated the ways a WSDL goes wrong: an element deleted or
duplicated, an attribute deleted or pointed at another name (a type, message, binding or
element that is not there, or is the wrong kind of thing), an element moved into a wrong
namespace, the file truncated. Codegen must build them (and render the module) or refuse
with a :class:`CodegenError`; any other exception is a bug. ``make test`` runs a bounded
number of examples (``CODEGEN_FUZZ_EXAMPLES``, 25); ``make fuzz`` runs many more.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from codegen.model import ANY_SERVICE, ASMX_SERVICE, CodegenError, build
from codegen.render import render_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    ROOT / "wsdl/pixelz/pixelz.wsdl",
    ROOT / "wsdl/legacy/removethebackground.wsdl",
    ROOT / "tests/codegen/fixtures/asmx_constructs.wsdl",
    ROOT / "tests/wsdl-corpus/node-soap/wcf_fault.wsdl",
    ROOT / "tests/wsdl-corpus/fastify/calculator.wsdl",
    ROOT / "tests/wsdl-corpus/zeep/soap_header.wsdl",
    ROOT / "tests/wsdl-corpus/node-soap/dummy/Dummy.wsdl",
]
EXAMPLES = settings(
    max_examples=int(os.environ.get("CODEGEN_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Attributes whose value names something else of the WSDL: retargeting them is what
# breaks references.
REFERENCES = ("type", "element", "message", "binding", "base", "ref", "itemType", "name")
WRONG_NAMESPACES = (
    "http://www.w3.org/2001/XMLSchema",
    "http://schemas.xmlsoap.org/wsdl/",
    "http://schemas.xmlsoap.org/wsdl/soap12/",
    "urn:nowhere",
)


def _mutate(data: st.DataObject, source: bytes) -> bytes:
    kind = data.draw(
        st.sampled_from(
            ["delete", "duplicate", "retarget", "drop-attribute", "namespace", "truncate"]
        ),
        label="mutation",
    )
    if kind == "truncate":
        return source[: data.draw(st.integers(0, len(source) - 1), label="length")]
    root = etree.fromstring(source)
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    target = elements[data.draw(st.integers(0, len(elements) - 1), label="element")]
    parent = target.getparent()
    if kind == "delete" and parent is not None:
        parent.remove(target)
    elif kind == "duplicate" and parent is not None:
        target.addnext(etree.fromstring(etree.tostring(target)))
    elif kind in ("retarget", "drop-attribute") and target.attrib:
        name = data.draw(st.sampled_from(sorted(target.attrib)), label="attribute")
        if kind == "drop-attribute":
            del target.attrib[name]
        else:
            others = sorted({v for el in elements for k, v in el.attrib.items() if k in REFERENCES})
            value = data.draw(
                st.sampled_from(others) | st.sampled_from(["tns:Missing", "s:nothing", "", "x:"]),
                label="value",
            )
            target.set(name, value)
    elif kind == "namespace":
        ns = data.draw(st.sampled_from(WRONG_NAMESPACES), label="namespace")
        target.tag = f"{{{ns}}}{etree.QName(target).localname}"
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _codegen(path: Path) -> None:
    for options in (ANY_SERVICE, ASMX_SERVICE):
        try:
            model = build("fuzzed", path, "FuzzedClient", path.parent, options=options)
        except CodegenError as exc:
            assert str(path) in str(exc) or "overlay" in str(exc), f"unnamed file: {exc}"
            continue
        render_module(model, path.parent)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_the_unmutated_wsdls_build_or_are_refused_by_name(source: Path, tmp_path: Path) -> None:
    path = tmp_path / source.name
    path.write_bytes(source.read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zeep's warnings on odd WSDLs are not failures
        _codegen(path)


@EXAMPLES
@given(data=st.data())
def test_a_mutated_wsdl_gives_a_model_or_a_codegen_error(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    source = data.draw(st.sampled_from(SOURCES), label="wsdl")
    mutated = _mutate(data, source.read_bytes())
    path = tmp_path_factory.mktemp("fuzz") / source.name
    path.write_bytes(mutated)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _codegen(path)


def test_the_header_class_any_attribute_no_longer_crashes(tmp_path: Path) -> None:
    """The crash this test was written against: lxml's ValueError on an unnamed
    ``<s:anyAttribute/>`` of an ASMX SOAP-header class."""
    path = tmp_path / "header.wsdl"
    path.write_bytes((ROOT / "tests/codegen/fixtures/asmx_constructs.wsdl").read_bytes())
    model = build("h", path, "H", tmp_path, options=ANY_SERVICE)
    header = next(t for t in model.types if t.name == "AuthHeader")
    assert header.any_attribute and [f.name for f in header.fields] == ["Token"]


def test_a_refusal_names_the_file_the_type_and_the_construct(tmp_path: Path) -> None:
    source = (ROOT / "tests/codegen/fixtures/asmx_constructs.wsdl").read_text(encoding="utf-8")
    path = tmp_path / "choice.wsdl"
    path.write_text(
        source.replace(
            '<s:element minOccurs="0" maxOccurs="1" name="Tag" />',
            '<s:choice><s:element name="A" type="s:int"/><s:element name="B" type="s:int"/>'
            "</s:choice>",
        ),
        encoding="utf-8",
    )
    with pytest.raises(CodegenError) as info:
        build("c", path, "C", tmp_path, options=ANY_SERVICE)
    message = str(info.value)
    assert str(path) in message and "Item" in message and "xs:choice" in message
    assert "use an xs:sequence" in message  # what to do


def test_rpc_encoded_is_refused_citing_the_basic_profile(tmp_path: Path) -> None:
    source = (ROOT / "tests/codegen/fixtures/asmx_constructs.wsdl").read_text(encoding="utf-8")
    path = tmp_path / "encoded.wsdl"
    path.write_text(source.replace('use="literal"', 'use="encoded"', 1), encoding="utf-8")
    with pytest.raises(CodegenError, match="WS-I Basic Profile"):
        build("e", path, "E", tmp_path, options=ANY_SERVICE)


def test_a_file_that_is_not_a_wsdl_is_a_codegen_error(tmp_path: Path) -> None:
    for content in (b"", b"<not-closed", b"<a/>", b"\xff\xfe garbage"):
        path = tmp_path / "broken.wsdl"
        path.write_bytes(content)
        with pytest.raises(CodegenError, match=r"broken\.wsdl"):
            build("b", path, "B", tmp_path, options=ANY_SERVICE)

"""Adding a third WSDL is: put it in wsdl/<key>/, add one entry to codegen's config, make codegen.

This test does exactly that into a temporary tree: a copy of the Pixelz WSDL under
another service name with one extra operation, generated into a temporary package,
imported, and called over every SOAP and HTTP binding it offers against an
in-process answer (the stubber, which answers through the client's real path).
"""

from __future__ import annotations

import copy
import importlib
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from codegen.__main__ import ROOT, outputs
from codegen.config import GenerationConfig
from lxml import etree

from removethebackground.core.wire import Binding, Generation
from removethebackground.testing.stub import Stubber

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOURCE_OP = "DeleteImageFromQueue"
NEW_OP = "ArchiveImage"


def _third_wsdl() -> bytes:
    """The Pixelz WSDL renamed to ``ArchiveService``, with ``ArchiveImage`` added.

    ``ArchiveImage`` is a copy of every part of ``DeleteImageFromQueue`` (schema
    elements, messages, port type and binding operations), so it exists on all four
    bindings, as an ASMX stack would publish a new web method.
    """
    root = etree.fromstring((ROOT / "wsdl/pixelz/pixelz.wsdl").read_bytes())
    for el in list(root.iter()):
        name = el.get("name", "")
        inside = any(a.get("name", "").startswith(SOURCE_OP) for a in el.iterancestors())
        if name.startswith(SOURCE_OP) and not inside:
            twin = copy.deepcopy(el)
            for node in twin.iter():
                for attr, value in node.attrib.items():
                    node.set(attr, value.replace(SOURCE_OP, NEW_OP))
            el.addnext(twin)
    service = root.find(f"{{{WSDL}}}service")
    assert service is not None
    service.set("name", "ArchiveService")
    for port in service:
        for address in port:
            if address.get("location"):
                address.set("location", "https://archive.example/api/soap.asmx")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


@pytest.fixture(scope="module")
def third(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    tree = tmp_path_factory.mktemp("third")
    (tree / "wsdl/archive").mkdir(parents=True)
    (tree / "wsdl/archive/archive.wsdl").write_bytes(_third_wsdl())
    entry = GenerationConfig(
        key="archive",
        wsdl="wsdl/archive/archive.wsdl",
        client_class="ArchiveClient",
        sandbox_path="/archive/soap.asmx",
        label="generation 3 (archive)",
    )
    package = tree / "src" / "thirdgen_generated"
    files = outputs(root=tree, generations=(entry,), package=package, golden=tree / "golden")
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    sys.path.insert(0, str(tree / "src"))
    try:
        yield importlib.import_module("thirdgen_generated")
    finally:
        sys.path.remove(str(tree / "src"))
        for name in [m for m in sys.modules if m.split(".")[0] == "thirdgen_generated"]:
            del sys.modules[name]


def test_the_registry_lists_the_new_generation(third: ModuleType) -> None:
    gen = third.GENERATIONS["archive"]
    assert isinstance(gen, Generation)
    assert gen.client_class is third.ArchiveClient
    assert gen.service.name == "ArchiveService"
    assert gen.sandbox_path == "/archive/soap.asmx"
    assert set(gen.service.operations) == set(third.archive.SERVICE.operations)
    assert NEW_OP in gen.service.operations and SOURCE_OP in gen.service.operations
    assert len(gen.service.operations) == 17
    assert "ArchiveClient" in third.__all__


def test_generated_files_say_so_and_carry_the_wsdl_digest(third: ModuleType) -> None:
    source = Path(third.archive.__file__).read_text(encoding="utf-8")
    assert source.startswith("# Generated from wsdl/archive/archive.wsdl by codegen; do not edit.")
    assert "WSDL sha256: " in source.splitlines()[1]
    assert "def archive_image(" in source


@pytest.mark.parametrize("binding", list(Binding))
def test_the_new_operation_is_called_over_every_binding(
    third: ModuleType, binding: Binding
) -> None:
    client = third.ArchiveClient("me@example.com", "third-key", binding=binding)
    assert client.endpoint == "https://archive.example/api/soap.asmx"
    ticket = uuid.uuid4()
    empty = third.archive.EmptyResponse()
    with Stubber(client) as stub:
        stub.add_response(NEW_OP, empty, expected_params={"image_ticket": str(ticket)})
        result = client.archive_image(image_ticket=str(ticket))
        stub.assert_no_pending_responses()
    assert isinstance(result, third.archive.EmptyResponse)
    op = third.archive.SERVICE.operations[NEW_OP]
    assert op.soap_actions[Binding.SOAP11] == "http://removethebackground.com/ArchiveImage"
    assert op.http_location == "/ArchiveImage"


def test_a_fault_of_the_new_operation_maps_to_the_error_hierarchy(third: ModuleType) -> None:
    from removethebackground.core.errors import NotFoundError

    client = third.ArchiveClient("me@example.com", "third-key")
    with Stubber(client) as stub:
        stub.add_fault(NEW_OP, "Image not found")
        with pytest.raises(NotFoundError) as info:
            client.archive_image(image_ticket=str(uuid.uuid4()))
    assert info.value.operation == NEW_OP

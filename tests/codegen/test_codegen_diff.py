"""The API diff, ``update``, ``check-live`` and the safe WSDL fetch of codegen.

Every diff test edits a copy of ``wsdl/pixelz/pixelz.wsdl`` with lxml (one change),
checks the change the diff reports (kind, breaking, exit code, JSON) and renders the
edited model to check the generated signature. Nothing here writes into the real
``wsdl/``, ``codegen/golden/`` or ``src/``: ``update`` runs on a copy of the layout.
"""

from __future__ import annotations

import datetime
import hashlib
import http.server
import inspect
import json
import shutil
import sys
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from codegen.__main__ import ROOT, generation_wsdl, main, write_outputs
from codegen.diff import EXIT_BREAKING, EXIT_INPUT, EXIT_OK, ApiDiff, Change, diff_models
from codegen.fetch import WsdlSourceError, check_wsdl, fetch_wsdl, read_source, wsdl_url
from codegen.model import ServiceModel
from codegen.overlay import OverlayError, load_overlay
from codegen.render import render_golden, render_module
from codegen.update import check_live, model_of_file, update
from lxml import etree

PIXELZ = ROOT / "wsdl" / "pixelz" / "pixelz.wsdl"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
XS = "http://www.w3.org/2001/XMLSchema"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
HTTP = "http://schemas.xmlsoap.org/wsdl/http/"
NS = {"wsdl": WSDL, "s": XS, "soap": SOAP, "http": HTTP}
BINDINGS = ("soapSoap", "soapSoap12", "soapHttpGet", "soapHttpPost")


@pytest.fixture(scope="module")
def original() -> ServiceModel:
    return model_of_file(PIXELZ)


def edited(tmp_path: Path, edit: Callable[[etree._Element], None], name: str = "new") -> Path:
    """A copy of the Pixelz WSDL with ``edit`` applied, as ``tmp_path/<name>/pixelz.wsdl``."""
    tree = etree.parse(str(PIXELZ))
    edit(tree.getroot())
    path = tmp_path / name / "pixelz.wsdl"
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(str(path), xml_declaration=True, encoding="utf-8")
    return path


def one(root: etree._Element, xpath: str) -> etree._Element:
    found = root.xpath(xpath, namespaces=NS)
    assert isinstance(found, list) and len(found) == 1, xpath
    element = found[0]
    assert isinstance(element, etree._Element)
    return element


def request_param(root: etree._Element, op: str, name: str) -> etree._Element:
    return one(root, f"wsdl:types/s:schema/s:element[@name='{op}']//s:element[@name='{name}']")


def type_field(root: etree._Element, type_name: str, name: str) -> etree._Element:
    return one(
        root, f"wsdl:types/s:schema/s:complexType[@name='{type_name}']//s:element[@name='{name}']"
    )


def element(tag: str, **attrs: str) -> etree._Element:
    return etree.Element(f"{{{XS}}}{tag}", {k.replace("_", ""): v for k, v in attrs.items()})


def only(diff: ApiDiff) -> Change:
    assert len(diff.changes) == 1, diff.render_text()
    return diff.changes[0]


def signature(model: ServiceModel, root: Path, python_name: str) -> inspect.Signature:
    """Render the model's module and return the real signature of one client method."""
    source = render_module(model, root)
    name = "removethebackground.generated._diff_test"
    module = types.ModuleType(name)
    module.__package__ = "removethebackground.generated"
    sys.modules[name] = module
    try:
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)
        method = getattr(module.__dict__[model.client_class], python_name)
        return inspect.signature(method, eval_str=True, globals=module.__dict__)
    finally:
        del sys.modules[name]


def new_model(path: Path) -> ServiceModel:
    model = model_of_file(path)
    model.client_class = "PixelzClient"
    return model


def run_diff(old: Path, new: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code = main(["diff", str(old), str(new), "--json"])
    return code, json.loads(capsys.readouterr().out)


# --- no change --------------------------------------------------------------------------------


def test_a_wsdl_against_itself_and_against_a_reformatted_copy_has_no_changes(
    tmp_path: Path, original: ServiceModel, capsys: pytest.CaptureFixture[str]
) -> None:
    def reformat(root: etree._Element) -> None:
        for el in root.iter():
            el.tail = None
            if el.text is not None and not el.text.strip():
                el.text = None

    path = edited(tmp_path, reformat)
    assert path.read_bytes() != PIXELZ.read_bytes()
    assert diff_models(original, new_model(path)).changes == []
    code, data = run_diff(PIXELZ, path, capsys)
    assert code == EXIT_OK
    assert data["changes"] == [] and data["breaking"] is False


# --- operations -------------------------------------------------------------------------------


def _drop_get_templates(root: etree._Element) -> None:
    for parent in ("portType", "binding"):
        for op in root.xpath(f"wsdl:{parent}/wsdl:operation[@name='GetTemplates']", namespaces=NS):
            op.getparent().remove(op)


def test_operation_removed_is_breaking_and_added_is_compatible(
    tmp_path: Path, original: ServiceModel, capsys: pytest.CaptureFixture[str]
) -> None:
    path = edited(tmp_path, _drop_get_templates)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.subject, change.breaking) == (
        "operation_removed",
        "get_templates",
        True,
    )
    code, data = run_diff(PIXELZ, path, capsys)
    assert code == EXIT_BREAKING
    assert data["breaking"] is True and data["counts"] == {"breaking": 1, "compatible": 0}
    assert data["changes"][0]["kind"] == "operation_removed"
    assert "def get_templates(" not in render_golden(new_model(path), path.parent)

    # the same edit read the other way round is an added operation
    change = only(diff_models(new_model(path), original))
    assert (change.kind, change.breaking) == ("operation_added", False)
    code, data = run_diff(path, PIXELZ, capsys)
    assert code == EXIT_OK and data["counts"] == {"breaking": 0, "compatible": 1}


# --- parameters -------------------------------------------------------------------------------


def _add_param(min_occurs: str) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        last = request_param(root, "GetImageStatus", "customerImageId")
        last.addnext(
            element(
                "element", minOccurs=min_occurs, maxOccurs="1", name="priorityLevel", type="s:int"
            )
        )

    return edit


def test_new_optional_parameter_is_compatible(
    tmp_path: Path, original: ServiceModel, capsys: pytest.CaptureFixture[str]
) -> None:
    path = edited(tmp_path, _add_param("0"))
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.subject, change.breaking) == (
        "param_added",
        "get_image_status",
        False,
    )
    assert change.new == {
        "name": "priority_level",
        "element": "priorityLevel",
        "type": "int",
        "required": False,
    }
    sig = signature(new_model(path), path.parent, "get_image_status")
    param = sig.parameters["priority_level"]
    assert param.kind is inspect.Parameter.KEYWORD_ONLY and param.default is None
    assert run_diff(PIXELZ, path, capsys)[0] == EXIT_OK


def test_new_required_parameter_is_breaking(
    tmp_path: Path, original: ServiceModel, capsys: pytest.CaptureFixture[str]
) -> None:
    path = edited(tmp_path, _add_param("1"))
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking) == ("param_added", True)
    sig = signature(new_model(path), path.parent, "get_image_status")
    assert sig.parameters["priority_level"].default is inspect.Parameter.empty
    assert sig.parameters["priority_level"].annotation is int
    code, data = run_diff(PIXELZ, path, capsys)
    assert code == EXIT_BREAKING and data["changes"][0]["new"]["required"] is True


def test_removed_parameter_is_breaking(tmp_path: Path, original: ServiceModel) -> None:
    def edit(root: etree._Element) -> None:
        el = request_param(root, "GetImageStatus", "customerImageId")
        el.getparent().remove(el)

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking, change.old["name"]) == (
        "param_removed",
        True,
        "customer_image_id",
    )
    sig = signature(new_model(path), path.parent, "get_image_status")
    assert list(sig.parameters) == ["self", "image_ticket"]


def test_same_position_and_type_with_another_name_is_a_rename(
    tmp_path: Path, original: ServiceModel
) -> None:
    def edit(root: etree._Element) -> None:
        request_param(root, "GetImageStatus", "customerImageId").set("name", "customerImageRef")

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking, change.old, change.new) == (
        "param_renamed",
        True,
        "customer_image_id",
        "customer_image_ref",
    )
    sig = signature(new_model(path), path.parent, "get_image_status")
    assert list(sig.parameters) == ["self", "image_ticket", "customer_image_ref"]


def test_a_new_name_with_another_type_is_not_a_rename(
    tmp_path: Path, original: ServiceModel
) -> None:
    def edit(root: etree._Element) -> None:
        el = request_param(root, "GetImageStatus", "customerImageId")
        el.set("name", "customerImageRef")
        el.set("type", "s:int")

    path = edited(tmp_path, edit)
    kinds = sorted(c.kind for c in diff_models(original, new_model(path)).changes)
    assert kinds == ["param_added", "param_removed"]


def test_case_only_rename_keeps_the_python_name_and_is_compatible(
    tmp_path: Path, original: ServiceModel
) -> None:
    def edit(root: etree._Element) -> None:
        request_param(root, "GetImageStatus", "customerImageId").set("name", "CustomerImageId")

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking, change.wire) == ("param_wire_renamed", False, True)


def test_retyped_parameter_is_breaking(tmp_path: Path, original: ServiceModel) -> None:
    def edit(root: etree._Element) -> None:
        request_param(root, "GetImageStatus", "imageTicket").set("type", "s1:guid")

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking, change.old, change.new) == (
        "param_retyped",
        True,
        "str",
        "uuid.UUID",
    )
    import uuid

    sig = signature(new_model(path), path.parent, "get_image_status")
    assert sig.parameters["image_ticket"].annotation == uuid.UUID | None


def test_reordered_parameters_are_compatible_and_change_the_wire_order(
    tmp_path: Path, original: ServiceModel, capsys: pytest.CaptureFixture[str]
) -> None:
    def edit(root: etree._Element) -> None:
        ticket = request_param(root, "GetImageStatus", "imageTicket")
        request_param(root, "GetImageStatus", "customerImageId").addnext(ticket)

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking, change.wire) == ("params_reordered", False, True)
    assert change.new == ["customer_image_id", "image_ticket"]
    model = new_model(path)
    op = next(o for o in model.operations if o.name == "GetImageStatus")
    assert [p.name for p in op.params][2:] == ["customerImageId", "imageTicket"]
    sig = signature(model, path.parent, "get_image_status")
    assert list(sig.parameters) == ["self", "customer_image_id", "image_ticket"]
    assert run_diff(PIXELZ, path, capsys)[0] == EXIT_OK


def test_made_required_is_breaking_and_made_optional_is_compatible(
    tmp_path: Path, original: ServiceModel
) -> None:
    def edit(root: etree._Element) -> None:
        request_param(root, "GetImageStatus", "imageTicket").set("minOccurs", "1")

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking) == ("param_made_required", True)
    assert change.old == {"min_occurs": 0, "nillable": False}
    assert change.new == {"min_occurs": 1, "nillable": False}
    sig = signature(new_model(path), path.parent, "get_image_status")
    assert sig.parameters["image_ticket"].default is inspect.Parameter.empty

    back = only(diff_models(new_model(path), original))
    assert (back.kind, back.breaking) == ("param_made_optional", False)


# --- result fields ----------------------------------------------------------------------------


def test_result_field_added_is_compatible(tmp_path: Path, original: ServiceModel) -> None:
    def edit(root: etree._Element) -> None:
        type_field(root, "ImageStatus", "FinalImagesURL").addnext(
            element("element", minOccurs="1", maxOccurs="1", name="Priority", type="s:int")
        )

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.scope, change.subject, change.breaking) == (
        "field_added",
        "type",
        "ImageStatus",
        False,
    )
    golden = render_golden(new_model(path), path.parent)
    assert "  priority: int <- Priority int [1..1]" in golden


def test_result_field_removed_is_breaking(tmp_path: Path, original: ServiceModel) -> None:
    def edit(root: etree._Element) -> None:
        el = type_field(root, "ImageStatus", "ThumbnailImageURL")
        el.getparent().remove(el)

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.subject, change.breaking) == (
        "field_removed",
        "ImageStatus",
        True,
    )
    assert "thumbnail_image_url" not in render_golden(new_model(path), path.parent)


def test_result_field_retyped(tmp_path: Path, original: ServiceModel) -> None:
    def to_string(root: etree._Element) -> None:
        type_field(root, "ImageStatus", "StatusId").set("type", "s:string")

    def to_long(root: etree._Element) -> None:
        type_field(root, "ImageStatus", "StatusId").set("type", "s:long")

    path = edited(tmp_path, to_string, "string")
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking, change.new) == ("field_retyped", True, "str")
    # int -> long: another XSD type behind the same Python int
    path = edited(tmp_path, to_long, "long")
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking, change.wire) == ("field_retyped", False, True)
    assert "status_id: int <- StatusId long [1..1]" in render_golden(new_model(path), path.parent)


def test_result_field_made_optional_is_breaking(tmp_path: Path, original: ServiceModel) -> None:
    def edit(root: etree._Element) -> None:
        type_field(root, "ImageStatus", "StatusId").set("minOccurs", "0")

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking) == ("field_made_optional", True)
    assert "status_id: int | None <- StatusId int [0..1]" in render_golden(
        new_model(path), path.parent
    )
    # the other way round, a result field that is now always there, is compatible
    assert only(diff_models(new_model(path), original)).breaking is False


def test_parameter_type_field_made_required_is_breaking(
    tmp_path: Path, original: ServiceModel
) -> None:
    """MarkerInfo is built by callers (inside colorChangeRequests): input rules apply."""

    def edit(root: etree._Element) -> None:
        type_field(root, "MarkerInfo", "swatchColorCode").set("minOccurs", "1")

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.subject, change.breaking) == (
        "field_made_required",
        "MarkerInfo",
        True,
    )


# --- bindings, SOAPActions, HTTP locations, types ---------------------------------------------


def test_binding_lost_is_breaking_and_gained_is_compatible(
    tmp_path: Path, original: ServiceModel
) -> None:
    def edit(root: etree._Element) -> None:
        op = one(root, "wsdl:binding[@name='soapHttpGet']/wsdl:operation[@name='GetImageStatus']")
        op.getparent().remove(op)

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking, change.old) == ("binding_removed", True, "HTTP_GET")
    golden = render_golden(new_model(path), path.parent)
    assert "operation GetImageStatus\n" in golden
    status = golden.split("operation GetImageStatus\n", 1)[1]
    assert status.splitlines()[1] == "  bindings SOAP11 SOAP12 HTTP_POST"

    back = only(diff_models(new_model(path), original))
    assert (back.kind, back.breaking, back.new) == ("binding_added", False, "HTTP_GET")


def test_soap_action_and_http_location_changes_are_compatible_wire_changes(
    tmp_path: Path, original: ServiceModel, capsys: pytest.CaptureFixture[str]
) -> None:
    def edit(root: etree._Element) -> None:
        one(
            root,
            "wsdl:binding[@name='soapSoap']/wsdl:operation[@name='GetImageStatus']/soap:operation",
        ).set("soapAction", "http://removethebackground.com/v2/GetImageStatus")
        for binding in ("soapHttpGet", "soapHttpPost"):
            one(
                root,
                f"wsdl:binding[@name='{binding}']/wsdl:operation[@name='GetImageStatus']"
                "/http:operation",
            ).set("location", "/v2/GetImageStatus")

    path = edited(tmp_path, edit)
    changes = diff_models(original, new_model(path)).changes
    assert sorted((c.kind, c.breaking, c.wire) for c in changes) == [
        ("http_location_changed", False, True),
        ("soap_action_changed", False, True),
    ]
    action = next(c for c in changes if c.kind == "soap_action_changed")
    assert action.new == "http://removethebackground.com/v2/GetImageStatus"
    source = render_module(new_model(path), path.parent)
    assert "Binding.SOAP11: 'http://removethebackground.com/v2/GetImageStatus'" in source
    assert "http_location='/v2/GetImageStatus'" in source
    assert run_diff(PIXELZ, path, capsys)[0] == EXIT_OK


def test_type_added_is_compatible_and_removed_is_breaking(
    tmp_path: Path, original: ServiceModel
) -> None:
    def edit(root: etree._Element) -> None:
        schema = one(
            root, "wsdl:types/s:schema[@targetNamespace='http://removethebackground.com/']"
        )
        new = element("complexType", name="Watermark")
        seq = etree.SubElement(new, f"{{{XS}}}sequence")
        seq.append(element("element", minOccurs="0", maxOccurs="1", name="Text", type="s:string"))
        schema.append(new)

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.subject, change.breaking) == ("type_added", "Watermark", False)
    assert "class Watermark(WireModel):" in render_module(new_model(path), path.parent)
    back = only(diff_models(new_model(path), original))
    assert (back.kind, back.breaking) == ("type_removed", True)


# --- output formats and exit codes ------------------------------------------------------------


def test_json_shape_and_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def edit(root: etree._Element) -> None:
        _drop_get_templates(root)
        _add_param("0")(root)

    path = edited(tmp_path, edit)
    code, data = run_diff(PIXELZ, path, capsys)
    assert code == EXIT_BREAKING
    assert set(data) == {"old", "new", "breaking", "counts", "changes"}
    assert data["counts"] == {"breaking": 1, "compatible": 1}
    for change in data["changes"]:
        assert set(change) == {
            "kind",
            "scope",
            "subject",
            "message",
            "breaking",
            "wire",
            "old",
            "new",
        }
    assert main(["diff", str(PIXELZ), str(path)]) == EXIT_BREAKING
    text = capsys.readouterr().out
    assert "1 breaking, 1 compatible" in text
    assert "\noperations\n  BREAKING   GetTemplates removed" in text
    assert "\noperation get_image_status\n  compatible parameter priority_level added" in text


def test_exit_codes_for_bad_input_and_bad_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(PIXELZ), str(tmp_path / "missing.wsdl")]) == EXIT_INPUT
    assert "cannot read" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["diff", str(PIXELZ)])
    assert usage.value.code == 2
    with pytest.raises(SystemExit) as unknown:
        main(["update", "no-such-generation", str(PIXELZ)])
    assert unknown.value.code == 2


# --- update on a copy of the repository layout ------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "wsdl", root / "wsdl")
    shutil.copytree(ROOT / "codegen" / "golden", root / "codegen" / "golden")
    shutil.copytree(ROOT / "codegen" / "overlays", root / "codegen" / "overlays")
    (root / "src" / "removethebackground" / "generated").mkdir(parents=True)
    return root


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_update_vendors_records_and_regenerates_in_the_given_root(
    repo: Path, tmp_path: Path
) -> None:
    real = {p: _digest(p) for p in (PIXELZ, ROOT / "wsdl/pixelz/PROVENANCE.md")}
    provenance = repo / "wsdl" / "pixelz" / "PROVENANCE.md"
    before = provenance.read_text()
    old_sha = _digest(repo / "wsdl/pixelz/pixelz.wsdl")
    new = edited(tmp_path, _add_param("0"))

    result = update(
        repo,
        "pixelz",
        generation_wsdl("pixelz"),
        str(new),
        regenerate=write_outputs,
        today=datetime.date(2026, 12, 1),
    )
    assert result.diff is not None and [c.kind for c in result.diff.changes] == ["param_added"]
    vendored = repo / "wsdl" / "pixelz" / "pixelz.wsdl"
    assert vendored.read_bytes() == new.read_bytes()
    text = provenance.read_text()
    assert text.startswith(before.rstrip("\n"))  # what was written is kept
    assert "\n## Updates\n\n- 2026-12-01: `pixelz.wsdl` replaced, copied from the file" in text
    assert f"sha256 `{_digest(new)}` (was `{old_sha}`)" in text
    assert "compatible: operation get_image_status: parameter priority_level added" in text
    module = (repo / "src/removethebackground/generated/pixelz.py").read_text()
    assert "priority_level: int | None = None," in module
    assert f"# WSDL sha256: {_digest(new)}" in module
    golden = (repo / "codegen/golden/pixelz.txt").read_text()
    assert "priority_level: int | None = None" in golden
    packaged = repo / "src/removethebackground/generated/wsdl/pixelz/pixelz.wsdl"
    assert packaged.read_bytes() == new.read_bytes()
    assert set(result.written) >= {vendored, provenance, packaged}

    # a second update appends a second entry under the same heading
    again = edited(tmp_path, _drop_get_templates, "again")
    second = update(
        repo,
        "pixelz",
        generation_wsdl("pixelz"),
        str(again),
        regenerate=write_outputs,
        today=datetime.date(2026, 12, 2),
    )
    assert second.diff is not None and second.diff.breaking
    text = provenance.read_text()
    assert text.count("## Updates") == 1
    assert text.index("- 2026-12-01:") < text.index("- 2026-12-02:")
    assert "breaking: operation get_templates: GetTemplates removed" in text
    # the real tree was not touched
    assert {p: _digest(p) for p in real} == real


def test_update_with_the_same_bytes_writes_nothing(repo: Path) -> None:
    provenance = repo / "wsdl" / "pixelz" / "PROVENANCE.md"
    before = provenance.read_bytes()
    result = update(
        repo,
        "pixelz",
        generation_wsdl("pixelz"),
        str(PIXELZ),
        regenerate=lambda root: pytest.fail("must not regenerate"),
    )
    assert result.diff is None and result.written == []
    assert provenance.read_bytes() == before


def test_update_refuses_before_writing_anything(repo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.wsdl"
    bad.write_bytes(b'<!DOCTYPE x [<!ENTITY e "x">]>' + PIXELZ.read_bytes().split(b"?>", 1)[1])
    snapshot = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    with pytest.raises(WsdlSourceError, match="DTD"):
        update(repo, "pixelz", generation_wsdl("pixelz"), str(bad), regenerate=write_outputs)
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == snapshot


def test_update_refuses_before_writing_when_the_overlay_no_longer_fits(
    repo: Path, tmp_path: Path
) -> None:
    # The overlay describes GetImagesList's string `page`; a WSDL that types it as
    # int must be refused before anything is vendored, naming the entry to change.
    retyped = tmp_path / "retyped.wsdl"
    old = b'<s:element minOccurs="0" maxOccurs="1" name="page" type="s:string" />'
    data = PIXELZ.read_bytes()
    assert old in data
    retyped.write_bytes(
        data.replace(old, b'<s:element minOccurs="1" maxOccurs="1" name="page" type="s:int" />')
    )
    overlay = load_overlay(repo / "codegen/overlays/pixelz.toml", repo)
    snapshot = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    with pytest.raises(OverlayError, match=r"GetImagesList\.page is int .*nothing written"):
        update(
            repo,
            "pixelz",
            generation_wsdl("pixelz"),
            str(retyped),
            regenerate=write_outputs,
            overlay=overlay,
        )
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == snapshot


# --- the fetch: a loopback server -------------------------------------------------------------


class _Server:
    """Serves canned answers on 127.0.0.1 and records the requested paths."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                status, headers, body = outer.answers.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def answer(self, path: str, body: bytes, status: int = 200, **headers: str) -> str:
        self.answers[path] = (status, {k.replace("_", "-"): v for k, v in headers.items()}, body)
        return self.url + path.split("?", 1)[0]


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
        thread.join(timeout=5)


def test_wsdl_url_asks_for_the_wsdl_once() -> None:
    assert wsdl_url("http://127.0.0.1:1/soap.asmx") == "http://127.0.0.1:1/soap.asmx?WSDL"
    assert wsdl_url("http://127.0.0.1:1/soap.asmx?wsdl") == "http://127.0.0.1:1/soap.asmx?wsdl"
    assert wsdl_url("http://127.0.0.1:1/s.asmx?a=1") == "http://127.0.0.1:1/s.asmx?a=1&WSDL"
    with pytest.raises(WsdlSourceError):
        wsdl_url("ftp://127.0.0.1/soap.asmx")


def test_fetch_reads_the_wsdl_of_a_service_url(server: _Server) -> None:
    url = server.answer("/soap.asmx?WSDL", PIXELZ.read_bytes())
    source = read_source(url)
    assert source.remote and source.data == PIXELZ.read_bytes()
    assert server.requests == ["/soap.asmx?WSDL"]


@pytest.mark.parametrize(
    "prolog",
    [
        b'<!DOCTYPE definitions [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>',
        b'<!DOCTYPE definitions SYSTEM "http://127.0.0.1:1/evil.dtd">',
    ],
)
def test_fetch_refuses_dtds_and_entities(server: _Server, prolog: bytes) -> None:
    body = PIXELZ.read_bytes().replace(b"?>", b"?>" + prolog, 1)
    url = server.answer("/soap.asmx?WSDL", body)
    with pytest.raises(WsdlSourceError, match="DTD"):
        fetch_wsdl(url)
    assert server.requests == ["/soap.asmx?WSDL"]  # the DTD was not loaded


def test_fetch_refuses_oversized_answers_announced_or_streamed(server: _Server) -> None:
    body = PIXELZ.read_bytes()
    announced = server.answer("/big.asmx?WSDL", body, Content_Length=str(len(body)))
    with pytest.raises(WsdlSourceError, match="announces"):
        fetch_wsdl(announced, max_bytes=10_000)
    streamed = server.answer("/stream.asmx?WSDL", body)  # no Content-Length: read to close
    with pytest.raises(WsdlSourceError, match="more than 10000 bytes"):
        fetch_wsdl(streamed, max_bytes=10_000)
    assert len(fetch_wsdl(streamed, max_bytes=len(body)).data) == len(body)


def test_fetch_refuses_redirects_and_errors(server: _Server) -> None:
    url = server.answer("/moved.asmx?WSDL", b"", 302, Location=server.url + "/soap.asmx?WSDL")
    with pytest.raises(WsdlSourceError, match="redirects"):
        fetch_wsdl(url)
    with pytest.raises(WsdlSourceError, match="HTTP 404"):
        fetch_wsdl(server.url + "/nothing.asmx")
    assert server.requests == ["/moved.asmx?WSDL", "/nothing.asmx?WSDL"]


def _with_import(root: etree._Element, location: str) -> None:
    schema = one(root, "wsdl:types/s:schema[@targetNamespace='http://removethebackground.com/']")
    schema.insert(0, element("import", namespace="urn:x", schemaLocation=location))


def test_fetch_refuses_remote_imports_without_loading_them(server: _Server, tmp_path: Path) -> None:
    xsd = edited(tmp_path, lambda r: _with_import(r, server.url + "/types.xsd"), "xsd")

    def wsdl_import(root: etree._Element) -> None:
        imp = etree.Element(f"{{{WSDL}}}import", namespace="urn:y", location="other.wsdl")
        root.insert(0, imp)

    wsdl = edited(tmp_path, wsdl_import, "wsdl")
    server.answer("/types.xsd", b'<s:schema xmlns:s="http://www.w3.org/2001/XMLSchema"/>')
    for path, what in ((xsd, "import"), (wsdl, "import")):
        url = server.answer(f"/{path.parent.name}.asmx?WSDL", path.read_bytes())
        with pytest.raises(WsdlSourceError, match=f"<{what}> loads .*nothing remote"):
            fetch_wsdl(url)
    assert "/types.xsd" not in server.requests and "/other.wsdl" not in server.requests
    # local files: a remote location is refused as well, a relative one cannot be vendored
    with pytest.raises(WsdlSourceError, match="nothing remote"):
        read_source(str(xsd))
    with pytest.raises(WsdlSourceError, match=r"local file 'other\.wsdl'"):
        read_source(str(wsdl))


def test_namespace_only_imports_stay_allowed() -> None:
    root = check_wsdl(PIXELZ.read_bytes(), "pixelz.wsdl", remote=True)
    assert root.find(f".//{{{XS}}}import") is not None


def test_fetch_cli_error_exit_code(server: _Server, capsys: pytest.CaptureFixture[str]) -> None:
    url = server.answer("/dtd.asmx?WSDL", b"<!DOCTYPE x><x/>")
    assert main(["check-live", url]) == EXIT_INPUT
    assert "DTD" in capsys.readouterr().err


# --- check-live against the sandbox -----------------------------------------------------------


@pytest.mark.sandbox
def test_check_live_against_the_sandbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from removethebackground.testing.sandbox import run_sandbox

    legacy = ROOT / generation_wsdl("legacy")
    changed = edited(tmp_path, _add_param("1"))
    with run_sandbox() as sb:
        # the sandbox rewrites the addresses: the bytes differ, the API does not
        assert b"api.pixelz.com" not in read_source(sb.pixelz_endpoint).data
        assert main(["check-live", sb.pixelz_endpoint]) == EXIT_OK
        out = capsys.readouterr().out
        assert "matches wsdl/pixelz/pixelz.wsdl (generation pixelz)" in out
        assert main(["check-live", sb.legacy_endpoint]) == EXIT_OK
        assert "(generation legacy)" in capsys.readouterr().out
        # asked to compare with the wrong generation: breaking, with the diff printed
        assert main(["check-live", sb.legacy_endpoint, "--generation", "pixelz"]) == 1
        out = capsys.readouterr().out
        assert "no longer matches" in out and "GetTemplates removed" in out
        # a vendored WSDL that has drifted from the live one
        drift = check_live(sb.pixelz_endpoint, {"pixelz": changed, "legacy": legacy})
        assert drift.generation == "pixelz" and not drift.matches
        assert [(c.kind, c.breaking) for c in drift.diff.changes] == [("param_removed", True)]
        assert main(["check-live", sb.pixelz_endpoint, "--json"]) == EXIT_OK
        data = json.loads(capsys.readouterr().out)
        assert data["matches"] is True and data["generation"] == "pixelz"


def test_http_keys_change_is_a_compatible_wire_change(
    tmp_path: Path, original: ServiceModel
) -> None:
    def edit(root: etree._Element) -> None:
        for message in ("GetImageStatusHttpGetIn", "GetImageStatusHttpPostIn"):
            part = one(root, f"wsdl:message[@name='{message}']/wsdl:part[@name='customerImageId']")
            part.getparent().remove(part)

    path = edited(tmp_path, edit)
    change = only(diff_models(original, new_model(path)))
    assert (change.kind, change.breaking, change.wire) == ("http_params_changed", False, True)
    assert change.new == ["contactEmail", "contactAPIkey", "imageTicket"]


def test_check_live_exit_codes_for_a_compatible_drift(
    server: _Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.answer("/soap.asmx?WSDL", edited(tmp_path, _add_param("0")).read_bytes())
    assert main(["check-live", url, "--generation", "pixelz"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "no longer matches wsdl/pixelz/pixelz.wsdl" in out
    assert "compatible parameter priority_level added" in out
    assert main(["check-live", url, "--generation", "pixelz", "--strict"]) == EXIT_BREAKING


@pytest.mark.sandbox
def test_update_from_the_sandbox_url_records_the_fetch_and_warns_about_loopback(
    repo: Path,
) -> None:
    from removethebackground.testing.sandbox import run_sandbox

    with run_sandbox() as sb:
        result = update(
            repo,
            "pixelz",
            generation_wsdl("pixelz"),
            sb.pixelz_endpoint,
            regenerate=write_outputs,
            today=datetime.date(2026, 12, 1),
        )
    assert result.diff is not None and not result.diff.breaking
    assert {c.kind for c in result.diff.changes} == {"endpoint_changed"}
    assert len(result.warnings) == 4 and "points at this machine" in result.warnings[0]
    text = (repo / "wsdl/pixelz/PROVENANCE.md").read_text()
    assert f"fetched from `{sb.pixelz_endpoint}?WSDL`" in text
    module = (repo / "src/removethebackground/generated/pixelz.py").read_text()
    assert f'Binding.SOAP11: "{sb.pixelz_endpoint}",' in module


def test_provenance_entries_go_to_the_end_of_the_updates_section(tmp_path: Path) -> None:
    from codegen.fetch import WsdlSource
    from codegen.update import record_update

    provenance = tmp_path / "PROVENANCE.md"
    provenance.write_text(
        "# Provenance\n\n- Source: x\n\n## Updates\n\n- 2026-01-01: first\n\n## Notes\n\nkept\n"
    )
    diff = ApiDiff("a", "b", [Change("type_added", "type", "T", "T added", False)])
    source = WsdlSource(b"<x/>", "http://127.0.0.1:1/soap.asmx?WSDL", remote=True)
    record_update(
        provenance,
        file_name="p.wsdl",
        source=source,
        old_sha="0" * 64,
        diff=diff,
        today=datetime.date(2026, 12, 1),
    )
    text = provenance.read_text()
    assert text.startswith("# Provenance\n\n- Source: x\n\n## Updates\n\n- 2026-01-01: first\n- ")
    entry = text.split("- 2026-01-01: first\n", 1)[1].split("\n## Notes", 1)[0]
    assert entry.startswith("- 2026-12-01: `p.wsdl` replaced, fetched from `http://127.0.0.1:1/")
    assert f"sha256 `{hashlib.sha256(b'<x/>').hexdigest()}` (was `{'0' * 64}`)" in entry
    assert "  - compatible: type T: T added\n" in entry
    assert text.endswith("\n\n## Notes\n\nkept\n")

"""Golden-file and behaviour tests of the code generator."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from codegen.__main__ import ROOT, outputs
from codegen.config import GENERATIONS, generation
from codegen.model import CodegenError, build
from codegen.naming import pascal, snake
from codegen.render import render_golden, render_module


@pytest.fixture(scope="module")
def generated() -> dict[Path, bytes]:
    return outputs()


def test_committed_output_matches_the_wsdls(generated: dict[Path, bytes]) -> None:
    """The golden-file test: what codegen writes now is what is committed."""
    for path, data in generated.items():
        assert path.exists(), f"{path} is not committed: run make codegen"
        committed = path.read_bytes()
        if committed != data:
            diff = "".join(
                difflib.unified_diff(
                    committed.decode().splitlines(True),
                    data.decode().splitlines(True),
                    "committed",
                    "generated",
                    n=1,
                )
            )
            pytest.fail(f"{path.relative_to(ROOT)} is stale; run make codegen\n{diff[:3000]}")


def test_output_is_deterministic(generated: dict[Path, bytes]) -> None:
    assert outputs() == generated


def test_every_generated_python_file_says_it_is_generated(generated: dict[Path, bytes]) -> None:
    for path, data in generated.items():
        if path.suffix in (".py", ".txt"):
            first = data.decode().splitlines()[0]
            assert "Generated" in first and "do not edit" in first, path


def test_packaged_wsdls_are_byte_copies_of_the_vendored_ones(
    generated: dict[Path, bytes],
) -> None:
    for gen in GENERATIONS:
        copy = ROOT / "src/removethebackground/generated/wsdl" / gen.key / Path(gen.wsdl).name
        assert generated[copy] == (ROOT / gen.wsdl).read_bytes()


def test_models_cover_both_generations() -> None:
    legacy_gen, pixelz_gen = generation("legacy"), generation("pixelz")
    legacy = build("legacy", ROOT / legacy_gen.wsdl, legacy_gen.client_class, ROOT)
    pixelz = build("pixelz", ROOT / pixelz_gen.wsdl, pixelz_gen.client_class, ROOT)
    assert [o.name for o in legacy.operations] == ["getImageStatus"]
    assert len(pixelz.operations) == 16
    by_name = {o.name: o for o in pixelz.operations}
    assert by_name["AddImageToQueue"].bindings == ["SOAP11", "SOAP12"]
    assert by_name["GetImageStatus"].bindings == ["SOAP11", "SOAP12", "HTTP_GET", "HTTP_POST"]
    assert by_name["GetImageStatus"].soap_actions["SOAP12"] == (
        "http://removethebackground.com/GetImageStatus"
    )
    # credentials are found and kept out of the method signature
    assert by_name["GetImageStatus"].credential_params == ("contactEmail", "contactAPIkey")
    assert legacy.operations[0].credential_params == ("ContactEmail", "ContactAPIkey")
    # arrays of simple types are repeated HTTP keys
    stack = dict((n, a) for n, _, a in by_name["AddStackImageToQueue"].http_params)
    assert stack["colorwayIds"] is True and stack["imageURL"] is False
    # one class per named complex type, array wrappers become lists
    classes = {t.class_name for t in pixelz.types}
    assert {"Template", "TemplateSpec", "Money", "ImageStatus", "EmptyResponse"} <= classes
    assert not any(c.startswith("ArrayOf") for c in classes)
    image_status = next(t for t in pixelz.types if t.class_name == "ImageStatus")
    final = next(f for f in image_status.fields if f.name == "FinalImagesURL")
    assert final.annotation() == "list[str | None] | None"
    money = next(t for t in pixelz.types if t.class_name == "Money")
    assert [(f.name, f.attribute) for f in money.fields] == [("Currency", True)]


def _changed_wsdl(tmp_path: Path) -> Path:
    """The Pixelz WSDL with one new optional parameter on GetImageStatus."""
    text = (ROOT / "wsdl/pixelz/pixelz.wsdl").read_text(encoding="utf-8")
    anchor = (
        '<s:element minOccurs="0" maxOccurs="1" name="customerImageId" type="s:string" />\n'
        "          </s:sequence>\n        </s:complexType>\n      </s:element>\n"
        '      <s:element name="GetImageStatusResponse">'
    )
    assert anchor in text
    new = anchor.replace(
        '<s:element minOccurs="0" maxOccurs="1" name="customerImageId" type="s:string" />',
        '<s:element minOccurs="0" maxOccurs="1" name="customerImageId" type="s:string" />\n'
        '            <s:element minOccurs="1" maxOccurs="1" name="includeHistory" '
        'type="s:boolean" />',
        1,
    )
    target = tmp_path / "wsdl/pixelz/pixelz.wsdl"
    target.parent.mkdir(parents=True)
    target.write_text(text.replace(anchor, new, 1), encoding="utf-8")
    return target


def test_a_wsdl_change_is_a_readable_golden_diff(tmp_path: Path) -> None:
    original = ROOT / generation("pixelz").wsdl
    before = render_golden(build("pixelz", original, "PixelzClient", ROOT), ROOT)
    changed = _changed_wsdl(tmp_path)
    model = build("pixelz", changed, "PixelzClient", tmp_path)
    after = render_golden(model, tmp_path)
    added = [
        line
        for line in difflib.ndiff(before.splitlines(), after.splitlines())
        if line.startswith("+ ")
    ]
    assert any("include_history: bool" in line for line in added), added
    assert any("includeHistory boolean [1..1]" in line for line in added), added
    source = render_module(model, tmp_path)
    assert "include_history: bool = None" not in source
    compile(source, "pixelz.py", "exec")


def test_codegen_refuses_the_network(tmp_path: Path) -> None:
    text = (ROOT / "wsdl/legacy/removethebackground.wsdl").read_text(encoding="utf-8")
    text = text.replace(
        '<s:import namespace="http://microsoft.com/wsdl/types/" />',
        '<s:import namespace="http://example.com/x" schemaLocation="http://example.com/x.xsd" />',
        1,
    )
    target = tmp_path / "x.wsdl"
    target.write_text(text, encoding="utf-8")
    with pytest.raises(CodegenError, match="offline"):
        build("x", target, "X", tmp_path)


def test_codegen_check_reports_a_hand_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import codegen.__main__ as cli

    # The check runs against a copy of the generated package and golden files (same layout
    # under tmp_path), so the repository is never written while other tests read it.
    package = tmp_path / cli.PACKAGE.relative_to(cli.ROOT)
    golden = tmp_path / cli.GOLDEN.relative_to(cli.ROOT)
    shutil.copytree(cli.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(cli.GOLDEN, golden)
    shutil.copy(cli.ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    real_outputs = cli.outputs
    monkeypatch.setattr(cli, "outputs", lambda: real_outputs(package=package, golden=golden))
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    monkeypatch.setattr(cli, "PACKAGE", package)
    assert cli.main(["--check"]) == 0

    edited = package / "legacy.py"
    original = edited.read_text()
    edited.write_text(original + "\n# hand edit\n")
    assert cli.main(["--check"]) == 1
    edited.write_text(original)
    assert cli.main(["--check"]) == 0


@pytest.mark.parametrize(
    ("xml", "python"),
    [
        ("getImageStatus", "get_image_status"),
        ("GetImageStatus", "get_image_status"),
        ("contactAPIkey", "contact_api_key"),
        ("developerAPIkey", "developer_api_key"),
        ("additionalResourceFileURLs", "additional_resource_file_urls"),
        ("imageURL2", "image_url2"),
        ("imageDeadlineDateTimeUTC", "image_deadline_date_time_utc"),
        ("customerImageColorID", "customer_image_color_id"),
        ("FinalImagesURL", "final_images_url"),
        ("IsPaid", "is_paid"),
        ("Id", "id"),
        ("class", "class_"),
    ],
)
def test_snake_case_names(xml: str, python: str) -> None:
    assert snake(xml) == python


def test_pascal_case_class_names() -> None:
    assert pascal("imageStatusResponse") == "ImageStatusResponse"
    assert pascal("ImageStatus") == "ImageStatus"

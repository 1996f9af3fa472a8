"""One route for any WSDL: a ``codegen/config.py`` entry with its build options, and
``python -m codegen generate WSDL --out DIR`` for a one-off client."""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from codegen.__main__ import main, outputs
from codegen.config import ANY_SERVICE, GenerationConfig
from codegen.model import CodegenError

FIXTURE = Path(__file__).parent / "fixtures" / "asmx_constructs.wsdl"


def _entry(**options: object) -> GenerationConfig:
    return GenerationConfig(
        key="constructs",
        wsdl="wsdl/constructs/constructs.wsdl",
        client_class="ConstructsClient",
        sandbox_path="/constructs.asmx",
        label="another service",
        **options,  # type: ignore[arg-type]
    )


def test_a_foreign_wsdl_is_one_config_entry_with_the_any_service_rules(tmp_path: Path) -> None:
    (tmp_path / "wsdl/constructs").mkdir(parents=True)
    shutil.copy(FIXTURE, tmp_path / "wsdl/constructs/constructs.wsdl")
    package = tmp_path / "src" / "oneroute_generated"
    # this service's rules (the default) refuse it, naming why and what to do
    with pytest.raises(CodegenError, match="no contactEmail/contactAPIkey parameters"):
        outputs(root=tmp_path, generations=(_entry(),), package=package, golden=tmp_path / "g")
    files = outputs(
        root=tmp_path,
        generations=(_entry(options=ANY_SERVICE),),
        package=package,
        golden=tmp_path / "g",
    )
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    sys.path.insert(0, str(tmp_path / "src"))
    try:
        registry = importlib.import_module("oneroute_generated")
        generation = registry.GENERATIONS["constructs"]
        assert generation.client_class.__name__ == "ConstructsClient"
        assert "GetNames" in generation.service.operations
        assert (tmp_path / "g/constructs.txt").read_text().count("operation ") == 8
    finally:
        sys.path.remove(str(tmp_path / "src"))
        for name in [m for m in sys.modules if m.startswith("oneroute_generated")]:
            del sys.modules[name]


def test_generate_writes_a_one_off_client(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["generate", str(FIXTURE), "--out", str(out), "--class", "Shop"]) == 0
    assert "wrote" in capsys.readouterr().out
    path = out / "asmx_constructs.py"
    spec = importlib.util.spec_from_file_location("oneoff_constructs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["oneoff_constructs"] = module
    try:
        spec.loader.exec_module(module)
        assert module.Shop.SERVICE.name == "Constructs"
    finally:
        del sys.modules["oneoff_constructs"]
    assert (
        "def get_names(*, count: int) -> list[str | None]"
        in (out / "asmx_constructs.txt").read_text()
    )


def test_generate_refuses_by_name_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["generate", str(FIXTURE), "--out", str(tmp_path), "--rules", "asmx"])
    assert code == 3
    err = capsys.readouterr().err
    assert "asmx_constructs.wsdl" in err and "no contactEmail/contactAPIkey" in err
    assert not list(tmp_path.iterdir())  # nothing written


def test_generate_without_out_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["generate", str(FIXTURE)])
    assert info.value.code == 2
    assert "WSDL and --out DIR go together" in capsys.readouterr().err

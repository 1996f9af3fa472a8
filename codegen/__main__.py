"""``python -m codegen [--check]``: regenerate ``src/removethebackground/generated``.

Writes, for every generation in :data:`codegen.config.GENERATIONS`:
- ``src/removethebackground/generated/<key>.py``: dataclasses, wire facts, client;
- ``src/removethebackground/generated/wsdl/<key>/<file>.wsdl``: a byte copy of the
  vendored WSDL, shipped so the sandbox can answer ``?WSDL``;
- ``codegen/golden/<key>.txt``: the readable signature file;
- ``src/removethebackground/generated/__init__.py``: the registry ``GENERATIONS``.

With ``--check`` nothing is written: the command fails, listing the stale files,
when any output differs from what the WSDLs in ``wsdl/`` produce.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from .config import GENERATIONS, GenerationConfig
from .model import build
from .render import render_golden, render_module, render_registry

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "removethebackground" / "generated"
GOLDEN = ROOT / "codegen" / "golden"


def _format(sources: dict[str, str]) -> dict[str, str]:
    """Run ``ruff format`` (pinned in the dev extras) over generated Python."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, text in sources.items():
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            paths[name] = path
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                "format",
                "--quiet",
                "--config",
                str(ROOT / "pyproject.toml"),
                *map(str, paths.values()),
            ],
            check=True,
        )
        return {name: path.read_text(encoding="utf-8") for name, path in paths.items()}


def outputs(
    root: Path = ROOT,
    generations: tuple[GenerationConfig, ...] = GENERATIONS,
    package: Path = PACKAGE,
    golden: Path = GOLDEN,
) -> dict[Path, bytes]:
    """Every file codegen writes, by path: modules, registry, WSDL copies, golden files.

    ``root`` is where the WSDL paths of ``generations`` are read from; ``package`` the
    generated package's folder (tests generate a third service into a temporary one).
    """
    files: dict[Path, bytes] = {}
    python: dict[str, str] = {}
    entries = []
    for gen in generations:
        model = build(gen.key, root / gen.wsdl, gen.client_class, root)
        entries.append((gen, model))
        python[f"{gen.key}.py"] = render_module(model, root)
        files[golden / f"{gen.key}.txt"] = render_golden(model, root).encode()
        source = root / gen.wsdl
        files[package / "wsdl" / gen.key / source.name] = source.read_bytes()
    python["__init__.py"] = render_registry(entries)
    for name, text in _format(python).items():
        files[package / name] = text.encode()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when generated files are stale")
    args = parser.parse_args(argv)
    files = outputs()
    if args.check:
        stale = [p for p, data in files.items() if not p.exists() or p.read_bytes() != data]
        expected = set(files)
        extra = [
            p
            for p in PACKAGE.rglob("*")
            if p.is_file() and p not in expected and "__pycache__" not in p.parts
        ]
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}", file=sys.stderr)
        for path in extra:
            print(
                f"not generated (remove it or add it to codegen): {path.relative_to(ROOT)}",
                file=sys.stderr,
            )
        if stale or extra:
            print("generated code is out of date with wsdl/: run `make codegen`", file=sys.stderr)
            return 1
        print(f"codegen-check: {len(files)} generated files match wsdl/")
        return 0
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``python -m codegen [--check]``: regenerate ``src/removethebackground/generated``.

Writes, for every generation in :data:`codegen.config.GENERATIONS`:
- ``src/removethebackground/generated/<key>.py``: dataclasses, wire facts, client;
- ``src/removethebackground/generated/wsdl/<key>/<file>.wsdl``: a byte copy of the
  vendored WSDL, shipped so the sandbox can answer ``?WSDL``;
- ``codegen/golden/<key>.txt``: the readable signature file;
- ``src/removethebackground/generated/__init__.py``: the registry ``GENERATIONS``.

With ``--check`` nothing is written: the command fails, listing the stale files,
when any output differs from what the WSDLs in ``wsdl/`` produce.

Subcommands (``python -m codegen <command> --help`` for each):

- ``generate [--check]``: the above (also what no subcommand does);
- ``generate WSDL --out DIR [--class NAME] [--key MODULE] [--rules any|asmx]
  [--service NAME]``: a one-off client of any WSDL, ``DIR/<key>.py`` and its
  signature file, with the rules for any service by default;
- ``update GENERATION FROM``: vendor a new WSDL (a file, or an http(s) URL whose
  ``?WSDL`` is fetched) into ``wsdl/<generation>/``, record it in PROVENANCE.md,
  regenerate, print the API diff;
- ``diff OLD NEW [--json]``: the API diff between two WSDLs (files or URLs);
- ``check-live URL [--generation KEY] [--strict] [--json]``: does the live ``?WSDL``
  still match the vendored one (service addresses and formatting aside)?

Exit codes of ``update``, ``diff`` and ``check-live``: 0 nothing breaking (there
may be compatible changes), 1 at least one breaking change, 2 bad command line,
3 a WSDL could not be read, fetched, accepted or modelled. ``check-live --strict``
exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .config import GENERATIONS, GenerationConfig, generation
from .diff import EXIT_BREAKING, EXIT_INPUT, EXIT_OK, ApiDiff
from .fetch import MAX_BYTES
from .model import ANY_SERVICE, ASMX_SERVICE, BuildOptions, CodegenError, build
from .naming import snake
from .overlay import load_overlay
from .render import render_golden, render_module, render_registry

ROOT = Path(__file__).resolve().parent.parent
#: ``--rules``: the build options by name (see :class:`codegen.model.BuildOptions`).
RULES: dict[str, BuildOptions] = {"any": ANY_SERVICE, "asmx": ASMX_SERVICE}
PACKAGE = ROOT / "src" / "removethebackground" / "generated"
GOLDEN = ROOT / "codegen" / "golden"


def generation_keys() -> list[str]:
    return [g.key for g in GENERATIONS]


def generation_wsdl(key: str) -> Path:
    """The vendored WSDL of a generation, relative to the repository root."""
    return Path(generation(key).wsdl)


def _format(sources: dict[str, str], required: bool = True) -> dict[str, str]:
    """Run ``ruff format`` (pinned in the dev extras) over generated Python.

    Not ``required`` (a one-off client): without ruff the source is kept as written,
    which is valid Python, only not formatted.
    """
    if not required:
        try:
            import ruff  # noqa: F401
        except ImportError:
            return dict(sources)
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
        overlay = None if gen.overlay is None else load_overlay(root / gen.overlay, root)
        model = build(gen.key, root / gen.wsdl, gen.client_class, root, overlay, gen.options)
        entries.append((gen, model))
        python[f"{gen.key}.py"] = render_module(model, root)
        files[golden / f"{gen.key}.txt"] = render_golden(model, root).encode()
        source = root / gen.wsdl
        files[package / "wsdl" / gen.key / source.name] = source.read_bytes()
    python["__init__.py"] = render_registry(entries)
    for name, text in _format(python).items():
        files[package / name] = text.encode()
    return files


def write_outputs(root: Path = ROOT) -> list[Path]:
    """``make codegen`` under ``root``: write what changed, return those paths."""
    package = root / PACKAGE.relative_to(ROOT)
    golden = root / GOLDEN.relative_to(ROOT)
    written = []
    for path, data in outputs(root, GENERATIONS, package, golden).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            written.append(path)
    return written


def _generate(check: bool) -> int:
    files = outputs()
    if check:
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
    for path in write_outputs():
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


def generate_one(
    wsdl: Path,
    out: Path,
    *,
    key: str | None = None,
    client_class: str | None = None,
    options: BuildOptions = ANY_SERVICE,
) -> list[Path]:
    """A one-off client of ``wsdl``: ``out/<key>.py`` and its signature file ``out/<key>.txt``.

    ``key`` (the module name) defaults to the WSDL's file name in snake_case, the
    client class to the service's name + ``Client``. Nothing of this repository's
    generations changes; the module imports ``removethebackground``'s runtime.
    """
    wsdl = wsdl.resolve()
    key = key or snake(wsdl.stem.replace(" ", "_"))
    if not key.isidentifier():
        raise CodegenError(f"--key {key!r} is not a Python module name: pass --key NAME")
    model = build(key, wsdl, client_class or "Client", wsdl.parent, None, options)
    if client_class is None:
        from .naming import pascal

        model.client_class = pascal(model.name) + (
            "" if model.name.endswith("Client") else "Client"
        )
    module = _format({f"{key}.py": render_module(model, wsdl.parent)}, required=False)
    written = [out / f"{key}.py", out / f"{key}.txt"]
    out.mkdir(parents=True, exist_ok=True)
    written[0].write_text(module[f"{key}.py"], encoding="utf-8")
    written[1].write_text(render_golden(model, wsdl.parent), encoding="utf-8")
    return written


def _generate_wsdl(args: argparse.Namespace) -> int:
    options = RULES[args.rules]
    if args.service:
        options = BuildOptions(
            credentials=options.credentials,
            single_service=options.single_service,
            scalar_results=options.scalar_results,
            service=args.service,
        )
    for path in generate_one(
        Path(args.wsdl),
        Path(args.out),
        key=args.key,
        client_class=args.client_class,
        options=options,
    ):
        print(f"wrote {path}")
    return 0


def _print_diff(diff: ApiDiff, as_json: bool) -> None:
    sys.stdout.write(diff.render_json() if as_json else diff.render_text())


def _update(args: argparse.Namespace) -> int:
    from .update import update

    wsdl = generation_wsdl(args.generation)
    gen = generation(args.generation)
    overlay = None if gen.overlay is None else load_overlay(ROOT / gen.overlay, ROOT)
    result = update(
        ROOT,
        args.generation,
        wsdl,
        args.source,
        regenerate=write_outputs,
        max_bytes=args.max_bytes,
        overlay=overlay,
        options=gen.options,
    )
    if result.diff is None:
        print(f"{wsdl.as_posix()} is already this WSDL (byte for byte); nothing written")
        return EXIT_OK
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not args.json:
        for path in result.written:
            print(f"wrote {path.relative_to(ROOT)}")
        print()
    _print_diff(result.diff, args.json)
    return result.diff.exit_code()


def _diff(args: argparse.Namespace) -> int:
    from .update import diff_sources

    old_overlay = args.old_overlay or args.overlay
    new_overlay = args.new_overlay or args.overlay
    diff = diff_sources(
        args.old,
        args.new,
        max_bytes=args.max_bytes,
        old_overlay=old_overlay,
        new_overlay=new_overlay,
        options=RULES[args.rules],
    )
    _print_diff(diff, args.json)
    return diff.exit_code()


def _check_live(args: argparse.Namespace) -> int:
    from .update import check_live

    keys = [args.generation] if args.generation else generation_keys()
    check = check_live(
        args.url, {k: ROOT / generation_wsdl(k) for k in keys}, max_bytes=args.max_bytes
    )
    wsdl = generation_wsdl(check.generation).as_posix()
    if args.json:
        payload = check.diff.to_json()
        payload["generation"] = check.generation
        payload["matches"] = check.matches
        print(json.dumps(payload, indent=2))
    elif check.matches:
        print(
            f"{check.source.origin} matches {wsdl} (generation {check.generation}); "
            "service addresses and formatting are not compared"
        )
    else:
        print(f"{check.source.origin} no longer matches {wsdl} (generation {check.generation}):")
        print()
        _print_diff(check.diff, False)
    if args.strict and not check.matches:
        return EXIT_BREAKING
    return check.diff.exit_code()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m codegen",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="exit codes (update, diff, check-live): 0 nothing breaking, 1 breaking, "
        "2 bad command line, 3 WSDL refused or unreadable",
    )
    parser.add_argument("--check", action="store_true", help="fail when generated files are stale")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gen = sub.add_parser(
        "generate",
        help="regenerate from wsdl/ (the default); with WSDL --out DIR, a one-off client",
        description="Without WSDL: regenerate every generation of codegen/config.py. "
        "With WSDL --out DIR: write a client of that WSDL to DIR/<key>.py (and its "
        "signature file DIR/<key>.txt), with the rules for any service by default.",
    )
    gen.add_argument("--check", action="store_true", help="fail when generated files are stale")
    gen.add_argument("wsdl", nargs="?", metavar="WSDL", help="a WSDL file for a one-off client")
    gen.add_argument("--out", metavar="DIR", help="where the one-off client is written")
    gen.add_argument(
        "--class",
        dest="client_class",
        metavar="NAME",
        help="the client class (default: <Service>Client)",
    )
    gen.add_argument(
        "--key", metavar="MODULE", help="the module name (default: from the file name)"
    )
    gen.add_argument(
        "--rules",
        choices=sorted(RULES),
        default="any",
        help="any: any service's WSDL (default); asmx: this service's rules (credentials "
        "on every operation, one wsdl:service, complex results)",
    )
    gen.add_argument("--service", metavar="NAME", help="the wsdl:service to build, of several")

    def limits(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--max-bytes",
            type=int,
            default=MAX_BYTES,
            help=f"refuse a WSDL larger than this (default {MAX_BYTES})",
        )
        p.add_argument("--json", action="store_true", help="print the diff as JSON")

    upd = sub.add_parser("update", help="vendor a new WSDL, regenerate, print the API diff")
    upd.add_argument("generation", choices=generation_keys(), metavar="GENERATION")
    upd.add_argument("source", metavar="FROM", help="a WSDL file, or the service's http(s) URL")
    limits(upd)
    dif = sub.add_parser("diff", help="the API diff between two WSDLs")
    dif.add_argument("old", metavar="OLD", help="a WSDL file or http(s) URL")
    dif.add_argument("new", metavar="NEW", help="a WSDL file or http(s) URL")
    dif.add_argument(
        "--overlay", metavar="TOML", help="apply this overlay (codegen/overlays/) to both sides"
    )
    dif.add_argument("--old-overlay", metavar="TOML", help="the overlay of the OLD side")
    dif.add_argument("--new-overlay", metavar="TOML", help="the overlay of the NEW side")
    dif.add_argument(
        "--rules",
        choices=sorted(RULES),
        default="asmx",
        help="the build rules: asmx (this service's, the default) or any (another service's)",
    )
    limits(dif)
    live = sub.add_parser("check-live", help="compare the live ?WSDL with the vendored one")
    live.add_argument("url", metavar="URL", help="the service address (…/soap.asmx)")
    live.add_argument(
        "--generation",
        choices=generation_keys(),
        metavar="KEY",
        help="the generation to compare with (default: the one that differs least)",
    )
    live.add_argument(
        "--strict", action="store_true", help="exit 1 on any difference, compatible ones too"
    )
    limits(live)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command = {"update": _update, "diff": _diff, "check-live": _check_live}.get(args.command)
    one_off = args.command == "generate" and args.wsdl is not None
    if args.command == "generate" and (args.wsdl is None) != (args.out is None):
        parser.error("generate: WSDL and --out DIR go together (a one-off client)")
    if (
        args.command == "generate"
        and not one_off
        and (args.client_class or args.key or args.service)
    ):
        parser.error("generate: --class, --key and --service need WSDL --out DIR")
    try:
        if one_off:
            if args.check:
                parser.error("generate WSDL --out DIR writes a client; --check is for wsdl/")
            return _generate_wsdl(args)
        if command is None:
            return _generate(args.check)
        return command(args)
    except CodegenError as exc:  # OverlayError is one too
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":
    raise SystemExit(main())

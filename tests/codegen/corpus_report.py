"""What codegen does with the real-world WSDLs of the corpus: a table to read, not a test.

    .venv/bin/python tests/codegen/corpus_report.py [--examples N] [--constructs] [NAME ...]

For each WSDL of ``support.wsdl_corpus.REAL_WORLD`` (or the names given): ``build`` (the
model builds and the module renders and imports), ``refused`` (a ``CodegenError``, its
message shown) or ``crash`` (any other exception); for those that build, each operation's
SOAP 1.1 and 1.2 envelopes are compared with zeep's ``create_message`` for N hypothesis
inputs (as tests/codegen/test_wsdl_corpus.py does) and counted as equal or not. The last
line gives the totals; ``--constructs`` adds the construct counts of each WSDL.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("CORPUS_OPERATIONS", "0")  # every operation (tests: a bounded slice)
HERE = Path(__file__).resolve().parent
for entry in (HERE.parents[1], HERE.parent, HERE):  # the repository, tests/ (support), here
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from codegen.model import CodegenError  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from support.wsdl_corpus import CONSTRUCTS, CORPUS, REAL_WORLD, constructs, operations  # noqa: E402


def _checker(name: str, model: Any, op: Any, binding: Any, examples: int) -> Any:
    """A hypothesis test of ``op``'s envelopes on ``binding`` against zeep's."""
    import test_wsdl_corpus as t

    from removethebackground.bindings import SOAP_BINDINGS
    from support.xmltree import assert_xml_equivalent, parse_xml

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # a report: the first failure, unshrunk
    )
    @given(values=t._params(op))
    def check(values: dict[str, Any]) -> None:
        client, service = t._zeep_service(name, model, binding)
        kwargs = {
            f.name: t._zeep_input(f, values[f.attr])
            for f in op.params
            if t._sent(f, values[f.attr])
        }
        theirs = t._without_zeep_addressing(client.create_message(service, op.name, **kwargs))
        ours = parse_xml(SOAP_BINDINGS[binding].build_envelope(op, values))
        assert_xml_equivalent(t._without_complex_nil_items(ours, op), t._lower_exponents(theirs))

    return check


def _envelopes(name: str, tmp: Path, examples: int) -> tuple[int, int, list[str]]:
    """(operations compared, operations whose envelopes all equal zeep's, first failures)."""
    import test_wsdl_corpus as t

    from removethebackground.core.wire import Binding

    model = t.model_of(name)
    compared = equal = 0
    failures: list[str] = []
    for op in t._operations(name, tmp):
        ok = True
        for binding in (Binding.SOAP11, Binding.SOAP12):
            if binding not in op.bindings:
                continue

            check = _checker(name, model, op, binding, examples)
            try:
                check()
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt):
                    raise
                ok = False
                if len(failures) < 3:
                    first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
                    failures.append(f"{op.name} ({binding.value}): {type(exc).__name__} {first}")
        compared += 1
        equal += ok
    return compared, equal, failures


def _outcome(name: str, tmp: Path) -> tuple[str, str]:
    import test_wsdl_corpus as t

    try:
        t.module_of(name, tmp)
    except CodegenError as exc:
        return "refused", str(exc)
    except Exception as exc:
        return "crash", f"{type(exc).__name__}: {exc}"
    return "build", ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="corpus paths (default: the real-world twenty)")
    parser.add_argument("--examples", type=int, default=5, help="hypothesis inputs per operation")
    parser.add_argument("--no-envelopes", action="store_true", help="outcomes only")
    parser.add_argument("--constructs", action="store_true", help="the constructs of each WSDL")
    args = parser.parse_args(argv)
    names = args.names or list(REAL_WORLD)
    warnings.simplefilter("ignore")
    totals = {"build": 0, "refused": 0, "crash": 0}
    ops_compared = ops_equal = wsdl_equal = 0
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for name in names:
            started = time.monotonic()
            outcome, detail = _outcome(name, tmp)
            totals[outcome] += 1
            line = f"{outcome:8} {name:52} wsdl ops={operations(CORPUS / name):5}"
            if outcome == "build" and not args.no_envelopes:
                compared, equal, failures = _envelopes(name, tmp, args.examples)
                ops_compared += compared
                ops_equal += equal
                wsdl_equal += compared == equal
                line += f" envelopes equal to zeep's: {equal}/{compared}"
                detail = "; ".join(failures)
            print(f"{line} ({time.monotonic() - started:.1f} s)")
            if detail:
                print(f"         {detail[:300]}")
            if args.constructs:
                found = constructs(CORPUS / name)
                print("         " + ", ".join(f"{k}={found[k]}" for k in CONSTRUCTS if found[k]))
    summary = ", ".join(f"{n} {k}" for k, n in totals.items())
    print(f"\n{len(names)} WSDLs: {summary}")
    if not args.no_envelopes:
        print(
            f"built with every envelope equal to zeep's: {wsdl_equal} of {totals['build']}; "
            f"operations compared {ops_compared}, equal {ops_equal}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared test set-up: the repository root on sys.path, so tests can import ``codegen``."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, settings  # noqa: E402

pytest_plugins = [
    "removethebackground.testing.pytest_plugin",
    "removethebackground.testing.sandbox",
    "support.clients",  # the client_kind fixture: one behavioural test for both clients
]

# Hypothesis keeps no example database: the tests run in parallel worker processes and must
# not write into the repository; a failure prints the example and a @reproduce_failure blob.
settings.register_profile("rtb", database=None, print_blob=True)
settings.load_profile("rtb")

# Hypothesis profiles of the answer fuzzer (tests/core/test_fuzz_answers.py), chosen with
# RTB_FUZZ_PROFILE: a bounded slice in `make test`, many more examples in `make fuzz`.
_FUZZ = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "derandomize": False,
}
settings.register_profile("fuzz-quick", max_examples=150, **_FUZZ)  # type: ignore[arg-type]
settings.register_profile("fuzz", max_examples=5000, **_FUZZ)  # type: ignore[arg-type]

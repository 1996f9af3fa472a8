"""The client core loads alone: importing the package and calling the service load no
workflow, CLI, service-side, sandbox or testing module.

``make contracts`` checks the import graph; this checks what a real process loads. The
sandbox runs in the test process; the client runs in a fresh interpreter, which makes
one call over each binding (and one that the service refuses with a fault), in strict
mode too, then lists the modules it loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from removethebackground.testing.sandbox import SandboxHandle, run_sandbox

#: Loaded only by the sandbox, the stubber, the command line or on first use of a workflow.
NOT_CORE = ("workflows", "cli", "service", "sandbox", "testing")

CLIENT = """
import json, sys, uuid
import removethebackground as r

endpoint = sys.argv[1]
for binding in r.Binding:
    client = r.PixelzClient("demo@example.com", "demo-key", endpoint=endpoint, binding=binding)
    assert client.get_templates() is not None
    try:
        client.get_image_status(image_ticket=uuid.uuid4())
    except r.NotFoundError:
        pass
    else:
        raise AssertionError("an unknown ticket was found")
from removethebackground.plugins.strict import validator_for
strict = r.PixelzClient("demo@example.com", "demo-key", endpoint=endpoint, strict=validator_for)
assert strict.get_templates() is not None
print(json.dumps(sorted(sys.modules)))
"""


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        yield handle


def _loaded_by_a_call(endpoint: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, endpoint],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


def test_import_and_calls_load_only_the_core(sb: SandboxHandle) -> None:
    modules = _loaded_by_a_call(sb.pixelz_endpoint)
    assert "removethebackground.core.client" in modules  # the calls went through the core
    assert "removethebackground.bindings.http" in modules
    assert "removethebackground.plugins.strict" in modules
    outside = [
        m for m in modules if m.startswith("removethebackground.") and m.split(".")[1] in NOT_CORE
    ]
    assert not outside, f"a plain client call loaded {outside}"

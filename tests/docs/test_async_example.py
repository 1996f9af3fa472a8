"""The web application of docs/async.md runs as written, against a sandbox.

The ``python`` block after the ``<!-- async-example -->`` marker is written to a file
and imported as a module; Starlette's test client serves it (its lifespan makes the
async client, from the environment a reader sets: ``RTB_EMAIL``, ``RTB_API_KEY``,
``RTB_PIXELZ_ENDPOINT``) and every route is called: a photo is queued, followed to
Delivered on the sandbox's frozen clock, listed and downloaded.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import uuid
from pathlib import Path
from types import ModuleType

import pytest

from removethebackground.sandbox.imaging import make_sample_product_photo
from removethebackground.testing.sandbox import SandboxHandle

DOC = Path(__file__).resolve().parents[2] / "docs" / "async.md"
MARKER = "<!-- async-example -->"
pytestmark = pytest.mark.sandbox


def example_code() -> str:
    text = DOC.read_text(encoding="utf-8")
    assert MARKER in text, f"{DOC.name} lost its {MARKER} marker"
    after = text.split(MARKER, 1)[1]
    match = re.match(r"\s*```python\n(?P<code>.*?)\n```", after, re.S)
    assert match is not None, f"no python block right after {MARKER} in {DOC.name}"
    return match.group("code")


def load(path: Path) -> ModuleType:
    name = f"async_example_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


# Starlette's test client asks for httpx2, a fork of httpx; httpx (pinned for zeep's
# AsyncClient in the benchmarks) still serves it.
@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_the_web_application_example_runs_against_the_sandbox(
    sandbox: SandboxHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient

    for name in [n for n in os.environ if n.startswith("RTB_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("RTB_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("RTB_EMAIL", sandbox.demo_email)
    monkeypatch.setenv("RTB_API_KEY", sandbox.demo_api_key)
    monkeypatch.setenv("RTB_PIXELZ_ENDPOINT", sandbox.pixelz_endpoint)
    monkeypatch.setenv("CUTOUTS", str(tmp_path / "cutouts"))
    source = tmp_path / "shop.py"
    source.write_text(example_code(), encoding="utf-8")
    shop = load(source)
    photo = sandbox.upload(make_sample_product_photo(160, 120, seed=5), "boot.jpg")

    with TestClient(shop.app) as http:
        queued = http.post("/images", json={"image_url": photo, "sku": "boot-1"})
        assert queued.status_code == 201, queued.text
        ticket = queued.json()["ticket"]
        assert http.get(f"/images/{ticket}").json()["status"] == "New"
        sandbox.advance(4 * sandbox.step_seconds)
        done = http.get(f"/images/{ticket}").json()
        assert done["status"] == "Delivered" and done["urls"]
        many = http.post("/images/statuses", json={"tickets": [ticket] * 20})
        assert many.json() == {ticket: 80}
        assert http.get("/images/delivered").json() == {"delivered": [ticket]}
        files = http.post(f"/images/{ticket}/download").json()["files"]
        assert [Path(f).name for f in files] == [f"boot-1-{ticket[:8]}.jpg"]
        assert Path(files[0]).parent == tmp_path / "cutouts" and Path(files[0]).stat().st_size
        missing = http.get(f"/images/{uuid.uuid4()}")
        assert missing.status_code == 404
    row = sandbox.image(ticket)
    assert row is not None and row.customer_image_id == "boot-1"

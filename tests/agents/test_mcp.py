"""``rtb mcp``: the tools end to end through the mcp package's own client, in process,
against the sandbox; and once as a process over stdio.

Every text a client can see (the tool list, each result, each error, each progress
message, every log record) is searched for the canary key in all its forms.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from removethebackground.agents.server import build_server
from removethebackground.agents.tools import Limits, Session
from removethebackground.cli.main import main
from removethebackground.core.redaction import secret_forms
from removethebackground.generated import GENERATIONS
from removethebackground.sandbox.imaging import make_sample_product_photo
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox
from removethebackground.workflows import SandboxUploader

EMAIL = "agent-canary@example.org"
KEY = "Ky+/= &<>%;\"'#?é-canary-0123456789"  # every layer encodes it differently
NEEDLES = {*secret_forms(KEY), "canary-0123456789"}
CREDENTIAL_NAMES = ("contactapikey", "developerapikey", "applicationcode", "contactemail")


class Seen:
    """Every text the client was shown, searched at the end of each test."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, value: Any) -> Any:
        if hasattr(value, "model_dump_json"):
            self.texts.append(value.model_dump_json(by_alias=True))
        else:
            self.texts.append(str(value))
        return value

    def leaks(self) -> list[str]:
        return [t for t in self.texts if any(n in t for n in NEEDLES)]


def _session(sb: SandboxHandle, tmp: Path, **limits: Any) -> Session:
    inputs = tmp / "in"
    inputs.mkdir(exist_ok=True)
    return Session(
        lambda generation: GENERATIONS[generation].client_class(
            EMAIL, KEY, endpoint=sb.endpoint(generation)
        ),
        limits=Limits(files_root=inputs, download_dir=tmp / "out", **limits),
        uploader=SandboxUploader(sb.url),
        secrets=[KEY],
    )


Body = Callable[["Tools"], Awaitable[None]]


class Tools:
    """The client side: calls record what they show."""

    def __init__(self, client: Client, seen: Seen) -> None:
        self.client = client
        self.seen = seen

    async def list(self) -> list[Any]:
        listed = self.seen.add(await self.client.list_tools())
        return list(listed.tools)

    async def call(
        self, name: str, args: dict[str, Any] | None = None, *, progress: list[Any] | None = None
    ) -> Any:
        async def on_progress(done: float, total: float | None, message: str | None) -> None:
            self.seen.add(message)
            if progress is not None:
                progress.append((done, total, message))

        result = await self.client.call_tool(name, args or {}, progress_callback=on_progress)
        return self.seen.add(result)

    async def ok(self, name: str, args: dict[str, Any] | None = None, **kw: Any) -> Any:
        result = await self.call(name, args, **kw)
        assert not result.is_error, result.content[0].text
        return result.structured_content

    async def refused(self, name: str, args: dict[str, Any] | None = None) -> str:
        result = await self.call(name, args)
        assert result.is_error, result
        text: str = result.content[0].text
        assert "Traceback" not in text
        return text


def _serve(session: Session, body: Body, caplog: pytest.LogCaptureFixture) -> Seen:
    seen = Seen()

    async def run() -> None:
        async with Client(build_server(session)) as client:
            await body(Tools(client, seen))

    with caplog.at_level(logging.DEBUG):
        anyio.run(run)
    seen.texts.extend(r.getMessage() for r in caplog.records)
    seen.texts.extend(str(r.exc_info) for r in caplog.records if r.exc_info)
    assert seen.leaks() == [], "the API key reached the client"
    return seen


@pytest.fixture(scope="module")
def live() -> Iterator[SandboxHandle]:
    """A sandbox whose images move on by themselves (0.2 s per status)."""
    with run_sandbox(realtime=True, step_seconds=0.2) as handle:
        handle.add_account(EMAIL, KEY)
        yield handle


@pytest.fixture
def still(sandbox: SandboxHandle) -> SandboxHandle:
    """A sandbox whose clock stands still: images stay New."""
    sandbox.add_account(EMAIL, KEY)
    return sandbox


TEMPLATE = "1003"  # the sandbox's template of every new account


def _photo(folder: Path, name: str = "shoe.jpg", seed: int = 0) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make_sample_product_photo(240, 180, seed=seed))
    return path


# --- the list ---------------------------------------------------------------------------------

#: name -> (readOnlyHint, destructiveHint, idempotentHint, effects); None: not said (read-only).
EXPECTED = {
    "list_templates": (True, None, None, "read"),
    "submit_images": (False, False, False, "spends"),
    "get_status": (True, None, None, "read"),
    "wait_for_images": (True, None, None, "read"),
    "download_results": (False, False, True, "write"),
    "list_images": (True, None, None, "read"),
    "list_products": (True, None, None, "read"),
    "get_contact": (True, None, None, "read"),
    "list_invoices": (True, None, None, "read"),
    "delete_image": (False, True, False, "destructive"),
    "reject_image": (False, True, False, "destructive"),
    "call_pixelz_AddImageToQueue": (False, False, False, "spends"),
    "call_pixelz_WhiteGloveService": (False, False, False, "spends"),
    "call_pixelz_AddTemplate": (False, False, False, "write"),
    "call_pixelz_DeleteImageFromQueue": (False, True, False, "destructive"),
    "call_pixelz_RejectProcessedImage": (False, True, False, "destructive"),
    "call_pixelz_EditContact": (False, True, False, "destructive"),
    "call_pixelz_GetTemplates": (True, None, None, "read"),
    "call_legacy_getImageStatus": (True, None, None, "read"),
}


def test_tools_are_listed_with_their_annotations(
    still: SandboxHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def body(tools: Tools) -> None:
        listed = {t.name: t for t in await tools.list()}
        # One call_* tool per operation of every generation, besides the job tools.
        operations = {
            f"call_{g}_{op}" for g, entry in GENERATIONS.items() for op in entry.service.operations
        }
        assert operations <= set(listed)
        assert len(listed) == len(operations) + 11
        for name, (read_only, destructive, idempotent, effects) in EXPECTED.items():
            tool = listed[name]
            hints = tool.annotations
            assert hints.read_only_hint is read_only, name
            assert hints.destructive_hint is destructive, name
            assert hints.idempotent_hint is idempotent, name
            assert hints.open_world_hint is True, name
            assert tool.meta == {"removethebackground/effects": effects}, name
            if effects == "spends":
                assert "spends money" in (hints.title or "") and "Spends money" in (
                    tool.description or ""
                )
            if effects == "destructive":
                assert "destructive" in (hints.title or "")
        # Every operation that changes nothing says so; the others do not.
        for g, entry in GENERATIONS.items():
            for op in entry.service.operations.values():
                hints = listed[f"call_{g}_{op.name}"].annotations
                assert hints.read_only_hint is (not op.changes_state), op.name
        # The parameters by their wire names, credentials never among them.
        add = listed["call_pixelz_AddImageToQueue"].input_schema
        assert {"imageURL", "templateId", "customerImageId"} <= set(add["properties"])
        assert add["additionalProperties"] is False
        assert add["properties"]["colorwayIds"]["type"] == "array"
        for tool in listed.values():
            names = json.dumps(tool.input_schema).lower()
            assert not any(c in names for c in CREDENTIAL_NAMES), tool.name

    _serve(_session(still, tmp_path), body, caplog)


def test_read_only_and_no_operations_narrow_the_list(
    still: SandboxHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def body(tools: Tools) -> None:
        listed = await tools.list()
        assert listed and all(t.annotations.read_only_hint for t in listed)
        assert not any(t.name.startswith("call_") for t in listed)
        text = await tools.refused("submit_images", {"images": ["x.jpg"]})
        assert "no tool 'submit_images'" in text

    _serve(_session(still, tmp_path, read_only=True, operations=False), body, caplog)


# --- the job ----------------------------------------------------------------------------------


def test_submit_wait_with_progress_and_download(
    live: SandboxHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from PIL import Image

    session = _session(live, tmp_path)
    _photo(tmp_path / "in" / "shoes", "shoe.jpg")
    url = live.upload(make_sample_product_photo(240, 180, seed=7), "bag.jpg")

    async def body(tools: Tools) -> None:
        templates = await tools.ok("list_templates")
        assert TEMPLATE in {str(t["template_id"]) for t in templates["templates"]}
        submitted = await tools.ok(
            "submit_images", {"images": ["shoes/shoe.jpg", url], "template_id": TEMPLATE}
        )
        rows = submitted["images"]
        assert [r["image"] for r in rows] == ["shoes/shoe.jpg", url]
        tickets = [r["ticket"] for r in rows]
        assert all(live.image(t) is not None for t in tickets)
        assert submitted["session"] == {"queued": 2, "max_images": 20}

        status = await tools.ok("get_status", {"tickets": tickets})
        assert [s["image_ticket"] for s in status["images"]] == tickets

        progress: list[Any] = []
        waited = await tools.ok(
            "wait_for_images", {"tickets": tickets, "poll": 0.1, "timeout": 30}, progress=progress
        )
        assert [s["status"] for s in waited["images"]] == ["Delivered", "Delivered"]
        # Progress notifications: more than one, only growing, ending at the total.
        values = [p[0] for p in progress]
        assert len(values) > 2 and values == sorted(set(values)), progress
        assert progress[-1][:2] == (2, 2)
        assert any("Delivered" in (p[2] or "") for p in progress)

        fetched = await tools.ok("download_results", {"tickets": tickets, "folder": "run-1"})
        folder = Path(fetched["folder"])
        assert folder == (tmp_path / "out" / "run-1").resolve()
        for row in fetched["images"]:
            (file,) = row["files"]
            assert Path(file).parent == folder
            with Image.open(file) as result:
                assert result.size[0] > 0

        listed = await tools.ok("list_images", {"limit": 5})
        assert set(tickets) <= {i["image_ticket"] for i in listed["images"]}
        await tools.ok("list_products")
        contact = await tools.ok("get_contact")
        assert contact["contact"]["contact_email"] == EMAIL
        await tools.ok("list_invoices")

    _serve(session, body, caplog)


def test_the_destructive_tools(
    still: SandboxHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = still.upload(make_sample_product_photo(200, 150), "a.jpg")

    async def body(tools: Tools) -> None:
        submitted = await tools.ok("submit_images", {"images": [url], "template_id": TEMPLATE})
        (row,) = submitted["images"]
        ticket = row["ticket"]
        assert still.image(ticket) is not None
        deleted = await tools.ok("delete_image", {"ticket": ticket})
        assert deleted is not None
        after = await tools.ok("get_status", {"tickets": [ticket]})
        assert "error" in after["images"][0] or after["images"][0]["status"] != "New"
        # One image, named one way.
        text = await tools.refused("delete_image", {})
        assert "ticket or customer_image_id" in text
        text = await tools.refused("reject_image", {"ticket": ticket})
        assert "comment" in text

    _serve(_session(still, tmp_path), body, caplog)


# --- the limits -------------------------------------------------------------------------------


def _queued(sb: SandboxHandle) -> int:
    return sum(1 for r in sb.requests_log() if r.operation == "AddImageToQueue")


def test_the_session_cap_refuses_before_sending(
    still: SandboxHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    urls = [still.upload(make_sample_product_photo(120, 90, seed=n), f"{n}.jpg") for n in range(4)]

    async def body(tools: Tools) -> None:
        text = await tools.refused("submit_images", {"images": urls[:3], "template_id": TEMPLATE})
        assert "--max-images" in text and "nothing was sent" in text
        assert _queued(still) == 0
        # A fault (no template) queues nothing: it is not counted.
        failed = await tools.call("submit_images", {"images": urls[:1]})
        assert failed.is_error and "templateId" in failed.content[0].text
        done = await tools.ok("submit_images", {"images": urls[:2], "template_id": TEMPLATE})
        assert done["session"]["queued"] == 2
        text = await tools.refused("submit_images", {"images": urls[2:3], "template_id": TEMPLATE})
        assert "may queue 0 more" in text and "--max-images" in text
        # The operation tools that queue go through the same gate.
        text = await tools.refused(
            "call_pixelz_AddImageToQueue", {"imageURL": urls[3], "templateId": TEMPLATE}
        )
        assert "--max-images" in text
        # Reading is never limited.
        await tools.ok("list_templates")

    _serve(_session(still, tmp_path, max_images=2), body, caplog)
    assert _queued(still) == 3  # the two queued, and the one the service refused


def test_the_spend_guard_refuses_over_max_spend(
    still: SandboxHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    urls = [still.upload(make_sample_product_photo(120, 90, seed=n), f"{n}.jpg") for n in range(3)]
    limits = {"max_spend": Decimal("1.00"), "prices": {TEMPLATE: Decimal("0.40")}}

    async def body(tools: Tools) -> None:
        await tools.ok("submit_images", {"images": urls[:2], "template_id": TEMPLATE})
        text = await tools.refused("submit_images", {"images": urls[2:], "template_id": TEMPLATE})
        assert "--max-spend" in text and "nothing was sent" in text
        # A template without a price cannot be checked against the budget: refused.
        text = await tools.refused(
            "call_pixelz_AddImageToQueue", {"imageURL": urls[2], "templateId": "1001"}
        )
        assert "--price-per-image" in text and "'1001'" in text

    _serve(_session(still, tmp_path, **limits), body, caplog)
    assert _queued(still) == 2


def test_files_are_read_and_written_only_below_their_roots(
    still: SandboxHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret_file = _photo(tmp_path, "outside.jpg")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "link.jpg").symlink_to(secret_file)
    _photo(tmp_path / "in", "notes.txt")

    async def body(tools: Tools) -> None:
        for given in ("../outside.jpg", str(secret_file), "link.jpg"):
            text = await tools.refused("submit_images", {"images": [given], "template_id": "1"})
            assert "--files-root" in text, given
        text = await tools.refused("submit_images", {"images": ["notes.txt"]})
        assert "not an image" in text
        ticket = "9a4e4e16-8e77-4e8c-b579-79fba86611e3"
        for folder in ("../elsewhere", "/tmp/elsewhere", "a/../../b"):
            text = await tools.refused("download_results", {"tickets": [ticket], "folder": folder})
            assert "--download-dir" in text, folder
        assert _queued(still) == 0

    _serve(_session(still, tmp_path), body, caplog)
    assert not (tmp_path / "elsewhere").exists()


def test_operation_tools_call_any_operation(
    still: SandboxHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def body(tools: Tools) -> None:
        added = await tools.ok(
            "call_pixelz_AddTemplate",
            {"templateName": "agent cutouts", "templateOutputFormat": "PNG", "backgroundType": 1},
        )
        template = str(added["template_id"])
        spec = await tools.ok("call_pixelz_GetTemplateSpec", {"templateId": template})
        assert "agent cutouts" in json.dumps(spec)
        url = still.upload(make_sample_product_photo(120, 90), "op.jpg")
        queued = await tools.ok(
            "call_pixelz_AddImageToQueue", {"imageURL": url, "templateId": template}
        )
        ticket = queued["image_ticket"]
        legacy = await tools.ok("call_legacy_getImageStatus", {"ImageTicket": ticket})
        assert legacy["image_status"]["image_ticket"] == ticket
        text = await tools.refused(
            "call_pixelz_GetImageStatus", {"imageTicket": ticket, "contactAPIkey": "x"}
        )
        assert "no parameter contactAPIkey" in text and "credentials come from the account" in text
        text = await tools.refused("get_status", {"tickets": [ticket], "api_key": "x"})
        assert "get_status has no parameter api_key" in text
        text = await tools.refused("wait_for_images", {})
        assert "wait_for_images needs tickets" in text
        text = await tools.refused("call_pixelz_AddImageToQueue", {"colorwayIds": "1"})
        assert "colorwayIds: give a JSON list" in text

    _serve(_session(still, tmp_path), body, caplog)


def test_the_key_reaches_no_result_error_or_log(
    still: SandboxHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Inputs that carry the key back in every error text a tool makes: the paths and
    # tickets an agent gives are echoed, the service's faults quote what it was sent.
    async def body(tools: Tools) -> None:
        await tools.list()
        for name, args in [
            ("submit_images", {"images": [f"{KEY}.jpg"], "template_id": TEMPLATE}),
            ("submit_images", {"images": [f"http://127.0.0.1:9/{KEY}.jpg"], "template_id": KEY}),
            ("get_status", {"tickets": [KEY]}),
            ("wait_for_images", {"tickets": [KEY]}),
            ("download_results", {"tickets": [KEY]}),
            ("download_results", {"tickets": [KEY], "folder": f"../{KEY}"}),
            ("reject_image", {"customer_image_id": KEY, "comment": KEY}),
            ("call_pixelz_GetImageStatus", {"customerImageId": KEY}),
            ("call_pixelz_GetTemplateSpec", {"templateId": KEY}),
            ("call_pixelz_AddImageToQueue", {"imageURL": KEY, "templateId": TEMPLATE}),
            (f"no-such-tool-{KEY}", {}),
        ]:
            await tools.call(name, args)
        for name in ("get_contact", "list_templates", "list_images"):
            await tools.ok(name)

    seen = _serve(_session(still, tmp_path), body, caplog)
    # The probes did echo the key: it was redacted, not absent by chance.
    assert any("***" in t for t in seen.texts)


# --- the command ------------------------------------------------------------------------------


def _env(sb: SandboxHandle, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTB_")}
    env.update(
        {
            "RTB_EMAIL": EMAIL,
            "RTB_API_KEY": KEY,
            "RTB_PIXELZ_ENDPOINT": sb.pixelz_endpoint,
            "RTB_LEGACY_ENDPOINT": sb.legacy_endpoint,
            "RTB_CONFIG": str(tmp_path / "config.toml"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def test_rtb_mcp_over_stdio_initializes_and_lists_its_tools(
    live: SandboxHandle, tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "removethebackground", "mcp", "--max-images", "3", "--read-only"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(live, tmp_path),
        cwd=tmp_path,
    )
    assert process.stdin is not None and process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in process.stdout], daemon=True).start()  # type: ignore[union-attr]

    def send(message: dict[str, Any]) -> None:
        assert process.stdin is not None
        process.stdin.write(json.dumps({"jsonrpc": "2.0", **message}) + "\n")
        process.stdin.flush()

    def answer(number: int) -> dict[str, Any]:
        while True:
            message: dict[str, Any] = json.loads(lines.get(timeout=60))
            if message.get("id") == number:
                return message

    try:
        send(
            {
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "test", "version": "0"},
                },
            }
        )
        init = answer(1)["result"]
        assert init["serverInfo"]["name"] == "removethebackground"
        assert "tools" in init["capabilities"]
        send({"method": "notifications/initialized"})
        send({"id": 2, "method": "tools/list"})
        listed = answer(2)["result"]["tools"]
        names = {t["name"] for t in listed}
        assert {"list_templates", "get_status", "wait_for_images"} <= names
        assert "submit_images" not in names  # --read-only
        send({"id": 3, "method": "tools/call", "params": {"name": "list_templates"}})
        templates = answer(3)["result"]
        assert templates.get("isError") is not True and TEMPLATE in json.dumps(templates)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)
        err = process.stderr.read() if process.stderr else ""
    assert "Traceback" not in err, err
    assert not any(n in err for n in NEEDLES)


def test_rtb_mcp_refuses_to_start_without_an_account_or_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [k for k in os.environ if k.startswith("RTB_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("RTB_CONFIG", str(tmp_path / "config.toml"))
    assert main(["mcp"]) == 2
    assert "RTB_EMAIL" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "removethebackground.agents.server", None)
    monkeypatch.setenv("RTB_EMAIL", EMAIL)
    monkeypatch.setenv("RTB_API_KEY", KEY)
    assert main(["mcp"]) == 2
    err = capsys.readouterr().err
    assert 'pip install ".[cli,mcp]"' in err
    assert not any(n in err for n in NEEDLES)
    assert main(["mcp", "--max-spend", "lots"]) == 2
    assert "--max-spend 'lots'" in capsys.readouterr().err


def test_the_docs_table_says_what_each_tool_says() -> None:
    from removethebackground.agents.tools import tools

    page = Path(__file__).resolve().parents[2] / "docs" / "agents.md"
    rows = {}
    for line in page.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`") and cells[2] in ("true", "false"):
            rows[cells[0].strip("`")] = tuple(cells[2:])
    job = [t for t in tools(Limits()) if not t.name.startswith("call_")]
    assert set(rows) == {t.name for t in job}
    for tool in job:
        hints = tool.annotations
        said = tuple(
            "" if hints.get(k) is None else str(hints[k]).lower()
            for k in ("readOnlyHint", "destructiveHint", "idempotentHint")
        )
        assert rows[tool.name] == (*said, tool.effects), tool.name


def _waiting() -> bool:
    """Whether a thread of this process is inside the wait tool's handler."""
    for frame in sys._current_frames().values():
        while frame is not None:
            if frame.f_code.co_name == "_wait" and "agents" in frame.f_code.co_filename:
                return True
            frame = frame.f_back  # type: ignore[assignment]
    return False


def test_a_cancelled_wait_stops_polling(
    still: SandboxHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = still.upload(make_sample_product_photo(120, 90), "c.jpg")

    async def body(tools: Tools) -> None:
        submitted = await tools.ok("submit_images", {"images": [url], "template_id": TEMPLATE})
        ticket = submitted["images"][0]["ticket"]
        args = {"tickets": [ticket], "poll": 0.05, "timeout": 60}
        seen_waiting = []

        async def watch() -> None:
            await anyio.sleep(0.5)
            seen_waiting.append(_waiting())

        with anyio.move_on_after(1.0):  # the clock stands still: it would wait 60 s
            async with anyio.create_task_group() as group:
                group.start_soon(watch)
                await tools.call("wait_for_images", args)
        assert seen_waiting == [True]
        await anyio.sleep(0.3)
        assert not _waiting(), "the worker thread still polls after the call was cancelled"

    _serve(_session(still, tmp_path), body, caplog)


def test_help_imports_neither_the_sdk_nor_the_server(tmp_path: Path) -> None:
    code = (
        "import contextlib, io, json, sys\n"
        "from removethebackground.cli.main import main\n"
        "codes = []\n"
        "for argv in (['--help'], ['mcp', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        codes.append(main(argv))\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types',\n"
        "    'pydantic', 'anyio', 'starlette') or m.startswith('removethebackground.agents'))\n"
        "print(json.dumps([codes, loaded]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert json.loads(done.stdout) == [[0, 0], []]


def test_a_submit_cancelled_half_way_gives_back_what_it_did_not_try(
    still: SandboxHandle, tmp_path: Path
) -> None:
    from removethebackground.agents.tools import Progress, ToolError, tools

    urls = [still.upload(make_sample_product_photo(120, 90, seed=n), f"{n}.jpg") for n in range(3)]
    session = _session(still, tmp_path, max_images=3)
    (submit,) = [t for t in tools(session.limits) if t.name == "submit_images"]
    cancelled = threading.Event()
    cancelled.set()  # the client cancels while the first image is sent
    with pytest.raises(ToolError, match="cancelled"):
        submit.run(session, {"images": urls, "template_id": TEMPLATE}, Progress(None, cancelled))
    assert _queued(still) == 1
    assert session.queued == 1


def test_an_image_submitted_again_is_not_queued_twice(
    still: SandboxHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = still.upload(make_sample_product_photo(120, 90), "again.jpg")
    _photo(tmp_path / "in", "a.jpg", seed=3)
    _photo(tmp_path / "in", "copy-of-a.jpg", seed=3)  # the same content under another name

    async def body(tools: Tools) -> None:
        first = await tools.ok("submit_images", {"images": [url, "a.jpg"], "template_id": TEMPLATE})
        tickets = [r["ticket"] for r in first["images"]]
        again = await tools.ok(
            "submit_images", {"images": ["copy-of-a.jpg", url, url], "template_id": TEMPLATE}
        )
        assert [r["ticket"] for r in again["images"]] == [tickets[1], tickets[0], tickets[0]]
        assert all(r["already_queued"] for r in again["images"])
        assert again["session"]["queued"] == 2
        # Other options make another image; again=true queues anyway.
        other = await tools.ok(
            "submit_images", {"images": [url], "template_id": TEMPLATE, "product_id": "p-1"}
        )
        forced = await tools.ok(
            "submit_images", {"images": [url], "template_id": TEMPLATE, "again": True}
        )
        fresh = {other["images"][0]["ticket"], forced["images"][0]["ticket"]}
        assert len(fresh) == 2 and not fresh & set(tickets)
        assert forced["session"]["queued"] == 4

    _serve(_session(still, tmp_path), body, caplog)
    assert _queued(still) == 4

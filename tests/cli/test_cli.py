"""``rtb`` against a real sandbox on loopback (wall clock, 0.2 s status steps).

The commands run in this process (``main(argv)`` inside click's ``CliRunner``
isolation: its own stdin, stdout, stderr and environment); a few smoke tests run
``rtb`` as users run it, in a process of its own: the entry points, exit codes, the
missing extra, the progress bar on a terminal, the webhook receiver and what
``rtb --help`` imports.

Every run checks that the account's API key appears in no output and that no
traceback is printed.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from removethebackground.cli import settings
from removethebackground.cli.app import COMMANDS, cli
from removethebackground.cli.main import main
from removethebackground.core.redaction import secret_forms
from removethebackground.generated import legacy, pixelz
from removethebackground.sandbox.imaging import make_sample_product_photo
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox

CLI_DIR = Path(main.__code__.co_filename).parent

EMAIL = "cli-tests@example.org"
KEY = "cli-K3y/with+odd&chars"  # URL- and XML-escaping change it: every form is checked
FORMS = secret_forms(KEY)


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


Rtb = Callable[..., Run]


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTB_")}
    env.update(_SETTINGS)
    return env


_SETTINGS = {"PYTHONUNBUFFERED": "1", "COLUMNS": "200", "NO_COLOR": "1"}


def _check(out: str, err: str) -> None:
    for form in FORMS:
        assert form not in out, f"the API key leaked to stdout: {out}"
        assert form not in err, f"the API key leaked to stderr: {err}"
    assert "Traceback" not in err, err


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox(realtime=True, step_seconds=0.2) as handle:
        handle.add_account(EMAIL, KEY)
        yield handle


@pytest.fixture(scope="module")
def env(sb: SandboxHandle, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a run: the sandbox account (``RTB_*``) and the terminal settings."""
    base = _clean_env()
    base.update(
        {
            "RTB_EMAIL": EMAIL,
            "RTB_API_KEY": KEY,
            "RTB_PIXELZ_ENDPOINT": sb.pixelz_endpoint,
            "RTB_LEGACY_ENDPOINT": sb.legacy_endpoint,
            "RTB_CONFIG": str(tmp_path_factory.mktemp("config") / "config.toml"),
        }
    )
    return base


@pytest.fixture(scope="module")
def rtb(env: dict[str, str]) -> Rtb:
    """``rtb ARGS...`` in this process, with its own streams and environment."""
    runner = CliRunner()
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("RTB_")}

    def run(*args: str, extra_env: dict[str, str | None] | None = None, stdin: str = "") -> Run:
        overrides: dict[str, str | None] = {**unset, **env, **(extra_env or {})}
        with runner.isolation(input=stdin, env=overrides) as (out, err, _mixed):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse of `rtb sandbox`
                code = exc.code if isinstance(exc.code, int) else 1
            sys.stdout.flush()
            sys.stderr.flush()
            result = Run(code, out.getvalue().decode(), err.getvalue().decode())
        _check(result.out, result.err)
        return result

    return run


@pytest.fixture(scope="module")
def rtb_process(env: dict[str, str]) -> Rtb:
    """``python -m removethebackground ARGS...`` in a process of its own."""

    def run(*args: str, extra_env: dict[str, str | None] | None = None, stdin: str = "") -> Run:
        full = dict(env)
        for key, value in (extra_env or {}).items():
            if value is None:
                full.pop(key, None)
            else:
                full[key] = value
        done = subprocess.run(
            [sys.executable, "-m", "removethebackground", *args],
            capture_output=True,
            text=True,
            env=full,
            input=stdin,
            timeout=60,
            check=False,
        )
        _check(done.stdout, done.stderr)
        return Run(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture(scope="module")
def template_id(sb: SandboxHandle) -> str:
    """A template that delivers the cut-out as a transparent PNG."""
    client = pixelz.PixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint)
    added = client.add_template(
        template_name="CLI cutouts", template_output_format="PNG", background_type="1"
    )
    return str(added.template_id)


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    for n in range(2):
        (folder / f"shoe-{n}.jpg").write_bytes(make_sample_product_photo(240, 180, seed=n))
    (folder / "notes.txt").write_text("not an image")
    return folder


def _one_error_line(run: Run) -> str:
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, run.err
    assert lines[0].startswith("error: "), run.err
    return lines[0]


# --- the command itself ----------------------------------------------------------------------


def test_help_version_and_usage_errors(rtb: Rtb) -> None:
    helped = rtb("--help")
    assert helped.code == 0
    for command in (
        "submit",
        "status",
        "wait",
        "download",
        "images",
        "templates",
        "batch",
        "call",
        "webhook",
        "sandbox",
        "config",
    ):
        assert f"  {command}" in helped.out
    assert "Exit codes" in helped.out
    assert rtb().code == 2  # no command: the help, and a usage exit code
    unknown = rtb("frobnicate")
    assert unknown.code == 2 and "No such command" in unknown.err


def test_the_command_table_says_what_each_command_says() -> None:
    # `rtb --help` lists the commands from the table without importing them: each line
    # must be what the command's own help would give, at any width.
    ctx = click.Context(cli)
    for name, (module, attribute, summary) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name, (name, module, attribute)
        stand_in = click.Command(name, help=summary)
        for limit in (30, 45, 80, 200):
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), name
    assert cli.list_commands(ctx) == list(COMMANDS)


# What each help may import: no client (requests, urllib3, lxml, the generated code,
# the core's client), no workflows, no rich, and not logging (only -v needs it).
_HEAVY = ("requests", "urllib3", "lxml", "rich", "platformdirs", "logging")
_HEAVY_OURS = (
    "removethebackground.generated",
    "removethebackground.core",
    "removethebackground.workflows",
    "removethebackground.bindings",
    "removethebackground.cli.operations",
    "removethebackground.cli.settings",
    "removethebackground.cli.render",
)
_HELPS = [
    ["--help"],
    ["--version"],
    *([name, "--help"] for name in COMMANDS if name != "sandbox"),  # sandbox: its own argparse
    ["batch", "submit", "--help"],
    ["batch", "wait", "--help"],
    ["config", "set", "--help"],
    ["webhook", "serve", "--help"],
    ["call"],
]


def test_help_imports_neither_the_client_nor_its_dependencies(env: dict[str, str]) -> None:
    # One fresh interpreter runs every help in turn and reports, after each, any module
    # it must not have loaded (modules stay loaded, so the first culprit is named).
    code = (
        "import contextlib, io, json, sys\n"
        "from removethebackground.cli.main import main\n"
        f"heavy, ours = {_HEAVY!r}, {_HEAVY_OURS!r}\n"
        "report = {}\n"
        f"for argv in {_HELPS!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        code = main(argv)\n"
        "    bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy\n"
        "                 or m.startswith(ours))\n"
        "    report[' '.join(argv)] = [code, bad]\n"
        "print(json.dumps(report))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    report = json.loads(done.stdout)
    for argv, (code, bad) in report.items():
        assert code == (2 if argv == "call" else 0), argv
        assert bad == [], f"rtb {argv} imported {bad}"


def test_cli_modules_import_no_private_names() -> None:
    # One module per command group; what they share is public (context, jobs, render).
    for path in sorted(CLI_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                private = [
                    a.name
                    for a in node.names
                    if a.name.startswith("_") and not a.name.endswith("__")
                ]
                assert not private, f"{path.name} imports {private} from .{node.module}"


def test_entry_points_and_exit_codes_in_a_process(rtb_process: Rtb, env: dict[str, str]) -> None:
    from removethebackground import __version__

    script = Path(sys.executable).with_name("rtb")
    for argv in (
        [str(script), "--version"],
        [sys.executable, "-m", "removethebackground", "--version"],
        [sys.executable, "-m", "removethebackground.cli", "--version"],
    ):
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0 and done.stdout.strip() == f"rtb, version {__version__}"
    assert rtb_process().code == 2
    unknown = rtb_process("frobnicate")
    assert unknown.code == 2 and "No such command" in unknown.err
    fault = rtb_process("status", str(uuid.uuid4()))
    assert fault.code == 3 and "Image not found" in _one_error_line(fault)
    no_account = rtb_process("templates", extra_env={"RTB_EMAIL": None})
    assert no_account.code == 2 and "RTB_EMAIL" in _one_error_line(no_account)


def test_missing_cli_extra_says_how_to_install(env: dict[str, str]) -> None:
    # Simulate an installation without click: importing it fails.
    code = (
        "import sys, runpy; sys.modules['click'] = None; sys.argv = ['rtb', 'templates'];"
        "runpy.run_module('removethebackground', run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        'error: the rtb command needs the cli extra: pip install ".[cli]" in the project\'s clone'
    ]


# --- rtb call ---------------------------------------------------------------------------------


def test_call_list_shows_every_operation_of_both_generations(rtb: Rtb) -> None:
    listed = rtb("call", "--list", "--json")
    assert listed.code == 0
    rows = listed.json()
    assert isinstance(rows, list)
    got = {(r["generation"], r["operation"]) for r in rows}
    want = {("pixelz", name) for name in pixelz.SERVICE.operations} | {
        ("legacy", name) for name in legacy.SERVICE.operations
    }
    assert got == want
    add = next(r for r in rows if r["operation"] == "AddImageToQueue")
    assert "contactAPIkey" not in add["parameters"]  # filled in by the client
    assert "templateId" in add["parameters"] and add["bindings"] == ["soap11", "soap12"]
    table = rtb("call", "--list")
    assert table.code == 0
    for name in pixelz.SERVICE.operations:
        assert name in table.out
    assert "getImageStatus" in table.out


def test_call_sends_typed_parameters_and_prints_table_or_json(
    rtb: Rtb, sb: SandboxHandle, template_id: str
) -> None:
    added = rtb(
        "call", "AddImageToQueue", "--template-id", template_id,
        "--imageURL", "https://cdn.example.com/a.jpg",  # the XML name works too
        "--product-id", "call-test", "--colorway-ids", "3", "--colorway-ids", "4",
        "--color-change-requests", '{"customerImageColorID": "red", "colorChangeRequestMarkers":'
        ' [{"markerX": "0.25", "markerY": "0.5"}]}',
        "--json",
    )  # fmt: skip
    assert added.code == 0, added.err
    data = added.json()
    assert isinstance(data, dict)
    ticket = data["image_ticket"]
    row = sb.image(ticket)
    assert row is not None and row.product_id == "call-test"

    shown = rtb("call", "get-image-status", "--image-ticket", ticket)
    assert shown.code == 0, shown.err
    assert ticket in shown.out and "image_status.status_id" in shown.out
    # A wire name is exact: getImageStatus is generation 1's operation.
    old = rtb("call", "getImageStatus", "--image-ticket", ticket, "--json")
    assert old.code == 0, old.err
    status = old.json()
    assert isinstance(status, dict)
    assert status["image_status"]["image_ticket"] == ticket
    assert status["image_status"]["status_id"] in (1, 2, 3, 4)

    helped = rtb("call", "AddImageToQueue", "--help")
    assert helped.code == 0
    assert "SOAPAction" in helped.out and "--template-id" in helped.out
    assert "--colorway-ids" in helped.out and "array of int" in helped.out
    assert "--contact-api-key" not in helped.out
    # the overlay's rules show in the help, as the run-time check enforces them
    listed = rtb("call", "GetImagesList", "--help")
    assert "must be between 1 and 100" in " ".join(listed.out.split())


def test_call_checks_values_before_sending(rtb: Rtb, sb: SandboxHandle, template_id: str) -> None:
    before = sb.store.count_images()
    not_int = rtb("call", "AddImageToQueue", "--image-url", "https://x.example.com/a.jpg",
                  "--colorway-ids", "3", "--colorway-ids", "three")  # fmt: skip
    assert not_int.code == 2
    assert "--colorway-ids" in not_int.err and "'three'" in not_int.err
    bad_json = rtb("call", "AddImageToQueue", "--color-change-requests", '{"nope": 1}')
    assert bad_json.code == 2 and "has no field 'nope'" in bad_json.err
    wrong_binding = rtb("--binding", "http_get", "call", "AddImageToQueue", "--image-url", "u")
    assert wrong_binding.code == 2 and "http_get" in _one_error_line(wrong_binding)
    assert sb.store.count_images() == before  # nothing was sent
    # A value of the right type that the service refuses: a fault, exit 3.
    fault = rtb("call", "AddImageToQueue", "--image-url", "https://x.example.com/a.jpg",
                "--template-id", template_id, "--colorway-ids", "-1")  # fmt: skip
    assert fault.code == 3
    assert "colorwayIds" in _one_error_line(fault)


def test_xsd_values_are_checked_by_type() -> None:
    import click

    from removethebackground.cli.operations import XsdType

    assert XsdType("boolean").convert("true", None, None) is True
    assert XsdType("boolean").convert("0", None, None) is False
    assert XsdType("int").convert("-12", None, None) == -12
    assert str(XsdType("decimal").convert("12.50", None, None)) == "12.50"
    ticket = uuid.uuid4()
    assert XsdType("guid").convert(str(ticket).upper(), None, None) == ticket
    assert XsdType("dateTime").convert("2024-05-01T10:00:00", None, None).year == 2024
    for xsd, text in (
        ("boolean", "yes"),
        ("int", "1.5"),
        ("int", "2147483648"),
        ("unsignedByte", "256"),
        ("guid", "not-a-guid"),
        ("decimal", "NaN"),
        ("decimal", "abc"),
        ("dateTime", "yesterday"),
    ):
        with pytest.raises(click.BadParameter, match=f"xsd:{xsd}"):
            XsdType(xsd).convert(text, None, None)


# --- templates, status, errors ------------------------------------------------------------------


def test_templates_table_and_json(rtb: Rtb, sb: SandboxHandle) -> None:
    client = pixelz.PixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint)
    names = [t.template_name for t in client.get_templates().templates or [] if t]
    as_json = rtb("templates", "--json")
    assert as_json.code == 0
    rows = as_json.json()
    assert isinstance(rows, list)
    assert [r["template_name"] for r in rows] == names
    table = rtb("--binding", "soap12", "templates")
    assert table.code == 0
    assert all(str(name) in table.out for name in names)
    assert table.out.splitlines()[0].split()[:2] == ["id", "name"]


def test_status_of_both_generations(rtb: Rtb, sb: SandboxHandle, template_id: str) -> None:
    client = pixelz.PixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint)
    ticket = str(
        client.add_image_to_queue(
            template_id=template_id, image_url="https://cdn.example.com/s.jpg", product_id="p-9"
        ).image_ticket
    )
    table = rtb("status", ticket)
    assert table.code == 0, table.err
    assert ticket in table.out and "p-9" in table.out
    assert table.out.splitlines()[0].split()[:3] == ["ticket", "status_id", "status"]
    old = rtb("--generation", "legacy", "--binding", "http_get", "status", ticket, "--json")
    assert old.code == 0, old.err
    rows = old.json()
    assert isinstance(rows, list) and rows[0]["status_id"] in (1, 2, 3, 4)


def test_exit_codes_tell_errors_apart(rtb: Rtb) -> None:
    unknown = rtb("status", str(uuid.uuid4()))
    assert unknown.code == 3 and "Image not found" in _one_error_line(unknown)
    wrong_key = rtb("templates", extra_env={"RTB_API_KEY": KEY + "-wrong"})
    assert wrong_key.code == 3
    assert "Invalid contact credentials" in _one_error_line(wrong_key)
    assert "-wrong" not in wrong_key.err
    # The key given as a flag is hidden just the same.
    flagged = rtb("--api-key", KEY, "templates", extra_env={"RTB_API_KEY": None})
    assert flagged.code == 0
    no_account = rtb("templates", extra_env={"RTB_EMAIL": None})
    assert no_account.code == 2 and "RTB_EMAIL" in _one_error_line(no_account)

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    refused = rtb("--endpoint", f"http://127.0.0.1:{port}/soap.asmx", "templates")
    assert refused.code == 4 and "cannot reach" in _one_error_line(refused)
    # Over HTTP GET the key is in the URL that the connection error names: hidden.
    in_url = rtb("--binding", "http_get", "--endpoint", f"http://127.0.0.1:{port}/soap.asmx",
                 "templates")  # fmt: skip
    assert in_url.code == 4 and "cannot reach" in _one_error_line(in_url)

    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/soap.asmx"
        slow = rtb("--endpoint", url, "--http-timeout", "0.3", "templates")
    assert slow.code == 5 and "http-timeout" in _one_error_line(slow)


# --- config ---------------------------------------------------------------------------------------


def test_config_profiles(rtb: Rtb, sb: SandboxHandle, tmp_path: Path) -> None:
    path = tmp_path / "rtb" / "config.toml"
    bare = {
        "RTB_CONFIG": str(path),
        "RTB_EMAIL": None,
        "RTB_API_KEY": None,
        "RTB_PIXELZ_ENDPOINT": None,
    }
    assert rtb("config", "set", "email", EMAIL, extra_env=bare).code == 0
    aborted = rtb("config", "set", "template-id", extra_env=bare)  # asked for; stdin is empty
    assert aborted.code == 130 and _one_error_line(aborted) == "error: aborted"
    stored = rtb("config", "set", "api-key", "-", "--json", stdin=KEY + "\n", extra_env=bare)
    assert stored.code == 0 and stored.json() == {
        "profile": "default",
        "config_file": str(path),
        "key": "api_key",
        "value": "********",
    }
    assert settings.load_config(path)["default"]["api_key"] == KEY
    assert rtb("config", "set", "pixelz-endpoint", sb.pixelz_endpoint, extra_env=bare).code == 0
    assert rtb("config", "set", "--profile", "other", "email", "x@example.org",
               extra_env=bare).code == 0  # fmt: skip
    assert "other" in settings.load_config(path)
    assert path.stat().st_mode & 0o777 == 0o600

    shown = rtb("config", "show", "--json", extra_env=bare)
    data = shown.json()
    assert isinstance(data, dict)
    assert data["profile"] == "default"
    assert data["settings"]["api_key"] == {"value": "********", "source": "profile default"}
    assert data["settings"]["email"]["value"] == EMAIL
    assert rtb("templates", extra_env=bare).code == 0  # the profile is enough to work

    table = rtb("config", "show", extra_env=bare)
    assert "********" in table.out and "profile default" in table.out
    listed = rtb("config", "list", extra_env=bare)
    assert listed.code == 0 and "default" in listed.out and "other" in listed.out
    path.write_text("[profiles.default\n")
    broken = rtb("templates", extra_env=bare)
    assert broken.code == 2 and "not valid TOML" in _one_error_line(broken)


# --- the workflows: submit, wait, download, images, batch, webhooks ---------------------------


def _with_terminal_stderr(env: dict[str, str], *args: str) -> tuple[Run, str]:
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "removethebackground", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        env=env,
    )
    os.close(follower)
    assert process.stdout is not None
    out = process.stdout.read()
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    code = process.wait(timeout=30)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    _check(out, terminal)
    return Run(code, out, terminal), terminal


def test_submit_folder_wait_and_download(
    rtb: Rtb,
    env: dict[str, str],
    sb: SandboxHandle,
    photos: Path,
    template_id: str,
    tmp_path: Path,
) -> None:
    from PIL import Image

    out = tmp_path / "cutouts"
    done = rtb("submit", str(photos), "--template-id", template_id, "--wait", "--download",
               str(out), "--poll", "0.2", "--timeout", "20", "--json")  # fmt: skip
    assert done.code == 0, done.err
    rows = done.json()
    assert isinstance(rows, list)
    assert [Path(r["source"]).name for r in rows] == ["shoe-0.jpg", "shoe-1.jpg"]
    for row in rows:
        assert row["status_id"] == 80 and row["status"] == "Delivered"
        assert sb.image(row["ticket"]) is not None
        (file,) = row["files"]
        assert Path(file).parent == out and Path(file).name.startswith(Path(row["source"]).stem)
        with Image.open(file) as cutout:
            assert cutout.mode == "RGBA"
            assert cutout.getextrema()[3][0] == 0  # some of it is transparent
    assert "━" not in done.err  # no progress bar when stderr is not a terminal

    table = rtb("submit", str(photos / "shoe-0.jpg"), "--template-id", template_id)
    assert table.code == 0, table.err
    assert table.out.splitlines()[0].split() == ["source", "ticket"]
    ticket = table.out.splitlines()[-1].split()[-1]
    assert sb.image(ticket) is not None
    # On a terminal, the wait shows a progress bar on stderr (stdout keeps the table).
    waited, terminal = _with_terminal_stderr(
        env, "wait", ticket, "--poll", "0.2", "--timeout", "20"
    )
    assert waited.code == 0 and "Delivered" in waited.out
    assert "waiting" in terminal and "━" in terminal
    fetched = rtb("download", ticket, "--dest", str(tmp_path / "one"), "--json")
    assert fetched.code == 0, fetched.err
    fetched_rows = fetched.json()
    assert isinstance(fetched_rows, list)
    assert Path(fetched_rows[0]["files"][0]).is_file()


def test_wait_timeout_and_images_that_fail(
    rtb: Rtb, sb: SandboxHandle, template_id: str, tmp_path: Path
) -> None:
    held = rtb("submit", "https://cdn.example.com/held.jpg", "--product-id", "hold",
               "--template-id", template_id, "--json")  # fmt: skip
    rows = held.json()
    assert isinstance(rows, list)
    ticket = rows[0]["ticket"]
    late = rtb("wait", ticket, "--timeout", "0.6", "--poll", "0.2")
    assert late.code == 5 and "New" in _one_error_line(late)
    pending = rtb("download", ticket, "--dest", str(tmp_path))
    assert pending.code == 1 and "not delivered" in pending.err
    assert list(tmp_path.iterdir()) == []
    # An image the sandbox cannot fetch goes On Hold: waiting ends, but it failed.
    broken = rtb("submit", "https://broken.invalid/x.jpg", "--template-id", template_id,
                 "--wait", "--poll", "0.2", "--timeout", "20")  # fmt: skip
    assert broken.code == 1 and "On Hold" in broken.out + broken.err


def test_images_and_products_lists(rtb: Rtb, sb: SandboxHandle, template_id: str) -> None:
    client = pixelz.PixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint)
    mine = {
        str(
            client.add_image_to_queue(
                template_id=template_id, image_url=f"https://cdn.example.com/l{n}.jpg",
                product_id="listed",
            ).image_ticket
        )
        for n in range(3)
    }  # fmt: skip
    listed = rtb("images", "--product-id", "listed", "--json")
    assert listed.code == 0, listed.err
    rows = listed.json()
    assert isinstance(rows, list)
    assert {r["ticket"] for r in rows} == mine
    limited = rtb("images", "--product-id", "listed", "--limit", "2")
    assert limited.code == 0
    assert sum(t in limited.out for t in mine) == 2
    products = rtb("products", "--json")
    assert products.code == 0, products.err
    found = products.json()
    assert isinstance(found, list)
    assert "listed" in json.dumps(found)


def test_batch_submit_status_wait_download(
    rtb: Rtb, sb: SandboxHandle, photos: Path, template_id: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "shoes.csv"
    (tmp_path / "shoe.jpg").write_bytes((photos / "shoe-0.jpg").read_bytes())
    with manifest.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "customer_image_id", "product_id", "template_id"])
        writer.writerow(["shoe.jpg", f"b-{uuid.uuid4().hex[:8]}", "batch", template_id])
        writer.writerow(["https://cdn.example.com/b.jpg", "", "batch", template_id])
    journal = tmp_path / "shoes.csv.journal"
    sent = rtb("batch", "submit", str(manifest), "--json")
    assert sent.code == 0, sent.err
    data = sent.json()
    assert isinstance(data, dict) and data["journal"] == str(journal)
    assert data["summary"]["total"] == 2 and data["summary"]["submitted"] == 2
    tickets = [r["ticket"] for r in data["rows"]]
    assert all(sb.image(t) is not None for t in tickets)
    again = rtb("batch", "submit", str(manifest), "--json")  # exactly once: nothing new
    again_data = again.json()
    assert isinstance(again_data, dict)
    assert [r["ticket"] for r in again_data["rows"]] == tickets

    status = rtb("batch", "status", str(journal))
    assert status.code == 0 and all(t in status.out for t in tickets)
    waited = rtb("batch", "wait", str(journal), "--poll", "0.2", "--timeout", "20", "--json")
    assert waited.code == 0, waited.err
    waited_data = waited.json()
    assert isinstance(waited_data, dict)
    assert [r["status"] for r in waited_data["rows"]] == ["Delivered", "Delivered"]
    fetched = rtb("batch", "download", str(journal), str(tmp_path / "out"))
    assert fetched.code == 0, fetched.err
    assert len(list((tmp_path / "out").glob("*.png"))) == 2
    assert "2 downloaded" in fetched.err


def test_batch_on_a_postgresql_journal_from_any_machine(
    rtb: Rtb, sb: SandboxHandle, photos: Path, template_id: str, tmp_path: Path
) -> None:
    from support.postgres import PASSWORD, database_url

    url = database_url()
    manifest = tmp_path / "shoes.csv"
    (tmp_path / "shoe.jpg").write_bytes((photos / "shoe-0.jpg").read_bytes())
    with manifest.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "customer_image_id", "product_id", "template_id"])
        writer.writerow(["shoe.jpg", f"b-{uuid.uuid4().hex[:8]}", "batch", template_id])
        writer.writerow(["https://cdn.example.com/b.jpg", "", "batch", template_id])
    sent = rtb("batch", "submit", str(manifest), "--journal", url, "--json")
    assert sent.code == 0, sent.err
    data = sent.json()
    assert isinstance(data, dict) and data["summary"]["submitted"] == 2
    assert PASSWORD not in sent.out + sent.err and "***" in data["journal"]
    assert not list(tmp_path.glob("*.journal"))  # nothing written beside the manifest
    tickets = [r["ticket"] for r in data["rows"]]
    again = rtb("batch", "submit", str(manifest), "--journal", url, "--json")
    again_data = again.json()
    assert isinstance(again_data, dict) and [r["ticket"] for r in again_data["rows"]] == tickets
    status = rtb("batch", "status", url)
    assert status.code == 0 and all(t in status.out for t in tickets), status.err
    waited = rtb("batch", "wait", url, "--poll", "0.2", "--timeout", "20", "--json")
    assert waited.code == 0, waited.err
    fetched = rtb("batch", "download", url, str(tmp_path / "out"))
    assert fetched.code == 0, fetched.err
    assert len(list((tmp_path / "out").glob("*.png"))) == 2
    for run in (status, waited, fetched):
        assert PASSWORD not in run.out + run.err


def test_webhook_serve_prints_confirmed_notifications(
    env: dict[str, str], sb: SandboxHandle, template_id: str
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "removethebackground", "webhook", "serve", "--port", "0", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None and process.stdout is not None
        banner = process.stderr.readline()
        assert "webhook receiver on http://127.0.0.1:" in banner, banner
        url = banner.split(" on ", 1)[1].split()[0]
        client = pixelz.PixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint)
        ticket = str(
            client.add_image_to_queue(
                template_id=template_id,
                image_url="https://cdn.example.com/hook.jpg",
                image_callback_url=url + "hook",
            ).image_ticket
        )
        line = process.stdout.readline()  # blocks until the first notification
        event = json.loads(line)
        assert event["ticket"] == ticket and event["status_id"] == 80
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        _check(process.stdout.read() + line, banner + process.stderr.read())
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_rtb_sandbox_keeps_its_options(rtb: Rtb) -> None:
    helped = rtb("sandbox", "--help")
    assert helped.code == 0
    for option in ("--port", "--data", "--account", "--step-seconds", "--threads", "--quiet"):
        assert option in helped.out


def test_settings_precedence(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    settings.save_config(
        path,
        {
            "default": {"email": "profile@example.org", "api_key": "k1", "binding": "soap12"},
            "other": {"email": "other@example.org"},
        },
    )
    env = {"RTB_CONFIG": str(path), "RTB_EMAIL": "env@example.org", "RTB_ENDPOINT": "http://a/x"}
    # The environment beats the default profile; a flag beats both.
    got = settings.resolve({}, profile=None, environ=env)
    assert (got.get("email"), got.sources["email"]) == ("env@example.org", "env RTB_EMAIL")
    assert (got.get("binding"), got.sources["binding"]) == ("soap12", "profile default")
    assert got.endpoint("pixelz") == "http://a/x"  # RTB_ENDPOINT: the pixelz one, as before
    env["RTB_PIXELZ_ENDPOINT"] = "http://b/y"
    assert settings.resolve({}, profile=None, environ=env).endpoint("pixelz") == "http://b/y"
    flagged = settings.resolve({"email": "flag@example.org"}, profile=None, environ=env)
    assert flagged.sources["email"] == "flag"
    # A --profile given on the command line beats the environment.
    chosen = settings.resolve({}, profile="other", environ=env)
    assert (chosen.get("email"), chosen.get("api_key")) == ("other@example.org", None)
    by_env = settings.resolve({}, profile=None, environ={**env, "RTB_PROFILE": "other"})
    assert by_env.get("email") == "env@example.org" and by_env.profile == "other"
    assert by_env.shown()["api_key"]["value"] is None
    shown = got.shown()["api_key"]
    assert shown == {"value": "********", "source": "profile default"}
    with pytest.raises(settings.ConfigError, match="rtb config set --profile nope"):
        settings.resolve({}, profile="nope", environ=env)
    with pytest.raises(settings.ConfigError, match="RTB_BINDING"):
        settings.resolve({}, profile=None, environ={**env, "RTB_BINDING": "pigeon"})
    with pytest.raises(settings.ConfigError, match="not usable"):
        settings.resolve({}, profile="../etc", environ=env)
    assert path.stat().st_mode & 0o777 == 0o600
    # Values with quotes, backslashes and non-ASCII survive the round trip.
    odd = 'k"e\\y\u00e9\t'
    settings.save_config(path, {"default": {"api_key": odd}})
    assert settings.load_config(path) == {"default": {"api_key": odd}}


# --- the daily rough edges --------------------------------------------------------------------


def _queued(sb: SandboxHandle, template_id: str, url: str, product_id: str = "") -> str:
    client = pixelz.PixelzClient(EMAIL, KEY, endpoint=sb.pixelz_endpoint)
    return str(
        client.add_image_to_queue(
            template_id=template_id, image_url=url, product_id=product_id
        ).image_ticket
    )


def test_download_wait_of_an_image_on_hold_says_what_on_hold_means(
    rtb: Rtb, sb: SandboxHandle, template_id: str, tmp_path: Path
) -> None:
    ticket = _queued(sb, template_id, "https://broken.invalid/held.jpg")  # cannot be fetched
    held = rtb("download", ticket, "--wait", "--poll", "0.2", "--timeout", "20",
               "--dest", str(tmp_path))  # fmt: skip
    assert held.code == 1, held.err
    note = " ".join(held.err.split())
    assert "On Hold" in note and ticket in note
    assert "add --wait" not in note  # it did wait: waiting longer changes nothing
    assert "submit it again" in note  # what to do about it
    assert list(tmp_path.iterdir()) == []
    waited = rtb("wait", ticket, "--poll", "0.2", "--timeout", "20")
    assert waited.code == 1 and "On Hold means" in " ".join(waited.err.split())


def test_several_tickets_one_failing_the_others_still_shown(
    rtb: Rtb, sb: SandboxHandle, template_id: str
) -> None:
    good = _queued(sb, template_id, "https://cdn.example.com/several.jpg", "several")
    unknown = str(uuid.uuid4())
    shown = rtb("status", good, unknown)
    assert shown.code == 3  # a fault, for one of them
    assert good in shown.out and "several" in shown.out
    line = _one_error_line(shown)
    assert unknown in line and "Image not found" in line
    as_json = rtb("status", unknown, good, "--json")
    assert as_json.code == 3
    rows = as_json.json()
    assert isinstance(rows, list) and [r["ticket"] for r in rows] == [unknown, good]
    assert "Image not found" in rows[0]["error"] and "error" not in rows[1]
    # wait and download go on with the others too
    waited = rtb("wait", good, unknown, "--poll", "0.2", "--timeout", "20", "--json")
    assert waited.code == 3, waited.err
    waited_rows = waited.json()
    assert isinstance(waited_rows, list) and waited_rows[0]["status"] == "Delivered"
    assert unknown in _one_error_line(waited)


def test_user_errors_carry_no_provenance(rtb: Rtb) -> None:
    from removethebackground.core.errors import InvalidParameterError

    refused = rtb("call", "GetImagesList", "--images-per-page", "101")
    assert refused.code == 2
    line = _one_error_line(refused)
    assert "images_per_page: '101' must be between 1 and 100" in line
    assert "source:" not in line and "service.md" not in line
    legacy_guid = rtb("--generation", "legacy", "call", "getImageStatus",
                      "--ImageTicket", "not-a-guid")  # fmt: skip
    assert legacy_guid.code == 2
    line = _one_error_line(legacy_guid)
    assert "not a valid GUID" in line and "recorded traffic" not in line
    # The provenance stays on the exception, for maintainers.
    client = pixelz.PixelzClient(EMAIL, KEY, endpoint="http://127.0.0.1:9/soap.asmx")
    with pytest.raises(InvalidParameterError) as info:
        client.get_images_list(images_per_page=101)
    assert info.value.source and "service.md" in info.value.source
    assert "(source: service.md" in str(info.value)
    assert "source" not in info.value.user_message


def test_timeouts_are_shown_rounded(rtb: Rtb, sb: SandboxHandle, template_id: str) -> None:
    ticket = _queued(sb, template_id, "https://cdn.example.com/round.jpg", "hold")
    late = rtb("wait", ticket, "--timeout", "0.6", "--poll", "0.2")
    assert late.code == 5
    line = _one_error_line(late)
    assert "within 0.6 s" in line, line
    import re

    assert not re.search(r"\d\.\d{3,}", line), line


def test_unknown_names_get_a_did_you_mean(rtb: Rtb) -> None:
    typo = rtb("call", "GetImageStats")
    assert typo.code == 2 and "Did you mean GetImageStatus" in typo.err, typo.err
    kebab = rtb("call", "get-image-stat", "--image-ticket", str(uuid.uuid4()))
    assert kebab.code == 2 and "GetImageStatus" in kebab.err
    command = rtb("statsu", "x")
    assert command.code == 2 and "Did you mean 'status'" in command.err
    option = rtb("call", "GetImageStatus", "--ImageTicket", str(uuid.uuid4()))
    assert option.code == 2 and "--imageTicket" in option.err  # the XML name


class _InterruptImport:
    """A meta path finder that presses Ctrl-C while ``name`` is imported."""

    def __init__(self, name: str) -> None:
        self.name = name

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname == self.name:
            raise KeyboardInterrupt
        return None


# app: imported by the entry point before anything else; images: a command's module,
# imported when the command runs.
@pytest.mark.parametrize(
    "module", ["removethebackground.cli.app", "removethebackground.cli.images"]
)
def test_ctrl_c_at_start_up_exits_130_without_a_traceback(
    rtb: Rtb, monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    for name in list(sys.modules):
        if name == module or name.startswith(module + "."):
            monkeypatch.delitem(sys.modules, name)
    if module == "removethebackground.cli.app":
        monkeypatch.delattr(sys.modules["removethebackground.cli"], "app", raising=False)
    if module == "removethebackground.cli.images":  # loaded by an earlier test: forget it
        monkeypatch.delitem(cli.commands, "status", raising=False)
        monkeypatch.delattr(sys.modules["removethebackground.cli"], "images", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_InterruptImport(module), *sys.meta_path])
    try:
        stopped = rtb("status", str(uuid.uuid4()))
    except KeyboardInterrupt:
        pytest.fail(f"Ctrl-C while importing {module} escaped rtb as a KeyboardInterrupt")
    assert stopped.code == 130
    assert _one_error_line(stopped) == "error: interrupted"


def test_ctrl_c_in_a_process_at_start_up(env: dict[str, str]) -> None:
    code = (
        "import sys\n"
        "class Stop:\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'removethebackground.cli.app':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n"
        "from removethebackground.cli.main import main\n"
        "sys.exit(main(['templates']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 130
    assert done.stderr == "error: interrupted\n" and done.stdout == ""


def test_a_silent_server_is_a_timeout_for_submit_too(rtb: Rtb, template_id: str) -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/soap.asmx"
        submitted = rtb("--endpoint", url, "--http-timeout", "0.3", "submit",
                        "https://cdn.example.com/silent.jpg",
                        "--template-id", template_id)  # fmt: skip
        status = rtb("--endpoint", url, "--http-timeout", "0.3", "status", str(uuid.uuid4()))
    assert submitted.code == 5, submitted.err
    line = _one_error_line(submitted)
    assert "may or may not have run" in line and "rtb status" in line
    assert status.code == 5, status.err


def test_config_values_are_checked_when_set(rtb: Rtb, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    bare = {"RTB_CONFIG": str(path)}
    for key, value, says in (
        ("template-id", "abc", "template_id 'abc' is not a valid number"),
        ("template-id", "0", "must be at least 1"),
        ("template-id", "1.5", "not a valid number"),
        ("binding", "pigeon", "pigeon"),
        ("generation", "third", "third"),
        ("pixelz-endpoint", "ftp://example.com/soap.asmx", "not an http(s) URL"),
        ("pixelz-endpoint", "example.com/soap.asmx", "not an http(s) URL"),
        ("legacy-endpoint", "https://h.example/soap.asmx?key=s3cret", "query string"),
        ("email", "   ", "email"),
    ):
        refused = rtb("config", "set", key, value, extra_env=bare)
        assert refused.code == 2, (key, value, refused.err)
        line = _one_error_line(refused)
        assert says in line, (key, line)
        assert "s3cret" not in line
        assert not path.exists()  # nothing written
    accepted = rtb("config", "set", "template-id", " 1001 ", extra_env=bare)
    assert accepted.code == 0, accepted.err
    assert settings.load_config(path)["default"]["template_id"] == "1001"
    # The same rule holds for the environment: a bad RTB_TEMPLATE_ID names itself.
    bad_env = rtb("config", "show", extra_env={**bare, "RTB_TEMPLATE_ID": "abc"})
    assert bad_env.code == 2 and "RTB_TEMPLATE_ID" in _one_error_line(bad_env)


def test_a_bad_manifest_reports_every_problem_and_writes_nothing(
    rtb: Rtb, sb: SandboxHandle, template_id: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "bad.csv"
    with manifest.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "customer_image_id", "template_id", "callback_url"])
        writer.writerow(["https://cdn.example.com/ok.jpg", "", template_id, ""])
        writer.writerow(["ftp://example.com/a.jpg", "", template_id, ""])
        writer.writerow(["https://cdn.example.com/b.jpg", "", "abc", "mailto:x@example.com"])
        writer.writerow(["", "x" * 101, template_id, ""])
    before = sb.store.count_images()
    sent = rtb("batch", "submit", str(manifest))
    assert sent.code == 2, sent.err
    lines = [line for line in sent.err.splitlines() if line.startswith("error: ")]
    text = "\n".join(lines)
    for where in (
        "row 2 column image",
        "row 3 column template_id",
        "row 3 column callback_url",
        "row 4 column image",
        "row 4 column customer_image_id",
    ):
        assert where in text, text
    assert "5 problems" in lines[-1] and "nothing was sent" in lines[-1]
    assert not (tmp_path / "bad.csv.journal").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]
    assert sb.store.count_images() == before


def test_templates_name_the_currency_column(rtb: Rtb) -> None:
    table = rtb("templates")
    assert table.code == 0, table.err
    header = table.out.splitlines()[0].split()
    assert "currency" in header and "prices" not in header


def test_shell_completion_answers_for_commands(rtb: Rtb) -> None:
    def complete(*words: str) -> list[str]:
        done = rtb(extra_env={
            "_RTB_COMPLETE": "bash_complete",
            "COMP_WORDS": " ".join(["rtb", *words]),
            "COMP_CWORD": str(len(words)),
        })  # fmt: skip
        assert done.code == 0, done.err
        return [line.split(",", 1)[1] for line in done.out.splitlines() if "," in line]

    assert "status" in complete("sta")
    assert set(complete("")) >= set(COMMANDS)
    assert "GetImageStatus" in complete("call", "GetImageS")
    assert "--template-id" in complete("submit", "--templ")
    script = rtb(extra_env={"_RTB_COMPLETE": "bash_source"})
    assert script.code == 0 and "_RTB_COMPLETE=bash_complete" in script.out


def test_verbose_logs_the_redacted_envelopes(rtb: Rtb) -> None:
    loud = rtb("-v", "templates")
    assert loud.code == 0, loud.err
    assert "removethebackground.wire" in loud.err and "GetTemplates" in loud.err
    assert "contactAPIkey>***<" in loud.err.replace(" ", "")  # there, and redacted
    # (every run checks that no form of the key is on stdout or stderr)
    quiet = rtb("templates")
    assert quiet.code == 0 and "GetTemplates" not in quiet.err  # the log ended with the run


def test_the_help_examples_of_submit_run_as_written(
    rtb: Rtb, photos: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `rtb --help` and `rtb submit --help` show `rtb submit ./photos ...`: run exactly that,
    # in a folder holding photos/, against the sandbox with the demo account the help names.
    (tmp_path / "photos").mkdir()
    for photo in photos.glob("*.jpg"):
        (tmp_path / "photos" / photo.name).write_bytes(photo.read_bytes())
    monkeypatch.chdir(tmp_path)
    examples = {
        line.strip()
        for argv in (["--help"], ["submit", "--help"])
        for line in rtb(*argv).out.splitlines()
        if line.strip().startswith("rtb submit ./photos")
    }
    assert len(examples) == 1, examples
    (example,) = examples
    demo = {"RTB_EMAIL": "demo@example.com", "RTB_API_KEY": "demo-key"}
    done = rtb(*shlex.split(example)[1:], extra_env=demo)
    assert done.code == 0, done.out + done.err
    assert len(list((tmp_path / "cutouts").glob("shoe-*.jpg"))) == 2

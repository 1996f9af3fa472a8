"""Every example of README.md runs as written, against a sandbox.

Each fenced block of README.md is one test, in the README's order, in one temporary
working directory that holds what a reader of the README has: a folder ``photos/``
with product photos. ``python`` blocks run with this environment's Python (the
project's venv under ``make test``), ``sh``/``bash`` blocks with bash, and ``console``
blocks run their ``$ `` lines with bash. They run against a sandbox that this module
starts on a free port:

- the README's shell examples ``export`` the variables a reader sets (``RTB_EMAIL``,
  ``RTB_API_KEY``, ``RTB_PIXELZ_ENDPOINT``); those assignments, read from the README itself,
  make up the environment of every block, so a wrong value in the README fails here;
- the README speaks of the sandbox at its default address (``rtb sandbox`` in a second
  terminal, :data:`README_SANDBOX_URL`); that address is replaced by the test sandbox's
  own, in the blocks and in the variables.

A block is exempt only when the line before its opening fence is a marker
``<!-- not-run: reason -->`` (install commands, a server in the foreground, the
project's own make targets). Any other block must run and exit 0: a block in a
language this test cannot run, without the marker, fails.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from removethebackground.sandbox.config import DEFAULT_PORT
from removethebackground.sandbox.imaging import make_sample_product_photo
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox

README = Path(__file__).resolve().parents[2] / "README.md"

# Where the README says `rtb sandbox` listens (its default port).
README_SANDBOX_URL = "http://127.0.0.1:8110"

RUNNERS = {"python": "python", "sh": "bash", "bash": "bash", "console": "console"}
NOT_RUN = re.compile(r"^<!--\s*not-run:\s*(?P<reason>.*?)\s*-->$")
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
EXPORT = re.compile(r"^\s*export\s+(?P<assignments>.+)$")
BLOCK_TIMEOUT = 180.0
pytestmark = pytest.mark.sandbox


@dataclass(frozen=True)
class Block:
    """One fenced block of the README."""

    line: int  # of the opening fence, 1-based
    lang: str
    code: str
    not_run: str | None  # the marker's reason, or None when the block must run

    @property
    def id(self) -> str:
        return f"line{self.line}-{self.lang or 'plain'}"


def read_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, each with the not-run marker before it."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, lang = match["fence"], match["info"].strip().split(" ")[0]
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].startswith(fence):
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise AssertionError(f"README.md:{start + 1}: the block is never closed")
        before = next((lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        marker = NOT_RUN.match(before)
        reason = marker["reason"] if marker else None
        blocks.append(Block(start + 1, lang, "\n".join(body) + "\n", reason))
        i += 1
    return blocks


BLOCKS = read_blocks(README.read_text(encoding="utf-8"))
TO_RUN = [b for b in BLOCKS if b.not_run is None]


def console_commands(code: str) -> str:
    """The commands of a console block: its ``$ `` lines (the rest is their output)."""
    commands = [line[2:] for line in code.splitlines() if line.startswith("$ ")]
    assert commands, "a console block without a '$ ' command line"
    return "\n".join(commands) + "\n"


def readme_exports(sandbox_url: str) -> dict[str, str]:
    """The variables the README's shell examples export, with the sandbox's address."""
    found: dict[str, str] = {}
    for block in BLOCKS:
        if block.lang not in ("sh", "bash", "console") or block.not_run is not None:
            continue
        code = console_commands(block.code) if block.lang == "console" else block.code
        for line in code.splitlines():
            match = EXPORT.match(line.split(" #", 1)[0])
            if not match:
                continue
            for word in shlex.split(match["assignments"]):
                name, sep, value = word.partition("=")
                assert sep, f"README.md:{block.line}: export {word} sets no value"
                found[name] = value.replace(README_SANDBOX_URL, sandbox_url)
    return found


@dataclass
class Reader:
    """The reader's machine: a working directory, an environment, a running sandbox."""

    cwd: Path
    env: dict[str, str]
    sandbox: SandboxHandle


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    root = tmp_path_factory.mktemp("readme")
    cwd = root / "work"
    photos = cwd / "photos"
    photos.mkdir(parents=True)
    for seed, name in enumerate(("blue-sneaker", "red-sneaker")):
        (photos / f"{name}.jpg").write_bytes(make_sample_product_photo(640, 480, seed=seed))
    home = root / "home"
    home.mkdir()
    with run_sandbox(realtime=True, step_seconds=0.2) as sb:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RTB_")}
        env.update(
            {
                # this environment's python and rtb first, as in an activated venv
                "PATH": os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]]),
                "HOME": str(home),  # `rtb config` writes nowhere but here
                "XDG_CONFIG_HOME": str(home / ".config"),
                "RTB_CONFIG": str(home / "rtb-config.toml"),
                "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1,localhost",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(readme_exports(sb.url))
        yield Reader(cwd, env, sb)


def test_the_readme_sets_the_sandbox_variables_at_its_default_address() -> None:
    assert README_SANDBOX_URL.endswith(f":{DEFAULT_PORT}")
    exported = readme_exports("http://sandbox.test")
    assert exported.get("RTB_PIXELZ_ENDPOINT", "").startswith("http://sandbox.test/"), exported
    assert {"RTB_EMAIL", "RTB_API_KEY"} <= exported.keys(), exported


def test_every_block_is_run_or_says_why_not() -> None:
    assert TO_RUN, "README.md has no example that runs"
    for block in BLOCKS:
        if block.not_run is not None:
            assert block.not_run, f"README.md:{block.line}: a not-run marker needs a reason"


def test_the_readme_links_to_files_that_exist() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\((?!https?:|#)([^)#\s]+)", text)
    assert targets, "README.md links to no page of the docs"
    missing = [t for t in targets if not (README.parent / t).exists()]
    assert not missing, f"README.md links to files that do not exist: {missing}"


@pytest.mark.parametrize("block", TO_RUN, ids=[b.id for b in TO_RUN])
def test_readme_block_runs(block: Block, reader: Reader) -> None:
    runner = RUNNERS.get(block.lang)
    assert runner is not None, (
        f"README.md:{block.line}: a {block.lang or 'plain'!r} block can be neither run nor "
        f"skipped: use python, sh, bash or console, or put '<!-- not-run: reason -->' before it"
    )
    code = block.code.replace(README_SANDBOX_URL, reader.sandbox.url)
    if runner == "python":
        argv = [sys.executable, "-c", code]
    else:
        script = console_commands(code) if runner == "console" else code
        argv = ["bash", "-euo", "pipefail", "-c", script]
    proc = subprocess.run(
        argv,
        cwd=reader.cwd,
        env=reader.env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, (
        f"README.md:{block.line}: the {block.lang} example exited {proc.returncode}\n"
        f"--- code\n{code}--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"
    )

"""Where things are: the repository root (on ``sys.path``, for ``codegen``) and the
recorded ASMX traffic (``../shared/reference`` next to the clone, or ``/work/shared/reference``),
with a reader for its ``*.http`` files."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # codegen is a top-level package of the repository
    sys.path.insert(0, str(REPO_ROOT))


def reference_dir() -> Path | None:
    """``<clone>/../shared/reference`` (CI), else ``/work/shared/reference``, else None."""
    for candidate in (REPO_ROOT.parent / "shared" / "reference", Path("/work/shared/reference")):
        if (candidate / "asmx-traffic").is_dir():
            return candidate
    return None


REFERENCE = reference_dir()
NO_REFERENCE = (
    "the recorded ASMX traffic is not available: expected shared/reference/asmx-traffic "
    "next to the repository clone or at /work/shared/reference"
)


@dataclass(frozen=True)
class HttpMessage:
    """One recorded HTTP request or response, exact bytes split into parts."""

    start_line: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def status(self) -> int:
        return int(self.start_line.split()[1])

    @property
    def reason(self) -> str:
        return self.start_line.split(maxsplit=2)[2] if self.start_line.count(" ") >= 2 else ""


def read_http_message(path: Path) -> HttpMessage:
    data = path.read_bytes()
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, f"{path.name}: no blank line after the headers"
    lines = head.decode("latin-1").split("\r\n")
    headers = []
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers.append((key.strip(), value.strip()))
    message = HttpMessage(lines[0], tuple(headers), body)
    declared = message.header("Content-Length")
    if declared is not None:
        assert int(declared) == len(body), f"{path.name}: Content-Length does not match the body"
    return message


def traffic_pairs() -> list[tuple[str, Path, Path]]:
    """``(folder, request file, response file)`` for every recorded exchange."""
    if REFERENCE is None:
        return []
    pairs = []
    for folder in ("legacy", "pixelz"):
        for request in sorted((REFERENCE / "asmx-traffic" / folder).glob("*.request.http")):
            response = request.with_name(request.name.replace(".request.", ".response."))
            pairs.append((folder, request, response))
    return pairs

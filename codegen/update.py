"""Follow a change of the service: vendor a new WSDL, record where it came from, regenerate.

:func:`update` is what ``python -m codegen update GENERATION FROM`` (and
``make regen``) runs. It works on a repository *root* given as a parameter, so it
can run on a copy of the layout (``wsdl/``, ``codegen/golden/``,
``src/removethebackground/generated/``):

1. read ``FROM`` (a file, or an http(s) URL whose ``?WSDL`` is fetched) and check it
   (:mod:`codegen.fetch`: size cap, no DTD/entities, no remote imports);
2. build the codegen model of the candidate, so a WSDL the generator cannot handle
   is refused before anything is written;
3. diff it against the vendored WSDL (:mod:`codegen.diff`);
4. replace ``wsdl/<generation>/<file>`` byte for byte and append an entry to the
   ``## Updates`` section of the folder's ``PROVENANCE.md``;
5. regenerate (what ``make codegen`` does).

When the candidate is byte-identical to the vendored file nothing is written.
"""

from __future__ import annotations

import datetime
import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .diff import ApiDiff, diff_models
from .fetch import MAX_BYTES, WsdlSource, read_source
from .model import ASMX_SERVICE, BuildOptions, ServiceModel, build
from .overlay import Overlay, OverlayError, load_overlay

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_LISTED_CHANGES = 25


def model_of_bytes(
    data: bytes,
    name: str,
    key: str = "candidate",
    overlay: Overlay | None = None,
    options: BuildOptions = ASMX_SERVICE,
) -> ServiceModel:
    """The codegen model of a WSDL held in memory (written to a temporary file)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return build(key, path, "Client", Path(tmp), overlay, options)


def model_of_file(
    path: Path,
    key: str = "wsdl",
    overlay: Overlay | None = None,
    options: BuildOptions = ASMX_SERVICE,
) -> ServiceModel:
    return build(key, path.resolve(), "Client", path.resolve().parent, overlay, options)


def _overlay(path: str | Path | None) -> Overlay | None:
    if path is None:
        return None
    resolved = Path(path).resolve()
    return load_overlay(resolved, resolved.parent)


def diff_sources(
    old: str,
    new: str,
    *,
    max_bytes: int = MAX_BYTES,
    old_overlay: str | Path | None = None,
    new_overlay: str | Path | None = None,
    options: BuildOptions = ASMX_SERVICE,
) -> ApiDiff:
    """The API diff between two WSDLs, each a file path or an http(s) URL.

    With overlays (``codegen/overlays/*.toml``), each side's rules are applied
    first, so a change of the overlay shows as ``param_values_*`` changes.
    """
    a, b = read_source(old, max_bytes=max_bytes), read_source(new, max_bytes=max_bytes)
    return diff_models(
        model_of_bytes(a.data, "old.wsdl", overlay=_overlay(old_overlay), options=options),
        model_of_bytes(b.data, "new.wsdl", overlay=_overlay(new_overlay), options=options),
        a.origin,
        b.origin,
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class UpdateResult:
    generation: str
    target: Path  # the vendored WSDL
    source: WsdlSource
    diff: ApiDiff | None  # None when the candidate is byte-identical
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.diff is not None


def update(
    root: Path,
    generation: str,
    wsdl: Path,
    source: str,
    *,
    regenerate: Callable[[Path], list[Path]],
    today: datetime.date | None = None,
    max_bytes: int = MAX_BYTES,
    overlay: Overlay | None = None,
    options: BuildOptions = ASMX_SERVICE,
) -> UpdateResult:
    """Vendor ``source`` as ``root / wsdl`` (the generation's WSDL) and regenerate.

    ``regenerate(root)`` writes the generated files under ``root`` and returns the
    paths it changed. Raises :class:`~codegen.model.CodegenError` (or its
    :class:`~codegen.fetch.WsdlSourceError`) before writing anything when the
    candidate is refused, and :class:`~codegen.overlay.OverlayError` when the
    generation's ``overlay`` no longer fits it (an entry for an element the new WSDL
    types or no longer has).
    """
    target = root / wsdl
    candidate = read_source(source, max_bytes=max_bytes)
    result = UpdateResult(generation, target, candidate, None)
    old_bytes = target.read_bytes() if target.exists() else None
    if old_bytes == candidate.data:
        return result
    new_model = model_of_bytes(candidate.data, target.name, generation, options=options)
    if overlay is not None:
        try:
            model_of_bytes(candidate.data, target.name, generation, overlay, options)
        except OverlayError as exc:
            raise OverlayError(
                f"{exc}; nothing written: change or remove that overlay entry for the "
                "new WSDL, then run the update again"
            ) from None
    label = target.relative_to(root).as_posix()
    if old_bytes is not None:
        old_model = model_of_bytes(old_bytes, target.name, generation, options=options)
        result.diff = diff_models(old_model, new_model, label, candidate.origin)
    else:
        empty = ServiceModel(generation, label, new_model.name, new_model.namespace, "", {}, [], [])
        result.diff = diff_models(empty, new_model, "(nothing vendored)", candidate.origin)
    for kind, address in new_model.endpoints.items():
        host = urlsplit(address).hostname or ""
        if host in LOOPBACK_HOSTS:
            result.warnings.append(
                f"the new WSDL's {kind} address is {address}: the generated client's default "
                "endpoint now points at this machine (a sandbox rewrites ?WSDL addresses)"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(candidate.data)
    partial.replace(target)
    provenance = target.parent / "PROVENANCE.md"
    record_update(
        provenance,
        file_name=target.name,
        source=candidate,
        old_sha=sha256(old_bytes) if old_bytes is not None else None,
        diff=result.diff,
        today=today or datetime.datetime.now(datetime.UTC).date(),
    )
    result.written = [target, provenance, *regenerate(root)]
    return result


def provenance_entry(
    *,
    file_name: str,
    source: WsdlSource,
    old_sha: str | None,
    diff: ApiDiff,
    today: datetime.date,
) -> str:
    how = "fetched from" if source.remote else "copied from the file"
    was = f" (was `{old_sha}`)" if old_sha else ""
    n_break = sum(c.breaking for c in diff.changes)
    n_compat = len(diff.changes) - n_break
    lines = [
        f"- {today.isoformat()}: `{file_name}` replaced, {how} `{source.origin}`;",
        f"  sha256 `{sha256(source.data)}`{was}.",
        f"  API diff: {n_break} breaking, {n_compat} compatible" + (":" if diff.changes else "."),
    ]
    for change in diff.changes[:MAX_LISTED_CHANGES]:
        mark = "breaking" if change.breaking else "compatible"
        subject = f"{change.scope} {change.subject}: " if change.subject else ""
        lines.append(f"  - {mark}: {subject}{change.message}")
    if len(diff.changes) > MAX_LISTED_CHANGES:
        lines.append(
            f"  - ... and {len(diff.changes) - MAX_LISTED_CHANGES} more "
            "(`python -m codegen diff` lists them all)"
        )
    return "\n".join(lines) + "\n"


def record_update(
    provenance: Path,
    *,
    file_name: str,
    source: WsdlSource,
    old_sha: str | None,
    diff: ApiDiff,
    today: datetime.date,
) -> None:
    """Append an entry to the ``## Updates`` section, creating the section (or the
    file) when missing; everything already written is kept."""
    entry = provenance_entry(
        file_name=file_name, source=source, old_sha=old_sha, diff=diff, today=today
    )
    text = provenance.read_text(encoding="utf-8") if provenance.exists() else ""
    if not text:
        text = f"# Provenance: `{file_name}`\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "## Updates"), None)
    if start is None:
        lines += ["\n", "## Updates\n", "\n", entry]
    else:
        section_end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines)
        )
        content_end = section_end
        while content_end > start + 1 and not lines[content_end - 1].strip():
            content_end -= 1
        insert = [entry] if content_end > start + 1 else ["\n", entry]
        tail = ["\n", *lines[section_end:]] if section_end < len(lines) else []
        lines = lines[:content_end] + insert + tail
    provenance.write_text("".join(lines), encoding="utf-8")


@dataclass
class LiveCheck:
    generation: str
    source: WsdlSource
    diff: ApiDiff  # vendored -> live, without the service addresses

    @property
    def matches(self) -> bool:
        return not self.diff.changes


IGNORED_LIVE = ("endpoint_changed",)


def check_live(
    url: str,
    vendored: dict[str, Path],
    *,
    max_bytes: int = MAX_BYTES,
) -> LiveCheck:
    """Compare the live ``?WSDL`` with the vendored WSDL of a generation.

    ``vendored`` maps generation keys to their WSDL files; with more than one, the
    generation whose WSDL differs least from the live one is chosen. The comparison
    is on the codegen model, so formatting does not count, and the service
    addresses (which a sandbox or a proxy rewrites) are ignored.
    """
    from .fetch import fetch_wsdl

    live = fetch_wsdl(url, max_bytes=max_bytes)
    live_model = model_of_bytes(live.data, "live.wsdl")
    best: LiveCheck | None = None
    for key, path in vendored.items():
        vendored_model = model_of_bytes(path.read_bytes(), path.name, key)
        diff = diff_models(vendored_model, live_model, f"{key} ({path.name})", live.origin)
        check = LiveCheck(key, live, diff.without(*IGNORED_LIVE))
        if best is None or len(check.diff.changes) < len(best.diff.changes):
            best = check
    if best is None:
        raise ValueError("no generation to compare with")
    return best

"""The tools ``rtb mcp`` serves, and the limits of one session.

Each tool is a :class:`ToolSpec`: its name, its JSON input schema, its annotations and a
handler that runs on the client and the workflows (blocking; the server runs it in a
worker thread). The job tools (``submit_images``, ``wait_for_images`` ...) do what the
``rtb`` commands of the same name do; the operation tools (``call_pixelz_GetTemplates``
...) are built from the generated wire facts, one per operation, as ``rtb call`` is.

Safety rules, enforced here and not left to the client:

- **Credentials** are the account's (the same settings as ``rtb``): no schema has a
  credential parameter (``contactEmail``, ``contactAPIkey``, ``developerAPIkey`` ...)
  and every text a tool returns (results and errors) has the session's secrets redacted.
- **Spend**: every tool that queues images goes through :meth:`Session.reserve`, which
  refuses, before anything is sent, more images than are left of the session's cap
  (:attr:`Limits.max_images`) and, with prices, a cost over what is left of
  :attr:`Limits.max_spend` (the batch spend guard,
  :func:`removethebackground.workflows.batch.spend.guard`).
- **Asking twice**: an image the session already queued (same content or URL, same
  options) is not queued again by ``submit_images``; its ticket is returned.
- **Files**: local images are read only below :attr:`Limits.files_root`; results are
  written only below :attr:`Limits.download_dir`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from ..core.errors import (
    InvalidParameterError,
    OutcomeUnknownError,
    RemoveTheBackgroundError,
    ServiceFault,
    TransportError,
)
from ..core.redaction import redact
from ..core.wire import SECRET_PARAMS, Field, Operation
from ..generated import GENERATIONS
from ..workflows.batch.spend import SpendRefused, check_prices, guard, make_quote
from ..workflows.errors import DownloadError, UploadError, WaitTimeout
from ..workflows.serialize import to_dict
from ..workflows.status import ImageStatusName

__all__ = [
    "DEFAULT_MAX_IMAGES",
    "DESTRUCTIVE_OPERATIONS",
    "META_KEY",
    "Limits",
    "Progress",
    "Session",
    "ToolError",
    "ToolSpec",
    "operation_schema",
    "tools",
]

#: Images one session may queue unless ``rtb mcp --max-images`` says otherwise: enough
#: for an agent to try the job, small enough that a runaway loop costs little.
DEFAULT_MAX_IMAGES = 20

#: The ``_meta`` key of every tool: what kind of tool it is (see :class:`ToolSpec.meta`).
META_KEY = "removethebackground/effects"

#: Operations whose call removes or overwrites what is there: an image taken out of the
#: queue, a delivered result sent back, the account's contact details replaced.
DESTRUCTIVE_OPERATIONS = frozenset({"DeleteImageFromQueue", "RejectProcessedImage", "EditContact"})

#: What a local image may be (as ``rtb submit`` takes from a folder).
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})


class ToolError(Exception):
    """A refusal or failure to return as the tool's error (``isError``), one line."""


class Progress:
    """What a running tool tells its caller: ``progress(done, total, message)`` sends a
    progress notification; :meth:`check` (called by every step, and by
    ``progress(...)``) stops a call its client cancelled."""

    def __init__(
        self,
        notify: Callable[[float, float | None, str], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> None:
        self._notify = notify
        self.cancelled = cancelled or threading.Event()

    def check(self) -> None:
        if self.cancelled.is_set():
            raise ToolError("cancelled by the client")

    def pause(self, seconds: float) -> None:
        """Sleep between two steps; a call cancelled meanwhile stops at once."""
        if self.cancelled.wait(seconds):
            self.check()

    def __call__(self, done: float, total: float | None, message: str) -> None:
        self.check()
        if self._notify is not None:
            self._notify(done, total, message)


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """What one session may do (``rtb mcp`` options)."""

    #: Images the session may queue in all (``--max-images``).
    max_images: int = DEFAULT_MAX_IMAGES
    #: Cost the session may spend in all (``--max-spend``; needs prices).
    max_spend: Decimal | None = None
    #: Your price per image: one amount, or template id -> amount (``--price-per-image``).
    prices: Decimal | Mapping[str, Decimal] | None = None
    #: Local images are read only below this folder (``--files-root``).
    files_root: Path = dataclasses.field(default_factory=Path.cwd)
    #: Results are written only below this folder (``--download-dir``).
    download_dir: Path = dataclasses.field(default_factory=lambda: Path.cwd() / "rtb-downloads")
    #: Serve the operation tools (``--no-operations`` leaves them out).
    operations: bool = True
    #: Serve only the tools that change nothing (``--read-only``).
    read_only: bool = False
    #: The template of a submit that names none (the ``template_id`` setting).
    default_template: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ToolSpec:
    """One tool: what the client sees and the handler that runs it."""

    name: str
    title: str
    description: str
    input_schema: dict[str, Any]
    handler: Callable[[Session, dict[str, Any], Progress], Any]
    read_only: bool
    destructive: bool = False
    idempotent: bool = False
    spends: bool = False
    open_world: bool = True

    def run(self, session: Session, args: dict[str, Any], progress: Progress) -> Any:
        """The handler on ``args``, refused (:class:`ToolError`) when they name a
        parameter the schema does not have or leave out one it requires."""
        known = self.input_schema.get("properties", {})
        unknown = sorted(k for k in args if k not in known)
        if unknown:
            raise ToolError(
                f"{self.name} has no parameter {', '.join(unknown)} (parameters: "
                f"{', '.join(known) or 'none'}; credentials come from the account)"
            )
        missing = [k for k in self.input_schema.get("required", []) if args.get(k) is None]
        if missing:
            raise ToolError(f"{self.name} needs {', '.join(missing)}")
        return self.handler(session, args, progress)

    @property
    def effects(self) -> str:
        """``read``, ``write``, ``destructive`` or ``spends``: the ``_meta`` value."""
        if self.spends:
            return "spends"
        if self.read_only:
            return "read"
        return "destructive" if self.destructive else "write"

    @property
    def annotations(self) -> dict[str, Any]:
        """The MCP tool annotations (hints), under their wire names."""
        out: dict[str, Any] = {"title": self.title, "readOnlyHint": self.read_only}
        if not self.read_only:
            out["destructiveHint"] = self.destructive
            out["idempotentHint"] = self.idempotent
        out["openWorldHint"] = self.open_world
        return out

    @property
    def meta(self) -> dict[str, Any]:
        return {META_KEY: self.effects}


# --- the session --------------------------------------------------------------------------------


class Session:
    """One MCP session: the account's clients, its limits and what it queued so far.

    ``client_for(generation)`` makes a client of the configured account (called once
    per generation); ``uploader`` turns a local file into a URL the service can fetch
    (``None``: local files are refused); ``secrets`` are redacted from every text.
    """

    def __init__(
        self,
        client_for: Callable[[str], Any],
        *,
        limits: Limits | None = None,
        uploader: Callable[[Path], str] | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        self.limits = limits or Limits()
        self._client_for = client_for
        self._clients: dict[str, Any] = {}
        self.uploader = uploader
        self.secrets = {s for s in secrets if s}
        self.queued = 0
        self.spent = Decimal(0)
        self._tickets: dict[str, str] = {}
        self._lock = threading.Lock()

    def client(self, generation: str = "pixelz") -> Any:
        with self._lock:
            if generation not in self._clients:
                self._clients[generation] = self._client_for(generation)
            return self._clients[generation]

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def redact(self, text: str) -> str:
        return redact(text, self.secrets) if self.secrets else text

    def known(self, keys: Iterable[str]) -> dict[str, str]:
        """The tickets of the images this session queued, by :func:`_identity`."""
        with self._lock:
            return {k: self._tickets[k] for k in keys if k in self._tickets}

    def remember(self, key: str, ticket: str) -> None:
        with self._lock:
            self._tickets[key] = ticket

    # The spend gate ----------------------------------------------------------------------------

    def _price(self, template: str) -> Decimal:
        prices = self.limits.prices
        if prices is None:
            return Decimal(0)
        if isinstance(prices, Decimal):
            return prices
        return prices.get(template, Decimal(0))

    def reserve(self, templates: Sequence[str]) -> None:
        """Count images about to be queued (one template id each, ``""``: the default)
        against the session's limits; refuse (:class:`ToolError`) before anything is
        sent when they pass one."""
        limits = self.limits
        quote = make_quote(templates, check_prices(limits.prices))
        with self._lock:
            left = limits.max_images - self.queued
            if quote.images > left:
                raise ToolError(
                    f"refused: {quote.images} image(s) to queue but this session may queue "
                    f"{max(left, 0)} more (it queued {self.queued} of --max-images "
                    f"{limits.max_images}); nothing was sent. Restart `rtb mcp` with "
                    "--max-images N to allow more"
                )
            budget = None if limits.max_spend is None else limits.max_spend - self.spent
            try:
                # The batch spend guard: a cost over what is left of the budget, or an
                # image whose template has no price, is refused (nobody to confirm here).
                guard(quote, confirm_over=None, max_spend=budget, confirm=None)
            except SpendRefused:
                raise ToolError(
                    f"refused: {quote} is over what is left of --max-spend "
                    f"{limits.max_spend} (spent {self.spent}); nothing was sent. Restart "
                    "`rtb mcp` with a higher --max-spend to allow more"
                ) from None
            except InvalidParameterError:
                missing = ", ".join(repr(t) for t in quote.unpriced)
                raise ToolError(
                    f"refused: --max-spend needs a price for every template queued and "
                    f"there is none for {missing}; nothing was sent. Restart `rtb mcp` "
                    "with --price-per-image TEMPLATE=AMOUNT for it"
                ) from None
            self.queued += quote.images
            self.spent += quote.cost or Decimal(0)

    def release(self, template: str) -> None:
        """Give back one reserved image that was certainly not queued."""
        with self._lock:
            self.queued -= 1
            self.spent -= self._price(template)


def _surely_not_sent(exc: BaseException) -> bool:
    """Whether an image whose queueing raised ``exc`` was certainly not queued: refused
    before sending, its upload failed, or the service answered with a fault. A lost
    answer (:class:`OutcomeUnknownError`, a transport error) stays counted."""
    if isinstance(exc, OutcomeUnknownError | TransportError):
        return False
    return isinstance(exc, InvalidParameterError | UploadError | ServiceFault | OSError | ToolError)


def describe(exc: BaseException) -> str:
    """The one-line text of an error, with what to do (credentials are redacted by the
    caller)."""
    if isinstance(exc, ToolError):
        return str(exc)
    if isinstance(exc, InvalidParameterError):
        return getattr(exc, "user_message", None) or str(exc)
    if isinstance(exc, ServiceFault):
        return f"the service answered with a fault: {exc}"
    if isinstance(exc, OutcomeUnknownError):
        return f"{exc} (check with get_status or list_images before queueing it again)"
    if isinstance(exc, WaitTimeout):
        return f"{exc} (call wait_for_images again, or get_status later)"
    if isinstance(exc, TransportError):
        return f"{exc} (the service did not answer usably; try again later)"
    if isinstance(exc, RemoveTheBackgroundError | DownloadError | UploadError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


# --- values ---------------------------------------------------------------------------------


def _text(args: Mapping[str, Any], name: str) -> str | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ToolError(f"{name}: give a string, got {json.dumps(value)}")
    return str(value)


def _texts(args: Mapping[str, Any], name: str, *, most: int) -> list[str]:
    value = args.get(name)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ToolError(f"{name}: give a non-empty list of strings")
    if len(value) > most:
        raise ToolError(f"{name}: at most {most} in one call, got {len(value)}")
    return [str(v).strip() for v in value]


def _number(args: Mapping[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = args.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ToolError(f"{name}: give a number from {low:g} to {high:g}, got {value}")
    return float(value)


def _ticket(text: str, name: str = "tickets") -> str:
    import uuid

    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        raise ToolError(
            f"{name}: '{text}' is not an image ticket (the GUID that submit_images returned)"
        ) from None


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _below(root: Path, relative: str, what: str, option: str) -> Path:
    """``root / relative``, refused when it leaves ``root`` (``..``, an absolute path, a
    link pointing out)."""
    base = root.resolve()
    if PurePosixPath(relative).is_absolute() or Path(relative).is_absolute():
        raise ToolError(f"{what} '{relative}': give a path relative to {option} {base}")
    target = (base / relative).resolve()
    if target != base and base not in target.parents:
        raise ToolError(
            f"{what} '{relative}' is outside {option} {base}: the server reads and writes "
            f"only below it (restart `rtb mcp` with another {option} to change it)"
        )
    return target


def _local_image(session: Session, given: str) -> Path:
    root = session.limits.files_root.resolve()
    path = Path(given)
    target = path.resolve() if path.is_absolute() else (root / path).resolve()
    if target != root and root not in target.parents:
        raise ToolError(
            f"{given}: local images are read only below --files-root {root} (give a path "
            "below it or an http(s) URL; restart `rtb mcp` with another --files-root to "
            "change it)"
        )
    if not target.is_file():
        raise ToolError(f"{given}: no such file below --files-root {root}")
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        raise ToolError(f"{given}: not an image ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return target


def _result(data: Any) -> dict[str, Any]:
    plain = to_dict(data)
    return plain if isinstance(plain, dict) else {"result": plain}


def _label(status: Any) -> str:
    name = ImageStatusName.of(status)
    return name.label if name is not None else str(getattr(status, "status_name", "") or "")


def _status_row(status: Any) -> dict[str, Any]:
    row = _result(status)
    row["status"] = _label(status)
    return row


# --- the job tools --------------------------------------------------------------------------

_TICKETS = {
    "type": "array",
    "items": {"type": "string", "format": "uuid"},
    "minItems": 1,
    "maxItems": 50,
    "description": "image tickets (GUIDs) as submit_images returned them",
}


def _schema(properties: dict[str, Any], required: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def _identity(source: str | Path, params: Mapping[str, Any]) -> str:
    """What makes two submits the same: the file's content (or the URL) and the options."""
    digest = hashlib.sha256()
    if isinstance(source, Path):
        with source.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    else:
        digest.update(b"url\0" + source.encode("utf-8"))
    digest.update(json.dumps(sorted(params.items())).encode("utf-8"))
    return digest.hexdigest()


def _submit(session: Session, args: dict[str, Any], progress: Progress) -> Any:
    images = _texts(args, "images", most=50)
    template = _text(args, "template_id") or session.limits.default_template or ""
    again = args.get("again", False)
    if not isinstance(again, bool):
        raise ToolError("again: give true or false")
    params: dict[str, Any] = {}
    for name, key in (
        ("product_id", "product_id"),
        ("customer_folder", "customer_folder"),
        ("callback_url", "image_callback_url"),
    ):
        value = _text(args, name)
        if value is not None:
            params[key] = value
    if template:
        params["template_id"] = template
    # Every input is checked before anything is sent or counted.
    sources: list[str | Path] = []
    for given in images:
        if _is_url(given):
            sources.append(given)
            continue
        if session.uploader is None:
            raise ToolError(
                f"{given} is a local file but the service can only fetch URLs: give an "
                "http(s) URL, or restart `rtb mcp` with --upload-url (a server taking "
                "PUT /uploads/<name>)"
            )
        sources.append(_local_image(session, given))
    # An agent that calls again (after a timeout, or forgetting) gets the tickets this
    # session already has instead of paying twice; again=true queues anyway.
    keys = [_identity(source, params) for source in sources]
    known = {} if again else session.known(keys)
    todo = [n for n, key in enumerate(keys) if key not in known and key not in keys[:n]]
    from ..workflows.upload import submit

    client = session.client("pixelz")
    session.reserve([template] * len(todo))
    tickets: dict[str, str] = {}
    errors: dict[str, str] = {}
    tried = 0
    try:
        for step, n in enumerate(todo):
            tried += 1
            try:
                ticket = submit(client, sources[n], uploader=session.uploader, **params)
            except Exception as exc:
                if _surely_not_sent(exc):
                    session.release(template)
                errors[keys[n]] = session.redact(describe(exc))
            else:
                tickets[keys[n]] = str(ticket)
                session.remember(keys[n], str(ticket))
            progress(step + 1, len(todo), f"queued {step + 1} of {len(todo)}")
    finally:
        # A call cancelled half-way gives back the images it did not try.
        for _ in range(len(todo) - tried):
            session.release(template)
    rows: list[dict[str, Any]] = []
    for given, key in zip(images, keys, strict=True):
        if key in known:
            rows.append({"image": given, "ticket": known[key], "already_queued": True})
        elif key in tickets:
            rows.append({"image": given, "ticket": tickets[key]})
        else:
            rows.append({"image": given, "error": errors[key]})
    if all("error" in r for r in rows):
        raise ToolError("; ".join(f"{r['image']}: {r['error']}" for r in rows))
    return {
        "images": rows,
        "session": {"queued": session.queued, "max_images": session.limits.max_images},
    }


def _status(session: Session, args: dict[str, Any], progress: Progress) -> Any:
    client = session.client("pixelz")
    rows = []
    for ticket in (_ticket(t) for t in _texts(args, "tickets", most=50)):
        try:
            answer = client.get_image_status(image_ticket=ticket)
            rows.append(_status_row(answer.image_status))
        except ServiceFault as exc:
            rows.append({"image_ticket": ticket, "error": session.redact(describe(exc))})
    return {"images": rows}


def _wait(session: Session, args: dict[str, Any], progress: Progress) -> Any:
    from ..workflows.wait import wait_for

    tickets = [_ticket(t) for t in _texts(args, "tickets", most=50)]
    timeout = _number(args, "timeout", 300.0, 0.0, 3600.0)
    poll = _number(args, "poll", 2.0, 0.05, 60.0)
    client = session.client("pixelz")
    deadline = time.monotonic() + timeout
    total = len(tickets)
    shown = [-1.0]

    def report(done: int, status: Any, ticket: str) -> None:
        # Progress only grows: the tickets finished, plus how far along the current one is.
        name = ImageStatusName.of(status)
        step = 0.0 if name is None else min(int(name) / int(ImageStatusName.DELIVERED), 1.0)
        value = done + (step if name is None or not name.is_terminal else 1.0) * 0.99
        if value > shown[0]:
            shown[0] = value
            progress(value, total, f"{ticket[:8]}: {_label(status)}")

    def on_progress(n: int, ticket: str) -> Callable[[Any], None]:
        return lambda status: report(n, status, ticket)

    rows: list[dict[str, Any]] = []
    for n, ticket in enumerate(tickets):
        remaining = max(0.0, deadline - time.monotonic())
        try:
            status = wait_for(
                client,
                ticket,
                timeout=remaining,
                poll=poll,
                max_poll=max(poll, 30.0),
                on_progress=on_progress(n, ticket),
                sleep=progress.pause,
            )
            rows.append(_status_row(status))
        except (WaitTimeout, ServiceFault) as exc:
            last = getattr(exc, "last_status", None)
            row = {"image_ticket": ticket, "error": session.redact(describe(exc))}
            if last is not None:
                row["status"] = _label(last)
            rows.append(row)
        progress(n + 1, total, f"{n + 1} of {total} done")
    return {"images": rows}


def _download(session: Session, args: dict[str, Any], progress: Progress) -> Any:
    from ..workflows.download import download

    tickets = [_ticket(t) for t in _texts(args, "tickets", most=50)]
    folder = _text(args, "folder") or "."
    thumbnail = bool(args.get("thumbnail", False))
    limits = session.limits
    dest = _below(limits.download_dir, folder, "folder", "--download-dir")
    client = session.client("pixelz")
    rows: list[dict[str, Any]] = []
    for n, ticket in enumerate(tickets):
        try:
            status = client.get_image_status(image_ticket=ticket).image_status
            name = ImageStatusName.of(status)
            if name is None or not name.is_delivered:
                rows.append(
                    {
                        "image_ticket": ticket,
                        "status": _label(status),
                        "error": "not delivered: nothing to download yet (wait_for_images)",
                    }
                )
            else:
                dest.mkdir(parents=True, exist_ok=True)
                files = download(status, dest, client=client, thumbnail=thumbnail)
                rows.append({"image_ticket": ticket, "files": [str(p) for p in files]})
        except (ServiceFault, DownloadError) as exc:
            rows.append({"image_ticket": ticket, "error": session.redact(describe(exc))})
        progress(n + 1, len(tickets), f"{n + 1} of {len(tickets)}")
    return {"folder": str(dest), "images": rows}


def _limit(args: Mapping[str, Any]) -> int:
    return int(_number(args, "limit", 50, 1, 500))


def _images(session: Session, args: dict[str, Any], progress: Progress) -> Any:
    from ..workflows.paging import iter_images

    wanted = _limit(args)
    found = []
    for item in iter_images(
        session.client("pixelz"),
        image_status=_text(args, "status"),
        product_id=_text(args, "product_id"),
        from_date=_text(args, "from_date"),
        to_date=_text(args, "to_date"),
        descending=True,
    ):
        found.append(_result(item))
        if len(found) >= wanted:
            break
    return {"images": found, "more_may_exist": len(found) >= wanted}


def _products(session: Session, args: dict[str, Any], progress: Progress) -> Any:
    from ..workflows.paging import iter_product_ids

    wanted = _limit(args)
    found = []
    for item in iter_product_ids(session.client("pixelz")):
        found.append(_result(item))
        if len(found) >= wanted:
            break
    return {"products": found, "more_may_exist": len(found) >= wanted}


def _templates(session: Session, args: dict[str, Any], progress: Progress) -> Any:
    return _result(session.client("pixelz").get_templates())


def _contact(session: Session, args: dict[str, Any], progress: Progress) -> Any:
    return _result(session.client("pixelz").get_contact_detailed())


def _invoices(session: Session, args: dict[str, Any], progress: Progress) -> Any:
    values = {k: _text(args, k) for k in ("from_date", "to_date", "page")}
    return _result(
        session.client("pixelz").get_invoice_list(**{k: v for k, v in values.items() if v})
    )


def _one_image(args: Mapping[str, Any]) -> dict[str, str]:
    ticket = _text(args, "ticket")
    customer = _text(args, "customer_image_id")
    if (ticket is None) == (customer is None):
        raise ToolError("give ticket or customer_image_id (one of them)")
    if ticket is not None:
        return {"image_ticket": _ticket(ticket, "ticket")}
    return {"customer_image_id": str(customer)}


def _delete(session: Session, args: dict[str, Any], progress: Progress) -> Any:
    return _result(session.client("pixelz").delete_image_from_queue(**_one_image(args)))


def _reject(session: Session, args: dict[str, Any], progress: Progress) -> Any:
    values = _one_image(args)
    comment = _text(args, "comment")
    if comment is None:
        raise ToolError("comment: say what is wrong with the result")
    values["comment"] = comment
    markup = _text(args, "markup_image_url")
    if markup is not None:
        values["markup_image_url"] = markup
    return _result(session.client("pixelz").reject_processed_image(**values))


_STRING = {"type": "string"}
_DATE = {"type": "string", "description": "a date, YYYY-MM-DD"}
_LIMIT = {
    "type": "integer",
    "minimum": 1,
    "maximum": 500,
    "default": 50,
    "description": "how many to return at most (newest first)",
}
_IMAGE_REF = {
    "ticket": {"type": "string", "format": "uuid", "description": "the image ticket"},
    "customer_image_id": {"type": "string", "description": "or your customerImageId"},
}

_SPENDS = (
    " Spends money: the service bills every image queued. Counted against this session's "
    "limits (rtb mcp --max-images, --max-spend); over them it is refused before anything "
    "is sent."
)


def _job_tools() -> list[ToolSpec]:
    return [
        ToolSpec(
            "list_templates",
            "List templates",
            "The account's templates (GetTemplates): ids, names and what each delivers.",
            _schema({}),
            _templates,
            read_only=True,
        ),
        ToolSpec(
            "submit_images",
            "Submit images (spends money)",
            "Queue images for background removal (AddImageToQueue), each a local file "
            "(below the server's --files-root; uploaded as `rtb submit` does) or an http(s) "
            "URL. Returns one ticket per image. An image this session already queued (the "
            "same file content or URL with the same options) is not sent again: its ticket "
            "is returned, marked already_queued (again=true queues it anyway)." + _SPENDS,
            _schema(
                {
                    "images": {
                        "type": "array",
                        "items": {"type": "string"},
                        "minItems": 1,
                        "maxItems": 50,
                        "description": "local image paths or http(s) URLs",
                    },
                    "template_id": {
                        "type": "string",
                        "description": "the template (list_templates); default: the "
                        "template_id setting, else the account's default",
                    },
                    "product_id": _STRING,
                    "customer_folder": _STRING,
                    "callback_url": {
                        "type": "string",
                        "description": "where the service notifies when an image is done",
                    },
                    "again": {
                        "type": "boolean",
                        "default": False,
                        "description": "queue images this session already queued once more",
                    },
                },
                ["images"],
            ),
            _submit,
            read_only=False,
            spends=True,
        ),
        ToolSpec(
            "get_status",
            "Image status",
            "The status of images (GetImageStatus): New, In Production, Delivered, On Hold "
            "... with the result URLs once delivered.",
            _schema({"tickets": _TICKETS}, ["tickets"]),
            _status,
            read_only=True,
        ),
        ToolSpec(
            "wait_for_images",
            "Wait for images",
            "Wait until every image is Delivered or On Hold, or the timeout passes; sends "
            "progress notifications while it waits (give a progressToken).",
            _schema(
                {
                    "tickets": _TICKETS,
                    "timeout": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 3600,
                        "default": 300,
                        "description": "seconds to wait in all",
                    },
                    "poll": {
                        "type": "number",
                        "minimum": 0.05,
                        "maximum": 60,
                        "default": 2,
                        "description": "seconds between the first status checks (then backing off)",
                    },
                },
                ["tickets"],
            ),
            _wait,
            read_only=True,
        ),
        ToolSpec(
            "download_results",
            "Download results",
            "Download the results of delivered images into a folder below the server's "
            "--download-dir (verified, atomic; files already complete are kept). Returns "
            "the paths written.",
            _schema(
                {
                    "tickets": _TICKETS,
                    "folder": {
                        "type": "string",
                        "description": "a folder relative to --download-dir (default: it)",
                    },
                    "thumbnail": {"type": "boolean", "default": False},
                },
                ["tickets"],
            ),
            _download,
            read_only=False,
            idempotent=True,
        ),
        ToolSpec(
            "list_images",
            "List images",
            "The account's images, newest first (GetImagesList, every page up to limit).",
            _schema(
                {
                    "status": {
                        "type": "string",
                        "description": "only this status (a name such as Delivered, or its id)",
                    },
                    "product_id": _STRING,
                    "from_date": _DATE,
                    "to_date": _DATE,
                    "limit": _LIMIT,
                }
            ),
            _images,
            read_only=True,
        ),
        ToolSpec(
            "list_products",
            "List products",
            "The account's product ids with their image counts (GetProductIdsList).",
            _schema({"limit": _LIMIT}),
            _products,
            read_only=True,
        ),
        ToolSpec(
            "get_contact",
            "Contact details",
            "The account's contact and billing details (GetContactDetailed).",
            _schema({}),
            _contact,
            read_only=True,
        ),
        ToolSpec(
            "list_invoices",
            "List invoices",
            "The account's invoices (GetInvoiceList).",
            _schema({"from_date": _DATE, "to_date": _DATE, "page": _STRING}),
            _invoices,
            read_only=True,
        ),
        ToolSpec(
            "delete_image",
            "Delete an image (destructive)",
            "Take an image out of the queue (DeleteImageFromQueue). Destructive: it cannot "
            "be undone.",
            _schema(dict(_IMAGE_REF)),
            _delete,
            read_only=False,
            destructive=True,
        ),
        ToolSpec(
            "reject_image",
            "Reject a result (destructive)",
            "Send a delivered result back for rework, saying what is wrong "
            "(RejectProcessedImage). Destructive: the delivered result is withdrawn.",
            _schema(
                {
                    **_IMAGE_REF,
                    "comment": {"type": "string", "description": "what is wrong with it"},
                    "markup_image_url": {
                        "type": "string",
                        "description": "an image marking what to change",
                    },
                },
                ["comment"],
            ),
            _reject,
            read_only=False,
            destructive=True,
        ),
    ]


# --- the operation tools (``rtb call``) ---------------------------------------------------

_JSON_TYPES = {
    "boolean": "boolean",
    "int": "integer",
    "long": "integer",
    "short": "integer",
    "byte": "integer",
    "unsignedInt": "integer",
    "unsignedLong": "integer",
    "unsignedShort": "integer",
    "unsignedByte": "integer",
    "integer": "integer",
    "double": "number",
    "float": "number",
}


def _hidden(f: Field, op: Operation[Any]) -> bool:
    """A credential: filled in from the account, never asked for."""
    return f.name in op.credential_params or f.name.lower() in SECRET_PARAMS


def _field_schema(f: Field) -> dict[str, Any]:
    if f.item is not None or f.repeated:
        inner = f.item if f.item is not None else dataclasses.replace(f, max_occurs=1)
        return {"type": "array", "items": _field_schema(inner)}
    if f.model is not None:
        fields = f.model.__wire__.fields
        return {
            "type": "object",
            "title": f.model.__name__,
            "properties": {x.name: _field_schema(x) for x in fields},
            "additionalProperties": False,
        }
    xsd = f.xsd or "string"
    schema: dict[str, Any] = {"type": _JSON_TYPES.get(xsd, "string")}
    if xsd == "guid":
        schema["format"] = "uuid"
    elif xsd in ("dateTime", "date", "decimal", "base64Binary"):
        schema["description"] = f"xsd:{xsd} as text"
    return schema


def operation_schema(op: Operation[Any]) -> dict[str, Any]:
    """The JSON schema of an operation's parameters, by their wire names, credentials left
    out (the account's are sent)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in op.params:
        if _hidden(f, op):
            continue
        schema = _field_schema(f)
        schema.setdefault("description", f"<{f.name}>")
        properties[f.name] = schema
        if f.required:
            required.append(f.name)
    return _schema(properties, required)


def _model_value(f: Field, value: Any, where: str) -> Any:
    if value is None:
        return None
    if f.item is not None or f.repeated:
        if not isinstance(value, list):
            raise ToolError(f"{where}: give a JSON list")
        inner = f.item if f.item is not None else dataclasses.replace(f, max_occurs=1)
        return [_model_value(inner, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if f.model is not None:
        if not isinstance(value, dict):
            raise ToolError(f"{where}: give a JSON object")
        by_name = {x.name: x for x in f.model.__wire__.fields}
        kwargs = {}
        for key, item in value.items():
            sub = by_name.get(key)
            if sub is None:
                raise ToolError(
                    f"{where}: {f.model.__name__} has no field {key!r} "
                    f"(fields: {', '.join(by_name)})"
                )
            kwargs[sub.attr] = _model_value(sub, item, f"{where}.{key}")
        return f.model(**kwargs)
    xsd = f.xsd or "string"
    if _JSON_TYPES.get(xsd) == "boolean" and not isinstance(value, bool):
        raise ToolError(f"{where}: give true or false")
    if _JSON_TYPES.get(xsd) == "integer" and (
        isinstance(value, bool) or not isinstance(value, int)
    ):
        raise ToolError(f"{where}: give a whole number")
    if xsd in ("string", "normalizedString", "token", "anyURI") and isinstance(value, int | float):
        return str(value)  # ASMX's numbers-as-strings: a number is taken as its text
    if xsd == "guid":
        import uuid

        try:
            return uuid.UUID(str(value))
        except ValueError:
            raise ToolError(f"{where}: give a GUID") from None
    if xsd == "decimal":
        return Decimal(str(value))
    return value


def _operation_tool(generation: str, op: Operation[Any]) -> ToolSpec:
    fields = [f for f in op.params if not _hidden(f, op)]
    queues = op.outcome_lookup is not None
    destructive = op.name in DESTRUCTIVE_OPERATIONS

    def handler(session: Session, args: dict[str, Any], progress: Progress) -> Any:
        by_name = {f.name: f for f in fields}  # the names were checked by ToolSpec.run
        values = {
            by_name[k].attr: _model_value(by_name[k], v, k)
            for k, v in args.items()
            if v is not None
        }
        template = str(values.get("template_id") or "")
        client = session.client(generation)
        if queues:
            session.reserve([template])
        try:
            answer = getattr(client, op.python_name)(**values)
        except Exception as exc:
            if queues and _surely_not_sent(exc):
                session.release(template)
            raise
        return _result(answer)

    kind = (
        _SPENDS
        if queues
        else " Destructive: it cannot be undone."
        if destructive
        else " Changes the account's state."
        if op.changes_state
        else ""
    )
    doc = " ".join(op.documentation.split())
    suffix = " (spends money)" if queues else " (destructive)" if destructive else ""
    return ToolSpec(
        f"call_{generation}_{op.name}",
        f"{op.name}{suffix}",
        (
            f"Call {op.name} of the {generation} service as `rtb call` does; parameters by "
            "their wire names, credentials filled in from the account."
            + (f" {doc}" if doc else "")
            + kind
        ),
        operation_schema(op),
        handler,
        read_only=not op.changes_state,
        destructive=destructive,
        spends=queues,
    )


def tools(limits: Limits | None = None) -> list[ToolSpec]:
    """The tools a session with ``limits`` serves, in the order listed."""
    limits = limits or Limits()
    found = _job_tools()
    if limits.operations:
        for generation, entry in GENERATIONS.items():
            for op in entry.service.operations.values():
                found.append(_operation_tool(generation, op))
    if limits.read_only:
        found = [t for t in found if t.read_only]
    return found

"""The sandbox's state in SQLite: accounts, templates, images, invoices, webhook deliveries,
and the log of the requests received (:mod:`.requestlog` masks what goes in).

One database file (``sandbox.sqlite3``) in the data directory, in WAL mode, so a
restart with the same ``--data`` keeps everything. Every thread gets its own
connection; writes go through :meth:`Store.transaction`, which holds a process-wide
lock and an ``IMMEDIATE`` transaction, so read-check-write sequences (delete only
below status 60, the status steps) are atomic and concurrent requests never
interleave inside one. Rows come back as frozen dataclasses.

Nothing in here knows the wire format; the operation handlers (:mod:`.operations`)
map rows to the generated result types.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Account",
    "ImageFilter",
    "ImageRow",
    "InvoiceRow",
    "ProductStat",
    "RequestRow",
    "Store",
    "TemplateRow",
    "WebhookRow",
]

SCHEMA_VERSION = "1"
FIRST_CONTACT_ID = 4242
FIRST_TEMPLATE_ID = 1001

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    email TEXT PRIMARY KEY COLLATE NOCASE,
    api_key TEXT NOT NULL,
    contact_id INTEGER NOT NULL UNIQUE,
    person TEXT NOT NULL DEFAULT '',
    company TEXT NOT NULL DEFAULT '',
    days_of_credit INTEGER NOT NULL DEFAULT 30,
    trial_images INTEGER NOT NULL DEFAULT 3,
    currency TEXT NOT NULL DEFAULT 'USD',
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS templates (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL COLLATE NOCASE,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    modified TEXT NOT NULL,
    spec TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS templates_by_email ON templates (email, id);
CREATE TABLE IF NOT EXISTS images (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL COLLATE NOCASE,
    operation TEXT NOT NULL,
    template_id INTEGER,
    customer_image_id TEXT,
    product_id TEXT,
    customer_folder TEXT,
    urls TEXT NOT NULL,
    callback_url TEXT,
    base_url TEXT NOT NULL,
    request TEXT NOT NULL DEFAULT '{}',
    status INTEGER NOT NULL,
    status_since REAL NOT NULL,
    created REAL NOT NULL,
    held INTEGER NOT NULL DEFAULT 0,
    job TEXT NOT NULL DEFAULT 'none',
    outputs INTEGER NOT NULL DEFAULT 0,
    output_ext TEXT NOT NULL DEFAULT 'png',
    error TEXT,
    rejections INTEGER NOT NULL DEFAULT 0,
    reject_comment TEXT,
    markup_url TEXT
);
CREATE INDEX IF NOT EXISTS images_by_email ON images (email, seq);
CREATE INDEX IF NOT EXISTS images_by_customer_id ON images (email, customer_image_id);
CREATE INDEX IF NOT EXISTS images_by_status ON images (status, held);
CREATE TABLE IF NOT EXISTS invoices (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL COLLATE NOCASE,
    created TEXT NOT NULL,
    amount TEXT NOT NULL,
    paid INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket TEXT NOT NULL,
    email TEXT NOT NULL COLLATE NOCASE,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER,
    last_error TEXT,
    created REAL NOT NULL,
    finished REAL,
    answers TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS webhooks_by_state ON webhooks (state, id);
-- Added after the first release: CREATE ... IF NOT EXISTS adds it to an older data dir.
CREATE TABLE IF NOT EXISTS request_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    generation TEXT,
    binding TEXT,
    operation TEXT,
    email TEXT,
    status INTEGER NOT NULL,
    fault TEXT,
    duration_ms REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Account:
    email: str
    api_key: str = field(repr=False)
    contact_id: int
    person: str
    company: str
    days_of_credit: int
    trial_images: int
    currency: str
    details: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class TemplateRow:
    id: int
    email: str
    name: str
    created: str
    modified: str
    spec: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ImageRow:
    seq: int
    ticket: str
    email: str
    operation: str
    template_id: int | None
    customer_image_id: str | None
    product_id: str | None
    customer_folder: str | None
    urls: tuple[str, ...]
    callback_url: str | None
    base_url: str
    request: Mapping[str, Any]
    status: int
    status_since: float
    created: float
    held: bool
    job: str
    outputs: int
    error: str | None
    rejections: int
    reject_comment: str | None
    markup_url: str | None
    # File extension of the delivered images (jpg, png, tif, psd): the template's format.
    output_ext: str = "png"


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    id: str
    email: str
    created: str
    amount: str
    paid: bool


@dataclass(frozen=True, slots=True)
class WebhookRow:
    id: int
    ticket: str
    email: str
    url: str
    body: str
    state: str
    attempts: int
    last_status: int | None
    last_error: str | None
    created: float
    finished: float | None
    # One entry per attempt: {"attempt": n, "status": HTTP status or None, "error": text or None}.
    answers: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One request the sandbox answered, as :mod:`.requestlog` recorded it (masked).

    ``at`` is the sandbox clock when it was answered; ``path`` includes the query
    string (``?...``), credential values masked; ``generation`` (registry key),
    ``binding`` and ``operation`` are ``None`` where the request had none (an upload,
    an unknown operation); ``fault`` is the fault or error text of a failed call.
    """

    id: int
    at: float
    method: str
    path: str
    generation: str | None
    binding: str | None
    operation: str | None
    email: str | None
    status: int
    fault: str | None
    duration_ms: float


@dataclass(frozen=True, slots=True)
class ProductStat:
    product_id: str
    done: int
    todo: int


@dataclass(frozen=True, slots=True)
class ImageFilter:
    """What GetImagesList asks for (already validated)."""

    status: int | None = None
    exclude_status: int | None = None
    product_id: str | None = None
    created_from: float | None = None
    created_before: float | None = None
    sort_by: str = "date"
    descending: bool = True
    limit: int = 50
    offset: int = 0


_SORT_COLUMNS = {"id": "seq", "date": "created", "status": "status"}
_IMAGE_COLUMNS = frozenset(
    {
        "status",
        "status_since",
        "held",
        "job",
        "outputs",
        "output_ext",
        "error",
        "rejections",
        "reject_comment",
        "markup_url",
    }
)


class Store:
    """The SQLite database of one sandbox (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        with self._lock:
            conn.executescript(_SCHEMA)
            # Columns added after the first release, for a data directory made before them.
            for table, column, declaration in (
                ("images", "output_ext", "TEXT NOT NULL DEFAULT 'png'"),
                ("webhooks", "answers", "TEXT NOT NULL DEFAULT '[]'"),
            ):
                columns = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
                if column not in columns:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        with self.transaction() as tx:
            tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (SCHEMA_VERSION,),
            )

    # --- connections ------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError("the sandbox store is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, serialised with every other one in this process."""
        with self._lock:
            conn = self._conn()
            if conn.in_transaction:  # nested: join the outer transaction
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            with self._connections_lock:
                for conn in self._connections:
                    try:
                        conn.close()
                    except sqlite3.Error:  # pragma: no cover - closing is best effort
                        pass
                self._connections.clear()

    def integrity_check(self) -> str:
        row = self._conn().execute("PRAGMA integrity_check").fetchone()
        return str(row[0])

    # --- meta -----------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # --- accounts -------------------------------------------------------------------

    def get_account(self, email: str) -> Account | None:
        row = self._conn().execute("SELECT * FROM accounts WHERE email = ?", (email,)).fetchone()
        return None if row is None else _account(row)

    def list_accounts(self) -> list[Account]:
        rows = self._conn().execute("SELECT * FROM accounts ORDER BY contact_id").fetchall()
        return [_account(row) for row in rows]

    def upsert_account(
        self,
        email: str,
        api_key: str,
        *,
        person: str = "",
        company: str = "",
        contact_id: int | None = None,
    ) -> Account:
        """Create the account, or set the key of an existing one (keeping its details)."""
        with self.transaction() as tx:
            existing = tx.execute("SELECT * FROM accounts WHERE email = ?", (email,)).fetchone()
            if existing is not None:
                tx.execute("UPDATE accounts SET api_key = ? WHERE email = ?", (api_key, email))
            else:
                if contact_id is None:
                    top = tx.execute("SELECT MAX(contact_id) FROM accounts").fetchone()[0]
                    contact_id = FIRST_CONTACT_ID if top is None else int(top) + 1
                tx.execute(
                    "INSERT INTO accounts (email, api_key, contact_id, person, company) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (email, api_key, contact_id, person, company),
                )
        account = self.get_account(email)
        assert account is not None
        return account

    def update_contact(
        self,
        email: str,
        *,
        person: str | None = None,
        company: str | None = None,
        details: Mapping[str, str] | None = None,
    ) -> None:
        with self.transaction() as tx:
            row = tx.execute("SELECT * FROM accounts WHERE email = ?", (email,)).fetchone()
            if row is None:
                raise KeyError(email)
            merged = dict(json.loads(row["details"]))
            merged.update(details or {})
            tx.execute(
                "UPDATE accounts SET person = ?, company = ?, details = ? WHERE email = ?",
                (
                    row["person"] if person is None else person,
                    row["company"] if company is None else company,
                    json.dumps(merged, sort_keys=True),
                    email,
                ),
            )

    # --- templates ------------------------------------------------------------------

    def add_template(
        self,
        email: str,
        name: str,
        spec: Mapping[str, Any],
        created: str,
        *,
        template_id: int | None = None,
    ) -> int:
        """Store a template; ids are global and count up from 1001."""
        with self.transaction() as tx:
            if template_id is None:
                top = tx.execute("SELECT MAX(id) FROM templates").fetchone()[0]
                template_id = FIRST_TEMPLATE_ID if top is None else max(int(top) + 1, 1001)
            tx.execute(
                "INSERT INTO templates (id, email, name, created, modified, spec) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (template_id, email, name, created, created, json.dumps(dict(spec))),
            )
        return template_id

    def get_template(self, template_id: int) -> TemplateRow | None:
        row = (
            self._conn().execute("SELECT * FROM templates WHERE id = ?", (template_id,)).fetchone()
        )
        return None if row is None else _template(row)

    def list_templates(self, email: str) -> list[TemplateRow]:
        rows = (
            self._conn()
            .execute("SELECT * FROM templates WHERE email = ? ORDER BY id", (email,))
            .fetchall()
        )
        return [_template(row) for row in rows]

    def delete_template(self, template_id: int) -> bool:
        with self.transaction() as tx:
            cursor = tx.execute("DELETE FROM templates WHERE id = ?", (template_id,))
        return cursor.rowcount > 0

    # --- images ------------------------------------------------------------------------

    def insert_image(
        self,
        *,
        ticket: str,
        email: str,
        operation: str,
        template_id: int | None,
        customer_image_id: str | None,
        product_id: str | None,
        customer_folder: str | None,
        urls: Sequence[str],
        callback_url: str | None,
        base_url: str,
        request: Mapping[str, Any],
        status: int,
        now: float,
        held: bool = False,
        job: str = "none",
    ) -> ImageRow:
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO images (ticket, email, operation, template_id, customer_image_id,"
                " product_id, customer_folder, urls, callback_url, base_url, request, status,"
                " status_since, created, held, job) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    ticket,
                    email,
                    operation,
                    template_id,
                    customer_image_id,
                    product_id,
                    customer_folder,
                    json.dumps(list(urls)),
                    callback_url,
                    base_url,
                    json.dumps(dict(request), default=str),
                    status,
                    now,
                    now,
                    int(held),
                    job,
                ),
            )
        image = self.get_image(ticket)
        assert image is not None
        return image

    def get_image(self, ticket: str) -> ImageRow | None:
        row = self._conn().execute("SELECT * FROM images WHERE ticket = ?", (ticket,)).fetchone()
        return None if row is None else _image(row)

    def find_image_by_customer_id(self, email: str, customer_image_id: str) -> ImageRow | None:
        """The newest image of the account with that customerImageId."""
        row = (
            self._conn()
            .execute(
                "SELECT * FROM images WHERE email = ? AND customer_image_id = ? "
                "ORDER BY seq DESC LIMIT 1",
                (email, customer_image_id),
            )
            .fetchone()
        )
        return None if row is None else _image(row)

    def first_stack_part(self, email: str, product_id: str) -> ImageRow | None:
        row = (
            self._conn()
            .execute(
                "SELECT * FROM images WHERE email = ? AND product_id = ? "
                "AND operation = 'AddStackImageToQueue' ORDER BY seq LIMIT 1",
                (email, product_id),
            )
            .fetchone()
        )
        return None if row is None else _image(row)

    def update_image(self, ticket: str, **changes: Any) -> None:
        unknown = set(changes) - _IMAGE_COLUMNS
        if unknown:
            raise ValueError(f"cannot update image columns {sorted(unknown)}")
        if not changes:
            return
        columns = sorted(changes)
        values = [int(v) if isinstance(v, bool) else v for v in (changes[c] for c in columns)]
        assignments = ", ".join(f"{c} = ?" for c in columns)
        with self.transaction() as tx:
            tx.execute(f"UPDATE images SET {assignments} WHERE ticket = ?", (*values, ticket))  # noqa: S608 (column names are checked against a fixed set)

    def delete_image(self, ticket: str) -> bool:
        with self.transaction() as tx:
            cursor = tx.execute("DELETE FROM images WHERE ticket = ?", (ticket,))
        return cursor.rowcount > 0

    def list_images(self, email: str, flt: ImageFilter) -> list[ImageRow]:
        where = ["email = ?"]
        args: list[Any] = [email]
        if flt.status is not None:
            where.append("status = ?")
            args.append(flt.status)
        if flt.exclude_status is not None:
            where.append("status != ?")
            args.append(flt.exclude_status)
        if flt.product_id is not None:
            where.append("product_id = ?")
            args.append(flt.product_id)
        if flt.created_from is not None:
            where.append("created >= ?")
            args.append(flt.created_from)
        if flt.created_before is not None:
            where.append("created < ?")
            args.append(flt.created_before)
        column = _SORT_COLUMNS[flt.sort_by]
        direction = "DESC" if flt.descending else "ASC"
        order = f"{column} {direction}" + ("" if column == "seq" else f", seq {direction}")
        sql = (
            f"SELECT * FROM images WHERE {' AND '.join(where)} "  # noqa: S608 (fixed fragments)
            f"ORDER BY {order} LIMIT ? OFFSET ?"
        )
        rows = self._conn().execute(sql, (*args, flt.limit, flt.offset)).fetchall()
        return [_image(row) for row in rows]

    def product_stats(self, email: str, *, limit: int, offset: int) -> list[ProductStat]:
        rows = (
            self._conn()
            .execute(
                "SELECT product_id, SUM(status = 80) AS done, SUM(status != 80) AS todo "
                "FROM images WHERE email = ? AND product_id IS NOT NULL AND product_id != '' "
                "GROUP BY product_id ORDER BY product_id LIMIT ? OFFSET ?",
                (email, limit, offset),
            )
            .fetchall()
        )
        return [ProductStat(str(r["product_id"]), int(r["done"]), int(r["todo"])) for r in rows]

    def images_to_step(self, now: float, step: float) -> list[ImageRow]:
        """Images whose next status step is due (not held, in 10/60/70)."""
        rows = (
            self._conn()
            .execute(
                "SELECT * FROM images WHERE held = 0 AND status IN (10, 60, 70) "
                "AND status_since + ? <= ? ORDER BY status_since, seq",
                (step, now),
            )
            .fetchall()
        )
        return [_image(row) for row in rows]

    def images_with_job(self, *states: str) -> list[ImageRow]:
        marks = ", ".join("?" for _ in states)
        rows = (
            self._conn()
            .execute(f"SELECT * FROM images WHERE job IN ({marks}) ORDER BY seq", states)  # noqa: S608
            .fetchall()
        )
        return [_image(row) for row in rows]

    def next_step_time(self, step: float) -> float | None:
        row = (
            self._conn()
            .execute(
                "SELECT MIN(status_since) FROM images WHERE held = 0 AND status IN (10, 60, 70)"
            )
            .fetchone()
        )
        return None if row[0] is None else float(row[0]) + step

    def count_images(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM images").fetchone()[0])

    # --- invoices ------------------------------------------------------------------------

    def replace_invoices(self, email: str, invoices: Sequence[InvoiceRow]) -> None:
        with self.transaction() as tx:
            tx.execute("DELETE FROM invoices WHERE email = ?", (email,))
            for inv in invoices:
                tx.execute(
                    "INSERT INTO invoices (id, email, created, amount, paid) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (inv.id, email, inv.created, inv.amount, int(inv.paid)),
                )

    def list_invoices(
        self,
        email: str,
        *,
        created_from: str | None,
        created_before: str | None,
        limit: int,
        offset: int,
    ) -> list[InvoiceRow]:
        where = ["email = ?"]
        args: list[Any] = [email]
        if created_from is not None:
            where.append("created >= ?")
            args.append(created_from)
        if created_before is not None:
            where.append("created < ?")
            args.append(created_before)
        sql = (
            f"SELECT * FROM invoices WHERE {' AND '.join(where)} "  # noqa: S608 (fixed fragments)
            "ORDER BY created DESC, id DESC LIMIT ? OFFSET ?"
        )
        rows = self._conn().execute(sql, (*args, limit, offset)).fetchall()
        return [
            InvoiceRow(r["id"], r["email"], r["created"], r["amount"], bool(r["paid"]))
            for r in rows
        ]

    # --- webhooks ------------------------------------------------------------------------

    def add_webhook(self, *, ticket: str, email: str, url: str, body: str, now: float) -> int:
        with self.transaction() as tx:
            cursor = tx.execute(
                "INSERT INTO webhooks (ticket, email, url, body, created) VALUES (?, ?, ?, ?, ?)",
                (ticket, email, url, body, now),
            )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def update_webhook(
        self,
        webhook_id: int,
        *,
        state: str,
        attempts: int,
        last_status: int | None,
        last_error: str | None,
        finished: float | None,
    ) -> None:
        """Record the outcome of attempt ``attempts`` (appended to the row's answers)."""
        with self.transaction() as tx:
            row = tx.execute("SELECT answers FROM webhooks WHERE id = ?", (webhook_id,)).fetchone()
            answers = [] if row is None else list(json.loads(row["answers"]))
            answers.append({"attempt": attempts, "status": last_status, "error": last_error})
            tx.execute(
                "UPDATE webhooks SET state = ?, attempts = ?, last_status = ?, last_error = ?,"
                " finished = ?, answers = ? WHERE id = ?",
                (
                    state,
                    attempts,
                    last_status,
                    last_error,
                    finished,
                    json.dumps(answers),
                    webhook_id,
                ),
            )

    def get_webhook(self, webhook_id: int) -> WebhookRow | None:
        row = self._conn().execute("SELECT * FROM webhooks WHERE id = ?", (webhook_id,)).fetchone()
        return None if row is None else _webhook(row)

    def list_webhooks(
        self, *, ticket: str | None = None, state: str | None = None
    ) -> list[WebhookRow]:
        where: list[str] = []
        args: list[Any] = []
        if ticket is not None:
            where.append("ticket = ?")
            args.append(ticket)
        if state is not None:
            where.append("state = ?")
            args.append(state)
        clause = f"WHERE {' AND '.join(where)} " if where else ""
        rows = (
            self._conn()
            .execute(f"SELECT * FROM webhooks {clause}ORDER BY id", args)  # noqa: S608
            .fetchall()
        )
        return [_webhook(row) for row in rows]

    # --- request log ------------------------------------------------------------------

    def log_request(self, entry: RequestRow, *, keep: int, prune_every: int = 100) -> int:
        """Store one entry (its ``id`` is ignored); returns the new id.

        One autocommit ``INSERT``; every ``prune_every``-th entry also deletes all but
        the newest ``keep``, so the table holds at most ``keep + prune_every - 1`` rows.
        """
        with self._lock:
            conn = self._conn()
            cursor = conn.execute(
                "INSERT INTO request_log (at, method, path, generation, binding, operation, "
                "email, status, fault, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.at,
                    entry.method,
                    entry.path,
                    entry.generation,
                    entry.binding,
                    entry.operation,
                    entry.email,
                    entry.status,
                    entry.fault,
                    entry.duration_ms,
                ),
            )
            new_id = int(cursor.lastrowid or 0)
            if new_id % max(1, prune_every) == 0:
                conn.execute("DELETE FROM request_log WHERE id <= ?", (new_id - keep,))
        return new_id

    def list_requests(self, limit: int | None = None) -> list[RequestRow]:
        """The newest ``limit`` logged requests (all if ``None``), newest first."""
        count = -1 if limit is None else limit
        sql = "SELECT * FROM request_log ORDER BY id DESC LIMIT ?"
        rows = self._conn().execute(sql, (count,)).fetchall()
        return [_request(row) for row in rows]

    def count_requests(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM request_log").fetchone()[0])


def _account(row: sqlite3.Row) -> Account:
    return Account(
        email=row["email"],
        api_key=row["api_key"],
        contact_id=int(row["contact_id"]),
        person=row["person"],
        company=row["company"],
        days_of_credit=int(row["days_of_credit"]),
        trial_images=int(row["trial_images"]),
        currency=row["currency"],
        details=json.loads(row["details"]),
    )


def _template(row: sqlite3.Row) -> TemplateRow:
    return TemplateRow(
        id=int(row["id"]),
        email=row["email"],
        name=row["name"],
        created=row["created"],
        modified=row["modified"],
        spec=json.loads(row["spec"]),
    )


def _image(row: sqlite3.Row) -> ImageRow:
    return ImageRow(
        seq=int(row["seq"]),
        ticket=row["ticket"],
        email=row["email"],
        operation=row["operation"],
        template_id=None if row["template_id"] is None else int(row["template_id"]),
        customer_image_id=row["customer_image_id"],
        product_id=row["product_id"],
        customer_folder=row["customer_folder"],
        urls=tuple(json.loads(row["urls"])),
        callback_url=row["callback_url"],
        base_url=row["base_url"],
        request=json.loads(row["request"]),
        status=int(row["status"]),
        status_since=float(row["status_since"]),
        created=float(row["created"]),
        held=bool(row["held"]),
        job=row["job"],
        outputs=int(row["outputs"]),
        error=row["error"],
        rejections=int(row["rejections"]),
        reject_comment=row["reject_comment"],
        markup_url=row["markup_url"],
        output_ext=row["output_ext"],
    )


def _webhook(row: sqlite3.Row) -> WebhookRow:
    return WebhookRow(
        id=int(row["id"]),
        ticket=row["ticket"],
        email=row["email"],
        url=row["url"],
        body=row["body"],
        state=row["state"],
        attempts=int(row["attempts"]),
        last_status=None if row["last_status"] is None else int(row["last_status"]),
        last_error=row["last_error"],
        created=float(row["created"]),
        finished=None if row["finished"] is None else float(row["finished"]),
        answers=tuple(json.loads(row["answers"])),
    )


def _request(row: sqlite3.Row) -> RequestRow:
    return RequestRow(
        id=int(row["id"]),
        at=float(row["at"]),
        method=row["method"],
        path=row["path"],
        generation=row["generation"],
        binding=row["binding"],
        operation=row["operation"],
        email=row["email"],
        status=int(row["status"]),
        fault=row["fault"],
        duration_ms=float(row["duration_ms"]),
    )

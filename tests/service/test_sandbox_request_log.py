"""The sandbox's request log: every request received, credentials masked (sandbox.requestlog)."""

from __future__ import annotations

import html
import io
import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import pytest
import requests

from removethebackground.core.client import build_envelope
from removethebackground.core.redaction import redact, redact_query
from removethebackground.core.wire import Binding
from removethebackground.generated import pixelz
from removethebackground.sandbox import SandboxClock, SandboxConfig
from removethebackground.sandbox.app import SandboxApp
from removethebackground.sandbox.requestlog import RequestLog, skipped
from removethebackground.sandbox.store import RequestRow, Store
from removethebackground.testing.sandbox import SandboxHandle, run_sandbox

EMAIL = "log@example.org"
# Every character that changes between encodings: + / & % space < and non-ASCII.
KEY = "k+y/a&b%2F c<d>é ключ"
# A wrong key is a secret too (a typo of the real one, or another account's).
WRONG = "w+r/o&n%g <k>ü"
SOAP11 = "text/xml; charset=utf-8"
SOAP12 = "application/soap+xml; charset=utf-8"
ACTION = "http://removethebackground.com/GetTemplates"
START = 1_800_000_000.0


def forms(secret: str) -> set[str]:
    """Every encoding a secret could be stored or shown in, built independently of the code."""
    percent = quote(secret, safe="")
    plus = quote_plus(secret, safe="")
    lower = [re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), f) for f in (percent, plus)]
    found = {
        secret,
        percent,
        plus,
        *lower,
        quote(secret),  # "/" left as is
        html.escape(secret),
        html.escape(secret, quote=False),
        "".join(f"&#{ord(c)};" for c in secret),
        "".join(f"&#x{ord(c):x};" for c in secret),
        "".join(f"&#x{ord(c):X};" for c in secret),
    }
    if secret == KEY:  # the parts that some encodings leave as they are
        found |= {"ключ", quote("ключ"), quote("ключ").lower(), html.escape("c<d>é")}
    return found


def assert_no_secret(text: str | bytes, where: str, *, allow_plain: bool = False) -> None:
    for secret in (KEY, WRONG):
        for form in forms(secret):
            if allow_plain and secret == KEY and form in (KEY, "ключ"):
                continue
            needle = form.encode("utf-8") if isinstance(text, bytes) else form
            assert needle not in text, f"{form!r} of a key found in {where}"


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    with run_sandbox(accounts=[(EMAIL, KEY)], clock=SandboxClock(frozen=True, start=START)) as s:
        yield s


def soap(sb: SandboxHandle, binding: Binding, key: str, content_type: str | None = None) -> Any:
    body = build_envelope(
        pixelz.OP_GET_TEMPLATES, binding, {"contact_email": EMAIL, "contact_api_key": key}
    )
    headers = {"Content-Type": content_type or (SOAP11 if binding is Binding.SOAP11 else SOAP12)}
    if binding is Binding.SOAP11:
        headers["SOAPAction"] = f'"{ACTION}"'
    return requests.post(sb.pixelz_endpoint, data=body, headers=headers, timeout=10)


def logged_after(sb: SandboxHandle, send: Any) -> list[RequestRow]:
    before = sb.requests_log(1)
    first = before[0].id if before else 0
    send()
    return [row for row in sb.requests_log() if row.id > first]


def only(rows: list[RequestRow]) -> RequestRow:
    assert len(rows) == 1, rows
    return rows[0]


def test_soap11_call_is_logged(sb: SandboxHandle) -> None:
    row = only(logged_after(sb, lambda: soap(sb, Binding.SOAP11, KEY)))
    assert (row.method, row.path, row.status) == ("POST", "/soap.asmx", 200)
    assert (row.generation, row.binding, row.operation) == ("pixelz", "soap11", "GetTemplates")
    assert (row.email, row.fault) == (EMAIL, None)
    assert row.at == START and row.duration_ms > 0


def test_soap12_fault_is_logged_with_its_text(sb: SandboxHandle) -> None:
    row = only(logged_after(sb, lambda: soap(sb, Binding.SOAP12, WRONG)))
    assert (row.binding, row.operation, row.email) == ("soap12", "GetTemplates", EMAIL)
    assert (row.status, row.fault) == (500, "Invalid contact credentials")


def test_http_get_with_the_key_in_the_query(sb: SandboxHandle) -> None:
    query = urlencode({"contactEmail": EMAIL, "contactAPIkey": KEY})
    url = f"{sb.pixelz_endpoint}/GetTemplates?{query}"
    row = only(logged_after(sb, lambda: requests.get(url, timeout=10)))
    assert row.path == f"/soap.asmx/GetTemplates?contactEmail={quote_plus(EMAIL)}&contactAPIkey=***"
    assert (row.generation, row.binding, row.operation) == ("pixelz", "http_get", "GetTemplates")
    assert (row.email, row.status, row.fault) == (EMAIL, 200, None)


def test_http_get_masks_every_spelling_of_the_key(sb: SandboxHandle) -> None:
    lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(KEY, safe=""))
    nested = quote(f"http://127.0.0.1:9/a.png?contactAPIkey={quote(KEY, safe='')}", safe="")
    query = (
        f"contactEmail={EMAIL}&ContactAPIKEY={lower}&DeveloperApiKey={quote_plus(WRONG)}"
        f"&imageURL={nested}&note={quote(KEY, safe='')}"
    )
    url = f"{sb.pixelz_endpoint}/GetTemplates?{query}"
    row = only(logged_after(sb, lambda: requests.get(url, timeout=10)))
    assert row.path.endswith(
        f"?contactEmail={EMAIL}&ContactAPIKEY=***&DeveloperApiKey=***&imageURL=***&note=***"
    )
    assert_no_secret(row.path, "the logged path")


def test_http_post_form_is_logged(sb: SandboxHandle) -> None:
    form = {"contactEmail": EMAIL, "contactAPIkey": KEY}
    url = f"{sb.pixelz_endpoint}/GetTemplates"
    row = only(logged_after(sb, lambda: requests.post(url, data=form, timeout=10)))
    assert (row.method, row.path, row.binding, row.operation) == (
        "POST",
        "/soap.asmx/GetTemplates",
        "http_post",
        "GetTemplates",
    )
    assert (row.email, row.status) == (EMAIL, 200)


def test_http_error_is_logged_with_its_text(sb: SandboxHandle) -> None:
    url = f"{sb.pixelz_endpoint}/GetTemplates?contactEmail={EMAIL}&contactAPIkey={quote(WRONG)}"
    row = only(logged_after(sb, lambda: requests.get(url, timeout=10)))
    assert (row.status, row.fault) == (500, "Invalid contact credentials")
    unknown = only(
        logged_after(sb, lambda: requests.get(f"{sb.legacy_endpoint}/NoSuchThing", timeout=10))
    )
    assert (unknown.generation, unknown.binding, unknown.operation) == (
        "legacy",
        None,
        "NoSuchThing",
    )
    assert unknown.status == 500 and "NoSuchThing" in (unknown.fault or "")


def test_415_is_logged(sb: SandboxHandle) -> None:
    row = only(logged_after(sb, lambda: soap(sb, Binding.SOAP11, KEY, "application/json")))
    assert (row.status, row.binding, row.generation) == (415, "soap11", "pixelz")
    assert row.fault == "415 Unsupported Media Type"


def test_other_routes_are_logged_and_the_page_is_not(sb: SandboxHandle) -> None:
    def send() -> None:
        requests.get(sb.url + "/", timeout=10)
        requests.get(sb.url + "/out/nothing-thumb.png", timeout=10)
        requests.put(sb.url + "/uploads/a.png", data=b"not an image", timeout=10)
        requests.get(sb.url + "/nowhere?apikey=" + quote(KEY), timeout=10)
        requests.get(sb.pixelz_endpoint + "?WSDL", timeout=10)

    rows = logged_after(sb, send)
    assert [(r.method, r.path.split("?")[0]) for r in rows] == [
        ("PUT", "/uploads/a.png"),
        ("GET", "/nowhere"),
        ("GET", "/soap.asmx"),
    ]
    assert rows[1].path == "/nowhere?apikey=***" and rows[1].status == 404
    assert rows[2].generation == "pixelz" and rows[2].status == 200
    assert skipped("GET", "/") and not skipped("POST", "/") and not skipped("GET", "/out/t.png")


def test_the_key_is_nowhere_in_table_page_or_database(sb: SandboxHandle) -> None:
    # Every kind of request, each with the keys in it somewhere.
    soap(sb, Binding.SOAP11, KEY)
    soap(sb, Binding.SOAP12, WRONG)
    soap(sb, Binding.SOAP11, WRONG, "application/json")
    for key in (KEY, WRONG):
        for encoded in (quote(key, safe=""), quote_plus(key), quote(key, safe="").lower()):
            requests.get(
                f"{sb.pixelz_endpoint}/GetTemplates?contactEmail={EMAIL}&contactAPIkey={encoded}",
                timeout=10,
            )
        requests.post(
            f"{sb.pixelz_endpoint}/GetTemplates",
            data={"contactEmail": EMAIL, "contactAPIkey": key},
            timeout=10,
        )
    # Outside the credential parameters only a known key can be recognised: the accounts'.
    requests.get(f"{sb.url}/{quote(KEY)}?x={quote(KEY)}&y={quote_plus(KEY)}", timeout=10)
    page = requests.get(sb.url + "/", timeout=10)
    section = page.text[page.text.index('id="received"') : page.text.index('id="requests"')]
    assert section.count('<tr class="received">') >= 12 and "***" in section
    assert_no_secret(page.text, "the page")
    with sqlite3.connect(sb.data_dir / "sandbox.sqlite3") as conn:
        dump = repr(conn.execute("SELECT * FROM request_log").fetchall())
    assert_no_secret(dump, "the request_log table")
    # The files themselves: the account's key is in the accounts table as is (it has
    # to be, to check it), but in no other form; the wrong key in none at all.
    files = b"".join(p.read_bytes() for p in sb.data_dir.glob("sandbox.sqlite3*"))
    assert_no_secret(files, "the database files", allow_plain=True)


def test_redact_hides_every_form_of_a_secret() -> None:
    for form in forms(WRONG):
        assert redact(f"x{form}y", [WRONG]) == "x***y", form
    assert redact("nothing here", [WRONG]) == "nothing here"
    assert redact("x", []) == "x"


def test_redact_query_keeps_the_rest_as_sent() -> None:
    assert redact_query("a=1&ApIkEy=x%2By&b=%41+c", []) == "a=1&ApIkEy=***&b=%41+c"
    assert redact_query("q=" + quote(quote(KEY, safe=""), safe=""), [KEY]) == "q=***"
    assert redact_query(quote(KEY, safe="") + "&z=1", [KEY]) == "***&z=1"
    assert redact_query("applicationCode", []) == "applicationCode=***"
    # Names as ASP.NET reads them: percent- and "+"-decoded.
    assert (
        redact_query("Contact%41PIkey=1&contact+apikey=2", [])
        == "Contact%41PIkey=***&contact+apikey=2"
    )


# --- bounds, failures, migration ----------------------------------------------------------------


def wsgi_get(app: SandboxApp, path: str, query: str = "") -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
    }
    status: list[str] = []
    body = b"".join(app(environ, lambda s, h: status.append(s)))
    return status[0], body


def test_pruning_keeps_the_newest_within_the_bound(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    log = RequestLog(store, SandboxClock(frozen=True, start=START), keep=5, prune_every=10)
    for n in range(1, 58):
        environ = {"QUERY_STRING": f"n={n}"}
        log.record(environ, "GET", "/x", 200, 0.001)
        assert store.count_requests() <= 5 + 10 - 1
    paths = [row.path for row in store.list_requests()]
    assert paths == [f"/x?n={n}" for n in range(57, 45, -1)]  # pruned at 50: 46..57 left
    assert [row.path for row in store.list_requests(3)] == ["/x?n=57", "/x?n=56", "/x?n=55"]
    store.close()


def test_config_bounds_the_app_log_and_zero_turns_it_off(tmp_path: Path) -> None:
    app = SandboxApp(tmp_path / "a", config=SandboxConfig(request_log_size=3), start=False)
    try:
        for n in range(250):
            wsgi_get(app, "/nowhere", f"n={n}")
        assert app.store.count_requests() < 3 + 100
        assert [r.path for r in app.requests_log()][-3:] == [
            f"/nowhere?n={n}" for n in (247, 248, 249)
        ]
    finally:
        app.close()
    off = SandboxApp(tmp_path / "b", config=SandboxConfig(request_log_size=0), start=False)
    try:
        assert wsgi_get(off, "/nowhere")[0].startswith("404")
        assert off.request_log is None and off.requests_log() == []
    finally:
        off.close()
    with pytest.raises(ValueError, match="request_log_size"):
        SandboxConfig(request_log_size=-1)


def test_a_failing_log_does_not_break_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = SandboxApp(tmp_path, start=False)
    try:

        def broken(*args: object, **kwargs: object) -> int:
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(app.store, "log_request", broken)
        with caplog.at_level(logging.DEBUG, logger="removethebackground.sandbox"):
            for _ in range(3):
                status, body = wsgi_get(
                    app,
                    "/soap.asmx/GetTemplates",
                    f"contactEmail=demo@example.com&contactAPIkey={quote(KEY)}",
                )
                assert status.startswith("500") and b"Invalid contact credentials" in body
            status, body = wsgi_get(
                app,
                "/soap.asmx/GetTemplates",
                "contactEmail=demo@example.com&contactAPIkey=demo-key",
            )
        assert status.startswith("200") and b"Template" in body
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "could not log a request" in warnings[0].getMessage()
        assert app.requests_log() == []
        # An error while building the row (here: reading the account keys) is caught too.
        monkeypatch.setattr(app.store, "list_accounts", broken)
        assert app.request_log is not None
        app.request_log.record({}, "GET", "/x", 200, 0.0)
    finally:
        app.close()


def test_an_older_data_dir_gets_the_table(tmp_path: Path) -> None:
    store = Store(tmp_path / "sandbox.sqlite3")
    with store.transaction() as tx:
        tx.execute("DROP TABLE request_log")
    store.close()
    with sqlite3.connect(tmp_path / "sandbox.sqlite3") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "request_log" not in tables and "images" in tables
    app = SandboxApp(tmp_path, start=False)
    try:
        wsgi_get(app, "/nowhere")
        assert [(r.path, r.status) for r in app.requests_log()] == [("/nowhere", 404)]
    finally:
        app.close()

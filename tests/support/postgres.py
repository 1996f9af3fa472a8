"""A real PostgreSQL server for the tests, started from the installed binaries.

:func:`database_url` starts one server per test process (the first time it is asked;
``initdb`` + ``pg_ctl`` in a fresh directory, on a free loopback port, password
authentication over TCP) and returns the URL of a new, empty database on it. The
server stops when the process exits. Where no ``initdb``/``pg_ctl`` is found (on PATH,
or under Debian's /usr/lib/postgresql/<version>/bin) the asking test is skipped,
saying so. Run as root, the server runs as the ``postgres`` user (initdb refuses root).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

import pytest

USER = "rtb"
PASSWORD = "s3cret-pg-Passw0rd"

_lock = threading.Lock()
_server: tuple[int, str] | None = None


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").exists() and Path(folder, "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start() -> tuple[int, str]:
    folder = binaries()
    if folder is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl): install Debian's postgresql")
    base = Path(tempfile.mkdtemp(prefix="rtb-pg-"))
    data, pwfile = base / "data", base / "pw"
    pwfile.write_text(PASSWORD)
    as_user: dict[str, object] = {}
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        for path in (base, pwfile):
            os.chown(path, account.pw_uid, account.pw_gid)
        as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    run = dict(check=True, capture_output=True, timeout=120, **as_user)
    subprocess.run(  # type: ignore[call-overload]
        [
            folder / "initdb",
            "-D",
            data,
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "-A",
            "scram-sha-256",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ],
        **run,
    )
    port = _free_port()
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    )
    subprocess.run(  # type: ignore[call-overload]
        [folder / "pg_ctl", "-D", data, "-o", options, "-l", base / "log", "-w", "start"], **run
    )

    def stop() -> None:
        subprocess.run(  # type: ignore[call-overload]
            [folder / "pg_ctl", "-D", data, "-m", "immediate", "stop"],
            **{**run, "check": False},
        )
        shutil.rmtree(base, ignore_errors=True)

    atexit.register(stop)
    return port, str(base)


def server_url(database: str = "postgres") -> str:
    global _server
    with _lock:
        if _server is None:
            _server = _start()
        port = _server[0]
    return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/{database}"


def database_url() -> str:
    """The URL of a new, empty database on this process's server."""
    import psycopg

    name = f"rtb_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url(), autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    return server_url(name)

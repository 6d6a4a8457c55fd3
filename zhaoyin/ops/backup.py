"""Backup and restore of the whole database (BAK-01).

SQLite: a consistent snapshot taken with SQLite's online backup API while other
connections keep writing; restore copies a checked snapshot back through the same API,
which replaces the live database's content in one transaction (WAL-safe, unlike moving
files under a running database).

PostgreSQL: ``pg_dump -Fc`` and ``pg_restore --clean --if-exists --exit-on-error
--single-transaction``; the connection comes from DATABASE_URL and is handed to the tools
through PG* environment variables, never on the command line.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

#: Tables whose presence marks a database as Zhaoyin's.
OUR_TABLES = ("django_migrations", "audit_auditrecord", "accounts_user")
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is one line for the CLI."""


# -- helpers -----------------------------------------------------------------------------
def _connection(alias: str = "default") -> BaseDatabaseWrapper:
    return connections[alias]


def _sqlite_path(conn: BaseDatabaseWrapper) -> Path:
    name = str(conn.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("the SQLite database is in memory; there is no file to back up")
    return Path(name).resolve()


def _check_target(target: Path, *, force: bool, live: Path | None = None) -> None:
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give a file name")
    if not target.parent.is_dir():
        raise BackupError(f"the directory {target.parent} does not exist")
    if live is not None and target.resolve() == live:
        raise BackupError("the backup file cannot be the live database itself")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; choose a new name or pass --force")


def _sqlite_is_ours(path: Path) -> None:
    """Refuse anything that is not an intact SQLite database holding Zhaoyin's tables."""
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    if header != SQLITE_MAGIC:
        raise BackupError(f"{path} is not an SQLite database")
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not set(OUR_TABLES) <= names:
                raise BackupError(f"{path} is an SQLite database but not a Zhaoyin backup")
            result = con.execute("PRAGMA integrity_check").fetchone()
            if not result or result[0] != "ok":
                raise BackupError(f"{path} fails SQLite's integrity check")
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database ({exc})") from None


def pg_binary(name: str) -> str:
    """Find pg_dump/pg_restore: the newest /usr/lib/postgresql/*/bin first, then PATH."""
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
        reverse=True,
    )
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found (install the PostgreSQL client tools)")
    return found


def _pg_env(conn: BaseDatabaseWrapper) -> dict[str, str]:
    s = conn.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if s.get(key):
            env[var] = str(s[key])
    return env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(  # noqa: S603 - fixed argv of PostgreSQL tools, no shell
        cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
        reason = lines[0] if lines else f"exit status {proc.returncode}"
        raise BackupError(f"{Path(cmd[0]).name} failed: {reason}")


# -- backup -------------------------------------------------------------------------------
def backup(target: Path, *, force: bool = False, alias: str = "default") -> Path:
    """Write a consistent snapshot of the database to ``target`` (replaced atomically)."""
    conn = _connection(alias)
    target = Path(target).expanduser().absolute()
    if conn.vendor == "sqlite":
        live = _sqlite_path(conn)
        _check_target(target, force=force, live=live)
        if not live.is_file():
            raise BackupError(f"the database {live} does not exist; run zhaoyin migrate first")
        _sqlite_backup(live, target)
    elif conn.vendor == "postgresql":
        _check_target(target, force=force)
        fd, tmp = tempfile.mkstemp(prefix=".zhaoyin-backup-", dir=target.parent)
        os.close(fd)
        try:
            _run([pg_binary("pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", tmp], _pg_env(conn))
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    else:
        raise BackupError(f"backups of {conn.vendor} databases are not supported")
    return target


def _sqlite_backup(live: Path, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".zhaoyin-backup-", dir=target.parent)
    os.close(fd)
    try:
        src = sqlite3.connect(str(live), timeout=30)
        dst = sqlite3.connect(tmp)
        try:
            # One step (pages=-1): the copy is a single consistent read of the source,
            # even while other connections write to it.
            src.backup(dst)
            # A backup is one self-contained file, not a WAL database.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
        _sqlite_is_ours(Path(tmp))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# -- restore ------------------------------------------------------------------------------
def restore(source: Path, *, alias: str = "default") -> None:
    """Replace the database's content with the backup in ``source``, or refuse and change nothing."""
    conn = _connection(alias)
    source = Path(source).expanduser().absolute()
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file")
    if conn.vendor == "sqlite":
        _sqlite_restore(source, _sqlite_path(conn), conn)
    elif conn.vendor == "postgresql":
        _pg_restore(source, conn)
    else:
        raise BackupError(f"restoring {conn.vendor} databases is not supported")


def _sqlite_restore(source: Path, live: Path, conn: BaseDatabaseWrapper) -> None:
    _sqlite_is_ours(source)
    conn.close()  # Django's own connection must not hold the old content open
    live.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    dst = sqlite3.connect(str(live), timeout=30)
    try:
        # The backup API writes the destination in one transaction: readers see either the
        # old database or the restored one, never a mix, and the WAL stays consistent.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        result = dst.execute("PRAGMA integrity_check").fetchone()
        if not result or result[0] != "ok":
            raise BackupError("the restored database fails SQLite's integrity check")
        if dst.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise BackupError("the restored database fails SQLite's foreign key check")
    finally:
        dst.close()
        src.close()


def _pg_restore(source: Path, conn: BaseDatabaseWrapper) -> None:
    with source.open("rb") as fh:
        if fh.read(len(PGDUMP_MAGIC)) != PGDUMP_MAGIC:
            raise BackupError(f"{source} is not a PostgreSQL custom-format dump (pg_dump -Fc)")
    env = _pg_env(conn)
    listing = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [pg_binary("pg_restore"), "--list", str(source)], env=env, capture_output=True, text=True,
        check=False,
    )
    if listing.returncode != 0 or not all(f" {t} " in listing.stdout for t in OUR_TABLES):
        raise BackupError(f"{source} is not a Zhaoyin backup")
    conn.close()
    _run(
        [pg_binary("pg_restore"), "--clean", "--if-exists", "--exit-on-error", "--single-transaction",
         "--no-owner", "--no-privileges", "-d", env.get("PGDATABASE", ""), str(source)],
        env,
    )


# -- fingerprints (the restore drill) ------------------------------------------------------
def _normalise(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value).hex()
    if isinstance(value, bytes):
        return value.hex()
    return value


def table_fingerprints(alias: str = "default", tables: Iterable[str] | None = None) -> dict[str, tuple[int, str]]:
    """Per table: (row count, SHA-256 over every row, all columns, ordered by primary key).

    Compared before backup and after restore by the drill (BAK-01)."""
    conn = _connection(alias)
    out: dict[str, tuple[int, str]] = {}
    with conn.cursor() as cursor:
        names = sorted(tables if tables is not None else conn.introspection.table_names(cursor))
        if conn.vendor == "sqlite":
            # A virtual table (the FTS5 search index) cannot be scanned; its shadow tables, which
            # hold its data, are ordinary tables and are compared.
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
            virtual = {row[0] for row in cursor.fetchall()}
            names = [n for n in names if n not in virtual]
        for table in names:
            pk_columns = conn.introspection.get_primary_key_columns(cursor, table) or []
            columns = [c.name for c in conn.introspection.get_table_description(cursor, table)]
            order = pk_columns or columns
            qn = conn.ops.quote_name
            cursor.execute(
                "SELECT {cols} FROM {t} ORDER BY {order}".format(  # noqa: S608 - names from introspection
                    cols=", ".join(qn(c) for c in columns), t=qn(table), order=", ".join(qn(c) for c in order)
                )
            )
            h = hashlib.sha256()
            count = 0
            for row in cursor.fetchall():
                h.update(repr(tuple(_normalise(v) for v in row)).encode())
                count += 1
            out[table] = (count, h.hexdigest())
    return out

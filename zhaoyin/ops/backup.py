"""Backup and restore of the database and every uploaded file, as one archive (BAK-01).

``backup`` writes one tar archive (gzip-compressed when FILE ends in ``.gz`` or ``.tgz``)::

    manifest.json               first member: format, database kind, migrations, app version,
                                time, and the SHA-256 and size of every other member
    database.sqlite3            SQLite: a snapshot taken with SQLite's online backup API
    database.pgdump             PostgreSQL: ``pg_dump --format=custom``
    files/<area>/<stored name>  the uploads the snapshot's rows reference

Consistency: the database snapshot is taken first, and the archive holds exactly the files
the snapshot's attachment rows (every concrete ``core.models.StoredFile``) reference, with the
size and SHA-256 those rows record. A stored file is written before its row commits and is
never changed or removed afterwards (``core.files``), so every file the snapshot references
exists; a file written after the snapshot is not referenced and not included. On PostgreSQL
the rows are read in the same REPEATABLE READ snapshot that ``pg_dump --snapshot`` dumps. A
referenced file that is missing or differs from its row fails the backup (naming the file).
Import uploads waiting between preview and commit (``DATA_DIR/imports``) are transient: those
the snapshot references are copied at once and included when still on disk and equal to the
batch's digest, skipped otherwise (a commit removes them at any moment).

``restore`` reads the archive into a staging directory inside the data directory, checking
every member against the manifest (its name, that it is a plain file, its size and SHA-256)
and that no member is missing, then checks the database snapshot itself; only then does it
replace the database (SQLite: the backup API, one transaction; PostgreSQL: ``pg_restore
--single-transaction``) and swap in the upload directories. Nothing is ever extracted by the
names in the archive: only names of the fixed forms above are accepted, written by this code.

A database-only backup written by an earlier release (an SQLite file or a ``pg_dump -Fc``
file) is still restored: the database only, the upload directories are left as they are.

The connection to PostgreSQL comes from DATABASE_URL and is handed to ``pg_dump`` and
``pg_restore`` through PG* environment variables, never on the command line.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

#: Tables whose presence marks a database as Zhaoyin's.
OUR_TABLES = ("django_migrations", "audit_auditrecord", "accounts_user")
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"

#: The archive format (``manifest.json``'s ``format`` and ``format_version``).
ARCHIVE_FORMAT = "zhaoyin-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
#: The area of import uploads (``core.importing.import_dir``), optional in a backup.
IMPORTS_AREA = "imports"
#: The manifest is read into memory: a bound far above a million files' entries.
MAX_MANIFEST_BYTES = 512 * 1024 * 1024
#: The only member names an archive may hold (besides the manifest and database).
_AREA = r"[a-z][a-z0-9_]{0,39}"
FILE_MEMBER = re.compile(rf"files/({_AREA})/([0-9a-f]{{1,64}}(?:\.xlsx)?)")
AREA_NAME = re.compile(_AREA)
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


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



# -- what the snapshot references ----------------------------------------------------------
@dataclass(frozen=True)
class FileRef:
    """One uploaded file a database snapshot references: its area (the directory below
    DATA_DIR), stored name, and the digest and size its row records (size None: unknown)."""

    area: str
    name: str
    sha256: str
    size: int | None
    required: bool

    @property
    def member(self) -> str:
        return f"files/{self.area}/{self.name}"


def attachment_tables() -> list[tuple[str, str]]:
    """(table, area) of every model that keeps an upload under ``DATA_DIR/<area>``.

    Every concrete ``core.models.StoredFile`` must be here; ``test_backup`` checks that
    against the model registry, so a new attachment model cannot be left out of backups."""
    from zhaoyin.apartments.models import ApplicationFile
    from zhaoyin.apartments.services import FILE_AREA as APARTMENT_AREA
    from zhaoyin.matters.models import MatterFile
    from zhaoyin.matters.services import FILE_AREA as MATTER_AREA
    from zhaoyin.mujun.models import FILE_AREA as MUJUN_AREA
    from zhaoyin.mujun.models import MuObjectionFile
    from zhaoyin.payouts.models import APPLICATION_FILE_AREA as SUBSIDY_AREA
    from zhaoyin.payouts.models import SubsidyApplicationFile
    from zhaoyin.policies.models import PolicyFile
    from zhaoyin.policies.services import FILE_AREA as POLICY_AREA
    from zhaoyin.projects.models import EvidenceFile, FundEvidenceFile
    from zhaoyin.projects.services import EVIDENCE_AREA
    from zhaoyin.recognition.models import FILE_AREA as RECOGNITION_AREA
    from zhaoyin.recognition.models import RecognitionFile
    from zhaoyin.visits.models import VisitFile
    from zhaoyin.visits.services import FILE_AREA as VISIT_AREA

    return [
        (EvidenceFile._meta.db_table, EVIDENCE_AREA),
        # The funds entries' 到账凭证 (issue 15) share the evidence area.
        (FundEvidenceFile._meta.db_table, EVIDENCE_AREA),
        (MatterFile._meta.db_table, MATTER_AREA),
        (PolicyFile._meta.db_table, POLICY_AREA),
        (VisitFile._meta.db_table, VISIT_AREA),
        # Issue 13: a talent's documents for an apartment and for a recognition.
        (ApplicationFile._meta.db_table, APARTMENT_AREA),
        (RecognitionFile._meta.db_table, RECOGNITION_AREA),
        # Issue 13 item 9: a talent's documents for a subsidy application.
        (SubsidyApplicationFile._meta.db_table, SUBSIDY_AREA),
        # Issue 14: a firm's evidence for its objection to a 亩均 result.
        (MuObjectionFile._meta.db_table, MUJUN_AREA),
    ]


def backup_areas() -> list[str]:
    """Every upload directory a backup carries and a restore replaces."""
    return sorted({area for _table, area in attachment_tables()} | {IMPORTS_AREA})


Query = Callable[[str], Sequence[Sequence[Any]]]


def _referenced(query: Query) -> tuple[list[FileRef], dict[str, list[str]]]:
    """The files and the applied migrations recorded in one database snapshot."""
    from zhaoyin.core.models import ImportBatch

    refs: list[FileRef] = []
    for table, area in attachment_tables():
        stored = f"SELECT stored_name, sha256, size FROM {table} ORDER BY stored_name"  # noqa: S608 - model tables
        for name, digest, size in query(stored):
            refs.append(FileRef(area=area, name=str(name), sha256=str(digest), size=int(size), required=True))
    imports = ImportBatch._meta.db_table
    pending = f"SELECT stored_name, sha256 FROM {imports} WHERE stored_name <> '' ORDER BY stored_name"  # noqa: S608
    for name, digest in query(pending):
        refs.append(FileRef(area=IMPORTS_AREA, name=str(name), sha256=str(digest), size=None, required=False))
    for ref in refs:
        # Names are random hex written by core.files; anything else is not ours to follow.
        if not FILE_MEMBER.fullmatch(ref.member):
            raise BackupError(f"the database references a stored file with an unexpected name: {ref.member}")
    migrations: dict[str, list[str]] = {}
    for app, name in query("SELECT app, name FROM django_migrations ORDER BY app, name"):
        migrations.setdefault(str(app), []).append(str(name))
    return refs, migrations


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zhaoyin")
    except PackageNotFoundError:
        return "unknown"


# -- backup -------------------------------------------------------------------------------
@dataclass
class BackupResult:
    """What ``backup`` wrote: the archive, the database kind, and how many files and bytes."""

    path: Path
    database: str
    files: int = 0
    skipped: list[str] = field(default_factory=list)


def backup(target: Path, *, force: bool = False, alias: str = "default") -> BackupResult:
    """Write one archive of the database snapshot and the files it references to ``target``.

    Written under a temporary name beside ``target`` and renamed when complete."""
    conn = _connection(alias)
    target = Path(target).expanduser().absolute()
    if conn.vendor == "sqlite":
        live = _sqlite_path(conn)
        _check_target(target, force=force, live=live)
        if not live.is_file():
            raise BackupError(f"the database {live} does not exist; run zhaoyin migrate first")
    elif conn.vendor == "postgresql":
        _check_target(target, force=force)
    else:
        raise BackupError(f"backups of {conn.vendor} databases are not supported")
    kind = conn.vendor
    work = Path(tempfile.mkdtemp(prefix=".zhaoyin-backup-", dir=target.parent))  # mode 0700
    try:
        snapshot = work / DATABASE_MEMBERS[kind]
        if kind == "sqlite":
            _sqlite_snapshot(live, snapshot)
            refs, migrations = _sqlite_referenced(snapshot)
        else:
            refs, migrations = _pg_snapshot(conn, snapshot)
        result = BackupResult(path=target, database=kind)
        members: dict[str, dict[str, Any]] = {snapshot.name: _digest(snapshot)}
        present: dict[str, Path] = {}  # member name -> the file to read it from
        for ref in refs:
            path = Path(settings.DATA_DIR) / ref.area / ref.name
            if ref.member in present:
                continue
            if ref.required:
                if not path.is_file():
                    raise BackupError(
                        f"{path} is referenced by the database but missing on disk; no backup was written"
                    )
                # Checked against the row's digest while the archive is written.
                members[ref.member] = {"sha256": ref.sha256, "size": ref.size}
                present[ref.member] = path
                continue
            # A pending import's upload may be removed by its commit at any moment: copied now
            # (a spreadsheet of at most 20 MB), or left out when it is gone or not the
            # previewed file.
            copy = work / "pending" / ref.area / ref.name
            copy.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                shutil.copyfile(path, copy)
            except OSError:
                result.skipped.append(ref.member)
                continue
            digest = _digest(copy)
            if digest["sha256"] != ref.sha256:
                result.skipped.append(ref.member)
                continue
            members[ref.member] = digest
            present[ref.member] = copy
        result.files = len(present)
        manifest = {
            "format": ARCHIVE_FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "app_version": _app_version(),
            "database": {"kind": kind, "member": snapshot.name},
            "migrations": migrations,
            "areas": backup_areas(),
            "members": members,
        }
        archive = work / "archive"
        _write_archive(archive, manifest, snapshot, present, gzip=target.name.endswith((".gz", ".tgz")))
        os.replace(archive, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _digest(path: Path) -> dict[str, Any]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return {"sha256": h.hexdigest(), "size": size}


def _sqlite_snapshot(live: Path, target: Path) -> None:
    src = sqlite3.connect(str(live), timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        # One step (pages=-1): the copy is a single consistent read of the source,
        # even while other connections write to it.
        src.backup(dst)
        # A backup is one self-contained file, not a WAL database.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    _sqlite_is_ours(target)


def _sqlite_referenced(snapshot: Path) -> tuple[list[FileRef], dict[str, list[str]]]:
    con = sqlite3.connect(snapshot.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return _referenced(lambda sql: con.execute(sql).fetchall())
    finally:
        con.close()


def _pg_snapshot(conn: BaseDatabaseWrapper, target: Path) -> tuple[list[FileRef], dict[str, list[str]]]:
    """Dump the database and read its file references from one and the same snapshot.

    A REPEATABLE READ transaction exports its snapshot; ``pg_dump --snapshot`` dumps exactly
    what this transaction sees, and the transaction stays open until the dump is done."""
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        row = cursor.fetchone()
        assert row is not None

        def query(sql: str) -> Sequence[Sequence[Any]]:
            cursor.execute(sql)
            return list(cursor.fetchall())

        refs, migrations = _referenced(query)
        _run([pg_binary("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--snapshot={row[0]}", "-f", str(target)], _pg_env(conn))
    return refs, migrations


class _HashingReader:
    """Reads a file for ``tarfile`` and hashes what it hands over."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.sha256.update(data)
        return data


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.type = tarfile.REGTYPE
    return info


def _tar_writer(raw: IO[bytes], *, gzip: bool) -> tarfile.TarFile:
    """A tar writer on ``raw``: gzip (level 6) or plain; the caller closes it."""
    if gzip:
        return tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6)
    return tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT)


def _write_archive(
    archive: Path, manifest: dict[str, Any], snapshot: Path, files: dict[str, Path], *, gzip: bool
) -> None:
    members: dict[str, dict[str, Any]] = manifest["members"]
    fd = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with _tar_writer(raw, gzip=gzip) as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            tar.addfile(_tarinfo(MANIFEST, len(body)), io.BytesIO(body))
            with snapshot.open("rb") as fh:
                tar.addfile(_tarinfo(snapshot.name, members[snapshot.name]["size"]), fh)
            for name, path in files.items():
                expected = members[name]
                try:
                    fh = path.open("rb")
                except OSError as exc:
                    raise BackupError(f"cannot read {path} ({exc.strerror}); no backup was written") from None
                with fh:
                    size = os.fstat(fh.fileno()).st_size
                    if size != expected["size"]:
                        raise BackupError(
                            f"{path} is {size} bytes but its database row records {expected['size']}; "
                            "no backup was written"
                        )
                    reader = _HashingReader(fh)
                    tar.addfile(_tarinfo(name, expected["size"]), reader)
                if reader.sha256.hexdigest() != expected["sha256"]:
                    raise BackupError(
                        f"{path} does not match the SHA-256 its database row records; no backup was written"
                    )
        raw.flush()
        os.fsync(raw.fileno())


# -- restore ------------------------------------------------------------------------------
@dataclass
class RestoreResult:
    """What ``restore`` did: the archive's kind, and how many files it put back."""

    legacy: bool
    database: str
    files: int = 0
    app_version: str = ""
    created_at: str = ""


def restore(source: Path, *, alias: str = "default") -> RestoreResult:
    """Replace the database and the upload directories with the backup in ``source``, or
    refuse and change nothing."""
    conn = _connection(alias)
    source = Path(source).expanduser().absolute()
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file")
    if conn.vendor not in DATABASE_MEMBERS:
        raise BackupError(f"restoring {conn.vendor} databases is not supported")
    with source.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC) or head.startswith(PGDUMP_MAGIC):
        return _restore_legacy(source, conn, sqlite=head.startswith(SQLITE_MAGIC))
    if not tarfile.is_tarfile(source):
        raise BackupError(f"{source} is not a Zhaoyin backup (neither a backup archive nor a database dump)")
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".zhaoyin-restore-", dir=data_dir))  # mode 0700
    try:
        manifest = _read_archive(source, staging / "new", vendor=conn.vendor)
        snapshot = staging / "new" / manifest["database"]["member"]
        # Everything is verified before anything is replaced.
        if conn.vendor == "sqlite":
            _sqlite_is_ours(snapshot)
            _sqlite_restore(snapshot, _sqlite_path(conn), conn)
        else:
            _pg_check(snapshot, conn, name=f"{source} ({snapshot.name})")
            _pg_restore(snapshot, conn)
        files = _swap_areas(staging, manifest["areas"], data_dir)
        _private(conn, data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(
        legacy=False, database=conn.vendor, files=files,
        app_version=str(manifest.get("app_version", "")), created_at=str(manifest.get("created_at", "")),
    )


def _restore_legacy(source: Path, conn: BaseDatabaseWrapper, *, sqlite: bool) -> RestoreResult:
    """A database-only backup of an earlier release: the database, nothing else."""
    if sqlite and conn.vendor != "sqlite":
        raise BackupError(f"{source} is an SQLite backup; this installation uses {conn.vendor}")
    if not sqlite and conn.vendor != "postgresql":
        raise BackupError(f"{source} is a PostgreSQL dump; this installation uses {conn.vendor}")
    if sqlite:
        _sqlite_is_ours(source)
        _sqlite_restore(source, _sqlite_path(conn), conn)
    else:
        _pg_check(source, conn, name=str(source))
        _pg_restore(source, conn)
    _private(conn, Path(settings.DATA_DIR))
    return RestoreResult(legacy=True, database=conn.vendor)


def _refuse(source: Path, reason: str) -> BackupError:
    return BackupError(f"{source}: {reason}; nothing was restored")


def _read_archive(source: Path, dest: Path, *, vendor: str) -> dict[str, Any]:
    """Copy every member of the archive into ``dest`` while checking it against the manifest;
    return the manifest. Refuses (``BackupError``) at the first member out of place."""
    dest.mkdir(mode=0o700)
    try:
        tar = tarfile.open(source, mode="r:*")  # noqa: SIM115 - closed below
    except (tarfile.TarError, OSError) as exc:
        raise _refuse(source, f"not a readable backup archive ({exc})") from None
    seen: set[str] = set()
    try:
        members = _iter_members(tar, source)
        first = next(members, None)
        if first is None or first.name != MANIFEST or not first.isreg():
            raise _refuse(source, f"not a Zhaoyin backup archive (the first member is not {MANIFEST})")
        if first.size > MAX_MANIFEST_BYTES:
            raise _refuse(source, f"{MANIFEST} is too large")
        manifest = _parse_manifest(source, _read_member(tar, first).read(), vendor=vendor)
        expected: dict[str, dict[str, Any]] = manifest["members"]
        for member in members:
            name = member.name
            if name in seen:
                raise _refuse(source, f"member {name} appears twice")
            if name not in expected:
                raise _refuse(source, f"unexpected member {name} (not in the manifest)")
            if member.size != expected[name]["size"]:
                size = expected[name]["size"]
                raise _refuse(source, f"member {name} is {member.size} bytes, the manifest says {size}")
            seen.add(name)
            target = dest / name
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            h = hashlib.sha256()
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                reader = _read_member(tar, member)
                while chunk := reader.read(_CHUNK):
                    h.update(chunk)
                    out.write(chunk)
            if h.hexdigest() != expected[name]["sha256"]:
                raise _refuse(source, f"member {name} does not match its SHA-256 in the manifest")
        missing = sorted(set(expected) - seen)
        if missing:
            more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
            raise _refuse(source, f"member {missing[0]}{more} listed in the manifest is missing")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _refuse(source, f"cannot read the archive ({exc})") from None
    finally:
        tar.close()
    for area in manifest["areas"]:
        (dest / "files" / area).mkdir(mode=0o700, parents=True, exist_ok=True)
    return manifest


def _iter_members(tar: tarfile.TarFile, source: Path) -> Iterator[tarfile.TarInfo]:
    """Every member, refusing at once any that could write outside a directory."""
    while (member := tar.next()) is not None:
        name = member.name
        parts = name.split("/")
        if (not member.isreg() or name.startswith("/") or "\\" in name or ".." in parts
                or member.issym() or member.islnk()):
            raise _refuse(source, f"unsafe member {name!r} (a link, device, directory, absolute path or '..')")
        if name != MANIFEST and name not in DATABASE_MEMBERS.values() and not FILE_MEMBER.fullmatch(name):
            raise _refuse(source, f"unexpected member {name}")
        yield member


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    reader = tar.extractfile(member)
    if reader is None:  # pragma: no cover - only regular files get here
        raise BackupError(f"cannot read member {member.name}")
    return reader


def _parse_manifest(source: Path, raw: bytes, *, vendor: str) -> dict[str, Any]:
    """The manifest, checked for shape: every name one of the fixed forms, every digest hex."""
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _refuse(source, f"{MANIFEST} is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise _refuse(source, f"{MANIFEST} is not a Zhaoyin backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _refuse(source, f"backup format version {manifest.get('format_version')!r} is not supported "
                      f"by this release (it reads version {FORMAT_VERSION})")
    database = manifest.get("database")
    if not isinstance(database, dict) or database.get("kind") not in DATABASE_MEMBERS:
        raise _refuse(source, f"{MANIFEST} names no database kind")
    kind = database["kind"]
    if database.get("member") != DATABASE_MEMBERS[kind]:
        raise _refuse(source, f"{MANIFEST} names an unexpected database member")
    if kind != vendor:
        raise _refuse(source, f"the backup holds a {kind} database; this installation uses {vendor}")
    areas = manifest.get("areas")
    if not isinstance(areas, list) or not all(isinstance(a, str) and AREA_NAME.fullmatch(a) for a in areas):
        raise _refuse(source, f"{MANIFEST} lists bad upload areas")
    # Only the upload directories this release knows are ever replaced: a manifest cannot
    # name another directory of the data dir (the audit checkpoints, static files …).
    unknown = sorted(set(areas) - set(backup_areas()))
    if unknown:
        raise _refuse(source, f"{MANIFEST} lists an unknown upload area {unknown[0]!r}")
    members = manifest.get("members")
    if not isinstance(members, dict) or database["member"] not in members:
        raise _refuse(source, f"{MANIFEST} lists no database member")
    for name, entry in members.items():
        match = FILE_MEMBER.fullmatch(name)
        if name != database["member"] and (match is None or match.group(1) not in areas):
            raise _refuse(source, f"{MANIFEST} lists an unexpected member {name!r}")
        if (not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str)
                or not SHA256_HEX.fullmatch(entry["sha256"]) or type(entry.get("size")) is not int
                or entry["size"] < 0):
            raise _refuse(source, f"{MANIFEST} has no valid SHA-256 and size for {name}")
    return manifest


def _swap_areas(staging: Path, areas: Iterable[str], data_dir: Path) -> int:
    """Put the restored upload directories in place of the live ones (a rename each)."""
    old = staging / "old"
    old.mkdir(mode=0o700)
    count = 0
    for area in areas:
        new = staging / "new" / "files" / area
        count += sum(1 for _ in new.iterdir())
        live = data_dir / area
        if live.exists() or live.is_symlink():
            os.replace(live, old / area)
        os.replace(new, live)
        os.chmod(live, 0o700)
    return count


def _private(conn: BaseDatabaseWrapper, data_dir: Path) -> None:
    """Restored database file 0600, data directory 0700 (D9)."""
    if data_dir.is_dir():
        os.chmod(data_dir, 0o700)
    if conn.vendor == "sqlite":
        live = _sqlite_path(conn)
        for path in (live, Path(f"{live}-wal"), Path(f"{live}-shm"), Path(f"{live}-journal")):
            if path.exists():
                os.chmod(path, 0o600)
        if live.parent.is_relative_to(data_dir.resolve()):
            os.chmod(live.parent, 0o700)


def _sqlite_restore(source: Path, live: Path, conn: BaseDatabaseWrapper) -> None:
    conn.close()  # Django's own connection must not hold the old content open
    live.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not live.exists():
        # Created owner-only before SQLite opens it; SQLite gives its -wal and -shm files
        # the database file's permissions.
        os.close(os.open(live, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    else:
        os.chmod(live, 0o600)
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


def _pg_check(source: Path, conn: BaseDatabaseWrapper, *, name: str) -> None:
    with source.open("rb") as fh:
        if fh.read(len(PGDUMP_MAGIC)) != PGDUMP_MAGIC:
            raise BackupError(f"{name} is not a PostgreSQL custom-format dump (pg_dump -Fc)")
    listing = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [pg_binary("pg_restore"), "--list", str(source)], env=_pg_env(conn), capture_output=True, text=True,
        check=False,
    )
    if listing.returncode != 0 or not all(f" {t} " in listing.stdout for t in OUR_TABLES):
        raise BackupError(f"{name} is not a Zhaoyin backup")


def _pg_restore(source: Path, conn: BaseDatabaseWrapper) -> None:
    env = _pg_env(conn)
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

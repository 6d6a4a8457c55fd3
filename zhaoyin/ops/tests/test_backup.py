"""``zhaoyin backup`` / ``zhaoyin restore`` and the restore drill (BAK-01).

The drill seeds a database through the real services (users, role assignments, audit
records), takes per-table row counts and content hashes, backs up, changes and adds data,
restores, and requires the same counts and hashes and an intact audit chain. It runs on the
database vendor of the suite: a private SQLite file, or a fresh database in the same
PostgreSQL cluster (``pg_dump``/``pg_restore``).
"""

from __future__ import annotations

import json
import sqlite3
import tarfile
from pathlib import Path

from zhaoyin.ops.tests.cli import OWN_SQLITE_FILE, run_cli

SEED = """
from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.accounts.services import user_create
from zhaoyin.audit.services import audit_write
city = OrgUnit.objects.create(code="340400", name="淮南市", kind=OrgUnitKind.CITY)
county = OrgUnit.objects.create(code="340402", name="大通区", kind=OrgUnitKind.COUNTY, parent=city)
for i in range(4):
    user_create(acting_user=None, username=f"drill{i}", password="Zy-Drill-Pass-2026",
                roles=["staff"], org_unit=county, full_name=f"演练用户{i}")
for i in range(10):
    audit_write(action="drill.event", detail=f"seed {i}", after={"i": i, "名": "值"})
"""


MUTATE = """
from zhaoyin.accounts.models import RoleAssignment, User
from zhaoyin.accounts.services import user_create
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.services import audit_write
User.objects.filter(username="drill0").update(full_name="changed after the backup")
RoleAssignment.objects.filter(user__username="drill1").delete()
User.objects.filter(username="drill3").update(is_active=False)
user_create(acting_user=None, username="late", password="Zy-Drill-Pass-2026", roles=["staff"],
            org_unit=OrgUnit.objects.get(code="340402"))
for i in range(5):
    audit_write(action="drill.after_backup", detail=str(i))
"""


FINGERPRINT = """
import json
from zhaoyin.ops.backup import table_fingerprints
print("FINGERPRINT " + json.dumps(table_fingerprints(), sort_keys=True))
"""

VERIFY = """
import io
from django.core.management import call_command
out = io.StringIO()
call_command("audit", "verify", stdout=out)
assert "audit chain intact" in out.getvalue()
call_command("migrate", check_unapplied=True, verbosity=0)
"""


def fingerprint(data_dir: Path, database_url: str | None, before: str = "") -> dict[str, list[object]]:
    """Run ``before`` (Python) and then take the fingerprint, in one child process."""
    script = before + FINGERPRINT
    out = run_cli("shell", "-v", "0", "-c", script, data_dir=data_dir, database_url=database_url).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("FINGERPRINT "))
    result: dict[str, list[object]] = json.loads(line.removeprefix("FINGERPRINT "))
    return result


def test_BAK_01_restore_drill_counts_and_hashes_equal(drill_database: tuple[Path, str | None]) -> None:
    data_dir, url = drill_database
    run_cli("migrate", "--noinput", "-v", "0", data_dir=data_dir, database_url=url)
    at_backup = fingerprint(data_dir, url, before=SEED)
    assert at_backup["accounts_user"][0] == 4
    assert int(str(at_backup["audit_auditrecord"][0])) >= 10

    backup_file = data_dir / "drill.backup"
    done = run_cli("backup", str(backup_file), data_dir=data_dir, database_url=url)
    assert "backup written" in done.stdout
    assert backup_file.stat().st_size > 0

    changed = fingerprint(data_dir, url, before=MUTATE)
    assert changed["accounts_user"] != at_backup["accounts_user"]
    assert changed["audit_auditrecord"] != at_backup["audit_auditrecord"]

    run_cli("restore", str(backup_file), data_dir=data_dir, database_url=url)
    # In the fresh process after the restore: the audit chain verifies and the schema is
    # current (nothing left to migrate), and every table is as it was at backup time.
    restored = fingerprint(data_dir, url, before=VERIFY)
    assert restored == at_backup


ATTEMPTS = """
import json
from django.core.management import call_command
from django.core.management.base import CommandError
results = []
for args in json.loads(ARGS):
    try:
        call_command(*args)
        results.append([0, "ok"])
    except CommandError as exc:
        results.append([exc.returncode, str(exc)])
print("RESULTS " + json.dumps(results))
"""


def attempts(data_dir: Path, cases: list[list[str]]) -> list[tuple[int, str]]:
    """Run several commands in one child process; (exit code, message) for each."""
    script = "ARGS = " + repr(json.dumps(cases)) + "\n" + ATTEMPTS
    out = run_cli("shell", "-v", "0", "-c", script, data_dir=data_dir).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULTS "))
    return [(int(code), str(msg)) for code, msg in json.loads(line.removeprefix("RESULTS "))]


@OWN_SQLITE_FILE
def test_BAK_01_restore_refuses_a_file_that_is_not_our_backup(migrated_data_dir: Path, tmp_path: Path) -> None:
    before = (migrated_data_dir / "zhaoyin.sqlite3").read_bytes()
    not_db = tmp_path / "notes.txt"
    not_db.write_text("hello\n")
    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as con:
        con.execute("CREATE TABLE t (x)")
    con.close()
    # The real command line: exit 2 and one line on stderr.
    proc = run_cli("restore", str(not_db), data_dir=migrated_data_dir, check=False)
    assert proc.returncode == 2
    assert "is not a Zhaoyin backup (neither a backup archive nor a database dump)" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    results = attempts(migrated_data_dir, [["restore", str(foreign)], ["restore", str(tmp_path / "missing")]])
    assert results[0][0] == 2
    assert "not a Zhaoyin backup" in results[0][1]
    assert results[1][0] == 2
    assert "does not exist" in results[1][1]
    assert (migrated_data_dir / "zhaoyin.sqlite3").read_bytes() == before


@OWN_SQLITE_FILE
def test_BAK_01_backup_refuses_bad_targets(migrated_data_dir: Path, tmp_path: Path) -> None:
    existing = tmp_path / "exists.sqlite3"
    existing.write_text("x")
    proc = run_cli("backup", str(existing), data_dir=migrated_data_dir, check=False)
    assert proc.returncode == 2
    assert "exists" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    cases = [
        (tmp_path / "no" / "such" / "dir.sqlite3", "does not exist"),
        (tmp_path, "is a directory"),
        (migrated_data_dir / "zhaoyin.sqlite3", "live database"),
    ]
    results = attempts(migrated_data_dir, [["backup", str(target)] for target, _ in cases]
                       + [["backup", str(existing), "--force"]])
    for (code, message), (_target, reason) in zip(results, cases, strict=False):
        assert code == 2
        assert reason in message
    assert results[-1] == (0, "ok")
    assert tarfile.is_tarfile(existing)


@OWN_SQLITE_FILE
def test_BAK_01_sqlite_backup_is_consistent_while_another_connection_writes(
    migrated_data_dir: Path, tmp_path: Path
) -> None:
    """The online backup API copies a consistent snapshot even with an open writer."""
    live = sqlite3.connect(migrated_data_dir / "zhaoyin.sqlite3", timeout=30)
    try:
        live.execute("PRAGMA journal_mode=WAL")
        live.execute("CREATE TABLE IF NOT EXISTS drill_marker (n INTEGER)")
        live.execute("INSERT INTO drill_marker VALUES (1)")
        live.commit()
        live.execute("BEGIN")
        live.execute("INSERT INTO drill_marker VALUES (2)")  # uncommitted while the backup runs
        proc = run_cli("backup", str(tmp_path / "b.sqlite3"), data_dir=migrated_data_dir)
        assert proc.returncode == 0
        live.rollback()
    finally:
        live.close()
    with tarfile.open(tmp_path / "b.sqlite3") as archive:
        member = archive.extractfile("database.sqlite3")
        assert member is not None
        (tmp_path / "copy.sqlite3").write_bytes(member.read())
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT n FROM drill_marker").fetchall() == [(1,)]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()

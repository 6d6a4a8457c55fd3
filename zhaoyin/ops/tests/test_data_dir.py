"""Issue 19: every ``zhaoyin`` command creates a missing data directory (0700) or says which
variable and path it could not create, exit 2."""

from __future__ import annotations

import stat
from pathlib import Path

from zhaoyin.ops.tests.cli import OWN_SQLITE_FILE, run_cli

# Every test here runs `zhaoyin` on a data directory of its own, on SQLite in both passes.
pytestmark = OWN_SQLITE_FILE


def test_migrate_creates_a_missing_data_directory_with_mode_0700(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "nested" / "data"
    proc = run_cli("migrate", "--noinput", data_dir=data_dir, env="development")
    assert proc.returncode == 0
    assert data_dir.is_dir()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert (data_dir / "zhaoyin.sqlite3").is_file()


def test_a_data_directory_that_cannot_be_made_exits_2_naming_the_variable(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    data_dir = blocker / "data"
    proc = run_cli("check", data_dir=data_dir, env="development", check=False)
    assert proc.returncode == 2
    assert "ZHAOYIN_DATA_DIR" in proc.stderr
    assert str(data_dir) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not data_dir.exists()


OPEN_DATABASE = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE t (x)")
    cursor.execute("INSERT INTO t VALUES (1)")
"""


def test_d9_the_sqlite_database_is_created_0600_in_a_0700_directory(tmp_path: Path) -> None:
    """Issue 12 D9: the database file (and its WAL files) private like the uploads."""
    data_dir = tmp_path / "fresh" / "data"
    run_cli("shell", "-v", "0", "-c", OPEN_DATABASE, data_dir=data_dir, env="development")
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    files = sorted(p.name for p in data_dir.iterdir() if p.name.startswith("zhaoyin.sqlite3"))
    assert "zhaoyin.sqlite3" in files
    for name in files:
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name

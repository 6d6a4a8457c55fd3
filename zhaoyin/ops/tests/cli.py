"""Helpers for tests that run ``zhaoyin`` as a real process against its own data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

#: The mark of a test whose child ``zhaoyin`` processes work on their own SQLite file, never on
#: the suite's database: it proves the same in both passes of ``make test``, so only the SQLite
#: pass runs it (root conftest ``one_pass``; docs/benchmarks.md, "Test suite time").
OWN_SQLITE_FILE = pytest.mark.one_pass(
    "sqlite", reason="its child processes use their own SQLite file, whatever the suite's database"
)


def cli_env(data_dir: Path, *, env: str = "test", database_url: str | None = None) -> dict[str, str]:
    """The environment of a child ``zhaoyin`` process: its own data directory and database."""
    out = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    out.update(ZHAOYIN_DATA_DIR=str(data_dir), ZHAOYIN_ENV=env, PYTHONUNBUFFERED="1")
    if database_url:
        out["DATABASE_URL"] = database_url
    return out


def run_cli(
    *args: str, data_dir: Path, env: str = "test", database_url: str | None = None, stdin: str | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``zhaoyin ARGS`` in a child process and return what it printed."""
    proc = subprocess.run(
        [sys.executable, "-m", "zhaoyin.cli", *args], cwd=REPO, input=stdin, capture_output=True,
        text=True, timeout=300, env=cli_env(data_dir, env=env, database_url=database_url), check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"zhaoyin {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc

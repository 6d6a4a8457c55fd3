"""Fixtures for tests that run ``zhaoyin`` as a real process against its own data directory."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from zhaoyin.ops.tests.cli import run_cli


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a freshly migrated SQLite database, made once per session."""
    data_dir = tmp_path_factory.mktemp("zhaoyin-migrated")
    run_cli("migrate", "--noinput", "-v", "0", data_dir=data_dir)
    return data_dir


@pytest.fixture
def migrated_data_dir(migrated_template: Path, tmp_path: Path) -> Path:
    """A private copy of the migrated data directory for one test."""
    target = tmp_path / "data"
    target.mkdir()
    shutil.copy2(migrated_template / "zhaoyin.sqlite3", target / "zhaoyin.sqlite3")
    return target


@pytest.fixture
def drill_database(tmp_path: Path) -> Iterator[tuple[Path, str | None]]:
    """(data directory, DATABASE_URL or None for SQLite) of an empty database for the drill."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if connection.vendor != "postgresql":
        yield data_dir, None
        return
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = "zhaoyin_drill_" + uuid.uuid4().hex[:8]
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield data_dir, urlunsplit(parts._replace(path="/" + name))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""Fixtures for tests that run ``zhaoyin`` as a real process against its own data directory."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
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


FreshDatabase = Callable[[str], tuple[Path, str | None]]


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[FreshDatabase]:
    """``fresh_database(name)``: (an empty data directory, DATABASE_URL or None for SQLite).

    On PostgreSQL each call creates an empty database in the suite's cluster, dropped after
    the test; on SQLite the database is the data directory's own file."""
    created: list[str] = []
    admin_url = ""
    if connection.vendor == "postgresql":
        parts = urlsplit(os.environ["DATABASE_URL"])
        admin_url = urlunsplit(parts._replace(path="/postgres"))

    def make(name: str) -> tuple[Path, str | None]:
        data_dir = tmp_path / name
        data_dir.mkdir()
        if connection.vendor != "postgresql":
            return data_dir, None
        import psycopg

        db_name = "zhaoyin_drill_" + uuid.uuid4().hex[:8]
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{db_name}"')
        created.append(db_name)
        return data_dir, urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + db_name))

    yield make
    if created:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as admin:
            for db_name in created:
                admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


@pytest.fixture
def drill_database(fresh_database: FreshDatabase) -> tuple[Path, str | None]:
    """(data directory, DATABASE_URL or None for SQLite) of an empty database for the drill."""
    return fresh_database("data")

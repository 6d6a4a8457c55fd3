"""Checks the long-running commands make before they start, so a missing database or a
pending migration is one clear line (exit 2) instead of errors on every request."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


def ensure_database_ready(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Raise ``CommandError`` (exit 2) unless the database answers and is fully migrated."""
    connection = connections[alias]
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CommandError(f"cannot use the database: {first}", returncode=2) from None
    if pending:
        raise CommandError(
            f"the database has {len(pending)} unapplied migrations; run 'zhaoyin migrate' first",
            returncode=2,
        )

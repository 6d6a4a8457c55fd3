"""A set of database triggers kept as CREATE and DROP statements per database.

Derived tables kept exact by triggers (the funds rollup, the matter tally) install and remove
theirs through this, from the migrations that create them and from any later migration that
alters the tables they watch (SQLite drops a table's triggers when it rebuilds the table).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class TriggerSet:
    """The statements that create and drop a set of triggers on SQLite and on PostgreSQL (the
    PostgreSQL drops may include the trigger functions, which ``install`` keeps)."""

    sqlite: list[str]
    sqlite_drop: list[str]
    postgres: list[str]
    postgres_drop: list[str]

    def _statements(self, vendor: str) -> tuple[list[str], list[str]]:
        if vendor == "postgresql":
            return self.postgres, self.postgres_drop
        return self.sqlite, self.sqlite_drop

    def drop(self, connection: BaseDatabaseWrapper) -> None:
        """Remove the triggers (and on PostgreSQL their functions)."""
        with connection.cursor() as cursor:
            for statement in self._statements(connection.vendor)[1]:
                cursor.execute(statement)

    def install(self, connection: BaseDatabaseWrapper) -> None:
        """(Re)create the triggers; safe to run any number of times."""
        creates, drops = self._statements(connection.vendor)
        with connection.cursor() as cursor:
            for statement in [d for d in drops if "FUNCTION" not in d] + creates:
                cursor.execute(statement)

"""The database triggers that keep ``matters_mattertally`` (``MatterTally``) exact.

Every insert, delete and update of a matter's lead unit, dispatching unit, state, source or
kind moves the count of its (lead, dispatcher, state, source, kind) key — whatever wrote it:
a service, a bulk insert, the scan, an SQL statement. SQLite: row triggers with an upsert.
PostgreSQL: statement triggers over the transition tables, one grouped upsert per statement,
its rows taken in key order so that concurrent transactions lock them in the same order and
cannot deadlock on them.

**A later migration that alters ``matters_matter``** must call ``drop_triggers`` first and
``install_triggers`` after (and ``zhaoyin.matters.search.SEARCH_INDEX`` likewise): SQLite
alters a table by rebuilding it, which drops its triggers. ``migration_take_down`` and
``migration_put_back`` do both for SQLite, as a migration's first and last ``RunPython``. ``test_tally`` fails if the
migrated schema lacks them. ``rebuild`` recomputes the table from the matters.
"""

# The statements are assembled from constant fragments only (no input reaches them).
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from zhaoyin.core.triggers import TriggerSet

KEY = "lead, dispatcher, state, source, kind"
INSERT = f"INSERT INTO matters_mattertally ({KEY}, n) "
TRACKED = ("lead_unit_id", "dispatcher_unit_id", "state", "source", "kind")


def _key(row: str) -> str:
    return (
        f"COALESCE({row}.lead_unit_id, 0), COALESCE({row}.dispatcher_unit_id, 0), {row}.state, {row}.source, {row}.kind"
    )


def _sqlite_add(row: str, delta: int) -> str:
    return INSERT + f"VALUES ({_key(row)}, {delta}) ON CONFLICT ({KEY}) DO UPDATE SET n = n + excluded.n;"


_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in TRACKED)
SQLITE = [
    "CREATE TRIGGER matters_tally_insert AFTER INSERT ON matters_matter BEGIN " + _sqlite_add("NEW", 1) + " END;",
    "CREATE TRIGGER matters_tally_delete AFTER DELETE ON matters_matter BEGIN " + _sqlite_add("OLD", -1) + " END;",
    f"CREATE TRIGGER matters_tally_update AFTER UPDATE OF {', '.join(TRACKED)} ON matters_matter "
    f"WHEN {_CHANGED} BEGIN " + _sqlite_add("OLD", -1) + _sqlite_add("NEW", 1) + " END;",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS matters_tally_{name};" for name in ("insert", "delete", "update")]


def _pg_rows(table: str, sign: str) -> str:
    return f"SELECT {_key('r')}, {sign}1 AS d FROM {table} r"


def _pg_apply(deltas: str) -> str:
    return (
        INSERT + f"SELECT {KEY}, SUM(d) FROM ({deltas}) x(lead, dispatcher, state, source, kind, d) "
        f"GROUP BY {KEY} HAVING SUM(d) <> 0 ORDER BY {KEY} "
        f"ON CONFLICT ({KEY}) DO UPDATE SET n = matters_mattertally.n + EXCLUDED.n;"
    )


POSTGRES = [
    "CREATE OR REPLACE FUNCTION matters_tally_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN " + _pg_apply(_pg_rows("new_rows", "")) + " "
    "ELSIF TG_OP = 'DELETE' THEN " + _pg_apply(_pg_rows("old_rows", "-")) + " "
    "ELSE " + _pg_apply(_pg_rows("old_rows", "-") + " UNION ALL " + _pg_rows("new_rows", "")) + " "
    "END IF; RETURN NULL; END $$;",
    "CREATE TRIGGER matters_tally_insert AFTER INSERT ON matters_matter "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION matters_tally_apply();",
    # Every UPDATE fires it (PostgreSQL allows no column list with transition tables); an
    # update of untracked columns only, such as the scan's next_check_at, adds nothing.
    "CREATE TRIGGER matters_tally_update AFTER UPDATE ON matters_matter "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION matters_tally_apply();",
    "CREATE TRIGGER matters_tally_delete AFTER DELETE ON matters_matter "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION matters_tally_apply();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS matters_tally_insert ON matters_matter;",
    "DROP TRIGGER IF EXISTS matters_tally_update ON matters_matter;",
    "DROP TRIGGER IF EXISTS matters_tally_delete ON matters_matter;",
    "DROP FUNCTION IF EXISTS matters_tally_apply();",
]
TRIGGER_NAMES = ("matters_tally_insert", "matters_tally_update", "matters_tally_delete")


TRIGGERS = TriggerSet(sqlite=SQLITE, sqlite_drop=SQLITE_DROP, postgres=POSTGRES, postgres_drop=POSTGRES_DROP)


def drop_triggers(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (and on PostgreSQL their functions)."""
    TRIGGERS.drop(connection)


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    """(Re)create the triggers; safe to run any number of times."""
    TRIGGERS.install(connection)


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Recompute the tally from the matters (one grouped insert)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM matters_mattertally")
        cursor.execute(INSERT + f"SELECT {_key('m')}, COUNT(*) FROM matters_matter m GROUP BY 1, 2, 3, 4, 5")


def migration_take_down(apps: Any, schema_editor: Any) -> None:
    """A migration's first step before it alters ``matters_matter`` on SQLite: the tally's and
    the search index's triggers removed (the table rebuild would drop them anyway)."""
    from zhaoyin.matters.search import SEARCH_INDEX

    if schema_editor.connection.vendor == "sqlite":
        drop_triggers(schema_editor.connection)
        SEARCH_INDEX.uninstall(schema_editor)


def migration_put_back(apps: Any, schema_editor: Any) -> None:
    """A migration's last step after it altered ``matters_matter`` on SQLite: the triggers
    back, the tally recomputed and the search index refilled."""
    from zhaoyin.matters.search import SEARCH_INDEX

    if schema_editor.connection.vendor == "sqlite":
        install_triggers(schema_editor.connection)
        rebuild(schema_editor.connection)
        SEARCH_INDEX.install(schema_editor)

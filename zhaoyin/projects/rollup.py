"""The database triggers that keep ``projects_fundrollup`` (``FundRollup``) exact.

SQLite: row triggers with an upsert. PostgreSQL: statement triggers over the transition
tables, one grouped upsert per statement (a bulk insert of 10 000 entries is one upsert, not
10 000). Two sums are kept side by side: every active entry (``fen``/``entries``, the 填报
figure) and the verified active ones (``verified_fen``/``verified_entries``, the 核实 figure
targets count), so a verification — an update of ``verification`` — moves only the second.
Both add the deltas of active entries only, so a correction (the old entry
superseded, a new one inserted) moves the sum by the difference, and a project moved to
another unit or industry carries its active sums along.

**A later migration that alters ``projects_project`` or ``projects_fundentry``** must call
``drop_triggers`` first and ``install_triggers`` after (two ``RunPython`` steps around its
operations): SQLite alters a table by rebuilding it, and refuses to rename the rebuilt table
while a trigger names it — the migration fails loudly rather than losing the triggers.
``rebuild`` recomputes the table from the entries (migration 0002).
"""

# The statements are assembled from constant fragments only (no input reaches them).
# ruff: noqa: S608

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from zhaoyin.core.triggers import TriggerSet

SQLITE_FEN = "CAST(ROUND({x}.amount_wan * 100) AS INTEGER)"
#: 1 when the entry ``{x}`` is verified (核实), else 0: the verified columns' factor.
VERIFIED = "(CASE WHEN {x}.verification = 'verified' THEN 1 ELSE 0 END)"
UPSERT_SQLITE = (
    " ON CONFLICT (org_unit_id, industry_id, month, source) DO UPDATE SET"
    " fen = fen + excluded.fen, entries = entries + excluded.entries,"
    " verified_fen = verified_fen + excluded.verified_fen,"
    " verified_entries = verified_entries + excluded.verified_entries"
)
ROLLUP_COLUMNS = (
    "INSERT INTO projects_fundrollup"
    " (org_unit_id, industry_id, month, source, fen, entries, verified_fen, verified_entries) "
)


def _sqlite_entry(row: str, sign: str) -> str:
    return (
        ROLLUP_COLUMNS
        + f"SELECT p.org_unit_id, p.industry_id, {row}.month, {row}.source, "
        + f"{sign}{SQLITE_FEN.format(x=row)}, {sign}1, "
        + f"{sign}{SQLITE_FEN.format(x=row)} * {VERIFIED.format(x=row)}, {sign}{VERIFIED.format(x=row)} "
        + "FROM projects_project p "
        + f"WHERE p.id = {row}.project_id AND {row}.superseded_at IS NULL"
        + UPSERT_SQLITE
        + ";"
    )


def _sqlite_move(row: str, sign: str) -> str:
    return (
        ROLLUP_COLUMNS
        + f"SELECT {row}.org_unit_id, {row}.industry_id, f.month, f.source, "
        + f"{sign}SUM({SQLITE_FEN.format(x='f')}), {sign}COUNT(*), "
        + f"{sign}SUM({SQLITE_FEN.format(x='f')} * {VERIFIED.format(x='f')}), {sign}SUM({VERIFIED.format(x='f')}) "
        + "FROM projects_fundentry f "
        + f"WHERE f.project_id = {row}.id AND f.superseded_at IS NULL GROUP BY f.month, f.source"
        + UPSERT_SQLITE
        + ";"
    )


SQLITE = [
    "CREATE TRIGGER projects_fund_rollup_insert AFTER INSERT ON projects_fundentry BEGIN "
    + _sqlite_entry("NEW", "")
    + " END;",
    "CREATE TRIGGER projects_fund_rollup_update AFTER UPDATE ON projects_fundentry BEGIN "
    + _sqlite_entry("OLD", "-")
    + _sqlite_entry("NEW", "")
    + " END;",
    "CREATE TRIGGER projects_fund_rollup_delete AFTER DELETE ON projects_fundentry BEGIN "
    + _sqlite_entry("OLD", "-")
    + " END;",
    "CREATE TRIGGER projects_fund_rollup_move AFTER UPDATE OF org_unit_id, industry_id ON projects_project "
    "WHEN OLD.org_unit_id <> NEW.org_unit_id OR OLD.industry_id <> NEW.industry_id BEGIN "
    + _sqlite_move("OLD", "-")
    + _sqlite_move("NEW", "")
    + " END;",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS projects_fund_rollup_{name};" for name in ("insert", "update", "delete", "move")
]

PG_FEN = "ROUND({x}.amount_wan * 100)::bigint"
PG_UPSERT = (
    " GROUP BY 1, 2, 3, 4 ON CONFLICT (org_unit_id, industry_id, month, source) DO UPDATE SET"
    " fen = projects_fundrollup.fen + EXCLUDED.fen, entries = projects_fundrollup.entries + EXCLUDED.entries,"
    " verified_fen = projects_fundrollup.verified_fen + EXCLUDED.verified_fen,"
    " verified_entries = projects_fundrollup.verified_entries + EXCLUDED.verified_entries;"
)


def _pg_entries(table: str, sign: str) -> str:
    return (
        f"SELECT e.project_id, e.month, e.source, {sign}{PG_FEN.format(x='e')} AS fen, {sign}1 AS n, "
        f"{sign}{PG_FEN.format(x='e')} * {VERIFIED.format(x='e')} AS vfen, {sign}{VERIFIED.format(x='e')} AS vn "
        f"FROM {table} e WHERE e.superseded_at IS NULL"
    )


def _pg_apply(deltas: str) -> str:
    return (
        ROLLUP_COLUMNS
        + "SELECT p.org_unit_id, p.industry_id, d.month, d.source, SUM(d.fen), SUM(d.n), SUM(d.vfen), SUM(d.vn) "
        + f"FROM ({deltas}) d JOIN projects_project p ON p.id = d.project_id"
        + PG_UPSERT
    )


def _pg_moved(side: str, sign: str) -> str:
    return (
        f"SELECT {side}.org_unit_id, {side}.industry_id, f.month, f.source, "
        f"{sign}{PG_FEN.format(x='f')} AS fen, {sign}1 AS n, "
        f"{sign}{PG_FEN.format(x='f')} * {VERIFIED.format(x='f')} AS vfen, {sign}{VERIFIED.format(x='f')} AS vn "
        "FROM old_rows o JOIN new_rows w ON w.id = o.id "
        "JOIN projects_fundentry f ON f.project_id = o.id AND f.superseded_at IS NULL "
        "WHERE o.org_unit_id <> w.org_unit_id OR o.industry_id <> w.industry_id"
    )


POSTGRES = [
    "CREATE OR REPLACE FUNCTION projects_fund_rollup_entries() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN " + _pg_apply(_pg_entries("new_rows", "")) + " "
    "ELSIF TG_OP = 'DELETE' THEN " + _pg_apply(_pg_entries("old_rows", "-")) + " "
    "ELSE " + _pg_apply(_pg_entries("old_rows", "-") + " UNION ALL " + _pg_entries("new_rows", "")) + " "
    "END IF; RETURN NULL; END $$;",
    "CREATE OR REPLACE FUNCTION projects_fund_rollup_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + ROLLUP_COLUMNS
    + "SELECT d.org_unit_id, d.industry_id, d.month, d.source, SUM(d.fen), SUM(d.n), SUM(d.vfen), SUM(d.vn)"
    + " FROM ("
    + _pg_moved("o", "-")
    + " UNION ALL "
    + _pg_moved("w", "")
    + ") d"
    + PG_UPSERT
    + " RETURN NULL; END $$;",
    "CREATE TRIGGER projects_fund_rollup_insert AFTER INSERT ON projects_fundentry "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_fund_rollup_entries();",
    "CREATE TRIGGER projects_fund_rollup_update AFTER UPDATE ON projects_fundentry "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION projects_fund_rollup_entries();",
    "CREATE TRIGGER projects_fund_rollup_delete AFTER DELETE ON projects_fundentry "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_fund_rollup_entries();",
    "CREATE TRIGGER projects_fund_rollup_move AFTER UPDATE ON projects_project "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION projects_fund_rollup_move();",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS projects_fund_rollup_insert ON projects_fundentry;",
    "DROP TRIGGER IF EXISTS projects_fund_rollup_update ON projects_fundentry;",
    "DROP TRIGGER IF EXISTS projects_fund_rollup_delete ON projects_fundentry;",
    "DROP TRIGGER IF EXISTS projects_fund_rollup_move ON projects_project;",
    "DROP FUNCTION IF EXISTS projects_fund_rollup_entries();",
    "DROP FUNCTION IF EXISTS projects_fund_rollup_move();",
]
BACKFILL = (
    ROLLUP_COLUMNS
    + "SELECT p.org_unit_id, p.industry_id, f.month, f.source, SUM({fen}), COUNT(*), "
    "SUM({fen} * {verified}), SUM({verified}) "
    "FROM projects_fundentry f JOIN projects_project p ON p.id = f.project_id "
    "WHERE f.superseded_at IS NULL GROUP BY p.org_unit_id, p.industry_id, f.month, f.source;"
)


TRIGGERS = TriggerSet(sqlite=SQLITE, sqlite_drop=SQLITE_DROP, postgres=POSTGRES, postgres_drop=POSTGRES_DROP)


def drop_triggers(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers (and on PostgreSQL their functions)."""
    TRIGGERS.drop(connection)


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    """(Re)create the triggers; safe to run any number of times."""
    TRIGGERS.install(connection)


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Recompute the rollup from the active fund entries (one grouped insert)."""
    fen = PG_FEN if connection.vendor == "postgresql" else SQLITE_FEN
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM projects_fundrollup")
        cursor.execute(BACKFILL.format(fen=fen.format(x="f"), verified=VERIFIED.format(x="f")))

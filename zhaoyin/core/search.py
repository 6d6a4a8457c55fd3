"""Indexed substring search over a folded text column, on SQLite and PostgreSQL.

A table's ``search_text`` (folded with ``search_fold``) gets a bigram index
(zhaoyin.lib.bigrams explains why bigrams):

- **SQLite**: a contentless FTS5 table ``<name>`` holding the bigram tokens of each row, kept by
  triggers on the table. The triggers call the SQL function ``zy_bigram_doc``, which every
  Django connection registers (``register_sqlite_functions``); a write to the table from a
  connection without it (the ``sqlite3`` shell) fails rather than leaving the index stale.
- **PostgreSQL**: a GIN index ``<name>`` on ``zy_bigrams(search_text)``, an immutable function
  returning the array of bigrams; PostgreSQL maintains it.

``BigramIndex.matches(term)`` is the filter for one folded term: from the index alone on SQLite
(the phrase of adjacent bigrams is exact), the index plus a ``LIKE`` recheck on PostgreSQL (the
array containment ignores order), a plain ``LIKE`` for a one-character term.
"""

# ruff: noqa: S608, S611
# The SQL here is built from constant identifiers (a BigramIndex is declared in code, never from
# input); every value a user types goes in as a query parameter.

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection as default_connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from zhaoyin.lib.bigrams import distinct_bigrams, fts_document, fts_phrase


def search_fold(text: str) -> str:
    """Text as the search column stores it: NFKC (full-width → half-width) and upper case.

    Folding both the column and the search terms makes Latin letters and digits match
    whatever their case or width with a plain, case-sensitive ``contains`` on every
    database; Chinese characters are unchanged by both steps.
    """
    return unicodedata.normalize("NFKC", text).upper()


SQLITE_FUNCTION = "zy_bigram_doc"
PG_FUNCTION = "zy_bigrams"

# plpgsql, not SQL: an SQL function would be inlined into queries and then no longer match the
# expression the index was built on.
PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN ARRAY(SELECT DISTINCT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) AS i);
END
$$
"""


def rewrite_search_text(
    model: Any, fields: Sequence[str], build: Callable[..., str], *, batch: int = 1000
) -> None:
    """Recompute ``search_text`` of every stored row of ``model`` (a migration's historical
    model) from ``fields`` with ``build(*values)``: ``batch`` rows at a time in id order, so a
    province-scale table is never held in memory at once. Data migrations that widen what a
    search finds (issue 16: 拼音首字母) share this loop; each keeps its own ``build``, written
    as the model built the text at that time, so a later change to the model cannot change
    what the migration did."""
    last = 0
    while True:
        rows = list(model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:batch])
        if not rows:
            return
        model.objects.bulk_update([model(pk=pk, search_text=build(*values)) for pk, *values in rows], ["search_text"])
        last = rows[-1][0]


def _document(text: str | None, unit: int | None) -> str:
    return f"{fts_document(text or '')} {unit_token(unit)}"


def unit_token(unit: int | None) -> str:
    """The FTS5 token naming a row's unit (no bigram token looks like it: they all contain x)."""
    return f"u{unit or 0}"


def register_sqlite_functions(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """Register ``zy_bigram_doc`` on a new SQLite connection (a ``connection_created`` receiver)."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 2, _document, deterministic=True)


@dataclass(frozen=True)
class BigramIndex:
    """The bigram index of ``table.column`` (the column holds folded text), named ``name``.

    On SQLite each row's document also carries a token for its ``unit_column``, so a search
    within a set of units is one FTS5 query (``"…" AND (u8 OR u12)``) that never reads the
    table: a county searching a common word among a million rows does not look up the unit of
    every match."""

    table: str
    column: str
    name: str
    unit_column: str

    def install(self, schema_editor: Any) -> None:
        """Create the index and fill it from the rows already there (a migration's forward step)."""
        conn = schema_editor.connection
        if conn.vendor == "sqlite":
            conn.ensure_connection()
            register_sqlite_functions(connection=conn)
            for sql in self._sqlite_sql():
                schema_editor.execute(sql)
        elif conn.vendor == "postgresql":
            schema_editor.execute(PG_FUNCTION_SQL)
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{self.name}" ON "{self.table}" '
                f'USING gin ({PG_FUNCTION}("{self.column}"))'
            )

    def uninstall(self, schema_editor: Any) -> None:
        """Drop what ``install`` made (a migration's backward step)."""
        conn = schema_editor.connection
        if conn.vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{self.name}_{event}"')
            schema_editor.execute(f'DROP TABLE IF EXISTS "{self.name}"')
        elif conn.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{self.name}"')

    def _sqlite_sql(self) -> list[str]:
        t, c, u, n, f = self.table, self.column, self.unit_column, self.name, SQLITE_FUNCTION
        add = f'INSERT INTO "{n}"(rowid, grams) VALUES (new.id, {f}(new."{c}", new."{u}"));'
        remove = (
            f'INSERT INTO "{n}"("{n}", rowid, grams) VALUES (\'delete\', old.id, {f}(old."{c}", old."{u}"));'
        )
        return [
            # Contentless (the text stays in the table); no column sizes: only phrase matching is used.
            f'CREATE VIRTUAL TABLE IF NOT EXISTS "{n}" USING fts5(grams, content=\'\', columnsize=0)',
            f'INSERT INTO "{n}"(rowid, grams) SELECT id, {f}("{c}", "{u}") FROM "{t}"',
            f'CREATE TRIGGER IF NOT EXISTS "{n}_insert" AFTER INSERT ON "{t}" BEGIN {add} END',
            f'CREATE TRIGGER IF NOT EXISTS "{n}_delete" AFTER DELETE ON "{t}" BEGIN {remove} END',
            f'CREATE TRIGGER IF NOT EXISTS "{n}_update" AFTER UPDATE OF "{c}", "{u}" ON "{t}" '
            f"BEGIN {remove} {add} END",
        ]

    def matches(self, term: str, *, walk: bool = False, units: list[int] | None = None) -> Q:
        """The rows whose column contains ``term`` (already folded). ``walk``: the matches are
        a test per row (``__unindexed``) rather than the way in, for a page read by walking
        the index of the list's order. ``units``: only rows of these units (on SQLite found
        inside the index itself)."""
        if units is not None and not units:
            return Q(pk__in=[])
        plain = Q(**{f"{self.column}__contains": term})
        in_units = Q() if units is None else Q(**{f"{self.unit_column}__in": units})
        vendor = default_connection.vendor
        if len(term) >= 2 and vendor == "sqlite":
            sql = f'SELECT rowid FROM "{self.name}" WHERE "{self.name}" MATCH %s'
            query = fts_phrase(term)
            if units is not None:
                query += " AND (" + " OR ".join(unit_token(u) for u in units) + ")"
            found = RawSQL(sql, (query,))
            return Q(pk__unindexed__in=found) if walk else Q(pk__in=found)
        if len(term) >= 2 and vendor == "postgresql":
            sql = f'{PG_FUNCTION}("{self.table}"."{self.column}") @> %s::text[]'
            return Q(RawSQL(sql, (distinct_bigrams(term),), output_field=BooleanField())) & plain & in_units
        return plain & in_units

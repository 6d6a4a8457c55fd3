"""Multi-row INSERT / UPDATE statements for the scan and the outbox (trusted values only).

``zhaoyin.core.bulk`` sends one statement per row (``executemany``); on PostgreSQL that is a
round trip per row even in pipeline mode. These build one statement per chunk instead —
``INSERT … VALUES (…), (…) [ON CONFLICT (…) DO NOTHING] [RETURNING id]`` and
``UPDATE … SET col = CASE id WHEN … END WHERE id IN (…)`` — with the same per-column
adapters as ``core.bulk``, so the stored values are what the ORM would store. The syntax is
shared by SQLite (≥ 3.35) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

from zhaoyin.core.bulk import _columns

#: Rows per statement: keeps the bound parameters well under SQLite's limit (32 766).
CHUNK = 500


def _adapted(rows: Sequence[Sequence[Any]], adapters: Sequence[Any]) -> list[list[Any]]:
    out = []
    for row in rows:
        values = list(row)
        for i, adapt in enumerate(adapters):
            if adapt is not None:
                values[i] = adapt(values[i])
        out.append(values)
    return out


def insert_values(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts_on: Sequence[str] = (),
    returning_pk: bool = False,
) -> list[Any]:
    """INSERT ``rows`` (values in ``fields`` order) in multi-row statements; with
    ``ignore_conflicts_on`` (the columns of a unique constraint) a conflicting row is skipped;
    with ``returning_pk`` the new primary keys are returned in row order."""
    names, adapters = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    assert pk is not None
    assert pk.column is not None
    row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
    suffix = ""
    if ignore_conflicts_on:
        targets = _columns(model, ignore_conflicts_on)[0]
        suffix += f" ON CONFLICT ({', '.join(targets)}) DO NOTHING"
    if returning_pk:
        suffix += f" RETURNING {connection.ops.quote_name(pk.column)}"
    out: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = _adapted(rows[start : start + CHUNK], adapters)
            # Identifiers come from the model's metadata, quoted; every value is a bound parameter.
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([row_sql] * len(chunk))}{suffix}"  # noqa: S608
            cursor.execute(sql, [v for row in chunk for v in row])
            if returning_pk:
                out.extend(r[0] for r in cursor.fetchall())
    return out


def update_column(model: type[models.Model], field: str, values: Sequence[tuple[Any, Any]]) -> None:
    """Set ``field`` per row: ``values`` are (value, pk) pairs; one UPDATE per chunk."""
    names, adapters = _columns(model, [field])
    adapt = adapters[0]
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    assert pk is not None
    assert pk.column is not None
    pk_name = connection.ops.quote_name(pk.column)
    # The CASE needs a typed result on PostgreSQL (parameters are untyped there).
    cast = model._meta.get_field(field).db_type(connection) if connection.vendor == "postgresql" else None
    when = "WHEN %s THEN CAST(%s AS " + cast + ")" if cast else "WHEN %s THEN %s"
    with connection.cursor() as cursor:
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            params: list[Any] = []
            for value, key in chunk:
                params += [key, adapt(value) if adapt is not None and value is not None else value]
            params += [key for _value, key in chunk]
            sql = (
                f"UPDATE {table} SET {names[0]} = CASE {pk_name} {' '.join([when] * len(chunk))} END "  # noqa: S608
                f"WHERE {pk_name} IN ({', '.join(['%s'] * len(chunk))})"
            )
            cursor.execute(sql, params)

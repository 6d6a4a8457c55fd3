"""Fast bulk writes over pre-adapted rows — the one raw-SQL bulk layer of the project.

Django's ``bulk_create`` compiles every value of every row through the field machinery
(≈ 8 µs per value); a 100 000-row import with its audit records has millions of values. Here
each column gets its adapter once (``columns``) — the same ``connection.ops.adapt_*`` calls the
ORM makes, so the stored values are identical — and plain text and integer columns pass through
as they are. Only for trusted, already validated values (services only; never raw user input).

Two shapes of statement:

- ``insert_rows`` / ``update_rows``: one statement per row through ``executemany`` (imports:
  the driver batches them, the SQL is the simplest).
- ``insert_values`` / ``update_column``: one multi-row statement per chunk —
  ``INSERT … VALUES (…), (…) [ON CONFLICT (…) DO NOTHING] [RETURNING id]`` and
  ``UPDATE … SET col = CASE id WHEN … END WHERE id IN (…)`` — for the escalation scan and the
  outbox, because ``executemany`` on PostgreSQL is a round trip per row even in pipeline mode.
  The syntax is shared by SQLite (≥ 3.35) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

Adapter = Callable[[Any], Any]
#: Rows per ``executemany`` call.
CHUNK = 1000
#: Rows per multi-row statement: keeps the bound parameters well under SQLite's limit (32 766).
VALUES_CHUNK = 500
_PASS_THROUGH = (
    models.CharField, models.TextField, models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
    models.PositiveIntegerField, models.PositiveSmallIntegerField, models.BooleanField, models.ForeignKey,
    models.AutoField, models.BigAutoField,
)


def _adapter(field: models.Field[Any, Any]) -> Adapter | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda v: None if v is None else ops.adapt_decimalfield_value(v, digits, places)
    if isinstance(field, _PASS_THROUGH):
        return None
    return lambda v: field.get_db_prep_save(v, connection)


def columns(model: type[models.Model], fields: Sequence[str]) -> tuple[list[str], list[Adapter | None]]:
    """Quoted column names and per-column adapters for ``fields`` (names or attnames)."""
    names: list[str] = []
    adapters: list[Adapter | None] = []
    for name in fields:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or not field.column:
            raise TypeError(f"{name} is not a concrete column of {model.__name__}")
        names.append(connection.ops.quote_name(field.column))
        adapters.append(_adapter(field))
    return names, adapters


def _adapt(row: Sequence[Any], active: Sequence[tuple[int, Adapter]]) -> list[Any]:
    """The row's values with each adapted column converted (``active``: index, adapter)."""
    values = list(row)
    for i, adapt in active:
        values[i] = adapt(values[i])
    return values


def _active(adapters: Sequence[Adapter | None]) -> list[tuple[int, Adapter]]:
    return [(i, a) for i, a in enumerate(adapters) if a is not None]


def _execute_many(sql: str, rows: Iterable[Sequence[Any]], adapters: list[Adapter | None]) -> int:
    active = _active(adapters)
    count = 0
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(_adapt(row, active))
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT ``rows`` (values in ``fields`` order; attnames such as ``org_unit_id``) into
    ``model``'s table in chunks; return the count. No signals, no returned ids."""
    names, adapters = columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # Identifiers come from the model's metadata, quoted; every value is a bound parameter.
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    return _execute_many(sql, rows, adapters)


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UPDATE ``fields`` of many rows by primary key: each row is the values in ``fields``
    order followed by the pk. One ``executemany`` per chunk instead of ``bulk_update``'s
    CASE expressions; return the count."""
    names, adapters = columns(model, fields)
    pk = model._meta.pk
    assert pk is not None
    assert pk.column is not None
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{n} = %s" for n in names)
    sql = f"UPDATE {table} SET {assignments} WHERE {connection.ops.quote_name(pk.column)} = %s"  # noqa: S608
    return _execute_many(sql, rows, [*adapters, None])


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
    names, adapters = columns(model, fields)
    active = _active(adapters)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    assert pk is not None
    assert pk.column is not None
    row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
    suffix = ""
    if ignore_conflicts_on:
        targets = columns(model, ignore_conflicts_on)[0]
        suffix += f" ON CONFLICT ({', '.join(targets)}) DO NOTHING"
    if returning_pk:
        suffix += f" RETURNING {connection.ops.quote_name(pk.column)}"
    out: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), VALUES_CHUNK):
            chunk = [_adapt(row, active) for row in rows[start : start + VALUES_CHUNK]]
            # Identifiers come from the model's metadata, quoted; every value is a bound parameter.
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([row_sql] * len(chunk))}{suffix}"  # noqa: S608
            cursor.execute(sql, [v for row in chunk for v in row])
            if returning_pk:
                out.extend(r[0] for r in cursor.fetchall())
    return out


def update_column(model: type[models.Model], field: str, values: Sequence[tuple[Any, Any]]) -> None:
    """Set ``field`` per row: ``values`` are (value, pk) pairs; one UPDATE per chunk."""
    names, adapters = columns(model, [field])
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
        for start in range(0, len(values), VALUES_CHUNK):
            chunk = values[start : start + VALUES_CHUNK]
            params: list[Any] = []
            for value, key in chunk:
                params += [key, adapt(value) if adapt is not None and value is not None else value]
            params += [key for _value, key in chunk]
            sql = (
                f"UPDATE {table} SET {names[0]} = CASE {pk_name} {' '.join([when] * len(chunk))} END "  # noqa: S608
                f"WHERE {pk_name} IN ({', '.join(['%s'] * len(chunk))})"
            )
            cursor.execute(sql, params)

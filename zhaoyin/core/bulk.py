"""Fast bulk INSERT for imports: ``executemany`` over pre-adapted rows.

Django's ``bulk_create`` compiles every value of every row through the field machinery
(≈ 8 µs per value); a 100 000-row import with its audit records has millions of values. Here
each column gets its adapter once — the same ``connection.ops.adapt_*`` calls the ORM makes,
so the stored values are identical — and plain text and integer columns pass through as they
are. Only for trusted, already validated values (services only; never raw user input).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

Adapter = Callable[[Any], Any]
CHUNK = 1000
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


def _columns(model: type[models.Model], fields: Sequence[str]) -> tuple[list[str], list[Adapter | None]]:
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


def _execute_many(sql: str, rows: Iterable[Sequence[Any]], adapters: list[Adapter | None]) -> int:
    active = [(i, a) for i, a in enumerate(adapters) if a is not None]
    count = 0
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            values = list(row)
            for i, adapt in active:
                values[i] = adapt(values[i])
            batch.append(values)
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
    names, adapters = _columns(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # Identifiers come from the model's metadata, quoted; every value is a bound parameter.
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    return _execute_many(sql, rows, adapters)


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UPDATE ``fields`` of many rows by primary key: each row is the values in ``fields``
    order followed by the pk. One ``executemany`` per chunk instead of ``bulk_update``'s
    CASE expressions; return the count."""
    names, adapters = _columns(model, fields)
    pk = model._meta.pk
    assert pk is not None
    assert pk.column is not None
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{n} = %s" for n in names)
    sql = f"UPDATE {table} SET {assignments} WHERE {connection.ops.quote_name(pk.column)} = %s"  # noqa: S608
    return _execute_many(sql, rows, [*adapters, None])

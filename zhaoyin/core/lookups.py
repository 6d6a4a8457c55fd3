"""``__unindexed``: a column the SQLite planner must not use an index for.

SQLite's planner, given ``lead_unit_id IN (…) OR id IN (…)`` and an ``ORDER BY … LIMIT``,
prefers to gather every matching row through the two indexes and sort them all — 100 000 rows
for a county — over walking the index of the sort order and stopping after one page. SQLite's
documented way to take an index out of consideration is the unary ``+`` on the column; this
transform writes it on SQLite and nothing on other databases, whose planners weigh the two
plans by cost.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, ForeignObject, IntegerField, Transform


class Unindexed(Transform):
    """``+column`` on SQLite, ``column`` elsewhere."""

    lookup_name = "unindexed"

    @property
    def output_field(self) -> Field[Any, Any]:
        # A plain integer: the ``in`` lookup of a foreign key would re-resolve the relation.
        return IntegerField()

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.lhs)
        return (f"+{sql}" if connection.vendor == "sqlite" else sql), params


def register() -> None:
    """Make ``__unindexed`` available on every field (called from CoreConfig.ready)."""
    Field.register_lookup(Unindexed)
    ForeignObject.register_lookup(Unindexed)  # relations keep their own registry

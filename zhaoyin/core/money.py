"""Exact money sums in the database (Decimal end to end, never float).

SQLite stores decimals as floating point, so ``Sum("amount")`` of a thousand 0.01 comes back
as 9.99999999999983. Summing whole fen (hundredths) as integers is exact on every database.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, F, QuerySet, Sum
from django.db.models.functions import Cast, Round

CENT = Decimal("0.01")


def fen_sum(field: str) -> Sum:
    """An aggregate of ``field`` (2 decimal places) as an integer count of fen."""
    return Sum(Cast(Round(F(field) * 100), output_field=BigIntegerField()))


def fen_to_amount(fen: int | None) -> Decimal:
    return (Decimal(fen or 0) / 100).quantize(CENT)


def exact_sum(qs: QuerySet[Any], field: str) -> Decimal:
    """The exact sum of a 2-decimal money ``field`` over ``qs``."""
    return fen_to_amount(qs.order_by().aggregate(fen=fen_sum(field))["fen"])

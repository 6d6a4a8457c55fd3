"""API: /targets (DESIGN 5.1) — ``GET /targets/progress?year=&indicator=[&as_of=]``.

Numbers: ``actual`` and ``target`` are JSON numbers rounded to the indicator's places (2 for
亿元, 0 for counts); ratios (``time_progress``, ``completion``, ``gap``) are fractions 0–1
with four places (0.7741 is 77.41 %). They are computed exactly in Decimal and only the
rounded result is written as a number. Bad parameters → 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from zhaoyin.accounts.request import request_user
from zhaoyin.core.api import api_allow
from zhaoyin.targets import selectors

router = Router(tags=["targets"])


class ProgressRowOut(Schema):
    org_unit: str
    name: str
    kind: str
    target: float | None
    actual: float
    completion: float | None
    time_progress: float
    gap: float | None
    rank: int | None


class ProgressOut(Schema):
    year: int
    indicator: str
    unit: str
    as_of: dt.date
    time_progress: float
    city: ProgressRowOut | None
    items: list[ProgressRowOut]


def _num(value: Decimal | None, places: int) -> float | None:
    # Rounded exactly in Decimal first: the float carries only the digits shown.
    if value is None:
        return None
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _row(row: selectors.Row, places: int) -> dict[str, Any]:
    return {
        "org_unit": row.unit.code,
        "name": row.unit.name,
        "kind": row.unit.kind,
        "target": _num(row.target, places),
        "actual": _num(row.actual, places),
        "completion": _num(row.completion, 4),
        "time_progress": _num(row.time_progress, 4),
        "gap": _num(row.gap, 4),
        "rank": row.rank,
    }


@router.get("/progress", response=ProgressOut)
@api_allow(selectors.READER_ROLES)
def progress(request: HttpRequest, year: str = "", indicator: str = "", as_of: str | None = None) -> dict[str, Any]:
    """Target progress of each unit the caller may see and of its city (or own subtree)."""
    user = request_user(request)
    year_value, ind, day = selectors.parse_progress_params(year, indicator, as_of, today=timezone.localdate())
    result = selectors.progress_for(user, year=year_value, indicator=ind, as_of=day)
    return {
        "year": result.year,
        "indicator": ind.code,
        "unit": ind.unit,
        "as_of": result.as_of,
        "time_progress": _num(result.time_progress, 4),
        "city": _row(result.city, ind.places) if result.city else None,
        "items": [_row(r, ind.places) for r in result.items],
    }

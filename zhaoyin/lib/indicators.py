"""Target-progress arithmetic (DESIGN 3.3): completion, time progress (序时进度), gap, ranking.

Pure: no Django. Every quantity is a ``Decimal``; ratios are fractions 0–1 rounded half-up to
four places (0.7741 is 77.41 %).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Hashable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

RATIO_PLACES = Decimal("0.0001")
K = TypeVar("K", bound=Hashable)


def ratio(value: Decimal) -> Decimal:
    """A fraction rounded half-up to four places."""
    return value.quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_counted(year: int, as_of: dt.date) -> int:
    """How many months of ``year`` are complete on ``as_of`` (0–12).

    A month counts once ``as_of`` reaches its last day: 2026-09-30 → 9, 2026-09-29 → 8.
    Before the year → 0, after it → 12.
    """
    if as_of.year < year:
        return 0
    if as_of.year > year:
        return 12
    full = as_of.month - 1
    if as_of == month_end(year, as_of.month):
        full += 1
    return full


def time_progress_months(year: int, as_of: dt.date) -> Decimal:
    """序时进度 by whole months: complete months ÷ 12 (2026-09-30 → 0.75)."""
    return ratio(Decimal(months_counted(year, as_of)) / Decimal(12))


def time_progress_days(year: int, as_of: dt.date) -> Decimal:
    """序时进度 by days: elapsed days of the year (``as_of`` included) ÷ days in the year."""
    start = dt.date(year, 1, 1)
    end = dt.date(year, 12, 31)
    if as_of < start:
        return Decimal("0.0000")
    if as_of >= end:
        return Decimal("1.0000")
    return ratio(Decimal((as_of - start).days + 1) / Decimal((end - start).days + 1))


def time_progress_plan(months: int, annual: Decimal, cumulative_plan: Mapping[int, Decimal]) -> Decimal | None:
    """序时进度 from a monthly plan: planned cumulative value at the last counted month ÷ annual.

    Months missing from the plan take the nearest earlier planned month's value (0 before the
    first). None when the annual value is not positive (no meaningful fraction).
    """
    if annual <= 0:
        return None
    planned = Decimal(0)
    for m in range(1, months + 1):
        if m in cumulative_plan:
            planned = cumulative_plan[m]
    return ratio(planned / annual)


def completion(actual: Decimal, target: Decimal | None) -> Decimal | None:
    """actual ÷ target as a fraction (may exceed 1); None without a positive target."""
    if target is None or target <= 0:
        return None
    return ratio(actual / target)


def gap(completion_value: Decimal | None, time_progress: Decimal | None) -> Decimal | None:
    """completion − time progress (positive = ahead of schedule, 超进度)."""
    if completion_value is None or time_progress is None:
        return None
    return ratio(completion_value - time_progress)


def rank(values: Mapping[K, Decimal | None]) -> dict[K, int]:
    """Competition ranking by value, highest first; equal values share a rank and the next
    rank skips (1, 2, 2, 4). Keys whose value is None get no rank."""
    ordered = sorted(((v, k) for k, v in values.items() if v is not None), key=lambda pair: pair[0], reverse=True)
    out: dict[K, int] = {}
    previous: Decimal | None = None
    current = 0
    for position, (value, key) in enumerate(ordered, start=1):
        if value != previous:
            current = position
            previous = value
        out[key] = current
    return out

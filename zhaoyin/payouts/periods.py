"""The payout ledger's periods (``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``), shared by the ledger's
services (``payouts.services``), its input models (``payouts.inputs``) and its filters
(``payouts.filters``) — below them all, so the services and the filters do not import each
other."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

#: ``YYYY``, ``YYYY-Q1`` … ``YYYY-Q4`` or ``YYYY-01`` … ``YYYY-12``, in ASCII digits (a year in
#: other digits would be stored as sent and never match a filter).
PERIOD_RE = re.compile(r"^(?P<year>[0-9]{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")
YEAR_MIN, YEAR_MAX = 1990, 2100
#: What ``clean_period`` accepts, for the API document: around the value whitespace, a year
#: from ``YEAR_MIN`` to ``YEAR_MAX``, the quarter's Q in either case.
PERIOD_PATTERN = r"^\s*(?:199[0-9]|20[0-9][0-9]|2100)(?:-(?:[Qq][1-4]|0[1-9]|1[0-2]))?\s*$"


def clean_period(value: Any) -> str:
    """A period as stored (``2025``, ``2025-Q3``, ``2025-07``); ``ValueError`` with the reason."""
    text = value.strip().upper() if isinstance(value, str) else ""
    match = PERIOD_RE.match(text)
    if match is None:
        raise ValueError(_("must be a year (2025), a quarter (2025-Q1 … 2025-Q4) or a month (2025-01 … 2025-12)"))
    if not YEAR_MIN <= int(match["year"]) <= YEAR_MAX:
        raise ValueError(_("the year must be from %(low)d to %(high)d") % {"low": YEAR_MIN, "high": YEAR_MAX})
    return text


def period_start(period: str) -> dt.date:
    """The first day of a stored period (``2025`` → 1 Jan, ``2025-Q3`` → 1 Jul, ``2025-07``)."""
    match = PERIOD_RE.match(period)
    if match is None:
        raise ValueError(period)
    year = int(match["year"])
    if match["quarter"]:
        return dt.date(year, 3 * int(match["quarter"]) - 2, 1)
    return dt.date(year, int(match["month"] or 1), 1)


def next_periods(first: str, count: int, *, monthly: bool) -> list[str]:
    """``count`` consecutive periods from ``first``: months (``YYYY-MM``) or years (``YYYY``)."""
    start = period_start(first)
    if monthly:
        months = [start.year * 12 + start.month - 1 + i for i in range(count)]
        return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in months]
    return [f"{start.year + i:04d}" for i in range(count)]


def begun_q(today: dt.date) -> Q:
    """The stored periods that have begun by ``today`` (``period_start(p) <= today``) as a
    condition on ``period``, for a query: stored periods compare as text — a year sorts before
    its months (``2026`` < ``2026-05``), a month by its digits — but a quarter's ``Q`` sorts
    after every digit, so quarters are listed by name."""
    month = f"{today.year:04d}-{today.month:02d}"
    quarters = [f"{today.year:04d}-Q{n}" for n in range(1, (today.month - 1) // 3 + 2)]
    years_and_months = Q(period__lte=month) & ~Q(period__contains="Q")
    return years_and_months | (Q(period__contains="Q") & (Q(period__lt=f"{today.year:04d}") | Q(period__in=quarters)))


def period_range(period: str) -> tuple[dt.date, dt.date]:
    """The first and the last day of a stored period (``2026`` → 1 Jan … 31 Dec, ``2026-Q1`` →
    1 Jan … 31 Mar, ``2026-03`` → 1 … 31 Mar)."""
    match = PERIOD_RE.match(period)
    if match is None:
        raise ValueError(period)
    first = period_start(period)
    months = 12 if not (match["quarter"] or match["month"]) else (3 if match["quarter"] else 1)
    index = first.year * 12 + first.month - 1 + months
    following = dt.date(index // 12, index % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def periods_overlap(one: str, other: str) -> bool:
    """Whether two stored periods share a day (``2026`` and ``2026-Q1``, ``2026-Q1`` and
    ``2026-03``): a benefit is granted once for any day of a beneficiary × policy."""
    a_first, a_last = period_range(one)
    b_first, b_last = period_range(other)
    return a_first <= b_last and b_first <= a_last

"""Working days under China's holiday rules: the engine behind every deadline.

A ``WorkCalendar`` decides for each day whether it is a working day, from three layers,
the later winning:

1. the weekly rhythm: Monday–Friday work, Saturday and Sunday rest;
2. for a year the ``chinesecalendar`` package covers (2004–2026 in 1.11.0), its copy of the
   State Council notices, make-up working weekends (调休) included; for any other year, the
   statutory holidays projected by ``zhaoyin.lib.statutory`` (no bridges, no 调休);
3. the administrator's exceptions (date → working day or not), which win over both.

A year that only the projection covers is *provisional* unless it is listed in
``official_years`` (its notice has been loaded as exceptions). A deadline whose counted
days touch a provisional year is provisional.

Deadlines count "N working days from the day after receipt" (收到次日起): the first
counted day is the first working day strictly after the day of receipt, whatever kind of
day receipt was. ``add_workdays(d, 0)`` is ``d`` itself. See docs/calendar.md.

All lookups are O(log n) or O(1): the constructor precomputes a sorted list of the
working days' ordinals over the whole range, a per-day flag array and a per-day prefix sum
of provisional days; queries bisect or index them and never loop over days.

Pure Python: no Django.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from zhaoyin.lib import statutory

DEFAULT_LAST_YEAR: Final = statutory.MAX_YEAR


class CalendarRangeError(ValueError):
    """A date, or a deadline computed from it, lies outside the calendar's range."""


class DayKind(StrEnum):
    """What a day is, for display: the four cases a holiday notice distinguishes."""

    WORKDAY = "workday"  # an ordinary Monday–Friday working day
    REST = "rest"  # an ordinary Saturday or Sunday
    HOLIDAY = "holiday"  # a day off that would otherwise be a working day, or a named holiday
    MAKEUP = "makeup"  # a Saturday or Sunday worked instead (调休上班)


class DaySource(StrEnum):
    """Which layer decided a day."""

    WEEK = "week"
    SEED = "seed"
    STATUTORY = "statutory"
    EXCEPTION = "exception"


@dataclass(frozen=True)
class DayInfo:
    """Everything the calendar knows about one day."""

    date: dt.date
    is_workday: bool
    kind: DayKind
    source: DaySource
    name: str | None  # holiday key (see zhaoyin.lib.statutory) for seed/statutory days
    provisional: bool  # the day's year is provisional


@dataclass(frozen=True)
class Seed:
    """Official holiday data for a contiguous range of years (both ends included)."""

    holidays: Mapping[dt.date, str]  # day off → holiday key
    workdays: Mapping[dt.date, str]  # make-up working day → holiday key
    first_year: int
    last_year: int

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


_CHINESECALENDAR_KEYS: Final = {
    "New Year's Day": statutory.NEW_YEAR,
    "Spring Festival": statutory.SPRING_FESTIVAL,
    "Tomb-sweeping Day": statutory.TOMB_SWEEPING,
    "Labour Day": statutory.LABOUR_DAY,
    "Dragon Boat Festival": statutory.DRAGON_BOAT,
    "Mid-autumn Festival": statutory.MID_AUTUMN,
    "National Day": statutory.NATIONAL_DAY,
}


@functools.cache
def chinesecalendar_seed() -> Seed:
    """The seed from the ``chinesecalendar`` package (read from its tables, not day by day)."""
    from chinese_calendar import constants

    holidays = {d: _CHINESECALENDAR_KEYS.get(v, statutory.SPECIAL) for d, v in constants.holidays.items()}
    workdays = {d: _CHINESECALENDAR_KEYS.get(v, statutory.SPECIAL) for d, v in constants.workdays.items()}
    years = [d.year for d in constants.holidays]
    return Seed(holidays=holidays, workdays=workdays, first_year=min(years), last_year=max(years))


class WorkCalendar:
    """An immutable working-day calendar over ``first_year``-01-01 .. ``last_year``-12-31."""

    def __init__(
        self,
        *,
        exceptions: Mapping[dt.date, bool] | None = None,
        official_years: Iterable[int] = (),
        seed: Seed | None = None,
        first_year: int | None = None,
        last_year: int = DEFAULT_LAST_YEAR,
    ) -> None:
        self.seed = seed if seed is not None else chinesecalendar_seed()
        self.first_year = first_year if first_year is not None else self.seed.first_year
        self.last_year = last_year
        if self.first_year > self.last_year:
            raise ValueError("first_year is after last_year")
        self.exceptions: Mapping[dt.date, bool] = dict(exceptions or {})
        self.official_years = frozenset(official_years)
        self.first_date = dt.date(self.first_year, 1, 1)
        self.last_date = dt.date(self.last_year, 12, 31)
        self._base = self.first_date.toordinal()
        self._last = self.last_date.toordinal()
        self.provisional_years = frozenset(
            y for y in range(self.first_year, self.last_year + 1)
            if not self.seed.covers(y) and y not in self.official_years
        )
        # Non-default days: date → (is_workday, source, name). Built year by year from the
        # tables (tens of entries a year), so construction costs one pass over the range.
        special: dict[dt.date, tuple[bool, DaySource, str | None]] = {}
        for year in range(self.first_year, self.last_year + 1):
            if self.seed.covers(year):
                continue
            for d, key in statutory.statutory_holidays(year).items():
                special[d] = (False, DaySource.STATUTORY, key)
        for d, key in self.seed.holidays.items():
            if self.first_year <= d.year <= self.last_year:
                special[d] = (False, DaySource.SEED, key)
        for d, key in self.seed.workdays.items():
            if self.first_year <= d.year <= self.last_year:
                special[d] = (True, DaySource.SEED, key)
        for d, working in self.exceptions.items():
            if self.first_date <= d <= self.last_date:
                special[d] = (working, DaySource.EXCEPTION, None)
        self._special = special

        ndays = self._last - self._base + 1
        flags = bytearray(ndays)
        prov_cum = [0] * (ndays + 1)  # prov_cum[i] = provisional days among offsets < i
        work: list[int] = []
        weekday = self.first_date.weekday()
        year = self.first_year
        next_new_year = dt.date(year + 1, 1, 1).toordinal() - self._base
        prov = year in self.provisional_years
        count = 0
        for offset in range(ndays):
            if offset == next_new_year:
                year += 1
                next_new_year = dt.date(year + 1, 1, 1).toordinal() - self._base
                prov = year in self.provisional_years
            working = weekday < 5
            weekday = (weekday + 1) % 7
            if special:
                entry = special.get(dt.date.fromordinal(self._base + offset))
                if entry is not None:
                    working = entry[0]
            if working:
                flags[offset] = 1
                work.append(self._base + offset)
            if prov:
                count += 1
            prov_cum[offset + 1] = count
        self._flags = bytes(flags)
        self._work = work
        self._nwork = len(work)
        self._prov_cum = prov_cum

    # --- single days -----------------------------------------------------------------------

    def _offset(self, d: dt.date) -> int:
        o = d.toordinal()
        if o < self._base or o > self._last:
            raise CalendarRangeError(
                f"{d.isoformat()} is outside the calendar ({self.first_date} to {self.last_date})"
            )
        return o - self._base

    def is_workday(self, d: dt.date) -> bool:
        """Whether ``d`` is a working day."""
        return self._flags[self._offset(d)] == 1

    def is_provisional_year(self, year: int) -> bool:
        return year in self.provisional_years

    def day_info(self, d: dt.date) -> DayInfo:
        """Kind, source and holiday name of ``d`` (for the calendar page)."""
        working = self.is_workday(d)
        weekend = d.weekday() >= 5
        entry = self._special.get(d)
        source = entry[1] if entry is not None else DaySource.WEEK
        name = entry[2] if entry is not None else None
        if working:
            kind = DayKind.MAKEUP if weekend else DayKind.WORKDAY
        else:
            # A weekend day is a holiday only when some layer says so (a notice's range).
            kind = DayKind.REST if weekend and entry is None else DayKind.HOLIDAY
        return DayInfo(date=d, is_workday=working, kind=kind, source=source, name=name,
                       provisional=d.year in self.provisional_years)

    # --- deadlines -------------------------------------------------------------------------

    def add_workdays(self, received: dt.date, n: int) -> tuple[dt.date, bool]:
        """The day ``n`` working days after ``received``, counting from the next day (收到次日起).

        Returns ``(deadline, provisional)``; ``provisional`` is true when any day from the day
        after receipt through the deadline lies in a provisional year. ``n == 0`` returns
        ``(received, False)``; a negative ``n`` raises ``ValueError``; a date or result outside
        the calendar raises ``CalendarRangeError``.
        """
        if n < 0:
            raise ValueError("the number of working days must not be negative")
        o = received.toordinal()
        if o < self._base or o > self._last:
            self._offset(received)  # raises with the message
        if n == 0:
            return received, False
        i = bisect_right(self._work, o) + n - 1
        if i >= self._nwork:
            raise CalendarRangeError(
                f"{n} working days after {received.isoformat()} is beyond {self.last_date}"
            )
        r = self._work[i]
        cum = self._prov_cum
        return dt.date.fromordinal(r), cum[r - self._base + 1] != cum[o - self._base + 1]

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """The number of working days in (a, b]; negative (−count in (b, a]) when b < a."""
        oa, ob = a.toordinal(), b.toordinal()
        self._offset(a)
        self._offset(b)
        if ob >= oa:
            return bisect_right(self._work, ob) - bisect_right(self._work, oa)
        return -(bisect_right(self._work, oa) - bisect_right(self._work, ob))

    def workdays_overdue(self, due: dt.date, today: dt.date) -> int:
        """Working days elapsed after the deadline ``due`` up to and including ``today``; 0 if not late.

        A deadline ends at the close of its day, so on ``due`` itself nothing is overdue and the
        first working day after it counts 1 (the day a 催办 is issued).
        """
        return max(0, self.workdays_between(due, today))

    def spans_provisional(self, a: dt.date, b: dt.date) -> bool:
        """Whether any day in (a, b] lies in a provisional year."""
        oa, ob = self._offset(a), self._offset(b)
        if ob <= oa:
            return False
        return self._prov_cum[ob + 1] != self._prov_cum[oa + 1]

"""Reads of the working-day calendar.

``current_calendar()`` is the one way the rest of the platform gets a ``WorkCalendar``: a
process-wide instance built from the seed, the exceptions table and the official years,
rebuilt when ``CalendarVersion.token`` changes (every write through the services changes it,
so other processes and workers notice on their next call). One indexed single-row query per
call: fetch it once per unit of work and reuse it inside loops.

The calendar is not business data and not scoped: every signed-in user may compute
deadlines; only the sysadmin's pages list the exceptions.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import threading
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from zhaoyin.lib.workdays import DayInfo, WorkCalendar
from zhaoyin.workcalendar.labels import DAY_KIND_LABELS, holiday_label
from zhaoyin.workcalendar.models import CalendarException, CalendarVersion, ExceptionKind, OfficialYear

_lock = threading.Lock()
_cache: tuple[str, WorkCalendar] | None = None

#: Token of the calendar when no change has ever been recorded (no CalendarVersion row).
INITIAL_TOKEN = "initial"  # noqa: S105 - a version marker, not a secret


def calendar_token() -> str:
    """The current version token (one indexed read)."""
    token = CalendarVersion.objects.filter(id=1).values_list("token", flat=True).first()
    return token or INITIAL_TOKEN


def build_calendar() -> WorkCalendar:
    """A fresh calendar from the database (no cache)."""
    exceptions = {
        d: kind == ExceptionKind.WORKDAY
        for d, kind in CalendarException.objects.values_list("date", "kind")
    }
    official = OfficialYear.objects.values_list("year", flat=True)
    return WorkCalendar(exceptions=exceptions, official_years=list(official))


def current_calendar() -> WorkCalendar:
    """The process-wide calendar, rebuilt when the database's version token has changed."""
    global _cache
    token = calendar_token()
    cached = _cache
    if cached is not None and cached[0] == token:
        return cached[1]
    with _lock:
        cached = _cache
        if cached is not None and cached[0] == token:
            return cached[1]
        # The token was read before the data: a change committed in between is picked up
        # again on the next call, because the stored token will differ from this one.
        cal = build_calendar()
        _cache = (token, cal)
        return cal


def clear_cache() -> None:
    """Forget the cached calendar (tests)."""
    global _cache
    with _lock:
        _cache = None


# --- the sysadmin's pages ----------------------------------------------------------------------


def exception_list(*, year: int | None = None) -> QuerySet[CalendarException]:
    """Exceptions, optionally of one year, by date."""
    qs = CalendarException.objects.select_related("created_by").order_by("date")
    if year is not None:
        qs = qs.filter(date__year=year)
    return qs


def exception_get(*, pk: int) -> CalendarException:
    """One exception or 404."""
    exc = CalendarException.objects.filter(pk=pk).first()
    if exc is None:
        raise Http404
    return exc


def official_year_list() -> QuerySet[OfficialYear]:
    return OfficialYear.objects.select_related("loaded_by").order_by("year")


@dataclass(frozen=True)
class YearStatus:
    """How a year's calendar is known: built-in notice data, loaded notice, or projection."""

    year: int
    status: str  # seed | official | provisional
    notice: str = ""


def year_statuses(years: range) -> list[YearStatus]:
    cal = current_calendar()
    loaded = {o.year: o.notice for o in OfficialYear.objects.filter(year__in=list(years))}
    out = []
    for y in years:
        if not cal.first_year <= y <= cal.last_year:
            continue
        if y in loaded:
            out.append(YearStatus(y, "official", loaded[y]))
        elif cal.seed.covers(y):
            out.append(YearStatus(y, "seed"))
        else:
            out.append(YearStatus(y, "provisional"))
    return out


@dataclass(frozen=True)
class DayCell:
    """One day on the calendar page."""

    info: DayInfo
    label: str  # kind and holiday name, for the cell's title
    exception: CalendarException | None

    @property
    def day(self) -> int:
        return self.info.date.day


@dataclass(frozen=True)
class MonthGrid:
    month: int
    first: dt.date
    weeks: list[list[DayCell | None]]  # Monday-first rows; None pads outside the month
    holidays: int
    makeups: int


def year_overview(*, year: int) -> list[MonthGrid]:
    """The twelve months of ``year`` as Monday-first week grids, each day classified."""
    cal = current_calendar()
    if not cal.first_year <= year <= cal.last_year:
        raise Http404
    exceptions = {e.date: e for e in CalendarException.objects.filter(date__year=year)}
    months = []
    weeks_of = pycalendar.Calendar(firstweekday=0)
    for month in range(1, 13):
        weeks: list[list[DayCell | None]] = []
        holidays = makeups = 0
        for week in weeks_of.monthdatescalendar(year, month):
            row: list[DayCell | None] = []
            for d in week:
                if d.month != month:
                    row.append(None)
                    continue
                info = cal.day_info(d)
                holidays += info.kind == "holiday"
                makeups += info.kind == "makeup"
                exc = exceptions.get(d)
                parts = [str(DAY_KIND_LABELS[info.kind])]
                name = exc.name if exc is not None and exc.name else holiday_label(info.name)
                if name:
                    parts.append(name)
                row.append(DayCell(info=info, label=" · ".join([d.isoformat(), *parts]), exception=exc))
            weeks.append(row)
        months.append(MonthGrid(month=month, first=dt.date(year, month, 1), weeks=weeks,
                                holidays=holidays, makeups=makeups))
    return months

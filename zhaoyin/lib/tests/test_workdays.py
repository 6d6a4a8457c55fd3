"""The working-day engine (DESIGN 4): the rule "N working days from the day after receipt",
the seed, exceptions, the statutory projection and provisional deadlines. Pure: no database."""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoyin.lib import statutory
from zhaoyin.lib.workdays import CalendarRangeError, DayKind, DaySource, Seed, WorkCalendar

D = dt.date
CAL = WorkCalendar()


@functools.cache
def calendar_with(official: frozenset[int]) -> WorkCalendar:
    return WorkCalendar(official_years=official, last_year=2041)


def brute_add(cal: WorkCalendar, received: dt.date, n: int) -> dt.date:
    """The rule stated as a loop: step day by day from the day after receipt."""
    day, counted = received, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += cal.is_workday(day)
    return day


# --- the worked cases of DESIGN 4 ---------------------------------------------------------


def test_design_worked_case_national_day_with_make_up_saturday() -> None:
    # 10-01..10-07 off; 10-10 (Saturday) is worked.
    assert CAL.add_workdays(D(2026, 9, 30), 5) == (D(2026, 10, 13), False)


def test_design_worked_case_spring_festival_make_up_saturday() -> None:
    assert CAL.add_workdays(D(2026, 2, 13), 1) == (D(2026, 2, 14), False)


# --- receipt on a day off: counting still starts the next day -----------------------------


def test_receipt_on_a_saturday_counts_from_sunday_not_from_monday() -> None:
    saturday = D(2026, 3, 7)
    assert CAL.add_workdays(saturday, 1) == (D(2026, 3, 9), False)
    assert CAL.add_workdays(saturday, 2) == (D(2026, 3, 10), False)
    # chinesecalendar's find_workday moves a non-working day forward first and counts from
    # there: one day later than the rule. The engine must not borrow those semantics.
    assert chinese_calendar.find_workday(1, saturday) == D(2026, 3, 10)


def test_receipt_on_a_holiday() -> None:
    assert CAL.add_workdays(D(2026, 10, 3), 1) == (D(2026, 10, 8), False)
    assert CAL.add_workdays(D(2026, 10, 3), 3) == (D(2026, 10, 10), False)  # the make-up Saturday
    assert CAL.add_workdays(D(2026, 10, 3), 5) == (D(2026, 10, 13), False)


def test_receipt_on_a_make_up_working_saturday() -> None:
    assert CAL.add_workdays(D(2026, 10, 10), 1) == (D(2026, 10, 12), False)


def test_receipt_on_the_eve_of_a_long_holiday() -> None:
    assert CAL.add_workdays(D(2026, 2, 13), 2) == (D(2026, 2, 24), False)


def test_zero_days_is_the_day_of_receipt_itself() -> None:
    assert CAL.add_workdays(D(2026, 10, 3), 0) == (D(2026, 10, 3), False)
    assert CAL.add_workdays(D(2027, 5, 1), 0) == (D(2027, 5, 1), False)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_workdays(D(2026, 10, 3), -1)


# --- years without official data ----------------------------------------------------------


def test_year_boundary_into_a_projected_year_is_provisional() -> None:
    # 12-31 Thu counts 1; 2027-01-01 New Year's Day (projected); 01-02/03 weekend.
    assert CAL.add_workdays(D(2026, 12, 30), 5) == (D(2027, 1, 7), True)
    assert CAL.add_workdays(D(2026, 12, 31), 1) == (D(2027, 1, 4), True)


def test_deadline_inside_an_official_year_is_not_provisional_even_near_the_boundary() -> None:
    assert CAL.add_workdays(D(2026, 12, 28), 3) == (D(2026, 12, 31), False)


def test_receipt_on_the_last_day_of_a_provisional_year_into_an_official_one() -> None:
    cal = WorkCalendar(official_years={2027})
    assert cal.add_workdays(D(2027, 12, 31), 1) == (D(2028, 1, 3), True)  # 2028 is provisional
    cal = WorkCalendar(official_years={2027, 2028})
    assert cal.add_workdays(D(2027, 12, 31), 1) == (D(2028, 1, 3), False)
    # Only the counted days matter: receipt in a provisional year, all counted days official.
    cal = WorkCalendar(official_years={2028})
    assert cal.add_workdays(D(2027, 12, 31), 1) == (D(2028, 1, 3), False)


def test_loading_a_year_makes_its_deadlines_official() -> None:
    assert CAL.add_workdays(D(2027, 3, 1), 10)[1] is True
    assert WorkCalendar(official_years=[2027]).add_workdays(D(2027, 3, 1), 10)[1] is False
    assert CAL.provisional_years >= {2027, 2050}
    assert 2026 not in CAL.provisional_years


def test_projection_of_2027_statutory_holidays() -> None:
    # 除夕 2027-02-05 (Fri) and 初三 02-08 (Mon) are off; 初一/初二 fall on the weekend.
    assert not CAL.is_workday(D(2027, 2, 5))
    assert not CAL.is_workday(D(2027, 2, 8))
    assert CAL.is_workday(D(2027, 2, 9))
    assert not CAL.is_workday(D(2027, 4, 5))  # 清明 (Monday)
    assert CAL.is_workday(D(2027, 5, 3))  # no bridge days are invented
    assert not CAL.is_workday(D(2027, 6, 9))  # 端午
    assert not CAL.is_workday(D(2027, 9, 15))  # 中秋
    # 国庆 10-01 (Fri) to 10-03 (Sun): three statutory days, no 调休 → Monday 10-04 is worked.
    assert [CAL.is_workday(D(2027, 10, d)) for d in range(1, 6)] == [False, False, False, True, True]
    assert CAL.add_workdays(D(2027, 2, 4), 1) == (D(2027, 2, 9), True)


# --- exceptions win ---------------------------------------------------------------------------


def test_exceptions_override_the_seed() -> None:
    # Cancel the 2026-10-10 make-up Saturday and add 10-12 as a holiday.
    cal = WorkCalendar(exceptions={D(2026, 10, 10): False, D(2026, 10, 12): True, D(2026, 10, 13): False})
    assert not cal.is_workday(D(2026, 10, 10))
    assert cal.add_workdays(D(2026, 9, 30), 5) == (D(2026, 10, 15), False)
    # A seed holiday turned into a working day.
    cal = WorkCalendar(exceptions={D(2026, 10, 7): True})
    assert cal.add_workdays(D(2026, 9, 30), 1) == (D(2026, 10, 7), False)


def test_exceptions_override_the_projection() -> None:
    cal = WorkCalendar(exceptions={D(2027, 2, 5): True, D(2027, 2, 10): False, D(2027, 2, 20): True})
    assert cal.is_workday(D(2027, 2, 5))
    assert not cal.is_workday(D(2027, 2, 10))
    assert cal.is_workday(D(2027, 2, 20))  # a Saturday worked
    assert cal.add_workdays(D(2027, 2, 4), 2) == (D(2027, 2, 9), True)


def test_exceptions_outside_the_range_are_ignored() -> None:
    cal = WorkCalendar(exceptions={D(1999, 1, 1): True})
    assert cal.add_workdays(D(2026, 9, 30), 5) == (D(2026, 10, 13), False)


# --- the seed ----------------------------------------------------------------------------------


def test_seed_years_agree_with_chinesecalendar_on_every_day() -> None:
    day = D(2004, 1, 1)
    while day <= D(2026, 12, 31):
        assert CAL.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_chinesecalendar_raises_for_2027_and_the_engine_projects_it() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))
    assert CAL.seed.last_year == 2026
    assert CAL.is_workday(D(2027, 1, 4))


def test_a_custom_seed_is_respected() -> None:
    seed = Seed(holidays={D(2030, 3, 4): "special"}, workdays={D(2030, 3, 9): "special"},
                first_year=2030, last_year=2030)
    cal = WorkCalendar(seed=seed, first_year=2030, last_year=2031)
    assert not cal.is_workday(D(2030, 3, 4))
    assert cal.is_workday(D(2030, 3, 9))
    assert cal.is_workday(D(2030, 1, 1))  # the seed, not the projection, rules 2030
    assert not cal.is_workday(D(2031, 1, 1))
    assert cal.provisional_years == {2031}


# --- counting helpers --------------------------------------------------------------------------


def test_workdays_between_counts_the_half_open_interval() -> None:
    assert CAL.workdays_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert CAL.workdays_between(D(2026, 9, 30), D(2026, 9, 30)) == 0
    assert CAL.workdays_between(D(2026, 10, 13), D(2026, 9, 30)) == -5
    assert CAL.workdays_between(D(2026, 10, 1), D(2026, 10, 7)) == 0


def test_workdays_overdue() -> None:
    due = D(2026, 9, 30)
    assert CAL.workdays_overdue(due, D(2026, 9, 29)) == 0
    assert CAL.workdays_overdue(due, due) == 0  # a deadline ends at the close of its day
    assert CAL.workdays_overdue(due, D(2026, 10, 7)) == 0  # holidays do not count
    assert CAL.workdays_overdue(due, D(2026, 10, 8)) == 1  # the first overdue working day
    assert CAL.workdays_overdue(due, D(2026, 10, 13)) == 5


def test_spans_provisional() -> None:
    assert CAL.spans_provisional(D(2026, 12, 31), D(2027, 1, 1))
    assert not CAL.spans_provisional(D(2026, 12, 30), D(2026, 12, 31))
    assert not CAL.spans_provisional(D(2027, 1, 5), D(2027, 1, 5))


# --- range ---------------------------------------------------------------------------------------


def test_dates_outside_the_calendar_are_refused() -> None:
    with pytest.raises(CalendarRangeError):
        CAL.add_workdays(D(2003, 12, 31), 1)
    with pytest.raises(CalendarRangeError):
        CAL.add_workdays(D(2099, 12, 30), 5)
    with pytest.raises(CalendarRangeError):
        CAL.is_workday(D(2100, 1, 1))
    assert CAL.add_workdays(D(2099, 12, 28), 1)[0] == D(2099, 12, 29)


# --- day info for the calendar page ----------------------------------------------------------------


def test_day_info_kinds_and_sources() -> None:
    info = CAL.day_info(D(2026, 10, 10))
    assert (info.kind, info.source, info.name) == (DayKind.MAKEUP, DaySource.SEED, statutory.NATIONAL_DAY)
    assert info.is_workday
    info = CAL.day_info(D(2026, 10, 1))
    assert (info.kind, info.name) == (DayKind.HOLIDAY, statutory.NATIONAL_DAY)
    assert CAL.day_info(D(2026, 10, 4)).kind == DayKind.HOLIDAY  # a Sunday inside the notice's range
    assert CAL.day_info(D(2026, 10, 17)).kind == DayKind.REST
    assert CAL.day_info(D(2026, 10, 16)).kind == DayKind.WORKDAY
    info = CAL.day_info(D(2027, 1, 1))
    assert (info.kind, info.source, info.provisional) == (DayKind.HOLIDAY, DaySource.STATUTORY, True)
    cal = WorkCalendar(exceptions={D(2027, 1, 9): True})
    info = cal.day_info(D(2027, 1, 9))
    assert (info.kind, info.source) == (DayKind.MAKEUP, DaySource.EXCEPTION)


# --- the index agrees with the rule stated as a loop -------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    received=st.dates(min_value=D(2004, 1, 1), max_value=D(2040, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
    official=st.sets(st.integers(min_value=2027, max_value=2041), max_size=5),
)
def test_add_workdays_matches_the_day_by_day_rule(received: dt.date, n: int, official: set[int]) -> None:
    cal = calendar_with(frozenset(official))
    due, provisional = cal.add_workdays(received, n)
    assert due == brute_add(cal, received, n)
    days = [received + dt.timedelta(days=i) for i in range(1, (due - received).days + 1)]
    assert provisional == any(d.year in cal.provisional_years for d in days)
    if n:
        assert cal.is_workday(due)
        assert cal.workdays_between(received, due) == n


def test_the_index_is_a_sorted_list_of_working_days() -> None:
    work = CAL._work
    assert work == sorted(work)
    first = D(2004, 1, 1)
    assert len(work) == CAL.workdays_between(first, D(2099, 12, 31)) + CAL.is_workday(first)

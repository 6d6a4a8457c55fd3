"""The statutory projection: 清明 computed astronomically, lunar holidays, the 2025 statute."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from chinese_calendar import constants

from zhaoyin.lib import statutory

D = dt.date


def chinesecalendar_qingming(year: int) -> dt.date:
    terms = chinese_calendar.get_solar_terms(D(year, 4, 1), D(year, 4, 10))
    day: dt.date = next(day for day, name in terms if name == "清明")
    return day


@pytest.mark.parametrize("year", range(2004, 2027))
def test_qingming_matches_chinesecalendar_2004_to_2026(year: int) -> None:
    assert statutory.qingming(year) == chinesecalendar_qingming(year)


@pytest.mark.parametrize("year", range(2008, 2027))
def test_qingming_is_inside_the_official_tomb_sweeping_holiday(year: int) -> None:
    # 清明 has been a public holiday since 2008; the notice always includes the day itself.
    assert constants.holidays.get(statutory.qingming(year)) == "Tomb-sweeping Day"


def test_qingming_agrees_with_the_shouxing_formula_through_2099() -> None:
    """chinesecalendar also extrapolates 清明 with the 寿星 formula; the two methods agree."""
    years = range(2027, 2100)
    assert [statutory.qingming(y) for y in years] == [chinesecalendar_qingming(y) for y in years]


def test_qingming_known_instants() -> None:
    # Published times (Beijing): 2025-04-04 20:48, 2026-04-05 02:40.
    day, hour = statutory.qingming_instant(2025)
    assert day == D(2025, 4, 4)
    assert abs(hour - (20 + 48 / 60)) < 3 / 60
    day, hour = statutory.qingming_instant(2026)
    assert day == D(2026, 4, 5)
    assert abs(hour - (2 + 40 / 60)) < 3 / 60


def test_sun_longitude_meeus_example_25b() -> None:
    # Meeus, Astronomical Algorithms, example 25.b: 1992-10-13 0h TD → λ = 199°54′21.818″.
    assert abs(statutory.sun_apparent_longitude(2448908.5) - 199.906060) < 0.0001


def test_statutory_holidays_2027() -> None:
    assert dict(statutory.statutory_holidays(2027)) == {
        D(2027, 1, 1): "new_year",
        D(2027, 2, 5): "spring_festival",  # 除夕
        D(2027, 2, 6): "spring_festival",  # 正月初一
        D(2027, 2, 7): "spring_festival",
        D(2027, 2, 8): "spring_festival",
        D(2027, 4, 5): "tomb_sweeping",
        D(2027, 5, 1): "labour_day",
        D(2027, 5, 2): "labour_day",
        D(2027, 6, 9): "dragon_boat",
        D(2027, 9, 15): "mid_autumn",
        D(2027, 10, 1): "national_day",
        D(2027, 10, 2): "national_day",
        D(2027, 10, 3): "national_day",
    }


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_statutory_day_is_a_holiday_in_the_notices_under_the_2025_statute(year: int) -> None:
    for day in statutory.statutory_holidays(year):
        assert day in constants.holidays, day


@pytest.mark.parametrize("year", range(2027, 2100))
def test_thirteen_statutory_days_unless_two_coincide(year: int) -> None:
    days = statutory.statutory_holidays(year)
    assert all(d.year == year for d in days)
    mid_autumn_on_national_day = statutory._lunar(year, 8, 15) in {D(year, 10, d) for d in (1, 2, 3)}
    assert len(days) == (12 if mid_autumn_on_national_day else 13)


def test_years_outside_the_lunar_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="2100"):
        statutory.statutory_holidays(2100)


def test_the_projection_is_read_only() -> None:
    days = statutory.statutory_holidays(2027)
    with pytest.raises(TypeError):
        days[D(2027, 3, 1)] = "x"  # type: ignore[index]

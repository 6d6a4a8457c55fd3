"""The escalation ladder of DESIGN 3.5 (approaching, overdue, 催办, 督办) on the real calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from zhaoyin.lib import escalation as esc
from zhaoyin.lib.escalation import ClockKind, Light, NoticeKind, OpenClock, Thresholds
from zhaoyin.lib.workdays import WorkCalendar

D = dt.date
CAL = WorkCalendar()
UTC = dt.UTC


def sh(y: int, m: int, d: int, hour: int = 12, minute: int = 0, second: int = 0) -> dt.datetime:
    """An instant given as Shanghai wall time."""
    return dt.datetime(y, m, d, hour, minute, second, tzinfo=esc.SHANGHAI)


def handling(deadline: dt.date) -> OpenClock:
    return OpenClock(ClockKind.HANDLING, deadline)


def ev(clock: OpenClock | None, now: dt.datetime, **kw: object) -> esc.Escalation:
    return esc.evaluate(clock, now=now, calendar=CAL, **kw)  # type: ignore[arg-type]


FRIDAY = D(2026, 11, 27)


def test_calendar_satisfies_the_protocol() -> None:
    calendar: esc.WorkdayCalendar = CAL
    assert calendar.is_workday(FRIDAY)


def test_approaching_on_the_working_day_before_and_on_the_deadline_day() -> None:
    clock = handling(FRIDAY)
    wednesday = ev(clock, sh(2026, 11, 25))
    assert (wednesday.light, wednesday.workdays_left, wednesday.colour) == (Light.NONE, 2, None)
    thursday = ev(clock, sh(2026, 11, 26, 0, 0))
    assert (thursday.light, thursday.workdays_left, thursday.colour) == (Light.APPROACHING, 1, "blue")
    last_second = ev(clock, sh(2026, 11, 27, 23, 59, 59))
    assert (last_second.light, last_second.workdays_left) == (Light.APPROACHING, 0)
    assert last_second.notices == ()


def test_the_deadline_ends_at_midnight_shanghai_not_utc() -> None:
    clock = handling(FRIDAY)
    # 15:59:59 UTC on Friday is 23:59:59 in Shanghai: still the deadline day.
    assert ev(clock, dt.datetime(2026, 11, 27, 15, 59, 59, tzinfo=UTC)).light == Light.APPROACHING
    # 16:00 UTC on Friday is Saturday 00:00 in Shanghai: overdue.
    red = ev(clock, dt.datetime(2026, 11, 27, 16, 0, tzinfo=UTC))
    assert (red.light, red.colour, red.today) == (Light.OVERDUE, "red", D(2026, 11, 28))
    # An instant early on Friday in UTC is already Friday in Shanghai; late Thursday UTC too.
    assert ev(clock, dt.datetime(2026, 11, 26, 16, 0, tzinfo=UTC)).workdays_left == 0


def test_weekend_after_a_friday_deadline_is_red_but_no_notice_until_monday() -> None:
    clock = handling(FRIDAY)
    sunday = ev(clock, sh(2026, 11, 29, 23, 59))
    assert (sunday.light, sunday.workdays_overdue, sunday.notices, sunday.workdays_left) == (
        Light.OVERDUE, 0, (), None,
    )
    monday = ev(clock, dt.datetime(2026, 11, 29, 16, 0, tzinfo=UTC))  # Monday 00:00 Shanghai
    assert monday.workdays_overdue == 1
    assert [(n.kind, n.due_on) for n in monday.notices] == [(NoticeKind.URGE, D(2026, 11, 30))]
    assert not monday.supervised


def test_supervise_on_the_fifth_overdue_working_day() -> None:
    clock = handling(FRIDAY)
    thursday = ev(clock, sh(2026, 12, 3, 23, 59))
    assert thursday.workdays_overdue == 4
    assert [n.kind for n in thursday.notices] == [NoticeKind.URGE]
    friday = ev(clock, sh(2026, 12, 4, 0, 0))
    assert friday.workdays_overdue == 5
    assert friday.supervised
    assert [(n.kind, n.due_on) for n in friday.notices] == [
        (NoticeKind.URGE, D(2026, 11, 30)),
        (NoticeKind.SUPERVISE, D(2026, 12, 4)),
    ]


def test_a_late_scan_still_gets_both_notices_with_their_own_due_dates() -> None:
    late = ev(handling(FRIDAY), sh(2027, 6, 1))
    assert [(n.kind, n.due_on) for n in late.notices] == [
        (NoticeKind.URGE, D(2026, 11, 30)),
        (NoticeKind.SUPERVISE, D(2026, 12, 4)),
    ]
    assert late.light == Light.OVERDUE


def test_overdue_counts_working_days_only_across_national_day() -> None:
    # 10-01..10-07 off, 10-10 (Saturday) worked: 催办 on 10-08, 督办 on 10-13.
    clock = handling(D(2026, 9, 30))
    holiday = ev(clock, sh(2026, 10, 5))
    assert (holiday.light, holiday.workdays_overdue, holiday.notices) == (Light.OVERDUE, 0, ())
    assert esc.next_change_at(clock, now=sh(2026, 10, 5), calendar=CAL) == sh(2026, 10, 8, 0, 0)
    saturday = ev(clock, sh(2026, 10, 10))
    assert saturday.workdays_overdue == 3
    after = ev(clock, sh(2026, 10, 13))
    assert [(n.kind, n.due_on) for n in after.notices] == [
        (NoticeKind.URGE, D(2026, 10, 8)),
        (NoticeKind.SUPERVISE, D(2026, 10, 13)),
    ]


def test_approaching_spans_a_holiday_before_the_deadline() -> None:
    # Deadline 10-08 (the first working day after the holiday): 9-30 leaves one working day.
    clock = handling(D(2026, 10, 8))
    assert ev(clock, sh(2026, 9, 29)).light == Light.NONE
    assert ev(clock, sh(2026, 9, 30)).light == Light.APPROACHING
    assert ev(clock, sh(2026, 10, 3)).workdays_left == 1


def test_a_deadline_on_a_day_off_is_still_total() -> None:
    saturday = D(2026, 11, 28)
    clock = OpenClock(ClockKind.SIGN_FOR, saturday)
    assert ev(clock, sh(2026, 11, 25)).light == Light.NONE
    assert ev(clock, sh(2026, 11, 26)).workdays_left == 1
    assert ev(clock, sh(2026, 11, 28, 23, 59)).light == Light.APPROACHING
    sunday = ev(clock, sh(2026, 11, 29))
    assert (sunday.light, sunday.notices) == (Light.OVERDUE, ())
    monday = ev(clock, sh(2026, 11, 30))
    assert monday.notices[0] == esc.Notice(NoticeKind.URGE, ClockKind.SIGN_FOR, saturday, D(2026, 11, 30))


def test_no_clock_no_light_and_listed_is_a_flag() -> None:
    quiet = ev(None, sh(2026, 11, 25), listed=True)
    assert (quiet.light, quiet.listed, quiet.notices, quiet.clock) == (Light.NONE, True, (), None)
    assert esc.next_change_at(None, now=sh(2026, 11, 25), calendar=CAL) is None
    listed = ev(handling(FRIDAY), sh(2026, 12, 10), listed=True)
    assert listed.listed
    assert listed.light == Light.OVERDUE
    assert not ev(handling(FRIDAY), sh(2026, 12, 10)).listed


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        ev(handling(FRIDAY), dt.datetime(2026, 11, 25, 12, 0))  # noqa: DTZ001


def test_notice_key_names_kind_clock_and_deadline() -> None:
    first = ev(handling(FRIDAY), sh(2026, 12, 1)).notices[0]
    assert first.key == ("urge", "handling", "2026-11-27")
    extended = ev(handling(D(2026, 11, 30)), sh(2026, 12, 1)).notices[0]
    assert extended.key != first.key  # a new deadline may be urged again
    sign_for = ev(OpenClock(ClockKind.SIGN_FOR, FRIDAY), sh(2026, 12, 1)).notices[0]
    assert sign_for.key == ("urge", "sign_for", "2026-11-27")


def test_thresholds_from_settings_and_their_validation() -> None:
    t = Thresholds.from_mapping({"APPROACHING_WORKDAYS": 0, "SUPERVISE_WORKDAYS": "1"})
    assert t == Thresholds(approaching_workdays=0, supervise_workdays=1)
    assert Thresholds.from_mapping({}) == Thresholds()
    clock = handling(FRIDAY)
    assert ev(clock, sh(2026, 11, 26), thresholds=t).light == Light.NONE  # only the day itself
    assert ev(clock, sh(2026, 11, 27), thresholds=t).light == Light.APPROACHING
    both = ev(clock, sh(2026, 11, 30), thresholds=t)
    assert [(n.kind, n.due_on) for n in both.notices] == [
        (NoticeKind.URGE, D(2026, 11, 30)),
        (NoticeKind.SUPERVISE, D(2026, 11, 30)),
    ]
    with pytest.raises(ValueError, match="approaching"):
        Thresholds(approaching_workdays=-1)
    with pytest.raises(ValueError, match="supervise"):
        Thresholds(supervise_workdays=0)


def test_next_change_walks_the_ladder() -> None:
    clock = handling(FRIDAY)

    def nxt(now: dt.datetime) -> dt.datetime | None:
        return esc.next_change_at(clock, now=now, calendar=CAL)

    assert nxt(sh(2026, 11, 20)) == sh(2026, 11, 26, 0, 0)  # blue on Thursday
    assert nxt(sh(2026, 11, 26)) == sh(2026, 11, 28, 0, 0)  # red on Saturday
    assert nxt(sh(2026, 11, 28)) == sh(2026, 11, 30, 0, 0)  # 催办 on Monday
    assert nxt(sh(2026, 11, 30)) == sh(2026, 12, 4, 0, 0)  # 督办 on Friday
    assert nxt(sh(2026, 12, 4)) is None
    result = nxt(dt.datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    assert result is not None
    assert result.utcoffset() == dt.timedelta(hours=8)
    assert result == dt.datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


def _state(clock: OpenClock, now: dt.datetime, t: Thresholds) -> tuple[Light, tuple[tuple[str, ...], ...]]:
    r = esc.evaluate(clock, now=now, calendar=CAL, thresholds=t)
    return r.light, tuple((*n.key, n.due_on.isoformat()) for n in r.notices)


@pytest.mark.parametrize("thresholds", [Thresholds(), Thresholds(0, 1), Thresholds(3, 2)])
@pytest.mark.parametrize(
    "deadline",
    [D(2026, 11, 27), D(2026, 11, 28), D(2026, 9, 30), D(2026, 10, 8), D(2026, 2, 13), D(2026, 12, 31)],
)
def test_next_change_is_exactly_the_first_midnight_where_the_result_differs(
    deadline: dt.date, thresholds: Thresholds
) -> None:
    """Brute force: walk day by day and compare with the predicted instant."""
    clock = handling(deadline)
    day = deadline - dt.timedelta(days=25)
    while day <= deadline + dt.timedelta(days=25):
        for now in (sh(day.year, day.month, day.day, 0, 0), sh(day.year, day.month, day.day, 23, 59, 59)):
            predicted = esc.next_change_at(clock, now=now, calendar=CAL, thresholds=thresholds)
            current = _state(clock, now, thresholds)
            probe = day + dt.timedelta(days=1)
            actual: dt.datetime | None = None
            while probe <= deadline + dt.timedelta(days=40):
                if _state(clock, esc.start_of_day(probe), thresholds) != current:
                    actual = esc.start_of_day(probe)
                    break
                probe += dt.timedelta(days=1)
            assert predicted == actual, (deadline, now)
            if predicted is not None:
                # Nothing changes before the predicted instant.
                before = predicted - dt.timedelta(microseconds=1)
                assert _state(clock, before, thresholds) == current
        day += dt.timedelta(days=1)

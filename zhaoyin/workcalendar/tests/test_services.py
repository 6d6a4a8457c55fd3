"""Calendar services: exceptions, official years, notice import, recomputation; audited,
atomic, and bad input changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from zhaoyin.accounts.models import User
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.testing import atomic_depths
from zhaoyin.lib.tests.xlsx_fixtures import with_doctype, with_macro, zip_bomb
from zhaoyin.workcalendar import services as calendar_services
from zhaoyin.workcalendar.models import CalendarException, CalendarVersion, OfficialYear
from zhaoyin.workcalendar.selectors import calendar_token, current_calendar
from zhaoyin.workcalendar.services import (
    NoticeImportError,
    exception_add,
    exception_remove,
    notice_import,
    official_year_mark,
    register_deadline_recomputer,
    unregister_deadline_recomputer,
)
from zhaoyin.workcalendar.tests.conftest import NOTICE_2027, notice_bytes

pytestmark = pytest.mark.django_db
D = dt.date


def state() -> tuple[Any, ...]:
    """Everything a refused write must leave as it was."""
    return (
        list(CalendarException.objects.order_by("date").values_list("date", "kind", "name", "source")),
        list(OfficialYear.objects.values_list("year", "notice")),
        calendar_token(),
        AuditRecord.objects.filter(action__startswith="calendar.").count(),
    )


class Recorder:
    """A test-only deadline recomputer."""

    def __init__(self) -> None:
        self.calls: list[tuple[User | None, set[int], bool]] = []

    def __call__(self, acting_user: User | None, years: set[int]) -> int:
        # What the recomputer sees is the new calendar, inside the transaction.
        provisional = current_calendar().add_workdays(D(2027, 3, 1), 5)[1]
        self.calls.append((acting_user, years, provisional))
        return 7


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    rec = Recorder()
    # Only this test's recomputer: the apps' own (matters …) are tested in their apps.
    monkeypatch.setattr(calendar_services, "_RECOMPUTERS", {})
    register_deadline_recomputer("test", rec)
    yield rec
    unregister_deadline_recomputer("test")


# --- exceptions -------------------------------------------------------------------------------------


def test_exception_add_changes_the_calendar_and_is_audited(sysadmin: User) -> None:
    assert current_calendar().add_workdays(D(2026, 9, 30), 5) == (D(2026, 10, 13), False)
    token = calendar_token()
    exc = exception_add(acting_user=sysadmin, date=D(2026, 10, 10), kind="holiday", name="取消调休",
                        source="国办发明电〔2026〕9号")
    assert calendar_token() != token
    assert CalendarVersion.objects.get().number == 1
    assert current_calendar().add_workdays(D(2026, 9, 30), 5) == (D(2026, 10, 14), False)
    record = AuditRecord.objects.get(action="calendar.exception_add")
    assert record.actor == "sys1"
    assert record.object_id == str(exc.pk)
    assert record.after is not None
    assert record.after["date"] == "2026-10-10"
    assert record.after["kind"] == "holiday"


def test_exception_remove_restores_the_seed_and_is_audited(sysadmin: User) -> None:
    exc = exception_add(acting_user=sysadmin, date=D(2026, 10, 10), kind="holiday")
    exception_remove(acting_user=sysadmin, exception=exc)
    assert not CalendarException.objects.exists()
    assert current_calendar().add_workdays(D(2026, 9, 30), 5) == (D(2026, 10, 13), False)
    record = AuditRecord.objects.get(action="calendar.exception_remove")
    assert record.before is not None
    assert record.before["date"] == "2026-10-10"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"date": D(2003, 12, 31), "kind": "holiday"}, "date"),
    ({"date": D(2100, 1, 1), "kind": "holiday"}, "date"),
    ({"date": "2026-10-10", "kind": "holiday"}, "date"),
    ({"date": D(2026, 10, 10), "kind": "rest"}, "kind"),
    ({"date": D(2026, 10, 10), "kind": "holiday", "name": "长" * 101}, "name"),
    ({"date": D(2026, 10, 10), "kind": "holiday", "source": "x" * 201}, "source"),
])
def test_VAL_bad_exception_input_names_the_field_and_changes_nothing(
    sysadmin: User, kwargs: dict[str, Any], field: str
) -> None:
    before = state()
    with pytest.raises(InvalidInput) as err:
        exception_add(acting_user=sysadmin, **kwargs)
    assert err.value.errors[0]["field"] == field
    assert state() == before


def test_a_second_exception_for_the_same_date_is_refused(sysadmin: User) -> None:
    exception_add(acting_user=sysadmin, date=D(2026, 10, 10), kind="holiday")
    before = state()
    with pytest.raises(InvalidInput) as err:
        exception_add(acting_user=sysadmin, date=D(2026, 10, 10), kind="workday")
    assert err.value.errors[0]["field"] == "date"
    assert state() == before


# --- official years ---------------------------------------------------------------------------------


def test_official_year_mark_ends_provisional_and_recomputes(sysadmin: User, recorder: Recorder) -> None:
    assert current_calendar().add_workdays(D(2027, 3, 1), 5)[1] is True
    official, recomputed = official_year_mark(acting_user=sysadmin, year=2027, notice="国办发明电〔2026〕1号")
    assert recomputed == {"test": 7}
    assert recorder.calls == [(sysadmin, {2027}, False)]
    assert current_calendar().add_workdays(D(2027, 3, 1), 5)[1] is False
    record = AuditRecord.objects.get(action="calendar.official_year_mark")
    assert record.object_id == str(official.pk)
    assert '"test": 7' in record.detail


def test_official_year_mark_refuses_a_loaded_year_and_years_outside_the_calendar(sysadmin: User) -> None:
    official_year_mark(acting_user=sysadmin, year=2027)
    for year in (2027, 2100, 1990):
        before = state()
        with pytest.raises(InvalidInput) as err:
            official_year_mark(acting_user=sysadmin, year=year)
        assert err.value.errors[0]["field"] == "year"
        assert state() == before


# --- notice import ------------------------------------------------------------------------------------


def test_notice_import_loads_the_days_marks_the_year_official_and_recomputes(
    sysadmin: User, recorder: Recorder
) -> None:
    result = notice_import(acting_user=sysadmin, data=notice_bytes(), notice="国办发明电〔2026〕1号")
    assert result.year == 2027
    assert len(result.added) == len(NOTICE_2027) - 1
    assert (result.changed, result.removed, result.unchanged) == ([], [], 0)
    assert result.newly_official
    assert result.recomputed == {"test": 7}
    assert recorder.calls == [(sysadmin, {2027}, False)]
    assert OfficialYear.objects.get().notice == "国办发明电〔2026〕1号"
    exc = CalendarException.objects.get(date=D(2027, 2, 20))
    assert (exc.kind, exc.name, exc.source, exc.created_by) == ("workday", "春节", "国办发明电〔2026〕1号", sysadmin)
    cal = current_calendar()
    assert 2027 not in cal.provisional_years
    # 春节 02-05..02-12 off, Saturday 02-20 worked.
    assert cal.add_workdays(D(2027, 2, 4), 1) == (D(2027, 2, 15), False)
    assert cal.add_workdays(D(2027, 2, 19), 1) == (D(2027, 2, 20), False)
    record = AuditRecord.objects.get(action="calendar.notice_import")
    assert record.actor == "sys1"
    assert record.after is not None
    assert record.after["summary"]["added"] == len(NOTICE_2027) - 1
    assert record.after["summary"]["recomputed"] == {"test": 7}
    assert record.after["days"]["2027-02-20"]["kind"] == "workday"


def test_d1_the_notice_is_read_before_the_write_transaction(
    sysadmin: User, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 D1: the workbook is parsed and checked outside any transaction (on SQLite it
    holds the one write lock); only the calendar's rows are written inside one."""
    depths = atomic_depths(monkeypatch, (calendar_services, "parse_notice"), (calendar_services, "_lock_version"))
    notice_import(acting_user=sysadmin, data=notice_bytes(), notice="N1")
    assert depths["parse_notice"] == [0]
    assert depths["_lock_version"] == [1]


def test_XLS_the_same_notice_imported_twice_changes_nothing(sysadmin: User, recorder: Recorder) -> None:
    notice_import(acting_user=sysadmin, data=notice_bytes(), notice="N1")
    token = calendar_token()
    result = notice_import(acting_user=sysadmin, data=notice_bytes(), notice="N1")
    assert (result.added, result.changed, result.removed) == ([], [], [])
    assert result.unchanged == len(NOTICE_2027) - 1
    assert not result.newly_official
    assert calendar_token() == token
    assert len(recorder.calls) == 1  # nothing to recompute the second time


def test_notice_import_replaces_the_years_stale_exceptions(sysadmin: User) -> None:
    exception_add(acting_user=sysadmin, date=D(2027, 3, 1), kind="holiday", name="手工录入")
    exception_add(acting_user=sysadmin, date=D(2027, 2, 5), kind="workday")
    exception_add(acting_user=sysadmin, date=D(2028, 3, 1), kind="holiday")  # another year: kept
    result = notice_import(acting_user=sysadmin, data=notice_bytes())
    assert result.removed == [D(2027, 3, 1)]
    assert result.changed == [D(2027, 2, 5)]
    assert CalendarException.objects.get(date=D(2027, 2, 5)).kind == "holiday"
    assert CalendarException.objects.filter(date=D(2028, 3, 1)).exists()
    record = AuditRecord.objects.get(action="calendar.notice_import")
    assert record.before is not None
    assert record.before["2027-03-01"]["name"] == "手工录入"
    assert record.after is not None
    assert record.after["days"]["2027-03-01"] is None


def test_a_notice_may_reach_into_the_neighbouring_years(sysadmin: User) -> None:
    rows = [["日期", "类型", "名称"], [D(2027, 12, 30), "放假", "元旦"], [D(2027, 12, 31), "放假", "元旦"],
            [D(2028, 1, 1), "放假", "元旦"], [D(2028, 1, 25), "放假", "春节"], [D(2028, 1, 26), "放假", "春节"]]
    result = notice_import(acting_user=sysadmin, data=notice_bytes(rows))
    assert result.year == 2028
    assert OfficialYear.objects.get().year == 2028
    assert len(result.added) == 5


def test_a_file_split_evenly_over_two_years_needs_the_year(sysadmin: User) -> None:
    rows = [["日期", "类型"], [D(2027, 12, 31), "放假"], [D(2028, 1, 1), "放假"]]
    before = state()
    with pytest.raises(InvalidInput) as err:
        notice_import(acting_user=sysadmin, data=notice_bytes(rows))
    assert err.value.errors[0]["field"] == "year"
    assert state() == before
    assert notice_import(acting_user=sysadmin, data=notice_bytes(rows), year=2028).year == 2028


def test_VAL_XLS_bad_rows_are_all_reported_with_row_column_reason_and_nothing_changes(
    sysadmin: User, recorder: Recorder
) -> None:
    rows = [
        ["日期", "类型", "名称"],
        [D(2027, 1, 1), "放假", "元旦"],
        ["2027-02-30", "放假", "春节"],  # no such date
        [46000, "放假", "春节"],  # a serial number, not a date
        [D(2027, 2, 9), "调休", "春节"],  # unknown kind
        [D(2027, 1, 1), "上班", ""],  # duplicate date
        [D(2027, 5, 1), "", "劳动节"],  # kind missing
        [None, "放假", "x"],  # date missing
        [D(2027, 10, 1), "放假", "国" * 101],  # name too long
    ]
    before = state()
    with pytest.raises(NoticeImportError) as err:
        notice_import(acting_user=sysadmin, data=notice_bytes(rows))
    got = {(e.row, e.column) for e in err.value.row_errors}
    assert got == {(3, "日期"), (4, "日期"), (5, "类型"), (6, "日期"), (7, "类型"), (8, "日期"), (9, "名称")}
    assert all(e["field"] == "file" for e in err.value.errors)
    assert "第 2 行" in next(e.reason for e in err.value.row_errors if e.row == 6)
    assert state() == before
    assert recorder.calls == []


def test_VAL_missing_columns_are_reported(sysadmin: User) -> None:
    before = state()
    with pytest.raises(NoticeImportError) as err:
        notice_import(acting_user=sysadmin, data=notice_bytes([["日子", "名称"], [D(2027, 1, 1), "元旦"]]))
    assert {(e.row, e.column) for e in err.value.row_errors} == {(1, "日期"), (1, "类型")}
    assert state() == before


def test_english_headers_and_kinds_are_accepted(sysadmin: User) -> None:
    rows = [["Date", "Kind", "Name"], [D(2027, 1, 1), "holiday", "New Year"], ["2027-02-20", "workday", ""]]
    result = notice_import(acting_user=sysadmin, data=notice_bytes(rows))
    assert len(result.added) == 2


def test_days_outside_the_notice_period_are_refused(sysadmin: User) -> None:
    rows = [["日期", "类型"], [D(2027, 1, 1), "放假"], [D(2027, 2, 5), "放假"], [D(2028, 5, 1), "放假"]]
    before = state()
    with pytest.raises(NoticeImportError) as err:
        notice_import(acting_user=sysadmin, data=notice_bytes(rows))
    assert [(e.row, e.column) for e in err.value.row_errors] == [(4, "日期")]
    assert state() == before


def test_an_explicit_year_is_checked(sysadmin: User) -> None:
    before = state()
    with pytest.raises(NoticeImportError):
        notice_import(acting_user=sysadmin, data=notice_bytes(), year=2030)
    with pytest.raises(InvalidInput) as err:
        notice_import(acting_user=sysadmin, data=notice_bytes(), year=2100)
    assert err.value.errors[0]["field"] == "year"
    assert state() == before


def test_an_empty_notice_is_refused(sysadmin: User) -> None:
    with pytest.raises(NoticeImportError):
        notice_import(acting_user=sysadmin, data=notice_bytes([["日期", "类型", "名称"]]))


@pytest.mark.parametrize("data", [
    b"<html><body>not a workbook</body></html>",
    with_macro(notice_bytes()),
    with_doctype(notice_bytes(), "xl/worksheets/sheet1.xml"),
    zip_bomb(),
    b"PK\x03\x04" + b"\x00" * 100,
], ids=["html-renamed", "macro", "entity-expansion", "zip-bomb", "broken-zip"])
def test_FILE_hostile_files_are_refused_before_parsing_and_change_nothing(sysadmin: User, data: bytes) -> None:
    before = state()
    with pytest.raises(NoticeImportError) as err:
        notice_import(acting_user=sysadmin, data=data)
    assert err.value.row_errors[0].row == 0
    assert state() == before


def test_a_failing_recomputer_rolls_the_whole_import_back(sysadmin: User) -> None:
    def boom(acting_user: User | None, years: set[int]) -> int:
        raise RuntimeError("recompute failed")

    register_deadline_recomputer("boom", boom)
    try:
        before = state()
        with pytest.raises(RuntimeError):
            notice_import(acting_user=sysadmin, data=notice_bytes())
        assert state() == before
    finally:
        unregister_deadline_recomputer("boom")
    # The calendar built inside the rolled-back transaction is not served afterwards.
    assert current_calendar().add_workdays(D(2027, 3, 1), 5)[1] is True

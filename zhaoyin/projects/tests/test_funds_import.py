"""Excel import of a month's funds report: scope, all-or-nothing, corrections, re-import."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import InvalidInput
from zhaoyin.core.importing import ImportFileError
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import atomic_depths
from zhaoyin.projects import selectors, services
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.funds_import import funds_import_template, funds_month_import
from zhaoyin.projects.inputs import FundEntryInput
from zhaoyin.projects.models import FundEntry
from zhaoyin.projects.tests.helpers import SIGNED_TOTAL, MakeProject, fingerprint

#: A signed project no test's funds exceed (the plausibility rules are tested elsewhere).
SIGNED: dict[str, Any] = {"stage": Stage.SIGNED, "total_investment_wan": SIGNED_TOTAL}

pytestmark = pytest.mark.django_db
HEADER = ["项目编号", "金额(万元)", "来源", "类型"]


def workbook(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_creates_entries_exactly(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    a, park = make_project(unit="county_a", **SIGNED), make_project(unit="park_a", **SIGNED)
    data = workbook(
        [
            [a.code, "1234.56", "市外", "固定资产"],
            [a.code, 0.1, "境外", None],
            [park.code, "0.01", "outside_province", "其他"],
        ]
    )
    result = funds_month_import(acting_user=staff, data=data, month="2025-09")
    assert result.committed
    assert (result.created, result.updated, result.unchanged, result.rejected) == (3, 0, 0, 0)
    assert selectors.project_fund_total(a) == Decimal("1234.66")
    assert selectors.project_fund_total(park) == Decimal("0.01")
    assert set(FundEntry.objects.values_list("month", flat=True)) == {dt.date(2025, 9, 1)}
    assert AuditRecord.objects.filter(action="project.funds.import").count() == 1
    assert AuditRecord.objects.filter(action="project.funds.add").count() == 3
    # The same file again changes nothing.
    before = fingerprint()
    again = funds_month_import(acting_user=staff, data=data, month="2025-09")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert fingerprint()[:4] == before[:4]


def test_import_corrects_a_changed_amount_keeping_history(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    a = make_project(unit="county_a", stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    services.fund_entry_add(acting_user=staff, project=a,
        data=FundEntryInput.of(month="2025-09", amount_wan="10", source="outside_city"))
    result = funds_month_import(acting_user=staff, data=workbook([[a.code, "12.5", "市外", ""]]), month="2025-09")
    assert (result.created, result.updated) == (0, 1)
    history = selectors.fund_entries(a, include_superseded=True)
    assert [e.amount_wan for e in history] == [Decimal("10.00"), Decimal("12.50")]
    assert selectors.project_fund_total(a) == Decimal("12.50")


def test_AC_03_a_row_for_another_countys_project_blocks_the_import(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    a, b = make_project(unit="county_a", **SIGNED), make_project(unit="county_b", **SIGNED)
    before = fingerprint()
    result = funds_month_import(
        acting_user=staff,
        data=workbook([[a.code, "1", "市外", ""], [b.code, "1", "市外", ""], ["XM-1999-00001", "1", "市外", ""]]),
        month="2025-09",
    )
    assert not result.committed
    assert result.rejected == 2
    assert [e.row for e in result.errors] == [3, 4]
    # The same message for another county's project and for a code that does not exist.
    assert result.errors[0].reason == result.errors[1].reason
    assert fingerprint() == before


def test_bad_rows_are_reported_and_nothing_written(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    a = make_project(unit="county_a", stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    before = fingerprint()
    result = funds_month_import(
        acting_user=staff,
        data=workbook(
            [
                [a.code, "-1", "市外", ""],
                [a.code, "abc", "省外", ""],
                [a.code, "1", "火星", ""],
                [a.code, "1", "境外", "土地"],
                [a.code, "2", "境外", "固定资产"],
                [a.code, "3", "foreign", "fixed_asset"],
            ]
        ),
        month="2025-09",
    )
    assert not result.committed
    assert result.rejected == 6
    assert {(e.row, e.column) for e in result.errors} >= {
        (2, "金额(万元)"),
        (3, "金额(万元)"),
        (4, "来源"),
        (5, "类型"),
        (6, "项目编号"),
        (7, "项目编号"),
    }
    assert fingerprint() == before


def test_numeric_code_cells_and_wrong_headers_are_refused(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    result = funds_month_import(acting_user=staff, data=workbook([[12345, "1", "市外", ""]]), month="2025-09")
    assert not result.committed
    assert "NUMERIC_IDENTIFIER" in result.errors[0].reason
    with pytest.raises(ImportFileError):
        funds_month_import(acting_user=staff, data=workbook([], header=["编号", "金额"]), month="2025-09")
    with pytest.raises(ImportFileError):
        funds_month_import(acting_user=staff, data=b"not a workbook", month="2025-09")


@pytest.mark.parametrize("month", ["2025/09", "2025-9", "2999-01", ""])
def test_bad_month_is_refused(make_user: Any, month: str) -> None:
    staff = make_user(Role.STAFF, "county_a")
    with pytest.raises(InvalidInput) as exc:
        funds_month_import(acting_user=staff, data=workbook([]), month=month)
    assert exc.value.errors[0]["field"] == "month"


def test_read_only_roles_cannot_import(make_user: Any, make_project: MakeProject) -> None:
    leader = make_user(Role.LEADER, "city")
    a = make_project(unit="county_a", stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    result = funds_month_import(acting_user=leader, data=workbook([[a.code, "1", "市外", ""]]), month="2025-09")
    assert not result.committed
    assert FundEntry.objects.count() == 0


def test_template_has_the_headers() -> None:
    sheet = load_workbook(io.BytesIO(funds_import_template())).active
    assert sheet is not None
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == HEADER


def test_an_import_refreshes_each_touched_projects_light_once(
    make_user: Any, make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhaoyin.projects import funds_import

    staff = make_user(Role.STAFF, "county_a")
    a, b = make_project(unit="county_a", **SIGNED), make_project(unit="county_a", **SIGNED)
    calls: list[list[int]] = []
    from zhaoyin.projects.alerts import alerts_refresh as real

    def spy(**kwargs: Any) -> int:
        calls.append(list(kwargs["project_ids"]))
        return real(**kwargs)

    monkeypatch.setattr(funds_import, "alerts_refresh", spy)
    rows: list[list[Any]] = [
        [a.code, "10", "市外", "固定资产"],
        [a.code, "5", "境外", None],
        [b.code, "1", "市外", "其他"],
    ]
    funds_month_import(acting_user=staff, data=workbook(rows), month="2025-09")
    assert calls == [sorted([a.pk, b.pk])]


def test_d1_the_file_is_read_and_cleaned_before_the_transaction(
    make_user: Any, make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 D1: the month's file is parsed and its rows cleaned before the write
    transaction opens (on SQLite it holds the one write lock); inside, rows are only
    classified and written."""
    from zhaoyin.core import importing
    from zhaoyin.projects.funds_import import FundsMonthImport

    staff = make_user(Role.STAFF, "county_a")
    a = make_project(unit="county_a", stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    depths = atomic_depths(
        monkeypatch, (importing, "read_first_sheet"), (FundsMonthImport, "clean_row"),
        (FundsMonthImport, "classify"), (FundsMonthImport, "write"),
    )
    result = funds_month_import(acting_user=staff, data=workbook([[a.code, "12.5", "市外", ""]]), month="2025-09")
    assert result.committed
    assert depths["read_first_sheet"] == [0]
    assert depths["clean_row"] == [0]
    assert depths["classify"] == [1]
    assert depths["write"] == [1]

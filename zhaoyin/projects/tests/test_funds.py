"""Funds in place: exact Decimal sums, duplicates, corrections with history, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.money import exact_sum
from zhaoyin.core.roles import Role
from zhaoyin.projects import selectors, services
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.inputs import FundCorrectionInput, FundEntryInput
from zhaoyin.projects.models import FundEntry
from zhaoyin.projects.tests.helpers import SIGNED_TOTAL, MakeProject, fingerprint


def _months(n: int) -> list[dt.date]:
    """``n`` distinct past months, newest first."""
    out, month = [], dt.date(2025, 12, 1)
    for _i in range(n):
        out.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return out


def test_add_records_entry_with_audit(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    entry = services.fund_entry_add(acting_user=staff, project=project,
        data=FundEntryInput.of(month="2025-09", amount_wan="1234.56", source="市外", kind="固定资产"))
    assert (entry.month, entry.amount_wan, entry.source, entry.kind) == (
        dt.date(2025, 9, 1),
        Decimal("1234.56"),
        "outside_city",
        "fixed_asset",
    )
    assert AuditRecord.objects.filter(action="project.funds.add", object_id=str(entry.pk)).count() == 1


def test_AC_exact_sums_of_many_small_entries(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    projects = [make_project(stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL) for _i in range(4)]
    months = _months(50)
    # 200 entries through the service (4 projects × 50 months) of 0.01 …
    for project in projects:
        for month in months:
            services.fund_entry_add(acting_user=staff, project=project,
                data=FundEntryInput.of(month=month, amount_wan=0.01, source="outside_province"))
    # … and 800 more stored directly, spread over sources and kinds: 1000 entries of 0.01.
    rows = [
        FundEntry(project=p, month=m, amount_wan=Decimal("0.01"), source=s, kind=k)
        for p in projects
        for m in months
        for s, k in (
            ("outside_city", "fixed_asset"),
            ("foreign", "other"),
            ("outside_city", "other"),
            ("foreign", "fixed_asset"),
        )
    ]
    FundEntry.objects.bulk_create(rows)
    assert FundEntry.objects.count() == 1000
    per_project = [exact_sum(FundEntry.objects.filter(project=p), "amount_wan") for p in projects]
    assert per_project == [Decimal("2.50")] * 4
    assert sum(per_project, Decimal(0)) == Decimal("10.00")
    # A plain SUM over the decimal column is a float sum on SQLite; the selector's is exact.
    total = selectors.fund_sum_wan(FundEntry.objects.all())
    assert total == Decimal("10.00")
    assert str(total) == "10.00"
    assert [selectors.project_fund_total(p) for p in projects] == [Decimal("2.50")] * 4


def test_amounts_of_fifteen_digits_stay_exact(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    services.fund_entry_add(acting_user=staff, project=project,
        data=FundEntryInput.of(month="2025-01", amount_wan="9999999999999.99", source="foreign",
                               over_total_reason="精度测试"))
    services.fund_entry_add(acting_user=staff, project=project,
        data=FundEntryInput.of(month="2025-02", amount_wan="0.01", source="foreign", over_total_reason="精度测试"))
    entries = selectors.fund_entries(project)
    assert [e.amount_wan for e in entries] == [Decimal("9999999999999.99"), Decimal("0.01")]
    assert selectors.project_fund_total(project) == Decimal("10000000000000.00")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount_wan": "-1"}, "amount_wan"),
        ({"amount_wan": "abc"}, "amount_wan"),
        ({"amount_wan": "1.005"}, "amount_wan"),
        ({"amount_wan": "NaN"}, "amount_wan"),
        ({"amount_wan": ""}, "amount_wan"),
        ({"amount_wan": True}, "amount_wan"),
        ({"month": "2025-9"}, "month"),
        ({"month": "2025/09"}, "month"),
        ({"month": "2025-13"}, "month"),
        ({"month": "2999-01"}, "month"),
        ({"source": "moon"}, "source"),
        ({"kind": "land"}, "kind"),
    ],
)
def test_bad_fund_input_names_the_field_and_changes_nothing(
    make_user: Any, make_project: MakeProject, kwargs: dict[str, Any], field: str
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    args: dict[str, Any] = {"month": "2025-09", "amount_wan": "10", "source": "outside_city", "kind": "fixed_asset"}
    args.update(kwargs)
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.fund_entry_add(acting_user=staff, project=project, data=FundEntryInput.of(**args))
    assert exc.value.errors[0]["field"] == field
    assert fingerprint() == before


def test_second_active_entry_refused_with_a_hint_to_correct(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    services.fund_entry_add(acting_user=staff, project=project,
        data=FundEntryInput.of(month="2025-09", amount_wan="10", source="outside_city"))
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.fund_entry_add(acting_user=staff, project=project,
            data=FundEntryInput.of(month="2025-09", amount_wan="5", source="市外"))
    assert "请更正" in str(exc.value.errors[0]["message"])
    assert fingerprint() == before
    # Another kind in the same month is a different entry.
    services.fund_entry_add(acting_user=staff, project=project,
        data=FundEntryInput.of(month="2025-09", amount_wan="5", source="市外", kind="other"))


def test_correction_supersedes_and_keeps_history(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user(Role.STAFF, "county_a")
    project = make_project(stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    first = services.fund_entry_add(acting_user=staff, project=project,
        data=FundEntryInput.of(month="2025-09", amount_wan="10.00", source="outside_city"))
    second = services.fund_entry_correct(acting_user=staff, entry=first,
        data=FundCorrectionInput.of(amount_wan="12.50", note="统计口径更正"))
    third = services.fund_entry_correct(acting_user=staff, entry=second,
        data=FundCorrectionInput.of(amount_wan=Decimal("12.40"), note="再次核对"))
    active = selectors.fund_entries(project)
    assert [e.pk for e in active] == [third.pk]
    assert selectors.project_fund_total(project) == Decimal("12.40")
    history = selectors.fund_entries(project, include_superseded=True)
    assert [e.amount_wan for e in history] == [Decimal("10.00"), Decimal("12.50"), Decimal("12.40")]
    assert third.replaces == second
    assert second.replaces == first
    assert FundEntry.objects.get(pk=first.pk).superseded_at is not None
    assert AuditRecord.objects.filter(action="project.funds.correct").count() == 2
    # Correcting a superseded entry again is a conflict (someone corrected it already).
    before = fingerprint()
    with pytest.raises(Conflict):
        services.fund_entry_correct(acting_user=staff, entry=FundEntry.objects.get(pk=first.pk),
            data=FundCorrectionInput.of(amount_wan="1", note="x"))
    with pytest.raises(InvalidInput) as exc:
        services.fund_entry_correct(acting_user=staff, entry=third,
            data=FundCorrectionInput.of(amount_wan="-1", note=""))
    assert {e["field"] for e in exc.value.errors} == {"amount_wan", "note"}
    assert fingerprint() == before


def test_funds_for_another_countys_project_refused(make_user: Any, make_project: MakeProject) -> None:
    outsider = make_user(Role.STAFF, "county_b")
    project = make_project(unit="county_a", stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        services.fund_entry_add(acting_user=outsider, project=project,
            data=FundEntryInput.of(month="2025-09", amount_wan="1", source="foreign"))
    assert fingerprint() == before

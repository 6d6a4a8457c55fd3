"""The funds rollup kept by database triggers equals the bare aggregate after every write.

``FundRollup`` is what target progress and the cockpit read; if it drifted from the fund
entries a county's figure would silently be wrong. Every kind of write is made here —
service add, correction, month import, raw bulk insert, project moved to another unit or
industry, deletion — and after each the table is compared with the sum over the entries.
Runs on SQLite and on PostgreSQL (different triggers: row-level upserts vs statement-level
over transition tables).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import BigIntegerField, Count, F, Q, Sum
from django.db.models.functions import Cast, Round

from zhaoyin.core.money import fen_sum
from zhaoyin.enterprises.models import Industry
from zhaoyin.projects import services
from zhaoyin.projects.choices import Stage
from zhaoyin.projects.funds_import import funds_month_import
from zhaoyin.projects.inputs import FundCorrectionInput, FundEntryInput, ProjectUpdateInput
from zhaoyin.projects.models import FundEntry, FundRollup, Project
from zhaoyin.projects.tests.helpers import SIGNED_TOTAL, MakeProject
from zhaoyin.projects.tests.test_funds_import import workbook

#: A signed project no test's funds exceed (the plausibility rules are tested elsewhere).
SIGNED: dict[str, Any] = {"stage": Stage.SIGNED, "total_investment_wan": SIGNED_TOTAL}

pytestmark = pytest.mark.django_db


def bare() -> dict[tuple[int, int, dt.date, str], tuple[int, int, int, int]]:
    """Σ fen and count of the active entries per rollup key, straight from the entries — all of
    them and the verified ones (issue 15: the rollup keeps both)."""
    rows = (
        FundEntry.objects.filter(superseded_at__isnull=True)
        .values_list("project__org_unit_id", "project__industry_id", "month", "source")
        .annotate(
            fen=fen_sum("amount_wan"), n=Count("id"),
            vfen=Sum(Cast(Round(F("amount_wan") * 100), output_field=BigIntegerField()),
                     filter=Q(verification="verified")),
            vn=Count("id", filter=Q(verification="verified")),
        )
        .order_by()
    )
    return {
        (unit, industry, month, source): (int(fen), n, int(vfen or 0), vn)
        for unit, industry, month, source, fen, n, vfen, vn in rows
    }


def rollup() -> dict[tuple[int, int, dt.date, str], tuple[int, int, int, int]]:
    """The rollup's non-empty rows (a key whose entries all went keeps a zero row)."""
    return {
        (r.org_unit_id, r.industry_id, r.month, r.source): (r.fen, r.entries, r.verified_fen, r.verified_entries)
        for r in FundRollup.objects.all()
        if r.fen or r.entries
    }


def assert_consistent() -> None:
    assert rollup() == bare()


def test_service_writes_corrections_and_moves_keep_the_rollup_exact(
    make_user: Any, make_project: MakeProject, org_tree: Any
) -> None:
    admin = make_user("city_admin", "city")
    a = make_project("county_a", stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    b = make_project("park_a", stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    first = services.fund_entry_add(acting_user=admin, project=a,
        data=FundEntryInput.of(month="2025-09", amount_wan="0.01", source="outside_city"))
    services.fund_entry_add(acting_user=admin, project=a,
        data=FundEntryInput.of(month="2025-09", amount_wan="12.34", source="foreign"))
    services.fund_entry_add(acting_user=admin, project=b,
        data=FundEntryInput.of(month="2025-10", amount_wan="99999.99", source="outside_city"))
    assert_consistent()
    assert FundRollup.objects.get(org_unit=org_tree["county_a"], source="outside_city").fen == 1

    services.fund_entry_correct(acting_user=admin, entry=first,
        data=FundCorrectionInput.of(amount_wan="7.77", note="更正"))
    assert_consistent()
    assert FundRollup.objects.get(org_unit=org_tree["county_a"], source="outside_city").fen == 777

    # A project moved to another unit takes its active funds with it.
    services.project_update(acting_user=admin, project=a,
        data=ProjectUpdateInput.parse({"org_unit": org_tree["county_b"].code}))
    assert_consistent()
    assert not FundRollup.objects.filter(org_unit=org_tree["county_a"]).exclude(fen=0).exists()

    other = Industry.objects.exclude(pk=a.industry_id).first() or Industry.objects.create(code="zz", name="其他产业")
    Project.objects.filter(pk=a.pk).update(industry=other)
    assert_consistent()


def test_month_import_and_a_rolled_back_write_keep_the_rollup_exact(make_user: Any, make_project: MakeProject) -> None:
    staff = make_user("staff", "county_a")
    a = make_project("county_a", stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
    funds_month_import(acting_user=staff, data=workbook([[a.code, "12.5", "市外", ""]]), month="2025-09")
    funds_month_import(acting_user=staff, data=workbook([[a.code, "13.75", "市外", ""]]), month="2025-09")
    assert_consistent()

    def write_then_fail() -> None:
        with transaction.atomic():
            FundEntry.objects.create(project=a, month=dt.date(2025, 11, 1), amount_wan=Decimal("5"), source="foreign")
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert_consistent()


def test_bulk_inserts_updates_and_deletes_keep_the_rollup_exact(make_project: MakeProject) -> None:
    rng = random.Random(7)
    projects = [
        make_project(unit, stage=Stage.SIGNED, total_investment_wan=SIGNED_TOTAL)
        for unit in ("county_a", "county_b", "park_a", "county_a")
    ]
    FundEntry.objects.bulk_create(
        FundEntry(
            project=projects[i // 36],
            month=dt.date(2025, 1 + i % 12, 1),
            amount_wan=Decimal(rng.randint(0, 99_999_999)) / 100,
            source=("outside_city", "outside_province", "foreign")[(i // 12) % 3],
        )
        for i in range(144)
    )
    assert_consistent()
    total = FundEntry.objects.aggregate(fen=fen_sum("amount_wan"))["fen"]
    assert sum(r.fen for r in FundRollup.objects.all()) == total
    # A bulk verification (one statement, many rows) moves only the verified sums.
    FundEntry.objects.filter(month__lte=dt.date(2025, 6, 1)).update(verification="verified")
    assert_consistent()
    # A bulk supersede (one statement, many rows), then two projects swap units.
    FundEntry.objects.filter(month=dt.date(2025, 3, 1)).update(superseded_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC))
    assert_consistent()
    a, b = projects[0], projects[1]
    Project.objects.filter(pk=a.pk).update(org_unit_id=b.org_unit_id)
    Project.objects.filter(pk=b.pk).update(org_unit_id=a.org_unit_id)
    assert_consistent()
    FundEntry.objects.filter(project=projects[2]).delete()
    assert_consistent()


def test_a_statement_moving_many_projects_keeps_the_rollup_exact(make_project: MakeProject, org_tree: Any) -> None:
    projects = [make_project(unit, **SIGNED) for unit in ("county_a", "county_b", "park_a")]
    FundEntry.objects.bulk_create(
        FundEntry(project=p, month=dt.date(2025, m, 1), amount_wan=Decimal("1.05"), source="foreign")
        for p in projects
        for m in (1, 2)
    )
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(org_unit=org_tree["county_b"])
    assert_consistent()
    assert FundRollup.objects.get(org_unit=org_tree["county_b"], month=dt.date(2025, 1, 1)).fen == 315

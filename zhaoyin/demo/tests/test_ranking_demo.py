"""The demo ranks as 淮南 does (issue 15 item 2): 毛集 among the 县区, 新桥 among the parks and
not inside 寿县's ranked row; thin KPI samples unranked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from conftest import LoadDemo
from zhaoyin.accounts.models import User
from zhaoyin.demo.ranking_demo import MIN_MATTERS, ranking_groups_ensure
from zhaoyin.demo.services import LoadResult
from zhaoyin.matters.kpis import kpi_report
from zhaoyin.targets.indicators import REGISTRY
from zhaoyin.targets.selectors import funds_behind, funds_behind_total, progress_for

YEAR = 2026
AS_OF = dt.date(YEAR, 9, 30)


@pytest.fixture
def loaded(load_demo: LoadDemo) -> None:
    cache.clear()
    load_demo(YEAR)


@pytest.mark.django_db
def test_AC_demo_ranks_maoji_among_counties_and_xinqiao_once(loaded: None) -> None:
    admin = User.objects.get(username="demo_city_admin")
    progress = progress_for(admin, year=YEAR, indicator=REGISTRY["external_funds"], as_of=AS_OF)
    rows = {r.unit.code: r for r in progress.items}
    groups = {code: r.group.code for code, r in rows.items() if r.group is not None}
    assert groups["park-maoji"] == "counties"
    assert groups["park-xinqiao"] == "parks"
    assert {c for c, g in groups.items() if g == "counties"} == {
        "340402", "340403", "340404", "340405", "340406", "340421", "340422", "park-maoji",
    }
    ranks = sorted(r.rank for r in progress.items if r.group is not None and r.group.code == "counties" and r.rank)
    assert ranks[0] == 1
    assert len(ranks) == 8
    # 寿县's ranked row leaves 新桥 out, target included: 120 − 70.
    shou, xinqiao = rows["340422"], rows["park-xinqiao"]
    assert shou.target == Decimal(50)
    whole = funds_behind_total(funds_behind(admin, org_unit="340422", year=YEAR, as_of=AS_OF))
    assert shou.actual + xinqiao.actual == whole
    assert shou.excludes


@pytest.mark.django_db
def test_demo_kpis_leave_thin_samples_unranked_and_a_second_run_writes_nothing(loaded: None) -> None:
    admin = User.objects.get(username="demo_city_admin")
    report = kpi_report(admin, year=YEAR, month=None, today=dt.date(YEAR, 12, 31))
    assert report.rows
    for row in report.rows:
        assert row.thin_sample == (row.kpis.matters < MIN_MATTERS)
        if row.thin_sample:
            assert row.rank is None
    result = LoadResult()
    ranking_groups_ensure(result=result)
    assert result.total == 0

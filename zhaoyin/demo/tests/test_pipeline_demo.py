"""The demo's investment pipeline (issue 3 item 9): the report's projects, funds and targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import LoadDemo
from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.money import exact_sum
from zhaoyin.demo.pipeline import (
    BEIKE_PROJECT,
    FUNDS_TOTAL_WAN,
    HANBANG_PROJECT,
    PROJECTS,
    SAIWEI_PROJECT,
    UNIT_FUNDS_TARGETS,
    fund_plan,
)
from zhaoyin.demo.services import demo_load
from zhaoyin.lib.alerts import Level
from zhaoyin.projects.alerts import project_alerts
from zhaoyin.projects.choices import AttractionMethod, SourceRegion, Stage
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.targets.indicators import REGISTRY
from zhaoyin.targets.models import Target
from zhaoyin.targets.selectors import progress_for

YEAR = 2026
AS_OF = dt.date(YEAR, 9, 30)


@pytest.fixture
def loaded(load_demo: LoadDemo) -> None:
    cache.clear()  # the indicator actuals are cached; start each test from the database
    load_demo(YEAR)


@pytest.mark.django_db
def test_demo_city_funds_progress_matches_the_report(loaded: None) -> None:
    admin = User.objects.get(username="demo_city_admin")
    progress = progress_for(admin, year=YEAR, indicator=REGISTRY["external_funds"], as_of=AS_OF)
    assert progress.city is not None
    assert progress.city.target == Decimal(660)
    assert progress.city.actual == Decimal("510.93")
    assert progress.city.completion == Decimal("0.7741")


@pytest.mark.django_db
def test_demo_progress_api_for_the_city_admin(loaded: None) -> None:
    admin = User.objects.get(username="demo_city_admin")
    client = Client(headers={"Authorization": f"Bearer {api_token_issue(user=admin)}"})
    response = client.get(
        "/api/v1/targets/progress", {"year": str(YEAR), "indicator": "external_funds", "as_of": AS_OF.isoformat()}
    )
    assert response.status_code == 200
    city = response.json()["city"]
    assert city["actual"] == 510.93
    assert city["completion"] == 0.7741


@pytest.mark.django_db
def test_demo_fund_entries_total_exactly(loaded: None) -> None:
    entries = FundEntry.objects.filter(superseded_at__isnull=True, verification="verified")
    assert exact_sum(entries, "amount_wan") == FUNDS_TOTAL_WAN == Decimal("5109300.00")
    assert {e.month.month for e in entries} <= set(range(1, 10))
    assert all(e.files.exists() and e.verified_by is not None for e in entries)
    assert all(e.project.stage in (Stage.SIGNED, Stage.REGISTERED, Stage.STARTED, Stage.PRODUCING,
                                   Stage.FULL_CAPACITY) for e in entries)
    # The rest is left for the verifier: October's reported entries, one of them flagged.
    others = FundEntry.objects.filter(superseded_at__isnull=True).exclude(verification="verified")
    assert {e.month.month for e in others} <= {10}
    if others:
        assert any(e.flags for e in others)


@pytest.mark.django_db
def test_demo_funds_vary_by_project(loaded: None) -> None:
    """Not one ratio of funds to investment: each project's pace is its own."""
    ratios = {
        p.name: exact_sum(FundEntry.objects.filter(project=p, verification="verified"), "amount_wan")
        / p.total_investment_wan
        for p in Project.objects.filter(fund_entries__isnull=False).distinct()
    }
    assert max(ratios.values()) - min(ratios.values()) > Decimal("0.3")
    assert all(r <= 1 for r in ratios.values())


@pytest.mark.django_db
def test_demo_targets_split_sums_to_the_city_target(loaded: None) -> None:
    under_city = sum(v for code, v in UNIT_FUNDS_TARGETS.items() if code != "park-xinqiao")
    assert under_city == Decimal(660)
    assert Target.objects.filter(year=YEAR, indicator="external_funds").count() == 1 + len(UNIT_FUNDS_TARGETS)
    assert set(Target.objects.filter(year=YEAR).values_list("indicator", flat=True)) == {
        "external_funds", "signed_100m", "started_100m", "producing"
    }


@pytest.mark.django_db
def test_demo_pipeline_second_load_creates_nothing(loaded: None) -> None:
    counts = (Project.objects.count(), FundEntry.objects.count(), Target.objects.count())
    result = demo_load(year=YEAR)
    assert result.total == 0
    assert (Project.objects.count(), FundEntry.objects.count(), Target.objects.count()) == counts
    assert counts[0] == len(PROJECTS)


@pytest.mark.django_db
def test_demo_report_projects(loaded: None) -> None:
    hanbang = Project.objects.get(name=HANBANG_PROJECT)
    assert hanbang.stage == Stage.STARTED
    assert hanbang.stage_on is not None
    assert (hanbang.stage_on.year, hanbang.stage_on.month) == (YEAR, 9)
    assert hanbang.total_investment_wan == Decimal("27800.00")
    assert hanbang.org_unit.code == "park-xinqiao"
    assert "3.5亿包" in hanbang.construction_content
    saiwei = Project.objects.get(name=SAIWEI_PROJECT)
    assert saiwei.org_unit.code == "park-mhg"
    assert saiwei.total_investment_wan == Decimal("250000.00")
    dates = {e.to_stage: e.stage_on for e in saiwei.stage_events.all()}
    assert dates[Stage.LEAD] == dt.date(YEAR, 6, 2)
    assert dates[Stage.SIGNED] == dt.date(YEAR, 8, 19)
    beike = Project.objects.get(name=BEIKE_PROJECT)
    assert beike.stage == Stage.PRODUCING
    assert beike.org_unit.code == "park-gxq"
    stages = set(Project.objects.values_list("stage", flat=True))
    assert {Stage.LEAD, Stage.FULL_CAPACITY, Stage.ON_HOLD, Stage.TERMINATED} <= stages


def test_demo_fund_plan_skips_future_months() -> None:
    plan = fund_plan(YEAR, dt.date(YEAR, 5, 10))
    assert plan
    assert max(m for _n, m, _a, _s, _k in plan) == dt.date(YEAR, 5, 1)
    assert sum(a for _n, _m, a, _s, _k in plan) == FUNDS_TOTAL_WAN
    assert fund_plan(YEAR, dt.date(YEAR - 1, 12, 31)) == []


@pytest.mark.django_db
def test_demo_report_firms_sources_and_methods(loaded: None) -> None:
    # Issue 15 item 9: 赛纬 (珠海) and 贝可 (深圳) come from the Pearl River Delta; 汉邦's second
    # phase is a local firm's expansion, not 以商招商.
    assert Project.objects.get(name=SAIWEI_PROJECT).source_region == SourceRegion.PEARL_DELTA
    assert Project.objects.get(name=BEIKE_PROJECT).source_region == SourceRegion.PEARL_DELTA
    hanbang = Project.objects.get(name=HANBANG_PROJECT)
    assert hanbang.attraction_method == AttractionMethod.LOCAL_EXPANSION
    assert hanbang.source_region == SourceRegion.IN_PROVINCE


@pytest.mark.django_db
def test_demo_projects_carry_plans_and_some_run_late(loaded: None) -> None:
    projects = list(Project.objects.all())
    for p in projects:
        # A project past signing carries its construction plan; a lead or a talk has none yet.
        planned = p.signed_on is not None
        assert (p.planned_start_on is not None, p.planned_production_on is not None) == (planned, planned), p.name
    # On a fixed day of the demo year, so the test does not move with the calendar: the start
    # rule (docs/targets.md "Alerts") lights a project 5 months late red, one 2 months late yellow.
    lights = project_alerts(projects, today=dt.date(YEAR, 11, 30))
    by_name = {p.name: lights[p.pk] for p in projects}
    assert by_name["生物医药创新产业园"].level == Level.RED
    assert by_name["八公山豆制品产业园"].level == Level.YELLOW
    assert by_name["八公山豆制品产业园"].reasons[0].code == "start_late"
    assert by_name[SAIWEI_PROJECT].level == Level.GREEN  # signed in August, planned to start next year
    levels = {a.level for a in lights.values()}
    assert {Level.RED, Level.YELLOW, Level.GREEN} <= levels
    # The stored lights are the live ones of the day the demo was loaded.
    today = project_alerts(projects)
    assert {p.pk: p.alert_level for p in projects} == {pk: a.level.value for pk, a in today.items()}

"""The demo's talent demands (issue 13 items 5 and 11): about 200 over the year, linked to
talents, routed by category, in every state; the research-institute case; idempotent."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from django.utils import timezone

from conftest import LoadDemo
from zhaoyin.accounts.models import User
from zhaoyin.demo.demands_demo import CASE_FUND_TITLE, CASE_LAND_TITLE, DEMANDS_PER_YEAR, demands_ensure
from zhaoyin.demo.services import LoadResult
from zhaoyin.matters.choices import DemandCategory, MatterSource
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter
from zhaoyin.matters.routing import DEFAULT_ROUTES
from zhaoyin.matters.selectors import matter_list_visible_to
from zhaoyin.talents.models import Talent

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(load_demo: LoadDemo) -> LoadResult:
    load_demo()
    result = LoadResult()
    demands_ensure(year=timezone.localdate().year, result=result)
    return result


def _demands() -> list[Matter]:
    return list(
        Matter.objects.filter(source=MatterSource.TALENT_DEMAND, talent__isnull=False)
        .select_related("lead_unit", "talent")
        .prefetch_related("events")
    )


def test_about_200_demands_over_the_year_in_every_state(loaded: LoadResult) -> None:
    demands = _demands()
    assert len(demands) == DEMANDS_PER_YEAR
    # demo_load ran demands_ensure already: running it again adds nothing.
    assert loaded.created.get("matters", 0) == 0
    assert {s.value for s in State} <= {m.state for m in demands}
    assert {m.demand_category for m in demands} == set(DemandCategory.values)
    # Spread over the year: more than six distinct months of receipt (or every month so far).
    today = timezone.localdate()
    months = {m.received_on.month for m in demands if m.received_on is not None}
    assert len(months) >= min(6, today.month)
    assert {m.rating for m in demands} >= {"satisfied", "basically_satisfied", "dissatisfied"}


def test_each_demand_is_routed_by_its_category_and_its_history_is_consistent(loaded: LoadResult) -> None:
    now = timezone.now()
    for m in _demands():
        assert m.lead_unit is not None, m.code
        if m.title != CASE_LAND_TITLE:
            assert m.lead_unit.code in DEFAULT_ROUTES[m.demand_category], m.code
        events = sorted(m.events.all(), key=lambda e: (e.at, e.pk))
        assert events[-1].to_state == m.state, m.code
        assert all(a.to_state == b.from_state for a, b in itertools.pairwise(events)), m.code
        assert all(e.at <= now for e in events), m.code


def test_the_research_institute_case(loaded: LoadResult) -> None:
    fund = Matter.objects.select_related("talent", "lead_unit").get(title=CASE_FUND_TITLE)
    land = Matter.objects.select_related("talent", "lead_unit").get(title=CASE_LAND_TITLE)
    assert fund.talent == land.talent
    assert fund.talent is not None
    assert fund.talent.education == "doctorate"
    assert "监测装备" in fund.talent.employer_name
    assert "300万元" in fund.description
    assert fund.lead_unit is not None
    assert fund.lead_unit.code == "dept-rck"
    assert land.lead_unit is not None
    assert land.lead_unit.code == "dept-zrzy"
    assert {u.code for u in land.co_units.all()} == {"dept-rck"}
    assert fund.state == land.state == State.RATED


def test_the_demo_talent_follows_their_own_demands_only(loaded: LoadResult) -> None:
    portal = User.objects.get(username="demo_talent")
    own = Talent.objects.get(account=portal)
    visible = list(matter_list_visible_to(portal))
    assert len(visible) >= 10
    assert {m.talent_id for m in visible} == {own.pk}
    # One of today's registrations is theirs, raised through the service in the portal.
    assert any(m.state == State.DRAFT and m.requester_id == portal.pk for m in visible)


def test_todays_drafts_went_through_the_service(loaded: LoadResult) -> None:
    drafts = [m for m in _demands() if m.state == State.DRAFT]
    assert len(drafts) >= 3
    assert all(timezone.localdate(m.created_at) == timezone.localdate() for m in drafts)
    office = User.objects.get(username="demo_talent_office")
    assert Counter(m.requester_id for m in drafts)[office.pk] >= 2


def test_a_second_load_adds_nothing(loaded: LoadResult) -> None:
    talents, matters = Talent.objects.count(), Matter.objects.count()
    again = LoadResult()
    demands_ensure(year=timezone.localdate().year, result=again)
    assert again.total == 0
    assert (Talent.objects.count(), Matter.objects.count()) == (talents, matters)

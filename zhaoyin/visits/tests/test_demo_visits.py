"""The demo's 百家企业行 (issue 5 item 7): members in each of the 10 groups with one leader,
visits over the demo year to most of the 98 enterprises, some raising matters with source
visit that the office dispatches (issue 15 item 9); a second run adds nothing."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from conftest import LoadDemo
from zhaoyin.accounts.models import ServiceGroupMembership
from zhaoyin.demo.services import LoadResult
from zhaoyin.demo.visits_demo import ROUTES, UNDISPATCHED_DAYS, visits_ensure
from zhaoyin.matters import clocks
from zhaoyin.visits.models import Visit, VisitDemand
from zhaoyin.workcalendar.selectors import current_calendar

pytestmark = pytest.mark.django_db


def test_demo_groups_visits_and_demands(load_demo: LoadDemo, settings: object, tmp_path: object) -> None:
    load_demo()
    members = Counter(ServiceGroupMembership.objects.values_list("group__code", flat=True))
    assert sorted(members) == [f"sg-{i:02d}" for i in range(1, 11)]
    assert all(2 <= n <= 3 for n in members.values())
    leaders = Counter(ServiceGroupMembership.objects.filter(is_leader=True).values_list("group__code", flat=True))
    assert leaders == Counter({code: 1 for code in members})
    assert ServiceGroupMembership.objects.get(user__username="demo_service_member").is_leader
    visited = Visit.objects.values("enterprise").distinct().count()
    assert visited >= 80
    assert not Visit.objects.filter(visited_on__gt=clocks.today()).exists()
    # Every visit is the enterprise's group's, recorded by one of its members.
    for visit in Visit.objects.select_related("enterprise", "created_by")[:50]:
        assert visit.group_id == visit.enterprise.service_group_id
        assert ServiceGroupMembership.objects.filter(group=visit.group, user=visit.created_by).exists()
    demands = list(
        VisitDemand.objects.select_related("visit__enterprise__org_unit", "matter__lead_unit").prefetch_related(
            "matter__events"
        )
    )
    assert len(demands) >= 20
    assert {d.matter.source for d in demands} == {"visit"}
    # Dispatched as a real office would (issue 15 item 9): only the last couple of working days'
    # demands still wait in 已登记; the rest are assigned, signed for, reported, closed, rated.
    cal = current_calendar()
    states = Counter(d.matter.state for d in demands)
    assert states["draft"] <= len(demands) // 10
    assert {"assigned", "accepted", "rated"} <= set(states)
    for d in demands:
        matter = d.matter
        events = sorted(matter.events.all(), key=lambda e: (e.at, e.pk))
        assert [e.action for e in events][:1] == ["create"]
        assert all(a.to_state == b.from_state for a, b in itertools.pairwise(events)), matter.code
        assert events[-1].to_state == matter.state
        if matter.state == "draft":
            assert cal.workdays_between(d.visit.visited_on, clocks.today()) <= UNDISPATCHED_DAYS
            continue
        assert matter.received_on == d.visit.visited_on
        assert events[0].at.date() == d.visit.visited_on
        assert matter.lead_unit is not None
        route = ROUTES[matter.title]
        assert matter.lead_unit.code == (route or d.visit.enterprise.org_unit.code), matter.title
    # Idempotent.
    again = LoadResult()
    visits_ensure(year=clocks.today().year, result=again)
    assert again.total == 0

"""The demo's 百家企业行 (issue 5 item 7): members in each of the 10 groups with one leader,
visits over the demo year to most of the 98 enterprises, some raising draft matters with
source visit; a second run adds nothing."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import LoadDemo
from zhaoyin.accounts.models import ServiceGroupMembership
from zhaoyin.demo.services import LoadResult
from zhaoyin.demo.visits_demo import visits_ensure
from zhaoyin.matters import clocks
from zhaoyin.visits.models import Visit, VisitDemand

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
    demands = VisitDemand.objects.select_related("matter")
    assert demands.count() >= 20
    assert {(d.matter.source, d.matter.state) for d in demands} == {("visit", "draft")}
    # Idempotent.
    again = LoadResult()
    visits_ensure(year=clocks.today().year, result=again)
    assert again.total == 0

"""The demo's matters (issue 4 item 9): 88 reform measures in 20 areas, demands in every state."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from django.utils import timezone

from conftest import LoadDemo
from zhaoyin.accounts.models import User
from zhaoyin.matters.choices import MatterSource
from zhaoyin.matters.flow import State
from zhaoyin.matters.models import Matter
from zhaoyin.matters.selectors import allowed_actions, matter_list_visible_to
from zhaoyin.mujun.models import MuRectification

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(load_demo: LoadDemo) -> None:
    load_demo()


def test_88_reform_measures_in_20_areas_owned_by_departments(demo: None) -> None:
    # The 亩均 evaluation's rectification matters are reform tasks too; the report's 88 are the rest.
    rectified = MuRectification.objects.values("matter_id")
    measures = list(Matter.objects.filter(source=MatterSource.REFORM_MEASURE).exclude(pk__in=rectified)
                    .select_related("lead_unit"))
    assert len(measures) == 88
    areas = Counter(m.title.split("】")[0].lstrip("【") for m in measures)
    assert len(areas) == 20
    assert {"企业开办", "工程建设项目报建", "获得电力"} <= set(areas)
    assert all(m.lead_unit is not None and m.lead_unit.kind == "department" for m in measures)
    assert all(m.handle_deadline is not None for m in measures)
    owners = {m.title.split("】")[0].lstrip("【"): m.lead_unit.code for m in measures if m.lead_unit is not None}
    # Each area is led by the department that does the work (issue 15 item 9).
    assert owners["企业开办"] == "dept-scjg"
    assert owners["工程建设项目报建"] == "dept-zjj"
    assert owners["获得电力"] == "dept-gdgs"
    assert owners["不动产登记"] == "dept-zrzy"
    assert owners["纳税服务"] == "dept-swj"
    assert owners["获得信贷"] == "dept-jrjg"
    assert owners["政务服务"] == "dept-sjzy"


def test_demands_cover_every_state_with_consistent_histories(demo: None) -> None:
    matters = list(Matter.objects.prefetch_related("events"))
    assert {s.value for s in State} <= {m.state for m in matters}
    now = timezone.now()
    for m in matters:
        events = sorted(m.events.all(), key=lambda e: (e.at, e.pk))
        assert events[-1].to_state == m.state, m.code
        assert all(a.to_state == b.from_state for a, b in itertools.pairwise(events)), m.code
        assert all(e.at <= now for e in events)
    assert any(m.listed for m in matters)
    assert {m.rating for m in matters} >= {"satisfied", "basically_satisfied", "dissatisfied"}


def test_the_demo_staff_has_matters_to_act_on(demo: None) -> None:
    staff = User.objects.get(username="demo_staff")
    visible = list(matter_list_visible_to(staff))
    assert visible
    assert any(allowed_actions(staff, m) for m in visible)

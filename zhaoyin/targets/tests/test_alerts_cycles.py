"""Project alerts for a set of projects in constant queries, and cycle-time distributions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoyin.accounts.models import OrgUnit
from zhaoyin.core.roles import Role
from zhaoyin.lib.alerts import Level
from zhaoyin.projects.alerts import project_alerts
from zhaoyin.projects.models import Project
from zhaoyin.targets.selectors import cycle_time_distributions
from zhaoyin.targets.tests.conftest import events, fund

pytestmark = pytest.mark.django_db
M = dt.date


def test_alerts_for_many_projects_take_one_query(project: Callable[..., Project], settings: Any) -> None:
    today = M(2026, 9, 30)
    late = project(stage="signed", planned_start_on=M(2026, 5, 10))
    yellow = project(stage="registered", planned_start_on=M(2026, 8, 1))
    behind = project(stage="started", wan="1000", planned_start_on=M(2026, 1, 1), planned_production_on=M(2026, 12, 31))
    fund(behind, M(2026, 3, 1), "100")  # 10 % against about 74 % planned
    on_plan = project(
        stage="started", wan="1000", planned_start_on=M(2026, 1, 1), planned_production_on=M(2026, 12, 31)
    )
    fund(on_plan, M(2026, 3, 1), "700")
    fund(on_plan, M(2026, 10, 1), "300")  # in the future: not yet in place
    lead = project(stage="lead")
    projects = list(Project.objects.all())
    with CaptureQueriesContext(connection) as ctx:
        alerts = project_alerts(projects, today=today)
    assert len(ctx.captured_queries) == 1
    assert alerts[late.pk].level == Level.RED
    assert alerts[yellow.pk].level == Level.YELLOW
    assert alerts[behind.pk].level == Level.RED
    assert alerts[behind.pk].reasons[0].actual == Decimal("0.1000")
    assert alerts[on_plan.pk].level == Level.GREEN
    assert alerts[lead.pk].level == Level.GREEN
    settings.ZHAOYIN_ALERTS = {"START_YELLOW_MONTHS": 6, "START_RED_MONTHS": 9}
    assert project_alerts([late], today=today)[late.pk].level == Level.GREEN
    assert project_alerts([], today=today) == {}


def test_cycle_time_distributions_per_unit_and_scope(
    org_tree: dict[str, OrgUnit], project: Callable[..., Project], make_user: Callable[..., Any]
) -> None:
    for days in (78, 100, 40):
        p = project("county_a", first_contact_on=M(2026, 6, 2))
        events(p, ("lead", M(2026, 6, 2)), ("signed", M(2026, 6, 2) + dt.timedelta(days=days)))
    other = project("county_b")
    events(other, ("lead", M(2026, 1, 1)), ("signed", M(2026, 2, 1)), ("started", M(2026, 3, 1)))
    leader = make_user(Role.LEADER, "city")
    groups = {g.name: g for g in cycle_time_distributions(leader, by="unit")}
    a = groups["大通区"].spans["contact_to_signing"]
    assert (a.count, a.median, a.p25, a.p75) == (3, Decimal("78.0"), Decimal("59.0"), Decimal("89.0"))
    assert groups["田家庵区"].spans["signing_to_start"].median == Decimal("28.0")
    staff = make_user(Role.STAFF, "county_a")
    assert [g.name for g in cycle_time_distributions(staff, by="unit")] == ["大通区"]
    assert len(cycle_time_distributions(staff, by="industry")) == 1

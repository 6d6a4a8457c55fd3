"""The city cockpit (issue 3 item 8): figures, scope, drill-down links, bad input, queries."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import LoadDemo
from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.cockpit.selectors import cockpit_for
from zhaoyin.core.money import fen_sum
from zhaoyin.core.roles import Role
from zhaoyin.projects.alerts import alerts_refresh
from zhaoyin.projects.inputs import FundEntryInput, StageChangeInput
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.projects.selectors import project_list_visible_to
from zhaoyin.projects.services import fund_entry_add, project_change_stage
from zhaoyin.targets.indicators import fund_entries_counted
from zhaoyin.targets.models import Target
from zhaoyin.targets.tests.conftest import events, fund

YEAR = 2026
AS_OF = dt.date(YEAR, 9, 30)
URL = "/cockpit/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _data(response: Any) -> dict[str, Any]:
    html = response.content.decode()
    start = html.index('<script id="cockpit-data" type="application/json">') + len(
        '<script id="cockpit-data" type="application/json">'
    )
    return dict(json.loads(html[start : html.index("</script>", start)]))


@pytest.fixture
def pipeline(org_tree: dict[str, OrgUnit], project: Callable[..., Project]) -> dict[str, Project]:
    """Projects in county A (one late to start → red), its park, and county B; funds in each."""
    a = project("county_a", wan="200000", planned_start_on=dt.date(2026, 3, 1))
    events(a, ("lead", dt.date(2026, 1, 5)), ("signed", dt.date(2026, 2, 1)))
    park = project("park_a", wan="50000", stage="started")
    b = project("county_b", wan="80000", stage="producing")
    lead = project("county_b")
    fund(a, dt.date(2026, 2, 1), "12345.67", "outside_province")
    fund(park, dt.date(2026, 5, 1), "0.01")
    fund(b, dt.date(2026, 9, 1), "20000", "foreign")
    fund(b, dt.date(2026, 10, 1), "99999")  # after as_of: not counted
    Target.objects.create(year=YEAR, indicator="external_funds", org_unit=org_tree["city"], value=Decimal(10))
    Target.objects.create(year=YEAR, indicator="external_funds", org_unit=org_tree["county_a"], value=Decimal(2))
    return {"a": a, "park": park, "b": b, "lead": lead}


def _counted_yi(user: User) -> Decimal:
    fen = (
        FundEntry.objects.filter(
            fund_entries_counted(YEAR, AS_OF), project__in=project_list_visible_to(user)
        ).aggregate(f=fen_sum("amount_wan"))["f"]
        or 0
    )
    return Decimal(fen) / Decimal(1_000_000)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "unit"), [(Role.CITY_ADMIN, "city"), (Role.STAFF, "county_a")])
def test_AC_03_cockpit_totals_equal_the_sum_of_what_the_user_sees(
    pipeline: dict[str, Project], make_user: Callable[..., User], role: Role, unit: str
) -> None:
    user = make_user(role, unit=unit)
    c = cockpit_for(user, year=YEAR, as_of=AS_OF)
    visible = list(project_list_visible_to(user))
    assert c.progress.city is not None
    expected = _counted_yi(user)
    assert c.progress.city.actual == expected
    assert sum((v for _m, v in c.months), Decimal(0)) == expected
    assert sum((v for _c, _n, v in c.by_industry), Decimal(0)) == expected
    assert sum((v for _c, _n, v in c.by_source), Decimal(0)) == expected
    assert c.project_count == len(visible) == sum(n for _s, _l, n in c.funnel)
    assert {a.project.pk for a in c.alerts} <= {p.pk for p in visible}
    if role == Role.CITY_ADMIN:
        assert expected == Decimal("3.234568")
        assert c.project_count == Project.objects.count()
    else:
        assert expected == Decimal("1.234568")
        assert pipeline["b"].pk not in {p.pk for p in visible}
    assert [m.month for m, _v in c.months] == list(range(1, 10))


@pytest.mark.django_db
def test_cockpit_page_links_every_figure_to_its_records(
    pipeline: dict[str, Project], make_user: Callable[..., User], org_tree: dict[str, OrgUnit]
) -> None:
    response = _client(make_user(Role.CITY_ADMIN, unit="city")).get(URL, {"year": "2026", "as_of": "2026-09-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "/targets/?indicator=external_funds&amp;year=2026&amp;as_of=2026-09-30" in html
    assert f'href="/projects/{pipeline["a"].pk}/"' in html  # the red project, late to start
    assert 'style="' not in html
    data = _data(response)
    assert data["funnel"]["items"][0]["url"] == "/projects/?stage=lead"
    assert [i["value"] for i in data["funnel"]["items"]][:3] == [1, 0, 1]
    county_a = next(i for i in data["units"]["items"] if i["name"] == org_tree["county_a"].name)
    assert county_a["url"] == f"/targets/funds/?org_unit={org_tree['county_a'].code}&year=2026&as_of=2026-09-30"
    assert data["units"]["mark"] == 75.0
    assert data["industry"]["items"][0]["url"].startswith("/projects/?industry=")
    # 亿元 with 2 decimals, as every page shows them (issue 15 item 10).
    assert [i["value"] for i in data["source"]["items"]] == [0.0, 1.23, 2.0]  # city, province, foreign


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "field"), [({"year": "abc"}, "year"), ({"as_of": "2026-13-01"}, "as_of")])
def test_bad_parameters_are_400_naming_the_field(
    make_user: Callable[..., User], org_tree: Any, query: dict[str, str], field: str
) -> None:
    response = _client(make_user(Role.CITY_ADMIN, unit="city")).get(URL, query)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()


@pytest.mark.django_db
def test_defaults_to_today(make_user: Callable[..., User], org_tree: Any) -> None:
    response = _client(make_user(Role.LEADER, unit="city")).get(URL)
    assert response.status_code == 200
    assert response.context["as_of"] == timezone.localdate()


@pytest.mark.django_db
def test_query_count_is_constant(
    org_tree: dict[str, OrgUnit], project: Callable[..., Project], make_user: Callable[..., User], settings: Any
) -> None:
    client = _client(make_user(Role.CITY_ADMIN, unit="city"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"year": "2026", "as_of": "2026-09-30"}).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            p = project("county_a" if i % 2 else "park_a", planned_start_on=dt.date(2026, 1, 1))
            events(p, ("lead", dt.date(2026, 1, 2)), ("signed", dt.date(2026, 2, 1)))
            fund(p, dt.date(2026, 1 + i % 9, 1), "10.5")

    add(2)
    count()  # the first request of a session also rewrites its last-seen time; measure after it
    few = count()
    add(15)
    assert count() == few


@pytest.mark.django_db
def test_demo_cockpit_shows_510_93_and_77_41_percent(load_demo: LoadDemo) -> None:
    load_demo(YEAR)
    admin = User.objects.get(username="demo_city_admin")
    response = Client()
    response.force_login(admin)
    page = response.get(URL, {"year": "2026", "as_of": "2026-09-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<div class="zy-kpi-value" id="kpi-funds-actual">510.93</div>' in html
    assert '<span id="kpi-funds-completion">77.41%</span>' in html


@pytest.mark.django_db
def test_todays_cockpit_counts_the_stored_lights_and_equals_a_live_evaluation(
    pipeline: dict[str, Project], make_user: Callable[..., User]
) -> None:
    user = make_user(Role.LEADER, unit="city")
    today = timezone.localdate()
    alerts_refresh()
    stored = cockpit_for(user, year=today.year, as_of=today)
    assert (stored.red, stored.yellow) == (1, 0)  # project a: planned start in March, not started
    assert [a.project.pk for a in stored.alerts] == [pipeline["a"].pk]
    assert stored.alerts[0].reasons
    # Lights not refreshed today: every watched project is evaluated live — the same result.
    Project.objects.update(alert_date=None)
    live = cockpit_for(user, year=today.year, as_of=today)
    assert (live.red, live.yellow, live.alerts) == (stored.red, stored.yellow, stored.alerts)
    # Fresh stored lights are what is counted (a light stored as yellow today counts yellow).
    Project.objects.filter(pk=pipeline["a"].pk).update(alert_level="yellow", alert_date=today)
    alerts_refresh(project_ids=[pipeline["park"].pk, pipeline["b"].pk])
    counted = cockpit_for(user, year=today.year, as_of=today)
    assert (counted.red, counted.yellow) == (0, 1)


@pytest.mark.django_db
def test_a_stage_change_or_a_funds_entry_refreshes_the_stored_light(
    pipeline: dict[str, Project], make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.CITY_ADMIN, unit="city")
    a = pipeline["a"]
    Project.objects.filter(pk=a.pk).update(alert_level="green", alert_date=None)
    fund_entry_add(acting_user=admin, project=a,
        data=FundEntryInput.of(month="2026-03", amount_wan="1", source="foreign"))
    a.refresh_from_db()
    assert (a.alert_level, a.alert_date) == ("red", timezone.localdate())
    project_change_stage(acting_user=admin, project=a,
        data=StageChangeInput.of(stage="started", date="2026-11-01", reason="跳过登记"))
    a.refresh_from_db()
    assert a.alert_date == timezone.localdate()
    assert a.started_on == dt.date(2026, 11, 1)

"""Cockpit polish (issue 16 item 7): projects on hold or terminated grey, not green; 亿元 with
2 decimals; months as 1月…; short axis labels; a panel with nothing to draw says why."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.cockpit.selectors import cockpit_for
from zhaoyin.cockpit.views import month_label, short_label
from zhaoyin.core.roles import Role
from zhaoyin.lib import alerts as rules
from zhaoyin.projects.alerts import alerts_refresh
from zhaoyin.projects.models import Project
from zhaoyin.projects.templatetags.projects_ui import alert_badge
from zhaoyin.targets.models import Target
from zhaoyin.targets.tests.conftest import fund

YEAR = 2026
AS_OF = dt.date(YEAR, 9, 30)


def _page(user: User, **query: str) -> tuple[str, dict[str, Any]]:
    client = Client()
    client.force_login(user)
    response = client.get("/cockpit/", {"year": str(YEAR), "as_of": AS_OF.isoformat(), **query})
    assert response.status_code == 200
    html = response.content.decode()
    tag = '<script id="cockpit-data" type="application/json">'
    start = html.index(tag) + len(tag)
    return html, dict(json.loads(html[start : html.index("</script>", start)]))


@pytest.mark.parametrize(
    ("stage", "level", "shown"),
    [
        ("on_hold", "green", "grey"),
        ("terminated", "green", "grey"),
        ("on_hold", "red", "grey"),  # a stale stored light does not show through either
        ("lead", "green", "green"),
        ("producing", "green", "green"),
        ("signed", "red", "red"),
        ("started", "yellow", "yellow"),
    ],
)
def test_a_project_on_hold_or_terminated_shows_grey_not_green(stage: str, level: str, shown: str) -> None:
    assert rules.light_shown(stage, level) == shown
    badge = alert_badge(level, stage)
    assert f'data-alert="{shown}"' in badge
    assert ("text-bg-success" in badge) is (shown == "green")


@pytest.mark.django_db
def test_the_project_list_shows_paused_and_stopped_projects_grey(
    project: Callable[..., Project], make_user: Callable[..., User], org_tree: dict[str, OrgUnit]
) -> None:
    running = project("county_a", stage="producing")
    paused = project("county_a", stage="on_hold")
    stopped = project("county_a", stage="terminated")
    alerts_refresh()
    assert {p.alert_level for p in Project.objects.all()} == {"green"}  # stored: the rules' verdict
    client = Client()
    client.force_login(make_user(Role.CITY_ADMIN, unit="city"))
    html = client.get("/projects/").content.decode()

    def row(p: Project) -> str:
        start = html.index(f'href="/projects/{p.pk}/"')
        return html[start : html.index("</tr>", start)]

    assert 'data-alert="green"' in row(running)
    assert 'data-alert="grey"' in row(paused)
    assert 'data-alert="grey"' in row(stopped)


@pytest.mark.django_db
def test_the_funnel_shows_projects_on_hold_and_terminated_apart_in_grey(
    project: Callable[..., Project], make_user: Callable[..., User], org_tree: dict[str, OrgUnit]
) -> None:
    project("county_a", stage="lead")
    project("county_a", stage="on_hold")
    project("county_b", stage="on_hold")
    project("county_b", stage="terminated")
    user = make_user(Role.CITY_ADMIN, unit="city")
    c = cockpit_for(user, year=YEAR, as_of=AS_OF)
    assert [(code, n) for code, _label, n in c.stopped] == [("on_hold", 2), ("terminated", 1)]
    assert c.project_count == sum(n for _s, _l, n in c.funnel) + sum(n for _s, _l, n in c.stopped) == 4
    _html, data = _page(user)
    items = data["funnel"]["items"]
    assert [i["url"] for i in items[-2:]] == ["/projects/?stage=on_hold", "/projects/?stage=terminated"]
    assert [i["value"] for i in items[-2:]] == [2, 1]
    assert {i.get("color") for i in items[-2:]} == {"#9ca3af"}
    assert all("color" not in i for i in items[:-2])  # the main line keeps the chart's blue


def test_axis_labels_are_short_and_months_read_1yue() -> None:
    assert short_label("大通区") == "大通区"
    assert short_label("现代煤化工园区") == "现代煤化工园区"  # 7 characters: kept whole
    assert short_label("淮南高新技术产业开发区") == "淮南高新区"
    assert short_label("淮南经济技术开发区") == "淮南经开区"
    assert short_label("寿县新桥国际产业园") == "寿县新桥国际…"
    assert [month_label(m) for m in (1, 9, 12)] == ["1月", "9月", "12月"]


@pytest.mark.django_db
def test_charts_print_yi_yuan_with_2_decimals_and_months_as_1yue(
    project: Callable[..., Project], make_user: Callable[..., User], org_tree: dict[str, OrgUnit]
) -> None:
    a = project("county_a", stage="started")
    fund(a, dt.date(2026, 2, 1), "12345.67", "outside_province")  # 1.2345 亿元
    fund(a, dt.date(2026, 5, 1), "15000", "foreign")  # 1.5 亿元
    Target.objects.create(year=YEAR, indicator="external_funds", org_unit=org_tree["county_a"], value=Decimal(5))
    _html, data = _page(make_user(Role.CITY_ADMIN, unit="city"))
    months = data["months"]
    assert [i["name"] for i in months["items"]] == [f"{m}月" for m in range(1, 10)]
    assert [i["value"] for i in months["items"]][:5] == [0.0, 1.23, 0.0, 0.0, 1.5]
    for key in ("months", "industry", "source"):
        assert data[key]["places"] == 2, key  # cockpit.js prints 1.5 as 1.50
    assert "places" not in data["units"]  # a percentage, printed as computed
    assert {i["short"] for i in data["units"]["items"]} >= {org_tree["county_a"].name}


@pytest.mark.django_db
def test_a_panel_with_nothing_to_draw_says_why(make_user: Callable[..., User], org_tree: dict[str, OrgUnit]) -> None:
    html, data = _page(make_user(Role.CITY_ADMIN, unit="city"), year="2026")
    for key in ("units", "funnel", "months", "industry", "source"):
        message = data[key]["empty"]
        assert message
        assert f'data-cockpit-empty="{key}"' in html
        assert f'data-cockpit-chart="{key}"' not in html  # no blank axes drawn
        assert message in html
    assert "2026" in data["months"]["empty"]  # names the year it looked at

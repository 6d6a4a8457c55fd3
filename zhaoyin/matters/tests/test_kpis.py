"""Unit KPIs for a month or a year (issue 4 item 7): the grouped SQL equals the pure engine over
hand-written facts; scope; bad parameters; the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhaoyin.accounts.services import api_token_issue
from zhaoyin.core.errors import InvalidInput
from zhaoyin.lib import matter_kpis as engine
from zhaoyin.lib.indicators import ratio
from zhaoyin.matters.flow import State
from zhaoyin.matters.kpis import kpi_report, parse_period
from zhaoyin.matters.models import Matter, MatterEvent
from zhaoyin.matters.tests.conftest import MakeMatter, People

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 20)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SH)


@pytest.fixture
def matters(make_matter: MakeMatter, org_tree: Any) -> dict[str, Any]:
    """County A: five matters assigned on 2 November in different fates; county B: one."""
    d = dt.date
    common = {"assigned_at": at(d(2026, 11, 2), 9), "received_on": d(2026, 11, 2)}
    made = {
        # signed on its deadline day (late evening Shanghai = still on time), closed on time, 满意
        "good": make_matter(
            State.RATED,
            accepted_at=at(d(2026, 11, 3), 23),
            handle_deadline=d(2026, 11, 16),
            closed_at=at(d(2026, 11, 13)),
            rating="satisfied",
            **common,
        ),
        # signed a day late, closed late, 不满意 (and reopened: counted by its rating still)
        "late": make_matter(
            State.CLOSED,
            accepted_at=at(d(2026, 11, 4)),
            handle_deadline=d(2026, 11, 10),
            closed_at=at(d(2026, 11, 12)),
            rating="dissatisfied",
            **common,
        ),
        # in progress, past its handling deadline
        "overdue": make_matter(
            State.ACCEPTED, accepted_at=at(d(2026, 11, 3)), handle_deadline=d(2026, 11, 18), **common
        ),
        # returned by county A
        "returned": make_matter(State.RETURNED, **common),
        # assigned in October: not in November's KPIs
        "october": make_matter(
            State.ACCEPTED, accepted_at=at(d(2026, 10, 9)), **{**common, "assigned_at": at(d(2026, 10, 9))}
        ),
        "b": make_matter(State.ASSIGNED, lead="county_b", **common),
    }
    MatterEvent.objects.create(
        matter=made["returned"],
        action="return",
        from_state="assigned",
        to_state="returned",
        lead_unit=org_tree["county_a"],
        at=at(dt.date(2026, 11, 3)),
        reason="非本单位职责",
    )
    return made


def expected_county_a() -> engine.UnitKpis:
    facts = [
        engine.MatterFacts(
            1,
            dt.date(2026, 11, 2),
            signed=True,
            signed_on_time=True,
            closed_on=dt.date(2026, 11, 13),
            closed_on_time=True,
            rating="satisfied",
            workdays_to_close=9,
        ),
        engine.MatterFacts(
            1,
            dt.date(2026, 11, 2),
            signed=True,
            closed_on=dt.date(2026, 11, 12),
            rating="dissatisfied",
            workdays_to_close=8,
        ),
        engine.MatterFacts(1, dt.date(2026, 11, 2), signed=True, signed_on_time=True, handling_overdue=True),
        engine.MatterFacts(1, dt.date(2026, 11, 2), returned=True),
    ]
    return engine.unit_kpis(1, facts)


def test_kpis_of_a_month_equal_the_engine_over_the_same_facts(
    matters: dict[str, Any], people: People, org_tree: Any
) -> None:
    report = kpi_report(people.dispatcher, year=2026, month=11, today=TODAY)
    rows = {r.unit.code: r for r in report.rows}
    assert set(rows) == {org_tree["county_a"].code, org_tree["county_b"].code}
    got = rows[org_tree["county_a"].code].kpis
    want = expected_county_a()
    fields = (
        "matters",
        "sign_for_decided",
        "signed_on_time",
        "due",
        "closed",
        "closed_on_time",
        "rated",
        "satisfied",
        "returned",
        "sign_for_on_time_rate",
        "closed_on_time_rate",
        "satisfaction_rate",
        "return_rate",
        "mean_workdays_to_close",
    )
    assert {f: getattr(got, f) for f in fields} == {f: getattr(want, f) for f in fields}
    assert got.sign_for_on_time_rate == ratio(Decimal(2) / Decimal(3))
    # County B's only matter was never signed for and its sign-for clock ran out: 0 %, ranked last.
    b = rows[org_tree["county_b"].code]
    assert (b.kpis.matters, b.kpis.sign_for_decided, b.kpis.signed_on_time) == (1, 1, 0)
    assert (b.score, b.rank) == (Decimal("0.00"), 2)
    assert rows[org_tree["county_a"].code].rank == 1
    # The whole year also counts October's matter.
    year = {r.unit.code: r for r in kpi_report(people.dispatcher, year=2026, month=None, today=TODAY).rows}
    assert year[org_tree["county_a"].code].kpis.matters == 5


def test_a_county_user_sees_its_own_rows_with_city_wide_ranks(
    matters: dict[str, Any], people: People, org_tree: Any
) -> None:
    report = kpi_report(people.outsider, year=2026, month=11, today=TODAY)
    assert [r.unit.code for r in report.rows] == [org_tree["county_b"].code]


def test_query_count_does_not_grow_with_the_matters(make_matter: MakeMatter, people: People) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            kpi_report(people.dispatcher, year=2026, month=11, today=TODAY)
        return len(ctx.captured_queries)

    make_matter(State.ACCEPTED, assigned_at=at(dt.date(2026, 11, 2)))
    count()  # the first call also loads the working-day calendar into its cache
    few = count()
    for _ in range(8):
        make_matter(State.ACCEPTED, assigned_at=at(dt.date(2026, 11, 2)))
    assert count() == few


@pytest.mark.parametrize(
    ("year", "month", "field"),
    [("20x6", None, "year"), ("1999", None, "year"), ("2026", "13", "month"), ("2026", "x", "month")],
)
def test_bad_period_names_the_field(year: str, month: str | None, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_period(year, month)
    assert [e["field"] for e in info.value.errors] == [field]


def test_kpis_api(matters: dict[str, Any], people: People, org_tree: Any) -> None:
    client = Client()
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=people.dispatcher)}"}
    response = client.get("/api/v1/matters/kpis?year=2026&month=11", **headers)
    assert response.status_code == 200
    items = {i["org_unit"]: i for i in response.json()["items"]}
    a = items[org_tree["county_a"].code]
    assert (a["assigned"], a["rank"]) == (4, 1)
    assert (a["closed_on_time"], a["returned"]) == (0.3333, 0.25)
    bad = client.get("/api/v1/matters/kpis?year=2026&month=13", **headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "month"


def test_supervision_page_shows_kpis_overdue_listed_and_dissatisfied(
    matters: dict[str, Any], people: People, org_tree: Any, client: Client
) -> None:
    Matter.objects.filter(pk=matters["overdue"].pk).update(listed=True)
    client.force_login(people.supervisor)
    response = client.get("/matters/supervision/?year=2026&month=11")
    assert response.status_code == 200
    html = response.content.decode()
    assert org_tree["county_a"].name in html
    view = response.context["view"]
    assert [m.pk for m in view.listed] == [matters["overdue"].pk]
    assert [m.pk for m in view.dissatisfied] == [matters["late"].pk]
    assert {u.code: n for u, n in view.overdue_by_unit}[org_tree["county_a"].code] >= 1
    bad = client.get("/matters/supervision/?year=2026&month=14")
    assert bad.status_code == 400
    assert "month" in bad.content.decode()


def test_county_staff_supervision_is_scoped(
    matters: dict[str, Any], people: People, org_tree: Any, client: Client
) -> None:
    Matter.objects.filter(pk=matters["overdue"].pk).update(listed=True)
    client.force_login(people.outsider)  # county B's staff
    view = client.get("/matters/supervision/?year=2026&month=11").context["view"]
    assert (view.listed, view.dissatisfied) == ([], [])
    assert org_tree["county_a"].code not in {u.code for u, _n in view.overdue_by_unit}
    assert [r.unit.code for r in view.report.rows] == [org_tree["county_b"].code]

"""Indicators computed from records and target progress (DESIGN 3.3, 5.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.core.roles import Role
from zhaoyin.projects.inputs import FundCorrectionInput
from zhaoyin.projects.models import FundEntry, Project
from zhaoyin.targets import selectors
from zhaoyin.targets.indicators import REGISTRY, external_funds
from zhaoyin.targets.models import Target, TargetMonthPlan
from zhaoyin.targets.tests.conftest import api_client, events, fund, web_client

pytestmark = pytest.mark.django_db
SEP30 = dt.date(2026, 9, 30)
M = dt.date


def _targets(org_tree: dict[str, OrgUnit], values: dict[str, str], indicator: str = "external_funds") -> None:
    for key, value in values.items():
        Target.objects.create(
            year=2026, indicator=indicator, org_unit=org_tree[key], value=Decimal(value), unit=REGISTRY[indicator].unit
        )


@pytest.fixture
def demo_like(org_tree: dict[str, OrgUnit], project: Callable[..., Project]) -> dict[str, Project]:
    """City Jan–Sep = 510.93 亿元 (5 109 300 万元) against 660: county A 200 + park A (inside A)
    110.93 + county B 200; October and a superseded entry must not count."""
    a, park, b = project("county_a"), project("park_a"), project("county_b")
    for month in range(1, 10):
        fund(a, M(2026, month, 1), "222222.22")
        fund(park, M(2026, month, 1), "123255.55", source="foreign")
        fund(b, M(2026, month, 1), "222222.22", source="outside_province")
    # Rounding remainders so the sums are exact: 9 × 222222.22 = 1999999.98.
    fund(a, M(2026, 9, 1), "0.02", kind="other")
    fund(b, M(2026, 9, 1), "0.02", kind="other")
    fund(park, M(2026, 9, 1), "0.05", kind="other")  # 9 × 123255.55 + 0.05 = 1109300.00
    fund(a, M(2026, 10, 1), "99999")  # after the cut
    fund(a, M(2025, 12, 1), "99999")  # another year
    old = fund(b, M(2026, 3, 1), "55555", kind="other")
    old.superseded_at = timezone.now()
    old.save()
    _targets(org_tree, {"city": "660", "county_a": "400", "county_b": "250", "park_a": "100"})
    return {"a": a, "park": park, "b": b}


def test_exact_sum_of_many_cents(org_tree: dict[str, OrgUnit], project: Callable[..., Project]) -> None:
    """1000 entries of 0.01 万元 sum to exactly 10 万元 = 0.001 亿元."""
    projects = [project("county_b") for _ in range(20)]
    combos = [
        (p, month, source, kind)
        for p in projects
        for month in range(1, 10)
        for source in ("outside_city", "outside_province", "foreign")
        for kind in ("fixed_asset", "other")
    ][:1000]
    FundEntry.objects.bulk_create(
        [
            FundEntry(project=p, month=M(2026, m, 1), amount_wan=Decimal("0.01"), source=s, kind=k,
                      verification="verified")
            for p, m, s, k in combos
        ]
    )
    result = external_funds(2026, SEP30)
    assert result == {org_tree["county_b"].pk: Decimal("0.001")}


def test_a_month_counts_once_as_of_reaches_its_last_day(demo_like: dict[str, Project], org_tree: Any) -> None:
    city = org_tree["city"]
    full = selectors.progress_for(_city_admin(org_tree), year=2026, indicator=REGISTRY["external_funds"], as_of=SEP30)
    assert full.city is not None
    assert full.city.actual == Decimal("510.93")
    mid = selectors.progress_for(
        _city_admin(org_tree), year=2026, indicator=REGISTRY["external_funds"], as_of=M(2026, 9, 29)
    )
    assert mid.city is not None
    assert mid.city.unit == city
    assert (
        mid.city.actual
        == Decimal("510.93") - (Decimal("222222.22") * 2 + Decimal("123255.55") + Decimal("0.09")) / 10000
    )
    assert mid.time_progress == Decimal("0.6667")


def _city_admin(org_tree: Any) -> Any:
    from zhaoyin.accounts.models import User

    user = User.objects.filter(username="ta-city").first()
    if user is None:
        from conftest import PASSWORD
        from zhaoyin.accounts.services import user_create

        user, _uri = user_create(
            acting_user=None,
            username="ta-city",
            password=PASSWORD,
            roles=[Role.LEADER.value],
            org_unit=org_tree["city"],
        )
    return user


def test_AC_acceptance_510_93_and_0_7741(demo_like: dict[str, Project], make_user: Callable[..., Any]) -> None:
    """DESIGN 9: January–September = 510.93 亿元 = 77.41 % of 660, time progress 0.75."""
    leader = make_user(Role.LEADER, "city")
    r = api_client(leader).get("/api/v1/targets/progress?year=2026&indicator=external_funds&as_of=2026-09-30")
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) >= {"year", "indicator", "unit", "time_progress", "city", "items"}
    assert body["year"] == 2026
    assert body["indicator"] == "external_funds"
    assert body["unit"] == "亿元"
    assert body["time_progress"] == 0.75
    assert body["city"]["actual"] == 510.93
    assert body["city"]["completion"] == 0.7741
    assert body["city"]["target"] == 660
    assert body["city"]["gap"] == 0.0241
    items = {i["org_unit"]: i for i in body["items"]}
    assert set(items) == {"340402", "340403", "park-a"}
    # County A includes park A (inside it): 200 + 110.93.
    assert items["340402"]["actual"] == 310.93
    assert items["340402"]["completion"] == 0.7773
    assert items["340403"]["actual"] == 200
    assert items["340403"]["completion"] == 0.8
    assert items["park-a"]["actual"] == 110.93
    assert items["park-a"]["completion"] == 1.1093
    assert (items["340403"]["rank"], items["340402"]["rank"], items["park-a"]["rank"]) == (1, 2, 1)
    for row in body["items"]:
        assert set(row) >= {"org_unit", "target", "actual", "completion", "gap", "rank"}


def test_AC_03_county_totals_equal_the_sum_of_what_it_sees(
    demo_like: dict[str, Project], make_user: Callable[..., Any]
) -> None:
    staff = make_user(Role.STAFF, "county_a")
    body = api_client(staff).get("/api/v1/targets/progress?year=2026&indicator=external_funds&as_of=2026-09-30").json()
    assert [i["org_unit"] for i in body["items"]] == ["340402", "park-a"]
    assert body["city"]["org_unit"] == "340402"
    assert body["city"]["actual"] == 310.93
    assert body["city"]["target"] == 400
    visible = selectors.funds_behind(staff, org_unit="340402", year=2026, as_of=SEP30)
    assert selectors.funds_behind_total(visible) == Decimal("310.93")
    assert all(e.project.org_unit.code in {"340402", "park-a"} for e in visible)
    # Another county's unit is out of scope (404); an unknown code is bad input (400).
    assert web_client(staff).get("/targets/funds/?org_unit=340403&year=2026&as_of=2026-09-30").status_code == 404
    r = web_client(staff).get("/targets/funds/?org_unit=nowhere&year=2026&as_of=2026-09-30")
    assert r.status_code == 400
    assert "未知单位。" in r.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=abc&indicator=external_funds", "year"),
        ("year=1999&indicator=external_funds", "year"),
        ("year=2026&indicator=nope", "indicator"),
        ("year=2026&indicator=external_funds&as_of=2026-13-01", "as_of"),
        ("year=2026&indicator=external_funds&as_of=20260930", "as_of"),
        ("indicator=external_funds", "year"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(
    org_tree: Any, make_user: Callable[..., Any], query: str, field: str
) -> None:
    r = api_client(make_user(Role.CITY_ADMIN, "city")).get(f"/api/v1/targets/progress?{query}")
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]


def test_as_of_defaults_to_today(org_tree: Any, make_user: Callable[..., Any]) -> None:
    today = timezone.localdate()
    body = (
        api_client(make_user(Role.LEADER, "city"))
        .get(f"/api/v1/targets/progress?year={today.year}&indicator=signed_100m")
        .json()
    )
    assert body["as_of"] == today.isoformat()


def test_monthly_plan_sets_the_units_time_progress(demo_like: Any, org_tree: Any) -> None:
    target = Target.objects.get(org_unit=org_tree["county_b"])
    TargetMonthPlan.objects.bulk_create(
        [TargetMonthPlan(target=target, month=m, cumulative=Decimal(20 * m)) for m in range(1, 13)]
    )
    result = selectors.progress_for(_city_admin(org_tree), year=2026, indicator=REGISTRY["external_funds"], as_of=SEP30)
    row = next(r for r in result.items if r.unit == org_tree["county_b"])
    assert row.time_progress == Decimal("0.7200")  # 180 / 250
    assert row.gap == Decimal("0.0800")
    assert result.time_progress == Decimal("0.7500")


def test_day_based_time_progress_is_a_setting(org_tree: Any, settings: Any) -> None:
    settings.ZHAOYIN_TIME_PROGRESS = "days"
    result = selectors.progress_for(_city_admin(org_tree), year=2026, indicator=REGISTRY["producing"], as_of=SEP30)
    assert result.time_progress == Decimal("0.7479")  # 273 / 365


def test_count_indicators_follow_the_replayed_history(
    org_tree: dict[str, OrgUnit], project: Callable[..., Project]
) -> None:
    signed = project("county_a", wan="25000")
    events(signed, ("lead", M(2026, 6, 2)), ("negotiating", M(2026, 7, 1)), ("signed", M(2026, 8, 19)))
    small = project("county_a", wan="9999.99")
    events(small, ("lead", M(2026, 1, 2)), ("signed", M(2026, 3, 1)))
    skipped = project("county_b", wan="10000")  # skip negotiating → started: signed that day too
    events(skipped, ("negotiating", M(2025, 12, 1)), ("started", M(2026, 4, 1)))
    corrected = project("county_b", wan="50000")  # signed, then corrected back: not counted
    events(corrected, ("negotiating", M(2026, 1, 1)), ("signed", M(2026, 2, 1)), ("negotiating", M(2026, 2, 1)))
    dropped = project("county_b", wan="50000")
    events(dropped, ("signed", M(2026, 2, 1)), ("terminated", M(2026, 5, 1)))
    last_year = project("county_b", wan="50000")
    events(last_year, ("signed", M(2025, 11, 1)), ("started", M(2026, 2, 1)))
    signed_counts = REGISTRY["signed_100m"].compute(2026, SEP30)
    assert signed_counts == {org_tree["county_a"].pk: 1, org_tree["county_b"].pk: 1}
    assert REGISTRY["signed_100m"].compute(2026, M(2026, 8, 18)) == {org_tree["county_b"].pk: 1}
    started = REGISTRY["started_100m"].compute(2026, SEP30)
    assert started == {org_tree["county_b"].pk: 2}
    leader = _city_admin(org_tree)
    rows = selectors.projects_behind(
        leader, indicator=REGISTRY["started_100m"], org_unit="340403", year=2026, as_of=SEP30
    )
    assert [(p.pk, on) for p, on in rows] == [(last_year.pk, M(2026, 2, 1)), (skipped.pk, M(2026, 4, 1))]


def test_queries_are_constant_for_3_and_12_units(
    org_tree: dict[str, OrgUnit], project: Callable[..., Project], make_user: Callable[..., Any]
) -> None:
    leader = make_user(Role.LEADER, "city")
    client = api_client(leader)
    url = "/api/v1/targets/progress?year=2026&indicator=external_funds&as_of=2026-09-30"

    def add_units(n: int) -> None:
        for i in range(n):
            unit = OrgUnit.objects.create(
                code=f"cx-{OrgUnit.objects.count()}", name=f"园区{i}", kind=OrgUnitKind.PARK, parent=org_tree["city"]
            )
            p = project("county_a")
            p.org_unit = unit
            p.save()
            fund(p, M(2026, 2, 1), "1.5")
            Target.objects.create(year=2026, indicator="external_funds", org_unit=unit, value=Decimal(1), unit="亿元")

    add_units(1)  # with park A and the two counties: 3 ranked units… plus one new
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_units(9)
    with CaptureQueriesContext(connection) as large:
        body = client.get(url).json()
    assert len(body["items"]) == 13
    assert len(large.captured_queries) == len(small.captured_queries)


def test_progress_page_and_drill_downs(demo_like: dict[str, Project], make_user: Callable[..., Any]) -> None:
    client = web_client(make_user(Role.CITY_ADMIN, "city"))
    r = client.get("/targets/?year=2026&indicator=external_funds&as_of=2026-09-30")
    assert r.status_code == 200
    html = r.content.decode()
    assert "510.93" in html
    assert "77.41%" in html
    assert "75.00%" in html
    assert "/targets/funds/?org_unit=340400&amp;year=2026&amp;as_of=2026-09-30" in html
    r = client.get("/targets/funds/?org_unit=340400&year=2026&as_of=2026-09-30")
    assert r.status_code == 200
    assert "510.93" in r.content.decode()
    assert client.get("/targets/?year=20x6").status_code == 400
    assert client.get("/targets/").status_code == 200
    r = client.get("/targets/projects/?indicator=signed_100m&org_unit=340402&year=2026&as_of=2026-09-30")
    assert r.status_code == 200
    assert client.get("/targets/projects/?indicator=external_funds&org_unit=340402&year=2026").status_code == 400
    for by in ("unit", "industry"):
        assert client.get(f"/targets/cycle-times/?by={by}").status_code == 200
    assert client.get("/targets/cycle-times/?by=colour").status_code == 400


def test_figures_follow_every_change(
    org_tree: dict[str, OrgUnit], project: Callable[..., Project], make_user: Callable[..., Any]
) -> None:
    """A new entry, a correction (a new entry superseding the old), a project moved to another
    unit and a new stage event each show in the next figures (rollup and milestone columns)."""
    from zhaoyin.projects.services import fund_entry_correct

    leader = make_user(Role.LEADER, "city")
    funds = REGISTRY["external_funds"]

    def actual(unit: str, indicator: Any = funds) -> Decimal:
        result = selectors.progress_for(leader, year=2026, indicator=indicator, as_of=SEP30)
        return next(r.actual for r in result.items if r.unit == org_tree[unit])

    p = project("county_a")
    entry = fund(p, M(2026, 2, 1), "10000")
    assert actual("county_a") == Decimal(1)
    fund(p, M(2026, 3, 1), "5000")
    assert actual("county_a") == Decimal("1.5")
    new = fund_entry_correct(
        acting_user=None, entry=entry,
        data=FundCorrectionInput.of(amount_wan="20000", note="复核", over_total_reason="含追加投资"),
    )
    # The correction is reported, not yet verified: the counted figure drops by the old entry.
    assert actual("county_a") == Decimal("0.5")
    FundEntry.objects.filter(pk=new.pk).update(verification="verified")
    assert actual("county_a") == Decimal("2.5")
    p.org_unit = org_tree["county_b"]
    p.updated_at = timezone.now()
    p.save()
    assert actual("county_a") == 0
    assert actual("county_b") == Decimal("2.5")
    signed = REGISTRY["signed_100m"]
    assert actual("county_b", signed) == 0
    events(p, ("signed", M(2026, 4, 1)))
    assert actual("county_b", signed) == 1

"""Ranking groups as data (issue 15 item 2): who ranks with whom in the target progress and the
cockpit, a park that does not roll up into its county, and the city admin's editor (service,
page, API) with its bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, RankingGroup, RankingGroupMember
from zhaoyin.accounts.ranking import RankingGroupInput, ranking_group_save
from zhaoyin.audit.models import AuditRecord
from zhaoyin.cockpit.selectors import cockpit_for
from zhaoyin.core.roles import Role
from zhaoyin.projects.models import Project
from zhaoyin.targets import selectors
from zhaoyin.targets.models import Target
from zhaoyin.targets.tests.conftest import api_client, fund, web_client

pytestmark = pytest.mark.django_db
SEP30 = dt.date(2026, 9, 30)
URL = "/api/v1/targets/progress?year=2026&indicator=external_funds&as_of=2026-09-30"


@pytest.fixture
def huainan(org_tree: dict[str, OrgUnit], project: Callable[..., Project]) -> dict[str, OrgUnit]:
    """County A holds park A (as 寿县 holds 新桥); 毛集-like park M and park G sit under the city.

    Funds (亿元): county A's own 10, park A 50, county B 20, M 5, G 30 — the city 115.
    Targets: county A 100 (park A's 60 included, as the city sets them), park A 60, B 40, M 10,
    G 60."""
    units = dict(org_tree)
    city = org_tree["city"]
    units["maoji"] = OrgUnit.objects.create(code="park-m", name="毛集实验区", kind=OrgUnitKind.PARK, parent=city)
    units["gxq"] = OrgUnit.objects.create(code="park-g", name="高新区", kind=OrgUnitKind.PARK, parent=city)
    for key, wan in (("county_a", "100000"), ("park_a", "500000"), ("county_b", "200000"), ("maoji", "50000"),
                     ("gxq", "300000")):
        p = project("county_a")
        p.org_unit = units[key]
        p.save()
        fund(p, dt.date(2026, 2, 1), wan)
    for key, value in (("city", 200), ("county_a", 100), ("park_a", 60), ("county_b", 40), ("maoji", 10),
                       ("gxq", 60)):
        Target.objects.create(
            year=2026, indicator="external_funds", org_unit=units[key], value=Decimal(value), unit="亿元"
        )
    return units


def configure_huainan(units: dict[str, OrgUnit]) -> None:
    """淮南's groups: 毛集 among the 县区; 新桥 (park A) among the parks, not in its county's row."""
    RankingGroup.objects.all().delete()
    counties = RankingGroup.objects.create(code="counties", name="县区", order=10, min_matters=3)
    parks = RankingGroup.objects.create(code="parks", name="开发区/园区", order=20, min_matters=3)
    for key in ("county_a", "county_b", "maoji"):
        RankingGroupMember.objects.create(group=counties, org_unit=units[key])
    RankingGroupMember.objects.create(group=parks, org_unit=units["gxq"])
    RankingGroupMember.objects.create(group=parks, org_unit=units["park_a"], rolls_up=False)


def _items(user: Any) -> dict[str, dict[str, Any]]:
    r = api_client(user).get(URL)
    assert r.status_code == 200, r.content
    return {i["org_unit"]: i for i in r.json()["items"]}


def test_without_groups_units_rank_by_kind_as_before(huainan: dict[str, OrgUnit], make_user: Any) -> None:
    RankingGroup.objects.all().delete()
    items = _items(make_user(Role.LEADER, "city"))
    # County A's row includes park A: 60 of 100; M ranks among the parks.
    assert (items["340402"]["actual"], items["340402"]["completion"], items["340402"]["rank"]) == (60, 0.6, 1)
    assert items["340403"]["rank"] == 2
    assert items["park-m"]["group"] == items["park-a"]["group"] == "kind-park"
    assert items["340402"]["group"] == "kind-county"


def test_AC_maoji_ranks_among_counties_and_xinqiao_is_not_double_counted(
    huainan: dict[str, OrgUnit], make_user: Any
) -> None:
    configure_huainan(huainan)
    leader = make_user(Role.LEADER, "city")
    r = api_client(leader).get(URL)
    body = r.json()
    items = {i["org_unit"]: i for i in body["items"]}
    # County A is ranked without park A: 10 of (100 − 60) = 0.25.
    assert (items["340402"]["actual"], items["340402"]["target"], items["340402"]["completion"]) == (10, 40, 0.25)
    assert {k: (items[k]["group"], items[k]["rank"]) for k in items} == {
        "340402": ("counties", 3),
        "340403": ("counties", 1),
        "park-m": ("counties", 1),
        "park-a": ("parks", 1),
        "park-g": ("parks", 2),
    }
    assert items["park-m"]["group_name"] == "县区"
    # Nothing counted twice: the ranked rows add up to the city's figure.
    assert sum(i["actual"] for i in body["items"]) == body["city"]["actual"] == 115
    # The drill-down behind county A's ranked row lists only its own records.
    ranked = selectors.funds_behind(leader, org_unit="340402", year=2026, as_of=SEP30, ranked=True)
    whole = selectors.funds_behind(leader, org_unit="340402", year=2026, as_of=SEP30)
    assert selectors.funds_behind_total(ranked) == Decimal(10)
    assert selectors.funds_behind_total(whole) == Decimal(60)
    page = web_client(leader).get("/targets/?year=2026&indicator=external_funds&as_of=2026-09-30")
    html = page.content.decode()
    assert "org_unit=340402&amp;year=2026&amp;as_of=2026-09-30&amp;ranked=1" in html
    assert html.index("县区") < html.index("毛集实验区") < html.index("开发区/园区") < html.index("高新区")
    drill = web_client(leader).get("/targets/funds/?org_unit=340402&year=2026&as_of=2026-09-30&ranked=1")
    assert drill.status_code == 200


def test_county_staff_totals_still_add_up(huainan: dict[str, OrgUnit], make_user: Any) -> None:
    """A county user's "city" row is its whole subtree; its rows (county without park, park) sum to it."""
    configure_huainan(huainan)
    body = api_client(make_user(Role.STAFF, "county_a")).get(URL).json()
    assert [i["org_unit"] for i in body["items"]] == ["340402", "park-a"]
    assert body["city"]["actual"] == 60
    assert sum(i["actual"] for i in body["items"]) == 60
    assert [i["rank"] for i in body["items"]] == [3, 1]


def test_AC_cockpit_ranks_maoji_among_counties(huainan: dict[str, OrgUnit], make_user: Any) -> None:
    configure_huainan(huainan)
    leader = make_user(Role.LEADER, "city")
    cockpit = cockpit_for(leader, year=2026, as_of=SEP30)
    rows = {r.unit.code: r for r in cockpit.progress.items}
    assert rows["park-m"].group is not None
    assert (rows["park-m"].group.code, rows["park-m"].rank) == ("counties", 1)
    assert rows["340402"].actual == Decimal(10)
    assert cockpit.progress.city is not None
    assert cockpit.progress.city.actual == Decimal(115)
    # The unit chart's bar of county A opens the records of its ranked row.
    html = web_client(leader).get("/cockpit/?year=2026&as_of=2026-09-30").content.decode()
    assert "org_unit=340402" in html
    assert "ranked=1" in html


def test_queries_stay_constant_with_groups(
    huainan: dict[str, OrgUnit], project: Callable[..., Project], make_user: Any
) -> None:
    configure_huainan(huainan)
    client = api_client(make_user(Role.LEADER, "city"))
    parks = RankingGroup.objects.get(code="parks")

    def add_units(n: int) -> None:
        for i in range(n):
            unit = OrgUnit.objects.create(
                code=f"gx-{OrgUnit.objects.count()}", name=f"园区{i}", kind=OrgUnitKind.PARK, parent=huainan["county_b"]
            )
            RankingGroupMember.objects.create(group=parks, org_unit=unit, rolls_up=i % 2 == 0)
            p = project("county_b")
            p.org_unit = unit
            p.save()
            fund(p, dt.date(2026, 2, 1), "1.5")
            Target.objects.create(year=2026, indicator="external_funds", org_unit=unit, value=Decimal(1), unit="亿元")

    add_units(1)
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    add_units(9)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# ---- the editor --------------------------------------------------------------------------------


def test_city_admin_edits_groups_through_the_api_audited(huainan: dict[str, OrgUnit], make_user: Any) -> None:
    admin = make_user(Role.CITY_ADMIN, "city")
    RankingGroup.objects.all().delete()
    client = api_client(admin)
    body = {
        "name": "县区",
        "order": 10,
        "min_matters": 3,
        "members": [{"org_unit": "340402"}, {"org_unit": "340403"}, {"org_unit": "park-m"}],
    }
    r = client.put("/api/v1/targets/groups/counties", body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert [m["org_unit"] for m in r.json()["members"]] == ["340402", "340403", "park-m"]
    assert r.json()["min_matters"] == 3
    record = AuditRecord.objects.filter(action="ranking_group.save").latest("pk")
    assert record.after is not None
    assert record.after["members"][2] == {"org_unit": "park-m", "rolls_up": True}
    listed = client.get("/api/v1/targets/groups").json()
    assert [g["code"] for g in listed] == ["counties"]
    items = {i["org_unit"]: i for i in client.get(URL).json()["items"]}
    assert items["park-m"]["group"] == "counties"
    assert client.delete("/api/v1/targets/groups/counties").status_code == 204
    assert not RankingGroup.objects.exists()
    assert AuditRecord.objects.filter(action="ranking_group.delete").exists()


@pytest.mark.parametrize(
    ("members", "field"),
    [
        ([{"org_unit": "340402"}, {"org_unit": "340402"}], "members.1.org_unit"),
        ([{"org_unit": "dept-fgw"}, {"org_unit": "park-g"}], "members.1.org_unit"),  # park G is in "parks"
        ([{"org_unit": "nowhere"}], "members.0.org_unit"),
        ([{"org_unit": "sg-01"}], "members.0.org_unit"),  # a service group is not ranked
        ([{"org_unit": "340402", "rolls_up": "yes"}], "members.0.rolls_up"),
    ],
)
def test_a_unit_twice_or_in_two_groups_is_422_and_changes_nothing(
    huainan: dict[str, OrgUnit], make_user: Any, members: list[dict[str, Any]], field: str
) -> None:
    configure_huainan(huainan)
    before = sorted(RankingGroupMember.objects.values_list("group__code", "org_unit__code", "rolls_up"))
    admin = make_user(Role.CITY_ADMIN, "city")
    body = {"name": "新组", "members": members}
    r = api_client(admin).put("/api/v1/targets/groups/new", body, content_type="application/json")
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == field
    assert sorted(RankingGroupMember.objects.values_list("group__code", "org_unit__code", "rolls_up")) == before
    assert not RankingGroup.objects.filter(code="new").exists()


def test_only_the_city_admin_edits_groups(huainan: dict[str, OrgUnit], make_user: Any) -> None:
    leader = make_user(Role.LEADER, "city")
    r = api_client(leader).put("/api/v1/targets/groups/x", {"name": "X"}, content_type="application/json")
    assert r.status_code == 403
    assert api_client(leader).get("/api/v1/targets/groups").status_code == 200
    assert web_client(leader).get("/targets/groups/").status_code == 403
    with pytest.raises(PermissionDenied):
        ranking_group_save(acting_user=leader, data=RankingGroupInput.parse({"code": "x", "name": "X"}))


def test_the_page_saves_a_group_and_reshows_a_refusal(huainan: dict[str, OrgUnit], make_user: Any) -> None:
    configure_huainan(huainan)
    client = web_client(make_user(Role.CITY_ADMIN, "city"))
    assert client.get("/targets/groups/").status_code == 200
    page = client.get("/targets/groups/edit/?code=parks")
    assert 'name="own_rank" value="park-a" aria-label' in page.content.decode()
    form = {"code": "parks", "name": "开发区/园区", "order": "20", "min_matters": "2",
            "member": ["park-g", "park-a"], "own_rank": []}
    assert client.post("/targets/groups/edit/", form).status_code == 302
    assert RankingGroupMember.objects.get(org_unit=huainan["park_a"]).rolls_up is True
    # 340402 is a county already in 县区: the page shows the refusal, nothing changes.
    bad = client.post("/targets/groups/edit/", {**form, "member": ["park-g", "340402"]})
    assert bad.status_code == 400
    assert "县区" in bad.content.decode()
    assert RankingGroupMember.objects.filter(group__code="parks").count() == 2
    assert RankingGroupMember.objects.get(org_unit=huainan["county_a"]).group.code == "counties"


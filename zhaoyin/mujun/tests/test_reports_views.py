"""The report pages and API (issue 14 item 6): overview, distribution per park and county
(aggregates Σ tax ÷ Σ land, ranking, 后十名), the drill-down, a firm over the years (an
enterprise sees only its own: 404 else), 低效用地 with its export; bad parameters → 400 / 422
naming them; query counts."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.matching.tests.support import api_client, web_client
from zhaoyin.mujun.models import MuInput, Parcel, ParcelHolding
from zhaoyin.mujun.testing import Firm, make_published_run
from zhaoyin.mujun.tests.report_fixtures import YEAR, MuWorld, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def mu(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> MuWorld:
    return build_world(org_tree, make_user)


def test_the_distribution_by_county_aggregates_tax_over_land_and_ranks(mu: MuWorld) -> None:
    response = web_client(mu.office).get(reverse("mujun:distribution"), {"run": str(mu.run.pk), "by": "county"})
    assert response.status_code == 200
    dist = response.context["dist"]
    by_code = {g.unit.code: g for g in dist.groups if g.unit}
    # County A: (900 + 120) ÷ (30 + 20) = 20.40; county B: (600 + 40) ÷ (25 + 40) = 9.85.
    assert by_code["340402"].tax_per_mu == Decimal("20.40")
    assert by_code["340402"].rank == 1
    assert by_code["340403"].tax_per_mu == Decimal("9.85")
    assert by_code["340403"].rank == 2
    assert by_code["340402"].revenue_per_mu == Decimal("300.00")
    assert dist.total.grade_counts == [1, 1, 1, 1]
    assert [r.enterprise_id for r in dist.bottom["above"]] == [mu.b2.pk, mu.a2.pk, mu.b1.pk, mu.a1.pk]


def test_by_park_the_firms_outside_any_park_form_their_own_group(mu: MuWorld) -> None:
    dist = web_client(mu.office).get(reverse("mujun:distribution"), {"by": "park"}).context["dist"]
    assert [(g.unit.code if g.unit else None, g.firms) for g in dist.groups] == [("park-a", 1), (None, 3)]


def test_a_county_sees_its_own_firms_only(mu: MuWorld) -> None:
    dist = web_client(mu.staff_a).get(reverse("mujun:distribution")).context["dist"]
    assert dist.total.firms == 2
    assert {r.enterprise_id for rows in dist.bottom.values() for r in rows} == {mu.a1.pk, mu.a2.pk}


@pytest.mark.parametrize(("params", "field"), [({"by": "region"}, "by"), ({"run": "x"}, "run")])
def test_a_bad_parameter_is_named(mu: MuWorld, params: dict[str, str], field: str) -> None:
    response = web_client(mu.office).get(reverse("mujun:distribution"), params)
    assert response.status_code == 400
    assert [e["field"] for e in response.context["errors"]] == [field]


def test_the_overview_charts_the_latest_published_run_and_drills_down(mu: MuWorld) -> None:
    response = web_client(mu.leader).get(reverse("mujun:overview"))
    assert response.status_code == 200
    items = response.context["charts"]["grades"]["items"]
    assert [(i["name"], i["value"]) for i in items] == [("A", 1), ("B", 1), ("C", 1), ("D", 1)]
    drill = web_client(mu.leader).get(items[3]["url"])
    assert [r.enterprise_id for r in drill.context["page"]] == [mu.b2.pk]


def test_the_firm_page_shows_the_years_and_the_radar_and_hides_other_firms(mu: MuWorld) -> None:
    make_published_run(YEAR - 1, [Firm(mu.a1, "B", "70.00", figures={"tax": "600", "land_mu": "30"})],
                       user=mu.office)
    response = web_client(mu.portal).get(reverse("mujun:firm", kwargs={"enterprise_id": mu.a1.pk}))
    assert response.status_code == 200
    assert [i["name"] for i in response.context["charts"]["scores"]["items"]] == [str(YEAR - 1), str(YEAR)]
    # 亩均税收 900 ÷ 30 = 30 against 20 → 1.50; 亩均营收 400 against 300 → 1.33.
    assert [(a.name, a.ratio) for a in response.context["axes"]] == [("亩均税收", Decimal("1.50")),
                                                                       ("亩均营收", Decimal("1.33"))]
    for other in (mu.b1, mu.a2):
        assert web_client(mu.portal).get(reverse("mujun:firm", kwargs={"enterprise_id": other.pk})).status_code == 404
    assert web_client(mu.staff_a).get(reverse("mujun:firm", kwargs={"enterprise_id": mu.b1.pk})).status_code == 404


def test_low_efficiency_lists_idle_all_d_and_low_tax_parcels_per_park(mu: MuWorld) -> None:
    park = mu.units["park_a"]
    Parcel.objects.create(code="P-IDLE", park=park, area_mu=Decimal("12.5"))
    d_only = Parcel.objects.create(code="P-D", area_mu=Decimal("40"))
    good = Parcel.objects.create(code="P-A", park=park, area_mu=Decimal("30"))
    ParcelHolding.objects.create(parcel=d_only, year=YEAR, enterprise=mu.b2, area_mu=Decimal("40"))
    ParcelHolding.objects.create(parcel=good, year=YEAR, enterprise=mu.a1, area_mu=Decimal("30"))
    MuInput.objects.create(enterprise=mu.a1, year=YEAR, figure="tax", value=Decimal("900"), source="tax")
    client = web_client(mu.office)
    page = client.get(reverse("mujun:low_efficiency"), {"year": str(YEAR)})
    assert [(p.unit.code if p.unit else None, [x.parcel.code for x in p.parcels]) for p in page.context["parks"]] == [
        ("park-a", ["P-IDLE"]), (None, ["P-D"])]
    assert page.context["total_area"] == Decimal("52.5")
    # With a line of 40 万元/亩 the A firm's parcel (30) is low too.
    page = client.get(reverse("mujun:low_efficiency"), {"year": str(YEAR), "threshold": "40"})
    assert [x.parcel.code for x in page.context["parks"][0].parcels] == ["P-A", "P-IDLE"]
    assert client.get(reverse("mujun:low_efficiency"), {"threshold": "-1"}).status_code == 400
    export = client.get(reverse("mujun:low_efficiency_export"), {"year": str(YEAR)})
    rows = [list(r) for r in load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True)]
    assert rows[1][:4] == ["园区", "地块编号", "坐落", "面积（亩）"]
    assert rows[-1][0] == "合计"
    assert rows[-1][3] == 52.5
    # County A's staff see park A's parcels, not the unparked one held by a county B firm.
    staff = web_client(mu.staff_a).get(reverse("mujun:low_efficiency"), {"year": str(YEAR)})
    assert [p.unit.code for p in staff.context["parks"]] == ["park-a"]


def test_the_api_distribution_and_exports(mu: MuWorld) -> None:
    client = api_client(mu.office)
    answer = client.get("/api/v1/mu-reports/distribution", {"run": str(mu.run.pk), "by": "county"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["groups"][0]["unit"] == "340402"
    assert body["groups"][0]["tax_per_mu"] == "20.40"
    assert body["total"]["grades"] == {"A": 1, "B": 1, "C": 1, "D": 1, "none": 0}
    assert client.get("/api/v1/mu-reports/distribution", {"by": "region"}).status_code == 422
    export = client.get(f"/api/v1/mu-runs/{mu.run.pk}/exports/surcharge")
    assert export.status_code == 200
    assert export.content.startswith(b"PK")
    assert client.get(f"/api/v1/mu-runs/{mu.run.pk}/exports/other").status_code == 422
    created = client.post(f"/api/v1/mu-runs/{mu.run.pk}/rectifications")
    assert created.status_code == 201
    assert created.json()["created"] == 1
    assert client.post(f"/api/v1/mu-runs/{mu.run.pk}/rectifications").json()["created"] == 0
    low = client.get("/api/v1/mu-reports/low-efficiency", {"year": str(YEAR), "threshold": "10"})
    assert low.status_code == 200
    assert low.json()["parks"] == []


def test_the_list_pages_query_counts_do_not_grow_with_the_firms(
    mu: MuWorld, django_assert_max_num_queries: Any
) -> None:
    client = web_client(mu.office)
    client.get(reverse("mujun:overview"))  # warm the session and caches
    with django_assert_max_num_queries(16):
        assert client.get(reverse("mujun:distribution"), {"run": str(mu.run.pk)}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("mujun:report_results", kwargs={"pk": mu.run.pk})).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("mujun:overview")).status_code == 200

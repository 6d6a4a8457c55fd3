"""The /api/v1/apartments, /apartment-buildings, /apartment-applications and /tenancies
contract: shapes, 201/409/422/403/404, scope (AC-03), the talent's own view (no internal
fields), and that a refused request changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from zhaoyin.accounts.models import User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.apartments.models import Application, ApplicationState, Tenancy, UnitState
from zhaoyin.apartments.tests.conftest import Housing
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_units_list_counts_only_the_scope_AC_03(housing: Housing) -> None:
    housing.unit("101")
    housing.unit("102", state=UnitState.MAINTENANCE)
    housing.unit("201", building=housing.building_b)
    data = api(housing.staff_a).get("/api/v1/apartments").json()
    assert data["count"] == 2
    assert {u["number"] for u in data["items"]} == {"101", "102"}
    assert api(housing.office).get("/api/v1/apartments").json()["count"] == 3
    data = api(housing.office).get("/api/v1/apartments?state=maintenance").json()
    assert [u["number"] for u in data["items"]] == ["102"]
    first = data["items"][0]
    assert first["building"] == {"id": housing.building_a.pk, "name": housing.building_a.name}
    assert first["area_m2"] == "68.50"
    assert first["monthly_rent"] == "1200.00"


def test_a_unit_out_of_scope_is_404_like_an_unknown_one_AC_03(housing: Housing) -> None:
    other = housing.unit("201", building=housing.building_b)
    client = api(housing.staff_a)
    assert client.get(f"/api/v1/apartments/{other.pk}").status_code == 404
    assert client.get("/api/v1/apartments/999999").status_code == 404


def test_a_bad_filter_is_422_naming_it(housing: Housing) -> None:
    response = api(housing.office).get("/api/v1/apartments?state=broken")
    assert response.status_code == 422
    assert "state" in response.content.decode()


def test_buildings_carry_their_counts(housing: Housing) -> None:
    housing.unit("101")
    housing.unit("102", state=UnitState.OCCUPIED)
    data = api(housing.staff_a).get("/api/v1/apartment-buildings").json()
    assert data["count"] == 1
    row = data["items"][0]
    assert (row["units"], row["occupied"], row["available"]) == (2, 1, 1)
    assert api(housing.staff_a).get(f"/api/v1/apartment-buildings/{housing.building_b.pk}").status_code == 404


def test_create_a_building_201_and_422(housing: Housing) -> None:
    client = api(housing.office)
    body = {"name": "新建人才公寓", "address": "淮南市山南新区1号", "org_unit": housing.units["county_a"].code,
            "operator": "城投"}
    response = post(client, "/api/v1/apartment-buildings", body)
    assert response.status_code == 201, response.content
    assert response.json()["units"] == 0
    before = db_fingerprint()
    response = post(client, "/api/v1/apartment-buildings", {**body, "name": ""})
    assert response.status_code == 422
    assert "name" in response.content.decode()
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_a_reader_cannot_create_a_building_403(housing: Housing) -> None:
    body = {"name": "领导楼", "address": "x", "org_unit": housing.units["county_a"].code,
            "operator": ""}
    assert post(api(housing.leader), "/api/v1/apartment-buildings", body).status_code == 403


def test_the_whole_path_through_the_api(housing: Housing) -> None:
    unit = housing.unit("301")
    client = api(housing.office)
    response = post(client, "/api/v1/apartment-applications",
                    {"talent": housing.talent_a.pk, "preferred_layout": "two_bed", "reason": "新引进"})
    assert response.status_code == 201, response.content
    app = response.json()
    assert app["state"] == "submitted"
    assert app["talent"] == {"id": housing.talent_a.pk, "name": "甲博士", "tier": "B"}
    url = f"/api/v1/apartment-applications/{app['id']}/actions"
    app = post(client, f"{url}/review", {"version": app["version"]}).json()
    assert app["state"] == "waitlisted"
    assert app["waitlist_position"] == 1
    app = post(client, f"{url}/allocate", {"unit": unit.pk, "version": app["version"]}).json()
    assert app["state"] == "allocated"
    assert app["unit"]["number"] == "301"
    response = post(client, f"{url}/contract",
                    {"start": "2026-01-01", "end": "2027-12-31", "deposit": "2400", "version": app["version"]})
    assert response.status_code == 200, response.content
    app = response.json()
    assert app["state"] == "contracted"
    tenancy = api(housing.office).get(f"/api/v1/tenancies/{app['tenancy']}").json()
    assert tenancy["reduction_percent"] == "80.00"
    assert tenancy["rent_payable"] == "240.00"
    assert tenancy["deposit"] == "2400.00"
    assert tenancy["application"] == app["id"]
    response = post(client, f"{url}/renew", {"end": "2028-12-31", "version": tenancy["version"]})
    assert response.status_code == 200, response.content
    tenancy = api(housing.office).get(f"/api/v1/tenancies/{app['tenancy']}").json()
    assert tenancy["end"] == "2028-12-31"
    assert tenancy["renewals"][0]["previous_end"] == "2027-12-31"


def test_contract_ending_before_it_starts_is_422_on_end_and_changes_nothing(housing: Housing) -> None:
    app = housing.allocated(housing.talent_a, housing.unit("302"))
    client = api(housing.office)
    before = db_fingerprint()
    response = post(client, f"/api/v1/apartment-applications/{app.pk}/actions/contract",
                    {"start": "2026-06-01", "end": "2026-01-01", "deposit": "100", "version": app.version})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["end"]
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_a_step_the_table_does_not_allow_is_409(housing: Housing) -> None:
    app = housing.apply(housing.talent_a)
    response = post(api(housing.office), f"/api/v1/apartment-applications/{app.pk}/actions/contract",
                    {"start": "2026-01-01", "end": "2026-12-31", "deposit": "0", "version": app.version})
    assert response.status_code == 409
    assert Application.objects.get(pk=app.pk).state == ApplicationState.SUBMITTED


def test_a_stale_version_is_409(housing: Housing) -> None:
    app = housing.apply(housing.talent_a)
    response = post(api(housing.office), f"/api/v1/apartment-applications/{app.pk}/actions/review",
                    {"version": app.version + 5})
    assert response.status_code == 409


def test_an_unknown_action_is_422(housing: Housing) -> None:
    app = housing.apply(housing.talent_a)
    response = post(api(housing.office), f"/api/v1/apartment-applications/{app.pk}/actions/explode", {})
    assert response.status_code == 422


def test_staff_of_another_county_get_404_on_an_application_AC_03(housing: Housing) -> None:
    app = housing.apply(housing.talent_a)
    client = api(housing.staff_b)
    assert client.get(f"/api/v1/apartment-applications/{app.pk}").status_code == 404
    response = post(client, f"/api/v1/apartment-applications/{app.pk}/actions/review", {"version": app.version})
    assert response.status_code == 404
    assert Application.objects.get(pk=app.pk).state == ApplicationState.SUBMITTED


def test_the_talent_applies_for_themself_and_sees_only_their_own(housing: Housing) -> None:
    housing.apply(housing.talent_a)
    client = api(housing.talent_user)
    response = post(client, "/api/v1/apartment-applications", {"preferred_layout": "one_bed", "reason": "刚到"})
    assert response.status_code == 201, response.content
    mine = response.json()
    assert mine["talent"]["id"] == housing.own.pk
    data = client.get("/api/v1/apartment-applications").json()
    assert [a["id"] for a in data["items"]] == [mine["id"]]
    # No internal field on the talent's answers.
    assert "review_note" not in mine
    assert "reviewed_by" not in mine
    # A second application while one is on its way: 409.
    again = post(client, "/api/v1/apartment-applications", {"preferred_layout": "", "reason": ""})
    assert again.status_code == 409


def test_the_talent_cannot_review_their_own_application_403(housing: Housing) -> None:
    app = housing.apply(housing.own)
    response = post(api(housing.talent_user), f"/api/v1/apartment-applications/{app.pk}/actions/review",
                    {"version": app.version})
    assert response.status_code == 403
    assert Application.objects.get(pk=app.pk).state == ApplicationState.SUBMITTED


def test_the_talent_cannot_list_units_or_buildings(housing: Housing) -> None:
    client = api(housing.talent_user)
    assert client.get("/api/v1/apartments").status_code == 403
    assert client.get("/api/v1/apartment-buildings").status_code == 403


def test_expiring_tenancies_are_filtered(housing: Housing) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    soon = housing.contracted(housing.talent_a, housing.unit("401"), start=today - dt.timedelta(days=300),
                              end=today + dt.timedelta(days=30))
    housing.contracted(housing.own, housing.unit("402"), start=today - dt.timedelta(days=10),
                       end=today + dt.timedelta(days=400))
    data = api(housing.office).get("/api/v1/tenancies?expiring=true").json()
    assert [t["id"] for t in data["items"]] == [soon.pk]
    assert api(housing.office).get("/api/v1/tenancies").json()["count"] == 2
    # The talent sees their own tenancy only.
    own = api(housing.talent_user).get("/api/v1/tenancies").json()
    assert [t["talent"]["id"] for t in own["items"]] == [housing.own.pk]
    assert Tenancy.objects.count() == 2

"""API /api/v1/enterprises (DESIGN 5.1): shapes, create/patch/figures, 422 naming the field
with nothing changed, 409 on a stale version, exact decimals."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from conftest import MakeUser
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.enterprises.models import Enterprise, EnterpriseFigure
from zhaoyin.enterprises.tests.conftest import MakeEnterprise, api_client, uscc_for

BASE = "/api/v1/enterprises"


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body) if not isinstance(body, str) else body, content_type="application/json")


def patch(client: Client, url: str, body: Any) -> Any:
    return client.patch(url, json.dumps(body) if not isinstance(body, str) else body, content_type="application/json")


def new_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "淮南锂电新能源有限公司",
        "uscc": uscc_for(501, "340402"),
        "org_unit": "340402",
        "industry": "nev",
        "size_class": "above",
        "qualifications": ["高新技术企业"],
        "land_mu": "88.80",
        "employees": 300,
        "founded_on": "2019-09-09",
        "legal_representative": "陈七",
        "address": "大通区新能源路1号",
        "service_group": "sg-01",
    }
    body.update(overrides)
    return body


@pytest.fixture
def staff_api(make_user: MakeUser) -> Client:
    return api_client(make_user(Role.STAFF, unit="county_a"))


def test_create_returns_201_with_the_documented_shape(staff_api: Client) -> None:
    response = post(staff_api, BASE, new_body())
    assert response.status_code == 201, response.content
    body = response.json()
    e = Enterprise.objects.get(pk=body["id"])
    assert body == {
        "id": e.pk,
        "name": "淮南锂电新能源有限公司",
        "uscc": uscc_for(501, "340402"),
        "org_unit": {"id": e.org_unit.pk, "code": "340402", "name": "大通区"},
        "industry": {"code": "nev", "name": "新能源汽车及零部件"},
        "size_class": "above",
        "qualifications": ["高新技术企业"],
        "land_mu": "88.80",
        "employees": 300,
        "founded_on": "2019-09-09",
        "legal_representative": "陈七",
        "address": "大通区新能源路1号",
        "service_group": "sg-01",
        "version": 1,
        "updated_at": body["updated_at"],
    }
    assert AuditRecord.objects.filter(action="enterprise.create", object_id=str(e.pk), channel="api").count() == 1


def test_list_detail_and_paging(staff_api: Client, make_enterprise: MakeEnterprise) -> None:
    for i in range(7):
        make_enterprise(f"企业{i}")
    response = staff_api.get(BASE, {"page": 2, "page_size": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    assert [i["name"] for i in body["items"]] == ["企业5", "企业6"]
    one = staff_api.get(f"{BASE}/{body['items'][0]['id']}").json()
    assert one["name"] == "企业5"
    assert one["qualifications"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": 201}, "page_size"),
        ({"industry": "astrology"}, "industry"),
        ({"sort": "uscc"}, "sort"),
        ({"org_unit": "nowhere"}, "org_unit"),
        ({"q": "a\x00"}, "q"),
    ],
)
def test_list_bad_parameters_are_422_naming_them(staff_api: Client, query: dict[str, Any], field: str) -> None:
    response = staff_api.get(BASE, query)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"uscc": uscc_for(501, "340402")[:17] + "I"}, "uscc"),
        ({"uscc": "914403001922038217"}, "uscc"),  # wrong check character
        ({"uscc": 914403001922038216}, "uscc"),  # a number, not text
        ({"founded_on": "2019-9-9"}, "founded_on"),
        ({"founded_on": "yesterday"}, "founded_on"),
        ({"org_unit": "999999"}, "org_unit"),
        ({"org_unit": "340403"}, "org_unit"),  # county B, outside the caller's scope
        ({"industry": "astrology"}, "industry"),
        ({"land_mu": True}, "land_mu"),
        ({"land_mu": "1e400"}, "land_mu"),
        ({"land_mu": 1.005}, "land_mu"),  # three decimal places
        ({"employees": 1.5}, "employees"),
        ({"qualifications": "高新技术企业"}, "qualifications"),
        ({"approved": True}, "approved"),
        ({"version": 3}, "version"),
        ({"name": None}, "name"),
    ],
)
def test_VAL_01_bad_create_is_422_naming_the_field_and_changes_nothing(
    staff_api: Client, overrides: dict[str, Any], field: str
) -> None:
    before = db_fingerprint()
    response = post(staff_api, BASE, new_body(**overrides))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"]
    assert field in [e["field"] for e in body["errors"]]
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_VAL_01_missing_required_field_is_422(staff_api: Client) -> None:
    body = new_body()
    del body["uscc"]
    response = post(staff_api, BASE, body)
    assert response.status_code == 422
    assert "uscc" in [e["field"] for e in response.json()["errors"]]


def test_VAL_01_duplicate_credit_code_is_422(staff_api: Client, make_enterprise: MakeEnterprise) -> None:
    existing = make_enterprise(unit="county_b")
    before = db_fingerprint()
    response = post(staff_api, BASE, new_body(uscc=existing.uscc.lower()))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "uscc"
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_malformed_json_is_not_a_500(staff_api: Client) -> None:
    response = post(staff_api, BASE, '{"name": ')
    assert 400 <= response.status_code < 500


def test_amounts_are_exact_decimals_from_numbers_and_strings(staff_api: Client) -> None:
    created = post(staff_api, BASE, json.dumps(new_body()).replace('"88.80"', "9999999999.99")).json()
    assert created["land_mu"] == "9999999999.99"
    e = Enterprise.objects.get(pk=created["id"])
    url = f"{BASE}/{e.pk}/figures"
    # A float would turn this into 99999999999999.98; the body's own text is used instead.
    raw = '{"year": 2025, "revenue_wan": 9999999999999.99, "tax_wan": "0.10", "rd_wan": 3}'
    response = post(staff_api, url, raw)
    assert response.status_code == 201, response.content
    assert response.json()["revenue_wan"] == "9999999999999.99"
    assert (response.json()["tax_wan"], response.json()["rd_wan"]) == ("0.10", "3.00")
    assert EnterpriseFigure.objects.get(enterprise=e).revenue_wan == Decimal("9999999999999.99")
    # The body is written by hand: as a float, 1.0000000000000001 is 1.0 and would pass as 1.00;
    # read from the body's text it has too many decimal places.
    before = db_fingerprint()
    response = post(staff_api, url, '{"year": 2026, "tax_wan": 1.0000000000000001}')
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "tax_wan"
    assert_fingerprint_unchanged(before, db_fingerprint())
    # One cent past the largest amount is refused, not stored as something else.
    assert post(staff_api, url, '{"year": 2026, "tax_wan": 10000000000000.00}').status_code == 422
    assert post(staff_api, url, {"year": 2026, "tax_wan": "99999999999999.99"}).status_code == 422


def test_patch_changes_only_the_fields_sent(staff_api: Client, make_enterprise: MakeEnterprise) -> None:
    e = make_enterprise("旧名", address="旧地址", employees=10)
    response = patch(staff_api, f"{BASE}/{e.pk}", {"employees": 12, "qualifications": ["专精特新"]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["address"], body["employees"], body["qualifications"], body["version"]) == (
        "旧名",
        "旧地址",
        12,
        ["专精特新"],
        2,
    )


def test_CONC_01_patch_with_a_stale_version_is_409_and_changes_nothing(
    staff_api: Client, make_enterprise: MakeEnterprise
) -> None:
    e = make_enterprise("旧名")
    assert patch(staff_api, f"{BASE}/{e.pk}", {"name": "甲", "version": 1}).status_code == 200
    before = db_fingerprint()
    response = patch(staff_api, f"{BASE}/{e.pk}", {"name": "乙", "version": 1})
    assert response.status_code == 409
    assert response.json()["detail"]
    assert_fingerprint_unchanged(before, db_fingerprint())
    assert patch(staff_api, f"{BASE}/{e.pk}", {"name": "乙", "version": 2}).json()["version"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"uscc": "914403001922038217"}, "uscc"),
        ({"founded_on": "2020-02-31"}, "founded_on"),
        ({"org_unit": "nowhere"}, "org_unit"),
        ({"search_text": "x"}, "search_text"),
        ({"version": "one"}, "version"),
    ],
)
def test_VAL_01_bad_patch_is_422_and_changes_nothing(
    staff_api: Client, make_enterprise: MakeEnterprise, body: dict[str, Any], field: str
) -> None:
    e = make_enterprise("旧名")
    before = db_fingerprint()
    response = patch(staff_api, f"{BASE}/{e.pk}", body)
    assert response.status_code == 422, response.content
    assert field in [x["field"] for x in response.json()["errors"]]
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_figures_post_upserts_and_get_lists_years(staff_api: Client, make_enterprise: MakeEnterprise) -> None:
    e = make_enterprise()
    url = f"{BASE}/{e.pk}/figures"
    assert post(staff_api, url, {"year": 2024, "revenue_wan": "100", "source": "tax"}).status_code == 201
    again = post(staff_api, url, {"year": 2024, "tax_wan": 5.5, "electricity_kwh": 120000})
    assert again.status_code == 200
    assert (again.json()["revenue_wan"], again.json()["tax_wan"], again.json()["source"]) == ("100.00", "5.50", "tax")
    cleared = post(staff_api, url, {"year": 2024, "revenue_wan": None})
    assert cleared.json()["revenue_wan"] is None
    post(staff_api, url, {"year": 2025, "employees": 40})
    listing = staff_api.get(url).json()
    assert listing["count"] == 2
    assert [f["year"] for f in listing["items"]] == [2025, 2024]
    assert AuditRecord.objects.filter(action="enterprise.figures", object_id=str(e.pk)).count() == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "year"),
        ({"year": 1900}, "year"),
        ({"year": True}, "year"),
        ({"year": 2025, "tax_wan": "abc"}, "tax_wan"),
        ({"year": 2025, "tax_wan": -1}, "tax_wan"),
        ({"year": 2025, "tax_wan": False}, "tax_wan"),
        ({"year": 2025, "profit_wan": 1}, "profit_wan"),
        ({"year": 2025, "source": "rumour"}, "source"),
    ],
)
def test_VAL_01_bad_figures_are_422_and_change_nothing(
    staff_api: Client, make_enterprise: MakeEnterprise, body: dict[str, Any], field: str
) -> None:
    e = make_enterprise()
    before = db_fingerprint()
    response = post(staff_api, f"{BASE}/{e.pk}/figures", body)
    assert response.status_code == 422, response.content
    assert field in [x["field"] for x in response.json()["errors"]]
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_unknown_and_huge_ids_are_404_or_422_not_500(staff_api: Client) -> None:
    assert staff_api.get(f"{BASE}/999999").status_code == 404
    assert staff_api.get(f"{BASE}/{2**63}").status_code in (404, 422)
    assert staff_api.get(f"{BASE}/0").status_code in (404, 422)


def test_list_uses_the_same_filters_as_the_page(staff_api: Client, make_enterprise: MakeEnterprise) -> None:
    make_enterprise("淮南光电子材料有限公司", size_class="above", industry="it")
    make_enterprise("安徽电子科技公司", size_class="below", industry="it")
    body = staff_api.get(BASE, {"q": "电子", "size_class": "above", "industry": "it", "sort": "-name"}).json()
    assert [i["name"] for i in body["items"]] == ["淮南光电子材料有限公司"]

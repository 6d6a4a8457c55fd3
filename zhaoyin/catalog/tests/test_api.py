"""API: /catalog-items and the edition downloads."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.catalog import services
from zhaoyin.catalog.models import CatalogEdition, CatalogItem
from zhaoyin.catalog.tests.conftest import MakeItem, api_client
from zhaoyin.core.roles import Role

pytestmark = pytest.mark.django_db


def _body(org_tree: dict[str, OrgUnit]) -> dict[str, Any]:
    return {
        "name": "智能传感器项目",
        "industry": "it",
        "park": org_tree["park_a"].code,
        "investment_estimate_wan": 9876543210.99,
        "land_mu": "50",
        "contact_phone": "13900001111",
    }


def test_list_search_and_paging(make_user: MakeUser, make_item: MakeItem) -> None:
    for n in range(3):
        make_item(name=f"煤化工项目{n}")
    make_item(name="其他项目")
    client = api_client(make_user(Role.STAFF, unit="county_a"))
    data = client.get("/api/v1/catalog-items?q=煤化工&page=2&page_size=2").json()
    assert data["count"] == 3
    assert len(data["items"]) == 1
    assert data["items"][0]["contact_phone"] == "138****3322"  # masked for non-curators


def test_create_exact_decimal_and_full_phone_for_curator(make_user: MakeUser, org_tree: dict[str, OrgUnit]) -> None:
    response = api_client(make_user(Role.CITY_ADMIN)).post(
        "/api/v1/catalog-items", _body(org_tree), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["investment_estimate_wan"] == "9876543210.99"
    assert response.json()["contact_phone"] == "13900001111"


def test_leader_cannot_write(make_user: MakeUser, make_item: MakeItem, org_tree: dict[str, OrgUnit]) -> None:
    leader = api_client(make_user(Role.LEADER))
    item = make_item()
    assert leader.post("/api/v1/catalog-items", _body(org_tree), content_type="application/json").status_code == 403
    assert (
        leader.patch(f"/api/v1/catalog-items/{item.pk}", {"name": "x"}, content_type="application/json").status_code
        == 403
    )
    assert CatalogItem.objects.count() == 1
    assert leader.get(f"/api/v1/catalog-items/{item.pk}").status_code == 200


def test_bad_input_422_names_field(make_user: MakeUser, org_tree: dict[str, OrgUnit]) -> None:
    client = api_client(make_user(Role.CITY_ADMIN))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"investment_estimate_wan": "-5"}, "investment_estimate_wan"),
        ({"investment_estimate_wan": True}, "investment_estimate_wan"),
        ({"surprise": 1}, "surprise"),
    ]
    for patch, field in cases:
        response = client.post("/api/v1/catalog-items", {**_body(org_tree), **patch}, content_type="application/json")
        assert response.status_code == 422, response.content
        assert field in {e["field"] for e in response.json()["errors"]}
    assert not CatalogItem.objects.exists()


def test_patch_with_stale_version_409(make_user: MakeUser, make_item: MakeItem) -> None:
    client = api_client(make_user(Role.CITY_ADMIN))
    item = make_item()
    ok = client.patch(f"/api/v1/catalog-items/{item.pk}", {"name": "改", "version": 1}, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = client.patch(
        f"/api/v1/catalog-items/{item.pk}", {"name": "再改", "version": 1}, content_type="application/json"
    )
    assert stale.status_code == 409


def test_edition_downloads_visibility(make_user: MakeUser, edition_with_items: CatalogEdition) -> None:
    admin, staff = api_client(make_user(Role.CITY_ADMIN)), api_client(make_user(Role.STAFF, unit="county_a"))
    url = f"/api/v1/catalog-editions/{edition_with_items.pk}"
    assert admin.get(url + "/pdf").status_code == 200
    assert staff.get(url + "/pdf").status_code == 404  # a draft does not exist for readers
    services.edition_publish(acting_user=None, edition=edition_with_items)
    response = staff.get(url + "/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    xlsx = staff.get(url + "/xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.max_row == 4
    services.edition_withdraw(acting_user=None, edition=edition_with_items)
    assert staff.get(url + "/xlsx").status_code == 404
    assert admin.get(url + "/xlsx").status_code == 200


@pytest.mark.parametrize(("query", "field"), [("industry=%00", "industry"), ("q=%18", "q"), ("park=a%00b", "park")])
def test_VAL_01_control_characters_in_a_filter_are_named_not_a_server_error(
    make_user: MakeUser, make_item: MakeItem, query: str, field: str
) -> None:
    make_item(name="煤化工项目")
    user = make_user(Role.STAFF, unit="county_a")
    response = api_client(user).get(f"/api/v1/catalog-items?{query}")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    client = Client()
    client.force_login(user)
    page = client.get(f"/catalog/?{query}")
    assert page.status_code == 400


def test_edition_list_and_detail_scoped_like_the_pages(make_user: MakeUser, edition_with_items: CatalogEdition) -> None:
    """Issue 16 item 9: a client learns an edition's id from the list (today only /{id}/pdf)."""
    from zhaoyin.catalog.inputs import EditionCreateInput, EditionItemsInput

    older = services.edition_create(acting_user=None, data=EditionCreateInput.of(title="2025年招商项目册", year=2025))
    one = [edition_with_items.items.order_by("pk").values_list("pk", flat=True)[0]]
    services.edition_set_items(acting_user=None, edition=older, data=EditionItemsInput.of(items=one))
    services.edition_publish(acting_user=None, edition=older)
    admin, staff = api_client(make_user(Role.CITY_ADMIN)), api_client(make_user(Role.STAFF, unit="county_a"))
    listed = admin.get("/api/v1/catalog-editions").json()
    assert listed["count"] == 2
    assert [(e["id"], e["year"], e["status"], e["item_count"]) for e in listed["items"]] == [
        (edition_with_items.pk, 2026, "draft", 3),
        (older.pk, 2025, "published", 1),
    ]
    # A reader sees published editions only, in the list and the detail alike.
    assert [e["id"] for e in staff.get("/api/v1/catalog-editions").json()["items"]] == [older.pk]
    assert staff.get(f"/api/v1/catalog-editions/{edition_with_items.pk}").status_code == 404
    assert staff.get("/api/v1/catalog-editions/999999").status_code == 404
    detail = admin.get(f"/api/v1/catalog-editions/{edition_with_items.pk}").json()
    assert detail["title"] == "2026年招商项目册"
    assert len(detail["item_ids"]) == detail["item_count"] == 3
    # Filters and paging as on the other lists.
    assert [e["id"] for e in admin.get("/api/v1/catalog-editions?year=2025").json()["items"]] == [older.pk]
    assert admin.get("/api/v1/catalog-editions?status=draft").json()["count"] == 1
    page = admin.get("/api/v1/catalog-editions?page=2&page_size=1").json()
    assert (page["count"], [e["id"] for e in page["items"]]) == (2, [older.pk])
    bad = admin.get("/api/v1/catalog-editions?year=1999")
    assert bad.status_code == 422
    assert "year" in bad.content.decode()

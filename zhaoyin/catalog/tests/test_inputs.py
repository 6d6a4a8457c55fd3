"""The typed inputs of the catalog (``catalog.inputs``): a bad value of each field is refused
naming the field, with nothing written — on the API and on the curator's pages (VAL-01)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.catalog.models import CatalogEdition, CatalogItem
from zhaoyin.catalog.tests.conftest import MakeItem, api_client, web_client
from zhaoyin.core.roles import Role

pytestmark = pytest.mark.django_db


def _body(org_tree: dict[str, OrgUnit]) -> dict[str, Any]:
    return {"name": "新项目", "industry": "it", "park": org_tree["park_a"].code, "investment_estimate_wan": "100"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"industry": "no-such-industry"}, "industry"),
        ({"industry": None}, "industry"),
        ({"park": "dept-fgw"}, "park"),
        ({"investment_estimate_wan": True}, "investment_estimate_wan"),
        ({"investment_estimate_wan": "-1"}, "investment_estimate_wan"),
        ({"land_mu": "1.234"}, "land_mu"),
        ({"construction_content": "x" * 5001}, "construction_content"),
        ({"market_analysis": 5}, "market_analysis"),
        ({"benefit_analysis": "x" * 5001}, "benefit_analysis"),
        ({"cooperation_mode": "barter"}, "cooperation_mode"),
        ({"contact_unit": "x" * 101}, "contact_unit"),
        ({"contact_person": "x" * 61}, "contact_person"),
        ({"contact_phone": "1" * 31}, "contact_phone"),
        ({"status": "gone"}, "status"),
    ],
)
def test_VAL_01_api_create_bad_value_names_its_field(
    make_user: MakeUser, org_tree: dict[str, OrgUnit], change: dict[str, Any], field: str
) -> None:
    client = api_client(make_user(Role.CITY_ADMIN))
    response = client.post("/api/v1/catalog-items", {**_body(org_tree), **change}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not CatalogItem.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"version": "1"}, "version"), ({"version": 0}, "version"), ({"name": ""}, "name"), ({"status": ""}, "status")],
)
def test_VAL_01_api_patch_bad_value_names_its_field(
    make_user: MakeUser, make_item: MakeItem, change: dict[str, Any], field: str
) -> None:
    item = make_item()
    client = api_client(make_user(Role.CITY_ADMIN))
    response = client.patch(f"/api/v1/catalog-items/{item.pk}", change, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    item.refresh_from_db()
    assert item.version == 1


@pytest.mark.parametrize(("change", "field"), [({"land_mu": "1.234"}, "land_mu"), ({"name": ""}, "name")])
def test_VAL_01_item_page_bad_value_is_shown_on_its_field(
    make_user: MakeUser, org_tree: dict[str, OrgUnit], change: dict[str, str], field: str
) -> None:
    data = {
        "name": "新项目", "industry": "1", "park": str(org_tree["park_a"].pk), "investment_estimate_wan": "5000",
        "cooperation_mode": "open", "status": "active", **change,
    }
    response = web_client(make_user(Role.CITY_ADMIN)).post(reverse("catalog:item_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert not CatalogItem.objects.exists()


@pytest.mark.parametrize(
    ("posted", "field"),
    [
        ({"title": "", "year": "2027"}, "title"),
        ({"title": "册", "year": "20x6"}, "year"),
        ({"title": "册", "year": "1999"}, "year"),
    ],
)
def test_VAL_01_edition_page_bad_value_is_shown_on_its_field(
    make_user: MakeUser, posted: dict[str, str], field: str
) -> None:
    response = web_client(make_user(Role.CITY_ADMIN)).post(reverse("catalog:edition_create"), posted)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert not CatalogEdition.objects.exists()

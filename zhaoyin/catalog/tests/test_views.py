"""Catalog pages: lists mask phones, the curator's forms, publish through the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.catalog.models import CatalogEdition, CatalogItem, EditionStatus
from zhaoyin.catalog.tests.conftest import MakeItem, web_client
from zhaoyin.core.roles import Role

pytestmark = pytest.mark.django_db


def test_list_filters_and_masks_phone(make_user: MakeUser, make_item: MakeItem) -> None:
    make_item(name="煤基新材料项目", industry="new_materials")
    make_item(name="智能终端项目", industry="it")
    client = web_client(make_user(Role.STAFF, unit="county_a"))
    page = client.get(reverse("catalog:item_list"), {"industry": "it"}).content.decode()
    assert "智能终端项目" in page
    assert "煤基新材料项目" not in page
    assert "138****3322" in page
    assert "13855443322" not in page
    assert client.get(reverse("catalog:item_list"), {"industry": "nope"}).status_code == 400


def test_detail_full_phone_only_for_curator(make_user: MakeUser, make_item: MakeItem) -> None:
    item = make_item()
    url = reverse("catalog:item_detail", args=[item.pk])
    assert "13855443322" in web_client(make_user(Role.CITY_ADMIN)).get(url).content.decode()
    assert "13855443322" not in web_client(make_user(Role.LEADER)).get(url).content.decode()


def test_create_form_bad_input_shows_field(make_user: MakeUser, org_tree: dict[str, OrgUnit]) -> None:
    client = web_client(make_user(Role.CITY_ADMIN))
    data = {
        "name": "新项目",
        "industry": "",
        "park": org_tree["park_a"].pk,
        "investment_estimate_wan": "-3",
        "cooperation_mode": "open",
        "status": "active",
    }
    response = client.post(reverse("catalog:item_create"), data)
    assert response.status_code == 400
    assert not CatalogItem.objects.exists()
    data["investment_estimate_wan"] = "5000"
    data["industry"] = "1"
    response = client.post(reverse("catalog:item_create"), data)
    assert response.status_code == 302
    assert CatalogItem.objects.get().name == "新项目"


def test_edition_flow_through_pages(make_user: MakeUser, make_item: MakeItem) -> None:
    client = web_client(make_user(Role.CITY_ADMIN))
    a, b = make_item(name="甲项目"), make_item(name="乙项目")
    response = client.post(reverse("catalog:edition_create"), {"title": "2027年招商项目册", "year": "2027"})
    edition = CatalogEdition.objects.get()
    assert response.status_code == 302
    publish = reverse("catalog:edition_publish", args=[edition.pk])
    empty = client.post(publish)
    assert empty.status_code == 400
    assert "没有条目" in empty.content.decode()
    edition.refresh_from_db()
    assert edition.status == EditionStatus.DRAFT
    client.post(reverse("catalog:edition_set_items", args=[edition.pk]), {f"pos-{b.pk}": "1", f"pos-{a.pk}": "2"})
    assert list(edition.entries.order_by("sort_order").values_list("item_id", flat=True)) == [b.pk, a.pk]
    assert client.post(publish).status_code == 302
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED
    detail = client.get(reverse("catalog:edition_detail", args=[edition.pk])).content.decode()
    assert "甲项目" in detail
    assert reverse("catalog:edition_withdraw", args=[edition.pk]) in detail
    assert reverse("catalog:edition_set_items", args=[edition.pk]) not in detail  # frozen

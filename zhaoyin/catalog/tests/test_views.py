"""Catalog pages: lists mask phones, the curator's forms, publish through the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
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
    client.post(reverse("catalog:edition_set_items", args=[edition.pk]), {"items": [str(b.pk), str(a.pk)]})
    assert list(edition.entries.order_by("sort_order").values_list("item_id", flat=True)) == [b.pk, a.pk]
    assert client.post(publish).status_code == 302
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED
    detail = client.get(reverse("catalog:edition_detail", args=[edition.pk])).content.decode()
    assert "甲项目" in detail
    assert reverse("catalog:edition_withdraw", args=[edition.pk]) in detail
    assert reverse("catalog:edition_set_items", args=[edition.pk]) not in detail  # frozen


def test_item_form_speaks_once_the_forms_and_the_models_errors_together(
    make_user: MakeUser, org_tree: dict[str, OrgUnit]
) -> None:
    client = web_client(make_user(Role.CITY_ADMIN))
    data = {"name": "", "industry": "1", "park": org_tree["park_a"].pk, "investment_estimate_wan": "-3",
            "cooperation_mode": "", "status": "active"}
    response = client.post(reverse("catalog:item_create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    # Django's required drop-down and the model's name and amount, all in one answer.
    assert set(errors) >= {"cooperation_mode", "name", "investment_estimate_wan"}
    assert errors["cooperation_mode"] == ["此项为必填项。"]
    assert errors["name"] == ["此项为必填项。"]
    assert not CatalogItem.objects.exists()


def test_edition_picks_items_by_checkbox_in_the_posted_order_and_keeps_them_on_an_error(
    make_user: MakeUser, make_item: MakeItem
) -> None:
    client = web_client(make_user(Role.CITY_ADMIN))
    a, b, c = make_item(name="甲项目"), make_item(name="乙项目"), make_item(name="丙项目")
    edition = CatalogEdition.objects.create(title="2027年招商项目册", year=2027)
    url = reverse("catalog:edition_set_items", args=[edition.pk])
    page = client.get(reverse("catalog:edition_detail", args=[edition.pk])).content.decode()
    for item in (a, b, c):
        assert f'type="checkbox" name="items" value="{item.pk}"' in page
    assert 'name="pos-' not in page  # no position boxes to type into

    # One bad entry (a tampered value): refused, named, nothing stored, the rest kept in order.
    before = list(AuditRecord.objects.values_list("pk", flat=True))
    response = client.post(url, {"items": [str(c.pk), "x", str(a.pk)]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "alert-danger" in html
    assert not edition.entries.exists()
    assert list(AuditRecord.objects.values_list("pk", flat=True)) == before
    rows = [int(r.split('"', 1)[0]) for r in html.split('<tr data-item="')[1:]]
    assert rows[:2] == [c.pk, a.pk]  # the posted choices first, in the posted order
    assert f'value="{c.pk}" id="item-{c.pk}" checked' in html
    assert f'value="{a.pk}" id="item-{a.pk}" checked' in html
    assert f'value="{b.pk}" id="item-{b.pk}">' in html  # not chosen, not ticked

    # A digit that is not a decimal one (a superscript "²", which str.isdigit accepts and int
    # refuses) is a bad entry like any other: 400 with the choices kept, never a 500.
    response = client.post(url, {"items": [str(c.pk), "²", str(a.pk)]})
    assert response.status_code == 400
    assert not edition.entries.exists()
    assert [int(r.split('"', 1)[0]) for r in response.content.decode().split('<tr data-item="')[1:]][:2] == [c.pk, a.pk]

    # The same choice without the bad entry is saved in the posted order.
    assert client.post(url, {"items": [str(c.pk), str(a.pk)]}).status_code == 302
    assert list(edition.entries.order_by("sort_order").values_list("item_id", flat=True)) == [c.pk, a.pk]
    page = client.get(reverse("catalog:edition_detail", args=[edition.pk])).content.decode()
    rows = [int(r.split('"', 1)[0]) for r in page.split('<tr data-item="')[1:]]
    assert rows == [c.pk, a.pk, b.pk]

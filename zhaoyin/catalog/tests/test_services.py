"""Catalog services: validation, curation rights, the edition state machine, audit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from conftest import MakeUser
from zhaoyin.audit.models import AuditRecord
from zhaoyin.catalog import flow, services
from zhaoyin.catalog.inputs import CatalogItemInput, CatalogItemUpdateInput, EditionCreateInput, EditionItemsInput
from zhaoyin.catalog.models import CatalogEdition, CatalogEditionItem, CatalogItem, EditionStatus
from zhaoyin.catalog.selectors import mask_phone
from zhaoyin.catalog.tests.conftest import MakeItem
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.roles import Role

pytestmark = pytest.mark.django_db


def test_item_create_stores_decimal_and_audits(make_item: MakeItem) -> None:
    item = make_item(investment_estimate_wan="12345.67")
    assert item.investment_estimate_wan == Decimal("12345.67")
    assert AuditRecord.objects.filter(action="catalog.item_create", object_id=str(item.pk)).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("investment_estimate_wan", "-1"),
        ("investment_estimate_wan", "abc"),
        ("land_mu", "1.234"),
        ("industry", "no-such-industry"),
        ("park", "dept-fgw"),  # a department is not a park
        ("cooperation_mode", "barter"),
        ("name", ""),
    ],
)
def test_item_bad_input_names_the_field_and_writes_nothing(make_item: MakeItem, field: str, value: Any) -> None:
    before = CatalogItem.objects.count()
    with pytest.raises(InvalidInput) as exc:
        make_item(**{field: value})
    assert field in {e["field"] for e in exc.value.errors}
    assert CatalogItem.objects.count() == before


def test_item_update_is_versioned(make_item: MakeItem) -> None:
    item = make_item()
    services.catalog_item_update(acting_user=None, item=item, data=CatalogItemUpdateInput.of(name="新名称", version=1))
    assert item.version == 2
    with pytest.raises(Conflict):
        services.catalog_item_update(
            acting_user=None, item=item, data=CatalogItemUpdateInput.of(name="又一个", version=1)
        )
    item.refresh_from_db()
    assert item.name == "新名称"


@pytest.mark.parametrize("role", [r for r in Role if r != Role.CITY_ADMIN])
def test_only_the_city_admin_curates(make_user: MakeUser, make_item: MakeItem, role: Role) -> None:
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        services.edition_create(acting_user=user, data=EditionCreateInput.of(title="2026年招商项目册", year=2026))
    with pytest.raises(PermissionDenied):
        services.catalog_item_create(
            acting_user=user,
            data=CatalogItemInput.of(name="x", industry="it", park="x", investment_estimate_wan="1"),
        )
    assert not CatalogEdition.objects.exists()


def test_AC_publish_without_items_is_refused_and_nothing_changes(make_user: MakeUser) -> None:
    admin = make_user(Role.CITY_ADMIN)
    edition = services.edition_create(
        acting_user=admin, data=EditionCreateInput.of(title="2026年招商项目册", year=2026)
    )
    audits = AuditRecord.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.edition_publish(acting_user=admin, edition=edition)
    assert exc.value.errors[0]["field"] == "items"
    assert "没有条目" in str(exc.value.detail)
    edition.refresh_from_db()
    assert edition.status == EditionStatus.DRAFT
    assert edition.published_at is None
    assert AuditRecord.objects.count() == audits


def test_publish_and_withdraw(make_user: MakeUser, edition_with_items: CatalogEdition) -> None:
    admin = make_user(Role.CITY_ADMIN)
    edition = services.edition_publish(acting_user=admin, edition=edition_with_items)
    assert edition.status == EditionStatus.PUBLISHED
    assert edition.published_by == admin
    assert edition.published_at is not None
    edition = services.edition_withdraw(acting_user=admin, edition=edition)
    assert edition.status == EditionStatus.WITHDRAWN
    actions = set(AuditRecord.objects.filter(object_id=str(edition.pk)).values_list("action", flat=True))
    assert {"catalog.edition_publish", "catalog.edition_withdraw"} <= actions


def test_published_edition_is_frozen(make_item: MakeItem, edition_with_items: CatalogEdition) -> None:
    edition = services.edition_publish(acting_user=None, edition=edition_with_items)
    extra = make_item()
    before = list(CatalogEditionItem.objects.filter(edition=edition).values_list("item_id", flat=True))
    with pytest.raises(Conflict):
        services.edition_set_items(acting_user=None, edition=edition, data=EditionItemsInput.of(items=[extra.pk]))
    after = list(CatalogEditionItem.objects.filter(edition=edition).values_list("item_id", flat=True))
    assert before == after


STATES = [s.value for s in EditionStatus]


@pytest.mark.parametrize("source", STATES)
@pytest.mark.parametrize("target", STATES)
def test_transition_table_is_exhaustive(
    make_item: MakeItem, edition_with_items: CatalogEdition, source: str, target: str
) -> None:
    """Every (from, to) pair: allowed pairs succeed through their one service, the rest 409."""
    allowed = {("draft", "published"): "edition_publish", ("published", "withdrawn"): "edition_withdraw"}
    table = {
        (str(s), str(r.target)): services.EDITION_SERVICES[r.action].__name__
        for r in flow.TABLE.rows
        for s in r.sources
    }
    assert table == allowed
    CatalogEdition.objects.filter(pk=edition_with_items.pk).update(status=source)
    edition_with_items.refresh_from_db()
    service = {"published": services.edition_publish, "withdrawn": services.edition_withdraw}.get(target)
    if service is None:
        # Nothing moves an edition back to draft.
        assert not any(r.target == target for r in flow.TABLE.rows)
        return
    if (source, target) in allowed:
        assert service(acting_user=None, edition=edition_with_items).status == target
    else:
        with pytest.raises(Conflict):
            service(acting_user=None, edition=edition_with_items)
        edition_with_items.refresh_from_db()
        assert edition_with_items.status == source


def test_set_items_refuses_duplicates_and_unknown_ids(edition_with_items: CatalogEdition) -> None:
    ids = list(edition_with_items.entries.values_list("item_id", flat=True))
    for bad in ([ids[0], ids[0]], [999_999], ["x"], "1,2"):
        with pytest.raises(InvalidInput) as exc:
            services.edition_set_items(
                acting_user=None, edition=edition_with_items, data=EditionItemsInput.of(items=bad)
            )
        assert exc.value.errors[0]["field"] == "items"
    assert list(edition_with_items.entries.order_by("sort_order").values_list("item_id", flat=True)) == ids


def test_edition_year_validated(make_user: MakeUser) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.edition_create(acting_user=None, data=EditionCreateInput.of(title="x", year="20x6"))
    assert exc.value.errors[0]["field"] == "year"
    assert not CatalogEdition.objects.exists()


def test_mask_phone() -> None:
    assert mask_phone("13855443322") == "138****3322"
    assert mask_phone("0554-6661201") == "055*****1201"
    assert mask_phone("") == ""

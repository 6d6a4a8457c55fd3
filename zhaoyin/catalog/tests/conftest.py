"""Fixtures of the catalog tests: items in the test org tree, editions, the curator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zhaoyin.accounts.models import OrgUnit, User
from zhaoyin.accounts.services import api_token_issue
from zhaoyin.catalog.inputs import CatalogItemInput, EditionCreateInput, EditionItemsInput
from zhaoyin.catalog.models import CatalogEdition, CatalogItem
from zhaoyin.catalog.services import catalog_item_create, edition_create, edition_set_items

MakeItem = Callable[..., CatalogItem]


@pytest.fixture
def make_item(org_tree: dict[str, OrgUnit]) -> MakeItem:
    """Create an item through the service as the system; keyword arguments override fields."""
    counter = {"n": 0}

    def make(**overrides: Any) -> CatalogItem:
        counter["n"] += 1
        data: dict[str, Any] = {
            "name": f"测试项目{counter['n']}",
            "industry": "new_materials",
            "park": org_tree["park_a"].code,
            "land_mu": "120.5",
            "investment_estimate_wan": "35000",
            "construction_content": "新建厂房及配套设施。",
            "market_analysis": "市场前景广阔。",
            "benefit_analysis": "预计年产值10亿元。",
            "cooperation_mode": "joint",
            "contact_unit": "A园区招商局",
            "contact_person": "张三",
            "contact_phone": "13855443322",
        }
        data.update(overrides)
        return catalog_item_create(acting_user=None, data=CatalogItemInput.parse(data))

    return make


@pytest.fixture
def edition_with_items(make_item: MakeItem) -> CatalogEdition:
    """A draft 2026 edition with three items in two industries."""
    items = [
        make_item(name="煤基新材料产业园项目", industry="new_materials"),
        make_item(name="新能源汽车零部件生产基地", industry="nev", investment_estimate_wan="8500"),
        make_item(name="高端装备智能制造项目", industry="equipment"),
    ]
    edition = edition_create(acting_user=None, data=EditionCreateInput.of(title="2026年招商项目册", year=2026))
    return edition_set_items(acting_user=None, edition=edition, data=EditionItemsInput.of(items=[i.pk for i in items]))


@pytest.fixture(autouse=True)
def generated_dir(settings: Any, tmp_path: Any) -> Any:
    """Cached brochures go to a per-test directory, never the developer's data directory."""
    settings.GENERATED_DIR = tmp_path / "generated"
    return settings.GENERATED_DIR


def web_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="zhaoyin.accounts.backends.ZhaoyinBackend")
    return client


def api_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token_issue(user=user)}"})

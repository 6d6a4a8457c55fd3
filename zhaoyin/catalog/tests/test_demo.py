"""The demo catalog: 61 items in a published edition, idempotent."""

from __future__ import annotations

import pytest

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.audit.models import AuditRecord
from zhaoyin.catalog.demo import load_demo_catalog
from zhaoyin.catalog.models import CatalogEdition, CatalogItem, EditionStatus

pytestmark = pytest.mark.django_db


def test_demo_catalog_is_complete_and_idempotent(org_tree: dict[str, OrgUnit]) -> None:
    for code, name in [
        ("park-gxq", "淮南高新区"),
        ("park-jkq", "淮南经开区"),
        ("park-mhg", "现代煤化工园区"),
        ("park-xinqiao", "寿县新桥国际产业园"),
        ("park-maoji", "毛集实验区"),
    ]:
        OrgUnit.objects.create(code=code, name=name, kind=OrgUnitKind.PARK, parent=org_tree["city"])
    edition = load_demo_catalog(2026)
    assert edition.title == "2026年招商项目册"
    assert edition.status == EditionStatus.PUBLISHED
    assert edition.entries.count() == 61 == CatalogItem.objects.count()
    assert CatalogItem.objects.filter(park__code="park-maoji").exists()
    audits = AuditRecord.objects.count()
    again = load_demo_catalog(2026)
    assert again.pk == edition.pk
    assert CatalogItem.objects.count() == 61
    assert CatalogEdition.objects.count() == 1
    assert AuditRecord.objects.count() == audits
    assert AuditRecord.objects.filter(action="catalog.item_create").first().channel == "cli"  # type: ignore[union-attr]

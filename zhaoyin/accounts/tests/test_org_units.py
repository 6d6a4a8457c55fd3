"""The org unit service (used by the demo loader): tree path and audit (AUD-01)."""

from __future__ import annotations

import pytest

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.accounts.services import org_unit_create
from zhaoyin.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_AUD_01_org_unit_create_sets_the_path_and_is_audited(org_tree: dict[str, OrgUnit], make_user: MakeUser) -> None:
    admin = make_user("city_admin", "city")
    county = org_tree["county_a"]
    unit = org_unit_create(
        acting_user=admin, code="park_new", name="新园区", kind=OrgUnitKind.PARK, parent=county, location="东区"
    )
    assert unit.path == f"{county.path}{unit.pk}/"
    assert OrgUnit.objects.get(pk=unit.pk).path == unit.path
    record = AuditRecord.objects.get(action="org_unit.create", object_id=str(unit.pk))
    assert record.actor_id == admin.pk
    assert record.after is not None
    assert record.after["code"] == "park_new"


def test_org_unit_create_without_an_acting_user_is_the_system(org_tree: dict[str, OrgUnit]) -> None:
    root = org_unit_create(acting_user=None, code="other_city", name="另一市", kind=OrgUnitKind.CITY, parent=None)
    assert root.path == f"/{root.pk}/"
    record = AuditRecord.objects.get(action="org_unit.create", object_id=str(root.pk))
    assert record.actor_id is None

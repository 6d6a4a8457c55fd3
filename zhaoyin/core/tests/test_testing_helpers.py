"""The shared test helpers (zhaoyin.core.testing) catch what they promise to catch."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.audit.models import AuditRecord
from zhaoyin.audit.services import audit_write
from zhaoyin.core.testing import (
    assert_constant_queries,
    assert_fingerprint_unchanged,
    audit_triggers_lifted,
    count_queries,
    db_fingerprint,
    fingerprint_changes,
)

pytestmark = pytest.mark.django_db


def _grow(n: int) -> None:
    city = OrgUnit.objects.get_or_create(code="340400", defaults={"name": "淮南市", "kind": OrgUnitKind.CITY})[0]
    for i in range(OrgUnit.objects.filter(kind=OrgUnitKind.PARK).count(), n):
        OrgUnit.objects.create(code=f"park-{i}", name=f"园区{i}", kind=OrgUnitKind.PARK, parent=city)


def test_fingerprint_sees_insert_update_and_delete() -> None:
    _grow(2)
    before = db_fingerprint()
    OrgUnit.objects.filter(code="park-0").update(name="改名园区")
    changed = fingerprint_changes(before, db_fingerprint())
    assert changed == ["accounts.orgunit: row content changed (3 rows)"]
    before = db_fingerprint()
    _grow(3)
    assert fingerprint_changes(before, db_fingerprint()) == ["accounts.orgunit: 3 -> 4 rows"]
    with pytest.raises(AssertionError, match=r"accounts\.orgunit"):
        assert_fingerprint_unchanged(before, db_fingerprint(), "the test")


def test_fingerprint_leaves_out_the_audit_log_by_default() -> None:
    before = db_fingerprint()
    audit_write(action="test.event")
    assert fingerprint_changes(before, db_fingerprint()) == []
    assert "audit.auditrecord" not in db_fingerprint()
    assert "audit.auditrecord" in db_fingerprint(exclude=())


def _parent_names(units: object) -> list[str]:
    return [u.parent.name if u.parent else "" for u in units]  # type: ignore[attr-defined]


def test_constant_queries_pass_for_a_joined_list() -> None:
    count = assert_constant_queries(
        grow=_grow, run=lambda: _parent_names(OrgUnit.objects.select_related("parent")), sizes=(2, 8)
    )
    assert count == 1


def test_constant_queries_catch_n_plus_one() -> None:
    with pytest.raises(AssertionError, match="query count depends on the number of rows"):
        assert_constant_queries(grow=_grow, run=lambda: _parent_names(OrgUnit.objects.all()), sizes=(2, 8))


def test_count_queries_records_sql() -> None:
    with count_queries() as log:
        list(OrgUnit.objects.all())
    assert log.count == 1
    assert "accounts_orgunit" in log.sql[0]


def test_audit_triggers_lifted_only_inside_the_block() -> None:
    audit_write(action="test.event")
    with audit_triggers_lifted():
        AuditRecord.objects.all().delete()
    audit_write(action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.count() == 1

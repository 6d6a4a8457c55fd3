"""The shared test helpers (zhaoyin.core.testing) catch what they promise to catch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, transaction

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.audit.models import AuditRecord
from zhaoyin.audit.services import audit_write
from zhaoyin.core.testing import (
    SetupReplay,
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


def _in_savepoint_rolled_back(body: Callable[[], Any]) -> Any:
    with transaction.atomic():
        result = body()
        transaction.set_rollback(True)
    return result


def test_setup_replay_runs_a_step_once_per_starting_state_and_replays_the_same_rows() -> None:
    _grow(2)  # the starting state: the city and park-0, park-1
    calls: list[int] = []

    def step() -> str:
        calls.append(1)
        OrgUnit.objects.filter(code="park-0").update(name="改名园区")  # a changed row
        OrgUnit.objects.filter(code="park-1").delete()  # a removed row
        _grow(4)  # added rows (park-2, park-3)
        audit_write(action="test.step", object_type="orgunit", object_id="0")  # the audit chain moves on
        return "done"

    def run_and_look() -> tuple[str, dict[str, tuple[int, str]]]:
        return replay.run("step", step), db_fingerprint(exclude=())

    replay = SetupReplay()
    first = _in_savepoint_rolled_back(run_and_look)
    second = _in_savepoint_rolled_back(run_and_look)
    assert calls == [1]  # replayed, not run again
    assert second == first  # the same result and the same rows (ids, content, audit chain)
    assert (replay.real, replay.replayed) == (1, 1)
    # From another starting state the step runs for real.
    OrgUnit.objects.create(code="park-x", name="园区X", kind=OrgUnitKind.PARK)
    _in_savepoint_rolled_back(run_and_look)
    assert calls == [1, 1]

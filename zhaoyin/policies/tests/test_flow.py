"""policies.flow.TABLE: every row as written, every manual row through its service, every change
the table does not list refused with the services' message, the daily job's row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from zhaoyin.audit.models import AuditRecord
from zhaoyin.core.errors import Conflict
from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import SYSTEM
from zhaoyin.policies import flow, selectors, services
from zhaoyin.policies.models import PolicyStatus
from zhaoyin.policies.tests.library_helpers import fingerprint, make_policy

ADMINS = {"city_admin", "unit_admin"}
#: action: (sources, target, actors, needs a reason), written out by hand.
EXPECTED = {
    "publish": ({"draft"}, "in_force", ADMINS, False),
    "withdraw": ({"draft", "in_force"}, "withdrawn", ADMINS, True),
    "expire": ({"in_force"}, "expired", {SYSTEM}, False),
}
PAIRS = [(a, s) for a in EXPECTED for s in PolicyStatus.values]


def test_every_row_as_written() -> None:
    got = {r.action.value: (set(r.sources), r.target, set(r.actors), r.needs_reason) for r in flow.TABLE.rows}
    assert got == EXPECTED
    assert [s for s, _label in flow.TABLE.states] == list(PolicyStatus.values)
    assert flow.TABLE.initial == "draft"
    assert flow.MANUAL_ACTIONS == ("publish", "withdraw")


def test_the_table_names_the_roles_the_selectors_let_edit() -> None:
    assert flow.EDITORS == selectors.EDITOR_ROLES


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), [(a, s) for a, s in PAIRS if a != "expire"])
def test_each_manual_action_from_each_status(make_user: Any, org_tree: Any, action: str, status: str) -> None:
    """Allowed pairs succeed through ``policy_transition``; the rest are refused with the
    services' message, nothing changed."""
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"], status=status)
    sources, target, _actors, _reason = EXPECTED[action]
    if status in sources:
        done = services.policy_transition(acting_user=admin, policy=policy, action=action, reason="废止理由")
        assert done.status == target
        assert AuditRecord.objects.filter(action=f"policy.{action}", object_id=str(policy.pk)).count() == 1
        return
    before = fingerprint()
    with translation.override("en"), pytest.raises(Conflict) as exc:
        services.policy_transition(acting_user=admin, policy=policy, action=action, reason="废止理由")
    with translation.override("en"):
        assert str(exc.value) == f"This action is not allowed while the policy is {policy.get_status_display()}."
    assert fingerprint() == before


@pytest.mark.django_db
def test_a_role_the_table_does_not_name_is_refused(make_user: Any, org_tree: Any) -> None:
    policy = make_policy(org_tree["county_a"], status=PolicyStatus.DRAFT)
    staff = make_user(Role.STAFF, "county_a")
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        services.policy_transition(acting_user=staff, policy=policy, action="publish")
    assert fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("status", PolicyStatus.values)
def test_the_daily_job_takes_the_expire_row_only(org_tree: Any, status: str) -> None:
    policy = make_policy(org_tree["city"], status=status, valid_to=dt.date(2026, 1, 31))
    moved = services.expire_policies(today=dt.date(2026, 2, 1))
    policy.refresh_from_db()
    if status == "in_force":
        assert (moved, policy.status) == (1, "expired")
    else:
        assert (moved, policy.status) == (0, status)


def test_the_expire_row_is_the_systems_alone() -> None:
    expire = flow.TABLE.by_action[flow.Action.EXPIRE]
    assert not expire.manual
    assert flow.TABLE.manual_rows_from("in_force", ADMINS) == [flow.TABLE.by_action[flow.Action.WITHDRAW]]

"""Policy library services: register, change, publish / withdraw / expire through the
transition table, optimistic versions, audit, and bad input that changes nothing (issue 5)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied

from conftest import MakeUser
from zhaoyin.accounts.models import OrgUnit
from zhaoyin.audit.models import AuditRecord
from zhaoyin.core import periodic
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.testing import refused
from zhaoyin.policies import flow, services
from zhaoyin.policies.inputs import PolicyInput, PolicyUpdateInput
from zhaoyin.policies.models import Policy, PolicyStatus
from zhaoyin.policies.tests.library_helpers import TREE, fingerprint, make_policy, policy_data

pytestmark = pytest.mark.django_db


def _fields(exc: InvalidInput) -> set[str]:
    return {e["field"] for e in exc.errors}


def test_create_registers_a_draft_in_the_city_with_canonical_tree_and_audit(make_user: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = services.policy_create(acting_user=admin, data=PolicyInput.parse(policy_data(max_amount_wan="50")))
    assert policy.status == PolicyStatus.DRAFT
    assert policy.org_unit.code == "340400"
    assert policy.eligibility == TREE
    assert policy.search_text
    record = AuditRecord.objects.get(action="policy.create", object_id=str(policy.pk))
    assert record.actor == admin.username


def test_unit_admin_keeps_policies_in_own_unit_only(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.UNIT_ADMIN, "county_a")
    policy = services.policy_create(acting_user=admin, data=PolicyInput.parse(policy_data()))
    assert policy.org_unit == org_tree["county_a"]
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.policy_create(acting_user=admin, data=PolicyInput.parse(policy_data(org_unit="340403")))
    assert _fields(exc.value) == {"org_unit"}
    assert fingerprint() == before


def test_create_without_tree_is_a_draft_that_cannot_be_published(make_user: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = services.policy_create(acting_user=admin, data=PolicyInput.parse(policy_data(eligibility=None)))
    assert policy.eligibility == {}
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.policy_transition(acting_user=admin, policy=policy, action="publish")
    assert _fields(exc.value) == {"eligibility"}
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"valid_from": "2026-06-01", "valid_to": "2026-05-31"}, "valid_to"),
        ({"valid_from": "2026-02-30"}, "valid_from"),
        ({"title": ""}, "title"),
        ({"level": "planet"}, "level"),
        ({"category": "x"}, "category"),
        ({"delivery": "by_post"}, "delivery"),
        ({"max_amount_wan": "-1"}, "max_amount_wan"),
        ({"org_unit": "nowhere"}, "org_unit"),
        ({"org_unit": "sg-01"}, "org_unit"),
        ({"colour": "red"}, "colour"),
        ({"eligibility": {"all": [{"field": "shoe_size", "op": "gte", "value": 40}]}}, "eligibility.all[0].field"),
        ({"eligibility": {"all": [{"field": "employees", "op": "around", "value": 40}]}}, "eligibility.all[0].op"),
        ({"eligibility": {"any": [{"qualification": "高新技术企业"}, {"qualification": "火星企业"}]}},
         "eligibility.any[1].qualification"),
        ({"eligibility": {"all": [{"figure": "revenue_wan", "year": 1800, "op": "gte", "value": 1}]}},
         "eligibility.all[0].year"),
        ({"eligibility": {"all": [{"field": "industry", "op": "in", "value": ["it", "moon_mining"]}]}},
         "eligibility.all[0].value[1]"),
        ({"eligibility": "{not json"}, "eligibility"),
    ],
)
def test_create_bad_input_names_the_field_and_changes_nothing(
    make_user: Any, overrides: dict[str, Any], field: str
) -> None:
    admin = make_user(Role.CITY_ADMIN)
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.policy_create(acting_user=admin, data=PolicyInput.parse(policy_data(**overrides)))
    assert field in _fields(exc.value)
    assert fingerprint() == before


def test_update_patches_given_fields_bumps_version_and_audits_the_diff(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"], status=PolicyStatus.DRAFT)
    services.policy_update(
        acting_user=admin, policy=policy, data=PolicyUpdateInput.parse({"benefits": "奖励100万元"}), version=1,
    )
    policy.refresh_from_db()
    assert policy.benefits == "奖励100万元"
    assert policy.version == 2
    record = AuditRecord.objects.get(action="policy.update", object_id=str(policy.pk))
    # Which field changed, not its text (issue 12 D4).
    assert (record.after or {})["benefits"] == "***"
    assert "benefits" in (record.before or {})
    assert (record.after or {})["version"] == 2
    # Saving what is stored writes nothing.
    services.policy_update(acting_user=admin, policy=policy, data=PolicyUpdateInput.parse({"benefits": "奖励100万元"}))
    assert AuditRecord.objects.filter(action="policy.update").count() == 1


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"], status=PolicyStatus.DRAFT, version=3)
    before = fingerprint()
    with pytest.raises(Conflict):
        services.policy_update(
            acting_user=admin, policy=policy, data=PolicyUpdateInput.parse({"benefits": "新"}), version=2,
        )
    assert fingerprint() == before


def test_update_checks_dates_against_the_stored_ones(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"], valid_from=dt.date(2026, 3, 1), valid_to=None)
    with refused(InvalidInput, exclude=(), fields={"valid_to"}):
        services.policy_update(
            acting_user=admin, policy=policy, data=PolicyUpdateInput.parse({"valid_to": "2026-02-28"}),
        )


def test_update_of_a_policy_in_force_keeps_a_tree(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"])
    with refused(InvalidInput, exclude=(), fields={"eligibility"}):
        services.policy_update(acting_user=admin, policy=policy, data=PolicyUpdateInput.parse({"eligibility": ""}))


def test_withdrawn_policy_is_history(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"], status=PolicyStatus.WITHDRAWN)
    before = fingerprint()
    with pytest.raises(Conflict):
        services.policy_update(acting_user=admin, policy=policy, data=PolicyUpdateInput.parse({"benefits": "新"}))
    assert fingerprint() == before


def test_unit_admin_of_another_county_may_not_change(make_user: Any, org_tree: Any) -> None:
    other = make_user(Role.UNIT_ADMIN, "county_b")
    policy = make_policy(org_tree["county_a"], status=PolicyStatus.DRAFT)
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        services.policy_update(acting_user=other, policy=policy, data=PolicyUpdateInput.parse({"benefits": "新"}))
    with pytest.raises(PermissionDenied):
        services.policy_transition(acting_user=other, policy=policy, action="publish")
    assert fingerprint() == before


def test_publish_then_withdraw_follows_the_table_and_audits(
    make_user: Any, org_tree: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"], status=PolicyStatus.DRAFT)
    with django_capture_on_commit_callbacks() as callbacks:
        services.policy_transition(acting_user=admin, policy=policy, action="publish", version=1)
    assert len(callbacks) == 1  # the matches are refreshed once the change has committed
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.IN_FORCE
    assert policy.version == 2
    # Pressed twice: the second finds the policy in force already.
    before = fingerprint()
    with pytest.raises(Conflict):
        services.policy_transition(acting_user=admin, policy=policy, action="publish")
    assert fingerprint() == before
    with pytest.raises(InvalidInput) as exc:
        services.policy_transition(acting_user=admin, policy=policy, action="withdraw", reason="  ")
    assert _fields(exc.value) == {"reason"}
    assert fingerprint() == before
    services.policy_transition(acting_user=admin, policy=policy, action="withdraw", reason="被新政策替代")
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.WITHDRAWN
    record = AuditRecord.objects.get(action="policy.withdraw", object_id=str(policy.pk))
    assert record.before == {"status": "in_force"}
    assert record.after == {"status": "withdrawn", "reason": "被新政策替代"}


def test_publish_refused_when_validity_has_ended(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"], status=PolicyStatus.DRAFT, valid_to=dt.date(2026, 6, 30))
    before = fingerprint()
    with pytest.raises(InvalidInput) as exc:
        services.policy_transition(acting_user=admin, policy=policy, action="publish", today=dt.date(2026, 7, 1))
    assert _fields(exc.value) == {"valid_to"}
    assert fingerprint() == before


def test_unknown_action_names_the_action(make_user: Any, org_tree: Any) -> None:
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"])
    with pytest.raises(InvalidInput) as exc:
        services.policy_transition(acting_user=admin, policy=policy, action="expire")
    assert _fields(exc.value) == {"action"}


def test_expire_moves_policies_past_their_validity_once(org_tree: Any) -> None:
    old = make_policy(org_tree["city"], valid_to=dt.date(2026, 6, 30))
    current = make_policy(org_tree["city"], valid_to=dt.date(2026, 7, 1))
    draft = make_policy(org_tree["city"], status=PolicyStatus.DRAFT, valid_to=dt.date(2026, 1, 31))
    assert services.expire_policies(today=dt.date(2026, 7, 1)) == 1
    assert services.expire_policies(today=dt.date(2026, 7, 1)) == 0
    statuses = dict(Policy.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "expired", current.pk: "in_force", draft.pk: "draft"}
    assert AuditRecord.objects.filter(action="policy.expire", object_id=str(old.pk)).count() == 1


def test_expire_job_is_registered_daily() -> None:
    jobs = {job.name: job.every_seconds for job in periodic.registered()}
    assert jobs["policies-expire"] == 24 * 3600


def test_the_table_gives_the_buttons() -> None:
    assert [t.action for t in flow.TABLE.manual_rows_from("draft")] == [flow.Action.PUBLISH, flow.Action.WITHDRAW]
    assert [t.action for t in flow.TABLE.manual_rows_from("in_force")] == [flow.Action.WITHDRAW]
    assert flow.TABLE.manual_rows_from("withdrawn") == []
    assert flow.TABLE.manual_rows_from("expired") == []
    assert flow.TABLE.transition_for("expire", "in_force") is not None
    assert flow.TABLE.transition_for("publish", "expired") is None


def test_d1_policy_files_are_read_and_hashed_before_the_transaction(
    make_user: MakeUser,
    org_tree: dict[str, OrgUnit],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Issue 12 D1: a policy's attachments are read, sniffed and hashed before the write
    transaction opens; only storing them (removed again on a rollback) runs inside it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhaoyin.core import files as files_core
    from zhaoyin.core.testing import atomic_depths

    monkeypatch.setattr(django_settings, "DATA_DIR", tmp_path)
    admin = make_user(Role.CITY_ADMIN)
    policy = make_policy(org_tree["city"])
    depths = atomic_depths(
        monkeypatch, (files_core, "check_uploads"), (files_core.CheckedFile, "__post_init__"),
        (files_core, "write_private"),
    )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    rows = services.policy_files_add(
        acting_user=admin, policy=policy, files=[SimpleUploadedFile("原文.pdf", pdf, content_type="application/pdf")]
    )
    assert [r.original_name for r in rows] == ["原文.pdf"]
    assert depths["check_uploads"] == [0]
    assert depths["__post_init__"] == [0]
    assert depths["write_private"] == [1]

"""The payout services: registration (bad input names the field and writes nothing; twice →
409, the constraint holds under a direct insert too), the transition table, the four-eyes
rule, compare-and-set on the version, audit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from zhaoyin.audit.models import AuditRecord, Outcome
from zhaoyin.core.errors import Conflict, InvalidInput
from zhaoyin.core.testing import assert_fingerprint_unchanged, db_fingerprint
from zhaoyin.payouts import services as payouts
from zhaoyin.payouts.inputs import PayoutActionInput, PayoutRegisterInput
from zhaoyin.payouts.models import Payout, PayoutStatus, PolicyApprovers
from zhaoyin.payouts.periods import clean_period
from zhaoyin.payouts.services import (
    PAYOUT_TRANSITIONS,
    payout_approve,
    payout_register,
    payout_reject,
    payout_resubmit,
    payout_transition,
    payout_transition_for,
)
from zhaoyin.payouts.tests.fixtures import PayoutWorld, payout_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _register(w: PayoutWorld, **kw: Any) -> Payout:
    """Register through the input model, as every channel does: a bad value is refused by the
    model (``InvalidInput`` naming the field) before the service is reached."""
    args: dict[str, Any] = {"acting_user": w.staff_a, "policy": w.policy, "enterprise": w.ent_a}
    values: dict[str, Any] = {"period": "2025", "amount_wan": "12.50"}
    for key, value in kw.items():
        (args if key in args else values)[key] = value
    return payout_register(**args, data=PayoutRegisterInput.parse(values))


# ---- registration -------------------------------------------------------------------------------


def test_register_creates_a_pending_entry_with_the_enterprise_unit_and_industry(payout_world: PayoutWorld) -> None:
    w = payout_world
    payout = _register(w, period="2025-q2", amount_wan="1,234.5", note=" 首批 ")
    assert payout.status == PayoutStatus.PENDING
    assert payout.period == "2025-Q2"
    assert payout.amount_wan == Decimal("1234.50")
    assert payout.org_unit_id == w.ent_a.org_unit_id
    assert payout.industry_id == w.ent_a.industry_id
    assert payout.note == "首批"
    assert payout.registered_by_id == w.staff_a.pk
    record = AuditRecord.objects.filter(action="payout.register").get()
    assert record.object_id == str(payout.pk)


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("period", {"period": "2025-13"}),
        ("period", {"period": "2025-Q5"}),
        ("period", {"period": "25"}),
        ("period", {"period": "2025-1"}),
        ("period", {"period": "1800"}),
        ("period", {"period": ""}),
        ("amount_wan", {"amount_wan": "0"}),
        ("amount_wan", {"amount_wan": "-5"}),
        ("amount_wan", {"amount_wan": "abc"}),
        ("amount_wan", {"amount_wan": "1.234"}),
        ("amount_wan", {"amount_wan": "NaN"}),
        ("amount_wan", {"amount_wan": 12.5}),  # a float is refused: amounts are decimal text
        ("amount_wan", {"amount_wan": "1e20"}),
        ("note", {"note": "长" * 501}),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    payout_world: PayoutWorld, field: str, kw: dict[str, Any]
) -> None:
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as info:
        _register(payout_world, **kw)
    assert [e["field"] for e in info.value.errors] == [field]
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_a_draft_policy_is_refused_naming_the_policy(payout_world: PayoutWorld) -> None:
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as info:
        _register(payout_world, policy=payout_world.draft)
    assert info.value.errors[0]["field"] == "policy"
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_every_bad_field_is_named_at_once(payout_world: PayoutWorld) -> None:
    with pytest.raises(InvalidInput) as info:
        _register(payout_world, period="x", amount_wan="-1")
    assert {e["field"] for e in info.value.errors} == {"period", "amount_wan"}


def test_payout_twice_for_the_same_period_is_409_naming_the_period(payout_world: PayoutWorld) -> None:
    w = payout_world
    _register(w, period="2025-Q1")
    before = db_fingerprint()
    with pytest.raises(Conflict, match="2025-Q1"):
        _register(w, acting_user=w.admin_a, period="2025-q1", amount_wan="99")
    assert_fingerprint_unchanged(before, db_fingerprint())
    # Another period, or another policy's benefit, is a new entry.
    _register(w, period="2025-Q2")
    assert Payout.objects.count() == 2


def test_a_rejected_entry_still_blocks_the_period_and_says_resubmit(payout_world: PayoutWorld) -> None:
    w = payout_world
    payout = _register(w)
    payout_reject(acting_user=w.reviewer, payout=payout, reason="材料不全")
    with pytest.raises(Conflict, match="重新提交"):
        _register(w)


def test_the_database_constraint_holds_under_a_direct_insert(payout_world: PayoutWorld) -> None:
    w = payout_world
    first = _register(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(
            policy=w.policy,
            enterprise=w.ent_a,
            period=first.period,
            amount_wan=Decimal("1.00"),
            org_unit=w.ent_a.org_unit,
            industry=w.industry,
        )
    assert Payout.objects.count() == 1


def test_a_lost_race_is_409_through_the_constraint(payout_world: PayoutWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two registrations both pass the pre-check; the second insert meets the constraint."""
    w = payout_world
    _register(w)
    real_filter = Payout.objects.filter

    def blind_filter(*args: Any, **kwargs: Any) -> Any:
        if "policy" in kwargs and "enterprise" in kwargs:
            # The overlap pre-check sees nothing, as if the other insert were not committed.
            return Payout.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Payout.objects, "filter", blind_filter)
    audit_before = AuditRecord.objects.count()
    with pytest.raises(Conflict, match="2025"):
        _register(w, acting_user=w.admin_a)
    monkeypatch.undo()
    assert Payout.objects.count() == 1
    assert AuditRecord.objects.count() == audit_before


def test_the_amount_constraint_holds_under_a_direct_insert(payout_world: PayoutWorld) -> None:
    w = payout_world
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(
            policy=w.policy,
            enterprise=w.ent_a,
            period="2025",
            amount_wan=Decimal("0"),
            org_unit=w.ent_a.org_unit,
            industry=w.industry,
        )


def test_AC_03_registering_is_scoped_to_the_enterprise_unit(payout_world: PayoutWorld) -> None:
    w = payout_world
    for user in (w.admin_b, w.member, w.leader):
        before = db_fingerprint()
        with pytest.raises(PermissionDenied):
            _register(w, acting_user=user)
        assert_fingerprint_unchanged(before, db_fingerprint())
    assert AuditRecord.objects.filter(action="payout.register_denied", outcome=Outcome.DENIED).count() == 3
    assert _register(w, acting_user=w.city_admin, enterprise=w.ent_b).org_unit_id == w.ent_b.org_unit_id


# ---- the transition table -----------------------------------------------------------------------


def test_the_table_is_complete_and_sane() -> None:
    # An enterprise entry's states (a talent's: talent_services, issue 13).
    statuses = {state for state, _label in payouts.PAYOUT_TABLE.states}
    for row in PAYOUT_TRANSITIONS:
        assert row.sources <= statuses
        assert row.target in statuses
        assert row.target not in row.sources
    assert payout_transition_for("approve", "pending") is not None
    assert payout_transition_for("approve", "approved") is None
    assert payout_transition_for("approve", "rejected") is None
    assert payout_transition_for("reject", "pending") is not None
    assert payout_transition_for("resubmit", "rejected") is not None
    assert payout_transition_for("resubmit", "pending") is None
    # Issue 15: 公示 → 拨付 → 已到账; 撤销 from any state before the money left.
    assert payout_transition_for("publicize", "approved") is not None
    assert payout_transition_for("pay", "publicized") is not None
    assert payout_transition_for("pay", "approved") is None
    assert payout_transition_for("receive", "paid") is not None
    assert payout_transition_for("revoke", "paid") is None
    assert payout_transition_for("confirm", "matched") is not None
    for state in ("matched", "pending", "rejected", "approved", "publicized"):
        assert payout_transition_for("revoke", state) is not None
    # Received and revoked are final: nothing leads out of them.
    assert not payouts.payout_transitions_from("received")
    assert not payouts.payout_transitions_from("revoked")
    # Every status is reachable from matched (a 免申即享 entry) or pending.
    reached = {"matched", "pending"}
    for _ in range(6):
        reached |= {t.target for t in PAYOUT_TRANSITIONS if t.sources & reached and t.target is not None}
    assert reached == statuses


def test_approve_records_the_decider_and_bumps_the_version(payout_world: PayoutWorld) -> None:
    w = payout_world
    payout = _register(w)
    done = payout_approve(acting_user=w.reviewer, payout=payout, version=1)
    assert done.status == PayoutStatus.APPROVED
    assert done.decided_by_id == w.reviewer.pk
    assert done.version == 2
    assert payout.status == PayoutStatus.APPROVED  # the caller's instance is refreshed
    record = AuditRecord.objects.filter(action="payout.approve").get()
    assert record.before == {"status": "pending", "version": 1, "decided_by": None, "decided_at": None}
    assert record.after is not None
    assert record.after["status"] == "approved"


def test_an_action_not_allowed_from_the_status_is_409_and_changes_nothing(payout_world: PayoutWorld) -> None:
    w = payout_world
    payout = _register(w)
    payout_approve(acting_user=w.reviewer, payout=payout)
    before = db_fingerprint()
    for action, user in (("approve", w.reviewer2), ("reject", w.reviewer2), ("resubmit", w.city_admin)):
        with pytest.raises(Conflict):
            payout_transition(
                acting_user=user, payout=payout, action=action,
                data=PayoutActionInput.of(reason="x", amount_wan="1"),
            )
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_a_stale_version_is_409(payout_world: PayoutWorld) -> None:
    w = payout_world
    payout = _register(w)
    stale = Payout.objects.get(pk=payout.pk)
    payout_reject(acting_user=w.reviewer, payout=payout, reason="金额有误")
    payout_resubmit(acting_user=w.staff_a, payout=payout, amount_wan="10.00")
    before = db_fingerprint()
    with pytest.raises(Conflict):
        payout_approve(acting_user=w.reviewer, payout=stale)  # read at version 1, now 3
    with pytest.raises(Conflict):
        payout_approve(acting_user=w.reviewer, payout=payout, version=1)
    assert_fingerprint_unchanged(before, db_fingerprint())


def test_reject_needs_a_reason_and_resubmit_a_new_amount(payout_world: PayoutWorld) -> None:
    w = payout_world
    payout = _register(w)
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as info:
        payout_reject(acting_user=w.reviewer, payout=payout, reason="  ")
    assert info.value.errors[0]["field"] == "reason"
    assert_fingerprint_unchanged(before, db_fingerprint())
    payout_reject(acting_user=w.reviewer, payout=payout, reason="材料不全")
    assert payout.decision_note == "材料不全"
    before = db_fingerprint()
    with pytest.raises(InvalidInput) as info:
        payout_resubmit(acting_user=w.staff_a, payout=payout, amount_wan="")
    assert info.value.errors[0]["field"] == "amount_wan"
    assert_fingerprint_unchanged(before, db_fingerprint())
    payout_resubmit(acting_user=w.staff_a, payout=payout, amount_wan="8.80", note="补齐材料")
    assert payout.status == PayoutStatus.PENDING
    assert payout.amount_wan == Decimal("8.80")
    assert payout.decided_by_id is None


def _county_a_reviews(w: PayoutWorld) -> None:
    """Roles as data: a rule making county A the reviewing unit of the policy, so that one of
    its administrators may both register and (but for the four-eyes rule) approve."""
    PolicyApprovers.objects.create(policy=w.policy, review_unit=w.units["county_a"], payment_unit=w.units["finance"])


def test_four_eyes_the_registrant_may_not_decide(payout_world: PayoutWorld) -> None:
    w = payout_world
    _county_a_reviews(w)
    payout = _register(w, acting_user=w.admin_a)
    assert payout.review_unit_id == w.units["county_a"].pk
    before = db_fingerprint()
    for action in ("approve", "reject"):
        with pytest.raises(PermissionDenied, match="双人复核"):
            payout_transition(
                acting_user=w.admin_a, payout=payout, action=action, data=PayoutActionInput.of(reason="x"),
            )
    assert_fingerprint_unchanged(before, db_fingerprint())
    assert AuditRecord.objects.filter(action="payout.approve_denied", outcome=Outcome.DENIED).exists()
    payout_approve(acting_user=w.admin_a2, payout=payout)
    assert payout.status == PayoutStatus.APPROVED


def test_four_eyes_after_a_resubmission_the_resubmitter_may_not_decide(payout_world: PayoutWorld) -> None:
    w = payout_world
    _county_a_reviews(w)
    payout = _register(w, acting_user=w.staff_a)
    payout_reject(acting_user=w.admin_a, payout=payout, reason="金额有误")
    payout_resubmit(acting_user=w.admin_a, payout=payout, amount_wan="5")
    with pytest.raises(PermissionDenied):
        payout_approve(acting_user=w.admin_a, payout=payout)
    payout_approve(acting_user=w.admin_a2, payout=payout)


def test_only_the_issuing_department_approves_not_the_city_admin(payout_world: PayoutWorld) -> None:
    """Issue 15: the policy's issuing department reviews; the 招商 city admin, the county's
    administrators, staff and the finance bureau do not."""
    w = payout_world
    payout = _register(w)
    assert payout.review_unit_id == w.policy.org_unit_id
    for user in (w.staff_a, w.admin_a, w.admin_b, w.leader, w.member, w.city_admin, w.finance):
        with pytest.raises(PermissionDenied):
            payout_approve(acting_user=user, payout=payout)
    assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.PENDING
    payout_approve(acting_user=w.reviewer, payout=payout)


def test_clean_period_forms() -> None:
    assert clean_period("2025") == "2025"
    assert clean_period("2025-q4") == "2025-Q4"
    assert clean_period(" 2025-12 ") == "2025-12"
    for bad in ("2025-00", "2025-Q0", "2025Q1", "2025-1", "20251", None, 2025):
        with pytest.raises(ValueError):  # noqa: PT011 - the message is checked in the service tests
            clean_period(bad)


def test_VAL_01_a_period_in_digits_of_another_script_is_refused() -> None:
    # It would be stored as sent and never match the year or period filters.
    with pytest.raises(ValueError, match="2025-Q1"):
        clean_period("\u0662\u0660\u0662\u0665")
    assert clean_period(" 2025-q3 ") == "2025-Q3"

"""The payout ledger's hand-off notices and its part of 我的待办 (zhaoyin.payouts.todo),
both read from ``payouts.PAYOUT_TABLE``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from zhaoyin.accounts.models import User
from zhaoyin.notifications.models import Notification
from zhaoyin.payouts.inputs import PayoutRegisterInput
from zhaoyin.payouts.models import PolicyApprovers
from zhaoyin.payouts.services import (
    APPROVER,
    BENEFICIARY,
    PAYOUT_TABLE,
    REGISTRAR,
    payout_approve,
    payout_register,
    payout_reject,
    payout_resubmit,
)
from zhaoyin.payouts.tests.fixtures import PayoutWorld, payout_world_fixture  # noqa: F401
from zhaoyin.payouts.todo import PayoutTodo

pytestmark = pytest.mark.django_db
Commit = Callable[..., Any]


def told(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def counts(user: User) -> dict[str, int]:
    return PayoutTodo().counts(user)


def test_the_table_says_who_waits_and_who_is_told() -> None:
    assert {s: [w.todo for w in ws] for s, ws in PAYOUT_TABLE.waits.items()} == {
        "matched": ["to_confirm"], "pending": ["to_approve"], "rejected": ["to_resubmit"],
        "approved": ["to_publicize"], "publicized": ["to_pay"], "paid": ["to_confirm_receipt"],
    }
    notify = {r.action: r.notify for r in PAYOUT_TABLE.rows}
    assert notify == {
        "confirm": {APPROVER}, "decline": {REGISTRAR}, "approve": frozenset(), "reject": {REGISTRAR},
        "resubmit": {APPROVER}, "publicize": frozenset(), "pay": {BENEFICIARY}, "receive": frozenset(),
        "revoke": {REGISTRAR},
    }


def test_register_reject_resubmit_tell_the_next_person(
    payout_world: PayoutWorld, django_capture_on_commit_callbacks: Commit
) -> None:
    w = payout_world
    with django_capture_on_commit_callbacks(execute=True):
        payout = payout_register(
            acting_user=w.admin_a, policy=w.policy, enterprise=w.ent_a,
            data=PayoutRegisterInput.of(period="2025", amount_wan="10"),
        )
    # The approvers: the policy's issuing department's administrators — not the city admin,
    # not county A's administrators, not the finance bureau (issue 15).
    assert told("payout.register") == {w.reviewer.pk, w.reviewer2.pk}
    note = Notification.objects.filter(kind="payout.register", recipient=w.reviewer).get()
    assert note.link == f"/payouts/{payout.pk}/"
    assert w.ent_a.name in note.title
    with django_capture_on_commit_callbacks(execute=True):
        payout = payout_reject(acting_user=w.reviewer2, payout=payout, reason="材料不全")
    assert told("payout.reject") == {w.admin_a.pk}  # the registrant
    assert "材料不全" in Notification.objects.get(kind="payout.reject").body
    with django_capture_on_commit_callbacks(execute=True):
        payout = payout_resubmit(acting_user=w.staff_a, payout=payout, amount_wan="8")
    assert told("payout.resubmit") == {w.reviewer.pk, w.reviewer2.pk}
    with django_capture_on_commit_callbacks(execute=True):
        payout_approve(acting_user=w.reviewer, payout=payout)
    assert told("payout.approve") == set()


def test_the_approvers_list_pending_entries_and_the_registrars_rejected_ones(payout_world: PayoutWorld) -> None:
    w = payout_world
    payout = payout_register(
        acting_user=w.staff_a, policy=w.policy, enterprise=w.ent_a,
        data=PayoutRegisterInput.of(period="2025", amount_wan="10"),
    )
    assert counts(w.reviewer) == {"to_approve": 1}
    assert counts(w.admin_a) == {}  # a county reviews no city department's policy
    assert counts(w.city_admin) == {}  # the 招商 admin no longer approves (issue 15)
    assert counts(w.staff_a) == {}  # registered it; no approver role
    assert counts(w.admin_b) == {}
    assert counts(w.leader) == {}
    assert counts(w.portal_a) == {}
    items = PayoutTodo().todo(w.reviewer, limit=10)
    assert [(i.kind, i.code, i.link) for i in items] == [("to_approve", "2025", f"/payouts/{payout.pk}/")]
    payout_reject(acting_user=w.reviewer, payout=payout, reason="材料不全")
    # A unit's registrars share their rejected entries; the decider sees it as done.
    assert counts(w.staff_a) == {"to_resubmit": 1}
    assert counts(w.admin_a) == {"to_resubmit": 1}
    assert counts(w.admin_b) == {}
    assert [t.what for t in PayoutTodo().done(w.reviewer, limit=5)] == ["驳回"]
    assert [t.code for t in PayoutTodo().raised(w.staff_a, limit=5)] == ["2025"]


def test_the_registrant_never_has_their_own_entry_to_approve(payout_world: PayoutWorld) -> None:
    w = payout_world
    PolicyApprovers.objects.create(policy=w.policy, review_unit=w.units["county_a"], payment_unit=w.units["finance"])
    payout_register(
        acting_user=w.admin_a, policy=w.policy, enterprise=w.ent_a,
        data=PayoutRegisterInput.of(period="2025", amount_wan="10"),
    )
    assert counts(w.admin_a) == {}
    assert counts(w.admin_a2) == {"to_approve": 1}

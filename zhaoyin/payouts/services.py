"""政策兑现台账: the payout ledger's services and THE payout transition table (DESIGN 3.7).

A payout is one benefit granted to an enterprise under a policy for a period (``YYYY``,
``YYYY-Qn`` or ``YYYY-MM``). Every change of status is one row of ``PAYOUT_TABLE`` (a
``zhaoyin.core.transitions.TransitionTable``); the services look each change up there and the
detail page draws its buttons from the same table, so a page cannot offer what a service refuses.

The life of an entry (issue 15 item 6): 申报 ``pending`` → 审核 ``approved`` (or ``rejected``,
resubmitted with a new amount) → 公示 ``publicized`` (``ZHAOYIN_PAYOUTS["PUBLICITY_DAYS"]``
working days on the city calendar) → 拨付 ``paid`` (the date and the voucher number, only once
the notice has ended) → 已到账 ``received`` (the firm confirms in the portal, or the registrar
records it); 撤销 ``revoked`` with a reason from any state before the payment. A 免申即享 policy's
entry starts ``matched`` (数据比对: the office registers the firms the matcher finds eligible) and
waits for the firm's 意愿确认 (``confirm`` → ``pending``; ``decline`` → ``revoked``). A tax
incentive (减免, 加计扣除: ``Policy.benefit_type``) is a 享受 record (``kind`` ``enjoyed``): it is
approved and stays so — never publicized nor paid, never counted in the cash totals.

What cannot be gamed (each checked in the registration's transaction, under a lock on the
enterprise's row — SQLite's IMMEDIATE transactions serialise writers anyway):

- periods of one enterprise × policy may not overlap (``2026`` against ``2026-Q1`` or
  ``2026-03``): 409 naming ``period``; a revoked entry no longer holds its period, a rejected
  one does (it is resubmitted);
- the amounts of one enterprise × policy in a calendar year may not exceed the policy's
  ``max_amount_wan`` (the most one beneficiary receives in a year): 422 naming ``amount_wan``;
- an entry for an enterprise the matcher judges ineligible, or under a policy not in force in
  the period (withdrawn, or the period outside ``valid_from`` … ``valid_to``), needs an
  ``override_reason`` (422 naming it otherwise), is ``flagged`` in the ledger and needs two
  approvals by two reviewers, neither of them its registrant.

Who (``payouts.approvers``): registering and resubmitting — city admins, and unit admins and
staff for enterprises of their unit's subtree; 审核, 公示 and 撤销 — the administrators of the
policy's issuing department (the reviewing unit); 拨付 — the finance bureau's administrators and
staff (the paying unit); 意愿确认 and 已到账 — the enterprise's portal users. The person who
registered an entry may neither decide nor pay it (四眼原则). Each service checks this itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind, User
from zhaoyin.audit.services import audit_denied, audit_write, diff, snapshot
from zhaoyin.core.errors import Conflict, Errors, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import SYSTEM, Transition, TransitionTable, Wait, row
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.notifications import handoff
from zhaoyin.payouts import approvers
from zhaoyin.payouts.inputs import PayoutActionInput, PayoutRegisterInput, PolicyApproversInput
from zhaoyin.payouts.models import OBJECT_TYPE, RELEASED, Payout, PayoutKind, PayoutStatus, PolicyApprovers
from zhaoyin.payouts.periods import YEAR_MAX as YEAR_MAX
from zhaoyin.payouts.periods import YEAR_MIN as YEAR_MIN
from zhaoyin.payouts.periods import period_range, periods_overlap
from zhaoyin.policies import extensions
from zhaoyin.policies.models import ENJOYED_BENEFITS, Beneficiary, Delivery, Policy, PolicyStatus

#: Roles that register payouts and resubmit rejected ones (within their unit scope).
REGISTRAR_ROLES: frozenset[str] = frozenset({Role.CITY_ADMIN.value, Role.UNIT_ADMIN.value, Role.STAFF.value})
#: Roles that may hold the reviewing unit's part (审核): its unit administrators
#: (``payouts.approvers``; the unit is the entry's, not the role's scope).
APPROVER_ROLES: frozenset[str] = approvers.REVIEWER_ROLES



class PayoutAction(StrEnum):
    """What can happen to a payout's status; the value is the API's action name."""

    APPROVE = "approve"
    REJECT = "reject"
    RESUBMIT = "resubmit"
    # Issue 15: 公示, 拨付, 已到账, 撤销 and a 免申即享 firm's 意愿确认.
    PUBLICIZE = "publicize"
    PAY = "pay"
    RECEIVE = "receive"
    REVOKE = "revoke"
    CONFIRM = "confirm"
    DECLINE = "decline"


#: The payout machine's actors: who registers (and resubmits), who reviews (the policy's
#: issuing department), who pays (财政) and the beneficiary (the enterprise's portal users).
#: Whether a user holds one is ``may_take``'s rule (``payouts.approvers``).
REGISTRAR, APPROVER, PAYER, BENEFICIARY = "registrar", "approver", "payer", "beneficiary"
ACTOR_ROLES: dict[str, frozenset[str]] = {
    REGISTRAR: REGISTRAR_ROLES,
    APPROVER: APPROVER_ROLES,
    PAYER: approvers.PAYER_ROLES,
    BENEFICIARY: frozenset({Role.ENTERPRISE.value}),
}
#: Row flags: the person who registered the entry may not take it (四眼原则); it needs a new
#: amount; a cash entry only (a 享受 record is never publicized nor paid).
FOUR_EYES, NEEDS_AMOUNT, CASH_ONLY = "four_eyes", "needs_amount", "cash_only"
#: ``Wait.when``: the payers owe 拨付 once the 公示 has ended; the reviewers owe 公示 of a cash entry.
PUBLICITY_OVER, CASH_ENTRY = "publicity_over", "cash_entry"

#: One row of the table: the platform's transition type (zhaoyin.core.transitions).
PayoutTransition = Transition[str, PayoutAction]

_P = PayoutStatus
#: The states of an enterprise's entry, in lifecycle order.
ENTERPRISE_STATES = (
    _P.MATCHED, _P.PENDING, _P.APPROVED, _P.REJECTED, _P.PUBLICIZED, _P.PAID, _P.RECEIVED, _P.REVOKED,
)
#: States an entry may be revoked from (撤销): any before the money left the treasury.
REVOCABLE = frozenset({_P.MATCHED.value, _P.PENDING.value, _P.REJECTED.value, _P.APPROVED.value, _P.PUBLICIZED.value})
PAYOUT_TABLE: TransitionTable[str, PayoutAction] = TransitionTable(
    name="payout",
    # An enterprise's entry; ``due`` and ``stopped`` are a talent's (talent_services).
    states=tuple((s.value, s.label) for s in ENTERPRISE_STATES),
    initial=_P.PENDING.value,
    terminal=frozenset({_P.RECEIVED.value, _P.REVOKED.value}),
    # Who owes the next step (我的待办). A row leading there tells them (``notify``).
    waits={
        _P.MATCHED.value: (Wait(BENEFICIARY, "to_confirm", gettext_lazy("To confirm")),),
        _P.PENDING.value: (Wait(APPROVER, "to_approve", gettext_lazy("To approve")),),
        _P.REJECTED.value: (Wait(REGISTRAR, "to_resubmit", gettext_lazy("To resubmit")),),
        _P.APPROVED.value: (
            Wait(APPROVER, "to_publicize", gettext_lazy("To publicize"), when=CASH_ENTRY),
        ),
        _P.PUBLICIZED.value: (Wait(PAYER, "to_pay", gettext_lazy("To pay"), when=PUBLICITY_OVER),),
        _P.PAID.value: (Wait(BENEFICIARY, "to_confirm_receipt", gettext_lazy("To confirm receipt")),),
    },
    rows=(
        row(PayoutAction.CONFIRM, {_P.MATCHED.value}, _P.PENDING.value, {BENEFICIARY},
            gettext_lazy("Confirm and accept"), style="success"),
        row(PayoutAction.DECLINE, {_P.MATCHED.value}, _P.REVOKED.value, {BENEFICIARY},
            gettext_lazy("Decline"), style="outline-danger", notify={REGISTRAR}),
        row(PayoutAction.APPROVE, {_P.PENDING.value}, _P.APPROVED.value, {APPROVER}, gettext_lazy("Approve"),
            style="success", flags={FOUR_EYES}),
        row(PayoutAction.REJECT, {_P.PENDING.value}, _P.REJECTED.value, {APPROVER}, gettext_lazy("Reject"),
            needs_reason=True, style="outline-danger", flags={FOUR_EYES}),
        row(PayoutAction.RESUBMIT, {_P.REJECTED.value}, _P.PENDING.value, {REGISTRAR}, gettext_lazy("Resubmit"),
            style="primary", flags={NEEDS_AMOUNT}),
        row(PayoutAction.PUBLICIZE, {_P.APPROVED.value}, _P.PUBLICIZED.value, {APPROVER},
            gettext_lazy("Start public notice"), style="primary", flags={CASH_ONLY}),
        row(PayoutAction.PAY, {_P.PUBLICIZED.value}, _P.PAID.value, {PAYER}, gettext_lazy("Record payment"),
            style="success", flags={FOUR_EYES, CASH_ONLY}),
        row(PayoutAction.RECEIVE, {_P.PAID.value}, _P.RECEIVED.value, {BENEFICIARY, REGISTRAR},
            gettext_lazy("Confirm receipt"), style="success"),
        row(PayoutAction.REVOKE, REVOCABLE, _P.REVOKED.value, {APPROVER}, gettext_lazy("Revoke"),
            needs_reason=True, style="outline-danger", notify={REGISTRAR}),
    ),
)
PAYOUT_TRANSITIONS: tuple[PayoutTransition, ...] = PAYOUT_TABLE.rows
#: The entry into the machine: a registration puts a payout in ``pending`` (or ``matched`` for
#: a 免申即享 policy) and hands it to the approvers (or the firm). Not a row of the table
#: (nothing leads *from* a state to it); told the same way.
ENTRY: Transition[str, str] = row(
    "register", (), _P.PENDING.value, {REGISTRAR}, gettext_lazy("Register"), notify={APPROVER}
)
#: Not a row either: the 公示's end, noticed by the periodic job ``payouts-publicity-over``
#: (``payouts.todo.notify_publicity_over``), which tells the payers (财政) once per entry.
PUBLICITY_ENDED: Transition[str, str] = row(
    PUBLICITY_OVER, (), _P.PUBLICIZED.value, {SYSTEM}, gettext_lazy("Public notice ended"), notify={PAYER}
)
MATCH_ENTRY: Transition[str, str] = row(
    "match", (), _P.MATCHED.value, {REGISTRAR}, gettext_lazy("Register from the data comparison"),
    notify={BENEFICIARY},
)

#: Action names the API accepts.
ACTIONS: tuple[str, ...] = tuple(t.action.value for t in PAYOUT_TRANSITIONS)


def payout_transition_for(action: str, status: str) -> PayoutTransition | None:
    """The row that takes ``action`` from ``status``, or None when the table forbids it."""
    return PAYOUT_TABLE.transition_for(action, status)


def row_label(action: str) -> str:
    """The on-screen name of an action."""
    found = PAYOUT_TABLE.get(action)
    return str(found.label) if found is not None else action


def payout_transitions_from(status: str) -> list[PayoutTransition]:
    """Every action the table allows from ``status`` (the detail page's buttons)."""
    return PAYOUT_TABLE.rows_from(status)


def roles_of(actors: frozenset[str]) -> frozenset[str]:
    """The role codes that hold any of ``actors``."""
    return frozenset(code for actor in actors for code in ACTOR_ROLES.get(actor, frozenset()))


# ---- who may do what ----------------------------------------------------------------------------


def _in_unit_scope(user: User, unit_path: str) -> bool:
    if user.has_role(Role.CITY_ADMIN):
        return True
    return user.org_unit is not None and unit_path.startswith(user.org_unit.path)


def can_register_for(user: User, enterprise: Enterprise) -> bool:
    """Whether ``user`` may register a payout for ``enterprise`` (its unit in their scope)."""
    if not user.is_authenticated or user.admin_role or not user.has_role(*REGISTRAR_ROLES):
        return False
    return _in_unit_scope(user, enterprise.org_unit.path)


def holds(user: User, payout: Payout, actor: str) -> bool:
    """Whether ``user`` holds ``actor`` on ``payout``: a registrar within the enterprise's unit
    scope, an administrator of the reviewing unit, one acting for the paying unit, or the
    enterprise's own portal user (``payouts.approvers``)."""
    if not user.is_authenticated or user.admin_role:
        return False
    if actor == REGISTRAR:
        return user.has_role(*REGISTRAR_ROLES) and _in_unit_scope(user, payout.scope_path)
    if actor == APPROVER:
        return approvers.is_reviewer(user, payout)
    if actor == PAYER:
        return approvers.is_payer(user, payout)
    if actor == BENEFICIARY:
        return (
            user.has_role(Role.ENTERPRISE) and payout.enterprise_id is not None
            and user.enterprise_id == payout.enterprise_id
        )
    return False


def may_take(user: User, payout: Payout, row: PayoutTransition) -> bool:
    """Whether ``user`` holds one of ``row``'s actors on ``payout`` (the four-eyes rule apart)."""
    if row.has(CASH_ONLY) and payout.kind != PayoutKind.CASH:
        return False
    return any(holds(user, payout, actor) for actor in row.actors)


def actions_for(user: User, payout: Payout) -> list[Any]:
    """The buttons to show ``user`` on ``payout``: allowed by the table, the roles and the scope,
    and not barred by the four-eyes rule nor, on a flagged entry, by a first approval of theirs
    (a talent's entry: ``talent_services``' table)."""
    if payout.talent_id is not None:
        from zhaoyin.payouts import talent_services

        return list(talent_services.actions_for(user, payout))
    return [
        row
        for row in payout_transitions_from(payout.status)
        if may_take(user, payout, row)
        and not (row.has(FOUR_EYES) and payout.registered_by_id == user.pk)
        and not (row.action == PayoutAction.APPROVE and payout.flagged and payout.first_approved_by_id == user.pk)
    ]


# ---- services -----------------------------------------------------------------------------------


def _duplicate_message(existing: Payout | None, period: str) -> str:
    if existing is not None and existing.period != period:
        return _(
            "A payout of this policy to this enterprise for %(other)s is already in the ledger, and it overlaps "
            "%(period)s; a benefit is never paid twice for the same days."
        ) % {"period": period, "other": existing.period}
    if existing is not None and existing.status == PayoutStatus.REJECTED:
        return _(
            "A payout of this policy to this enterprise for %(period)s is already in the ledger (rejected); "
            "resubmit that entry instead of registering a new one."
        ) % {"period": period}
    return _(
        "A payout of this policy to this enterprise for %(period)s is already in the ledger; "
        "a benefit is never paid twice for the same period."
    ) % {"period": period}


def payout_register(*, acting_user: User, policy: Policy, enterprise: Enterprise, data: PayoutRegisterInput) -> Payout:
    """Register a payout and return it: ``pending`` approval, or ``matched`` (awaiting the
    firm's 意愿确认) under a 免申即享 policy.

    The caller fetched ``policy`` and ``enterprise`` through their scoped selectors; this
    checks again that the user may register for the enterprise (403 otherwise) and that the
    policy is not a draft (``InvalidInput`` naming ``policy``, nothing written); ``data`` was
    judged by its model (period, amount, note, override reason). A period overlapping one of
    this enterprise × policy in the ledger → ``Conflict`` (409) naming ``period``; the year's
    amounts above the policy's cap → 422 naming ``amount_wan``; an ineligible enterprise or a
    policy not in force in the period without ``override_reason`` → 422 naming it (with it,
    the entry is flagged). Nothing is written on a refusal. Audited as "payout.register".
    """
    # The refusal is audited outside the write's transaction, which would roll it back.
    if not can_register_for(acting_user, enterprise):
        audit_denied(user=acting_user, action="payout.register_denied", target=f"enterprise {enterprise.pk}")
        raise PermissionDenied(_("You may register payouts only for enterprises of your own unit."))
    # The verdict is computed before the transaction (it reads many rows and writes none).
    verdict = extensions.enterprise_verdict(policy, enterprise.pk)
    return _register(acting_user=acting_user, policy=policy, enterprise=enterprise, data=data, verdict=verdict)


def payout_match(
    *, acting_user: User, policy: Policy, enterprises: list[Enterprise], data: PayoutRegisterInput
) -> list[Payout]:
    """数据比对: register one entry per enterprise under a 免申即享 policy (each ``matched``,
    awaiting its 意愿确认), all with ``data``'s period and amount. All or nothing: the first
    refusal (403, 409 or 422, as ``payout_register``; 422 naming ``policy`` for a policy that
    needs an application) is raised and nothing is written. Audited per entry."""
    if policy.delivery != Delivery.NO_APPLICATION:
        raise InvalidInput.field(
            "policy", _("Only a no-application (免申即享) policy registers firms from the data comparison.")
        )
    for enterprise in enterprises:
        if not can_register_for(acting_user, enterprise):
            audit_denied(user=acting_user, action="payout.register_denied", target=f"enterprise {enterprise.pk}")
            raise PermissionDenied(_("You may register payouts only for enterprises of your own unit."))
    verdicts = {e.pk: extensions.enterprise_verdict(policy, e.pk) for e in enterprises}
    with transaction.atomic():
        return [
            _register(acting_user=acting_user, policy=policy, enterprise=e, data=data, verdict=verdicts[e.pk])
            for e in enterprises
        ]


def _overlapping(enterprise: Enterprise, policy: Policy, period: str, *, exclude: int | None = None) -> Payout | None:
    """An entry of this enterprise × policy whose period shares a day with ``period`` and that
    still holds it (not revoked or stopped)."""
    rows = Payout.objects.filter(enterprise=enterprise, policy=policy).exclude(status__in=RELEASED)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return next((p for p in rows.order_by("period", "pk") if periods_overlap(p.period, period)), None)


def _cap_error(policy: Policy, enterprise_id: int, period: str, amount: Decimal, *, exclude: int | None) -> str:
    """Why ``amount`` breaks the policy's yearly cap for the enterprise ('' when it does not):
    the cap bounds the entries of one calendar year that are not rejected, revoked or stopped."""
    cap = policy.max_amount_wan
    if cap is None:
        return ""
    rows = Payout.objects.filter(enterprise_id=enterprise_id, policy=policy, period__startswith=period[:4]).exclude(
        status__in=(*RELEASED, PayoutStatus.REJECTED.value)
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    before = sum((p.amount_wan for p in rows), start=Decimal("0.00"))
    if before + amount <= cap:
        return ""
    if before:
        return _(
            "The policy pays at most %(cap)s (10k yuan) to one beneficiary a year; %(before)s is in the ledger "
            "for %(year)s already, so at most %(left)s more."
        ) % {"cap": cap, "before": before, "year": period[:4], "left": max(cap - before, Decimal("0.00"))}
    return _("The policy pays at most %(cap)s (10k yuan) to one beneficiary a year.") % {"cap": cap}


def flag_reasons(policy: Policy, period: str, verdict: str | None) -> list[str]:
    """Why an entry of ``policy`` for ``period`` must be justified and double-approved: the
    matcher's verdict ``ineligible``, a withdrawn policy, a period outside its validity."""
    reasons: list[str] = []
    if verdict == "ineligible":
        reasons.append(_("the policy matcher judges the enterprise not eligible"))
    first, last = period_range(period)
    if policy.status == PolicyStatus.WITHDRAWN:
        reasons.append(_("the policy was withdrawn"))
    if last < policy.valid_from or (policy.valid_to is not None and first > policy.valid_to):
        reasons.append(
            _("the policy is not in force in %(period)s (valid %(start)s to %(end)s)")
            % {"period": period, "start": policy.valid_from.isoformat(),
               "end": policy.valid_to.isoformat() if policy.valid_to else "—"}
        )
    return reasons


@transaction.atomic
def _register(
    *, acting_user: User, policy: Policy, enterprise: Enterprise, data: PayoutRegisterInput, verdict: str | None
) -> Payout:
    if policy.status == PolicyStatus.DRAFT:
        raise InvalidInput.field("policy", _("A draft policy grants nothing yet: publish it first."))
    if policy.beneficiary == Beneficiary.TALENT:
        raise InvalidInput.field("policy", _("This policy serves talents: it pays no enterprise."))
    clean_period_value, amount, note = data.period, data.amount_wan, data.note
    # One registration at a time per enterprise: the overlap and the cap read the rows this
    # one adds to (PostgreSQL; SQLite's IMMEDIATE transactions serialise every writer).
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    existing = _overlapping(enterprise, policy, clean_period_value)
    if existing is not None:
        raise Conflict(_duplicate_message(existing, clean_period_value), field="period")
    errors = Errors()
    cap = _cap_error(policy, enterprise.pk, clean_period_value, amount, exclude=None)
    if cap:
        errors.add("amount_wan", cap)
    flags = flag_reasons(policy, clean_period_value, verdict)
    if flags and not data.override_reason:
        errors.add(
            "override_reason",
            _("A reason to pay anyway is required: %(why)s. The entry will be flagged and needs two approvers.")
            % {"why": "; ".join(flags)},
        )
    errors.raise_if_any()
    review_unit, payment_unit = approvers.units_for(policy)
    matched = policy.delivery == Delivery.NO_APPLICATION
    payout = Payout(
        policy=policy,
        enterprise=enterprise,
        period=clean_period_value,
        amount_wan=amount,
        status=PayoutStatus.MATCHED if matched else PayoutStatus.PENDING,
        kind=PayoutKind.ENJOYED if policy.benefit_type in ENJOYED_BENEFITS else PayoutKind.CASH,
        org_unit_id=enterprise.org_unit_id,
        industry_id=enterprise.industry_id,
        review_unit=review_unit,
        payment_unit=payment_unit,
        flagged=bool(flags),
        flag_note="; ".join(flags)[:500],
        override_reason=data.override_reason if flags else "",
        note=note,
        registered_by=acting_user,
        registered_at=timezone.now(),
    )
    try:
        # A savepoint: a registration that lost a race to an identical one leaves the outer
        # transaction usable (and nothing written).
        with transaction.atomic():
            payout.save(force_insert=True)
    except IntegrityError:
        raise Conflict(_duplicate_message(None, clean_period_value), field="period") from None
    audit_write(
        action="payout.register", user=acting_user, obj=payout, object_type=OBJECT_TYPE, after=snapshot(payout)
    )
    # The approvers (or, for a 免申即享 entry, the firm) are told once the registration
    # commits (zhaoyin.notifications.handoff).
    handoff.hand_off(
        table=PAYOUT_TABLE, row=MATCH_ENTRY if matched else ENTRY, pk=payout.pk, source="", acting_user=acting_user
    )
    return payout


def payout_transition(*, acting_user: User, payout: Payout, action: str, data: PayoutActionInput) -> Payout:
    """Take ``action`` on ``payout`` as the table allows and return the changed entry.

    The row is locked and compared on ``data.version`` (a stale version, or a change since the
    caller read it → 409); an action the table does not allow from the current status → 409;
    a role or scope that may not take it → 403; the registrant deciding their own entry → 403
    with the four-eyes message. ``reject`` needs a reason; ``resubmit`` needs a new
    ``amount_wan`` (and makes the resubmitter the registrant the decider must differ from).
    Audited as "payout.<action>" with the fields that changed. A talent's entry follows
    ``talent_services.TALENT_PAYOUT_TABLE`` (issue 13).
    """
    if payout.talent_id is not None:
        from zhaoyin.payouts import talent_services

        return talent_services.talent_payout_transition(
            acting_user=acting_user, payout=payout, action=action, data=data
        )
    if action not in ACTIONS:
        from zhaoyin.payouts import talent_services

        if action in talent_services.TALENT_ACTIONS:
            # A step of a talent's entry (公示, 拨付 …): the enterprise table has no such row.
            raise Conflict(
                _("“%(action)s” is not allowed on a payout whose status is “%(status)s”.")
                % {"status": payout.get_status_display(), "action": action}
            )
        raise InvalidInput.field("action", _("Choose one of: %(values)s.") % {"values": ", ".join(ACTIONS)})
    # Role, scope and four-eyes are checked (and a refusal audited) before the write's
    # transaction; the table has one row per action.
    rule = next(t for t in PAYOUT_TRANSITIONS if t.action.value == action)
    if not may_take(acting_user, payout, rule):
        audit_denied(user=acting_user, action=f"payout.{action}_denied", target=f"payout {payout.pk}")
        if rule.has(CASH_ONLY) and payout.kind != PayoutKind.CASH and payout.status in rule.sources:
            raise Conflict(_("A tax incentive is enjoyed, not paid: it has no public notice and no payment."))
        raise PermissionDenied(_("You may not do this to payouts of this enterprise."))
    if rule.has(FOUR_EYES) and payout.registered_by_id == acting_user.pk:
        audit_denied(user=acting_user, action=f"payout.{action}_denied", target=f"payout {payout.pk}")
        raise PermissionDenied(FOUR_EYES_MESSAGE)
    if action == PayoutAction.APPROVE and payout.flagged and payout.first_approved_by_id == acting_user.pk:
        audit_denied(user=acting_user, action=f"payout.{action}_denied", target=f"payout {payout.pk}")
        raise PermissionDenied(SECOND_APPROVER_MESSAGE)
    current = _transition(acting_user=acting_user, payout=payout, action=action, data=data)
    payout.refresh_from_db()
    return current


#: Why the registrant of a payout is refused its decision.
FOUR_EYES_MESSAGE = gettext_lazy(
    "The person who registered a payout may not approve or reject it: another approver must decide (four-eyes rule)."
)
#: Why the first approver of a flagged entry is refused the second approval.
SECOND_APPROVER_MESSAGE = gettext_lazy(
    "This payout is flagged: a second approver, other than the first one and the registrant, must approve it."
)


def publicity_days() -> int:
    """The working days of an enterprise payout's 公示 (``ZHAOYIN_PAYOUTS["PUBLICITY_DAYS"]``)."""
    from django.conf import settings

    return int(getattr(settings, "ZHAOYIN_PAYOUTS", {}).get("PUBLICITY_DAYS", 5))


def today() -> dt.date:
    """The ledger's date (a 公示's end, a payment date not in the future)."""
    return timezone.localdate()


@transaction.atomic
def _transition(*, acting_user: User, payout: Payout, action: str, data: PayoutActionInput) -> Payout:
    # Lock the entry's row only: the enterprise is a nullable join since issue 13, and
    # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    current = (
        Payout.objects.select_for_update(of=("self",)).select_related("enterprise__org_unit").get(pk=payout.pk)
    )
    expected_version = payout.version if data.version is None else data.version
    if current.version != expected_version:
        raise Conflict(_("Someone else changed this payout meanwhile; reload it and try again."))
    row = payout_transition_for(action, current.status)
    if row is None:
        raise Conflict(
            _("“%(action)s” is not allowed on a payout whose status is “%(status)s”.")
            % {"status": current.get_status_display(), "action": row_label(action)}
        )
    if row.has(FOUR_EYES) and current.registered_by_id == acting_user.pk:
        # A resubmission by this user landed between the check above and the lock.
        raise PermissionDenied(FOUR_EYES_MESSAGE)
    errors = Errors()
    reason = data.reason
    if row.needs_reason and not reason:
        errors.add("reason", _("A reason is required."))
    amount = current.amount_wan
    if row.has(NEEDS_AMOUNT):
        if data.amount_wan is None:
            errors.add("amount_wan", _("must be an amount written as a decimal number, e.g. 12.50"))
        else:
            amount = data.amount_wan
            assert current.enterprise_id is not None  # an enterprise's entry
            cap = _cap_error(current.policy, current.enterprise_id, current.period, amount, exclude=current.pk)
            if cap:
                errors.add("amount_wan", cap)
    day = today()
    if row.action == PayoutAction.PAY:
        if data.paid_on is None:
            errors.add("paid_on", _("The payment date is required."))
        elif data.paid_on > day:
            errors.add("paid_on", _("The payment date may not be in the future."))
        if not data.voucher_no:
            errors.add("voucher_no", _("The payment voucher number is required."))
    errors.raise_if_any()

    before = snapshot(current)
    source = current.status
    now = timezone.now()
    changes: dict[str, Any] = {"status": row.target, "version": current.version + 1}
    if row.action == PayoutAction.RESUBMIT:
        changes.update(
            amount_wan=amount,
            registered_by=acting_user,
            registered_at=now,
            decided_by=None,
            decided_at=None,
            first_approved_by=None,
            first_approved_at=None,
            decision_note=reason,
        )
    elif row.action == PayoutAction.APPROVE and current.flagged and current.first_approved_by_id is None:
        # A flagged entry needs two approvers: the first approval is recorded, the entry stays
        # pending for the second (another reviewer, neither the registrant nor this one).
        changes.update(status=current.status, first_approved_by=acting_user, first_approved_at=now,
                       decision_note=reason)
    elif row.action == PayoutAction.APPROVE and current.first_approved_by_id == acting_user.pk:
        raise PermissionDenied(SECOND_APPROVER_MESSAGE)
    elif row.action == PayoutAction.CONFIRM:
        changes.update(confirmed_at=now, note=reason or current.note)
    elif row.action == PayoutAction.PUBLICIZE:
        from zhaoyin.workcalendar.selectors import current_calendar

        ends, _provisional = current_calendar().add_workdays(day, publicity_days())
        changes.update(publicity_ends=ends)
    elif row.action == PayoutAction.PAY:
        if current.publicity_ends is None or day <= current.publicity_ends:
            last = current.publicity_ends.isoformat() if current.publicity_ends else "—"
            raise Conflict(
                _("The public notice runs until %(date)s: the payout is paid after it has ended.") % {"date": last}
            )
        payment_unit = current.payment_unit_id or getattr(approvers.finance_unit(), "pk", None)
        changes.update(paid_at=now, paid_on=data.paid_on, voucher_no=data.voucher_no, payment_unit_id=payment_unit)
    elif row.action == PayoutAction.RECEIVE:
        changes.update(received_at=now)
    else:  # approve (final), reject, revoke, decline: a decision
        changes.update(decided_by=acting_user, decided_at=now, decision_note=reason)
    # Compare-and-set on (version, status): the row is locked, and this makes the rule
    # explicit should the lock ever be missing (SQLite has no row locks).
    updated = Payout.objects.filter(pk=current.pk, version=current.version, status=current.status).update(**changes)
    if updated != 1:
        raise Conflict(_("Someone else changed this payout meanwhile; reload it and try again."))
    current.refresh_from_db()
    old, new = diff(before, snapshot(current))
    audit_write(
        action=f"payout.{row.action.value}", user=acting_user, obj=current, object_type=OBJECT_TYPE, before=old,
        after=new,
    )
    # Whoever the row gives work (its ``notify``) is told once the step commits — unless the
    # state stayed (the first of two approvals: the reviewers are the ones told already).
    if current.status != source:
        handoff.hand_off(table=PAYOUT_TABLE, row=row, pk=current.pk, source=source, acting_user=acting_user)
    return current


def payout_approve(*, acting_user: User, payout: Payout, version: int | None = None, note: str = "") -> Payout:
    """Approve a pending payout (another approver than its registrant)."""
    data = PayoutActionInput.of(reason=note, version=version)
    return payout_transition(acting_user=acting_user, payout=payout, action="approve", data=data)


def payout_reject(*, acting_user: User, payout: Payout, reason: str, version: int | None = None) -> Payout:
    """Reject a pending payout with a reason (another approver than its registrant)."""
    data = PayoutActionInput.of(reason=reason, version=version)
    return payout_transition(acting_user=acting_user, payout=payout, action="reject", data=data)


def payout_resubmit(
    *, acting_user: User, payout: Payout, amount_wan: str | Decimal, note: str = "", version: int | None = None
) -> Payout:
    """Send a rejected payout back for approval with a new amount (decimal text or a Decimal)."""
    data = PayoutActionInput.of(reason=note, amount_wan=amount_wan, version=version)
    return payout_transition(acting_user=acting_user, payout=payout, action="resubmit", data=data)


# ---- export ---------------------------------------------------------------------------------------


def export_headers() -> list[str]:
    return [
        _("Policy"),
        _("Enterprise"),
        _("Credit code"),
        _("Org unit code"),
        _("Org unit"),
        _("Industry"),
        _("Period"),
        _("Amount (10k yuan)"),
        _("Status"),
        _("Registered by"),
        _("Registered at"),
        _("Decided by"),
        _("Decided at"),
        _("Note"),
        _("Decision note"),
        _("Kind"),
        _("Flagged"),
        _("Override reason"),
        _("Payment date"),
        _("Voucher number"),
    ]


def _export_row(p: Payout) -> list[Any]:
    local = timezone.localtime
    return [
        p.policy.title,
        p.beneficiary_name,
        p.enterprise.uscc if p.enterprise is not None else "",
        p.org_unit.code,
        p.org_unit.name,
        p.industry.name if p.industry is not None else "",
        p.period,
        p.amount_wan,
        p.get_status_display(),
        p.registered_by.username if p.registered_by else None,
        local(p.registered_at).strftime("%Y-%m-%d %H:%M"),
        p.decided_by.username if p.decided_by else None,
        local(p.decided_at).strftime("%Y-%m-%d %H:%M") if p.decided_at else None,
        p.note,
        p.decision_note,
        p.get_kind_display(),
        _("Yes") if p.flagged else "",
        p.override_reason,
        p.paid_on.isoformat() if p.paid_on else None,
        p.voucher_no,
    ]


def payout_export(*, acting_user: User, params: Mapping[str, object], out: IO[bytes]) -> int:
    """Write the user's scoped, filtered ledger to ``out`` as .xlsx (the list page's rows,
    text as text: no formula injection) and return the row count. Bad parameters raise
    ``InvalidInput`` before anything is written. Audited as "payout.export"."""
    from zhaoyin.lib.xlsx_write import SheetSpec, write_xlsx

    # The ledger's filter and selector sit above the services: loaded when an export runs, so
    # importing the services never imports them (no circle).
    from zhaoyin.payouts.filters import PayoutFilter
    from zhaoyin.payouts.selectors import payout_list_visible_to

    flt = PayoutFilter.parse(params)
    qs = flt.apply(payout_list_visible_to(acting_user)).select_related("talent")
    count = write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Payouts"),
                headers=export_headers(),
                rows=(_export_row(p) for p in qs.iterator(chunk_size=2000)),
                text_columns=frozenset({0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}),
                widths=[30, 30, 20, 12, 14, 14, 10, 14, 10, 12, 17, 12, 17, 30, 30, 10, 8, 30, 12, 20],
            )
        ],
    )
    # The file is built outside any transaction (SQLite has one writer); the audit record
    # is written in audit_write's own short one.
    audit_write(
        action="payout.export",
        user=acting_user,
        object_type=OBJECT_TYPE,
        detail=json.dumps({"filter": flt.params, "rows": count}, ensure_ascii=False, sort_keys=True),
    )
    return count


# ---- who approves a policy's payouts (issue 15 item 6, roles as data) ----------------------------

#: Who sets a policy's approvers: the city administration (every unit and policy is in its scope).
APPROVER_EDITORS = frozenset({Role.CITY_ADMIN.value})
#: The kinds of unit that may review or pay (a department, a county or a park; not a service
#: group, a talent station or the city itself).
APPROVER_UNIT_KINDS = frozenset({OrgUnitKind.DEPARTMENT, OrgUnitKind.COUNTY, OrgUnitKind.PARK})


@transaction.atomic
def policy_approvers_set(*, acting_user: User, policy: Policy, data: PolicyApproversInput) -> PolicyApprovers:
    """Name the units that approve ``policy``'s payouts: ``review_unit`` reviews (审核, 公示, 撤销),
    ``payment_unit`` records the 拨付. Entries already registered keep the units they were given
    (``payouts.approvers``); new ones take these. City administration only (403); a unit code that
    is unknown, inactive or of another kind → 422 naming the field; audited with before/after."""
    if not acting_user.has_role(*APPROVER_EDITORS):
        raise PermissionDenied(_("Only the city administration names a policy's approvers."))
    errors = Errors()
    found = {
        u.code: u
        for u in OrgUnit.objects.filter(
            code__in=[data.review_unit, data.payment_unit], is_active=True, kind__in=APPROVER_UNIT_KINDS
        )
    }
    for field_name in ("review_unit", "payment_unit"):
        if getattr(data, field_name) not in found:
            errors.add(field_name, _("No such active department, county or park."))
    errors.raise_if_any()
    current = PolicyApprovers.objects.select_for_update().filter(policy=policy).first()
    before = snapshot(current) if current is not None else None
    rule = current or PolicyApprovers(policy=policy)
    rule.review_unit, rule.payment_unit = found[data.review_unit], found[data.payment_unit]
    rule.save()
    audit_write(action="payout.approvers_set", user=acting_user, obj=policy, object_type="policies.policy",
                before=before, after=snapshot(rule))
    return rule

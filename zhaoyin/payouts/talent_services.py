"""人才补贴兑现: a talent's entries of the payout ledger (issue 13 item 3) and THE talent payout
transition table.

A person's subsidy is paid through the same ledger as an enterprise's benefit (``Payout``, one
talent × talent policy × period, never twice), with a longer life:

- a policy's ``SubsidySchedule`` started for an eligible talent writes every instalment as a
  ``due`` entry (博士生活补贴: 36 monthly ones; 安家补贴: three yearly ones); a one-off entry is
  registered ``pending`` directly;
- ``submit`` hands a due entry to the approvers once its period has begun;
- ``approve`` / ``reject`` by a second person (四眼原则, as for enterprises), ``resubmit`` with a
  new amount after a rejection;
- ``publicize`` starts the 公示 (the schedule's working days on the city calendar), ``pay``
  records the 拨付 once the notice has ended — never before;
- ``stop`` ends an entry that will not be paid; a talent's departure stops, in the departure's
  own transaction, every unpaid entry for a period that begins after it (``stop_after_departure``,
  the receiver of ``talents.signals.talents_changed``).

A period that begins after the talent left is refused on registration and submission (422
naming ``period``, nothing changed). Who: registrars — city admins, the talent office, unit
admins and staff for talents of their unit's subtree; approvers — city admins, the talent
office, unit admins within their subtree. Each service checks this itself, whatever the caller.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_denied, audit_write, audit_write_many, diff, snapshot
from zhaoyin.core.errors import Conflict, Errors, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import SYSTEM, Transition, TransitionTable, Wait, row
from zhaoyin.lib import eligibility as engine
from zhaoyin.notifications import handoff
from zhaoyin.payouts.inputs import PayoutActionInput, PayoutRegisterInput, ScheduleStartInput
from zhaoyin.payouts.models import OBJECT_TYPE, Payout, PayoutStatus, ScheduleFrequency, SubsidySchedule
from zhaoyin.payouts.periods import next_periods, period_start
from zhaoyin.policies.models import Beneficiary, Policy, PolicyStatus
from zhaoyin.policies.validation import vocabulary_for
from zhaoyin.talents.facts import talent_facts
from zhaoyin.talents.models import Talent, TalentStatus
from zhaoyin.talents.selectors import talent_scope_q

#: Roles that register talent payouts, start schedules and submit due entries (in scope).
TALENT_REGISTRAR_ROLES: frozenset[str] = frozenset(
    {Role.CITY_ADMIN.value, Role.TALENT_OFFICE.value, Role.UNIT_ADMIN.value, Role.STAFF.value}
)
#: Roles that approve, reject, publicize, pay and stop talent payouts (in scope).
TALENT_APPROVER_ROLES: frozenset[str] = frozenset(
    {Role.CITY_ADMIN.value, Role.TALENT_OFFICE.value, Role.UNIT_ADMIN.value}
)
#: The working days of a 公示 when a one-off entry's policy has no schedule.
DEFAULT_PUBLICITY_DAYS = 5
#: What a departure's stop records as the reason.
DEPARTURE_NOTE = gettext_lazy("The talent left the city before this period.")


class TalentPayoutAction(StrEnum):
    """What can happen to a talent payout's status; the value is the API's action name."""

    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    RESUBMIT = "resubmit"
    PUBLICIZE = "publicize"
    PAY = "pay"
    STOP = "stop"


REGISTRAR, APPROVER = "registrar", "approver"
#: The talent paid: told (portal notice) when an entry is paid or stopped; takes no step.
TALENT = "talent"
ACTOR_ROLES: dict[str, frozenset[str]] = {REGISTRAR: TALENT_REGISTRAR_ROLES, APPROVER: TALENT_APPROVER_ROLES}
#: ``Wait.when`` conditions the to-do provider (``payouts.todo``) checks besides the state: a
#: due entry is owed once its period has begun, a publicized one once its 公示 has ended.
PERIOD_BEGUN, PUBLICITY_OVER = "period_begun", "publicity_over"
#: Row flags: the registrant may not take it (四眼原则); it needs a new amount.
FOUR_EYES, NEEDS_AMOUNT = "four_eyes", "needs_amount"

_P = PayoutStatus
#: Unpaid states a stop (manual, or a departure) ends.
UNPAID = frozenset({_P.DUE.value, _P.PENDING.value, _P.REJECTED.value, _P.APPROVED.value, _P.PUBLICIZED.value})
TalentPayoutTransition = Transition[str, TalentPayoutAction]
_ENTERPRISE_ONLY = frozenset({_P.MATCHED, _P.RECEIVED, _P.REVOKED})
TALENT_PAYOUT_TABLE: TransitionTable[str, TalentPayoutAction] = TransitionTable(
    name="talent_payout",
    # The enterprise-only states of issue 15 (matched, received, revoked) are not a talent's.
    states=tuple((s.value, s.label) for s in PayoutStatus if s not in _ENTERPRISE_ONLY),
    initial=_P.DUE.value,
    terminal=frozenset({_P.PAID.value, _P.STOPPED.value}),
    # Who owes the next step (我的待办): the registrars a due entry whose period has begun (待提交)
    # and a rejected one (待重报); the approvers a pending one (待审批, never its registrant), an
    # approved one (待公示) and one whose 公示 has ended (待拨付). A row leading there tells them.
    waits={
        _P.DUE.value: (Wait(REGISTRAR, "to_submit", gettext_lazy("To submit"), when=PERIOD_BEGUN),),
        _P.PENDING.value: (Wait(APPROVER, "to_approve", gettext_lazy("To approve")),),
        _P.REJECTED.value: (Wait(REGISTRAR, "to_resubmit", gettext_lazy("To resubmit")),),
        _P.APPROVED.value: (Wait(APPROVER, "to_publicize", gettext_lazy("To publicize")),),
        _P.PUBLICIZED.value: (Wait(APPROVER, "to_pay", gettext_lazy("To pay"), when=PUBLICITY_OVER),),
    },
    rows=(
        row(TalentPayoutAction.SUBMIT, {_P.DUE.value}, _P.PENDING.value, {REGISTRAR}, gettext_lazy("Submit"),
            style="primary"),
        row(TalentPayoutAction.APPROVE, {_P.PENDING.value}, _P.APPROVED.value, {APPROVER}, gettext_lazy("Approve"),
            style="success", flags={FOUR_EYES}),
        row(TalentPayoutAction.REJECT, {_P.PENDING.value}, _P.REJECTED.value, {APPROVER}, gettext_lazy("Reject"),
            needs_reason=True, style="outline-danger", flags={FOUR_EYES}),
        row(TalentPayoutAction.RESUBMIT, {_P.REJECTED.value}, _P.PENDING.value, {REGISTRAR},
            gettext_lazy("Resubmit"), style="primary", flags={NEEDS_AMOUNT}),
        # The payers owe 拨付 only once the 公示 has ended (a conditional wait: nobody is told at
        # its start); ``PUBLICITY_ENDED`` tells them the day after its last day.
        row(TalentPayoutAction.PUBLICIZE, {_P.APPROVED.value}, _P.PUBLICIZED.value, {APPROVER},
            gettext_lazy("Start public notice"), style="primary"),
        # The talent learns in the portal that the subsidy was paid, or stopped.
        row(TalentPayoutAction.PAY, {_P.PUBLICIZED.value}, _P.PAID.value, {APPROVER}, gettext_lazy("Record payment"),
            style="success", notify={TALENT}),
        row(TalentPayoutAction.STOP, UNPAID, _P.STOPPED.value, {APPROVER}, gettext_lazy("Stop"),
            needs_reason=True, style="outline-danger", notify={TALENT}),
    ),
)
#: Not a row either: the 公示's end, noticed by the periodic job ``payouts-publicity-over``
#: (``payouts.todo.notify_publicity_over``), which tells the payers once per entry.
PUBLICITY_ENDED: Transition[str, str] = row(
    PUBLICITY_OVER, (), _P.PUBLICIZED.value, {SYSTEM}, gettext_lazy("Public notice ended"), notify={APPROVER}
)
#: The entry into ``pending`` of a one-off registration: told to the approvers like a submission
#: (not a row of the table: nothing leads from a state to it).
TALENT_ENTRY: Transition[str, str] = row(
    "register", (), _P.PENDING.value, {REGISTRAR}, gettext_lazy("Register"), notify={APPROVER}
)
TALENT_ACTIONS: tuple[str, ...] = tuple(t.action.value for t in TALENT_PAYOUT_TABLE.rows)
FOUR_EYES_MESSAGE = gettext_lazy(
    "The person who registered a payout may not approve or reject it: another approver must decide (four-eyes rule)."
)


def roles_of(actors: Iterable[str]) -> frozenset[str]:
    """The role codes that hold any of ``actors``."""
    return frozenset(code for actor in actors for code in ACTOR_ROLES.get(actor, frozenset()))


def today() -> dt.date:
    """The ledger's date (periods begun, notices ended)."""
    return timezone.localdate()


# ---- who may do what ------------------------------------------------------------------------------


def in_talent_scope(user: User, talent: Talent) -> bool:
    """Whether ``talent`` lies in ``user``'s talent scope (``talents.selectors``)."""
    return Talent.objects.filter(talent_scope_q(user), pk=talent.pk).exists()


def can_register_for_talent(user: User, talent: Talent) -> bool:
    """Whether ``user`` may register payouts or start schedules for ``talent``."""
    if not user.is_authenticated or user.admin_role or not user.has_role(*TALENT_REGISTRAR_ROLES):
        return False
    return in_talent_scope(user, talent)


def may_take(user: User, payout: Payout, rule: TalentPayoutTransition) -> bool:
    """Whether ``user``'s roles and scope allow ``rule`` on ``payout`` (four-eyes apart)."""
    if not user.is_authenticated or user.admin_role or not user.has_role(*roles_of(rule.actors)):
        return False
    return payout.talent is not None and in_talent_scope(user, payout.talent)


def actions_for(user: User, payout: Payout) -> list[TalentPayoutTransition]:
    """The buttons to show ``user`` on a talent payout (table, roles, scope, four-eyes)."""
    return [
        r
        for r in TALENT_PAYOUT_TABLE.rows_from(payout.status)
        if may_take(user, payout, r) and not (r.has(FOUR_EYES) and payout.registered_by_id == user.pk)
    ]


# ---- the checks shared by the services ----------------------------------------------------------------


def _check_policy(policy: Policy) -> None:
    """A talent policy that grants: published, serving talents (else 422 naming ``policy``)."""
    if policy.beneficiary != Beneficiary.TALENT:
        raise InvalidInput.field("policy", _("This policy serves enterprises: it pays no talent."))
    if policy.status == PolicyStatus.DRAFT:
        raise InvalidInput.field("policy", _("A draft policy grants nothing yet: publish it first."))


def _check_period_before_departure(talent: Talent, period: str) -> None:
    """422 naming ``period`` when it begins after the talent left the city."""
    departed = talent.departed_on if talent.status == TalentStatus.DEPARTED else None
    if departed is not None and period_start(period) > departed:
        raise InvalidInput.field(
            "period",
            _("The talent left the city on %(date)s: nothing is paid for %(period)s, which begins after that.")
            % {"date": departed.isoformat(), "period": period},
        )


def talent_verdict(policy: Policy, talent: Talent, *, on: dt.date | None = None) -> engine.Explanation | None:
    """The talent policy's tree explained for ``talent`` (None when it has no tree that parses)."""
    if not policy.eligibility:
        return None
    vocab = vocabulary_for(Beneficiary.TALENT)
    try:
        node = engine.parse_tree(policy.eligibility, vocab)
    except engine.TreeError:
        return None
    return engine.explain(node, talent_facts(talent, on=on or today()), vocab)


def _duplicate(period: str) -> Conflict:
    return Conflict(
        _("A payout of this policy to this talent for %(period)s is already in the ledger; "
          "a subsidy is never paid twice for the same period.") % {"period": period}
    )


def _denied(user: User, action: str, target: str) -> PermissionDenied:
    # Audited outside the write's transaction, which would roll the record back.
    audit_denied(user=user, action=action, target=target)
    return PermissionDenied(_("You may register payouts only for talents of your own unit."))


# ---- services ---------------------------------------------------------------------------------------


def talent_payout_register(
    *, acting_user: User, policy: Policy, talent: Talent, data: PayoutRegisterInput
) -> Payout:
    """Register a one-off talent payout ``pending`` approval and return it.

    The caller fetched ``policy`` and ``talent`` through their scoped selectors. 403 (audited)
    when the user may not register for the talent; 422 naming ``policy`` for an enterprise or
    draft policy, naming ``period`` for a period that begins after the talent left; 409 when the
    talent × policy × period is in the ledger. Nothing is written on a refusal. Audited as
    "payout.register".
    """
    if not can_register_for_talent(acting_user, talent):
        raise _denied(acting_user, "payout.register_denied", f"talent {talent.pk}")
    return _register(acting_user=acting_user, policy=policy, talent=talent, data=data)


def _new_entry(*, acting_user: User, policy: Policy, talent: Talent, period: str, **values: Any) -> Payout:
    return Payout(
        policy=policy,
        talent=talent,
        period=period,
        org_unit_id=talent.org_unit_id,
        industry_id=talent.industry_id,
        registered_by=acting_user,
        registered_at=timezone.now(),
        **values,
    )


@transaction.atomic
def _register(*, acting_user: User, policy: Policy, talent: Talent, data: PayoutRegisterInput) -> Payout:
    _check_policy(policy)
    _check_period_before_departure(talent, data.period)
    if Payout.objects.filter(talent=talent, policy=policy, period=data.period).exists():
        raise _duplicate(data.period)
    payout = _new_entry(
        acting_user=acting_user, policy=policy, talent=talent, period=data.period, amount_wan=data.amount_wan,
        status=PayoutStatus.PENDING, note=data.note,
    )
    try:
        with transaction.atomic():
            payout.save(force_insert=True)
    except IntegrityError:
        raise _duplicate(data.period) from None
    audit_write(
        action="payout.register", user=acting_user, obj=payout, object_type=OBJECT_TYPE, after=snapshot(payout)
    )
    # The approvers are told once the registration commits (zhaoyin.notifications.handoff).
    handoff.hand_off(table=TALENT_PAYOUT_TABLE, row=TALENT_ENTRY, pk=payout.pk, source="", acting_user=acting_user)
    return payout


def talent_schedule_start(
    *, acting_user: User, policy: Policy, talent: Talent, data: ScheduleStartInput
) -> list[Payout]:
    """Write every instalment of ``policy``'s schedule for ``talent`` as a ``due`` entry, from
    ``data.first_period`` (a month for a monthly schedule, a year for a yearly one).

    403 (audited) out of the user's roles or scope. 422 naming ``policy`` for an enterprise or
    draft policy or one without a schedule, ``first_period`` for a period of the wrong kind,
    ``talent`` for a talent who left or is not eligible (the unmet or unknown conditions named);
    409 when any of the periods is in the ledger already. All or nothing; each entry audited as
    "payout.schedule".
    """
    if not can_register_for_talent(acting_user, talent):
        raise _denied(acting_user, "payout.schedule_denied", f"talent {talent.pk}")
    return _schedule(acting_user=acting_user, policy=policy, talent=talent, data=data)


@transaction.atomic
def _schedule(*, acting_user: User, policy: Policy, talent: Talent, data: ScheduleStartInput) -> list[Payout]:
    _check_policy(policy)
    schedule = SubsidySchedule.objects.filter(policy=policy).first()
    if schedule is None:
        raise InvalidInput.field("policy", _("This policy has no payment schedule."))
    errors = Errors()
    monthly = schedule.frequency == ScheduleFrequency.MONTHLY
    if monthly != ("-" in data.first_period) or "Q" in data.first_period:
        errors.add(
            "first_period",
            _("must be a month (2026-01) for a monthly schedule") if monthly
            else _("must be a year (2026) for a yearly schedule"),
        )
    if talent.status == TalentStatus.DEPARTED:
        errors.add("talent", _("The talent has left the city: no schedule is started."))
    else:
        explained = talent_verdict(policy, talent)
        if explained is None or explained.verdict != engine.MET:
            reasons = [
                str(c.reason) for c in (explained.conditions if explained is not None else []) if c.result != engine.MET
            ]
            errors.add(
                "talent",
                _("The talent is not eligible for this policy: %(reasons)s")
                % {"reasons": "; ".join(reasons) or _("the policy has no conditions that parse")},
            )
    errors.raise_if_any()
    periods = next_periods(data.first_period, schedule.instalments, monthly=monthly)
    taken = sorted(
        Payout.objects.filter(talent=talent, policy=policy, period__in=periods).values_list("period", flat=True)
    )
    if taken:
        raise _duplicate(", ".join(taken))
    entries = [
        _new_entry(
            acting_user=acting_user, policy=policy, talent=talent, period=period, amount_wan=schedule.amount_wan,
            status=PayoutStatus.DUE, instalment=n,
        )
        for n, period in enumerate(periods, start=1)
    ]
    try:
        with transaction.atomic():
            Payout.objects.bulk_create(entries)
    except IntegrityError:
        raise _duplicate(", ".join(periods)) from None
    saved = list(Payout.objects.filter(talent=talent, policy=policy, period__in=periods).order_by("period"))
    audit_write_many(
        user=acting_user,
        entries=[
            {"action": "payout.schedule", "obj": e, "object_type": OBJECT_TYPE, "after": snapshot(e)} for e in saved
        ],
    )
    return saved


def talent_payout_transition(
    *, acting_user: User, payout: Payout, action: str, data: PayoutActionInput, on: dt.date | None = None
) -> Payout:
    """Take ``action`` on a talent payout as ``TALENT_PAYOUT_TABLE`` allows; the changed entry.

    Locked and compared on ``data.version`` (stale → 409); an action the table does not allow
    from the status → 409; a role or scope that may not → 403; the registrant deciding their
    own entry → 403 (four-eyes). ``submit`` needs the period begun (409) and not after the
    talent's departure (422 naming ``period``); ``reject`` and ``stop`` a reason, ``resubmit`` a
    new amount; ``pay`` the public notice ended (409 naming its last day). Audited as
    "payout.<action>". ``on``: the day the step is taken (default today; a past step, as
    ``policy_transition`` takes ``today``). The demo's past year of paid entries is written in
    bulk by ``demo.talentpolicy_demo._paid_history``, which makes the changes this makes: keep the two
    alike.
    """
    if action not in TALENT_ACTIONS:
        raise InvalidInput.field(
            "action", _("Choose one of: %(values)s.") % {"values": ", ".join(TALENT_ACTIONS)}
        )
    rule = TALENT_PAYOUT_TABLE.get(action)
    assert rule is not None  # every action of TALENT_ACTIONS has its row
    if not may_take(acting_user, payout, rule):
        audit_denied(user=acting_user, action=f"payout.{action}_denied", target=f"payout {payout.pk}")
        raise PermissionDenied(_("You may not do this to payouts of this talent."))
    if rule.has(FOUR_EYES) and payout.registered_by_id == acting_user.pk:
        audit_denied(user=acting_user, action=f"payout.{action}_denied", target=f"payout {payout.pk}")
        raise PermissionDenied(FOUR_EYES_MESSAGE)
    current = _transition(acting_user=acting_user, payout=payout, action=action, data=data, on=on)
    payout.refresh_from_db()
    return current


def _publicity_days(policy_id: int) -> int:
    schedule = SubsidySchedule.objects.filter(policy_id=policy_id).first()
    return schedule.publicity_days if schedule is not None else DEFAULT_PUBLICITY_DAYS


@transaction.atomic
def _transition(
    *, acting_user: User, payout: Payout, action: str, data: PayoutActionInput, on: dt.date | None
) -> Payout:
    current = Payout.objects.select_for_update(of=("self",)).select_related("talent").get(pk=payout.pk)
    expected = payout.version if data.version is None else data.version
    if current.version != expected:
        raise Conflict(_("Someone else changed this payout meanwhile; reload it and try again."))
    rule = TALENT_PAYOUT_TABLE.transition_for(action, current.status)
    if rule is None:
        found = TALENT_PAYOUT_TABLE.get(action)
        raise Conflict(
            _("“%(action)s” is not allowed on a payout whose status is “%(status)s”.")
            % {"status": current.get_status_display(), "action": str(found.label) if found else action}
        )
    if rule.has(FOUR_EYES) and current.registered_by_id == acting_user.pk:
        raise PermissionDenied(FOUR_EYES_MESSAGE)
    assert current.talent is not None  # a talent entry
    errors = Errors()
    reason = data.reason
    if rule.needs_reason and not reason:
        errors.add("reason", _("A reason is required."))
    amount = current.amount_wan
    if rule.has(NEEDS_AMOUNT):
        if data.amount_wan is None:
            errors.add("amount_wan", _("must be an amount written as a decimal number, e.g. 12.50"))
        else:
            amount = data.amount_wan
    errors.raise_if_any()
    now = timezone.now()
    day = on or today()
    changes: dict[str, Any] = {"status": rule.target, "version": current.version + 1}
    if rule.action == TalentPayoutAction.SUBMIT:
        _check_period_before_departure(current.talent, current.period)
        if period_start(current.period) > day:
            raise Conflict(
                _("The period %(period)s has not begun: a scheduled entry is submitted once it has.")
                % {"period": current.period}
            )
        changes.update(registered_by=acting_user, registered_at=now, note=reason or current.note)
    elif rule.action == TalentPayoutAction.RESUBMIT:
        _check_period_before_departure(current.talent, current.period)
        changes.update(amount_wan=amount, registered_by=acting_user, registered_at=now, decided_by=None,
                       decided_at=None, decision_note=reason)
    elif rule.action == TalentPayoutAction.PUBLICIZE:
        from zhaoyin.workcalendar.selectors import current_calendar

        ends, _provisional = current_calendar().add_workdays(day, _publicity_days(current.policy_id))
        changes.update(publicity_ends=ends)
    elif rule.action == TalentPayoutAction.PAY:
        if current.publicity_ends is None or day <= current.publicity_ends:
            last = current.publicity_ends.isoformat() if current.publicity_ends else "—"
            raise Conflict(
                _("The public notice runs until %(date)s: the subsidy is paid after it has ended.") % {"date": last}
            )
        changes.update(paid_at=now)
    else:  # approve, reject, stop: a decision
        changes.update(decided_by=acting_user, decided_at=now, decision_note=reason)
    before = snapshot(current)
    source = current.status
    updated = Payout.objects.filter(pk=current.pk, version=current.version, status=current.status).update(**changes)
    if updated != 1:
        raise Conflict(_("Someone else changed this payout meanwhile; reload it and try again."))
    current.refresh_from_db()
    old, new = diff(before, snapshot(current))
    audit_write(
        action=f"payout.{rule.action.value}", user=acting_user, obj=current, object_type=OBJECT_TYPE, before=old,
        after=new,
    )
    # Whoever the row gives work (its ``notify``) is told once the step commits.
    handoff.hand_off(table=TALENT_PAYOUT_TABLE, row=rule, pk=current.pk, source=source, acting_user=acting_user)
    return current


def stop_after_departure(talent_ids: Collection[int]) -> int:
    """Stop every unpaid entry of these talents, if departed, for a period that begins after
    the departure; returns how many. Runs in the caller's transaction (the departure's), so the
    departure and the stop commit together; each stop audited as "payout.stop" by the system."""
    stopped = 0
    talents = Talent.objects.filter(pk__in=list(talent_ids), status=TalentStatus.DEPARTED, departed_on__isnull=False)
    for talent in talents:
        assert talent.departed_on is not None
        rows = Payout.objects.select_for_update().filter(talent=talent, status__in=UNPAID).order_by("period")
        for entry in rows:
            if period_start(entry.period) <= talent.departed_on:
                continue
            before = snapshot(entry)
            Payout.objects.filter(pk=entry.pk).update(
                status=PayoutStatus.STOPPED, version=entry.version + 1, decision_note=str(DEPARTURE_NOTE),
                decided_at=timezone.now(), decided_by=None,
            )
            entry.refresh_from_db()
            old, new = diff(before, snapshot(entry))
            audit_write(
                action="payout.stop", user=None, obj=entry, object_type=OBJECT_TYPE, before=old, after=new,
                detail=json.dumps({"departed_on": talent.departed_on.isoformat()}),
            )
            stopped += 1
    return stopped


def stop_on_departure(sender: object, *, changes: Mapping[int, Collection[str] | None], **kwargs: object) -> None:
    """The receiver of ``talents.signals.talents_changed`` (connected in ``payouts.apps``): a
    talent whose status or departure date changed has the unpaid entries after it stopped."""
    ids = [pk for pk, fields in changes.items() if fields is not None and {"status", "departed_on"} & set(fields)]
    if ids:
        stop_after_departure(ids)


def subsidy_schedule_set(
    *, acting_user: User, policy: Policy, frequency: str, instalments: int, amount_wan: Any, publicity_days: int = 5
) -> SubsidySchedule:
    """Give a talent policy its payment schedule (or change it); entries already written keep
    their amounts. 422 naming the field for a bad value; audited as "payout.schedule_set"."""
    from zhaoyin.payouts.inputs import clean_amount

    if not acting_user.has_role(Role.CITY_ADMIN, Role.TALENT_OFFICE):
        audit_denied(user=acting_user, action="payout.schedule_set_denied", target=f"policy {policy.pk}")
        raise PermissionDenied(_("Only the city administrators and the talent office set payment schedules."))
    errors = Errors()
    if policy.beneficiary != Beneficiary.TALENT:
        errors.add("policy", _("This policy serves enterprises: it pays no talent."))
    if frequency not in ScheduleFrequency.values:
        errors.add("frequency", _("Choose one of: %(values)s.") % {"values": ", ".join(ScheduleFrequency.values)})
    if not 1 <= instalments <= 120:
        errors.add("instalments", _("must be from 1 to 120"))
    if not 0 <= publicity_days <= 30:
        errors.add("publicity_days", _("must be from 0 to 30"))
    amount = Decimal("0")
    try:
        amount = clean_amount(amount_wan)
    except ValueError as exc:
        errors.add("amount_wan", str(exc))
    errors.raise_if_any()
    with transaction.atomic():
        schedule, _created = SubsidySchedule.objects.update_or_create(
            policy=policy,
            defaults={"frequency": frequency, "instalments": instalments, "amount_wan": amount,
                      "publicity_days": publicity_days},
        )
        audit_write(
            action="payout.schedule_set", user=acting_user, obj=policy,
            detail=json.dumps({"frequency": frequency, "instalments": instalments, "amount_wan": str(amount),
                               "publicity_days": publicity_days}),
        )
    return schedule

"""政策兑现台账: the payout ledger's services and THE payout transition table (DESIGN 3.7).

A payout is one benefit granted to an enterprise under a policy for a period (``YYYY``,
``YYYY-Qn`` or ``YYYY-MM``). It is registered ``pending``, then approved or rejected by a
second person (四眼原则: the one who registered it may not decide it); a rejected entry may be
resubmitted with a new amount. Every change of status is one row of ``PAYOUT_TABLE`` (a
``zhaoyin.core.transitions.TransitionTable``; ``PAYOUT_TRANSITIONS`` are its rows);
the services look each change up there and the detail page draws its buttons from the same
table, so a page cannot offer what a service refuses.

"Never paid twice" is the database's ``payout_once_per_period`` constraint: the register
service checks first to give a clear 409, and turns the constraint's IntegrityError (two
registrations racing) into the same 409.

Who: registering and resubmitting — city admins, and unit admins and staff for enterprises of
their unit's subtree; approving and rejecting — city admins, and unit admins within their
subtree. Each service checks this itself, whatever the caller.
"""

from __future__ import annotations

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

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_denied, audit_write, diff, snapshot
from zhaoyin.core.errors import Conflict, Errors, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import Transition, TransitionTable, Wait, row
from zhaoyin.enterprises.models import Enterprise
from zhaoyin.notifications import handoff
from zhaoyin.payouts.inputs import PayoutActionInput, PayoutRegisterInput
from zhaoyin.payouts.models import OBJECT_TYPE, Payout, PayoutStatus
from zhaoyin.payouts.periods import YEAR_MAX as YEAR_MAX
from zhaoyin.payouts.periods import YEAR_MIN as YEAR_MIN
from zhaoyin.policies.models import Beneficiary, Policy, PolicyStatus

#: Roles that register payouts and resubmit rejected ones (within their unit scope).
REGISTRAR_ROLES: frozenset[str] = frozenset({Role.CITY_ADMIN.value, Role.UNIT_ADMIN.value, Role.STAFF.value})
#: Roles that approve or reject payouts (within their unit scope).
APPROVER_ROLES: frozenset[str] = frozenset({Role.CITY_ADMIN.value, Role.UNIT_ADMIN.value})



class PayoutAction(StrEnum):
    """What can happen to a payout's status; the value is the API's action name."""

    APPROVE = "approve"
    REJECT = "reject"
    RESUBMIT = "resubmit"


#: The payout machine's actors: who registers (and resubmits) and who decides. Each is a set
#: of roles, within the enterprise's unit scope (``may_take``).
REGISTRAR, APPROVER = "registrar", "approver"
ACTOR_ROLES: dict[str, frozenset[str]] = {REGISTRAR: REGISTRAR_ROLES, APPROVER: APPROVER_ROLES}
#: Row flags: the person who registered the entry may not take it (四眼原则); it needs a new amount.
FOUR_EYES, NEEDS_AMOUNT = "four_eyes", "needs_amount"

#: One row of the table: the platform's transition type (zhaoyin.core.transitions).
PayoutTransition = Transition[str, PayoutAction]

_P = PayoutStatus
#: The states of an enterprise's entry.
ENTERPRISE_STATES = (_P.PENDING, _P.APPROVED, _P.REJECTED)
PAYOUT_TABLE: TransitionTable[str, PayoutAction] = TransitionTable(
    name="payout",
    # An enterprise's entry knows three states; the others are a talent's (talent_services).
    states=tuple((s.value, s.label) for s in ENTERPRISE_STATES),
    initial=_P.PENDING.value,
    terminal=frozenset({_P.APPROVED.value}),
    # Who owes the next step (我的待办): the approvers a pending entry (待审批), the registrars
    # a rejected one (待重报). A row leading there tells them (``notify``).
    waits={
        _P.PENDING.value: (Wait(APPROVER, "to_approve", gettext_lazy("To approve")),),
        _P.REJECTED.value: (Wait(REGISTRAR, "to_resubmit", gettext_lazy("To resubmit")),),
    },
    rows=(
        row(PayoutAction.APPROVE, {_P.PENDING.value}, _P.APPROVED.value, {APPROVER}, gettext_lazy("Approve"),
            style="success", flags={FOUR_EYES}),
        row(PayoutAction.REJECT, {_P.PENDING.value}, _P.REJECTED.value, {APPROVER}, gettext_lazy("Reject"),
            needs_reason=True, style="outline-danger", flags={FOUR_EYES}),
        row(PayoutAction.RESUBMIT, {_P.REJECTED.value}, _P.PENDING.value, {REGISTRAR}, gettext_lazy("Resubmit"),
            style="primary", flags={NEEDS_AMOUNT}),
    ),
)
PAYOUT_TRANSITIONS: tuple[PayoutTransition, ...] = PAYOUT_TABLE.rows
#: The entry into the machine: a registration puts a payout in ``pending`` and hands it to the
#: approvers. Not a row of the table (nothing leads *from* a state to it); told the same way.
ENTRY: Transition[str, str] = row(
    "register", (), _P.PENDING.value, {REGISTRAR}, gettext_lazy("Register"), notify={APPROVER}
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


def may_take(user: User, payout: Payout, row: PayoutTransition) -> bool:
    """Whether ``user``'s roles and scope allow ``row`` on ``payout`` (the four-eyes rule apart)."""
    if not user.is_authenticated or user.admin_role or not user.has_role(*roles_of(row.actors)):
        return False
    return _in_unit_scope(user, payout.scope_path)


def actions_for(user: User, payout: Payout) -> list[Any]:
    """The buttons to show ``user`` on ``payout``: allowed by the table, the roles and the scope,
    and not barred by the four-eyes rule (a talent's entry: ``talent_services``' table)."""
    if payout.talent_id is not None:
        from zhaoyin.payouts import talent_services

        return list(talent_services.actions_for(user, payout))
    return [
        row
        for row in payout_transitions_from(payout.status)
        if may_take(user, payout, row) and not (row.has(FOUR_EYES) and payout.registered_by_id == user.pk)
    ]


# ---- services -----------------------------------------------------------------------------------


def _duplicate_message(existing: Payout | None, period: str) -> str:
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
    """Register a payout ``pending`` approval and return it.

    The caller fetched ``policy`` and ``enterprise`` through their scoped selectors; this
    checks again that the user may register for the enterprise (403 otherwise) and that the
    policy is not a draft (``InvalidInput`` naming ``policy``, nothing written); ``data`` was
    judged by its model (period, amount, note). The same enterprise × policy × period twice →
    ``Conflict`` (409) naming the period, nothing written. Audited as "payout.register".
    """
    # The refusal is audited outside the write's transaction, which would roll it back.
    if not can_register_for(acting_user, enterprise):
        audit_denied(user=acting_user, action="payout.register_denied", target=f"enterprise {enterprise.pk}")
        raise PermissionDenied(_("You may register payouts only for enterprises of your own unit."))
    return _register(acting_user=acting_user, policy=policy, enterprise=enterprise, data=data)


@transaction.atomic
def _register(*, acting_user: User, policy: Policy, enterprise: Enterprise, data: PayoutRegisterInput) -> Payout:
    if policy.status == PolicyStatus.DRAFT:
        raise InvalidInput.field("policy", _("A draft policy grants nothing yet: publish it first."))
    if policy.beneficiary == Beneficiary.TALENT:
        raise InvalidInput.field("policy", _("This policy serves talents: it pays no enterprise."))
    clean_period_value, amount, note = data.period, data.amount_wan, data.note

    existing = Payout.objects.filter(enterprise=enterprise, policy=policy, period=clean_period_value).first()
    if existing is not None:
        raise Conflict(_duplicate_message(existing, clean_period_value))
    payout = Payout(
        policy=policy,
        enterprise=enterprise,
        period=clean_period_value,
        amount_wan=amount,
        status=PayoutStatus.PENDING,
        org_unit_id=enterprise.org_unit_id,
        industry_id=enterprise.industry_id,
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
        raise Conflict(_duplicate_message(None, clean_period_value)) from None
    audit_write(
        action="payout.register", user=acting_user, obj=payout, object_type=OBJECT_TYPE, after=snapshot(payout)
    )
    # The approvers are told once the registration commits (zhaoyin.notifications.handoff).
    handoff.hand_off(table=PAYOUT_TABLE, row=ENTRY, pk=payout.pk, source="", acting_user=acting_user)
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
    # transaction; the table's rows for one action share their roles and four-eyes rule.
    rule = next(t for t in PAYOUT_TRANSITIONS if t.action.value == action)
    if not may_take(acting_user, payout, rule):
        audit_denied(user=acting_user, action=f"payout.{action}_denied", target=f"payout {payout.pk}")
        raise PermissionDenied(_("You may not do this to payouts of this enterprise."))
    if rule.has(FOUR_EYES) and payout.registered_by_id == acting_user.pk:
        audit_denied(user=acting_user, action=f"payout.{action}_denied", target=f"payout {payout.pk}")
        raise PermissionDenied(FOUR_EYES_MESSAGE)
    current = _transition(acting_user=acting_user, payout=payout, action=action, data=data)
    payout.refresh_from_db()
    return current


#: Why the registrant of a payout is refused its decision.
FOUR_EYES_MESSAGE = gettext_lazy(
    "The person who registered a payout may not approve or reject it: another approver must decide (four-eyes rule)."
)


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
            decision_note=reason,
        )
    else:
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
    # Whoever the row gives work (its ``notify``) is told once the step commits.
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
                text_columns=frozenset({0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14}),
                widths=[30, 30, 20, 12, 14, 14, 10, 14, 10, 12, 17, 12, 17, 30, 30],
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

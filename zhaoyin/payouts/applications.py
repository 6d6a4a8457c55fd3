"""人才补贴申请: a talent applies for a talent policy's scheduled subsidy; staff review it and
start the schedule (issue 13 item 9). THE subsidy application transition table and its services.

A talent sees their eligible talent policies (``/my-talent-policies/``); for one with a payment
schedule (``SubsidySchedule``) they apply with a statement and documents (``core.files``: type by
magic bytes, size cap, scoped downloads). Staff in scope may apply on a talent's behalf. Then:

- ``accept`` (a reviewer): starts the schedule through ``talent_services.talent_schedule_start``
  — the single writer of schedules — in the same transaction, from a first period the reviewer
  chooses (default the current month, or year for a yearly schedule). A talent not eligible
  *now* is refused there (422 naming ``talent`` with the unmet conditions) and nothing changes;
- ``return`` (a reviewer, a reason required): the talent completes it and ``resubmit``\\ s with
  more documents;
- ``reject`` (a reviewer, a reason required);
- ``withdraw`` (the applicant) while submitted or returned.

Actors are relations to the application: ``reviewer`` — the roles that start schedules (city
admin, talent office, unit admin, staff) for a talent of their talent scope, the same rule as
registering talent payouts (``talent_services.can_register_for_talent``); ``applicant`` — the
talent's portal account, or the staff member who applied on the talent's behalf.

Answers as on every machine: bad input → 422 naming the field, nothing written; a second open
application for the same talent and policy, a policy already in the talent's ledger, a stale
version or a step the state does not allow → 409; a role or scope that may not act → 403
(audited); an application out of scope → 404 like an unknown one (the selectors).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_denied, audit_write, diff, snapshot
from zhaoyin.core import files as files_core
from zhaoyin.core.errors import Conflict, Errors, InvalidInput
from zhaoyin.core.roles import Role
from zhaoyin.core.transitions import Transition, TransitionTable, Wait, row
from zhaoyin.lib import eligibility as engine
from zhaoyin.notifications import handoff
from zhaoyin.payouts import talent_services
from zhaoyin.payouts.inputs import ScheduleStartInput, SubsidyApplicationActionInput, SubsidyApplyInput
from zhaoyin.payouts.models import (
    APPLICATION_FILE_AREA,
    APPLICATION_TYPE,
    OPEN_APPLICATION_STATES,
    Payout,
    ScheduleFrequency,
    SubsidyApplication,
    SubsidyApplicationFile,
    SubsidyApplicationState,
    SubsidySchedule,
)
from zhaoyin.policies.eligibility_text import words
from zhaoyin.policies.models import Beneficiary, Policy, PolicyStatus
from zhaoyin.talents.models import Talent, TalentStatus
from zhaoyin.talents.selectors import own_talent, talent_list_visible_to

#: Where the application documents are stored (``core.files``).
FILE_AREA = APPLICATION_FILE_AREA


class ApplicationAction(StrEnum):
    """What can happen to a subsidy application; the value is the API's action name."""

    ACCEPT = "accept"
    RETURN = "return"
    REJECT = "reject"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"


#: The relations that take the table's steps (see the module docstring).
APPLICANT, REVIEWER = "applicant", "reviewer"
#: Roles that review (within their talent scope) and apply on a talent's behalf.
REVIEWER_ROLES: frozenset[str] = talent_services.TALENT_REGISTRAR_ROLES
#: Roles that apply: the talent for themself, the reviewers for a talent of their scope.
APPLICANT_ROLES: frozenset[str] = frozenset(REVIEWER_ROLES | {Role.TALENT.value})
#: Row flags the services read.
STARTS_SCHEDULE = "starts_schedule"  # accept: the first period, then the schedule
TAKES_FILES = "takes_files"  # resubmit: more documents

_S = SubsidyApplicationState
APPLICATION_TABLE: TransitionTable[str, ApplicationAction] = TransitionTable(
    name="subsidy_application",
    states=tuple((s.value, s.label) for s in SubsidyApplicationState),
    initial=_S.SUBMITTED.value,
    terminal=frozenset({_S.ACCEPTED.value, _S.REJECTED.value, _S.WITHDRAWN.value}),
    waits={
        _S.SUBMITTED.value: (
            Wait(REVIEWER, "subsidy_app_to_review", gettext_lazy("Subsidy applications to review")),
        ),
    },
    rows=(
        row(ApplicationAction.ACCEPT, {_S.SUBMITTED.value}, _S.ACCEPTED.value, {REVIEWER},
            gettext_lazy("Accept and start the schedule"), style="success", flags={STARTS_SCHEDULE},
            notify={APPLICANT}),
        row(ApplicationAction.RETURN, {_S.SUBMITTED.value}, _S.RETURNED.value, {REVIEWER},
            gettext_lazy("Return to complete"), needs_reason=True, style="outline-primary", notify={APPLICANT}),
        row(ApplicationAction.REJECT, {_S.SUBMITTED.value}, _S.REJECTED.value, {REVIEWER},
            gettext_lazy("Reject"), needs_reason=True, style="outline-danger",
            notify={APPLICANT}),
        row(ApplicationAction.RESUBMIT, {_S.RETURNED.value}, _S.SUBMITTED.value, {APPLICANT},
            gettext_lazy("Resubmit"), style="primary", flags={TAKES_FILES}),
        row(ApplicationAction.WITHDRAW, {_S.SUBMITTED.value, _S.RETURNED.value}, _S.WITHDRAWN.value, {APPLICANT},
            gettext_lazy("Withdraw"), style="outline-danger", notify=()),
    ),
)
#: The entry into the machine: an application hands the work to the reviewers.
SUBMIT: Transition[str, str] = row("submit", (), _S.SUBMITTED.value, {APPLICANT}, gettext_lazy("Apply"),
                                   notify={REVIEWER})
#: The action names the action routes take.
ACTIONS: tuple[str, ...] = tuple(r.action.value for r in APPLICATION_TABLE.rows)
#: The actions the talent's own routes take (the portal, ``/me``).
PORTAL_ACTIONS: tuple[str, ...] = (ApplicationAction.RESUBMIT.value, ApplicationAction.WITHDRAW.value)


def label_of(action: str) -> str:
    """The on-screen name of an action."""
    found = APPLICATION_TABLE.get(action)
    return str(found.label) if found is not None else action


# ---- who may do what ------------------------------------------------------------------------


def _business(user: User) -> bool:
    return bool(user.is_authenticated) and not user.admin_role


def is_reviewer(user: User, talent: Talent) -> bool:
    """Whether ``user`` reviews applications of ``talent``: the rule of registering talent payouts."""
    return talent_services.can_register_for_talent(user, talent)


def is_applicant(user: User, application: SubsidyApplication) -> bool:
    """The talent's portal account, or the staff member who applied on the talent's behalf
    (while the talent is still in their scope)."""
    if not _business(user):
        return False
    if user.has_role(Role.TALENT) and application.talent.account_id == user.pk:
        return True
    return application.applied_by_id == user.pk and is_reviewer(user, application.talent)


def may_take(user: User, application: SubsidyApplication, rule: Transition[Any, Any]) -> bool:
    """Whether ``user`` holds one of ``rule``'s actors on ``application``."""
    if REVIEWER in rule.actors and is_reviewer(user, application.talent):
        return True
    return APPLICANT in rule.actors and is_applicant(user, application)


def actions_for(user: User, application: SubsidyApplication) -> list[Transition[Any, Any]]:
    """The buttons ``user`` gets on ``application``: the table's rows from its state they may take."""
    return [r for r in APPLICATION_TABLE.manual_rows_from(application.state) if may_take(user, application, r)]


def _deny(user: User, action: str, target: str, message: str) -> PermissionDenied:
    # Audited before any write transaction opens, which would roll the record back.
    audit_denied(user=user, action=action, target=target)
    return PermissionDenied(message)


# ---- references ------------------------------------------------------------------------------


def _applicant_talent(user: User, talent_id: int | None) -> Talent:
    """The talent applied for: the portal user's own record (no id, or their own), or a talent
    of the staff member's scope. Unknown and out of scope read alike (422 on ``talent``)."""
    if talent_id is None:
        own = own_talent(user)
        if own is None:
            if user.has_role(Role.TALENT):
                raise InvalidInput.field(
                    "talent", _("Your account is not linked to a talent record yet; ask the talent office.")
                )
            raise InvalidInput.field("talent", _("Choose the talent who applies."))
        return own
    talent = talent_list_visible_to(user).filter(pk=talent_id).first()
    if talent is None or not (talent.account_id == user.pk or is_reviewer(user, talent)):
        raise InvalidInput.field("talent", _("No such talent in your scope."))
    return talent


def applicable_policy(pk: int | None) -> Policy:
    """A talent policy in force with a payment schedule, else 422 on ``policy``."""
    if pk is None:
        raise InvalidInput.field("policy", _("Choose the talent policy you apply for."))
    policy = Policy.objects.filter(pk=pk, beneficiary=Beneficiary.TALENT, status=PolicyStatus.IN_FORCE).first()
    if policy is None:
        raise InvalidInput.field("policy", _("No such talent policy in force."))
    if not SubsidySchedule.objects.filter(policy=policy).exists():
        raise InvalidInput.field(
            "policy", _("This policy has no payment schedule: it is granted without an application here.")
        )
    return policy


def applicable_policy_ids(policy_ids: Sequence[int]) -> set[int]:
    """Which of these policies take applications (in force, for talents, with a schedule): one query."""
    return set(
        SubsidySchedule.objects.filter(
            policy_id__in=list(policy_ids), policy__beneficiary=Beneficiary.TALENT,
            policy__status=PolicyStatus.IN_FORCE,
        ).values_list("policy_id", flat=True)
    )


def _verdict(policy: Policy, talent: Talent) -> str:
    """``eligible`` or ``possible`` (data missing: the documents may supply it); an ineligible
    talent → 422 on ``policy`` with the unmet conditions."""
    explained = talent_services.talent_verdict(policy, talent)
    if explained is None:
        raise InvalidInput.field("policy", _("This policy has no conditions that can be checked."))
    if explained.verdict == engine.UNMET:
        reasons = [words(c.reason) for c in explained.conditions if c.result == engine.UNMET]
        raise InvalidInput.field(
            "policy",
            _("You do not meet this policy's conditions: %(reasons)s") % {"reasons": "; ".join(reasons)},
        )
    return engine.VERDICT_NAMES[explained.verdict]


def _open_duplicate(policy: Policy) -> Conflict:
    return Conflict(
        _("An application for “%(policy)s” is already open for this talent; follow it, or withdraw it first.")
        % {"policy": policy.title},
        field="policy",
    )


# ---- services --------------------------------------------------------------------------------


def subsidy_apply(
    *, acting_user: User, data: SubsidyApplyInput, uploads: files_core.ReadUploads | None = None
) -> SubsidyApplication:
    """Apply for ``data.policy``'s subsidy: the portal user for themself, staff for a talent of
    their scope (``data.talent``). 403 (audited) for any other role; 422 naming ``talent``
    (unknown, out of scope, departed), ``policy`` (unknown, not a talent policy in force with a
    schedule, or the talent ineligible — the unmet conditions named; *possible* is allowed:
    the documents may supply the missing data) or ``files`` (``uploads``, read and checked
    before: ``core.files.read_uploads``); 409 naming ``policy`` when an application for it is
    open or the policy is in the talent's ledger already. Audited as "subsidy_application.apply";
    the reviewers are told once it commits."""
    if not _business(acting_user) or not acting_user.has_role(*APPLICANT_ROLES):
        raise _deny(acting_user, "subsidy_application.apply_denied", "subsidy applications",
                    _("You may not apply for subsidies."))
    talent = _applicant_talent(acting_user, data.talent)
    policy = applicable_policy(data.policy)
    checked = (uploads or files_core.ReadUploads()).checked()
    return _apply(acting_user=acting_user, talent=talent, policy=policy, data=data, checked=checked)


@transaction.atomic
def _apply(
    *, acting_user: User, talent: Talent, policy: Policy, data: SubsidyApplyInput,
    checked: Sequence[files_core.CheckedFile],
) -> SubsidyApplication:
    # The talent's row serialises two applications of the same talent (PostgreSQL); the partial
    # unique constraint decides a race on SQLite.
    locked = Talent.objects.select_for_update().select_related("org_unit").get(pk=talent.pk)
    if locked.status == TalentStatus.DEPARTED:
        raise InvalidInput.field("talent", _("%(name)s has left the city.") % {"name": locked.name})
    verdict = _verdict(policy, locked)
    if Payout.objects.filter(talent=locked, policy=policy).exists():
        raise Conflict(
            _("“%(policy)s” is already in this talent's ledger: the subsidy is being paid, no application is needed.")
            % {"policy": policy.title},
            field="policy",
        )
    if SubsidyApplication.objects.filter(talent=locked, policy=policy, state__in=OPEN_APPLICATION_STATES).exists():
        raise _open_duplicate(policy)
    now = timezone.now()
    application = SubsidyApplication(
        talent=locked, policy=policy, state=SubsidyApplicationState.SUBMITTED, statement=data.statement,
        verdict=verdict, applied_at=now, applied_by=acting_user, updated_at=now,
    )
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError:
        raise _open_duplicate(policy) from None
    with files_core.stored_uploads(FILE_AREA) as store:
        for item in checked:
            SubsidyApplicationFile.objects.create(application=application, uploaded_by=acting_user,
                                                  **store.write(item))
        audit_write(action="subsidy_application.apply", user=acting_user, obj=application,
                    object_type=APPLICATION_TYPE, after={**snapshot(application), "files": len(checked)})
    handoff.hand_off(table=APPLICATION_TABLE, row=SUBMIT, pk=application.pk, source="", acting_user=acting_user)
    return application


def subsidy_application_transition(
    *, acting_user: User, application: SubsidyApplication, action: str, data: SubsidyApplicationActionInput,
    uploads: files_core.ReadUploads | None = None,
) -> SubsidyApplication:
    """Take ``action`` on ``application`` (fetched through a scoped selector) as
    ``APPLICATION_TABLE`` allows; the application as it now is.

    Unknown action → 422 on ``action``; not one of the row's actors → 403 (audited); a stale
    ``data.version`` or a step the state does not allow → 409; ``return`` / ``reject`` without a
    reason → 422 on ``reason``; ``accept`` starts the schedule in the same transaction (its
    refusals — ``first_period``, ``talent`` not eligible now, periods already in the ledger —
    come through unchanged and nothing is written); ``resubmit`` adds ``uploads`` (422 on
    ``files``). Audited as "subsidy_application.<action>"; whoever the row notifies is told.
    """
    rule = APPLICATION_TABLE.get(action)
    if rule is None:
        raise InvalidInput.field("action", _("Choose one of: %(values)s.") % {"values": ", ".join(ACTIONS)})
    if not may_take(acting_user, application, rule):
        raise _deny(acting_user, f"subsidy_application.{action}_denied", f"subsidy application {application.pk}",
                    _("You may not do this to this application."))
    checked = (uploads or files_core.ReadUploads()).checked() if rule.has(TAKES_FILES) else []
    result = _transition(acting_user=acting_user, application=application, rule=rule, data=data, checked=checked)
    application.refresh_from_db()
    return result


def _stale() -> Conflict:
    return Conflict(_("Someone else changed this application meanwhile; reload it and try again."))


def default_first_period(policy: Policy, today: dt.date | None = None) -> str:
    """The schedule's first period when the reviewer names none: this month, or this year for a
    yearly schedule."""
    day = today or timezone.localdate()
    schedule = SubsidySchedule.objects.filter(policy=policy).first()
    if schedule is not None and schedule.frequency == ScheduleFrequency.YEARLY:
        return f"{day.year:04d}"
    return f"{day.year:04d}-{day.month:02d}"


@transaction.atomic
def _transition(
    *, acting_user: User, application: SubsidyApplication, rule: Transition[Any, Any],
    data: SubsidyApplicationActionInput, checked: Sequence[files_core.CheckedFile],
) -> SubsidyApplication:
    current = (
        SubsidyApplication.objects.select_for_update(of=("self",))
        .select_related("talent", "policy").get(pk=application.pk)
    )
    expected = application.version if data.version is None else data.version
    if current.version != expected:
        raise _stale()
    if APPLICATION_TABLE.transition_for(rule.action, current.state) is None:
        raise Conflict(
            _("“%(action)s” is not allowed on an application whose state is “%(state)s”.")
            % {"action": str(rule.label), "state": current.get_state_display()}
        )
    errors = Errors()
    if rule.needs_reason and not data.reason:
        errors.add("reason", _("A reason is required."))
    errors.raise_if_any()
    before = snapshot(current)
    source = current.state
    now = timezone.now()
    changes: dict[str, Any] = {"state": rule.target, "version": current.version + 1, "updated_at": now}
    if data.note:
        changes["staff_note"] = data.note
    if rule.has(STARTS_SCHEDULE):
        first = data.first_period or default_first_period(current.policy)
        # The one writer of schedules; its refusals roll this transaction back whole.
        talent_services.talent_schedule_start(
            acting_user=acting_user, policy=current.policy, talent=current.talent,
            data=ScheduleStartInput.parse({"first_period": first}),
        )
        changes.update(first_period=first, decided_by=acting_user, decided_at=now, reason="")
    elif rule.action in (ApplicationAction.RETURN, ApplicationAction.REJECT):
        changes.update(decided_by=acting_user, decided_at=now, reason=data.reason)
    elif rule.action == ApplicationAction.RESUBMIT and data.statement:
        changes["statement"] = data.statement
    updated = SubsidyApplication.objects.filter(
        pk=current.pk, version=current.version, state=current.state
    ).update(**changes)
    if updated != 1:
        raise _stale()
    current.refresh_from_db()
    with files_core.stored_uploads(FILE_AREA) as store:
        for item in checked:
            SubsidyApplicationFile.objects.create(application=current, uploaded_by=acting_user, **store.write(item))
        old, new = diff(before, snapshot(current))
        if checked:
            new = {**new, "files": len(checked)}
        audit_write(action=f"subsidy_application.{rule.action}", user=acting_user, obj=current,
                    object_type=APPLICATION_TYPE, before=old, after=new)
    handoff.hand_off(table=APPLICATION_TABLE, row=rule, pk=current.pk, source=source, acting_user=acting_user)
    return current
